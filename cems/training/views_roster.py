"""Pages of a project's roster, sessions and attendance (/training/projects/<pk>/...).
VIEW_TRAINING reads; MANAGE_TRAINING writes."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cems.accounts.access import (
    Capability,
    enrollments_for,
    get_in_scope_or_404,
    has_capability,
    projects_for,
    require_capability,
    sees_personal_data,
    signed_in_user,
)
from cems.admissions.issues import ImportStopped
from cems.core.forms import limit_upload_size
from cems.core.uploads import check_spreadsheet
from cems.training.attendance import attendance_grid, attendance_save, project_sessions
from cems.training.enrollment import (
    PersonDetails,
    enrollment_add,
    enrollment_withdraw,
    places_taken,
)
from cems.training.models import Project, Session
from cems.training.roster import roster_import


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Roster file (xlsx, xls, ods, csv)"))

    def clean_file(self) -> Any:
        upload = limit_upload_size(self.cleaned_data["file"])
        return check_spreadsheet(upload, ("xlsx", "xls", "ods", "csv"))


class PersonForm(forms.Form):
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=20)
    name = forms.CharField(label=gettext_lazy("name"), max_length=50, required=False)
    gender = forms.ChoiceField(
        label=gettext_lazy("gender"),
        choices=[("", "—"), ("M", gettext_lazy("Male")), ("F", gettext_lazy("Female"))],
        required=False,
    )
    phone = forms.CharField(label=gettext_lazy("phone"), max_length=30, required=False)
    employer = forms.CharField(label=gettext_lazy("employer"), max_length=100, required=False)
    position = forms.CharField(label=gettext_lazy("position"), max_length=50, required=False)
    education = forms.CharField(label=gettext_lazy("education"), max_length=30, required=False)


class SessionForm(forms.ModelForm[Session]):
    class Meta:
        model = Session
        fields = ["date", "start_time", "end_time", "topic", "hours"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "end_time": forms.TimeInput(attrs={"type": "time"}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("A session ends after it starts."))
        return data


def _context(request: HttpRequest, project: Project, **extra: Any) -> dict[str, Any]:
    return {
        "project": project,
        "can_manage": has_capability(request.user, Capability.MANAGE_TRAINING),
        "personal": sees_personal_data(request.user),
        **extra,
    }


@require_capability(Capability.VIEW_TRAINING)
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_in_scope_or_404(projects_for(request.user), pk=pk)
    enrollments = project.enrollments.select_related("trainee", "employer").order_by(
        "trainee__name", "trainee__id_number"
    )
    return render(request, "training/roster/roster.html", _context(
        request, project, enrollments=enrollments, taken=places_taken(project),
    ))  # fmt: skip


@require_capability(Capability.MANAGE_TRAINING)
def roster_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_in_scope_or_404(projects_for(request.user), pk=pk)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrollment = enrollment_add(
                project_id=project.pk,
                details=PersonDetails(**form.cleaned_data),
                actor=signed_in_user(request),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error("id_number" if error.code in _ID_CODES else None, error)
        else:
            messages.success(
                request, _("%(name)s is on the roster.") % {"name": enrollment.trainee.name}
            )
            return redirect("training:roster", pk=project.pk)
    return render(request, "training/roster/add.html", _context(request, project, form=form))


_ID_CODES = {"length", "legacy_15", "format", "birth_date", "check_character"}


@require_POST
@require_capability(Capability.MANAGE_TRAINING)
def roster_withdraw(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    enrollment = get_in_scope_or_404(enrollments_for(request.user), pk=enrollment_pk, project_id=pk)
    try:
        enrollment_withdraw(enrollment=enrollment, actor=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s withdrew.") % {"name": enrollment.trainee.name})
    return redirect("training:roster", pk=pk)


@require_capability(Capability.MANAGE_TRAINING)
def roster_upload(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_in_scope_or_404(projects_for(request.user), pk=pk)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            plan = roster_import(
                project_id=project.pk, data=upload.read(), file_name=upload.name,
                actor=signed_in_user(request),
            )  # fmt: skip
        except ImportStopped as stopped:
            form.add_error("file", stopped.text())
        else:
            return render(request, "training/roster/import_result.html", _context(
                request, project, plan=plan, counts=plan.counts(),
                problems=[(row, issue.column, issue.text()) for row, issue in plan.problems()],
                warnings=[issue.text() for issue in plan.warnings],
            ))  # fmt: skip
    return render(request, "training/roster/upload.html", _context(request, project, form=form))


@require_capability(Capability.VIEW_TRAINING)
def session_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_in_scope_or_404(projects_for(request.user), pk=pk)
    return render(request, "training/roster/sessions.html", _context(
        request, project, sessions=project_sessions(project),
    ))  # fmt: skip


@require_capability(Capability.MANAGE_TRAINING)
def session_edit(request: HttpRequest, pk: int, session_pk: int | None = None) -> HttpResponse:
    project = get_in_scope_or_404(projects_for(request.user), pk=pk)
    session = get_object_or_404(Session, pk=session_pk, project=project) if session_pk else None
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.project = project
        saved.save()
        messages.success(request, _("The session is saved."))
        return redirect("training:session_list", pk=project.pk)
    return render(request, "training/roster/session_form.html", _context(
        request, project, form=form, session=session,
    ))  # fmt: skip


@require_capability(Capability.VIEW_TRAINING)
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_in_scope_or_404(projects_for(request.user), pk=pk)
    if request.method == "POST":
        if not has_capability(request.user, Capability.MANAGE_TRAINING):
            raise PermissionDenied
        ticked = []
        for key in request.POST.getlist("present"):
            enrollment, _sep, session = key.partition("-")
            if enrollment.isdigit() and session.isdigit():
                ticked.append((int(enrollment), int(session)))
        changed = attendance_save(project=project, present=ticked, actor=signed_in_user(request))
        messages.success(
            request, _("Attendance saved: %(count)d cells changed.") % {"count": changed}
        )
        return redirect("training:attendance", pk=project.pk)
    return render(request, "training/roster/attendance.html", _context(
        request, project, grid=attendance_grid(project),
    ))  # fmt: skip
