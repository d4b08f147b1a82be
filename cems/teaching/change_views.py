"""Pages of grade change requests, grade history, retakes and students' results."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cems.accounts.access import (
    Capability,
    get_in_scope_or_404,
    gradable_offerings_for,
    grade_change_requests_for,
    has_capability,
    offerings_for,
    require_capability,
    signed_in_user,
)
from cems.core.export import FORMATS, tabular_response
from cems.core.forms import valid_filters
from cems.students.status_selectors import portal_records
from cems.teaching import grade_selectors, grade_services, grading
from cems.teaching.models import GradeChange, OfferingStudent, RequestStatus

# --- Change requests -------------------------------------------------------------------------


class ChangeRequestForm(forms.Form):
    """One field per result the request may change, pre-filled with the current value."""

    # Checked by the service, with the values, so that every error shows at once.
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=gettext_lazy("Why the submitted grade is wrong, for academic affairs."),
    )

    def __init__(self, *args: Any, fields: list[str], current: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        result_fields: dict[str, forms.Field] = {
            name: forms.CharField(
                label=grading.FIELD_LABELS[name],
                required=False,
                initial=current[name],
                max_length=20,
            )
            for name in fields
        }
        self.fields = {**result_fields, "reason": self.fields["reason"]}
        self.change_fields = fields
        self.current = current


def _changeable(entry: OfferingStudent) -> list[str]:
    offering = entry.offering
    scale, weight = grade_services.scale_of(offering)
    names = list(grading.entry_fields(scale, weight)) if offering.grades_locked else []
    if offering.makeup_locked and grade_services.makeup_eligible(getattr(entry, "grade", None)):
        names += grading.entry_fields(scale, weight, makeup=True)
    return names


@require_capability(Capability.ENTER_GRADES)
def change_request_new(request: HttpRequest, pk: int, entry: int) -> HttpResponseBase:
    offering = get_in_scope_or_404(
        gradable_offerings_for(request.user).select_related(
            "plan_course__course", "student_class", "term__academic_year"
        ),
        pk=pk,
    )
    roster_entry = get_in_scope_or_404(offering.roster.select_related("student", "grade"), pk=entry)
    grade = getattr(roster_entry, "grade", None)
    fields = _changeable(roster_entry)
    if grade is None or not fields:
        messages.error(request, _("Only a submitted grade is changed by request."))
        return redirect("teaching:offering_detail", pk=offering.pk)
    current = {name: grading.show(getattr(grade, name)) for name in fields}
    form = ChangeRequestForm(request.POST or None, fields=fields, current=current)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in fields}
        try:
            change = grade_services.change_request_file(
                actor=signed_in_user(request), offering_id=offering.pk, entry_id=roster_entry.pk,
                changes=changes, reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The change request is filed for academic affairs."))
            return redirect("teaching:change_request_detail", pk=change.pk)
    return render(
        request,
        "teaching/changes/new.html",
        {"offering": offering, "entry": roster_entry, "form": form},
    )


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ChangeRequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *RequestStatus.choices],
    )


def _request_rows(items: Any) -> tuple[list[str], list[list[object]]]:
    columns = [_("Requested at"), _("Term"), _("Class"), _("Course"), _("Student number"),
               _("Name"), _("Changes"), _("Reason"), _("Requested by"), _("Status"),
               _("Decided by"), _("Decided at")]  # fmt: skip
    rows: list[list[object]] = [
        [
            r.requested_at, str(r.offering.term), r.offering.student_class.name,
            r.offering.plan_course.course.name, r.grade.entry.student.student_number,
            r.grade.entry.student.name, describe_changes(r.changes), r.reason,
            r.requested_by.display_name, r.get_status_display(),
            r.decided_by.display_name if r.decided_by else "", r.decided_at or "",
        ]
        for r in items
    ]  # fmt: skip
    return columns, rows


def describe_changes(changes: dict[str, dict[str, str]]) -> str:
    return "; ".join(
        f"{grading.FIELD_LABELS.get(name, name)}: {change['from'] or '—'} → {change['to'] or '—'}"
        for name, change in changes.items()
    )


REQUEST_RELATED = ("offering__term__academic_year", "offering__student_class",
                   "offering__plan_course__course", "grade__entry__student", "requested_by",
                   "decided_by")  # fmt: skip


@require_capability(Capability.VIEW_OFFERINGS)
def change_request_list(request: HttpRequest) -> HttpResponseBase:
    """Change requests the user sees; academic affairs see the pending ones first."""
    data: Any = request.GET or None
    if "status" not in request.GET:
        data = request.GET.copy()
        data["status"] = RequestStatus.PENDING
    form = ChangeRequestFilterForm(data)
    filters = valid_filters(form)
    requests = grade_change_requests_for(request.user).select_related(*REQUEST_RELATED)
    if filters is None:
        requests = requests.none()
    elif filters.get("status"):
        requests = requests.filter(status=filters["status"])
    requests = requests.order_by("-requested_at", "-pk")
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _request_rows(requests.iterator(chunk_size=2000))
        return tabular_response(
            filename="grade-change-requests", columns=columns, rows=rows, fmt=fmt
        )
    page = Paginator(requests, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "teaching/changes/list.html", {"form": form, "page": page})


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


@require_capability(Capability.VIEW_OFFERINGS)
def change_request_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    change = get_in_scope_or_404(
        grade_change_requests_for(request.user).select_related(*REQUEST_RELATED), pk=pk
    )
    user = signed_in_user(request)
    may_decide = (
        change.status == RequestStatus.PENDING
        and has_capability(user, Capability.APPROVE_GRADE_CHANGES)
        and change.requested_by_id != user.pk
    )
    return render(
        request,
        "teaching/changes/detail.html",
        {
            "change": change,
            "changes": describe_changes(change.changes),
            "items": [
                (grading.FIELD_LABELS.get(name, name), item["from"], item["to"])
                for name, item in change.changes.items()
            ],
            "form": DecisionForm() if may_decide else None,
        },
    )


@require_capability(Capability.APPROVE_GRADE_CHANGES)
@require_POST
def change_request_decide(request: HttpRequest, pk: int) -> HttpResponseBase:
    change = get_in_scope_or_404(grade_change_requests_for(request.user), pk=pk)
    form = DecisionForm(request.POST)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject") or not form.is_valid():
        messages.error(request, _("Choose to approve or reject the request."))
        return redirect("teaching:change_request_detail", pk=change.pk)
    try:
        grade_services.change_request_decide(
            actor=signed_in_user(request), request_id=change.pk,
            approve=decision == "approve", note=form.cleaned_data["note"],
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The request is approved and the grade changed.")
            if decision == "approve"
            else _("The request is rejected."),
        )
    return redirect("teaching:change_request_detail", pk=change.pk)


# --- History ---------------------------------------------------------------------------------


@require_capability(Capability.VIEW_OFFERINGS)
def grade_history(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Every change of the offering's grades: who, when, which field, from what, to what, why."""
    offering = get_in_scope_or_404(
        offerings_for(request.user).select_related(
            "plan_course__course", "student_class", "term__academic_year"
        ),
        pk=pk,
    )
    changes = (
        GradeChange.objects.filter(offering=offering)
        .select_related("grade__entry__student", "changed_by")
        .order_by("-changed_at", "-pk")
    )
    if (fmt := request.GET.get("format")) in FORMATS:
        columns = [_("Changed at"), _("Student number"), _("Name"), _("Field"), _("From"),
                   _("To"), _("Source"), _("Reason"), _("Changed by")]  # fmt: skip
        rows = (
            [c.changed_at, c.grade.entry.student.student_number, c.grade.entry.student.name,
             grading.FIELD_LABELS.get(c.field, c.field), c.old_value, c.new_value,
             c.get_source_display(), c.reason, c.changed_by.display_name]
            for c in changes.iterator(chunk_size=2000)
        )  # fmt: skip
        return tabular_response(filename="grade-history", columns=columns, rows=rows, fmt=fmt)
    page = Paginator(changes, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    for change in page:
        change.field_label = grading.FIELD_LABELS.get(change.field, change.field)  # type: ignore[attr-defined]
    return render(request, "teaching/changes/history.html", {"offering": offering, "page": page})


# --- Retakes ---------------------------------------------------------------------------------


@require_capability(Capability.ENROLL_RETAKES)
def retakes(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The students who may retake the offering's course here, and adding them."""
    offering = get_in_scope_or_404(
        offerings_for(request.user).select_related(
            "plan_course__course", "student_class", "term__academic_year"
        ),
        pk=pk,
    )
    if request.method == "POST":
        chosen = [int(v) for v in request.POST.getlist("student") if v.isdigit()]
        try:
            count = grade_services.retake_enroll(
                actor=signed_in_user(request), offering_id=offering.pk, student_ids=chosen
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(count)d students added as retakes.") % {"count": count})
            return redirect("teaching:offering_detail", pk=offering.pk)
    candidates = grade_services.retake_candidates(offering)
    page = Paginator(candidates, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "teaching/changes/retakes.html", {"offering": offering, "page": page})


# --- Results ---------------------------------------------------------------------------------


def _results_context(rows: list[grade_selectors.ResultRow]) -> dict[str, Any]:
    return {
        "terms": grade_selectors.by_term(rows),
        "summary": grade_selectors.summary(rows),
    }


@require_capability(Capability.USE_PORTAL)
def my_grades(request: HttpRequest) -> HttpResponseBase:
    """The student's own results of submitted offerings, per term, with their averages."""
    records = [
        {"student": student, **_results_context(grade_selectors.student_results(student))}
        for student in portal_records(user=request.user)
    ]
    return render(request, "teaching/results/mine.html", {"records": records})


@require_capability(Capability.VIEW_STUDENTS)
def student_grades(request: HttpRequest, pk: int) -> HttpResponseBase:
    student = grade_selectors.student_for_results(user=request.user, pk=pk)
    rows = grade_selectors.student_results(student)
    if (fmt := request.GET.get("format")) in FORMATS:
        columns = [_("Term"), _("Course code"), _("Course"), _("Credits"), _("Degree course"),
                   _("Result"), _("Makeup"), _("Retake"), _("Passed"),
                   _("Grade point")]  # fmt: skip
        table = (
            [r.term_label, r.course_code, r.course_name, r.credits, r.is_degree_course,
             r.result, r.makeup, r.retake, r.final_passed, r.grade_point]
            for r in rows
        )  # fmt: skip
        return tabular_response(
            filename=f"grades-{student.student_number}", columns=columns, rows=table, fmt=fmt
        )
    return render(
        request, "teaching/results/student.html", {"student": student, **_results_context(rows)}
    )
