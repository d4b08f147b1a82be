"""Benchmark of certificates (not a test): 5,000 trainees enrolled by a roster import into a
project of a fresh SQLite database, all completed, their certificates issued in one batch,
then printed as one PDF (one page each, with its QR code).

    .venv/bin/python -m bench.certificates
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNT = int(os.environ.get("BENCH_CERTIFICATES", "5000"))


def _measure() -> None:
    """In the child process, with CEMS_VAR_DIR set to a migrated database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cems.settings")
    django.setup()
    from cems.admissions.tests.writers import write_xlsx
    from cems.training import certificates
    from cems.training.models import Certificate, EnrollmentStatus
    from cems.training.roster import roster_import
    from cems.training.tests.roster_fixtures import HEADINGS, make_project, person_row

    rows = [person_row(n, gender="MF"[n % 2], employer=f"单位{n % 200:03d}") for n in range(COUNT)]
    project = make_project(capacity=COUNT)
    roster_import(project_id=project.pk, data=write_xlsx([HEADINGS, *rows]), file_name="r.xlsx")
    project.enrollments.update(status=EnrollmentStatus.COMPLETED)

    started = time.perf_counter()
    issued = certificates.issue_for_project(project)
    issuing = time.perf_counter() - started
    started = time.perf_counter()
    batch = list(certificates.for_pdf(Certificate.objects.filter(enrollment__project=project)))
    pdf = certificates.render_pdf(
        batch, verify_url=lambda number: f"https://cems.example.edu.cn/verify/?number={number}"
    )
    rendering = time.perf_counter() - started
    print(f"certificates: {len(issued):,} issued in one batch in {issuing:.2f} s; "
          f"{len(batch):,} printed as one PDF ({len(pdf) / 2**20:.1f} MiB) in {rendering:.1f} s "
          "on SQLite", flush=True)  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cems-bench-") as var_dir:
        env = {**os.environ, "CEMS_VAR_DIR": var_dir}
        env.pop("DATABASE_URL", None)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT,
                       env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        subprocess.run([sys.executable, "-m", "bench.certificates", "--measure"], cwd=ROOT,
                       env=env, check=True)  # fmt: skip


if __name__ == "__main__":
    if "--measure" in sys.argv:
        _measure()
    else:
        main()
