import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.urls import include, path, reverse
from django.utils import timezone, translation
from python_calamine import CalamineWorkbook

from cems import urls as root_urls
from cems.catalog.models import Level, Major, Program, StudyMode
from cems.conftest import World, add_student
from cems.graduation.tests.matrix_degree import graduate
from cems.reports.annual_return import LINE, SUBTOTAL, TOTAL, annual_return
from cems.students.models import Registration, StudentStatus

# Until the page is mounted in cems/urls.py, these tests mount it themselves (before
# /reports/<key>/, which would take "annual" for a report's key).
urlpatterns = list(root_urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "annual_return" for p in urlpatterns):
    urlpatterns.insert(0, path("reports/annual/", include("cems.reports.urls_annual")))
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def english_client(client_for):
    def make(role: str):
        client = client_for(role)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def page_url() -> str:
    return reverse("annual_return:page")


@pytest.fixture
def varied(world: World) -> dict[str, Any]:
    """2026: a1 and b1 registered, a2 graduated, one new hs_jc spare-time student at A."""
    nursing = Major.objects.create(
        code="101101", short_code="002", name="护理学", name_en="Nursing", discipline="medicine"
    )
    junior = Program.objects.create(
        major=nursing, level=Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE, mode=StudyMode.SPARE_TIME,
        standard_length_years=Decimal("2.5"), credits_to_graduate=70,
        tuition_per_year=Decimal("2500"),
    )  # fmt: skip
    newcomer = add_student(world, 1, program=junior, cohort_year=2026)
    for student in (world.a1, world.b1):
        Registration.objects.create(student=student, academic_year=2026)
    graduate(world.a2, on=dt.date(2026, 7, 1))
    return {"junior": junior, "nursing": nursing, "newcomer": newcomer}


def figures(rows) -> list[tuple[str, str, str, str, int, int, int]]:
    return [
        (r.kind, r.level, r.major_code, r.mode, r.enrolled, r.registered, r.graduates) for r in rows
    ]


class TestFigures:
    def test_year_with_registrations(self, world, users, varied):
        report = annual_return(user=users["academic"], year=2026)
        assert report.by_registration
        assert figures(report.rows) == [
            (LINE, "hs_jc", "101101", "spare_time", 1, 0, 0),
            (SUBTOTAL, "hs_jc", "", "", 1, 0, 0),
            (LINE, "jc_ba", "080901", "correspondence", 0, 2, 1),
            (SUBTOTAL, "jc_ba", "", "", 0, 2, 1),
            (TOTAL, "", "", "", 1, 2, 1),
        ]

    def test_year_without_registrations_counts_registered_status(self, world, users, varied):
        world.b1.status = StudentStatus.SUSPENDED
        world.b1.save()
        report = annual_return(user=users["academic"], year=2025)
        assert not report.by_registration
        # Cohort 2025: a1, a2 (graduated since), b1; registered now: a1 only (the 2026
        # newcomer is of a later cohort).
        assert figures(report.rows) == [
            (LINE, "jc_ba", "080901", "correspondence", 3, 1, 0),
            (SUBTOTAL, "jc_ba", "", "", 3, 1, 0),
            (TOTAL, "", "", "", 3, 1, 0),
        ]

    def test_subtotals_add_up_per_level(self, world, users, varied):
        second = Program.objects.create(
            major=varied["nursing"], level=Level.JUNIOR_COLLEGE_TO_BACHELOR,
            mode=StudyMode.SPARE_TIME, standard_length_years=Decimal("2.5"),
            credits_to_graduate=80, tuition_per_year=Decimal("3000"),
        )  # fmt: skip
        for serial in (2, 3, 4):
            add_student(world, serial, program=second, cohort_year=2026)
        rows = annual_return(user=users["admin"], year=2026).rows
        jc_ba = [r for r in rows if r.level == "jc_ba"]
        assert [(r.kind, r.major_code, r.mode) for r in jc_ba] == [
            (LINE, "080901", "correspondence"),
            (LINE, "101101", "spare_time"),
            (SUBTOTAL, "", ""),
        ]
        assert jc_ba[-1].figures == (3, 2, 1)
        assert rows[-1].figures == (4, 2, 1)

    def test_station_staff_count_their_stations_only(self, world, users, varied):
        report = annual_return(user=users["station"], year=2026)
        assert report.total.figures == (1, 1, 1)  # b1's registration is station B's
        assert report.total.kind == TOTAL

    def test_nothing_that_year_gives_a_zero_total(self, world, users):
        report = annual_return(user=users["academic"], year=2001)
        assert figures(report.rows) == [(TOTAL, "", "", "", 0, 0, 0)]

    def test_two_queries_whatever_the_data(self, world, users, varied, django_assert_num_queries):
        with django_assert_num_queries(2):
            annual_return(user=users["academic"], year=2026)
        for serial in range(10, 30):
            student = add_student(world, serial, cohort_year=2024 + serial % 3)
            Registration.objects.create(student=student, academic_year=2026)
        with django_assert_num_queries(2):
            report = annual_return(user=users["academic"], year=2026)
        assert report.total.registered == 22


class TestPage:
    def test_shows_the_years_table(self, world, client_for, varied):
        response = client_for("academic").get(page_url(), {"year": 2026})
        assert response.status_code == 200
        assert response.context["report"].year == 2026
        page = response.content.decode()
        assert "护理学" in page
        assert response.context["report"].by_registration

    def test_default_year_is_this_year(self, world, client_for):
        response = client_for("academic").get(page_url())
        assert response.status_code == 200
        assert response.context["report"].year == timezone.localdate().year

    @pytest.mark.parametrize("year", ["abc", "1800", "", str(dt.date.today().year + 2)])
    @pytest.mark.parametrize("fmt", [None, "xlsx", "csv"])
    def test_bad_year_is_a_form_error_and_no_file(self, world, client_for, year, fmt):
        params = {"year": year} | ({"format": fmt} if fmt else {})
        response = client_for("academic").get(page_url(), params)
        assert response.status_code == 200
        assert "Content-Disposition" not in response
        assert response.context["report"] is None
        assert response.context["form"].errors["year"]

    def test_next_year_is_accepted(self, world, client_for):
        year = timezone.localdate().year + 1
        response = client_for("academic").get(page_url(), {"year": year})
        assert response.context["form"].errors == {}
        assert response.context["report"].year == year

    def test_station_staff_see_station_a_only(self, world, client_for, varied):
        response = client_for("station").get(page_url(), {"year": 2026})
        assert response.context["report"].total.figures == (1, 1, 1)
        response = client_for("academic").get(page_url(), {"year": 2026})
        assert response.context["report"].total.figures == (1, 2, 1)

    @pytest.mark.parametrize("role", ["teacher", "training", "student", "trainee"])
    def test_others_are_refused(self, world, client_for, role):
        assert client_for(role).get(page_url(), {"year": 2026}).status_code == 403

    def test_anonymous_is_sent_to_sign_in(self, world, client_for):
        response = client_for(None).get(page_url(), {"year": 2026, "format": "xlsx"})
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    def test_csv(self, world, english_client, varied):
        response = english_client("academic").get(page_url(), {"year": 2026, "format": "csv"})
        text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][:2] == ["Level", "Major code"]
        assert rows[-1] == ["Total", "", "", "", "1", "2", "1"]
        assert len(rows) == 1 + 5


class TestWorkbook:
    def read(self, client, year: int = 2026) -> list[list[Any]]:
        response = client.get(page_url(), {"year": year, "format": "xlsx"})
        assert response.status_code == 200
        assert "annual-return-2026" in response["Content-Disposition"]
        book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        return book.get_sheet_by_index(0).to_python()

    def test_cells_in_their_places(self, world, english_client, varied):
        cells = self.read(english_client("academic"))
        assert cells[0][0] == "继续教育学院: annual statistical return 2026"
        assert all(value == "" for value in cells[0][1:])  # merged across the columns
        assert cells[1][:5] == ["Level", "Major code", "Major", "Study mode",
                                "Number of students"]  # fmt: skip
        assert cells[2][4:] == ["New students", "Registered students", "Graduates"]
        assert cells[2][:4] == ["", "", "", ""]  # merged over the two header rows
        assert cells[3][1:] == ["101101", "护理学", str(StudyMode.SPARE_TIME.label), 1, 0, 0]
        assert cells[3][0] == str(Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE.label)
        assert cells[4][0].endswith("subtotal")
        assert cells[4][4:] == [1, 0, 0]
        assert cells[5][1:3] == ["080901", "计算机科学与技术"]
        assert cells[5][4:] == [0, 2, 1]
        assert cells[6][4:] == [0, 2, 1]
        assert cells[7][0] == "Total"
        assert cells[7][4:] == [1, 2, 1]
        assert len(cells) == 8

    def test_station_staff_file(self, world, english_client, varied):
        cells = self.read(english_client("station"))
        assert cells[-1][0] == "Total"
        assert cells[-1][4:] == [1, 1, 1]

    def test_laid_out_for_printing(self, world, client_for, varied):
        import zipfile

        response = client_for("academic").get(page_url(), {"year": 2026, "format": "xlsx"})
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            sheet = archive.read("xl/worksheets/sheet1.xml").decode()
            names = archive.read("xl/workbook.xml").decode()
        assert 'orientation="landscape"' in sheet
        assert 'fitToHeight="0"' in sheet
        assert '<pageSetUpPr fitToPage="1"/>' in sheet
        assert 'ySplit="3"' in sheet
        assert 'state="frozen"' in sheet
        assert '<mergeCell ref="A1:G1"/>' in sheet
        assert '<mergeCell ref="E2:G2"/>' in sheet
        assert "_xlnm.Print_Titles" in names  # the header printed on every page
        assert '<col min="3" max="3" width="30.7109375" customWidth="1"/>' in sheet  # major
        assert '<col min="5" max="7" width="14.7109375" customWidth="1"/>' in sheet  # figures
