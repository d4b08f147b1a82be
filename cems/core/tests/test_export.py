"""Downloads of tables as csv and xlsx: cems.core.export."""

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, cast

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from python_calamine import CalamineWorkbook

from cems.core.export import choice_labels, tabular_response
from cems.students.models import Student, StudentStatus

COLUMNS = ["学号", "姓名", "Amount", "Date"]
ROWS = [
    ["102025001001", "张伟", Decimal("3000.50"), dt.date(2025, 9, 1)],
    ["102025001002", "李娜", 12, None],
]
FORMULAS = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def csv_body(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(cast(Iterator[bytes], response.streaming_content))


def csv_rows(response) -> list[list[str]]:
    text = csv_body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def xlsx_rows(response) -> list[list[Any]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert len(workbook.sheet_names) == 1
    return workbook.get_sheet_by_index(0).to_python()


def today_stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


# --- csv -------------------------------------------------------------------------------------


def test_csv_starts_with_a_bom_and_is_utf8():
    response = tabular_response(filename="students", columns=COLUMNS, rows=ROWS, fmt="csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = csv_body(response)
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.count(b"\xef\xbb\xbf") == 1
    assert "张伟".encode() in body


def test_csv_rows():
    response = tabular_response(filename="students", columns=COLUMNS, rows=ROWS, fmt="csv")
    assert csv_rows(response) == [
        COLUMNS,
        ["102025001001", "张伟", "3000.5", "2025-09-01"],
        ["102025001002", "李娜", "12", ""],
    ]


def test_csv_reads_rows_lazily_from_a_generator():
    consumed = []

    def rows() -> Iterator[list[int]]:
        for i in range(3):
            consumed.append(i)
            yield [i]

    response = tabular_response(filename="n", columns=["n"], rows=rows(), fmt="csv")
    assert consumed == []  # streamed: nothing is read before the body is sent
    assert csv_rows(response) == [["n"], ["0"], ["1"], ["2"]]


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_cells_that_look_like_formulas_are_prefixed(value):
    response = tabular_response(filename="x", columns=["name"], rows=[[value]], fmt="csv")
    assert csv_rows(response)[1] == ["'" + value]


def test_csv_harmless_text_and_numbers_are_not_prefixed():
    rows = [["a=b", "张=伟", -5, Decimal("-1.5"), "1-2"]]
    response = tabular_response(filename="x", columns=list("abcde"), rows=rows, fmt="csv")
    assert csv_rows(response)[1] == ["a=b", "张=伟", "-5", "-1.5", "1-2"]


def test_csv_values_of_other_types():
    moment = dt.datetime(2025, 9, 1, 2, 30, tzinfo=dt.UTC)  # 10:30 in Asia/Shanghai
    rows = [[True, False, moment, dt.datetime(2025, 9, 1, 8, 5, 59), 1.25]]
    response = tabular_response(filename="x", columns=list("abcde"), rows=rows, fmt="csv")
    assert csv_rows(response)[1] == ["✓", "", "2025-09-01 10:30", "2025-09-01 08:05", "1.25"]


def test_csv_quotes_commas_quotes_and_newlines():
    rows = [["a,b", 'say "hi"', "two\nlines"]]
    response = tabular_response(filename="x", columns=list("abc"), rows=rows, fmt="csv")
    assert csv_rows(response)[1] == ["a,b", 'say "hi"', "two\nlines"]


def test_csv_headers():
    response = tabular_response(filename="students", columns=COLUMNS, rows=[], fmt="csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="students-{today_stamp()}.csv"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert csv_rows(response) == [COLUMNS]


# --- xlsx ------------------------------------------------------------------------------------


def test_xlsx_rows():
    response = tabular_response(filename="students", columns=COLUMNS, rows=ROWS, fmt="xlsx")
    assert xlsx_rows(response) == [
        COLUMNS,
        ["102025001001", "张伟", 3000.5, "2025-09-01"],
        ["102025001002", "李娜", 12, ""],
    ]


def test_xlsx_keeps_numbers_as_numbers_and_codes_as_text():
    rows = [["0731", 7, Decimal("0.1")]]
    response = tabular_response(filename="x", columns=list("abc"), rows=rows, fmt="xlsx")
    code, number, decimal = xlsx_rows(response)[1]
    assert code == "0731"  # a leading zero survives: written as text
    assert isinstance(number, int | float)
    assert number == 7
    assert decimal == pytest.approx(0.1)


def test_xlsx_values_of_other_types():
    moment = dt.datetime(2025, 9, 1, 2, 30, tzinfo=dt.UTC)
    rows = [[True, False, moment, dt.datetime(2025, 9, 1, 8, 5), None]]
    response = tabular_response(filename="x", columns=list("abcde"), rows=rows, fmt="xlsx")
    assert xlsx_rows(response)[1] == ["✓", "", "2025-09-01 10:30", "2025-09-01 08:05", ""]


def test_xlsx_cells_that_look_like_formulas_stay_text():
    rows = [[value] for value in FORMULAS]
    response = tabular_response(filename="x", columns=["name"], rows=rows, fmt="xlsx")
    assert [row[0] for row in xlsx_rows(response)[1:]] == ["'" + value for value in FORMULAS]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert not re.search(r"<f[ >]", sheet)  # no formula element anywhere


def test_xlsx_headers():
    response = tabular_response(filename="stations", columns=COLUMNS, rows=ROWS, fmt="xlsx")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="stations-{today_stamp()}.xlsx"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"PK")  # a zip archive


def test_xlsx_with_no_rows_has_the_header_row():
    response = tabular_response(filename="x", columns=COLUMNS, rows=iter([]), fmt="xlsx")
    assert xlsx_rows(response) == [COLUMNS]


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="pdf"):
        tabular_response(filename="x", columns=COLUMNS, rows=ROWS, fmt="pdf")


# --- choice labels ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_choice_labels_give_what_get_display_gives(language):
    with translation.override(language):
        status = choice_labels(Student, "status")
        for value in StudentStatus.values:
            assert status(value) == Student(status=value).get_status_display()
        assert status("no-such-status") == "no-such-status"
    # Translated when made, in the language of the download, not of later use.
    with translation.override("en"):
        english = choice_labels(Student, "status")
    with translation.override("zh-hans"):
        assert english(StudentStatus.REGISTERED) == "Registered"
        assert choice_labels(Student, "status")(StudentStatus.REGISTERED) != "Registered"
