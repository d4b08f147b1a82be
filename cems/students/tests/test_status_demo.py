"""Demo registrations and status changes: every kind in every state, effects applied."""

import random

import pytest

from cems.accounts.demo import seed_users
from cems.catalog.demo import seed_catalog
from cems.core import demo
from cems.organization.demo import seed_organization
from cems.students import status
from cems.students.demo import seed_students
from cems.students.demo_status import seed_status_changes
from cems.students.models import (
    Registration,
    RequestState,
    StatusChangeKind,
    StatusChangeRequest,
    Student,
    StudentStatus,
)


@pytest.fixture
def demo_school(db):
    """One small demo school (seeding it takes seconds: the checks below share it)."""
    rng = random.Random(11)
    seed_organization(rng, demo.person_name)
    seed_catalog(rng)
    seed_students(rng, 3000)
    seed_users()
    seed_status_changes(rng)


def check_every_kind_in_every_state() -> None:
    seen = set(StatusChangeRequest.objects.values_list("kind", "state"))
    for kind in StatusChangeKind:
        for state in RequestState:
            if state == RequestState.PENDING_TARGET_STATION and kind != "change_station":
                continue
            assert (kind.value, state.value) in seen
    assert 40 <= StatusChangeRequest.objects.count() <= 80


def check_decisions_are_consistent() -> None:
    for request in StatusChangeRequest.objects.prefetch_related("approvals"):
        approvals = list(request.approvals.all())
        if request.state == RequestState.REJECTED:
            assert request.rejection_reason
            assert approvals[-1].approved is False
        if request.state == RequestState.APPROVED:
            assert len(approvals) == len(status.chain(request.kind))
        assert all(a.decided_at >= request.filed_at for a in approvals)
        if request.decided_at:
            assert request.decided_at >= request.filed_at


def check_effects_are_applied() -> None:
    approved = StatusChangeRequest.objects.filter(state=RequestState.APPROVED).select_related(
        "student"
    )
    expected = {"suspend": "suspended", "withdraw": "withdrawn", "defer": "deferred",
                "transfer": "transferred", "resume": "registered"}  # fmt: skip
    for request in approved:
        student = request.student
        if (
            request.kind in expected
            and not student.status_requests.filter(
                state=RequestState.APPROVED, filed_at__gt=request.filed_at
            ).exists()
        ):
            assert student.status == expected[request.kind], request
        if request.kind == "change_station":
            assert student.station == request.new_station
        if request.kind in ("change_major", "change_mode"):
            assert student.program == request.new_program
            assert student.number_changes.get().request == request


def check_registrations_for_most_students_in_good_standing() -> None:
    year = status.current_academic_year()
    registered = Student.objects.filter(status=StudentStatus.REGISTERED, cohort_year__lte=year)
    done = registered.filter(registrations__academic_year=year).count()
    assert 0.85 * registered.count() < done < registered.count()
    assert not Registration.objects.filter(student__status=StudentStatus.DEFERRED).exists()


def check_the_demo_student_has_requests_of_their_own() -> None:
    student = Student.objects.get(user__username="student")
    own = student.status_requests.order_by("pk")
    assert [(r.kind, r.state, r.filed_by.username) for r in own] == [
        ("withdraw", "rejected", "student"),
        ("suspend", "pending_station", "student"),
    ]


def test_demo_status_changes(demo_school):
    check_every_kind_in_every_state()
    check_decisions_are_consistent()
    check_effects_are_applied()
    check_registrations_for_most_students_in_good_standing()
    check_the_demo_student_has_requests_of_their_own()
