"""Reads of status change requests and registrations."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cems.accounts.models import User
from cems.students import status, status_selectors
from cems.students.models import (
    Registration,
    StatusChangeKind,
    StatusChangeRequest,
    StudentStatus,
)
from cems.students.tests.status_support import (
    TODAY,
    approve,
    extra,
    file,
    in_english,
    set_today,
    suspension,
)

K = StatusChangeKind


@pytest.fixture
def env(world, users, monkeypatch):
    set_today(monkeypatch)
    with in_english():
        yield extra(world)


def loaded(user: User, request: StatusChangeRequest) -> StatusChangeRequest:
    return status_selectors.request_get(user=user, pk=request.pk)


class TestSummary:
    def test_each_kind_in_one_line(self, world, env, users):
        station, academic = users["station"], users["academic"]
        summary = status_selectors.request_summary
        assert summary(file(station, world.a1, K.SUSPEND, **suspension(TODAY))) == (
            "2026-11-28 – 2027-11-28"
        )
        assert summary(file(station, world.a1, K.CHANGE_MAJOR, new_program=env.accounting)) == (
            str(env.accounting)
        )
        assert summary(file(station, world.a1, K.CHANGE_STATION, new_station=env.station_c)) == (
            "→ 湘潭函授站"
        )
        transfer = file(
            station, world.a1, K.TRANSFER, target_school="湖南大学", target_level="jc_ba"
        )
        assert summary(transfer) == "→ 湖南大学 (Junior college to bachelor (专升本))"
        corrections = {"phone": "13700001111", "name": "张卫"}
        correction = file(station, world.a1, K.CORRECT_DATA, corrections=corrections)
        assert summary(correction) == "name, phone"
        assert summary(file(station, world.a2, K.WITHDRAW)) == ""
        world.b1.status = StudentStatus.SUSPENDED
        world.b1.save()
        resumed = approve(file(users["admin"], world.b1, K.RESUME), env.staff_b, academic)
        assert summary(resumed) == "2025 → 2026"


class TestProgress:
    def test_cancelled_steps_are_not_reached(self, world, env, users):
        request = approve(file(users["station"], world.a1, K.WITHDRAW), users["station"])
        status.status_request_cancel(actor=users["station"], request=request)
        progress = status_selectors.request_progress(loaded(users["admin"], request))
        assert [p["state"] for p in progress] == ["approved", "skipped"]
        assert progress[0]["decision"].decided_by == users["station"]


class TestPending:
    def test_administrators_decide_at_the_school_step_only(self, world, env, users):
        first = file(users["station"], world.a1, K.WITHDRAW)
        second = approve(file(users["station"], world.a2, K.WITHDRAW), users["station"])
        pending = status_selectors.pending_for(user=users["admin"], filters={})
        assert list(pending) == [second]
        assert first not in status_selectors.pending_for(user=users["academic"], filters={})

    def test_invalid_filters_match_nothing(self, world, env, users):
        file(users["station"], world.a1, K.WITHDRAW)
        assert not status_selectors.pending_for(user=users["station"], filters=None).exists()
        assert status_selectors.pending_count(user=users["station"]) == 1


class TestChoices:
    def test_programs_for_a_change(self, world, env):
        assert list(status_selectors.programs_for_change(world.a1, K.CHANGE_MAJOR)) == [
            env.accounting
        ]
        assert list(status_selectors.programs_for_change(world.a1, K.CHANGE_MODE)) == [
            env.spare_time
        ]

    def test_receiving_stations_are_the_other_active_ones(self, world, env):
        stations = set(status_selectors.receiving_stations(world.a1))
        assert stations == {world.station_b, env.station_c}


class TestRegistrationList:
    def test_missing_and_done(self, world, env, users):
        Registration.objects.create(student=world.a1, academic_year=2026, tuition_paid=True)
        Registration.objects.create(student=world.a2, academic_year=2026, tuition_paid=True)
        world.a2.status = StudentStatus.SUSPENDED  # suspended after registering
        world.a2.save()
        missing = status_selectors.registration_list(
            user=users["academic"], academic_year=2026, filters={}, registered=False
        )
        assert list(missing) == [world.b1]
        done = status_selectors.registration_list(
            user=users["academic"], academic_year=2026, filters={}, registered=True
        )
        assert list(done) == [world.a1, world.a2]
        assert not status_selectors.registration_list(
            user=users["academic"], academic_year=2026, filters=None, registered=False
        ).exists()


class TestPortalRecords:
    def test_the_students_own_records_only(self, world, env, users):
        file(users["station"], world.a1, K.WITHDRAW)
        file(users["station"], world.a2, K.WITHDRAW)
        assert status_selectors.portal_records(user=users["station"]) == []
        with CaptureQueriesContext(connection) as queries:
            records = status_selectors.portal_records(user=users["student"])
            requests = list(records[0].status_requests.all())
            [list(r.approvals.all()) for r in requests]
            list(records[0].registrations.all())
        assert records == [world.a1]
        assert len(requests) == 1
        assert len(queries) == 4


def test_dates_of_a_students_studies(world, env):
    assert status.current_academic_year() == 2026
    assert status.study_start(world.a1.cohort_year) == dt.date(2025, 9, 1)
    assert status.standard_end(world.a1) == dt.date(2028, 3, 1)
    assert status.maximum_study_end(world.a1) == dt.date(2031, 3, 1)
