from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("cems.reports.urls")),
    path("reports/annual/", include("cems.reports.urls_annual")),
    path("reports/", include("cems.reports.urls_reports")),
    path("about/", include("cems.reports.urls_public")),
    path("honors/", include("cems.organization.urls_honors")),
    path("accounts/", include("cems.accounts.urls")),
    path("stations/", include("cems.organization.urls")),
    path("students/", include("cems.students.urls")),
    path("requests/", include("cems.students.status_urls")),
    path("catalog/", include("cems.catalog.urls")),
    path("admissions/", include("cems.admissions.urls")),
    path("teaching/", include("cems.teaching.urls")),
    path("transcripts/", include("cems.teaching.urls_public")),
    path("fees/", include("cems.finance.urls")),
    path("graduation/", include("cems.graduation.urls")),
    path("training/", include("cems.training.urls")),
    path("verify/", include("cems.training.urls_verify")),
    path("jobs/", include("cems.core.urls_jobs")),
    path("audit/", include("cems.core.urls_audit")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
