"""Reads of the audit trail: for those who may view it (Capability.VIEW_AUDIT_TRAIL), all of it."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from cems.accounts.access import Capability, has_capability
from cems.core.forms import filter_by
from cems.core.models import AuditEvent


def audit_events(*, user: Any, filters: dict[str, Any] | None) -> QuerySet[AuditEvent]:
    """The events matching the filters, newest first; none when the filters are invalid."""
    if not has_capability(user, Capability.VIEW_AUDIT_TRAIL):
        raise PermissionDenied
    if filters is None:
        return AuditEvent.objects.none()
    events = filter_by(
        AuditEvent.objects.all(),
        filters,
        {
            "actor": "actor_name__icontains",
            "action": "action__startswith",
            "date_from": "at__date__gte",
            "date_to": "at__date__lte",
            "q": "summary__icontains",
        },
    )
    target = filters.get("target") or ""
    if target:
        # "students.Student:42" is that object; "students.Student" is every student.
        events = (
            events.filter(target=target)
            if ":" in target
            else events.filter(target__startswith=target)
        )
    return events.order_by("-at", "-pk")
