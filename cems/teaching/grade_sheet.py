"""The grade sheet: an offering's grades as an Excel workbook to fill in offline, and the
upload of the filled workbook.

The workbook has a visible sheet "成绩" (a title block, then 序号, 学号, 姓名 and one column
per grade field the teacher fills) and a hidden sheet "meta" holding the offering, the
phase (the original grades, or the makeup exam of the students who take it), the roster
rows with their entry ids, the values at download time, and a signature over all of it.

An upload is refused whole, with one message, when it is not the sheet downloaded for this
offering and phase, or when its identity cells were altered; otherwise its grade cells are
saved through `grade_services.grades_save`, which validates them with the grid's rules and
writes all or nothing. Only the cells whose value differs from the download are sent, so a
cell changed meanwhile in the grid is a conflict only where the sheet changes it too.
"""

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_col_to_name

from cems.accounts.models import User
from cems.catalog.models import GradingScale
from cems.teaching import grading
from cems.teaching.grade_selectors import grid_rows
from cems.teaching.grade_services import CellEdit, GradeEntryError, grades_save, scale_of
from cems.teaching.models import ChangeSource, CourseOffering

SHEET_NAME = "成绩"
META_NAME = "meta"
META_KIND = "cems-grade-sheet"
VERSION = "1"
ORIGINAL = "original"
MAKEUP = "makeup"
IDENTITY_HEADERS = ("序号", "学号", "姓名")
HEADERS = {
    "coursework": "平时成绩",
    "exam": "期末成绩",
    "score": "总评成绩",
    "level": "成绩等级",
    "mark": "标记",
    "makeup_score": "补考成绩",
    "makeup_level": "补考等级",
    "makeup_mark": "补考标记",
}
_SIGNING_SALT = "cems.teaching.grade_sheet"
# The title block's rows above the table; an upload finds the heading row by its cells, so
# a row inserted above it does no harm.
_HEADER_SEARCH_ROWS = 40
_META_ROWS_START = 6  # the meta sheet's first roster row (0-based)
# Against workbooks built to exhaust memory: the spreadsheet library allocates every cell
# of a sheet's extent (see cems/admissions/reader.py).
MAX_CELLS = 1_000_000
MAX_SHEET_XML_BYTES = 64 * 2**20
_CELL_REF = re.compile(rb' r="([A-Z]{0,3})(\d{1,7})"')
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- What a sheet holds ----------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    entry_id: int
    student_number: str
    name: str
    values: dict[str, str]  # field -> the value as grading.show gives it (levels by code)


@dataclass
class GradeSheet:
    offering_id: int
    phase: str
    scale: str
    weight: int
    fields: tuple[str, ...]
    rows: list[SheetRow]

    def headers(self) -> list[str]:
        return [*IDENTITY_HEADERS, *(HEADERS[name] for name in self.fields)]

    def signature(self) -> str:
        """An HMAC (keyed by SECRET_KEY) over everything the upload relies on."""
        payload = json.dumps(
            [
                VERSION,
                self.offering_id,
                self.phase,
                list(self.fields),
                [
                    [row.entry_id, row.student_number, row.name,
                     *(row.values.get(name, "") for name in self.fields)]
                    for row in self.rows
                ],
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )  # fmt: skip
        return salted_hmac(_SIGNING_SALT, payload, algorithm="sha256").hexdigest()


def sheet_phase(offering: CourseOffering) -> str:
    """Before submission the sheet takes the original grades; after, the makeup results."""
    return MAKEUP if offering.grades_locked else ORIGINAL


def grade_sheet(offering: CourseOffering) -> GradeSheet:
    """The offering's sheet as it stands: in the makeup phase, the makeup list only."""
    phase = sheet_phase(offering)
    scale, weight = scale_of(offering)
    fields = grading.entry_fields(scale, weight, makeup=phase == MAKEUP)
    rows = [
        SheetRow(
            entry_id=row.entry.pk,
            student_number=row.entry.student.student_number,
            name=row.entry.student.name,
            values={name: row.values[name] for name in fields},
        )
        for row in grid_rows(offering)
        if phase == ORIGINAL or row.makeup
    ]
    return GradeSheet(offering.pk, phase, scale, weight, fields, rows)


# --- Download --------------------------------------------------------------------------------


def _scale_text(sheet: GradeSheet) -> str:
    if sheet.scale == GradingScale.PERCENT:
        text = "百分制（0–100）"
        if sheet.weight and sheet.phase == ORIGINAL:
            text += f"，平时 {sheet.weight}%、期末 {100 - sheet.weight}%，总评由系统计算"
    elif sheet.scale == GradingScale.FIVE_LEVEL:
        text = "五级制（优/良/中/及格/不及格）"
    else:
        text = "合格制（合格/不合格）"
    if sheet.phase == MAKEUP:
        text += "；补考成绩 makeup exam"
    return text


INSTRUCTIONS_ZH = (
    "只填写白色的成绩单元格；不要修改序号、学号、姓名，不要增删行或列，不要改动隐藏的 meta 工作表。"
    "分数填 0–100 的数字，最多一位小数；等级和标记从下拉列表选择"
    "（缺考、作弊记不及格，免修记通过）。"
    "填好后在本课程页面“上传成绩表”上传：系统按与网页相同的规则检查每个单元格，"
    "有任何错误时不写入任何成绩，并列出出错的行和列。"
)
INSTRUCTIONS_EN = (
    "Fill in the white grade cells only; do not change 序号, 学号 or 姓名, add or remove rows "
    "or columns, or touch the hidden meta sheet. Scores are numbers from 0 to 100 with at most "
    "one decimal; choose results and marks from the drop-down lists (absent and cheating fail, "
    "exempt passes). Then upload the file on the offering's page: every cell is checked with "
    "the same rules as the web grid, and if any is wrong nothing is written and the rows and "
    "columns at fault are listed."
)


def _shown(name: str, value: str) -> str | float:
    """A value as the sheet shows it: scores as numbers, results and marks as their Chinese
    words (which the upload reads back)."""
    if not value:
        return ""
    if name in grading.SCORE_FIELDS:
        return float(Decimal(value))
    if name in grading.LEVEL_FIELDS:
        return grading.LEVEL_LABELS_ZH[grading.Level(value)]
    return grading.MARK_LABELS_ZH[grading.Mark(value)]


def title_lines(offering: CourseOffering, sheet: GradeSheet) -> list[tuple[str, str]]:
    course = offering.plan_course.course
    klass = offering.student_class
    term = offering.term
    teacher = offering.teacher.display_name if offering.teacher else "—"
    return [
        ("课程 Course", f"{course.code} {course.name}"),
        ("班级 Class", f"{klass.name}（{klass.code}）"),
        ("学期 Term", f"{term.academic_year} 学年第 {term.number} 学期"),
        ("任课教师 Teacher", teacher),
        ("评分方式 Grading", _scale_text(sheet)),
        ("说明", INSTRUCTIONS_ZH),
        ("Instructions", INSTRUCTIONS_EN),
    ]


def workbook_bytes(sheet: GradeSheet, title: Sequence[tuple[str, str]]) -> bytes:
    """The xlsx file of a sheet: identity cells locked, grade cells open, lists to choose
    results and marks from, and the hidden meta sheet."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False})  # fmt: skip
    shown = book.add_worksheet(SHEET_NAME)
    meta = book.add_worksheet(META_NAME)
    heading = book.add_format({"bold": True, "font_size": 14})
    label = book.add_format({"bold": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    header = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "locked": True})
    fixed = book.add_format({"bg_color": "#F2F2F2", "border": 1, "locked": True})
    fixed_text = book.add_format({"bg_color": "#F2F2F2", "border": 1, "locked": True,
                                  "num_format": "@"})  # fmt: skip
    open_cell = book.add_format({"border": 1, "locked": False})

    last_column = len(IDENTITY_HEADERS) + len(sheet.fields) - 1  # at least two grade columns
    shown.merge_range(0, 0, 0, last_column, "成绩登记表 Grade sheet", heading)
    for offset, (name, text) in enumerate(title, start=1):
        shown.write_string(offset, 0, name, label)
        shown.merge_range(offset, 1, offset, last_column, text, wrap)
        if len(text) > 60:
            shown.set_row(offset, 15 * (len(text) // 60 + 1))
    header_row = len(title) + 2
    for col, text in enumerate(sheet.headers()):
        shown.write_string(header_row, col, text, header)
    first = header_row + 1
    for index, row in enumerate(sheet.rows):
        at = first + index
        shown.write_number(at, 0, index + 1, fixed)
        shown.write_string(at, 1, row.student_number, fixed_text)
        shown.write_string(at, 2, row.name, fixed_text)
        for offset, name in enumerate(sheet.fields):
            value = _shown(name, row.values.get(name, ""))
            col = len(IDENTITY_HEADERS) + offset
            if isinstance(value, float):
                shown.write_number(at, col, value, open_cell)
            else:
                shown.write_string(at, col, value, open_cell)
    if sheet.rows:
        last = first + len(sheet.rows) - 1
        for offset, name in enumerate(sheet.fields):
            col = len(IDENTITY_HEADERS) + offset
            shown.data_validation(first, col, last, col, _validation(sheet.scale, name))
    shown.set_column(0, 0, 14)
    shown.set_column(1, 1, 16)
    shown.set_column(2, 2, 10)
    shown.set_column(3, last_column, 12)
    shown.freeze_panes(first, len(IDENTITY_HEADERS))
    shown.protect("", {"format_columns": True, "format_rows": True})
    shown.activate()

    meta_rows: list[list[str]] = [
        [META_KIND, VERSION],
        ["offering", str(sheet.offering_id)],
        ["phase", sheet.phase],
        ["signature", sheet.signature()],
        ["fields", *sheet.fields],
        ["entry", *IDENTITY_HEADERS[1:], *sheet.fields],
    ]
    meta_rows += [
        [str(row.entry_id), row.student_number, row.name,
         *(row.values.get(name, "") for name in sheet.fields)]
        for row in sheet.rows
    ]  # fmt: skip
    for row_index, cells in enumerate(meta_rows):
        for col, text in enumerate(cells):
            meta.write_string(row_index, col, text)
    meta.protect()
    meta.hide()
    book.close()
    return buffer.getvalue()


def _validation(scale: str, name: str) -> dict[str, Any]:
    if name in grading.SCORE_FIELDS:
        return {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
            "error_title": "成绩 Score", "error_message": "0–100 的数字 A number from 0 to 100",
        }  # fmt: skip
    if name in grading.LEVEL_FIELDS:
        words = [grading.LEVEL_LABELS_ZH[level] for level in grading.levels_for(scale)]
    else:
        words = list(grading.MARK_LABELS_ZH.values())
    return {"validate": "list", "source": words, "error_title": HEADERS[name],
            "error_message": "/".join(words)}  # fmt: skip


def sheet_filename(offering: CourseOffering, sheet: GradeSheet) -> str:
    course = offering.plan_course.course
    kind = "补考成绩表" if sheet.phase == MAKEUP else "成绩表"
    stamp = timezone.localdate().strftime("%Y%m%d")
    return f"{kind}-{course.code}-{offering.student_class.code}-{stamp}.xlsx"


# --- Upload ----------------------------------------------------------------------------------


class SheetRefused(Exception):
    """The upload is not this offering's sheet as downloaded; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SheetCellError:
    row: int  # the row number as the spreadsheet shows it
    column: str  # its letter
    header: str
    student_number: str
    name: str
    text: str  # what the cell holds
    message: str

    @property
    def place(self) -> str:
        return _("Row %(row)d, column %(column)s (%(header)s)") % {
            "row": self.row, "column": self.column, "header": self.header,
        }  # fmt: skip

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


class SheetInvalid(Exception):
    """Grade cells the rules refuse; nothing was written."""

    def __init__(self, errors: list[SheetCellError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class _Upload:
    meta: list[list[str]]
    shown: list[list[str]]  # index i is the spreadsheet's row i + 1


def cell_text(value: Any) -> str:
    """A cell as the text a person typed: 85.0 → "85", 85.5 → "85.5", empty → ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _not_a_sheet() -> SheetRefused:
    return SheetRefused(
        _("The file is not an Excel workbook (.xlsx). Upload the grade sheet downloaded from "
          "this offering's page, saved as .xlsx.")
    )  # fmt: skip


def _check_extent(archive: zipfile.ZipFile) -> None:
    for info in archive.infolist():
        if not info.filename.startswith("xl/worksheets/"):
            continue
        if info.file_size > MAX_SHEET_XML_BYTES:
            raise SheetRefused(_("The workbook is too large to be a grade sheet."))
        rows = columns = 1
        for letters, digits in _CELL_REF.findall(archive.read(info)):
            rows = max(rows, int(digits))
            if letters:
                columns = max(columns, _column_number(letters))
        if rows * columns > MAX_CELLS:
            raise SheetRefused(_("The workbook is too large to be a grade sheet."))


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def read_upload(data: bytes) -> _Upload:
    """The visible and the meta sheet of an uploaded workbook, as text."""
    if len(data) > settings.CEMS_MAX_UPLOAD_BYTES:
        raise SheetRefused(
            _("The file is larger than %(size)d MB.")
            % {"size": settings.CEMS_MAX_UPLOAD_BYTES // 2**20}
        )
    if not data.startswith(b"PK\x03\x04"):
        raise _not_a_sheet()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise _not_a_sheet()
            _check_extent(archive)
    except SheetRefused:
        raise
    except Exception as error:  # zipfile, zlib and friends each raise their own errors
        raise _not_a_sheet() from error
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = set(book.sheet_names)
        if SHEET_NAME not in names or META_NAME not in names:
            raise SheetRefused(
                _("The workbook has no grade sheet with its hidden meta sheet: upload the "
                  "sheet downloaded from this offering's page.")
            )  # fmt: skip
        sheets = {
            name: [
                [cell_text(value) for value in row]
                for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            ]
            for name in (SHEET_NAME, META_NAME)
        }
    except SheetRefused:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # the Rust library panics on some damaged files
        raise SheetRefused(
            _("The workbook cannot be read (%(error)s).")
            % {"error": str(error)[:200] or type(error).__name__}
        ) from error
    return _Upload(meta=sheets[META_NAME], shown=sheets[SHEET_NAME])


def _cell(row: Sequence[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def _damaged_meta() -> SheetRefused:
    return SheetRefused(
        _("The sheet's hidden meta data is missing, damaged or altered; download the sheet "
          "again and copy the grades into it.")
    )  # fmt: skip


def parse_meta(meta: list[list[str]]) -> tuple[GradeSheet, str]:
    """The sheet as downloaded (its scale left empty) and the signature it carries."""
    try:
        if meta[0][:2] != [META_KIND, VERSION] or [r[0] for r in meta[1:5]] != [
            "offering", "phase", "signature", "fields"
        ]:  # fmt: skip
            raise _damaged_meta()
        offering_id = int(meta[1][1])
        phase, signature = meta[2][1], meta[3][1]
        fields = tuple(name for name in meta[4][1:] if name)
        if phase not in (ORIGINAL, MAKEUP) or any(name not in HEADERS for name in fields):
            raise _damaged_meta()
        rows = []
        for cells in meta[_META_ROWS_START:]:
            if not any(cells):
                continue
            rows.append(
                SheetRow(
                    entry_id=int(cells[0]),
                    student_number=_cell(cells, 1),
                    name=_cell(cells, 2),
                    values={name: _cell(cells, 3 + i) for i, name in enumerate(fields)},
                )
            )
    except (IndexError, ValueError):
        raise _damaged_meta() from None
    return GradeSheet(offering_id, phase, "", 0, fields, rows), signature


def _check_identity(sheet: GradeSheet, shown: list[list[str]]) -> int:
    """The index of the first data row, once the heading and identity cells are found as
    they were downloaded."""
    header_index = next(
        (
            index
            for index, row in enumerate(shown[:_HEADER_SEARCH_ROWS])
            if tuple(row[: len(IDENTITY_HEADERS)]) == IDENTITY_HEADERS
        ),
        None,
    )
    if header_index is None:
        raise SheetRefused(
            _("The heading row of the table (序号, 学号, 姓名, …) is missing or altered.")
        )
    expected = sheet.headers()
    found = list(shown[header_index])
    while found and not found[-1]:
        found.pop()
    if found != expected:
        raise SheetRefused(
            _("The heading row %(row)d was altered: it should read %(expected)s.")
            % {"row": header_index + 1, "expected": ", ".join(expected)}
        )
    data = shown[header_index + 1 :]
    while data and not any(data[-1]):
        data.pop()
    if len(data) != len(sheet.rows):
        raise SheetRefused(
            _("The sheet has %(found)d student rows where %(expected)d were downloaded: rows "
              "must not be added or removed.")
            % {"found": len(data), "expected": len(sheet.rows)}
        )  # fmt: skip
    for index, (cells, row) in enumerate(zip(data, sheet.rows, strict=True)):
        identity = [str(index + 1), row.student_number, row.name]
        if [_cell(cells, i) for i in range(len(IDENTITY_HEADERS))] != identity:
            raise SheetRefused(
                _("Row %(row)d: 序号, 学号 or 姓名 was altered or rows were moved; it should "
                  "read %(expected)s.")
                % {"row": header_index + 2 + index, "expected": " ".join(identity)}
            )  # fmt: skip
    return header_index + 1


def _check_offering(offering: CourseOffering, sheet: GradeSheet) -> None:
    if sheet.offering_id != offering.pk:
        raise SheetRefused(
            _("This sheet belongs to another course offering; download this offering's sheet.")
        )
    if sheet.phase == ORIGINAL and offering.grades_locked:
        raise SheetRefused(
            _("The grades of this offering were submitted and are locked; nothing was written. "
              "Request a change instead.")
        )  # fmt: skip
    if sheet.phase == MAKEUP and offering.makeup_locked:
        raise SheetRefused(
            _("The makeup results of this offering were submitted and are locked; nothing was "
              "written. Request a change instead.")
        )  # fmt: skip
    if sheet.phase != sheet_phase(offering):
        raise SheetRefused(
            _("This is a makeup sheet, but the grades of this offering are not submitted.")
        )
    scale, weight = scale_of(offering)
    if sheet.fields != grading.entry_fields(scale, weight, makeup=sheet.phase == MAKEUP):
        raise SheetRefused(
            _("The course's grading scale or weights have changed since the sheet was "
              "downloaded; download the sheet again.")
        )  # fmt: skip


def _unchanged(scale: str, name: str, text: str, expected: str) -> bool:
    try:
        return grading.show(grading.parse_cell(scale, name, text)) == expected
    except ValidationError:
        return False


def sheet_upload(*, actor: User, offering: CourseOffering, data: bytes) -> int:
    """Save the grades of an uploaded sheet of `offering` (fetched within the actor's
    grading scope): the number of cells changed. Raises SheetRefused (the file is not this
    sheet) or SheetInvalid (cells the rules refuse); either way nothing is written."""
    upload = read_upload(data)
    sheet, signature = parse_meta(upload.meta)
    if not constant_time_compare(signature, sheet.signature()):
        raise _damaged_meta()
    _check_offering(offering, sheet)
    first = _check_identity(sheet, upload.shown)
    scale, _weight = scale_of(offering)
    headers = sheet.headers()
    edits: list[CellEdit] = []
    places: dict[tuple[int, str], SheetCellError] = {}
    for index, row in enumerate(sheet.rows):
        cells = upload.shown[first + index]
        for offset, name in enumerate(sheet.fields):
            col = len(IDENTITY_HEADERS) + offset
            text = _cell(cells, col)
            expected = row.values[name]
            if _unchanged(scale, name, text, expected):
                continue
            edits.append(CellEdit(row.entry_id, name, text, expected=expected))
            places[(row.entry_id, name)] = SheetCellError(
                row=first + index + 1, column=xl_col_to_name(col), header=headers[col],
                student_number=row.student_number, name=row.name, text=text, message="",
            )  # fmt: skip
    if not edits:
        return 0
    try:
        grades_save(actor=actor, offering_id=offering.pk, edits=edits, source=ChangeSource.SHEET)
    except GradeEntryError as error:
        raise SheetInvalid(
            sorted(
                (replace(places[(e.entry_id, e.field)], message=e.message) for e in error.errors),
                key=lambda e: (e.row, len(e.column), e.column),
            )
        ) from None
    return len(edits)
