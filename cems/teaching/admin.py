from django.contrib import admin

from cems.teaching.models import AcademicYear, CourseOffering, OfferingStudent, Term


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
