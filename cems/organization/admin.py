from django.contrib import admin

from cems.organization.models import Honor, Province, School, Station


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin[School]):
    list_display = ("name", "code", "university")


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin[Province]):
    list_display = ("code", "name", "name_en")


@admin.register(Station)
class StationAdmin(admin.ModelAdmin[Station]):
    list_display = ("code", "name", "province", "city", "is_active")
    list_filter = ("province", "is_active")
    search_fields = ("code", "name", "city", "host_institution")


@admin.register(Honor)
class HonorAdmin(admin.ModelAdmin[Honor]):
    list_display = ("name", "grantor", "year", "display_order")
    list_filter = ("year",)
    search_fields = ("name", "name_en", "grantor")
