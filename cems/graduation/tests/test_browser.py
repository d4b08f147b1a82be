"""A browser test (the `browser` fixture is in cems/conftest.py): academic affairs start a
graduation audit, watch its progress while the worker computes it, and the page turns into
its results by itself."""

import pytest

from cems.conftest import sign_in_browser
from cems.graduation import tasks
from cems.graduation.models import AuditRun, RunStatus

pytestmark = pytest.mark.browser


def test_the_audit_page_follows_the_worker_and_shows_the_results(
    browser, live_server, transactional_db, world, users, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    page = browser.new_page(locale="en-US")
    sign_in_browser(page, live_server.url, users["academic"].username)

    page.goto(f"{live_server.url}/graduation/audits/new/")
    page.click("form.form button[type=submit].primary")
    page.wait_for_selector("#run-progress")
    run = AuditRun.objects.get()
    assert run.status == RunStatus.RUNNING
    assert "Waiting for the background worker" in page.inner_text("#run-progress")

    tasks.run_audit.call(run.pk)  # the worker
    # The panel asks every second; once the run is done the page loads again, with results.
    page.wait_for_selector("#run-progress", state="detached", timeout=10_000)
    page.wait_for_load_state()
    assert AuditRun.objects.get().status == RunStatus.DONE
    assert page.locator(".figures").count() == 1
    numbers = page.locator("table.data tbody").inner_text()
    assert world.a1.student_number in numbers
    page.close()
