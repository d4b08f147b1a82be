"""Demo teaching at a small scale: terms, teachers, offerings of every class from its first
term to the current one, rosters, most offerings taught, the same for the same seed."""

import random
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Avg, Exists, F, OuterRef, Q, QuerySet
from django.test import RequestFactory
from django.utils import timezone

from cems.accounts.demo import DEMO_PASSWORD, seed_users
from cems.accounts.models import Role, User
from cems.catalog.demo import seed_catalog, seed_plans
from cems.catalog.models import Assessment, Course, GradingScale
from cems.core import demo
from cems.organization.demo import seed_organization
from cems.students.demo import seed_student_records, seed_students
from cems.students.models import StudentClass, StudentStatus
from cems.teaching import grading
from cems.teaching.demo import CURRENT, DEMO_TEACHERS, seed_teaching
from cems.teaching.demo_grades import seed_grades
from cems.teaching.generation import class_plan_term
from cems.teaching.grade_services import derive, missing_grades, scale_of
from cems.teaching.grading import Level, Mark
from cems.teaching.models import (
    AcademicYear,
    ChangeSource,
    CourseOffering,
    EnrollmentKind,
    Grade,
    GradeChange,
    GradeChangeRequest,
    OfferingStudent,
    RequestStatus,
    Term,
)

pytestmark = pytest.mark.django_db


def seed(seed: int = 5, students: int = 300) -> None:
    rng = random.Random(seed)
    seed_organization(rng, demo.person_name)
    seed_catalog(rng)
    seed_plans(rng)
    seed_students(rng, students)
    seed_student_records(rng)
    seed_users()
    seed_teaching(random.Random(seed + 1))


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        OfferingStudent.objects.order_by(
            "offering__term__academic_year__start_year", "offering__term__number",
            "offering__student_class__code", "offering__plan_course__course__code",
            "student__student_number",
        ).values_list(
            "offering__term__number", "offering__student_class__code",
            "offering__plan_course__course__code", "student__student_number",
            "offering__teacher__username",
        )
    )  # fmt: skip


def test_terms_teachers_and_offerings():
    seed()
    assert Term.objects.count() == 10  # 2022–2023 to 2026–2027
    request = RequestFactory().post("/accounts/login/")
    for username in DEMO_TEACHERS:
        user = User.objects.get(username=username)
        assert user.role == Role.TEACHER
        assert user.full_name
    assert authenticate(request, username=DEMO_TEACHERS[0], password=DEMO_PASSWORD) is not None
    current = Term.objects.get(academic_year__start_year=CURRENT[0], number=CURRENT[1])
    assert not CourseOffering.objects.filter(term__start_date__gt=current.start_date).exists()
    # Every offering is a course of its class's plan term, in the class's cohort plan.
    for offering in CourseOffering.objects.select_related(
        "student_class", "term__academic_year", "plan_course__plan"
    ):
        klass = offering.student_class
        assert offering.plan_course.term == class_plan_term(klass, offering.term)
        assert offering.plan_course.plan.admission_year == klass.cohort_year
        assert offering.plan_course.plan.program_id == klass.program_id
    # Every class with registered students has the current term's courses.
    classes = StudentClass.objects.filter(students__status=StudentStatus.REGISTERED).distinct()
    with_offerings = classes.filter(offerings__term=current).distinct().count()
    assert with_offerings == classes.count()
    # Rosters: the current term's hold registered students of the offering's class only.
    current_roster = OfferingStudent.objects.filter(offering__term=current)
    assert current_roster.exists()
    assert not current_roster.exclude(student__status=StudentStatus.REGISTERED).exists()
    assert not OfferingStudent.objects.exclude(
        student__student_class=F("offering__student_class")
    ).exists()


def test_most_offerings_have_a_teacher_and_the_demo_teacher_teaches():
    seed()
    total = CourseOffering.objects.count()
    unassigned = CourseOffering.objects.filter(teacher=None).count()
    assert 0 < unassigned < total * 0.2
    assert CourseOffering.objects.filter(teacher__username="teacher").exists()
    assert (
        not CourseOffering.objects.exclude(teacher=None)
        .exclude(teacher__role=Role.TEACHER)
        .exists()
    )


def test_the_same_seed_gives_the_same_offerings():
    seed()
    first = snapshot()
    assert first
    OfferingStudent.objects.all().delete()
    CourseOffering.objects.all().delete()
    Term.objects.all().delete()
    AcademicYear.objects.all().delete()
    User.objects.filter(username__in=DEMO_TEACHERS).delete()
    seed_teaching(random.Random(6))
    assert snapshot() == first


# --- Grades ----------------------------------------------------------------------------------

GRADES_SEED = 7


@pytest.fixture(scope="module")
def graded(django_db_setup, django_db_blocker):
    """The small demo with its grades, seeded once for the module's tests (each test runs in
    a savepoint inside, rolled back after it; the whole is rolled back at the end)."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed(students=600)
        seed_grades(random.Random(GRADES_SEED))
        yield
        transaction.set_rollback(True)


def current_term() -> Term:
    return Term.objects.get(academic_year__start_year=CURRENT[0], number=CURRENT[1])


def past_grades() -> QuerySet[Grade]:
    return Grade.objects.filter(entry__offering__term__end_date__lt=current_term().start_date)


def grades_snapshot() -> list[tuple[Any, ...]]:
    return list(
        Grade.objects.order_by(
            "entry__offering__term__start_date", "entry__offering__student_class__code",
            "entry__offering__plan_course__course__code", "entry__student__student_number",
        ).values_list(
            "entry__offering__student_class__code", "entry__offering__plan_course__course__code",
            "entry__student__student_number", "entry__kind", "coursework", "exam", "score",
            "level", "mark", "makeup_score", "makeup_level", "makeup_mark", "passed",
            "final_passed", "final_numeric", "updated_by__username",
        )
    )  # fmt: skip


def test_courses_are_graded_by_their_kind(graded):
    courses = Course.objects.all()
    assert courses.get(name="专业实习").grading_scale == GradingScale.PASS_FAIL
    assert courses.get(name="毕业论文").grading_scale == GradingScale.FIVE_LEVEL
    assert courses.get(name="高等数学(一)").grading_scale == GradingScale.PERCENT
    coursework = courses.filter(assessment=Assessment.COURSEWORK)
    assert not coursework.filter(grading_scale=GradingScale.PERCENT).exists()
    assert not courses.filter(assessment=Assessment.EXAM, grading_scale=GradingScale.FIVE_LEVEL)
    exams = courses.filter(grading_scale=GradingScale.PERCENT)
    weights = Counter(exams.values_list("coursework_weight", flat=True))
    assert set(weights) == {0, 30, 40}
    assert weights[0] < exams.count() * 0.35  # most exams count the coursework
    assert 0 < courses.filter(grading_scale=GradingScale.PASS_FAIL).count() <= 10
    for course in courses:
        course.full_clean()


def test_every_past_offering_is_graded_and_submitted(graded):
    term = current_term()
    past = CourseOffering.objects.filter(term__end_date__lt=term.start_date)
    assert past.count() > 100
    assert not past.filter(grades_submitted_at=None).exists()
    assert not past.exclude(grades_submitted_by=F("teacher")).exclude(teacher=None).exists()
    assert not past.filter(grades_submitted_at__gt=timezone.now()).exists()
    # Complete: nobody without a result, every makeup sat or marked, and submitted.
    entries = OfferingStudent.objects.filter(offering__in=past)
    assert not entries.filter(Q(grade=None) | Q(grade__passed=None)).exists()
    takes_makeup = Grade.objects.filter(entry__offering=OuterRef("pk"), passed=False).exclude(
        mark=Mark.CHEATING
    )
    with_makeup = past.filter(Exists(takes_makeup))
    assert with_makeup.exists()
    assert not with_makeup.filter(makeup_submitted_at=None).exists()
    assert not past.filter(makeup_submitted_at__lte=F("grades_submitted_at")).exists()
    for offering in with_makeup[:50]:
        assert not missing_grades(offering).exists()
        assert not missing_grades(offering, makeup=True).exists()
    # An offering without a failed student has no makeup to submit.
    assert (
        not past.filter(makeup_submitted_at__isnull=False)
        .exclude(pk__in=with_makeup.values("pk"))
        .exists()
    )
    # Only the change requests write history; the seeded grades are imported as they are.
    assert GradeChange.objects.exclude(source=ChangeSource.REQUEST).count() == 0


def test_past_results_are_realistic(graded):
    grades = past_grades()
    total = grades.count()
    assert total > 1000
    failed = grades.filter(passed=False).count()
    assert 0.03 <= failed / total <= 0.08
    assert 0.002 <= grades.filter(mark=Mark.ABSENT).count() / total <= 0.02
    assert grades.filter(mark=Mark.EXEMPT).exists()
    scores = grades.filter(mark="", score__isnull=False).aggregate(mean=Avg("score"))
    assert 72 <= scores["mean"] <= 80
    assert grades.filter(level=Level.EXCELLENT).exists()
    assert grades.filter(level=Level.PASSED).exists()
    # The makeup exam: most who failed sit it, many pass; some still fail.
    makeups = grades.filter(passed=False).exclude(mark=Mark.CHEATING)
    sat = makeups.filter(Q(makeup_score__isnull=False) | ~Q(makeup_level=""))
    assert sat.count() > makeups.count() * 0.7
    assert makeups.filter(makeup_mark=Mark.ABSENT).exists()
    still_failing = grades.filter(final_passed=False).count()
    assert 0 < still_failing < failed * 0.6
    assert (
        not grades.filter(mark=Mark.CHEATING)
        .exclude(makeup_score=None, makeup_level="", makeup_mark="")
        .exists()
    )


def test_derived_fields_are_what_the_grade_services_derive(graded):
    grades = list(
        Grade.objects.select_related("entry__offering__plan_course__course").order_by("pk")
    )
    failed = [g for g in grades if g.passed is False]
    sample = random.Random(1).sample(grades, 300) + failed[:100]
    for grade in sample:
        offering = grade.entry.offering
        scale, weight = scale_of(offering)
        copy = Grade(**{f.attname: getattr(grade, f.attname) for f in Grade._meta.concrete_fields})
        copy.score = None if weight else copy.score
        copy.passed = copy.final_passed = copy.final_numeric = None
        derive(copy, scale, weight, with_makeup=False)
        derive(copy, scale, weight, with_makeup=offering.makeup_locked)
        assert (copy.score, copy.passed, copy.final_passed, copy.final_numeric) == (
            grade.score,
            grade.passed,
            grade.final_passed,
            grade.final_numeric,
        ), grade.pk


def test_students_still_failing_retake_in_a_later_term(graded):
    retakes = OfferingStudent.objects.filter(kind=EnrollmentKind.RETAKE).select_related(
        "offering__term", "offering__plan_course", "student"
    )
    assert retakes.exists()
    term = current_term()
    for entry in retakes:
        assert entry.student.status == StudentStatus.REGISTERED
        assert entry.student.student_class_id != entry.offering.student_class_id
        earlier = Grade.objects.filter(
            entry__student=entry.student,
            entry__kind=EnrollmentKind.REGULAR,
            entry__offering__plan_course__course=entry.offering.plan_course.course_id,
        ).select_related("entry__offering__term")
        failed = [g for g in earlier if g.final_passed is False]
        assert failed, entry.pk
        assert failed[0].entry.offering.term.start_date < entry.offering.term.start_date
        if entry.offering.term.end_date < term.start_date:
            assert entry.grade.passed is not None  # graded with the others
    in_current = retakes.filter(offering__term=term)
    assert in_current.filter(grade=None).exists()  # the current term's await their result


def test_the_current_term_is_under_way(graded):
    term = current_term()
    offerings = CourseOffering.objects.filter(term=term)
    assert not offerings.filter(makeup_submitted_at__isnull=False).exists()
    open_offerings = offerings.filter(grades_submitted_at=None)
    assert open_offerings.count() > offerings.count() * 0.8
    partly = open_offerings.filter(roster__grade__isnull=False).distinct()
    assert partly.exists()
    submitted = offerings.filter(grades_submitted_at__isnull=False)
    for offering in submitted:
        assert not missing_grades(offering).exists()
    # The demo teacher has a grid to fill in and one submitted.
    teacher = User.objects.get(username="teacher")
    own_partly = [o for o in partly.filter(teacher=teacher) if missing_grades(o).exists()]
    assert own_partly
    assert Grade.objects.filter(entry__offering__in=own_partly).exists()
    assert submitted.filter(teacher=teacher).exists()
    assert submitted.filter(teacher=teacher, grades_submitted_by=teacher).exists()


def test_change_requests_one_pending_and_decided_ones_with_history(graded):
    requests = GradeChangeRequest.objects.select_related("offering", "grade")
    pending = requests.filter(status=RequestStatus.PENDING)
    assert pending.count() == 1
    request = pending.get()
    assert request.requested_by == request.offering.teacher
    assert request.requested_by.username == "teacher"
    assert any("\u4e00" <= char <= "\u9fff" for char in request.reason)
    assert not request.grade.changes.exists()
    approved = requests.filter(status=RequestStatus.APPROVED)
    assert approved.exists()
    assert requests.filter(status=RequestStatus.REJECTED).exists()
    for request in requests.exclude(status=RequestStatus.PENDING):
        assert request.decided_by is not None
        assert request.decided_by.username == "academic"
        assert request.requested_by == request.offering.teacher
        history = list(request.grade.changes.values_list("field", "old_value", "new_value"))
        if request.status == RequestStatus.APPROVED:
            expected = [(f, c["from"], c["to"]) for f, c in request.changes.items()]
            assert history == expected
            for field, _old, new in history:
                assert grading.show(getattr(request.grade, field)) == new
        else:
            assert history == []
    assert GradeChange.objects.count() == sum(len(r.changes) for r in approved)
    assert not GradeChange.objects.exclude(source=ChangeSource.REQUEST).exists()


def test_the_same_seed_gives_the_same_grades(graded):
    first = grades_snapshot()
    assert len(first) > 1000
    GradeChangeRequest.objects.all().delete()
    GradeChange.objects.all().delete()
    Grade.objects.all().delete()
    OfferingStudent.objects.filter(kind=EnrollmentKind.RETAKE).delete()
    CourseOffering.objects.update(grades_submitted_at=None, grades_submitted_by=None,
                                  makeup_submitted_at=None, makeup_submitted_by=None)  # fmt: skip
    seed_grades(random.Random(GRADES_SEED))
    assert grades_snapshot() == first
