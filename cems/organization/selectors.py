"""Reads of stations, always starting from what the user may see."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from cems.accounts.access import AnyUser, get_in_scope_or_404, stations_for
from cems.organization.models import Province, Station
from cems.students.models import StudentStatus


def station_list(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[Station]:
    """The user's stations matching the filters; None (invalid filters) matches nothing."""
    stations = stations_for(user).select_related("province")
    if filters is None:
        stations = stations.none()
        filters = {}
    if province := filters.get("province"):
        stations = stations.filter(province=province)
    if (active := filters.get("active")) in ("1", "0"):
        stations = stations.filter(is_active=active == "1")
    if q := (filters.get("q") or "").strip():
        stations = stations.filter(
            Q(code__icontains=q)
            | Q(name__icontains=q)
            | Q(city__icontains=q)
            | Q(host_institution__icontains=q)
        )
    return stations.annotate(
        registered_students=Count("students", filter=Q(students__status=StudentStatus.REGISTERED))
    ).order_by("code")


def station_get(*, user: AnyUser, pk: int) -> Station:
    return get_in_scope_or_404(stations_for(user).select_related("province"), pk=pk)


def provinces_for(user: AnyUser) -> QuerySet[Province]:
    """Provinces in which the user can see at least one station."""
    return Province.objects.filter(stations__in=stations_for(user)).distinct().order_by("code")
