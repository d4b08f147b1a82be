"""Writes of the graduation audit: running an audit, approving its eligible students with
their diploma numbers.

An audit started from its page runs in the background worker (cems/graduation/tasks.py)
while the run's page shows its progress: the demo school (15,700 students) takes about
1.4 s on SQLite (bench/audit.py), a school a hundred times larger minutes. The run records
its progress at each stage, and only one audit of a kind runs at a time (the constraint
auditrun_one_running_per_kind): a second one started meanwhile is refused. Commands, the
demo and the bench run an audit in the calling process (`background=False`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cems.accounts.access import Capability, audited_students_for, has_capability, stations_for
from cems.accounts.models import User
from cems.catalog.models import EARLIEST_YEAR, LATEST_YEAR
from cems.core.audit import event
from cems.core.bulk import bulk_insert
from cems.core.signals import bulk_written
from cems.graduation import audit
from cems.graduation.models import (
    AuditKind,
    AuditResult,
    AuditRun,
    Graduation,
    NumberSequence,
    RunStatus,
)
from cems.graduation.reasons import Reason
from cems.organization.models import Station
from cems.students.models import Student, StudentStatus

log = logging.getLogger("cems.audit")
logger = logging.getLogger(__name__)

# A run still marked running after this long was interrupted (its process ended): the
# next start marks it failed rather than being refused for good.
STALE_AFTER = dt.timedelta(minutes=10)


def _require(actor: User) -> None:
    if not has_capability(actor, Capability.RUN_AUDITS):
        raise PermissionDenied


# --- Audits ----------------------------------------------------------------------------------


def audit_start(
    *,
    actor: User,
    kind: str = AuditKind.GRADUATION,
    cohort_year: int | None = None,
    station: Station | None = None,
    today: dt.date | None = None,
    background: bool = False,
) -> AuditRun:
    """Audit a cohort, a station or the whole school (both None) as of `today`.

    Creates the run (refused with a ValidationError while another audit of the kind runs),
    then, in the background worker or here, computes every verdict, writes the results and
    the counts, and marks the run done. On an error the run is marked failed with it and
    keeps no result; the run is returned either way."""
    _require(actor)
    if kind != AuditKind.GRADUATION:
        # The degree audit has its own start (cems.graduation.degree.degree_audit_start).
        raise ValidationError(_("Unknown audit kind."), code="kind")
    if cohort_year is not None and not EARLIEST_YEAR <= cohort_year <= LATEST_YEAR:
        raise ValidationError(_("Enter a cohort year from %(first)d to %(last)d.")
                              % {"first": EARLIEST_YEAR, "last": LATEST_YEAR})  # fmt: skip
    if station is not None and not stations_for(actor).filter(pk=station.pk).exists():
        raise PermissionDenied
    day = today or timezone.localdate()
    run = _create_run(actor=actor, kind=kind, cohort_year=cohort_year, station=station)
    AuditRun.objects.filter(pk=run.pk).update(as_of=day)
    run.as_of = day
    log.info(
        "audit %s (%s) started by %s",
        run.pk,
        kind,
        actor.username,
        extra=event(actor, "graduation_audit.start", run),
    )
    if background:
        from cems.graduation.tasks import run_audit

        run_audit.enqueue(run.pk)
        run.refresh_from_db()
    else:
        audit_compute(run)
    return run


def audit_compute(run: AuditRun) -> None:
    """Compute a started run's verdicts and write them (see audit_start)."""
    try:
        students = audit.audit_students(cohort_year=run.cohort_year, station_id=run.station_id)
        facts = audit.load_facts(students)
        _progress(run, 50)
        verdicts = audit.graduation_verdicts(facts, run.as_of or timezone.localdate())
        _progress(run, 80)
        with transaction.atomic():
            _write_results(run, verdicts)
            run.status = RunStatus.DONE
            run.progress = 100
            run.finished_at = timezone.now()
            run.counts = _counts(verdicts.values())
            run.save(update_fields=["status", "progress", "finished_at", "counts"])
    except Exception as error:
        logger.exception("audit %s failed", run.pk)
        run.status = RunStatus.FAILED
        run.finished_at = timezone.now()
        run.error = f"{type(error).__name__}: {error}"
        AuditRun.objects.filter(pk=run.pk).update(
            status=run.status, finished_at=run.finished_at, error=run.error
        )
        return
    log.info(
        "audit %s done: %s",
        run.pk,
        run.counts,
        extra=event(run.started_by, "graduation_audit.done", run),
    )


def _create_run(
    *, actor: User, kind: str, cohort_year: int | None, station: Station | None
) -> AuditRun:
    AuditRun.objects.filter(
        kind=kind, status=RunStatus.RUNNING, started_at__lt=timezone.now() - STALE_AFTER
    ).update(status=RunStatus.FAILED, finished_at=timezone.now(), error="interrupted")
    run = AuditRun(
        kind=kind, cohort_year=cohort_year, station=station, started_by=actor, progress=10
    )
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError:
        raise ValidationError(
            _("An audit of this kind is already running. Try again when it is done."),
            code="running",
        ) from None
    return run


def _progress(run: AuditRun, percent: int) -> None:
    run.progress = percent
    AuditRun.objects.filter(pk=run.pk).update(progress=percent)


def _write_results(run: AuditRun, verdicts: dict[int, audit.Verdict]) -> None:
    encoded: dict[int, str] = {}  # id of a reason -> its JSON (the verdicts keep them alive)

    def as_json(reasons: list[Reason]) -> str:
        """json.dumps(reasons), each reason shared between verdicts encoded once."""
        parts = []
        for item in reasons:
            text = encoded.get(id(item))
            if text is None:
                text = encoded[id(item)] = json.dumps(item, ensure_ascii=False)
            parts.append(text)
        return f"[{', '.join(parts)}]"

    rows = (
        (run.pk, student_id, v.eligible, as_json(v.reasons), v.credits_earned, v.average, False)
        for student_id, v in verdicts.items()
    )
    fields = ["run", "student", "eligible", "reasons", "credits_earned", "average", "approved"]
    bulk_insert(AuditResult, fields, rows)


def _counts(verdicts: Iterable[audit.Verdict]) -> dict[str, Any]:
    students = eligible = 0
    by_reason: dict[str, int] = defaultdict(int)
    for verdict in verdicts:
        students += 1
        eligible += verdict.eligible
        for item in verdict.reasons:
            by_reason[item["code"]] += 1
    return {
        "students": students,
        "eligible": eligible,
        "not_eligible": students - eligible,
        "reasons": dict(sorted(by_reason.items())),
    }


# --- Approval and diploma numbers ------------------------------------------------------------


def audit_approve(
    *,
    actor: User,
    run: AuditRun,
    result_ids: Iterable[int],
    graduated_on: dt.date | None = None,
) -> list[Graduation]:
    """Graduate the students of eligible results of a graduation audit: each gets a
    Graduation with a diploma number and the status graduated. All or nothing: a result
    that is not eligible, already approved, outside the run, or whose student is no longer
    registered refuses the whole approval (ValidationError naming them)."""
    _require(actor)
    if run.kind != AuditKind.GRADUATION:
        raise ValidationError(_("Only a graduation audit's results graduate students."))
    if run.status != RunStatus.DONE:
        raise ValidationError(_("The audit is not done."))
    ids = sorted(set(result_ids))
    if not ids:
        raise ValidationError(_("Choose the students to approve."), code="empty")
    day = graduated_on or timezone.localdate()
    with transaction.atomic():
        results = list(
            AuditResult.objects.select_for_update()
            .filter(run=run, pk__in=ids, student__in=audited_students_for(actor))
            .order_by("pk")
        )
        students = {
            s.pk: s
            for s in Student.objects.select_for_update()
            .filter(pk__in=[r.student_id for r in results])
            .select_related("program")
        }
        graduated = set(
            Graduation.objects.filter(student__in=list(students)).values_list(
                "student_id", flat=True
            )
        )
        _check_approvable(ids, results, students, graduated)
        graduations = []
        by_level: dict[str, list[AuditResult]] = defaultdict(list)
        for result in results:
            by_level[level_code(students[result.student_id].program.level)].append(result)
        for level, level_results in sorted(by_level.items()):
            level_results.sort(key=lambda r: students[r.student_id].student_number)
            numbers = diploma_numbers(year=day.year, level=level, count=len(level_results))
            graduations += [
                Graduation(
                    student_id=result.student_id,
                    diploma_number=number,
                    graduated_on=day,
                    audit_result=result,
                    approved_by=actor,
                )
                for result, number in zip(level_results, numbers, strict=True)
            ]
        Graduation.objects.bulk_create(graduations)
        AuditResult.objects.filter(pk__in=[r.pk for r in results]).update(approved=True)
        Student.objects.filter(pk__in=list(students)).update(
            status=StudentStatus.GRADUATED, updated_at=timezone.now()
        )
        bulk_written.send(sender=Student)
        # In the transaction: the audit trail has every graduate's event, or none.
        for graduation in graduations:
            log.info(
                "graduation of student %s approved by %s: diploma %s",
                graduation.student_id, actor.username, graduation.diploma_number,
                extra=event(actor, "graduation.approve", graduation),
            )  # fmt: skip
    return graduations


def _check_approvable(
    ids: list[int], results: list[AuditResult], students: dict[int, Student], graduated: set[int]
) -> None:
    found = {r.pk for r in results}
    if unknown := [pk for pk in ids if pk not in found]:
        raise ValidationError(
            _("These results are not in this audit: %(ids)s.")
            % {"ids": ", ".join(map(str, unknown))},
            code="unknown",
        )
    problems = {
        "not_eligible": (_("Not eligible: %(students)s."), [r for r in results if not r.eligible]),
        "approved": (
            _("Already approved: %(students)s."),
            [r for r in results if r.approved or r.student_id in graduated],
        ),
        "status": (
            _("No longer registered: %(students)s."),
            [r for r in results if students[r.student_id].status != StudentStatus.REGISTERED],
        ),
    }
    errors = [
        ValidationError(
            message
            % {"students": ", ".join(sorted(students[r.student_id].student_number for r in bad))},
            code=code,
        )
        for code, (message, bad) in problems.items()
        if bad
    ]
    if errors:
        raise ValidationError(errors)


def level_code(level: str) -> str:
    """A level's code in diploma numbers (CEMS_LEVEL_CODES)."""
    return str(settings.CEMS_LEVEL_CODES[level])


def diploma_numbers(*, year: int, level: str, count: int) -> list[str]:
    """The next `count` diploma numbers of a graduation year and level code, from
    CEMS_DIPLOMA_NUMBER_FORMAT. The sequence is per year and level *code* (levels sharing
    a code share it, or their numbers would collide), advanced under its row lock; a
    number already on a diploma (entered by hand, a changed format) is skipped. Call
    inside a transaction."""
    key = f"diploma:{year}:{level}"
    numbers: list[str] = []
    while len(numbers) < count:
        wanted = count - len(numbers)
        first = _advance(key, wanted)
        candidates = [
            settings.CEMS_DIPLOMA_NUMBER_FORMAT.format(
                school=settings.CEMS_SCHOOL_CODE, year=year, level=level, seq=seq
            )
            for seq in range(first, first + wanted)
        ]
        taken = set(
            Graduation.objects.filter(diploma_number__in=candidates).values_list(
                "diploma_number", flat=True
            )
        )
        numbers += [number for number in candidates if number not in taken]
    limit = Graduation._meta.get_field("diploma_number").max_length or 0
    if any(len(number) > limit for number in numbers):
        raise ValidationError(_("CEMS_DIPLOMA_NUMBER_FORMAT makes numbers longer than %(n)d.")
                              % {"n": limit})  # fmt: skip
    return numbers


def _advance(key: str, count: int) -> int:
    """Reserve `count` numbers of a series: the first of them."""
    NumberSequence.objects.get_or_create(key=key)
    sequence = NumberSequence.objects.select_for_update().get(key=key)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return first
