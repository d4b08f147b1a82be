"""The audits' engine: what is known of many students at once, and the verdict on each.

`load_facts(students)` reads, in four queries whatever the number of students, everything
the graduation audit and the degree audit (cems/graduation/degree.py) decide on: the
student's record and program, the teaching plan of their program and cohort, each course's
best attempt over the offerings whose grades are submitted with the credits and averages
those give (cems.teaching.grading's rules), and the fees owed (cems.finance.ledger).
`graduation_verdict(facts, today=...)` is a pure function of those facts.

Measured on the demo school (15,700 students audited, 176,000 submitted grades, SQLite,
`python -m bench.audit`): about 0.8 s for the facts and 0.15 s for the verdicts. In SQLite
a GROUP BY student and course over the grades costs more than reading the narrow rows
and folding them here; the rows are read through the cursor as integers, without the
ORM's per-value conversions, and a large audit reads the grade table in its own order
(SCAN_ABOVE) rather than through the students' index.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, NamedTuple

from django.db import connections
from django.db.models import F, IntegerField, Q, QuerySet
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext as _

from cems.catalog.models import Level, PlanCourse
from cems.finance.ledger import owed_by_student
from cems.graduation import reasons
from cems.graduation.reasons import Reason, reason
from cems.students.models import Student, StudentStatus
from cems.students.status import add_months, study_start
from cems.teaching.grading import show
from cems.teaching.models import Grade

# Above this many students, the grades are read in the grade table's own order and those
# of other students skipped: on SQLite that is several times faster than looking up each
# student's grades through the roster's index, which a small audit does.
SCAN_ABOVE = 4000

# The graduation audit considers the students still on the books: registered ones, and
# those suspended or deferred (not eligible, for their status). Graduated, withdrawn and
# transferred students are not audited.
GRADUATION_STATUSES = (StudentStatus.REGISTERED, StudentStatus.SUSPENDED, StudentStatus.DEFERRED)

_REGISTERED = StudentStatus.REGISTERED.value
_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")
ZERO = Decimal(0)


# --- Facts -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProgramFacts:
    id: int
    level: str  # cems.catalog.models.Level
    standard_length_years: Decimal
    credits_to_graduate: int

    @property
    def is_bachelor(self) -> bool:
        return self.level in Level.bachelor_levels()


@dataclass(frozen=True, slots=True)
class PlanCourseFacts:
    """A course of the student's teaching plan (the plan of their program and cohort)."""

    course_id: int
    code: str
    name: str
    credits: Decimal
    term: int
    is_required: bool
    is_degree_course: bool
    # The course as a reason names it (plain JSON), made once for every student of the plan:
    # read it, never change it.
    param: dict[str, str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        param = {"code": self.code, "name": self.name, "credits": _show(self.credits)}
        object.__setattr__(self, "param", param)

    def as_param(self, **extra: str) -> dict[str, str]:
        """The course as a reason names it, with extra details (a score)."""
        return {**self.param, **extra} if extra else self.param


class Attempt(NamedTuple):
    """A course's best attempt (cems.teaching.grading.best_attempts: a pass before a fail,
    then the higher score) over the offerings whose grades are submitted. Credits and flags
    are those of the plan course the attempt was taught as."""

    course_id: int
    credits: Decimal
    is_required: bool
    is_degree_course: bool
    passed: bool | None  # None: no result (does not occur once grades are submitted)
    numeric: Decimal | None  # None: pass/fail or exempt, not counted in averages


# A grade row as the facts query reads it: student id, course id, credits in tenths,
# required (0/1), degree course (0/1), passed (0/1/None), score in tenths (or None).
_Row = tuple[int, int, int, int, int, int | None, int | None]
_CREDITS: Final = 2
_REQUIRED: Final = 3
_DEGREE: Final = 4
_PASSED: Final = 5
_NUMERIC: Final = 6


class BestAttempts(Mapping[int, Attempt]):
    """A student's best attempt per course: course id -> Attempt; a course never attempted
    in a submitted offering is absent. The rows are kept as read and made into Attempts
    when looked at: an audit of the whole school only asks whether a course is passed."""

    __slots__ = ("_rows",)

    def __init__(self, rows: dict[int, _Row]) -> None:
        self._rows = rows

    def __getitem__(self, course_id: int) -> Attempt:
        row = self._rows[course_id]
        numeric = row[_NUMERIC]
        return Attempt(
            course_id,
            _TENTHS[row[_CREDITS]],
            row[_REQUIRED] == 1,
            row[_DEGREE] == 1,
            _FLAGS[row[_PASSED]],
            None if numeric is None else _TENTHS[numeric],
        )

    def __contains__(self, course_id: object) -> bool:
        return course_id in self._rows

    def __iter__(self) -> Iterator[int]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"BestAttempts({dict(self)!r})"


@dataclass(slots=True)
class StudentFacts:
    """Everything both audits decide on for one student.

    - `best`: course id -> its best attempt (a Mapping, see BestAttempts); a course never
      attempted in a submitted offering is absent.
    - `plan`: the courses of the teaching plan of the student's program and cohort year
      (shared between the students of that plan; empty when there is no plan).
    - `credits_earned`, `average`, `degree_average`: over the best attempts, as
      cems.teaching.grading.summarize computes them (credits of passed courses; averages
      weighted by credits over the scored courses; None when nothing is scored).
    - `fees_owed`: what the student owes in all (0 when nothing; cems.finance.ledger).
    """

    student_id: int
    student_number: str
    name: str
    station_id: int
    cohort_year: int
    status: str
    program: ProgramFacts
    plan: tuple[PlanCourseFacts, ...]
    best: BestAttempts
    credits_earned: Decimal
    average: Decimal | None
    degree_average: Decimal | None
    fees_owed: Decimal


def load_facts(students: QuerySet[Student]) -> dict[int, StudentFacts]:
    """The facts of the students, by student id: four queries (students with their
    programs, plan courses, grades, fees), however many students there are."""
    rows = list(
        students.order_by().values_list(
            "pk", "student_number", "name", "station_id", "cohort_year", "status",
            "program_id", "program__level", "program__standard_length_years",
            "program__credits_to_graduate",
        )
    )  # fmt: skip
    if not rows:
        return {}
    programs: dict[int, ProgramFacts] = {}
    for program_id, level, length, credits in (row[6:] for row in rows):
        if program_id not in programs:
            programs[program_id] = ProgramFacts(program_id, level, length, credits)
    plans = _plans({(row[6], row[4]) for row in rows})
    best, totals = _best_attempts(students, {row[0] for row in rows})
    owed = owed_by_student(students)
    facts: dict[int, StudentFacts] = {}
    for pk, number, name, station_id, cohort_year, status, program_id, *_program in rows:
        earned, total, weight, degree_total, degree_weight = totals[pk]
        facts[pk] = StudentFacts(
            student_id=pk,
            student_number=number,
            name=name,
            station_id=station_id,
            cohort_year=cohort_year,
            status=status,
            program=programs[program_id],
            plan=plans.get((program_id, cohort_year), ()),
            best=best[pk],
            credits_earned=_TENTHS[earned],
            average=_average(total, weight),
            degree_average=_average(degree_total, degree_weight),
            fees_owed=owed.get(pk, ZERO),
        )
    return facts


def _plans(keys: set[tuple[int, int]]) -> dict[tuple[int, int], tuple[PlanCourseFacts, ...]]:
    """The courses of the teaching plans of (program, admission year) pairs: one query (a
    superset by program and year, narrowed here)."""
    rows = (
        PlanCourse.objects.filter(
            plan__program_id__in={program for program, _year in keys},
            plan__admission_year__in={year for _program, year in keys},
        )
        .order_by("term", "course__code")
        .values_list(
            "plan__program_id", "plan__admission_year", "course_id", "course__code",
            "course__name", "credits", "term", "is_required", "is_degree_course",
        )
    )  # fmt: skip
    plans: dict[tuple[int, int], list[PlanCourseFacts]] = {}
    for program, year, course, code, name, credits, term, required, degree in rows:
        if (program, year) in keys:
            plans.setdefault((program, year), []).append(
                PlanCourseFacts(course, code, name, credits, term, required, degree)
            )
    return {key: tuple(courses) for key, courses in plans.items()}


# A student's totals over their best attempts, in whole tenths (credits) and hundredths
# (score × credits): credits earned, the weighted scores and their weight, the same over
# degree courses.
_Totals = list[int]


def _best_attempts(
    students: QuerySet[Student], ids: set[int]
) -> tuple[dict[int, BestAttempts], dict[int, _Totals]]:
    """Each student's best attempt per course over submitted offerings, and the totals of
    those attempts that credits and averages are made of: one query.

    Scores and credits are read as whole tenths and flags as 0/1 through the cursor, which
    spares the ORM's per-value conversions: at 150,000 rows, most of the time went there."""
    grades = Grade.objects.filter(entry__offering__grades_submitted_at__isnull=False)
    if len(ids) <= SCAN_ABOVE:
        grades = grades.filter(entry__student__in=students.order_by().values("pk"))
    query = grades.values_list(
        "entry__student_id",
        "entry__offering__plan_course__course_id",
        _tenths("entry__offering__plan_course__credits"),
        _flag("entry__offering__plan_course__is_required"),
        _flag("entry__offering__plan_course__is_degree_course"),
        _flag("final_passed"),
        _tenths("final_numeric"),
    ).query
    sql, params = query.sql_with_params()
    best: dict[int, dict[int, _Row]] = {pk: {} for pk in ids}
    totals: dict[int, _Totals] = {pk: [0, 0, 0, 0, 0] for pk in ids}
    with connections[grades.db].cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(10_000):
            for row in chunk:
                courses = best.get(row[0])
                if courses is None:  # another student's grade (a large audit reads them all)
                    continue
                held = courses.get(row[1])
                if held is not None:
                    if _rank(row) <= _rank(held):
                        continue
                    _count(totals[row[0]], held, -1)
                courses[row[1]] = row
                _count(totals[row[0]], row, 1)
    return {pk: BestAttempts(rows) for pk, rows in best.items()}, totals


def _rank(row: _Row) -> tuple[int, int]:
    """The better attempt ranks higher: a pass before a fail, then the higher score."""
    numeric = row[_NUMERIC]
    return (row[_PASSED] or 0, -1 if numeric is None else numeric)


def _count(total: _Totals, row: _Row, sign: int) -> None:
    """Add (sign 1) or take away (-1) an attempt's part of the totals."""
    passed, numeric, credits = row[_PASSED], row[_NUMERIC], row[_CREDITS]
    if passed is None:
        return
    if passed:
        total[0] += sign * credits
    if numeric is not None:
        total[1] += sign * numeric * credits
        total[2] += sign * credits
        if row[_DEGREE]:
            total[3] += sign * numeric * credits
            total[4] += sign * credits


def _average(total: int, weight: int) -> Decimal | None:
    """A credit-weighted average from the totals (score tenths × credit tenths over credit
    tenths), rounded as cems.teaching.grading does."""
    if not weight:
        return None
    return (Decimal(total) / (weight * 10)).quantize(_CENT, rounding=ROUND_HALF_UP)


def _tenths(field: str) -> Cast:
    """A one-decimal number as whole tenths (72.5 -> 725)."""
    return Cast(Round(F(field) * 10), IntegerField())


def _flag(field: str) -> Cast:
    return Cast(F(field), IntegerField())


class _DecimalTenths(dict[int, Decimal]):
    """Whole tenths as one-decimal Decimals (725 -> 72.5), each made once."""

    def __missing__(self, tenths: int) -> Decimal:
        value = self[tenths] = (Decimal(tenths) / 10).quantize(_TENTH)
        return value


_TENTHS = _DecimalTenths()
_show = functools.lru_cache(maxsize=1024)(show)
_FLAGS = {None: None, 0: False, 1: True}


# --- Verdicts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    reasons: list[Reason]  # every reason the student is not eligible; empty when eligible
    credits_earned: Decimal
    average: Decimal | None


def standard_length_served_on(cohort_year: int, standard_length_years: Decimal) -> dt.date:
    """The day the standard length is served: the cohort's studies start on the 1st of
    CEMS_ACADEMIC_YEAR_START_MONTH of its year."""
    months = int((standard_length_years * 12).to_integral_value(rounding=ROUND_HALF_UP))
    return add_months(study_start(cohort_year), months)


class Shared:
    """What the students of one audit share, worked out once: the day each cohort serves
    its standard length, each plan's required courses, and each reason given to many (one
    object for every student missing the same courses or short of the same credits, which
    the results' writer encodes once)."""

    def __init__(self) -> None:
        self.served_on: dict[tuple[int, Decimal], dt.date] = {}
        self.required: dict[int, tuple[PlanCourseFacts, ...]] = {}
        self.missing: dict[tuple[int, ...], Reason] = {}
        self.reasons: dict[tuple[object, ...], Reason] = {}

    def served(self, facts: StudentFacts) -> dt.date:
        key = (facts.cohort_year, facts.program.standard_length_years)
        if key not in self.served_on:
            self.served_on[key] = standard_length_served_on(*key)
        return self.served_on[key]

    def required_of(self, plan: tuple[PlanCourseFacts, ...]) -> tuple[PlanCourseFacts, ...]:
        key = id(plan)  # plans are shared tuples, alive as long as the facts
        if key not in self.required:
            self.required[key] = tuple(course for course in plan if course.is_required)
        return self.required[key]

    def missing_reason(self, courses: list[PlanCourseFacts]) -> Reason:
        key = tuple(course.course_id for course in courses)
        if key not in self.missing:
            params = [course.param for course in courses]
            self.missing[key] = reason("required_missing", courses=params)
        return self.missing[key]

    def reason(self, code: str, **params: str) -> Reason:
        """reason(code, **params) with plain text params, one object per distinct one."""
        key = (code, *params.items())
        if key not in self.reasons:
            self.reasons[key] = reason(code, **params)
        return self.reasons[key]


def graduation_verdict(
    facts: StudentFacts, *, today: dt.date, shared: Shared | None = None
) -> Verdict:
    """Eligible to graduate, or not with every reason (DOMAIN.md, graduation audit).
    Reasons in `shared` may be shared between verdicts: read them, never change them."""
    shared = shared or Shared()
    found: list[Reason] = []
    if facts.status != _REGISTERED:
        found.append(shared.reason("status", status=facts.status))
    served_on = shared.served(facts)
    if today < served_on:
        found.append(shared.reason("length_not_served", until=served_on.isoformat()))
    credits = Decimal(facts.program.credits_to_graduate)
    if facts.credits_earned < credits:
        found.append(
            shared.reason(
                "credits_short",
                earned=show(facts.credits_earned),
                required=show(credits),
                short=show(credits - facts.credits_earned),
            )
        )
    required = shared.required_of(facts.plan)
    rows = facts.best._rows
    missing = [course for course in required if course.course_id not in rows]
    failed: list[dict[str, str]] = []
    if len(missing) < len(required):
        # Some were attempted: name the failed ones (and count one without a result as
        # not taken), in the plan's order.
        missing = []
        for course in required:
            row = rows.get(course.course_id)
            if row is None or row[_PASSED] is None:
                missing.append(course)
            elif not row[_PASSED]:
                numeric = row[_NUMERIC]
                score = {} if numeric is None else {"score": show(_TENTHS[numeric])}
                failed.append(course.as_param(**score))
    if missing:
        found.append(shared.missing_reason(missing))
    if failed:
        found.append(reason("required_failed", courses=failed))
    if facts.fees_owed > 0:
        found.append(shared.reason("fees_owed", amount=f"{facts.fees_owed:.2f}"))
    return Verdict(
        eligible=not found,
        reasons=found,
        credits_earned=facts.credits_earned,
        average=facts.average,
    )


def graduation_verdicts(facts: dict[int, StudentFacts], today: dt.date) -> dict[int, Verdict]:
    """The verdicts of many students (what they share worked out once)."""
    shared = Shared()
    return {pk: graduation_verdict(item, today=today, shared=shared) for pk, item in facts.items()}


def describe(item: Reason) -> str:
    """A stored reason as a sentence in the page's language."""
    return reasons.render(item)


def describe_all(items: list[Reason]) -> list[str]:
    return [describe(item) for item in items]


def reason_choices() -> list[tuple[str, str]]:
    """The reason codes of the graduation audit, labelled, for a filter."""
    return [
        ("status", _("Status not registered")),
        ("length_not_served", _("Standard length not served")),
        ("credits_short", _("Credits short")),
        ("required_missing", _("Required courses not taken")),
        ("required_failed", _("Required courses failed")),
        ("fees_owed", _("Fees owed")),
    ]


# --- Who is audited ------------------------------------------------------------------------


def audit_students(
    *, cohort_year: int | None = None, station_id: int | None = None
) -> QuerySet[Student]:
    """The students a graduation audit of a cohort, a station or the whole school (both
    None) considers."""
    conditions = Q(status__in=GRADUATION_STATUSES)
    if cohort_year is not None:
        conditions &= Q(cohort_year=cohort_year)
    if station_id is not None:
        conditions &= Q(station_id=station_id)
    return Student.objects.filter(conditions)
