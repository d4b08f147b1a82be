import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from cems.catalog.models import Course, Level, Major, PlanCourse, Program, StudyMode, TeachingPlan
from cems.catalog.tests.conftest import add_entry, make_course

PLANS = reverse("catalog:plan_list")
MAJORS = reverse("catalog:major_list")
PROGRAMS = reverse("catalog:program_list")
COURSES = reverse("catalog:course_list")
NOT_READERS = ["training", "teacher", "student", "trainee"]
READERS_NOT_MANAGERS = ["station", "finance", "auditor"]


def url(name: str, *args: Any) -> str:
    return reverse(f"catalog:{name}", args=args)


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def xlsx_rows(response) -> list[list[Any]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return book.get_sheet_by_index(0).to_python()


def listed(response) -> list[Any]:
    return list(response.context["page"])


def count_queries(client, path: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return len(queries)


def make_majors(count: int) -> list[Major]:
    return Major.objects.bulk_create(
        Major(code=f"0{n:05d}", short_code=f"{n:03d}", name=f"专业{n}", name_en=f"Major {n}",
              discipline="science")
        for n in range(100, 100 + count)
    )  # fmt: skip


def make_programs(majors: list[Major]) -> None:
    Program.objects.bulk_create(
        Program(major=major, level=Level.JUNIOR_COLLEGE_TO_BACHELOR, mode=StudyMode.SPARE_TIME,
                standard_length_years=Decimal("2.5"), credits_to_graduate=80,
                tuition_per_year=Decimal(3000))
        for major in majors
    )  # fmt: skip


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [PLANS, MAJORS, PROGRAMS, COURSES])
class TestListAccess:
    def test_anonymous_is_sent_to_sign_in(self, world, client_for, path):
        response = client_for(None).get(path)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    @pytest.mark.parametrize("role", NOT_READERS)
    def test_roles_without_the_capability_get_403(self, world, client_for, path, role):
        assert client_for(role).get(path).status_code == 403
        assert client_for(role).get(path, {"format": "csv"}).status_code == 403

    def test_readers_get_no_manage_links(self, world, client_for, path):
        html = client_for("station").get(path).content.decode()
        assert "/new/" not in html
        assert "/edit/" not in html

    def test_managers_get_a_new_button(self, world, client_for, path):
        html = client_for("academic").get(path).content.decode()
        assert "/new/" in html


WRITE_PAGES = [
    ("plan_create", ()),
    ("major_create", ()),
    ("program_create", ()),
    ("course_create", ()),
]


class TestWritesNeedManageCatalog:
    @pytest.mark.parametrize("role", READERS_NOT_MANAGERS + NOT_READERS)
    def test_posts_of_other_roles_get_403_and_change_nothing(self, world, client_for, catalog,
                                                             role):  # fmt: skip
        client = client_for(role)
        plan = catalog.plan
        entry = plan.courses.get(course=catalog.networks)
        posts = [
            (url("major_create"), {"code": "120203", "short_code": "009", "name": "x",
                                   "name_en": "x", "discipline": "law"}),
            (url("major_edit", world.major.pk), {"code": "080901", "short_code": "001",
                                                 "name": "改名", "name_en": "x",
                                                 "discipline": "law"}),
            (url("course_create"), {"code": "ZZ1", "name": "x", "credits": "1", "hours": "1",
                                    "assessment": "exam"}),
            (url("course_edit", catalog.english.pk), {"code": "GB011", "name": "改名",
                                                      "credits": "1", "hours": "1",
                                                      "assessment": "exam"}),
            (url("program_edit", world.program.pk), {"major": world.major.pk, "level": "jc_ba",
                                                     "mode": "correspondence",
                                                     "credits_to_graduate": "1",
                                                     "tuition_per_year": "1"}),
            (url("plan_create"), {"program": world.program.pk, "admission_year": "2030"}),
            (url("plan_edit", plan.pk), {"note": "改"}),
            (url("plan_copy", plan.pk), {"admission_year": "2030"}),
            (url("plan_course_add", plan.pk), {"course": "GB092", "term": "5"}),
            (url("plan_course_edit", plan.pk, entry.pk), {"term": "5", "credits": "1",
                                                          "hours": "1", "assessment": "exam"}),
            (url("plan_course_remove", plan.pk, entry.pk), {}),
        ]  # fmt: skip
        for path, data in posts:
            assert client.post(path, data).status_code == 403, path
        world.major.refresh_from_db()
        world.program.refresh_from_db()
        assert world.major.name == "计算机科学与技术"
        assert world.program.credits_to_graduate == 80
        assert Major.objects.count() == 1
        assert Course.objects.get(code="GB011").name == "大学英语(一)"
        assert not Course.objects.filter(code="ZZ1").exists()
        assert TeachingPlan.objects.count() == 1
        assert TeachingPlan.objects.get().note == "试行"
        assert sorted(plan.courses.values_list("term", flat=True)) == [1, 1, 3]


# --- Majors ----------------------------------------------------------------------------------


class TestMajorList:
    def test_lists_filters_and_counts(self, world, client_for, catalog):
        Major.objects.create(code="120203K", short_code="002", name="会计学",
                             name_en="Accounting", discipline="management")  # fmt: skip
        client = client_for("finance")
        response = client.get(MAJORS)
        assert [m.code for m in listed(response)] == ["080901", "120203K"]
        assert [m.program_count for m in listed(response)] == [1, 0]
        assert [m.code for m in listed(client.get(MAJORS, {"discipline": "management"}))] == [
            "120203K"
        ]
        assert [m.code for m in listed(client.get(MAJORS, {"q": "计算机"}))] == ["080901"]

    def test_invalid_filter_is_an_error_over_an_empty_list(self, world, client_for):
        response = client_for("academic").get(MAJORS, {"discipline": "astrology"})
        assert "discipline" in response.context["form"].errors
        assert listed(response) == []

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_download(self, world, client_for, fmt):
        response = client_for("auditor").get(MAJORS, {"format": fmt, "q": "080"})
        assert "attachment" in response["Content-Disposition"]
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
        assert len(rows) == 2
        assert rows[1][:3] == ["080901", "001", "计算机科学与技术"]

    def test_paginated_with_a_constant_number_of_queries(self, world, client_for, settings):
        settings.CEMS_PAGE_SIZE = 10
        client = client_for("academic")
        client.get(MAJORS)
        few = count_queries(client, MAJORS)
        make_programs(make_majors(25))
        assert count_queries(client, MAJORS) == few
        response = client.get(MAJORS, {"page": 3})
        assert len(listed(response)) == 6
        assert response.context["page"].paginator.count == 26


class TestMajorForms:
    DATA = {"code": "120203K", "short_code": "002", "name": "会计学", "name_en": "Accounting",
            "discipline": "management"}  # fmt: skip

    @pytest.mark.parametrize("role", ["academic", "admin"])
    def test_create(self, world, client_for, role):
        client = client_for(role)
        assert client.get(url("major_create")).status_code == 200
        response = client.post(url("major_create"), self.DATA)
        assert response.status_code == 302
        assert Major.objects.get(code="120203K").name == "会计学"
        assert response["Location"].startswith(MAJORS)

    @pytest.mark.parametrize(
        ("changes", "field"),
        [({"short_code": "12"}, "short_code"), ({"code": "080901"}, "code"),
         ({"code": "ABC"}, "code"), ({"discipline": ""}, "discipline")],
    )  # fmt: skip
    def test_field_errors_are_shown(self, world, client_for, changes, field):
        response = client_for("academic").post(url("major_create"), {**self.DATA, **changes})
        assert response.status_code == 200
        form = response.context["form"]
        assert list(form.errors) == [field]
        assert form.errors[field][0] in response.content.decode()
        assert Major.objects.count() == 1

    def test_edit(self, world, client_for):
        response = client_for("academic").post(
            url("major_edit", world.major.pk),
            {**self.DATA, "code": "080901", "short_code": "001", "name": "计算机科学"},
        )
        assert response.status_code == 302
        world.major.refresh_from_db()
        assert (world.major.name, world.major.discipline) == ("计算机科学", "management")

    def test_edit_shows_the_saved_name_over_errors(self, world, client_for):
        response = client_for("academic").post(
            url("major_edit", world.major.pk), {**self.DATA, "name": "新名", "short_code": "x"}
        )
        assert response.status_code == 200
        assert response.context["major"].name == "计算机科学与技术"

    def test_unknown_major_is_not_found(self, world, client_for):
        assert client_for("academic").get(url("major_edit", 99999)).status_code == 404


# --- Programs --------------------------------------------------------------------------------


class TestProgramList:
    def test_filters(self, world, client_for, accounting):
        client = client_for("station")

        def pks(**params: str) -> list[int]:
            return [p.pk for p in listed(client.get(PROGRAMS, params))]

        assert pks() == [world.program.pk, accounting.pk]
        assert pks(major=str(accounting.major.pk)) == [accounting.pk]
        assert pks(level="jc_ba") == [world.program.pk]
        assert pks(mode="spare_time") == [accounting.pk]
        assert pks(offered="1") == [world.program.pk, accounting.pk]
        assert pks(offered="0") == []

    def test_invalid_filter_is_an_error_over_an_empty_list(self, world, client_for):
        response = client_for("academic").get(PROGRAMS, {"major": "99999"})
        assert "major" in response.context["form"].errors
        assert listed(response) == []

    def test_plans_link_to_the_filtered_plan_list(self, world, client_for, catalog):
        client = client_for("academic")
        html = client.get(PROGRAMS).content.decode()
        link = f"{PLANS}?major={world.major.pk}&amp;level=jc_ba&amp;mode=correspondence"
        assert link in html
        response = client.get(PLANS, {"major": world.major.pk, "level": "jc_ba",
                                      "mode": "correspondence"})  # fmt: skip
        assert listed(response) == [catalog.plan]

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_download(self, world, client_for, accounting, fmt):
        response = client_for("finance").get(PROGRAMS, {"format": fmt, "mode": "spare_time"})
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
        assert len(rows) == 2
        assert rows[1][0:2] == ["120203K", "会计学"]
        assert float(rows[1][6]) == 2800

    def test_constant_number_of_queries(self, world, client_for, settings):
        settings.CEMS_PAGE_SIZE = 10
        client = client_for("academic")
        client.get(PROGRAMS)
        few = count_queries(client, PROGRAMS)
        make_programs(make_majors(20))
        assert count_queries(client, PROGRAMS) == few


class TestProgramForms:
    def data(self, world, **changes: str) -> dict[str, str]:
        return {"major": world.major.pk, "level": "hs_ba", "mode": "spare_time",
                "standard_length_years": "", "credits_to_graduate": "160",
                "tuition_per_year": "3600", "is_offered": "on", **changes}  # fmt: skip

    def test_the_form_names_the_default_lengths(self, world, client_for, settings):
        settings.CEMS_STANDARD_LENGTH_YEARS = {"hs_jc": "3", "jc_ba": "2.5", "hs_ba": "5"}
        html = client_for("academic").get(url("program_create")).content.decode()
        assert "CEMS_STANDARD_LENGTH_YEARS" in html
        assert "高起专 3" in html
        assert "高起本 5" in html

    def test_empty_length_takes_the_default(self, world, client_for):
        response = client_for("academic").post(url("program_create"), self.data(world))
        assert response.status_code == 302
        program = Program.objects.get(level="hs_ba")
        assert program.standard_length_years == Decimal(5)
        assert program.tuition_per_year == Decimal(3600)

    @pytest.mark.parametrize(
        ("changes", "field"),
        [({"tuition_per_year": "-5"}, "tuition_per_year"),
         ({"credits_to_graduate": "0"}, "credits_to_graduate"),
         ({"standard_length_years": "0.5"}, "standard_length_years"),
         ({"major": ""}, "major")],
    )  # fmt: skip
    def test_field_errors_are_shown(self, world, client_for, changes, field):
        response = client_for("academic").post(url("program_create"), self.data(world, **changes))
        assert response.status_code == 200
        form = response.context["form"]
        assert list(form.errors) == [field]
        assert form.errors[field][0] in response.content.decode()
        assert Program.objects.count() == 1

    def test_the_same_program_twice_is_an_error(self, world, client_for):
        response = client_for("academic").post(
            url("program_create"), self.data(world, level="jc_ba", mode="correspondence")
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        assert Program.objects.count() == 1

    def test_edit_stops_offering(self, world, client_for):
        data = self.data(world, level="jc_ba", mode="correspondence", credits_to_graduate="82",
                         standard_length_years="2.5")  # fmt: skip
        del data["is_offered"]
        response = client_for("admin").post(url("program_edit", world.program.pk), data)
        assert response.status_code == 302
        world.program.refresh_from_db()
        assert (world.program.is_offered, world.program.credits_to_graduate) == (False, 82)


# --- Courses ---------------------------------------------------------------------------------


class TestCourseList:
    def test_search_and_assessment(self, world, client_for, catalog):
        client = client_for("auditor")
        assert [c.code for c in listed(client.get(COURSES, {"q": "大学英语"}))] == ["GB011"]
        response = client.get(COURSES, {"assessment": "coursework"})
        assert [c.code for c in listed(response)] == ["08090105", "GB092"]
        assert "3.5" in response.content.decode()

    def test_invalid_filter(self, world, client_for):
        response = client_for("auditor").get(COURSES, {"assessment": "oral"})
        assert "assessment" in response.context["form"].errors

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_download_neutralises_formulas(self, world, client_for, fmt):
        make_course("ZZ001", "=HYPERLINK(1)")
        response = client_for("academic").get(COURSES, {"format": fmt})
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
        assert rows[1][:2] == ["ZZ001", "'=HYPERLINK(1)"]

    def test_constant_number_of_queries(self, world, client_for, catalog, settings):
        settings.CEMS_PAGE_SIZE = 10
        client = client_for("academic")
        client.get(COURSES)
        few = count_queries(client, COURSES)
        Course.objects.bulk_create(
            Course(code=f"C{n:03d}", name=f"课程{n}", credits=2, hours=32) for n in range(30)
        )
        assert count_queries(client, COURSES) == few


class TestCourseForms:
    DATA = {"code": "GB031", "name": "计算机应用基础", "name_en": "Computer Basics",
            "credits": "3", "hours": "48", "assessment": "coursework",
            "grading_scale": "percent", "coursework_weight": "30"}  # fmt: skip

    def test_create_and_edit(self, world, client_for):
        client = client_for("academic")
        assert client.post(url("course_create"), self.DATA).status_code == 302
        course = Course.objects.get(code="GB031")
        response = client.post(url("course_edit", course.pk), {**self.DATA, "hours": "54"})
        assert response.status_code == 302
        course.refresh_from_db()
        assert course.hours == 54
        assert (course.grading_scale, course.coursework_weight) == ("percent", 30)

    def test_weight_is_for_percentage_grading_only(self, world, client_for):
        data = {**self.DATA, "grading_scale": "five_level"}
        response = client_for("academic").post(url("course_create"), data)
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["__all__"]
        assert not Course.objects.filter(code="GB031").exists()

    @pytest.mark.parametrize(
        ("changes", "field"),
        [({"credits": "-1"}, "credits"), ({"hours": "-2"}, "hours"),
         ({"code": "GB011"}, "code"), ({"credits": "1.25"}, "credits"),
         ({"coursework_weight": "101"}, "coursework_weight")],
    )  # fmt: skip
    def test_field_errors_are_shown(self, world, client_for, catalog, changes, field):
        response = client_for("academic").post(url("course_create"), {**self.DATA, **changes})
        assert response.status_code == 200
        form = response.context["form"]
        assert list(form.errors) == [field]
        assert form.errors[field][0] in response.content.decode()
        assert not Course.objects.filter(name="计算机应用基础").exists()

    def test_edit_page_says_plans_keep_their_values(self, world, client_for, catalog, settings):
        client = client_for("academic")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        html = client.get(url("course_edit", catalog.english.pk)).content.decode()
        assert "Teaching plans keep their own credits" in html
        assert "Teaching plans keep" not in client.get(url("course_create")).content.decode()


# --- Teaching plans --------------------------------------------------------------------------


class TestPlanList:
    def test_lists_with_totals_and_filters(self, world, client_for, catalog, accounting):
        other = TeachingPlan.objects.create(program=accounting, admission_year=2026)
        client = client_for("station")
        response = client.get(PLANS)
        assert listed(response) == [catalog.plan, other]
        assert [p.total_credits for p in listed(response)] == [Decimal("11.5"), None]
        assert listed(client.get(PLANS, {"year": "2026"})) == [other]
        assert listed(client.get(PLANS, {"level": "jc_ba"})) == [catalog.plan]
        assert listed(client.get(PLANS, {"mode": "spare_time"})) == [other]
        assert listed(client.get(PLANS, {"major": str(world.major.pk)})) == [catalog.plan]
        assert url("plan_detail", catalog.plan.pk) in response.content.decode()

    def test_the_year_filter_offers_the_years_with_plans(self, world, client_for, catalog):
        response = client_for("academic").get(PLANS, {"year": "2019"})
        assert "year" in response.context["form"].errors
        assert listed(response) == []

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_download(self, world, client_for, catalog, fmt):
        response = client_for("finance").get(PLANS, {"format": fmt})
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
        assert len(rows) == 2
        assert [str(v) for v in rows[1][:2]] == ["080901", "计算机科学与技术"]
        assert float(rows[1][4]) == 2025
        assert (float(rows[1][5]), float(rows[1][6]), float(rows[1][7])) == (3, 11.5, 80)

    def test_constant_number_of_queries(self, world, client_for, catalog, settings):
        settings.CEMS_PAGE_SIZE = 10
        client = client_for("academic")
        client.get(PLANS)
        few = count_queries(client, PLANS)
        majors = make_majors(12)
        make_programs(majors)
        for program in Program.objects.filter(major__in=majors):
            plan = TeachingPlan.objects.create(program=program, admission_year=2024)
            add_entry(plan, catalog.english, 1)
        assert count_queries(client, PLANS) == few


class TestPlanDetail:
    def test_groups_courses_by_term_with_totals(self, world, client_for, catalog):
        response = client_for("auditor").get(url("plan_detail", catalog.plan.pk))
        assert response.status_code == 200
        summary = response.context["summary"]
        assert [t.credits for t in summary.terms] == [8, 0, Decimal("3.5"), 0, 0]
        html = response.content.decode()
        for text in ("大学英语(一)", "高等数学(一)", "计算机网络", "11.5", "68.5", "试行"):
            assert text in html, text
        assert html.index("大学英语(一)") < html.index("计算机网络")
        assert url("plan_course_add", catalog.plan.pk) not in html  # auditors only read

    def test_managers_get_the_edit_links(self, world, client_for, catalog):
        html = client_for("academic").get(url("plan_detail", catalog.plan.pk)).content.decode()
        entry = catalog.plan.courses.get(course=catalog.english)
        for link in (url("plan_course_add", catalog.plan.pk), url("plan_copy", catalog.plan.pk),
                     url("plan_edit", catalog.plan.pk),
                     url("plan_course_edit", catalog.plan.pk, entry.pk),
                     url("plan_course_remove", catalog.plan.pk, entry.pk)):  # fmt: skip
            assert link in html

    def test_no_shortfall_shown_when_the_credits_add_up(self, world, client_for, catalog):
        world.program.credits_to_graduate = 80
        world.program.save()
        add_entry(catalog.plan, catalog.thesis, 5, credits=Decimal("68.5"))
        response = client_for("academic").get(url("plan_detail", catalog.plan.pk))
        summary = response.context["summary"]
        assert (summary.shortfall, summary.excess) == (0, 0)

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_download(self, world, client_for, catalog, fmt):
        response = client_for("station").get(url("plan_detail", catalog.plan.pk),
                                             {"format": fmt})  # fmt: skip
        assert "teaching-plan-080901-2025" in response["Content-Disposition"]
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
        assert len(rows) == 4
        assert [str(r[1]) for r in rows[1:]] == ["GB011", "GB021", "08090105"]
        assert float(rows[3][0]) == 3
        assert float(rows[3][3]) == 3.5

    def test_unknown_plan_is_not_found(self, world, client_for):
        assert client_for("academic").get(url("plan_detail", 99999)).status_code == 404

    def test_constant_number_of_queries(self, world, client_for, catalog):
        client = client_for("academic")
        path = url("plan_detail", catalog.plan.pk)
        client.get(path)
        few = count_queries(client, path)
        for n in range(10):
            add_entry(catalog.plan, make_course(f"ZY{n}", f"专业课{n}"), n % 5 + 1)
        assert count_queries(client, path) == few


class TestPlanCreate:
    def test_create_and_go_to_the_plan(self, world, client_for):
        client = client_for("academic")
        response = client.get(url("plan_create"), {"program": world.program.pk})
        assert response.context["form"]["program"].value() == str(world.program.pk)
        response = client.post(
            url("plan_create"), {"program": world.program.pk, "admission_year": "2026", "note": ""}
        )
        plan = TeachingPlan.objects.get()
        assert response.status_code == 302
        assert response["Location"] == url("plan_detail", plan.pk)

    def test_a_year_with_a_plan_is_a_field_error(self, world, client_for, catalog):
        response = client_for("academic").post(
            url("plan_create"), {"program": world.program.pk, "admission_year": "2025"}
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert list(errors) == ["admission_year"]
        assert "计算机科学与技术" in errors["admission_year"][0]
        assert TeachingPlan.objects.count() == 1

    def test_implausible_year(self, world, client_for):
        response = client_for("academic").post(
            url("plan_create"), {"program": world.program.pk, "admission_year": "20266"}
        )
        assert list(response.context["form"].errors) == ["admission_year"]


class TestPlanEdit:
    def test_edits_the_note(self, world, client_for, catalog):
        response = client_for("academic").post(url("plan_edit", catalog.plan.pk),
                                               {"note": "2025 修订"})  # fmt: skip
        assert response.status_code == 302
        catalog.plan.refresh_from_db()
        assert catalog.plan.note == "2025 修订"


class TestPlanCopy:
    def test_offers_the_year_after_the_latest_plan(self, world, client_for, catalog):
        TeachingPlan.objects.create(program=world.program, admission_year=2027)
        response = client_for("academic").get(url("plan_copy", catalog.plan.pk))
        assert response.context["form"]["admission_year"].value() == 2028

    def test_copies_and_opens_the_copy(self, world, client_for, catalog):
        response = client_for("academic").post(url("plan_copy", catalog.plan.pk),
                                               {"admission_year": "2026"})  # fmt: skip
        copy = TeachingPlan.objects.get(admission_year=2026)
        assert response["Location"] == url("plan_detail", copy.pk)
        assert copy.courses.count() == 3

    def test_a_year_with_a_plan_is_a_field_error(self, world, client_for, catalog):
        TeachingPlan.objects.create(program=world.program, admission_year=2026)
        response = client_for("academic").post(url("plan_copy", catalog.plan.pk),
                                               {"admission_year": "2026"})  # fmt: skip
        assert response.status_code == 200
        form = response.context["form"]
        assert list(form.errors) == ["admission_year"]
        assert form.errors["admission_year"][0] in response.content.decode()
        assert PlanCourse.objects.count() == 3


class TestPlanCourseAdd:
    def test_adds_with_the_courses_values(self, world, client_for, catalog):
        client = client_for("academic")
        page = client.get(url("plan_course_add", catalog.plan.pk))
        html = page.content.decode()
        assert '<option value="GB092">' in html
        assert '<option value="GB011">' not in html  # already in the plan
        response = client.post(url("plan_course_add", catalog.plan.pk),
                               {"course": "GB092", "term": "5", "is_required": "on"})  # fmt: skip
        assert response["Location"] == url("plan_detail", catalog.plan.pk)
        entry = catalog.plan.courses.get(course=catalog.thesis)
        assert (entry.term, entry.credits, entry.hours) == (5, Decimal(6), 96)
        assert entry.is_required

    @pytest.mark.parametrize(
        ("data", "field"),
        [({"course": "GB092", "term": "6"}, "term"),
         ({"course": "GB011", "term": "2"}, "course"),
         ({"course": "NOPE", "term": "2"}, "course"),
         ({"course": "GB092", "term": "2", "is_degree_course": "on"}, "is_degree_course"),
         ({"course": "GB092", "term": "2", "credits": "-1"}, "credits")],
    )  # fmt: skip
    def test_field_errors_are_shown(self, world, client_for, catalog, data, field):
        response = client_for("academic").post(url("plan_course_add", catalog.plan.pk), data)
        assert response.status_code == 200
        form = response.context["form"]
        assert list(form.errors) == [field]
        assert form.errors[field][0] in response.content.decode()
        assert catalog.plan.courses.count() == 3

    def test_no_degree_course_field_for_a_junior_college_program(self, world, client_for,
                                                                 catalog, accounting):  # fmt: skip
        plan = TeachingPlan.objects.create(program=accounting, admission_year=2025)
        response = client_for("academic").get(url("plan_course_add", plan.pk))
        assert "is_degree_course" not in response.context["form"].fields


class TestPlanCourseEdit:
    def test_edits(self, world, client_for, catalog):
        entry = catalog.plan.courses.get(course=catalog.networks)
        response = client_for("academic").post(
            url("plan_course_edit", catalog.plan.pk, entry.pk),
            {"term": "4", "credits": "3", "hours": "48", "assessment": "exam",
             "is_required": "on", "is_degree_course": "on"},
        )  # fmt: skip
        assert response.status_code == 302
        entry.refresh_from_db()
        assert (entry.term, entry.credits, entry.assessment) == (4, Decimal(3), "exam")
        assert entry.is_degree_course
        assert entry.is_required

    def test_shows_the_current_values_and_the_term_rule(self, world, client_for, catalog):
        entry = catalog.plan.courses.get(course=catalog.networks)
        response = client_for("academic").get(url("plan_course_edit", catalog.plan.pk, entry.pk))
        form = response.context["form"]
        assert form["term"].value() == 3
        assert "course" not in form.fields
        assert "2.5" in response.content.decode()

    def test_an_elective_degree_course_is_a_field_error(self, world, client_for, catalog):
        entry = catalog.plan.courses.get(course=catalog.networks)
        response = client_for("academic").post(
            url("plan_course_edit", catalog.plan.pk, entry.pk),
            {"term": "3", "credits": "3.5", "hours": "56", "assessment": "coursework",
             "is_degree_course": "on"},
        )  # fmt: skip
        assert list(response.context["form"].errors) == ["is_degree_course"]
        entry.refresh_from_db()
        assert entry.is_degree_course is False

    def test_an_entry_of_another_plan_is_not_found(self, world, client_for, catalog):
        other = TeachingPlan.objects.create(program=world.program, admission_year=2026)
        foreign = add_entry(other, catalog.english, 1)
        client = client_for("academic")
        for name in ("plan_course_edit", "plan_course_remove"):
            assert client.get(url(name, catalog.plan.pk, foreign.pk)).status_code == 404
            assert client.post(url(name, catalog.plan.pk, foreign.pk)).status_code == 404
        assert PlanCourse.objects.filter(pk=foreign.pk).exists()


class TestPlanCourseRemove:
    def test_asks_then_removes(self, world, client_for, catalog):
        entry = catalog.plan.courses.get(course=catalog.networks)
        client = client_for("academic")
        page = client.get(url("plan_course_remove", catalog.plan.pk, entry.pk))
        assert "计算机网络" in page.content.decode()
        assert PlanCourse.objects.filter(pk=entry.pk).exists()
        response = client.post(url("plan_course_remove", catalog.plan.pk, entry.pk))
        assert response["Location"] == url("plan_detail", catalog.plan.pk)
        assert not PlanCourse.objects.filter(pk=entry.pk).exists()
