"""Writes shared by every app."""

from collections.abc import Sequence
from typing import Any

from django.db import models, transaction

from cems.accounts.models import User
from cems.core.models import PersonalDataLog


@transaction.atomic
def records_export_log(
    *,
    actor: User,
    subject: str,
    filters: dict[str, Any],
    row_count: int,
    fields: str = "",
    reason: str = "",
) -> PersonalDataLog:
    """Log a download of people's records: who, which list (`subject`, e.g.
    "students.Student"), with which filters, how many rows, and which personal fields were
    in full (none when they were masked)."""
    log = PersonalDataLog(
        user=actor,
        action=PersonalDataLog.Action.EXPORT,
        subject=subject,
        fields=fields,
        filters=filters,
        row_count=row_count,
        reason=reason,
    )
    log.full_clean()
    log.save()
    return log


def export_filters(query: dict[str, Any]) -> dict[str, Any]:
    """The filters of a list's query string, without the format and paging parameters. A NUL
    character (which PostgreSQL cannot store in JSON) becomes a replacement mark."""
    return {
        _storable(key): _storable(value) if isinstance(value, str) else value
        for key, value in query.items()
        if key not in ("format", "page")
    }


def _storable(text: str) -> str:
    return text.replace("\x00", "\ufffd")


def assign_changed(obj: models.Model, data: dict[str, Any], fields: Sequence[str]) -> list[str]:
    """Set on `obj` those of `fields` whose value in `data` differs; the names of those that
    did (an update service saves, validates and logs only when there are any)."""
    changed = []
    for name in fields:
        if name in data and getattr(obj, name) != data[name]:
            setattr(obj, name, data[name])
            changed.append(name)
    return changed


def who(actor: User | None) -> str:
    """The acting user as the audit log names them ("system" for commands and demo data)."""
    return actor.username if actor is not None else "system"
