"""python manage.py backup [PATH]

Backs the whole database up into one file (SQLite: a copy made with SQLite's online backup
API; PostgreSQL: a `pg_dump --format=custom` archive) and writes its manifest beside it,
`PATH.json` (cems/core/backup.py describes both). Without PATH the file goes to
var/backups/ under a timestamped name; a folder as PATH gets such a name inside it. The
last line of standard output is a JSON object with the counts. Exit status: 0 when the
backup is written, 2 when it cannot be.
"""

import json
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cems.core.backup import BackupError, backup

EXIT_FAILED = 2
NO_COUNTS = {"tables": 0, "rows": 0, "bytes": 0, "seconds": 0}


class Command(BaseCommand):
    help = "Back the database up into one file, with a manifest of its tables beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", nargs="?", help="the backup file or folder (default: var/backups/)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = backup(Path(options["path"]) if options["path"] else None)
        except BackupError as error:
            self._stop(str(error))
        except OSError as error:
            self._stop(f"{error.filename or ''}: {error.strerror or error}")
        counts = outcome.counts()
        del counts["differences"]
        self.stdout.write(
            f"Backed up {outcome.tables} tables ({outcome.rows:,} rows) into {outcome.path} "
            f"({outcome.bytes:,} bytes, {outcome.seconds:.1f} s); manifest {outcome.manifest}."
        )
        self.stdout.write(json.dumps(counts))

    def _stop(self, reason: str) -> NoReturn:
        self.stdout.write(json.dumps(NO_COUNTS))
        raise CommandError(reason, returncode=EXIT_FAILED)
