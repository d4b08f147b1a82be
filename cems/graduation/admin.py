from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cems.graduation.models import (
    AuditResult,
    AuditRun,
    DegreeAward,
    DisciplinaryRecord,
    Graduation,
    LanguageResult,
    NumberSequence,
    Thesis,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Shown, never edited here: audits, graduations, degrees and number series are written
    by their services only (which check the rules, lock the number series and record who
    approved)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditRun)
class AuditRunAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "cohort_year", "station", "status", "started_by", "started_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["station", "started_by"]


@admin.register(AuditResult)
class AuditResultAdmin(ReadOnlyAdmin):
    list_display = ["run", "student", "eligible", "credits_earned", "approved"]
    list_filter = ["run__kind", "eligible", "approved"]
    list_select_related = ["run", "student"]
    search_fields = ["student__student_number", "student__name"]


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ["key", "last"]


@admin.register(Graduation)
class GraduationAdmin(ReadOnlyAdmin):
    list_display = ["diploma_number", "student", "graduated_on", "approved_by"]
    list_select_related = ["student", "approved_by"]
    search_fields = ["diploma_number", "student__student_number", "student__name"]
    date_hierarchy = "graduated_on"


@admin.register(DegreeAward)
class DegreeAwardAdmin(ReadOnlyAdmin):
    list_display = ["certificate_number", "student", "awarded_on", "approved_by"]
    list_select_related = ["student", "approved_by"]
    search_fields = ["certificate_number", "student__student_number", "student__name"]


@admin.register(Thesis)
class ThesisAdmin(admin.ModelAdmin[Thesis]):
    list_display = ["student", "title", "score", "defended"]
    list_select_related = ["student"]
    raw_id_fields = ["student"]
    search_fields = ["student__student_number", "title"]


@admin.register(LanguageResult)
class LanguageResultAdmin(admin.ModelAdmin[LanguageResult]):
    list_display = ["student", "exam", "exam_date", "score"]
    list_filter = ["exam"]
    list_select_related = ["student"]
    raw_id_fields = ["student"]
    search_fields = ["student__student_number"]


@admin.register(DisciplinaryRecord)
class DisciplinaryRecordAdmin(admin.ModelAdmin[DisciplinaryRecord]):
    list_display = ["student", "issued_on", "description", "revoked_on"]
    list_select_related = ["student"]
    raw_id_fields = ["student", "recorded_by"]
    search_fields = ["student__student_number"]
