from django.contrib import admin

from cems.catalog.models import Course, Major, PlanCourse, Program, TeachingPlan


@admin.register(Major)
class MajorAdmin(admin.ModelAdmin[Major]):
    list_display = ("code", "name", "name_en", "discipline")
    list_filter = ("discipline",)
    search_fields = ("code", "name", "name_en")


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin[Program]):
    list_display = ("major", "level", "mode", "standard_length_years", "credits_to_graduate",
                    "tuition_per_year", "is_offered")  # fmt: skip
    list_filter = ("level", "mode", "is_offered")
    list_select_related = ("major",)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin[Course]):
    list_display = ("code", "name", "credits", "hours", "assessment")
    list_filter = ("assessment",)
    search_fields = ("code", "name", "name_en")


class PlanCourseInline(admin.TabularInline[PlanCourse, TeachingPlan]):
    model = PlanCourse
    autocomplete_fields = ("course",)
    extra = 0


@admin.register(TeachingPlan)
class TeachingPlanAdmin(admin.ModelAdmin[TeachingPlan]):
    list_display = ("program", "admission_year", "updated_at")
    list_filter = ("admission_year", "program__level", "program__mode")
    list_select_related = ("program__major",)
    inlines = (PlanCourseInline,)
