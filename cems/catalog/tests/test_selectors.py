from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404

from cems.catalog import selectors
from cems.catalog.models import TeachingPlan
from cems.catalog.tests.conftest import add_entry, make_course


def attributes(items, *names: str) -> list[tuple[Any, ...]]:
    """Attributes of each item, annotations included (which the models' types do not know)."""
    return [tuple(getattr(item, name) for name in names) for item in items]


def codes(items) -> list[str]:
    return [item.code for item in items]


class TestScope:
    @pytest.mark.parametrize("role", ["admin", "academic", "finance", "auditor", "station"])
    def test_readers_see_the_whole_catalog(self, world, users, catalog, role):
        user = users[role]
        assert list(selectors.majors_for(user)) == [world.major]
        assert list(selectors.programs_for(user)) == [world.program]
        assert selectors.courses_for(user).count() == 4
        assert list(selectors.plans_for(user)) == [catalog.plan]

    @pytest.mark.parametrize("role", ["training", "teacher", "student", "trainee"])
    def test_others_see_nothing(self, world, users, catalog, role):
        user = users[role]
        for scope in (selectors.majors_for, selectors.programs_for, selectors.courses_for,
                      selectors.plans_for):  # fmt: skip
            assert not scope(user).exists()
        with pytest.raises(Http404):
            selectors.plan_get(user=user, pk=catalog.plan.pk)

    def test_anonymous_sees_nothing(self, world, catalog):
        from django.contrib.auth.models import AnonymousUser

        assert not selectors.plans_for(AnonymousUser()).exists()


class TestMajorList:
    def test_filters(self, world, users, accounting):
        user = users["auditor"]
        assert codes(selectors.major_list(user=user, filters={})) == ["080901", "120203K"]
        by_discipline = selectors.major_list(user=user, filters={"discipline": "management"})
        assert codes(by_discipline) == ["120203K"]
        for q in ("1202", "会计", "account", "002"):
            assert codes(selectors.major_list(user=user, filters={"q": q})) == ["120203K"], q
        assert codes(selectors.major_list(user=user, filters=None)) == []

    def test_program_count(self, world, users, accounting):
        majors = selectors.major_list(user=users["admin"], filters={})
        counts = dict(attributes(majors, "code", "program_count"))
        assert counts == {"080901": 1, "120203K": 1}


class TestProgramList:
    def test_filters(self, world, users, accounting, catalog):
        user = users["finance"]

        def listed(**filters: Any) -> list[Any]:
            return [p.pk for p in selectors.program_list(user=user, filters=filters)]

        assert listed() == [world.program.pk, accounting.pk]
        assert listed(major=accounting.major) == [accounting.pk]
        assert listed(level="jc_ba") == [world.program.pk]
        assert listed(mode="spare_time") == [accounting.pk]
        accounting.is_offered = False
        accounting.save()
        assert listed(offered="0") == [accounting.pk]
        assert listed(offered="1") == [world.program.pk]
        assert selectors.program_list(user=user, filters=None).count() == 0

    def test_plan_count(self, world, users, catalog, accounting):
        TeachingPlan.objects.create(program=world.program, admission_year=2026)
        programs = selectors.program_list(user=users["admin"], filters={})
        counts = dict(attributes(programs, "pk", "plan_count"))
        assert counts == {world.program.pk: 2, accounting.pk: 0}


class TestCourseList:
    def test_filters_and_plan_count(self, world, users, catalog):
        user = users["academic"]

        def listed(**filters: Any) -> list[Any]:
            return codes(selectors.course_list(user=user, filters=filters))

        assert listed() == ["08090105", "GB011", "GB021", "GB092"]
        assert listed(assessment="coursework") == ["08090105", "GB092"]
        assert listed(q="gb0") == ["GB011", "GB021", "GB092"]
        assert listed(q="网络") == ["08090105"]
        assert listed(q="english") == ["GB011"]
        TeachingPlan.objects.create(program=world.program, admission_year=2026).courses.create(
            course=catalog.english, term=1, credits=4, hours=64, assessment="exam"
        )
        courses = selectors.course_list(user=user, filters={})
        counts = dict(attributes(courses, "code", "plan_count"))
        assert counts == {"08090105": 1, "GB011": 2, "GB021": 1, "GB092": 0}

    def test_course_choices_leave_out_the_plans_courses(self, world, users, catalog):
        choices = selectors.course_choices(user=users["academic"], exclude_plan=catalog.plan)
        assert codes(choices) == ["GB092"]
        assert selectors.course_choices(user=users["academic"]).count() == 4


class TestPlanList:
    def test_filters_and_totals(self, world, users, catalog, accounting):
        other = TeachingPlan.objects.create(program=accounting, admission_year=2026)
        user = users["station"]

        def listed(**filters: Any) -> list[Any]:
            return [p.pk for p in selectors.plan_list(user=user, filters=filters)]

        assert listed() == [catalog.plan.pk, other.pk]
        assert listed(major=accounting.major) == [other.pk]
        assert listed(level="hs_jc") == [other.pk]
        assert listed(mode="correspondence") == [catalog.plan.pk]
        assert listed(year=2025) == [catalog.plan.pk]
        assert listed(year=2024) == []
        assert listed(major=None, year=None) == [catalog.plan.pk, other.pk]
        plans = selectors.plan_list(user=user, filters={})
        totals = {pk: (count, credits) for pk, count, credits
                  in attributes(plans, "pk", "course_count", "total_credits")}  # fmt: skip
        assert totals == {catalog.plan.pk: (3, Decimal("11.5")), other.pk: (0, None)}

    def test_latest_year_first_within_a_program(self, world, users, catalog):
        TeachingPlan.objects.create(program=world.program, admission_year=2026)
        TeachingPlan.objects.create(program=world.program, admission_year=2023)
        years = [p.admission_year for p in selectors.plan_list(user=users["admin"], filters={})]
        assert years == [2026, 2025, 2023]
        assert selectors.plan_years(user=users["admin"]) == [2026, 2025, 2023]
        assert selectors.latest_plan_year(user=users["admin"], program=world.program) == 2026

    def test_invalid_filters_match_nothing(self, world, users, catalog):
        assert selectors.plan_list(user=users["admin"], filters=None).count() == 0


class TestPlanCourseGet:
    def test_an_entry_of_another_plan_is_not_found(self, world, users, catalog):
        other = TeachingPlan.objects.create(program=world.program, admission_year=2026)
        foreign = add_entry(other, catalog.english, 1)
        with pytest.raises(Http404):
            selectors.plan_course_get(plan=catalog.plan, pk=foreign.pk)
        assert selectors.plan_course_get(plan=other, pk=foreign.pk) == foreign


class TestPlanSummary:
    def test_groups_by_term_with_totals(self, world, users, catalog):
        plan = selectors.plan_get(user=users["academic"], pk=catalog.plan.pk)
        summary = selectors.plan_summary(plan, selectors.plan_courses(plan))
        assert [t.number for t in summary.terms] == [1, 2, 3, 4, 5]  # 2.5 years, even empty ones
        assert [[e.course.code for e in t.courses] for t in summary.terms] == [
            ["GB011", "GB021"], [], ["08090105"], [], [],
        ]  # fmt: skip
        assert [t.credits for t in summary.terms] == [8, 0, Decimal("3.5"), 0, 0]
        assert [t.hours for t in summary.terms] == [128, 0, 56, 0, 0]
        assert summary.credits == Decimal("11.5")
        assert summary.hours == 184
        assert (summary.required_credits, summary.elective_credits) == (Decimal(8), Decimal("3.5"))
        assert summary.degree_courses == 1
        assert summary.course_count == 3
        assert summary.shortfall == Decimal("68.5")
        assert summary.excess == 0

    def test_a_plan_over_the_total_and_a_term_beyond_the_length(self, world, users, catalog):
        program = world.program
        program.credits_to_graduate = 10
        program.save()
        add_entry(catalog.plan, make_course("X1", "补修课", "2", 32), 7)
        plan = selectors.plan_get(user=users["academic"], pk=catalog.plan.pk)
        summary = selectors.plan_summary(plan, selectors.plan_courses(plan))
        assert [t.number for t in summary.terms] == [1, 2, 3, 4, 5, 7]
        assert summary.excess == Decimal("3.5")
        assert summary.shortfall == 0

    def test_an_exact_plan(self, world, users, catalog):
        world.program.credits_to_graduate = 11
        world.program.save()
        add_entry(catalog.plan, make_course("X2", "半学分课", "0.5", 8), 5)
        plan = selectors.plan_get(user=users["academic"], pk=catalog.plan.pk)
        summary = selectors.plan_summary(plan, selectors.plan_courses(plan))
        assert summary.difference == Decimal(1)
        world.program.credits_to_graduate = 12
        world.program.save()
        plan = selectors.plan_get(user=users["academic"], pk=catalog.plan.pk)
        summary = selectors.plan_summary(plan, selectors.plan_courses(plan))
        assert summary.difference == summary.shortfall == summary.excess == 0
