from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _


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


def limit_upload_size(upload: UploadedFile) -> UploadedFile:
    """An uploaded file, refused (ValidationError) when larger than CEMS_MAX_UPLOAD_BYTES."""
    if (upload.size or 0) > settings.CEMS_MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            _("The file is larger than %(size)d MB."),
            params={"size": settings.CEMS_MAX_UPLOAD_BYTES // 2**20},
            code="too_large",
        )
    return upload
