"""The audits' background tasks (Django's task API; `python manage.py db_worker` runs them).

A run is created by the request that starts it (cems/graduation/services.py, degree.py);
the task computes it. A task delivered twice, or one arriving for a run already marked
failed as stale, does nothing: it first claims the run (still running, not yet picked up).
"""

from django_tasks import task

from cems.graduation.models import AuditKind, AuditRun, RunStatus

# The progress a run is claimed with; a run created and not yet picked up is below it.
PICKED_UP = 20


def _claim(run_id: int, kind: str) -> AuditRun | None:
    claimed = AuditRun.objects.filter(
        pk=run_id, kind=kind, status=RunStatus.RUNNING, progress__lt=PICKED_UP
    ).update(progress=PICKED_UP)
    if not claimed:
        return None
    return AuditRun.objects.select_related("station", "started_by").get(pk=run_id)


@task()
def run_audit(run_id: int) -> None:
    """Compute a graduation audit run."""
    from cems.graduation.services import audit_compute

    if (run := _claim(run_id, AuditKind.GRADUATION)) is not None:
        audit_compute(run)


@task()
def run_degree_audit(run_id: int) -> None:
    """Compute a degree audit run."""
    from cems.graduation.degree import degree_audit_compute

    if (run := _claim(run_id, AuditKind.DEGREE)) is not None:
        degree_audit_compute(run)
