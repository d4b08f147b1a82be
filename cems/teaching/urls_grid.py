"""Grade pages: see cems/teaching/urls.py."""

from django.urls import URLPattern, path

from cems.teaching import grid_views

urlpatterns: list[URLPattern] = [
    path("offerings/<int:pk>/grades/", grid_views.grade_grid, name="grade_grid"),
    path("offerings/<int:pk>/grades/cells/", grid_views.grade_cell, name="grade_cell"),
    path("offerings/<int:pk>/grades/submit/", grid_views.grades_submit, name="grades_submit"),
    path("offerings/<int:pk>/makeup/", grid_views.makeup_grid, name="makeup_grid"),
    path("offerings/<int:pk>/makeup/submit/", grid_views.makeup_submit, name="makeup_submit"),
]
