"""Admitted candidates for the enrollment tests, valid by construction."""

import datetime as dt

from cems.admissions.models import AdmissionImport, Candidate
from cems.catalog.models import Program
from cems.conftest import World, make_id_number


def add_candidate(world: World, serial: int, **fields: object) -> Candidate:
    """An admitted candidate of 2026 in the world's program at station A (override any field)."""
    gender = str(fields.pop("gender", "F" if serial % 2 else "M"))
    birth = fields.pop("birth_date", dt.date(1998, 1, 1) + dt.timedelta(days=serial % 3000))
    assert isinstance(birth, dt.date)
    program = fields.pop("program", world.program)
    assert isinstance(program, Program)
    values: dict[str, object] = {
        "exam_number": f"26430{serial:09d}",
        "name": "候选人",
        "gender": gender,
        "id_number": make_id_number(birth, gender, serial % 100),
        "birth_date": birth,
        "ethnicity": "汉族",
        "level": program.level,
        "major": program.major,
        "mode": program.mode,
        "program": program,
        "station": world.station_a,
        "phone": "13712345678",
        "admission_year": 2026,
        "total_score": 180,
    }
    values.update(fields)
    return Candidate.objects.create(**values)


def add_import(file_name: str = "2026湖南成人高考录取名单.xlsx") -> AdmissionImport:
    return AdmissionImport.objects.create(
        file_name=file_name,
        file_format="xlsx",
        admission_year=2026,
        state=AdmissionImport.State.CONFIRMED,
    )
