from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cems.teaching.models import (
    AcademicYear,
    CourseOffering,
    Grade,
    GradeChange,
    GradeChangeRequest,
    OfferingStudent,
    Term,
    Transcript,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Shown, never edited here: grades change only through the grade services (which keep
    the locks and the history), history and transcripts never."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin[AcademicYear]):
    list_display = ["__str__"]


@admin.register(Term)
class TermAdmin(admin.ModelAdmin[Term]):
    list_display = ["__str__", "start_date", "end_date"]
    list_select_related = ["academic_year"]


@admin.register(CourseOffering)
class CourseOfferingAdmin(admin.ModelAdmin[CourseOffering]):
    list_display = ["term", "student_class", "plan_course", "teacher"]
    list_filter = ["term"]
    list_select_related = ["term__academic_year", "student_class", "plan_course__course",
                           "plan_course__plan__program__major", "teacher"]  # fmt: skip
    raw_id_fields = ["student_class", "plan_course", "teacher"]
    search_fields = ["student_class__code", "plan_course__course__code"]
    # Submission is done (and undone by nobody) through the grade pages.
    readonly_fields = ["grades_submitted_at", "grades_submitted_by", "makeup_submitted_at",
                       "makeup_submitted_by"]  # fmt: skip

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.grades_locked:
            return False  # deleting it would delete its locked grades
        return super().has_delete_permission(request, obj)


@admin.register(OfferingStudent)
class OfferingStudentAdmin(admin.ModelAdmin[OfferingStudent]):
    list_display = ["offering", "student", "kind"]
    raw_id_fields = ["offering", "student"]
    list_select_related = [
        "offering__term__academic_year",
        "offering__student_class",
        "offering__plan_course__course",
        "offering__plan_course__plan__program__major",
        "student",
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.offering.grades_locked:
            return False
        return super().has_delete_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.offering.grades_locked:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Grade)
class GradeAdmin(ReadOnlyAdmin):
    list_display = ["entry", "score", "level", "mark", "passed", "final_passed", "updated_at"]
    list_select_related = [
        "entry__offering__term__academic_year",
        "entry__offering__student_class",
        "entry__offering__plan_course__course",
        "entry__offering__plan_course__plan__program__major",
        "entry__student",
    ]


@admin.register(GradeChange)
class GradeChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "grade_id", "field", "old_value", "new_value", "source",
                    "changed_by"]  # fmt: skip
    list_select_related = ["changed_by"]


@admin.register(GradeChangeRequest)
class GradeChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "grade_id", "status", "requested_by", "decided_by"]
    list_select_related = ["requested_by", "decided_by"]


@admin.register(Transcript)
class TranscriptAdmin(ReadOnlyAdmin):
    list_display = ["code", "student", "issued_at", "issued_by"]
    list_select_related = ["student", "issued_by"]
