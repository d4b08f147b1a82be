"""The grade grid: an offering's roster with a column per grade field. Each cell is saved on
its own as soon as it is typed (htmx posts it on `change`); the grades, then the makeup
results of the students who failed, are submitted when complete and are locked from then
on. Reads go through the selectors, writes through grade_services."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cems.accounts.access import (
    AnyUser,
    Capability,
    get_in_scope_or_404,
    gradable_offerings_for,
    require_capability,
    signed_in_user,
)
from cems.catalog.models import GradingScale
from cems.teaching import grade_selectors, grade_services, grading, selectors
from cems.teaching.grade_services import CellEdit, GradeEntryError, makeup_eligible, scale_of
from cems.teaching.models import CourseOffering, Grade, GradeChangeRequest, OfferingStudent

MARK_HINT = "/".join(grading.MARK_LABELS_ZH.values())


@dataclass
class Cell:
    entry_id: int
    field: str
    text: str  # what the cell shows: the stored value, or the text typed when refused
    expected: str  # the stored value the user saw, sent back to detect a save meanwhile
    editable: bool
    error: str = ""
    conflict: bool = False


@dataclass(frozen=True)
class RowState:
    """What a row's results come to: the weighted total (None where the course has none)
    and whether it passes (None until there is a result)."""

    entry_id: int
    total: str | None
    passed: bool | None


@dataclass
class Row:
    entry: OfferingStudent
    cells: list[Cell]
    state: RowState
    original: str  # the makeup grid shows the original result beside the makeup's
    makeup: bool  # on the makeup list
    pending_request: GradeChangeRequest | None


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    hint: str


def _typed(field: str, value: str) -> str:
    """A stored value as a cell shows it: levels and marks as the words teachers type."""
    if value and field in grading.LEVEL_FIELDS:
        return grading.LEVEL_LABELS_ZH[grading.Level(value)]
    if value and field in grading.MARK_FIELDS:
        return grading.MARK_LABELS_ZH[grading.Mark(value)]
    return value


def _stored(grade: Grade | None, field: str) -> str:
    return grading.show(getattr(grade, field)) if grade is not None else ""


def _columns(scale: str, fields: tuple[str, ...]) -> list[Column]:
    levels = "/".join(grading.LEVEL_LABELS_ZH[level] for level in grading.levels_for(scale))
    hints = {"level": levels, "mark": MARK_HINT}
    return [
        Column(name, str(grading.FIELD_LABELS[name]), hints.get(name.removeprefix("makeup_"), ""))
        for name in fields
    ]


def _phase_open(offering: CourseOffering, *, makeup: bool) -> bool:
    if makeup:
        return offering.grades_locked and not offering.makeup_locked
    return not offering.grades_locked


def _row_state(
    entry_id: int, grade: Grade | None, scale: str, weight: int, *, makeup: bool
) -> RowState:
    total = None
    if not makeup and scale == GradingScale.PERCENT and weight:
        total = _stored(grade, "score")
    passed: bool | None = None
    if grade is not None and makeup:
        passed = grading.outcome(
            scale, score=grade.makeup_score, level=grade.makeup_level, mark=grade.makeup_mark
        ).passed
    elif grade is not None:
        passed = grade.passed
    return RowState(entry_id, total, passed)


def _can_grade(user: AnyUser, offering: CourseOffering) -> bool:
    return gradable_offerings_for(user).filter(pk=offering.pk).exists()


def _gradable(user: AnyUser, pk: int) -> CourseOffering:
    return get_in_scope_or_404(
        gradable_offerings_for(user).select_related("plan_course__course"), pk=pk
    )


def _grid_page(request: HttpRequest, pk: int, *, makeup: bool) -> HttpResponse:
    """The grid of the original grades, or of the makeup results: a fixed number of queries
    whatever the class size."""
    offering = selectors.offering_get(user=request.user, pk=pk)
    can_grade = _can_grade(request.user, offering)
    scale, weight = scale_of(offering)
    fields = grading.entry_fields(scale, weight, makeup=makeup)
    editable = can_grade and _phase_open(offering, makeup=makeup)
    locked = offering.makeup_locked if makeup else offering.grades_locked
    listed = grade_selectors.grid_rows(offering)
    makeup_list = [row for row in listed if row.makeup] if offering.grades_locked else []
    if makeup:
        listed = makeup_list
    rows = [
        Row(
            entry=row.entry,
            cells=[
                Cell(row.entry.pk, name, _typed(name, row.values[name]), row.values[name], editable)
                for name in fields
            ],
            state=_row_state(row.entry.pk, row.grade, scale, weight, makeup=makeup),
            original=(
                grade_selectors.result_text(scale, row.grade.score, row.grade.level, row.grade.mark)
                if makeup and row.grade
                else ""
            ),
            makeup=row.makeup,
            pending_request=row.pending_request,
        )
        for row in listed
    ]
    weighted = not makeup and scale == GradingScale.PERCENT and bool(weight)
    if makeup:
        submitted_at, submitted_by = offering.makeup_submitted_at, offering.makeup_submitted_by
    else:
        submitted_at, submitted_by = offering.grades_submitted_at, offering.grades_submitted_by
    # The makeup list exists once the grades are submitted; until then nothing is missing.
    missing = None
    if offering.grades_locked or not makeup:
        missing = grade_services.missing_grades(offering, makeup=makeup).count()
    return render(
        request,
        "teaching/grades/grid.html",
        {
            "offering": offering,
            "course": offering.plan_course.course,
            "makeup": makeup,
            "rows": rows,
            "columns": _columns(scale, fields),
            "column_count": len(fields) + 4 + int(makeup) + int(weighted),
            "weighted": weighted,
            "weight": weight,
            "scale_label": offering.plan_course.course.get_grading_scale_display(),
            "status": grade_selectors.offering_status(offering),
            "submitted_at": submitted_at,
            "submitted_by": submitted_by,
            "missing": missing,
            "editable": editable,
            "makeup_list": makeup_list,
            "show_requests": offering.grades_locked,
            # A submitted grade is changed by a request, which those who grade may file.
            "can_request": can_grade and locked,
            "cell_url": reverse("teaching:grade_cell", args=[offering.pk]),
        },
    )


@require_capability(Capability.VIEW_OFFERINGS)
def grade_grid(request: HttpRequest, pk: int) -> HttpResponse:
    return _grid_page(request, pk, makeup=False)


@require_capability(Capability.VIEW_OFFERINGS)
def makeup_grid(request: HttpRequest, pk: int) -> HttpResponse:
    return _grid_page(request, pk, makeup=True)


class CellForm(forms.Form):
    entry = forms.IntegerField(min_value=1)
    field = forms.ChoiceField(
        choices=[(name, name) for name in (*grading.ORIGINAL_FIELDS, *grading.MAKEUP_FIELDS)]
    )
    value = forms.CharField(required=False, strip=False, max_length=100)
    expected = forms.CharField(required=False, strip=False, max_length=100)


@require_capability(Capability.ENTER_GRADES)
@require_POST
def grade_cell(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one cell (htmx): answers the cell re-rendered, and out of band the row's total
    and result and the count of missing results. A refused value stays in the cell, marked
    invalid; a value saved meanwhile by someone else replaces it, marked as a conflict."""
    user = signed_in_user(request)
    offering = _gradable(user, pk)
    form = CellForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    name: str = form.cleaned_data["field"]
    text: str = form.cleaned_data["value"]
    expected: str = form.cleaned_data["expected"]
    roster = offering.roster.select_related("grade")
    entry = get_in_scope_or_404(roster, pk=form.cleaned_data["entry"])
    makeup = name in grading.MAKEUP_FIELDS
    grade: Grade | None = getattr(entry, "grade", None)
    try:
        [saved] = grade_services.grades_save(
            actor=user, offering_id=offering.pk, edits=[CellEdit(entry.pk, name, text, expected)]
        )
    except GradeEntryError as error:
        problem = error.errors[0]
        if problem.current is not None:
            # Show what is stored now; typing again (now expecting it) replaces it.
            grade = getattr(roster.get(pk=entry.pk), "grade", None)
            current = _typed(name, problem.current)
            message = _(
                "Saved meanwhile by someone else: %(current)s (you typed %(typed)s). "
                "Type your value again to replace it."
            ) % {"current": current or _("empty"), "typed": text.strip() or _("nothing")}
            cell = Cell(entry.pk, name, current, problem.current, True, message, conflict=True)
        elif _phase_open(offering, makeup=makeup) and (not makeup or makeup_eligible(grade)):
            cell = Cell(entry.pk, name, text, expected, True, problem.message)
        else:  # locked, or not on the makeup list: the stored value, read-only
            stored = _stored(grade, name)
            cell = Cell(entry.pk, name, _typed(name, stored), stored, False, problem.message)
    else:
        grade = saved.grade
        cell = Cell(entry.pk, name, _typed(name, saved.value), saved.value, True)
    scale, weight = scale_of(offering)
    return render(
        request,
        "teaching/grades/_cell_response.html",
        {
            "cell": cell,
            "state": _row_state(entry.pk, grade, scale, weight, makeup=makeup),
            "missing": grade_services.missing_grades(offering, makeup=makeup).count(),
            "cell_url": reverse("teaching:grade_cell", args=[offering.pk]),
        },
    )


def _submit(request: HttpRequest, pk: int, *, makeup: bool) -> HttpResponseBase:
    user = signed_in_user(request)
    offering = _gradable(user, pk)
    submit = grade_services.makeup_submit if makeup else grade_services.grades_submit
    back = "teaching:makeup_grid" if makeup else "teaching:grade_grid"
    try:
        submit(actor=user, offering_id=offering.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back, pk=offering.pk)
    if makeup:
        messages.success(request, _("The makeup results are submitted and locked."))
    else:
        messages.success(request, _("The grades are submitted and locked."))
    return redirect(back, pk=offering.pk)


@require_capability(Capability.ENTER_GRADES)
@require_POST
def grades_submit(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _submit(request, pk, makeup=False)


@require_capability(Capability.ENTER_GRADES)
@require_POST
def makeup_submit(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _submit(request, pk, makeup=True)
