from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cems.accounts.access import Capability, capabilities_of


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    capability: Capability | None


NAVIGATION = (
    NavItem("reports:dashboard", _("Dashboard"), None),
    NavItem("students:list", _("Students"), Capability.LIST_STUDENTS),
    NavItem("organization:station_list", _("Stations"), Capability.VIEW_STATIONS),
    NavItem("admin:index", _("Administration"), Capability.USE_ADMIN),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu shows what the user's role can open, and nothing else."""
    if not request.user.is_authenticated:
        return {"nav_items": []}
    granted = capabilities_of(request.user)
    path = request.path
    items = []
    for item in NAVIGATION:
        if item.capability is None or item.capability in granted:
            url = reverse(item.url_name)
            active = path == url if url == "/" else path.startswith(url)
            items.append({"url": url, "label": item.label, "active": active})
    return {"nav_items": items}
