"""Grade pages: see cems/teaching/urls.py."""

from django.urls import URLPattern, path

from cems.teaching import sheet_views

urlpatterns: list[URLPattern] = [
    path("offerings/<int:pk>/grades/sheet/", sheet_views.sheet_download, name="grade_sheet"),
    path(
        "offerings/<int:pk>/grades/sheet/upload/",
        sheet_views.sheet_upload,
        name="grade_sheet_upload",
    ),
]
