"""Background jobs (cems/core/jobs.py) and their pages (cems/core/views_jobs.py)."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from cems.accounts.models import User
from cems.core import jobs
from cems.core.models import Job


@jobs.job_handler
def count_to(owner: User, params: dict[str, Any], progress: jobs.Progress) -> jobs.Output:
    progress.start(params["n"])
    for _ in range(params["n"]):
        progress.advance()
    text = f"{owner.username} counted to {params['n']} in {params['language']}"
    return jobs.Output("count.txt", text.encode(), "text/plain")


@jobs.job_handler
def refuse(owner: User, params: dict[str, Any], progress: jobs.Progress) -> jobs.Output:
    raise jobs.JobError("Nothing to print.")


@jobs.job_handler
def crash(owner: User, params: dict[str, Any], progress: jobs.Progress) -> jobs.Output:
    raise RuntimeError("secret detail")


def unmarked(owner: User, params: dict[str, Any], progress: jobs.Progress) -> jobs.Output:
    raise AssertionError("never run")


@pytest.fixture
def owner(users):
    return users["training"]


def test_a_job_runs_and_its_file_is_its_owners(owner, client_for):
    with translation.override("en"):
        job = jobs.start(owner=owner, handler=count_to, label="Counting", params={"n": 3})
    assert job.kind == "cems.core.tests.test_jobs.count_to"
    assert (job.status, job.done, job.total, job.percent) == ("done", 3, 3, 100)
    assert job.started_at is not None
    assert job.finished_at is not None
    response = client_for("training").get(reverse("jobs:download", args=[job.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="count.txt"'
    assert b"".join(response.streaming_content) == b"training-user counted to 3 in en"
    # Nobody else reaches it, not even an administrator.
    for role in ("admin", "auditor", "station"):
        assert client_for(role).get(reverse("jobs:download", args=[job.pk])).status_code == 404
        assert client_for(role).get(reverse("jobs:detail", args=[job.pk])).status_code == 404


def test_a_refusal_is_shown_and_a_crash_is_logged_not_shown(owner, caplog):
    refused = jobs.start(owner=owner, handler=refuse, label="Refused", params={})
    assert (refused.status, refused.message) == ("failed", "Nothing to print.")
    assert not refused.result
    crashed = jobs.start(owner=owner, handler=crash, label="Crash", params={})
    assert crashed.status == "failed"
    assert "secret detail" not in crashed.message
    assert "secret detail" in caplog.text


def test_only_marked_handlers_run(owner):
    with pytest.raises(ValueError, match="not marked"):
        jobs.start(owner=owner, handler=unmarked, label="No", params={})
    job = Job.objects.create(owner=owner, kind="cems.core.tests.test_jobs.unmarked", label="x")
    jobs.run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed"


def test_a_disabled_owners_job_does_not_run(owner):
    job = Job.objects.create(owner=owner, kind="cems.core.tests.test_jobs.count_to", label="x",
                             params={"n": 1, "language": "en"})  # fmt: skip
    User.objects.filter(pk=owner.pk).update(is_active=False)
    jobs.run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message == "The account that asked for this task is disabled."


def test_a_job_is_claimed_once(owner):
    job = jobs.start(owner=owner, handler=count_to, label="Once", params={"n": 1})
    finished_at = job.finished_at
    jobs.run_job.call(str(job.pk))  # a second delivery of the same task
    job.refresh_from_db()
    assert job.finished_at == finished_at


def test_the_database_queue_and_its_worker(transactional_db, owner, settings):
    """The default backend: the job waits in the database until `db_worker` runs it (the
    worker closes its connection between tasks, so the test commits as a real one does)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = jobs.start(owner=owner, handler=count_to, label="Queued", params={"n": 2})
    assert (job.status, job.percent) == ("queued", 0)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.done) == ("done", 2)


def test_the_page_polls_until_the_job_ends(owner, client_for, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = jobs.start(owner=owner, handler=count_to, label="Polled", params={"n": 2})
    client = client_for("training")
    url = reverse("jobs:detail", args=[job.pk])
    page = client.get(url).content.decode()
    assert "Polled" in page
    assert 'hx-trigger="every 1s"' in page
    panel = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in panel
    assert 'hx-trigger="every 1s"' in panel
    jobs.run_job.call(str(job.pk))
    panel = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' not in panel
    assert reverse("jobs:download", args=[job.pk]) in panel
    listing = client.get(reverse("jobs:list")).content.decode()
    assert "Polled" in listing
    assert "Polled" not in client_for("admin").get(reverse("jobs:list")).content.decode()


def test_progress_is_written_as_work_goes(owner, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)
    job = Job.objects.create(owner=owner, kind="k", label="x")
    progress = jobs.Progress(job.pk)
    progress.start(10)
    progress.advance(4)
    job.refresh_from_db()
    assert (job.done, job.total, job.percent) == (4, 10, 40)


def test_old_finished_jobs_are_pruned_with_their_files(owner):
    old = jobs.start(owner=owner, handler=count_to, label="Old", params={"n": 1})
    path = old.result.path
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - dt.timedelta(days=8))
    recent = jobs.start(owner=owner, handler=count_to, label="Recent", params={"n": 1})
    assert list(Job.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Path(path).exists()
