"""The audit trail page: who changed what, when and why (auditors and administrators)."""

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from cems.accounts.access import Capability, require_capability, signed_in_user
from cems.core.audit_selectors import audit_events
from cems.core.export import FORMATS, tabular_response
from cems.core.forms import valid_filters
from cems.core.forms_audit import AuditEventFilterForm
from cems.core.models import AuditEvent
from cems.core.services import export_filters, records_export_log


def _columns() -> list[str]:
    return [
        _("At"), _("User"), _("Action"), _("Target"), _("Summary"), _("Reason"),
        _("IP address"), _("Details"),
    ]  # fmt: skip


def _rows(events: Iterable[AuditEvent]) -> Iterator[list[Any]]:
    for event in events:
        yield [
            event.at, event.actor_name, event.action, event.target, event.summary,
            event.reason, event.ip_address, json.dumps(event.details, ensure_ascii=False),
        ]  # fmt: skip


@require_capability(Capability.VIEW_AUDIT_TRAIL)
def event_list(request: HttpRequest) -> HttpResponseBase:
    form = AuditEventFilterForm(request.GET or None)
    events = audit_events(user=request.user, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        # Downloading the audit trail is itself recorded ("data.export").
        records_export_log(
            actor=signed_in_user(request),
            subject="core.AuditEvent",
            filters=export_filters(request.GET.dict()),
            row_count=events.count(),
        )
        return tabular_response(
            filename="audit-trail", columns=_columns(), rows=_rows(events.iterator()), fmt=fmt
        )
    page = Paginator(events, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/audit/list.html", {"form": form, "page": page})
