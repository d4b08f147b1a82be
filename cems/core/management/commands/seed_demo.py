"""python manage.py seed_demo [--students N] [--seed S] [--reset]

Deterministic demo data at the seed's scale: the same seed gives the same school. Each
domain app contributes its own part (its `demo` module), in dependency order.
"""

import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import translation

from cems.accounts.demo import DEMO_PASSWORD, DEMO_USERS, seed_users
from cems.accounts.models import Role, User
from cems.catalog.demo import seed_catalog
from cems.catalog.models import Major, Program
from cems.core import demo
from cems.organization.demo import seed_organization
from cems.organization.models import Province, School, Station
from cems.students.demo import seed_students
from cems.students.models import Student

DEFAULT_STUDENTS = 16_000


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
        rng = random.Random(options["seed"])  # noqa: S311 - deterministic demo data, not secrets
        with transaction.atomic():
            seed_organization(rng, demo.person_name)
            seed_catalog(rng)
        seed_students(rng, count)
        with transaction.atomic():
            seed_users()
        if connection.vendor == "sqlite" or connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        self.stdout.write(f"Seeded {count:,} students in {elapsed:.1f} s (seed {options['seed']}).")
        self._print_logins()

    @transaction.atomic
    def _reset(self) -> None:
        """Delete the domain data and the demo users, dependants first. Other accounts stay."""
        User.objects.filter(username__in=[username for username, *_ in DEMO_USERS]).delete()
        for model in (Student, Program, Major, Station, Province, School):
            model.objects.all().delete()

    def _print_logins(self) -> None:
        self.stdout.write("Demo logins (user name / password / role):")
        for username, role, _name, stations in DEMO_USERS:
            with translation.override("en"):
                english = str(Role(role).label)
            with translation.override("zh-hans"):
                chinese = str(Role(role).label)
            where = f" ({', '.join(stations)})" if stations else ""
            self.stdout.write(f"  {username:<12} {DEMO_PASSWORD:<16} {english} / {chinese}{where}")
