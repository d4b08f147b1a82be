from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cems.accounts.access import (
    Capability,
    has_capability,
    require_capability,
    signed_in_user,
    stations_for,
)
from cems.accounts.models import Role
from cems.core.export import FORMATS, tabular_response
from cems.core.forms import valid_filters
from cems.teaching import selectors, services
from cems.teaching.forms import AssignTeacherForm, OfferingFilterForm, TermForm
from cems.teaching.generation import GenerationResult
from cems.teaching.models import CourseOffering

# A generation's message names at most this many classes without a teaching plan.
NAMED_CLASSES = 5


# --- Terms -----------------------------------------------------------------------------------


def _term_rows(terms: Iterable[Any]) -> tuple[list[str], list[list[object]]]:
    """Columns and rows of a download; the terms carry their offering counts."""
    columns = [_("Academic year"), _("Term"), _("Start date"), _("End date"),
               _("Offerings"), _("Without a teacher")]  # fmt: skip
    rows: list[list[object]] = [
        [str(t.academic_year), t.number, t.start_date, t.end_date, t.offering_count,
         t.unassigned_count]
        for t in terms
    ]  # fmt: skip
    return columns, rows


@require_capability(Capability.MANAGE_TERMS)
def term_list(request: HttpRequest) -> HttpResponseBase:
    terms = selectors.term_list()
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _term_rows(terms)
        return tabular_response(filename="terms", columns=columns, rows=rows, fmt=fmt)
    page = Paginator(terms, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "teaching/term_list.html",
        {"page": page, "current": selectors.term_current()},
    )


@require_capability(Capability.MANAGE_TERMS)
def term_create(request: HttpRequest) -> HttpResponseBase:
    form = TermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            term = services.term_create(actor=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Term %(term)s created.") % {"term": term})
            return redirect("teaching:term_list")
    return render(request, "teaching/term_form.html", {"form": form})


def _generation_message(result: GenerationResult) -> str:
    text = _(
        "%(offerings)d offerings created and %(students)d students added to rosters, "
        "for %(classes)d classes."
    ) % {
        "offerings": result.offerings_created,
        "students": result.students_added,
        "classes": result.classes,
    }
    missing = result.classes_without_plan
    if missing:
        names = ", ".join(missing[:NAMED_CLASSES])
        if len(missing) > NAMED_CLASSES:
            names += ", …"
        text += " " + ngettext(
            "%(count)d class has no teaching plan for its cohort: %(names)s.",
            "%(count)d classes have no teaching plan for their cohort: %(names)s.",
            len(missing),
        ) % {"count": len(missing), "names": names}
    return text


@require_capability(Capability.MANAGE_TERMS)
@require_POST
def term_generate(request: HttpRequest, pk: int) -> HttpResponseBase:
    term = selectors.term_get(pk=pk)
    result = services.offerings_generate(actor=signed_in_user(request), term=term)
    level = messages.WARNING if result.classes_without_plan else messages.SUCCESS
    messages.add_message(request, level, _generation_message(result))
    return redirect("teaching:term_list")


# --- Offerings -------------------------------------------------------------------------------


def _offering_rows(offerings: Iterable[CourseOffering]) -> tuple[list[str], list[list[object]]]:
    columns = [
        _("Term"), _("Class code"), _("Class"), _("Station"), _("Course code"), _("Course"),
        _("Plan term"), _("Credits"), _("Assessment"), _("Teacher"), _("Students"),
    ]  # fmt: skip
    rows: list[list[object]] = [
        [
            str(o.term), o.student_class.code, o.student_class.name, o.student_class.station.name,
            o.plan_course.course.code, o.plan_course.course.name, o.plan_course.term,
            o.plan_course.credits, o.plan_course.get_assessment_display(),
            o.teacher.display_name if o.teacher else "", getattr(o, "roster_size", None) or 0,
        ]
        for o in offerings
    ]  # fmt: skip
    return columns, rows


@require_capability(Capability.VIEW_OFFERINGS)
def offering_list(request: HttpRequest) -> HttpResponseBase:
    is_teacher = getattr(request.user, "role", None) == Role.TEACHER
    data: Any = request.GET or None
    if "term" not in request.GET and (current := selectors.term_current()) is not None:
        # The list opens at the current term, and its pages and downloads stay there;
        # "All" (an empty term) shows every term.
        data = request.GET.copy()
        data["term"] = str(current.pk)
    form = OfferingFilterForm(
        data,
        terms=selectors.terms(),
        stations=stations_for(request.user).order_by("code"),
        teachers=None if is_teacher else selectors.teacher_choices(),
    )
    offerings = selectors.offering_list(user=request.user, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _offering_rows(offerings.iterator(chunk_size=2000))
        return tabular_response(filename="offerings", columns=columns, rows=rows, fmt=fmt)
    page = Paginator(offerings, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "teaching/offering_list.html",
        {
            "form": form,
            "page": page,
            "can_manage_terms": has_capability(request.user, Capability.MANAGE_TERMS),
        },
    )


@require_capability(Capability.TEACH)
def my_offerings(request: HttpRequest) -> HttpResponseBase:
    """A teacher's own offerings, one term at a time (the current one first)."""
    terms = selectors.teacher_terms(user=request.user)
    term = None
    chosen = request.GET.get("term")
    if chosen == "all":
        term = None
    elif chosen and chosen.isdigit():
        term = terms.filter(pk=int(chosen)).first()
    else:
        current = selectors.term_current()
        term = terms.filter(pk=current.pk).first() if current else None
        term = term or terms.first()
    offerings = selectors.teacher_offerings(user=request.user, term=term)
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _offering_rows(offerings.iterator(chunk_size=2000))
        return tabular_response(filename="my-offerings", columns=columns, rows=rows, fmt=fmt)
    page = Paginator(offerings, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "teaching/my_offerings.html",
        {"page": page, "terms": list(terms), "term": term},
    )


def _offering_page(
    request: HttpRequest, offering: CourseOffering, form: AssignTeacherForm | None, status: int
) -> HttpResponse:
    can_assign = has_capability(request.user, Capability.ASSIGN_TEACHERS)
    if can_assign and form is None:
        form = AssignTeacherForm(
            initial={"teacher": offering.teacher_id}, teachers=selectors.teacher_choices()
        )
    return render(
        request,
        "teaching/offering_detail.html",
        {
            "offering": offering,
            "roster": selectors.offering_roster(offering=offering),
            "form": form if can_assign else None,
            "can_view_students": has_capability(request.user, Capability.LIST_STUDENTS),
            # The offering is in the user's scope: a teacher's is their own.
            "can_grade": has_capability(request.user, Capability.ENTER_GRADES),
            # Station staff see their stations' classes only, which this one is.
            "can_print_class": has_capability(request.user, Capability.PRINT_TRANSCRIPTS),
            "can_enroll_retakes": has_capability(request.user, Capability.ENROLL_RETAKES)
            and not offering.grades_locked,
        },
        status=status,
    )


@require_capability(Capability.VIEW_OFFERINGS)
def offering_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offering = selectors.offering_get(user=request.user, pk=pk)
    return _offering_page(request, offering, None, 200)


@require_capability(Capability.ASSIGN_TEACHERS)
@require_POST
def offering_assign(request: HttpRequest, pk: int) -> HttpResponseBase:
    offering = selectors.offering_get(user=request.user, pk=pk)
    form = AssignTeacherForm(request.POST, teachers=selectors.teacher_choices())
    if form.is_valid():
        try:
            services.offering_assign_teacher(
                actor=signed_in_user(request),
                offering=offering,
                teacher=form.cleaned_data["teacher"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if offering.teacher is None:
                messages.success(request, _("The offering has no teacher now."))
            else:
                messages.success(
                    request,
                    _("%(teacher)s teaches this offering now.")
                    % {"teacher": offering.teacher.display_name},
                )
            return redirect("teaching:offering_detail", pk=offering.pk)
    return _offering_page(request, offering, form, 400)
