"""A browser test (the `browser` fixture is in cems/conftest.py): station staff sign in,
switch the language and see only their station's students."""

import pytest

from cems.conftest import PASSWORD

pytestmark = pytest.mark.browser


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

    # The menu groups its entries: open "Student records", then follow "Students".
    page.click("nav.mainnav summary >> text=Student records")
    page.click("nav.mainnav .navmenu a[href='/students/']")
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
