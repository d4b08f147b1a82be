"""The admissions pages: upload, preview, confirm or discard; the candidate list and detail."""

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from cems.admissions.models import AdmissionImport, Candidate, CandidateStatus
from cems.admissions.tests.factories import csv_file, person, run, xlsx_file
from cems.admissions.tests.matrix import add_candidate
from cems.conftest import make_id_number
from cems.core import idcard
from cems.core.masking import mask_id_number
from cems.core.models import PersonalDataLog

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admissions:import_upload")
LIST = reverse("admissions:candidate_list")


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def english(client) -> Any:
    client.cookies["django_language"] = "en"
    return client


def post_upload(client, data: bytes, name: str = "list.csv", **fields):
    fields.setdefault("admission_year", "2026")
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data), **fields})


def detail_url(record) -> str:
    return reverse("admissions:import_detail", args=[record.pk])


class TestUploadPreviewConfirm:
    def test_the_whole_flow(self, world, client_for, tmp_path, django_capture_on_commit_callbacks):
        client = english(client_for("academic"))
        assert client.get(UPLOAD).status_code == 200
        response = post_upload(client, xlsx_file(person(1), person(2, 联系电话="12"), person(3)),
                               "录取.xlsx")  # fmt: skip
        record = AdmissionImport.objects.get()
        assert response.status_code == 302
        assert response["Location"] == detail_url(record)
        assert not Candidate.objects.exists()

        preview = client.get(detail_url(record))
        html = preview.content.decode()
        assert preview.context["previewed"]
        assert [row["row"] for row in preview.context["page"]] == [2, 3, 4]
        assert "12 is not a plausible phone number." in html
        assert mask_id_number(person(1)["身份证号"]) in html
        assert person(1)["身份证号"] not in html
        assert "Confirm the import" in html

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("admissions:import_confirm", args=[record.pk]))
        assert response.status_code == 302
        record.refresh_from_db()
        assert record.state == AdmissionImport.State.CONFIRMED
        assert Candidate.objects.count() == 2
        result = client.get(detail_url(record))
        assert "Imported: 2 new, 0 changed, 0 unchanged, 1 rejected." in result.content.decode()
        assert [row["row"] for row in result.context["page"]] == [3]  # the rejected row stays
        assert "Confirm the import" not in result.content.decode()
        assert not list((tmp_path / "uploads").iterdir())

    def test_discard(self, world, client_for):
        client = client_for("admin")
        post_upload(client, csv_file(person(1)))
        record = AdmissionImport.objects.get()
        response = client.post(reverse("admissions:import_discard", args=[record.pk]))
        assert response.status_code == 302
        record.refresh_from_db()
        assert record.state == AdmissionImport.State.DISCARDED
        assert not Candidate.objects.exists()
        again = client.post(reverse("admissions:import_confirm", args=[record.pk]))
        assert again.status_code == 302
        assert not Candidate.objects.exists()

    def test_preview_filters_and_pages(self, world, client_for, settings):
        settings.CEMS_PAGE_SIZE = 2
        client = client_for("academic")
        people = [person(n, 性别="?") if n in (2, 5) else person(n) for n in range(1, 7)]
        post_upload(client, csv_file(*people))
        record = AdmissionImport.objects.get()
        page = client.get(detail_url(record), {"show": "reject"}).context["page"]
        assert [row["row"] for row in page] == [3, 6]
        page = client.get(detail_url(record), {"page": 3}).context["page"]
        assert [row["row"] for row in page] == [6, 7]
        page = client.get(detail_url(record), {"show": "nonsense"}).context["page"]
        assert page.paginator.count == 6

    def test_all_or_nothing_with_rejections_cannot_be_confirmed(self, world, client_for):
        client = english(client_for("academic"))
        post_upload(client, csv_file(person(1), person(2, 性别="?")), all_or_nothing="on")
        record = AdmissionImport.objects.get()
        response = client.get(detail_url(record))
        assert response.context["blocked"]
        assert "confirming would write nothing" in response.content.decode()

    @pytest.mark.parametrize(
        ("data", "name", "message"),
        [(b"\x00\x01\x02" * 40, "list.xlsx", "is not a spreadsheet"),
         (b"name,age\n1,2\n", "list.csv", "Required columns are missing"),
         (b"ksh,xm\n", "list.exe", "Upload an xlsx, xls, ods, csv or dbf file.")],
    )  # fmt: skip
    def test_unusable_files_are_refused_on_the_form(self, world, client_for, data, name, message):
        client = english(client_for("academic"))
        response = post_upload(client, data, name)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not AdmissionImport.objects.exists()

    def test_a_too_large_file_is_refused(self, world, client_for, settings):
        settings.CEMS_MAX_UPLOAD_BYTES = 50
        client = english(client_for("academic"))
        response = post_upload(client, csv_file(person(1)))
        assert "The file is larger than 0 MB." in response.content.decode()
        assert not AdmissionImport.objects.exists()

    @pytest.mark.parametrize("role", ["station", "auditor", "finance", "student", None])
    def test_other_roles_cannot_upload(self, world, client_for, role):
        response = post_upload(client_for(role), csv_file(person(1)))
        assert response.status_code == (302 if role is None else 403)
        assert not AdmissionImport.objects.exists()

    @pytest.mark.parametrize("role", ["station", "auditor"])
    def test_other_roles_cannot_confirm(self, world, client_for, role):
        post_upload(client_for("academic"), csv_file(person(1)))
        record = AdmissionImport.objects.get()
        response = client_for(role).post(reverse("admissions:import_confirm", args=[record.pk]))
        assert response.status_code == 403
        record.refresh_from_db()
        assert record.state == AdmissionImport.State.PREVIEWED

    def test_confirm_and_discard_are_post_only(self, world, client_for):
        post_upload(client_for("academic"), csv_file(person(1)))
        record = AdmissionImport.objects.get()
        for name in ("admissions:import_confirm", "admissions:import_discard"):
            response = client_for("academic").get(reverse(name, args=[record.pk]))
            assert response.status_code == 405
        record.refresh_from_db()
        assert record.state == AdmissionImport.State.PREVIEWED

    def test_the_report_download(self, world, client_for):
        client = english(client_for("academic"))
        post_upload(client, csv_file(person(1), person(2, 联系电话="12")))
        record = AdmissionImport.objects.get()
        response = client.get(reverse("admissions:import_report", args=[record.pk]))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        rows = sheet.get_sheet_by_name("Rejected rows").to_python()
        assert rows[1][:2] == [3.0, "联系电话"]

    def test_problems_do_not_show_full_id_numbers_or_birth_dates(self, world, client_for):
        # An old 15-digit number is rejected with its 18-digit form, and a birth date that
        # disagrees with the ID number is named: both masked in the preview and the report.
        old = "430302750301011"
        upgraded = idcard.upgrade_15_to_18(old)
        born = dt.date(1976, 2, 3)
        number = make_id_number(born, "M", 581)
        client = english(client_for("academic"))
        post_upload(
            client, xlsx_file(person(1, 身份证号=old), person(3, 身份证号=number)), "录取.xlsx"
        )
        record = AdmissionImport.objects.get()
        html = client.get(detail_url(record)).content.decode()
        assert "18-digit" in html
        assert "gives the birth date" in html
        assert upgraded not in html
        assert born.isoformat() not in html
        assert person(3)["出生日期"] not in html
        report = client.get(reverse("admissions:import_report", args=[record.pk])).content
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(report)).get_sheet_by_index(0)
        text = str(sheet.to_python())
        assert "18-digit" in text
        assert "gives the birth date" in text
        assert upgraded not in text
        assert born.isoformat() not in text
        assert person(3)["出生日期"] not in text


class TestImportList:
    def test_lists_runs_with_their_counts_and_downloads(self, world, client_for):
        run(csv_file(person(1), person(2, 性别="?")))
        client = client_for("academic")
        response = client.get(reverse("admissions:import_list"))
        assert [i.rejected for i in response.context["page"]] == [1]
        response = client.get(reverse("admissions:import_list"), {"format": "csv"})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "admissions.csv" in text

    def test_filters(self, world, client_for):
        run(csv_file(person(1)))
        run(csv_file(person(2)), admission_year=2025)
        response = client_for("admin").get(reverse("admissions:import_list"), {"year": 2025})
        assert [i.admission_year for i in response.context["page"]] == [2025]
        response = client_for("admin").get(
            reverse("admissions:import_list"), {"state": "previewed"}
        )
        assert list(response.context["page"]) == []


class TestCandidateList:
    def test_station_staff_see_their_stations_candidates_only(self, world, client_for):
        add_candidate(world, 1, world.station_a, "甲考生")
        add_candidate(world, 2, world.station_b, "乙考生")
        response = client_for("station").get(LIST)
        assert [c.name for c in response.context["page"]] == ["甲考生"]
        response = client_for("academic").get(LIST)
        assert {c.name for c in response.context["page"]} == {"甲考生", "乙考生"}

    def test_filters_and_search(self, world, client_for):
        a = add_candidate(world, 1, world.station_a, "甲考生")
        b = add_candidate(world, 2, world.station_b, "乙考生")
        b.status = CandidateStatus.ENROLLED
        b.admission_year = 2025
        b.save()
        client = client_for("academic")

        def names(**params) -> list[str]:
            return [c.name for c in client.get(LIST, params).context["page"]]

        assert names(station=world.station_b.pk) == ["乙考生"]
        assert names(year=2026) == ["甲考生"]
        assert names(status="enrolled") == ["乙考生"]
        assert names(level="jc_ba", mode="correspondence", major=world.major.pk) == [
            "甲考生",
            "乙考生",
        ]
        assert names(level="hs_ba") == []
        assert names(q="甲") == ["甲考生"]
        assert names(q=a.exam_number[:6]) == ["甲考生", "乙考生"]
        assert names(q=b.exam_number) == ["乙考生"]
        assert names(q=a.id_number) == ["甲考生"]
        assert names(year="abc") == []
        # Station staff cannot pick another station.
        response = client_for("station").get(LIST, {"station": world.station_b.pk})
        assert list(response.context["page"]) == []

    def test_ids_are_masked_on_the_page_and_in_downloads(self, world, client_for, users):
        a = add_candidate(world, 1, world.station_a, "甲考生")
        client = client_for("academic")
        html = client.get(LIST).content.decode()
        assert a.id_number not in html
        assert mask_id_number(a.id_number) in html
        response = client.get(LIST, {"format": "csv", "q": "甲"})
        lines = list(
            csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
        )
        assert lines[1][0] == a.exam_number
        assert lines[1][3] == mask_id_number(a.id_number)
        log = PersonalDataLog.objects.get()
        assert (log.user, log.action, log.row_count) == (users["academic"], "export", 1)
        assert log.filters == {"q": "甲"}
        response = client.get(LIST, {"format": "xlsx"})
        rows = (
            CalamineWorkbook.from_filelike(io.BytesIO(response.content))
            .get_sheet_by_index(0)
            .to_python()
        )
        assert rows[1][3] == mask_id_number(a.id_number)

    def test_the_list_takes_a_bounded_number_of_queries(self, world, client_for):
        client = client_for("academic")
        for serial in range(1, 4):
            add_candidate(world, serial, world.station_a, "甲考生")
        with CaptureQueriesContext(connection) as few:
            client.get(LIST)
        for serial in range(4, 30):
            add_candidate(world, serial, world.station_b, "乙考生")
        with CaptureQueriesContext(connection) as many:
            client.get(LIST)
        assert len(many) == len(few)
        assert len(many) <= 10


class TestCandidateDetail:
    def test_shows_the_candidate_masked(self, world, client_for):
        a = add_candidate(world, 1, world.station_a, "甲考生")
        response = client_for("station").get(reverse("admissions:candidate_detail", args=[a.pk]))
        html = response.content.decode()
        assert response.status_code == 200
        assert a.exam_number in html
        assert a.id_number not in html
        assert mask_id_number(a.id_number) in html

    def test_outside_the_scope_is_not_found(self, world, client_for):
        b = add_candidate(world, 2, world.station_b, "乙考生")
        url = reverse("admissions:candidate_detail", args=[b.pk])
        assert client_for("station").get(url).status_code == 404
        assert client_for("finance").get(url).status_code == 403

    def test_links_to_the_student_and_the_import(self, world, client_for):
        run(csv_file(person(1)))
        candidate = Candidate.objects.get()
        candidate.status = CandidateStatus.ENROLLED
        candidate.student = world.a2
        candidate.save()
        html = (
            client_for("academic")
            .get(reverse("admissions:candidate_detail", args=[candidate.pk]))
            .content.decode()
        )
        assert reverse("students:detail", args=[world.a2.pk]) in html
        assert reverse("admissions:import_detail", args=[candidate.source_id]) in html
