"""The grade grid: who sees it and who edits it, saving one cell (htmx), invalid cells and
conflicts, submission of the grades and of the makeup results, and the page's query count."""

import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cems.catalog.models import GradingScale
from cems.conftest import add_student
from cems.teaching import grade_services as gs
from cems.teaching.grade_services import CellEdit
from cems.teaching.models import Grade, GradeChange, OfferingStudent
from cems.teaching.tests.conftest import Gradebook, make_gradebook, make_teacher


def grid_url(book: Gradebook, name: str = "teaching:grade_grid") -> str:
    return reverse(name, args=[book.offering.pk])


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def post_cell(
    client: Client, book: Gradebook, student: str, field: str, value: str, expected: str = ""
) -> Any:
    return client.post(
        grid_url(book, "teaching:grade_cell"),
        {"entry": book.entries[student].pk, "field": field, "value": value, "expected": expected},
        HTTP_HX_REQUEST="true",
    )


def save(book: Gradebook, user, student: str, field: str, text: str, expected: str | None = None):
    gs.grades_save(
        actor=user,
        offering_id=book.offering.pk,
        edits=[CellEdit(book.entries[student].pk, field, text, expected)],
    )


def submit(book: Gradebook, user, a1: str = "85", a2: str = "40") -> None:
    save(book, user, "a1", "score", a1)
    save(book, user, "a2", "score", a2)
    gs.grades_submit(actor=user, offering_id=book.offering.pk)


def inputs(html: str) -> list[str]:
    """The ids of the grade inputs on a page."""
    return re.findall(r'<input type="text" name="value"[^>]* id="([^"]+)"', html)


def part(pattern: str, html: str) -> str:
    """The first part of a page matching a pattern (the page must have it)."""
    match = re.search(pattern, html, flags=re.DOTALL)
    assert match, f"nothing matches {pattern}"
    return match.group(0)


def cell_html(html: str, book: Gradebook, student: str, field: str) -> str:
    return part(rf'<td id="cell-{book.entries[student].pk}-{field}".*?</td>', html)


# --- The page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["teacher", "academic", "admin"])
def test_those_who_grade_get_inputs(gradebook, client_for, role):
    response = client_for(role).get(grid_url(gradebook))
    assert response.status_code == 200
    html = response.content.decode()
    a1, a2 = gradebook.entries["a1"].pk, gradebook.entries["a2"].pk
    assert inputs(html) == [f"input-{a1}-score", f"input-{a1}-mark",
                            f"input-{a2}-score", f"input-{a2}-mark"]  # fmt: skip
    assert 'action="{}"'.format(grid_url(gradebook, "teaching:grades_submit")) in html
    assert "X-CSRFToken" in html
    assert "teaching/grid.js" in html


@pytest.mark.parametrize("role", ["station", "auditor", "finance"])
def test_readers_see_the_values_without_inputs(gradebook, client_for, users, role):
    save(gradebook, users["teacher"], "a1", "score", "85")
    response = client_for(role).get(grid_url(gradebook))
    assert response.status_code == 200
    html = response.content.decode()
    assert inputs(html) == []
    assert '<span class="value">85</span>' in html
    assert "/grades/submit/" not in html
    assert gradebook.offering.student_class.name in html


@pytest.mark.parametrize("role", ["student", "training", "trainee"])
def test_roles_without_offerings_are_refused(gradebook, client_for, role):
    assert client_for(role).get(grid_url(gradebook)).status_code == 403


def test_another_teachers_offering_is_not_found(gradebook, client):
    client.force_login(make_teacher("other-teacher"))
    assert client.get(grid_url(gradebook)).status_code == 404
    assert client.get(grid_url(gradebook, "teaching:makeup_grid")).status_code == 404


def test_station_staff_of_another_station_do_not_see_it(gradebook, teaching, world, client_for):
    other = make_gradebook(teaching, world, None, entry=teaching.courses[1][1])
    other.offering.student_class = teaching.class_b
    other.offering.save()
    assert client_for("station").get(grid_url(other)).status_code == 404


def test_weighted_course_has_parts_and_a_total(teaching, world, users, client_for):
    book = make_gradebook(teaching, world, users["teacher"], weight=30)
    save(book, users["teacher"], "a1", "coursework", "80")
    save(book, users["teacher"], "a1", "exam", "55")
    html = english(client_for("teacher")).get(grid_url(book)).content.decode()
    a1 = book.entries["a1"].pk
    assert f"input-{a1}-coursework" in inputs(html)
    assert f"input-{a1}-exam" in inputs(html)
    assert f"input-{a1}-score" not in inputs(html)
    assert f'<td id="total-{a1}" class="num total">63</td>' in html
    assert re.search(rf'<td id="state-{a1}" class="state pass">Passed</td>', html)
    assert "coursework 30%" in html


def test_five_level_values_show_as_the_words_teachers_type(teaching, world, users, client_for):
    book = make_gradebook(teaching, world, users["teacher"], scale=GradingScale.FIVE_LEVEL)
    save(book, users["teacher"], "a1", "level", "excellent")
    save(book, users["teacher"], "a2", "mark", "absent")
    html = client_for("teacher").get(grid_url(book)).content.decode()
    assert 'value="优"' in cell_html(html, book, "a1", "level")
    assert 'name="expected" value="excellent"' in cell_html(html, book, "a1", "level")
    assert 'value="缺考"' in cell_html(html, book, "a2", "mark")
    assert "优/良/中/及格/不及格" in html


def test_status_missing_count_and_retake_badge(gradebook, world, users, client_for):
    OfferingStudent.objects.filter(pk=gradebook.entries["a2"].pk).update(kind="retake")
    save(gradebook, users["teacher"], "a1", "score", "85")
    html = english(client_for("teacher")).get(grid_url(gradebook)).content.decode()
    assert "Grade entry open" in html
    assert '<span id="missing-count">1</span> / 2' in html
    row = part(rf'<tr>\s*<td class="mono">{world.a2.student_number}.*?</tr>', html)
    assert '<span class="badge">Retake</span>' in row


def test_the_page_runs_a_fixed_number_of_queries(teaching, world, users, client_for):
    teacher = users["teacher"]
    small = make_gradebook(teaching, world, teacher)
    large = make_gradebook(teaching, world, teacher, entry=teaching.courses[1][1])
    for serial in range(38):
        student = add_student(world, 100 + serial, student_class=teaching.class_a)
        OfferingStudent.objects.create(offering=large.offering, student=student)
    for book in (small, large):
        save(book, teacher, "a1", "score", "85")
        save(book, teacher, "a2", "score", "40")
    client = client_for("teacher")
    counts = []
    for book in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(grid_url(book))
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(inputs(client.get(grid_url(large)).content.decode())) == 80
    assert counts[0] == counts[1]
    # The same once submitted (the makeup list, the submitter and the request links).
    for book in (small, large):
        OfferingStudent.objects.filter(offering=book.offering, grade=None).delete()
        gs.grades_submit(actor=teacher, offering_id=book.offering.pk)
    counts = []
    for book in (small, large):
        with CaptureQueriesContext(connection) as queries:
            client.get(grid_url(book))
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- Saving a cell ----------------------------------------------------------------------------


def test_a_saved_cell_answers_the_cell_and_the_rows_result(gradebook, client_for):
    client = english(client_for("teacher"))
    response = post_cell(client, gradebook, "a1", "score", " ８５ ")
    assert response.status_code == 200
    grade = Grade.objects.get(entry=gradebook.entries["a1"])
    assert grade.score == Decimal(85)
    assert grade.passed is True
    assert GradeChange.objects.get().source == "grid"
    html = response.content.decode()
    a1 = gradebook.entries["a1"].pk
    cell = cell_html(html, gradebook, "a1", "score")
    assert 'name="value" value="85"' in cell
    assert 'name="expected" value="85"' in cell
    assert "invalid" not in cell
    assert f'<td id="state-{a1}" class="state pass" hx-swap-oob="true">Passed</td>' in html
    assert '<span id="missing-count" hx-swap-oob="true">1</span>' in html


def test_a_weighted_cell_updates_the_total_out_of_band(teaching, world, users, client_for):
    book = make_gradebook(teaching, world, users["teacher"], weight=30)
    client = english(client_for("academic"))  # academic affairs enter grades for a teacher
    post_cell(client, book, "a1", "coursework", "80")
    html = post_cell(client, book, "a1", "exam", "40").content.decode()
    a1 = book.entries["a1"].pk
    assert f'<td id="total-{a1}" class="num total" hx-swap-oob="true">52</td>' in html
    assert f'<td id="state-{a1}" class="state fail" hx-swap-oob="true">Failed</td>' in html
    assert Grade.objects.get(entry=book.entries["a1"]).updated_by == users["academic"]


def test_an_invalid_value_stays_in_the_cell_marked(gradebook, client_for):
    client = english(client_for("teacher"))
    response = post_cell(client, gradebook, "a1", "score", "abc")
    assert response.status_code == 200
    cell = cell_html(response.content.decode(), gradebook, "a1", "score")
    assert 'class="cell invalid"' in cell
    assert 'aria-invalid="true"' in cell
    assert 'name="value" value="abc"' in cell
    assert 'name="expected" value=""' in cell
    assert "Enter a number from 0 to 100." in cell
    assert not Grade.objects.exists()


def test_a_conflict_shows_the_value_saved_meanwhile(gradebook, users, client_for):
    client = english(client_for("teacher"))
    save(gradebook, users["academic"], "a1", "score", "70")  # someone else, meanwhile
    response = post_cell(client, gradebook, "a1", "score", "80", expected="")
    assert response.status_code == 200
    cell = cell_html(response.content.decode(), gradebook, "a1", "score")
    assert 'class="cell conflict"' in cell
    assert "Saved meanwhile by someone else: 70 (you typed 80)" in cell
    assert 'name="value" value="70"' in cell
    assert 'name="expected" value="70"' in cell
    assert Grade.objects.get(entry=gradebook.entries["a1"]).score == Decimal(70)
    # Typed again, now expecting what is there, it replaces it.
    response = post_cell(client, gradebook, "a1", "score", "80", expected="70")
    assert 'class="cell"' in cell_html(response.content.decode(), gradebook, "a1", "score")
    assert Grade.objects.get(entry=gradebook.entries["a1"]).score == Decimal(80)


def test_a_locked_cell_is_refused_and_shown_read_only(gradebook, users, client_for):
    submit(gradebook, users["teacher"])
    response = post_cell(english(client_for("teacher")), gradebook, "a1", "score", "99", "85")
    assert response.status_code == 200
    cell = cell_html(response.content.decode(), gradebook, "a1", "score")
    assert '<span class="value">85</span>' in cell
    assert "submitted and locked" in cell
    assert 'name="value"' not in cell
    assert Grade.objects.get(entry=gradebook.entries["a1"]).score == Decimal(85)


def test_another_teacher_posting_gets_404(gradebook, client):
    client.force_login(make_teacher("other-teacher"))
    assert post_cell(client, gradebook, "a1", "score", "85").status_code == 404
    assert not Grade.objects.exists()


@pytest.mark.parametrize("role", ["station", "auditor", "student"])
def test_roles_that_do_not_grade_get_403_for_posting(gradebook, client_for, role):
    assert post_cell(client_for(role), gradebook, "a1", "score", "85").status_code == 403
    assert not Grade.objects.exists()


def test_anonymous_posting_is_sent_to_sign_in(gradebook, client):
    response = post_cell(client, gradebook, "a1", "score", "85")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_student_of_another_offering_is_not_found(gradebook, teaching, world, client_for):
    other = make_gradebook(teaching, world, None, entry=teaching.courses[1][1])
    response = client_for("teacher").post(
        grid_url(gradebook, "teaching:grade_cell"),
        {"entry": other.entries["a1"].pk, "field": "score", "value": "85", "expected": ""},
    )
    assert response.status_code == 404
    assert not Grade.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"entry": "x", "field": "score"}, {"entry": "1", "field": "passed", "value": "1"}],
    ids=["empty", "entry", "field"],
)
def test_a_malformed_post_is_a_bad_request(gradebook, client_for, data):
    response = client_for("teacher").post(grid_url(gradebook, "teaching:grade_cell"), data)
    assert response.status_code == 400


def test_get_is_not_allowed_for_a_cell(gradebook, client_for):
    assert client_for("teacher").get(grid_url(gradebook, "teaching:grade_cell")).status_code == 405


# --- Submission and the makeup exam -----------------------------------------------------------


def test_incomplete_grades_are_not_submitted(gradebook, users, client_for):
    save(gradebook, users["teacher"], "a1", "score", "85")
    client = english(client_for("teacher"))
    response = client.post(grid_url(gradebook, "teaching:grades_submit"), follow=True)
    assert response.redirect_chain[-1][0] == grid_url(gradebook)
    html = response.content.decode()
    assert "1 students have no result yet" in html
    gradebook.offering.refresh_from_db()
    assert not gradebook.offering.grades_locked
    assert len(inputs(html)) == 4


def test_complete_grades_are_submitted_and_the_makeup_list_appears(
    gradebook, users, world, client_for
):
    save(gradebook, users["teacher"], "a1", "score", "85")
    save(gradebook, users["teacher"], "a2", "score", "40")
    client = english(client_for("teacher"))
    response = client.post(grid_url(gradebook, "teaching:grades_submit"), follow=True)
    html = response.content.decode()
    assert "The grades are submitted and locked." in html
    gradebook.offering.refresh_from_db()
    assert gradebook.offering.grades_submitted_by == users["teacher"]
    assert inputs(html) == []
    assert "Grades submitted" in html
    section = part(r'<section class="card" id="makeup-list">.*?</section>', html)
    assert world.a2.student_number in section
    assert world.a1.student_number not in section
    assert grid_url(gradebook, "teaching:makeup_grid") in section
    # A locked row links to a change request; one with a request pending shows a badge.
    gs.change_request_file(
        actor=users["teacher"], offering_id=gradebook.offering.pk,
        entry_id=gradebook.entries["a1"].pk, changes={"score": "88"}, reason="typo",
    )  # fmt: skip
    html = client.get(grid_url(gradebook)).content.decode()
    a1, a2 = gradebook.entries["a1"].pk, gradebook.entries["a2"].pk
    assert reverse("teaching:change_request_new", args=[gradebook.offering.pk, a2]) in html
    assert reverse("teaching:change_request_new", args=[gradebook.offering.pk, a1]) not in html
    assert "Change requested" in html
    # Station staff see the badge but no link.
    html = english(client_for("station")).get(grid_url(gradebook)).content.decode()
    assert "Change requested" in html
    assert "/change/" not in html


def test_submitting_twice_says_so(gradebook, users, client_for):
    submit(gradebook, users["teacher"])
    client = english(client_for("teacher"))
    response = client.post(grid_url(gradebook, "teaching:grades_submit"), follow=True)
    assert "The grades are already submitted." in response.content.decode()


def test_another_teacher_cannot_submit(gradebook, users, client):
    save(gradebook, users["teacher"], "a1", "score", "85")
    save(gradebook, users["teacher"], "a2", "score", "40")
    client.force_login(make_teacher("other-teacher"))
    assert client.post(grid_url(gradebook, "teaching:grades_submit")).status_code == 404
    assert client.post(grid_url(gradebook, "teaching:makeup_submit")).status_code == 404
    gradebook.offering.refresh_from_db()
    assert not gradebook.offering.grades_locked


@pytest.mark.parametrize("name", ["teaching:grades_submit", "teaching:makeup_submit"])
def test_station_staff_cannot_submit(gradebook, client_for, name):
    assert client_for("station").post(grid_url(gradebook, name)).status_code == 403


def test_makeup_grid_waits_for_the_submission(gradebook, users, client_for):
    save(gradebook, users["teacher"], "a2", "score", "40")
    client = english(client_for("teacher"))
    html = client.get(grid_url(gradebook, "teaching:makeup_grid")).content.decode()
    assert "The makeup list is formed when the grades are submitted." in html
    assert inputs(html) == []


def test_makeup_phase(gradebook, users, world, client_for):
    submit(gradebook, users["teacher"], a1="85", a2="40")
    client = english(client_for("teacher"))
    url = grid_url(gradebook, "teaching:makeup_grid")
    html = client.get(url).content.decode()
    a2 = gradebook.entries["a2"].pk
    assert inputs(html) == [f"input-{a2}-makeup_score", f"input-{a2}-makeup_mark"]
    assert world.a1.student_number not in html
    assert '<span id="missing-count">0</span>' not in html
    assert '<span id="missing-count">1</span> / 1' in html
    # a1 passed: no makeup exam for them; a2's makeup is saved.
    response = post_cell(client, gradebook, "a1", "makeup_score", "70")
    cell = cell_html(response.content.decode(), gradebook, "a1", "makeup_score")
    assert "This student has no makeup exam." in cell
    assert 'name="value"' not in cell
    response = post_cell(client, gradebook, "a2", "makeup_score", "65")
    html = response.content.decode()
    assert f'<td id="state-{a2}" class="state pass" hx-swap-oob="true">Passed</td>' in html
    assert f'id="total-{a2}"' not in html
    assert Grade.objects.get(entry_id=a2).makeup_score == Decimal(65)
    # Submitted, the makeup results count and are locked.
    response = client.post(grid_url(gradebook, "teaching:makeup_submit"), follow=True)
    assert response.redirect_chain[-1][0] == url
    html = response.content.decode()
    assert "The makeup results are submitted and locked." in html
    assert inputs(html) == []
    assert "Makeup results submitted" in html
    grade = Grade.objects.get(entry_id=a2)
    assert grade.final_passed is True
    response = post_cell(client, gradebook, "a2", "makeup_score", "90", "65")
    assert "submitted and locked" in response.content.decode()
    assert Grade.objects.get(entry_id=a2).makeup_score == Decimal(65)


def test_makeup_submission_needs_every_result(gradebook, users, client_for):
    submit(gradebook, users["teacher"], a1="85", a2="40")
    client = english(client_for("teacher"))
    response = client.post(grid_url(gradebook, "teaching:makeup_submit"), follow=True)
    assert "1 students have no result yet" in response.content.decode()
    gradebook.offering.refresh_from_db()
    assert not gradebook.offering.makeup_locked


def test_makeup_before_the_grades_is_refused(gradebook, users, client_for):
    client = english(client_for("teacher"))
    response = client.post(grid_url(gradebook, "teaching:makeup_submit"), follow=True)
    assert "Submit the grades before the makeup results." in response.content.decode()
    response = post_cell(client, gradebook, "a2", "makeup_score", "65")
    assert "Makeup results are entered after the grades are submitted." in response.content.decode()
    assert not Grade.objects.exists()


def test_the_offering_page_links_to_the_grid(gradebook, client_for):
    html = (
        client_for("station")
        .get(reverse("teaching:offering_detail", args=[gradebook.offering.pk]))
        .content.decode()
    )
    assert f'href="{grid_url(gradebook)}"' in html
