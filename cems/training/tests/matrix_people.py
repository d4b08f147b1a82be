"""Role-matrix entries of the trainees', employers' and duplicate files' pages. A trainee
reads their own file through the portal, not here: 403."""

from cems.conftest import World
from cems.testing import Entry, statuses
from cems.training.tests.people_fixtures import make_employer, make_trainee

READERS = {"admin", "training", "auditor"}
WRITERS = {"admin", "training"}


def _trainee(world: World) -> tuple[object, object]:
    trainee = make_trainee(901, name="矩阵学员")
    return trainee, trainee


def _employer(world: World) -> tuple[object, object]:
    employer = make_employer("矩阵单位")
    return employer, employer


def _listed_trainee(world: World) -> tuple[tuple[()], tuple[()]]:
    make_trainee(902, name="矩阵学员")
    return (), ()


def _listed_employer(world: World) -> tuple[tuple[()], tuple[()]]:
    make_employer("矩阵单位")
    return (), ()


MATRIX = {
    "training:trainee_list": Entry(
        statuses(403, **dict.fromkeys(READERS, 200)),
        objects=_listed_trainee,
        listing=lambda w: ("矩阵学员", "\x00"),
    ),
    "training:trainee_create": Entry(statuses(403, **dict.fromkeys(WRITERS, 200))),
    "training:trainee_detail": Entry(
        statuses(403, **dict.fromkeys(READERS, 200)), objects=_trainee
    ),
    "training:trainee_edit": Entry(statuses(403, **dict.fromkeys(WRITERS, 200)), objects=_trainee),
    "training:duplicate_list": Entry(statuses(403, **dict.fromkeys(READERS, 200))),
    # Without two files to merge the page is shown again with the errors.
    "training:trainee_merge": Entry(statuses(403, **dict.fromkeys(WRITERS, 400)), method="post"),
    "training:employer_list": Entry(
        statuses(403, **dict.fromkeys(READERS, 200)),
        objects=_listed_employer,
        listing=lambda w: ("矩阵单位", "\x00"),
    ),
    "training:employer_create": Entry(statuses(403, **dict.fromkeys(WRITERS, 200))),
    "training:employer_edit": Entry(
        statuses(403, **dict.fromkeys(WRITERS, 200)), objects=_employer
    ),
}
