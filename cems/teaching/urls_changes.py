"""Grade change requests, grade history, retakes and students' results (see urls.py)."""

from django.urls import path

from cems.teaching import change_views as views

urlpatterns = [
    path(
        "offerings/<int:pk>/grades/<int:entry>/change/",
        views.change_request_new,
        name="change_request_new",
    ),
    path("offerings/<int:pk>/grades/history/", views.grade_history, name="grade_history"),
    path("offerings/<int:pk>/retakes/", views.retakes, name="retakes"),
    path("grade-changes/", views.change_request_list, name="change_request_list"),
    path("grade-changes/<int:pk>/", views.change_request_detail, name="change_request_detail"),
    path(
        "grade-changes/<int:pk>/decide/", views.change_request_decide, name="change_request_decide"
    ),
    path("my-grades/", views.my_grades, name="my_grades"),
    path("students/<int:pk>/grades/", views.student_grades, name="student_grades"),
]
