"""Checking an admission file row by row, and against the database: the plan of an import.

`plan_import` reads nothing but the database and writes nothing. Each row gets an action:
create a candidate, update one not yet enrolled, leave one unchanged, or reject the row
with its reasons (row number, column, reason). Enrolled candidates are the student
records' business: a changed row for one is rejected with that reason, never applied.
"""

import datetime as dt
import operator
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext_noop as _noop

from cems.admissions import columns as col
from cems.admissions.columns import ColumnMap, Invalid
from cems.admissions.issues import Issue, clean
from cems.admissions.models import Candidate, CandidateStatus
from cems.admissions.reader import Sheet
from cems.catalog.models import Major, Program
from cems.core import idcard
from cems.core.masking import mask_birth_date, mask_id_number
from cems.organization.models import Station
from cems.students.models import Student


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REJECT = "reject"


# Candidate columns (attnames) an import writes, in the order of the file's usual columns.
DATA_FIELDS = (
    "name",
    "gender",
    "id_number",
    "birth_date",
    "ethnicity",
    "political_status",
    "level",
    "major_id",
    "mode",
    "program_id",
    "station_id",
    "total_score",
    "phone",
    "address",
    "employer",
)
# The file column behind each field (the catalog's three fields come from its columns).
FIELD_COLUMN = {"major_id": "major", "program_id": "major", "station_id": "station"}
OPTIONAL_DEFAULTS: dict[str, Any] = {
    "ethnicity": "",
    "political_status": "",
    "phone": "",
    "address": "",
    "employer": "",
    "total_score": None,
}


@dataclass
class RowResult:
    row: int
    exam_number: str
    name: str
    id_number: str
    station: str  # as written in the file
    program: str  # major · level · mode as written in the file
    action: str = Action.CREATE
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    candidate_id: int | None = None
    changed: list[str] = field(default_factory=list)

    def reject(
        self, message: str, params: dict[str, str | int] | None = None, *, column: str
    ) -> None:
        self.errors.append(Issue(message, params or {}, column))
        self.action = Action.REJECT

    def as_json(self) -> list[Any]:
        """What a preview shows of the row (the ID number masked)."""
        return [
            self.row,
            clean(self.exam_number),
            clean(self.name),
            clean(mask_id_number(self.id_number)),
            clean(self.station),
            clean(self.program),
            str(self.action),
            [issue.as_json() for issue in self.errors],
            [issue.as_json() for issue in self.warnings],
        ]


@dataclass
class Plan:
    file_name: str
    file_format: str
    encoding: str
    admission_year: int
    columns: ColumnMap
    warnings: list[Issue]
    rows: list[RowResult]

    def counts(self) -> dict[str, int]:
        tally = dict.fromkeys(Action, 0)
        for row in self.rows:
            tally[Action(row.action)] += 1
        return {
            "rows": len(self.rows),
            "created": tally[Action.CREATE],
            "updated": tally[Action.UPDATE],
            "unchanged": tally[Action.UNCHANGED],
            "rejected": tally[Action.REJECT],
        }

    def written_fields(self) -> tuple[str, ...]:
        """The fields this file sets: required ones, and optional ones it has a column for."""
        present = set(self.columns.index)
        return tuple(f for f in DATA_FIELDS if FIELD_COLUMN.get(f, f) in present)


def plan_import(
    sheet: Sheet,
    *,
    file_name: str,
    admission_year: int,
    lock: bool = False,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Check every row of the sheet and decide what importing it would do. With `lock`,
    the candidates it would change are locked (SELECT ... FOR UPDATE) until the caller's
    transaction ends. `progress` is told how many more rows were checked now and then."""
    columns = col.map_columns(sheet.header)
    checker = _RowChecker(columns, today or timezone.localdate())
    rows = []
    for number, cells in sheet.rows:
        rows.append(checker.check(number, cells))
        if progress and len(rows) % 1000 == 0:
            progress(1000)
    if progress:
        progress(len(rows) % 1000)
    plan = Plan(
        file_name,
        sheet.file_format,
        sheet.encoding,
        admission_year,
        columns,
        [*sheet.warnings, *columns.warnings],
        rows,
    )
    _reject_repeats(plan)
    _compare_with_database(plan, lock=lock)
    return plan


# --- One row --------------------------------------------------------------------------------


class _Catalog:
    """Stations, majors and programs by every name a file may give them, loaded once."""

    def __init__(self) -> None:
        self.stations: dict[str, tuple[int, str, bool]] = {}
        names: dict[str, list[tuple[int, str, bool]]] = defaultdict(list)
        for pk, code, name, active in Station.objects.values_list(
            "pk", "code", "name", "is_active"
        ):
            entry = (pk, name, active)
            self.stations[col.heading_key(code)] = entry
            self.stations.setdefault(col.heading_key(name), entry)
            short = re.sub(r"(函授站|教学点|学习中心|函授点)$", "", name)
            if short != name:
                names[col.heading_key(short)].append(entry)
        for key, entries in names.items():
            if len(entries) == 1:
                self.stations.setdefault(key, entries[0])
        self.majors: dict[str, int] = {}
        for pk, code, name in Major.objects.values_list("pk", "code", "name"):
            self.majors[col.heading_key(code)] = pk
            self.majors.setdefault(col.heading_key(name), pk)
        self.programs = {
            (major, level, mode): (pk, offered)
            for pk, major, level, mode, offered in Program.objects.values_list(
                "pk", "major_id", "level", "mode", "is_offered"
            )
        }

    def major(self, value: str) -> int | None:
        key = col.heading_key(value)
        if key in self.majors:
            return self.majors[key]
        # "080901 计算机科学与技术" or "(080901)计算机科学与技术": a code and a name together.
        match = re.match(r"^(\d{6}[a-z]{0,2})(.+)\Z", key)
        if match and self.majors.get(match.group(1)) == self.majors.get(match.group(2), -1):
            return self.majors[match.group(1)]
        return None


def _address(value: str) -> str:
    return col.text(value, max_length=200)


def _employer(value: str) -> str:
    return col.text(value, max_length=100)


# How each column's value is normalised; values that repeat down a file (a station's
# gender, level, mode, dates) are normalised once and remembered.
_NORMALISERS: dict[str, tuple[Callable[[str], Any], bool]] = {
    "exam_number": (col.exam_number, False),
    "name": (col.person_name, False),
    "gender": (col.gender, True),
    "id_number": (col.id_number, False),
    "level": (col.level, True),
    "mode": (col.mode, True),
    "total_score": (col.score, True),
    "phone": (col.phone, False),
    "address": (_address, False),
    "employer": (_employer, False),
    "ethnicity": (col.ethnicity, True),
    "political_status": (col.political_status, True),
}
_CODED = ("ethnicity", "political_status")
_ID_NUMBER = re.compile(r"^\d{17}[\dX]\Z", re.ASCII)


class _RowChecker:
    def __init__(self, columns: ColumnMap, today: dt.date) -> None:
        self.heading = columns.heading
        self.width = max(columns.index.values()) + 1
        self.today = today
        self.catalog = _Catalog()
        self.positions = tuple(columns.index.items())
        self.steps: list[tuple[str, int, str, Callable[[str], Any], dict[str, Any] | None]] = []
        for key, position in columns.index.items():
            normalise: Callable[[str], Any]
            if key == "birth_date":
                normalise, remember = self._date, True
            elif key in _NORMALISERS:
                normalise, remember = _NORMALISERS[key]
            else:
                continue  # major and station: looked up in the catalog
            memo: dict[str, Any] | None = {} if remember else None
            self.steps.append((key, position, columns.heading[key], normalise, memo))
        self.required = tuple((key, columns.heading[key]) for key in col.REQUIRED)
        self.majors: dict[str, int | None] = {}
        self.stations: dict[str, tuple[int, str, bool] | None] = {}

    def check(self, number: int, cells: list[str]) -> RowResult:
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        raw = {key: cells[position] for key, position in self.positions}
        result = RowResult(
            row=number,
            exam_number=raw["exam_number"][:40],
            name=raw["name"][:60],
            id_number=raw["id_number"][:40],
            station=raw["station"][:100],
            program=" · ".join(raw[key][:60] for key in ("major", "level", "mode")),
        )
        for key, heading in self.required:
            if not raw[key]:
                result.reject(_noop("This column is required."), column=heading)
        values = result.values
        for key, position, heading, normalise, memo in self.steps:
            value = cells[position]
            if not value and key in col.REQUIRED:
                continue  # reported above
            if memo is not None and value in memo:
                outcome = memo[value]
            else:
                try:
                    outcome = normalise(value)
                except Invalid as invalid:
                    outcome = invalid
                if memo is not None:
                    memo[value] = outcome
            if type(outcome) is Invalid:
                result.reject(outcome.message, outcome.params, column=heading)
            elif key in _CODED:
                values[key], standard = outcome
                if not standard:
                    result.warnings.append(Issue(col.UNUSUAL, {"value": value[:40]}, heading))
            else:
                values[key] = outcome
        if "exam_number" in values:
            result.exam_number = values["exam_number"]
        if "id_number" in values:
            self._check_id_number(result)
        if raw["major"]:
            self._program(result, raw)
        if raw["station"]:
            self._station(result, raw["station"])
        return result

    def _date(self, value: str) -> dt.date:
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                born = dt.date.fromisoformat(value)
            except ValueError:
                pass
            else:
                if dt.date(1900, 1, 1) <= born <= self.today:
                    return born
        return col.date(value, today=self.today)

    def _check_id_number(self, result: RowResult) -> None:
        column = self.heading["id_number"]
        number = result.values["id_number"]
        info = self._valid_id_number(number)
        if info is None:
            try:
                parsed = idcard.parse(number, today=self.today)
            except ValidationError as error:
                del result.values["id_number"]
                for issue in Issue.from_validation_error(error, column):
                    params = dict(issue.params)
                    if params.get("upgraded", "?") != "?":  # an old number's 18-digit form
                        params["upgraded"] = mask_id_number(str(params["upgraded"]))
                    result.reject(issue.message, params, column=column)
                return
            info = (parsed.birth_date, parsed.gender)
        id_birth, id_gender = info
        born = result.values.get("birth_date")
        if born is not None and id_birth != born:
            result.reject(
                _noop("The ID number gives the birth date %(id_date)s; the row says %(row_date)s."),
                {"id_date": mask_birth_date(id_birth), "row_date": mask_birth_date(born)},
                column=column,
            )
        gender = result.values.get("gender")
        if gender is not None and id_gender != gender:
            result.reject(
                _noop("The ID number is a man's number but the row says female.")
                if id_gender == "M"
                else _noop("The ID number is a woman's number but the row says male."),
                column=column,
            )

    def _valid_id_number(self, number: str) -> tuple[dt.date, str] | None:
        """The birth date and gender of a valid 18-digit number, the way cems.core.idcard
        checks it but without its error messages (None: let idcard say what is wrong)."""
        if not _ID_NUMBER.match(number):
            return None
        total = sum(map(operator.mul, map(int, number[:17]), idcard.WEIGHTS))
        if idcard.CHECK_CHARACTERS[total % 11] != number[17]:
            return None
        try:
            born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            return None
        if not idcard.EARLIEST_BIRTH_DATE <= born <= self.today:
            return None
        return born, "M" if int(number[16]) % 2 else "F"

    def _program(self, result: RowResult, raw: dict[str, str]) -> None:
        column = self.heading["major"]
        major_text = raw["major"]
        if major_text not in self.majors:
            self.majors[major_text] = self.catalog.major(major_text)
        major = self.majors[major_text]
        if major is None:
            result.reject(
                _noop("No major %(value)s is known (give its name or national code)."),
                {"value": major_text[:60]},
                column=column,
            )
            return
        level, mode = result.values.get("level"), result.values.get("mode")
        if level is None or mode is None:
            return  # already rejected for the level or mode
        result.values["major_id"] = major
        program = self.catalog.programs.get((major, level, mode))
        if program is None:
            result.reject(
                _noop("The major %(major)s is not taught as %(level)s by %(mode)s."),
                {"major": major_text[:60], "level": raw["level"][:40], "mode": raw["mode"][:40]},
                column=column,
            )
        elif not program[1]:
            result.reject(
                _noop("The program %(program)s is no longer offered."),
                {"program": result.program},
                column=column,
            )
        else:
            result.values["program_id"] = program[0]

    def _station(self, result: RowResult, value: str) -> None:
        column = self.heading["station"]
        if value not in self.stations:
            self.stations[value] = self.catalog.stations.get(col.heading_key(value))
        station = self.stations[value]
        if station is None:
            result.reject(
                _noop("No station %(value)s is known (give its name or code)."),
                {"value": value[:60]},
                column=column,
            )
        elif not station[2]:
            result.reject(
                _noop("The station %(value)s is not active."), {"value": station[1]}, column=column
            )
        else:
            result.values["station_id"] = station[0]


# --- Across rows ----------------------------------------------------------------------------


def _reject_repeats(plan: Plan) -> None:
    """A 考生号 (or a person) twice in the file: which row is right cannot be told, so all
    of them are rejected, each naming the others."""
    by_exam: dict[str, list[RowResult]] = defaultdict(list)
    by_person: dict[str, list[RowResult]] = defaultdict(list)
    for row in plan.rows:
        if number := row.values.get("exam_number"):
            by_exam[number].append(row)
        if person := row.values.get("id_number"):
            by_person[person].append(row)
    heading = plan.columns.heading
    for groups, message, column in (
        (by_exam, _noop("This exam candidate number is also in rows %(rows)s."), "exam_number"),
        (by_person, _noop("This ID number is also in rows %(rows)s."), "id_number"),
    ):
        for rows in groups.values():
            if len(rows) > 1:
                for row in rows:
                    others = ", ".join(str(other.row) for other in rows if other is not row)
                    row.reject(message, {"rows": others}, column=heading[column])


def column_name(model: type[Model], field_name: str) -> str:
    """The database column of a model field (given by name or attname)."""
    field = model._meta.get_field(field_name)
    assert isinstance(field, Field)
    assert field.column
    return field.column


def _max_params() -> int:
    if connection.vendor == "sqlite":
        # Django assumes SQLite's old limit of 999; the library in use tells its own.
        try:
            limit = int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
        except (AttributeError, sqlite3.Error):
            limit = 999
        return min(limit, 30_000)
    return min(connection.features.max_query_params or 30_000, 30_000)


def _fetch(
    model: type[Model],
    columns: Sequence[str],
    where: str,
    key: str,
    values: Sequence[str],
    *,
    lock: bool = False,
) -> Iterator[tuple[Any, ...]]:
    """Rows of a table whose column `key` is one of the values, in as few queries as the
    database's limit on parameters allows (a raw query: thousands of values pass through
    the ORM's lookups slowly)."""
    quote = connection.ops.quote_name
    selected = ", ".join(quote(column_name(model, c)) for c in columns)
    key_column = quote(column_name(model, key))
    suffix = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    size = _max_params() - 10
    connection.ensure_connection()
    with connection.cursor() as cursor:
        for start in range(0, len(values), size):
            chunk = values[start : start + size]
            placeholders = ", ".join(["%s"] * len(chunk))
            # Only quoted names from the model's metadata and placeholders go into the text.
            sql = (
                f"SELECT {selected} FROM {quote(model._meta.db_table)} "  # noqa: S608
                f"WHERE {where}{key_column} IN ({placeholders}){suffix}"
            )
            cursor.execute(sql, list(chunk))
            yield from cursor.fetchall()


_EXISTING = ("id", "exam_number", "status", "student_id", "admission_year", *DATA_FIELDS)


def _compare_with_database(plan: Plan, *, lock: bool) -> None:
    valid = [row for row in plan.rows if row.action != Action.REJECT]
    if not valid:
        return
    heading = plan.columns.heading
    exam_numbers = [row.values["exam_number"] for row in valid]
    existing = {
        values[1]: dict(zip(_EXISTING, values, strict=True))
        for values in _fetch(Candidate, _EXISTING, "", "exam_number", exam_numbers, lock=lock)
    }
    students = {
        number: (id_number, name, student_number)
        for number, id_number, name, student_number in _fetch(
            Student,
            ("exam_number", "id_number", "name", "student_number"),
            "",
            "exam_number",
            exam_numbers,
        )
        if number not in existing  # a student without an admission record of their own
    }
    same_year = f"{connection.ops.quote_name('admission_year')} = {int(plan.admission_year)} AND "
    admitted_as = dict(
        _fetch(
            Candidate,
            ("id_number", "exam_number"),
            same_year,
            "id_number",
            [row.values["id_number"] for row in valid],
        )
    )
    fields = (*plan.written_fields(), "admission_year")
    for row in valid:
        row.values["admission_year"] = plan.admission_year
        number, person = row.values["exam_number"], row.values["id_number"]
        if (other := admitted_as.get(person)) and other != number:
            row.reject(
                _noop("This person is already admitted in %(year)d as candidate %(other)s."),
                {"year": plan.admission_year, "other": other},
                column=heading["id_number"],
            )
            continue
        if number in students:
            id_number, name, student_number = students[number]
            if id_number != person and name != row.values["name"]:
                _taken(row, heading)
            else:
                row.reject(
                    _noop(
                        "This candidate is already enrolled as student %(number)s; "
                        "admission data can no longer be changed here."
                    ),
                    {"number": student_number},
                    column=heading["exam_number"],
                )
            continue
        current = existing.get(number)
        if current is None:
            row.action = Action.CREATE
            continue
        if current["id_number"] != person and current["name"] != row.values["name"]:
            _taken(row, heading)
            continue
        row.candidate_id = current["id"]
        row.changed = [f for f in fields if current[f] != row.values[f]]
        if not row.changed:
            row.action = Action.UNCHANGED
        elif current["status"] == CandidateStatus.ENROLLED or current["student_id"]:
            changed = ", ".join(heading.get(FIELD_COLUMN.get(f, f), f) for f in row.changed)
            row.reject(
                _noop(
                    "This candidate is already enrolled; the changes to "
                    "%(columns)s were not applied (correct the student record "
                    "instead)."
                ),
                {"columns": changed},
                column=heading.get(FIELD_COLUMN.get(row.changed[0], row.changed[0]), ""),
            )
        else:
            row.action = Action.UPDATE


def _taken(row: RowResult, heading: dict[str, str]) -> None:
    row.reject(
        _noop("This exam candidate number belongs to another person (another name and ID number)."),
        column=heading["exam_number"],
    )
