"""The student list at scale: `python -m bench.student_list`. A benchmark; asserts nothing.

Seeds BENCH_LIST_STUDENTS demo students (default 1,000,000) with `seed_demo` into a fresh
SQLite database under a temporary directory (BENCH_DATABASE_URL=postgres://... for
PostgreSQL instead, emptied by --reset), then requests the real list view through Django's
test client, signed in as academic affairs and as station staff, and prints the median time
of each page: the first, a deep one (from the middle, by key), the last, filtered ones, and
the total that a page asks for after it has come. Target: at most 200 ms per page.
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


def _median_ms(client: Any, params: dict[str, Any]) -> float:
    response = client.get("/students/", params)  # warm-up: session, caches
    if response.status_code != 200:
        raise SystemExit(f"/students/ {params} answered {response.status_code}")
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        client.get("/students/", params)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure() -> None:
    """Time the pages against the database the environment names (run by main)."""
    import random

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cems.settings")
    django.setup()
    from django.db import connection
    from django.test import Client

    from cems.accounts.models import User
    from cems.organization.models import Station
    from cems.students.demo import seed_student_records
    from cems.students.models import Student, StudentClass

    if not StudentClass.objects.exists():  # seed_demo may not make classes yet
        seed_student_records(random.Random(2026))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    station = Station.objects.get(code="ZD4302")
    total = Student.objects.count()
    middle = (
        Student.objects.order_by("student_number")
        .values_list("student_number", flat=True)[total // 2]
    )  # fmt: skip
    klass = StudentClass.objects.filter(station=station).order_by("-cohort_year", "code").first()
    filtered_academic = {"station": station.pk, "cohort": 2025}
    cases: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        ("first page", {}, {}),
        ("deep page (after the middle)", {"after": middle}, {"after": middle}),
        ("last page", {"last": "1"}, {"last": "1"}),
        ("filtered: station + cohort / cohort", filtered_academic, {"cohort": 2025}),
        ("filtered: level + status", {"level": "hs_ba", "status": "suspended"},
         {"level": "hs_ba", "status": "suspended"}),
        ("filtered: one class", {"student_class": klass.pk if klass else ""},
         {"student_class": klass.pk if klass else ""}),
        ("search: a name", {"q": "张伟"}, {"q": "张伟"}),
        ("search: a number prefix", {"q": middle[:9]}, {"q": middle[:9]}),
        ("total, asked after the page (filtered)", {**filtered_academic, "count": "1"},
         {"cohort": 2025, "count": "1"}),
        ("total, asked after the page (all)", {"count": "1"}, {"count": "1"}),
    ]  # fmt: skip
    clients = {}
    for username in ("academic", "station"):
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=username))
        clients[username] = client
    where = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(f"student list at {total:,} students on {where}: median of {REPEATS} requests, ms")
    print(f"  {'page':<42} {'academic':>9} {'station':>9}")
    for label, academic, staff in cases:
        a = _median_ms(clients["academic"], academic)
        s = _median_ms(clients["station"], staff)
        print(f"  {label:<42} {a:9.1f} {s:9.1f}", flush=True)


def main() -> None:
    count = int(os.environ.get("BENCH_LIST_STUDENTS", "1000000"))
    with tempfile.TemporaryDirectory(prefix="cems-bench-list-") as var_dir:
        env = {**os.environ, "CEMS_VAR_DIR": var_dir}
        env.pop("DATABASE_URL", None)
        if url := os.environ.get("BENCH_DATABASE_URL"):
            env["DATABASE_URL"] = url
        _manage(["migrate", "--noinput"], env)
        started = time.monotonic()
        _manage(["seed_demo", "--students", str(count), "--reset"], env)
        print(f"seed_demo --students {count:,}: {time.monotonic() - started:.1f} s", flush=True)
        subprocess.run([sys.executable, "-m", "bench.student_list", "measure"], cwd=ROOT,
                       env=env, check=True)  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:] == ["measure"]:
        measure()
    else:
        main()
