"""Importing a project's roster from a spreadsheet (xlsx, xls, ods, csv in UTF-8 or GBK).

read (the admissions reader, headers by their Chinese names) -> check (`plan_roster`,
every row against the file, the database and the project's capacity) -> write
(`roster_import`, one transaction with the project row locked, bulk inserts).

Policy: like the admission import, the valid rows are written and the others rejected
with their row, column and reason; a file that cannot be read or lacks a required column
writes nothing. A person already on the roster is counted as unchanged, not rejected, so
re-importing the same file changes nothing. A person found by ID number keeps their file
as it is (the roster import does not edit files); a new person's file is created from the
row. Rows beyond the project's free places (in file order) are rejected.
"""

import datetime as dt
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop as _noop

from cems.accounts.models import User
from cems.admissions.issues import ImportStopped, Issue, clean
from cems.admissions.reader import read_sheet
from cems.core import idcard
from cems.core.audit import event
from cems.core.bulk import bulk_insert, db_value
from cems.core.services import who
from cems.training.models import (
    Employer,
    EmployerKind,
    Enrollment,
    EnrollmentStatus,
    Project,
    Trainee,
)

# field -> the headings it is known by (Chinese first: the one named in messages)
HEADINGS: dict[str, tuple[str, ...]] = {
    "name": ("姓名",),
    "id_number": ("身份证号", "身份证号码", "证件号码"),
    "gender": ("性别",),
    "birth_date": ("出生日期",),
    "phone": ("手机", "联系电话", "手机号", "手机号码"),
    "employer": ("工作单位", "单位"),
    "position": ("职务",),
    "education": ("学历",),
}
audit = logging.getLogger("cems.audit")


REQUIRED = ("name", "id_number", "gender")
GENDERS = {"男": "M", "女": "F", "M": "M", "F": "F", "男性": "M", "女性": "F"}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
CHUNK = 900  # values per IN (...) query: below SQLite's old parameter limit


def _canonical(heading: str) -> str:
    return re.sub(r"[\s*＊:：()（）]", "", heading)


_BY_HEADING = {_canonical(h): name for name, hs in HEADINGS.items() for h in hs}


def header_score(cells: Sequence[str]) -> int:
    return sum(1 for cell in cells if _canonical(cell) in _BY_HEADING)


@dataclass
class RosterRow:
    row: int
    id_number: str = ""
    name: str = ""
    gender: str = ""
    birth_date: dt.date | None = None
    phone: str = ""
    employer: str = ""
    position: str = ""
    education: str = ""
    issues: list[Issue] = field(default_factory=list)
    action: str = ""  # "created" (new enrollment), "unchanged", "rejected"
    new_trainee: bool = False


@dataclass
class RosterPlan:
    rows: list[RosterRow]
    warnings: list[Issue] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {"rows": len(self.rows), "created": 0, "unchanged": 0, "rejected": 0}
        for row in self.rows:
            counts[row.action] += 1
        counts["new_trainees"] = sum(
            1 for r in self.rows if r.action == "created" and r.new_trainee
        )
        return counts

    def problems(self) -> Iterable[tuple[int, Issue]]:
        for row in self.rows:
            for issue in row.issues:
                yield row.row, issue


def read_roster(data: bytes, file_name: str) -> tuple[list[RosterRow], list[Issue]]:
    """The rows of a roster file, each parsed and checked on its own (no database)."""
    sheet = read_sheet(data, file_name, header_score=header_score)
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    for index, heading in enumerate(sheet.header):
        name = _BY_HEADING.get(_canonical(heading))
        if name and name not in positions:
            positions[name] = index
            written[name] = heading
    missing = [HEADINGS[name][0] for name in REQUIRED if name not in positions]
    if missing:
        raise ImportStopped(
            _noop("The file has no column %(columns)s (its headings are in row %(row)d)."),
            {"columns": "、".join(missing), "row": sheet.header_row},
        )
    rows = []
    for number, cells in sheet.rows:
        values = {name: clean(cells[i]) if i < len(cells) else "" for name, i in positions.items()}
        rows.append(_parse_row(number, values, written))
    return rows, list(sheet.warnings)


def _column(name: str, written: dict[str, str]) -> str:
    return written.get(name, HEADINGS[name][0])


def _parse_row(number: int, values: dict[str, str], written: dict[str, str]) -> RosterRow:
    row = RosterRow(
        row=number,
        name=values.get("name", "")[:50],
        phone=values.get("phone", "")[:30],
        employer=values.get("employer", "")[:100],
        position=values.get("position", "")[:50],
        education=values.get("education", "")[:30],
    )
    issues = row.issues
    if not row.name:
        issues.append(Issue(_noop("The name is missing."), column=_column("name", written)))
    raw_id = idcard.normalize(values.get("id_number", ""))
    id_column = _column("id_number", written)
    parsed = None
    if not raw_id:
        issues.append(Issue(_noop("The ID number is missing."), column=id_column))
    else:
        if re.fullmatch(r"\d{15}", raw_id, re.ASCII):
            raw_id = idcard.upgrade_15_to_18(raw_id)
        try:
            parsed = idcard.parse(raw_id)
        except ValidationError as error:
            issues.extend(Issue.from_validation_error(error, id_column))
        else:
            row.id_number = parsed.number
    gender_text = values.get("gender", "").strip().upper()
    gender_column = _column("gender", written)
    gender = GENDERS.get(gender_text, "")
    if not gender:
        issues.append(
            Issue(
                _noop("The gender %(value)s is not 男 or 女."),
                {"value": gender_text},
                gender_column,
            )
        )
    elif parsed and gender != parsed.gender:
        issues.append(
            Issue(_noop("The gender disagrees with the ID number."), column=gender_column)
        )
    row.gender = gender
    birth_text = values.get("birth_date", "")
    if birth_text:
        birth_column = _column("birth_date", written)
        born = _date(birth_text)
        if born is None:
            issues.append(
                Issue(
                    _noop("The birth date %(value)s is not a date."),
                    {"value": birth_text},
                    birth_column,
                )
            )
        elif parsed and born != parsed.birth_date:
            issues.append(
                Issue(_noop("The birth date disagrees with the ID number."), column=birth_column)
            )
    if parsed:
        row.birth_date = parsed.birth_date
    return row


def _date(text: str) -> dt.date | None:
    text = text.strip().split(" ")[0]
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def plan_roster(project: Project, rows: list[RosterRow], warnings: list[Issue]) -> RosterPlan:
    """Decide each row against the database: unchanged (already on the roster), created (a
    new enrollment, and a new file if the person has none) or rejected."""
    seen: dict[str, int] = {}
    for row in rows:
        if row.issues:
            continue
        if row.id_number in seen:
            row.issues.append(
                Issue(
                    _noop("The ID number is also in row %(row)d."),
                    {"row": seen[row.id_number]},
                    "身份证号",
                )
            )
        else:
            seen[row.id_number] = row.row
    numbers = [row.id_number for row in rows if not row.issues]
    trainees = _in_chunks(Trainee.objects.values_list("id_number", "pk"), "id_number", numbers)
    enrolled = dict(Enrollment.objects.filter(project=project).values_list("trainee_id", "status"))
    taken = (
        Enrollment.objects.filter(project=project)
        .exclude(status=EnrollmentStatus.WITHDRAWN)
        .count()
    )
    free = max(0, project.capacity - taken)
    for row in rows:
        if row.issues:
            row.action = "rejected"
            continue
        pk = trainees.get(row.id_number)
        status = enrolled.get(pk) if pk is not None else None
        if status == EnrollmentStatus.WITHDRAWN:
            row.issues.append(
                Issue(
                    _noop(
                        "This person withdrew from the project; enroll them again on the "
                        "roster page."
                    ),
                    column="身份证号",
                )
            )
            row.action = "rejected"
        elif status is not None:
            row.action = "unchanged"
        elif free <= 0:
            row.issues.append(
                Issue(
                    _noop("The project is full (capacity %(capacity)d)."),
                    {"capacity": project.capacity},
                )
            )
            row.action = "rejected"
        else:
            free -= 1
            row.action = "created"
            row.new_trainee = pk is None
    return RosterPlan(rows, warnings)


def _in_chunks(queryset, lookup: str, values: list[str]) -> dict:  # type: ignore[no-untyped-def,type-arg]
    found: dict = {}  # type: ignore[type-arg]
    for start in range(0, len(values), CHUNK):
        found.update(queryset.filter(**{f"{lookup}__in": values[start : start + CHUNK]}))
    return found


def roster_import(
    *, project_id: int, data: bytes, file_name: str, actor: User | None = None
) -> RosterPlan:
    """Read, check and write a roster file for the project (see the module's policy).
    Raises ImportStopped, writing nothing, when the file cannot be imported at all."""
    rows, warnings = read_roster(data, file_name)
    with transaction.atomic():
        # The lock serialises imports and web enrollments into the same project, so that
        # capacity holds under concurrency.
        project = Project.objects.select_for_update().get(pk=project_id)
        plan = plan_roster(project, rows, warnings)
        _write(project, plan)
    audit.info("training roster %s imported onto project %s by %s: %s", file_name, project.pk,
               who(actor), plan.counts(),
               extra=event(actor, "training.roster_import", project))  # fmt: skip
    return plan


def _write(project: Project, plan: RosterPlan) -> None:
    accepted = [row for row in plan.rows if row.action == "created"]
    if not accepted:
        return
    now = db_value(Trainee, "created_at", timezone.now())
    names = sorted({row.employer for row in accepted if row.employer})
    employers = _in_chunks(Employer.objects.values_list("name", "pk"), "name", names)
    new_names = [name for name in names if name not in employers]
    bulk_insert(Employer, ["name", "kind", "region", "contact_person", "contact_phone"],
                ((name, EmployerKind.OTHER, "", "", "") for name in new_names))  # fmt: skip
    employers.update(_in_chunks(Employer.objects.values_list("name", "pk"), "name", new_names))
    new_people = [row for row in accepted if row.new_trainee]
    bulk_insert(
        Trainee,
        [
            "id_number",
            "name",
            "gender",
            "birth_date",
            "phone",
            "employer",
            "position",
            "education",
            "created_at",
        ],
        (
            (
                row.id_number,
                row.name,
                row.gender,
                row.birth_date.isoformat() if row.birth_date else None,
                row.phone,
                employers.get(row.employer),
                row.position,
                row.education,
                now,
            )
            for row in new_people
        ),
    )
    numbers = [row.id_number for row in accepted]
    trainees = _in_chunks(Trainee.objects.values_list("id_number", "pk"), "id_number", numbers)
    employer_of = dict(
        _in_chunks(Trainee.objects.values_list("id_number", "employer_id"), "id_number", numbers)
    )
    bulk_insert(
        Enrollment,
        ["project", "trainee", "employer", "status", "enrolled_at"],
        (
            (
                project.pk,
                trainees[row.id_number],
                employers.get(row.employer) if row.employer else employer_of.get(row.id_number),
                EnrollmentStatus.ENROLLED,
                now,
            )
            for row in accepted
        ),
    )
