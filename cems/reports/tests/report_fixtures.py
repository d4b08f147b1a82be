"""Rows the report tests add to the `world` fixture, and a query counter."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cems.accounts.models import Role, User
from cems.admissions.models import Candidate, CandidateStatus
from cems.conftest import World, make_id_number
from cems.finance.models import EntryKind, FeeEntry, FeeKind
from cems.graduation.tests.matrix_degree import graduate
from cems.organization.models import Station
from cems.reports.registry import Table, get_report
from cems.students.models import Registration, StatusChangeRequest, Student
from cems.training.models import Certificate, Enrollment, Trainee
from cems.training.tests.people_fixtures import make_training_project

__all__ = ["graduate"]


def run(key: str, user: Any, filters: dict[str, Any] | None = None, *,
        invalid: bool = False) -> Table:  # fmt: skip
    """The report's table for these filters, or for invalid filters."""
    return get_report(key).run(user, None if invalid else (filters or {}))


def query_count(action: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as context:
        action()
    return len(context.captured_queries)


def candidate(world: World, serial: int, *, station: Station, year: int,
              enrolled: bool = False) -> Candidate:  # fmt: skip
    birth = dt.date(1992, 1, 1) + dt.timedelta(days=serial)
    return Candidate.objects.create(
        exam_number=f"C{serial:08d}", name="考生", gender="M",
        id_number=make_id_number(birth, "M", 500 + serial), birth_date=birth,
        level=world.program.level, major=world.major, mode=world.program.mode,
        program=world.program, station=station, admission_year=year,
        status=CandidateStatus.ENROLLED if enrolled else CandidateStatus.ADMITTED,
    )  # fmt: skip


def register_year(student: Student, year: int) -> Registration:
    return Registration.objects.create(student=student, academic_year=year, tuition_paid=True)


def _filer() -> User:
    user, _created = User.objects.get_or_create(
        username="report-filer", defaults={"role": Role.ACADEMIC}
    )
    return user


def status_request(student: Student, kind: str, state: str, **fields: Any) -> StatusChangeRequest:
    return StatusChangeRequest.objects.create(
        student=student, kind=kind, state=state, reason="个人原因", filed_by=_filer(), **fields
    )


def fee(student: Student, kind: str, amount: str, year: int = 2025) -> FeeEntry:
    return FeeEntry.objects.create(
        student=student, academic_year=year, kind=kind, fee_kind=FeeKind.TUITION,
        amount=Decimal(amount), booked_on=dt.date(year, 9, 1),
    )  # fmt: skip


CHARGE, PAYMENT, REFUND, WAIVER = (
    EntryKind.CHARGE,
    EntryKind.PAYMENT,
    EntryKind.REFUND,
    EntryKind.WAIVER,
)


def certificate(serial: int, expires_on: dt.date | None, code: str = "KZ",
                status: str = "valid") -> Certificate:  # fmt: skip
    project = make_training_project(title=f"培训{code}{serial}", code=code)
    birth = dt.date(1980, 5, 1) + dt.timedelta(days=serial)
    trainee = Trainee.objects.create(
        id_number=make_id_number(birth, "M", 700 + serial), name=f"学员{serial}", gender="M",
        birth_date=birth,
    )  # fmt: skip
    enrollment = Enrollment.objects.create(project=project, trainee=trainee, status="completed")
    return Certificate.objects.create(
        number=f"{code}-{serial:05d}", enrollment=enrollment, trainee=trainee,
        category=project.category, issued_on=dt.date(2024, 1, 1), expires_on=expires_on,
        status=status, revocation_reason="" if status == "valid" else "作废",
    )  # fmt: skip
