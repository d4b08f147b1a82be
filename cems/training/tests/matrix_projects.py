"""Role-matrix entries of the training projects' and categories' pages."""

from cems.conftest import World
from cems.testing import Entry, statuses
from cems.training.tests.people_fixtures import default_category, make_training_project

READERS = {"admin", "training", "auditor"}
WRITERS = {"admin", "training"}


def _project(world: World) -> tuple[object, object]:
    project = make_training_project()
    return project, project


def _category(world: World) -> tuple[object, object]:
    category = default_category("KZ")
    return category, category


def _listed(world: World) -> tuple[tuple[()], tuple[()]]:
    make_training_project(title="矩阵培训项目")
    return (), ()


MATRIX = {
    "training:project_list": Entry(
        statuses(403, **dict.fromkeys(READERS, 200)),
        objects=_listed,
        listing=lambda w: ("矩阵培训项目", "\x00"),
    ),
    "training:project_create": Entry(statuses(403, **dict.fromkeys(WRITERS, 200))),
    "training:project_detail": Entry(
        statuses(403, **dict.fromkeys(READERS, 200)), objects=_project
    ),
    "training:project_edit": Entry(statuses(403, **dict.fromkeys(WRITERS, 200)), objects=_project),
    # A move that is not the next step is refused; the page is shown again.
    "training:project_status": Entry(
        statuses(403, **dict.fromkeys(WRITERS, 302)),
        objects=_project,
        method="post",
        data={"status": "archived"},
    ),
    "training:category_list": Entry(statuses(403, **dict.fromkeys(READERS, 200))),
    "training:category_edit": Entry(
        statuses(403, **dict.fromkeys(WRITERS, 200)), objects=_category
    ),
}
