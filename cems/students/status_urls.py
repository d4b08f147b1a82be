"""Status changes (学籍异动), registration (缴费注册) and the student portal, at /requests/."""

from django.urls import path

from cems.students import status_views as views

app_name = "status_changes"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("pending/", views.pending, name="pending"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/decide/", views.request_decide, name="decide"),
    path("<int:pk>/cancel/", views.request_cancel, name="cancel"),
    path("file/<int:student_pk>/", views.request_file, name="file"),
    path("registration/", views.registration, name="registration"),
    path("portal/", views.portal, name="portal"),
]
