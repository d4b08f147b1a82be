from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from cems.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    list_display = ("username", "full_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name", "email")
    filter_horizontal = ("stations",)
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Role in CEMS"), {"fields": ("role", "full_name", "stations")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role in CEMS"), {"fields": ("role", "full_name", "stations")}),
    )
