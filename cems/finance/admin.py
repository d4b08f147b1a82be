from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cems.finance.models import FeeEntry, FeeItem, PaymentImport, PaymentRow


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Shown, never edited here: fee accounts change only through the fee services (which
    check the balances and keep transaction numbers unique) and the fee pages."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FeeItem)
class FeeItemAdmin(ReadOnlyAdmin):
    list_display = ["academic_year", "program", "kind", "name", "amount"]
    list_filter = ["academic_year", "kind"]
    list_select_related = ["program__major"]


@admin.register(FeeEntry)
class FeeEntryAdmin(ReadOnlyAdmin):
    list_display = ["student", "academic_year", "kind", "fee_kind", "amount", "booked_on",
                    "reference"]  # fmt: skip
    list_filter = ["kind", "fee_kind", "academic_year"]
    list_select_related = ["student"]
    search_fields = ["student__student_number", "reference"]
    raw_id_fields = ["student", "fee_item", "payment_import", "created_by"]


@admin.register(PaymentImport)
class PaymentImportAdmin(ReadOnlyAdmin):
    list_display = ["imported_at", "file_name", "imported_by"]
    list_select_related = ["imported_by"]


@admin.register(PaymentRow)
class PaymentRowAdmin(ReadOnlyAdmin):
    list_display = ["payment_import", "row_number", "reference", "student_number", "amount",
                    "status"]  # fmt: skip
    list_filter = ["status"]
    list_select_related = ["payment_import"]
    search_fields = ["reference", "student_number"]
    raw_id_fields = ["student", "entry", "resolved_by"]
