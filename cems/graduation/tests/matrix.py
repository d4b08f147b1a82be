"""Role-matrix entries of the graduation audit pages (gathered by
accounts/tests/test_role_matrix.py).

Inside: a graduation audit of station A, a graduate of station A (a1); outside: the same of
station B (b1)."""

import datetime as dt

from cems.accounts.models import User
from cems.conftest import World
from cems.graduation.models import AuditKind, AuditResult, AuditRun, Graduation, RunStatus
from cems.students.models import StudentStatus
from cems.testing import SCHOOL_READERS, Entry, statuses

MANAGERS = {"admin", "academic"}
# VIEW_AUDITS: the school's readers but the training office, and station staff.
READERS = (SCHOOL_READERS - {"training"}) | {"station"}


def _actor() -> User:
    return User.objects.get(username="academic-user")


def run_pair(world: World) -> tuple[AuditRun, AuditRun]:
    runs = []
    for station, student in ((world.station_a, world.a1), (world.station_b, world.b1)):
        run = AuditRun.objects.create(
            kind=AuditKind.GRADUATION, station=station, started_by=_actor(),
            status=RunStatus.DONE, progress=100,
        )  # fmt: skip
        AuditResult.objects.create(run=run, student=student, eligible=True)
        runs.append(run)
    return runs[0], runs[1]


def _graduates(world: World) -> tuple[tuple[()], tuple[()]]:
    run = AuditRun.objects.create(
        kind=AuditKind.GRADUATION, started_by=_actor(), status=RunStatus.DONE
    )
    for number, student in (("GRAD-A-0001", world.a1), ("GRAD-B-0001", world.b1)):
        result = AuditResult.objects.create(run=run, student=student, eligible=True, approved=True)
        Graduation.objects.create(
            student=student, diploma_number=number, graduated_on=dt.date(2028, 7, 1),
            audit_result=result, approved_by=_actor(),
        )  # fmt: skip
        student.status = StudentStatus.GRADUATED
        student.save(update_fields=["status"])
    return (), ()


MATRIX: dict[str, Entry] = {
    "graduation:audit_list": Entry(statuses(403, **dict.fromkeys(READERS, 200))),
    "graduation:audit_start": Entry(statuses(403, **dict.fromkeys(MANAGERS, 200))),
    "graduation:audit_detail": Entry(
        statuses(403, **dict.fromkeys(READERS - {"station"}, 200), station=(200, 404)),
        objects=run_pair,
    ),
    # Nothing chosen: refused with a message, back to the results.
    "graduation:audit_approve": Entry(
        statuses(403, **dict.fromkeys(MANAGERS, 302)), objects=run_pair, method="post"
    ),
    "graduation:graduate_list": Entry(
        statuses(403, **dict.fromkeys(READERS, 200)),
        objects=_graduates,
        listing=lambda world: ("GRAD-A-0001", "GRAD-B-0001"),
    ),
    "graduation:mine": Entry(statuses(403, student=200)),
}
