"""python manage.py seed_demo [--students N] [--seed S] [--reset]

Deterministic demo data at the seed's scale: the same seed gives the same school. Each
domain app contributes its own part (its `demo` module), in dependency order.
"""

import logging
import random
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Model
from django.utils import translation

from cems.accounts.demo import DEMO_PASSWORD, DEMO_USERS, seed_users
from cems.accounts.models import Role, User
from cems.admissions.demo import seed_admissions
from cems.admissions.models import AdmissionImport, Candidate
from cems.catalog.demo import seed_catalog, seed_plans
from cems.catalog.models import Course, Major, PlanCourse, Program, TeachingPlan
from cems.core import demo
from cems.core.models import AuditEvent, PersonalDataLog
from cems.finance.demo import seed_fees
from cems.finance.models import FeeEntry, FeeItem, PaymentImport, PaymentRow
from cems.graduation.demo import seed_audits, seed_graduation
from cems.graduation.models import (
    AuditResult,
    AuditRun,
    DegreeAward,
    DisciplinaryRecord,
    Graduation,
    LanguageResult,
    NumberSequence,
    Thesis,
)
from cems.organization.demo import seed_organization
from cems.organization.demo_honors import seed_honors
from cems.organization.models import Province, School, Station
from cems.students.demo import seed_student_records, seed_students
from cems.students.demo_status import seed_status_changes
from cems.students.models import (
    Registration,
    StatusChangeApproval,
    StatusChangeRequest,
    Student,
    StudentClass,
    StudentNumberChange,
)
from cems.teaching.demo import DEMO_TEACHERS, seed_teaching
from cems.teaching.demo_grades import seed_grades
from cems.teaching.models import (
    AcademicYear,
    CourseOffering,
    Grade,
    GradeChange,
    GradeChangeRequest,
    OfferingStudent,
    Term,
    Transcript,
)
from cems.training.demo import seed_training
from cems.training.models import (
    Assessment,
    Attendance,
    Certificate,
    CertificateReview,
    Employer,
    Enrollment,
    Project,
    Session,
    Trainee,
)

DEFAULT_STUDENTS = 16_000
BATCHED_STEPS = {"students", "admissions", "classes and numbers", "status changes"}
# Dependants before what they depend on (protected foreign keys).
RESET_ORDER: tuple[type[Model], ...] = (
    CertificateReview, Certificate, Assessment, Attendance, Session, Enrollment, Project,
    Trainee, Employer,
    DegreeAward, Graduation, AuditResult, AuditRun, NumberSequence, LanguageResult,
    DisciplinaryRecord, Thesis, PaymentRow, FeeEntry, PaymentImport, FeeItem,
    GradeChangeRequest, GradeChange, Grade, Transcript, OfferingStudent, CourseOffering, Term,
    AcademicYear,
    StatusChangeApproval, StatusChangeRequest, Registration, StudentNumberChange, Candidate,
    AdmissionImport, Student, StudentClass, PlanCourse, TeachingPlan, Course, Program, Major,
    Station, Province, School,
)  # fmt: skip


class Command(BaseCommand):
    help = "Load deterministic demo data (stations, majors, programs, students, one user per role)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--students", type=int, default=DEFAULT_STUDENTS)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the demo school and its users first, then seed again",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["students"]
        if count < 0:
            raise CommandError("--students must be zero or more")
        if School.objects.exists():
            if not options["reset"]:
                self.stdout.write("Demo data already present (use --reset to seed again).")
                self._print_logins()
                return
            self._reset()
        started = time.monotonic()
        seed = options["seed"]

        def rng(part: str) -> random.Random:
            """Each part draws from its own generator, so one part's changes leave the
            others' data as it was."""
            return random.Random(f"{seed}:{part}")  # noqa: S311 - demo data, not secrets

        steps: list[tuple[str, Callable[[], object]]] = [
            ("organization", lambda: seed_organization(rng("organization"), demo.person_name)),
            ("honors", seed_honors),
            ("catalog", lambda: seed_catalog(rng("catalog"))),
            ("teaching plans", lambda: seed_plans(rng("plans"))),
            ("students", lambda: seed_students(rng("students"), count)),
            ("classes and numbers", lambda: seed_student_records(rng("records"))),
            ("admissions", lambda: seed_admissions(rng("admissions"))),
            ("users", seed_users),
            ("status changes", lambda: seed_status_changes(rng("status"))),
            ("teaching", lambda: seed_teaching(rng("teaching"))),
            ("grades", lambda: seed_grades(rng("grades"))),
            ("fees", lambda: seed_fees(rng("fees"))),
            ("graduation", lambda: seed_graduation(rng("graduation"))),
            ("audits", seed_audits),
            ("training", lambda: seed_training(rng("training"))),
        ]
        # The services log every write to the audit logger; the demo's writes are no news.
        audit = logging.getLogger("cems.audit")
        audit_level = audit.level
        audit.setLevel(logging.WARNING)
        try:
            self._run(steps, verbose=options["verbosity"] > 1)
        finally:
            audit.setLevel(audit_level)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        self.stdout.write(f"Seeded {count:,} students in {elapsed:.1f} s (seed {seed}).")
        self._print_logins()

    def _run(self, steps: list[tuple[str, Callable[[], object]]], *, verbose: bool) -> None:
        for label, step in steps:
            step_started = time.monotonic()
            if label in BATCHED_STEPS:
                step()  # writes in batches of its own, each a transaction
            else:
                with transaction.atomic():
                    step()
            if verbose:
                self.stdout.write(f"  {label}: {time.monotonic() - step_started:.1f} s")

    @transaction.atomic
    def _reset(self) -> None:
        """Delete the domain data and the demo users, dependants first. Other accounts stay."""
        demo_users = User.objects.filter(
            username__in=[username for username, *_ in DEMO_USERS] + DEMO_TEACHERS
        )
        PersonalDataLog.objects.filter(user__in=demo_users).delete()
        for model in RESET_ORDER:
            model._default_manager.all().delete()
        # The audit trail is append-only: demo users it names stay (seed_users brings them
        # back as new); the others go.
        named = AuditEvent.objects.filter(actor__in=demo_users).values("actor")
        demo_users.exclude(pk__in=named).delete()

    def _print_logins(self) -> None:
        self.stdout.write("Demo logins (user name / password / role):")
        for username, role, _name, stations in DEMO_USERS:
            with translation.override("en"):
                english = str(Role(role).label)
            with translation.override("zh-hans"):
                chinese = str(Role(role).label)
            where = f" ({', '.join(stations)})" if stations else ""
            self.stdout.write(f"  {username:<12} {DEMO_PASSWORD:<16} {english} / {chinese}{where}")
