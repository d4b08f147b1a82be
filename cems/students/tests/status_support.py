"""What the status change, registration and portal tests share: a fixed date, more programs
and stations, a second station's staff, and short ways to file and decide requests."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation

from cems.accounts.models import Role, User
from cems.catalog.models import Level, Major, Program, StudyMode
from cems.conftest import World
from cems.organization.models import Station
from cems.students import status
from cems.students.models import StatusChangeRequest, Student

# The date the rules are checked on in these tests (academic year 2026–2027). The world's
# students are of the cohort 2025 in a 2.5-year program: their first term ended on
# 2026-03-01, their graduating year begins on 2027-03-01.
TODAY = dt.date(2026, 11, 28)


@dataclass
class Extra:
    accounting: Program  # another major, same level and mode as world.program
    spare_time: Program  # the world's major in the other study mode
    college: Program  # the world's major at another level
    station_c: Station  # another active station in Hunan, without staff
    closed: Station  # an inactive station
    staff_b: User  # station staff of station B (the receiving station's consent)


@contextmanager
def in_english() -> Iterator[None]:
    """Messages are asserted in English (the default language is Chinese)."""
    with translation.override("en"):
        yield


def set_today(monkeypatch, day: dt.date = TODAY) -> None:
    monkeypatch.setattr(status, "today", lambda: day)


def extra(world: World) -> Extra:
    common = {"credits_to_graduate": 80, "tuition_per_year": Decimal("3000")}
    accounting_major = Major.objects.create(
        code="120203K", short_code="002", name="会计学", name_en="Accounting",
        discipline="management",
    )  # fmt: skip
    accounting = Program.objects.create(
        major=accounting_major, level=Level.JUNIOR_COLLEGE_TO_BACHELOR,
        mode=StudyMode.CORRESPONDENCE, standard_length_years=Decimal("2.5"), **common,
    )  # fmt: skip
    spare_time = Program.objects.create(
        major=world.major, level=Level.JUNIOR_COLLEGE_TO_BACHELOR, mode=StudyMode.SPARE_TIME,
        standard_length_years=Decimal("2.5"), **common,
    )  # fmt: skip
    college = Program.objects.create(
        major=world.major, level=Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE,
        mode=StudyMode.CORRESPONDENCE, standard_length_years=Decimal("2.5"), **common,
    )  # fmt: skip
    station_fields = {
        "province": world.hunan, "host_institution": "某学院", "contact_person": "周老师",
        "contact_phone": "0731-5550000", "agreement_start": dt.date(2020, 1, 1),
    }  # fmt: skip
    station_c = Station.objects.create(
        code="ZD4303", name="湘潭函授站", city="湘潭", **station_fields
    )
    closed = Station.objects.create(
        code="ZD4309", name="停办函授站", city="岳阳", is_active=False, **station_fields
    )
    staff_b = User.objects.create_user(username="station-b-user", password="x", role=Role.STATION)
    staff_b.stations.set([world.station_b])
    return Extra(accounting, spare_time, college, station_c, closed, staff_b)


def file(actor: User, student: Student, kind: str, **payload) -> StatusChangeRequest:
    payload.setdefault("reason", "本人申请")
    return status.status_request_file(actor=actor, student=student, kind=kind, **payload)


def approve(request: StatusChangeRequest, *approvers: User) -> StatusChangeRequest:
    """Approve step after step, one approver per step."""
    for approver in approvers:
        request = status.status_request_decide(
            actor=approver, request=request, approve=True, comment=""
        )
    return request


def suspension(start: dt.date, months: int = 12) -> dict[str, dt.date]:
    return {"start_date": start, "end_date": status.add_months(start, months)}
