"""The audit engine: the facts of many students in a fixed number of queries, and the
graduation verdict with every reason."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cems.catalog.models import Level, Program, StudyMode
from cems.conftest import add_student
from cems.finance.models import EntryKind
from cems.graduation import audit
from cems.graduation.reasons import render
from cems.graduation.tests.conftest import SERVED_ON, TODAY
from cems.students.models import Student, StudentStatus
from cems.teaching import grade_selectors


def facts_of(student: Student) -> audit.StudentFacts:
    return audit.load_facts(Student.objects.filter(pk=student.pk))[student.pk]


def verdict_of(student: Student, today: dt.date = TODAY) -> audit.Verdict:
    return audit.graduation_verdict(facts_of(student), today=today)


def codes(verdict: audit.Verdict) -> list[str]:
    return [item["code"] for item in verdict.reasons]


def test_a_student_who_meets_every_rule_is_eligible(school, world):
    school.pass_all(world.a1, "85")
    school.charge(world.a1, "3000")
    school.charge(world.a1, "3000", kind=EntryKind.PAYMENT)
    verdict = verdict_of(world.a1)
    assert verdict.eligible
    assert verdict.reasons == []
    assert verdict.credits_earned == Decimal("12.5")
    assert verdict.average == Decimal("85.00")


def test_the_standard_length_is_served_on_its_day(school, world):
    school.pass_all(world.a1)
    assert verdict_of(world.a1, today=SERVED_ON).eligible
    verdict = verdict_of(world.a1, today=SERVED_ON - dt.timedelta(days=1))
    assert verdict.reasons == [{"code": "length_not_served", "params": {"until": "2028-03-01"}}]


def test_the_standard_length_counts_from_the_academic_years_start(school, world, settings):
    settings.CEMS_ACADEMIC_YEAR_START_MONTH = 3
    assert audit.standard_length_served_on(2025, Decimal("2.5")) == dt.date(2027, 9, 1)
    assert audit.standard_length_served_on(2025, Decimal(5)) == dt.date(2030, 3, 1)


def test_credits_short_and_required_courses_missing_are_named(school, world):
    school.grade(world.a1, "GB001", "70")
    school.grade(world.a1, "JC001", "75")
    verdict = verdict_of(world.a1)
    assert not verdict.eligible
    assert verdict.reasons == [
        {"code": "credits_short", "params": {"earned": "7", "required": "10", "short": "3"}},
        {
            "code": "required_missing",
            "params": {"courses": [{"code": "ZY001", "name": "数据结构", "credits": "3"}]},
        },
    ]
    with translation.override("en"):
        texts = [render(item) for item in verdict.reasons]
    assert texts == [
        "7 credits earned of the 10 required: 3 short.",
        "1 required course not taken yet: ZY001 数据结构 (3 credits).",
    ]


def test_a_failed_required_course_is_named_with_its_score(school, world):
    school.pass_all(world.a1)
    school.grade(world.a1, "GB001", "40")  # a later failed attempt does not undo the pass
    failing = add_student(world, 7)
    school.grade(failing, "GB001", "45")
    school.grade(failing, "JC001", None, mark="absent")
    verdict = verdict_of(failing)
    assert codes(verdict) == ["credits_short", "required_missing", "required_failed"]
    assert verdict.reasons[2]["params"]["courses"] == [
        {"code": "GB001", "name": "大学英语", "credits": "4", "score": "45"},
        {"code": "JC001", "name": "高等数学", "credits": "3", "score": "0"},
    ]
    assert verdict_of(world.a1).eligible


def test_a_passed_retake_replaces_the_failed_attempt(school, world):
    school.pass_all(world.a1)
    school.grade(world.a2, "GB001", "50")
    for code in ("JC001", "ZY001", "XX001"):
        school.grade(world.a2, code, "90")
    assert codes(verdict_of(world.a2)) == ["credits_short", "required_failed"]
    school.grade(world.a2, "GB001", "66", retake=True)
    facts = facts_of(world.a2)
    assert facts.best[school.courses["GB001"].course_id].numeric == Decimal(66)
    assert audit.graduation_verdict(facts, today=TODAY).eligible


def test_grades_of_offerings_not_submitted_do_not_count(school, world):
    school.grade(world.a1, "GB001", "90", submitted=False)
    for code in ("JC001", "ZY001", "XX001"):
        school.grade(world.a1, code, "90")
    verdict = verdict_of(world.a1)
    assert codes(verdict) == ["credits_short", "required_missing"]
    assert verdict.reasons[1]["params"]["courses"][0]["code"] == "GB001"


def test_an_elective_is_never_required_but_its_credits_count(school, world):
    for code in ("GB001", "JC001", "ZY001"):
        school.grade(world.a1, code, "80")
    assert verdict_of(world.a1).eligible  # exactly 10 credits
    school.grade(world.a2, "GB001", "80")
    school.grade(world.a2, "JC001", "80")
    school.grade(world.a2, "XX001", "40")
    assert codes(verdict_of(world.a2)) == ["credits_short", "required_missing"]


def test_fees_owed_are_a_reason(school, world):
    school.pass_all(world.a1)
    school.charge(world.a1, "3000")
    school.charge(world.a1, "1000.5", kind=EntryKind.PAYMENT)
    verdict = verdict_of(world.a1)
    assert verdict.reasons == [{"code": "fees_owed", "params": {"amount": "1999.50"}}]
    school.charge(world.a1, "1999.5", kind=EntryKind.WAIVER)
    assert verdict_of(world.a1).eligible


def test_a_suspended_student_is_audited_and_named_by_status(school, world):
    school.pass_all(world.a1)
    Student.objects.filter(pk=world.a1.pk).update(status=StudentStatus.SUSPENDED)
    verdict = verdict_of(world.a1)
    assert verdict.reasons == [{"code": "status", "params": {"status": "suspended"}}]
    with translation.override("en"):
        assert audit.describe(verdict.reasons[0]) == (
            "The student's status is Suspended, not registered."
        )


def test_who_is_audited(school, world):
    Student.objects.filter(pk=world.a2.pk).update(status=StudentStatus.WITHDRAWN)
    graduated = add_student(world, 8, status=StudentStatus.GRADUATED)
    deferred = add_student(world, 9, status=StudentStatus.DEFERRED)
    other_cohort = add_student(world, 10, cohort_year=2024)
    everyone = set(audit.audit_students().values_list("pk", flat=True))
    assert everyone == {world.a1.pk, world.b1.pk, deferred.pk, other_cohort.pk}
    assert graduated.pk not in everyone
    cohort = audit.audit_students(cohort_year=2025, station_id=world.station_a.pk)
    assert set(cohort.values_list("pk", flat=True)) == {world.a1.pk, deferred.pk}


def test_without_a_teaching_plan_only_the_credits_decide(school, world):
    student = add_student(world, 11, cohort_year=2024)
    facts = facts_of(student)
    assert facts.plan == ()
    verdict = audit.graduation_verdict(facts, today=TODAY)
    assert codes(verdict) == ["credits_short"]


def test_the_facts_hold_what_the_degree_audit_reads(school, world, settings):
    bachelor = Program.objects.create(
        major=world.major, level=Level.HIGH_SCHOOL_TO_BACHELOR, mode=StudyMode.SPARE_TIME,
        standard_length_years=Decimal(5), credits_to_graduate=150, tuition_per_year=3000,
    )  # fmt: skip
    Student.objects.filter(pk=world.b1.pk).update(program=bachelor)
    school.pass_all(world.a1, "81")
    school.charge(world.a1, "120")
    facts = audit.load_facts(Student.objects.filter(pk__in=[world.a1.pk, world.b1.pk]))
    a1 = facts[world.a1.pk]
    assert (a1.student_number, a1.name, a1.station_id, a1.cohort_year, a1.status) == (
        "102025001001", "张伟", world.station_a.pk, 2025, "registered",
    )  # fmt: skip
    assert a1.program.is_bachelor  # 专升本
    assert a1.program.credits_to_graduate == 10
    assert [course.code for course in a1.plan] == ["GB001", "JC001", "ZY001", "XX001"]
    assert [course.is_required for course in a1.plan] == [True, True, True, False]
    degree = [a for a in a1.best.values() if a.is_degree_course]
    assert [(a.credits, a.passed, a.numeric) for a in degree] == [(Decimal(3), True, Decimal(81))]
    assert a1.degree_average == Decimal("81.00")
    assert a1.fees_owed == Decimal("120.00")
    b1 = facts[world.b1.pk]
    assert b1.program.level == Level.HIGH_SCHOOL_TO_BACHELOR
    assert b1.plan == ()  # no plan for that program and cohort
    assert b1.best == {}
    assert (b1.credits_earned, b1.average, b1.fees_owed) == (Decimal(0), None, Decimal(0))


@pytest.mark.parametrize("scan", [False, True])
def test_credits_and_averages_are_those_of_the_results_pages(school, world, monkeypatch, scan):
    """load_facts folds the grades itself; its figures are grading.summarize's, whether it
    looks the students' grades up or reads the whole table."""
    if scan:
        monkeypatch.setattr(audit, "SCAN_ABOVE", 0)
    school.grade(world.a1, "GB001", "59")
    school.grade(world.a1, "GB001", "58.5", retake=True)
    school.grade(world.a1, "JC001", "77.5")
    school.grade(world.a1, "ZY001", None, mark="absent")
    school.grade(world.a1, "ZY001", "61", retake=True)
    school.grade(world.a1, "XX001", None, mark="exempt")
    school.grade(world.a2, "GB001", "99")
    school.grade(world.b1, "JC001", "12")
    facts = audit.load_facts(Student.objects.all())
    for student in (world.a1, world.a2, world.b1):
        summary = grade_selectors.summary(grade_selectors.student_results(student))
        item = facts[student.pk]
        assert (item.credits_earned, item.average, item.degree_average) == (
            summary.credits_earned,
            summary.average,
            summary.degree_average,
        )
    assert facts[world.a1.pk].credits_earned == Decimal("8.5")  # JC001, ZY001, exempt XX001


def _audit_queries(students: QuerySet[Student]) -> tuple[int, dict[int, audit.StudentFacts]]:
    with CaptureQueriesContext(connection) as queries:
        facts = audit.load_facts(students)
        audit.graduation_verdicts(facts, TODAY)
    return len(queries), facts


@pytest.mark.parametrize("scan", [False, True])
def test_the_number_of_queries_does_not_grow_with_the_students(school, world, monkeypatch, scan):
    if scan:
        monkeypatch.setattr(audit, "SCAN_ABOVE", 0)
    many = [add_student(world, 100 + n) for n in range(30)]
    for code in ("GB001", "JC001", "ZY001"):
        school.grade_class(many, code, "70")
    for student in many[:5]:
        school.charge(student, "500")
    few, few_facts = _audit_queries(Student.objects.filter(pk__in=[s.pk for s in many[:3]]))
    lots, lots_facts = _audit_queries(Student.objects.filter(pk__in=[s.pk for s in many]))
    assert few == lots == 4
    assert len(few_facts) == 3
    assert len(lots_facts) == 30
    assert sum(audit.graduation_verdict(f, today=TODAY).eligible for f in lots_facts.values()) == 25


def test_no_students_no_queries_but_one(db):
    assert _audit_queries(Student.objects.none())[0] <= 1
