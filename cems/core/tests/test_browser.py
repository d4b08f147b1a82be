"""A browser test: Playwright drives Debian's Chromium (/usr/bin/chromium) against the live
server. On a machine without Chromium it is skipped with the reason; in CI (CI=true) a
missing browser fails the run instead."""

import os
import shutil

import pytest

from cems.conftest import PASSWORD

CHROMIUM = os.environ.get("CEMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    missing = None
    if not shutil.which(CHROMIUM):
        missing = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:  # pragma: no cover - playwright is in requirements-dev.txt
            missing = "the playwright package is not installed"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {missing}")
        pytest.skip(missing)
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # fixtures stay synchronous, which Django allows once told so.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def test_station_staff_switch_language_and_see_only_their_station(
    browser, live_server, transactional_db, world, users
):
    page = browser.new_page(locale="zh-CN")  # a Chinese browser: the UI starts in Chinese
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.fill("#id_username", users["station"].username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")

    page.click("form.langswitch button[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").first.inner_text() == "Dashboard"

    page.click("nav.mainnav >> text=Students")
    page.wait_for_url(f"{live_server.url}/students/")
    stations = page.locator("#students td.station").all_inner_texts()
    assert stations, "the list shows the station's students"
    assert set(stations) == {world.station_a.name}
    numbers = page.locator("#students tbody tr td:first-child").all_inner_texts()
    assert sorted(numbers) == sorted([world.a1.student_number, world.a2.student_number])
    assert world.b1.student_number not in page.content()

    page.click("form.langswitch button[value=zh-hans]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert set(page.locator("#students td.station").all_inner_texts()) == {world.station_a.name}
    page.close()
