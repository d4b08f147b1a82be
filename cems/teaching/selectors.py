"""Reads of terms and offerings, always starting from what the user may see."""

import datetime as dt
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from cems.accounts.access import AnyUser, get_in_scope_or_404, offerings_for
from cems.accounts.models import Role, User
from cems.core.forms import filter_by
from cems.teaching.models import CourseOffering, OfferingStudent, Term

FILTER_LOOKUPS = {
    "term": "term",
    "station": "student_class__station",
    "teacher": "teacher",
}
OFFERING_RELATED = (
    "term__academic_year",
    "student_class__station",
    "plan_course__course",
    "teacher",
)


def terms() -> QuerySet[Term]:
    """Terms are the school's calendar: the same for everyone who may see offerings."""
    return Term.objects.select_related("academic_year").order_by(
        "-academic_year__start_year", "-number"
    )


def term_current(day: dt.date | None = None) -> Term | None:
    """The term under way on `day` (today), else the last one begun before it, else the
    first one to come."""
    day = day or timezone.localdate()
    begun = terms().filter(start_date__lte=day).first()
    if begun is not None:
        return begun
    return terms().order_by("start_date").first()


def term_list() -> QuerySet[Term]:
    """Terms with the number of their offerings and of offerings without a teacher."""
    return terms().annotate(
        offering_count=Count("offerings"),
        unassigned_count=Count("offerings", filter=Q(offerings__teacher=None)),
    )


def term_get(*, pk: int) -> Term:
    return get_in_scope_or_404(terms(), pk=pk)


def _roster_size() -> Subquery:
    return Subquery(
        OfferingStudent.objects.filter(offering=OuterRef("pk"))
        .order_by()
        .values("offering")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def offering_list(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[CourseOffering]:
    """The user's offerings matching the filters; None (invalid filters) matches nothing."""
    offerings = offerings_for(user)
    if filters is None:
        return offerings.none()
    offerings = filter_by(offerings, filters, FILTER_LOOKUPS)
    if q := (filters.get("student_class") or "").strip():
        offerings = offerings.filter(
            Q(student_class__code__startswith=q) | Q(student_class__name__contains=q)
        )
    if q := (filters.get("course") or "").strip():
        offerings = offerings.filter(
            Q(plan_course__course__code__startswith=q) | Q(plan_course__course__name__contains=q)
        )
    if filters.get("unassigned"):
        offerings = offerings.filter(teacher=None)
    return (
        offerings.select_related(*OFFERING_RELATED)
        .annotate(roster_size=_roster_size())
        .order_by("-term__academic_year__start_year", "-term__number", "student_class__code",
                  "plan_course__course__code", "pk")
    )  # fmt: skip


def teacher_offerings(*, user: AnyUser, term: Term | None) -> QuerySet[CourseOffering]:
    """The offerings assigned to the user (a teacher), of one term or all."""
    if not isinstance(user, User):
        return CourseOffering.objects.none()
    offerings = offerings_for(user).filter(teacher=user)
    if term is not None:
        offerings = offerings.filter(term=term)
    return (
        offerings.select_related(*OFFERING_RELATED)
        .annotate(roster_size=_roster_size())
        .order_by("-term__academic_year__start_year", "-term__number", "student_class__code",
                  "plan_course__course__code", "pk")
    )  # fmt: skip


def teacher_terms(*, user: AnyUser) -> QuerySet[Term]:
    """The terms in which the user teaches something."""
    if not isinstance(user, User):
        return Term.objects.none()
    return terms().filter(pk__in=offerings_for(user).filter(teacher=user).values("term"))


def offering_get(*, user: AnyUser, pk: int) -> CourseOffering:
    return get_in_scope_or_404(
        offerings_for(user).select_related(*OFFERING_RELATED, "plan_course__plan__program__major"),
        pk=pk,
    )


def offering_roster(*, offering: CourseOffering) -> QuerySet[OfferingStudent]:
    """The offering's students (the offering has been fetched within the user's scope)."""
    return offering.roster.select_related("student__station").order_by("student__student_number")


def teacher_choices() -> QuerySet[User]:
    """The teachers an offering may be given to: every active teacher account."""
    return User.objects.filter(role=Role.TEACHER, is_active=True).order_by("full_name", "username")
