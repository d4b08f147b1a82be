"""Role-matrix entries of the admissions pages (gathered by accounts/tests/test_role_matrix.py).

Candidates are scoped by station like students; imports are the school's, open to those who
may import (academic affairs, administrators)."""

import datetime as dt

from cems.admissions.models import AdmissionImport, Candidate
from cems.conftest import World, make_id_number
from cems.organization.models import Station
from cems.testing import Entry, statuses

VIEWERS = {"admin", "academic", "auditor"}  # VIEW_CANDIDATES, school-wide; station staff too
IMPORTERS = {"admin", "academic"}


def add_candidate(world: World, serial: int, station: Station, name: str) -> Candidate:
    born = dt.date(1990, 1, 1) + dt.timedelta(days=serial)
    return Candidate.objects.create(
        exam_number=f"2643{serial:010d}",
        name=name,
        gender="M",
        id_number=make_id_number(born, "M", serial),
        birth_date=born,
        level=world.program.level,
        major=world.major,
        mode=world.program.mode,
        program=world.program,
        station=station,
        admission_year=2026,
    )


def candidate_pair(world: World) -> tuple[Candidate, Candidate]:
    return (add_candidate(world, 1, world.station_a, "甲考生"),
            add_candidate(world, 2, world.station_b, "乙考生"))  # fmt: skip


def _listed(world: World) -> tuple[tuple[()], tuple[()]]:
    candidate_pair(world)
    return (), ()


def import_pair(world: World) -> tuple[AdmissionImport, AdmissionImport]:
    """Two uploads waiting for confirmation (their files gone: confirming says so)."""
    create = AdmissionImport.objects.create
    return (create(file_name="a.xlsx", file_format="xlsx", admission_year=2026),
            create(file_name="b.xlsx", file_format="xlsx", admission_year=2026))  # fmt: skip


MATRIX: dict[str, Entry] = {
    "admissions:candidate_list": Entry(
        statuses(403, **dict.fromkeys(VIEWERS | {"station"}, 200)),
        objects=_listed,
        listing=lambda w: ("甲考生", "乙考生"),
    ),
    "admissions:candidate_detail": Entry(
        statuses(403, **dict.fromkeys(VIEWERS, 200), station=(200, 404)),
        objects=candidate_pair,
    ),
    "admissions:import_list": Entry(statuses(403, **dict.fromkeys(IMPORTERS, 200))),
    "admissions:import_upload": Entry(statuses(403, **dict.fromkeys(IMPORTERS, 200))),
    "admissions:import_detail": Entry(
        statuses(403, **dict.fromkeys(IMPORTERS, 200)), objects=import_pair
    ),
    "admissions:import_report": Entry(
        statuses(403, **dict.fromkeys(IMPORTERS, 200)), objects=import_pair
    ),
    "admissions:import_confirm": Entry(
        statuses(403, **dict.fromkeys(IMPORTERS, 302)), objects=import_pair, method="post"
    ),
    "admissions:import_discard": Entry(
        statuses(403, **dict.fromkeys(IMPORTERS, 302)), objects=import_pair, method="post"
    ),
}
