"""python manage.py import_admissions FILE [--year Y] [--dry-run] [--all-or-nothing]
[--report OUT.xlsx]

Imports the exam authority's admission file (xlsx, xls, ods, csv, dbf). Rejected rows and
warnings go to standard error with their row, column and reason; the last line of standard
output is a JSON object with the counts. Exit status: 0 when no row was rejected, 1 when
some were, 2 when the file cannot be read or a required column is missing.
"""

import json
import time
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cems.admissions.issues import ImportStopped, Issue
from cems.admissions.report import ERRORS, WARNINGS, problems, report_xlsx
from cems.admissions.services import admission_import, plan_report
from cems.core.progress import Progress

EXIT_REJECTED = 1
EXIT_UNREADABLE = 2
NO_COUNTS = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0, "rejected": 0}


class _Bar:
    """The terminal progress bar, started once the number of rows is known."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.bar: Progress | None = None

    def start(self, total: int) -> None:
        self.bar = Progress(total, "admissions", stream=self.stream)

    def advance(self, count: int) -> None:
        if self.bar:
            self.bar.advance(count)

    def finish(self) -> None:
        if self.bar:
            self.bar.finish()


class Command(BaseCommand):
    help = "Import an admission file of the provincial exam authority (xlsx, xls, ods, csv, dbf)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the admission file")
        parser.add_argument(
            "--year", type=int, default=None, help="admission year (default: this year)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and write nothing"
        )
        parser.add_argument(
            "--all-or-nothing",
            action="store_true",
            help="write nothing if any row is rejected",
        )
        parser.add_argument(
            "--report", metavar="OUT.xlsx", help="write the rejected rows and warnings here"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        year: int = options["year"] or timezone.localdate().year
        if not 1950 <= year <= 2100:
            raise CommandError(f"--year {year} is not an admission year", returncode=2)
        path = Path(options["file"])
        report_path = options["report"]
        try:
            data = path.read_bytes()
        except OSError as error:
            self._stop(Issue(f"{path}: {error.strerror or error}"), report_path)
        bar = _Bar(self.stderr._out)
        try:
            outcome = admission_import(
                data=data,
                file_name=path.name,
                admission_year=year,
                actor=None,
                dry_run=options["dry_run"],
                all_or_nothing=options["all_or_nothing"],
                progress=bar,
            )
        except ImportStopped as stopped:
            bar.finish()
            self._stop(stopped.issue, report_path)
        bar.finish()
        report = plan_report(outcome.plan, problems_only=True)
        for row, column, reason, exam_number, _name in problems(report, WARNINGS):
            self.stderr.write(_line("warning", row, column, reason, exam_number))
        for row, column, reason, exam_number, _name in problems(report, ERRORS):
            self.stderr.write(_line("rejected", row, column, reason, exam_number))
        if report_path:
            Path(report_path).write_bytes(report_xlsx(report))
        counts = outcome.counts()
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
        elif not outcome.written:
            self.stdout.write(
                f"All or nothing: {counts['rejected']} rows rejected, nothing was written."
            )
        self.stdout.write(
            f"{path.name}: {counts['rows']} rows, {counts['created']} created, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged, "
            f"{counts['rejected']} rejected ({time.monotonic() - started:.2f} s)."
        )
        self.stdout.write(json.dumps(counts))
        if counts["rejected"]:
            raise CommandError(
                f"{counts['rejected']} of {counts['rows']} rows were rejected.",
                returncode=EXIT_REJECTED,
            )

    def _stop(self, issue: Issue, report_path: str | None) -> NoReturn:
        """The file cannot be imported at all: say why, write nothing, exit with status 2."""
        if report_path:
            Path(report_path).write_bytes(report_xlsx({"warnings": [issue.as_json()]}))
        self.stdout.write(json.dumps(NO_COUNTS))
        raise CommandError(issue.text(), returncode=EXIT_UNREADABLE)


def _line(kind: str, row: int | str, column: str, reason: str, exam_number: str) -> str:
    where = f"row {row}" if row != "" else "file"
    if column:
        where += f", {column}"
    if exam_number:
        where += f" ({exam_number})"
    return f"{kind}: {where}: {reason}"
