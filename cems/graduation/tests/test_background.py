"""Audits started from their pages run in the background worker (cems/graduation/tasks.py)
while the run's page shows their progress; a task delivered twice, or for a run given up
meanwhile, does nothing."""

import pytest
from django.urls import reverse

from cems.graduation import tasks
from cems.graduation.models import AuditKind, AuditResult, AuditRun, RunStatus
from cems.graduation.tests.matrix_degree import make_eligible

pytestmark = pytest.mark.django_db

GRADUATION = ("graduation:audit_start", "graduation:audit_detail", tasks.run_audit)
DEGREE = (
    "graduation:degree_audit_start",
    "graduation:degree_audit_results",
    tasks.run_degree_audit,
)


@pytest.fixture
def queue_only(settings):
    """Tasks are queued, not run: the worker is the test itself (Task.call)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def degree_candidate(world):
    """A bachelor graduate, so that the degree audit has someone to audit."""
    return make_eligible(world.a1)


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


def newest() -> AuditRun:
    """The run just started (the fixture's graduate comes with a finished one of its own)."""
    run = AuditRun.objects.order_by("-pk").first()
    assert run is not None
    return run


def poll(client, url: str):
    return client.get(url, {"progress": "1"}, HTTP_HX_REQUEST="true")


@pytest.mark.usefixtures("queue_only", "english")
@pytest.mark.parametrize("views", [GRADUATION, DEGREE], ids=["graduation", "degree"])
def test_a_started_audit_waits_for_the_worker_and_its_page_follows_it(world, client_for, views):
    start, page, task = views
    client = client_for("academic")
    answer = client.post(reverse(start), {})
    run = newest()
    assert answer.status_code == 302
    assert answer["Location"] == reverse(page, args=[run.pk])
    assert run.status == RunStatus.RUNNING
    assert not AuditResult.objects.filter(run=run).exists()

    html = client.get(answer["Location"]).content.decode()
    assert 'id="run-progress"' in html
    assert f'hx-get="{reverse(page, args=[run.pk])}?progress=1"' in html
    assert "Waiting for the background worker" in html
    panel = poll(client, answer["Location"])
    assert panel.status_code == 200
    assert "HX-Refresh" not in panel
    assert 'id="run-progress"' in panel.content.decode()

    task.call(run.pk)  # the worker
    run.refresh_from_db()
    assert (run.status, run.progress) == (RunStatus.DONE, 100)
    assert AuditResult.objects.filter(run=run).count() == run.counts["students"] > 0
    done = poll(client, answer["Location"])
    assert done["HX-Refresh"] == "true"
    assert 'id="run-progress"' not in client.get(answer["Location"]).content.decode()
    # Without htmx, the progress address leads back to the page.
    assert client.get(answer["Location"], {"progress": "1"})["Location"] == answer["Location"]


@pytest.mark.usefixtures("queue_only")
@pytest.mark.parametrize("views", [GRADUATION, DEGREE], ids=["graduation", "degree"])
def test_a_task_delivered_twice_computes_once(world, client_for, views):
    start, _page, task = views
    client_for("academic").post(reverse(start), {})
    run = newest()
    task.call(run.pk)
    results = list(AuditResult.objects.filter(run=run).values_list("pk", flat=True))
    finished_at = AuditRun.objects.get(pk=run.pk).finished_at
    task.call(run.pk)
    assert list(AuditResult.objects.filter(run=run).values_list("pk", flat=True)) == results
    assert AuditRun.objects.get(pk=run.pk).finished_at == finished_at


@pytest.mark.usefixtures("queue_only")
@pytest.mark.parametrize("views", [GRADUATION, DEGREE], ids=["graduation", "degree"])
def test_a_task_for_a_run_given_up_meanwhile_does_nothing(world, client_for, views):
    start, _page, task = views
    client_for("academic").post(reverse(start), {})
    run = newest()
    AuditRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error="interrupted")
    task.call(run.pk)
    assert AuditRun.objects.get(pk=run.pk).status == RunStatus.FAILED
    assert not AuditResult.objects.filter(run=run).exists()


@pytest.mark.usefixtures("queue_only")
def test_a_task_runs_only_its_own_kind(world, client_for):
    client_for("academic").post(reverse(GRADUATION[0]), {})
    run = newest()
    tasks.run_degree_audit.call(run.pk)
    assert AuditRun.objects.get(pk=run.pk).status == RunStatus.RUNNING
    assert run.kind == AuditKind.GRADUATION


@pytest.mark.usefixtures("english")
def test_the_progress_panel_is_only_for_those_who_see_the_run(world, client_for, users):
    client_for("academic").post(reverse(GRADUATION[0]), {})
    run = newest()
    url = reverse(GRADUATION[1], args=[run.pk])
    assert poll(client_for("student"), url).status_code in (403, 404)
    assert poll(client_for("teacher"), url).status_code in (403, 404)


@pytest.mark.usefixtures("english")
def test_a_degree_audit_failing_in_the_worker_says_so_on_its_page(world, client_for, monkeypatch):
    from cems.graduation import degree

    def broken(run, *, today):
        raise RuntimeError("the rules table is missing")

    monkeypatch.setattr(degree, "_run", broken)
    answer = client_for("academic").post(reverse(DEGREE[0]), {}, follow=True)
    run = newest()
    assert run.status == RunStatus.FAILED
    assert "the rules table is missing" in run.error
    assert "The audit failed: the rules table is missing" in answer.content.decode()
    assert not AuditResult.objects.filter(run=run).exists()
