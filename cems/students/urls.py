from django.urls import path

from cems.students import views

app_name = "students"
urlpatterns = [
    path("", views.student_list, name="list"),
    path("export/", views.student_export, name="export"),
    path("enroll/", views.enrollment, name="enroll"),
    path("<int:pk>/", views.student_detail, name="detail"),
    path("<int:pk>/unmask/", views.student_unmask, name="unmask"),
]
