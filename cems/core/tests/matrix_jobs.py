"""Role-matrix entries of the background tasks: everyone signed in has a list of their own;
a task's page and file answer only its owner (404 for anyone else)."""

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cems.accounts.models import User
from cems.conftest import World
from cems.core.models import Job
from cems.testing import Entry, statuses


def _jobs(world: World) -> tuple[Any, Any]:
    """Inside: a finished task of the station staff user; outside: the administrator's."""

    def job(username: str) -> Job:
        owner = User.objects.get(username=username)
        path = default_storage.save(f"jobs/{username}.pdf", ContentFile(b"%PDF-1.4"))
        return Job.objects.create(
            owner=owner, kind="k", label="PDF", status=Job.Status.DONE,
            result=path, result_name="x.pdf", content_type="application/pdf",
        )  # fmt: skip

    return job("station-user"), job("admin-user")


OWN = statuses(404, station=(200, 404), admin=(404, 200))

MATRIX = {
    "jobs:list": Entry(statuses(200)),
    "jobs:detail": Entry(OWN, objects=_jobs),
    "jobs:download": Entry(OWN, objects=_jobs),
}
