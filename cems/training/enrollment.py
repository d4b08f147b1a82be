"""Enrollment services: one person onto a project's roster, withdrawal, capacity.

Every write that adds to a roster locks the project row first (select_for_update), so two
enrollments at once cannot both take the last place; the roster import does the same."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cems.accounts.models import User
from cems.core import idcard
from cems.core.audit import event
from cems.core.services import who
from cems.core.signals import bulk_written
from cems.training.models import (
    Employer,
    EmployerKind,
    Enrollment,
    EnrollmentStatus,
    Project,
    ProjectStatus,
    Trainee,
)

audit = logging.getLogger("cems.audit")


def places_taken(project: Project) -> int:
    """Enrollments that hold a place: all but the withdrawn."""
    return project.enrollments.exclude(status=EnrollmentStatus.WITHDRAWN).count()


def places_free(project: Project) -> int:
    return max(0, project.capacity - places_taken(project))


@dataclass(frozen=True)
class PersonDetails:
    """What the web form gives about a person; used only when their file is new."""

    id_number: str
    name: str
    gender: str
    phone: str = ""
    employer: str = ""
    position: str = ""
    education: str = ""


def employer_find_or_create(name: str) -> Employer | None:
    name = name.strip()
    if not name:
        return None
    employer, _created = Employer.objects.get_or_create(
        name=name, defaults={"kind": EmployerKind.OTHER}
    )
    return employer


def trainee_find_or_create(details: PersonDetails) -> tuple[Trainee, bool]:
    """The file of the person with this ID number, created from the details if new. A new
    file's gender must agree with the ID number."""
    number = idcard.normalize(details.id_number)
    if len(number) == 15 and number.isdigit():
        number = idcard.upgrade_15_to_18(number)
    parsed = idcard.parse(number)
    existing = Trainee.objects.filter(id_number=parsed.number).first()
    if existing is not None:
        return existing, False
    if not details.name.strip():
        raise ValidationError({"name": _("A new trainee's file needs a name.")})
    if details.gender != parsed.gender:
        raise ValidationError({"gender": _("The gender disagrees with the ID number.")})
    trainee = Trainee.objects.create(
        id_number=parsed.number,
        name=details.name.strip(),
        gender=details.gender,
        birth_date=parsed.birth_date,
        phone=details.phone,
        employer=employer_find_or_create(details.employer),
        position=details.position,
        education=details.education,
    )
    return trainee, True


def enrollment_add(
    *, project_id: int, details: PersonDetails, actor: User | None = None
) -> Enrollment:
    """Put the person on the project's roster (creating their file if new). Raises
    ValidationError when they are already on it or the project is full."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project_id)
        trainee, _created = trainee_find_or_create(details)
        existing = Enrollment.objects.filter(project=project, trainee=trainee).first()
        if existing is not None and existing.status != EnrollmentStatus.WITHDRAWN:
            raise ValidationError(_("%(name)s is already on this project's roster."),
                                  params={"name": trainee.name})  # fmt: skip
        if places_free(project) <= 0:
            raise ValidationError(
                _("The project is full (capacity %(capacity)d)."),
                params={"capacity": project.capacity},
            )
        if existing is not None:  # withdrawn earlier: back on the roster
            existing.status = EnrollmentStatus.ENROLLED
            existing.save(update_fields=["status"])
            enrollment = existing
        else:
            enrollment = Enrollment.objects.create(
                project=project, trainee=trainee, employer=trainee.employer
            )
    audit.info("training enrollment %s: trainee %s onto project %s by %s",
               enrollment.pk, trainee.pk, project.pk, who(actor),
               extra=event(actor, "training.enroll", enrollment))  # fmt: skip
    return enrollment


def enrollment_withdraw(*, enrollment: Enrollment, actor: User | None = None) -> Enrollment:
    """Take the person off the roster, keeping the record (and their attendance)."""
    if enrollment.status != EnrollmentStatus.ENROLLED:
        raise ValidationError(_("Only an enrolled trainee can withdraw."))
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.save(update_fields=["status"])
    audit.info(
        "training enrollment %s withdrawn by %s",
        enrollment.pk,
        who(actor),
        extra=event(actor, "training.withdraw", enrollment),
    )
    return enrollment


@dataclass(frozen=True)
class HoldersEnrolled:
    enrolled: int
    already: int  # on the roster already
    over_capacity: int  # left out: the project was full


def enroll_holders(
    *, project_id: int, trainee_ids: Iterable[int], actor: User | None = None
) -> HoldersEnrolled:
    """Renewal in one step: enroll the holders of expiring certificates into a refresher
    project, as far as its places go (in the trainees' order, by name); those already on its
    roster are counted, not enrolled twice. Only a planned or enrolling project takes them."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project_id)
        if project.status not in (ProjectStatus.PLANNED, ProjectStatus.ENROLLING):
            raise ValidationError(
                _(
                    "Only a planned or enrolling project takes new trainees; "
                    "%(project)s is %(status)s."
                )
                % {"project": project, "status": project.get_status_display()}
            )
        wanted = list(
            Trainee.objects.filter(pk__in=set(trainee_ids), merged_into=None)
            .order_by("name", "pk")
            .values_list("pk", flat=True)
        )
        on_roster = dict(
            Enrollment.objects.filter(project=project, trainee__in=wanted).values_list(
                "trainee", "status"
            )
        )
        already = sum(
            1 for pk in wanted if on_roster.get(pk) not in (None, EnrollmentStatus.WITHDRAWN)
        )
        newcomers = [pk for pk in wanted if pk not in on_roster]
        returning = [pk for pk in wanted if on_roster.get(pk) == EnrollmentStatus.WITHDRAWN]
        free = max(places_free(project), 0)
        taking = (returning + newcomers)[:free]
        back = [pk for pk in taking if pk in on_roster]
        Enrollment.objects.filter(project=project, trainee__in=back).update(
            status=EnrollmentStatus.ENROLLED
        )
        employers = dict(Trainee.objects.filter(pk__in=taking).values_list("pk", "employer"))
        Enrollment.objects.bulk_create(
            Enrollment(project=project, trainee_id=pk, employer_id=employers.get(pk))
            for pk in taking
            if pk not in on_roster
        )
        bulk_written.send(sender=Enrollment)
    result = HoldersEnrolled(
        enrolled=len(taking),
        already=already,
        over_capacity=len(returning) + len(newcomers) - len(taking),
    )
    audit.info("training renewal: %d holders enrolled onto project %s (%d already, %d over "
               "capacity) by %s", result.enrolled, project.pk, result.already,
               result.over_capacity, who(actor),
               extra=event(actor, "training.renew", project))  # fmt: skip
    return result
