"""Demo grades: every offering of a past term graded and submitted with its makeup exams,
retakes in later terms, the current term under way, and a few grade change requests."""

import datetime as dt
import random
import zlib
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from statistics import NormalDist
from typing import NamedTuple

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils import timezone

from cems.accounts.models import User
from cems.catalog.models import Course, GradingScale
from cems.core.bulk import bulk_insert, db_value
from cems.core.progress import Progress
from cems.students.models import Student, StudentStatus
from cems.teaching import grading
from cems.teaching.demo import CURRENT, DEMO_TEACHERS
from cems.teaching.grade_services import (
    change_request_decide,
    change_request_file,
    derive,
    makeup_eligible,
)
from cems.teaching.grading import Level, Mark
from cems.teaching.models import (
    CourseOffering,
    EnrollmentKind,
    Grade,
    OfferingStudent,
    RequestStatus,
    Term,
    TermNumber,
    default_term_dates,
)

# --- Grades ----------------------------------------------------------------------------------
#
# Every offering of a past term is graded and submitted, its failed students' makeup results
# submitted too; some students still failing retake the course in a later term; the current
# term is under way: some grids partly filled, a few submitted early. The grades are imported
# history (no GradeChange rows); only the demo's change requests, decided through the grade
# services, write history.

# A past result's total: around MEAN, spread by the offering (its paper, its teacher), the
# student and the result itself (sd 9.5 in all: about 5 % below 60).
MEAN = 76.0
OFFERING_SD = 3.0
STUDENT_SD = 5.0
RESULT_SD = 7.5
COURSEWORK_LIFT = 5.0  # coursework (平时) runs a little above the exam
PASS_FAIL_LINE = 55.0  # practice passes more easily than an exam
FIVE_LEVEL_LINES = ((90, Level.EXCELLENT), (80, Level.GOOD), (70, Level.FAIR), (60, Level.PASS))
ABSENT_SHARE = 0.01
CHEATING_SHARE = 0.001
EXEMPT_SHARE = 0.004
# The makeup exam: a share does not come (缺考); the others' results run lower.
MAKEUP_ABSENT_SHARE = 0.12
MAKEUP_MEAN, MAKEUP_SD = 68.0, 10.0
# Of the registered students still failing a course, those who retake it in a later term.
RETAKE_SHARE = 0.6
# The current term: offerings partly filled in, and the few submitted early.
PARTLY_FILLED_SHARE = 0.15
SUBMITTED_SHARE = 0.03
# Submission dates vary by offering: BUCKETS days, from the offering's id.
BUCKETS = 14
SUBMIT_DAYS_BEFORE_END = 21  # grades come in over the term's last three weeks
MAKEUP_DAYS_INTO_NEXT = 10  # makeup exams in the next term's second week, results after
OFFERINGS_PER_CHUNK = 2000

GRADE_COLUMNS = ("entry", "coursework", "exam", "score", "level", "mark", "makeup_score",
                 "makeup_level", "makeup_mark", "passed", "final_passed", "final_numeric",
                 "updated_at", "updated_by")  # fmt: skip


class _Offering(NamedTuple):
    pk: int
    course_id: int
    teacher_id: int | None
    station_id: int
    program_id: int


class _Failure(NamedTuple):
    """A student still failing a course after the makeup exam: a retake to place (if the
    student is still registered)."""

    student_id: int
    course_id: int
    station_id: int
    program_id: int


# A grade's entered fields: the original result's (coursework, exam, score, level, mark) and
# the makeup exam's (makeup_score, makeup_level, makeup_mark); whole numbers for scores.
Original = tuple[int | None, int | None, int | None, str, str]
Makeup = tuple[int | None, str, str]
EXEMPT: Original = (None, None, None, "", Mark.EXEMPT.value)


class _Derived(NamedTuple):
    columns: tuple[object, ...]  # the grade's, from coursework to final_numeric
    eligible: bool  # takes a makeup exam
    final_passed: bool | None


class _Deriver:
    """What entered fields come to, by grade_services.derive itself; memoized, as the same
    few thousand combinations recur across a school's grades."""

    def __init__(self) -> None:
        self._cache: dict[tuple[object, ...], _Derived] = {}

    def __call__(
        self, scale: str, weight: int, original: Original, makeup: Makeup | None = None
    ) -> _Derived:
        key = (scale, weight, original, makeup)
        derived = self._cache.get(key)
        if derived is None:
            derived = self._cache[key] = self._derive(scale, weight, original, makeup)
        return derived

    @staticmethod
    def _derive(scale: str, weight: int, original: Original, makeup: Makeup | None) -> _Derived:
        coursework, exam, score, level, mark = original
        makeup_score, makeup_level, makeup_mark = makeup or (None, "", "")
        grade = Grade(
            coursework=_decimal(coursework), exam=_decimal(exam), score=_decimal(score),
            level=level, mark=mark, makeup_score=_decimal(makeup_score),
            makeup_level=makeup_level, makeup_mark=makeup_mark,
        )  # fmt: skip
        # As the services do: derived when entered, again when the makeup is submitted.
        derive(grade, scale, weight, with_makeup=False)
        eligible = makeup_eligible(grade)
        if makeup is not None:
            derive(grade, scale, weight, with_makeup=True)
        columns = (grade.coursework, grade.exam, grade.score, grade.level, grade.mark,
                   grade.makeup_score, grade.makeup_level, grade.makeup_mark, grade.passed,
                   grade.final_passed, grade.final_numeric)  # fmt: skip
        return _Derived(columns, eligible, grade.final_passed)


def _decimal(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _clamp(value: float) -> int:
    return min(100, max(0, round(value)))


def _level(scale: str, total: float) -> str:
    if scale == GradingScale.PASS_FAIL:
        return Level.PASSED.value if total >= PASS_FAIL_LINE else Level.FAILED.value
    for line, level in FIVE_LEVEL_LINES:
        if total >= line:
            return level.value
    return Level.FAIL.value


def _draw_result(rng: random.Random, scale: str, weight: int, total: float) -> Original:
    """An original result around `total`, or a mark (absent, cheating, exempt)."""
    chance = rng.random()
    weighted = scale == GradingScale.PERCENT and weight
    if chance < ABSENT_SHARE + CHEATING_SHARE + EXEMPT_SHARE:
        if chance >= ABSENT_SHARE + CHEATING_SHARE:
            return EXEMPT
        mark = Mark.ABSENT.value if chance < ABSENT_SHARE else Mark.CHEATING.value
        # The coursework was in before the exam.
        coursework = _clamp(total + rng.gauss(COURSEWORK_LIFT, 5)) if weighted else None
        return (coursework, None, None, "", mark)
    if scale != GradingScale.PERCENT:
        return (None, None, None, _level(scale, total), "")
    if weighted:
        coursework = _clamp(total + rng.gauss(COURSEWORK_LIFT, 5))
        exam = _clamp((100 * total - weight * coursework) / (100 - weight))
        return (coursework, exam, None, "", "")
    return (None, None, _clamp(total), "", "")


def _draw_makeup(rng: random.Random, scale: str, ability: float) -> Makeup:
    if rng.random() < MAKEUP_ABSENT_SHARE:
        return (None, "", Mark.ABSENT.value)
    total = rng.gauss(MAKEUP_MEAN + ability / 2, MAKEUP_SD)
    if scale == GradingScale.PERCENT:
        return (_clamp(total), "", "")
    return (None, _level(scale, total), "")


def _day_time(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _next_term_start(term: Term) -> dt.date:
    if term.number == TermNumber.FIRST:
        return default_term_dates(term.start_year, TermNumber.SECOND)[0]
    return default_term_dates(term.start_year + 1, TermNumber.FIRST)[0]


def _grades_submitted(term: Term) -> list[dt.datetime]:
    """When an offering's grades were submitted, by its id modulo BUCKETS."""
    first = term.end_date - dt.timedelta(days=SUBMIT_DAYS_BEFORE_END)
    return [_day_time(first + dt.timedelta(days=k), 9 + k % 8) for k in range(BUCKETS)]


def _makeup_submitted(term: Term) -> list[dt.datetime]:
    first = _next_term_start(term) + dt.timedelta(days=MAKEUP_DAYS_INTO_NEXT)
    return [_day_time(first + dt.timedelta(days=k), 9 + k % 8) for k in range(BUCKETS)]


def _by_bucket(times: list[dt.datetime]) -> Case:
    """In SQL, the time of an offering's bucket (its id modulo BUCKETS)."""
    return Case(
        *(When(Exact(F("pk") % BUCKETS, k), then=Value(t)) for k, t in enumerate(times)),
        output_field=DateTimeField(),
    )


def _offerings(term: Term) -> dict[int, _Offering]:
    fields = ("pk", "plan_course__course_id", "teacher_id", "student_class__station_id",
              "student_class__program_id")  # fmt: skip
    rows = CourseOffering.objects.filter(term=term).order_by("pk").values_list(*fields)
    return {row[0]: _Offering(*row) for row in rows}


def _rosters(
    offerings: dict[int, _Offering],
) -> Iterator[tuple[_Offering, list[tuple[int, int, str]]]]:
    """Each offering with its roster (entry id, student id, student number), in order, read a
    chunk of offerings at a time."""
    ids = sorted(offerings)
    for start in range(0, len(ids), OFFERINGS_PER_CHUNK):
        chunk = ids[start : start + OFFERINGS_PER_CHUNK]
        # A run of ids as a range (the index's order, no parameters); a few ids as a list.
        dense = chunk[-1] - chunk[0] < 2 * len(chunk)
        wanted = (
            Q(offering__gte=chunk[0], offering__lte=chunk[-1]) if dense else Q(offering__in=chunk)
        )
        rows = (
            OfferingStudent.objects.filter(wanted)
            .order_by("offering_id", "student_id")  # the unique index's order: no sort
            .values_list("offering_id", "pk", "student_id", "student__student_number")
        )
        for offering_id, group in groupby(rows, key=itemgetter(0)):
            if offering_id in offerings:  # not so for another term's offering in the range
                yield offerings[offering_id], [row[1:] for row in group]


class _GradeMaker:
    """Draws and derives the grades of a term's offerings, as rows for bulk_insert."""

    def __init__(self, rng: random.Random, courses: dict[int, tuple[str, int]]) -> None:
        self.rng = rng
        self.courses = courses
        self.derive = _Deriver()
        self.salt = rng.getrandbits(32)
        self.normal = NormalDist(0, STUDENT_SD)
        self.updated: dict[dt.datetime, object] = {}  # updated_at in database form

    def ability(self, student_number: str) -> float:
        """A student's own level, the same in every course (from the number: no state)."""
        draw = zlib.crc32(student_number.encode(), self.salt)
        return self.normal.inv_cdf((draw + 0.5) / 2**32)

    def updated_at(self, at: dt.datetime) -> object:
        if at not in self.updated:
            self.updated[at] = db_value(Grade, "updated_at", at)
        return self.updated[at]

    def past(
        self, term: Term, offerings: dict[int, _Offering], academic_id: int,
        failures: list[_Failure],
    ) -> Iterator[tuple[object, ...]]:  # fmt: skip
        """Complete, submitted grades with makeup results; the students still failing go
        to `failures`."""
        rng = self.rng
        submitted = [self.updated_at(at) for at in _grades_submitted(term)]
        for offering, roster in _rosters(offerings):
            scale, weight = self.courses[offering.course_id]
            level = MEAN + rng.gauss(0, OFFERING_SD)
            at = submitted[offering.pk % BUCKETS]
            by = offering.teacher_id or academic_id
            for entry_id, student_id, number in roster:
                ability = self.ability(number)
                original = _draw_result(
                    rng, scale, weight, level + ability + rng.gauss(0, RESULT_SD)
                )
                derived = self.derive(scale, weight, original)
                if derived.eligible:
                    makeup = _draw_makeup(rng, scale, ability)
                    derived = self.derive(scale, weight, original, makeup)
                if derived.final_passed is False:
                    failures.append(_Failure(student_id, offering.course_id, offering.station_id,
                                             offering.program_id))  # fmt: skip
                yield (entry_id, *derived.columns, at, by)

    def current(
        self, offerings: dict[int, _Offering], *, submitted: set[int], partly: set[int],
        now: dt.datetime, academic_id: int,
    ) -> Iterator[tuple[object, ...]]:  # fmt: skip
        """The grades entered so far: all of `submitted`, about half of `partly` (with the
        coursework of everyone in a course that has one)."""
        rng = self.rng
        at = self.updated_at(now)
        wanted = {pk: offerings[pk] for pk in sorted(submitted | partly)}
        for offering, roster in _rosters(wanted):
            scale, weight = self.courses[offering.course_id]
            level = MEAN + rng.gauss(0, OFFERING_SD)
            by = offering.teacher_id or academic_id
            filled = len(roster) if offering.pk in submitted else len(roster) // 2
            for index, (entry_id, _student_id, number) in enumerate(roster):
                total = level + self.ability(number) + rng.gauss(0, RESULT_SD)
                original = _draw_result(rng, scale, weight, total)
                if index >= filled:
                    coursework = original[0]
                    if coursework is None or original[4]:
                        continue
                    original = (coursework, None, None, "", "")  # the exam is still to come
                yield (entry_id, *self.derive(scale, weight, original).columns, at, by)


def _place_retakes(
    rng: random.Random, term: Term, offerings: dict[int, _Offering], pending: list[_Failure]
) -> list[_Failure]:
    """Put waiting retakes on this term's offerings of their course at their station (a class
    of their own program if there is one); the others wait for a later term."""
    by_course: dict[tuple[int, int], list[_Offering]] = defaultdict(list)
    for offering in offerings.values():
        by_course[(offering.course_id, offering.station_id)].append(offering)
    waiting: list[_Failure] = []
    rows: list[tuple[object, ...]] = []
    taken: set[tuple[int, int]] = set()
    added_at = db_value(OfferingStudent, "added_at", _day_time(term.start_date, 9))
    for failure in pending:
        choices = by_course.get((failure.course_id, failure.station_id))
        if not choices:
            waiting.append(failure)
            continue
        own = [o for o in choices if o.program_id == failure.program_id]
        offering = rng.choice(own or choices)
        if (offering.pk, failure.student_id) in taken:
            continue
        taken.add((offering.pk, failure.student_id))
        rows.append((offering.pk, failure.student_id, EnrollmentKind.RETAKE.value, added_at))
    bulk_insert(OfferingStudent, ("offering", "student", "kind", "added_at"), rows)
    return waiting


def _retaking(rng: random.Random, failures: list[_Failure]) -> list[_Failure]:
    """The registered students among those still failing, a share of them, who retake."""
    registered: set[int] = set()
    ids = sorted({f.student_id for f in failures})
    for start in range(0, len(ids), 5000):
        registered.update(
            Student.objects.filter(
                pk__in=ids[start : start + 5000], status=StudentStatus.REGISTERED
            ).values_list("pk", flat=True)
        )
    return [f for f in failures if f.student_id in registered and rng.random() < RETAKE_SHARE]


def _current_plan(
    rng: random.Random, term: Term, offerings: dict[int, _Offering], teacher: User
) -> tuple[set[int], set[int]]:
    """The current term's offerings submitted early and those partly filled. The demo
    teacher's largest class has a partly filled grid; the next largest is submitted."""
    submitted: set[int] = set()
    partly: set[int] = set()
    for offering in offerings.values():
        if offering.teacher_id is None:
            continue
        chance = rng.random()
        if chance < SUBMITTED_SHARE:
            submitted.add(offering.pk)
        elif chance < SUBMITTED_SHARE + PARTLY_FILLED_SHARE:
            partly.add(offering.pk)
    largest = list(
        OfferingStudent.objects.filter(offering__term=term, offering__teacher=teacher)
        .values("offering")
        .annotate(size=Count("pk"))
        .order_by("-size", "offering")
        .values_list("offering", flat=True)[:2]
    )
    if largest:
        partly.add(largest[0])
        submitted.discard(largest[0])
    if len(largest) > 1:
        submitted.add(largest[1])
        partly.discard(largest[1])
    return submitted, partly


def _submit(queryset: QuerySet[CourseOffering], times: list[dt.datetime], academic_id: int,
            *, makeup: bool = False) -> None:  # fmt: skip
    """Mark offerings submitted: at their bucket's time, by their teacher (or academic
    affairs for an offering without one)."""
    by = Coalesce(F("teacher"), Value(academic_id), output_field=IntegerField())
    if makeup:
        queryset.update(makeup_submitted_at=_by_bucket(times), makeup_submitted_by=by)
    else:
        queryset.update(grades_submitted_at=_by_bucket(times), grades_submitted_by=by)


def seed_grades(rng: random.Random) -> None:
    """Grades of every past offering, submitted with their makeups; retakes; the current
    term's entry under way; a few change requests. Run after seed_teaching."""
    academic = User.objects.get(username="academic")
    teacher = User.objects.get(username="teacher")
    courses = {
        pk: (scale, weight)
        for pk, scale, weight in Course.objects.values_list(
            "pk", "grading_scale", "coursework_weight"
        )
    }
    current = Term.objects.get(academic_year__start_year=CURRENT[0], number=CURRENT[1])
    terms = list(
        Term.objects.filter(start_date__lte=current.start_date)
        .select_related("academic_year")
        .order_by("start_date")
    )
    maker = _GradeMaker(rng, courses)
    pending: list[_Failure] = []
    progress = Progress(len(terms), "grades")
    for term in terms:
        offerings = _offerings(term)
        pending = _place_retakes(rng, term, offerings, pending)
        if term.pk == current.pk:
            now = timezone.now()
            submitted, partly = _current_plan(rng, term, offerings, teacher)
            bulk_insert(
                Grade,
                GRADE_COLUMNS,
                maker.current(
                    offerings, submitted=submitted, partly=partly, now=now, academic_id=academic.pk
                ),
            )
            ids = sorted(submitted)
            for start in range(0, len(ids), 500):
                CourseOffering.objects.filter(pk__in=ids[start : start + 500]).update(
                    grades_submitted_at=now, grades_submitted_by=F("teacher")
                )
        else:
            failures: list[_Failure] = []
            bulk_insert(Grade, GRADE_COLUMNS, maker.past(term, offerings, academic.pk, failures))
            in_term = CourseOffering.objects.filter(term=term)
            _submit(in_term, _grades_submitted(term), academic.pk)
            makeup = Grade.objects.filter(entry__offering=OuterRef("pk"), passed=False).exclude(
                mark=Mark.CHEATING
            )
            _submit(in_term.filter(Exists(makeup)), _makeup_submitted(term), academic.pk,
                    makeup=True)  # fmt: skip
            pending += _retaking(rng, failures)
        progress.advance(1)
    progress.finish()
    seed_change_requests(rng, current=current, teacher=teacher, academic=academic)


# --- Change requests ---------------------------------------------------------------------

# (who files: the demo teacher or another, the decision, points added, reason, note)
CHANGE_REQUESTS = [
    ("teacher", RequestStatus.APPROVED, 8,
     "期末试卷复核时发现第四大题漏计 8 分，申请更正期末成绩。", "已核对试卷原件，同意更正。"),
    ("other", RequestStatus.APPROVED, 5,
     "登分时将该生期末成绩误录，试卷原件成绩比系统中多 5 分，申请更正。", "与试卷原件一致，同意。"),
    ("other", RequestStatus.REJECTED, 6,
     "学生申请复查试卷，认为论述题评分偏严，申请酌情加分。", "复查结果评分无误，维持原成绩。"),
    ("teacher", RequestStatus.PENDING, 5,
     "成绩汇总时漏计了该生的附加题得分（5 分），申请更正期末成绩。", ""),
]  # fmt: skip


def seed_change_requests(rng: random.Random, *, current: Term, teacher: User,
                         academic: User) -> None:  # fmt: skip
    """A few requests to change submitted grades, filed and decided through the grade
    services (an approval writes the grade history): one still pending, by the demo teacher."""
    other = User.objects.filter(username__in=DEMO_TEACHERS).order_by("username").first()
    chosen: set[int] = set()
    for who, status, points, reason, note in CHANGE_REQUESTS:
        author = teacher if who == "teacher" else other
        if author is None:
            continue
        grades = list(
            Grade.objects.filter(
                Q(exam=None) | Q(exam__lte=100 - points),
                Q(score=None) | Q(score__lte=100 - points),
                entry__offering__teacher=author,
                entry__offering__term__end_date__lt=current.start_date,
                entry__offering__plan_course__course__grading_scale=GradingScale.PERCENT,
                passed=True,
                mark="",
            )
            .exclude(pk__in=chosen)
            .select_related("entry__offering__plan_course__course")
            .order_by("-entry__offering__term__start_date", "entry__offering_id", "entry_id")[:50]
        )
        if not grades:
            continue
        grade = rng.choice(grades)
        chosen.add(grade.pk)
        offering = grade.entry.offering
        field = "exam" if offering.plan_course.course.coursework_weight else "score"
        value = getattr(grade, field) + points
        request = change_request_file(
            actor=author, offering_id=offering.pk, entry_id=grade.pk,
            changes={field: grading.show(value)}, reason=reason,
        )  # fmt: skip
        if status != RequestStatus.PENDING:
            change_request_decide(actor=academic, request_id=request.pk,
                                  approve=status == RequestStatus.APPROVED, note=note)  # fmt: skip
