"""The reader: every format to the same text cells, the heading row found under a title,
the format told by the content, and unreadable files refused with their reason."""

import codecs
import datetime as dt
import io
import zipfile
from typing import Any

import pytest
import xlsxwriter

from cems.admissions.columns import header_score
from cems.admissions.issues import ImportStopped
from cems.admissions.reader import MAX_CELLS, read_sheet, sniff_format
from cems.admissions.tests.writers import (
    write_csv,
    write_dbf,
    write_ods,
    write_xls,
    write_xlsx,
)

ROWS: list[list[Any]] = [
    ["考生号", "姓名", "出生日期", "总分"],
    ["26430001", "张三", dt.date(1990, 5, 17), 256],
    ["26430002", "李四", dt.date(2001, 12, 1), 300],
]
EXPECTED = [
    ["26430001", "张三", "1990-05-17", "256"],
    ["26430002", "李四", "2001-12-01", "300"],
]
DBF_FIELDS = [("KSH", "C", 14), ("XM", "C", 20), ("CSRQ", "D", 8), ("ZF", "N", 5)]


def read(data: bytes, name: str):
    return read_sheet(data, name, header_score=header_score)


def cells(sheet) -> list[list[str]]:
    return [row for _number, row in sheet.rows]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("list.xlsx", write_xlsx(ROWS)),
        ("list.xls", write_xls(ROWS)),
        ("list.ods", write_ods(ROWS)),
    ],
)
def test_workbooks_read_dates_as_dates_and_numbers_without_fractions(name, data):
    sheet = read(data, name)
    assert sheet.file_format == name.rsplit(".", 1)[1]
    assert sheet.header == ROWS[0]
    assert cells(sheet) == EXPECTED
    assert [number for number, _cells in sheet.rows] == [2, 3]
    assert sheet.warnings == []


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gbk"), ("gb18030", "gbk"),
     ("utf-16", "utf-16")],
)  # fmt: skip
def test_csv_encodings_are_detected(encoding, expected):
    sheet = read(write_csv(ROWS, encoding=encoding), "list.csv")
    assert sheet.file_format == "csv"
    assert sheet.encoding == expected
    assert sheet.header == ROWS[0]
    assert cells(sheet) == [["26430001", "张三", "19900517", "256"],
                            ["26430002", "李四", "20011201", "300"]]  # fmt: skip


def test_csv_with_tabs_or_semicolons():
    for delimiter in "\t;":
        sheet = read(write_csv(ROWS, delimiter=delimiter), "list.txt")
        assert sheet.header == ROWS[0]
        assert len(sheet.rows) == 2


def test_csv_row_numbers_are_the_lines_where_records_start():
    text = '考生号,姓名,通讯地址\n1,张三,"长沙\n岳麓区"\n\n2,李四,湘潭\n'.encode()
    sheet = read(text, "list.csv")
    assert [(number, row[0]) for number, row in sheet.rows] == [(2, "1"), (5, "2")]
    assert sheet.rows[0][1][2] == "长沙\n岳麓区"


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_dbf_tables_read_in_gbk_or_utf8(encoding):
    data = write_dbf(DBF_FIELDS, ROWS[1:], encoding=encoding)
    sheet = read(data, "list.dbf")
    assert sheet.file_format == "dbf"
    assert sheet.header == ["KSH", "XM", "CSRQ", "ZF"]
    assert cells(sheet) == [["26430001", "张三", "19900517", "256"],
                            ["26430002", "李四", "20011201", "300"]]  # fmt: skip
    assert [number for number, _cells in sheet.rows] == [1, 2]  # record numbers


def test_dbf_deleted_records_are_skipped():
    data = bytearray(write_dbf(DBF_FIELDS, ROWS[1:]))
    header_length = 32 + 32 * len(DBF_FIELDS) + 1
    data[header_length] = ord("*")
    sheet = read(bytes(data), "list.dbf")
    assert cells(sheet) == [["26430002", "李四", "20011201", "300"]]


def test_the_heading_row_is_found_under_a_title():
    data = write_xlsx([["考生号", "姓名", "性别"], ["1", "张三", "男"]], title="2026年录取名单")
    sheet = read(data, "list.xlsx")
    assert sheet.header_row == 2
    assert sheet.header == ["考生号", "姓名", "性别"]
    assert sheet.rows == [(3, ["1", "张三", "男"])]


def test_empty_rows_and_columns_around_the_data_keep_the_sheet_numbering():
    data = write_xlsx([[], [None, "考生号", "姓名"], [], [None, "1", "张三"]])
    sheet = read(data, "list.xlsx")
    assert sheet.header_row == 2
    assert sheet.rows == [(4, ["", "1", "张三"])]


def test_the_format_is_told_by_the_content_and_a_wrong_name_is_a_warning():
    sheet = read(write_xlsx(ROWS), "list.xls")
    assert sheet.file_format == "xlsx"
    assert "xlsx" in sheet.warnings[0].text()
    assert cells(sheet) == EXPECTED


def test_numbers_that_lost_digits_keep_their_exponent():
    sheet = read(write_xlsx([["身份证号"], [430302199005171234], [4303021990]]), "list.xlsx")
    assert cells(sheet) == [["4.303021990051713e+17"], ["4303021990"]]


def test_formula_cells_give_their_cached_value_or_nothing():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["考生号", "姓名"])
    sheet.write_formula(1, 0, '="2643"&"0001"', None, "26430001")
    sheet.write_formula(1, 1, "=A1")
    workbook.close()
    sheet = read(buffer.getvalue(), "list.xlsx")
    assert cells(sheet) == [["26430001", "0"]] or cells(sheet) == [["26430001", ""]]


def test_hidden_and_empty_sheets_are_skipped_and_a_workbook_of_several_is_named():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.add_worksheet("空白")
    hidden = workbook.add_worksheet("隐藏")
    hidden.write_row(0, 0, ["考生号", "姓名"])
    hidden.write_row(1, 0, ["9", "秘密"])
    hidden.hide()
    data = workbook.add_worksheet("名单")
    data.write_row(0, 0, ["考生号", "姓名"])
    data.write_row(1, 0, ["1", "张三"])
    workbook.close()
    sheet = read(buffer.getvalue(), "list.xlsx")
    assert cells(sheet) == [["1", "张三"]]
    assert "名单" in sheet.warnings[0].text()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"\x00\x01\x02binary" * 10, "neither a spreadsheet"),
        (b"<html><body><table><tr><td>ksh</td></tr></table></body></html>", "web page"),
        (b"PK\x03\x04truncated", "damaged"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "cannot be read"),
        (
            "考生号,姓名\n".encode("big5", errors="ignore") + b"\xff\xfe\xfd",
            "neither UTF-8 nor GBK",
        ),
        ("考生号,姓名\n".encode(), "no rows of data"),
    ],
)
def test_unreadable_files_are_refused_with_their_reason(data, reason):
    with pytest.raises(ImportStopped) as stopped:
        read(data, "list.xlsx")
    assert reason in stopped.value.text()


def test_a_zip_that_is_no_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ImportStopped, match="not an xlsx or ods"):
        sniff_format(buffer.getvalue())


def test_a_truncated_workbook_is_refused():
    data = write_xlsx(ROWS)
    for size in (len(data) // 3, len(data) - 30):
        with pytest.raises(ImportStopped):
            read(data[:size], "list.xlsx")


def test_a_truncated_dbf_is_refused_naming_what_is_missing():
    data = write_dbf(DBF_FIELDS, ROWS[1:] * 5)
    with pytest.raises(ImportStopped, match="incomplete"):
        read(data[:-40], "list.dbf")


def test_a_dbf_with_a_damaged_field_table_is_refused():
    data = bytearray(write_dbf(DBF_FIELDS, ROWS[1:]))
    data[10] = 99  # the record length no longer matches the fields
    with pytest.raises(ImportStopped, match="damaged"):
        read(bytes(data), "list.dbf")


def test_a_sheet_spanning_millions_of_cells_is_refused_before_it_is_read():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_string(0, 0, "考生号")
    sheet.write_string(1_048_575, 16_383, "x")  # XFD1048576: 17 billion cells
    workbook.close()
    with pytest.raises(ImportStopped, match="rows × "):
        read(buffer.getvalue(), "list.xlsx")


def test_an_ods_repeating_a_value_over_millions_of_cells_is_refused():
    bomb = ('<table:table-row table:number-rows-repeated="100000">'
            '<table:table-cell table:number-columns-repeated="1000" office:value-type="string">'
            "<text:p>x</text:p></table:table-cell></table:table-row>")  # fmt: skip
    assert MAX_CELLS < 100_000 * 1000
    with pytest.raises(ImportStopped, match="rows × "):
        read(write_ods(ROWS, extra_xml=bomb), "list.ods")


def test_an_ods_with_libreoffice_trailing_empty_rows_is_read():
    trailing = ('<table:table-row table:number-rows-repeated="1048570">'
                '<table:table-cell table:number-columns-repeated="16384"/>'
                "</table:table-row>")  # fmt: skip
    sheet = read(write_ods(ROWS, extra_xml=trailing), "list.ods")
    assert cells(sheet) == EXPECTED


def test_utf16_without_bom_is_not_mistaken_for_text():
    data = "考生号,姓名\n1,张三\n".encode("utf-16-le")
    with pytest.raises(ImportStopped):
        read(data, "list.csv")


def test_bom_alone_is_empty():
    with pytest.raises(ImportStopped):
        read(codecs.BOM_UTF8, "list.csv")
