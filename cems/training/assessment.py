"""Assessment and completion (DOMAIN.md, "Non-degree training"; issue 6 item 6).

An enrolled trainee sits the assessment in attempts. The category's retake rule: after
`attempts_before_wait` failed attempts the trainee waits `retake_wait_months` from the last
of them before trying again (coal mine safety: one retake, then a year). No wait set: no
limit. Completion needs a passed attempt and an attendance rate of at least the category's
`min_attendance_percent`."""

import datetime as dt
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cems.accounts.models import User
from cems.core.audit import event
from cems.core.services import who
from cems.students.status import add_months
from cems.training import attendance
from cems.training.models import (
    Assessment,
    Enrollment,
    EnrollmentStatus,
    Project,
)

audit = logging.getLogger("cems.audit")


HUNDRED = Decimal(100)


def attendance_rate(enrollment: Enrollment) -> Decimal:
    """The rate completion looks at (cems/training/attendance.py computes it): a project
    without sessions counts as fully attended."""
    rate = attendance.attendance_rate(enrollment)
    return HUNDRED if rate is None else rate


def next_attempt_allowed_on(enrollment: Enrollment) -> dt.date | None:
    """The first day of the next attempt under the retake rule (None: any day)."""
    category = enrollment.project.category
    failed = list(
        enrollment.assessments.filter(passed=False)
        .order_by("attempt")
        .values_list("assessed_on", flat=True)
    )
    per_round = category.attempts_before_wait
    if not failed or not category.retake_wait_months or not per_round:
        return None
    if len(failed) % per_round:
        return None
    return add_months(failed[-1], category.retake_wait_months)


def record_attempt(
    *, enrollment: Enrollment, score: Decimal, assessed_on: dt.date, actor: User | None = None
) -> Assessment:
    """Record an attempt (ValidationError when the rule forbids it), then update completion."""
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update()
            .select_related("project__category")
            .get(pk=enrollment.pk)
        )
        if enrollment.status == EnrollmentStatus.WITHDRAWN:
            raise ValidationError(_("The trainee has withdrawn from the project."))
        attempts = enrollment.assessments.order_by("attempt")
        if any(a.passed for a in attempts):
            raise ValidationError(_("The trainee has already passed the assessment."))
        last = attempts.last()
        if last is not None and assessed_on < last.assessed_on:
            raise ValidationError(_("An attempt cannot be dated before the previous one."))
        allowed = next_attempt_allowed_on(enrollment)
        if allowed is not None and assessed_on < allowed:
            raise ValidationError(
                _(
                    "The retake rule allows the next attempt on or after %(date)s "
                    "(%(attempts)d failed attempts, then a wait of %(months)d months)."
                )
                % {
                    "date": allowed.isoformat(),
                    "attempts": enrollment.project.category.attempts_before_wait,
                    "months": enrollment.project.category.retake_wait_months,
                }
            )
        category = enrollment.project.category
        attempt = Assessment.objects.create(
            enrollment=enrollment,
            attempt=(last.attempt + 1) if last else 1,
            assessed_on=assessed_on,
            score=score,
            passed=score >= category.pass_score,
        )
        update_completion(enrollment)
    audit.info("training assessment: enrollment %s attempt %s score %s by %s",
               enrollment.pk, attempt.attempt, score, who(actor),
               extra=event(actor, "training.assessment", enrollment,
                           details={"attempt": attempt.attempt, "score": score}))  # fmt: skip
    return attempt


def is_complete(enrollment: Enrollment) -> bool:
    category = enrollment.project.category
    passed = enrollment.assessments.filter(passed=True).exists()
    return passed and attendance_rate(enrollment) >= category.min_attendance_percent


def update_completion(enrollment: Enrollment) -> bool:
    """Mark an enrolled trainee completed when they qualify; whether they are completed."""
    if enrollment.status == EnrollmentStatus.COMPLETED:
        return True
    if enrollment.status != EnrollmentStatus.ENROLLED or not is_complete(enrollment):
        return False
    enrollment.status = EnrollmentStatus.COMPLETED
    enrollment.save(update_fields=["status"])
    return True


def complete_project(project: Project) -> int:
    """Update the completion of every enrolled trainee of a project; how many completed."""
    count = 0
    with transaction.atomic():
        enrollments = project.enrollments.select_related("project__category").filter(
            status=EnrollmentStatus.ENROLLED
        )
        for enrollment in enrollments:
            count += update_completion(enrollment)
    return count
