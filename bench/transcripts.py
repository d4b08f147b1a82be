"""Transcripts of a whole class: `python -m bench.transcripts`. A benchmark; asserts nothing.

Into a fresh SQLite database under a temporary directory (BENCH_DATABASE_URL=postgres://...
for PostgreSQL instead), creates one class of BENCH_CLASS_SIZE students (default 60) with
30 submitted grades each over five terms (a few failed, some with makeup results, a few
retakes, the demo catalogue's course names), then prints the seconds that the class PDF
takes: issuing (queries and Transcript rows) and rendering alone, and the real view through
Django's test client, signed in as academic affairs. Target: a couple of seconds.
"""

import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLASS_SIZE = int(os.environ.get("BENCH_CLASS_SIZE", "60"))
TERMS = 5
COURSES_PER_TERM = 6
REPEATS = 3


def _create_class() -> int:
    """The class, its students and their graded offerings; returns the class's pk."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from cems.accounts.models import Role, User
    from cems.catalog.demo import COMMON_COURSES, GROUPS, MAJOR_COURSES
    from cems.catalog.models import (
        Course,
        Level,
        Major,
        PlanCourse,
        Program,
        StudyMode,
        TeachingPlan,
    )
    from cems.core.demo import person_name
    from cems.organization.models import Province, Station
    from cems.students.models import Student, StudentClass
    from cems.teaching.grade_services import derive
    from cems.teaching.models import (
        AcademicYear,
        CourseOffering,
        Grade,
        OfferingStudent,
        Term,
        default_term_dates,
        grade_writes,
    )

    rng = random.Random(2026)
    province = Province.objects.create(code="43", name="湖南省", name_en="Hunan")
    station = Station.objects.create(
        code="ZD4302", name="长沙函授站", province=province, city="长沙",
        host_institution="长沙某职业学校", contact_person="陈老师", contact_phone="0731-5551234",
        agreement_start=dt.date(2020, 1, 1),
    )  # fmt: skip
    major = Major.objects.create(code="080901", short_code="001", name="计算机科学与技术",
                                 discipline="engineering")  # fmt: skip
    program = Program.objects.create(
        major=major, level=Level.HIGH_SCHOOL_TO_BACHELOR, mode=StudyMode.CORRESPONDENCE,
        standard_length_years=Decimal(5), credits_to_graduate=160, tuition_per_year=3200,
    )  # fmt: skip
    klass = StudentClass.objects.create(
        code="ZD4302-2022-001", name="2022级计算机高起本函授1班", station=station,
        program=program, cohort_year=2022,
    )  # fmt: skip
    students = Student.objects.bulk_create(
        Student(
            student_number=f"102022001{n:03d}", exam_number=f"22430100{n:04d}",
            name=person_name(rng), gender="M", id_number=f"43030219900101{n:03d}1",
            birth_date=dt.date(1990, 1, 1), station=station, program=program, cohort_year=2022,
            student_class=klass,
        )
        for n in range(1, CLASS_SIZE + 1)
    )  # fmt: skip
    groups, own = MAJOR_COURSES["080901"]
    major_names = [n for g in groups.split() for n in GROUPS[g].split()] + own.split()
    names = [(code, name) for code, name, *_ in COMMON_COURSES]
    names += [(f"ZY{i:03d}", name) for i, name in enumerate(major_names)]
    plan = TeachingPlan.objects.create(program=program, admission_year=2022)
    terms = []
    for index in range(TERMS):
        year, _ = AcademicYear.objects.get_or_create(start_year=2022 + index // 2)
        number = index % 2 + 1
        start, end = default_term_dates(year.start_year, number)
        terms.append(Term.objects.create(academic_year=year, number=number, start_date=start,
                                         end_date=end))  # fmt: skip
    actor = User.objects.create_user(username="academic", role=Role.ACADEMIC)
    now = timezone.now()
    for index, (code, name) in enumerate(names[: TERMS * COURSES_PER_TERM]):
        credits = Decimal(rng.choice((2, 3, 3, 4)))
        course = Course.objects.create(code=f"B{index:03d}{code}", name=name, credits=credits,
                                       hours=int(credits) * 16, assessment="exam")  # fmt: skip
        entry = PlanCourse.objects.create(
            plan=plan, course=course, term=index // COURSES_PER_TERM + 1, credits=credits,
            hours=course.hours, assessment="exam", is_degree_course=index % 7 == 0,
        )  # fmt: skip
        offering = CourseOffering.objects.create(
            student_class=klass, term=terms[index // COURSES_PER_TERM], plan_course=entry,
            grades_submitted_at=now, grades_submitted_by=actor, makeup_submitted_at=now,
            makeup_submitted_by=actor,
        )  # fmt: skip
        roster = OfferingStudent.objects.bulk_create(
            OfferingStudent(offering=offering, student=student) for student in students
        )
        grades = []
        for row in roster:
            grade = Grade(entry=row, score=Decimal(rng.choice(range(40, 100))))
            derive(grade, "percent", 0, with_makeup=False)
            if grade.passed is False:
                grade.makeup_score = Decimal(rng.choice(range(45, 90)))
                derive(grade, "percent", 0, with_makeup=True)
            grades.append(grade)
        with grade_writes():
            Grade.objects.bulk_create(grades)
    return klass.pk


def measure() -> None:
    """Create the class and time its transcripts (run by main, in the temporary database)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cems.settings")
    django.setup()
    logging.getLogger("cems.audit").setLevel(logging.WARNING)  # a line per class: noise here
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from cems.accounts.models import User
    from cems.teaching import transcripts
    from cems.teaching.models import Grade

    started = time.perf_counter()
    class_pk = _create_class()
    grades = Grade.objects.count()
    print(f"class of {CLASS_SIZE} students, {grades:,} grades: created in "
          f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
    user = User.objects.get(username="academic")

    def url(code: str) -> str:
        return f"http://localhost/transcripts/verify/{code}/"

    issue, render = [], []
    pdf = b""
    for _ in range(REPEATS):
        started = time.perf_counter()
        _klass, students = transcripts.class_for_transcripts(user=user, pk=class_pk)
        issued = transcripts.transcript_issue(actor=user, students=students)
        issue.append(time.perf_counter() - started)
        started = time.perf_counter()
        pdf = transcripts.render_pdf(issued, verify_url=url)
        render.append(time.perf_counter() - started)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    view = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = client.get(reverse("teaching:transcript_class", args=[class_pk]))
        view.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"the class PDF answered {response.status_code}")
    where = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(f"class transcripts ({CLASS_SIZE} students, {len(pdf) / 2**10:,.0f} KiB PDF) on {where}, "
          f"median of {REPEATS}: issue {statistics.median(issue):.2f} s, render "
          f"{statistics.median(render):.2f} s; the view end to end "
          f"{statistics.median(view):.2f} s", flush=True)  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cems-bench-transcripts-") as var_dir:
        env = {**os.environ, "CEMS_VAR_DIR": var_dir}
        env.pop("DATABASE_URL", None)
        if url := os.environ.get("BENCH_DATABASE_URL"):
            env["DATABASE_URL"] = url
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        if url:  # the named database is emptied first
            subprocess.run([sys.executable, "manage.py", "flush", "--noinput"], cwd=ROOT, env=env,
                           check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        subprocess.run([sys.executable, "-m", "bench.transcripts", "measure"], cwd=ROOT, env=env,
                       check=True)  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:] == ["measure"]:
        measure()
    else:
        main()
