"""`make bench`: benchmarks, not tests. Prints figures; asserts nothing.

- the admission import of a 15,000-row xlsx file end to end (bench/admissions.py);
- the student list's pages at 1,000,000 students (bench/student_list.py);
- grade entry: a 60-student grid saved cell by cell and as one sheet (bench/grades.py);
- the transcripts of a class of 60 students as one PDF (bench/transcripts.py);
- the graduation audit of the whole demo school (bench/audit.py);
- a 5,000-row training roster imported into a fresh SQLite database (bench/roster.py);
- 5,000 training certificates issued in one batch and printed as one PDF (bench/certificates.py);
- every report, dashboard, the public page, the annual return and the student list's pages
  at the seed's scale on SQLite, and at 1,000,000 students on PostgreSQL when
  BENCH_DATABASE_URL is set (bench/reports.py);

- seed_demo at the seed's scale (15,000 students) and at 1,000,000 students, each into a
  fresh SQLite database under a temporary directory: wall time and peak memory.
- BENCH_SCALES=15000,200000 chooses other scales; BENCH_DATABASE_URL=postgres://... runs
  the same against PostgreSQL; seed_demo --reset empties it first.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import (
    admissions,
    audit,
    certificates,
    grades,
    reports,
    roster,
    student_list,
    transcripts,
)

ROOT = Path(__file__).resolve().parent.parent
SCALES = [int(s) for s in os.environ.get("BENCH_SCALES", "15000,1000000").split(",") if s]


def run(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Run a management command; its wall time in seconds and its own peak RSS in KiB."""
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL)  # fmt: skip
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({child.returncode})")
    return time.monotonic() - started, usage.ru_maxrss


def seed(scale: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="cems-bench-") as var_dir:
        env = {**os.environ, "CEMS_VAR_DIR": var_dir}
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        run(["migrate", "--noinput"], env)
        seconds, peak = run(["seed_demo", "--students", str(scale), "--reset"], env)
        size = ""
        if not database_url:
            db = Path(var_dir) / "cems.sqlite3"
            size = f", database {db.stat().st_size / 2**20:,.0f} MiB"
        where = "PostgreSQL" if database_url else "SQLite"
        print(f"seed_demo --students {scale:>9,} on {where:<10}: {seconds:7.1f} s, "
              f"{scale / seconds:9,.0f} students/s, peak RSS {peak / 1024:,.0f} MiB{size}",
              flush=True)  # fmt: skip


def main() -> None:
    print("== seed_demo", flush=True)
    targets: list[str | None] = [None]
    if url := os.environ.get("BENCH_DATABASE_URL"):
        targets.append(url)
    for database_url in targets:
        for scale in SCALES:
            seed(scale, database_url)
    print("== admission import (15,000-row xlsx, SQLite)", flush=True)
    admissions.main()
    print("== student list pages", flush=True)
    student_list.main()
    print("== grade entry (60 students, SQLite)", flush=True)
    grades.main()
    print("== class transcripts (PDF)", flush=True)
    transcripts.main()
    print("== graduation audit of the whole school (demo)", flush=True)
    audit.main()
    print("== training roster import (5,000-row xlsx, fresh SQLite)", flush=True)
    roster.main()
    print("== training certificates (5,000 issued, one PDF)", flush=True)
    certificates.main()
    print("== reports, dashboards, public page (seed scale, SQLite)", flush=True)
    reports.main()
    if url := os.environ.get("BENCH_DATABASE_URL"):
        print("== reports, dashboards, public page (1,000,000 students, PostgreSQL)", flush=True)
        os.environ.update(BENCH_REPORTS_DATABASE_URL=url, BENCH_REPORTS_STUDENTS="1000000")
        reports.main()


if __name__ == "__main__":
    main()
