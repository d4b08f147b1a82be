"""Support for the role matrix (cems/accounts/tests/test_role_matrix.py).

Each app declares the entries of its own URL patterns in `cems/<app>/tests/matrix*.py` as
a dict named MATRIX; the matrix test gathers them all and fails for a URL pattern that has
no entry anywhere.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cems.accounts.models import Role
from cems.conftest import World

ANON = "anonymous"
ROLES = [role.value for role in Role] + [ANON]
SCHOOL_READERS = {"admin", "academic", "training", "finance", "auditor"}
STUDENT_READERS = {"admin", "academic", "finance", "auditor", "station"}


@dataclass(frozen=True)
class Entry:
    """What each role gets. `expect` maps a role to (status inside, status outside scope)."""

    expect: dict[str, tuple[int, int]]
    # (inside, outside) for station staff: each a model instance (its pk is the URL's one
    # argument) or a tuple of URL arguments. It may create what it needs in `world`.
    objects: Callable[[World], tuple[Any, Any]] | None = None
    method: str = "get"
    data: dict[str, str] = field(default_factory=dict)
    # For lists: text that must appear (inside) and must not appear (outside) when allowed.
    listing: Callable[[World], tuple[str, str]] | None = None
    # A role's own (inside, outside) pair where station staff's does not test that role's
    # scope: e.g. a teacher's own offering and another teacher's offering at the same station,
    # the student's own record and another student's. Roles not named here use `objects`.
    objects_for: Mapping[str, Callable[[World], tuple[Any, Any]]] = field(default_factory=dict)

    def objects_of(self, role: str) -> Callable[[World], tuple[Any, Any]] | None:
        """The builder of the (inside, outside) pair requested as `role`."""
        return self.objects_for.get(role, self.objects)


def statuses(
    default: int, anonymous: int = 302, **per_role: int | tuple[int, int]
) -> dict[str, tuple[int, int]]:
    table: dict[str, tuple[int, int]] = {}
    for role in ROLES:
        value = per_role.get(role, anonymous if role == ANON else default)
        table[role] = value if isinstance(value, tuple) else (value, value)
    return table


def station_pair(world: World) -> tuple[Any, Any]:
    return world.station_a, world.station_b


def student_pair(world: World) -> tuple[Any, Any]:
    return world.a1, world.b1


def own_student_pair(world: World) -> tuple[Any, Any]:
    """The student user's own record (a1) and a classmate's at the same station (a2): a
    student reaches their own record only, not every record of their station."""
    return world.a1, world.a2


# Roles whose scope is their own things (not a station): an entry of a URL with an object
# argument that one of them reaches must name its pair for that role in `objects_for`.
OWN_SCOPED = ("teacher", "student", "trainee")
