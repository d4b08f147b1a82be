"""Every table a user sees can be downloaded: one function turns columns and rows into a file.

Cells that a spreadsheet program would read as a formula are prefixed with an apostrophe,
so that a name such as "=HYPERLINK(...)" stays text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.db.models import Model
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

FORMATS = ("csv", "xlsx")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def choice_labels(model: type[Model], field_name: str) -> Callable[[Any], Any]:
    """A field's choices as a function from a stored value to its label in the current
    language, the labels translated once: for downloads of thousands of rows, where the model's
    get_FOO_display() translates every choice of the field again for every row (half the time
    of a station's student list as csv). Like it, an unknown value is returned as it is."""
    field = model._meta.get_field(field_name)
    labels = {value: str(label) for value, label in getattr(field, "flatchoices", [])}
    return lambda value: labels.get(value, value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _attachment(filename: str, extension: str) -> str:
    stamp = timezone.localdate().strftime("%Y%m%d")
    return f'attachment; filename="{filename}-{stamp}.{extension}"'


def tabular_response(
    *, filename: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str
) -> HttpResponse | StreamingHttpResponse:
    """A csv (streamed, UTF-8 with BOM so that Excel reads Chinese) or xlsx download."""
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def lines() -> Iterable[str]:
            yield "\ufeff" + writer.writerow([str(c) for c in columns])
            for row in rows:
                yield writer.writerow([_plain(v) for v in row])

        response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
            lines(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = _attachment(filename, "csv")
    elif fmt == "xlsx":
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(
            buffer, {"constant_memory": True, "strings_to_formulas": False, "in_memory": True}
        )
        sheet = workbook.add_worksheet()
        bold = workbook.add_format({"bold": True})
        for col, title in enumerate(columns):
            sheet.write_string(0, col, str(title), bold)
        for row_index, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                plain = _plain(value)
                if isinstance(plain, int | float):
                    sheet.write_number(row_index, col, plain)
                else:
                    sheet.write_string(row_index, col, plain)
        workbook.close()
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = _attachment(filename, "xlsx")
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    response["X-Content-Type-Options"] = "nosniff"
    return response
