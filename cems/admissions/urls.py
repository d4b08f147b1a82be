from django.urls import path

from cems.admissions import views

app_name = "admissions"
urlpatterns = [
    path("", views.candidate_list, name="candidate_list"),
    path("<int:pk>/", views.candidate_detail, name="candidate_detail"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/discard/", views.import_discard, name="import_discard"),
    path("imports/<int:pk>/report.xlsx", views.import_report, name="import_report"),
]
