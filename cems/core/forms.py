from typing import Any

from django import forms


def valid_filters(form: forms.Form) -> dict[str, Any]:
    """The filters that passed validation; an invalid one is shown with its error and left out."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return dict(form.cleaned_data)
