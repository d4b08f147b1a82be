from django.contrib import admin

from cems.catalog.models import Major, Program


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
