"""See urls.py."""

from django.urls import URLPattern, path

from cems.training import views_reports

urlpatterns: list[URLPattern] = [
    path("reports/", views_reports.training_report, name="report"),
]
