"""Reads of student records, always starting from what the user may see."""

import re
from typing import Any

from django.db.models import Count, Q, QuerySet

from cems.accounts.access import AnyUser, get_in_scope_or_404, students_for
from cems.catalog.models import Level, StudyMode
from cems.core import idcard
from cems.organization.models import Station
from cems.students.models import Student, StudentStatus

_ID_LIKE = re.compile(r"^(\d{17}[\dXx]|\d{15})$")
_NUMBER_LIKE = re.compile(r"^[0-9A-Za-z]+$")

CHOICE_LABELS: dict[str, dict[Any, Any]] = {
    "program__level": dict(Level.choices),
    "program__mode": dict(StudyMode.choices),
    "status": dict(StudentStatus.choices),
}

FILTER_LOOKUPS = {
    "station": "station",
    "province": "station__province",
    "major": "program__major",
    "level": "program__level",
    "mode": "program__mode",
    "cohort": "cohort_year",
    "status": "status",
}


def search_condition(q: str) -> Q:
    """Name (part of it), 学号 or 考生号 (their beginning), or an exact ID number."""
    q = q.strip()
    if _ID_LIKE.match(q):
        number = idcard.normalize(q)
        if len(number) == 15:
            # Records hold 18-digit numbers only; an old 15-digit one is looked up in that form.
            number = idcard.upgrade_15_to_18(number)
        return Q(id_number=number)
    if _NUMBER_LIKE.match(q):
        by_number = Q(student_number__startswith=q) | Q(exam_number__startswith=q)
        # Digits are never part of a name; letters may be (a name in Latin letters).
        return by_number if q.isdigit() else by_number | Q(name__icontains=q)
    return Q(name__contains=q)


def student_list(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[Student]:
    """The user's students matching the filters; None (invalid filters) matches nothing."""
    students = students_for(user)
    if filters is None:
        return students.none()
    conditions = {
        lookup: filters[key]
        for key, lookup in FILTER_LOOKUPS.items()
        if filters.get(key) not in (None, "")
    }
    students = students.filter(**conditions)
    if q := (filters.get("q") or "").strip():
        students = students.filter(search_condition(q))
    return students.select_related("station__province", "program__major").order_by("student_number")


def student_get(*, user: AnyUser, pk: int) -> Student:
    return get_in_scope_or_404(
        students_for(user).select_related("station__province", "program__major"), pk=pk
    )


def student_counts_by(
    *, user: AnyUser, field: str, station: Station | None = None
) -> list[dict[str, Any]]:
    """Counts of the user's students grouped by one field, largest first."""
    students = students_for(user)
    if station is not None:
        students = students.filter(station=station)
    labels = CHOICE_LABELS.get(field, {})
    rows = students.values(field).annotate(count=Count("pk")).order_by("-count", field)
    return [{**row, "label": labels.get(row[field], row[field])} for row in rows]
