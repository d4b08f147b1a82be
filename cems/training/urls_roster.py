"""See urls.py. A project's roster, sessions and attendance."""

from django.urls import URLPattern, path

from cems.training import views_roster as views

urlpatterns: list[URLPattern] = [
    path("projects/<int:pk>/roster/", views.roster, name="roster"),
    path("projects/<int:pk>/roster/add/", views.roster_add, name="roster_add"),
    path("projects/<int:pk>/roster/import/", views.roster_upload, name="roster_import"),
    path(
        "projects/<int:pk>/roster/<int:enrollment_pk>/withdraw/",
        views.roster_withdraw,
        name="roster_withdraw",
    ),
    path("projects/<int:pk>/sessions/", views.session_list, name="session_list"),
    path("projects/<int:pk>/sessions/add/", views.session_edit, name="session_add"),
    path(
        "projects/<int:pk>/sessions/<int:session_pk>/edit/",
        views.session_edit,
        name="session_edit",
    ),
    path("projects/<int:pk>/attendance/", views.attendance, name="attendance"),
]
