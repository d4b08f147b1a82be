"""Data versions kept in the cache: a token replaced whenever some data change, so that
figures cached with the token they were computed at are known to be out of date (the
public page's figures, the reports' snapshots)."""

from collections.abc import Callable
from uuid import uuid4

from django.core.cache import cache
from django.db import connection, transaction


def read(key: str) -> str:
    """The current token (one is made if there is none)."""
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid4().hex, None)
        version = cache.get(key)
    return str(version)


def replace(key: str) -> None:
    cache.set(key, uuid4().hex, None)


def changed(bump: Callable[[], None]) -> None:
    """Data changed: call `bump` (which replaces a token) at once and, inside a transaction,
    again when it commits, so that figures computed meanwhile from the data before the
    commit are not kept. One replacement at the commit per transaction, however many rows
    it writes."""
    bump()
    if connection.in_atomic_block and not any(
        entry[1] is bump for entry in connection.run_on_commit
    ):
        transaction.on_commit(bump)
