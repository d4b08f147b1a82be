"""python manage.py restore PATH [--force]

Replaces the database with a backup made by `manage.py backup`, after checking the file
against its manifest (PATH.json): a file that is not a whole backup leaves the database as
it was. A database that already holds data is replaced only with --force. Afterwards every
table's row count and checksum are compared with the manifest; each difference goes to
standard error. The last line of standard output is a JSON object with the counts. Exit
status: 0 when the restored database matches the manifest, 1 when some table differs, 2
when nothing was restored.
"""

import json
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cems.core.backup import BackupError, restore

EXIT_DIFFERENT = 1
EXIT_REFUSED = 2
NO_COUNTS = {"tables": 0, "rows": 0, "bytes": 0, "seconds": 0, "differences": 0}


class Command(BaseCommand):
    help = "Replace the database with a backup, then check it against the backup's manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the backup file (its manifest is PATH.json)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that already holds data",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = restore(Path(options["path"]), force=options["force"])
        except BackupError as error:
            self._stop(str(error))
        except OSError as error:
            self._stop(f"{error.filename or ''}: {error.strerror or error}")
        for migration in outcome.ahead:
            self.stderr.write(
                f"warning: the backup has migration {migration}, unknown to this version of CEMS."
            )
        for difference in outcome.differences:
            self.stderr.write(f"different: {difference}")
        self.stdout.write(
            f"Restored {outcome.tables} tables ({outcome.rows:,} rows) from {outcome.path} "
            f"in {outcome.seconds:.1f} s."
        )
        self.stdout.write(json.dumps(outcome.counts()))
        if outcome.differences:
            raise CommandError(
                f"{len(outcome.differences)} tables differ from the backup's manifest.",
                returncode=EXIT_DIFFERENT,
            )

    def _stop(self, reason: str) -> NoReturn:
        self.stdout.write(json.dumps(NO_COUNTS))
        raise CommandError(reason, returncode=EXIT_REFUSED)
