"""Pages of change requests, grade history, retakes and students' results."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cems.accounts.models import Role, User
from cems.teaching import grade_services as gs
from cems.teaching.grade_services import CellEdit
from cems.teaching.models import (
    Grade,
    GradeChange,
    GradeChangeRequest,
    OfferingStudent,
    RequestStatus,
)
from cems.teaching.tests.conftest import Gradebook, make_gradebook


def submit(book: Gradebook, user: User, scores: tuple[str, str] = ("85", "40")) -> None:
    gs.grades_save(
        actor=user,
        offering_id=book.offering.pk,
        edits=[
            CellEdit(book.entries[name].pk, "score", score, "")
            for name, score in zip(("a1", "a2"), scores, strict=True)
        ],
    )
    gs.grades_submit(actor=user, offering_id=book.offering.pk)


def new_url(book: Gradebook, name: str = "a1") -> str:
    return reverse("teaching:change_request_new", args=[book.offering.pk, book.entries[name].pk])


def test_teacher_files_a_request_and_academic_affairs_approve(
    gradebook, users, client_for, settings
):
    submit(gradebook, users[Role.TEACHER])
    teacher = client_for("teacher")
    form = teacher.get(new_url(gradebook))
    assert form.status_code == 200
    assert 'value="85"' in form.content.decode()
    response = teacher.post(new_url(gradebook), {"score": "88", "reason": "漏登一题"})
    request = GradeChangeRequest.objects.get()
    assert response.url == reverse("teaching:change_request_detail", args=[request.pk])
    assert Grade.objects.get(entry=gradebook.entries["a1"]).score == 85  # not yet

    academic = client_for("academic")
    academic.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    detail = academic.get(response.url).content.decode()
    assert "漏登一题" in detail
    assert "85 → 88" in detail
    assert 'value="approve"' in detail
    academic.post(reverse("teaching:change_request_decide", args=[request.pk]),
                  {"decision": "approve", "note": "同意"})  # fmt: skip
    assert Grade.objects.get(entry=gradebook.entries["a1"]).score == 88
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert request.decision_note == "同意"

    history = academic.get(reverse("teaching:grade_history", args=[gradebook.offering.pk]))
    html = history.content.decode()
    assert "漏登一题" in html
    assert "Approved change request" in html


def test_request_form_errors_are_shown_and_nothing_is_filed(gradebook, users, client_for):
    submit(gradebook, users[Role.TEACHER])
    response = client_for("teacher").post(new_url(gradebook), {"score": "120", "reason": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"score", "reason"}
    assert not GradeChangeRequest.objects.exists()


def test_no_request_before_submission(gradebook, client_for):
    response = client_for("teacher").get(new_url(gradebook))
    assert response.status_code == 302
    assert not GradeChangeRequest.objects.exists()


def test_other_teachers_and_stations_cannot_request(gradebook, users, client_for):
    submit(gradebook, users[Role.TEACHER])
    assert (
        client_for("station").post(new_url(gradebook), {"score": "1", "reason": "x"}).status_code
        == 403
    )
    assert client_for("student").get(new_url(gradebook)).status_code == 403
    assert not GradeChangeRequest.objects.exists()


def test_a_teacher_cannot_decide_and_nobody_decides_their_own(gradebook, users, client_for):
    submit(gradebook, users[Role.ACADEMIC])
    request = gs.change_request_file(
        actor=users[Role.ACADEMIC], offering_id=gradebook.offering.pk,
        entry_id=gradebook.entries["a2"].pk, changes={"score": "60"}, reason="复核",
    )  # fmt: skip
    url = reverse("teaching:change_request_decide", args=[request.pk])
    assert client_for("teacher").post(url, {"decision": "approve"}).status_code == 403
    response = client_for("academic").post(url, {"decision": "approve"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    assert Grade.objects.get(entry=gradebook.entries["a2"]).score == 40


def test_request_list_filters_by_status(gradebook, users, client_for):
    submit(gradebook, users[Role.TEACHER])
    request = gs.change_request_file(
        actor=users[Role.TEACHER], offering_id=gradebook.offering.pk,
        entry_id=gradebook.entries["a1"].pk, changes={"score": "90"}, reason="复核",
    )  # fmt: skip
    client = client_for("academic")
    url = reverse("teaching:change_request_list")
    detail = reverse("teaching:change_request_detail", args=[request.pk])
    assert detail in client.get(url).content.decode()  # pending by default
    assert detail not in client.get(url, {"status": "approved"}).content.decode()
    assert client.get(url, {"status": "nonsense"}).context["page"].paginator.count == 0
    download = client.get(url, {"format": "csv", "status": ""})
    assert "复核" in b"".join(download.streaming_content).decode("utf-8-sig")


def test_retake_page_adds_failed_students(gradebook, teaching, world, users, client_for):
    teacher = users[Role.TEACHER]
    submit(gradebook, teacher)
    makeup = CellEdit(gradebook.entries["a2"].pk, "makeup_score", "45", "")
    gs.grades_save(actor=teacher, offering_id=gradebook.offering.pk, edits=[makeup])
    gs.makeup_submit(actor=teacher, offering_id=gradebook.offering.pk)
    later = make_gradebook(teaching, world, teacher, term=teaching.autumn_2026).offering
    OfferingStudent.objects.filter(offering=later).delete()
    client = client_for("academic")
    url = reverse("teaching:retakes", args=[later.pk])
    assert world.a2.student_number in client.get(url).content.decode()
    assert world.a1.student_number not in client.get(url).content.decode()
    client.post(url, {"student": [str(world.a2.pk)]})
    assert OfferingStudent.objects.get(offering=later).kind == "retake"
    assert client_for("teacher").post(url, {"student": [str(world.a2.pk)]}).status_code == 403


def test_student_sees_only_submitted_grades(
    gradebook, teaching, world, users, client_for, settings
):
    teacher = users[Role.TEACHER]
    submit(gradebook, teacher)
    open_book = make_gradebook(teaching, world, teacher, entry=teaching.courses[1][1])
    gs.grades_save(actor=teacher, offering_id=open_book.offering.pk,
                   edits=[CellEdit(open_book.entries["a1"].pk, "score", "77", "")])  # fmt: skip
    client = client_for("student")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("teaching:my_grades"))
    html = response.content.decode()
    assert "大学英语(一)" in html
    assert "高等数学" not in html
    summary = response.context["records"][0]["summary"]
    assert summary.courses == 1
    assert summary.gpa == 3.5
    assert summary.average == 85


def _grades_page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_results_pages_run_a_fixed_number_of_queries(gradebook, teaching, world, users, client_for):
    teacher = users[Role.TEACHER]
    submit(gradebook, teacher)
    student = client_for("student")
    staff = client_for("academic")
    staff_url = reverse("teaching:student_grades", args=[world.a1.pk])
    before = (_grades_page_queries(student, reverse("teaching:my_grades")),
              _grades_page_queries(staff, staff_url))  # fmt: skip
    for term, entries in ((teaching.spring_2026, teaching.courses[2]),
                          (teaching.autumn_2026, teaching.courses[3])):  # fmt: skip
        for entry in entries:
            book = make_gradebook(teaching, world, teacher, term=term, entry=entry)
            submit(book, teacher)
    after = (_grades_page_queries(student, reverse("teaching:my_grades")),
             _grades_page_queries(staff, staff_url))  # fmt: skip
    assert before == after


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_student_grades_download(gradebook, world, users, client_for, fmt):
    submit(gradebook, users[Role.TEACHER])
    response = client_for("academic").get(
        reverse("teaching:student_grades", args=[world.a1.pk]), {"format": fmt}
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        assert "GB001" in b"".join(response.streaming_content).decode("utf-8-sig")


def test_history_records_every_grid_change(gradebook, users, client_for):
    teacher = users[Role.TEACHER]
    for text, expected in (("70", ""), ("75", "70")):
        edit = CellEdit(gradebook.entries["a1"].pk, "score", text, expected)
        gs.grades_save(actor=teacher, offering_id=gradebook.offering.pk, edits=[edit])
    assert list(GradeChange.objects.order_by("pk").values_list("old_value", "new_value")) == [
        ("", "70"),
        ("70", "75"),
    ]
    response = client_for("station").get(
        reverse("teaching:grade_history", args=[gradebook.offering.pk]), {"format": "csv"}
    )
    assert response.status_code == 200
    assert "75" in b"".join(response.streaming_content).decode("utf-8-sig")


def test_offering_page_links_by_capability(gradebook, client_for):
    url = reverse("teaching:offering_detail", args=[gradebook.offering.pk])
    class_pdf = reverse("teaching:transcript_class", args=[gradebook.offering.student_class.pk])
    retakes = reverse("teaching:retakes", args=[gradebook.offering.pk])
    history = reverse("teaching:grade_history", args=[gradebook.offering.pk])
    academic = client_for("academic").get(url).content.decode()
    assert class_pdf in academic
    assert retakes in academic
    assert history in academic
    teacher = client_for("teacher").get(url).content.decode()
    assert class_pdf not in teacher
    assert retakes not in teacher
    assert history in teacher
    station = client_for("station").get(url).content.decode()
    assert class_pdf in station
    assert retakes not in station


def test_student_pages_link_to_grades_and_transcript(world, client_for):
    grades = reverse("teaching:student_grades", args=[world.a1.pk])
    detail = client_for("academic").get(reverse("students:detail", args=[world.a1.pk]))
    assert grades in detail.content.decode()
    portal = client_for("student").get(reverse("teaching:my_grades")).content.decode()
    assert reverse("teaching:transcript_student", args=[world.a1.pk]) in portal
