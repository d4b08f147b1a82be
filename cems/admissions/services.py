"""Writes of admission imports: the command and the web pages go through the same path.

read (reader.read_sheet) -> check (checks.plan_import) -> write (`_write`, one transaction).
The command runs it at once; the web keeps the upload under VAR_DIR/uploads, shows the
plan as a preview, and runs the same path again on confirmation (the database may have
changed in between). Every run that writes, or is refused by --all-or-nothing, is
recorded as an AdmissionImport with its counts and the rows it rejected or warned about.
"""

import datetime as dt
import logging
import operator
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

from cems.accounts.models import User
from cems.admissions import columns
from cems.admissions.checks import (
    DATA_FIELDS,
    OPTIONAL_DEFAULTS,
    Action,
    Plan,
    column_name,
    plan_import,
)
from cems.admissions.issues import ImportStopped, clean
from cems.admissions.models import AdmissionImport, Candidate, CandidateStatus
from cems.admissions.reader import EXTENSIONS, Sheet, read_sheet
from cems.core.audit import event
from cems.core.bulk import bulk_insert, db_value

audit = logging.getLogger("cems.audit")


class ProgressReport(Protocol):
    """What a long import tells a progress bar: rows to check and write, then each done."""

    def start(self, total: int) -> None: ...

    def advance(self, count: int) -> None: ...


@dataclass
class ImportOutcome:
    plan: Plan
    record: AdmissionImport | None  # None for a dry run
    written: bool  # False for a dry run, or when --all-or-nothing refused the file

    def counts(self) -> dict[str, int]:
        """rows, created, updated, unchanged, rejected: what was written (a dry run: what
        would be)."""
        counts = self.plan.counts()
        if self.record is not None and not self.written:
            counts.update(created=0, updated=0)
        return counts


def read_admission_file(data: bytes, file_name: str) -> Sheet:
    return read_sheet(data, file_name, header_score=columns.header_score)


def admission_import(
    *,
    data: bytes,
    file_name: str,
    admission_year: int,
    actor: User | None,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    progress: ProgressReport | None = None,
) -> ImportOutcome:
    """Read, check and (unless a dry run) write an admission file in one transaction.
    Raises ImportStopped, with nothing written, for a file that cannot be imported."""
    sheet = read_admission_file(data, file_name)
    advance = None
    if progress:
        progress.start(len(sheet.rows) * (1 if dry_run else 2))
        advance = progress.advance
    if dry_run:
        plan = plan_import(
            sheet, file_name=file_name, admission_year=admission_year, progress=advance
        )
        return ImportOutcome(plan, None, written=False)
    try:
        with transaction.atomic():
            record = AdmissionImport.objects.create(
                file_name=clean(PurePath(file_name).name)[:255],
                file_format=sheet.file_format,
                admission_year=admission_year,
                uploaded_by=actor,
                all_or_nothing=all_or_nothing,
            )
            plan = plan_import(sheet, file_name=file_name, admission_year=admission_year,
                               lock=True, progress=advance)  # fmt: skip
            written = _finish(record, plan, all_or_nothing=all_or_nothing, actor=actor)
    except IntegrityError as error:
        raise _concurrent() from error
    if progress:
        progress.advance(len(plan.rows))
    return ImportOutcome(plan, record, written)


def _finish(
    record: AdmissionImport, plan: Plan, *, all_or_nothing: bool, actor: User | None
) -> bool:
    """Write the plan (unless all-or-nothing refuses it) and record the run's counts."""
    counts = plan.counts()
    refused = all_or_nothing and counts["rejected"] > 0
    if not refused:
        _write(plan, record)
    else:
        counts.update(created=0, updated=0)
    record.state = AdmissionImport.State.DISCARDED if refused else AdmissionImport.State.CONFIRMED
    record.confirmed_at = None if refused else timezone.now()
    for key in ("rows", "created", "updated", "unchanged", "rejected"):
        setattr(record, key, counts[key])
    record.report = plan_report(plan, problems_only=True)
    record.stored_name = ""
    record.save()
    audit.info(
        "admission import %s (%s, %s): %s by %s",
        record.pk,
        record.file_name,
        "refused, all or nothing" if refused else "written",
        counts,
        actor.username if actor else "command",
        extra=event(actor, "admission.import", record, details=counts),
    )
    return not refused


def plan_report(plan: Plan, *, problems_only: bool) -> dict[str, Any]:
    return {
        "encoding": plan.encoding,
        "columns": {key: clean(text) for key, text in plan.columns.heading.items()},
        "warnings": [issue.as_json() for issue in plan.warnings],
        "rows": [
            row.as_json() for row in plan.rows if not problems_only or row.errors or row.warnings
        ],
    }


def _write(plan: Plan, record: AdmissionImport) -> None:
    """Creates through one executemany INSERT, updates through one executemany UPDATE."""
    now = db_value(Candidate, "created_at", timezone.now())
    year = plan.admission_year
    defaults = {field: OPTIONAL_DEFAULTS.get(field) for field in DATA_FIELDS}
    take = operator.itemgetter("exam_number", *DATA_FIELDS)
    birth = 1 + DATA_FIELDS.index("birth_date")
    tail = (year, CandidateStatus.ADMITTED.value, record.pk, now, now)

    def insert_rows() -> Iterator[tuple[Any, ...]]:
        for row in plan.rows:
            if row.action == Action.CREATE:
                values = take({**defaults, **row.values})
                yield (*values[:birth], values[birth].isoformat(), *values[birth + 1 :], *tail)

    insert_fields = (
        "exam_number",
        *DATA_FIELDS,
        "admission_year",
        "status",
        "source",
        "created_at",
        "updated_at",
    )
    bulk_insert(Candidate, insert_fields, insert_rows())
    updates = [row for row in plan.rows if row.action == Action.UPDATE]
    if not updates:
        return
    fields = (*plan.written_fields(), "admission_year")
    meta = Candidate._meta
    quote = connection.ops.quote_name
    assignments = ", ".join(
        f"{quote(column_name(Candidate, name))} = %s" for name in (*fields, "source", "updated_at")
    )
    # Only quoted column names from the model's metadata go into the text.
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (*(_db(row.values[f]) for f in fields), record.pk, now, row.candidate_id)
                for row in updates
            ],
        )


def _db(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


# --- The web's upload, preview, confirm -----------------------------------------------------


def uploads_dir() -> Path:
    path = Path(settings.VAR_DIR) / "uploads"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def admission_upload(
    *, actor: User, upload: UploadedFile, admission_year: int, all_or_nothing: bool
) -> AdmissionImport:
    """Read and check an uploaded file without writing candidates; keep the file for the
    confirmation and the plan for the preview. Raises ValidationError for a file that
    cannot be imported (nothing is kept)."""
    if upload.size is None or upload.size > settings.CEMS_MAX_UPLOAD_BYTES:
        raise ValidationError(_too_large_message(), code="too_large")
    data = upload.read()
    file_name = clean(PurePath(upload.name or "upload").name)[:255]
    try:
        sheet = read_admission_file(data, file_name)
        plan = plan_import(sheet, file_name=file_name, admission_year=admission_year)
    except ImportStopped as stopped:
        raise ValidationError(stopped.text(), code="unreadable") from stopped
    _forget_stale_uploads()
    extension = PurePath(file_name).suffix.lower()
    stored_name = secrets.token_hex(16) + (extension if extension in EXTENSIONS else ".bin")
    path = uploads_dir() / stored_name
    path.write_bytes(data)
    path.chmod(0o600)
    counts = plan.counts()
    try:
        record = AdmissionImport.objects.create(
            file_name=file_name,
            file_format=sheet.file_format,
            admission_year=admission_year,
            uploaded_by=actor,
            all_or_nothing=all_or_nothing,
            stored_name=stored_name,
            report=plan_report(plan, problems_only=False),
            **counts,
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    audit.info(
        "admission import %s (%s) previewed by %s: %s",
        record.pk,
        file_name,
        actor.username,
        counts,
        extra=event(actor, "admission.preview", record, details=counts),
    )
    return record


def _too_large_message() -> str:
    return _("The file is larger than %(size)d MB.") % {
        "size": settings.CEMS_MAX_UPLOAD_BYTES // 2**20
    }


def admission_confirm(*, actor: User, record: AdmissionImport) -> AdmissionImport:
    """Import a previewed upload: the same read, check and write as the command."""
    with transaction.atomic():
        record = AdmissionImport.objects.select_for_update().get(pk=record.pk)
        if record.state != AdmissionImport.State.PREVIEWED:
            raise ValidationError(_("This import has already been confirmed or discarded."))
        path = uploads_dir() / record.stored_name if record.stored_name else None
        if path is None or not path.is_file():
            raise ValidationError(_("The uploaded file is no longer there; upload it again."))
        data = path.read_bytes()
        try:
            sheet = read_admission_file(data, record.file_name)
            plan = plan_import(
                sheet, file_name=record.file_name, admission_year=record.admission_year, lock=True
            )
        except ImportStopped as stopped:
            raise ValidationError(stopped.text()) from stopped
        try:
            with transaction.atomic():
                _finish(record, plan, all_or_nothing=record.all_or_nothing, actor=actor)
        except IntegrityError as error:
            raise ValidationError(_concurrent().text()) from error
        transaction.on_commit(lambda: path.unlink(missing_ok=True))
    return record


def _concurrent() -> ImportStopped:
    """Two imports of the same candidates at once on PostgreSQL (SQLite runs them one after
    the other): the second finds a 考生号 written since it checked, and writes nothing."""
    return ImportStopped(
        _noop("Another import wrote some of these candidates at the same time; nothing was "
              "written. Run the import again.")
    )  # fmt: skip


def admission_discard(*, actor: User, record: AdmissionImport) -> AdmissionImport:
    with transaction.atomic():
        record = AdmissionImport.objects.select_for_update().get(pk=record.pk)
        if record.state != AdmissionImport.State.PREVIEWED:
            raise ValidationError(_("This import has already been confirmed or discarded."))
        stored = record.stored_name
        record.state = AdmissionImport.State.DISCARDED
        record.stored_name = ""
        record.report = {**record.report, "rows": []}
        record.save(update_fields=["state", "stored_name", "report"])
        if stored:
            transaction.on_commit(lambda: (uploads_dir() / stored).unlink(missing_ok=True))
    audit.info(
        "admission import %s discarded by %s",
        record.pk,
        actor.username,
        extra=event(actor, "admission.discard", record),
    )
    return record


# Previews nobody confirmed or discarded are discarded after a day, their files deleted.
PREVIEW_LIFETIME = dt.timedelta(days=1)


def _forget_stale_uploads() -> None:
    stale = AdmissionImport.objects.filter(
        state=AdmissionImport.State.PREVIEWED,
        created_at__lt=timezone.now() - PREVIEW_LIFETIME,
    )
    for record in stale:
        if record.stored_name:
            (uploads_dir() / record.stored_name).unlink(missing_ok=True)
    stale.update(state=AdmissionImport.State.DISCARDED, stored_name="", report={})
