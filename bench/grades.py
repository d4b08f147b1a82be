"""Grade entry: `python -m bench.grades`. A benchmark; asserts nothing.

Seeds the demo (BENCH_GRADES_STUDENTS, default 16,000) into a fresh SQLite database under a
temporary directory and prints seed_demo's time and its grades step's share. Then, on an
offering of 60 students taught by the demo teacher (a 百分制 course with a coursework
weight: 120 cells), times saving the grid through grade_services.grades_save as the web
grid does (one call per cell, each its own request's work) and as the sheet upload does
(one call with every cell), then overwriting every cell, and submitting.
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = int(os.environ.get("BENCH_GRADES_STUDENTS", "16000"))
ROSTER = 60
REPEATS = 5


def _seed(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    started = time.monotonic()
    command = ["seed_demo", "--students", str(STUDENTS), "--reset", "-v", "2"]
    output = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env,
                            check=True, capture_output=True, text=True).stdout  # fmt: skip
    wall = time.monotonic() - started
    steps = dict(re.findall(r"^  (\w[\w ]*): ([\d.]+) s$", output, re.MULTILINE))
    seeded = re.search(r"Seeded .* in ([\d.]+) s", output)
    total = float(seeded.group(1)) if seeded else wall
    grades = float(steps.get("grades", "nan"))
    print(f"seed_demo --students {STUDENTS:,} on SQLite: {total:.1f} s ({wall:.1f} s with "
          f"start-up); teaching step {float(steps.get('teaching', 'nan')):.1f} s, grades step "
          f"{grades:.1f} s ({grades / total:.0%} of the total)", flush=True)  # fmt: skip


def _measure() -> None:
    """In the child process, with CEMS_VAR_DIR set: build the offerings, time the saves."""
    import logging

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cems.settings")
    django.setup()
    logging.getLogger("cems.audit").setLevel(logging.WARNING)  # a line per save: noise here
    from cems.accounts.models import User
    from cems.catalog.models import GradingScale, PlanCourse
    from cems.students.models import Student, StudentClass, StudentStatus
    from cems.teaching.grade_services import CellEdit, grades_save, grades_submit
    from cems.teaching.models import CourseOffering, OfferingStudent, Term, TermNumber

    teacher = User.objects.get(username="teacher")
    term = Term.objects.get(academic_year__start_year=2026, number=TermNumber.SECOND)
    plan_courses = list(
        PlanCourse.objects.filter(
            course__grading_scale=GradingScale.PERCENT, course__coursework_weight__gt=0
        ).order_by("pk")[:2]
    )
    students = list(
        Student.objects.filter(status=StudentStatus.REGISTERED).order_by("student_number")[
            : 2 * ROSTER
        ]
    )
    if len(students) < 2 * ROSTER or len(plan_courses) < 2:
        raise SystemExit("the demo is too small for the benchmark")
    klass = StudentClass.objects.order_by("pk").first()
    assert klass is not None

    def offering(plan_course: PlanCourse, members: list[Student]) -> tuple[int, list[int]]:
        made = CourseOffering.objects.create(
            student_class=klass, term=term, plan_course=plan_course, teacher=teacher
        )
        entries = OfferingStudent.objects.bulk_create(
            OfferingStudent(offering=made, student=student) for student in members
        )
        return made.pk, [entry.pk for entry in entries]

    def cells(entries: list[int], shift: int, expected: int | None) -> list[CellEdit]:
        edits = []
        for index, entry in enumerate(entries):
            for field, base in (("coursework", 70), ("exam", 55)):
                value = base + (index + shift) % 25
                before = "" if expected is None else str(base + (index + expected) % 25)
                edits.append(CellEdit(entry, field, str(value), expected=before))
        return edits

    grid_offering, grid_entries = offering(plan_courses[0], students[:ROSTER])
    times = []
    for edit in cells(grid_entries, 0, None):
        started = time.perf_counter()
        grades_save(actor=teacher, offering_id=grid_offering, edits=[edit])
        times.append(time.perf_counter() - started)
    print(f"grid, one call per cell: {len(times)} cells of {ROSTER} students in "
          f"{sum(times):.2f} s; per cell median {statistics.median(times) * 1000:.1f} ms, "
          f"slowest {max(times) * 1000:.1f} ms", flush=True)  # fmt: skip

    sheet_offering, sheet_entries = offering(plan_courses[1], students[ROSTER:])
    edits = cells(sheet_entries, 0, None)
    started = time.perf_counter()
    grades_save(actor=teacher, offering_id=sheet_offering, edits=edits, source="sheet")
    first = time.perf_counter() - started
    again = []
    for repeat in range(1, REPEATS + 1):
        edits = cells(sheet_entries, repeat, repeat - 1)
        started = time.perf_counter()
        grades_save(actor=teacher, offering_id=sheet_offering, edits=edits, source="sheet")
        again.append(time.perf_counter() - started)
    print(f"sheet, one call with all {len(edits)} cells: {first * 1000:.0f} ms into an empty "
          f"grid; overwriting every cell {statistics.median(again) * 1000:.0f} ms "
          f"(median of {REPEATS})", flush=True)  # fmt: skip

    started = time.perf_counter()
    grades_submit(actor=teacher, offering_id=sheet_offering)
    print(f"submitting the {ROSTER} grades: {(time.perf_counter() - started) * 1000:.0f} ms",
          flush=True)  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cems-bench-grades-") as var_dir:
        env = {**os.environ, "CEMS_VAR_DIR": var_dir}
        env.pop("DATABASE_URL", None)
        _seed(env)
        subprocess.run([sys.executable, "-m", "bench.grades", "--measure"], cwd=ROOT, env=env,
                       check=True)  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        _measure()
    else:
        main()
