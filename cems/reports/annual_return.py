"""The annual statistical return (年报): new students, registered students and graduates of
one year, per level, major and study mode, over the students the user may see
(`students_for`: a station's staff get their stations only).

Definitions, for the year Y of the return:

- new students (招生/新生): students whose cohort is Y (`Student.cohort_year`). Every
  enrolled candidate becomes a student of the cohort of their admission year, so this is
  the candidates enrolled that year, and it still counts a student who has since withdrawn
  or transferred;
- registered students (在校生): students registered (缴费注册) for the academic year that
  starts in Y (a `Registration` of `academic_year` Y). For a year in which the school kept
  no annual registration at all (no `Registration` of that year exists, e.g. before
  registration opens), students whose status is now "registered" and whose cohort is Y or
  earlier are counted instead; the return says which basis it used (`by_registration`).
  That fallback is today's status, so for past years without registration it is only an
  approximation;
- graduates (毕业生): `Graduation` records whose graduation date falls in the calendar year Y.

Two queries whatever the data: whether year Y has registrations, and one grouped aggregate
of the three figures. Rows are levels in the order of `Level`, majors by code, modes in the
order of `StudyMode`, each level followed by its subtotal, then the grand total.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from cems.accounts.access import AnyUser, students_for
from cems.catalog.models import Level, StudyMode
from cems.students.models import Registration, StudentStatus

LINE, SUBTOTAL, TOTAL = "line", "subtotal", "total"


@dataclass(frozen=True)
class ReturnRow:
    kind: str  # LINE, SUBTOTAL (of a level) or TOTAL
    level: str  # the level's code; "" in the grand total
    level_label: str
    major_code: str
    major_name: str
    mode: str
    mode_label: str
    enrolled: int
    registered: int
    graduates: int

    @property
    def figures(self) -> tuple[int, int, int]:
        return (self.enrolled, self.registered, self.graduates)


@dataclass(frozen=True)
class AnnualReturn:
    year: int
    rows: list[ReturnRow]
    by_registration: bool  # registered students counted from registrations (else status)

    @property
    def total(self) -> ReturnRow:
        return self.rows[-1]


def annual_return(*, user: AnyUser, year: int) -> AnnualReturn:
    """The return of `year` over the user's students (see the module's definitions)."""
    by_registration = Registration.objects.filter(academic_year=year).exists()
    students = students_for(user)
    if by_registration:
        registered = Q(is_registered=True)
        students = students.annotate(
            is_registered=Exists(
                Registration.objects.filter(student=OuterRef("pk"), academic_year=year)
            )
        )
    else:
        registered = Q(status=StudentStatus.REGISTERED, cohort_year__lte=year)
    grouped = (
        students.values(
            "program__level", "program__major__code", "program__major__name", "program__mode"
        )
        .annotate(
            enrolled=Count("pk", filter=Q(cohort_year=year)),
            registered=Count("pk", filter=registered),
            graduates=Count("pk", filter=Q(graduation__graduated_on__year=year)),
        )
        .filter(Q(enrolled__gt=0) | Q(registered__gt=0) | Q(graduates__gt=0))
        .order_by()
    )
    level_order = {value: index for index, value in enumerate(Level.values)}
    mode_order = {value: index for index, value in enumerate(StudyMode.values)}
    levels, modes = dict(Level.choices), dict(StudyMode.choices)
    found: list[dict[str, Any]] = sorted(
        grouped,
        key=lambda r: (
            level_order.get(r["program__level"], len(level_order)),
            r["program__major__code"],
            mode_order.get(r["program__mode"], len(mode_order)),
        ),
    )
    rows: list[ReturnRow] = []
    grand = [0, 0, 0]
    index = 0
    while index < len(found):
        level = found[index]["program__level"]
        level_label = str(levels.get(level, level))
        subtotal = [0, 0, 0]
        while index < len(found) and found[index]["program__level"] == level:
            r = found[index]
            figures = (r["enrolled"], r["registered"], r["graduates"])
            rows.append(
                ReturnRow(
                    LINE, level, level_label, r["program__major__code"],
                    r["program__major__name"], r["program__mode"],
                    str(modes.get(r["program__mode"], r["program__mode"])), *figures,
                )
            )  # fmt: skip
            subtotal = [a + b for a, b in zip(subtotal, figures, strict=True)]
            index += 1
        rows.append(ReturnRow(SUBTOTAL, level, level_label, "", "", "", "", *subtotal))
        grand = [a + b for a, b in zip(grand, subtotal, strict=True)]
    rows.append(ReturnRow(TOTAL, "", "", "", "", "", "", *grand))
    return AnnualReturn(year=year, rows=rows, by_registration=by_registration)


# --- Downloads -------------------------------------------------------------------------------


def columns() -> list[str]:
    return [_("Level"), _("Major code"), _("Major"), _("Study mode"),
            _("New students"), _("Registered students"), _("Graduates")]  # fmt: skip


def _label(row: ReturnRow) -> str:
    if row.kind == SUBTOTAL:
        return _("%(level)s subtotal") % {"level": row.level_label}
    if row.kind == TOTAL:
        return _("Total")
    return row.level_label


def table(report: AnnualReturn) -> list[list[Any]]:
    """The rows as plain cells (the csv download)."""
    return [
        [_label(row), row.major_code, row.major_name, row.mode_label, *row.figures]
        for row in report.rows
    ]


def title(report: AnnualReturn, school_name: str) -> str:
    return _("%(school)s: annual statistical return %(year)s") % {
        "school": school_name,
        "year": report.year,
    }


# Column widths (characters) of the xlsx: level, code, major, mode, three figures.
WIDTHS: Sequence[float] = (34, 12, 30, 22, 14, 14, 14)
HEADER_ROWS = 3  # the title and the two header rows, frozen and repeated on each page


def workbook_bytes(report: AnnualReturn, *, school_name: str) -> bytes:
    """The return as an xlsx laid out for filing: the title merged across the columns,
    a two-row header, subtotals per level and the grand total, borders, landscape, one
    page wide, the header frozen and printed on every page."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(str(report.year))
    base = {"border": 1, "valign": "vcenter", "font_name": "SimSun", "font_size": 11}
    title_format = book.add_format(
        {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter",
         "font_name": "SimHei"}
    )  # fmt: skip
    header = book.add_format({**base, "bold": True, "align": "center", "text_wrap": True,
                              "bg_color": "#E8EEF4"})  # fmt: skip
    text = book.add_format(base)
    number = book.add_format({**base, "num_format": "#,##0"})
    sub_text = book.add_format({**base, "bold": True, "bg_color": "#F3F3F3"})
    sub_number = book.add_format({**base, "bold": True, "bg_color": "#F3F3F3",
                                  "num_format": "#,##0"})  # fmt: skip
    total_text = book.add_format({**base, "bold": True, "bg_color": "#DDDDDD", "top": 2})
    total_number = book.add_format({**base, "bold": True, "bg_color": "#DDDDDD", "top": 2,
                                    "num_format": "#,##0"})  # fmt: skip
    last = len(WIDTHS) - 1
    for col, width in enumerate(WIDTHS):
        sheet.set_column(col, col, width)
    sheet.set_row(0, 30)
    sheet.merge_range(0, 0, 0, last, title(report, school_name), title_format)
    names = columns()
    for col in range(4):  # level, code, major, mode: merged over the two header rows
        sheet.merge_range(1, col, 2, col, names[col], header)
    sheet.merge_range(1, 4, 1, last, _("Number of students"), header)
    for col in range(4, last + 1):
        sheet.write_string(2, col, names[col], header)
    for offset, row in enumerate(report.rows):
        r = HEADER_ROWS + offset
        if row.kind == LINE:
            cells, figures = text, number
            first = [row.level_label, row.major_code, row.major_name, row.mode_label]
            for col, label in enumerate(first):
                sheet.write_string(r, col, label, cells)
        else:
            cells, figures = (sub_text, sub_number) if row.kind == SUBTOTAL else (
                total_text, total_number)  # fmt: skip
            sheet.merge_range(r, 0, r, 3, _label(row), cells)
        for col, figure in enumerate(row.figures, start=4):
            sheet.write_number(r, col, figure, figures)
    sheet.freeze_panes(HEADER_ROWS, 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(1, HEADER_ROWS - 1)
    sheet.center_horizontally()
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.set_footer("&C&P / &N")
    book.close()
    return buffer.getvalue()
