"""Training projects and categories' pages."""

import copy
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cems.accounts.access import Capability, has_capability, require_capability, signed_in_user
from cems.core.export import FORMATS, tabular_response
from cems.core.forms import valid_filters
from cems.training import projects as service
from cems.training.forms_projects import CategoryForm, ProjectFilterForm, ProjectForm
from cems.training.models import Project, TrainingCategory


def _project_rows(projects: Any) -> tuple[list[str], Any]:
    columns = [_("Category"), _("Title"), _("Cohort"), _("Sponsor"), _("Format"),
               _("Start date"), _("End date"), _("Venue"), _("Capacity"), _("Enrolled"),
               _("Hours"), _("Fee"), _("Status")]  # fmt: skip
    rows = (
        [
            p.category.name,
            p.title,
            p.cohort,
            p.sponsor,
            p.get_format_display(),
            p.start_date,
            p.end_date,
            p.venue,
            p.capacity,
            p.roster_count,
            p.hours,
            p.fee,
            p.get_status_display(),
        ]
        for p in projects
    )
    return columns, rows


@require_capability(Capability.VIEW_TRAINING)
def project_list(request: HttpRequest) -> HttpResponseBase:
    form = ProjectFilterForm(request.GET or None)
    projects = service.project_list(user=request.user, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _project_rows(projects.iterator(chunk_size=2000))
        return tabular_response(filename="training-projects", columns=columns, rows=rows, fmt=fmt)
    page = Paginator(projects, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/projects/project_list.html",
        {
            "form": form,
            "page": page,
            "can_manage": has_capability(request.user, Capability.MANAGE_TRAINING),
        },
    )


@require_capability(Capability.VIEW_TRAINING)
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = service.project_get(user=request.user, pk=pk)
    following = service.next_status(project)
    return render(
        request,
        "training/projects/project_detail.html",
        {
            "project": project,
            "next_status": following,
            "next_status_label": dict(Project._meta.get_field("status").choices or []).get(
                following or ""
            ),
            "can_manage": has_capability(request.user, Capability.MANAGE_TRAINING),
        },
    )


@require_capability(Capability.MANAGE_TRAINING)
def project_create(request: HttpRequest) -> HttpResponseBase:
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = service.project_create(actor=signed_in_user(request), data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Project %(project)s created.") % {"project": project})
            return redirect("training:project_detail", pk=project.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "training/projects/project_form.html", {"form": form, "project": None},
        status=status,
    )  # fmt: skip


@require_capability(Capability.MANAGE_TRAINING)
def project_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    project = service.project_get(user=request.user, pk=pk)
    form = ProjectForm(request.POST or None, instance=copy.copy(project))
    if request.method == "POST" and form.is_valid():
        try:
            service.project_update(
                actor=signed_in_user(request), project=project, data=form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Project %(project)s saved.") % {"project": project})
            return redirect("training:project_detail", pk=project.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "training/projects/project_form.html", {"form": form, "project": project},
        status=status,
    )  # fmt: skip


@require_capability(Capability.MANAGE_TRAINING)
@require_POST
def project_status(request: HttpRequest, pk: int) -> HttpResponseBase:
    project = service.project_get(user=request.user, pk=pk)
    try:
        service.project_set_status(
            actor=signed_in_user(request), project=project, status=request.POST.get("status", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Project %(project)s is now %(status)s.")
            % {"project": project, "status": project.get_status_display()},
        )
    return redirect("training:project_detail", pk=project.pk)


@require_capability(Capability.VIEW_TRAINING)
def category_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "training/projects/category_list.html",
        {
            "categories": service.category_list(),
            "can_manage": has_capability(request.user, Capability.MANAGE_TRAINING),
        },
    )


@require_capability(Capability.MANAGE_TRAINING)
def category_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    category = get_object_or_404(TrainingCategory, pk=pk)
    form = CategoryForm(request.POST or None, instance=copy.copy(category))
    if request.method == "POST" and form.is_valid():
        try:
            service.category_update(
                actor=signed_in_user(request), category=category, data=form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Category %(category)s saved.") % {"category": category})
            return redirect("training:category_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "training/projects/category_form.html", {"form": form, "category": category},
        status=status,
    )  # fmt: skip
