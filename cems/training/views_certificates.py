"""Assessment entry, completion and certificates (issue 6 items 6, 7 and 9): the training
office's pages, the trainee portal, and the public verification page /verify/."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from cems.accounts.access import (
    AnyUser,
    Capability,
    certificates_for,
    enrollments_for,
    get_in_scope_or_404,
    has_capability,
    projects_for,
    require_capability,
    signed_in_user,
    trainees_for,
)
from cems.core.export import FORMATS, tabular_response
from cems.core.forms import valid_filters
from cems.core.ratelimit import counter_key, lookup_allowed
from cems.training import assessment, attendance, certificate_batches, certificates
from cems.training.certificate_list import (
    STATUS_CHOICES,
    CertificateFilterForm,
    certificate_rows,
    listed_certificates,
)
from cems.training.enrollment import enroll_holders
from cems.training.models import (
    Certificate,
    CertificateStatus,
    Enrollment,
    Project,
    ProjectStatus,
)

# --- PDFs ------------------------------------------------------------------------------------


def _pdf_response(
    request: HttpRequest, items: Sequence[Certificate], filename: str
) -> HttpResponse:
    def verify_url(number: str) -> str:
        return request.build_absolute_uri(reverse("verify:verify") + f"?number={number}")

    response = HttpResponse(
        certificates.render_pdf(items, verify_url=verify_url), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    add_never_cache_headers(response)
    return response


# --- Assessment and completion ---------------------------------------------------------------


class AttemptForm(forms.Form):
    score = forms.DecimalField(label=_("Score"), min_value=0, max_value=100, decimal_places=1)
    assessed_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), initial=dt.date.today
    )


@require_capability(Capability.MANAGE_TRAINING)
def assessment_entry(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An enrolled trainee's attempts, and the form for the next one."""
    enrollment = get_in_scope_or_404(
        enrollments_for(request.user).select_related("project__category", "trainee"), pk=pk
    )
    form = AttemptForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            assessment.record_attempt(
                enrollment=enrollment,
                score=form.cleaned_data["score"],
                assessed_on=form.cleaned_data["assessed_on"],
                actor=signed_in_user(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Attempt recorded."))
            return redirect("training:assessment_entry", pk=enrollment.pk)
    enrollment.refresh_from_db()
    return render(
        request,
        "training/certificates/assessment.html",
        {
            "enrollment": enrollment,
            "attempts": enrollment.assessments.all(),
            "rate": assessment.attendance_rate(enrollment),
            "next_allowed": assessment.next_attempt_allowed_on(enrollment),
            "certificate": Certificate.objects.filter(enrollment=enrollment).first(),
            "form": form,
        },
    )


@require_POST
@require_capability(Capability.MANAGE_TRAINING)
def certificate_issue(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Issue one completed trainee's certificate."""
    enrollment = get_in_scope_or_404(enrollments_for(request.user), pk=pk)
    assessment.update_completion(enrollment)
    try:
        certificate = certificates.issue(enrollment, actor=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("training:assessment_entry", pk=enrollment.pk)
    messages.success(request, _("Certificate %(number)s issued.") % {"number": certificate.number})
    return redirect("training:certificate_detail", pk=certificate.pk)


@require_capability(Capability.VIEW_TRAINING)
def project_certificates(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A project's completion and certificates; POST (managers) completes and issues them all."""
    project = get_in_scope_or_404(projects_for(request.user).select_related("category"), pk=pk)
    if request.method == "POST":
        if not has_capability(request.user, Capability.MANAGE_TRAINING):
            raise PermissionDenied
        completed = assessment.complete_project(project)
        issued = certificates.issue_for_project(project, actor=signed_in_user(request))
        messages.success(
            request,
            _("%(completed)d newly completed, %(issued)d certificates issued.")
            % {"completed": completed, "issued": len(issued)},
        )
        return redirect("training:project_certificates", pk=project.pk)
    # The roster holding places (withdrawn trainees have no certificate to show), each with
    # its attendance rate: a fixed number of queries.
    certified = {
        enrollment: (pk, number)
        for enrollment, pk, number in Certificate.objects.filter(
            enrollment__project=project
        ).values_list("enrollment", "pk", "number")
    }
    rows = [
        (e, e.rate, certified.get(e.pk))  # type: ignore[attr-defined]
        for e in attendance.attendance_rates(project)
    ]
    return render(
        request,
        "training/certificates/project.html",
        {
            "project": project,
            "rows": rows,
            "can_manage": has_capability(request.user, Capability.MANAGE_TRAINING),
        },
    )


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@require_POST
@require_capability(Capability.VIEW_TRAINING)
def project_certificates_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The project's certificates as one PDF, made in the background."""
    project = get_in_scope_or_404(projects_for(request.user), pk=pk)
    job = certificate_batches.start_for_project(
        owner=signed_in_user(request), project=project, base_url=_base_url(request)
    )
    return redirect("jobs:detail", pk=job.pk)


# --- The certificates list and detail --------------------------------------------------------


@require_GET
@require_capability(Capability.VIEW_TRAINING)
def certificate_list(request: HttpRequest) -> HttpResponseBase:
    form = CertificateFilterForm(request.GET or None)
    queryset = listed_certificates(user=request.user, filters=valid_filters(form))
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        columns, rows = certificate_rows(queryset.iterator(chunk_size=2000))
        return tabular_response(filename="certificates", columns=columns, rows=rows, fmt=fmt)
    page = Paginator(queryset, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(STATUS_CHOICES)
    shown = [(c, certificates.status_of(c), labels[certificates.status_of(c)]) for c in page]
    # Renewal: the holders of the certificates listed, expiring soon, into a refresher project.
    refresher = (
        RefresherForm(user=request.user)
        if has_capability(request.user, Capability.MANAGE_TRAINING)
        and form.is_bound
        and form.is_valid()
        and form.cleaned_data.get("expiring_days") is not None
        else None
    )
    return render(
        request,
        "training/certificates/list.html",
        {"form": form, "page": page, "shown": shown, "refresher": refresher},
    )


@require_POST
@require_capability(Capability.VIEW_TRAINING)
def certificate_list_pdf(request: HttpRequest) -> HttpResponseBase:
    """The certificates the list shows (its filters in the query string) as one PDF, made in
    the background."""
    form = CertificateFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Correct the list's filters first."))
        return redirect(reverse("training:certificate_list") + "?" + request.GET.urlencode())
    job = certificate_batches.start_for_list(
        owner=signed_in_user(request),
        raw_filters=request.GET.dict(),
        base_url=_base_url(request),
    )
    return redirect("jobs:detail", pk=job.pk)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        label=_("Reviewed on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=dt.date.today,
    )
    refresher_hours = forms.DecimalField(
        label=_("Refresher hours"), min_value=0, max_value=9999, decimal_places=1
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


def _detail(
    request: HttpRequest,
    certificate: Certificate,
    review_form: ReviewForm | None = None,
    revoke_form: RevokeForm | None = None,
) -> HttpResponse:
    status = certificates.status_of(certificate)
    return render(
        request,
        "training/certificates/detail.html",
        {
            "certificate": certificate,
            "status": status,
            "status_label": dict(STATUS_CHOICES)[status],
            "reviews": certificate.reviews.select_related("reviewed_by"),
            "can_manage": has_capability(request.user, Capability.MANAGE_TRAINING),
            "review_form": review_form or ReviewForm(),
            "revoke_form": revoke_form or RevokeForm(),
        },
    )


def _certificate(request: HttpRequest, pk: int) -> Certificate:
    return get_in_scope_or_404(
        certificates_for(request.user).select_related(
            "trainee__employer", "category", "enrollment__project"
        ),
        pk=pk,
    )


@require_GET
@require_capability(Capability.VIEW_TRAINING)
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _detail(request, _certificate(request, pk))


@require_GET
@require_capability(Capability.VIEW_TRAINING)
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    certificate = _certificate(request, pk)
    return _pdf_response(request, [certificate], f"certificate-{certificate.number}.pdf")


@require_POST
@require_capability(Capability.MANAGE_TRAINING)
def certificate_review(request: HttpRequest, pk: int) -> HttpResponseBase:
    certificate = _certificate(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            certificates.review(
                certificate, reviewed_on=form.cleaned_data["reviewed_on"],
                refresher_hours=form.cleaned_data["refresher_hours"],
                actor=signed_in_user(request),
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Review recorded."))
            return redirect("training:certificate_detail", pk=certificate.pk)
    return _detail(request, certificate, review_form=form)


@require_POST
@require_capability(Capability.MANAGE_TRAINING)
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponseBase:
    certificate = _certificate(request, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            certificates.revoke(
                certificate, reason=form.cleaned_data["reason"], actor=signed_in_user(request)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Certificate revoked."))
            return redirect("training:certificate_detail", pk=certificate.pk)
    return _detail(request, certificate, revoke_form=form)


# --- The trainee portal ----------------------------------------------------------------------


@require_GET
@require_capability(Capability.USE_TRAINEE_PORTAL)
def portal(request: HttpRequest) -> HttpResponseBase:
    """A trainee's own projects, hours and certificates."""
    trainee = trainees_for(request.user).select_related("employer").first()
    enrollments: list[tuple[Enrollment, Any]] = []
    owned: list[tuple[Certificate, str, Any]] = []
    hours = 0
    if trainee is not None:
        labels = dict(STATUS_CHOICES)
        for enrollment in trainee.enrollments.select_related("project__category").order_by(
            "-project__start_date"
        ):
            enrollments.append((enrollment, assessment.attendance_rate(enrollment)))
            if enrollment.status == "completed":
                hours += enrollment.project.hours
        for certificate in trainee.certificates.select_related("category"):
            status = certificates.status_of(certificate)
            owned.append((certificate, status, labels[status]))
    return render(
        request,
        "training/portal.html",
        {"trainee": trainee, "enrollments": enrollments, "certificates": owned, "hours": hours},
    )


@require_GET
@require_capability(Capability.USE_TRAINEE_PORTAL)
def portal_certificate_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    certificate = get_in_scope_or_404(certificates.for_pdf(certificates_for(request.user)), pk=pk)
    return _pdf_response(request, [certificate], f"certificate-{certificate.number}.pdf")


# --- Public verification ---------------------------------------------------------------------


def lookup_counter_key(address: str) -> str:
    return counter_key("training", address)


def _lookup_allowed(request: HttpRequest) -> bool:
    return lookup_allowed(request, "training")


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=40)
    name = forms.CharField(
        label=_("Holder's name"), max_length=50,
        help_text=_("The full name as printed on the certificate."),
    )  # fmt: skip


@require_GET
def verify(request: HttpRequest) -> HttpResponseBase:
    """Anyone: a certificate number and the holder's name → valid, expired, revoked or
    unknown (a wrong name answers like an unknown number)."""
    english = get_language() == "en"
    context: dict[str, Any] = {
        "school_name": settings.CEMS_SCHOOL_NAME_EN if english else settings.CEMS_SCHOOL_NAME
    }
    status = 200
    if "name" in request.GET:
        form = VerifyForm(request.GET)
        if form.is_valid():
            if not _lookup_allowed(request):
                context["limited"] = True
                status = 429
            else:
                context["result"] = certificates.verify(
                    form.cleaned_data["number"], form.cleaned_data["name"]
                )
            # The name typed is not shown back: the page shows only the masked one.
            form = VerifyForm(initial={"number": form.cleaned_data["number"]})
    else:
        form = VerifyForm(initial={"number": request.GET.get("number", "")[:40]})
    context["form"] = form
    response = render(request, "training/verify.html", context, status=status)
    add_never_cache_headers(response)
    return response


class RefresherForm(forms.Form):
    project = forms.ModelChoiceField(label=_("Refresher project"), queryset=Project.objects.none())

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        """The projects open for enrollment within the user's scope (projects_for)."""
        super().__init__(*args, **kwargs)
        field = self.fields["project"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            projects_for(user)
            .filter(status__in=(ProjectStatus.PLANNED, ProjectStatus.ENROLLING))
            .order_by("start_date", "title")
        )


@require_POST
@require_capability(Capability.MANAGE_TRAINING)
def refresher_enroll(request: HttpRequest) -> HttpResponseBase:
    """Renewal in one step: the holders of the certificates the list shows (its filters come
    with the form), still in force, enrolled into a refresher project."""
    filters = CertificateFilterForm(request.POST)
    form = RefresherForm(request.POST, user=request.user)
    back = reverse("training:certificate_list")
    if not filters.is_valid() or not form.is_valid():
        messages.error(request, _("Choose a planned or enrolling project."))
        return redirect(back)
    holders = (
        listed_certificates(user=request.user, filters=filters.cleaned_data)
        .filter(status=CertificateStatus.VALID)
        .values_list("trainee", flat=True)
    )
    project = form.cleaned_data["project"]
    try:
        result = enroll_holders(
            project_id=project.pk, trainee_ids=set(holders), actor=signed_in_user(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(
        request,
        _("%(enrolled)d holders enrolled in %(project)s; %(already)d were on its roster "
          "already; %(over)d left out for want of places.")
        % {"enrolled": result.enrolled, "project": project, "already": result.already,
           "over": result.over_capacity},
    )  # fmt: skip
    return redirect("training:roster", pk=project.pk)
