"""Accounts and choices for a load run, written as JSON for the locust file:

    python -m loadtest.prepare PLAN.json     (with CEMS_VAR_DIR / DATABASE_URL of the run)

- student accounts (load_student001, ...) linked to registered demo students, so that each
  simulated student reads their own grades and fees (the demo has one student login);
- (teacher, offering) pairs: the demo teachers' offerings of the current term whose grades
  are open, on the percent scale, one pair per simulated teacher;
- the station staff's logins and what they search for (frequent surname characters and
  student-number prefixes of their stations' students);
- the sample admission files academic affairs uploads.

Every account has the demo password, so that no login fails (django-axes locks an account
after five failed logins).
"""

import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STUDENT_ACCOUNTS = 200
OFFERINGS_PER_TEACHER = 4
SAMPLE_FILES = [
    "2026-admissions.xlsx",
    "2026-admissions.xls",
    "2026-admissions.ods",
    "2026-admissions-utf8.csv",
    "2026-admissions-gbk.csv",
    "2026-admissions.dbf",
]


def _student_accounts(password: str) -> list[str]:
    from cems.accounts.models import Role, User
    from cems.students.models import Student, StudentStatus

    existing = list(
        User.objects.filter(username__startswith="load_student")
        .order_by("username")
        .values_list("username", flat=True)
    )
    if existing:  # a second run on the same database: the accounts are there, linked
        User.objects.filter(username__in=existing).update(password=password, is_active=True)
        return existing
    students = list(
        Student.objects.filter(status=StudentStatus.REGISTERED, user=None).order_by(
            "station__code", "student_number"
        )[: STUDENT_ACCOUNTS * 5 : 5]  # spread over stations and classes
    )
    names = [f"load_student{n:03d}" for n in range(1, len(students) + 1)]
    users = User.objects.bulk_create(
        User(username=name, role=Role.STUDENT, full_name=student.name, password=password)
        for name, student in zip(names, students, strict=True)
    )
    for student, user in zip(students, users, strict=True):
        student.user = user
    Student.objects.bulk_update(students, ["user"])
    return names


def _teacher_offerings() -> list[dict[str, Any]]:
    from django.db.models import Count

    from cems.catalog.models import GradingScale
    from cems.teaching.demo import DEMO_TEACHERS
    from cems.teaching.models import CourseOffering

    latest = CourseOffering.objects.order_by("-term__start_date").values("term").first()
    pairs = []
    for username in ["teacher", *DEMO_TEACHERS]:
        offerings = (
            CourseOffering.objects.filter(
                teacher__username=username,
                term=latest["term"] if latest else None,
                grades_submitted_at=None,
                plan_course__course__grading_scale=GradingScale.PERCENT,
            )
            .annotate(size=Count("roster"))
            .filter(size__gte=5)
            .order_by("pk")
            .values_list("pk", flat=True)[:OFFERINGS_PER_TEACHER]
        )
        pairs += [{"username": username, "offering": pk} for pk in offerings]
    return pairs


def _station_searches() -> list[dict[str, Any]]:
    from cems.accounts.models import Role, User
    from cems.students.models import Student

    staff = []
    for user in User.objects.filter(role=Role.STATION, username__in=["station", "station_gd"]):
        students = Student.objects.filter(station__in=user.stations.all())
        names = students.values_list("name", flat=True)[:2000]
        surnames = [c for c, _n in Counter(name[0] for name in names if name).most_common(8)]
        numbers = students.order_by("student_number").values_list("student_number", flat=True)
        prefixes = sorted({n[:6] for n in numbers[:2000:200]})
        staff.append({"username": user.username, "queries": surnames + prefixes})
    return staff


def plan() -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password

    from cems.accounts.demo import DEMO_PASSWORD

    password = make_password(DEMO_PASSWORD)
    samples = ROOT / "samples" / "admissions"
    return {
        "password": DEMO_PASSWORD,
        "students": _student_accounts(password),
        "teachers": _teacher_offerings(),
        "station_staff": _station_searches(),
        "academic": "academic",
        "leaders": ["auditor", "admin"],
        "admission_files": [str(samples / name) for name in SAMPLE_FILES],
        "admission_year": 2026,
    }


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m loadtest.prepare PLAN.json")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cems.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    chosen = plan()
    Path(sys.argv[1]).write_text(json.dumps(chosen, ensure_ascii=False, indent=1))
    print(f"{len(chosen['students'])} student accounts, {len(chosen['teachers'])} offerings to "
          f"grade, {len(chosen['station_staff'])} station logins")  # fmt: skip


if __name__ == "__main__":
    main()
