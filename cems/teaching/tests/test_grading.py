"""The grading rules (cems/teaching/grading.py): parsing, outcomes, makeups, averages."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cems.accounts.models import Role
from cems.catalog.models import GradingScale
from cems.teaching import grade_services as gs
from cems.teaching import grading
from cems.teaching.grading import CourseResult, Level, Mark, Outcome
from cems.teaching.models import Grade

D = Decimal
P, F5, PF = GradingScale.PERCENT, GradingScale.FIVE_LEVEL, GradingScale.PASS_FAIL


@pytest.mark.parametrize(
    ("text", "value"),
    [("85", D(85)), (" 59.5 ", D("59.5")), ("１００", D(100)), ("0", D(0)), ("", None),
     ("60.0", D(60))],
)  # fmt: skip
def test_scores_parse(text, value):
    assert grading.parse_score(text) == value


@pytest.mark.parametrize("text", ["100.1", "-0.5", "八十", "85.55", "inf", "NaN", "1,5"])
def test_bad_scores_are_refused(text):
    with pytest.raises(ValidationError):
        grading.parse_score(text)


@pytest.mark.parametrize(
    ("scale", "text", "value"),
    [(F5, "优", "excellent"), (F5, "良好", "good"), (F5, "C", "fair"), (F5, "及格", "pass"),
     (F5, "不及格", "fail"), (PF, "合格", "passed"), (PF, "不合格", "failed"),
     (PF, "Pass", "passed"), (F5, "pass", "pass"), (F5, "", "")],
)  # fmt: skip
def test_levels_parse_by_word(scale, text, value):
    assert grading.parse_level(scale, text) == value


@pytest.mark.parametrize(("scale", "text"), [(F5, "合格"), (PF, "优"), (F5, "85")])
def test_a_level_of_another_scale_is_refused(scale, text):
    with pytest.raises(ValidationError):
        grading.parse_level(scale, text)


def test_marks_parse():
    assert [grading.parse_mark(t) for t in ("缺考", "exempt", "作弊", "", "—")] == [
        "absent", "exempt", "cheating", "", ""
    ]  # fmt: skip
    with pytest.raises(ValidationError):
        grading.parse_mark("病假")


def test_show():
    assert [grading.show(v) for v in (D("85.0"), D("85.5"), D(100), None, "good")] == [
        "85", "85.5", "100", "", "good"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("coursework", "exam", "weight", "total"),
    [(D(80), D(55), 30, D(63)), (D(90), D(50), 50, D(70)), (D(59), D(59), 40, D(59)),
     (D("59.5"), D("59.5"), 30, D(60)), (None, D(80), 30, None)],
)  # fmt: skip
def test_weighted_total(coursework, exam, weight, total):
    assert grading.weighted_total(coursework, exam, weight) == total


def test_outcomes():
    assert grading.outcome(P, score=D(60), level="", mark="") == Outcome(True, D(60))
    assert grading.outcome(P, score=D("59.9"), level="", mark="") == Outcome(False, D("59.9"))
    assert grading.outcome(P, score=None, level="", mark="") == grading.NO_RESULT
    assert grading.outcome(P, score=D(90), level="", mark=Mark.ABSENT) == Outcome(False, D(0))
    assert grading.outcome(F5, score=None, level=Level.GOOD, mark="") == Outcome(True, D(85))
    assert grading.outcome(F5, score=None, level=Level.FAIL, mark="").passed is False
    assert grading.outcome(PF, score=None, level=Level.PASSED, mark="") == Outcome(True, None)
    assert grading.outcome(P, score=None, level="", mark=Mark.EXEMPT) == Outcome(True, None)


def test_final_rules(settings):
    failed, makeup = Outcome(False, D(40)), Outcome(True, D(75))
    assert grading.final(failed, makeup) == Outcome(True, D(60))
    settings.CEMS_MAKEUP_FINAL_RULE = "makeup"
    assert grading.final(failed, makeup) == makeup
    assert grading.final(failed, Outcome(False, D(30))) == Outcome(False, D(40))
    assert grading.final(Outcome(True, D(80)), makeup) == Outcome(True, D(80))
    assert grading.final(failed, grading.NO_RESULT) == failed


def test_grade_points():
    assert grading.grade_point(Outcome(True, D(60))) == D("1.0")
    assert grading.grade_point(Outcome(True, D(95))) == D("4.5")
    assert grading.grade_point(Outcome(False, D(59))) == D(0)
    assert grading.grade_point(Outcome(True, None)) is None


def result(
    course: int, credits: int, passed: bool, numeric: int | None, degree: bool = False
) -> CourseResult:
    return CourseResult(course, D(credits), degree, passed, None if numeric is None else D(numeric))


def test_summary_weights_by_credits_and_takes_the_best_attempt():
    rows = [
        result(1, 4, True, 90, degree=True),  # 4.0 points
        result(2, 2, False, 40),  # failed, then passed on retake:
        result(2, 2, True, 70),  # 2.0 points
        result(3, 1, True, None),  # pass/fail: credits, not in averages
        result(4, 3, False, 50, degree=True),  # failed: 0 points
    ]
    summary = grading.summarize(rows)
    assert (summary.courses, summary.passed, summary.failed) == (4, 3, 1)
    assert summary.credits_earned == D(7)
    assert summary.gpa == D("2.22")  # (4×4.0 + 2×2.0 + 3×0) / 9
    assert summary.average == D("72.22")  # (4×90 + 2×70 + 3×50) / 9
    assert summary.degree_average == D("72.86")  # (4×90 + 3×50) / 7


def test_summary_of_nothing():
    summary = grading.summarize([])
    assert summary.courses == 0
    assert summary.gpa is None
    assert summary.average is None


def test_the_admin_cannot_edit_grades(gradebook, users, client_for):
    teacher = users[Role.TEACHER]
    gs.grades_save(actor=teacher, offering_id=gradebook.offering.pk,
                   edits=[gs.CellEdit(gradebook.entries["a1"].pk, "score", "70", "")])  # fmt: skip
    admin = client_for("admin")
    pk = gradebook.entries["a1"].pk
    change = reverse("admin:teaching_grade_change", args=[pk])
    assert admin.get(change).status_code == 200  # a read-only view
    admin.post(change, {"score": "99"})
    assert admin.post(reverse("admin:teaching_grade_delete", args=[pk])).status_code == 403
    assert Grade.objects.get(pk=pk).score == 70
