"""The report pages: the list of reports, each report's page (filters, chart, table), its
csv and xlsx downloads of the same rows, bad filters, who may open what."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from cems.conftest import add_student
from cems.reports.registry import all_reports
from cems.reports.tests.report_fixtures import (
    CHARGE,
    candidate,
    certificate,
    fee,
    register_year,
    status_request,
)

INDEX = "/reports/"
ALL_KEYS = [report.key for report in all_reports()]
TRAINING = {"training", "expiring-certificates"}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # the pages too (the test client sends no language)
    with translation.override("en"):
        yield


@pytest.fixture
def data(world):
    """A little of everything, at both stations."""
    for student in (world.a1, world.b1):
        register_year(student, 2025)
        fee(student, CHARGE, "3000")
        status_request(student, "suspend", "approved")
    candidate(world, 1, station=world.station_a, year=2025)
    candidate(world, 2, station=world.station_b, year=2025)
    add_student(world, 1, station=world.station_b, cohort_year=2024)
    certificate(1, dt.date.today() + dt.timedelta(days=40))


def url(key: str, **params: str) -> str:
    base = reverse("report_pages:report", args=[key])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def page_rows(response) -> list[list[str]]:
    table = response.context["table"]
    return [[str(cell) for cell in row] for row in table.download_rows()]


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response) -> list[list[str]]:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    return [[_text(value) for value in row] for row in sheet.to_python()]


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number_text(cell: str) -> str:
    """A page cell as the downloads write it (3000.00 → 3000, 60.0 → 60)."""
    try:
        number = float(cell)
    except ValueError:
        return cell
    return str(int(number)) if number.is_integer() else str(number)


class TestIndex:
    def test_lists_the_reports_the_user_may_open(self, world, client_for):
        response = client_for("station").get(INDEX)
        assert response.status_code == 200
        page = response.content.decode()
        assert url("registered-students") in page
        assert url("fees") in page
        assert url("training") not in page

    def test_training_office_sees_training_reports_only(self, world, client_for):
        page = client_for("training").get(INDEX).content.decode()
        assert url("expiring-certificates") in page
        assert url("registered-students") not in page

    @pytest.mark.parametrize("role", ["teacher", "student", "trainee"])
    def test_no_report_no_index(self, world, client_for, role):
        assert client_for(role).get(INDEX).status_code == 403


class TestReportPage:
    @pytest.mark.parametrize("key", ALL_KEYS)
    def test_every_report_renders_for_the_administrator(self, data, client_for, key):
        response = client_for("admin").get(url(key))
        assert response.status_code == 200
        assert response.context["table"].rows, key
        page = response.content.decode()
        assert 'id="report-table"' in page
        assert "format=xlsx" in page
        assert "format=csv" in page

    def test_chart_bars_link_to_the_student_list(self, data, client_for, world):
        page = client_for("academic").get(url("registered-students")).content.decode()
        assert '<svg class="chart bars"' in page
        assert f'href="/students/?status=registered&amp;station={world.station_a.pk}"' in page

    def test_station_staff_see_nothing_of_another_station(self, data, client_for):
        for key in ("registered-students", "fees", "yearly-intake", "status-changes"):
            response = client_for("station").get(url(key, group_by="province"))
            page = response.content.decode()
            assert response.status_code == 200
            assert "广州函授站" not in page, key
            assert "广东省" not in page, key

    @pytest.mark.parametrize(
        ("key", "params", "field"),
        [
            ("registered-students", {"station": "999999"}, "station"),
            ("registered-students", {"cohort": "abcd"}, "cohort"),
            ("registered-students", {"group_by": "password"}, "group_by"),
            ("yearly-intake", {"year_from": "twenty"}, "year_from"),
            ("yearly-intake", {"year_from": "2026", "year_to": "2020"}, "year_to"),
            ("status-changes", {"year": "x"}, "year"),
            ("fees", {"academic_year": "next"}, "academic_year"),
            ("training", {"year_from": "abc"}, "year_from"),
            ("expiring-certificates", {"year": "soon"}, "year"),
            ("expiring-certificates", {"category": "0"}, "category"),
        ],
    )
    def test_bad_filters_give_the_message_and_no_rows(self, data, client_for, key, params,
                                                      field):  # fmt: skip
        role = "admin"
        response = client_for(role).get(url(key, **params))
        assert response.status_code == 200
        assert response.context["form"].errors[field]
        assert response.context["table"].rows == []
        assert "Correct the filters above" in response.content.decode()
        download = client_for(role).get(url(key, format="csv", **params))
        assert download.status_code == 200
        assert len(csv_rows(download)) == 1  # the header only

    @pytest.mark.parametrize("key", ["registered-students", "fees", "yearly-intake"])
    def test_another_stations_id_is_refused(self, data, client_for, world, key):
        response = client_for("station").get(url(key, station=str(world.station_b.pk)))
        assert response.status_code == 200
        assert response.context["form"].errors["station"]
        assert response.context["table"].rows == []
        assert "广州函授站" not in response.content.decode()

    @pytest.mark.parametrize("key", sorted(set(ALL_KEYS) - TRAINING))
    @pytest.mark.parametrize("role", ["training", "teacher", "student", "trainee"])
    def test_student_and_fee_reports_need_their_capability(self, world, client_for, key, role):
        assert client_for(role).get(url(key)).status_code == 403

    @pytest.mark.parametrize("key", sorted(TRAINING))
    @pytest.mark.parametrize("role", ["academic", "finance", "station", "teacher", "trainee"])
    def test_training_reports_need_training(self, world, client_for, key, role):
        assert client_for(role).get(url(key)).status_code == 403

    def test_unknown_report_is_not_found(self, world, client_for):
        assert client_for("admin").get(url("no-such-report")).status_code == 404

    def test_anonymous_is_sent_to_sign_in(self, world, client_for):
        response = client_for(None).get(url("fees"))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


class TestDownloads:
    @pytest.mark.parametrize("key", ALL_KEYS)
    def test_csv_and_xlsx_hold_the_pages_rows(self, data, client_for, key):
        client = client_for("admin")
        params = {"group_by": "cohort"} if key == "registered-students" else {}
        page = client.get(url(key, **params))
        expected = [[_number_text(cell) for cell in row] for row in page_rows(page)]
        titles = [str(column.title) for column in page.context["table"].columns]
        assert expected

        as_csv = client.get(url(key, format="csv", **params))
        assert as_csv["Content-Type"].startswith("text/csv")
        lines = csv_rows(as_csv)
        assert lines[0] == titles
        assert [[_number_text(cell) for cell in row] for row in lines[1:]] == expected

        as_xlsx = client.get(url(key, format="xlsx", **params))
        sheet = xlsx_rows(as_xlsx)
        assert sheet[0] == titles
        assert [[_number_text(cell) for cell in row] for row in sheet[1:]] == expected

    def test_station_download_has_its_own_figures_only(self, data, client_for):
        lines = csv_rows(client_for("station").get(url("fees", format="csv")))
        assert len(lines) == 3  # the header, station A, the total
        assert lines[1][1] == "长沙函授站"
        assert lines[1][2] == "3000.0"
