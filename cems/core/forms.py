from typing import Any, TypeVar

from django import forms
from django.db.models import Model, QuerySet


def valid_filters(form: forms.Form) -> dict[str, Any] | None:
    """A list's filters, or None when one of them is invalid: the page then shows the error
    beside that filter over an empty list, never more rows than were asked for."""
    if not form.is_bound:
        return {}
    return dict(form.cleaned_data) if form.is_valid() else None


M = TypeVar("M", bound=Model)


def filter_by(
    queryset: QuerySet[M], filters: dict[str, Any] | None, lookups: dict[str, str]
) -> QuerySet[M]:
    """Narrow a list by its filters: each filter given a value applies its lookup."""
    conditions = {
        lookup: filters[key]
        for key, lookup in lookups.items()
        if filters and filters.get(key) not in (None, "")
    }
    return queryset.filter(**conditions)
