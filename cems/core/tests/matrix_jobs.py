"""Role-matrix entries of the background tasks: everyone signed in has a list of their own;
a task's page and file answer only its owner (404 for anyone else)."""

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cems.accounts.models import User
from cems.conftest import World
from cems.core.models import Job
from cems.testing import Entry, statuses


def _job(username: str) -> Job:
    owner = User.objects.get(username=username)
    path = default_storage.save(f"jobs/{username}.pdf", ContentFile(b"%PDF-1.4"))
    return Job.objects.create(
            owner=owner, kind="k", label="PDF", status=Job.Status.DONE,
            result=path, result_name="x.pdf", content_type="application/pdf",
        )  # fmt: skip


def _jobs(world: World) -> tuple[Any, Any]:
    """Inside: a finished task of the station staff user; outside: the administrator's."""
    return _job("station-user"), _job("admin-user")


def _own_jobs(role: str) -> Any:
    """The role's own finished task, and the station staff user's."""
    return lambda world: (_job(f"{role}-user"), _job("station-user"))


_OWN_SCOPED = ("teacher", "student", "trainee")
OWN = statuses(
    404,
    station=(200, 404),
    admin=(404, 200),
    teacher=(200, 404),
    student=(200, 404),
    trainee=(200, 404),
)
_THEIRS = {role: _own_jobs(role) for role in _OWN_SCOPED}

MATRIX = {
    "jobs:list": Entry(statuses(200)),
    "jobs:detail": Entry(OWN, objects=_jobs, objects_for=_THEIRS),
    "jobs:download": Entry(OWN, objects=_jobs, objects_for=_THEIRS),
}
