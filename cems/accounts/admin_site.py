from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cems.accounts.access import Capability, has_capability


class CemsAdminSite(admin.AdminSite):
    """Django's admin, for school administrators only (the role decides, not is_staff)."""

    site_header = _("CEMS administration")
    site_title = _("CEMS administration")
    index_title = _("Data administration")

    def has_permission(self, request: HttpRequest) -> bool:
        return has_capability(request.user, Capability.USE_ADMIN)
