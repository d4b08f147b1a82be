"""Role-matrix entries of a project's roster, sessions and attendance pages. Training has no
station scope: "inside" and "outside" are two projects, treated alike."""

import datetime as dt
from decimal import Decimal
from typing import Any

from cems.conftest import World, make_id_number
from cems.testing import Entry, statuses
from cems.training.models import Enrollment, Session, Trainee
from cems.training.tests.roster_fixtures import make_project

READERS = {"admin", "training", "auditor"}
MANAGERS = {"admin", "training"}


def _projects(world: World) -> tuple[Any, Any]:
    return make_project(title="矩阵项目甲"), make_project(title="矩阵项目乙")


def _sessions(world: World) -> tuple[Any, Any]:
    pair = []
    for project in _projects(world):
        session = Session.objects.create(
            project=project, date=dt.date(2026, 3, 2), start_time=dt.time(9),
            end_time=dt.time(11), topic="矩阵", hours=Decimal(2),
        )  # fmt: skip
        pair.append((project.pk, session.pk))
    return pair[0], pair[1]


def _enrollments(world: World) -> tuple[Any, Any]:
    pair = []
    for serial, project in enumerate(_projects(world), start=1):
        trainee = Trainee.objects.create(
            id_number=make_id_number(dt.date(1980, 1, serial), "M", serial), name="矩阵学员",
            gender="M", birth_date=dt.date(1980, 1, serial),
        )  # fmt: skip
        enrollment = Enrollment.objects.create(project=project, trainee=trainee)
        pair.append((project.pk, enrollment.pk))
    return pair[0], pair[1]


_READ = statuses(403, **dict.fromkeys(READERS, 200))
_WRITE = statuses(403, **dict.fromkeys(MANAGERS, 200))

MATRIX: dict[str, Entry] = {
    "training:roster": Entry(_READ, objects=_projects),
    "training:roster_add": Entry(_WRITE, objects=_projects),
    "training:roster_import": Entry(_WRITE, objects=_projects),
    "training:roster_withdraw": Entry(
        statuses(403, **dict.fromkeys(MANAGERS, 302)), objects=_enrollments, method="post"
    ),
    "training:session_list": Entry(_READ, objects=_projects),
    "training:session_add": Entry(_WRITE, objects=_projects),
    "training:session_edit": Entry(_WRITE, objects=_sessions),
    "training:attendance": Entry(_READ, objects=_projects),
}
