"""The certificates list: its filters, its rows (limited to what the user may see) and its
download columns. The page, its downloads, the renewal step and the PDF batch job all read
the list through `listed_certificates`."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cems.accounts.access import AnyUser, certificates_for
from cems.training import certificates
from cems.training.models import Certificate, CertificateStatus, Employer, TrainingCategory

STATUS_CHOICES = [
    ("", _("All")),
    (CertificateStatus.VALID, _("Valid")),
    (certificates.EXPIRED, _("Expired")),
    (CertificateStatus.REVOKED, _("Revoked")),
]


class CertificateFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or name"), required=False, max_length=50)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=TrainingCategory.objects.all(), required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    expiring_days = forms.IntegerField(
        label=_("Expiring within (days)"), min_value=0, max_value=3650, required=False
    )
    employer = forms.ModelChoiceField(
        label=_("Employer"), queryset=Employer.objects.all(), required=False
    )


def listed_certificates(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[Certificate]:
    """The user's certificates matching the filters, newest first; none for invalid filters."""
    if filters is None:
        return Certificate.objects.none()
    queryset = (
        certificates_for(user)
        .select_related("trainee__employer", "category")
        .order_by("-issued_on", "number")
    )
    if q := (filters.get("q") or "").strip():
        queryset = queryset.filter(Q(number__iexact=q) | Q(trainee__name__startswith=q))
    if filters.get("category"):
        queryset = queryset.filter(category=filters["category"])
    if filters.get("employer"):
        queryset = queryset.filter(trainee__employer=filters["employer"])
    if filters.get("status"):
        queryset = certificates.filter_status(queryset, filters["status"])
    if filters.get("expiring_days") is not None:
        now = certificates.today()
        queryset = queryset.filter(
            status=CertificateStatus.VALID,
            expires_on__gte=now,
            expires_on__lte=now + dt.timedelta(days=filters["expiring_days"]),
        )
    return queryset


def status_label(certificate: Certificate) -> str:
    return str(dict(STATUS_CHOICES)[certificates.status_of(certificate)])


def certificate_rows(items: Iterable[Certificate]) -> tuple[list[str], Iterable[list[Any]]]:
    columns = [str(c) for c in (_("Certificate number"), _("Name"), _("Category"), _("Employer"),
                                _("Issued on"), _("Expires on"), _("Next review due"),
                                _("Status"))]  # fmt: skip

    def rows() -> Iterable[list[Any]]:
        for c in items:
            employer = c.trainee.employer.name if c.trainee.employer else ""
            yield [c.number, c.trainee.name, c.category.name, employer, c.issued_on,
                   c.expires_on, c.next_review_on, status_label(c)]  # fmt: skip

    return columns, rows()
