from typing import Any

from django.contrib import admin

from cems.training.models import (
    Certificate,
    Employer,
    Enrollment,
    Project,
    Trainee,
    TrainingCategory,
)


@admin.register(TrainingCategory)
class TrainingCategoryAdmin(admin.ModelAdmin[Any]):
    list_display = ("code", "name", "validity_months", "review_interval_months", "pass_score")


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin[Any]):
    list_display = ("name", "kind", "region")
    search_fields = ("name",)


@admin.register(Trainee)
class TraineeAdmin(admin.ModelAdmin[Any]):
    """ID numbers are not listed (they are personal data); merges go through the merge
    page, which keeps every record."""

    list_display = ("name", "gender", "employer", "merged_into")
    search_fields = ("name",)
    raw_id_fields = ("employer", "user", "merged_into")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin[Any]):
    list_display = ("title", "cohort", "category", "start_date", "status")
    list_filter = ("category", "status")
    search_fields = ("title",)


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin[Any]):
    list_display = ("project", "trainee", "status")
    raw_id_fields = ("project", "trainee", "employer")


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin[Any]):
    list_display = ("number", "trainee", "category", "issued_on", "expires_on", "status")
    search_fields = ("number",)
    raw_id_fields = ("enrollment", "trainee")
