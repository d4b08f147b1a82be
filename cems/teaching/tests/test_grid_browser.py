"""A browser test of the grade grid (the `browser` fixture is in cems/conftest.py): a teacher
signs in and fills a grid of four students from the keyboard only — Enter moves down the
column, Shift+Enter up, Tab along the row — and every cell is saved as it is left."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cems.conftest import add_student, sign_in_browser
from cems.teaching.models import Grade, OfferingStudent

pytestmark = pytest.mark.browser


def test_a_teacher_fills_the_grid_from_the_keyboard(
    browser, live_server, transactional_db, world, users, teaching, gradebook
):
    entries = dict(gradebook.entries)
    for name, serial in (("s3", 301), ("s4", 302)):
        student = add_student(world, serial, student_class=teaching.class_a)
        entries[name] = OfferingStudent.objects.create(offering=gradebook.offering, student=student)

    page = browser.new_page(locale="en-US")
    sign_in_browser(page, live_server.url, users["teacher"].username)
    page.goto(live_server.url + reverse("teaching:grade_grid", args=[gradebook.offering.pk]))

    def cell(name: str, field: str) -> str:
        return f"#cell-{entries[name].pk}-{field}"

    page.click(f"{cell('a1', 'score')} input.gradeinput")
    keyboard = page.keyboard
    keyboard.type("85")
    assert "unsaved" in (page.locator(cell("a1", "score")).get_attribute("class") or "")
    keyboard.press("Enter")  # a2's score
    keyboard.type("40")
    keyboard.press("Enter")  # s3's score
    keyboard.type("abc")
    keyboard.press("Enter")  # s4's score
    keyboard.type("９２")  # full-width digits, as a Chinese input method types them
    keyboard.press("Tab")  # s4's mark
    keyboard.press("Shift+Enter")  # s3's mark
    keyboard.type("缺考")
    keyboard.press("Tab")  # leaves the cell, which saves it
    # No cell waits for the server any more (the page's policy forbids evaluated scripts,
    # so the test waits on the elements, not on a function).
    expect(page.locator("table.grades td.unsaved")).to_have_count(0)
    expect(page.locator(".htmx-request")).to_have_count(0)

    scores = {
        name: Grade.objects.filter(entry=entry).values_list("score", "mark", "passed").first()
        for name, entry in entries.items()
    }
    assert scores == {
        "a1": (Decimal(85), "", True),
        "a2": (Decimal(40), "", False),
        "s3": (None, "absent", False),  # its score was refused; its mark saved
        "s4": (Decimal(92), "", True),
    }

    invalid = page.locator(cell("s3", "score"))
    assert "invalid" in (invalid.get_attribute("class") or "")
    field = invalid.locator("input.gradeinput")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == "abc"
    assert "Enter a number from 0 to 100." in invalid.inner_text()
    # The rows' results and the count of missing ones were updated in place.
    assert page.locator(f"#state-{entries['a1'].pk}").inner_text() == "Passed"
    assert page.locator(f"#state-{entries['s3'].pk}").inner_text() == "Failed"
    assert page.locator("#missing-count").inner_text() == "0"
    assert page.locator("table.grades td.unsaved").count() == 0

    # Every student has a result: submitted after a confirmation, the grid is locked and
    # the makeup list shows the students who failed but were not caught cheating.
    dialogs = []

    def confirm(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", confirm)
    page.click("form.submitgrades button[type=submit]")
    page.wait_for_selector("#makeup-list")
    assert "locked" in dialogs[0]
    gradebook.offering.refresh_from_db()
    assert gradebook.offering.grades_locked
    assert page.locator("input.gradeinput").count() == 0
    makeup_list = page.locator("#makeup-list").inner_text()
    assert entries["a2"].student.student_number in makeup_list
    assert entries["s3"].student.student_number in makeup_list
    assert entries["a1"].student.student_number not in makeup_list
    page.close()
