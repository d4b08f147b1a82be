"""Catalog pages: majors, programs, courses and teaching plans. Reading needs VIEW_CATALOG,
every write MANAGE_CATALOG; the reads go through catalog.selectors, the writes through
catalog.services."""

import copy
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cems.accounts.access import Capability, has_capability, require_capability, signed_in_user
from cems.accounts.models import User
from cems.catalog import selectors, services
from cems.catalog.forms import (
    CourseFilterForm,
    CourseForm,
    MajorFilterForm,
    MajorForm,
    PlanCopyForm,
    PlanCourseForm,
    PlanFilterForm,
    PlanForm,
    PlanNoteForm,
    ProgramFilterForm,
    ProgramForm,
)
from cems.catalog.models import Course, Major, PlanCourse, Program, TeachingPlan
from cems.core.export import FORMATS, tabular_response
from cems.core.forms import valid_filters

# Columns and rows of a download. The functions making them take Iterable[Any]: the list
# selectors annotate their rows with counts that the models' types do not know.
Table = tuple[list[str], Iterable[list[Any]]]


def _list_page(
    request: HttpRequest,
    *,
    template: str,
    form: forms.Form,
    items: QuerySet[Any],
    table: Callable[[QuerySet[Any]], Table],
    filename: str,
) -> HttpResponseBase:
    """A filtered list as a page, or as a csv/xlsx download of every matching row."""
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = table(items)
        return tabular_response(filename=filename, columns=columns, rows=rows, fmt=fmt)
    page = Paginator(items, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    can_manage = has_capability(request.user, Capability.MANAGE_CATALOG)
    return render(request, template, {"form": form, "page": page, "can_manage": can_manage})


def _add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's errors beside the form's fields; one about a field the form does not
    show goes above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _save(
    request: HttpRequest,
    form: forms.BaseForm,
    write: Callable[[User, dict[str, Any]], Model],
    *,
    template: str,
    context: dict[str, Any],
    success: Callable[[Any], tuple[str, str]],
) -> HttpResponseBase:
    """Validate the form, run the service; its ValidationError shows beside the fields.
    `success` gives the message and the address to go to after saving."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = write(signed_in_user(request), form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            message, url = success(saved)
            messages.success(request, message)
            return redirect(url)
    return render(request, template, {"form": form, **context})


# --- Majors ----------------------------------------------------------------------------------


def _major_table(majors: Iterable[Any]) -> Table:
    columns = [_("Code"), _("Code in student numbers"), _("Name"), _("English name"),
               _("Discipline"), _("Programs")]  # fmt: skip
    rows = (
        [m.code, m.short_code, m.name, m.name_en, m.get_discipline_display(), m.program_count]
        for m in majors
    )
    return columns, rows


@require_capability(Capability.VIEW_CATALOG)
def major_list(request: HttpRequest) -> HttpResponseBase:
    form = MajorFilterForm(request.GET or None)
    majors = selectors.major_list(user=request.user, filters=valid_filters(form))
    return _list_page(request, template="catalog/major_list.html", form=form, items=majors,
                      table=_major_table, filename="majors")  # fmt: skip


def _major_form(request: HttpRequest, major: Major | None) -> HttpResponseBase:
    # The form writes onto a copy, so that the service still sees what changed and the page
    # keeps the saved name while showing errors.
    form = MajorForm(request.POST or None, instance=copy.copy(major))

    def write(actor: User, data: dict[str, Any]) -> Major:
        if major is None:
            return services.major_create(actor=actor, data=data)
        return services.major_update(actor=actor, major=major, data=data)

    return _save(
        request, form, write, template="catalog/major_form.html", context={"major": major},
        success=lambda m: (_("Major %(name)s saved.") % {"name": m.name},
                           reverse("catalog:major_list") + f"?q={m.code}"),
    )  # fmt: skip


@require_capability(Capability.MANAGE_CATALOG)
def major_create(request: HttpRequest) -> HttpResponseBase:
    return _major_form(request, None)


@require_capability(Capability.MANAGE_CATALOG)
def major_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _major_form(request, selectors.major_get(user=request.user, pk=pk))


# --- Programs --------------------------------------------------------------------------------


def _program_table(programs: Iterable[Any]) -> Table:
    columns = [_("Major code"), _("Major"), _("Level"), _("Study mode"),
               _("Standard length (years)"), _("Credits to graduate"),
               _("Tuition per year (CNY)"), _("Offered"), _("Teaching plans")]  # fmt: skip
    rows = (
        [p.major.code, p.major.name, p.get_level_display(), p.get_mode_display(),
         p.standard_length_years, p.credits_to_graduate, p.tuition_per_year, p.is_offered,
         p.plan_count]
        for p in programs
    )  # fmt: skip
    return columns, rows


@require_capability(Capability.VIEW_CATALOG)
def program_list(request: HttpRequest) -> HttpResponseBase:
    form = ProgramFilterForm(request.GET or None, majors=selectors.majors_for(request.user))
    programs = selectors.program_list(user=request.user, filters=valid_filters(form))
    return _list_page(request, template="catalog/program_list.html", form=form, items=programs,
                      table=_program_table, filename="programs")  # fmt: skip


def _program_form(request: HttpRequest, program: Program | None) -> HttpResponseBase:
    form = ProgramForm(
        request.POST or None,
        instance=copy.copy(program),
        majors=selectors.majors_for(request.user),
    )

    def write(actor: User, data: dict[str, Any]) -> Program:
        if program is None:
            return services.program_create(actor=actor, data=data)
        return services.program_update(actor=actor, program=program, data=data)

    return _save(
        request, form, write, template="catalog/program_form.html", context={"program": program},
        success=lambda p: (_("Program %(name)s saved.") % {"name": p},
                           reverse("catalog:program_list") + f"?major={p.major_id}"),
    )  # fmt: skip


@require_capability(Capability.MANAGE_CATALOG)
def program_create(request: HttpRequest) -> HttpResponseBase:
    return _program_form(request, None)


@require_capability(Capability.MANAGE_CATALOG)
def program_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _program_form(request, selectors.program_get(user=request.user, pk=pk))


# --- Courses ---------------------------------------------------------------------------------


def _course_table(courses: Iterable[Any]) -> Table:
    columns = [_("Code"), _("Name"), _("English name"), _("Credits"), _("Hours"),
               _("Assessment"), _("Grading"), _("Coursework weight (%)"),
               _("Teaching plans")]  # fmt: skip
    rows = (
        [c.code, c.name, c.name_en, c.credits, c.hours, c.get_assessment_display(),
         c.get_grading_scale_display(), c.coursework_weight, c.plan_count]
        for c in courses
    )  # fmt: skip
    return columns, rows


@require_capability(Capability.VIEW_CATALOG)
def course_list(request: HttpRequest) -> HttpResponseBase:
    form = CourseFilterForm(request.GET or None)
    courses = selectors.course_list(user=request.user, filters=valid_filters(form))
    return _list_page(request, template="catalog/course_list.html", form=form, items=courses,
                      table=_course_table, filename="courses")  # fmt: skip


def _course_form(request: HttpRequest, course: Course | None) -> HttpResponseBase:
    form = CourseForm(request.POST or None, instance=copy.copy(course))

    def write(actor: User, data: dict[str, Any]) -> Course:
        if course is None:
            return services.course_create(actor=actor, data=data)
        return services.course_update(actor=actor, course=course, data=data)

    return _save(
        request, form, write, template="catalog/course_form.html", context={"course": course},
        success=lambda c: (_("Course %(name)s saved.") % {"name": c},
                           reverse("catalog:course_list") + f"?q={c.code}"),
    )  # fmt: skip


@require_capability(Capability.MANAGE_CATALOG)
def course_create(request: HttpRequest) -> HttpResponseBase:
    return _course_form(request, None)


@require_capability(Capability.MANAGE_CATALOG)
def course_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _course_form(request, selectors.course_get(user=request.user, pk=pk))


# --- Teaching plans --------------------------------------------------------------------------


def _plan_url(plan: TeachingPlan) -> str:
    return reverse("catalog:plan_detail", args=[plan.pk])


def _plan_table(plans: Iterable[Any]) -> Table:
    columns = [_("Major code"), _("Major"), _("Level"), _("Study mode"), _("Admission year"),
               _("Courses"), _("Credits in plan"), _("Credits to graduate")]  # fmt: skip
    rows = (
        [p.program.major.code, p.program.major.name, p.program.get_level_display(),
         p.program.get_mode_display(), p.admission_year, p.course_count, p.total_credits or 0,
         p.program.credits_to_graduate]
        for p in plans
    )  # fmt: skip
    return columns, rows


@require_capability(Capability.VIEW_CATALOG)
def plan_list(request: HttpRequest) -> HttpResponseBase:
    form = PlanFilterForm(
        request.GET or None,
        majors=selectors.majors_for(request.user),
        years=selectors.plan_years(user=request.user),
    )
    plans = selectors.plan_list(user=request.user, filters=valid_filters(form))
    return _list_page(request, template="catalog/plan_list.html", form=form, items=plans,
                      table=_plan_table, filename="teaching-plans")  # fmt: skip


def _plan_course_table(courses: Iterable[PlanCourse]) -> Table:
    columns = [_("Term"), _("Code"), _("Course"), _("Credits"), _("Hours"), _("Assessment"),
               _("Required or elective"), _("Degree course")]  # fmt: skip
    rows = (
        [e.term, e.course.code, e.course.name, e.credits, e.hours, e.get_assessment_display(),
         _("Required") if e.is_required else _("Elective"), e.is_degree_course]
        for e in courses
    )  # fmt: skip
    return columns, rows


@require_capability(Capability.VIEW_CATALOG)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    plan = selectors.plan_get(user=request.user, pk=pk)
    courses = list(selectors.plan_courses(plan))
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _plan_course_table(courses)
        filename = f"teaching-plan-{plan.program.major.code}-{plan.admission_year}"
        return tabular_response(filename=filename, columns=columns, rows=rows, fmt=fmt)
    return render(
        request,
        "catalog/plan_detail.html",
        {
            "plan": plan,
            "program": plan.program,
            "summary": selectors.plan_summary(plan, courses),
            "can_manage": has_capability(request.user, Capability.MANAGE_CATALOG),
        },
    )


@require_capability(Capability.MANAGE_CATALOG)
def plan_create(request: HttpRequest) -> HttpResponseBase:
    programs = selectors.programs_for(request.user)
    form = PlanForm(request.POST or None, initial=request.GET.dict(), programs=programs)
    return _save(
        request, form, lambda actor, data: services.plan_create(actor=actor, data=data),
        template="catalog/plan_form.html", context={},
        success=lambda p: (_("Teaching plan %(plan)s created.") % {"plan": p}, _plan_url(p)),
    )  # fmt: skip


@require_capability(Capability.MANAGE_CATALOG)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    plan = selectors.plan_get(user=request.user, pk=pk)
    form = PlanNoteForm(request.POST or None, instance=copy.copy(plan))
    return _save(
        request, form,
        lambda actor, data: services.plan_update(actor=actor, plan=plan, data=data),
        template="catalog/plan_edit.html", context={"plan": plan},
        success=lambda p: (_("Teaching plan %(plan)s saved.") % {"plan": p}, _plan_url(p)),
    )  # fmt: skip


@require_capability(Capability.MANAGE_CATALOG)
def plan_copy(request: HttpRequest, pk: int) -> HttpResponseBase:
    plan = selectors.plan_get(user=request.user, pk=pk)
    latest = selectors.latest_plan_year(user=request.user, program=plan.program)
    form = PlanCopyForm(request.POST or None, initial={"admission_year": (latest or 0) + 1})
    return _save(
        request, form,
        lambda actor, data: services.plan_copy(
            actor=actor, plan=plan, admission_year=data["admission_year"]
        ),
        template="catalog/plan_copy.html", context={"plan": plan},
        success=lambda p: (
            _("Teaching plan copied to %(year)s: edit the copy here.") % {"year": p.admission_year},
            _plan_url(p),
        ),
    )  # fmt: skip


@require_capability(Capability.MANAGE_CATALOG)
def plan_course_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    plan = selectors.plan_get(user=request.user, pk=pk)
    courses = selectors.course_choices(user=request.user, exclude_plan=plan)
    form = PlanCourseForm(request.POST or None, program=plan.program, courses=courses)
    return _save(
        request, form,
        lambda actor, data: services.plan_course_add(actor=actor, plan=plan, data=data),
        template="catalog/plan_course_form.html",
        context={"plan": plan, "entry": None, "courses": courses},
        success=lambda e: (_("%(course)s added.") % {"course": e.course}, _plan_url(plan)),
    )  # fmt: skip


@require_capability(Capability.MANAGE_CATALOG)
def plan_course_edit(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponseBase:
    plan = selectors.plan_get(user=request.user, pk=pk)
    entry = selectors.plan_course_get(plan=plan, pk=entry_pk)
    initial = {name: getattr(entry, name) for name in services.PLAN_COURSE_FIELDS}
    form = PlanCourseForm(request.POST or None, initial=initial, program=plan.program, courses=None)
    return _save(
        request, form,
        lambda actor, data: services.plan_course_update(actor=actor, entry=entry, data=data),
        template="catalog/plan_course_form.html", context={"plan": plan, "entry": entry},
        success=lambda e: (_("%(course)s saved.") % {"course": e.course}, _plan_url(plan)),
    )  # fmt: skip


@require_capability(Capability.MANAGE_CATALOG)
def plan_course_remove(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """A confirmation page; the course leaves the plan on POST."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    entry = selectors.plan_course_get(plan=plan, pk=entry_pk)
    if request.method == "POST":
        try:
            services.plan_course_remove(actor=signed_in_user(request), entry=entry)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(course)s removed.") % {"course": entry.course})
        return redirect(_plan_url(plan))
    return render(request, "catalog/plan_course_remove.html", {"plan": plan, "entry": entry})
