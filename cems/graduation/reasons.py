"""Why a student is not eligible, as stored in AuditResult.reasons and as shown.

A reason is {"code": ..., "params": {...}} with plain JSON values (amounts and credits as
strings); `render` turns it into a sentence in the page's language, naming what is missing.
Both audits (graduation, degree) use these codes."""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cems.students.models import StudentStatus

Reason = dict[str, Any]


def reason(code: str, **params: Any) -> Reason:
    assert code in _TEXTS, code
    return {"code": code, "params": params}


def _status_label(code: str) -> str:
    """A status's label; a status code that is no longer known as stored."""
    return str(StudentStatus(code).label) if code in StudentStatus.values else code


def _courses(params: dict[str, Any]) -> str:
    return "; ".join(
        f"{c['code']} {c['name']}"
        + (f" ({c['credits']} {_('credits')})" if "credits" in c else "")
        + (f" {c['score']}" if "score" in c else "")
        for c in params.get("courses", [])
    )


_TEXTS: dict[str, Callable[[dict[str, Any]], str]] = {
    # Graduation (毕业审核)
    "status": lambda p: (
        _("The student's status is %(status)s, not registered.")
        % {"status": _status_label(p.get("status", ""))}
    ),
    "length_not_served": lambda p: _("The standard length of study is served on %(until)s.") % p,
    "credits_short": lambda p: (
        _("%(earned)s credits earned of the %(required)s required: %(short)s short.") % p
    ),
    "required_missing": lambda p: (
        ngettext(
            "%(count)d required course not taken yet: %(courses)s.",
            "%(count)d required courses not taken yet: %(courses)s.",
            len(p["courses"]),
        )
        % {"count": len(p["courses"]), "courses": _courses(p)}
    ),
    "required_failed": lambda p: (
        ngettext(
            "%(count)d required course failed: %(courses)s.",
            "%(count)d required courses failed: %(courses)s.",
            len(p["courses"]),
        )
        % {"count": len(p["courses"]), "courses": _courses(p)}
    ),
    "fees_owed": lambda p: _("Fees owed: %(amount)s yuan.") % p,
    # Degree (学位审核)
    "not_bachelor": lambda p: _("Only bachelor programs lead to a degree."),
    "not_graduated": lambda p: _("The student has not graduated."),
    "window_closed": lambda p: (
        _("Graduated on %(graduated_on)s: the degree is applied for by %(deadline)s.") % p
    ),
    "average_low": lambda p: (
        _("The average of course grades is %(average)s, below %(required)s.") % p
    ),
    "degree_course_low": lambda p: (
        _("Degree courses below %(required)s: %(courses)s.")
        % {"required": p["required"], "courses": _courses(p)}
    ),
    "thesis_missing": lambda p: _("No thesis grade is recorded."),
    "thesis_low": lambda p: _("The thesis grade is %(score)s, below %(required)s.") % p,
    "thesis_not_defended": lambda p: _("The thesis has not been defended."),
    "language_missing": lambda p: (
        _(
            "No passing foreign-language result (adult degree English ≥ %(adult)s or CET-4 ≥ "
            "%(cet4)s)."
        )
        % p
    ),
    "disciplinary": lambda p: (
        _("A disciplinary record not revoked: %(records)s.")
        % {"records": "; ".join(f"{r['date']} {r['description']}" for r in p["records"])}
    ),
}


def render(item: Reason) -> str:
    """A stored reason as a sentence; an unknown code is shown as it is stored."""
    text = _TEXTS.get(item.get("code", ""))
    if text is None:
        return str(item)
    return text(item.get("params", {}))


def codes() -> frozenset[str]:
    return frozenset(_TEXTS)
