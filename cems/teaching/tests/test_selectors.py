"""Reads of offerings: the scope of each role, the list's filters, the current term."""

import datetime as dt
from typing import Any

import pytest

from cems.accounts import access
from cems.accounts.models import Role
from cems.teaching import selectors
from cems.teaching.tests.conftest import make_offering, make_teacher, make_term

pytestmark = pytest.mark.django_db


@pytest.fixture
def offerings(teaching, users):
    """Offerings at station A (one taught by the teacher user) and at station B (another
    teacher's, and one without a teacher)."""
    other = make_teacher("other-teacher", "钱老师")
    return {
        "a_mine": make_offering(teaching, teaching.class_a, teacher=users["teacher"]),
        "a_open": make_offering(teaching, teaching.class_a, entry=teaching.courses[1][1]),
        "b_other": make_offering(teaching, teaching.class_b, teacher=other),
        "b_open": make_offering(teaching, teaching.class_b, entry=teaching.courses[1][1]),
    }


EXPECTED = {
    Role.ADMIN: {"a_mine", "a_open", "b_other", "b_open"},
    Role.ACADEMIC: {"a_mine", "a_open", "b_other", "b_open"},
    Role.FINANCE: {"a_mine", "a_open", "b_other", "b_open"},
    Role.AUDITOR: {"a_mine", "a_open", "b_other", "b_open"},
    Role.STATION: {"a_mine", "a_open"},
    Role.TEACHER: {"a_mine"},
    Role.TRAINING: set(),
    Role.STUDENT: set(),
    Role.TRAINEE: set(),
}


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_offerings_for_each_role(offerings, users, role):
    scope = access.offerings_for(users[role])
    expected = {offerings[name] for name in EXPECTED[Role(role)]}
    assert set(scope) == expected
    assert scope.count() == len(expected)  # no duplicates


def test_station_staff_of_two_stations_see_both_without_duplicates(world, offerings, users):
    users["station"].stations.add(world.station_b)
    assert access.offerings_for(users["station"]).count() == 4


def test_inactive_and_anonymous_users_see_no_offering(offerings, users):
    from django.contrib.auth.models import AnonymousUser

    users["academic"].is_active = False
    assert not access.offerings_for(users["academic"]).exists()
    assert not access.offerings_for(AnonymousUser()).exists()


def listed(user, **filters) -> set[Any]:
    return set(selectors.offering_list(user=user, filters=filters))


def test_offering_list_filters(world, teaching, offerings, users):
    academic = users["academic"]
    assert listed(academic, station=world.station_b) == {offerings["b_other"], offerings["b_open"]}
    assert listed(academic, unassigned=True) == {offerings["a_open"], offerings["b_open"]}
    assert listed(academic, teacher=users["teacher"]) == {offerings["a_mine"]}
    assert listed(academic, student_class="B20") == {offerings["b_other"], offerings["b_open"]}
    assert listed(academic, course="高等") == {offerings["a_open"], offerings["b_open"]}
    assert listed(academic, course="JC001") == {offerings["a_open"], offerings["b_open"]}
    assert listed(academic, term=teaching.autumn_2026) == set()
    assert listed(academic, term=teaching.autumn_2025) == set(offerings.values())


def test_offering_list_stays_in_scope_whatever_the_filters(world, offerings, users):
    assert listed(users["station"], station=world.station_b) == set()
    assert listed(users["teacher"], unassigned=True) == set()
    assert selectors.offering_list(user=users["academic"], filters=None).count() == 0


def test_roster_sizes_are_counted(world, offerings, users):
    from cems.teaching.models import OfferingStudent

    OfferingStudent.objects.create(offering=offerings["a_mine"], student=world.a1)
    OfferingStudent.objects.create(offering=offerings["a_mine"], student=world.a2)
    rows = selectors.offering_list(user=users["academic"], filters={})
    sizes = {o: o.roster_size for o in rows}  # type: ignore[attr-defined]
    assert sizes[offerings["a_mine"]] == 2
    assert sizes[offerings["b_open"]] is None  # shown as 0


def test_term_current(teaching):
    assert selectors.term_current(dt.date(2025, 10, 1)) == teaching.autumn_2025
    assert selectors.term_current(dt.date(2026, 2, 15)) == teaching.autumn_2025  # between terms
    assert selectors.term_current(dt.date(2026, 11, 28)) == teaching.autumn_2026
    assert selectors.term_current(dt.date(2020, 1, 1)) == teaching.autumn_2025  # before any
    make_term(2027, 1)
    latest = selectors.term_current(dt.date(2028, 1, 1))
    assert latest is not None
    assert latest.start_year == 2027


def test_teacher_offerings_and_terms(teaching, offerings, users):
    teacher = users["teacher"]
    later = make_offering(teaching, teaching.class_a, term=teaching.autumn_2026,
                          entry=teaching.courses[3][0], teacher=teacher)  # fmt: skip
    assert list(selectors.teacher_terms(user=teacher)) == [
        teaching.autumn_2026,
        teaching.autumn_2025,
    ]
    assert list(selectors.teacher_offerings(user=teacher, term=teaching.autumn_2026)) == [later]
    assert set(selectors.teacher_offerings(user=teacher, term=None)) == {later, offerings["a_mine"]}
    # Others hold no offering of their own, whatever they may read.
    assert not selectors.teacher_offerings(user=users["academic"], term=None).exists()


def test_teacher_choices_are_active_teachers(users):
    make_teacher("retired", is_active=False)
    assert list(selectors.teacher_choices()) == [users["teacher"]]
