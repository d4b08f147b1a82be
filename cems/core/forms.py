from typing import Any

from django import forms


def valid_filters(form: forms.Form) -> dict[str, Any] | None:
    """A list's filters, or None when one of them is invalid: the page then shows the error
    beside that filter over an empty list, never more rows than were asked for."""
    if not form.is_bound:
        return {}
    return dict(form.cleaned_data) if form.is_valid() else None
