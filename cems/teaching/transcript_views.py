"""Transcripts: the PDFs that staff and students print, and the public verification page
(see cems/teaching/transcripts.py)."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cems.accounts.access import Capability, require_capability, signed_in_user
from cems.core.ratelimit import counter_key, lookup_allowed
from cems.teaching import transcripts
from cems.teaching.transcripts import IssuedTranscript

# --- Printing --------------------------------------------------------------------------------


def _pdf_response(
    request: HttpRequest, issued: Sequence[IssuedTranscript], filename: str
) -> HttpResponse:
    def verify_url(code: str) -> str:
        return request.build_absolute_uri(reverse("transcripts:verify_code", args=[code]))

    response = HttpResponse(
        transcripts.render_pdf(issued, verify_url=verify_url), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    add_never_cache_headers(response)  # personal data: no copy kept on the way
    return response


@require_GET
@require_capability(Capability.PRINT_TRANSCRIPTS)
def transcript_student(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One student's transcript; each download is a new transcript with its own code."""
    user = signed_in_user(request)
    student = transcripts.student_for_transcript(user=user, pk=pk)
    issued = transcripts.transcript_issue(actor=user, students=[student])
    return _pdf_response(request, issued, f"transcript-{student.student_number}.pdf")


@require_GET
@require_capability(Capability.PRINT_TRANSCRIPTS)
def transcript_class(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The transcripts of every student of a class, one after the other in one PDF."""
    user = signed_in_user(request)
    klass, students = transcripts.class_for_transcripts(user=user, pk=pk)
    issued = transcripts.transcript_issue(actor=user, students=students)
    return _pdf_response(request, issued, f"transcripts-{klass.code}.pdf")


# --- Public verification ---------------------------------------------------------------------


# Codes are unguessable, but a client may look up only so many within a window.
def lookup_counter_key(address: str) -> str:
    return counter_key("transcripts", address)


def _lookup_allowed(request: HttpRequest) -> bool:
    return lookup_allowed(request, "transcripts")


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("As printed on the transcript, for example ABCD-EFGH-IJKL-MNOP."),
    )


def _page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    english = get_language() == "en"
    context["school_name"] = settings.CEMS_SCHOOL_NAME_EN if english else settings.CEMS_SCHOOL_NAME
    return render(request, "teaching/transcripts/verify.html", context, status=status)


@require_GET
def verify(request: HttpRequest) -> HttpResponseBase:
    """The form to type a code in; a valid one goes to its verification page."""
    form = VerifyForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        code = transcripts.normalize_code(form.cleaned_data["code"])
        if transcripts.is_wellformed(code):
            return redirect("transcripts:verify_code", code=code)
        form.add_error("code", _("A code has 16 letters and digits."))
    return _page(request, {"form": form})


@require_GET
def verify_code(request: HttpRequest, code: str) -> HttpResponseBase:
    """Whether a printed transcript is genuine, with the figures it was issued with."""
    context: dict[str, Any] = {"form": VerifyForm(initial={"code": code})}
    if not _lookup_allowed(request):
        context["limited"] = True
        return _page(request, context, status=429)
    transcript = transcripts.transcript_lookup(code)
    if transcript is None:
        context["unknown"] = True
        return _page(request, context, status=404)
    context["shown"] = transcripts.verification_facts(transcript)
    return _page(request, context)
