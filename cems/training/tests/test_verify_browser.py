"""A browser test of /verify/ (the `browser` fixture is in cems/conftest.py): a visitor
without an account opens the address of a certificate's QR code, types the holder's name
and learns the certificate is valid, with the name masked; a wrong name answers unknown."""

import pytest
from django.core.cache import cache

from cems.training import certificates
from cems.training.tests.certificate_fixtures import certified
from cems.training.views_certificates import lookup_counter_key

pytestmark = pytest.mark.browser


def test_a_visitor_verifies_a_certificate_from_its_qr_address(
    browser, live_server, transactional_db
):
    cache.delete(lookup_counter_key("127.0.0.1"))
    certificate = certified(1, name="张伟", issued_on=certificates.today())
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{live_server.url}/verify/?number={certificate.number}")
    assert page.input_value("#id_number") == certificate.number
    page.fill("#id_name", "张伟")
    page.click("button[type=submit].primary")
    page.wait_for_selector("#verify-result")
    assert page.get_attribute("#verify-result", "data-status") == "valid"
    body = page.inner_text("main")
    assert "张*" in body
    assert "张伟" not in body
    assert certificate.trainee.id_number not in page.content()

    page.fill("#id_number", certificate.number)
    page.fill("#id_name", "李四")
    page.click("button[type=submit].primary")
    page.wait_for_selector("#verify-result[data-status=unknown]")
    assert "张*" not in page.inner_text("main")
    page.close()
    cache.delete(lookup_counter_key("127.0.0.1"))
