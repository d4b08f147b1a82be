"""manage.py backup / restore: the drill (a demo school backed up and restored into an empty
database, every table the same), and bad input that leaves the database as it was.

The restore into an empty database runs manage.py in a subprocess pointed at that database
(SQLite: a new var folder; PostgreSQL: a database created for the test and dropped after),
as an operator would run it."""

import importlib
import io
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from cems.core import backup
from cems.students.models import Student

pytestmark = pytest.mark.django_db(transaction=True)


def last_json(output: str) -> dict[str, int]:
    counts: dict[str, int] = json.loads(output.strip().splitlines()[-1])
    return counts


def run_backup(*args: str) -> dict[str, int]:
    out = io.StringIO()
    call_command("backup", *args, stdout=out)
    return last_json(out.getvalue())


def backup_file(tmp_path: Path) -> Path:
    path = tmp_path / f"cems{backup.SUFFIXES[connection.vendor]}"
    run_backup(str(path))
    return path


def restore_error(path: Path, *extra: str) -> CommandError:
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("restore", str(path), *extra, stdout=out, stderr=io.StringIO())
    assert last_json(out.getvalue())["tables"] == 0
    return raised.value


def server_url(dbname: str) -> str:
    params = connection.settings_dict
    credentials = quote(params["USER"] or "")
    if params.get("PASSWORD"):
        credentials += ":" + quote(params["PASSWORD"])
    host = params.get("HOST") or "localhost"
    port = params.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{dbname}"


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a manage.py whose database is new and empty, and its digests."""
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(DJANGO_SETTINGS_MODULE="cems.settings", CEMS_VAR_DIR=str(tmp_path / "var"))
    if connection.vendor == "sqlite":
        yield environment
        return
    name = f"cems_restore_{secrets.token_hex(4)}"
    with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**environment, "DATABASE_URL": server_url(name)}
    finally:
        with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def digests_of(environment: dict[str, str]) -> backup.Digests:
    if connection.vendor == "sqlite":
        return backup.sqlite_digests(Path(environment["CEMS_VAR_DIR"]) / "cems.sqlite3")
    with psycopg.connect(environment["DATABASE_URL"]) as db, db.cursor() as cursor:
        return backup.postgresql_digests(cursor)


def manage(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- The drill ---------------------------------------------------------------------------------


def test_drill_restores_a_demo_school_into_an_empty_database(tmp_path, empty_database):
    # The training categories come from a data migration, which a transactional test run
    # before this one has emptied; the demo needs them.
    categories = importlib.import_module("cems.training.migrations.0002_default_categories")
    categories.add_defaults(apps, None)
    call_command("seed_demo", "--students", "300", stdout=io.StringIO())
    original = backup.database_digests()
    path = tmp_path / "drill"
    path.mkdir()
    counts = run_backup(str(path))
    (made,) = [p for p in path.iterdir() if not p.name.endswith(".json")]
    manifest = json.loads(backup.manifest_path(made).read_text())
    assert manifest["vendor"] == connection.vendor
    assert manifest["migrations"]["students"].startswith("00")
    assert counts["tables"] == len(original) == len(manifest["tables"])
    assert counts["rows"] == sum(d.rows for d in original.values())
    assert counts["bytes"] == made.stat().st_size
    # The manifest describes the database as it was.
    assert {
        name: backup.TableDigest(entry["rows"], entry["sha256"])
        for name, entry in manifest["tables"].items()
    } == original

    result = manage(empty_database, "restore", str(made))
    assert result.returncode == 0, result.stdout + result.stderr
    restored_counts = last_json(result.stdout)
    assert restored_counts["differences"] == 0
    assert restored_counts["rows"] == counts["rows"]

    restored = digests_of(empty_database)
    assert backup.compare(original, restored) == []
    assert restored == original
    assert restored["students_student"].rows == 300
    assert restored["accounts_user"].rows >= 10

    # Restoring again refuses: the database now holds data.
    again = manage(empty_database, "restore", str(made))
    assert again.returncode == 2
    assert "not empty" in again.stderr


# --- Backups -----------------------------------------------------------------------------------


def test_backup_without_a_path_goes_to_var_backups(world, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    counts = run_backup()
    (made,) = [p for p in (tmp_path / "backups").iterdir() if not p.name.endswith(".json")]
    assert made.name.startswith("cems-")
    assert made.suffix == backup.SUFFIXES[connection.vendor]
    assert backup.manifest_path(made).is_file()
    assert counts["rows"] > 0
    assert counts["bytes"] == made.stat().st_size


def test_backup_refuses_to_overwrite(world, tmp_path):
    path = backup_file(tmp_path)
    before = path.read_bytes()
    out = io.StringIO()
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(path), stdout=out)
    assert path.read_bytes() == before


def test_checksums_see_a_changed_value(world):
    before = backup.database_digests()
    Student.objects.filter(pk=world.a1.pk).update(name="改名")
    after = backup.database_digests()
    assert after["students_student"].rows == before["students_student"].rows
    assert after["students_student"].sha256 != before["students_student"].sha256
    assert {k: v for k, v in after.items() if k != "students_student"} == {
        k: v for k, v in before.items() if k != "students_student"
    }
    assert backup.compare(before, after) == ["students_student: 3 rows, but their contents differ"]


def test_compare_names_missing_extra_and_short_tables():
    a = backup.TableDigest(2, "x")
    expected = {"kept": a, "lost": a, "short": a}
    actual = {"kept": a, "short": backup.TableDigest(1, "y"), "new": a}
    assert backup.compare(expected, actual) == [
        "lost: missing from the database",
        "new: not in the backup",
        "short: 1 rows, the backup has 2",
    ]


def test_missing_postgresql_tools_are_a_clear_error(monkeypatch):
    monkeypatch.setenv("PATH", "")
    with pytest.raises(backup.BackupError, match="pg_dump was not found"):
        backup._pg_tool("pg_dump")


# --- Restoring: refusals leave the database as it was ------------------------------------------


def test_restore_refuses_a_database_that_holds_data(world, tmp_path):
    path = backup_file(tmp_path)
    Student.objects.filter(pk=world.a1.pk).update(name="改名")
    before = backup.database_digests()
    error = restore_error(path)
    assert error.returncode == 2
    assert "not empty" in str(error)
    assert backup.database_digests() == before
    assert Student.objects.get(pk=world.a1.pk).name == "改名"


def test_restore_rejects_a_file_that_is_not_a_backup(world, tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database " * 1000)
    before = backup.database_digests()
    error = restore_error(junk, "--force")
    assert "not a CEMS backup" in str(error)
    assert "manifest" in str(error)

    # Even with a manifest that matches its bytes, the file is not a database backup.
    real = backup_file(tmp_path)
    manifest = json.loads(backup.manifest_path(real).read_text())
    manifest.update(bytes=junk.stat().st_size, sha256=backup.file_sha256(junk))
    backup.manifest_path(junk).write_text(json.dumps(manifest))
    error = restore_error(junk, "--force")
    assert f"not a {connection.vendor} backup file" in str(error)
    assert backup.database_digests() == before


def test_restore_rejects_a_truncated_backup(world, tmp_path):
    path = backup_file(tmp_path)
    data = path.read_bytes()
    truncated = tmp_path / f"truncated{path.suffix}"
    truncated.write_bytes(data[: len(data) // 2])
    backup.manifest_path(truncated).write_text(backup.manifest_path(path).read_text())
    before = backup.database_digests()
    error = restore_error(truncated, "--force")
    assert error.returncode == 2
    assert "damaged or incomplete" in str(error)
    assert backup.database_digests() == before


def test_restore_rejects_a_manifest_that_is_not_one(world, tmp_path):
    path = backup_file(tmp_path)
    backup.manifest_path(path).write_text("{not json")
    error = restore_error(path, "--force")
    assert "not a CEMS backup manifest" in str(error)


def test_restore_reports_tables_that_differ_from_the_manifest(world, tmp_path):
    """A restore over the same data (so the test database stays as it was) whose manifest
    claims one more student: the difference is reported and the exit status is 1."""
    path = backup_file(tmp_path)
    sidecar = backup.manifest_path(path)
    manifest = json.loads(sidecar.read_text())
    manifest["tables"]["students_student"]["rows"] += 1
    sidecar.write_text(json.dumps(manifest))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("restore", str(path), "--force", stdout=out, stderr=err)
    assert raised.value.returncode == 1
    assert "different: students_student: 3 rows, the backup has 4" in err.getvalue()
    counts = last_json(out.getvalue())
    assert counts["differences"] == 1
    assert Student.objects.count() == 3
