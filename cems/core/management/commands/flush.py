"""Django's flush, which may also empty the append-only audit trail.

On SQLite the audit trail's delete trigger (core migration 0003) refuses every DELETE unless
the connection's cems_audit_purge_allowed() says yes; emptying the whole database (as the
test runner does after a transactional test) is the one delete it lets through. PostgreSQL
empties tables with TRUNCATE, which its row triggers do not see.
"""

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlushCommand

from cems.core.audit import purge_allowed


class Command(DjangoFlushCommand):
    def handle(self, **options: Any) -> None:
        with purge_allowed():
            super().handle(**options)
