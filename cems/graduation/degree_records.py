"""The records the degree audit reads: theses, disciplinary records and foreign-language
exam results (imported from the exam authority's list), with their writes and reads.

A language results file is imported all or nothing: every row is checked, and if one has
an error nothing is written and every error is reported with its row and column, so the
file can be corrected and imported again. A result is one sitting (student, exam, date):
importing the same file again changes nothing; a corrected score or certificate number
for a sitting already recorded updates it.
"""

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

from cems.accounts.access import Capability, audited_students_for, has_capability
from cems.accounts.models import User
from cems.admissions.columns import compact, heading_key
from cems.admissions.issues import ImportStopped, Issue, clean
from cems.admissions.reader import read_sheet
from cems.catalog.models import Level
from cems.core import idcard
from cems.core.audit import event
from cems.graduation.models import DisciplinaryRecord, LanguageExam, LanguageResult, Thesis
from cems.students.models import Student, StudentNumberChange

audit = logging.getLogger("cems.audit")

ONE_DECIMAL = Decimal("0.1")
EARLIEST_EXAM = dt.date(1980, 1, 1)


def _require(actor: User, capability: Capability) -> None:
    if not has_capability(actor, capability):
        raise PermissionDenied


def _in_scope(actor: User, student: Student) -> Student:
    """The student, if the actor may manage their records (else PermissionDenied)."""
    _require(actor, Capability.MANAGE_DEGREE_RECORDS)
    found = audited_students_for(actor).select_related("program").filter(pk=student.pk).first()
    if found is None:
        raise PermissionDenied
    return found


# --- Theses ----------------------------------------------------------------------------------


def thesis_record(
    *,
    actor: User,
    student: Student,
    title: str,
    score: Decimal | None,
    defended: bool,
    defended_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Thesis:
    """Record or correct a bachelor student's thesis: its title, grade and defence."""
    student = _in_scope(actor, student)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not student.program.is_bachelor:
        raise ValidationError(
            _("Only students of bachelor programs write a degree thesis."), code="not_bachelor"
        )
    if defended_on is not None and not defended:
        errors["defended_on"] = [_("A defence date is given only for a defended thesis.")]
    if defended_on is not None and defended_on > today:
        errors["defended_on"] = [_("The defence date is in the future.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            thesis = Thesis.objects.select_for_update().filter(student=student).first()
            before = None if thesis is None else (thesis.title, thesis.score, thesis.defended)
            if thesis is None:
                thesis = Thesis(student=student)
            thesis.title = title.strip()
            thesis.score = score
            thesis.defended = defended
            thesis.defended_on = defended_on
            thesis.full_clean()
            thesis.save()
    except IntegrityError as error:
        raise ValidationError(
            _("The thesis was recorded meanwhile by someone else; open it again."),
            code="conflict",
        ) from error
    audit.info(
        "thesis of student %s: %s -> %s by %s",
        student.pk,
        before,
        (thesis.title, thesis.score, thesis.defended),
        actor.username,
        extra=event(
            actor, "thesis.save", thesis, summary=f"thesis of student {student.pk} recorded"
        ),
    )
    return thesis


# --- Disciplinary records -------------------------------------------------------------------


def disciplinary_add(
    *,
    actor: User,
    student: Student,
    issued_on: dt.date,
    description: str,
    today: dt.date | None = None,
) -> DisciplinaryRecord:
    student = _in_scope(actor, student)
    today = today or timezone.localdate()
    if issued_on > today:
        raise ValidationError({"issued_on": [_("The date is in the future.")]})
    record = DisciplinaryRecord(
        student=student, issued_on=issued_on, description=description.strip(), recorded_by=actor
    )
    record.full_clean()
    record.save()
    audit.info(
        "disciplinary record %s for student %s (%s) by %s",
        record.pk,
        student.pk,
        issued_on,
        actor.username,
        extra=event(actor, "discipline.record", record),
    )
    return record


def disciplinary_revoke(
    *,
    actor: User,
    record: DisciplinaryRecord,
    revoked_on: dt.date,
    today: dt.date | None = None,
) -> DisciplinaryRecord:
    """Revoke a sanction (撤销处分) from a date; from then on it no longer bars the degree."""
    _require(actor, Capability.MANAGE_DEGREE_RECORDS)
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = (
            DisciplinaryRecord.objects.select_for_update()
            .filter(pk=record.pk, student__in=audited_students_for(actor))
            .first()
        )
        if locked is None:
            raise PermissionDenied
        if locked.revoked_on is not None:
            raise ValidationError(
                _("The record was revoked on %(date)s."),
                params={"date": locked.revoked_on.isoformat()},
                code="revoked",
            )
        if revoked_on < locked.issued_on:
            raise ValidationError(
                {"revoked_on": [_("A record is revoked after the date it was issued.")]}
            )
        if revoked_on > today:
            raise ValidationError({"revoked_on": [_("The date is in the future.")]})
        locked.revoked_on = revoked_on
        locked.save(update_fields=["revoked_on"])
    audit.info(
        "disciplinary record %s revoked on %s by %s",
        locked.pk,
        revoked_on,
        actor.username,
        extra=event(actor, "discipline.revoke", locked),
    )
    return locked


# --- Foreign-language results: the file ---------------------------------------------------------


@dataclass(frozen=True)
class LanguageColumn:
    key: str
    headings: tuple[str, ...]


LANGUAGE_COLUMNS = (
    LanguageColumn("student_number", ("学号", "学生学号", "xh")),
    LanguageColumn("id_number", ("身份证号", "身份证号码", "身份证", "证件号码", "sfzh")),
    LanguageColumn("name", ("姓名", "考生姓名", "xm")),
    LanguageColumn("exam", ("考试类别", "考试类型", "考试名称", "考试科目", "类别")),
    LanguageColumn("exam_date", ("考试日期", "考试时间", "日期")),
    LanguageColumn("score", ("成绩", "分数", "总分", "cj")),
    LanguageColumn("certificate_number", ("证书编号", "证书号", "合格证书编号", "成绩单编号")),
)
_HEADINGS = {heading_key(h): c.key for c in LANGUAGE_COLUMNS for h in c.headings}
_REQUIRED = ("exam", "exam_date", "score")

# What a 考试类别 cell may say, compared without spaces, hyphens and case.
_EXAMS = {
    LanguageExam.ADULT_DEGREE_ENGLISH: (
        "成人学位英语", "成人学士学位英语", "学士学位英语", "学位英语", "成人英语",
        "adultenglish", "adult_english",
    ),
    LanguageExam.CET4: ("大学英语四级", "英语四级", "四级", "cet4", "cet"),
}  # fmt: skip
_EXAM_INDEX = {heading_key(word): exam for exam, words in _EXAMS.items() for word in words}
MAX_SCORE: dict[str, Decimal] = {
    LanguageExam.ADULT_DEGREE_ENGLISH.value: Decimal(100),
    LanguageExam.CET4.value: Decimal(710),
}
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00)?)?\Z"
)
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})\Z")


def _header_score(cells: Sequence[str]) -> int:
    return sum(1 for cell in cells if heading_key(cell) in _HEADINGS)


class Invalid(Exception):
    def __init__(self, message: str, params: dict[str, str | int] | None = None) -> None:
        self.message = message
        self.params = params or {}


def parse_exam(value: str) -> str:
    exam = _EXAM_INDEX.get(heading_key(value))
    if exam is None:
        raise Invalid(
            _noop("%(value)s is not an exam of the degree: 成人学位英语 or 大学英语四级 (CET-4)."),
            {"value": value[:40]},
        )
    return str(exam)


def parse_exam_date(value: str, *, today: dt.date) -> dt.date:
    """2024-06-15, 2024/6/15, 2024.6.15, 2024年6月15日 or 20240615."""
    match = _DATE.match(value) or _DATE_DIGITS.match(value)
    if not match:
        raise Invalid(_noop("%(value)s is not a date (e.g. 2024-06-15)."), {"value": value[:40]})
    try:
        day = dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise Invalid(_noop("%(value)s is not a real date."), {"value": value[:40]}) from None
    if day < EARLIEST_EXAM or day > today:
        raise Invalid(_noop("%(value)s is not a plausible exam date."), {"value": value[:40]})
    return day


def parse_exam_score(value: str, exam: str | None) -> Decimal:
    text = unicodedata.normalize("NFKC", value).strip()
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise Invalid(_noop("%(value)s is not a score."), {"value": value[:40]}) from None
    highest = MAX_SCORE.get(exam or "", max(MAX_SCORE.values()))
    if not score.is_finite() or not 0 <= score <= highest:
        raise Invalid(
            _noop("%(value)s is not a score from 0 to %(max)s."),
            {"value": value[:40], "max": str(highest)},
        )
    if score != score.quantize(ONE_DECIMAL):
        raise Invalid(_noop("%(value)s has more than one decimal."), {"value": value[:40]})
    return score.quantize(ONE_DECIMAL)


@dataclass
class LanguageRow:
    number: int  # the row as the user sees it in the file
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)
    action: str = ""  # create, update, unchanged (for rows without errors)
    result_id: int | None = None


@dataclass
class LanguageImport:
    file_format: str
    encoding: str
    rows: list[LanguageRow]
    written: bool  # False for a dry run or when some row has an error

    @property
    def rejected(self) -> list[LanguageRow]:
        return [row for row in self.rows if row.errors]

    def counts(self) -> dict[str, int]:
        """rows, created, updated, unchanged, rejected; created and updated are 0 when
        nothing was written because of rejected rows."""
        actions = [row.action for row in self.rows if not row.errors]
        refused = bool(self.rejected)
        return {
            "rows": len(self.rows),
            "created": 0 if refused else actions.count("create"),
            "updated": 0 if refused else actions.count("update"),
            "unchanged": actions.count("unchanged"),
            "rejected": len(self.rejected),
        }

    def problems(self) -> list[tuple[int, str, str]]:
        """(row, column, reason) of every error, the reason in the active language."""
        return [(row.number, issue.column, issue.text()) for row in self.rows
                for issue in row.errors]  # fmt: skip


def _map_columns(header: Sequence[str]) -> dict[str, tuple[int, str]]:
    """key → (position, the heading as written); a missing required column stops the file."""
    found: dict[str, tuple[int, str]] = {}
    for position, text in enumerate(header):
        key = _HEADINGS.get(heading_key(text))
        if key and key not in found:
            found[key] = (position, clean(text))
    missing = [key for key in _REQUIRED if key not in found]
    if "student_number" not in found and "id_number" not in found:
        missing.insert(0, "student")
    if missing:
        names = {"student": "学号 / 身份证号", "exam": "考试类别", "exam_date": "考试日期",
                 "score": "成绩"}  # fmt: skip
        raise ImportStopped(
            _noop("The file lacks the columns %(columns)s (headings in the first rows)."),
            {"columns": ", ".join(names[key] for key in missing)},
        )
    return found


def language_results_import(
    *,
    data: bytes,
    file_name: str,
    actor: User | None,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> LanguageImport:
    """Check a results file and, when no row has an error, write it in one transaction.
    Raises ImportStopped (nothing written) for a file that cannot be read or lacks a
    required column. `actor` None: the command line, matching any student."""
    if actor is not None:
        _require(actor, Capability.MANAGE_DEGREE_RECORDS)
    today = today or timezone.localdate()
    sheet = read_sheet(data, file_name, header_score=_header_score)
    columns = _map_columns(sheet.header)
    heading = {key: text for key, (_position, text) in columns.items()}
    students = Student.objects.all() if actor is None else audited_students_for(actor)
    try:
        with transaction.atomic():
            rows = _check_rows(sheet.rows, columns, heading, students, today)
            written = not dry_run and not any(row.errors for row in rows)
            if written:
                _write(rows)
    except IntegrityError as error:
        raise ImportStopped(
            _noop("Another import recorded some of these results at the same time; try again.")
        ) from error
    outcome = LanguageImport(sheet.file_format, sheet.encoding, rows, written)
    audit.info(
        "language results %s (%s): %s, %s by %s",
        clean(PurePath(file_name).name),
        sheet.file_format,
        "written" if written else "not written",
        outcome.counts(),
        actor.username if actor else "command",
        extra=event(actor, "language_results.import", "graduation.LanguageResult"),
    )
    return outcome


def _cell(cells: list[str], columns: dict[str, tuple[int, str]], key: str) -> str:
    if key not in columns:
        return ""
    position = columns[key][0]
    return clean(cells[position].strip()) if position < len(cells) else ""


def _check_rows(
    sheet_rows: list[tuple[int, list[str]]],
    columns: dict[str, tuple[int, str]],
    heading: dict[str, str],
    students: QuerySet[Student],
    today: dt.date,
) -> list[LanguageRow]:
    rows = []
    for number, cells in sheet_rows:
        row = LanguageRow(number)
        rows.append(row)
        raw = {key: _cell(cells, columns, key) for key in columns}
        row.values["raw"] = raw
        for key in ("exam", "exam_date", "score"):
            if not raw[key]:
                row.errors.append(Issue(_noop("The cell is empty."), column=heading[key]))
        try:
            if raw["exam"]:
                row.values["exam"] = parse_exam(raw["exam"])
        except Invalid as invalid:
            row.errors.append(Issue(invalid.message, invalid.params, heading["exam"]))
        try:
            if raw["exam_date"]:
                row.values["exam_date"] = parse_exam_date(raw["exam_date"], today=today)
        except Invalid as invalid:
            row.errors.append(Issue(invalid.message, invalid.params, heading["exam_date"]))
        try:
            if raw["score"]:
                row.values["score"] = parse_exam_score(raw["score"], row.values.get("exam"))
        except Invalid as invalid:
            row.errors.append(Issue(invalid.message, invalid.params, heading["score"]))
        certificate = raw.get("certificate_number", "")
        if len(certificate) > 40:
            row.errors.append(
                Issue(
                    _noop("The certificate number is longer than 40 characters."),
                    column=heading["certificate_number"],
                )
            )
        row.values["certificate_number"] = certificate[:40]
        student_number = compact(raw.get("student_number", ""))
        id_text = idcard.normalize(raw.get("id_number", ""))
        if not student_number and not id_text:
            where = heading.get("student_number") or heading["id_number"]
            row.errors.append(Issue(_noop("Neither 学号 nor 身份证号 is given."), column=where))
        row.values["student_number"] = student_number
        row.values["id_number"] = _full_id_number(id_text)
    _match_students(rows, heading, students)
    _find_duplicates(rows)
    _plan_actions(rows)
    return rows


def _full_id_number(value: str) -> str:
    if len(value) == 15 and value.isdigit():
        try:
            return idcard.upgrade_15_to_18(value)
        except ValueError:
            return value
    return value


def _match_students(
    rows: list[LanguageRow], heading: dict[str, str], students: QuerySet[Student]
) -> None:
    """Find each row's student by 学号 (current or former) or 身份证号: three queries."""
    numbers = {row.values["student_number"] for row in rows if row.values["student_number"]}
    ids = {row.values["id_number"] for row in rows if row.values["id_number"]}
    fields = ("pk", "student_number", "id_number", "name", "program__level")
    by_number = {s[1]: s for s in students.filter(student_number__in=numbers).values_list(*fields)}
    former = dict(
        StudentNumberChange.objects.filter(old_number__in=numbers - set(by_number))
        .filter(student__in=students)
        .values_list("old_number", "student_id")
    )
    by_id: dict[str, list[tuple[Any, ...]]] = {}
    for student in students.filter(
        Q(id_number__in=ids) | Q(pk__in=list(former.values()))
    ).values_list(*fields):
        by_id.setdefault(student[2], []).append(student)
    by_pk = {s[0]: s for group in by_id.values() for s in group}
    for row in rows:
        number, id_number = row.values["student_number"], row.values["id_number"]
        found = None
        if number:
            found = by_number.get(number) or by_pk.get(former.get(number, -1))
            if found is None:
                row.errors.append(
                    Issue(
                        _noop("No student has the number %(value)s."),
                        {"value": number[:40]},
                        heading["student_number"],
                    )
                )
                continue
            if id_number and found[2] != id_number:
                row.errors.append(
                    Issue(
                        _noop("The ID number is not that of student %(number)s."),
                        {"number": found[1]},
                        heading["id_number"],
                    )
                )
                continue
        elif id_number:
            group = by_id.get(id_number, [])
            bachelors = [s for s in group if s[4] in Level.bachelor_levels()]
            if len(group) == 1:
                found = group[0]
            elif len(bachelors) == 1:
                found = bachelors[0]
            elif not group:
                row.errors.append(
                    Issue(_noop("No student has this ID number."), column=heading["id_number"])
                )
                continue
            else:
                row.errors.append(
                    Issue(
                        _noop("Several students have this ID number: give the 学号."),
                        column=heading["id_number"],
                    )
                )
                continue
        else:
            continue
        name = row.values["raw"].get("name", "")
        if name and heading_key(name) != heading_key(found[3]):
            row.errors.append(
                Issue(
                    _noop("The name %(value)s is not that of student %(number)s."),
                    {"value": name[:40], "number": found[1]},
                    heading["name"],
                )
            )
            continue
        row.values["student_id"] = found[0]


def _find_duplicates(rows: list[LanguageRow]) -> None:
    first: dict[tuple[int, str, dt.date], int] = {}
    for row in rows:
        key = _sitting(row)
        if key is None:
            continue
        if key in first:
            row.errors.append(
                Issue(_noop("The same sitting is on row %(row)d."), {"row": first[key]})
            )
        else:
            first[key] = row.number


def _sitting(row: LanguageRow) -> tuple[int, str, dt.date] | None:
    values = row.values
    if row.errors or not all(k in values for k in ("student_id", "exam", "exam_date", "score")):
        return None
    return (values["student_id"], values["exam"], values["exam_date"])


def _plan_actions(rows: list[LanguageRow]) -> None:
    """Create, update or leave unchanged each sitting; the rows read under a lock."""
    student_ids = {row.values["student_id"] for row in rows if _sitting(row)}
    existing = {
        (r.student_id, r.exam, r.exam_date): r
        for r in LanguageResult.objects.select_for_update().filter(student_id__in=student_ids)
    }
    for row in rows:
        key = _sitting(row)
        if key is None:
            continue
        held = existing.get(key)
        if held is None:
            row.action = "create"
        elif (held.score, held.certificate_number) == (
            row.values["score"],
            row.values["certificate_number"],
        ):
            row.action, row.result_id = "unchanged", held.pk
        else:
            row.action, row.result_id = "update", held.pk


def _write(rows: list[LanguageRow]) -> None:
    LanguageResult.objects.bulk_create(
        [
            LanguageResult(
                student_id=row.values["student_id"],
                exam=row.values["exam"],
                exam_date=row.values["exam_date"],
                score=row.values["score"],
                certificate_number=row.values["certificate_number"],
            )
            for row in rows
            if row.action == "create"
        ],
        batch_size=1000,
    )
    updates = [
        LanguageResult(
            pk=row.result_id,
            score=row.values["score"],
            certificate_number=row.values["certificate_number"],
        )
        for row in rows
        if row.action == "update"
    ]
    LanguageResult.objects.bulk_update(updates, ["score", "certificate_number"], batch_size=1000)
