import datetime as dt
import logging

import pytest
from django.core.exceptions import ValidationError

from cems.conftest import World
from cems.organization import services
from cems.organization.models import Station


def station_data(world: World, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "ZD4303",
        "name": "株洲函授站",
        "province": world.hunan,
        "city": "株洲",
        "host_institution": "株洲市职工大学",
        "contact_person": "刘老师",
        "contact_phone": "0731-2223333",
        "agreement_start": dt.date(2021, 9, 1),
        "agreement_end": dt.date(2026, 8, 31),
        "is_active": True,
    }
    data.update(changes)
    return data


class TestStationCreate:
    def test_saves_the_station_and_logs_who_did_it(self, world, users, caplog):
        caplog.set_level(logging.INFO, logger="cems.audit")
        station = services.station_create(actor=users["academic"], data=station_data(world))

        saved = Station.objects.get(code="ZD4303")
        assert saved.pk == station.pk
        assert (saved.name, saved.province, saved.city) == ("株洲函授站", world.hunan, "株洲")
        assert saved.agreement_end == dt.date(2026, 8, 31)
        assert "ZD4303" in caplog.text
        assert "academic-user" in caplog.text

    def test_ignores_keys_that_are_not_station_fields(self, world, users):
        data = station_data(world, created_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC), pk=999)
        station = services.station_create(actor=users["academic"], data=data)
        assert station.pk != 999
        assert station.created_at.year > 2000

    def test_agreement_ending_before_it_starts_is_refused(self, world, users):
        data = station_data(world, agreement_end=dt.date(2021, 8, 31))
        with pytest.raises(ValidationError) as excinfo:
            services.station_create(actor=users["academic"], data=data)
        assert set(excinfo.value.message_dict) == {"agreement_end"}
        assert not Station.objects.filter(code="ZD4303").exists()

    def test_agreement_may_be_open_ended_or_one_day_long(self, world, users):
        services.station_create(
            actor=users["academic"], data=station_data(world, agreement_end=None)
        )
        same_day = station_data(
            world,
            code="ZD4304",
            agreement_start=dt.date(2022, 1, 1),
            agreement_end=dt.date(2022, 1, 1),
        )
        services.station_create(actor=users["academic"], data=same_day)
        assert Station.objects.filter(code__in=["ZD4303", "ZD4304"]).count() == 2

    @pytest.mark.parametrize("phone", ["12345", "1381234567", "731-5551234", "电话"])
    def test_bad_phone_is_refused(self, world, users, phone):
        with pytest.raises(ValidationError) as excinfo:
            services.station_create(
                actor=users["academic"], data=station_data(world, contact_phone=phone)
            )
        assert set(excinfo.value.message_dict) == {"contact_phone"}
        assert not Station.objects.filter(code="ZD4303").exists()

    @pytest.mark.parametrize(
        "phone", ["13912345678", "0731-5551234", "07315551234", "020-12345678"]
    )
    def test_mobile_and_landline_numbers_are_accepted(self, world, users, phone):
        station = services.station_create(
            actor=users["academic"], data=station_data(world, contact_phone=phone)
        )
        assert station.contact_phone == phone

    def test_duplicate_code_is_refused(self, world, users):
        with pytest.raises(ValidationError) as excinfo:
            services.station_create(
                actor=users["academic"], data=station_data(world, code="ZD4302")
            )
        assert "code" in excinfo.value.message_dict
        assert Station.objects.filter(code="ZD4302").count() == 1

    def test_missing_required_field_is_refused(self, world, users):
        data = station_data(world)
        del data["host_institution"]
        with pytest.raises(ValidationError) as excinfo:
            services.station_create(actor=users["academic"], data=data)
        assert "host_institution" in excinfo.value.message_dict
        assert not Station.objects.filter(code="ZD4303").exists()


class TestStationUpdate:
    def test_saves_changed_fields_and_logs_them(self, world, users, caplog):
        caplog.set_level(logging.INFO, logger="cems.audit")
        station = world.station_a
        services.station_update(
            actor=users["admin"],
            station=station,
            data={"name": "长沙教学点", "is_active": False, "contact_phone": "0731-5551234"},
        )

        station.refresh_from_db()
        assert station.name == "长沙教学点"
        assert station.is_active is False
        assert "ZD4302" in caplog.text
        assert "name" in caplog.text
        assert "is_active" in caplog.text
        assert "contact_phone" not in caplog.text  # unchanged
        assert "admin-user" in caplog.text

    def test_nothing_changed_writes_nothing(self, world, users, caplog):
        caplog.set_level(logging.INFO, logger="cems.audit")
        station = world.station_a
        before = station.updated_at
        services.station_update(
            actor=users["admin"], station=station, data={"name": station.name, "city": station.city}
        )
        station.refresh_from_db()
        assert station.updated_at == before
        assert caplog.text == ""

    def test_moving_to_another_province(self, world, users):
        services.station_update(
            actor=users["academic"], station=world.station_a, data={"province": world.guangdong}
        )
        assert Station.objects.get(pk=world.station_a.pk).province == world.guangdong

    def test_agreement_ending_before_it_starts_is_refused(self, world, users):
        with pytest.raises(ValidationError) as excinfo:
            services.station_update(
                actor=users["academic"],
                station=world.station_a,
                data={"name": "改名", "agreement_end": dt.date(2019, 12, 31)},
            )
        assert set(excinfo.value.message_dict) == {"agreement_end"}
        saved = Station.objects.get(pk=world.station_a.pk)
        assert (saved.name, saved.agreement_end) == ("长沙函授站", None)

    def test_bad_phone_is_refused(self, world, users):
        with pytest.raises(ValidationError) as excinfo:
            services.station_update(
                actor=users["academic"], station=world.station_a, data={"contact_phone": "123"}
            )
        assert set(excinfo.value.message_dict) == {"contact_phone"}
        assert Station.objects.get(pk=world.station_a.pk).contact_phone == "0731-5551234"

    def test_taking_another_station_code_is_refused(self, world, users):
        with pytest.raises(ValidationError) as excinfo:
            services.station_update(
                actor=users["academic"], station=world.station_a, data={"code": "ZD4401"}
            )
        assert "code" in excinfo.value.message_dict
        assert Station.objects.get(pk=world.station_a.pk).code == "ZD4302"
