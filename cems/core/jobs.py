"""Background jobs: work that takes more than a few seconds runs in a worker while the page
shows how far it has got, then offers the file it made.

- A *handler* is a function `(owner, params, progress) -> Output`, marked with
  `@job_handler`. It re-reads everything through the owner's scope (cems/accounts/access.py)
  when it runs, so a job never reaches more than its owner may see at that moment.
- `start(owner=, handler=, label=, params=)` records a `Job` and enqueues it on Django's task
  API (settings.TASKS: the database queue by default, run by `python manage.py db_worker`).
  With the database queue the job row and the task row commit together.
- `run_job` (the task) claims the job once, runs the handler under the owner's language,
  stores the output with Django's file storage and marks the job done or failed. A handler
  raises `JobError` for a failure the user should read; anything else is logged and shown
  as a generic failure.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from cems.core.models import Job

if TYPE_CHECKING:
    from cems.accounts.models import User

logger = logging.getLogger("cems.jobs")

# Finished jobs and their files are kept this long, then removed when their owner starts
# another job.
RETENTION = dt.timedelta(days=7)
# The progress written to the database at most this often (seconds).
PROGRESS_INTERVAL = 0.5


@dataclass(frozen=True)
class Output:
    filename: str
    content: bytes
    content_type: str


class JobError(Exception):
    """A failure the job's owner should read (already translated)."""


class Progress:
    """What a handler tells the page: the amount of work, then each piece done."""

    def __init__(self, job_id: Any) -> None:
        self.job_id = job_id
        self.done = 0
        self.total = 0
        self._written = 0.0

    def start(self, total: int) -> None:
        self.total = total
        Job.objects.filter(pk=self.job_id).update(total=total, done=0)

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._written >= PROGRESS_INTERVAL:
            self._written = now
            Job.objects.filter(pk=self.job_id).update(done=min(self.done, self.total))


Handler = Callable[["User", dict[str, Any], Progress], Output]


def job_handler(function: Handler) -> Handler:
    """Mark a function as a job handler; only marked functions are ever run by a job."""
    function.cems_job_handler = True  # type: ignore[attr-defined]
    return function


def _kind(handler: Handler) -> str:
    if not getattr(handler, "cems_job_handler", False):
        raise ValueError(f"{handler!r} is not marked with @job_handler")
    return f"{handler.__module__}.{handler.__qualname__}"


def _handler(kind: str) -> Handler:
    handler = import_string(kind)
    if not getattr(handler, "cems_job_handler", False):
        raise ValueError(f"{kind} is not a job handler")
    return handler  # type: ignore[no-any-return]


def prune(owner: User) -> int:
    """Remove the owner's finished jobs older than RETENTION, with their files."""
    old = Job.objects.filter(
        owner=owner,
        status__in=[Job.Status.DONE, Job.Status.FAILED],
        finished_at__lt=timezone.now() - RETENTION,
    )
    removed = 0
    for job in old:
        if job.result:
            job.result.delete(save=False)
        job.delete()
        removed += 1
    return removed


def start(*, owner: User, handler: Handler, label: str, params: dict[str, Any]) -> Job:
    """Record a job for the owner and put it on the queue."""
    prune(owner)
    job = Job.objects.create(
        owner=owner,
        kind=_kind(handler),
        label=label[:200],
        params={**params, "language": translation.get_language()},
    )
    logger.info("job %s queued: %s by %s", job.pk, job.kind, owner.username)
    run_job.enqueue(str(job.pk))
    job.refresh_from_db()
    return job


def _fail(job_id: Any, message: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED, message=message[:300], finished_at=timezone.now()
    )


@task()
def run_job(job_id: str) -> None:
    """Run one queued job; a job already claimed (or finished) is left alone."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = Job.objects.select_related("owner").get(pk=job_id)
    with translation.override(job.params.get("language") or None):
        try:
            if not job.owner.is_active:
                raise JobError(_("The account that asked for this task is disabled."))
            output = _handler(job.kind)(job.owner, job.params, Progress(job.pk))
        except JobError as error:
            _fail(job.pk, str(error))
            logger.info("job %s refused: %s", job.pk, error)
            return
        except Exception:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            _fail(job.pk, _("The task failed; the error has been logged for the administrators."))
            return
    path = default_storage.save(f"jobs/{job.pk}/{output.filename}", ContentFile(output.content))
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        done=F("total"),
        result=path,
        result_name=output.filename,
        content_type=output.content_type,
        finished_at=timezone.now(),
    )
    logger.info("job %s done: %s, %d bytes", job.pk, output.filename, len(output.content))
