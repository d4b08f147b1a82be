"""Writes to student records: student numbers (学号), enrollment of admitted candidates,
renumbering after a change of program, and the log of every unmasking and export of
personal data. Each service validates, writes in one transaction and records who did it."""

import logging
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from cems.accounts.access import sees_personal_data
from cems.accounts.models import User
from cems.admissions.models import Candidate, CandidateStatus
from cems.catalog.models import Level, Program, StudyMode
from cems.core.audit import event
from cems.core.models import PersonalDataLog
from cems.core.services import records_export_log
from cems.core.signals import bulk_written
from cems.organization.models import Station
from cems.students.models import (
    StatusChangeRequest,
    Student,
    StudentClass,
    StudentNumberChange,
)
from cems.students.selectors import starts_with

audit = logging.getLogger("cems.audit")

PATTERN_FIELDS = frozenset({"college", "year", "major", "station", "seq"})
PERSONAL_FIELDS = "id_number,phone,birth_date"


# --- Student numbers -------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberPattern:
    """settings.CEMS_STUDENT_NUMBER_PATTERN split around its one {seq} field: the numbers
    that share what comes before and after it (e.g. college, year and major) share one
    sequence."""

    head: str
    seq_spec: str
    tail: str

    @classmethod
    def from_settings(cls) -> "NumberPattern":
        return cls.parse(settings.CEMS_STUDENT_NUMBER_PATTERN)

    @classmethod
    def parse(cls, template: str) -> "NumberPattern":
        parts: list[list[str]] = [[], []]
        seq_spec = None
        try:
            fields = list(string.Formatter().parse(template))
        except ValueError as error:
            raise ImproperlyConfigured(f"CEMS_STUDENT_NUMBER_PATTERN: {error}") from error
        for literal, name, spec, conversion in fields:
            side = parts[0 if seq_spec is None else 1]
            side.append(literal.replace("{", "{{").replace("}", "}}"))
            if name is None:
                continue
            if name not in PATTERN_FIELDS:
                raise ImproperlyConfigured(
                    f"CEMS_STUDENT_NUMBER_PATTERN: unknown field {{{name}}}; "
                    f"use {', '.join(sorted(PATTERN_FIELDS))}"
                )
            if name == "seq":
                if seq_spec is not None:
                    raise ImproperlyConfigured("CEMS_STUDENT_NUMBER_PATTERN: {seq} twice")
                seq_spec = spec or "d"
                continue
            side.append("{" + name + (f"!{conversion}" if conversion else "")
                        + (f":{spec}" if spec else "") + "}")  # fmt: skip
        if seq_spec is None:
            raise ImproperlyConfigured("CEMS_STUDENT_NUMBER_PATTERN needs a {seq} field")
        return cls(head="".join(parts[0]), seq_spec=seq_spec, tail="".join(parts[1]))

    def affixes(self, *, program: Program, year: int, station: Station) -> tuple[str, str]:
        """What comes before and after the sequence for this program, year and station."""
        values = {
            "college": settings.CEMS_COLLEGE_CODE,
            "year": year,
            "major": program.major.short_code,
            "station": station.code,
        }
        return self.head.format(**values), self.tail.format(**values)

    def number(self, prefix: str, seq: int, suffix: str) -> str:
        return f"{prefix}{format(seq, self.seq_spec)}{suffix}"

    @staticmethod
    def sequence_of(number: str, prefix: str, suffix: str) -> int | None:
        """The sequence in a number of this prefix and suffix, None if it has none."""
        if not number.startswith(prefix) or not number.endswith(suffix):
            return None
        middle = number[len(prefix) : len(number) - len(suffix)]
        return int(middle) if middle.isdigit() else None


def _highest_sequence(prefix: str, suffix: str) -> int:
    """The highest sequence ever given under this prefix and suffix, among the students'
    numbers and the old numbers in the history (never given again): one query."""
    numbers = (
        Student.objects.filter(starts_with("student_number", prefix))
        .order_by()
        .values_list("student_number", flat=True)
        .union(
            StudentNumberChange.objects.filter(starts_with("old_number", prefix))
            .order_by()
            .values_list("old_number", flat=True),
            all=True,
        )
    )
    sequences = (NumberPattern.sequence_of(n, prefix, suffix) for n in numbers)
    return max((seq for seq in sequences if seq is not None), default=0)


def _allocate_numbers(items: list[tuple[Program, int, Station]]) -> list[str]:
    """New student numbers for (program, year, station) items, in their order: one query
    per sequence (e.g. per year and major), not per student."""
    pattern = NumberPattern.from_settings()
    affixes = [pattern.affixes(program=p, year=y, station=s) for p, y, s in items]
    highest = {key: _highest_sequence(*key) for key in dict.fromkeys(affixes)}
    numbers = []
    limit = Student._meta.get_field("student_number").max_length or 20
    for prefix, suffix in affixes:
        highest[prefix, suffix] += 1
        number = pattern.number(prefix, highest[prefix, suffix], suffix)
        if len(number) > limit:
            raise ValidationError(
                _("Student number %(number)s is longer than %(limit)d characters.")
                % {"number": number, "limit": limit}
            )
        numbers.append(number)
    return numbers


def next_student_number(*, program: Program, year: int, station: Station) -> str:
    """The next free 学号 for a student of this program, admission year and station, from
    settings.CEMS_STUDENT_NUMBER_PATTERN; its sequence follows the highest number ever given
    with the same prefix (current numbers and the number history)."""
    return _allocate_numbers([(program, year, station)])[0]


# --- Classes ---------------------------------------------------------------------------------

LEVEL_CODES = {Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE: "GZ", Level.JUNIOR_COLLEGE_TO_BACHELOR: "ZB",
               Level.HIGH_SCHOOL_TO_BACHELOR: "GB"}  # fmt: skip
# Class names are data in the school's language, whatever the user's.
LEVEL_NAMES = {Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE: "高起专",
               Level.JUNIOR_COLLEGE_TO_BACHELOR: "专升本",
               Level.HIGH_SCHOOL_TO_BACHELOR: "高起本"}  # fmt: skip
MODE_CODES = {StudyMode.CORRESPONDENCE: "H", StudyMode.SPARE_TIME: "Y"}
MODE_NAMES = {StudyMode.CORRESPONDENCE: "函授", StudyMode.SPARE_TIME: "业余"}

ClassKey = tuple[int, int, int]  # station id, program id, cohort year


def class_code(*, station: Station, program: Program, cohort_year: int) -> str:
    """e.g. 2026-ZD4302-001-ZBH: cohort, station, major, level and mode."""
    level, mode = LEVEL_CODES[Level(program.level)], MODE_CODES[StudyMode(program.mode)]
    return f"{cohort_year}-{station.code}-{program.major.short_code}-{level}{mode}"


def class_name(*, station: Station, program: Program, cohort_year: int) -> str:
    """e.g. 2026级计算机科学与技术专升本函授长沙班."""
    level, mode = LEVEL_NAMES[Level(program.level)], MODE_NAMES[StudyMode(program.mode)]
    place = station.city or station.name
    return f"{cohort_year}级{program.major.name}{level}{mode}{place}班"


def classes_ensure(
    wanted: dict[ClassKey, tuple[Station, Program]],
) -> dict[ClassKey, StudentClass]:
    """The class of each (station, program, cohort), created (in bulk) where missing; where
    a key has several classes, the first by code. Two queries, three when some are new."""
    if not wanted:
        return {}
    station_ids = {key[0] for key in wanted}
    program_ids = {key[1] for key in wanted}
    years = {key[2] for key in wanted}
    found: dict[ClassKey, StudentClass] = {}
    existing = StudentClass.objects.filter(
        station_id__in=station_ids, program_id__in=program_ids, cohort_year__in=years
    ).order_by("code")
    for klass in existing:
        found.setdefault((klass.station_id, klass.program_id, klass.cohort_year), klass)
    missing = {
        key: StudentClass(
            code=class_code(station=station, program=program, cohort_year=key[2]),
            name=class_name(station=station, program=program, cohort_year=key[2]),
            station=station,
            program=program,
            cohort_year=key[2],
        )
        for key, (station, program) in wanted.items()
        if key not in found
    }
    if missing:
        codes = [klass.code for klass in missing.values()]
        taken = set(StudentClass.objects.filter(code__in=codes).values_list("code", flat=True))
        for klass in missing.values():
            base, serial = klass.code, 2
            while klass.code in taken:  # a class made by hand under this code: keep both
                klass.code, serial = f"{base}-{serial}", serial + 1
            taken.add(klass.code)
        StudentClass.objects.bulk_create(missing.values(), batch_size=1000)
        found.update(missing)
    return found


def student_class_for(*, station: Station, program: Program, cohort_year: int) -> StudentClass:
    """The class of the students of this program and cohort at this station (created if
    missing): enrollment, a change of program or a change of station put a student there."""
    key = (station.pk, program.pk, cohort_year)
    return classes_ensure({key: (station, program)})[key]


# --- Enrollment ------------------------------------------------------------------------------

# Numbers follow the stations and programs and then the exam numbers, so that the students
# of a class have consecutive numbers.
ENROLL_ORDER = ("admission_year", "program__major__short_code", "station__code", "program_id",
                "exam_number")  # fmt: skip
# Checked by enrollment itself: these come from rows of the database.
_RELATED = ["station", "program", "student_class", "user"]


def _enroll_errors(candidates: list[Candidate], requested: int) -> list[str]:
    errors = []
    if len(candidates) != requested:
        errors.append(_("Some of the candidates no longer exist."))
    done = [
        c.exam_number for c in candidates if c.status != CandidateStatus.ADMITTED or c.student_id
    ]
    if done:
        errors.append(_("Already enrolled: %(numbers)s.") % {"numbers": ", ".join(done[:20])})
    exam_numbers = [c.exam_number for c in candidates]
    taken = list(
        Student.objects.filter(exam_number__in=exam_numbers).values_list("exam_number", flat=True)
    )
    if taken:
        errors.append(
            _("A student record already has the exam candidate number %(numbers)s.")
            % {"numbers": ", ".join(sorted(taken)[:20])}
        )
    return errors


@transaction.atomic
def students_enroll(*, actor: User, candidates: Iterable[Candidate]) -> list[Student]:
    """Enroll admitted candidates as students, all of them or none: each gets a 学号 (see
    next_student_number), their station, program, cohort (the admission year) and the class
    of those three, created where missing. Bulk writes, one transaction."""
    if isinstance(candidates, QuerySet):
        ids = list(candidates.order_by().values_list("pk", flat=True))
    else:
        ids = [candidate.pk for candidate in candidates]
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    locked = list(
        Candidate.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("station", "program__major")
        .order_by(*ENROLL_ORDER)
    )
    if errors := _enroll_errors(locked, len(ids)):
        raise ValidationError(errors)

    numbers = _allocate_numbers([(c.program, c.admission_year, c.station) for c in locked])
    classes = classes_ensure(
        {(c.station_id, c.program_id, c.admission_year): (c.station, c.program) for c in locked}
    )
    default_ethnicity = Student._meta.get_field("ethnicity").get_default()
    students, problems = [], []
    for candidate, number in zip(locked, numbers, strict=True):
        student = Student(
            student_number=number,
            exam_number=candidate.exam_number,
            name=candidate.name,
            gender=candidate.gender,
            id_number=candidate.id_number,
            birth_date=candidate.birth_date,
            ethnicity=candidate.ethnicity or default_ethnicity,
            phone=candidate.phone,
            station=candidate.station,
            program=candidate.program,
            cohort_year=candidate.admission_year,
            student_class=classes[
                candidate.station_id, candidate.program_id, candidate.admission_year
            ],
        )
        try:
            # Uniqueness is checked above for all at once and guaranteed for the numbers.
            student.full_clean(exclude=_RELATED, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            problems.append(
                f"{candidate.exam_number} {candidate.name}: {'; '.join(error.messages)}"
            )
        students.append(student)
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            Student.objects.bulk_create(students, batch_size=1000)
            bulk_written.send(sender=Student)
    except IntegrityError as error:
        # Another enrollment took some of these numbers in the meantime.
        raise ValidationError(
            _("The student numbers changed while enrolling; please enroll again.")
        ) from error
    # One statement links every candidate to the student that carries its exam number.
    Candidate.objects.filter(pk__in=[c.pk for c in locked]).update(
        status=CandidateStatus.ENROLLED,
        student=Subquery(Student.objects.filter(exam_number=OuterRef("exam_number")).values("pk")),
        updated_at=timezone.now(),
    )
    audit.info(
        "%d candidates enrolled by %s",
        len(students),
        actor.username,
        extra=event(
            actor,
            "student.enroll",
            "students.Student",
            details={"students": [s.pk for s in students]},
        ),
    )
    return students


# --- A new number after a change of program --------------------------------------------------


@transaction.atomic
def student_renumber(
    *, student: Student, program: Program, request: StatusChangeRequest | None = None
) -> StudentNumberChange:
    """Move a student to a new program (a change of major or study mode, approved through
    `request`) with a new 学号 for it; the old number stays in StudentNumberChange and is
    never given again. The student also moves to the class of the new program."""
    if program.pk == student.program_id:
        raise ValidationError(_("The student is already in this program."))
    new_number = next_student_number(
        program=program, year=student.cohort_year, station=student.station
    )
    change = StudentNumberChange.objects.create(
        student=student, old_number=student.student_number, new_number=new_number, request=request
    )
    student.student_number = new_number
    student.program = program
    student.student_class = student_class_for(
        station=student.station, program=program, cohort_year=student.cohort_year
    )
    student.save(update_fields=["student_number", "program", "student_class", "updated_at"])
    audit.info(
        "student %s renumbered %s -> %s",
        student.pk,
        change.old_number,
        new_number,
        extra=event(
            None,
            "student.renumber",
            student,
            summary=f"student {student.pk} renumbered",
            details={"field": "student_number", "from": change.old_number, "to": new_number},
        ),
    )
    return change


# --- Personal data: every unmasking and every export is logged -------------------------------


@transaction.atomic
def personal_data_unmask(*, actor: User, student: Student, reason: str = "") -> PersonalDataLog:
    """Log that `actor` has one student's ID number, phone and birth date shown in full.
    The caller has found the student in the actor's scope."""
    if not sees_personal_data(actor):
        raise PermissionDenied
    log = PersonalDataLog(
        user=actor,
        action=PersonalDataLog.Action.UNMASK,
        subject=f"students.Student:{student.pk}",
        fields=PERSONAL_FIELDS,
        reason=reason.strip(),
    )
    log.full_clean()
    log.save()
    return log


@transaction.atomic
def personal_data_export(
    *, actor: User, filters: dict[str, Any], row_count: int, full: bool, reason: str = ""
) -> PersonalDataLog:
    """Log a download of the student list: its filters, its rows, and whether it held full ID
    and phone numbers (only for a user who may see them, with a reason)."""
    reason = reason.strip()
    if full and not sees_personal_data(actor):
        raise PermissionDenied
    if full and not reason:
        raise ValidationError({"reason": _("Give a reason to download full ID and phone numbers.")})
    return records_export_log(
        actor=actor,
        subject="students.Student",
        fields=PERSONAL_FIELDS if full else "",
        filters=filters,
        row_count=row_count,
        reason=reason,
    )
