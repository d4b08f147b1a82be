import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import template
from django.http import QueryDict

from cems.core.masking import mask_birth_date, mask_id_number, mask_phone

register = template.Library()


@register.filter
def id_number(value: str | None, show_full: bool) -> str:
    """{{ student.id_number|id_number:personal }}: full only for those allowed to see it."""
    return (value or "") if show_full else mask_id_number(value)


@register.filter
def phone(value: str | None, show_full: bool) -> str:
    return (value or "") if show_full else mask_phone(value)


@register.filter
def birth_date(value: dt.date | None, show_full: bool) -> str:
    if show_full:
        return value.isoformat() if value else ""
    return mask_birth_date(value)


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (pagination, downloads)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def as_query(params: dict[str, Any]) -> str:
    """A dict of filters as a query string: a chart's bar links to the list behind it."""
    return urlencode({key: value for key, value in params.items() if value not in (None, "")})
