"""python manage.py import_roster PROJECT_ID FILE

Imports a roster file (xlsx, xls, ods, csv) into a training project (cems/training/roster.py
describes the policy). Rejected rows go to standard error with their row, column and reason;
the last line of standard output is a JSON object with the counts. Exit status: 0 when no
row was rejected, 1 when some were, 2 when the file cannot be read, a required column is
missing or the project does not exist.
"""

import json
import time
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cems.admissions.issues import ImportStopped
from cems.training.models import Project
from cems.training.roster import roster_import

EXIT_REJECTED = 1
EXIT_UNREADABLE = 2
NO_COUNTS = {"rows": 0, "created": 0, "unchanged": 0, "rejected": 0, "new_trainees": 0}


class Command(BaseCommand):
    help = "Import a roster file (xlsx, xls, ods, csv) into a training project."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project_id", type=int, help="the project's id")
        parser.add_argument("file", help="the roster file")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        path = Path(options["file"])
        if not Project.objects.filter(pk=options["project_id"]).exists():
            self._stop(f"There is no training project {options['project_id']}.")
        try:
            data = path.read_bytes()
        except OSError as error:
            self._stop(f"{path}: {error.strerror or error}")
        try:
            plan = roster_import(project_id=options["project_id"], data=data, file_name=path.name)
        except ImportStopped as stopped:
            self._stop(stopped.text())
        for issue in plan.warnings:
            self.stderr.write(f"warning: file: {issue.text()}")
        for row, issue in plan.problems():
            where = f"row {row}" + (f", {issue.column}" if issue.column else "")
            self.stderr.write(f"rejected: {where}: {issue.text()}")
        counts = plan.counts()
        self.stdout.write(
            f"{path.name}: {counts['rows']} rows, {counts['created']} enrolled "
            f"({counts['new_trainees']} new files), {counts['unchanged']} unchanged, "
            f"{counts['rejected']} rejected ({time.monotonic() - started:.2f} s)."
        )
        self.stdout.write(json.dumps(counts))
        if counts["rejected"]:
            raise CommandError(
                f"{counts['rejected']} of {counts['rows']} rows were rejected.",
                returncode=EXIT_REJECTED,
            )

    def _stop(self, reason: str) -> NoReturn:
        self.stdout.write(json.dumps(NO_COUNTS))
        raise CommandError(reason, returncode=EXIT_UNREADABLE)
