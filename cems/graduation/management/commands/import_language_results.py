"""python manage.py import_language_results FILE [--dry-run]

Imports foreign-language exam results (the provincial adult degree English exam, CET-4)
from an xlsx, xls, ods or csv file with the columns 学号 or 身份证号, 姓名, 考试类别,
考试日期, 成绩, 证书编号 (samples/language_results/README.md). The file is imported all or
nothing: errors go to standard error with their row, column and reason, and then nothing
is written. The last line of standard output is a JSON object with the counts. Exit
status: 0 when the file was imported (or would be, for a dry run), 1 when some rows have
errors, 2 when the file cannot be read or a required column is missing.
"""

import json
import time
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cems.admissions.issues import ImportStopped
from cems.graduation.degree_records import language_results_import

EXIT_REJECTED = 1
EXIT_UNREADABLE = 2
NO_COUNTS = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0, "rejected": 0}


class Command(BaseCommand):
    help = "Import foreign-language exam results (adult degree English, CET-4) for degrees."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the results file (xlsx, xls, ods, csv)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            self._stop(f"{path}: {error.strerror or error}")
        try:
            outcome = language_results_import(
                data=data, file_name=path.name, actor=None, dry_run=options["dry_run"]
            )
        except ImportStopped as stopped:
            self._stop(stopped.text())
        for row, column, reason in outcome.problems():
            where = f"row {row}, {column}" if column else f"row {row}"
            self.stderr.write(f"rejected: {where}: {reason}")
        counts = outcome.counts()
        if counts["rejected"]:
            self.stdout.write(f"{counts['rejected']} rows have errors: nothing was written.")
        elif options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
        self.stdout.write(
            f"{path.name}: {counts['rows']} rows, {counts['created']} created, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged, "
            f"{counts['rejected']} rejected ({time.monotonic() - started:.2f} s)."
        )
        self.stdout.write(json.dumps(counts))
        if counts["rejected"]:
            raise CommandError(
                f"{counts['rejected']} of {counts['rows']} rows have errors.",
                returncode=EXIT_REJECTED,
            )

    def _stop(self, text: str) -> NoReturn:
        """The file cannot be imported at all: say why, write nothing, exit with status 2."""
        self.stdout.write(json.dumps(NO_COUNTS))
        raise CommandError(text, returncode=EXIT_UNREADABLE)
