"""The honors registry's pages (administrators) and the image of an honor (public)."""

import copy
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cems.accounts.access import Capability, require_capability, signed_in_user
from cems.core.export import FORMATS, tabular_response
from cems.core.forms import valid_filters
from cems.organization import honors as service
from cems.organization.forms_honors import HonorFilterForm, HonorForm
from cems.organization.models import Honor

MANAGE = Capability.MANAGE_HONORS


def _rows(honors: Iterable[Honor]) -> tuple[list[str], Iterable[list[Any]]]:
    columns = [_("Year"), _("Name"), _("English name"), _("Grantor"), _("Grantor (English)"),
               _("Display order"), _("Image")]  # fmt: skip
    rows = (
        [h.year, h.name, h.name_en, h.grantor, h.grantor_en, h.display_order, bool(h.image)]
        for h in honors
    )
    return columns, rows


@require_capability(MANAGE)
def honor_list(request: HttpRequest) -> HttpResponseBase:
    form = HonorFilterForm(request.GET or None)
    honors = service.honor_list(user=request.user, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _rows(honors.iterator(chunk_size=2000))
        return tabular_response(filename="honors", columns=columns, rows=rows, fmt=fmt)
    page = Paginator(honors, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "organization/honors/honor_list.html", {"form": form, "page": page})


def _form_page(request: HttpRequest, form: HonorForm, honor: Honor | None) -> HttpResponseBase:
    status = 400 if request.method == "POST" else 200
    return render(
        request, "organization/honors/honor_form.html", {"form": form, "honor": honor},
        status=status,
    )  # fmt: skip


@require_capability(MANAGE)
def honor_create(request: HttpRequest) -> HttpResponseBase:
    form = HonorForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            honor = service.honor_create(actor=signed_in_user(request), data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Honor %(honor)s added.") % {"honor": honor})
            return redirect("honors:list")
    return _form_page(request, form, None)


@require_capability(MANAGE)
def honor_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    honor = service.honor_get(user=request.user, pk=pk)
    form = HonorForm(request.POST or None, request.FILES or None, instance=copy.copy(honor))
    if request.method == "POST" and form.is_valid():
        try:
            service.honor_update(actor=signed_in_user(request), honor=honor, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Honor %(honor)s saved.") % {"honor": honor})
            return redirect("honors:list")
    return _form_page(request, form, honor)


@require_capability(MANAGE)
def honor_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    """GET asks to confirm; POST deletes."""
    honor = service.honor_get(user=request.user, pk=pk)
    if request.method == "POST":
        service.honor_delete(actor=signed_in_user(request), honor=honor)
        messages.success(request, _("Honor %(honor)s deleted.") % {"honor": honor})
        return redirect("honors:list")
    return render(request, "organization/honors/honor_delete.html", {"honor": honor})


@require_GET
def honor_image(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An honor's image for anyone (the honors are public), as the image type it really is;
    never rendered as a page of its own."""
    stream, kind = service.honor_image(pk=pk)
    response = FileResponse(stream, content_type=kind.content_type)
    response["Content-Disposition"] = f'inline; filename="honor-{pk}{kind.extension}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=3600"
    return response
