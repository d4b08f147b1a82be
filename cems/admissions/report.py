"""The xlsx report of an import: the rejected rows (row, column, reason) on one sheet, the
warnings on another. Built from the stored form of a plan (AdmissionImport.report), so
the command and the web page give the same file."""

import io
from collections.abc import Iterator
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cems.admissions.issues import Issue

# Positions in a stored row (checks.RowResult.as_json).
ROW, EXAM_NUMBER, NAME, ERRORS, WARNINGS = 0, 1, 2, 7, 8


def problems(report: dict[str, Any], kind: int) -> Iterator[tuple[int | str, str, str, str, str]]:
    """(row, column, reason, exam number, name) of each rejection (kind ERRORS) or warning
    (kind WARNINGS); the file's own warnings first, without a row."""
    if kind == WARNINGS:
        for value in report.get("warnings", []):
            issue = Issue.from_json(value)
            yield "", issue.column, issue.text(), "", ""
    for row in report.get("rows", []):
        for value in row[kind]:
            issue = Issue.from_json(value)
            yield row[ROW], issue.column, issue.text(), row[EXAM_NUMBER], row[NAME]


def report_xlsx(report: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    # Text stays text: a reason quoting "=..." from the file is never a formula.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False})  # fmt: skip
    bold = workbook.add_format({"bold": True})
    headings = [_("Row"), _("Column"), _("Reason"), _("Exam candidate number"),
                pgettext("person", "Name")]  # fmt: skip
    for title, kind in ((_("Rejected rows"), ERRORS), (_("Warnings"), WARNINGS)):
        sheet = workbook.add_worksheet(title[:31])
        sheet.set_column(0, 0, 6)
        sheet.set_column(1, 1, 14)
        sheet.set_column(2, 2, 80)
        sheet.set_column(3, 4, 16)
        for column, heading in enumerate(headings):
            sheet.write_string(0, column, heading, bold)
        for number, line in enumerate(problems(report, kind), start=1):
            for column, value in enumerate(line):
                if isinstance(value, int):
                    sheet.write_number(number, column, value)
                else:
                    sheet.write_string(number, column, value)
        sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
