"""A browser test of the upload, preview and confirm flow (Playwright driving Debian's
Chromium against the live server; skipped without Chromium, a failure in CI)."""

import pytest

from cems.admissions.models import AdmissionImport, Candidate
from cems.admissions.tests.factories import person, xlsx_file
from cems.conftest import sign_in_browser

pytestmark = pytest.mark.browser


def test_upload_preview_confirm(browser, live_server, transactional_db, world, users, settings,
                                tmp_path):  # fmt: skip
    settings.VAR_DIR = tmp_path
    upload = tmp_path / "录取名单.xlsx"
    upload.write_bytes(xlsx_file(person(1), person(2), person(3, 联系电话="12")))
    page = browser.new_page(locale="en-US")
    sign_in_browser(page, live_server.url, users["academic"].username)
    page.click("form.langswitch button[value=en]")
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/admissions/imports/new/")
    page.set_input_files("#id_file", str(upload))
    page.click("#upload button[type=submit].primary")
    page.wait_for_selector("#rows")
    record = AdmissionImport.objects.get()
    assert page.url == f"{live_server.url}/admissions/imports/{record.pk}/"
    figures = page.locator("#counts .value").all_inner_texts()
    assert figures == ["3", "2", "0", "0", "1"]
    assert "12 is not a plausible phone number." in page.locator("#rows").inner_text()
    assert not Candidate.objects.exists()

    page.click("#decision button.primary")
    page.wait_for_selector(".messages li.success")
    assert "Imported: 2 new" in page.locator(".messages").inner_text()
    assert Candidate.objects.count() == 2
    record.refresh_from_db()
    assert record.state == AdmissionImport.State.CONFIRMED

    page.goto(f"{live_server.url}/admissions/")
    names = page.locator("#candidates tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(names) == sorted([person(1)["姓名"], person(2)["姓名"]])
    page.close()
