import csv
import datetime as dt
import html
import io
import re
from typing import Any

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from cems.organization.models import Station
from cems.students.models import StudentStatus

LIST = reverse("organization:station_list")
CREATE = reverse("organization:station_create")


def detail_url(station: Station) -> str:
    return reverse("organization:station_detail", args=[station.pk])


def edit_url(station: Station) -> str:
    return reverse("organization:station_edit", args=[station.pk])


def listed_codes(response) -> list[str]:
    return [station.code for station in response.context["page"]]


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def xlsx_rows(response) -> list[list[Any]]:
    return (
        CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        .get_sheet_by_index(0)
        .to_python()
    )


def student_links(response) -> list[str]:
    hrefs = re.findall(r'href="([^"]+)"', response.content.decode())
    return [html.unescape(href) for href in hrefs if href.startswith("/students/?")]


def form_data(station: Station | None = None, **changes: str) -> dict[str, str]:
    data = {
        "code": "ZD4303",
        "name": "株洲函授站",
        "province": "",
        "city": "株洲",
        "host_institution": "株洲市职工大学",
        "contact_person": "刘老师",
        "contact_phone": "0731-2223333",
        "agreement_start": "2021-09-01",
        "agreement_end": "2026-08-31",
        "is_active": "on",
    }
    if station is not None:
        data.update(
            code=station.code,
            name=station.name,
            province=str(station.province_id),
            city=station.city,
            host_institution=station.host_institution,
            contact_person=station.contact_person,
            contact_phone=station.contact_phone,
            agreement_start=station.agreement_start.isoformat(),
            agreement_end=station.agreement_end.isoformat() if station.agreement_end else "",
        )
        if not station.is_active:
            del data["is_active"]
    data.update(changes)
    return data


def make_stations(world, count: int) -> None:
    Station.objects.bulk_create(
        Station(
            code=f"ZD43{n:02d}", name=f"教学点{n}", province=world.hunan, city="湘潭",
            host_institution="某中心", contact_person="刘老师", contact_phone="0731-2223333",
            agreement_start=dt.date(2020, 1, 1),
        )
        for n in range(10, 10 + count)
    )  # fmt: skip


class TestStationList:
    def test_anonymous_is_sent_to_sign_in(self, world, client_for):
        response = client_for(None).get(LIST)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    @pytest.mark.parametrize("role", ["teacher", "student", "trainee"])
    def test_roles_without_the_capability_get_403(self, client_for, role):
        assert client_for(role).get(LIST).status_code == 403

    def test_school_role_sees_every_station(self, world, client_for):
        response = client_for("auditor").get(LIST)
        assert response.status_code == 200
        assert listed_codes(response) == ["ZD4302", "ZD4401"]
        assert "广州函授站" in response.content.decode()

    def test_station_staff_see_only_their_station(self, world, client_for):
        response = client_for("station").get(LIST)
        assert listed_codes(response) == ["ZD4302"]
        assert "广州函授站" not in response.content.decode()
        assert "ZD4401" not in response.content.decode()

    def test_station_staff_are_offered_only_their_provinces(self, world, client_for):
        response = client_for("station").get(LIST)
        assert list(response.context["form"].fields["province"].queryset) == [world.hunan]

    def test_filter_by_province(self, world, client_for):
        response = client_for("academic").get(LIST, {"province": world.guangdong.pk})
        assert listed_codes(response) == ["ZD4401"]

    def test_province_outside_scope_is_a_form_error_over_an_empty_list(self, world, client_for):
        response = client_for("station").get(LIST, {"province": world.guangdong.pk})
        assert response.status_code == 200
        assert "province" in response.context["form"].errors
        assert listed_codes(response) == []

    def test_filter_by_active(self, world, client_for):
        Station.objects.filter(pk=world.station_a.pk).update(is_active=False)
        client = client_for("academic")
        assert listed_codes(client.get(LIST, {"active": "0"})) == ["ZD4302"]
        assert listed_codes(client.get(LIST, {"active": "1"})) == ["ZD4401"]
        assert listed_codes(client.get(LIST, {"active": ""})) == ["ZD4302", "ZD4401"]

    def test_unknown_active_value_is_an_error_over_an_empty_list(self, world, client_for):
        response = client_for("academic").get(LIST, {"active": "maybe"})
        assert "active" in response.context["form"].errors
        assert listed_codes(response) == []

    def test_search(self, world, client_for):
        response = client_for("academic").get(LIST, {"q": "广州"})
        assert listed_codes(response) == ["ZD4401"]
        assert "长沙函授站" not in response.content.decode()

    def test_filters_combine(self, world, client_for):
        response = client_for("academic").get(LIST, {"q": "函授站", "province": world.hunan.pk})
        assert listed_codes(response) == ["ZD4302"]

    def test_registered_student_counts(self, world, client_for):
        world.b1.status = StudentStatus.GRADUATED
        world.b1.save()
        response = client_for("academic").get(LIST)
        counts = {s.code: s.registered_students for s in response.context["page"]}
        assert counts == {"ZD4302": 2, "ZD4401": 0}

    def test_pagination(self, world, client_for, settings):
        settings.CEMS_PAGE_SIZE = 3
        make_stations(world, 5)  # 7 stations in all
        client = client_for("academic")
        first = client.get(LIST)
        assert first.context["page"].paginator.count == 7
        assert listed_codes(first) == ["ZD4302", "ZD4310", "ZD4311"]
        last = client.get(LIST, {"page": 3})
        assert listed_codes(last) == ["ZD4401"]
        assert client.get(LIST, {"page": "999"}).context["page"].number == 3

    def test_pagination_keeps_filters_in_page_links(self, world, client_for, settings):
        settings.CEMS_PAGE_SIZE = 2
        make_stations(world, 3)
        response = client_for("academic").get(LIST, {"province": world.hunan.pk})
        assert response.context["page"].paginator.count == 4
        html = response.content.decode()
        assert f"province={world.hunan.pk}&amp;page=2" in html

    def test_csv_contains_the_filtered_rows(self, world, client_for):
        response = client_for("academic").get(LIST, {"province": world.hunan.pk, "format": "csv"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        header, *rows = csv_rows(response)
        assert len(header) == 11
        assert [row[0] for row in rows] == ["ZD4302"]
        assert rows[0][1:4] == ["长沙函授站", "湖南省", "长沙"]
        assert rows[0][7] == "2020-01-01"
        assert rows[0][10] == "2"

    def test_xlsx_contains_the_filtered_rows(self, world, client_for):
        Station.objects.filter(pk=world.station_a.pk).update(is_active=False)
        response = client_for("academic").get(LIST, {"active": "1", "format": "xlsx"})
        assert response.status_code == 200
        assert "spreadsheetml" in response["Content-Type"]
        header, *rows = xlsx_rows(response)
        assert len(header) == 11
        assert [row[0] for row in rows] == ["ZD4401"]
        assert rows[0][10] == 1

    def test_download_is_not_paginated(self, world, client_for, settings):
        settings.CEMS_PAGE_SIZE = 2
        make_stations(world, 3)
        response = client_for("academic").get(LIST, {"format": "csv", "page": "2"})
        assert len(csv_rows(response)) == 1 + 5

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_station_staff_download_only_their_station(self, world, client_for, fmt):
        response = client_for("station").get(LIST, {"format": fmt})
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
        assert [row[0] for row in rows[1:]] == ["ZD4302"]

    def test_unknown_format_shows_the_page(self, world, client_for):
        response = client_for("academic").get(LIST, {"format": "pdf"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")

    def test_new_station_button_only_for_managers(self, world, client_for):
        assert CREATE in client_for("academic").get(LIST).content.decode()
        assert CREATE not in client_for("finance").get(LIST).content.decode()


class TestStationDetail:
    def test_counts_by_level_and_status(self, world, client_for):
        world.a2.status = StudentStatus.SUSPENDED
        world.a2.save()
        response = client_for("academic").get(detail_url(world.station_a))
        assert response.status_code == 200
        by_level = [(row["program__level"], row["count"]) for row in response.context["by_level"]]
        assert by_level == [(world.program.level, 2)]
        by_status = [(row["status"], row["count"]) for row in response.context["by_status"]]
        assert by_status == [("registered", 1), ("suspended", 1)]

    def test_counts_only_this_station(self, world, client_for):
        response = client_for("academic").get(detail_url(world.station_b))
        assert [row["count"] for row in response.context["by_status"]] == [1]

    def test_count_links_lead_to_the_counted_students(self, world, client_for):
        world.a2.status = StudentStatus.SUSPENDED
        world.a2.save()
        client = client_for("station")
        response = client.get(detail_url(world.station_a))
        rows = [*response.context["by_level"], *response.context["by_status"]]
        links = student_links(response)
        assert len(links) == len(rows) == 3
        assert f"/students/?station={world.station_a.pk}&status=suspended" in links
        for link, row in zip(links, rows, strict=True):
            listed = client.get(link)
            assert listed.context["form"].errors == {}
            assert listed.context["page"].paginator.count == row["count"]

    def test_station_staff_open_their_station(self, world, client_for):
        response = client_for("station").get(detail_url(world.station_a))
        assert response.status_code == 200
        assert "长沙函授站" in response.content.decode()
        assert edit_url(world.station_a) not in response.content.decode()

    def test_station_outside_scope_is_not_found(self, world, client_for):
        assert client_for("station").get(detail_url(world.station_b)).status_code == 404

    def test_unknown_station_is_not_found(self, world, client_for):
        assert client_for("academic").get("/stations/99999/").status_code == 404

    def test_role_without_student_access_sees_no_counts(self, world, client_for):
        response = client_for("training").get(detail_url(world.station_a))
        assert response.status_code == 200
        assert response.context["by_level"] == []
        assert student_links(response) == []

    def test_managers_get_an_edit_link(self, world, client_for):
        html = client_for("academic").get(detail_url(world.station_a)).content.decode()
        assert edit_url(world.station_a) in html


class TestStationCreate:
    @pytest.mark.parametrize("role", ["academic", "admin"])
    def test_managers_create_and_are_sent_to_the_detail_page(self, world, client_for, role):
        client = client_for(role)
        assert client.get(CREATE).status_code == 200
        response = client.post(CREATE, form_data(province=str(world.hunan.pk)))
        station = Station.objects.get(code="ZD4303")
        assert response.status_code == 302
        assert response["Location"] == detail_url(station)
        assert station.name == "株洲函授站"
        assert station.province == world.hunan
        assert station.agreement_end == dt.date(2026, 8, 31)
        assert station.is_active is True

    @pytest.mark.parametrize("role", ["station", "finance", "auditor", "training", "teacher"])
    def test_other_roles_get_403_and_nothing_is_written(self, world, client_for, role):
        client = client_for(role)
        assert client.get(CREATE).status_code == 403
        assert client.post(CREATE, form_data(province=str(world.hunan.pk))).status_code == 403
        assert not Station.objects.filter(code="ZD4303").exists()

    def test_anonymous_post_writes_nothing(self, world, client_for):
        response = client_for(None).post(CREATE, form_data(province=str(world.hunan.pk)))
        assert response.status_code == 302
        assert not Station.objects.filter(code="ZD4303").exists()

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"agreement_end": "2021-08-31"}, "agreement_end"),
            ({"contact_phone": "12345"}, "contact_phone"),
            ({"agreement_start": "2021-02-30"}, "agreement_start"),
            ({"code": "ZD4302"}, "code"),
            ({"name": ""}, "name"),
        ],
    )
    def test_invalid_input_shows_the_field_error_and_writes_nothing(
        self, world, client_for, changes, field
    ):
        count = Station.objects.count()
        response = client_for("academic").post(
            CREATE, form_data(province=str(world.hunan.pk), **changes)
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert list(form.errors) == [field]
        assert form.errors[field][0] in response.content.decode()
        assert Station.objects.count() == count

    def test_province_is_required(self, world, client_for):
        response = client_for("academic").post(CREATE, form_data())
        assert "province" in response.context["form"].errors
        assert not Station.objects.filter(code="ZD4303").exists()


class TestStationEdit:
    def test_academic_edits_and_the_change_is_saved(self, world, client_for):
        station = world.station_a
        data = form_data(station, name="长沙教学点", contact_phone="13912345678")
        response = client_for("academic").post(edit_url(station), data)
        assert response.status_code == 302
        assert response["Location"] == detail_url(station)
        station.refresh_from_db()
        assert station.name == "长沙教学点"
        assert station.contact_phone == "13912345678"

    def test_admin_deactivates_a_station(self, world, client_for):
        station = world.station_b
        data = form_data(station, agreement_end="2025-12-31")
        del data["is_active"]
        response = client_for("admin").post(edit_url(station), data)
        assert response.status_code == 302
        station.refresh_from_db()
        assert station.is_active is False
        assert station.agreement_end == dt.date(2025, 12, 31)

    def test_success_message_names_the_station(self, world, client_for):
        client = client_for("academic")
        response = client.post(
            edit_url(world.station_a), form_data(world.station_a, name="新站名"), follow=True
        )
        shown = [str(message) for message in response.context["messages"]]
        assert len(shown) == 1
        assert "新站名" in shown[0]

    def test_form_shows_the_current_values(self, world, client_for):
        response = client_for("academic").get(edit_url(world.station_a))
        assert response.status_code == 200
        assert 'value="ZD4302"' in response.content.decode()

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"agreement_end": "2019-12-31"}, "agreement_end"),
            ({"contact_phone": "0731"}, "contact_phone"),
            ({"code": "ZD4401"}, "code"),
        ],
    )
    def test_invalid_input_shows_the_error_and_changes_nothing(
        self, world, client_for, changes, field
    ):
        station = world.station_a
        response = client_for("academic").post(
            edit_url(station), form_data(station, name="不该保存", **changes)
        )
        assert response.status_code == 200
        assert list(response.context["form"].errors) == [field]
        # The heading still names the station as saved, not the rejected input.
        assert response.context["station"].name == "长沙函授站"
        station.refresh_from_db()
        assert station.name == "长沙函授站"
        assert station.code == "ZD4302"

    @pytest.mark.parametrize("role", ["station", "finance", "auditor"])
    def test_other_roles_get_403_and_nothing_changes(self, world, client_for, role):
        station = world.station_a  # inside the station staff's scope, still 403
        client = client_for(role)
        assert client.get(edit_url(station)).status_code == 403
        response = client.post(edit_url(station), form_data(station, name="不该保存"))
        assert response.status_code == 403
        station.refresh_from_db()
        assert station.name == "长沙函授站"

    def test_unknown_station_is_not_found(self, world, client_for):
        assert client_for("academic").get("/stations/99999/edit/").status_code == 404
