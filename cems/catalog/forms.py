from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cems.catalog.models import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    Assessment,
    Course,
    Discipline,
    Level,
    Major,
    Program,
    StudyMode,
    TeachingPlan,
)
from cems.catalog.services import COURSE_FIELDS, MAJOR_FIELDS, PROGRAM_FIELDS


def _with_all(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


def _set_queryset(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


# --- Edit forms ------------------------------------------------------------------------------


class MajorForm(forms.ModelForm[Major]):
    class Meta:
        model = Major
        fields = MAJOR_FIELDS


class ProgramForm(forms.ModelForm[Program]):
    """An empty standard length takes the level's default, which the help text names."""

    class Meta:
        model = Program
        fields = PROGRAM_FIELDS

    def __init__(self, *args: Any, majors: QuerySet[Major], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "major", majors)
        length = self.fields["standard_length_years"]
        length.required = False
        defaults = "; ".join(
            f"{label} {settings.CEMS_STANDARD_LENGTH_YEARS[value]}"
            for value, label in Level.choices
        )
        length.help_text = _(
            "Leave empty for the default of the level (setting CEMS_STANDARD_LENGTH_YEARS, in "
            "years): %(defaults)s."
        ) % {"defaults": defaults}


class CourseForm(forms.ModelForm[Course]):
    class Meta:
        model = Course
        fields = COURSE_FIELDS


class PlanForm(forms.Form):
    """A new plan. Not a ModelForm: plan_create checks that the year is free and names the
    program in its error, beside the year."""

    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none())
    admission_year = forms.IntegerField(
        label=_("Admission year"), min_value=EARLIEST_YEAR, max_value=LATEST_YEAR
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "program", programs)


class PlanNoteForm(forms.ModelForm[TeachingPlan]):
    class Meta:
        model = TeachingPlan
        fields = ("note",)
        widgets = {"note": forms.Textarea(attrs={"rows": 4})}


class PlanCopyForm(forms.Form):
    admission_year = forms.IntegerField(
        label=_("Admission year"),
        min_value=EARLIEST_YEAR,
        max_value=LATEST_YEAR,
        help_text=_("The copy has every course of this plan; edit it afterwards."),
    )


class PlanCourseForm(forms.Form):
    """A course of a plan. When adding, empty credits, hours and assessment take the
    course's own; when editing, the course itself stays (remove it and add another)."""

    course = forms.ModelChoiceField(
        label=_("Course"),
        queryset=Course.objects.none(),
        to_field_name="code",
        widget=forms.TextInput(attrs={"list": "course-codes", "autocomplete": "off"}),
        help_text=_("The course code; the list offers the courses not yet in the plan."),
        error_messages={"invalid_choice": _("No course has this code, or it is in the plan.")},
    )
    term = forms.IntegerField(label=_("Term"), min_value=1, max_value=12)
    credits = forms.DecimalField(
        label=_("Credits"), min_value=0, max_digits=4, decimal_places=1, required=False
    )
    hours = forms.IntegerField(label=_("Hours"), min_value=0, max_value=32767, required=False)
    assessment = forms.ChoiceField(label=_("Assessment"), choices=Assessment.choices)
    is_required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    is_degree_course = forms.BooleanField(
        label=_("Degree course"),
        required=False,
        help_text=_("Bachelor programs only (专升本, 高起本); a degree course is required."),
    )

    def __init__(
        self,
        *args: Any,
        program: Program,
        courses: QuerySet[Course] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].help_text = _(
            "1 to %(terms)s: the standard length is %(years)s years, two terms a year."
        ) % {"terms": program.terms, "years": program.standard_length_years}
        if not program.is_bachelor:
            del self.fields["is_degree_course"]
        if courses is None:  # editing
            del self.fields["course"]
            self.fields["credits"].required = True
            self.fields["hours"].required = True
        else:
            _set_queryset(self, "course", courses)
            self.fields["credits"].help_text = _("Empty: the course's credits.")
            self.fields["hours"].help_text = _("Empty: the course's hours.")
            assessment = self.fields["assessment"]
            assert isinstance(assessment, forms.ChoiceField)
            assessment.choices = [("", _("The course's own")), *Assessment.choices]
            assessment.required = False


# --- Filters ---------------------------------------------------------------------------------


class MajorFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("Code or name")}),
    )
    discipline = forms.ChoiceField(
        label=_("Discipline"), choices=_with_all(Discipline.choices), required=False
    )


class ProgramFilterForm(forms.Form):
    major = forms.ModelChoiceField(
        label=_("Major"), queryset=Major.objects.none(), required=False, empty_label=_("All")
    )
    level = forms.ChoiceField(label=_("Level"), choices=_with_all(Level.choices), required=False)
    mode = forms.ChoiceField(
        label=_("Study mode"), choices=_with_all(StudyMode.choices), required=False
    )
    offered = forms.ChoiceField(
        label=_("Offered"),
        required=False,
        choices=[("", _("All")), ("1", _("Offered")), ("0", _("Not offered"))],
    )

    def __init__(self, *args: Any, majors: QuerySet[Major], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "major", majors)


class CourseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("Code or name")}),
    )
    assessment = forms.ChoiceField(
        label=_("Assessment"), choices=_with_all(Assessment.choices), required=False
    )


class PlanFilterForm(forms.Form):
    major = forms.ModelChoiceField(
        label=_("Major"), queryset=Major.objects.none(), required=False, empty_label=_("All")
    )
    level = forms.ChoiceField(label=_("Level"), choices=_with_all(Level.choices), required=False)
    mode = forms.ChoiceField(
        label=_("Study mode"), choices=_with_all(StudyMode.choices), required=False
    )
    year = forms.TypedChoiceField(
        label=_("Admission year"), coerce=int, empty_value=None, required=False
    )

    def __init__(
        self, *args: Any, majors: QuerySet[Major], years: list[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "major", majors)
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [("", _("All")), *((y, str(y)) for y in years)]
