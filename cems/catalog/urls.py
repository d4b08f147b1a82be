from django.urls import path

from cems.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/copy/", views.plan_copy, name="plan_copy"),
    path("plans/<int:pk>/courses/new/", views.plan_course_add, name="plan_course_add"),
    path(
        "plans/<int:pk>/courses/<int:entry_pk>/edit/",
        views.plan_course_edit,
        name="plan_course_edit",
    ),
    path(
        "plans/<int:pk>/courses/<int:entry_pk>/remove/",
        views.plan_course_remove,
        name="plan_course_remove",
    ),
    path("majors/", views.major_list, name="major_list"),
    path("majors/new/", views.major_create, name="major_create"),
    path("majors/<int:pk>/edit/", views.major_edit, name="major_edit"),
    path("programs/", views.program_list, name="program_list"),
    path("programs/new/", views.program_create, name="program_create"),
    path("programs/<int:pk>/edit/", views.program_edit, name="program_edit"),
    path("courses/", views.course_list, name="course_list"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
]
