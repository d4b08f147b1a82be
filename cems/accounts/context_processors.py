from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cems.accounts.access import Capability, capabilities_of

C = Capability


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    # Shown to a user holding any one of these; an empty tuple means every signed-in user.
    capabilities: tuple[Capability, ...] = ()
    # Not shown to a user holding one of these (who has a menu entry of their own instead).
    excluding: tuple[Capability, ...] = ()


@dataclass(frozen=True)
class NavGroup:
    label: str | Promise | None  # None: the items stand on their own in the menu bar
    items: tuple[NavItem, ...]


# The menu, in groups: a group the user sees one item of shows as that item alone, a group
# of several as a drop-down.
NAVIGATION = (
    NavGroup(None, (
        NavItem("reports:dashboard", _("Dashboard")),
        NavItem("status_changes:portal", _("My studies"), (C.USE_PORTAL,)),
        NavItem("teaching:my_grades", _("My grades"), (C.USE_PORTAL,)),
        NavItem("finance:my_account", _("My fees"), (C.USE_PORTAL,)),
        NavItem("graduation:mine", _("My graduation"), (C.USE_PORTAL,)),
        NavItem("training:portal", _("My training"), (C.USE_TRAINEE_PORTAL,)),
    )),
    NavGroup(_("Student records"), (
        NavItem("students:list", _("Students"), (C.LIST_STUDENTS,)),
        NavItem("admissions:candidate_list", _("Admissions"), (C.VIEW_CANDIDATES,)),
        NavItem("students:enroll", _("Enrollment"), (C.ENROLL_STUDENTS,)),
        NavItem("status_changes:pending", _("Waiting for my decision"),
                (C.APPROVE_AS_STATION, C.APPROVE_AS_SCHOOL)),
        NavItem("status_changes:list", _("Status changes"), (C.LIST_STUDENTS,)),
        NavItem("status_changes:registration", _("Registration"), (C.MANAGE_REGISTRATIONS,)),
    )),
    NavGroup(_("Teaching"), (
        NavItem("teaching:my_offerings", _("My courses"), (C.TEACH,)),
        NavItem("teaching:offering_list", _("Course offerings"), (C.VIEW_OFFERINGS,), (C.TEACH,)),
        NavItem("teaching:change_request_list", _("Grade changes"),
                (C.APPROVE_GRADE_CHANGES, C.ENTER_GRADES)),
    )),
    NavGroup(_("Fees and graduation"), (
        NavItem("finance:arrears_students", _("Fees"), (C.VIEW_FEES,)),
        NavItem("graduation:audit_list", _("Graduation"), (C.VIEW_AUDITS,)),
        NavItem("graduation:degree_list", _("Degrees"), (C.VIEW_AUDITS,)),
    )),
    NavGroup(_("Training"), (
        NavItem("training:project_list", _("Training projects"), (C.VIEW_TRAINING,)),
        NavItem("training:certificate_list", _("Certificates"), (C.VIEW_TRAINING,)),
        NavItem("training:trainee_list", _("Trainees"), (C.VIEW_TRAINING,)),
        NavItem("training:report", _("Training report"), (C.VIEW_TRAINING,)),
    )),
    NavGroup(_("Statistics"), (
        NavItem("report_pages:index", _("Reports"),
                (C.LIST_STUDENTS, C.VIEW_FEES, C.VIEW_TRAINING)),
        NavItem("annual_return:page", _("Annual return"), (C.LIST_STUDENTS,)),
    )),
    NavGroup(_("School"), (
        NavItem("organization:station_list", _("Stations"), (C.VIEW_STATIONS,)),
        NavItem("catalog:plan_list", _("Catalog"), (C.VIEW_CATALOG,)),
        NavItem("honors:list", _("Honors"), (C.MANAGE_HONORS,)),
        NavItem("audit_trail:list", _("Audit trail"), (C.VIEW_AUDIT_TRAIL,)),
        NavItem("admin:index", _("Administration"), (C.USE_ADMIN,)),
    )),
)  # fmt: skip


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu shows what the user's role can open, and nothing else: `nav_groups` for the
    menu bar, `nav_items` (the same entries, flat) for anything that lists them."""
    if not request.user.is_authenticated:
        return {"nav_items": [], "nav_groups": []}
    granted = capabilities_of(request.user)
    path = request.path
    flat: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    for group in NAVIGATION:
        shown = []
        for item in group.items:
            if item.capabilities and not granted.intersection(item.capabilities):
                continue
            if granted.intersection(item.excluding):
                continue
            url = reverse(item.url_name)
            active = path == url if url == "/" else path.startswith(url)
            shown.append({"url": url, "label": item.label, "active": active})
        flat += shown
        if group.label is None or len(shown) == 1:
            groups += [{"label": None, "items": [entry]} for entry in shown]
        elif shown:
            active = any(entry["active"] for entry in shown)
            groups.append({"label": group.label, "items": shown, "active": active})
    return {"nav_items": flat, "nav_groups": groups}
