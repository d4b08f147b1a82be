"""Reading payment files: headings, encodings, amounts, dates, ID numbers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from cems.admissions.issues import ImportStopped
from cems.finance import payments
from cems.finance.tests.conftest import HEADINGS, payment_csv, payment_xlsx

ID = "430302199503010017"  # a valid ID number


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def read(data: bytes, name: str = "bank.csv") -> payments.PaymentFile:
    return payments.read_payment_file(data, name)


class TestHeadings:
    def test_chinese_headings_in_any_order_with_units(self):
        data = payment_csv(
            [["2026-09-05", "3,300.00", "T1", "102025001001"]],
            headings=["交易时间", "交易金额（元）", "流水号", "学号"],
        )
        line = read(data).lines[0]
        assert (line.reference, line.student_number, line.amount, line.paid_on) == (
            "T1", "102025001001", Decimal("3300.00"), dt.date(2026, 9, 5),
        )  # fmt: skip

    def test_a_title_row_above_the_headings(self):
        data = payment_csv([HEADINGS, ["T1", "1", "", "", "5", "2026-09-05"]],
                           headings=["XX银行代收学费明细"])  # fmt: skip
        file = read(data)
        assert file.columns["reference"] == "交易流水号"
        assert file.lines[0].row_number == 3

    def test_only_the_id_number_column(self):
        data = payment_csv([["T1", ID, "5", "20260905"]], headings=["交易流水号", "身份证号码",
                                                                    "金额", "日期"])  # fmt: skip
        assert read(data).lines[0].id_number == ID

    @pytest.mark.parametrize(
        ("headings", "missing"),
        [
            (["学号", "金额", "交易日期"], "交易流水号"),
            (["交易流水号", "学号", "交易日期"], "金额"),
            (["交易流水号", "学号", "金额"], "交易日期"),
            (["交易流水号", "学号", "姓名"], "金额、交易日期"),
        ],
    )
    def test_a_missing_required_column_stops(self, headings, missing):
        data = payment_csv([["x"] * len(headings)], headings=headings)
        with pytest.raises(ImportStopped, match=f"has no column {missing}"):
            read(data)

    def test_neither_student_number_nor_id_number(self):
        data = payment_csv([["T1", "张伟", "5", "2026-09-05"]],
                           headings=["交易流水号", "姓名", "金额", "交易日期"])  # fmt: skip
        with pytest.raises(ImportStopped, match="neither a column 学号 nor a column 身份证号"):
            read(data)


class TestEncodings:
    ROWS = [["T1", "102025001001", ID, "张伟", "3300", "2026/9/5"]]

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
    def test_csv_in_utf8_or_gbk(self, encoding):
        file = read(payment_csv(self.ROWS, encoding=encoding))
        assert file.lines[0].name == "张伟"
        assert file.encoding in ("utf-8", "utf-8-sig", "gbk")

    def test_xlsx_with_numbers_and_dates_as_cells(self):
        file = read(
            payment_xlsx([["T1", "102025001001", ID, "张伟", 3300, dt.date(2026, 9, 5)]]),
            "bank.xlsx",
        )
        line = file.lines[0]
        assert file.file_format == "xlsx"
        assert (line.amount, line.paid_on, line.problems) == (
            Decimal("3300.00"), dt.date(2026, 9, 5), [],
        )  # fmt: skip

    def test_neither_utf8_nor_gbk(self):
        data = "交易流水号,学号,金额,交易日期\n".encode() + b"T1,\x81\x20\xff\xfe,5,2026-09-05\n"
        with pytest.raises(ImportStopped, match="neither UTF-8 nor GBK"):
            read(data)

    @pytest.mark.parametrize(
        ("data", "reason"),
        [(b"", "empty"), (b"\x00\x01\x02" * 30, "neither a spreadsheet"),
         (b"PK\x03\x04garbage", "damaged")],
    )  # fmt: skip
    def test_unreadable_files(self, data, reason):
        with pytest.raises(ImportStopped, match=reason):
            read(data)


class TestValues:
    @pytest.mark.parametrize(
        ("text", "amount"),
        [("3300", "3300.00"), ("3,300.5", "3300.50"), ("¥3300.00", "3300.00"),
         ("3300元", "3300.00"), (" 0.01 ", "0.01")],
    )  # fmt: skip
    def test_amounts(self, text, amount):
        assert payments.parse_amount(text) == Decimal(amount)

    @pytest.mark.parametrize(
        ("text", "reason"),
        [("", "missing"), ("abc", "not a number"), ("0", "not positive"), ("-5", "not positive"),
         ("3300.005", "more than two decimals"), ("1e12", "too large"), ("NaN", "not positive")],
    )  # fmt: skip
    def test_bad_amounts(self, text, reason):
        with pytest.raises(ValueError, match=reason):
            payments.parse_amount(text)

    @pytest.mark.parametrize(
        "text",
        ["2026-09-05", "2026/9/5", "2026.09.05", "2026年9月5日", "20260905", "20260905143000",
         "2026-09-05 14:30:00", "2026-09-05T14:30:00", "46270"],
    )  # fmt: skip
    def test_dates(self, text):
        assert payments.parse_date(text, today=dt.date(2026, 11, 28)) == dt.date(2026, 9, 5)

    @pytest.mark.parametrize("text", ["", "2026-02-30", "05/09/2026", "1999-01-01", "2026-12-25"])
    def test_bad_dates(self, text):
        with pytest.raises(ValueError, match=r"missing|not a date of payment"):
            payments.parse_date(text, today=dt.date(2026, 11, 28))

    def test_a_row_collects_its_problems(self):
        line = payments.parse_line(
            7, reference="", student_number="", id_number="43030219950301001X", name="张 伟",
            amount="x", paid_on="soon",
        )  # fmt: skip
        assert line.name == "张伟"
        text = " ".join(line.problems)
        for reason in ("transaction number is missing", "check character is wrong",
                       "not a number", "not a date of payment"):  # fmt: skip
            assert reason in text

    def test_a_reference_longer_than_64_characters(self):
        line = payments.parse_line(2, reference="T" * 65, student_number="1", id_number="",
                                   name="", amount="5", paid_on="2026-09-05")  # fmt: skip
        assert line.problems == ["The transaction number is longer than 64 characters."]
