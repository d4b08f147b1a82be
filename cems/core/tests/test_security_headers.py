"""Hardened pages (issue 8): the Content-Security-Policy on every response
(cems/core/middleware.py), templates without inline scripts, `check --deploy` with the
production settings, and the headers of downloads."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from cems.accounts.models import Role
from cems.conftest import sign_in_browser
from cems.core.middleware import HEADER, ContentSecurityPolicyMiddleware, policy_text
from cems.teaching.tests import conftest as teaching_fixtures
from cems.training.tests.certificate_fixtures import certified

teaching = teaching_fixtures.teaching

EXPECTED_DIRECTIVES = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def directives(header: str) -> dict[str, str]:
    parts = [part.strip().split(" ", 1) for part in header.split(";") if part.strip()]
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def assert_policy(response) -> None:
    assert HEADER in response, response.request["PATH_INFO"]
    found = directives(response[HEADER])
    for name, value in EXPECTED_DIRECTIVES.items():
        assert found.get(name) == value, (name, response[HEADER])
    assert "'unsafe-eval'" not in response[HEADER]
    assert "'unsafe-inline'" not in found["script-src"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


def assert_no_inline_script(html: str) -> None:
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not EVENT_ATTRIBUTE.search(html), EVENT_ATTRIBUTE.search(html)


# --- The policy ------------------------------------------------------------------------------


def test_the_policy_text_lists_every_directive():
    text = policy_text(settings.CEMS_CONTENT_SECURITY_POLICY)
    assert directives(text)["script-src"] == "'self'"
    assert text.count(";") == len(settings.CEMS_CONTENT_SECURITY_POLICY) - 1


def test_signed_in_pages_carry_the_policy(world, users, teaching, client_for):
    gradebook = teaching_fixtures.make_gradebook(teaching, world, users[Role.TEACHER])
    academic = client_for("academic")
    pages = [
        (academic, reverse("reports:dashboard")),
        (academic, reverse("students:list")),
        (academic, reverse("students:detail", args=[world.a1.pk])),
        (client_for("teacher"), reverse("teaching:grade_grid", args=[gradebook.offering.pk])),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_policy(response)
        assert_no_inline_script(response.content.decode())


def test_public_pages_and_errors_carry_the_policy(world):
    client = Client()
    for url, status in (
        (reverse("public:home"), 200),
        (reverse("verify:verify"), 200),
        (reverse("accounts:login"), 200),
        ("/no-such-page/", 404),
        (reverse("reports:dashboard"), 302),
    ):
        response = client.get(url)
        assert response.status_code == status, url
        assert_policy(response)
        if status == 200:
            assert_no_inline_script(response.content.decode())


def test_a_view_that_sets_its_own_policy_keeps_it(rf):
    def view(request):
        response = HttpResponse(b"x", content_type="image/png")
        response[HEADER] = "default-src 'none'; sandbox"
        return response

    response = ContentSecurityPolicyMiddleware(view)(rf.get("/"))
    assert response[HEADER] == "default-src 'none'; sandbox"


def test_the_admin_works_under_the_same_policy(users, client_for):
    """Django's admin has no inline script (its constants travel in data attributes), so it
    needs no relaxed policy."""
    admin = client_for("admin")
    for url in (
        reverse("admin:index"),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[users["teacher"].pk]),
    ):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert_policy(response)
        assert_no_inline_script(response.content.decode())


INLINE_STYLE = re.compile(r"<style\b|<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)


def test_no_template_has_an_inline_script_style_or_event_attribute():
    root = Path(settings.BASE_DIR) / "cems"
    offenders = []
    for path in root.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        if INLINE_SCRIPT.search(text) or EVENT_ATTRIBUTE.search(text) or INLINE_STYLE.search(text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_the_scanner_finds_inline_styles():
    assert INLINE_STYLE.search("<style>p { color: red }</style>")
    assert INLINE_STYLE.search('<p class="x" style="color: red">')
    assert not INLINE_STYLE.search('<p class="style">styles</p>')


def test_the_scanner_finds_inline_scripts():
    with pytest.raises(AssertionError):
        assert_no_inline_script("<p>x</p><script>alert(1)</script>")
    with pytest.raises(AssertionError):
        assert_no_inline_script('<button onclick="go()">')
    assert_no_inline_script('<script src="/static/x.js" defer></script><p data-on="1">')


# --- Production settings: manage.py check --deploy ----------------------------------------


# The subprocess gets a clean environment: nothing of the test run (DJANGO_ALLOW_ASYNC_UNSAFE
# set by the browser tests, DEBUG, ...) leaks into the production settings under check.
KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV")


def deploy_check(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    environment = {key: os.environ[key] for key in KEPT if key in os.environ}
    environment.update(
        DJANGO_SETTINGS_MODULE="cems.settings",
        CEMS_VAR_DIR=str(tmp_path),
        DEBUG="false",
        SECURE_COOKIES="true",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="cems.example.edu.cn",
        **extra,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = deploy_check(tmp_path, CEMS_HTTPS="true")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_https(tmp_path):
    result = deploy_check(tmp_path)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "security.W004" in output  # no HSTS
    assert "security.W008" in output  # no redirect to HTTPS


def test_https_redirects_and_sends_hsts(world, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get(reverse("public:home"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    response = Client().get(reverse("public:home"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]


# --- Downloads ---------------------------------------------------------------------------------


def assert_attachment(response) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment"), response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert_policy(response)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_list_exports_are_attachments(world, client_for, fmt):
    response = client_for("academic").post(reverse("students:export"), {"format": fmt})
    assert_attachment(response)
    assert f".{fmt}" in response["Content-Disposition"]


def test_pdfs_are_attachments(world, client_for):
    response = client_for("academic").get(
        reverse("teaching:transcript_student", args=[world.a1.pk])
    )
    assert_attachment(response)
    assert response["Content-Type"] == "application/pdf"

    certificate = certified(serial=7)
    response = client_for("training").get(
        reverse("training:certificate_pdf", args=[certificate.pk])
    )
    assert_attachment(response)
    assert response["Content-Type"] == "application/pdf"


# --- In a browser: nothing on the pages is blocked by the policy -------------------------------


@pytest.mark.browser
def test_the_browser_reports_no_policy_violation(
    browser, live_server, transactional_db, world, users
):
    trainee = certified(serial=9).trainee
    page = browser.new_page(locale="en-US")
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in_browser(page, live_server.url, users["admin"].username)
    for url in (
        reverse("students:list"),
        reverse("students:detail", args=[world.a1.pk]),
        reverse("status_changes:registration"),
        reverse("training:trainee_detail", args=[trainee.pk]),
        reverse("status_changes:file", args=[world.a1.pk]),
        reverse("public:home"),
        reverse("admin:index"),
        reverse("admin:accounts_user_change", args=[users["teacher"].pk]),
    ):
        response = page.goto(live_server.url + url)
        assert response is not None, url
        assert response.status == 200, url
        page.wait_for_load_state("load")
    assert violations == []
