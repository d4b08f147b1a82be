"""Training categories and projects: selectors (reads) and services (writes)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from cems.accounts.access import (
    AnyUser,
    get_in_scope_or_404,
    projects_for,
)
from cems.accounts.models import User
from cems.core.forms import filter_by
from cems.core.services import assign_changed
from cems.training.models import Project, ProjectStatus, TrainingCategory

CATEGORY_RULE_FIELDS = (
    "name", "name_en", "validity_months", "review_interval_months", "refresher_hours",
    "attempts_before_wait", "retake_wait_months", "min_attendance_percent", "pass_score",
    "certificate_number_format",
)  # fmt: skip
PROJECT_FIELDS = (
    "category", "title", "sponsor", "format", "cohort", "start_date", "end_date", "venue",
    "capacity", "hours", "fee",
)  # fmt: skip
# A project moves one step at a time along this path.
STATUS_PATH = [
    ProjectStatus.PLANNED,
    ProjectStatus.ENROLLING,
    ProjectStatus.RUNNING,
    ProjectStatus.FINISHED,
    ProjectStatus.ARCHIVED,
]


# --- Selectors -------------------------------------------------------------------------------


def category_list() -> QuerySet[TrainingCategory]:
    return TrainingCategory.objects.annotate(project_count=Count("projects"))


def project_list(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[Project]:
    """Projects by category, status, start year and a search of title and sponsor; none when
    a filter is invalid."""
    if filters is None:
        return Project.objects.none()
    projects = filter_by(
        projects_for(user),
        filters,
        {"category": "category", "status": "status", "year": "start_date__year"},
    )
    if query := (filters.get("q") or "").strip():
        projects = projects.filter(Q(title__icontains=query) | Q(sponsor__icontains=query))
    return (
        projects.select_related("category")
        .annotate(roster_count=Count("enrollments", distinct=True))
        .order_by("-start_date", "title", "cohort")
    )


def project_get(*, user: AnyUser, pk: int) -> Project:
    return get_in_scope_or_404(
        projects_for(user)
        .select_related("category")
        .annotate(
            roster_count=Count("enrollments", distinct=True),
            session_count=Count("sessions", distinct=True),
        ),
        pk=pk,
    )


def next_status(project: Project) -> str | None:
    index = STATUS_PATH.index(ProjectStatus(project.status))
    return STATUS_PATH[index + 1] if index + 1 < len(STATUS_PATH) else None


# --- Services --------------------------------------------------------------------------------


@transaction.atomic
def category_update(*, actor: User, category: TrainingCategory, data: dict[str, Any]) -> list[str]:
    """Change a category's rules; the names of the fields that changed."""
    changed = assign_changed(category, data, CATEGORY_RULE_FIELDS)
    if changed:
        category.full_clean()
        category.save(update_fields=changed)
    return changed


@transaction.atomic
def project_create(*, actor: User, data: dict[str, Any]) -> Project:
    project = Project(**{name: data[name] for name in PROJECT_FIELDS if name in data})
    project.full_clean()
    project.save()
    return project


@transaction.atomic
def project_update(*, actor: User, project: Project, data: dict[str, Any]) -> list[str]:
    changed = assign_changed(project, data, PROJECT_FIELDS)
    if changed:
        project.full_clean()
        project.save(update_fields=changed)
    return changed


@transaction.atomic
def project_set_status(*, actor: User, project: Project, status: str) -> Project:
    """Move a project to the next status of planned → enrolling → running → finished →
    archived; any other move is refused."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    expected = next_status(locked)
    if status != expected:
        raise ValidationError(
            _("A %(current)s project cannot become %(status)s.")
            % {
                "current": locked.get_status_display(),
                "status": dict(ProjectStatus.choices).get(status, status),
            },
            code="status_path",
        )
    locked.status = status
    locked.save(update_fields=["status"])
    project.status = status
    return locked
