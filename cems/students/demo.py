"""Demo students at the seed's scale, written in batches so that a million fit in memory."""

import random
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from django.utils import timezone

from cems.catalog.models import Level, Program
from cems.core import demo
from cems.core.bulk import bulk_insert, db_value
from cems.core.progress import Progress
from cems.organization.demo import PROVINCES, STATIONS
from cems.organization.models import Station
from cems.students.models import Student, StudentStatus

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
            now,
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

    written = bulk_insert(Student, FIELDS, counted(_rows(rng, count, seq_width)))
    progress.advance(written - progress.done)
    progress.finish()
    return written
