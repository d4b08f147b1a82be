"""Running an audit, approving its eligible students, diploma numbers."""

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from cems.accounts.models import User
from cems.catalog.models import Level, Program, StudyMode
from cems.conftest import add_student
from cems.graduation import audit, services
from cems.graduation.models import (
    AuditKind,
    AuditResult,
    AuditRun,
    Graduation,
    NumberSequence,
    RunStatus,
)
from cems.graduation.tests.conftest import TODAY, make_school
from cems.students.models import Student, StudentStatus

GRADUATED_ON = dt.date(2028, 7, 10)


def start(users: dict[str, User], role: str = "academic", **kwargs: Any) -> AuditRun:
    kwargs.setdefault("today", TODAY)
    return services.audit_start(actor=users[role], **kwargs)


def results(run: AuditRun) -> dict[int, AuditResult]:
    return {r.student_id: r for r in AuditResult.objects.filter(run=run)}


def approve(
    users: dict[str, User],
    run: AuditRun,
    *students: Student,
    role: str = "academic",
    on: dt.date = GRADUATED_ON,
) -> list[Graduation]:
    ids = [r.pk for r in AuditResult.objects.filter(run=run, student__in=students)]
    return services.audit_approve(actor=users[role], run=run, result_ids=ids, graduated_on=on)


# --- Audits ----------------------------------------------------------------------------------


def test_an_audit_of_the_whole_school_writes_every_verdict(school, world, users):
    school.pass_all(world.a1)
    school.pass_all(world.b1)
    school.charge(world.b1, "800")
    Student.objects.filter(pk=world.a2.pk).update(status=StudentStatus.SUSPENDED)
    run = start(users)
    assert (run.status, run.progress, run.kind, run.started_by) == (
        RunStatus.DONE, 100, AuditKind.GRADUATION, users["academic"],
    )  # fmt: skip
    assert run.finished_at is not None
    assert run.error == ""
    by_student = results(run)
    assert set(by_student) == {world.a1.pk, world.a2.pk, world.b1.pk}
    a1, a2, b1 = (by_student[s.pk] for s in (world.a1, world.a2, world.b1))
    assert (a1.eligible, a1.reasons, a1.credits_earned, a1.average) == (
        True, [], Decimal("12.5"), Decimal("80.00"),
    )  # fmt: skip
    assert [r["code"] for r in a2.reasons] == ["status", "credits_short", "required_missing"]
    assert a2.average is None
    assert b1.reasons == [{"code": "fees_owed", "params": {"amount": "800.00"}}]
    assert not any(r.approved for r in by_student.values())
    run.refresh_from_db()
    assert run.counts == {
        "students": 3,
        "eligible": 1,
        "not_eligible": 2,
        "reasons": {"credits_short": 1, "fees_owed": 1, "required_missing": 1, "status": 1},
    }


def test_an_audit_of_a_station_or_a_cohort(school, world, users):
    other = add_student(world, 20, cohort_year=2024)
    run = start(users, station=world.station_a)
    assert set(results(run)) == {world.a1.pk, world.a2.pk, other.pk}
    assert run.station == world.station_a
    run = start(users, cohort_year=2024)
    assert set(results(run)) == {other.pk}
    run = start(users, cohort_year=2025, station=world.station_b)
    assert set(results(run)) == {world.b1.pk}
    assert (run.cohort_year, run.station) == (2025, world.station_b)


def test_graduated_and_withdrawn_students_are_not_audited(school, world, users):
    Student.objects.filter(pk=world.a1.pk).update(status=StudentStatus.GRADUATED)
    Student.objects.filter(pk=world.a2.pk).update(status=StudentStatus.WITHDRAWN)
    assert set(results(start(users))) == {world.b1.pk}


@pytest.mark.parametrize("role", ["station", "finance", "auditor", "teacher", "student"])
def test_only_academic_affairs_and_administrators_run_audits(school, users, role):
    with pytest.raises(PermissionDenied):
        start(users, role)
    assert not AuditRun.objects.exists()
    assert start(users, "admin").status == RunStatus.DONE


def test_bad_arguments_are_refused(school, users):
    with pytest.raises(ValidationError):
        start(users, kind=AuditKind.DEGREE)  # the degree audit starts from its own page
    with pytest.raises(ValidationError):
        start(users, kind="nonsense")
    with pytest.raises(ValidationError):
        start(users, cohort_year=1900)
    assert not AuditRun.objects.exists()


def test_a_second_audit_is_refused_while_one_runs(school, users):
    running = AuditRun.objects.create(
        kind=AuditKind.GRADUATION, started_by=users["admin"], status=RunStatus.RUNNING
    )
    with translation.override("en"), pytest.raises(ValidationError, match="already running"):
        start(users)
    assert AuditRun.objects.count() == 1
    # A degree audit is another kind: it may run meanwhile.
    AuditRun.objects.create(kind=AuditKind.DEGREE, started_by=users["admin"])
    running.status = RunStatus.DONE
    running.save()
    assert start(users).status == RunStatus.DONE


def test_an_interrupted_run_does_not_block_the_next_for_good(school, users):
    stale = AuditRun.objects.create(kind=AuditKind.GRADUATION, started_by=users["admin"])
    AuditRun.objects.filter(pk=stale.pk).update(
        started_at=timezone.now() - services.STALE_AFTER - dt.timedelta(minutes=1)
    )
    assert start(users).status == RunStatus.DONE
    stale.refresh_from_db()
    assert (stale.status, stale.error) == (RunStatus.FAILED, "interrupted")


def test_a_failed_audit_is_recorded_with_its_error_and_no_results(
    school, world, users, monkeypatch
):
    def broken(facts, today):
        raise RuntimeError("the verdicts broke")

    monkeypatch.setattr(audit, "graduation_verdicts", broken)
    run = start(users)
    assert run.status == RunStatus.FAILED
    assert run.error == "RuntimeError: the verdicts broke"
    run.refresh_from_db()
    assert (run.status, run.error) == (RunStatus.FAILED, "RuntimeError: the verdicts broke")
    assert not AuditResult.objects.exists()
    monkeypatch.undo()
    assert start(users).status == RunStatus.DONE  # a failed run does not block the next


def test_a_failure_while_writing_leaves_no_half_results(school, world, users, monkeypatch):
    write = services._write_results

    def write_then_fail(run, verdicts):
        write(run, verdicts)
        assert AuditResult.objects.filter(run=run).count() == 3
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_write_results", write_then_fail)
    run = start(users)
    run.refresh_from_db()
    assert (run.status, run.error, run.counts) == (RunStatus.FAILED, "RuntimeError: disk full", {})
    assert not AuditResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_audits_started_at_once_one_is_refused(world, users, monkeypatch):
    """Two users start an audit at the same moment from two connections: one runs (its
    facts take a while to load), the other is refused; nothing is doubled."""
    make_school(world)
    load = audit.load_facts
    barrier = threading.Barrier(2)
    answered = threading.Event()  # the other start has returned or been refused
    outcomes: dict[str, str] = {}

    def slow_load(students):
        answered.wait(5)  # the first run stays running until the second start is answered
        return load(students)

    monkeypatch.setattr(audit, "load_facts", slow_load)

    def start_as(role):
        try:
            barrier.wait()
            outcomes[role] = start(users, role).status
        except ValidationError as error:
            outcomes[role] = str(error.code)
        finally:
            answered.set()
            connection.close()

    threads = [threading.Thread(target=start_as, args=(role,)) for role in ("admin", "academic")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == [RunStatus.DONE, "running"], outcomes
    assert AuditRun.objects.count() == 1
    assert AuditResult.objects.count() == 3


# --- Approval --------------------------------------------------------------------------------


@pytest.fixture
def eligible_run(school, world, users):
    """a1 and b1 eligible, a2 not."""
    school.pass_all(world.a1)
    school.pass_all(world.b1)
    return start(users)


def test_approval_graduates_with_diploma_numbers(eligible_run, world, users):
    graduations = approve(users, eligible_run, world.b1, world.a1)
    # In 学号 order: 10534 + 1 + 2028 + level 5 (专升本) + the sequence.
    assert [(g.student_id, g.diploma_number) for g in graduations] == [
        (world.a1.pk, "10534120285000001"),
        (world.b1.pk, "10534120285000002"),
    ]
    a1 = Graduation.objects.get(student=world.a1)
    assert (a1.graduated_on, a1.approved_by, a1.audit_result.run) == (
        GRADUATED_ON, users["academic"], eligible_run,
    )  # fmt: skip
    for student in (world.a1, world.b1):
        student.refresh_from_db()
        assert student.status == StudentStatus.GRADUATED
    assert set(AuditResult.objects.filter(approved=True).values_list("student", flat=True)) == {
        world.a1.pk,
        world.b1.pk,
    }
    assert NumberSequence.objects.get(key="diploma:2028:5").last == 2


def test_the_sequence_runs_per_year_and_level_code(school, world, users, settings):
    junior = Program.objects.create(
        major=world.major, level=Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE, mode=StudyMode.SPARE_TIME,
        standard_length_years=Decimal("2.5"), credits_to_graduate=10, tuition_per_year=2000,
    )  # fmt: skip
    bachelor = Program.objects.create(
        major=world.major, level=Level.HIGH_SCHOOL_TO_BACHELOR, mode=StudyMode.SPARE_TIME,
        standard_length_years=Decimal("2.5"), credits_to_graduate=10, tuition_per_year=2000,
    )  # fmt: skip
    j1, j2 = add_student(world, 30, program=junior), add_student(world, 31, program=junior)
    h1 = add_student(world, 32, program=bachelor)
    for student in (world.a1, j1, j2, h1):
        school.pass_all(student)  # no plan for the other programs: credits decide
    run = start(users)
    numbers = {g.student_id: g.diploma_number for g in approve(users, run, world.a1, j1, h1)}
    assert numbers == {
        world.a1.pk: "10534120285000001",  # 专升本 and 高起本 share level code 5
        h1.pk: "10534120285000002",
        j1.pk: "10534120286000001",  # 高起专: code 6
    }
    run = start(users)
    [later] = approve(users, run, j2, on=dt.date(2029, 1, 10))
    assert later.diploma_number == "10534120296000001"  # a new year starts a new sequence
    settings.CEMS_DIPLOMA_NUMBER_FORMAT = "{school}-{year}-{level}-{seq:04d}"
    assert services.diploma_numbers(year=2029, level="6", count=2) == [
        "10534-2029-6-0002",
        "10534-2029-6-0003",
    ]


def test_numbers_already_on_a_diploma_are_skipped(eligible_run, world, users):
    other = add_student(world, 40, status=StudentStatus.GRADUATED)
    Graduation.objects.create(
        student=other, diploma_number="10534120285000001", graduated_on=GRADUATED_ON,
        audit_result=AuditResult.objects.filter(run=eligible_run)[0],
        approved_by=users["admin"],
    )  # fmt: skip
    [graduation] = approve(users, eligible_run, world.a1)
    assert graduation.diploma_number == "10534120285000002"


def test_a_too_long_number_format_is_refused(eligible_run, world, users, settings):
    settings.CEMS_DIPLOMA_NUMBER_FORMAT = "{school}{year}{level}{seq:040d}"
    with pytest.raises(ValidationError):
        approve(users, eligible_run, world.a1)
    assert not Graduation.objects.exists()


def test_approving_twice_is_refused(eligible_run, world, users):
    approve(users, eligible_run, world.a1)
    with translation.override("en"), pytest.raises(ValidationError, match="Already approved"):
        approve(users, eligible_run, world.a1, world.b1)
    assert Graduation.objects.count() == 1  # b1 was not approved either: all or nothing
    rerun = start(users)  # a1 has graduated: a later audit leaves them out
    assert world.a1.pk not in results(rerun)


def test_a_result_not_eligible_is_refused_and_nothing_is_approved(eligible_run, world, users):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        approve(users, eligible_run, world.a1, world.a2)
    assert caught.value.messages == [f"Not eligible: {world.a2.student_number}."]
    assert not Graduation.objects.exists()
    world.a1.refresh_from_db()
    assert world.a1.status == StudentStatus.REGISTERED


def test_a_student_graduated_meanwhile_is_refused(eligible_run, world, users):
    approve(users, eligible_run, world.a1)
    Student.objects.filter(pk=world.a1.pk).update(status=StudentStatus.REGISTERED)  # bad data
    AuditResult.objects.filter(run=eligible_run).update(approved=False)
    with translation.override("en"), pytest.raises(ValidationError, match="Already approved"):
        approve(users, eligible_run, world.a1)
    assert Graduation.objects.count() == 1


def test_a_student_no_longer_registered_is_refused(eligible_run, world, users):
    Student.objects.filter(pk=world.a1.pk).update(status=StudentStatus.WITHDRAWN)
    with translation.override("en"), pytest.raises(ValidationError, match="No longer registered"):
        approve(users, eligible_run, world.a1)


def test_bad_approvals_are_refused(eligible_run, world, users):
    with pytest.raises(ValidationError):
        services.audit_approve(actor=users["academic"], run=eligible_run, result_ids=[])
    other_run = start(users)
    foreign = AuditResult.objects.get(run=other_run, student=world.a1)
    with pytest.raises(ValidationError):
        services.audit_approve(actor=users["academic"], run=eligible_run, result_ids=[foreign.pk])
    degree_run = AuditRun.objects.create(
        kind=AuditKind.DEGREE, started_by=users["admin"], status=RunStatus.DONE
    )
    with pytest.raises(ValidationError):
        services.audit_approve(actor=users["academic"], run=degree_run, result_ids=[foreign.pk])
    failed = AuditRun.objects.create(
        kind=AuditKind.GRADUATION, started_by=users["admin"], status=RunStatus.FAILED
    )
    with pytest.raises(ValidationError):
        services.audit_approve(actor=users["academic"], run=failed, result_ids=[foreign.pk])
    assert not Graduation.objects.exists()


@pytest.mark.parametrize("role", ["station", "finance", "auditor", "teacher", "student"])
def test_only_academic_affairs_and_administrators_approve(eligible_run, world, users, role):
    with pytest.raises(PermissionDenied):
        approve(users, eligible_run, world.a1, role=role)
    assert not Graduation.objects.exists()
    assert approve(users, eligible_run, world.a1, role="admin")


def test_approval_defaults_to_today(eligible_run, world, users):
    ids = [AuditResult.objects.get(run=eligible_run, student=world.a1).pk]
    [graduation] = services.audit_approve(actor=users["academic"], run=eligible_run, result_ids=ids)
    assert graduation.graduated_on == timezone.localdate()
    assert graduation.diploma_number[6:10] == str(timezone.localdate().year)


def _at_once(*calls: Callable[[], object]) -> list[object]:
    """Run the calls from two connections at the same moment: their outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        except ValidationError as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_share_a_number(world, users):
    school = make_school(world)
    for student in (world.a1, world.a2, world.b1):
        school.pass_all(student)
    run = start(users)
    outcomes = _at_once(
        lambda: approve(users, run, world.a1, world.a2),
        lambda: approve(users, run, world.b1, role="admin"),
    )
    assert all(isinstance(outcome, list) for outcome in outcomes), outcomes
    numbers = sorted(Graduation.objects.values_list("diploma_number", flat=True))
    assert numbers == ["10534120285000001", "10534120285000002", "10534120285000003"]
    assert NumberSequence.objects.get().last == 3


@pytest.mark.django_db(transaction=True)
def test_the_same_result_approved_twice_at_once_graduates_once(world, users):
    school = make_school(world)
    school.pass_all(world.a1)
    run = start(users)
    outcomes = _at_once(
        lambda: approve(users, run, world.a1),
        lambda: approve(users, run, world.a1, role="admin"),
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["ValidationError", "list"], outcomes
    assert Graduation.objects.count() == 1
    assert NumberSequence.objects.get().last == 1
