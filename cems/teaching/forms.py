from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cems.accounts.models import User
from cems.catalog.models import EARLIEST_YEAR, LATEST_YEAR
from cems.organization.models import Station
from cems.teaching.models import Term, TermNumber


class TeacherChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.username})"


class TermForm(forms.Form):
    start_year = forms.IntegerField(
        label=_("Academic year"),
        min_value=EARLIEST_YEAR,
        max_value=LATEST_YEAR,
        help_text=_("The year it starts in: 2026 for 2026–2027."),
    )
    number = forms.TypedChoiceField(label=_("Term"), choices=TermNumber.choices, coerce=int)
    start_date = forms.DateField(
        label=_("Start date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: 1 September for the first term, 1 March for the second."),
    )
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: 31 January for the first term, 31 July for the second."),
    )


class OfferingFilterForm(forms.Form):
    term = forms.ModelChoiceField(
        label=_("Term"), queryset=Term.objects.none(), required=False, empty_label=_("All")
    )
    station = forms.ModelChoiceField(
        label=_("Station"), queryset=Station.objects.none(), required=False, empty_label=_("All")
    )
    student_class = forms.CharField(
        label=_("Class"), required=False, max_length=100, help_text=_("Code or name")
    )
    course = forms.CharField(
        label=_("Course"), required=False, max_length=100, help_text=_("Code or name")
    )
    teacher = TeacherChoiceField(
        label=_("Teacher"), queryset=User.objects.none(), required=False, empty_label=_("All")
    )
    unassigned = forms.BooleanField(label=_("Without a teacher"), required=False)

    def __init__(
        self,
        *args: Any,
        terms: QuerySet[Term],
        stations: QuerySet[Station],
        teachers: QuerySet[User] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: dict[str, QuerySet[Any]] = {"term": terms, "station": stations}
        if teachers is None:  # a teacher's list is theirs alone: no teacher filter
            del self.fields["teacher"]
        else:
            choices["teacher"] = teachers
        for name, queryset in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset


class AssignTeacherForm(forms.Form):
    teacher = TeacherChoiceField(
        label=_("Teacher"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No teacher"),
    )

    def __init__(self, *args: Any, teachers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["teacher"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = teachers
