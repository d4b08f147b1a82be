"""The graduation audit pages: start, list, results with filters, downloads and approval,
graduates, and the student's own page."""

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from cems.conftest import add_student
from cems.graduation import services
from cems.graduation.models import AuditResult, AuditRun, Graduation, RunStatus
from cems.graduation.tests.conftest import TODAY
from cems.students.models import Student, StudentStatus


@pytest.fixture
def english(settings):
    def make(client):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def run(school, world, users):
    """a1 eligible, a2 short of everything, b1 owing fees."""
    school.pass_all(world.a1)
    school.pass_all(world.b1)
    school.charge(world.b1, "500")
    return services.audit_start(actor=users["academic"], today=TODAY)


def sheet_rows(response: HttpResponse) -> list[list[Any]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return workbook.get_sheet_by_index(0).to_python()


def detail(run: AuditRun, **query: object) -> str:
    url = reverse("graduation:audit_detail", args=[run.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def result_of(run: AuditRun, student: Student) -> AuditResult:
    return AuditResult.objects.get(run=run, student=student)


# --- Start -----------------------------------------------------------------------------------


def test_the_start_page_offers_cohorts_and_stations(school, world, client_for, english):
    response = english(client_for("academic")).get(reverse("graduation:audit_start"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Graduation audit (毕业审核)" in html
    assert '<option value="2025">2025</option>' in html
    assert world.station_b.name in html


def test_starting_an_audit_runs_it_and_shows_its_results(school, world, client_for, english):
    school.pass_all(world.a1)
    client = english(client_for("academic"))
    response = client.post(
        reverse("graduation:audit_start"), {"cohort_year": "2025", "station": world.station_a.pk}
    )
    run = AuditRun.objects.get()
    assert response.status_code == 302
    assert response.url == detail(run)
    assert (run.status, run.cohort_year, run.station) == (RunStatus.DONE, 2025, world.station_a)
    assert set(AuditResult.objects.values_list("student", flat=True)) == {world.a1.pk, world.a2.pk}
    page = client.get(response.url).content.decode()
    assert "Audited 2 students: 0 eligible." in page  # today the length is not served yet


def test_the_whole_school_is_audited_when_nothing_is_chosen(school, world, client_for):
    response = client_for("admin").post(reverse("graduation:audit_start"), {})
    assert response.status_code == 302
    assert AuditResult.objects.count() == 3


def test_a_start_while_an_audit_runs_is_refused(school, users, client_for, english):
    AuditRun.objects.create(kind="graduation", started_by=users["admin"])
    response = english(client_for("academic")).post(reverse("graduation:audit_start"), {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "An audit of this kind is already running" in html
    assert AuditRun.objects.count() == 1


def test_a_bad_start_form_is_refused(school, world, client_for):
    client = client_for("academic")
    for data in ({"cohort_year": "1990"}, {"station": "999999"}, {"cohort_year": "x"}):
        assert client.post(reverse("graduation:audit_start"), data).status_code == 400
    assert not AuditRun.objects.exists()


def test_a_failed_audit_says_so(school, client_for, english, monkeypatch):
    from cems.graduation import audit

    monkeypatch.setattr(audit, "load_facts", lambda students: 1 / 0)
    client = english(client_for("academic"))
    response = client.post(reverse("graduation:audit_start"), {}, follow=True)
    assert "The audit failed: ZeroDivisionError" in response.content.decode()
    assert AuditRun.objects.get().status == RunStatus.FAILED


@pytest.mark.parametrize("role", ["station", "finance", "auditor", "teacher", "student"])
def test_others_cannot_start_audits(school, client_for, role):
    response = client_for(role).post(reverse("graduation:audit_start"), {})
    assert response.status_code == 403
    assert not AuditRun.objects.exists()


# --- List and results ------------------------------------------------------------------------


def test_the_audit_list(run, world, users, client_for):
    other = services.audit_start(actor=users["admin"], station=world.station_b, today=TODAY)
    html = client_for("auditor").get(reverse("graduation:audit_list")).content.decode()
    assert detail(run) in html
    assert detail(other) in html
    html = client_for("station").get(reverse("graduation:audit_list")).content.decode()
    assert detail(run) in html  # the whole school's
    assert detail(other) not in html  # station B's
    assert 'href="/graduation/audits/new/"' not in html


def test_results_name_every_reason(run, world, client_for, english):
    html = english(client_for("auditor")).get(detail(run)).content.decode()
    assert world.a1.student_number in html
    assert world.b1.student_number in html
    assert "Fees owed: 500.00 yuan." in html
    assert "3 required courses not taken yet: GB001 大学英语 (4 credits)" in html
    assert "0 credits earned of the 10 required: 10 short." in html
    assert 'name="results"' not in html  # auditors do not approve


def test_results_filters(run, world, client_for):
    client = client_for("academic")

    def shown(**query: object) -> set[int]:
        html = client.get(detail(run, **query)).content.decode()
        return {s.pk for s in (world.a1, world.a2, world.b1) if s.student_number in html}

    assert shown() == {world.a1.pk, world.a2.pk, world.b1.pk}
    assert shown(eligible="yes") == {world.a1.pk}
    assert shown(eligible="no") == {world.a2.pk, world.b1.pk}
    assert shown(station=world.station_b.pk) == {world.b1.pk}
    assert shown(reason="fees_owed") == {world.b1.pk}
    assert shown(reason="required_missing") == {world.a2.pk}
    assert shown(program=world.program.pk, eligible="no", station=world.station_a.pk) == {
        world.a2.pk
    }
    assert shown(reason="nonsense") == set()  # an invalid filter shows nothing
    assert shown(station="999999") == set()


def test_station_staff_see_their_stations_students_only(run, world, client_for):
    client = client_for("station")
    html = client.get(detail(run)).content.decode()
    assert world.a1.student_number in html
    assert world.b1.student_number not in html
    response = client.get(detail(run, format="csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert world.a1.student_number in text
    assert world.b1.student_number not in text
    assert client.get(detail(run, station=world.station_b.pk)).status_code == 200  # not offered


def test_results_download_with_reasons_as_text(run, world, client_for, english):
    client = english(client_for("academic"))
    response = client.get(detail(run, format="csv", eligible="no"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["Student number", "Name"]
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {world.a2.student_number, world.b1.student_number}
    assert by_number[world.b1.student_number][8] == "Fees owed: 500.00 yuan."
    assert by_number[world.a2.student_number][8].count("\n") == 1  # credits, missing courses
    response = client.get(detail(run, format="xlsx"))
    values = sheet_rows(response)
    assert len(values) == 4
    assert values[0][8] == "Reasons"


def test_the_results_page_runs_a_fixed_number_of_queries(school, world, users, client_for):
    client = client_for("academic")

    def queries() -> int:
        run = services.audit_start(actor=users["academic"], today=TODAY)
        client.get(detail(run))  # warm up: session, translations
        with CaptureQueriesContext(connection) as captured:
            assert client.get(detail(run)).status_code == 200
        AuditRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE)
        return len(captured)

    few = queries()
    for n in range(12):
        add_student(world, 200 + n)
    assert queries() == few


def test_a_run_of_another_station_is_not_found_for_station_staff(run, world, users, client_for):
    other = services.audit_start(actor=users["admin"], station=world.station_b, today=TODAY)
    assert client_for("station").get(detail(other)).status_code == 404
    assert client_for("finance").get(detail(other)).status_code == 200


def test_results_pages(run, world, client_for, settings):
    settings.CEMS_PAGE_SIZE = 2
    client = client_for("academic")
    first = client.get(detail(run)).content.decode()
    second = client.get(detail(run, page=2)).content.decode()
    assert world.a1.student_number in first
    assert world.a2.student_number in first
    assert world.b1.student_number in second
    assert world.a1.student_number not in second


# --- Approval --------------------------------------------------------------------------------


def approve_url(run: AuditRun) -> str:
    return reverse("graduation:audit_approve", args=[run.pk])


def test_approving_the_selected(run, world, client_for, english):
    client = english(client_for("academic"))
    html = client.get(detail(run)).content.decode()
    a1 = result_of(run, world.a1)
    assert f'name="results" value="{a1.pk}"' in html
    assert f'name="results" value="{result_of(run, world.a2).pk}"' not in html  # not eligible
    response = client.post(
        approve_url(run),
        {"results": [a1.pk], "graduated_on": "2028-07-10", "action": "selected",
         "query": "eligible=yes&page=1"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response.url == detail(run, eligible="yes", page="1")
    graduation = Graduation.objects.get()
    assert (graduation.student, graduation.diploma_number) == (world.a1, "10534120285000001")
    page = client.get(response.url).content.decode()
    assert "One student graduated, diploma number 10534120285000001." in page
    assert "10534120285000001" in page


def test_approving_every_eligible_student_on_the_page(school, world, users, client_for):
    school.pass_all(world.a1)
    school.pass_all(world.a2)
    run = services.audit_start(actor=users["academic"], today=TODAY)
    html = client_for("academic").get(detail(run)).content.decode()
    assert html.count('name="page_result"') == 2
    response = client_for("academic").post(
        approve_url(run),
        {"page_result": [result_of(run, s).pk for s in (world.a1, world.a2)],
         "graduated_on": "2028-07-10", "action": "page"},
    )  # fmt: skip
    assert response.status_code == 302
    assert set(Graduation.objects.values_list("student", flat=True)) == {world.a1.pk, world.a2.pk}


def test_a_refused_approval_says_why(run, world, client_for, english):
    client = english(client_for("academic"))
    data = {"results": [result_of(run, world.a2).pk], "graduated_on": "2028-07-10"}
    response = client.post(approve_url(run), data, follow=True)
    assert f"Not eligible: {world.a2.student_number}." in response.content.decode()
    response = client.post(approve_url(run), {"graduated_on": "2028-07-10"}, follow=True)
    assert "Choose the students to approve." in response.content.decode()
    data = {"results": [result_of(run, world.a1).pk], "graduated_on": "not a date"}
    response = client.post(approve_url(run), data, follow=True)
    assert "Enter a valid date." in response.content.decode()
    assert not Graduation.objects.exists()


@pytest.mark.parametrize("role", ["station", "finance", "auditor", "student"])
def test_others_cannot_approve(run, world, client_for, role):
    data = {"results": [result_of(run, world.a1).pk], "graduated_on": "2028-07-10"}
    assert client_for(role).post(approve_url(run), data).status_code == 403
    assert client_for("academic").get(approve_url(run)).status_code == 405
    assert not Graduation.objects.exists()


# --- Graduates ------------------------------------------------------------------------------


@pytest.fixture
def graduates(run, world, users):
    ids = [result_of(run, s).pk for s in (world.a1, world.b1)]
    Student.objects.filter(pk=world.b1.pk).update(status=StudentStatus.REGISTERED)
    AuditResult.objects.filter(pk=ids[1]).update(eligible=True, reasons=[])
    return services.audit_approve(actor=users["academic"], run=run, result_ids=ids)


def test_the_graduate_list(graduates, world, client_for, english):
    client = english(client_for("auditor"))
    html = client.get(reverse("graduation:graduate_list")).content.decode()
    numbers = [g.diploma_number for g in graduates]
    assert all(number in html for number in numbers)
    url = reverse("graduation:graduate_list")
    html = client.get(url, {"station": world.station_b.pk}).content.decode()
    assert numbers[0] not in html
    assert numbers[1] in html
    year = graduates[0].graduated_on.year
    assert numbers[0] in client.get(url, {"year": year}).content.decode()
    assert client.get(url, {"year": year + 1}).status_code == 200
    html = client.get(url, {"program": world.program.pk, "year": year}).content.decode()
    assert numbers[1] in html
    response = client.get(url, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Diploma number"
    assert sorted(row[0] for row in rows[1:]) == sorted(numbers)
    response = client.get(url, {"format": "xlsx"})
    assert len(sheet_rows(response)) == 3


def test_the_graduate_list_runs_a_fixed_number_of_queries(graduates, world, users, client_for):
    client = client_for("academic")
    url = reverse("graduation:graduate_list")
    client.get(url)
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    student = add_student(world, 300)
    result = AuditResult.objects.create(run=graduates[0].audit_result.run, student=student,
                                        eligible=True)  # fmt: skip
    Graduation.objects.create(student=student, diploma_number="X1", graduated_on=TODAY,
                              audit_result=result, approved_by=users["admin"])  # fmt: skip
    with CaptureQueriesContext(connection) as three:
        assert "X1" in client.get(url).content.decode()
    assert len(two) == len(three)


def test_station_staff_see_their_graduates_only(graduates, client_for):
    html = client_for("station").get(reverse("graduation:graduate_list")).content.decode()
    assert graduates[0].diploma_number in html
    assert graduates[1].diploma_number not in html


# --- The student's own page ------------------------------------------------------------------


def test_the_student_sees_their_reasons_then_their_diploma_number(
    school, world, users, client_for, english
):
    client = english(client_for("student"))
    html = client.get(reverse("graduation:mine")).content.decode()
    assert "No graduation audit has judged your record yet." in html
    school.grade(world.a1, "GB001", "40")
    services.audit_start(actor=users["academic"], today=TODAY)
    html = client.get(reverse("graduation:mine")).content.decode()
    assert "found you not eligible yet" in html
    assert "1 required course failed: GB001 大学英语 (4 credits) 40." in html
    assert "Bachelor's degree" in html  # the degree audit's part (专升本 is a bachelor)
    for code in ("GB001", "JC001", "ZY001"):
        school.grade(world.a1, code, "90")
    run = services.audit_start(actor=users["academic"], today=TODAY)
    html = client.get(reverse("graduation:mine")).content.decode()
    assert "found you eligible" in html
    services.audit_approve(
        actor=users["academic"], run=run, result_ids=[result_of(run, world.a1).pk]
    )
    html = client.get(reverse("graduation:mine")).content.decode()
    assert Graduation.objects.get().diploma_number in html
    assert world.a2.student_number not in html


def test_a_student_without_a_record_sees_so(world, users, client_for, english):
    Student.objects.filter(user=users["student"]).update(user=None)
    html = english(client_for("student")).get(reverse("graduation:mine")).content.decode()
    assert "No student record is linked to your account." in html
