"""Trainees' files, employers, and the duplicate files' page with their merge."""

import copy

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cems.accounts.access import (
    Capability,
    has_capability,
    require_capability,
    sees_personal_data,
    signed_in_user,
    trainees_for,
)
from cems.training import people as service
from cems.training.forms_people import (
    EmployerForm,
    EmployerSearchForm,
    MergeForm,
    TraineeForm,
    TraineeSearchForm,
)
from cems.training.models import Employer


@require_capability(Capability.VIEW_TRAINING)
def trainee_list(request: HttpRequest) -> HttpResponse:
    form = TraineeSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    trainees = service.trainee_list(user=request.user, query=query)
    page = Paginator(trainees, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/people/trainee_list.html",
        {
            "form": form,
            "page": page,
            "personal": sees_personal_data(request.user),
            "can_manage": has_capability(request.user, Capability.MANAGE_TRAINING),
        },
    )


@require_capability(Capability.VIEW_TRAINING)
def trainee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The trainee's file (一人一档), laid out to print."""
    trainee = service.trainee_get(user=request.user, pk=pk)
    return render(
        request,
        "training/people/trainee_detail.html",
        {
            "trainee": trainee,
            "enrollments": service.trainee_file(trainee=trainee),
            "merged": trainee.merged.all(),
            "personal": sees_personal_data(request.user),
            "can_manage": has_capability(request.user, Capability.MANAGE_TRAINING),
        },
    )


def _trainee_form_page(request: HttpRequest, form: TraineeForm, status: int) -> HttpResponse:
    return render(
        request,
        "training/people/trainee_form.html",
        {"form": form, "trainee": form.instance if form.instance.pk else None},
        status=status,
    )


@require_capability(Capability.MANAGE_TRAINING)
def trainee_create(request: HttpRequest) -> HttpResponseBase:
    form = TraineeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            trainee = service.trainee_create(actor=signed_in_user(request), data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("File of %(name)s created.") % {"name": trainee.name})
            return redirect("training:trainee_detail", pk=trainee.pk)
    return _trainee_form_page(request, form, 400 if request.method == "POST" else 200)


@require_capability(Capability.MANAGE_TRAINING)
def trainee_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    trainee = service.trainee_get(user=request.user, pk=pk)
    form = TraineeForm(request.POST or None, instance=copy.copy(trainee))
    if request.method == "POST" and form.is_valid():
        try:
            service.trainee_update(
                actor=signed_in_user(request), trainee=trainee, data=form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("File of %(name)s saved.") % {"name": trainee.name})
            return redirect("training:trainee_detail", pk=trainee.pk)
    return _trainee_form_page(request, form, 400 if request.method == "POST" else 200)


def _duplicates_page(request: HttpRequest, form: MergeForm | None, status: int) -> HttpResponse:
    return render(
        request,
        "training/people/duplicate_list.html",
        {
            "groups": service.duplicate_groups(user=request.user),
            "form": form,
            "personal": sees_personal_data(request.user),
            "can_manage": has_capability(request.user, Capability.MANAGE_TRAINING),
        },
        status=status,
    )


@require_capability(Capability.VIEW_TRAINING)
def duplicate_list(request: HttpRequest) -> HttpResponse:
    return _duplicates_page(request, None, 200)


@require_capability(Capability.MANAGE_TRAINING)
@require_POST
def trainee_merge(request: HttpRequest) -> HttpResponseBase:
    scope = trainees_for(request.user).filter(merged_into__isnull=True)
    form = MergeForm(request.POST, trainees=scope)
    if form.is_valid():
        keep = form.cleaned_data["keep"]
        try:
            result = service.merge(
                actor=signed_in_user(request), keep=keep, other=form.cleaned_data["other"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Files merged into %(name)s: %(enrollments)d enrollments and "
                    "%(certificates)d certificates moved."
                )
                % {
                    "name": keep.name,
                    "enrollments": result.enrollments,
                    "certificates": result.certificates,
                },
            )
            return redirect("training:trainee_detail", pk=keep.pk)
    return _duplicates_page(request, form, 400)


@require_capability(Capability.VIEW_TRAINING)
def employer_list(request: HttpRequest) -> HttpResponse:
    form = EmployerSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(service.employer_list(query=query), settings.CEMS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "training/people/employer_list.html",
        {
            "form": form,
            "page": page,
            "personal": sees_personal_data(request.user),
            "can_manage": has_capability(request.user, Capability.MANAGE_TRAINING),
        },
    )


def _employer_form(request: HttpRequest, employer: Employer | None) -> HttpResponseBase:
    form = EmployerForm(request.POST or None, instance=copy.copy(employer))
    if request.method == "POST" and form.is_valid():
        actor = signed_in_user(request)
        try:
            if employer is None:
                employer = service.employer_create(actor=actor, data=form.cleaned_data)
            else:
                service.employer_update(actor=actor, employer=employer, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Employer %(name)s saved.") % {"name": employer.name})
            return redirect("training:employer_list")
    return render(
        request,
        "training/people/employer_form.html",
        {"form": form, "employer": employer},
        status=400 if request.method == "POST" else 200,
    )


@require_capability(Capability.MANAGE_TRAINING)
def employer_create(request: HttpRequest) -> HttpResponseBase:
    return _employer_form(request, None)


@require_capability(Capability.MANAGE_TRAINING)
def employer_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _employer_form(request, get_object_or_404(Employer, pk=pk))
