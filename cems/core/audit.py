"""The audit trail: who changed what, when and why (AuditEvent, append-only).

Services log once, to the "cems.audit" logger, with the event's structure in `extra`:

    audit.info("offering %s: grades submitted by %s", offering.pk, actor.username,
               extra=event(actor, "grade.submit", offering))

`AuditTrailHandler` (attached in CoreConfig.ready) turns each such record into an AuditEvent
in the service's transaction; the formatted message is the event's summary unless the call
gives one. Writes that do not go through a service's log call (personal data access logs,
role grants, denied accesses) call `record()` directly.

A summary names objects by reference only (a number such as a primary key or a certificate
number), never by a person's name or ID number.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from django.http import HttpRequest

from cems.core.models import AuditEvent

AUDIT_LOGGER = "cems.audit"

# The request being handled (set by AuditMiddleware): the actor and address of events that
# model signals record, such as role grants made in the admin.
_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "cems_audit_request", default=None
)
# True only while `manage.py flush` empties the database (see the flush command).
_purge_allowed = False


def reference(target: models.Model | str | None) -> str:
    """ "app_label.Model:pk" for a model instance; a string as it is; "" for None."""
    if target is None:
        return ""
    if isinstance(target, models.Model):
        return f"{target._meta.app_label}.{target.__class__.__name__}:{target.pk}"
    return str(target)


def event(
    actor: Any,
    action: str,
    target: models.Model | str | None = None,
    *,
    summary: str | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The `extra` of a log call on the "cems.audit" logger that becomes an AuditEvent."""
    data: dict[str, Any] = {
        "actor": actor,
        "action": action,
        "target": reference(target),
        "reason": reason,
        "details": details,
    }
    if summary is not None:
        data["summary"] = summary
    return {"audit": data}


def current_request() -> HttpRequest | None:
    return _current_request.get()


@contextmanager
def request_context(request: HttpRequest) -> Iterator[None]:
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def current_actor() -> Any:
    """The signed-in user of the request being handled, or None (commands, shell)."""
    request = current_request()
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


def _client_address(request: HttpRequest | None) -> str | None:
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    return address or None


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | str | None = None,
    summary: str = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event. `actor` None means the system (a command, the demo data)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    request = request if request is not None else current_request()
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=actor.username if actor is not None else "",
        action=action[:40],
        target=reference(target)[:100],
        summary=summary[:300],
        reason=(reason or "").strip()[:200],
        details=details or {},
        ip_address=_client_address(request),
    )


class AuditTrailHandler(logging.Handler):
    """Turns records of the "cems.audit" logger that carry `extra={"audit": {...}}` into
    AuditEvents. Errors are not swallowed: a service whose audit record cannot be written
    fails, and its transaction rolls back."""

    def emit(self, log_record: logging.LogRecord) -> None:
        data = getattr(log_record, "audit", None)
        if not isinstance(data, dict):
            return
        fields = dict(data)
        if fields.get("actor") is None:  # a service without its actor: the signed-in user
            fields["actor"] = current_actor()
        if "summary" not in fields:
            fields["summary"] = log_record.getMessage()
        record(**fields)


def install_handler() -> None:
    """Attach the handler to the "cems.audit" logger once (CoreConfig.ready)."""
    logger = logging.getLogger(AUDIT_LOGGER)
    if not any(isinstance(handler, AuditTrailHandler) for handler in logger.handlers):
        logger.addHandler(AuditTrailHandler())


# --- SQLite: the trigger's permission to empty the table -------------------------------------


@contextmanager
def purge_allowed() -> Iterator[None]:
    """Let the SQLite trigger pass DELETEs on the audit trail: only `manage.py flush`."""
    global _purge_allowed
    _purge_allowed = True
    try:
        yield
    finally:
        _purge_allowed = False


def _purge_allowed_now() -> int:
    return int(_purge_allowed)


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created: the function the SQLite delete trigger asks (migration 0003)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("cems_audit_purge_allowed", 0, _purge_allowed_now)


# --- Receivers: role grants and personal data access logs -----------------------------------


def _station_pks(user: Any) -> list[int]:
    return sorted(user.stations.values_list("pk", flat=True))


def user_role_before(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """pre_save of User: remember the stored role (only when the role may be written)."""
    update_fields = kwargs.get("update_fields")
    if raw or instance.pk is None or (update_fields is not None and "role" not in update_fields):
        instance._audit_role_before = None
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("role", flat=True)
    instance._audit_role_before = stored.first()


def user_role_after(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """post_save of User: a new user's role, or a changed one, is a role grant."""
    if raw:
        return
    before = "" if created else getattr(instance, "_audit_role_before", None)
    instance._audit_role_before = None
    if before is None or before == instance.role:
        return
    record(
        actor=current_actor(),
        action="role.grant",
        target=instance,
        summary=f"role of user {instance.pk}: {before or '-'} -> {instance.role}",
        details={"field": "role", "from": before, "to": instance.role},
    )


def user_stations_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """m2m_changed of User.stations: a change of a user's stations is a role grant."""
    if not reverse:
        if action in ("pre_add", "pre_remove", "pre_clear"):
            instance._audit_stations_before = _station_pks(instance)
        elif action in ("post_add", "post_remove", "post_clear"):
            before = getattr(instance, "_audit_stations_before", None)
            after = _station_pks(instance)
            if before is not None and before != after:
                _stations_granted(instance, before, after)
        return
    # From the station's side (station.staff.add(user)): pk_set holds users.
    if action == "pre_clear":
        instance._audit_staff_before = list(
            sender.objects.filter(station=instance).values_list("user_id", flat=True)
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    user_pks = pk_set if action != "post_clear" else getattr(instance, "_audit_staff_before", [])
    model = sender._meta.get_field("user").related_model
    for user in model._default_manager.filter(pk__in=user_pks or ()):
        after = _station_pks(user)
        if action == "post_add":
            before = sorted(set(after) - {instance.pk})
        else:
            before = sorted({*after, instance.pk})
        _stations_granted(user, before, after)


def _stations_granted(user: Any, before: list[int], after: list[int]) -> None:
    record(
        actor=current_actor(),
        action="role.grant",
        target=user,
        summary=f"stations of user {user.pk}: {before or '-'} -> {after or '-'}",
        details={"field": "stations", "from": before, "to": after},
    )


def personal_data_logged(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """post_save of PersonalDataLog: every unmasking and export is in the audit trail too."""
    if not created or kwargs.get("raw"):
        return
    action = "data.unmask" if instance.action == "unmask" else "data.export"
    rows = f", {instance.row_count} rows" if instance.row_count is not None else ""
    fields = f", fields in full: {instance.fields}" if instance.fields else ""
    record(
        actor=instance.user,
        action=action,
        target=instance.subject,
        summary=f"{action} {instance.subject}{rows}{fields}",
        reason=instance.reason,
        details={
            "fields": instance.fields,
            "filters": instance.filters,
            "row_count": instance.row_count,
            "log": instance.pk,
        },
    )


def connect_receivers() -> None:
    """Called from CoreConfig.ready()."""
    from django.contrib.auth import get_user_model
    from django.db.backends.signals import connection_created
    from django.db.models.signals import m2m_changed, post_save, pre_save

    from cems.core.models import PersonalDataLog

    user_model = get_user_model()
    install_handler()
    connection_created.connect(register_sqlite_functions, dispatch_uid="cems_audit_sqlite")
    pre_save.connect(user_role_before, sender=user_model, dispatch_uid="cems_audit_role_before")
    post_save.connect(user_role_after, sender=user_model, dispatch_uid="cems_audit_role_after")
    m2m_changed.connect(
        user_stations_changed,
        sender=user_model.stations.through,
        dispatch_uid="cems_audit_stations",
    )
    post_save.connect(
        personal_data_logged, sender=PersonalDataLog, dispatch_uid="cems_audit_personal_data"
    )
