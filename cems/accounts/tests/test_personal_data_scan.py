"""Personal data: every page (and its csv download) that a role without the right to see
personal data can open (every GET entry of the role matrix, inside and outside its scope)
is scanned for a full 18-digit ID number and a full mobile number. Roles with the right
see them masked by default too, on lists; they unmask one record with a reason (tested with
the records)."""

import re

import pytest
from django.db import transaction
from django.test import Client

from cems.accounts.access import ROLE_CAPABILITIES, Capability
from cems.accounts.tests.test_role_matrix import MATRIX, _urls
from cems.conftest import World
from cems.core.templatetags import cems as cems_tags
from cems.testing import ANON, ROLES

FULL_ID = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}[01][0-9][0-3][0-9]{4}[0-9Xx](?![0-9])"
)
FULL_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")

WITHOUT_THE_RIGHT = [
    role
    for role in ROLES
    if role == ANON or Capability.SEE_PERSONAL_DATA not in ROLE_CAPABILITIES.get(role, set())
]
PAGES = sorted(name for name, entry in MATRIX.items() if entry.method == "get")


def test_the_scan_recognises_what_it_looks_for(world):
    assert FULL_ID.search(f"<td>{world.a1.id_number}</td>")
    assert not FULL_ID.search("<td>430302********1234</td>")
    assert FULL_MOBILE.search("<td>13912345678</td>")
    assert not FULL_MOBILE.search("<td>139****5678</td>")


@pytest.mark.parametrize("role", WITHOUT_THE_RIGHT)
def test_no_page_shows_a_full_id_or_phone_number(role, world, client_for):
    client = client_for(None if role == ANON else role)
    shown = []
    for name in PAGES:
        # Each entry's objects in a savepoint of their own, undone after (entries may make
        # the same objects).
        with transaction.atomic():
            shown += _scan(client, name, world)
            transaction.set_rollback(True)
    assert shown == []


def _scan(client: Client, name: str, world: World) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    for _which, url in _urls(name, MATRIX[name], world):
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        texts = [response.content.decode()]
        # The page's csv download, where it has one.
        download = client.get(url, {"format": "csv"})
        if download.status_code == 200 and "csv" in download.get("Content-Type", ""):
            content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
            texts.append(content.decode("utf-8-sig"))
        for text in texts:
            shown += [(url, m) for m in FULL_ID.findall(text) + FULL_MOBILE.findall(text)]
    return shown


@pytest.mark.parametrize("name", ["students:list", "students:detail"])
def test_the_scan_catches_a_page_that_stops_masking(name, world, client_for, monkeypatch):
    """The scan is not blind: with the templates' masking switched off, it finds the
    number on the page."""
    monkeypatch.setattr(cems_tags, "mask_id_number", lambda value: value or "")
    found = [number for _url, number in _scan(client_for("finance"), name, world)]
    assert world.a1.id_number in found
