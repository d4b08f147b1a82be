"""Backups of the whole database, and restoring one, each checked against its manifest.

A backup is one file, written next to a small JSON manifest (`<file>.json`): when and from
which database it was made, the migration state, the file's size and sha256, and per table
the number of rows and a sha256 over the rows in primary key order. The manifest is written
last, so that a backup without one is known to be incomplete.

- SQLite: SQLite's online backup API copies a consistent snapshot while the application
  keeps running (WAL readers do not block the writer); the table checksums are computed on
  that copy, so they describe exactly what the file holds.
- PostgreSQL: `pg_dump --format=custom` dumps the snapshot of a REPEATABLE READ transaction
  in which the checksums are computed (`pg_export_snapshot()` / `pg_dump --snapshot`), so
  that the two agree even while the application writes. `pg_restore` loads it.

Restoring checks the file against its manifest before touching the database, replaces the
database, then recomputes the checksums and reports every table that differs.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

MANIFEST_FORMAT = "cems-backup"
MANIFEST_VERSION = 1
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".dump"}
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
# Present in any migrated database: a database holding only these has no one's data yet.
BOOKKEEPING_TABLES = frozenset(
    {"django_migrations", "django_content_type", "auth_permission", "sqlite_sequence"}
)
FETCH_ROWS = 2000


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass(frozen=True)
class TableDigest:
    rows: int
    sha256: str


Digests = dict[str, TableDigest]


@dataclass(frozen=True)
class Outcome:
    path: Path
    manifest: Path
    tables: int
    rows: int
    bytes: int
    seconds: float
    differences: tuple[str, ...] = ()
    # Migrations the backup has applied that this code does not know.
    ahead: tuple[str, ...] = ()

    def counts(self) -> dict[str, Any]:
        return {
            "tables": self.tables,
            "rows": self.rows,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 2),
            "differences": len(self.differences),
        }


# --- Checksums ---------------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _hash_rows(lines: Iterable[str]) -> TableDigest:
    digest = hashlib.sha256()
    count = 0
    for line in lines:
        digest.update(line.encode())
        digest.update(b"\n")
        count += 1
    return TableDigest(rows=count, sha256=digest.hexdigest())


def _fetch(cursor: Any) -> Iterator[Any]:
    while batch := cursor.fetchmany(FETCH_ROWS):
        yield from batch


def _sqlite_value(value: object) -> object:
    if isinstance(value, bytes):
        return {"hex": value.hex()}
    return value


def sqlite_digests(path: Path) -> Digests:
    """Row counts and checksums of every table of the SQLite file, read-only."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        digests: Digests = {}
        for table in tables:
            columns = list(db.execute(f"PRAGMA table_info({_quote(table)})"))
            keys = sorted((c for c in columns if c[5]), key=lambda c: c[5]) or columns
            order = ", ".join(_quote(c[1]) for c in keys)
            cursor = db.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")  # noqa: S608
            digests[table] = _hash_rows(
                json.dumps([_sqlite_value(v) for v in row], separators=(",", ":"))
                for row in _fetch(cursor)
            )
        return digests
    finally:
        db.close()


def postgresql_digests(cursor: Any) -> Digests:
    """Row counts and checksums of every table of the current schema, on a DB-API cursor of
    any client (Django's or a plain psycopg one): PostgreSQL renders each row as text
    itself, with the session settings that text depends on pinned for this transaction, so
    that the checksum does not depend on the client's type adapters."""
    cursor.execute("SET LOCAL TimeZone = 'UTC'")
    cursor.execute("SET LOCAL DateStyle = 'ISO, YMD'")
    cursor.execute("SET LOCAL IntervalStyle = 'postgres'")
    cursor.execute("SET LOCAL extra_float_digits = 1")
    cursor.execute("SET LOCAL bytea_output = 'hex'")
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname"
    )
    tables = [name for (name,) in cursor.fetchall()]
    digests: Digests = {}
    for table in tables:
        # Primary key columns in key order; text keys sort bytewise ("C"), so that the order
        # does not depend on the database's collation.
        cursor.execute(
            "SELECT a.attname, t.typcategory = 'S' FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "JOIN pg_type t ON t.oid = a.atttypid "
            "WHERE i.indrelid = %s::regclass AND i.indisprimary "
            "ORDER BY array_position(i.indkey, a.attnum)",
            [_quote(table)],
        )
        keys = [(_quote(name) + (' COLLATE "C"' if text else "")) for name, text in cursor]
        order = ", ".join(keys) if keys else 'row_text COLLATE "C"'
        cursor.execute(
            f"SELECT t::text AS row_text FROM {_quote(table)} t ORDER BY {order}"  # noqa: S608
        )
        digests[table] = _hash_rows(row_text for (row_text,) in _fetch(cursor))
    return digests


def database_digests(alias: str = "default") -> Digests:
    """The checksums of a database of the project's settings, as it is now."""
    connection = connections[alias]
    if connection.vendor == "sqlite":
        return sqlite_digests(Path(connection.settings_dict["NAME"]))
    if connection.vendor == "postgresql":
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            return postgresql_digests(cursor)
    raise BackupError(f"Backups of {connection.vendor} databases are not supported.")


def compare(expected: Mapping[str, TableDigest], actual: Mapping[str, TableDigest]) -> list[str]:
    """One line per table whose rows differ, is missing or is extra."""
    differences = []
    for table in sorted(set(expected) | set(actual)):
        want, have = expected.get(table), actual.get(table)
        if want is None:
            differences.append(f"{table}: not in the backup")
        elif have is None:
            differences.append(f"{table}: missing from the database")
        elif want.rows != have.rows:
            differences.append(f"{table}: {have.rows} rows, the backup has {want.rows}")
        elif want.sha256 != have.sha256:
            differences.append(f"{table}: {have.rows} rows, but their contents differ")
    return differences


# --- Manifest ----------------------------------------------------------------------------------


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _migration_state(tables: Mapping[str, object], read: Any) -> dict[str, str]:
    """The latest applied migration per app (names are numbered, so the greatest)."""
    if "django_migrations" not in tables:
        return {}
    latest: dict[str, str] = {}
    for app, name in read("SELECT app, name FROM django_migrations"):
        latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


def _write_manifest(
    path: Path, *, vendor: str, migrations: dict[str, str], digests: Digests
) -> Path:
    manifest = {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "vendor": vendor,
        "file": path.name,
        "bytes": path.stat().st_size,
        "sha256": file_sha256(path),
        "migrations": migrations,
        "tables": {
            name: {"rows": digest.rows, "sha256": digest.sha256}
            for name, digest in sorted(digests.items())
        },
    }
    target = manifest_path(path)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    partial.replace(target)
    return target


@dataclass(frozen=True)
class Manifest:
    vendor: str
    migrations: dict[str, str]
    digests: Digests


def read_manifest(path: Path, *, vendor: str) -> Manifest:
    """The manifest of the backup at `path`, after checking that the file is that backup,
    whole: an error says what is wrong, and nothing has been touched yet."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    sidecar = manifest_path(path)
    if not sidecar.is_file():
        raise BackupError(
            f"{path} is not a CEMS backup: its manifest {sidecar.name} is missing "
            "(a backup is complete only once its manifest is written)."
        )
    try:
        data = json.loads(sidecar.read_text())
        if data.get("format") != MANIFEST_FORMAT or data.get("version") != MANIFEST_VERSION:
            raise ValueError("unknown format")
        tables = {
            str(name): TableDigest(rows=int(entry["rows"]), sha256=str(entry["sha256"]))
            for name, entry in data["tables"].items()
        }
        manifest = Manifest(
            vendor=str(data["vendor"]),
            migrations={str(k): str(v) for k, v in data["migrations"].items()},
            digests=tables,
        )
        size, sha256 = int(data["bytes"]), str(data["sha256"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BackupError(f"{sidecar} is not a CEMS backup manifest ({error}).") from error
    if manifest.vendor != vendor:
        raise BackupError(
            f"{path} is a backup of a {manifest.vendor} database; this database is {vendor}."
        )
    if path.stat().st_size != size or file_sha256(path) != sha256:
        raise BackupError(
            f"{path} is damaged or incomplete: its size or sha256 differs from its manifest "
            f"({path.stat().st_size} bytes, the manifest says {size})."
        )
    magic = SQLITE_MAGIC if vendor == "sqlite" else PG_CUSTOM_MAGIC
    with path.open("rb") as handle:
        if handle.read(len(magic)) != magic:
            raise BackupError(f"{path} is not a {vendor} backup file.")
    return manifest


def unknown_migrations(migrations: Mapping[str, str]) -> list[str]:
    """Migrations the backup has applied that this code does not know (a backup made by a
    newer version of CEMS): the restored database is then ahead of the code."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return [f"{app}.{name}" for app, name in migrations.items() if (app, name) not in graph.nodes]


# --- Backup ------------------------------------------------------------------------------------


def default_path(vendor: str, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"cems-{stamp}{SUFFIXES.get(vendor, '')}"


def backup(path: Path | None = None, *, alias: str = "default") -> Outcome:
    """Back the database up into `path` (a new file; a folder gets a timestamped file)."""
    started = time.monotonic()
    connection = connections[alias]
    vendor = connection.vendor
    if vendor not in SUFFIXES:
        raise BackupError(f"Backups of {vendor} databases are not supported.")
    if path is None:
        path = default_path(vendor)
    elif path.is_dir():
        path = path / default_path(vendor).name
    if path.exists() or manifest_path(path).exists():
        raise BackupError(f"{path} already exists; choose a new name.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        if vendor == "sqlite":
            digests, migrations = _sqlite_backup(connection, partial)
        else:
            digests, migrations = _postgresql_backup(connection, partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    manifest = _write_manifest(path, vendor=vendor, migrations=migrations, digests=digests)
    return Outcome(
        path=path,
        manifest=manifest,
        tables=len(digests),
        rows=sum(d.rows for d in digests.values()),
        bytes=path.stat().st_size,
        seconds=time.monotonic() - started,
    )


def _sqlite_backup(connection: BaseDatabaseWrapper, target: Path) -> tuple[Digests, dict[str, str]]:
    source = sqlite3.connect(
        str(connection.settings_dict["NAME"]), timeout=settings.SQLITE_BUSY_TIMEOUT_SECONDS
    )
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)  # one step: a single read transaction, a consistent snapshot
        # A self-contained file: no -wal beside it.
        copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        copy.close()
        source.close()
    digests = sqlite_digests(target)
    db = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        migrations = _migration_state(digests, db.execute)
    finally:
        db.close()
    return digests, migrations


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"{name} was not found on PATH: install the PostgreSQL client tools "
            "(the same major version as the server or newer), e.g. postgresql-client."
        )
    return tool


def _pg_environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The connection settings as libpq's environment: the password never on a command line."""
    params = connection.settings_dict
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", params.get("HOST")),
        ("PGPORT", params.get("PORT")),
        ("PGUSER", params.get("USER")),
        ("PGPASSWORD", params.get("PASSWORD")),
        ("PGDATABASE", params.get("NAME")),
        ("PGSSLMODE", (params.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed (exit {result.returncode}): {result.stderr.strip()}")


def _postgresql_backup(
    connection: BaseDatabaseWrapper, target: Path
) -> tuple[Digests, dict[str, str]]:
    pg_dump = _pg_tool("pg_dump")
    env = _pg_environment(connection)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], env)
        digests = postgresql_digests(cursor)

        def read(sql: str) -> list[Any]:
            cursor.execute(sql)
            return list(cursor.fetchall())

        migrations = _migration_state(digests, read)
    return digests, migrations


# --- Restore -----------------------------------------------------------------------------------


def holds_data(alias: str = "default") -> bool:
    """Whether the database has rows beyond what migrating an empty database writes."""
    connection = connections[alias]
    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        if not name.exists():
            return False
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            if table in BOOKKEEPING_TABLES:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is not None:
                return True
    return False


def restore(path: Path, *, force: bool = False, alias: str = "default") -> Outcome:
    """Replace the database with the backup at `path`, then check it against the manifest.

    Every check on the file comes first: a file that is not a whole backup leaves the
    database as it was. The outcome's `differences` lists the tables that do not match."""
    started = time.monotonic()
    connection = connections[alias]
    vendor = connection.vendor
    if vendor not in SUFFIXES:
        raise BackupError(f"Restoring {vendor} databases is not supported.")
    manifest = read_manifest(path, vendor=vendor)
    if vendor == "sqlite":
        _check_sqlite_file(path)
    else:
        _run([_pg_tool("pg_restore"), "--list", str(path)], _pg_environment(connection))
    if not force and holds_data(alias):
        raise BackupError(
            "The database is not empty; restoring would replace its data. "
            "Use --force to replace it anyway (make a backup of it first)."
        )
    connections.close_all()
    if vendor == "sqlite":
        _sqlite_restore(connection, path)
    else:
        _run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(path),
            ],
            _pg_environment(connection),
        )
    digests = database_digests(alias)
    return Outcome(
        path=path,
        manifest=manifest_path(path),
        tables=len(digests),
        rows=sum(d.rows for d in digests.values()),
        bytes=path.stat().st_size,
        seconds=time.monotonic() - started,
        differences=tuple(compare(manifest.digests, digests)),
        ahead=tuple(unknown_migrations(manifest.migrations)),
    )


def _check_sqlite_file(path: Path) -> None:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = db.execute("PRAGMA quick_check").fetchone()
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database ({error}).") from error
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}")


def _sqlite_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    """Copy the backup into the live database file with the backup API: one write
    transaction on the target, so that a failure half-way leaves it as it was, and other
    processes' connections see the new contents at their next transaction."""
    target = Path(connection.settings_dict["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    destination = sqlite3.connect(str(target), timeout=settings.SQLITE_BUSY_TIMEOUT_SECONDS)
    try:
        destination.execute("PRAGMA journal_mode = WAL")
        source.backup(destination)
    except sqlite3.Error as error:
        raise BackupError(f"Restoring into {target} failed: {error}") from error
    finally:
        destination.close()
        source.close()
