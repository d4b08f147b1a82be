"""The SQLite settings (WAL, busy timeout, IMMEDIATE transactions) are really in force."""

import sqlite3

import pytest
from django.conf import settings
from django.db import connection, transaction

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip(f"SQLite settings do not apply: the default database is {connection.vendor}")


def pragma(name: str):
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_the_test_database_is_a_file():
    name = str(connection.settings_dict["NAME"])
    assert name.endswith(".sqlite3")
    assert ":memory:" not in name
    assert "mode=memory" not in name


def test_journal_mode_is_wal():
    assert pragma("journal_mode") == "wal"


def test_busy_timeout():
    assert pragma("busy_timeout") == settings.SQLITE_BUSY_TIMEOUT_SECONDS * 1000


def test_foreign_keys_are_enforced():
    assert pragma("foreign_keys") == 1


def test_transactions_begin_immediate():
    other = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=0)
    try:
        with transaction.atomic():
            # No write yet: a DEFERRED transaction would hold no lock here, an IMMEDIATE one
            # holds the write lock from BEGIN on.
            assert connection.in_atomic_block
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
        # Once the transaction ends, the other connection can write.
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()
