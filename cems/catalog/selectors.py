"""Reads of the catalog: majors, programs, courses and teaching plans.

The catalog is school-wide, not tied to stations: whoever may view it sees all of it. So the
catalog's scope functions live here rather than in accounts.access, and they read the models
directly, after checking the one capability that guards them.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Count, Max, Model, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from cems.accounts.access import AnyUser, Capability, get_in_scope_or_404, has_capability
from cems.catalog.models import Course, Major, PlanCourse, Program, TeachingPlan
from cems.core.forms import filter_by

M = TypeVar("M", bound=Model)


def _readable(user: AnyUser, queryset: QuerySet[M]) -> QuerySet[M]:
    return queryset if has_capability(user, Capability.VIEW_CATALOG) else queryset.none()


def majors_for(user: AnyUser) -> QuerySet[Major]:
    return _readable(user, Major.objects.all())


def programs_for(user: AnyUser) -> QuerySet[Program]:
    return _readable(user, Program.objects.select_related("major"))


def courses_for(user: AnyUser) -> QuerySet[Course]:
    return _readable(user, Course.objects.all())


def plans_for(user: AnyUser) -> QuerySet[TeachingPlan]:
    return _readable(user, TeachingPlan.objects.select_related("program__major"))


# --- Majors ----------------------------------------------------------------------------------


def major_list(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[Major]:
    """The majors matching the filters; None (invalid filters) matches nothing."""
    majors = majors_for(user)
    if filters is None:
        return majors.none()
    if discipline := filters.get("discipline"):
        majors = majors.filter(discipline=discipline)
    if q := (filters.get("q") or "").strip():
        majors = majors.filter(
            Q(code__startswith=q) | Q(short_code=q) | Q(name__contains=q) | Q(name_en__icontains=q)
        )
    return majors.annotate(program_count=Count("programs")).order_by("code")


def major_get(*, user: AnyUser, pk: int) -> Major:
    return get_in_scope_or_404(majors_for(user), pk=pk)


# --- Programs --------------------------------------------------------------------------------


def program_list(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[Program]:
    programs = programs_for(user)
    if filters is None:
        return programs.none()
    programs = filter_by(programs, filters, {"major": "major", "level": "level", "mode": "mode"})
    if (offered := filters.get("offered")) in ("1", "0"):
        programs = programs.filter(is_offered=offered == "1")
    return programs.annotate(plan_count=Count("plans")).order_by("major__code", "level", "mode")


def program_get(*, user: AnyUser, pk: int) -> Program:
    return get_in_scope_or_404(programs_for(user), pk=pk)


# --- Courses ---------------------------------------------------------------------------------


def course_list(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[Course]:
    courses = courses_for(user)
    if filters is None:
        return courses.none()
    if assessment := filters.get("assessment"):
        courses = courses.filter(assessment=assessment)
    if q := (filters.get("q") or "").strip():
        courses = courses.filter(
            Q(code__istartswith=q) | Q(name__contains=q) | Q(name_en__icontains=q)
        )
    return courses.annotate(plan_count=Count("plan_entries")).order_by("code")


def course_get(*, user: AnyUser, pk: int) -> Course:
    return get_in_scope_or_404(courses_for(user), pk=pk)


def course_choices(*, user: AnyUser, exclude_plan: TeachingPlan | None = None) -> QuerySet[Course]:
    """Courses that can be added to a plan: those not in it already."""
    courses = courses_for(user).order_by("code")
    if exclude_plan is not None:
        courses = courses.exclude(plan_entries__plan=exclude_plan)
    return courses


# --- Teaching plans --------------------------------------------------------------------------


def plan_list(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[TeachingPlan]:
    plans = plans_for(user)
    if filters is None:
        return plans.none()
    lookups = {
        "major": "program__major",
        "level": "program__level",
        "mode": "program__mode",
        "year": "admission_year",
    }
    plans = filter_by(plans, filters, lookups)
    return plans.annotate(
        course_count=Count("courses"), total_credits=Sum("courses__credits")
    ).order_by("program__major__code", "program__level", "program__mode", "-admission_year")


def plan_get(*, user: AnyUser, pk: int) -> TeachingPlan:
    return get_in_scope_or_404(plans_for(user), pk=pk)


def plan_courses(plan: TeachingPlan) -> QuerySet[PlanCourse]:
    """The plan's courses in term order, each with its catalogue course."""
    return plan.courses.select_related("course").order_by("term", "course__code")


def plan_course_get(*, plan: TeachingPlan, pk: int) -> PlanCourse:
    """A course of this plan (the plan already read through plan_get); another plan's is a 404."""
    return get_object_or_404(plan.courses.select_related("course"), pk=pk)


def plan_years(*, user: AnyUser) -> list[int]:
    """Admission years that have at least one plan, latest first (for the year filter)."""
    years = plans_for(user).values_list("admission_year", flat=True).distinct()
    return sorted(years, reverse=True)


def latest_plan_year(*, user: AnyUser, program: Program) -> int | None:
    plans = plans_for(user).filter(program=program)
    year: int | None = plans.aggregate(year=Max("admission_year"))["year"]
    return year


@dataclass
class Term:
    number: int
    courses: list[PlanCourse] = field(default_factory=list)

    @property
    def credits(self) -> Decimal:
        return sum((c.credits for c in self.courses), Decimal(0))

    @property
    def hours(self) -> int:
        return sum(c.hours for c in self.courses)


@dataclass
class PlanSummary:
    """A plan's courses grouped by term, with the totals staff compare with the program's."""

    terms: list[Term]
    credits: Decimal
    hours: int
    required_credits: Decimal
    elective_credits: Decimal
    degree_courses: int
    credits_to_graduate: int

    @property
    def course_count(self) -> int:
        return sum(len(term.courses) for term in self.terms)

    @property
    def difference(self) -> Decimal:
        """Credits in the plan minus credits to graduate: below zero, the plan falls short."""
        return self.credits - self.credits_to_graduate

    @property
    def shortfall(self) -> Decimal:
        return max(-self.difference, Decimal(0))

    @property
    def excess(self) -> Decimal:
        return max(self.difference, Decimal(0))


def plan_summary(plan: TeachingPlan, courses: Iterable[PlanCourse]) -> PlanSummary:
    """Every term of the program's standard length, even an empty one, and any term beyond."""
    by_term: dict[int, Term] = {n: Term(n) for n in range(1, plan.program.terms + 1)}
    for entry in courses:
        by_term.setdefault(entry.term, Term(entry.term)).courses.append(entry)
    terms = [by_term[n] for n in sorted(by_term)]
    entries = [entry for term in terms for entry in term.courses]
    return PlanSummary(
        terms=terms,
        credits=sum((e.credits for e in entries), Decimal(0)),
        hours=sum(e.hours for e in entries),
        required_credits=sum((e.credits for e in entries if e.is_required), Decimal(0)),
        elective_credits=sum((e.credits for e in entries if not e.is_required), Decimal(0)),
        degree_courses=sum(1 for e in entries if e.is_degree_course),
        credits_to_graduate=plan.program.credits_to_graduate,
    )
