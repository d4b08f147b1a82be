import logging
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from cems.catalog import services
from cems.catalog.models import Course, Level, Major, PlanCourse, Program, StudyMode, TeachingPlan
from cems.catalog.tests.conftest import add_entry, make_course
from cems.students.models import StudentClass
from cems.teaching.models import AcademicYear, CourseOffering, Term


def errors_of(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


class TestMajors:
    DATA = {"code": "120203K", "short_code": "002", "name": "会计学", "name_en": "Accounting",
            "discipline": "management"}  # fmt: skip

    def test_create_saves_and_logs_who_did_it(self, world, users, caplog):
        caplog.set_level(logging.INFO, logger="cems.audit")
        major = services.major_create(actor=users["academic"], data=self.DATA)
        assert Major.objects.get(code="120203K").pk == major.pk
        assert "120203K" in caplog.text
        assert "academic-user" in caplog.text

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"code": "12020"}, "code"),
            ({"code": "120203k"}, "code"),
            ({"short_code": "02"}, "short_code"),
            ({"short_code": "001"}, "short_code"),  # the world's major has it
            ({"discipline": "astrology"}, "discipline"),
            ({"name": ""}, "name"),
        ],
    )
    def test_invalid_data_is_refused(self, world, users, changes, field):
        with pytest.raises(ValidationError) as excinfo:
            services.major_create(actor=users["academic"], data={**self.DATA, **changes})
        assert errors_of(excinfo) == {field}
        assert not Major.objects.filter(name="会计学").exists()

    def test_update_changes_only_what_differs(self, world, users, caplog):
        caplog.set_level(logging.INFO, logger="cems.audit")
        major = world.major
        services.major_update(actor=users["admin"], major=major, data={"name": major.name})
        assert caplog.text == ""
        services.major_update(actor=users["admin"], major=major, data={"name": "计算机科学"})
        major.refresh_from_db()
        assert major.name == "计算机科学"
        assert "['name']" in caplog.text


class TestPrograms:
    def data(self, world, **changes: Any) -> dict[str, Any]:
        return {"major": world.major, "level": Level.HIGH_SCHOOL_TO_BACHELOR,
                "mode": StudyMode.SPARE_TIME, "standard_length_years": None,
                "credits_to_graduate": 160, "tuition_per_year": Decimal("3200"),
                "is_offered": True, **changes}  # fmt: skip

    def test_empty_length_takes_the_levels_default_from_settings(self, world, users, settings):
        settings.CEMS_STANDARD_LENGTH_YEARS = {**settings.CEMS_STANDARD_LENGTH_YEARS,
                                               "hs_ba": "5.5"}  # fmt: skip
        program = services.program_create(actor=users["academic"], data=self.data(world))
        program.refresh_from_db()
        assert program.standard_length_years == Decimal("5.5")

    def test_given_length_is_kept(self, world, users):
        program = services.program_create(
            actor=users["academic"], data=self.data(world, standard_length_years=Decimal("4"))
        )
        assert program.standard_length_years == Decimal("4")

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"tuition_per_year": Decimal("-1")}, "tuition_per_year"),
            ({"credits_to_graduate": 0}, "credits_to_graduate"),
            ({"standard_length_years": Decimal("0.5")}, "standard_length_years"),
            ({"level": "phd"}, "level"),
        ],
    )
    def test_invalid_data_is_refused(self, world, users, changes, field):
        with pytest.raises(ValidationError) as excinfo:
            services.program_create(actor=users["academic"], data=self.data(world, **changes))
        assert field in errors_of(excinfo)
        assert Program.objects.count() == 1

    def test_the_same_major_level_and_mode_twice_is_refused(self, world, users):
        data = self.data(world, level=world.program.level, mode=world.program.mode)
        with pytest.raises(ValidationError):
            services.program_create(actor=users["academic"], data=data)
        assert Program.objects.count() == 1

    def test_update_clearing_the_length_takes_the_default(self, world, users):
        program = world.program
        program.standard_length_years = Decimal("3")
        program.save()
        services.program_update(
            actor=users["academic"], program=program,
            data={"standard_length_years": None, "is_offered": False},
        )  # fmt: skip
        program.refresh_from_db()
        assert program.standard_length_years == Decimal("2.5")
        assert program.is_offered is False


class TestCourses:
    def test_create_and_update(self, world, users):
        course = services.course_create(
            actor=users["academic"],
            data={"code": "GB031", "name": "计算机应用基础", "name_en": "", "credits": Decimal(3),
                  "hours": 48, "assessment": "coursework"},
        )  # fmt: skip
        services.course_update(actor=users["academic"], course=course, data={"hours": 54})
        course.refresh_from_db()
        assert (course.hours, course.assessment) == (54, "coursework")

    def test_duplicate_code_and_negative_credits_are_refused(self, world, users, catalog):
        with pytest.raises(ValidationError) as excinfo:
            services.course_create(
                actor=users["academic"],
                data={"code": "GB011", "name": "x", "credits": Decimal(-1), "hours": 1,
                      "assessment": "exam"},
            )  # fmt: skip
        assert errors_of(excinfo) == {"code", "credits"}

    def test_update_leaves_the_plans_own_values(self, world, users, catalog):
        services.course_update(
            actor=users["academic"], course=catalog.english, data={"credits": Decimal(5)}
        )
        entry = catalog.plan.courses.get(course=catalog.english)
        assert entry.credits == Decimal(4)


class TestPlanCreateAndUpdate:
    def test_create(self, world, users):
        plan = services.plan_create(
            actor=users["academic"], data={"program": world.program, "admission_year": 2026}
        )
        assert plan.courses.count() == 0
        assert TeachingPlan.objects.get(admission_year=2026) == plan

    def test_a_year_with_a_plan_is_refused_with_the_programs_name(self, world, users, catalog):
        with pytest.raises(ValidationError) as excinfo:
            services.plan_create(
                actor=users["academic"], data={"program": world.program, "admission_year": 2025}
            )
        assert errors_of(excinfo) == {"admission_year"}
        assert "计算机科学与技术" in excinfo.value.message_dict["admission_year"][0]

    @pytest.mark.parametrize("year", [1949, 2101])
    def test_implausible_years_are_refused(self, world, users, year):
        with pytest.raises(ValidationError) as excinfo:
            services.plan_create(
                actor=users["academic"], data={"program": world.program, "admission_year": year}
            )
        assert errors_of(excinfo) == {"admission_year"}

    def test_missing_program_is_named(self, world, users):
        with pytest.raises(ValidationError) as excinfo:
            services.plan_create(actor=users["academic"], data={"admission_year": 2026})
        assert "program" in errors_of(excinfo)

    def test_update_changes_the_note_only(self, world, users, catalog):
        plan = catalog.plan
        services.plan_update(
            actor=users["academic"], plan=plan, data={"note": "修订", "admission_year": 1999}
        )
        plan.refresh_from_db()
        assert (plan.note, plan.admission_year) == ("修订", 2025)


class TestPlanCopy:
    def test_copies_every_course_with_its_values(self, world, users, catalog, caplog):
        caplog.set_level(logging.INFO, logger="cems.audit")
        copy = services.plan_copy(actor=users["academic"], plan=catalog.plan, admission_year=2026)

        assert copy.pk != catalog.plan.pk
        assert (copy.program, copy.admission_year, copy.note) == (world.program, 2026, "试行")
        fields = ("course__code", "term", "credits", "hours", "assessment", "is_required",
                  "is_degree_course")  # fmt: skip
        original = list(catalog.plan.courses.order_by("course__code").values_list(*fields))
        copied = list(copy.courses.order_by("course__code").values_list(*fields))
        assert copied == original
        assert len(copied) == 3
        assert catalog.plan.courses.count() == 3  # the original keeps its courses
        assert "academic-user" in caplog.text

    def test_the_copy_is_edited_apart_from_the_original(self, world, users, catalog):
        copy = services.plan_copy(actor=users["academic"], plan=catalog.plan, admission_year=2026)
        entry = copy.courses.get(course=catalog.english)
        services.plan_course_update(actor=users["academic"], entry=entry, data={"term": 2})
        assert catalog.plan.courses.get(course=catalog.english).term == 1

    def test_a_year_that_has_a_plan_is_refused_and_nothing_is_written(self, world, users, catalog):
        other = TeachingPlan.objects.create(program=world.program, admission_year=2026)
        with pytest.raises(ValidationError) as excinfo:
            services.plan_copy(actor=users["academic"], plan=catalog.plan, admission_year=2026)
        assert errors_of(excinfo) == {"admission_year"}
        assert other.courses.count() == 0
        assert TeachingPlan.objects.count() == 2

    def test_copying_onto_its_own_year_is_refused(self, world, users, catalog):
        with pytest.raises(ValidationError):
            services.plan_copy(actor=users["academic"], plan=catalog.plan, admission_year=2025)
        assert TeachingPlan.objects.count() == 1

    def test_a_failure_half_way_leaves_no_plan_behind(self, world, users, catalog):
        with (
            mock.patch.object(
                PlanCourse.objects, "bulk_create", side_effect=RuntimeError("disk full")
            ),
            pytest.raises(RuntimeError),
        ):
            services.plan_copy(actor=users["academic"], plan=catalog.plan, admission_year=2026)
        assert not TeachingPlan.objects.filter(admission_year=2026).exists()

    def test_an_empty_plan_is_copied_as_an_empty_plan(self, world, users):
        plan = TeachingPlan.objects.create(program=world.program, admission_year=2024)
        copy = services.plan_copy(actor=users["academic"], plan=plan, admission_year=2027)
        assert copy.courses.count() == 0


class TestPlanCourses:
    def test_add_takes_the_courses_values_when_none_are_given(self, world, users, catalog):
        entry = services.plan_course_add(
            actor=users["academic"], plan=catalog.plan,
            data={"course": catalog.thesis, "term": 5, "credits": None, "hours": None,
                  "assessment": "", "is_required": True, "is_degree_course": False},
        )  # fmt: skip
        entry.refresh_from_db()
        assert (entry.credits, entry.hours, entry.assessment) == (Decimal(6), 96, "coursework")

    def test_add_keeps_the_plans_own_values(self, world, users, catalog):
        entry = services.plan_course_add(
            actor=users["academic"], plan=catalog.plan,
            data={"course": catalog.thesis, "term": 5, "credits": Decimal("8"), "hours": 0,
                  "assessment": "exam", "is_required": True, "is_degree_course": True},
        )  # fmt: skip
        entry.refresh_from_db()
        assert (entry.credits, entry.hours, entry.assessment) == (Decimal(8), 0, "exam")
        assert entry.is_degree_course is True

    def test_add_touches_the_plans_updated_time(self, world, users, catalog):
        before = catalog.plan.updated_at
        services.plan_course_add(
            actor=users["academic"], plan=catalog.plan, data={"course": catalog.thesis, "term": 5}
        )
        catalog.plan.refresh_from_db()
        assert catalog.plan.updated_at > before

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"term": 6}, "term"),  # 2.5 years: five terms
            ({"term": 0}, "term"),
            ({"term": 3, "credits": Decimal("-1")}, "credits"),
            ({"term": 3, "is_degree_course": True, "is_required": False}, "is_degree_course"),
        ],
    )
    def test_invalid_entries_are_refused(self, world, users, catalog, data, field):
        with pytest.raises(ValidationError) as excinfo:
            services.plan_course_add(
                actor=users["academic"], plan=catalog.plan, data={"course": catalog.thesis, **data}
            )
        assert errors_of(excinfo) == {field}
        assert not catalog.plan.courses.filter(course=catalog.thesis).exists()

    def test_the_term_error_names_the_programs_length(self, world, users, catalog):
        with pytest.raises(ValidationError) as excinfo:
            services.plan_course_add(
                actor=users["academic"], plan=catalog.plan, data={"course": catalog.thesis,
                                                                  "term": 6}
            )  # fmt: skip
        assert "5" in excinfo.value.message_dict["term"][0]

    def test_a_five_year_program_has_ten_terms(self, world, users, catalog):
        program = Program.objects.create(
            major=world.major, level=Level.HIGH_SCHOOL_TO_BACHELOR, mode=StudyMode.SPARE_TIME,
            standard_length_years=Decimal(5), credits_to_graduate=160,
            tuition_per_year=Decimal(3200),
        )  # fmt: skip
        plan = TeachingPlan.objects.create(program=program, admission_year=2025)
        entry = services.plan_course_add(
            actor=users["academic"], plan=plan, data={"course": catalog.thesis, "term": 10}
        )
        assert entry.term == 10
        with pytest.raises(ValidationError):
            services.plan_course_add(
                actor=users["academic"], plan=plan, data={"course": catalog.english, "term": 11}
            )

    def test_degree_courses_only_in_bachelor_programs(self, world, users, catalog, accounting):
        plan = TeachingPlan.objects.create(program=accounting, admission_year=2025)
        with pytest.raises(ValidationError) as excinfo:
            services.plan_course_add(
                actor=users["academic"], plan=plan,
                data={"course": catalog.thesis, "term": 5, "is_degree_course": True},
            )  # fmt: skip
        assert errors_of(excinfo) == {"is_degree_course"}
        assert plan.courses.count() == 0

    def test_a_course_already_in_the_plan_is_refused(self, world, users, catalog):
        with pytest.raises(ValidationError) as excinfo:
            services.plan_course_add(
                actor=users["academic"], plan=catalog.plan, data={"course": catalog.english,
                                                                  "term": 2}
            )  # fmt: skip
        assert errors_of(excinfo) == {"course"}
        assert catalog.plan.courses.filter(course=catalog.english).count() == 1

    def test_missing_course(self, world, users, catalog):
        with pytest.raises(ValidationError) as excinfo:
            services.plan_course_add(actor=users["academic"], plan=catalog.plan, data={"term": 2})
        assert errors_of(excinfo) == {"course"}

    def test_update(self, world, users, catalog, caplog):
        caplog.set_level(logging.INFO, logger="cems.audit")
        entry = catalog.plan.courses.get(course=catalog.networks)
        services.plan_course_update(
            actor=users["admin"], entry=entry,
            data={"term": 4, "credits": Decimal("3"), "is_required": True},
        )  # fmt: skip
        entry.refresh_from_db()
        assert (entry.term, entry.credits, entry.is_required) == (4, Decimal(3), True)
        assert "admin-user" in caplog.text

    def test_update_refuses_an_elective_degree_course_and_keeps_the_saved_row(
        self, world, users, catalog
    ):
        entry = catalog.plan.courses.get(course=catalog.maths)  # a degree course
        with pytest.raises(ValidationError):
            services.plan_course_update(
                actor=users["admin"], entry=entry, data={"is_required": False}
            )
        assert PlanCourse.objects.get(pk=entry.pk).is_required is True

    def test_remove(self, world, users, catalog, caplog):
        caplog.set_level(logging.INFO, logger="cems.audit")
        entry = catalog.plan.courses.get(course=catalog.networks)
        services.plan_course_remove(actor=users["academic"], entry=entry)
        assert list(catalog.plan.courses.values_list("course__code", flat=True).order_by(
            "course__code")) == ["GB011", "GB021"]  # fmt: skip
        assert Course.objects.filter(pk=catalog.networks.pk).exists()
        assert "08090105" in caplog.text


def test_course_in_a_plan_cannot_be_deleted_by_accident(world, catalog):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        catalog.english.delete()


def test_add_entry_helper_matches_the_course(world, catalog):
    entry = add_entry(catalog.plan, make_course("X1", "测试课", "2", 32), 2)
    assert (entry.credits, entry.hours) == (Decimal(2), 32)


def test_a_course_already_offered_stays_in_its_plan(world, users):
    plan = TeachingPlan.objects.create(program=world.program, admission_year=2025)
    course = Course.objects.create(code="X001", name="高等数学", credits=4, hours=64)
    entry = PlanCourse.objects.create(plan=plan, course=course, term=1, credits=4, hours=64,
                                      assessment="exam")  # fmt: skip
    year = AcademicYear.objects.create(start_year=2025)
    term = Term.objects.create(academic_year=year, number=1, start_date="2025-09-01",
                               end_date="2026-01-31")  # fmt: skip
    klass = StudentClass.objects.create(code="C1", name="班", station=world.station_a,
                                        program=world.program, cohort_year=2025)  # fmt: skip
    CourseOffering.objects.create(student_class=klass, term=term, plan_course=entry)
    with pytest.raises(ValidationError, match="已经开课"):
        services.plan_course_remove(actor=users["academic"], entry=entry)
    assert PlanCourse.objects.filter(pk=entry.pk).exists()
