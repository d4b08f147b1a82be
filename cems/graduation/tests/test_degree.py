"""The degree audit: the rules (evaluate), the audit run over the school (degree_audit_start),
approvals with certificate numbers (degree_approve), and the student's own status."""

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from cems.catalog.models import Level, Program
from cems.conftest import add_student
from cems.finance.models import FeeEntry
from cems.graduation import degree
from cems.graduation.degree import DegreeFacts, DegreeRules, evaluate
from cems.graduation.models import (
    AuditKind,
    AuditResult,
    AuditRun,
    DegreeAward,
    DisciplinaryRecord,
    LanguageResult,
    NumberSequence,
    RunStatus,
    Thesis,
)
from cems.graduation.reasons import render
from cems.graduation.tests.matrix_degree import GRADUATED_ON, TODAY, grade, graduate, make_eligible
from cems.teaching import grading

pytestmark = pytest.mark.django_db

RULES = DegreeRules(
    min_average=Decimal(70),
    min_degree_course=Decimal(65),
    min_thesis=Decimal(75),
    adult_english_pass=Decimal(60),
    cet4_pass=Decimal(425),
    application_years=2,
)
LABELS = {1: ("ZY001", "数据结构"), 2: ("ZY002", "操作系统")}


@pytest.fixture(autouse=True)
def _english():
    """The service messages matched below are the English ones."""
    with translation.override("en"):
        yield


def facts(**changes: Any) -> DegreeFacts:
    values: dict[str, Any] = {
        "student_id": 1,
        "is_bachelor": True,
        "graduated_on": GRADUATED_ON,
        "average": Decimal("80.00"),
        "credits_earned": Decimal(80),
        "degree_courses": [(1, True, Decimal(80))],
        "thesis": (Decimal(85), True),
        "language_passed": True,
        "owed": Decimal(0),
        "disciplinary": [],
    }
    values.update(changes)
    return DegreeFacts(**values)


def codes(verdict) -> list[str]:
    return [item["code"] for item in verdict.reasons]


def judge(item: DegreeFacts, *, today: dt.date = TODAY, rules: DegreeRules = RULES):
    return evaluate(item, rules=rules, today=today, course_labels=LABELS)


# --- The rules -------------------------------------------------------------------------------


def test_a_student_meeting_every_rule_is_eligible():
    verdict = judge(facts())
    assert verdict.eligible
    assert verdict.reasons == []
    assert verdict.average == Decimal("80.00")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"is_bachelor": False}, ["not_bachelor"]),
        ({"graduated_on": None}, ["not_graduated"]),
        ({"average": Decimal("69.99")}, ["average_low"]),
        ({"average": None}, ["average_low"]),
        ({"degree_courses": [(1, True, Decimal("64.9"))]}, ["degree_course_low"]),
        ({"degree_courses": [(1, False, None)]}, ["degree_course_low"]),
        ({"thesis": None}, ["thesis_missing"]),
        ({"thesis": (None, False)}, ["thesis_missing", "thesis_not_defended"]),
        ({"thesis": (Decimal("74.5"), True)}, ["thesis_low"]),
        ({"thesis": (Decimal(90), False)}, ["thesis_not_defended"]),
        ({"language_passed": False}, ["language_missing"]),
        ({"owed": Decimal("0.01")}, ["fees_owed"]),
        ({"disciplinary": [(dt.date(2026, 1, 5), "警告")]}, ["disciplinary"]),
    ],
)
def test_each_rule_names_its_reason(changes, expected):
    verdict = judge(facts(**changes))
    assert not verdict.eligible
    assert codes(verdict) == expected
    for item in verdict.reasons:
        assert render(item)  # every stored reason renders as a sentence


def test_thresholds_are_inclusive():
    verdict = judge(
        facts(
            average=Decimal(70),
            degree_courses=[(1, True, Decimal(65)), (2, True, None)],  # exempt: passes
            thesis=(Decimal(75), True),
        )
    )
    assert verdict.eligible


def test_every_failing_rule_is_named_at_once_with_its_figures():
    verdict = judge(
        facts(
            is_bachelor=True,
            average=Decimal("68.50"),
            degree_courses=[(2, True, Decimal(61)), (1, False, Decimal(40))],
            thesis=(Decimal(70), False),
            language_passed=False,
            owed=Decimal("1500"),
            disciplinary=[(dt.date(2026, 5, 1), "记过"), (dt.date(2025, 1, 2), "警告")],
        ),
        today=dt.date(2030, 1, 1),
    )
    assert codes(verdict) == [
        "window_closed", "average_low", "degree_course_low", "thesis_low",
        "thesis_not_defended", "language_missing", "fees_owed", "disciplinary",
    ]  # fmt: skip
    by_code = {item["code"]: item["params"] for item in verdict.reasons}
    assert by_code["window_closed"] == {"graduated_on": "2027-07-01", "deadline": "2029-07-01"}
    assert by_code["average_low"] == {"average": "68.5", "required": "70"}
    assert by_code["degree_course_low"]["courses"] == [
        {"code": "ZY001", "name": "数据结构", "score": "40"},
        {"code": "ZY002", "name": "操作系统", "score": "61"},
    ]
    assert by_code["fees_owed"] == {"amount": "1500.00"}
    assert [r["date"] for r in by_code["disciplinary"]["records"]] == ["2025-01-02", "2026-05-01"]
    with translation.override("en"):
        texts = [render(item) for item in verdict.reasons]
    assert "Degree courses below 65: ZY001 数据结构 40; ZY002 操作系统 61." in texts
    assert "Fees owed: 1500.00 yuan." in texts


def test_the_application_window_closes_after_its_last_day():
    deadline = dt.date(2029, 7, 1)
    assert judge(facts(), today=deadline).eligible
    assert codes(judge(facts(), today=deadline + dt.timedelta(days=1))) == ["window_closed"]


def test_a_leap_day_graduate_applies_until_28_february():
    leap = facts(graduated_on=dt.date(2028, 2, 29))
    assert degree.application_deadline(dt.date(2028, 2, 29), 2) == dt.date(2030, 2, 28)
    assert judge(leap, today=dt.date(2030, 2, 28)).eligible
    assert not judge(leap, today=dt.date(2030, 3, 1)).eligible


def test_no_degree_course_minimum_when_the_setting_is_none(settings):
    settings.CEMS_DEGREE_MIN_DEGREE_COURSE = None
    rules = DegreeRules.from_settings()
    assert rules.min_degree_course is None
    assert judge(facts(degree_courses=[(1, True, Decimal(61))]), rules=rules).eligible


def test_rules_come_from_the_settings(settings):
    settings.CEMS_DEGREE_MIN_AVERAGE = 85
    settings.CEMS_DEGREE_APPLICATION_YEARS = 1
    rules = DegreeRules.from_settings()
    late = dt.date(2028, 7, 2)
    assert codes(judge(facts(), rules=rules, today=late)) == ["window_closed", "average_low"]


# --- The audit over the school ---------------------------------------------------------------


def start(users, **kwargs) -> AuditRun:
    return degree.degree_audit_start(actor=users["academic"], today=TODAY, **kwargs)


def results_of(run: AuditRun) -> dict[str, AuditResult]:
    return {r.student.student_number: r for r in run.results.select_related("student")}


def test_the_audit_judges_bachelor_graduates_without_a_degree(world, users):
    make_eligible(world.a1)
    graduate(world.a2)
    grade(world.a2, "DG01", 60, degree_course=True)
    other = Program.objects.create(
        major=world.major, level=Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE, mode="spare_time",
        standard_length_years=Decimal("2.5"), credits_to_graduate=70, tuition_per_year=2000,
    )  # fmt: skip
    graduate(add_student(world, 7, program=other))  # not a bachelor program: not audited
    # b1 has not graduated: not audited
    run = start(users)
    run.refresh_from_db()
    assert run.kind == AuditKind.DEGREE
    assert run.status == RunStatus.DONE
    assert run.progress == 100
    assert run.finished_at
    results = results_of(run)
    assert set(results) == {world.a1.student_number, world.a2.student_number}
    eligible, failing = results[world.a1.student_number], results[world.a2.student_number]
    assert eligible.eligible
    assert eligible.reasons == []
    assert eligible.average == Decimal("80.00")
    assert eligible.credits_earned == Decimal(6)
    assert [item["code"] for item in failing.reasons] == [
        "average_low", "degree_course_low", "thesis_missing", "language_missing",
    ]  # fmt: skip
    assert failing.reasons[1]["params"]["courses"] == [
        {"code": "DG01", "name": "课程DG01", "score": "60"}
    ]
    assert run.counts == {
        "students": 2,
        "eligible": 1,
        "not_eligible": 1,
        "reasons": {"average_low": 1, "degree_course_low": 1, "thesis_missing": 1,
                    "language_missing": 1},
    }  # fmt: skip


def test_the_average_is_that_of_the_best_attempts(world, users):
    make_eligible(world.a1)
    autumn = grade(world.a1, "RT01", 40).entry.offering.term
    from cems.teaching.models import AcademicYear, Term, default_term_dates

    year, _ = AcademicYear.objects.get_or_create(start_year=2026)
    start_date, end_date = default_term_dates(2026, 1)
    later = Term.objects.create(
        academic_year=year, number=1, start_date=start_date, end_date=end_date
    )
    assert later != autumn
    grade(world.a1, "RT01", 66, term=later)  # the retake passes: it counts, not the 40
    run = start(users)
    result = results_of(run)[world.a1.student_number]
    expected = grading.summarize(
        [
            grading.CourseResult(1, Decimal(3), True, True, Decimal(80)),
            grading.CourseResult(2, Decimal(3), False, True, Decimal(80)),
            grading.CourseResult(3, Decimal(3), False, False, Decimal(40)),
            grading.CourseResult(3, Decimal(3), False, True, Decimal(66)),
        ]
    ).average
    assert result.average == expected == Decimal("75.33")
    assert result.eligible


def test_a_cohort_or_a_station_narrows_the_audit(world, users):
    for student in (world.a1, world.a2, world.b1):
        make_eligible(student, prefix=f"S{student.pk}")
    world.a2.cohort_year = 2024
    world.a2.save(update_fields=["cohort_year"])
    assert set(results_of(start(users, cohort_year=2025))) == {
        world.a1.student_number, world.b1.student_number,
    }  # fmt: skip
    assert set(results_of(start(users, station=world.station_b))) == {world.b1.student_number}


def test_a_student_holding_a_degree_is_not_audited_again(world, users):
    make_eligible(world.a1)
    run = start(users)
    degree.degree_approve(actor=users["academic"], run=run, today=TODAY)
    assert results_of(start(users)) == {}


def test_language_passes_at_the_thresholds(world, users):
    for serial, (exam, score) in enumerate(
        [("adult_english", "59.9"), ("adult_english", "60"), ("cet4", "424"), ("cet4", "425")],
        start=10,
    ):
        student = add_student(world, serial)
        make_eligible(student, prefix=f"L{serial}")
        LanguageResult.objects.filter(student=student).update(exam=exam, score=Decimal(score))
    results = results_of(start(users))
    verdicts = [results[f"1020259{serial:05d}"].eligible for serial in range(10, 14)]
    assert verdicts == [False, True, False, True]


def test_fees_owed_and_disciplinary_records_bar_the_degree(world, users):
    make_eligible(world.a1)
    make_eligible(world.a2, prefix="X")
    FeeEntry.objects.create(
        student=world.a1, academic_year=2026, kind="charge", fee_kind="tuition",
        amount=Decimal("3000"), booked_on=dt.date(2026, 9, 1),
    )  # fmt: skip
    DisciplinaryRecord.objects.create(
        student=world.a2, issued_on=dt.date(2026, 3, 1), description="警告",
        revoked_on=dt.date(2027, 3, 1),
    )  # fmt: skip  # revoked before the audit: no bar
    DisciplinaryRecord.objects.create(
        student=world.a2, issued_on=dt.date(2026, 4, 1), description="记过",
        revoked_on=dt.date(2028, 1, 1),
    )  # fmt: skip  # revoked only later: still a bar
    results = results_of(start(users))
    assert results[world.a1.student_number].reasons == [
        {"code": "fees_owed", "params": {"amount": "3000.00"}}
    ]
    assert results[world.a2.student_number].reasons == [
        {"code": "disciplinary", "params": {"records": [{"date": "2026-04-01",
                                                          "description": "记过"}]}}
    ]  # fmt: skip


def test_the_window_is_measured_from_the_graduation_date(world, users):
    make_eligible(world.a1)
    result = results_of(
        degree.degree_audit_start(actor=users["academic"], today=dt.date(2029, 7, 2))
    )
    assert [r["code"] for r in result[world.a1.student_number].reasons] == ["window_closed"]


def _students(world, count: int, offset: int) -> None:
    for serial in range(offset, offset + count):
        student = add_student(world, serial)
        make_eligible(student, prefix=f"Q{serial}")
        DisciplinaryRecord.objects.create(
            student=student, issued_on=dt.date(2026, 1, 1), description="警告"
        )
        FeeEntry.objects.create(
            student=student, academic_year=2026, kind="charge", fee_kind="tuition",
            amount=Decimal("100"), booked_on=dt.date(2026, 9, 1),
        )  # fmt: skip


def test_the_audit_runs_the_same_number_of_queries_for_3_and_30_students(world, users):
    _students(world, 3, 100)
    with CaptureQueriesContext(connection) as few:
        run = start(users)
    assert run.results.count() == 3
    run.delete()
    _students(world, 27, 200)
    with CaptureQueriesContext(connection) as many:
        run = start(users)
    assert run.results.count() == 30
    assert len(many) == len(few)
    assert len(few) <= 22  # with the audit events of the start and the end


@pytest.mark.parametrize("role", ["finance", "station", "auditor", "teacher", "student"])
def test_only_academic_affairs_start_an_audit(world, users, role):
    with pytest.raises(PermissionDenied):
        degree.degree_audit_start(actor=users[role], today=TODAY)
    assert not AuditRun.objects.exists()


def test_an_implausible_cohort_is_refused(world, users):
    with pytest.raises(ValidationError):
        start(users, cohort_year=1800)


def test_a_second_audit_is_refused_while_one_runs(world, users):
    AuditRun.objects.create(kind=AuditKind.DEGREE, started_by=users["admin"])
    with pytest.raises(ValidationError) as caught:
        start(users)
    assert caught.value.code == "running"
    assert AuditRun.objects.count() == 1
    # A graduation audit running meanwhile does not block a degree audit.
    AuditRun.objects.update(kind=AuditKind.GRADUATION)
    start(users)


def test_a_run_abandoned_for_an_hour_no_longer_blocks(world, users):
    stale = AuditRun.objects.create(kind=AuditKind.DEGREE, started_by=users["admin"])
    AuditRun.objects.filter(pk=stale.pk).update(started_at=timezone.now() - dt.timedelta(hours=2))
    run = start(users)
    stale.refresh_from_db()
    assert stale.status == RunStatus.FAILED
    assert run.status == RunStatus.DONE


def test_a_failing_audit_is_marked_failed_and_writes_no_result(world, users, monkeypatch):
    make_eligible(world.a1)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(degree, "evaluate", broken)
    with pytest.raises(RuntimeError):
        start(users)
    run = AuditRun.objects.get(kind=AuditKind.DEGREE)
    assert run.status == RunStatus.FAILED
    assert "disk full" in run.error
    assert not run.results.exists()
    monkeypatch.undo()
    assert start(users).status == RunStatus.DONE  # the failed run blocks nothing


@pytest.mark.django_db(transaction=True)
def test_an_audit_started_while_another_runs_is_refused(world, users, monkeypatch):
    make_eligible(world.a1)
    inside, release = threading.Event(), threading.Event()
    load = degree.load_degree_facts

    def slow(students, *, today):
        inside.set()
        release.wait(10)
        return load(students, today=today)

    monkeypatch.setattr(degree, "load_degree_facts", slow)
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            outcome["first"] = start(users)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(10)
    try:
        with pytest.raises(ValidationError) as caught:
            start(users)
        assert caught.value.code == "running"
    finally:
        release.set()
        thread.join()
    assert isinstance(outcome["first"], AuditRun)
    assert AuditRun.objects.filter(kind=AuditKind.DEGREE).count() == 1
    assert AuditResult.objects.filter(run__kind=AuditKind.DEGREE).count() == 1


# --- Approval --------------------------------------------------------------------------------


@pytest.fixture
def audited(world, users):
    """An audit with a1 and a2 eligible and b1 not (no thesis)."""
    make_eligible(world.a1)
    make_eligible(world.a2, prefix="X")
    make_eligible(world.b1, prefix="Y")
    Thesis.objects.filter(student=world.b1).delete()
    return start(users)


def test_approval_awards_degrees_with_numbers_in_sequence(world, users, audited):
    awards = degree.degree_approve(actor=users["academic"], run=audited, today=TODAY)
    assert [a.certificate_number for a in awards] == ["105344202700000" + "1",
                                                      "1053442027000002"]  # fmt: skip
    assert [a.student for a in awards] == [world.a1, world.a2]
    assert all(a.awarded_on == TODAY and a.approved_by == users["academic"] for a in awards)
    assert NumberSequence.objects.get(key="degree:2027").last == 2
    results = results_of(audited)
    assert results[world.a1.student_number].approved
    assert not results[world.b1.student_number].approved
    with pytest.raises(ValidationError) as caught:  # nothing left to approve
        degree.degree_approve(actor=users["academic"], run=audited, today=TODAY)
    assert caught.value.code == "none"


def test_approving_twice_is_refused(world, users, audited):
    a1 = results_of(audited)[world.a1.student_number]
    degree.degree_approve(actor=users["academic"], run=audited, result_ids=[a1.pk], today=TODAY)
    with pytest.raises(ValidationError) as caught:
        degree.degree_approve(actor=users["academic"], run=audited, result_ids=[a1.pk], today=TODAY)
    assert "already approved" in " ".join(caught.value.messages)
    assert DegreeAward.objects.count() == 1


def test_a_not_eligible_result_is_refused_and_nothing_written(world, users, audited):
    results = results_of(audited)
    chosen = [results[world.a1.student_number].pk, results[world.b1.student_number].pk]
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        degree.degree_approve(actor=users["academic"], run=audited, result_ids=chosen, today=TODAY)
    assert caught.value.messages == [f"{world.b1.student_number} 王芳 is not eligible."]
    assert not DegreeAward.objects.exists()
    assert not NumberSequence.objects.exists()


def test_results_of_another_audit_are_refused(world, users, audited):
    other = AuditRun.objects.create(
        kind=AuditKind.DEGREE, status=RunStatus.DONE, started_by=users["admin"]
    )
    a1 = results_of(audited)[world.a1.student_number]
    with pytest.raises(ValidationError) as caught:
        degree.degree_approve(actor=users["academic"], run=other, result_ids=[a1.pk], today=TODAY)
    assert caught.value.code == "unknown"


def test_a_student_awarded_through_another_audit_is_refused(world, users, audited):
    degree.degree_approve(actor=users["academic"], run=audited, today=TODAY)
    # An older audit of the same students, its results still waiting.
    older = AuditRun.objects.create(
        kind=AuditKind.DEGREE, status=RunStatus.DONE, started_by=users["admin"]
    )
    stale = AuditResult.objects.create(run=older, student=world.a1, eligible=True)
    with pytest.raises(ValidationError) as caught:
        degree.degree_approve(actor=users["academic"], run=older, result_ids=[stale.pk])
    assert "already holds the degree" in caught.value.messages[0]


def test_only_finished_degree_audits_are_approved(world, users, audited):
    AuditRun.objects.filter(pk=audited.pk).update(status=RunStatus.FAILED)
    with pytest.raises(ValidationError) as caught:
        degree.degree_approve(actor=users["academic"], run=audited, today=TODAY)
    assert caught.value.code == "not_done"
    graduation_run = AuditRun.objects.filter(kind=AuditKind.GRADUATION).earliest("pk")
    with pytest.raises(ValidationError) as caught:
        degree.degree_approve(actor=users["academic"], run=graduation_run, today=TODAY)
    assert caught.value.code == "kind"


@pytest.mark.parametrize("role", ["finance", "station", "auditor", "student"])
def test_only_academic_affairs_approve(world, users, audited, role):
    with pytest.raises(PermissionDenied):
        degree.degree_approve(actor=users[role], run=audited, today=TODAY)
    assert not DegreeAward.objects.exists()


def test_the_number_format_is_a_setting(world, users, audited, settings):
    settings.CEMS_DEGREE_NUMBER_FORMAT = "XW{year}-{school}-{seq:04d}"
    awards = degree.degree_approve(actor=users["academic"], run=audited, today=TODAY)
    assert [a.certificate_number for a in awards] == ["XW2027-10534-0001", "XW2027-10534-0002"]


@pytest.mark.parametrize("pattern", ["{school}{year}{sequence}", "{seq:06d}" * 8, "{year"])
def test_an_unusable_number_format_is_refused(world, users, audited, settings, pattern):
    settings.CEMS_DEGREE_NUMBER_FORMAT = pattern
    with pytest.raises(ValidationError) as caught:
        degree.degree_approve(actor=users["academic"], run=audited, today=TODAY)
    assert caught.value.code == "number_format"
    assert not DegreeAward.objects.exists()
    assert not NumberSequence.objects.exists()


def test_a_format_repeating_an_issued_number_is_refused(world, users, audited, settings):
    settings.CEMS_DEGREE_NUMBER_FORMAT = "{school}"  # no sequence: the same number twice
    with pytest.raises(ValidationError) as caught:
        degree.degree_approve(actor=users["academic"], run=audited, today=TODAY)
    assert caught.value.code == "conflict"
    assert not DegreeAward.objects.exists()


def test_each_year_has_its_own_sequence(world, users, audited):
    results = results_of(audited)
    first = degree.degree_approve(
        actor=users["academic"], run=audited,
        result_ids=[results[world.a1.student_number].pk], today=TODAY,
    )  # fmt: skip
    second = degree.degree_approve(
        actor=users["academic"], run=audited,
        result_ids=[results[world.a2.student_number].pk], today=dt.date(2028, 1, 5),
    )  # fmt: skip
    assert first[0].certificate_number.endswith("42027000001")
    assert second[0].certificate_number.endswith("42028000001")


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_share_a_number(world, users):
    students = [world.a1, world.a2, world.b1]
    students += [add_student(world, serial) for serial in range(20, 25)]
    for index, student in enumerate(students):
        make_eligible(student, prefix=f"C{index}")
    run = start(users)
    results = list(run.results.order_by("pk"))
    barrier = threading.Barrier(len(results))
    numbers: list[str] = []
    errors: list[Exception] = []

    def approve(result: AuditResult) -> None:
        try:
            barrier.wait()
            awards = degree.degree_approve(
                actor=users["academic"], run=run, result_ids=[result.pk], today=TODAY
            )
            numbers.extend(a.certificate_number for a in awards)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(r,)) for r in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(numbers) == len(set(numbers)) == len(results)
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, len(results) + 1))
    assert NumberSequence.objects.get(key="degree:2027").last == len(results)


@pytest.mark.django_db(transaction=True)
def test_the_same_result_approved_twice_at_once_gives_one_degree(world, users):
    make_eligible(world.a1)
    run = start(users)
    result = run.results.get()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve() -> None:
        try:
            barrier.wait()
            degree.degree_approve(
                actor=users["academic"], run=run, result_ids=[result.pk], today=TODAY
            )
            outcomes.append("awarded")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["awarded", "refused"]
    assert DegreeAward.objects.count() == 1
    assert NumberSequence.objects.get(key="degree:2027").last == 1


# --- The student's own -----------------------------------------------------------------------


def test_degree_status_before_any_audit(world):
    status = degree.degree_status(world.a1)
    assert status.is_bachelor
    assert status.result is None
    assert status.award is None
    assert status.reasons == []


def test_degree_status_of_a_junior_college_student(world):
    world.program.level = Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE
    world.program.save()
    with translation.override("en"):
        status = degree.degree_status(world.a1)
        html = render_to_string("graduation/degree_portal_part.html", {"degree_status": status})
    assert not status.is_bachelor
    assert "Only bachelor programs lead to a degree." in html


def test_degree_status_shows_the_latest_verdict_then_the_degree(world, users):
    make_eligible(world.a1)
    Thesis.objects.filter(student=world.a1).update(defended=False)
    start(users)
    Thesis.objects.filter(student=world.a1).update(defended=True)
    latest = start(users)
    AuditRun.objects.filter(pk=latest.pk).update(started_at=timezone.now() + dt.timedelta(1))
    with translation.override("en"):
        old = degree.degree_status(world.a1)
    assert old.result is not None
    assert old.result.run_id == latest.pk
    assert old.result.eligible
    degree.degree_approve(actor=users["academic"], run=latest, today=TODAY)
    status = degree.degree_status(world.a1)
    assert status.award is not None
    html = render_to_string("graduation/degree_portal_part.html", {"degree_status": status})
    assert status.award.certificate_number in html


def test_the_portal_part_lists_the_reasons(world, users):
    make_eligible(world.a1)
    LanguageResult.objects.all().delete()
    start(users)
    with translation.override("en"):
        status = degree.degree_status(world.a1)
        html = render_to_string("graduation/degree_portal_part.html", {"degree_status": status})
    assert "not eligible yet" in html
    assert "No passing foreign-language result" in html
    with CaptureQueriesContext(connection) as queries:
        degree.degree_status(world.a1)
    assert len(queries) <= 3
