"""Writes to the catalog: validated, in one transaction, with who did it logged."""

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from cems.accounts.models import User
from cems.catalog.models import (
    Course,
    Level,
    Major,
    PlanCourse,
    Program,
    TeachingPlan,
    default_standard_length,
)
from cems.core.audit import event
from cems.core.services import assign_changed

audit = logging.getLogger("cems.audit")

MAJOR_FIELDS = ("code", "short_code", "name", "name_en", "discipline")
PROGRAM_FIELDS = ("major", "level", "mode", "standard_length_years", "credits_to_graduate",
                  "tuition_per_year", "is_offered")  # fmt: skip
COURSE_FIELDS = ("code", "name", "name_en", "credits", "hours", "assessment", "grading_scale",
                 "coursework_weight")  # fmt: skip
PLAN_FIELDS = ("program", "admission_year", "note")
PLAN_COURSE_FIELDS = ("term", "credits", "hours", "assessment", "is_required",
                      "is_degree_course")  # fmt: skip

# --- Majors ----------------------------------------------------------------------------------


@transaction.atomic
def major_create(*, actor: User, data: dict[str, Any]) -> Major:
    major = Major(**{name: data[name] for name in MAJOR_FIELDS if name in data})
    major.full_clean()
    major.save()
    audit.info(
        "major %s created by %s",
        major.code,
        actor.username,
        extra=event(actor, "major.create", major),
    )
    return major


@transaction.atomic
def major_update(*, actor: User, major: Major, data: dict[str, Any]) -> Major:
    if changed := assign_changed(major, data, MAJOR_FIELDS):
        major.full_clean()
        major.save()
        audit.info(
            "major %s: %s changed by %s",
            major.code,
            changed,
            actor.username,
            extra=event(actor, "major.change", major, details={"fields": changed}),
        )
    return major


# --- Programs --------------------------------------------------------------------------------


def _with_default_length(data: dict[str, Any]) -> dict[str, Any]:
    """An empty standard length takes the level's default (the CEMS_STANDARD_LENGTH_YEARS
    setting)."""
    if data.get("standard_length_years") is None and data.get("level") in Level.values:
        return {**data, "standard_length_years": default_standard_length(data["level"])}
    return data


@transaction.atomic
def program_create(*, actor: User, data: dict[str, Any]) -> Program:
    data = _with_default_length(data)
    program = Program(**{name: data[name] for name in PROGRAM_FIELDS if name in data})
    program.full_clean()
    program.save()
    audit.info(
        "program %s (%s) created by %s",
        program.pk,
        program,
        actor.username,
        extra=event(actor, "program.create", program),
    )
    return program


@transaction.atomic
def program_update(*, actor: User, program: Program, data: dict[str, Any]) -> Program:
    data = _with_default_length({"level": program.level, **data})
    if changed := assign_changed(program, data, PROGRAM_FIELDS):
        program.full_clean()
        program.save()
        audit.info(
            "program %s: %s changed by %s",
            program.pk,
            changed,
            actor.username,
            extra=event(actor, "program.change", program, details={"fields": changed}),
        )
    return program


# --- Courses ---------------------------------------------------------------------------------


@transaction.atomic
def course_create(*, actor: User, data: dict[str, Any]) -> Course:
    course = Course(**{name: data[name] for name in COURSE_FIELDS if name in data})
    course.full_clean()
    course.save()
    audit.info(
        "course %s created by %s",
        course.code,
        actor.username,
        extra=event(actor, "course.create", course),
    )
    return course


@transaction.atomic
def course_update(*, actor: User, course: Course, data: dict[str, Any]) -> Course:
    """Plans keep their own credits, hours and assessment: a change here does not alter them."""
    grading = [
        name
        for name in ("grading_scale", "coursework_weight")
        if name in data and data[name] != getattr(course, name)
    ]
    if grading and course.plan_entries.filter(offerings__roster__grade__isnull=False).exists():
        # Grades already entered were read and derived on the old scale.
        raise ValidationError(
            {
                name: _("Grades have been entered for this course; its grading stays.")
                for name in grading
            }
        )
    if changed := assign_changed(course, data, COURSE_FIELDS):
        course.full_clean()
        course.save()
        audit.info(
            "course %s: %s changed by %s",
            course.code,
            changed,
            actor.username,
            extra=event(actor, "course.change", course, details={"fields": changed}),
        )
    return course


# --- Teaching plans --------------------------------------------------------------------------


def _year_taken(program: Program, year: int) -> ValidationError:
    return ValidationError(
        {
            "admission_year": _("%(program)s already has a teaching plan for %(year)s.")
            % {"program": program, "year": year}
        },
        code="plan_exists",
    )


def _save_new_plan(plan: TeachingPlan) -> None:
    """Validate, check the year is free and save; a plan saved meanwhile by someone else is
    the same error, not a crash."""
    plan.full_clean(validate_constraints=False)
    if TeachingPlan.objects.filter(
        program=plan.program_id, admission_year=plan.admission_year
    ).exists():
        raise _year_taken(plan.program, plan.admission_year)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise _year_taken(plan.program, plan.admission_year) from None


@transaction.atomic
def plan_create(*, actor: User, data: dict[str, Any]) -> TeachingPlan:
    plan = TeachingPlan(**{name: data[name] for name in PLAN_FIELDS if name in data})
    _save_new_plan(plan)
    audit.info(
        "teaching plan %s (%s) created by %s",
        plan.pk,
        plan,
        actor.username,
        extra=event(actor, "plan.create", plan),
    )
    return plan


@transaction.atomic
def plan_update(*, actor: User, plan: TeachingPlan, data: dict[str, Any]) -> TeachingPlan:
    """Only the note: a plan's program and year are fixed (copy it to plan another year)."""
    if changed := assign_changed(plan, data, ("note",)):
        plan.full_clean()
        plan.save()
        audit.info(
            "teaching plan %s: %s changed by %s",
            plan.pk,
            changed,
            actor.username,
            extra=event(actor, "plan.change", plan, details={"fields": changed}),
        )
    return plan


@transaction.atomic
def plan_copy(*, actor: User, plan: TeachingPlan, admission_year: int) -> TeachingPlan:
    """A new plan of the same program for another admission year, with every course of this
    one (term, credits, hours, assessment, required, degree course) — all or nothing."""
    copy = TeachingPlan(program=plan.program, admission_year=admission_year, note=plan.note)
    _save_new_plan(copy)
    entries = PlanCourse.objects.bulk_create(
        PlanCourse(
            plan=copy,
            course_id=entry.course_id,
            **{name: getattr(entry, name) for name in PLAN_COURSE_FIELDS},
        )
        for entry in plan.courses.order_by("term", "course__code")
    )
    audit.info(
        "teaching plan %s copied to %s (%s, %s courses) by %s",
        plan.pk, copy.pk, admission_year, len(entries), actor.username,
        extra=event(actor, "plan.copy", copy, details={"from": plan.pk}),
    )  # fmt: skip
    return copy


def _check_plan_course(entry: PlanCourse) -> None:
    """The rules of a plan's course beyond its fields' own: a term within the program's
    length, degree courses only in bachelor programs and only as required courses, and
    each course once per plan."""
    entry.full_clean(validate_constraints=False)
    program = entry.plan.program
    errors: dict[str, list[str]] = {}
    if entry.term > program.terms:
        errors.setdefault("term", []).append(
            _("The program has %(terms)s terms (standard length %(years)s years).")
            % {"terms": program.terms, "years": program.standard_length_years}
        )
    if entry.is_degree_course and not program.is_bachelor:
        errors.setdefault("is_degree_course", []).append(
            _("Degree courses belong to bachelor programs (专升本, 高起本) only.")
        )
    elif entry.is_degree_course and not entry.is_required:
        errors.setdefault("is_degree_course", []).append(
            _("A degree course must be a required course.")
        )
    others = PlanCourse.objects.filter(plan=entry.plan, course=entry.course_id)
    if entry.pk is not None:
        others = others.exclude(pk=entry.pk)
    if others.exists():
        errors.setdefault("course", []).append(
            _("%(course)s is already in this plan.") % {"course": entry.course}
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_course_add(*, actor: User, plan: TeachingPlan, data: dict[str, Any]) -> PlanCourse:
    """Add a course to a plan; credits, hours and assessment left empty take the course's."""
    course: Course | None = data.get("course")
    if course is None:
        raise ValidationError({"course": _("Choose a course.")})
    values = {name: data[name] for name in PLAN_COURSE_FIELDS if data.get(name) is not None}
    for name in ("credits", "hours", "assessment"):
        if data.get(name) in (None, ""):
            values[name] = getattr(course, name)
    entry = PlanCourse(plan=plan, course=course, **values)
    _check_plan_course(entry)
    entry.save()
    TeachingPlan.objects.filter(pk=plan.pk).update(updated_at=timezone.now())
    audit.info(
        "teaching plan %s: %s added by %s",
        plan.pk,
        course.code,
        actor.username,
        extra=event(actor, "plan.course_add", plan, details={"course": course.code}),
    )
    return entry


@transaction.atomic
def plan_course_update(*, actor: User, entry: PlanCourse, data: dict[str, Any]) -> PlanCourse:
    if changed := assign_changed(entry, data, PLAN_COURSE_FIELDS):
        _check_plan_course(entry)
        entry.save()
        TeachingPlan.objects.filter(pk=entry.plan_id).update(updated_at=timezone.now())
        audit.info(
            "teaching plan %s: %s %s changed by %s",
            entry.plan_id, entry.course.code, changed, actor.username,
            extra=event(actor, "plan.course_change", entry, details={"fields": changed}),
        )  # fmt: skip
    return entry


@transaction.atomic
def plan_course_remove(*, actor: User, entry: PlanCourse) -> None:
    """Take a course out of a plan, unless classes have been taught it already."""
    plan_id, code = entry.plan_id, entry.course.code
    try:
        with transaction.atomic():
            entry.delete()
    except ProtectedError as error:  # course offerings of classes refer to it
        raise ValidationError(
            _("%(course)s has been offered to classes already; it stays in the plan.")
            % {"course": entry.course}
        ) from error
    TeachingPlan.objects.filter(pk=plan_id).update(updated_at=timezone.now())
    audit.info(
        "teaching plan %s: %s removed by %s",
        plan_id,
        code,
        actor.username,
        extra=event(
            actor, "plan.course_remove", f"catalog.TeachingPlan:{plan_id}", details={"course": code}
        ),
    )
