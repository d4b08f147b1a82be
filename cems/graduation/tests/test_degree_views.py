"""The degree pages: audits (start, results, approval), degrees awarded, theses,
disciplinary records and foreign-language results — each with the wrong roles too."""

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from cems.admissions.tests.writers import write_csv
from cems.conftest import add_student
from cems.graduation.models import (
    AuditKind,
    AuditResult,
    AuditRun,
    DegreeAward,
    DisciplinaryRecord,
    LanguageResult,
    RunStatus,
    Thesis,
)
from cems.graduation.tests.matrix_degree import degree_run, make_eligible

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "language_results"
AUDITS = reverse("graduation:degree_audit_list")
START = reverse("graduation:degree_audit_start")
DEGREES = reverse("graduation:degree_list")
THESES = reverse("graduation:degree_thesis_list")
DISCIPLINE = reverse("graduation:degree_discipline_list")
DISCIPLINE_ADD = reverse("graduation:degree_discipline_add")
LANGUAGE = reverse("graduation:degree_language_list")
LANGUAGE_IMPORT = reverse("graduation:degree_language_import")


def url(name: str, *args) -> str:
    return reverse(f"graduation:{name}", args=args)


def english(client: Any) -> Any:
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def last_message(response) -> str:
    """The message the response added last (those of earlier requests not shown yet come
    before it)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def queries(client, path: str, params: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def school(world):
    """a1 and b1 eligible graduates, a2 a graduate without a thesis (the pages audit on
    today's date: they graduated a month ago)."""
    recently = timezone.localdate() - dt.timedelta(days=30)
    make_eligible(world.a1, graduated_on=recently)
    make_eligible(world.b1, prefix="B", graduated_on=recently)
    make_eligible(world.a2, prefix="X", graduated_on=recently)
    Thesis.objects.filter(student=world.a2).delete()
    return world


def started(client) -> AuditRun:
    response = client.post(START, {})
    assert response.status_code == 302, response.content.decode()[:2000]
    return AuditRun.objects.filter(kind=AuditKind.DEGREE).latest("pk")


# --- Audits ----------------------------------------------------------------------------------


def test_academic_affairs_start_an_audit_and_see_its_results(school, client_for):
    client = english(client_for("academic"))
    page = client.get(AUDITS)
    assert page.context["form"] is not None
    response = client.post(START, {"cohort_year": "2025"})
    run = AuditRun.objects.get(kind=AuditKind.DEGREE)
    assert response.url == url("degree_audit_results", run.pk)
    assert run.cohort_year == 2025
    assert run.status == RunStatus.DONE
    assert last_message(response) == "Degree audit done: 2 of 3 students eligible."
    results = client.get(response.url)
    html = results.content.decode()
    assert "No thesis grade is recorded." in html
    assert [r.student for r in results.context["page"]] == [school.a1, school.a2, school.b1]
    assert results.context["awaiting"]
    listed = client.get(AUDITS)
    run_row = listed.context["page"][0]
    assert (run_row.student_count, run_row.eligible_count, run_row.approved_count) == (3, 2, 0)


def test_station_staff_see_audits_without_the_form_and_their_students_only(school, client_for):
    run = started(client_for("academic"))
    client = client_for("station")
    listed = client.get(AUDITS)
    assert listed.context["form"] is None
    assert listed.context["page"][0].student_count == 2  # a1, a2: station A's
    results = client.get(url("degree_audit_results", run.pk))
    assert {r.student for r in results.context["page"]} == {school.a1, school.a2}
    assert not results.context["can_approve"]
    assert 'name="result"' not in results.content.decode()
    download = client.get(url("degree_audit_results", run.pk), {"format": "csv"})
    numbers = [line[0] for line in csv_rows(download)[1:]]
    assert numbers == [school.a1.student_number, school.a2.student_number]


def test_a_station_audit_of_another_station_is_not_found_for_station_staff(school, client_for):
    run = degree_run(school, school.station_b)
    assert client_for("station").get(url("degree_audit_results", run.pk)).status_code == 404
    assert client_for("auditor").get(url("degree_audit_results", run.pk)).status_code == 200


def test_a_second_start_while_one_runs_is_refused_on_the_page(school, client_for, users):
    AuditRun.objects.create(kind=AuditKind.DEGREE, started_by=users["admin"])
    client = english(client_for("academic"))
    response = client.post(START, {})
    assert response.status_code == 400
    assert "A degree audit is already running" in response.content.decode()
    assert AuditRun.objects.filter(kind=AuditKind.DEGREE).count() == 1


@pytest.mark.parametrize("data", [{"cohort_year": "1800"}, {"cohort_year": "abc"},
                                  {"station": "999999"}])  # fmt: skip
def test_a_bad_start_form_is_refused(school, client_for, data):
    response = client_for("academic").post(START, data)
    assert response.status_code == 400
    assert not AuditRun.objects.filter(kind=AuditKind.DEGREE).exists()


@pytest.mark.parametrize("role", ["station", "finance", "auditor", "teacher", "student"])
def test_wrong_roles_cannot_start(school, client_for, role):
    assert client_for(role).post(START, {}).status_code == 403
    assert not AuditRun.objects.filter(kind=AuditKind.DEGREE).exists()


def test_results_filters_and_download_with_rendered_reasons(school, client_for):
    client = english(client_for("academic"))
    run = started(client)
    path = url("degree_audit_results", run.pk)

    def numbers(params: dict[str, Any]) -> list[str]:
        return [r.student.student_number for r in client.get(path, params).context["page"]]

    assert numbers({"eligible": "no"}) == [school.a2.student_number]
    assert numbers({"eligible": "yes", "station": school.station_b.pk}) == [
        school.b1.student_number
    ]
    assert numbers({"reason": "thesis_missing"}) == [school.a2.student_number]
    assert numbers({"reason": "fees_owed"}) == []
    assert numbers({"q": "李娜"}) == [school.a2.student_number]
    assert numbers({"eligible": "maybe"}) == []  # an invalid filter shows nothing
    assert client.get(path, {"eligible": "maybe"}).context["form"].errors
    rows = csv_rows(client.get(path, {"format": "csv"}))
    assert rows[0][:2] == ["Student number", "Name"]
    a2 = next(line for line in rows if line[0] == school.a2.student_number)
    assert "No thesis grade is recorded." in a2[10]
    workbook = client.get(path, {"format": "xlsx", "eligible": "no"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(workbook.content)).get_sheet_by_index(0)
    assert len(sheet.to_python()) == 2


def test_the_results_page_runs_a_fixed_number_of_queries(world, client_for):
    client = client_for("academic")
    make_eligible(world.a1)
    few = queries(client, url("degree_audit_results", started(client).pk))
    for serial in range(30, 45):
        make_eligible(add_student(world, serial), prefix=f"Q{serial}")
    many = queries(client, url("degree_audit_results", started(client).pk))
    assert many == few


def test_approving_chosen_students_then_all(school, client_for):
    client = english(client_for("academic"))
    run = started(client)
    a1 = run.results.get(student=school.a1)
    response = client.post(url("degree_audit_approve", run.pk), {"result": [str(a1.pk)]})
    assert response.url == url("degree_audit_results", run.pk)
    award = DegreeAward.objects.get()
    assert award.student == school.a1
    assert last_message(response) == f"One degree awarded: {award.certificate_number}."
    response = client.post(url("degree_audit_approve", run.pk), {"all": "1"})
    assert DegreeAward.objects.count() == 2  # b1; a2 is not eligible
    page = client.get(url("degree_audit_results", run.pk))
    assert award.certificate_number in page.content.decode()
    assert not page.context["awaiting"]


def test_approving_nothing_or_a_not_eligible_student_is_refused(school, client_for):
    client = english(client_for("academic"))
    run = started(client)
    approve = url("degree_audit_approve", run.pk)
    assert last_message(client.post(approve, {})) == "Choose the students to approve."
    assert last_message(client.post(approve, {"result": ["x"]})) == (
        "Choose the students to approve."
    )
    a2 = run.results.get(student=school.a2)
    response = client.post(approve, {"result": [str(a2.pk)]})
    assert last_message(response) == f"{school.a2.student_number} 李娜 is not eligible."
    assert not DegreeAward.objects.exists()


@pytest.mark.parametrize("role", ["station", "finance", "auditor", "student"])
def test_wrong_roles_cannot_approve(school, client_for, role):
    run = started(client_for("academic"))
    response = client_for(role).post(url("degree_audit_approve", run.pk), {"all": "1"})
    assert response.status_code == 403
    assert not DegreeAward.objects.exists()


def test_approval_is_a_post(school, client_for):
    run = started(client_for("academic"))
    assert client_for("academic").get(url("degree_audit_approve", run.pk)).status_code == 405


# --- Degrees awarded -------------------------------------------------------------------------


def test_the_degree_list_with_certificate_numbers_downloads(school, client_for):
    academic = client_for("academic")
    run = started(academic)
    academic.post(url("degree_audit_approve", run.pk), {"all": "1"})
    numbers = dict(DegreeAward.objects.values_list("student__student_number",
                                                   "certificate_number"))  # fmt: skip
    page = academic.get(DEGREES)
    assert [a.student for a in page.context["page"]] == [school.a1, school.b1]
    assert numbers[school.a1.student_number] in page.content.decode()
    rows = csv_rows(english(academic).get(DEGREES, {"format": "csv"}))
    assert rows[0][0] == "Degree certificate number"
    assert [line[0] for line in rows[1:]] == sorted(numbers.values())
    assert rows[1][7] == f"D{school.a1.student_number}"  # the diploma number beside it
    station = client_for("station").get(DEGREES)
    assert [a.student for a in station.context["page"]] == [school.a1]
    year = DegreeAward.objects.earliest("pk").awarded_on.year
    assert len(academic.get(DEGREES, {"year": year}).context["page"]) == 2
    assert len(academic.get(DEGREES, {"year": year - 1}).context["page"]) == 0
    assert len(academic.get(DEGREES, {"q": numbers[school.b1.student_number]}).context["page"]) == 1


def test_the_degree_list_runs_a_fixed_number_of_queries(school, client_for):
    academic = client_for("academic")
    run = started(academic)
    academic.post(url("degree_audit_approve", run.pk), {"result": [
        str(run.results.get(student=school.a1).pk)]})  # fmt: skip
    few = queries(academic, DEGREES)
    academic.post(url("degree_audit_approve", run.pk), {"all": "1"})
    assert queries(academic, DEGREES) == few


# --- Theses ----------------------------------------------------------------------------------


def test_the_thesis_list_and_its_filters(school, client_for):
    client = client_for("academic")
    page = client.get(THESES)
    assert list(page.context["page"]) == [school.a1, school.a2, school.b1]
    missing = client.get(THESES, {"state": "missing"})
    assert list(missing.context["page"]) == [school.a2]
    Thesis.objects.filter(student=school.b1).update(defended=False)
    assert list(client.get(THESES, {"state": "not_defended"}).context["page"]) == [school.b1]
    rows = csv_rows(client.get(THESES, {"format": "csv", "station": school.station_a.pk}))
    assert [line[0] for line in rows[1:]] == [school.a1.student_number, school.a2.student_number]
    station = client_for("station").get(THESES)
    assert school.b1 not in list(station.context["page"])
    assert not station.context["can_manage"]


def test_recording_a_thesis(school, client_for):
    client = client_for("academic")
    edit = url("degree_thesis_edit", school.a2.pk)
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"title": "成人教育研究", "score": "88.5", "defended": "on",
                                  "defended_on": "2024-05-20"})  # fmt: skip
    assert response.url == THESES
    thesis = Thesis.objects.get(student=school.a2)
    assert (thesis.score, thesis.defended) == (Decimal("88.5"), True)
    form = client.get(edit).context["form"]
    assert form.initial["title"] == "成人教育研究"


@pytest.mark.parametrize(
    "data",
    [
        {"title": "", "score": "80"},
        {"title": "论文", "score": "101"},
        {"title": "论文", "score": "-1"},
        {"title": "论文", "score": "80.25"},
        {"title": "论文", "score": "优"},
        {"title": "论文", "defended_on": "2027-05-20"},  # a date without a defence
        {"title": "论文", "defended": "on", "defended_on": "2999-01-01"},
    ],
)
def test_a_bad_thesis_form_is_refused(school, client_for, data):
    response = client_for("academic").post(url("degree_thesis_edit", school.a2.pk), data)
    assert response.status_code == 400
    assert not Thesis.objects.filter(student=school.a2).exists()


@pytest.mark.parametrize("role", ["station", "finance", "auditor", "student"])
def test_wrong_roles_cannot_record_theses(school, client_for, role):
    response = client_for(role).post(
        url("degree_thesis_edit", school.a2.pk), {"title": "论文", "score": "90"}
    )
    assert response.status_code == 403
    assert not Thesis.objects.filter(student=school.a2).exists()


def test_a_thesis_of_an_unknown_student_is_not_found(school, client_for):
    assert client_for("academic").get(url("degree_thesis_edit", 999999)).status_code == 404


# --- Disciplinary records --------------------------------------------------------------------


def test_adding_and_revoking_a_disciplinary_record(school, client_for):
    client = client_for("academic")
    assert client.get(DISCIPLINE_ADD).status_code == 200
    data = {"student_number": school.b1.student_number, "issued_on": "2024-04-01",
            "description": "记过"}  # fmt: skip
    response = client.post(DISCIPLINE_ADD, data)
    assert response.url == DISCIPLINE
    record = DisciplinaryRecord.objects.get()
    assert record.student == school.b1
    assert record.recorded_by is not None
    listed = client.get(DISCIPLINE, {"state": "active"})
    assert list(listed.context["page"]) == [record]
    revoke = url("degree_discipline_revoke", record.pk)
    assert client.get(revoke).status_code == 200
    assert client.post(revoke, {"revoked_on": "2024-03-31"}).status_code == 400  # before
    assert client.post(revoke, {"revoked_on": "2999-01-01"}).status_code == 400  # future
    assert client.post(revoke, {"revoked_on": "2025-01-01"}).url == DISCIPLINE
    record.refresh_from_db()
    assert record.revoked_on == dt.date(2025, 1, 1)
    assert list(client.get(DISCIPLINE, {"state": "revoked"}).context["page"]) == [record]
    assert client.post(revoke, {"revoked_on": "2025-02-01"}).status_code == 400  # already
    rows = csv_rows(client.get(DISCIPLINE, {"format": "csv"}))
    assert rows[1][:5] == [school.b1.student_number, "王芳", school.station_b.name, "2024-04-01",
                           "记过"]  # fmt: skip
    station = client_for("station").get(DISCIPLINE)
    assert list(station.context["page"]) == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"student_number": "000", "issued_on": "2026-04-01", "description": "记过"},
         "student_number"),
        ({"student_number": "102025001001", "issued_on": "2999-04-01", "description": "记过"},
         "issued_on"),
        ({"student_number": "102025001001", "issued_on": "x", "description": "记过"}, "issued_on"),
        ({"student_number": "102025001001", "issued_on": "2026-04-01", "description": ""},
         "description"),
    ],
)  # fmt: skip
def test_a_bad_disciplinary_record_is_refused(school, client_for, data, field):
    response = client_for("academic").post(DISCIPLINE_ADD, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors or "__all__" in errors
    assert not DisciplinaryRecord.objects.exists()


@pytest.mark.parametrize("role", ["station", "finance", "auditor", "student"])
def test_wrong_roles_cannot_keep_disciplinary_records(school, client_for, role):
    record = DisciplinaryRecord.objects.create(
        student=school.a1, issued_on=dt.date(2026, 1, 1), description="警告"
    )
    client = client_for(role)
    assert client.post(DISCIPLINE_ADD, {"student_number": school.a1.student_number,
                                        "issued_on": "2026-04-01",
                                        "description": "记过"}).status_code == 403  # fmt: skip
    revoke = url("degree_discipline_revoke", record.pk)
    assert client.post(revoke, {"revoked_on": "2027-01-01"}).status_code == 403
    record.refresh_from_db()
    assert record.revoked_on is None
    assert DisciplinaryRecord.objects.count() == 1


# --- Foreign-language results ----------------------------------------------------------------


def upload(client, data: bytes, name: str):
    return client.post(LANGUAGE_IMPORT, {"file": SimpleUploadedFile(name, data)})


def test_importing_the_sample_and_listing_the_results(school, client_for):
    LanguageResult.objects.all().delete()
    client = english(client_for("academic"))
    data = (SAMPLES / "language-results.xlsx").read_bytes()
    response = upload(client, data, "language-results.xlsx")
    assert response.url == LANGUAGE
    assert last_message(response) == (
        "3 rows imported: 3 new results, 0 corrected, 0 already recorded."
    )
    response = upload(client, data, "language-results.xlsx")
    assert last_message(response) == (
        "3 rows imported: 0 new results, 0 corrected, 3 already recorded."
    )
    listed = client.get(LANGUAGE, {"exam": "adult_english"})
    assert len(listed.context["page"]) == 3
    rows = csv_rows(client.get(LANGUAGE, {"format": "csv", "q": "王芳"}))
    assert rows[1][4:] == ["2025-05-17", "64.5", "XW2025440017"]
    station = client_for("station").get(LANGUAGE)
    assert {r.student for r in station.context["page"]} == {school.a1, school.a2}


def test_an_import_with_errors_lists_them_and_writes_nothing(school, client_for):
    LanguageResult.objects.all().delete()
    client = english(client_for("academic"))
    headings = ["学号", "姓名", "考试类别", "考试日期", "成绩"]
    data = write_csv([headings, [school.a1.student_number, "张伟", "CET-4", "2024-06-15", "500"],
                      [school.a2.student_number, "李娜", "托福", "2024-06-15", "800"]])  # fmt: skip
    response = upload(client, data, "results.csv")
    assert response.status_code == 400
    html = response.content.decode()
    assert "1 row has errors; nothing was imported." in html
    assert "托福 is not an exam of the degree" in html
    assert "800 is not a score from 0 to 710." in html
    assert not LanguageResult.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"x", "results.pdf", "Upload an xlsx, xls, ods or csv file."),
        (b"", "results.csv", "The submitted file is empty."),
        ("学号,姓名\n1,张伟\n".encode(), "results.csv", "The file lacks the columns"),
        (b"PK\x03\x04broken", "results.xlsx", "a ZIP archive that is not a spreadsheet"),
    ],
)
def test_a_bad_upload_is_refused(school, client_for, data, name, message):
    count = LanguageResult.objects.count()
    response = upload(english(client_for("academic")), data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert LanguageResult.objects.count() == count


def test_an_upload_too_large_is_refused(school, client_for, settings):
    settings.CEMS_MAX_UPLOAD_BYTES = 100
    response = upload(english(client_for("academic")), b"x" * 200, "results.csv")
    assert response.status_code == 400
    assert "larger than" in response.content.decode()


@pytest.mark.parametrize("role", ["station", "finance", "auditor", "student"])
def test_wrong_roles_cannot_import(school, client_for, role):
    count = LanguageResult.objects.count()
    data = (SAMPLES / "language-results.xlsx").read_bytes()
    assert upload(client_for(role), data, "language-results.xlsx").status_code == 403
    assert LanguageResult.objects.count() == count


@pytest.mark.parametrize("path", [THESES, DISCIPLINE, LANGUAGE, DEGREES, AUDITS])
def test_record_lists_run_a_fixed_number_of_queries(school, client_for, path):
    client = client_for("academic")
    for student in (school.a1, school.b1):
        DisciplinaryRecord.objects.create(student=student, issued_on=dt.date(2026, 1, 1),
                                          description="警告")  # fmt: skip
    AuditResult.objects.create(run=degree_run(school), student=school.a1, eligible=False)
    few = queries(client, path)
    for serial in range(50, 60):
        student = add_student(school, serial)
        make_eligible(student, prefix=f"R{serial}")
        DisciplinaryRecord.objects.create(student=student, issued_on=dt.date(2026, 1, 1),
                                          description="警告")  # fmt: skip
        AuditResult.objects.create(run=degree_run(school), student=student, eligible=False)
    assert queries(client, path) == few
