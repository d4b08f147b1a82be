"""The degree audit (学位审核), degree approvals with certificate numbers, and the reads of
both for the pages and the student's portal.

Who is audited: students of bachelor programs who have graduated (a Graduation row) and
hold no degree yet — the whole school, one cohort or one station. The rules (DOMAIN.md),
with every threshold a setting:
- the degree is applied for within CEMS_DEGREE_APPLICATION_YEARS of the graduation date;
- the credit-weighted average of each course's best attempt (cems.teaching.grading's
  `summarize`) ≥ CEMS_DEGREE_MIN_AVERAGE;
- each degree course's best attempt ≥ CEMS_DEGREE_MIN_DEGREE_COURSE (None: no such rule);
- a thesis graded ≥ CEMS_DEGREE_MIN_THESIS, and defended;
- a foreign-language pass: adult degree English ≥ CEMS_DEGREE_ADULT_ENGLISH_PASS or CET-4
  ≥ CEMS_DEGREE_CET4_PASS;
- no fees owed (cems.finance.ledger), no disciplinary record that is not revoked.

An audit reads the facts of all its students in a fixed number of queries
(`load_degree_facts`, on top of the graduation audit's `load_facts`), judges each with the
pure function `evaluate`, and writes all verdicts at the end in one transaction, so a
failed run leaves no half of its results.
"""

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cems.accounts.access import (
    Capability,
    has_capability,
)
from cems.accounts.models import User
from cems.catalog.models import EARLIEST_YEAR, LATEST_YEAR, Course, Level
from cems.core.audit import event
from cems.core.bulk import bulk_insert, db_value
from cems.graduation.audit import load_facts
from cems.graduation.models import (
    AuditKind,
    AuditResult,
    AuditRun,
    DegreeAward,
    DisciplinaryRecord,
    Graduation,
    LanguageExam,
    LanguageResult,
    NumberSequence,
    RunStatus,
    Thesis,
)
from cems.graduation.reasons import Reason, reason, render
from cems.organization.models import Station
from cems.students.models import Student
from cems.teaching import grading

audit = logging.getLogger("cems.audit")

# A run still "running" after this long died with its process: it no longer blocks a start.
STALE_AFTER = dt.timedelta(hours=1)
# The degree audit's reason codes, in the order they are given (cems/graduation/reasons.py).
DEGREE_REASONS = (
    "not_bachelor",
    "not_graduated",
    "window_closed",
    "average_low",
    "degree_course_low",
    "thesis_missing",
    "thesis_low",
    "thesis_not_defended",
    "language_missing",
    "fees_owed",
    "disciplinary",
)


def _require(actor: User, capability: Capability) -> None:
    if not has_capability(actor, capability):
        raise PermissionDenied


# --- The rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DegreeRules:
    min_average: Decimal
    min_degree_course: Decimal | None
    min_thesis: Decimal
    adult_english_pass: Decimal
    cet4_pass: Decimal
    application_years: int

    @classmethod
    def from_settings(cls) -> "DegreeRules":
        course = settings.CEMS_DEGREE_MIN_DEGREE_COURSE
        return cls(
            min_average=Decimal(settings.CEMS_DEGREE_MIN_AVERAGE),
            min_degree_course=None if course is None else Decimal(course),
            min_thesis=Decimal(settings.CEMS_DEGREE_MIN_THESIS),
            adult_english_pass=Decimal(settings.CEMS_DEGREE_ADULT_ENGLISH_PASS),
            cet4_pass=Decimal(settings.CEMS_DEGREE_CET4_PASS),
            application_years=int(settings.CEMS_DEGREE_APPLICATION_YEARS),
        )


@dataclass
class DegreeFacts:
    """What the degree audit reads of one student. `average` and `credits_earned` are over
    each course's best attempt as cems.teaching.grading.summarize computes them (from
    cems.graduation.audit.load_facts); `degree_courses` are the best attempts at degree
    courses as (course id, passed, numeric)."""

    student_id: int
    is_bachelor: bool
    graduated_on: dt.date | None
    average: Decimal | None = None
    credits_earned: Decimal = Decimal(0)
    degree_courses: list[tuple[int, bool | None, Decimal | None]] = field(default_factory=list)
    thesis: tuple[Decimal | None, bool] | None = None  # (score, defended)
    language_passed: bool = False
    owed: Decimal = Decimal(0)
    disciplinary: list[tuple[dt.date, str]] = field(default_factory=list)  # not revoked


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    reasons: list[Reason]
    credits_earned: Decimal
    average: Decimal | None


def application_deadline(graduated_on: dt.date, years: int) -> dt.date:
    """The last day to apply: the same day `years` later (29 February → 28 February)."""
    try:
        return graduated_on.replace(year=graduated_on.year + years)
    except ValueError:
        return graduated_on.replace(year=graduated_on.year + years, day=28)


def _number(value: Decimal | None) -> str:
    return "—" if value is None else grading.show(value)


def evaluate(
    facts: DegreeFacts,
    *,
    rules: DegreeRules,
    today: dt.date,
    course_labels: dict[int, tuple[str, str]],
) -> Verdict:
    """A student's verdict with every reason named (course_labels: course id → code, name)."""
    reasons: list[Reason] = []
    if not facts.is_bachelor:
        reasons.append(reason("not_bachelor"))
    if facts.graduated_on is None:
        reasons.append(reason("not_graduated"))
    else:
        deadline = application_deadline(facts.graduated_on, rules.application_years)
        if today > deadline:
            reasons.append(
                reason(
                    "window_closed",
                    graduated_on=facts.graduated_on.isoformat(),
                    deadline=deadline.isoformat(),
                )
            )
    if facts.average is None or facts.average < rules.min_average:
        reasons.append(
            reason("average_low", average=_number(facts.average), required=str(rules.min_average))
        )
    if rules.min_degree_course is not None:
        # A failed degree course without a score (pass/fail, a mark) is below any minimum.
        low = [
            (course_labels.get(course_id, ("?", "")), numeric)
            for course_id, passed, numeric in facts.degree_courses
            if passed is not None
            and (numeric < rules.min_degree_course if numeric is not None else not passed)
        ]
        if low:
            reasons.append(
                reason(
                    "degree_course_low",
                    required=str(rules.min_degree_course),
                    courses=[
                        {"code": code, "name": name, "score": _number(numeric)}
                        for (code, name), numeric in sorted(low)
                    ],
                )
            )
    if facts.thesis is None or facts.thesis[0] is None:
        reasons.append(reason("thesis_missing"))
    elif facts.thesis[0] < rules.min_thesis:
        reasons.append(
            reason("thesis_low", score=_number(facts.thesis[0]), required=str(rules.min_thesis))
        )
    if facts.thesis is not None and not facts.thesis[1]:
        reasons.append(reason("thesis_not_defended"))
    if not facts.language_passed:
        reasons.append(
            reason(
                "language_missing", adult=str(rules.adult_english_pass), cet4=str(rules.cet4_pass)
            )
        )
    if facts.owed > 0:
        reasons.append(reason("fees_owed", amount=f"{facts.owed:.2f}"))
    if facts.disciplinary:
        reasons.append(
            reason(
                "disciplinary",
                records=[
                    {"date": issued.isoformat(), "description": text}
                    for issued, text in sorted(facts.disciplinary)
                ],
            )
        )
    return Verdict(
        eligible=not reasons,
        reasons=reasons,
        credits_earned=facts.credits_earned,
        average=facts.average,
    )


# --- Reading the facts -----------------------------------------------------------------------


def degree_candidates(
    *, cohort_year: int | None = None, station: Station | None = None
) -> QuerySet[Student]:
    """The students a degree audit judges: graduates of bachelor programs without a degree."""
    students = Student.objects.filter(
        program__level__in=Level.bachelor_levels(),
        graduation__isnull=False,
        degree__isnull=True,
    )
    if cohort_year is not None:
        students = students.filter(cohort_year=cohort_year)
    if station is not None:
        students = students.filter(station=station)
    return students


def degree_course_labels() -> dict[int, tuple[str, str]]:
    """Code and name of every course that is a degree course in some teaching plan: one
    query, so that a reason can name the courses."""
    rows = (
        Course.objects.filter(plan_entries__is_degree_course=True)
        .distinct()
        .values_list("pk", "code", "name")
    )
    return {pk: (code, name) for pk, code, name in rows}


def load_degree_facts(students: QuerySet[Student], *, today: dt.date) -> dict[int, DegreeFacts]:
    """The facts of the students in nine queries, however many they are: the graduation
    audit's (cems.graduation.audit.load_facts: record, best attempts, averages, fees) and
    the graduation dates, theses, foreign-language passes and disciplinary records."""
    subquery = students.order_by().values("pk")
    common = load_facts(students)
    graduated = dict(
        Graduation.objects.filter(student__in=subquery).values_list("student_id", "graduated_on")
    )
    facts = {
        pk: DegreeFacts(
            student_id=pk,
            is_bachelor=item.program.is_bachelor,
            graduated_on=graduated.get(pk),
            average=item.average,
            credits_earned=item.credits_earned,
            degree_courses=[
                (attempt.course_id, attempt.passed, attempt.numeric)
                for attempt in item.best.values()
                if attempt.is_degree_course
            ],
            owed=item.fees_owed,
        )
        for pk, item in common.items()
    }
    for student_id, score, defended in Thesis.objects.filter(student__in=subquery).values_list(
        "student_id", "score", "defended"
    ):
        if student_id in facts:  # (a student graduated meanwhile is left for the next run)
            facts[student_id].thesis = (score, defended)
    rules = DegreeRules.from_settings()
    passed_language = (
        LanguageResult.objects.filter(student__in=subquery)
        .order_by()
        .filter(
            Q(exam=LanguageExam.ADULT_DEGREE_ENGLISH, score__gte=rules.adult_english_pass)
            | Q(exam=LanguageExam.CET4, score__gte=rules.cet4_pass)
        )
        .values_list("student_id", flat=True)
        .distinct()
    )
    for student_id in passed_language:
        if student_id in facts:
            facts[student_id].language_passed = True
    records = (
        DisciplinaryRecord.objects.filter(student__in=subquery)
        .order_by()
        .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=today))
        .values_list("student_id", "issued_on", "description")
    )
    for student_id, issued_on, description in records:
        if student_id in facts:
            facts[student_id].disciplinary.append((issued_on, description))
    return facts


# --- Running an audit ------------------------------------------------------------------------


def degree_audit_start(
    *,
    actor: User,
    cohort_year: int | None = None,
    station: Station | None = None,
    today: dt.date | None = None,
    background: bool = False,
) -> AuditRun:
    """Audit the graduates of bachelor programs (of a cohort, a station, or all) and record
    each verdict, in the background worker (cems/graduation/tasks.py) or here. Refused while
    another degree audit runs."""
    _require(actor, Capability.RUN_AUDITS)
    if cohort_year is not None and not EARLIEST_YEAR <= cohort_year <= LATEST_YEAR:
        raise ValidationError(
            _("The cohort must be a year from %(first)d to %(last)d."),
            params={"first": EARLIEST_YEAR, "last": LATEST_YEAR},
            code="cohort",
        )
    today = today or timezone.localdate()
    _abandon_stale_runs()
    try:
        with transaction.atomic():
            run = AuditRun.objects.create(
                kind=AuditKind.DEGREE, cohort_year=cohort_year, station=station,
                started_by=actor, as_of=today,
            )  # fmt: skip
    except IntegrityError:
        raise ValidationError(
            _("A degree audit is already running; wait until it has finished."), code="running"
        ) from None
    audit.info(
        "degree audit %s started by %s",
        run.pk,
        actor.username,
        extra=event(actor, "degree_audit.start", run),
    )
    if background:
        from cems.graduation.tasks import run_degree_audit

        run_degree_audit.enqueue(run.pk)
        run.refresh_from_db()
    else:
        degree_audit_compute(run, reraise=True)
    return run


def degree_audit_compute(run: AuditRun, *, reraise: bool = False) -> None:
    """Compute a started degree audit; on an error the run is marked failed with it."""
    try:
        _run(run, today=run.as_of or timezone.localdate())
    except Exception as error:
        AuditRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        audit.exception("degree audit %s failed", run.pk)
        if reraise:
            raise


def _abandon_stale_runs() -> None:
    AuditRun.objects.filter(
        kind=AuditKind.DEGREE,
        status=RunStatus.RUNNING,
        started_at__lt=timezone.now() - STALE_AFTER,
    ).update(
        status=RunStatus.FAILED,
        error="abandoned: still running after an hour",
        finished_at=timezone.now(),
    )


def _run(run: AuditRun, *, today: dt.date) -> None:
    rules = DegreeRules.from_settings()
    students = degree_candidates(cohort_year=run.cohort_year, station=run.station)
    labels = degree_course_labels()
    facts = load_degree_facts(students, today=today)
    AuditRun.objects.filter(pk=run.pk).update(progress=50)
    rows = []
    reason_counts: Counter[str] = Counter()
    eligible = 0
    for student_id in sorted(facts):
        verdict = evaluate(facts[student_id], rules=rules, today=today, course_labels=labels)
        reason_counts.update(item["code"] for item in verdict.reasons)
        eligible += verdict.eligible
        reasons = db_value(AuditResult, "reasons", verdict.reasons)
        rows.append(
            (run.pk, student_id, verdict.eligible, reasons, verdict.credits_earned,
             verdict.average, False)
        )  # fmt: skip
    fields = ("run", "student", "eligible", "reasons", "credits_earned", "average", "approved")
    with transaction.atomic():
        bulk_insert(AuditResult, fields, rows)
        run.status = RunStatus.DONE
        run.progress = 100
        run.finished_at = timezone.now()
        run.counts = {
            "students": len(rows),
            "eligible": eligible,
            "not_eligible": len(rows) - eligible,
            "reasons": dict(sorted(reason_counts.items())),
        }
        run.save(update_fields=["status", "progress", "finished_at", "counts"])
    audit.info(
        "degree audit %s done: %s",
        run.pk,
        run.counts,
        extra=event(run.started_by, "degree_audit.done", run),
    )


# --- Approval and certificate numbers ---------------------------------------------------------


def reserve_numbers(key: str, count: int) -> range:
    """`count` sequence numbers of a series, taken under the series' row lock (the caller's
    transaction holds it until it commits), so no two approvals share a number."""
    NumberSequence.objects.bulk_create([NumberSequence(key=key)], ignore_conflicts=True)
    sequence = NumberSequence.objects.select_for_update().get(key=key)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return range(first, first + count)


def degree_number(*, year: int, seq: int) -> str:
    """A certificate number from CEMS_DEGREE_NUMBER_FORMAT ({school}, {year}, {seq})."""
    try:
        number = settings.CEMS_DEGREE_NUMBER_FORMAT.format(
            school=settings.CEMS_SCHOOL_CODE, year=year, seq=seq
        )
    except (KeyError, IndexError, ValueError) as error:
        raise ValidationError(
            _("The degree number format %(format)s cannot be used: %(error)s"),
            params={"format": settings.CEMS_DEGREE_NUMBER_FORMAT, "error": error},
            code="number_format",
        ) from error
    if not number or len(number) > DegreeAward._meta.get_field("certificate_number").max_length:  # type: ignore[operator]
        raise ValidationError(
            _("The degree number %(number)s does not fit the certificate number's length."),
            params={"number": number},
            code="number_format",
        )
    return number


def degree_approve(
    *,
    actor: User,
    run: AuditRun,
    result_ids: Sequence[int] | None = None,
    today: dt.date | None = None,
) -> list[DegreeAward]:
    """Award the degree to eligible results of a finished degree audit (the given ones, or
    all not yet approved), each with the next certificate number of the year. Nothing is
    written if one of the given results cannot be approved."""
    _require(actor, Capability.RUN_AUDITS)
    today = today or timezone.localdate()
    if run.kind != AuditKind.DEGREE:
        raise ValidationError(_("This is not a degree audit."), code="kind")
    try:
        with transaction.atomic():
            awards = _approve(actor, run, result_ids, today)
    except IntegrityError as error:
        # Another approval awarded one of these students meanwhile, or the number format
        # repeats a number issued before: nothing of this approval was written.
        raise ValidationError(
            _("A degree or certificate number was recorded meanwhile; nothing was approved."),
            code="conflict",
        ) from error
    audit.info(
        "degree audit %s: %d degrees approved by %s (%s)",
        run.pk,
        len(awards),
        actor.username,
        ", ".join(award.certificate_number for award in awards),
        extra=event(actor, "degree.approve", run, details={"awards": [a.pk for a in awards]}),
    )
    return awards


def _approve(
    actor: User, run: AuditRun, result_ids: Sequence[int] | None, today: dt.date
) -> list[DegreeAward]:
    status = AuditRun.objects.filter(pk=run.pk).values_list("status", flat=True).first()
    if status != RunStatus.DONE:
        raise ValidationError(
            _("Only the results of a finished audit can be approved."), code="not_done"
        )
    results = (
        AuditResult.objects.select_for_update(of=("self",))
        .filter(run=run)
        .select_related("student")
        .order_by("pk")
    )
    if result_ids is None:
        results = results.filter(eligible=True, approved=False, student__degree__isnull=True)
    else:
        results = results.filter(pk__in=set(result_ids))
    chosen = list(results)
    if result_ids is not None and len(chosen) != len(set(result_ids)):
        raise ValidationError(_("Some of the results are not in this audit."), code="unknown")
    if not chosen:
        raise ValidationError(_("No eligible result is waiting for approval."), code="none")
    awarded = dict(
        DegreeAward.objects.filter(student__in=[r.student_id for r in chosen]).values_list(
            "student_id", "certificate_number"
        )
    )
    problems = []
    for result in chosen:
        who = f"{result.student.student_number} {result.student.name}"
        if result.approved:
            problems.append(_("%(student)s: already approved.") % {"student": who})
        elif result.student_id in awarded:
            problems.append(
                _("%(student)s already holds the degree %(number)s.")
                % {"student": who, "number": awarded[result.student_id]}
            )
        elif not result.eligible:
            problems.append(_("%(student)s is not eligible.") % {"student": who})
    if problems:
        raise ValidationError(problems, code="refused")
    numbers = reserve_numbers(f"degree:{today.year}", len(chosen))
    awards = [
        DegreeAward(
            student_id=result.student_id,
            certificate_number=degree_number(year=today.year, seq=seq),
            awarded_on=today,
            audit_result=result,
            approved_by=actor,
        )
        for result, seq in zip(chosen, numbers, strict=True)
    ]
    DegreeAward.objects.bulk_create(awards)
    AuditResult.objects.filter(pk__in=[r.pk for r in chosen]).update(approved=True)
    return awards


# --- The student's own ------------------------------------------------------------------------


@dataclass
class DegreeStatus:
    """What the student's page shows of the degree: the latest degree audit's verdict with
    its reasons, and the degree once awarded."""

    is_bachelor: bool
    result: AuditResult | None
    reasons: list[str]
    award: DegreeAward | None


def degree_status(student: Student) -> DegreeStatus:
    """Three queries at most (the program is read through the student)."""
    is_bachelor = student.program.is_bachelor
    award = DegreeAward.objects.filter(student=student).first()
    result = None
    reasons: list[str] = []
    if is_bachelor:
        result = (
            AuditResult.objects.filter(
                student=student, run__kind=AuditKind.DEGREE, run__status=RunStatus.DONE
            )
            .select_related("run")
            .order_by("-run__started_at", "-run_id")
            .first()
        )
        if result is not None:
            reasons = [render(item) for item in result.reasons]
    else:
        reasons = [render(reason("not_bachelor"))]
    return DegreeStatus(is_bachelor=is_bachelor, result=result, reasons=reasons, award=award)
