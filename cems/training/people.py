"""Trainees' files and employers: selectors (reads) and services (writes), with the
detection of likely duplicate files and their merge."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from cems.accounts.access import AnyUser, get_in_scope_or_404, trainees_for
from cems.accounts.models import User
from cems.core import idcard
from cems.core.services import assign_changed
from cems.core.signals import bulk_written
from cems.training.models import Assessment, Certificate, Employer, Enrollment, Trainee

TRAINEE_FIELDS = (
    "id_number", "name", "gender", "birth_date", "phone", "employer", "position", "education",
)  # fmt: skip
EMPLOYER_FIELDS = ("name", "kind", "region", "contact_person", "contact_phone")


# --- Selectors -------------------------------------------------------------------------------


def trainee_list(*, user: AnyUser, query: str = "") -> QuerySet[Trainee]:
    """The user's trainees' files (merged ones left out), searched by name or ID number
    (the whole number, or its last four or more characters)."""
    trainees = trainees_for(user).filter(merged_into__isnull=True).select_related("employer")
    query = query.strip()
    if query:
        number = idcard.normalize(query)
        condition = Q(name__icontains=query) | Q(id_number=number)
        if len(number) >= 4:
            condition |= Q(id_number__endswith=number)
        trainees = trainees.filter(condition)
    return trainees.annotate(enrollment_count=Count("enrollments")).order_by("name", "id_number")


def trainee_get(*, user: AnyUser, pk: int) -> Trainee:
    return get_in_scope_or_404(trainees_for(user).select_related("employer", "merged_into"), pk=pk)


def trainee_file(*, trainee: Trainee) -> list[Enrollment]:
    """Every enrollment of the trainee with its project and category, the hours and sessions
    attended, the assessments and the certificate (if any), newest project first."""
    return list(
        Enrollment.objects.filter(trainee=trainee)
        .select_related("project__category", "employer", "certificate")
        .annotate(
            sessions_present=Count("attendance", filter=Q(attendance__present=True)),
            sessions_recorded=Count("attendance"),
            hours_present=Sum("attendance__session__hours", filter=Q(attendance__present=True)),
        )
        .prefetch_related(Prefetch("assessments", queryset=Assessment.objects.order_by("attempt")))
        .order_by("-project__start_date", "project__title")
    )


def trainee_certificates(*, trainee: Trainee) -> QuerySet[Certificate]:
    return Certificate.objects.filter(trainee=trainee).select_related("category", "enrollment")


def employer_list(*, query: str = "") -> QuerySet[Employer]:
    employers = Employer.objects.annotate(trainee_count=Count("trainees")).order_by("name")
    if query := query.strip():
        employers = employers.filter(Q(name__icontains=query) | Q(region__icontains=query))
    return employers


@dataclass
class DuplicateGroup:
    name: str
    birth_date: Any
    trainees: Sequence[Trainee]


def duplicate_groups(*, user: AnyUser) -> list[DuplicateGroup]:
    """Likely duplicate files: the same name and birth date under different ID numbers
    (an old 15-digit number recorded in its 18-digit form, a typo)."""
    scope = trainees_for(user).filter(merged_into__isnull=True)
    keys = (
        scope.values("name", "birth_date")
        .annotate(count=Count("id"))
        .filter(count__gt=1)
        .order_by("name", "birth_date")
    )
    groups = []
    for key in keys:
        members = list(
            scope.filter(name=key["name"], birth_date=key["birth_date"])
            .select_related("employer")
            .annotate(
                enrollment_count=Count("enrollments", distinct=True),
                certificate_count=Count("certificates", distinct=True),
            )
            .order_by("created_at", "pk")
        )
        groups.append(DuplicateGroup(key["name"], key["birth_date"], members))
    return groups


# --- Services --------------------------------------------------------------------------------


def _check_trainee(trainee: Trainee) -> None:
    trainee.id_number = idcard.normalize(trainee.id_number)
    trainee.full_clean()
    errors = idcard.check_against_record(
        trainee.id_number, birth_date=trainee.birth_date, gender=trainee.gender
    )
    if errors:
        raise ValidationError({"id_number": errors})


@transaction.atomic
def trainee_create(*, actor: User, data: dict[str, Any]) -> Trainee:
    trainee = Trainee(**{name: data[name] for name in TRAINEE_FIELDS if name in data})
    _check_trainee(trainee)
    trainee.save()
    return trainee


@transaction.atomic
def trainee_update(*, actor: User, trainee: Trainee, data: dict[str, Any]) -> list[str]:
    if "id_number" in data:
        data = {**data, "id_number": idcard.normalize(data["id_number"])}
    changed = assign_changed(trainee, data, TRAINEE_FIELDS)
    if changed:
        _check_trainee(trainee)
        trainee.save(update_fields=changed)
    return changed


@transaction.atomic
def employer_create(*, actor: User, data: dict[str, Any]) -> Employer:
    employer = Employer(**{name: data[name] for name in EMPLOYER_FIELDS if name in data})
    employer.full_clean()
    employer.save()
    return employer


@transaction.atomic
def employer_update(*, actor: User, employer: Employer, data: dict[str, Any]) -> list[str]:
    changed = assign_changed(employer, data, EMPLOYER_FIELDS)
    if changed:
        employer.full_clean()
        employer.save(update_fields=changed)
    return changed


@dataclass
class MergeResult:
    enrollments: int
    certificates: int
    merged_files: int
    fields_filled: list[str]


@transaction.atomic
def merge(*, actor: User, keep: Trainee, other: Trainee) -> MergeResult:
    """Merge the file `other` into `keep`: every enrollment (with its attendance and
    assessments), certificate, file merged earlier into `other`, and the user account move
    to `keep`; `keep`'s empty contact fields take `other`'s; `other` then points at `keep`.
    Refused, with nothing changed, when both are on the same project's roster."""
    locked = {
        t.pk: t for t in Trainee.objects.select_for_update().filter(pk__in=[keep.pk, other.pk])
    }
    if keep.pk == other.pk or len(locked) != 2:
        raise ValidationError(_("Choose two different files to merge."), code="same")
    keep, other = locked[keep.pk], locked[other.pk]
    if keep.merged_into_id or other.merged_into_id:
        raise ValidationError(
            _("A file that was merged into another cannot be merged again."), code="merged"
        )
    shared = list(
        Enrollment.objects.filter(trainee=keep, project__enrollments__trainee=other).values_list(
            "project__title", "project__cohort"
        )
    )
    if shared:
        raise ValidationError(
            _("Both files are on the roster of %(projects)s; withdraw one enrollment first.")
            % {"projects": "、".join(f"{title}（第{cohort}期）" for title, cohort in shared)},
            code="same_project",
        )
    enrollments = Enrollment.objects.filter(trainee=other).update(trainee=keep)
    certificates = Certificate.objects.filter(trainee=other).update(trainee=keep)
    merged_files = Trainee.objects.filter(merged_into=other).update(merged_into=keep)
    bulk_written.send(sender=Enrollment)
    filled = [
        name
        for name in ("phone", "employer", "position", "education")
        if not getattr(keep, name) and getattr(other, name)
    ]
    for name in filled:
        setattr(keep, name, getattr(other, name))
    if keep.user_id is None and other.user_id is not None:
        user_id = other.user_id
        other.user = None
        other.save(update_fields=["user"])
        keep.user_id = user_id
        filled.append("user")
    if filled:
        keep.save(update_fields=filled)
    other.merged_into = keep
    other.save(update_fields=["merged_into"])
    return MergeResult(enrollments, certificates, merged_files, filled)
