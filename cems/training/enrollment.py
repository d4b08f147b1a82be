"""Enrollment services: one person onto a project's roster, withdrawal, capacity.

Every write that adds to a roster locks the project row first (select_for_update), so two
enrollments at once cannot both take the last place; the roster import does the same."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cems.core import idcard
from cems.training.models import (
    Employer,
    EmployerKind,
    Enrollment,
    EnrollmentStatus,
    Project,
    Trainee,
)


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


def enrollment_add(*, project_id: int, details: PersonDetails) -> Enrollment:
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
            return existing
        return Enrollment.objects.create(
            project=project, trainee=trainee, employer=trainee.employer
        )


def enrollment_withdraw(*, enrollment: Enrollment) -> Enrollment:
    """Take the person off the roster, keeping the record (and their attendance)."""
    if enrollment.status != EnrollmentStatus.ENROLLED:
        raise ValidationError(_("Only an enrolled trainee can withdraw."))
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.save(update_fields=["status"])
    return enrollment
