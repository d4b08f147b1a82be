"""Downloads with full ID and phone numbers: only the student list's "unmasked export" has
them, and it needs the right to see personal data (Capability.SEE_PERSONAL_DATA), a stated
reason, and leaves a PersonalDataLog row. Every other download of every page masks them."""

from typing import Any

import pytest
from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cems.accounts.access import Capability, has_capability
from cems.accounts.tests.test_role_matrix import MATRIX
from cems.admissions.models import Candidate
from cems.core.models import PersonalDataLog
from cems.students.models import Student
from cems.testing import ROLES
from cems.training.models import Trainee

EXPORT = "students:export"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _body(response: Any) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8-sig")


def _full_export(client: Client, reason: str, **query: str) -> Any:
    url = reverse(EXPORT)
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return client.post(url, {"format": "csv", "full": "on", "reason": reason})


def test_full_export_needs_a_reason(world, client_for):
    for reason in ("", "   "):
        response = _full_export(client_for("admin"), reason)
        assert response.status_code == 302
        assert not response.get("Content-Type", "").startswith("text/csv")
    assert not PersonalDataLog.objects.exists()


@pytest.mark.parametrize("role", ["finance", "auditor"])
def test_full_export_needs_the_right_to_see_personal_data(world, users, client_for, role):
    """Those who list students but may not see personal data get a 403, and no log row."""
    assert not has_capability(users[role], Capability.SEE_PERSONAL_DATA)
    response = _full_export(client_for(role), "audit")
    assert response.status_code == 403
    assert not PersonalDataLog.objects.exists()


def test_every_role_that_may_list_but_not_see_is_refused(world, users, client_for):
    """The rule, for every role: a file with full numbers only with SEE_PERSONAL_DATA."""
    for role in ROLES:
        if role == "anonymous":
            continue
        response = _full_export(client_for(role), "check")
        allowed = has_capability(users[role], Capability.SEE_PERSONAL_DATA) and has_capability(
            users[role], Capability.LIST_STUDENTS
        )
        assert (response.status_code == 200) == allowed, role
        assert response.status_code in (200, 403), role


def test_full_export_holds_the_numbers_of_the_scope_and_is_logged(world, users, client_for):
    response = _full_export(client_for("station"), "  教育厅年检  ")
    assert response.status_code == 200
    body = _body(response)
    assert world.a1.id_number in body
    assert world.a1.phone in body
    assert world.b1.id_number not in body
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    log = PersonalDataLog.objects.get()
    assert log.user == users["station"]
    assert log.action == PersonalDataLog.Action.EXPORT
    assert log.reason == "教育厅年检"
    assert "id_number" in log.fields
    assert "phone" in log.fields
    assert log.row_count == 2


def test_masked_export_has_no_full_numbers_and_is_logged_without_fields(world, client_for):
    response = client_for("admin").post(reverse(EXPORT), {"format": "csv"})
    body = _body(response)
    for student in (world.a1, world.b1):
        assert student.id_number not in body
        assert student.phone not in body
    log = PersonalDataLog.objects.get()
    assert log.fields == ""
    assert log.reason == ""


def _personal_numbers() -> set[str]:
    numbers: set[str] = set()
    for model in (Student, Candidate, Trainee):
        for id_number, phone in model.objects.values_list("id_number", "phone"):
            numbers.update(value for value in (id_number, phone) if value)
    return numbers


def _args(target: Any) -> list[Any]:
    return [target.pk] if isinstance(target, Model) else list(target)


DOWNLOADS = sorted(
    name
    for name, entry in MATRIX.items()
    if entry.method == "get" and name != "admin:*" and entry.expect["admin"][0] == 200
)


def test_no_other_download_holds_full_numbers(world, client_for):
    """Every page an administrator (who may see personal data) opens, downloaded as csv:
    no full ID or phone number of a student, a candidate or a trainee in it."""
    numbers = _personal_numbers()
    assert numbers
    client = client_for("admin")
    checked, leaks = [], []
    for name in DOWNLOADS:
        entry = MATRIX[name]
        with transaction.atomic():  # each entry's objects undone after it
            inside = entry.objects(world)[0] if entry.objects else ()
            response = client.get(reverse(name, args=_args(inside)), {"format": "csv"})
            if response.get("Content-Type", "").startswith("text/csv"):
                checked.append(name)
                body = _body(response)
                leaks += [(name, number) for number in sorted(numbers) if number in body]
            transaction.set_rollback(True)
    assert leaks == []
    assert len(checked) >= 37, checked  # every list with a csv download (37 today)
