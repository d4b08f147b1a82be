"""A browser test of a dashboard chart (the `browser` fixture is in cems/conftest.py):
academic affairs sign in, follow the bar of one station in "Registered students by station"
and land on the student list filtered to that station's registered students."""

import pytest

from cems.conftest import sign_in_browser

pytestmark = pytest.mark.browser


def test_a_chart_bar_leads_to_the_list_behind_it(
    browser, live_server, transactional_db, world, users
):
    page = browser.new_page(locale="en-US")
    sign_in_browser(page, live_server.url, users["academic"].username)
    bars = page.locator("#chart-station svg.chart a")
    assert bars.count() == 2  # station A (two students) and station B (one)
    page.locator("#chart-station svg.chart a", has_text=world.station_b.name).click()
    page.wait_for_url(f"{live_server.url}/students/?*")
    assert f"station={world.station_b.pk}" in page.url
    numbers = page.locator("#students tbody tr td:first-child").all_inner_texts()
    assert numbers == [world.b1.student_number]
    page.close()
