"""The grading rules, as pure functions: what a cell may hold, what a grade comes to.

Every place that reads or writes a grade — the web grid, the Excel sheet, change requests,
the demo data — parses cells with `parse_cell` and derives a grade's outcome with
`outcome`; every average is computed by `summarize`. So a rule changes in one place.

The rules (DOMAIN.md, Grades):
- 百分制: scores 0–100 with at most one decimal; pass at CEMS_PASS_SCORE (60). A course
  with a coursework weight w takes a coursework (平时) and an exam (期末) score; the total
  is coursework × w% + exam × (100 − w)%, rounded half up to a whole number.
- 五级制: 优/良/中/及格/不及格, counted in averages as CEMS_FIVE_LEVEL_SCORES.
- 合格制 (pass/fail): passes or not; not counted in averages or the grade point average.
- Marks of their own: absent (缺考) and cheating (作弊) fail with 0; exempt (免修) passes
  and is not counted in averages. A student marked cheating takes no makeup exam.
- A failed student's makeup exam (补考) gives one result beside the original; the final
  grade follows CEMS_MAKEUP_FINAL_RULE: "pass_at_60" (a passed makeup counts as the pass
  score), "makeup" (the makeup's own result) or "higher" (the better of the two).
- Grade points: (score − 50) / 10 for a pass (60 → 1.0, 100 → 5.0), 0 for a fail; the
  grade point average and the averages are weighted by credits.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cems.catalog.models import GradingScale

HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")


class Level(models.TextChoices):
    """Results of the five-level and pass/fail scales."""

    EXCELLENT = "excellent", _("Excellent (优)")
    GOOD = "good", _("Good (良)")
    FAIR = "fair", _("Fair (中)")
    PASS = "pass", _("Pass (及格)")
    FAIL = "fail", _("Fail (不及格)")
    PASSED = "passed", _("Passed (合格)")
    FAILED = "failed", _("Failed (不合格)")


FIVE_LEVELS = (Level.EXCELLENT, Level.GOOD, Level.FAIR, Level.PASS, Level.FAIL)
PASS_FAIL_LEVELS = (Level.PASSED, Level.FAILED)
FAILING_LEVELS = frozenset({Level.FAIL, Level.FAILED})


class Mark(models.TextChoices):
    NONE = "", _("—")
    ABSENT = "absent", _("Absent (缺考)")
    EXEMPT = "exempt", _("Exempt (免修)")
    CHEATING = "cheating", _("Cheating (作弊)")


# What may be typed for a level or a mark, besides its code: the Chinese and English words.
_LEVEL_WORDS = {
    Level.EXCELLENT: ("优", "优秀", "a", "excellent"),
    Level.GOOD: ("良", "良好", "b", "good"),
    Level.FAIR: ("中", "中等", "c", "fair"),
    Level.PASS: ("及格", "d", "pass"),
    Level.FAIL: ("不及格", "f", "fail"),
    Level.PASSED: ("合格", "通过", "passed", "p", "pass"),
    Level.FAILED: ("不合格", "不通过", "failed", "np", "fail"),
}
_MARK_WORDS = {
    Mark.ABSENT: ("缺考", "absent"),
    Mark.EXEMPT: ("免修", "免考", "exempt"),
    Mark.CHEATING: ("作弊", "cheating"),
}
LEVEL_LABELS_ZH = {Level.EXCELLENT: "优", Level.GOOD: "良", Level.FAIR: "中",
                   Level.PASS: "及格", Level.FAIL: "不及格", Level.PASSED: "合格",
                   Level.FAILED: "不合格"}  # fmt: skip
MARK_LABELS_ZH = {Mark.ABSENT: "缺考", Mark.EXEMPT: "免修", Mark.CHEATING: "作弊"}

# The fields of a grade, in the order of the grid and the sheet.
SCORE_FIELDS = ("coursework", "exam", "score", "makeup_score")
LEVEL_FIELDS = ("level", "makeup_level")
MARK_FIELDS = ("mark", "makeup_mark")
ORIGINAL_FIELDS = ("coursework", "exam", "score", "level", "mark")
MAKEUP_FIELDS = ("makeup_score", "makeup_level", "makeup_mark")
FIELD_LABELS = {
    "coursework": _("Coursework"),
    "exam": _("Exam"),
    "score": _("Score"),
    "level": _("Result"),
    "mark": _("Mark"),
    "makeup_score": _("Makeup score"),
    "makeup_level": _("Makeup result"),
    "makeup_mark": _("Makeup mark"),
}


def entry_fields(scale: str, coursework_weight: int, *, makeup: bool = False) -> tuple[str, ...]:
    """The fields a teacher fills for a course: its original grade's, or its makeup's (a
    makeup exam gives a single result, whatever the weights)."""
    if makeup:
        result = "makeup_score" if scale == GradingScale.PERCENT else "makeup_level"
        return (result, "makeup_mark")
    if scale != GradingScale.PERCENT:
        return ("level", "mark")
    if coursework_weight:
        return ("coursework", "exam", "mark")
    return ("score", "mark")


def levels_for(scale: str) -> tuple[Level, ...]:
    return PASS_FAIL_LEVELS if scale == GradingScale.PASS_FAIL else FIVE_LEVELS


def _normal(text: str) -> str:
    """Full-width digits and letters as ASCII, no surrounding spaces, lower case."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def parse_score(text: str) -> Decimal | None:
    """A score 0–100 with at most one decimal; empty gives None."""
    value = _normal(text)
    if not value:
        return None
    try:
        score = Decimal(value)
    except InvalidOperation:
        raise ValidationError(_("Enter a number from 0 to 100."), code="not_a_number") from None
    if not score.is_finite() or not 0 <= score <= HUNDRED:
        raise ValidationError(_("Enter a number from 0 to 100."), code="out_of_range")
    if score != score.quantize(ONE_DECIMAL):
        raise ValidationError(_("Use at most one decimal."), code="too_precise")
    return score.quantize(ONE_DECIMAL)


def parse_level(scale: str, text: str) -> str:
    """A result of the course's scale, by code or by its Chinese or English word."""
    value = _normal(text)
    if not value:
        return ""
    for level in levels_for(scale):
        if value == level.value or value in _LEVEL_WORDS[level]:
            return level.value
    words = "/".join(LEVEL_LABELS_ZH[level] for level in levels_for(scale))
    raise ValidationError(_("Enter one of %(words)s.") % {"words": words}, code="unknown_level")


def parse_mark(text: str) -> str:
    value = _normal(text)
    if not value or value in ("-", "—", "none"):
        return ""
    for mark, words in _MARK_WORDS.items():
        if value == mark.value or value in words:
            return mark.value
    raise ValidationError(_("Enter 缺考, 免修, 作弊 or nothing."), code="unknown_mark")


def parse_cell(scale: str, field: str, text: str) -> Decimal | str | None:
    """The value of one grade field typed as `text`; ValidationError says what is wrong."""
    if field in SCORE_FIELDS:
        return parse_score(text)
    if field in LEVEL_FIELDS:
        return parse_level(scale, text)
    if field in MARK_FIELDS:
        return parse_mark(text)
    raise ValidationError(_("Unknown grade field."), code="unknown_field")


def show(value: Decimal | str | None) -> str:
    """A field's value as the grid and the sheet show it: 85, 85.5, a level's code, ''."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"
    return value


def weighted_total(coursework: Decimal | None, exam: Decimal | None, weight: int) -> Decimal | None:
    """The total of a course with a coursework weight (None until both parts are in)."""
    if coursework is None or exam is None:
        return None
    total = (coursework * weight + exam * (100 - weight)) / HUNDRED
    return total.quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Outcome:
    """What a result comes to: None everywhere while there is no result yet."""

    passed: bool | None
    numeric: Decimal | None  # counted in averages; None for pass/fail and exempt

    @property
    def graded(self) -> bool:
        return self.passed is not None


NO_RESULT = Outcome(passed=None, numeric=None)


def pass_score() -> Decimal:
    return Decimal(settings.CEMS_PASS_SCORE)


def outcome(scale: str, *, score: Decimal | None, level: str, mark: str) -> Outcome:
    """A result's outcome: from its mark if it has one, else from its score or level."""
    if mark == Mark.EXEMPT:
        return Outcome(passed=True, numeric=None)
    if mark in (Mark.ABSENT, Mark.CHEATING):
        return Outcome(passed=False, numeric=Decimal(0))
    if scale == GradingScale.PERCENT:
        if score is None:
            return NO_RESULT
        return Outcome(passed=score >= pass_score(), numeric=score)
    if not level:
        return NO_RESULT
    if scale == GradingScale.PASS_FAIL:
        return Outcome(passed=level == Level.PASSED, numeric=None)
    numeric = Decimal(settings.CEMS_FIVE_LEVEL_SCORES[level])
    return Outcome(passed=level not in FAILING_LEVELS, numeric=numeric)


def final(original: Outcome, makeup: Outcome) -> Outcome:
    """The grade that counts, from the original and the makeup exam (CEMS_MAKEUP_FINAL_RULE)."""
    if original.passed is not False or not makeup.graded:
        return original
    rule = settings.CEMS_MAKEUP_FINAL_RULE
    better = max((o.numeric for o in (original, makeup) if o.numeric is not None), default=None)
    if not makeup.passed:
        return Outcome(passed=False, numeric=better)
    if rule == "makeup" or makeup.numeric is None:
        return makeup
    if rule == "higher":
        return Outcome(passed=True, numeric=better)
    return Outcome(passed=True, numeric=pass_score())  # "pass_at_60"


def grade_point(result: Outcome) -> Decimal | None:
    """(score − 50) / 10 for a pass, 0 for a fail; None where the result has no score."""
    if result.numeric is None or result.passed is None:
        return None
    if not result.passed:
        return Decimal(0)
    return ((result.numeric - 50) / 10).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CourseResult:
    """One course's result as it counts for a student (see `best_attempts`)."""

    course_id: int
    credits: Decimal
    is_degree_course: bool
    passed: bool | None
    numeric: Decimal | None


@dataclass(frozen=True)
class Summary:
    courses: int
    passed: int
    failed: int
    credits_earned: Decimal
    gpa: Decimal | None
    average: Decimal | None
    degree_average: Decimal | None


def best_attempts(results: Iterable[CourseResult]) -> list[CourseResult]:
    """One result per course: a pass before a fail, then the higher score (a retake that
    passes replaces the failed attempt; a failed retake does not lower a result)."""
    best: dict[int, CourseResult] = {}
    for result in results:
        held = best.get(result.course_id)
        if held is None or _rank(result) > _rank(held):
            best[result.course_id] = result
    return list(best.values())


def _rank(result: CourseResult) -> tuple[bool, Decimal]:
    return (bool(result.passed), result.numeric if result.numeric is not None else Decimal(-1))


def _weighted(pairs: list[tuple[Decimal, Decimal]]) -> Decimal | None:
    weight = sum((credits for _value, credits in pairs), Decimal(0))
    if not weight:
        return None
    total = sum((value * credits for value, credits in pairs), Decimal(0))
    return (total / weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def summarize(results: Iterable[CourseResult]) -> Summary:
    """Counts, credits earned and the credit-weighted grade point average, average score
    and degree-course average over each course's best attempt."""
    courses = [r for r in best_attempts(results) if r.passed is not None]
    scored = [r for r in courses if r.numeric is not None]
    points = [(grade_point(Outcome(r.passed, r.numeric)) or Decimal(0), r.credits) for r in scored]
    return Summary(
        courses=len(courses),
        passed=sum(1 for r in courses if r.passed),
        failed=sum(1 for r in courses if not r.passed),
        credits_earned=sum((r.credits for r in courses if r.passed), Decimal(0)),
        gpa=_weighted(points),
        average=_weighted([(r.numeric, r.credits) for r in scored if r.numeric is not None]),
        degree_average=_weighted(
            [(r.numeric, r.credits) for r in scored if r.is_degree_course and r.numeric is not None]
        ),
    )
