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


NAVIGATION = (
    NavItem("reports:dashboard", _("Dashboard")),
    NavItem("status_changes:portal", _("My studies"), (C.USE_PORTAL,)),
    NavItem("teaching:my_grades", _("My grades"), (C.USE_PORTAL,)),
    NavItem("finance:my_account", _("My fees"), (C.USE_PORTAL,)),
    NavItem("graduation:mine", _("My graduation"), (C.USE_PORTAL,)),
    NavItem("training:portal", _("My training"), (C.USE_TRAINEE_PORTAL,)),
    NavItem("students:list", _("Students"), (C.LIST_STUDENTS,)),
    NavItem("admissions:candidate_list", _("Admissions"), (C.VIEW_CANDIDATES,)),
    NavItem("students:enroll", _("Enrollment"), (C.ENROLL_STUDENTS,)),
    NavItem(
        "status_changes:pending",
        _("Waiting for my decision"),
        (C.APPROVE_AS_STATION, C.APPROVE_AS_SCHOOL),
    ),
    NavItem("status_changes:list", _("Status changes"), (C.LIST_STUDENTS,)),
    NavItem("status_changes:registration", _("Registration"), (C.MANAGE_REGISTRATIONS,)),
    NavItem("teaching:my_offerings", _("My courses"), (C.TEACH,)),
    NavItem("teaching:offering_list", _("Course offerings"), (C.VIEW_OFFERINGS,), (C.TEACH,)),
    NavItem(
        "teaching:change_request_list",
        _("Grade changes"),
        (C.APPROVE_GRADE_CHANGES, C.ENTER_GRADES),
    ),
    NavItem("finance:arrears_students", _("Fees"), (C.VIEW_FEES,)),
    NavItem("graduation:audit_list", _("Graduation"), (C.VIEW_AUDITS,)),
    NavItem("graduation:degree_list", _("Degrees"), (C.VIEW_AUDITS,)),
    NavItem("training:project_list", _("Training"), (C.VIEW_TRAINING,)),
    NavItem("training:certificate_list", _("Certificates"), (C.VIEW_TRAINING,)),
    NavItem("training:trainee_list", _("Trainees"), (C.VIEW_TRAINING,)),
    NavItem("training:report", _("Training report"), (C.VIEW_TRAINING,)),
    NavItem("organization:station_list", _("Stations"), (C.VIEW_STATIONS,)),
    NavItem("catalog:plan_list", _("Catalog"), (C.VIEW_CATALOG,)),
    NavItem("admin:index", _("Administration"), (C.USE_ADMIN,)),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu shows what the user's role can open, and nothing else."""
    if not request.user.is_authenticated:
        return {"nav_items": []}
    granted = capabilities_of(request.user)
    path = request.path
    items = []
    for item in NAVIGATION:
        if item.capabilities and not granted.intersection(item.capabilities):
            continue
        if granted.intersection(item.excluding):
            continue
        url = reverse(item.url_name)
        active = path == url if url == "/" else path.startswith(url)
        items.append({"url": url, "label": item.label, "active": active})
    return {"nav_items": items}
