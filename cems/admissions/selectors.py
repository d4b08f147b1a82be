"""Reads of admitted candidates and admission imports, always starting from what the user
may see."""

import re
from typing import Any

from django.db.models import Q, QuerySet

from cems.accounts.access import (
    AnyUser,
    admission_imports_for,
    candidates_for,
    get_in_scope_or_404,
)
from cems.admissions.issues import Issue
from cems.admissions.models import AdmissionImport, Candidate
from cems.core import idcard
from cems.core.forms import filter_by

_ID_LIKE = re.compile(r"^(\d{17}[\dXx]|\d{15})$")
_NUMBER_LIKE = re.compile(r"^[0-9A-Za-z]+$")

FILTER_LOOKUPS = {
    "year": "admission_year",
    "station": "station",
    "major": "major",
    "level": "level",
    "mode": "mode",
    "status": "status",
}


def search_condition(q: str) -> Q:
    """Name (part of it), 考生号 (its beginning) or an exact ID number."""
    q = q.strip()
    if _ID_LIKE.match(q):
        number = idcard.normalize(q)
        if len(number) == 15:
            number = idcard.upgrade_15_to_18(number)
        return Q(id_number=number)
    if _NUMBER_LIKE.match(q):
        by_number = Q(exam_number__startswith=q)
        return by_number if q.isdigit() else by_number | Q(name__icontains=q)
    return Q(name__contains=q)


def candidate_list(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[Candidate]:
    """The user's candidates matching the filters; None (invalid filters) matches nothing."""
    candidates = candidates_for(user)
    if filters is None:
        return candidates.none()
    candidates = filter_by(candidates, filters, FILTER_LOOKUPS)
    if q := (filters.get("q") or "").strip():
        candidates = candidates.filter(search_condition(q))
    return candidates.select_related("station", "major", "student").order_by(
        "-admission_year", "exam_number"
    )


def candidate_get(*, user: AnyUser, pk: int) -> Candidate:
    return get_in_scope_or_404(
        candidates_for(user).select_related(
            "station__province", "major", "program", "student", "source"
        ),
        pk=pk,
    )


def import_list(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[AdmissionImport]:
    imports = admission_imports_for(user).defer("report").select_related("uploaded_by")
    if filters is None:
        return imports.none()
    if year := filters.get("year"):
        imports = imports.filter(admission_year=year)
    if state := filters.get("state"):
        imports = imports.filter(state=state)
    return imports.order_by("-created_at", "-pk")


def import_get(*, user: AnyUser, pk: int) -> AdmissionImport:
    return get_in_scope_or_404(admission_imports_for(user).select_related("uploaded_by"), pk=pk)


# Positions in a stored row (checks.RowResult.as_json).
ROW_FIELDS = ("row", "exam_number", "name", "id_number", "station", "program", "action",
              "errors", "warnings")  # fmt: skip
SHOW = ("all", "problems", "reject", "create", "update", "unchanged")


def import_rows(record: AdmissionImport, *, show: str) -> list[dict[str, Any]]:
    """The rows of an import's report as a preview shows them, their issues translated."""
    rows = record.report.get("rows", []) if isinstance(record.report, dict) else []
    shown = []
    for values in rows:
        row = dict(zip(ROW_FIELDS, values, strict=True))
        if show == "problems" and not (row["errors"] or row["warnings"]):
            continue
        if show not in ("all", "problems") and row["action"] != show:
            continue
        row["errors"] = [Issue.from_json(issue) for issue in row["errors"]]
        row["warnings"] = [Issue.from_json(issue) for issue in row["warnings"]]
        shown.append(row)
    return shown


def import_warnings(record: AdmissionImport) -> list[Issue]:
    report = record.report if isinstance(record.report, dict) else {}
    return [Issue.from_json(issue) for issue in report.get("warnings", [])]
