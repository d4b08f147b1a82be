"""Demo students at the seed's scale, written in batches so that a million fit in memory."""

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import accumulate
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from cems.catalog.models import Level, Program
from cems.core import demo
from cems.core.bulk import bulk_insert, db_value
from cems.core.progress import Progress
from cems.organization.demo import PROVINCES, STATIONS
from cems.organization.models import Station
from cems.students.models import Student, StudentClass, StudentStatus
from cems.students.services import classes_ensure, student_renumber

COLLEGE_CODE = "10"  # the SCE's 2-digit college code at the head of every 学号
CURRENT_YEAR = 2026
# Cohorts still studying in 2026: 2.5-year programs from 2024, 5-year programs from 2022.
FIRST_COHORT = {Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE: 2024, Level.JUNIOR_COLLEGE_TO_BACHELOR: 2024,
                Level.HIGH_SCHOOL_TO_BACHELOR: 2022}  # fmt: skip
# Out of every 100 students: 95 registered, the rest in the other states (no graduates yet:
# graduation comes with its own module).
STATUS_CYCLE = ([StudentStatus.REGISTERED] * 95 + [StudentStatus.SUSPENDED] * 2
                + [StudentStatus.WITHDRAWN] * 2 + [StudentStatus.DEFERRED])  # fmt: skip


FIELDS = ("student_number", "exam_number", "name", "gender", "id_number", "birth_date",
          "ethnicity", "phone", "station", "program", "cohort_year", "status", "created_at",
          "updated_at")  # fmt: skip


def _rows(rng: random.Random, count: int, seq_width: int) -> Iterator[tuple[Any, ...]]:
    """Students as rows in the order of FIELDS, valid by construction (ID numbers agree
    with birth date and gender, numbers are unique)."""
    stations = list(Station.objects.select_related("province").order_by("code"))
    station_weights = {f"ZD{p}{s}": size for p, s, _c, _h, _a, size in STATIONS}
    station_cum = list(accumulate(station_weights.get(station.code, 1) for station in stations))
    areas = {code: area_codes for code, _n, _e, area_codes in PROVINCES}
    programs = list(Program.objects.select_related("major").filter(is_offered=True))
    # 专升本 is by far the most common level in adult education; weight programs by it.
    level_weight = {Level.JUNIOR_COLLEGE_TO_BACHELOR: 6, Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE: 3,
                    Level.HIGH_SCHOOL_TO_BACHELOR: 1}  # fmt: skip
    program_cum = list(accumulate(
        level_weight[Level(p.level)] * (1.5 if p.mode == "correspondence" else 1) for p in programs
    ))  # fmt: skip
    now = db_value(Student, "created_at", timezone.now())
    # Enrolled (created) at the start of their cohort's spring term.
    enrolled_on = {
        year: db_value(Student, "created_at", timezone.make_aware(dt.datetime(year, 3, 1, 9)))
        for year in range(min(FIRST_COHORT.values()), CURRENT_YEAR + 1)
    }
    sequences: dict[tuple[int, str], int] = {}
    for index in range(count):
        station = rng.choices(stations, cum_weights=station_cum)[0]
        program = rng.choices(programs, cum_weights=program_cum)[0]
        cohort = rng.randint(FIRST_COHORT[Level(program.level)], CURRENT_YEAR)
        status = STATUS_CYCLE[index % len(STATUS_CYCLE)]
        if status == StudentStatus.DEFERRED:
            cohort = CURRENT_YEAR
        gender = "M" if rng.random() < 0.52 else "F"
        youngest = cohort - 18 if program.level != Level.JUNIOR_COLLEGE_TO_BACHELOR else cohort - 20
        born = demo.birth_date(rng, earliest_year=cohort - 45, latest_year=youngest)
        # Most students live in their station's province; some come from Hunan.
        province_code = station.province.code if rng.random() < 0.9 else "43"
        area = rng.choice(areas[province_code])
        key = (cohort, program.major.short_code)
        sequences[key] = sequences.get(key, 0) + 1
        if sequences[key] >= 10**seq_width:
            raise RuntimeError(f"more than {10**seq_width - 1} students in cohort {key}")
        yield (
            f"{COLLEGE_CODE}{cohort}{program.major.short_code}{sequences[key]:0{seq_width}d}",
            f"{cohort % 100:02d}{province_code}{index + 1:010d}",
            demo.person_name(rng, gender),
            gender,
            demo.id_number(rng, area_code=area, birth_date=born, gender=gender),
            born.isoformat(),
            rng.choice(demo.ETHNICITIES),
            demo.mobile(rng),
            station.pk,
            program.pk,
            cohort,
            status.value,
            enrolled_on[cohort],
            now,
        )


def seed_students(rng: random.Random, count: int) -> int:
    # Sequence numbers per (cohort, major) have 3 digits at the seed's scale, more beyond it.
    seq_width = 3 if count <= 20_000 else len(str(count))
    progress = Progress(count, "students")

    def counted(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        for number, row in enumerate(rows, start=1):
            yield row
            if number % 1000 == 0:
                progress.advance(1000)

    with _list_indexes_built_after():
        written = bulk_insert(Student, FIELDS, counted(_rows(rng, count, seq_width)))
    progress.advance(written - progress.done)
    progress.finish()
    return written


@contextmanager
def _list_indexes_built_after() -> Iterator[None]:
    """Build the student list's composite indexes once after a large load instead of row by
    row during it: a sorted build is several times faster than a million random inserts."""
    quote = connection.ops.quote_name
    table = quote(Student._meta.db_table)
    columns = {field.name: field.column for field in Student._meta.concrete_fields}
    # Only names from the model's metadata go into the statements.
    statements = [
        (
            f"DROP INDEX {quote(index.name)}",
            f"CREATE INDEX {quote(index.name)} ON {table} ("
            + ", ".join(quote(columns[name]) for name in index.fields)
            + ")",
        )
        for index in Student._meta.indexes
        if index.name
    ]
    with connection.cursor() as cursor:
        for drop, _create in statements:
            cursor.execute(drop)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Inside a transaction PostgreSQL builds no index on a table with deferred
                # foreign key checks pending: run them now, then defer again.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _drop, create in statements:
                cursor.execute(create)
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def seed_classes() -> int:
    """A class for the students of each station, program and cohort, and every student without
    one in theirs: the classes in bulk, the students in one statement. Returns the number of
    classes made."""
    keys = (
        Student.objects.filter(student_class=None)
        .order_by()
        .values_list("station_id", "program_id", "cohort_year")
        .distinct()
    )
    stations = {station.pk: station for station in Station.objects.all()}
    programs = {program.pk: program for program in Program.objects.select_related("major")}
    wanted = {(s, p, year): (stations[s], programs[p]) for s, p, year in keys}
    before = StudentClass.objects.count()
    classes_ensure(wanted)
    own_class = StudentClass.objects.filter(
        station=OuterRef("station"),
        program=OuterRef("program"),
        cohort_year=OuterRef("cohort_year"),
    ).order_by("code")
    Student.objects.filter(student_class=None).update(
        student_class=Subquery(own_class.values("pk")[:1])
    )
    return StudentClass.objects.count() - before


def seed_number_changes(rng: random.Random, count: int = 6) -> int:
    """A few registered students who changed major (same level and mode), with a new 学号 and
    the old one in their number history."""
    registered = Student.objects.filter(status=StudentStatus.REGISTERED).order_by("pk")
    total = registered.count()
    programs = list(Program.objects.select_related("major").filter(is_offered=True))
    changed = 0
    for offset in sorted(rng.sample(range(total), min(count, total))):
        # The key first: an offset over whole rows and their joins is slow at a million.
        pk = registered.values_list("pk", flat=True)[offset]
        student = Student.objects.select_related("station", "program__major").get(pk=pk)
        others = [p for p in programs if p.level == student.program.level
                  and p.mode == student.program.mode and p.pk != student.program_id]  # fmt: skip
        if others:
            student_renumber(student=student, program=rng.choice(others))
            changed += 1
    return changed


def seed_student_records(rng: random.Random) -> None:
    """After seed_students: classes for all demo students, and a handful of number changes."""
    seed_classes()
    seed_number_changes(rng)
