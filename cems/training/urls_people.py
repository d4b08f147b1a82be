"""See urls.py."""

from django.urls import URLPattern, path

from cems.training import views_people as views

urlpatterns: list[URLPattern] = [
    path("trainees/", views.trainee_list, name="trainee_list"),
    path("trainees/new/", views.trainee_create, name="trainee_create"),
    path("trainees/duplicates/", views.duplicate_list, name="duplicate_list"),
    path("trainees/merge/", views.trainee_merge, name="trainee_merge"),
    path("trainees/<int:pk>/", views.trainee_detail, name="trainee_detail"),
    path("trainees/<int:pk>/edit/", views.trainee_edit, name="trainee_edit"),
    path("employers/", views.employer_list, name="employer_list"),
    path("employers/new/", views.employer_create, name="employer_create"),
    path("employers/<int:pk>/edit/", views.employer_edit, name="employer_edit"),
]
