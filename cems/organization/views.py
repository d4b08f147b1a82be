import copy
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cems.accounts.access import (
    Capability,
    has_capability,
    require_capability,
    signed_in_user,
)
from cems.core.export import FORMATS, tabular_response
from cems.core.forms import valid_filters
from cems.organization import selectors, services
from cems.organization.forms import StationFilterForm, StationForm
from cems.organization.models import Station
from cems.students.selectors import student_counts_by


def _station_rows(stations: Iterable[Any]) -> tuple[list[str], list[list[object]]]:
    """Columns and rows of a download; the stations carry the registered_students count."""
    columns = [
        _("Code"), _("Name"), _("Province"), _("City"), _("Host institution"),
        _("Contact person"), _("Contact phone"), _("Agreement start"), _("Agreement end"),
        _("Active"), _("Registered students"),
    ]  # fmt: skip
    rows = [
        [
            s.code, s.name, s.province.name, s.city, s.host_institution, s.contact_person,
            s.contact_phone, s.agreement_start, s.agreement_end, s.is_active,
            s.registered_students,
        ]
        for s in stations
    ]  # fmt: skip
    return columns, rows


@require_capability(Capability.VIEW_STATIONS)
def station_list(request: HttpRequest) -> HttpResponseBase:
    form = StationFilterForm(request.GET or None, provinces=selectors.provinces_for(request.user))
    stations = selectors.station_list(user=request.user, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _station_rows(stations)
        return tabular_response(filename="stations", columns=columns, rows=rows, fmt=fmt)
    page = Paginator(stations, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organization/station_list.html",
        {
            "form": form,
            "page": page,
            "can_manage": has_capability(request.user, Capability.MANAGE_STATIONS),
        },
    )


@require_capability(Capability.VIEW_STATIONS)
def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    station = selectors.station_get(user=request.user, pk=pk)
    return render(
        request,
        "organization/station_detail.html",
        {
            "station": station,
            "by_level": student_counts_by(
                user=request.user, field="program__level", station=station
            ),
            "by_status": student_counts_by(user=request.user, field="status", station=station),
            "can_manage": has_capability(request.user, Capability.MANAGE_STATIONS),
            "can_list_students": has_capability(request.user, Capability.LIST_STUDENTS),
        },
    )


def _save_station(request: HttpRequest, station: Station | None) -> HttpResponseBase:
    # A ModelForm writes the submitted values onto its instance while it validates. It gets a
    # copy, so that station_update still sees what changed (it saves only then) and the page
    # keeps the saved name while showing errors.
    form = StationForm(request.POST or None, instance=copy.copy(station))
    if request.method == "POST" and form.is_valid():
        actor = signed_in_user(request)
        try:
            if station is None:
                station = services.station_create(actor=actor, data=form.cleaned_data)
            else:
                station = services.station_update(
                    actor=actor, station=station, data=form.cleaned_data
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Station %(name)s saved.") % {"name": station.name})
            return redirect("organization:station_detail", pk=station.pk)
    return render(request, "organization/station_form.html", {"form": form, "station": station})


@require_capability(Capability.MANAGE_STATIONS)
def station_create(request: HttpRequest) -> HttpResponseBase:
    return _save_station(request, None)


@require_capability(Capability.MANAGE_STATIONS)
def station_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _save_station(request, selectors.station_get(user=request.user, pk=pk))
