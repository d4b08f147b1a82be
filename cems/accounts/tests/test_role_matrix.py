"""The role matrix: every URL pattern, requested as every role, with objects inside and
outside the user's scope. A URL pattern without an entry here fails the suite, so that no
page can be added without deciding who may open it."""

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cems.conftest import World
from cems.testing import (
    ANON,
    OWN_SCOPED,
    ROLES,
    SCHOOL_READERS,
    STUDENT_READERS,
    Entry,
    own_student_pair,
    station_pair,
    statuses,
    student_pair,
)

MATRIX: dict[str, Entry] = {
    "reports:dashboard": Entry(statuses(200)),
    "accounts:login": Entry(statuses(302, anonymous=200)),  # signed-in users are sent on
    "accounts:logout": Entry(statuses(302), method="post"),
    "accounts:password_change": Entry(statuses(200)),
    "accounts:password_change_done": Entry(statuses(200)),
    "set_language": Entry(statuses(302, anonymous=302), method="post", data={"language": "en"}),
    "organization:station_list": Entry(
        statuses(403, **dict.fromkeys(SCHOOL_READERS | {"station"}, 200)),
        listing=lambda w: (w.station_a.name, w.station_b.name),
    ),
    "organization:station_create": Entry(statuses(403, admin=200, academic=200)),
    "organization:station_detail": Entry(
        statuses(403, **dict.fromkeys(SCHOOL_READERS, 200), station=(200, 404)),
        objects=station_pair,
    ),
    "organization:station_edit": Entry(
        statuses(403, admin=200, academic=200), objects=station_pair
    ),
    "students:list": Entry(
        statuses(403, **dict.fromkeys(STUDENT_READERS, 200)),
        listing=lambda w: (w.a1.student_number, w.b1.student_number),
    ),
    "students:detail": Entry(
        statuses(
            403,
            **dict.fromkeys(STUDENT_READERS - {"station"}, 200),
            station=(200, 404),
            student=(200, 404),
        ),
        objects=student_pair,
        objects_for={"student": own_student_pair},
    ),
    # Django's admin: one entry for its whole namespace, requested at its index and at a
    # model's change list; only school administrators get in, others are sent to its login.
    "admin:*": Entry(statuses(302, admin=200)),
}


def _gather_app_matrices() -> None:
    """Add the entries each app declares in cems/<app>/tests/matrix*.py."""
    root = Path(__file__).resolve().parents[2]
    for path in sorted(root.glob("*/tests/matrix*.py")):
        module = importlib.import_module(f"cems.{path.parent.parent.name}.tests.{path.stem}")
        for name, entry in module.MATRIX.items():
            assert name not in MATRIX, f"{name} has two role-matrix entries"
            MATRIX[name] = entry


_gather_app_matrices()


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield (
                f"{namespace}{pattern.name}"
                if pattern.name
                else f"{namespace}<unnamed {pattern.pattern}>"
            )


def all_url_names() -> list[str]:
    return sorted(set(_walk(get_resolver().url_patterns)))


def test_every_url_pattern_has_a_matrix_entry():
    missing = [
        name
        for name in all_url_names()
        if name not in MATRIX and not (name.startswith("admin:") and "admin:*" in MATRIX)
    ]
    assert missing == [], f"URL patterns without a role-matrix entry: {missing}"


def test_matrix_has_no_stale_entries():
    names = set(all_url_names())
    stale = [key for key in MATRIX if key != "admin:*" and key not in names]
    assert stale == []


def _urls(name: str, entry: Entry, world: World, role: str = "station") -> list[tuple[str, str]]:
    """(which, url) pairs as `role` requests them (station staff's pair by default): which
    is "inside" or "outside"."""
    if name == "admin:*":
        return [("inside", reverse("admin:index")),
                ("inside", reverse("admin:students_student_changelist"))]  # fmt: skip
    objects = entry.objects_of(role)
    if objects is None:
        return [("inside", reverse(name))]
    inside, outside = objects(world)
    return [("inside", reverse(name, args=_args(inside))),
            ("outside", reverse(name, args=_args(outside)))]  # fmt: skip


def _args(target: Any) -> list[Any]:
    return [target.pk] if isinstance(target, Model) else list(target)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix(name, role, world, client_for):
    entry = MATRIX[name]
    client = client_for(None if role == ANON else role)
    for which, url in _urls(name, entry, world, role):
        response = getattr(client, entry.method)(url, entry.data)
        inside, outside = entry.expect[role]
        expected = inside if which == "inside" else outside
        assert response.status_code == expected, f"{role} {entry.method.upper()} {url}"
        if entry.listing and response.status_code == 200:
            shown, hidden = entry.listing(world)
            html = response.content.decode()
            assert shown in html, f"{role} should see {shown} at {url}"
            if role == "station" or role in OWN_SCOPED:
                assert hidden not in html, f"{role} must not see {hidden} at {url}"


def _takes_an_object(name: str, entry: Entry) -> bool:
    """Lists build their rows with `objects` but take no argument: their `listing` is checked
    for every scoped role instead."""
    return entry.objects is not None and entry.listing is None and name != "admin:*"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_own_scoped_roles_are_tested_outside_their_own_scope(name):
    """A teacher, a student or a trainee who reaches a page of an object is also requested at
    an object of the same kind that is not theirs (another teacher's offering, another
    student's record, another trainee's certificate), chosen for that role, and refused."""
    entry = MATRIX[name]
    for role in OWN_SCOPED:
        inside, outside = entry.expect[role]
        if inside >= 400 or not _takes_an_object(name, entry):
            continue
        if role not in entry.objects_for and not _public(entry):
            pytest.fail(f"{name}: {role} reaches it; name its own pair in objects_for")
        if not _public(entry):
            assert outside in (403, 404), f"{name}: {role} must be refused outside"


def _public(entry: Entry) -> bool:
    """A page everyone opens, anonymous visitors too (verification, public images)."""
    return entry.expect[ANON][0] == 200


def test_station_staff_cannot_edit_any_station_by_post(world, client_for):
    client = client_for("station")
    for station in (world.station_a, world.station_b):
        url = reverse("organization:station_edit", args=[station.pk])
        response = client.post(url, {"name": "forged"})
        assert response.status_code == 403
        station.refresh_from_db()
        assert station.name != "forged"


def test_outside_scope_404_is_rendered_in_the_users_language(world, client_for, settings):
    client = client_for("station")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("students:detail", args=[world.b1.pk]))
    assert response.status_code == 404
    assert "Not found" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Not found" not in response.content.decode()
    assert '<html lang="zh-hans">' in response.content.decode()
