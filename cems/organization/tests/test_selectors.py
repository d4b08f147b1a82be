from typing import Any

import pytest
from django.db.models import QuerySet
from django.http import Http404

from cems.organization import selectors
from cems.organization.models import Station
from cems.students.models import StudentStatus


def codes(stations) -> list[str]:
    return [station.code for station in stations]


def registered_counts(user) -> dict[str, int]:
    stations: QuerySet[Any] = selectors.station_list(user=user, filters={})
    return {station.code: station.registered_students for station in stations}


class TestStationList:
    @pytest.mark.parametrize("role", ["admin", "academic", "training", "finance", "auditor"])
    def test_school_roles_see_every_station(self, world, users, role):
        assert codes(selectors.station_list(user=users[role], filters={})) == ["ZD4302", "ZD4401"]

    def test_station_staff_see_only_their_station(self, world, users):
        assert codes(selectors.station_list(user=users["station"], filters={})) == ["ZD4302"]

    @pytest.mark.parametrize("role", ["teacher", "student", "trainee"])
    def test_roles_without_the_capability_see_none(self, world, users, role):
        assert codes(selectors.station_list(user=users[role], filters={})) == []

    def test_filter_by_province(self, world, users):
        stations = selectors.station_list(
            user=users["academic"], filters={"province": world.guangdong}
        )
        assert codes(stations) == ["ZD4401"]

    def test_filter_by_province_never_widens_station_staff_scope(self, world, users):
        stations = selectors.station_list(
            user=users["station"], filters={"province": world.guangdong}
        )
        assert codes(stations) == []

    @pytest.mark.parametrize(
        ("active", "expected"),
        [
            ("1", ["ZD4302"]),
            ("0", ["ZD4401"]),
            ("", ["ZD4302", "ZD4401"]),
            (None, ["ZD4302", "ZD4401"]),
        ],
    )
    def test_filter_by_active(self, world, users, active, expected):
        Station.objects.filter(pk=world.station_b.pk).update(is_active=False)
        stations = selectors.station_list(user=users["academic"], filters={"active": active})
        assert codes(stations) == expected

    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            ("zd4401", ["ZD4401"]),  # code, whatever the case
            ("长沙", ["ZD4302"]),  # name and city
            ("广州", ["ZD4401"]),
            ("职业学校", ["ZD4302", "ZD4401"]),  # host institution
            ("  广州  ", ["ZD4401"]),  # surrounding spaces are ignored
            ("北京", []),
        ],
    )
    def test_search(self, world, users, q, expected):
        assert codes(selectors.station_list(user=users["academic"], filters={"q": q})) == expected

    def test_search_matches_host_institution_only(self, world, users):
        Station.objects.filter(pk=world.station_b.pk).update(host_institution="广州市成人教育中心")
        stations = selectors.station_list(user=users["academic"], filters={"q": "成人教育"})
        assert codes(stations) == ["ZD4401"]

    def test_counts_registered_students_only(self, world, users):
        world.a2.status = StudentStatus.SUSPENDED
        world.a2.save()
        counts = registered_counts(users["academic"])
        assert counts == {"ZD4302": 1, "ZD4401": 1}

    def test_station_without_students_counts_zero(self, world, users):
        world.b1.delete()
        counts = registered_counts(users["academic"])
        assert counts == {"ZD4302": 2, "ZD4401": 0}


class TestStationGet:
    def test_in_scope(self, world, users):
        assert (
            selectors.station_get(user=users["station"], pk=world.station_a.pk) == world.station_a
        )

    def test_outside_scope_is_not_found(self, world, users):
        with pytest.raises(Http404):
            selectors.station_get(user=users["station"], pk=world.station_b.pk)

    def test_role_without_capability_finds_nothing(self, world, users):
        with pytest.raises(Http404):
            selectors.station_get(user=users["teacher"], pk=world.station_a.pk)


class TestProvincesFor:
    def test_station_staff_see_the_provinces_of_their_stations(self, world, users):
        assert list(selectors.provinces_for(users["station"])) == [world.hunan]

    def test_each_province_once(self, world, users):
        Station.objects.create(
            code="ZD4303", name="株洲函授站", province=world.hunan, city="株洲",
            host_institution="株洲市职工大学", contact_person="刘老师",
            contact_phone="0731-2223333", agreement_start=world.station_a.agreement_start,
        )  # fmt: skip
        assert list(selectors.provinces_for(users["academic"])) == [world.hunan, world.guangdong]

    def test_no_capability_no_provinces(self, world, users):
        assert list(selectors.provinces_for(users["student"])) == []
