"""Reports, dashboards and the public page at scale: `python -m bench.reports`. A
benchmark; asserts nothing.

Seeds the demo school into a fresh database (SQLite at the seed's scale by default;
BENCH_REPORTS_DATABASE_URL=postgres://... with BENCH_REPORTS_STUDENTS=1000000 for the
million-student run, emptied by --reset; BENCH_REPORTS_SKIP_SEED=1 measures a database
seeded already), then requests through Django's test client, signed in as the school's
administrator and as station staff, every report page of cems/reports/registry.py, every
role's dashboard, the public page (first request, then cached), the annual statistical
return and the student list's first and a deep page; prints for each the time of the first
request (which computes the figures: reports and dashboards then keep them as a snapshot,
cems/reports/snapshots.py), the median server time of the requests after it and their
query count. Targets: at most 500 ms per report, 200 ms per list page.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 5


def _manage(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def _timed(client: Any, url: str, params: dict[str, Any] | None = None) -> tuple[float, float, int]:
    """Milliseconds of the first request (which computes a snapshot), the median over
    REPEATS requests after it, and the queries of one of those."""
    from django.db import connection

    started = time.perf_counter()
    response = client.get(url, params or {})
    first = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} {params or ''} answered {response.status_code}")
    queries = []

    def count(execute: Any, sql: str, *args: Any) -> Any:
        queries.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        client.get(url, params or {})
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        client.get(url, params or {})
        times.append(time.perf_counter() - started)
    return first, statistics.median(times) * 1000, len(queries)


def measure() -> None:
    """Time the pages against the database the environment names (run by main)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cems.settings")
    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from cems.accounts.models import User
    from cems.reports.registry import all_reports
    from cems.students.models import Student

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    cache.clear()
    total = Student.objects.count()
    where = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    clients = {}
    for username in ("admin", "academic", "finance", "training", "station", "teacher",
                     "student", "trainee", "auditor"):  # fmt: skip
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=username))
        clients[username] = client
    print(f"reports at {total:,} students on {where}: median of {REPEATS} requests "
          f"(ms) and queries per request")  # fmt: skip
    print("  first request (computes the figures) / median of the next ones, ms (queries)")
    print(f"  {'page':<46} {'admin':>22} {'station':>22}")

    def row(label: str, url: str, params: dict[str, Any] | None = None,
            who: tuple[str, str] = ("admin", "station")) -> None:  # fmt: skip
        cells = []
        for username in who:
            if username:
                first, ms, queries = _timed(clients[username], url, params)
                cells.append(f"{first:8.0f} /{ms:7.1f} ({queries:2d}q)")
            else:
                cells.append(f"{'—':>22}")
        print(f"  {label:<46} {cells[0]:>22} {cells[1]:>22}", flush=True)

    for report in all_reports():
        url = reverse("report_pages:report", args=[report.key])
        station_may = report.key not in ("training", "expiring-certificates")
        row(f"report: {report.key}", url, who=("admin", "station" if station_may else ""))
    row("report: registered-students by major", reverse("report_pages:report",
        args=["registered-students"]), {"group_by": "major"})  # fmt: skip
    row("annual statistical return (page)", reverse("annual_return:page"), {"year": 2025})
    for role in ("academic", "finance", "training", "teacher", "student", "trainee", "auditor"):
        row(f"dashboard: {role}", "/", who=(role, ""))
    row("dashboard: admin / station", "/")
    cache.clear()
    started = time.perf_counter()
    Client(HTTP_HOST="localhost").get(reverse("public:home"))
    first = (time.perf_counter() - started) * 1000
    _first, cached, queries = _timed(Client(HTTP_HOST="localhost"), reverse("public:home"))
    print(f"  {'public page: first request / cached':<52} {first:8.1f} ms / {cached:.1f} ms "
          f"({queries} queries)")  # fmt: skip
    middle = (
        Student.objects.order_by("student_number")
        .values_list("student_number", flat=True)[total // 2]
    )  # fmt: skip
    row("student list: first page", reverse("students:list"))
    row("student list: deep page (after the middle)", reverse("students:list"), {"after": middle})


def main() -> None:
    count = int(os.environ.get("BENCH_REPORTS_STUDENTS", "15000"))
    with tempfile.TemporaryDirectory(prefix="cems-bench-reports-") as var_dir:
        env = {**os.environ, "CEMS_VAR_DIR": var_dir}
        env.pop("DATABASE_URL", None)
        if url := os.environ.get("BENCH_REPORTS_DATABASE_URL"):
            env["DATABASE_URL"] = url
        _manage(["migrate", "--noinput"], env)
        if not os.environ.get("BENCH_REPORTS_SKIP_SEED"):
            started = time.monotonic()
            _manage(["seed_demo", "--students", str(count), "--reset"], env)
            print(f"seed_demo --students {count:,}: {time.monotonic() - started:.1f} s", flush=True)
        subprocess.run([sys.executable, "-m", "bench.reports", "measure"], cwd=ROOT, env=env,
                       check=True)  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:] == ["measure"]:
        measure()
    else:
        main()
