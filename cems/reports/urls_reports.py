"""Report pages, at /reports/ (cems/reports/views_reports.py)."""

from django.urls import path

from cems.reports import views_reports

app_name = "report_pages"
urlpatterns = [
    path("", views_reports.index, name="index"),
    path("<slug:key>/", views_reports.report, name="report"),
]
