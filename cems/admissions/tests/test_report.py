"""The xlsx report: rejected rows and warnings, text kept as text."""

import io
from typing import Any

from python_calamine import CalamineWorkbook

from cems.admissions.issues import Issue
from cems.admissions.report import report_xlsx


def sheets(data: bytes) -> dict[str, list[list[Any]]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def test_rejections_and_warnings_on_their_own_sheets():
    report = {
        "warnings": [Issue("These columns are not known and were ignored: %(columns)s.",
                           {"columns": "备注"}).as_json()],
        "rows": [
            [5, "2643", "张三", "4303**********0511", "长沙函授站", "x", "reject",
             [Issue("This column is required.", column="性别").as_json()],
             [Issue("%(value)s is not one of the standard values; it was kept as written.",
                    {"value": "=HYPERLINK(\"x\")"}, "民族").as_json()]],
        ],
    }  # fmt: skip
    result = sheets(report_xlsx(report))
    assert list(result) == ["Rejected rows", "Warnings"]
    assert result["Rejected rows"][1] == [5.0, "性别", "This column is required.", "2643", "张三"]
    warnings = result["Warnings"]
    assert warnings[1][:3] == ["", "", "These columns are not known and were ignored: 备注."]
    assert warnings[2][2].startswith('=HYPERLINK("x") is not one')  # a text cell, not a formula


def test_an_empty_report_has_its_headings():
    result = sheets(report_xlsx({}))
    assert result["Rejected rows"] == [["Row", "Column", "Reason", "Exam candidate number", "Name"]]
