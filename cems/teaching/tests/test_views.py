import csv
import io
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cems.catalog.models import TeachingPlan
from cems.teaching.models import CourseOffering, OfferingStudent, Term
from cems.teaching.tests.conftest import make_class, make_offering, make_teacher

pytestmark = pytest.mark.django_db

TERMS = reverse("teaching:term_list")
NEW_TERM = reverse("teaching:term_create")
OFFERINGS = reverse("teaching:offering_list")
MINE = reverse("teaching:my_offerings")


def url(name: str, *args: Any) -> str:
    return reverse(f"teaching:{name}", args=args)


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def count_queries(client, path: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return len(queries)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Terms -----------------------------------------------------------------------------------


def test_term_list_shows_terms_with_counts_and_downloads(teaching, client_for, users):
    make_offering(teaching, teaching.class_a)
    make_offering(teaching, teaching.class_b, teacher=users["teacher"])
    client = client_for("academic")
    response = client.get(TERMS)
    assert response.status_code == 200
    rows = {t.pk: (t.offering_count, t.unassigned_count) for t in response.context["page"]}
    assert rows[teaching.autumn_2025.pk] == (2, 1)
    assert rows[teaching.autumn_2026.pk] == (0, 0)
    assert url("term_generate", teaching.autumn_2025.pk) in response.content.decode()
    download = client.get(TERMS, {"format": "csv"})
    assert csv_rows(download)[1][:2] == ["2026–2027", "1"]


@pytest.mark.parametrize("role", ["station", "finance", "auditor", "teacher", "student"])
def test_term_pages_refuse_other_roles(teaching, client_for, role):
    client = client_for(role)
    assert client.get(TERMS).status_code == 403
    assert client.post(NEW_TERM, {"start_year": 2027, "number": 1}).status_code == 403
    assert client.post(url("term_generate", teaching.autumn_2025.pk)).status_code == 403
    assert not Term.objects.filter(academic_year__start_year=2027).exists()
    assert not CourseOffering.objects.exists()


def test_create_a_term(world, client_for):
    client = client_for("academic")
    assert client.get(NEW_TERM).status_code == 200
    response = client.post(NEW_TERM, {"start_year": 2027, "number": 2})
    assert response.status_code == 302
    term = Term.objects.get()
    assert (term.start_year, term.number) == (2027, 2)


def test_create_a_term_shows_errors(world, client_for):
    client = client_for("academic")
    client.post(NEW_TERM, {"start_year": 2027, "number": 1})
    response = client.post(NEW_TERM, {"start_year": 2027, "number": 1})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    response = client.post(NEW_TERM, {"start_year": "2027x", "number": 3})
    assert set(response.context["form"].errors) == {"start_year", "number"}
    response = client.post(
        NEW_TERM, {"start_year": 2028, "number": 1, "start_date": "2030-01-01",
                   "end_date": "2030-02-01"},
    )  # fmt: skip
    assert response.context["form"].errors
    assert Term.objects.count() == 1


def test_generate_offerings(teaching, client_for, settings):
    client = client_for("academic")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(url("term_generate", teaching.autumn_2025.pk))
    assert response.status_code == 302
    assert CourseOffering.objects.filter(term=teaching.autumn_2025).count() == 4
    assert OfferingStudent.objects.count() == 6
    assert "4 offerings created" in messages_of(response)[0]
    again = client.post(url("term_generate", teaching.autumn_2025.pk))
    assert "0 offerings created" in messages_of(again)[-1]
    assert CourseOffering.objects.count() == 4


def test_generate_names_classes_without_a_plan(world, teaching, client_for, settings):
    TeachingPlan.objects.filter(pk=teaching.plan.pk).update(admission_year=2024)
    client = client_for("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(url("term_generate", teaching.autumn_2025.pk))
    (message,) = messages_of(response)
    assert "2 classes have no teaching plan" in message
    assert "A2025" in message
    assert "B2025" in message


def test_generate_is_post_only_and_404_for_a_missing_term(teaching, client_for):
    client = client_for("academic")
    assert client.get(url("term_generate", teaching.autumn_2025.pk)).status_code == 405
    assert client.post(url("term_generate", 99999)).status_code == 404


# --- Offering list ---------------------------------------------------------------------------


@pytest.fixture
def offerings(teaching, users):
    other = make_teacher("other-teacher", "钱老师")
    return {
        "a_mine": make_offering(teaching, teaching.class_a, teacher=users["teacher"]),
        "a_open": make_offering(teaching, teaching.class_a, entry=teaching.courses[1][1]),
        "b_other": make_offering(teaching, teaching.class_b, teacher=other),
        "a_later": make_offering(teaching, teaching.class_a, term=teaching.autumn_2026,
                                 entry=teaching.courses[3][0], teacher=users["teacher"]),
    }  # fmt: skip


def listed(response) -> set[Any]:
    return set(response.context["page"])


def test_offering_list_opens_at_the_current_term(offerings, client_for):
    # Today (by the clock) is past the start of 2026–2027: its first term is the current one.
    client = client_for("academic")
    assert listed(client.get(OFFERINGS)) == {offerings["a_later"]}
    # Its pages and downloads stay there too; an empty term ("All") lists every term.
    assert listed(client.get(OFFERINGS, {"page": "1"})) == {offerings["a_later"]}
    assert len(csv_rows(client.get(OFFERINGS, {"format": "csv"}))) == 1 + 1
    assert len(csv_rows(client.get(OFFERINGS, {"format": "csv", "term": ""}))) == 1 + 4


def test_offering_list_filters_and_scope(teaching, offerings, client_for, world):
    every = {"term": ""}
    assert listed(client_for("academic").get(OFFERINGS, every)) == set(offerings.values())
    station = client_for("station").get(OFFERINGS, every)
    assert listed(station) == {offerings["a_mine"], offerings["a_open"], offerings["a_later"]}
    forged = client_for("station").get(OFFERINGS, {"station": world.station_b.pk})
    assert forged.context["form"].errors  # not a choice: an empty list, not station B's
    assert listed(forged) == set()
    teacher = client_for("teacher").get(OFFERINGS, every)
    assert listed(teacher) == {offerings["a_mine"], offerings["a_later"]}
    assert "teacher" not in teacher.context["form"].fields
    unassigned = client_for("academic").get(OFFERINGS, {"term": "", "unassigned": "on"})
    assert listed(unassigned) == {offerings["a_open"]}


def test_offering_list_downloads(offerings, client_for, settings):
    client = client_for("academic")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(OFFERINGS, {"term": "", "format": "csv"})
    rows = csv_rows(response)
    assert rows[0][:3] == ["Term", "Class code", "Class"]
    assert len(rows) == 1 + 4
    assert sorted(row[1] for row in rows[1:]) == ["A2025", "A2025", "A2025", "B2025"]
    xlsx = client_for("station").get(OFFERINGS, {"format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_offering_list_queries_do_not_grow_with_rows(world, teaching, client_for, users):
    client = client_for("academic")
    make_offering(teaching, teaching.class_a, teacher=users["teacher"])
    few = count_queries(client, OFFERINGS, {"term": ""})
    for n in range(12):
        klass = make_class(world, f"X{n}", world.station_b)
        make_offering(teaching, klass, teacher=make_teacher(f"t{n}"))
    assert count_queries(client, OFFERINGS, {"term": ""}) == few
    assert few <= 12


# --- My courses ------------------------------------------------------------------------------


def test_my_offerings_shows_the_current_term_then_any(offerings, client_for, teaching):
    client = client_for("teacher")
    assert listed(client.get(MINE)) == {offerings["a_later"]}
    assert listed(client.get(MINE, {"term": teaching.autumn_2025.pk})) == {offerings["a_mine"]}
    assert listed(client.get(MINE, {"term": "all"})) == {offerings["a_mine"], offerings["a_later"]}
    rows = csv_rows(client.get(MINE, {"term": "all", "format": "csv"}))
    assert len(rows) == 3


def test_my_offerings_falls_back_to_the_latest_term_taught(offerings, client_for):
    CourseOffering.objects.filter(pk=offerings["a_later"].pk).delete()
    assert listed(client_for("teacher").get(MINE)) == {offerings["a_mine"]}


def test_my_offerings_never_shows_another_teachers(offerings, client_for, teaching):
    response = client_for("teacher").get(MINE, {"term": "all"})
    assert offerings["b_other"] not in listed(response)
    assert "B2025" not in response.content.decode()


def test_my_offerings_without_any(world, client_for):
    response = client_for("teacher").get(MINE)
    assert response.status_code == 200
    assert listed(response) == set()


def test_my_offerings_queries_do_not_grow_with_rows(world, teaching, client_for, users):
    client = client_for("teacher")
    make_offering(teaching, teaching.class_a, teacher=users["teacher"])
    few = count_queries(client, MINE)
    for n in range(12):
        klass = make_class(world, f"Y{n}", world.station_b)
        make_offering(teaching, klass, teacher=users["teacher"])
    assert count_queries(client, MINE) == few


@pytest.mark.parametrize("role", ["admin", "academic", "station", "finance", "student"])
def test_my_offerings_is_for_teachers(world, client_for, role):
    assert client_for(role).get(MINE).status_code == 403


# --- Offering detail and assignment ----------------------------------------------------------


def test_offering_detail_shows_the_roster_masked(world, offerings, client_for):
    offering = offerings["a_mine"]
    OfferingStudent.objects.create(offering=offering, student=world.a1)
    OfferingStudent.objects.create(offering=offering, student=world.a2)
    for role in ("academic", "station", "teacher"):
        response = client_for(role).get(url("offering_detail", offering.pk))
        page = response.content.decode()
        assert world.a1.student_number in page
        assert world.a2.name in page
        assert world.a1.phone not in page  # masked
        assert world.a1.id_number not in page
        assert (response.context["form"] is not None) is (role != "teacher"), role
    page = client_for("teacher").get(url("offering_detail", offering.pk)).content.decode()
    assert reverse("students:detail", args=[world.a1.pk]) not in page


def test_offering_detail_queries_do_not_grow_with_the_roster(world, offerings, client_for):
    from cems.conftest import add_student

    offering = offerings["a_mine"]
    OfferingStudent.objects.create(offering=offering, student=world.a1)
    client = client_for("academic")
    few = count_queries(client, url("offering_detail", offering.pk))
    for n in range(10):
        OfferingStudent.objects.create(offering=offering, student=add_student(world, 60 + n))
    assert count_queries(client, url("offering_detail", offering.pk)) == few


def test_offerings_outside_scope_are_404(offerings, client_for):
    assert (
        client_for("station").get(url("offering_detail", offerings["b_other"].pk)).status_code
        == 404
    )
    assert (
        client_for("teacher").get(url("offering_detail", offerings["b_other"].pk)).status_code
        == 404
    )
    assert (
        client_for("teacher").get(url("offering_detail", offerings["a_open"].pk)).status_code == 404
    )


def test_assign_a_teacher(offerings, client_for, users):
    offering = offerings["a_open"]
    response = client_for("station").post(
        url("offering_assign", offering.pk), {"teacher": users["teacher"].pk}
    )
    assert response.status_code == 302
    offering.refresh_from_db()
    assert offering.teacher == users["teacher"]
    client_for("academic").post(url("offering_assign", offering.pk), {"teacher": ""})
    offering.refresh_from_db()
    assert offering.teacher is None


@pytest.mark.parametrize("forged", ["station", "student", "missing", "text"])
def test_assign_refuses_forged_teacher_ids(offerings, client_for, users, forged):
    offering = offerings["a_mine"]
    value = {"station": users["station"].pk, "student": users["student"].pk,
             "missing": 999999, "text": "1 OR 1=1"}[forged]  # fmt: skip
    response = client_for("academic").post(url("offering_assign", offering.pk), {"teacher": value})
    assert response.status_code == 400
    assert response.context["form"].errors["teacher"]
    offering.refresh_from_db()
    assert offering.teacher == users["teacher"]


def test_assign_refuses_an_inactive_teacher(offerings, client_for, users):
    retired = make_teacher("retired", is_active=False)
    offering = offerings["a_open"]
    response = client_for("academic").post(
        url("offering_assign", offering.pk), {"teacher": retired.pk}
    )
    assert response.status_code == 400
    offering.refresh_from_db()
    assert offering.teacher is None


def test_assign_outside_scope_is_404_and_changes_nothing(offerings, client_for, users):
    offering = offerings["b_other"]
    response = client_for("station").post(
        url("offering_assign", offering.pk), {"teacher": users["teacher"].pk}
    )
    assert response.status_code == 404
    offering.refresh_from_db()
    assert offering.teacher.username == "other-teacher"


@pytest.mark.parametrize("role", ["teacher", "finance", "auditor", "student", "training"])
def test_assign_refuses_other_roles(offerings, client_for, users, role):
    offering = offerings["a_mine"]
    response = client_for(role).post(url("offering_assign", offering.pk), {"teacher": ""})
    assert response.status_code == 403
    offering.refresh_from_db()
    assert offering.teacher == users["teacher"]


def test_assign_is_post_only(offerings, client_for):
    assert (
        client_for("academic").get(url("offering_assign", offerings["a_mine"].pk)).status_code
        == 405
    )


# --- Menu and languages ----------------------------------------------------------------------


def test_menu_entries_per_role(world, client_for):
    def menu(role: str) -> list[str]:
        return [
            item["url"]
            for item in client_for(role).get(reverse("reports:dashboard")).context["nav_items"]
        ]

    assert MINE in menu("teacher")
    assert OFFERINGS not in menu("teacher")
    assert OFFERINGS in menu("academic")
    assert MINE not in menu("academic")
    assert OFFERINGS in menu("station")
    assert OFFERINGS not in menu("student")
    assert MINE not in menu("student")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pages_render_in_both_languages(offerings, client_for, settings, language):
    client = client_for("academic")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for path in (TERMS, NEW_TERM, OFFERINGS, url("offering_detail", offerings["a_mine"].pk)):
        response = client.get(path)
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.content.decode()
