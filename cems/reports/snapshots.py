"""Snapshots of figures that take seconds to compute at a million students (the fees per
station over nine million ledger entries, the annual return, the dashboards).

A page asks `snapshot(...)` for its figures instead of computing them:
- the first time, they are computed in the request and kept in the cache with the time and
  the data version they were computed at;
- while the data have not changed since, the cached figures are served (milliseconds);
- once the data changed, the previous figures are still served, marked with their time
  ("figures as of 10:42"), for at most CEMS_SNAPSHOT_MAX_STALE_SECONDS (a day), while the
  background worker computes them again (one refresh at a time per snapshot); past that
  age the request computes them afresh.

The data version is one counter for the project's data, replaced after every save of a model
of the project's apps and every bulk write (core's `bulk_written`). Deletions are not
listened to (a listener would make Django load every row it deletes); snapshots expire
after a day in any case.

Snapshots are kept per scope: school-wide roles share one, station staff share one per set
of stations; other users' figures are computed each time (they are small).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models.signals import post_save
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django_tasks import task

from cems.accounts.access import SCHOOL_WIDE_ROLES, AnyUser, stations_for
from cems.accounts.models import Role, User
from cems.core import versions
from cems.core.signals import bulk_written

logger = logging.getLogger("cems.reports")

T = TypeVar("T")
VERSION_KEY = "snapshots:version"
KEPT_SECONDS = 24 * 60 * 60
REFRESH_LOCK_SECONDS = 10 * 60


@dataclass(frozen=True)
class Snapshot(Generic[T]):
    value: T
    computed_at: datetime
    fresh: bool  # computed from the data as they are now


@dataclass(frozen=True)
class _Entry:
    value: Any
    computed_at: datetime
    version: str


# --- The data version ------------------------------------------------------------------------


def data_version() -> str:
    return versions.read(VERSION_KEY)


def _bump() -> None:
    versions.replace(VERSION_KEY)


def data_changed(**_signal_kwargs: Any) -> None:
    """Some data changed (cems/core/versions.py: at once, and again at the commit)."""
    versions.changed(_bump)


def _saved(sender: type[models.Model], **kwargs: Any) -> None:
    if sender.__module__.startswith("cems.") and sender._meta.app_label != "core":
        data_changed()


post_save.connect(_saved, dispatch_uid="report-snapshots-save")
bulk_written.connect(data_changed, dispatch_uid="report-snapshots-bulk")


# --- Snapshots -------------------------------------------------------------------------------


def scope_key(user: AnyUser) -> str | None:
    """Who may share a snapshot with the user: None for users whose figures are their own."""
    role = getattr(user, "role", None)
    if not getattr(user, "is_authenticated", False) or role is None:
        return None
    if role in SCHOOL_WIDE_ROLES:
        return f"school:{role}"
    if role == Role.STATION:
        ids = sorted(stations_for(user).values_list("pk", flat=True))
        return "stations:" + ",".join(map(str, ids))
    return None


def _key(name: str, scope: str, params: dict[str, Any]) -> str:
    digest = hashlib.sha256(
        json.dumps([name, scope, params, translation.get_language()], sort_keys=True,
                   default=str).encode()
    ).hexdigest()[:32]  # fmt: skip
    return f"snapshots:{digest}"


def max_stale() -> timedelta:
    return timedelta(seconds=settings.CEMS_SNAPSHOT_MAX_STALE_SECONDS)


def _compute_and_keep(key: str, compute: Callable[[Any, dict[str, Any]], Any], user: Any,
                      params: dict[str, Any]) -> _Entry:  # fmt: skip
    version = data_version()  # before computing: a change meanwhile leaves it stale
    entry = _Entry(compute(user, params), timezone.now(), version)
    cache.set(key, entry, KEPT_SECONDS)
    return entry


def snapshot(name: str, compute_path: str, user: AnyUser, params: dict[str, Any]) -> Snapshot[Any]:
    """The figures `compute(user, params)` (a module-level function named by its dotted
    path, so that the worker can call it) for the user's scope, as described above."""
    compute: Callable[[Any, dict[str, Any]], Any] = import_string(compute_path)
    scope = scope_key(user)
    if scope is None or not settings.CEMS_SNAPSHOTS:
        return Snapshot(compute(user, params), timezone.now(), True)
    key = _key(name, scope, params)
    entry: _Entry | None = cache.get(key)
    if entry is not None and entry.version == data_version():
        return Snapshot(entry.value, entry.computed_at, True)
    if entry is not None and timezone.now() - entry.computed_at < max_stale():
        if cache.add(f"{key}:refreshing", 1, REFRESH_LOCK_SECONDS):
            refresh.enqueue(key, compute_path, getattr(user, "pk", 0), params,
                            translation.get_language())  # fmt: skip
        return Snapshot(entry.value, entry.computed_at, False)
    fresh = _compute_and_keep(key, compute, user, params)
    return Snapshot(fresh.value, fresh.computed_at, True)


@task()
def refresh(key: str, compute_path: str, user_id: int, params: dict[str, Any],
            language: str | None) -> None:  # fmt: skip
    """Compute a snapshot again in the background (on behalf of the user who saw it stale)."""
    try:
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            return
        with translation.override(language):
            _compute_and_keep(key, import_string(compute_path), user, params)
    finally:
        cache.delete(f"{key}:refreshing")
