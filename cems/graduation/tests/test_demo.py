"""Demo graduation and degree records at a small scale: the graduating classes' last term
graded, theses and foreign-language results for bachelor students only, a handful of
disciplinary records (one revoked), no audits, and a mix of graduation verdicts in the data."""

import datetime as dt
import random
import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from cems.accounts.demo import seed_users
from cems.accounts.models import User
from cems.catalog.demo import seed_catalog, seed_plans
from cems.catalog.models import Level
from cems.core import demo
from cems.finance.demo import seed_fees
from cems.graduation import demo as graduation_demo
from cems.graduation.audit import graduation_verdicts, load_facts, standard_length_served_on
from cems.graduation.demo import graduating_classes, seed_graduation
from cems.graduation.models import (
    AuditResult,
    AuditRun,
    DegreeAward,
    DisciplinaryRecord,
    Graduation,
    LanguageExam,
    LanguageResult,
    NumberSequence,
    Thesis,
)
from cems.organization.demo import seed_organization
from cems.students.demo import seed_student_records, seed_students
from cems.students.demo_status import seed_status_changes
from cems.students.models import Student, StudentStatus
from cems.teaching.demo import CURRENT, seed_teaching
from cems.teaching.demo_grades import seed_grades
from cems.teaching.grade_services import derive
from cems.teaching.grading import Level as ResultLevel
from cems.teaching.grading import Mark
from cems.teaching.models import CourseOffering, Grade, OfferingStudent, Term

pytestmark = pytest.mark.django_db
SEED = 13
GRADUATION_SEED = "13:graduation"
CHINESE = re.compile(r"^[\u4e00-\u9fff（）——A-Za-z0-9/]+$")


def snapshot() -> list[tuple[Any, ...]]:
    theses = Thesis.objects.order_by("student__student_number").values_list(
        "student__student_number", "title", "score", "defended", "defended_on"
    )
    results = LanguageResult.objects.order_by(
        "student__student_number", "exam", "exam_date"
    ).values_list("student__student_number", "exam", "exam_date", "score")
    records = DisciplinaryRecord.objects.order_by("student__student_number").values_list(
        "student__student_number", "issued_on", "description", "revoked_on"
    )
    grades = Grade.objects.filter(entry__offering__term=current_term()).order_by(
        "entry__offering__student_class__code", "entry__offering__plan_course__course__code",
        "entry__student__student_number",
    ).values_list(
        "entry__student__student_number", "entry__offering__plan_course__course__code",
        "score", "level", "mark", "final_passed", "entry__offering__grades_submitted_at",
    )  # fmt: skip
    return [*theses, *results, *records, *grades]


@pytest.fixture(scope="module")
def school(django_db_setup, django_db_blocker):
    """The small demo with grades and fees, and its graduation records: seeded twice (the
    first time rolled back) to compare the two, once for the module's tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        rng = random.Random(SEED)
        seed_organization(rng, demo.person_name)
        seed_catalog(rng)
        seed_plans(rng)
        seed_students(rng, 500)
        seed_student_records(rng)
        seed_users()
        seed_status_changes(random.Random(f"{SEED}:status"))
        seed_teaching(random.Random(f"{SEED}:teaching"))
        seed_grades(random.Random(f"{SEED}:grades"))
        seed_fees(random.Random(f"{SEED}:fees"))
        before = set(
            Grade.objects.filter(entry__offering__term=current_term()).values_list(
                "entry", flat=True
            )
        )
        submitted_before = set(
            CourseOffering.objects.filter(
                term=current_term(), grades_submitted_at__isnull=False
            ).values_list("pk", flat=True)
        )
        with transaction.atomic():
            seed_graduation(random.Random(GRADUATION_SEED))
            first = snapshot()
            transaction.set_rollback(True)
        counts = seed_graduation(random.Random(GRADUATION_SEED))
        yield {
            "first": first, "counts": counts, "entered_before": before,
            "submitted_before": submitted_before,
        }  # fmt: skip
        transaction.set_rollback(True)


def current_term() -> Term:
    return Term.objects.get(academic_year__start_year=CURRENT[0], number=CURRENT[1])


def graduating() -> list[Student]:
    return list(
        Student.objects.filter(
            student_class__in=graduating_classes(current_term()), status=StudentStatus.REGISTERED
        ).select_related("program")
    )


def test_the_graduating_classes_are_in_their_last_term(school):
    students = graduating()
    assert len(students) == school["counts"].graduating > 50
    for student in students:
        assert student.program.level != Level.HIGH_SCHOOL_TO_BACHELOR  # 5 years: not yet
        assert student.cohort_year == CURRENT[0] - 2
    assert {s.program.level for s in students} == {
        Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE,
        Level.JUNIOR_COLLEGE_TO_BACHELOR,
    }


def test_the_last_term_is_graded_and_submitted(school):
    counts = school["counts"]
    offerings = CourseOffering.objects.filter(
        term=current_term(), student_class__in=graduating_classes(current_term())
    )
    submitted = offerings.exclude(grades_submitted_at=None)
    assert submitted.count() >= 0.9 * offerings.count()
    assert counts.offerings_graded <= submitted.count()
    now = timezone.now()
    academic = User.objects.get(username="academic")
    for offering in submitted.select_related("plan_course__course", "teacher"):
        assert offering.grades_submitted_at is not None
        assert offering.grades_submitted_at < now
        assert offering.grades_submitted_by_id == (offering.teacher_id or academic.pk)
        roster = OfferingStudent.objects.filter(offering=offering)
        grades = Grade.objects.filter(entry__offering=offering)
        assert grades.count() == roster.count()
        # Complete results, derived as the grade services derive them; no makeup yet.
        course = offering.plan_course.course
        for grade in grades:
            assert grade.final_passed is not None
            assert grade.makeup_score is None
            assert grade.makeup_level == ""
            copy = Grade(coursework=grade.coursework, exam=grade.exam, score=grade.score,
                         level=grade.level, mark=grade.mark)  # fmt: skip
            derive(copy, course.grading_scale, course.coursework_weight, with_makeup=False)
            assert (copy.score, copy.passed, copy.final_passed, copy.final_numeric) == (
                grade.score, grade.passed, grade.final_passed, grade.final_numeric,
            )  # fmt: skip
    # The other classes' current term stays as the grades demo left it.
    others = Grade.objects.filter(entry__offering__term=current_term()).exclude(
        entry__offering__in=offerings
    )
    assert set(others.values_list("entry", flat=True)) <= school["entered_before"]
    # A few graduating offerings are late; most failures are passed, some fail.
    assert counts.offerings_late > 0
    final = Grade.objects.filter(entry__offering__in=submitted)
    failed = final.filter(final_passed=False).count()
    assert 0 < failed < 0.15 * final.count()


def test_theses_for_the_graduating_bachelor_students_only(school):
    students = {s.pk: s for s in graduating()}
    bachelors = {pk for pk, s in students.items() if s.program.is_bachelor}
    theses = list(Thesis.objects.select_related("student__program"))
    assert {t.student_id for t in theses} <= bachelors
    assert len(theses) == school["counts"].theses >= 0.9 * len(bachelors)
    assert not Thesis.objects.exclude(student__program__level__in=Level.bachelor_levels()).exists()
    scores = [t.score for t in theses if t.score is not None]
    assert sum(70 <= s <= 92 for s in scores) >= 0.85 * len(scores)
    assert any(s < 75 for s in scores)
    today = timezone.localdate()
    for thesis in theses:
        assert 10 <= len(thesis.title) <= 200
        assert CHINESE.match(thesis.title), thesis.title
        if thesis.defended:
            assert thesis.score is not None
            assert thesis.defended_on is not None
            assert current_term().start_date < thesis.defended_on < today
        else:
            assert thesis.score is None
            assert thesis.defended_on is None
    assert any(not t.defended for t in theses)


def test_the_thesis_course_grade_follows_the_thesis(school):
    graded = (
        Grade.objects.filter(
            entry__offering__term=current_term(),
            entry__offering__grades_submitted_at__isnull=False,
            entry__offering__plan_course__course__code__in=graduation_demo.THESIS_CODES,
            entry__student__thesis__isnull=False,
        )
        .exclude(entry__offering__in=school["submitted_before"])
        .select_related("entry")
    )
    theses = {thesis.student_id: thesis for thesis in Thesis.objects.all()}
    assert graded.exists()
    lines = ((90, ResultLevel.EXCELLENT), (80, ResultLevel.GOOD), (70, ResultLevel.FAIR),
             (60, ResultLevel.PASS), (0, ResultLevel.FAIL))  # fmt: skip
    for grade in graded:
        thesis = theses[grade.entry.student_id]
        if thesis.score is None:
            assert not thesis.defended
            assert grade.mark == Mark.ABSENT
            continue
        expected = next(level for line, level in lines if thesis.score >= line)
        assert grade.level == expected


def test_foreign_language_results(school):
    results = list(LanguageResult.objects.select_related("student__program"))
    assert len(results) == school["counts"].language_results > 0
    assert all(r.student.program.is_bachelor for r in results)
    today = timezone.localdate()
    adult = [r for r in results if r.exam == LanguageExam.ADULT_DEGREE_ENGLISH]
    cet4 = [r for r in results if r.exam == LanguageExam.CET4]
    assert adult
    assert cet4
    assert all(Decimal(20) <= r.score <= Decimal(98) for r in adult)
    assert any(r.score >= 60 for r in adult)
    assert any(r.score < 60 for r in adult)
    assert any(r.score >= 425 for r in cet4)
    assert all(r.exam_date < today for r in results)
    # A second sitting only after a fail at the first.
    by_student: dict[int, list[LanguageResult]] = {}
    for result in sorted(adult, key=lambda r: r.exam_date):
        by_student.setdefault(result.student_id, []).append(result)
    resat = [sittings for sittings in by_student.values() if len(sittings) > 1]
    assert resat
    for sittings in resat:
        assert all(r.score < 60 for r in sittings[:-1])
    # Some bachelor students of the graduating cohort have no pass at all.
    graduating_bachelors = {s.pk for s in graduating() if s.program.is_bachelor}
    passed = {
        r.student_id for r in results
        if (r.exam == LanguageExam.CET4 and r.score >= 425) or (r.exam != LanguageExam.CET4
                                                                  and r.score >= 60)
    }  # fmt: skip
    assert graduating_bachelors - passed


def test_a_handful_of_disciplinary_records_one_revoked(school):
    records = list(DisciplinaryRecord.objects.select_related("recorded_by"))
    bachelors = {s.pk for s in graduating() if s.program.is_bachelor}
    assert 3 <= len(records) == school["counts"].disciplinary
    assert {r.student_id for r in records} <= bachelors
    today = timezone.localdate()
    revoked = [r for r in records if r.revoked_on is not None]
    assert len(revoked) == 1
    revoked_on = revoked[0].revoked_on
    assert revoked_on is not None
    assert revoked[0].issued_on + dt.timedelta(days=365) == revoked_on < today
    for record in records:
        assert record.issued_on < today
        assert record.description
        assert record.recorded_by is not None
        assert record.recorded_by.username == "academic"


def test_nothing_is_audited_or_awarded(school):
    """The audits run through their services; the demo has no graduates yet."""
    for model in (AuditRun, AuditResult, Graduation, DegreeAward, NumberSequence):
        assert not model.objects.exists(), model
    assert not Student.objects.filter(status=StudentStatus.GRADUATED).exists()


def test_the_data_give_a_mix_of_graduation_verdicts(school):
    students = Student.objects.filter(pk__in=[s.pk for s in graduating()])
    facts = load_facts(students)
    first = next(iter(facts.values()))
    served = standard_length_served_on(first.cohort_year, first.program.standard_length_years)
    verdicts = graduation_verdicts(facts, served)
    eligible = sum(v.eligible for v in verdicts.values())
    assert 0.3 * len(verdicts) < eligible < 0.85 * len(verdicts)
    reasons = Counter(r["code"] for v in verdicts.values() for r in v.reasons)
    for code in ("credits_short", "required_failed", "required_missing", "fees_owed"):
        assert reasons[code] > 0, reasons
    assert "length_not_served" not in reasons


def test_the_same_seed_gives_the_same_records(school):
    assert school["first"] == snapshot()
