"""The public verification page /verify/: valid, expired, revoked, unknown; a wrong name
answers exactly as an unknown number; the name masked; rate limited per address."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from cems.core.ratelimit import LOOKUP_LIMIT
from cems.training import certificates
from cems.training.models import Certificate
from cems.training.tests.certificate_fixtures import certified
from cems.training.views_certificates import lookup_counter_key

pytestmark = pytest.mark.django_db
URL = "/verify/"


@pytest.fixture(autouse=True)
def _fresh_counter():
    cache.delete(lookup_counter_key("127.0.0.1"))
    yield
    cache.delete(lookup_counter_key("127.0.0.1"))


@pytest.fixture
def certificate() -> Certificate:
    return certified(1, name="张伟", issued_on=certificates.today())


def _answer(client, number: str, name: str) -> tuple[int, str]:
    response = client.get(URL, {"number": number, "name": name})
    html = response.content.decode()
    return response.status_code, html


def test_url_is_public():
    assert reverse("verify:verify") == URL


def test_valid_shows_only_the_masked_name(client, certificate):
    status, html = _answer(client, certificate.number, "张伟")
    assert status == 200
    assert 'data-status="valid"' in html
    assert "张*" in html
    assert "张伟" not in html
    assert certificate.trainee.id_number not in html
    assert certificate.trainee.id_number[-4:] not in html


def test_wrong_name_answers_like_an_unknown_number(client, certificate):
    _, wrong_name = _answer(client, certificate.number, "李四")
    _, unknown = _answer(client, "TZ209900001", "李四")
    assert 'data-status="unknown"' in wrong_name

    def strip(html: str) -> str:
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
        return html.replace(certificate.number, "").replace("TZ209900001", "")

    assert strip(wrong_name) == strip(unknown)
    assert "张*" not in wrong_name


def test_revoked_and_expired(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_on=certificates.today() - dt.timedelta(days=1)
    )
    assert 'data-status="expired"' in _answer(client, certificate.number, "张伟")[1]
    Certificate.objects.filter(pk=certificate.pk).update(status="revoked", revocation_reason="x")
    _, html = _answer(client, certificate.number, "张伟")
    assert 'data-status="revoked"' in html
    assert "x</dd>" not in html


def test_number_and_name_are_normalized(client, certificate):
    _, html = _answer(client, f" {certificate.number.lower()} ", " 张 伟 ")
    assert 'data-status="valid"' in html


def test_the_qr_address_prefills_the_number_without_a_lookup(client, certificate):
    response = client.get(URL, {"number": certificate.number})
    html = response.content.decode()
    assert response.status_code == 200
    assert certificate.number in html
    assert "data-status" not in html
    assert cache.get(lookup_counter_key("127.0.0.1")) is None


def test_empty_fields_are_errors_not_lookups(client):
    response = client.get(URL, {"number": "", "name": ""})
    assert response.status_code == 200
    assert "data-status" not in response.content.decode()


def test_rate_limited_per_address(client, certificate):
    for _ in range(LOOKUP_LIMIT):
        assert _answer(client, "NOPE", "某人")[0] == 200
    status, html = _answer(client, certificate.number, "张伟")
    assert status == 429
    assert 'data-status="limited"' in html
    assert "张*" not in html
    other = client.get(URL, {"number": certificate.number, "name": "张伟"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200
    cache.delete(lookup_counter_key("10.0.0.9"))


def test_lookup_uses_the_unique_index(certificate, django_assert_num_queries):
    with django_assert_num_queries(1):
        certificates.verify(certificate.number, "张伟")
