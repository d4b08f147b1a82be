"""python manage.py import_payments FILE --user USERNAME

Imports a payment file of the bank or the online-payment platform (xlsx, xls, csv in UTF-8
or GBK) in one transaction, as the fee page's upload does: payments that match a student
and what they owe are recorded, the other rows are kept for a person to resolve. The rows
left for a person go to standard error with their row number and reason; the last line of
standard output is a JSON object with the counts. Exit status: 0 when every row was
recorded (or had been before), 1 when some rows are left for a person, 2 when the file
cannot be read, lacks a required column, or the user may not import payments.
"""

import json
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cems.accounts.access import Capability, has_capability
from cems.accounts.models import User
from cems.admissions.issues import ImportStopped
from cems.finance import payments
from cems.finance.services import COUNT_KEYS, payment_import, waiting_count

EXIT_WAITING = 1
EXIT_UNREADABLE = 2
NO_COUNTS: dict[str, Any] = {**dict.fromkeys(COUNT_KEYS, 0), "recorded_amount": "0.00"}


class Command(BaseCommand):
    help = "Import a payment file of the bank or the online-payment platform (xlsx, xls, csv)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the payment file")
        parser.add_argument(
            "--user",
            required=True,
            help="the user the payments are recorded by (one who manages fees)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["user"], is_active=True).first()
        if actor is None or not has_capability(actor, Capability.MANAGE_FEES):
            self._stop(f"{options['user']}: no active user who manages fees has this name.")
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            self._stop(f"{path}: {error.strerror or error}")
        try:
            record = payment_import(data=data, file_name=path.name, actor=actor)
        except ImportStopped as stopped:
            self._stop(stopped.text())
        rows = record.rows.filter(status__in=payments.WAITING).order_by("row_number")
        for row in rows:
            where = f"row {row.row_number}" + (f" ({row.reference})" if row.reference else "")
            self.stderr.write(f"{row.get_status_display()}: {where}: {row.message}")
        counts = record.counts
        waiting = waiting_count(counts)
        self.stdout.write(
            f"{record.file_name}: {counts['rows']} rows, {counts['matched']} recorded "
            f"({counts['recorded_amount']}), {counts['duplicate']} already recorded, "
            f"{waiting} left for a person."
        )
        self.stdout.write(json.dumps(counts))
        if waiting:
            raise CommandError(
                f"{waiting} of {counts['rows']} rows are left for a person.",
                returncode=EXIT_WAITING,
            )

    def _stop(self, text: str) -> NoReturn:
        """Nothing can be imported: say why, write nothing, exit with status 2."""
        self.stdout.write(json.dumps(NO_COUNTS))
        raise CommandError(text, returncode=EXIT_UNREADABLE)
