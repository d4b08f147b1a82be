"""Reading the exam authority's admission files: xlsx, xls, ods, csv and dbf.

`read_sheet` takes the file's bytes and name and returns its cells as text, each row with
its number as the user sees it (the spreadsheet's row, the CSV line where the record
starts, the DBF record). The format is told by the content, not by the name: exam systems
often name an xlsx workbook .xls. A file that cannot be read raises ImportStopped with the
reason; nothing about it crashes the caller.
"""

import codecs
import csv
import datetime as dt
import io
import re
import struct
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext_noop as _noop
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from cems.admissions.issues import ImportStopped, Issue
from cems.core import uploads

FORMATS = ("xlsx", "xls", "ods", "csv", "dbf")
EXTENSIONS = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
    ".csv": "csv",
    ".txt": "csv",
    ".dbf": "dbf",
}

# Limits against files built to exhaust memory: the spreadsheet library allocates every
# cell of a sheet's extent, so a single cell at XFD1048576 would ask for 500 GiB.
MAX_CELLS = 5_000_000
MAX_UNCOMPRESSED_BYTES = 512 * 2**20
# How many rows at the top may hold a title before the heading row.
HEADER_SEARCH_ROWS = 20

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_XLSX_REF = re.compile(rb' r="([A-Z]{0,3})(\d{1,7})"')
_XLSX_WIDE = re.compile(rb' r="([A-Z]{2,3})\d')
_XLSX_TALL = re.compile(rb' r="[A-Z]{0,3}(\d{6,7})"')
_ODS_TOKEN = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>"
)
_ODS_ROWS = re.compile(rb'number-rows-repeated="(\d+)"')
_ODS_COLUMNS = re.compile(rb'number-columns-repeated="(\d+)"')


@dataclass
class Sheet:
    """A table read from a file: its heading row and the data rows below it."""

    file_format: str
    header: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]]  # (row number, cells); empty rows are left out
    encoding: str = ""
    warnings: list[Issue] = field(default_factory=list)


HeaderScore = Callable[[Sequence[str]], int]


def read_sheet(data: bytes, name: str, *, header_score: HeaderScore) -> Sheet:
    """The table in an admission file. `header_score` counts the known headings in a row;
    the heading row is the first of the top rows with the most of them (a title may sit
    above it)."""
    file_format = sniff_format(data)
    warnings = []
    named = EXTENSIONS.get(PurePath(name).suffix.lower())
    if named and named != file_format:
        warnings.append(
            Issue(
                _noop(
                    "The file is named %(name)s but holds a %(format)s file; it "
                    "was read as %(format)s."
                ),
                {"name": name, "format": file_format},
            )
        )
    encoding = ""
    if file_format == "csv":
        rows, encoding = _read_csv(data)
    elif file_format == "dbf":
        rows, encoding = _read_dbf(data)
    else:
        rows, sheet_warnings = _read_workbook(data, file_format)
        warnings.extend(sheet_warnings)
    if not rows:
        raise ImportStopped(_noop("The file holds no data."))
    top = rows[:HEADER_SEARCH_ROWS]
    scores = [header_score(cells) for _number, cells in top]
    best = max(range(len(top)), key=lambda index: (scores[index], -index))
    header_row, header = rows[best]
    data_rows = rows[best + 1 :]
    if not data_rows:
        raise ImportStopped(_noop("The file has a heading row but no rows of data below it."))
    return Sheet(file_format, header, header_row, data_rows, encoding, warnings)


def sniff_format(data: bytes) -> str:
    """What the content is, whatever the file is called."""
    if data.startswith(_ZIP):
        return _zip_format(data)
    if data.startswith(_OLE2):
        return "xls"
    if _looks_like_dbf(data):
        return "dbf"
    if not data.strip():
        raise ImportStopped(_noop("The file is empty."))
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<table")):
        raise ImportStopped(
            _noop(
                "The file is a web page or XML, not a spreadsheet: open it in"
                " a spreadsheet program and save it as .xlsx."
            )
        )
    if b"\x00" in data[:65536] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportStopped(
            _noop("The file is neither a spreadsheet (xlsx, xls, ods), a CSV text nor a DBF table.")
        )
    return "csv"


def _zip_format(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
                raise ImportStopped(
                    _noop("The file unpacks to more data than an admission list can hold.")
                )
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and archive.read("mimetype").strip() == _ODS_MIMETYPE:
                return "ods"
            if "content.xml" in names and "xl/workbook.bin" not in names:
                return "ods"
    except ImportStopped:
        raise
    except Exception as error:  # zipfile, zlib, bz2 and lzma each raise their own errors
        raise _damaged(error) from error
    raise ImportStopped(_noop("The file is a ZIP archive but not an xlsx or ods workbook."))


# --- Workbooks (through python-calamine) ----------------------------------------------------


def _read_workbook(
    data: bytes, file_format: str
) -> tuple[list[tuple[int, list[str]]], list[Issue]]:
    _check_extent(data, file_format)
    try:
        return _calamine_rows(data)
    except ImportStopped:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:
        raise ImportStopped(
            _noop("The %(format)s file cannot be read: %(error)s"),
            {"format": file_format, "error": str(error)[:200] or type(error).__name__},
        ) from error


def _calamine_rows(data: bytes) -> tuple[list[tuple[int, list[str]]], list[Issue]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    warnings: list[Issue] = []
    sheets = [
        (index, meta.name)
        for index, meta in enumerate(workbook.sheets_metadata)
        if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
    ]
    for _position, (index, sheet_name) in enumerate(sheets):
        sheet = workbook.get_sheet_by_index(index)
        rows = _text_rows(enumerate(sheet.to_python(skip_empty_area=False), start=1))
        if rows:
            if len(sheets) > 1:
                warnings.append(
                    Issue(
                        _noop(
                            "The workbook has %(count)d sheets; only the sheet %(sheet)s was read."
                        ),
                        {"count": len(sheets), "sheet": sheet_name},
                    )
                )
            return rows, warnings
    return [], warnings


def _check_extent(data: bytes, file_format: str) -> None:
    """Refuse a workbook whose sheets span more cells than memory allows, before reading."""
    if file_format == "xls":
        return  # at most 65,536 rows × 256 columns: bounded by the format itself
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if file_format == "xlsx" and info.filename.startswith("xl/worksheets/"):
                    _check_xlsx_sheet(archive.read(info))
                elif file_format == "ods" and info.filename == "content.xml":
                    _check_ods_content(archive.read(info))
    except ImportStopped:
        raise
    except Exception as error:  # zipfile, zlib, bz2 and lzma each raise their own errors
        raise _damaged(error) from error


def _check_xlsx_sheet(xml: bytes) -> None:
    # Two scans that find (almost) nothing in an ordinary list give a bound: columns past Z
    # and rows past 99,999 are rare. Only when that bound is too large are all cells read.
    wide = [_column_number(letters) for letters in _XLSX_WIDE.findall(xml)]
    tall = [int(digits) for digits in _XLSX_TALL.findall(xml)]
    rows, columns = max(tall, default=99_999), max(wide, default=26)
    if rows * columns <= MAX_CELLS:
        return
    rows = columns = 1
    for letters, digits in _XLSX_REF.findall(xml):
        rows = max(rows, int(digits))
        if letters:
            columns = max(columns, _column_number(letters))
    if rows * columns > MAX_CELLS:
        raise _too_large(rows, columns)


def _check_ods_content(xml: bytes) -> None:
    """The extent of each table up to its last cell holding something, with the repeat
    counts LibreOffice writes (huge ones for the empty rows and cells at the end)."""
    rows_above = height = width = 0
    row_repeat = column = row_end = 0
    for closing, tag, attributes, self_closing in _ODS_TOKEN.findall(xml):
        if tag == b"table":
            if not closing:
                rows_above = height = width = 0
            continue
        if tag == b"table-row":
            if closing:
                rows_above += row_repeat
            else:
                row_repeat = _repeat(_ODS_ROWS, attributes)
                column = row_end = 0
                if self_closing:
                    rows_above += row_repeat
            continue
        if closing:
            continue
        repeat = _repeat(_ODS_COLUMNS, attributes)
        column += repeat
        if not self_closing or b"value" in attributes:
            row_end = column
            height = rows_above + row_repeat
            width = max(width, row_end)
            if height * width > MAX_CELLS:
                raise _too_large(height, width)


def _repeat(pattern: "re.Pattern[bytes]", attributes: bytes) -> int:
    match = pattern.search(attributes)
    return int(match.group(1)) if match else 1


def _damaged(error: Exception) -> ImportStopped:
    return ImportStopped(
        _noop("The file is damaged or incomplete (%(error)s)."),
        {"error": str(error)[:200] or type(error).__name__},
    )


def _too_large(rows: int, columns: int) -> ImportStopped:
    return ImportStopped(
        _noop(
            "The sheet spans %(rows)d rows × %(columns)d columns, more "
            "than an admission list can hold; delete the empty rows and "
            "columns around the data."
        ),
        {"rows": rows, "columns": columns},
    )


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def _text_rows(numbered: Iterable[tuple[int, Sequence[Any]]]) -> list[tuple[int, list[str]]]:
    rows = []
    for number, values in numbered:
        cells = [value.strip() if type(value) is str else _text(value) for value in values]
        if any(cells):
            rows.append((number, cells))
    return rows


def _text(value: Any) -> str:
    """A cell as text, as a person reading the sheet would write it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        # Numbers beyond 15 digits have lost digits in the spreadsheet; they keep their
        # exponent so that the checks can say so instead of reporting a wrong number.
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# --- CSV ------------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """The text and its encoding (cems/core/uploads.py), or ImportStopped."""
    decoded = uploads.decode_text(data)
    if decoded is None:
        raise ImportStopped(
            _noop("The text is neither UTF-8 nor GBK: save the file as CSV (UTF-8) and try again.")
        )
    return decoded


def _read_csv(data: bytes) -> tuple[list[tuple[int, list[str]]], str]:
    text, encoding = decode_text(data)
    if "\x00" in text:
        raise ImportStopped(_noop("The text holds NUL characters: it is not a CSV file."))
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(",\t;|", key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    rows = []
    start = 1
    try:
        for values in reader:
            cells = [value.strip() for value in values]
            if any(cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportStopped(
            _noop("Line %(line)d of the CSV text cannot be read: %(error)s"),
            {"line": reader.line_num, "error": str(error)[:200]},
        ) from error
    return rows, encoding


# --- DBF (dBASE III / FoxPro tables, as exam systems traditionally export) --------------------

_DBF_VERSIONS = {
    0x02,
    0x03,
    0x04,
    0x05,
    0x30,
    0x31,
    0x32,
    0x43,
    0x63,
    0x83,
    0x8B,
    0x8E,
    0xCB,
    0xF5,
    0xFB,
}
_DBF_KINDS = {bytes([c]) for c in b"CNFDLIYTBMGP0+@OVW"}
# Language driver bytes (header offset 29) of Chinese code pages.
_DBF_CHINESE = {0x4D, 0x7A, 0x7B, 0x7C, 0x78, 0x79}


@dataclass(frozen=True)
class _DbfField:
    name: bytes
    kind: str
    offset: int
    length: int


def _looks_like_dbf(data: bytes) -> bool:
    """A version byte, a plausible date of last update, and field descriptors of known
    types up to the 0x0D terminator: enough to tell a DBF header from text."""
    if (
        len(data) < 65
        or data[0] not in _DBF_VERSIONS
        or not (1 <= data[2] <= 12 and 1 <= data[3] <= 31)
    ):
        return False
    for position in range(32, len(data), 32):
        if data[position] == 0x0D:
            return position > 32
        if data[position + 11 : position + 12] not in _DBF_KINDS:
            return False
    return False


def _read_dbf(data: bytes) -> tuple[list[tuple[int, list[str]]], str]:
    count, header_length, record_length = struct.unpack_from("<IHH", data, 4)
    fields = _dbf_fields(data, header_length, record_length)
    body_end = header_length + count * record_length
    if body_end > len(data):
        complete = max(0, (len(data) - header_length) // record_length)
        raise ImportStopped(
            _noop(
                "The DBF table is incomplete: its header promises %(count)d "
                "records but the file holds %(complete)d."
            ),
            {"count": count, "complete": complete},
        )
    encoding = _dbf_encoding(data, header_length, body_end)
    names = [_decode(f.name, encoding).strip() for f in fields]
    rows: list[tuple[int, list[str]]] = [(0, names)]
    for index in range(count):
        start = header_length + index * record_length
        if data[start] == 0x2A:  # "*": a deleted record
            continue
        cells = [
            _dbf_value(data[start + f.offset : start + f.offset + f.length], f.kind, encoding)
            for f in fields
        ]
        if any(cells):
            rows.append((index + 1, cells))
    return rows, encoding


def _dbf_fields(data: bytes, header_length: int, record_length: int) -> list[_DbfField]:
    fields = []
    position = 32
    offset = 1  # after the deletion flag
    while position + 32 <= min(header_length, len(data)) and data[position] != 0x0D:
        descriptor = data[position : position + 32]
        kind = chr(descriptor[11])
        length = descriptor[16]
        if kind == "C":  # Clipper and FoxPro keep long text lengths in the decimals byte
            length |= descriptor[17] << 8
        fields.append(_DbfField(descriptor[:11].split(b"\x00", 1)[0], kind, offset, length))
        offset += length
        position += 32
    if not fields or offset != record_length:
        raise ImportStopped(
            _noop("The DBF table's header is damaged: its fields do not add up to its records.")
        )
    return fields


def _dbf_encoding(data: bytes, header_length: int, body_end: int) -> str:
    if data[29] in _DBF_CHINESE:
        return "gbk"
    try:
        data[header_length:body_end].decode("utf-8")
    except UnicodeDecodeError:
        return "gbk"
    return "utf-8"


def _decode(raw: bytes, encoding: str) -> str:
    raw = raw.split(b"\x00", 1)[0]
    return raw.decode("gb18030" if encoding == "gbk" else encoding, errors="replace")


def _dbf_value(raw: bytes, kind: str, encoding: str) -> str:
    if kind in "CNFDL" or kind not in "IYTBMGP0+@O":
        text = _decode(raw, encoding).strip()
        if kind == "L":
            return {"T": "1", "Y": "1", "F": "0", "N": "0"}.get(text.upper(), "")
        return text
    if kind == "I" and len(raw) == 4:
        return str(struct.unpack("<i", raw)[0])
    if kind == "Y" and len(raw) == 8:
        return str(struct.unpack("<q", raw)[0] / 10000)
    if kind in "T@" and len(raw) == 8:
        julian, _millis = struct.unpack("<ii", raw)
        if julian <= 0:
            return ""
        try:
            return dt.date.fromordinal(julian - 1721425).isoformat()
        except ValueError:
            return ""
    return ""  # memo, binary and general fields hold pointers into another file
