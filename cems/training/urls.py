"""Training pages, at /training/: each part's patterns come from its own module."""

from django.urls import URLPattern

from cems.training import urls_certificates, urls_people, urls_projects, urls_reports, urls_roster

app_name = "training"
urlpatterns: list[URLPattern] = []
urlpatterns += urls_people.urlpatterns
urlpatterns += urls_projects.urlpatterns
urlpatterns += urls_roster.urlpatterns
urlpatterns += urls_certificates.urlpatterns
urlpatterns += urls_reports.urlpatterns
