"""Snapshots of heavy figures (cems/reports/snapshots.py): computed once per scope, served
while the data are unchanged, served marked as earlier figures while the worker brings them
up to date, recomputed in the request once too old."""

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cems.conftest import add_student
from cems.reports import snapshots
from cems.reports.registry import all_reports

CALLS: list[tuple[str, dict[str, Any]]] = []


def count_students(user: Any, params: dict[str, Any]) -> int:
    """A computation that says when it runs."""
    from cems.accounts.access import students_for

    CALLS.append((user.username, params))
    return students_for(user).count()


PATH = "cems.reports.tests.test_snapshots.count_students"


@pytest.fixture(autouse=True)
def _snapshots_on(settings):
    settings.CEMS_SNAPSHOTS = True
    settings.CEMS_SNAPSHOT_MAX_STALE_SECONDS = 900
    CALLS.clear()


def test_computed_once_then_served_while_the_data_are_unchanged(world, users):
    first = snapshots.snapshot("n", PATH, users["academic"], {"a": 1})
    again = snapshots.snapshot("n", PATH, users["academic"], {"a": 1})
    assert (first.value, again.value, again.fresh) == (3, 3, True)
    assert again.computed_at == first.computed_at
    assert len(CALLS) == 1
    # Other parameters, another scope: their own snapshots.
    snapshots.snapshot("n", PATH, users["academic"], {"a": 2})
    station = snapshots.snapshot("n", PATH, users["station"], {"a": 1})
    assert station.value == 2  # station A's students only
    assert len(CALLS) == 3


def test_changed_data_serve_the_earlier_figures_while_the_worker_updates_them(
    world, users, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    snapshots.snapshot("n", PATH, users["admin"], {})
    add_student(world, 50)  # a save: the data version changes
    stale = snapshots.snapshot("n", PATH, users["admin"], {})
    assert (stale.value, stale.fresh) == (3, False)
    assert len(CALLS) == 1  # not computed in the request
    # One refresh is queued, however many pages ask meanwhile.
    from django_tasks import default_task_backend

    snapshots.snapshot("n", PATH, users["admin"], {})
    assert len(default_task_backend.results) == 1  # type: ignore[attr-defined]
    # The worker runs it: the next page has the new figures.
    queued = default_task_backend.results[0]  # type: ignore[attr-defined]
    snapshots.refresh.call(*queued.args)
    fresh = snapshots.snapshot("n", PATH, users["admin"], {})
    assert (fresh.value, fresh.fresh) == (4, True)


def test_too_old_figures_are_computed_in_the_request(world, users, settings):
    snapshots.snapshot("n", PATH, users["admin"], {})
    add_student(world, 51)
    entry = cache.get(snapshots._key("n", "school:admin", {}))
    old = snapshots._Entry(entry.value, timezone.now() - dt.timedelta(hours=1), entry.version)
    cache.set(snapshots._key("n", "school:admin", {}), old)
    taken = snapshots.snapshot("n", PATH, users["admin"], {})
    assert (taken.value, taken.fresh) == (4, True)
    assert len(CALLS) == 2


def test_personal_figures_are_not_kept(world, users):
    snapshots.snapshot("n", PATH, users["student"], {})
    snapshots.snapshot("n", PATH, users["student"], {})
    assert len(CALLS) == 2


@pytest.mark.parametrize("role", ["admin", "station"])
def test_every_report_page_is_the_same_from_its_snapshot(world, client_for, role):
    """Each report's table survives the cache unchanged (what it computes is kept as is)."""
    client = client_for(role)
    for report in all_reports():
        url = reverse("report_pages:report", args=[report.key])
        first = client.get(url, {"format": "csv"})
        if first.status_code == 403:
            continue
        computed = b"".join(first.streaming_content)
        served = b"".join(client.get(url, {"format": "csv"}).streaming_content)
        assert served == computed, report.key
        page = client.get(url).content.decode()
        assert "Figures as of" in page or "数据截至" in page
