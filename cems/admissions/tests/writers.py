"""Writers of admission files in every format the importer reads, for the tests and for
samples/admissions/make_samples.py. Each takes rows (the first one the headings) of str,
int, float, datetime.date or None and returns the file's bytes."""

import csv
import datetime as dt
import io
import struct
import zipfile
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

import xlsxwriter
import xlwt  # type: ignore[import-untyped]

Rows = Sequence[Sequence[Any]]


def write_xlsx(rows: Rows, *, title: str | None = None, sheet_name: str = "录取名单") -> bytes:
    """An xlsx workbook; a title row (merged across the columns) above the headings if given."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet(sheet_name)
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    offset = 0
    if title is not None:
        width = max(len(row) for row in rows)
        sheet.merge_range(0, 0, 0, max(width - 1, 1), title)
        offset = 1
    for r, row in enumerate(rows, start=offset):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    workbook.close()
    return buffer.getvalue()


def write_xls(rows: Rows, *, sheet_name: str = "Sheet1") -> bytes:
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet(sheet_name)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                sheet.write(r, c, value, date_style)
            else:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
    ' manifest:version="1.2">\n'
    ' <manifest:file-entry manifest:full-path="/"'
    ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>\n'
    ' <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>\n'
    "</manifest:manifest>\n"
)
_ODS_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet>"""
_ODS_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def _ods_cell(value: Any) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, dt.date):
        return (f'<table:table-cell office:value-type="date" office:date-value="{value:%Y-%m-%d}">'
                f"<text:p>{value:%Y-%m-%d}</text:p></table:table-cell>")  # fmt: skip
    if isinstance(value, int | float):
        return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")  # fmt: skip
    return (f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
            "</text:p></table:table-cell>")  # fmt: skip


def write_ods(rows: Rows, *, sheet_name: str = "Sheet1", extra_xml: str = "") -> bytes:
    """An OpenDocument spreadsheet (the minimum LibreOffice and readers accept)."""
    body = "".join(
        "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
        for row in rows
    )
    content = (f'{_ODS_HEAD}<table:table table:name="{escape(sheet_name)}">{body}{extra_xml}'
               f"</table:table>{_ODS_TAIL}")  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # The mimetype comes first and uncompressed, as the standard requires.
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)  # fmt: skip
        archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def write_csv(rows: Rows, *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """CSV text; encoding "utf-8-sig" adds the BOM Excel writes, "gbk" is Chinese Excel's."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v.strftime("%Y%m%d") if isinstance(v, dt.date)
                         else v for v in row])  # fmt: skip
    return buffer.getvalue().encode(encoding)


def write_dbf(
    fields: Sequence[tuple[str, str, int]], records: Rows, *, encoding: str = "gbk"
) -> bytes:
    """A dBASE III table: fields as (name, type C/N/D/L, length); GBK text marked with
    FoxPro's language driver byte for code page 936."""
    header_length = 32 + 32 * len(fields) + 1
    record_length = 1 + sum(length for _name, _kind, length in fields)
    today = dt.date(2026, 7, 20)
    language = 0x7A if encoding == "gbk" else 0x00
    header = struct.pack("<BBBBIHH16xBBH", 0x03, today.year - 1900, today.month, today.day,
                         len(records), header_length, record_length, 0, language, 0)  # fmt: skip
    descriptors = b""
    for name, kind, length in fields:
        encoded = name.encode(encoding)[:10]
        descriptors += struct.pack("<11sc4xBB14x", encoded, kind.encode(), length % 256,
                                   length // 256 if kind == "C" else 0)  # fmt: skip
    body = b""
    for record in records:
        body += b" "
        for (_name, kind, length), value in zip(fields, record, strict=True):
            body += _dbf_cell(value, kind, length, encoding)
    return header + descriptors + b"\x0d" + body + b"\x1a"


def _dbf_cell(value: Any, kind: str, length: int, encoding: str) -> bytes:
    if value is None:
        text = ""
    elif isinstance(value, dt.date):
        text = value.strftime("%Y%m%d")
    elif kind == "L":
        text = "T" if value else "F"
    else:
        text = str(value)
    raw = text.encode(encoding, errors="replace")[:length]
    return raw.rjust(length) if kind == "N" else raw.ljust(length)
