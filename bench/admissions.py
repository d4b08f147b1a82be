"""Benchmark of the admission import (not a test): a generated 15,000-row xlsx admission file,
valid against a fresh demo database, imported end to end (read, validate, write) on SQLite
in a temporary var dir. Target: at most 1.0 s for read + validate + write.

    .venv/bin/python -m bench.admissions     (make bench runs it too, once wired in)
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = int(os.environ.get("BENCH_ADMISSION_ROWS", "15000"))


def _manage(args: list[str], env: dict[str, str], *, quiet: bool = False) -> float:
    started = time.monotonic()
    stderr = subprocess.DEVNULL if quiet else None
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=stderr)  # fmt: skip
    return time.monotonic() - started


def _measure(path: Path) -> None:
    """In the child process, with CEMS_VAR_DIR set: generate the file, import it, time it."""
    import logging
    import random

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cems.settings")
    django.setup()
    logging.getLogger("cems.audit").setLevel(logging.WARNING)  # one line per import: noise here
    from cems.admissions.checks import plan_import
    from cems.admissions.demo import FILE_HEADINGS, file_row, people, seed_admissions
    from cems.admissions.models import Candidate
    from cems.admissions.services import admission_import, read_admission_file
    from cems.admissions.tests.writers import write_xlsx

    if not Candidate.objects.exists():  # seed_demo without its admissions part
        seed_admissions(random.Random(2026))
    rng = random.Random(15_000)
    data = write_xlsx(
        [FILE_HEADINGS, *(file_row(p) for p in people(rng, ROWS, year=2026, mark="8"))]
    )
    path.write_bytes(data)

    started = time.perf_counter()
    sheet = read_admission_file(data, path.name)
    read = time.perf_counter() - started
    plan = plan_import(sheet, file_name=path.name, admission_year=2026)
    checked = time.perf_counter() - started - read

    started = time.perf_counter()
    outcome = admission_import(data=data, file_name=path.name, admission_year=2026, actor=None)
    total = time.perf_counter() - started
    counts = outcome.counts()
    if counts["created"] != ROWS or plan.counts()["rejected"]:
        raise SystemExit(f"the generated file did not import cleanly: {counts}")

    started = time.perf_counter()
    again = admission_import(data=data, file_name=path.name, admission_year=2026, actor=None)
    repeat = time.perf_counter() - started
    print(f"admission import, {ROWS:,} rows xlsx ({len(data) / 2**20:.1f} MiB) on SQLite: "
          f"{total:.2f} s end to end (read {read:.2f} s, read + validate {read + checked:.2f} s "
          f"alone); again, all unchanged: {repeat:.2f} s "
          f"({again.counts()['unchanged']:,} unchanged)", flush=True)  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cems-bench-admissions-") as var_dir:
        env = {**os.environ, "CEMS_VAR_DIR": var_dir}
        env.pop("DATABASE_URL", None)
        _manage(["migrate", "--noinput"], env)
        _manage(["seed_demo", "--reset"], env)
        path = Path(var_dir) / "admissions-15000.xlsx"
        subprocess.run([sys.executable, "-m", "bench.admissions", "--measure", str(path)],
                       cwd=ROOT, env=env, check=True)  # fmt: skip
        # The command as staff run it, Python and Django start-up included (all unchanged).
        seconds = _manage(["import_admissions", str(path), "--year", "2026"], env, quiet=True)
        print(f"manage.py import_admissions of the same file (start-up included): {seconds:.2f} s",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        _measure(Path(sys.argv[2]))
    else:
        main()
