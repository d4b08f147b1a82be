"""Benchmark of the roster import (not a test): a generated 5,000-row xlsx roster imported
into a new project of a fresh SQLite database in a temporary var dir (read, check, write:
5,000 new files, employers and enrollments). Target: a few seconds at most.

    .venv/bin/python -m bench.roster
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = int(os.environ.get("BENCH_ROSTER_ROWS", "5000"))


def _measure() -> None:
    """In the child process, with CEMS_VAR_DIR set to a migrated database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cems.settings")
    django.setup()
    from cems.admissions.tests.writers import write_xlsx
    from cems.training.roster import roster_import
    from cems.training.tests.roster_fixtures import HEADINGS, make_project, person_row

    employers = [f"单位{n:03d}" for n in range(200)]
    rows = [person_row(n, gender="MF"[n % 2], employer=employers[n % 200]) for n in range(ROWS)]
    data = write_xlsx([HEADINGS, *rows])
    project = make_project(capacity=ROWS)
    started = time.perf_counter()
    plan = roster_import(project_id=project.pk, data=data, file_name="roster.xlsx")
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = roster_import(project_id=project.pk, data=data, file_name="roster.xlsx")
    second = time.perf_counter() - started
    counts = plan.counts()
    print(f"roster import {ROWS:,} rows: {first:.2f} s ({counts['created']:,} enrolled, "
          f"{counts['rejected']} rejected); again: {second:.2f} s "
          f"({again.counts()['unchanged']:,} unchanged)", flush=True)  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cems-bench-") as var_dir:
        env = {**os.environ, "CEMS_VAR_DIR": var_dir}
        env.pop("DATABASE_URL", None)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT,
                       env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        subprocess.run([sys.executable, "-m", "bench.roster", "--measure"], cwd=ROOT, env=env,
                       check=True)  # fmt: skip


if __name__ == "__main__":
    if "--measure" in sys.argv:
        _measure()
    else:
        main()
