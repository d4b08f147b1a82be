"""Support for the role matrix (cems/accounts/tests/test_role_matrix.py).

Each app declares the entries of its own URL patterns in `cems/<app>/tests/matrix*.py` as
a dict named MATRIX; the matrix test gathers them all and fails for a URL pattern that has
no entry anywhere.
"""

from collections.abc import Callable
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
