"""Certificates printed as one PDF in the background (a batch of thousands takes a minute):
the certificates a list shows, or a project's. The job re-reads them through its owner's
scope when it runs, and reports a page at a time."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from cems.accounts.access import certificates_for, projects_for
from cems.accounts.models import User
from cems.core import jobs
from cems.core.forms import valid_filters
from cems.core.models import Job
from cems.training import certificates
from cems.training.certificate_list import CertificateFilterForm, listed_certificates
from cems.training.models import Certificate, Project

# The filters of the certificates list that a batch carries (the page number is not one).
FILTER_FIELDS = tuple(CertificateFilterForm.base_fields)


def _selection(owner: User, params: dict[str, Any]) -> Any:
    if "project" in params:
        project = projects_for(owner).filter(pk=params["project"]).first()
        if project is None:
            raise jobs.JobError(_("The project is no longer there."))
        return certificates_for(owner).filter(enrollment__project=project)
    filters = valid_filters(CertificateFilterForm(params.get("filters") or {}))
    if filters is None:
        raise jobs.JobError(_("The list's filters are no longer valid."))
    return listed_certificates(user=owner, filters=filters)


@jobs.job_handler
def certificates_pdf(owner: User, params: dict[str, Any], progress: jobs.Progress) -> jobs.Output:
    items: list[Certificate] = list(certificates.for_pdf(_selection(owner, params)))
    progress.start(2 * len(items))  # each certificate laid out, then drawn
    base = params["base_url"].rstrip("/")

    def verify_url(number: str) -> str:
        return f"{base}{reverse('verify:verify')}?number={number}"

    content = certificates.render_pdf(items, verify_url=verify_url, on_step=progress.advance)
    return jobs.Output(params["filename"], content, "application/pdf")


def start_for_list(*, owner: User, raw_filters: dict[str, str], base_url: str) -> Job:
    """The certificates the list shows with these filters (as the page received them)."""
    filters = {name: value for name, value in raw_filters.items() if name in FILTER_FIELDS}
    return jobs.start(
        owner=owner,
        handler=certificates_pdf,
        label=_("Certificates as PDF"),
        params={"filters": filters, "base_url": base_url, "filename": "certificates.pdf"},
    )


def start_for_project(*, owner: User, project: Project, base_url: str) -> Job:
    return jobs.start(
        owner=owner,
        handler=certificates_pdf,
        label=_("Certificates of %(project)s as PDF") % {"project": project},
        params={
            "project": project.pk,
            "base_url": base_url,
            "filename": f"certificates-{project.pk}.pdf",
        },
    )
