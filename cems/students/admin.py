from django.contrib import admin

from cems.students.models import Student


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin[Student]):
    list_display = ("student_number", "name", "station", "program", "cohort_year", "status")
    list_filter = ("status", "cohort_year", "program__level", "program__mode")
    search_fields = ("student_number", "exam_number", "name", "=id_number")
    list_select_related = ("station", "program__major")
    raw_id_fields = ("station", "program", "user")
    show_full_result_count = False
