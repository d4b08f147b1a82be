"""The graduation audit of the whole school: `python -m bench.audit`. A benchmark; asserts
nothing.

Seeds the demo (BENCH_AUDIT_STUDENTS, default seed_demo's 16,000 students) into a fresh
SQLite database under a temporary directory (BENCH_DATABASE_URL=postgres://... for
PostgreSQL instead), then times the audit of the whole school: loading the facts
(cems.graduation.audit.load_facts) and deciding the verdicts separately, then the whole
run as academic affairs starts it (services.audit_start: facts, verdicts, the results
written, the counts), with the number of queries of each; then the first page of the
results and their xlsx download through the real views. Target: the audit under 2 s.
"""

import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = os.environ.get("BENCH_AUDIT_STUDENTS", "")
REPEATS = 3
T = TypeVar("T")


def _timed(call: Callable[[], T]) -> tuple[float, int, T]:
    """(seconds, queries, result) of a call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - started
    return seconds, len(queries), result


def measure() -> None:
    """In the child process, with CEMS_VAR_DIR set and the demo seeded."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cems.settings")
    django.setup()
    logging.getLogger("cems.audit").setLevel(logging.WARNING)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from cems.accounts.models import User
    from cems.graduation import audit, services
    from cems.graduation.models import AuditRun, RunStatus
    from cems.teaching.models import Grade

    where = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    grades = Grade.objects.filter(entry__offering__grades_submitted_at__isnull=False).count()
    today = timezone.localdate()
    facts_times, verdict_times, run_times = [], [], []
    facts_queries = run_queries = 0
    facts: dict[int, audit.StudentFacts] = {}
    verdicts: dict[int, audit.Verdict] = {}
    for _ in range(REPEATS):
        seconds, facts_queries, facts = _timed(lambda: audit.load_facts(audit.audit_students()))
        facts_times.append(seconds)
        started = time.perf_counter()
        verdicts = audit.graduation_verdicts(facts, today)
        verdict_times.append(time.perf_counter() - started)
    eligible = sum(v.eligible for v in verdicts.values())
    print(f"whole school on {where}: {len(facts):,} students audited, {grades:,} submitted "
          f"grades, {eligible:,} eligible today", flush=True)  # fmt: skip
    print(f"  facts (load_facts): {statistics.median(facts_times):.2f} s, {facts_queries} "
          f"queries; verdicts: {statistics.median(verdict_times):.2f} s, no query "
          f"(median of {REPEATS})", flush=True)  # fmt: skip
    user = User.objects.get(username="academic")
    runs: list[AuditRun] = []
    for _ in range(REPEATS):
        seconds, run_queries, run = _timed(lambda: services.audit_start(actor=user, today=today))
        runs.append(run)
        if run.status != RunStatus.DONE:
            raise SystemExit(f"the audit failed: {run.error}")
        run_times.append(seconds)
    print(f"  the whole run (audit_start: facts, verdicts, {len(facts):,} results written): "
          f"{statistics.median(run_times):.2f} s, {run_queries} queries "
          f"(median of {REPEATS}; target < 2 s)", flush=True)  # fmt: skip
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = reverse("graduation:audit_detail", args=[runs[-1].pk])
    page_times, download_times = [], []
    for _ in range(REPEATS):
        started = time.perf_counter()
        client.get(url, {"eligible": "no", "reason": "credits_short"})
        page_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        response = client.get(url, {"format": "xlsx"})
        download_times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"the download answered {response.status_code}")
    print(f"  results page (filtered by verdict and reason): "
          f"{statistics.median(page_times):.2f} s; xlsx of all {len(facts):,} results: "
          f"{statistics.median(download_times):.2f} s", flush=True)  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cems-bench-audit-") as var_dir:
        env = {**os.environ, "CEMS_VAR_DIR": var_dir}
        env.pop("DATABASE_URL", None)
        if url := os.environ.get("BENCH_DATABASE_URL"):
            env["DATABASE_URL"] = url
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        seed = ["seed_demo", "--reset"] + (["--students", STUDENTS] if STUDENTS else [])
        started = time.monotonic()
        subprocess.run([sys.executable, "manage.py", *seed], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        print(f"seed_demo {' '.join(seed[1:])}: {time.monotonic() - started:.1f} s", flush=True)
        subprocess.run([sys.executable, "-m", "bench.audit", "measure"], cwd=ROOT, env=env,
                       check=True)  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:] == ["measure"]:
        measure()
    else:
        main()
