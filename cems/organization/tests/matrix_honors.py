"""Role-matrix entries of the honors registry (gathered by
accounts/tests/test_role_matrix.py): administrators manage it; an honor's image is public,
as the honors are."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cems.conftest import World
from cems.organization.models import Honor
from cems.organization.tests.honor_fixtures import image_bytes
from cems.testing import Entry, statuses

MATRIX_IMAGE = "honors/role-matrix.png"


def _honor(world: World) -> tuple[Honor, Honor]:
    honor = Honor.objects.create(
        name="湖南省成人教育评估优秀单位", grantor="湖南省教育厅", year=2010
    )
    return honor, honor


def _honor_with_image(world: World) -> tuple[Honor, Honor]:
    if not default_storage.exists(MATRIX_IMAGE):
        default_storage.save(MATRIX_IMAGE, ContentFile(image_bytes()))
    honor = Honor.objects.create(name="师范生实习先进单位", grantor="湖南省教育厅", year=2015,
                                 image=MATRIX_IMAGE)  # fmt: skip
    return honor, honor


MATRIX = {
    "honors:list": Entry(statuses(403, admin=200)),
    "honors:create": Entry(statuses(403, admin=200)),
    "honors:edit": Entry(statuses(403, admin=200), objects=_honor),
    "honors:delete": Entry(statuses(403, admin=200), objects=_honor),
    "honors:image": Entry(statuses(200, anonymous=200), objects=_honor_with_image),
}
