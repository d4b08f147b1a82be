"""Sessions and attendance of a project: the grid's reads and its one-POST save, and each
trainee's attended hours and attendance rate (present hours / the project's total session
hours), computed in SQL with a fixed number of queries."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from cems.accounts.models import User
from cems.core.audit import event
from cems.core.services import who
from cems.training.models import Attendance, Enrollment, EnrollmentStatus, Project, Session

audit = logging.getLogger("cems.audit")


ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=8, decimal_places=1))


def project_sessions(project: Project) -> QuerySet[Session]:
    return Session.objects.filter(project=project).order_by("date", "start_time", "pk")


def total_hours(project: Project) -> Decimal:
    total = Session.objects.filter(project=project).aggregate(total=Coalesce(Sum("hours"), ZERO))[
        "total"
    ]
    return Decimal(total)


def roster_with_hours(project: Project) -> QuerySet[Enrollment]:
    """The enrollments holding a place (not withdrawn), each with `attended_hours` summed in
    SQL over the sessions marked present."""
    return (
        Enrollment.objects.filter(project=project)
        .exclude(status=EnrollmentStatus.WITHDRAWN)
        .select_related("trainee", "employer")
        .annotate(
            attended_hours=Coalesce(
                Sum("attendance__session__hours", filter=Q(attendance__present=True)), ZERO
            )
        )
        .order_by("trainee__name", "trainee__id_number")
    )


@dataclass
class GridRow:
    enrollment: Enrollment
    cells: list[tuple[Session, bool]]
    attended_hours: Decimal
    rate: Decimal | None  # percent, one decimal; None when the project has no hours yet


@dataclass
class Grid:
    sessions: list[Session]
    rows: list[GridRow]
    total_hours: Decimal


def attendance_grid(project: Project) -> Grid:
    """Trainees × sessions: four queries whatever the size."""
    sessions = list(project_sessions(project))
    total = total_hours(project)
    enrollments = list(roster_with_hours(project))
    present = set(
        Attendance.objects.filter(session__project=project, present=True).values_list(
            "enrollment_id", "session_id"
        )
    )
    rows = []
    for enrollment in enrollments:
        attended = Decimal(enrollment.attended_hours)  # type: ignore[attr-defined]
        rate = percent(attended, total)
        cells = [(s, (enrollment.pk, s.pk) in present) for s in sessions]
        rows.append(GridRow(enrollment, cells, attended, rate))
    return Grid(sessions, rows, total)


def percent(attended: Decimal, total: Decimal) -> Decimal | None:
    """The attendance rate, the one rule every page and completion use: present hours over
    the project's session hours, in percent to one decimal; None while it has no hours."""
    if not total:
        return None
    return (Decimal(attended) * 100 / Decimal(total)).quantize(Decimal("0.1"))


def attendance_rates(project: Project) -> list[Enrollment]:
    """The roster, each enrollment with `attended_hours` (summed in SQL) and `rate`: two
    queries whatever the size."""
    total = total_hours(project)
    roster = list(roster_with_hours(project))
    for enrollment in roster:
        enrollment.rate = percent(enrollment.attended_hours, total)  # type: ignore[attr-defined]
    return roster


def attendance_rate(enrollment: Enrollment) -> Decimal | None:
    """One enrollment's rate (two queries); None while the project has no session hours."""
    attended = Attendance.objects.filter(enrollment=enrollment, present=True).aggregate(
        total=Coalesce(Sum("session__hours"), ZERO)
    )["total"]
    return percent(attended, total_hours(enrollment.project))


def attendance_save(
    *, project: Project, present: Iterable[tuple[int, int]], actor: User | None = None
) -> int:
    """Save the whole grid from one POST: `present` is the (enrollment, session) pairs
    ticked; every other cell of the grid is absent. Returns how many cells changed."""
    sessions = set(Session.objects.filter(project=project).values_list("pk", flat=True))
    enrollments = set(
        Enrollment.objects.filter(project=project)
        .exclude(status=EnrollmentStatus.WITHDRAWN)
        .values_list("pk", flat=True)
    )
    ticked = {(e, s) for e, s in present if e in enrollments and s in sessions}
    with transaction.atomic():
        current = {
            (e, s): p
            for e, s, p in Attendance.objects.filter(
                session__project=project, enrollment_id__in=enrollments
            ).values_list("enrollment_id", "session_id", "present")
        }
        wanted = {(e, s): (e, s) in ticked for e in enrollments for s in sessions}
        changed = [key for key, value in wanted.items() if current.get(key) != value]
        if changed:
            Attendance.objects.bulk_create(
                [
                    Attendance(enrollment_id=e, session_id=s, present=wanted[(e, s)])
                    for e, s in changed
                ],
                update_conflicts=True,
                unique_fields=["session", "enrollment"],
                update_fields=["present"],
                batch_size=500,
            )
    audit.info("training attendance of project %s: %d cells changed by %s",
               project.pk, len(changed), who(actor),
               extra=event(actor, "training.attendance", project))  # fmt: skip
    return len(changed)
