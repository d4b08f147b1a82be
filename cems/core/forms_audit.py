"""The filters of the audit trail page."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class AuditEventFilterForm(forms.Form):
    actor = forms.CharField(label=_("User name"), required=False, max_length=150)
    action = forms.CharField(
        label=_("Action"), required=False, max_length=40, help_text=_("e.g. grade or grade.save")
    )
    target = forms.CharField(
        label=_("Target"), required=False, max_length=100, help_text=_("e.g. students.Student:42")
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("Search the summary"), required=False, max_length=100)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        for name in ("actor", "action", "target", "q"):
            if isinstance(data.get(name), str):
                data[name] = data[name].replace("\x00", "").strip()
        return data
