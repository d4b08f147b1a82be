"""Bad input, generated (Hypothesis): random bytes, truncated files, wrong encodings, formula
and merged cells, empty sheets, garbage in any column. Whatever the file, the importer does
not crash and never leaves half an import behind: the file is refused whole (ImportStopped,
exit status 2), or every row is accounted for, the valid ones written in full and each
rejected one with its reasons."""

import datetime as dt
import io
from typing import Any

import pytest
import xlsxwriter
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cems.admissions.checks import Action
from cems.admissions.issues import ImportStopped
from cems.admissions.models import AdmissionImport, Candidate
from cems.admissions.services import read_admission_file
from cems.admissions.tests.factories import HEADINGS, person, run, table
from cems.admissions.tests.writers import write_csv, write_dbf, write_ods, write_xls, write_xlsx

pytestmark = pytest.mark.django_db

# Modest example counts keep the suite fast; the database is rolled back after each example.
FAST = settings(max_examples=30, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])  # fmt: skip
NAMES = st.sampled_from(["a.xlsx", "a.xls", "a.ods", "a.csv", "a.dbf", "a.txt"])
MAGIC = st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
                         b"\x03\x7e\x07\x14", b"\xef\xbb\xbf", b"\xff\xfe", b"<html>"])  # fmt: skip


def write_file(fmt: str, rows: list[list[Any]]) -> bytes:
    if fmt == "xlsx":
        return write_xlsx(rows)
    if fmt == "xls":
        return write_xls(rows)
    if fmt == "ods":
        return write_ods(rows)
    if fmt == "dbf":
        fields = [(f"F{i}", "C", 60) for i in range(len(rows[0]))]
        return write_dbf(fields, [[str(v)[:20] for v in row] for row in rows], encoding="utf-8")
    return write_csv(rows)


def valid_rows(count: int = 4) -> list[list[Any]]:
    return table(*(person(n) for n in range(1, count + 1)))


def check_outcome(data: bytes, name: str, **options) -> None:
    """The properties: refused whole, or every row accounted for and written in full."""
    with transaction.atomic():
        before = Candidate.objects.count()
        imports = AdmissionImport.objects.count()
        try:
            outcome = run(data, name, **options)
        except ImportStopped as stopped:
            reason = stopped.text()
            assert reason
            assert Candidate.objects.count() == before
            assert AdmissionImport.objects.count() == imports
        else:
            counts = outcome.counts()
            planned = outcome.plan.counts()
            assert counts["rows"] == len(outcome.plan.rows) > 0
            assert sum(planned[k] for k in ("created", "updated", "unchanged", "rejected")) == (
                counts["rows"])  # fmt: skip
            written = planned["created"] if outcome.written else 0
            assert counts["created"] == written
            assert Candidate.objects.count() == before + written
            for row in outcome.plan.rows:
                if row.action == Action.REJECT:
                    assert row.errors, row
                    assert all(issue.text() for issue in row.errors)
                elif outcome.written and row.action == Action.CREATE:
                    Candidate.objects.get(exam_number=row.values["exam_number"]).full_clean()
            record = outcome.record
            assert record is not None
            assert (record.created, record.rejected) == (written, counts["rejected"])
        transaction.set_rollback(True)


@FAST
@given(data=st.binary(max_size=3000), magic=MAGIC, name=NAMES)
def test_random_bytes(world, data, magic, name):
    check_outcome(magic + data, name)


@FAST
@given(fmt=st.sampled_from(["xlsx", "xls", "ods", "csv", "dbf"]), cut=st.floats(0, 1))
def test_truncated_files(world, fmt, cut):
    data = write_file(fmt, valid_rows())
    check_outcome(data[: int(len(data) * cut)], f"a.{fmt}")


@FAST
@given(fmt=st.sampled_from(["xlsx", "xls", "ods", "csv", "dbf"]), position=st.integers(0, 10**6),
       value=st.integers(0, 255))  # fmt: skip
def test_a_corrupted_byte(world, fmt, position, value):
    data = bytearray(write_file(fmt, valid_rows(2)))
    data[position % len(data)] = value
    check_outcome(bytes(data), f"a.{fmt}")


@FAST
@given(encoding=st.sampled_from(["big5", "shift_jis", "euc_kr", "utf-16-le", "utf-16-be",
                                 "utf-32", "cp1252", "koi8_r", "utf-7"]))  # fmt: skip
def test_wrong_encodings(world, encoding):
    text = write_csv(valid_rows()).decode("utf-8")
    check_outcome(text.encode(encoding, errors="replace"), "a.csv")


@FAST
@given(all_or_nothing=st.booleans(), data=st.data())
def test_garbage_in_any_column(world, all_or_nothing, data):
    rows = valid_rows(5)
    for _ in range(data.draw(st.integers(1, 6))):
        r = data.draw(st.integers(1, len(rows) - 1))
        c = data.draw(st.integers(0, len(HEADINGS) - 1))
        rows[r][c] = data.draw(st.one_of(
            st.text(max_size=30), st.integers(-10**20, 10**20).map(str),
            st.floats(allow_nan=True).map(str), st.sampled_from(["", " ", "=1+1", "\x00", "NULL"]),
        ))  # fmt: skip
    fmt = data.draw(st.sampled_from(["csv", "xlsx"]))
    check_outcome(write_file(fmt, rows), f"a.{fmt}", all_or_nothing=all_or_nothing)


@FAST
@given(data=st.data())
def test_formula_and_merged_cells(world, data):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for r, row in enumerate(valid_rows(4)):
        for c, value in enumerate(row):
            sheet.write_string(r, c, str(value))
    for _ in range(data.draw(st.integers(1, 4))):
        r, c = data.draw(st.integers(1, 4)), data.draw(st.integers(0, len(HEADINGS) - 1))
        formula = data.draw(st.sampled_from(["=1+1", '=A2&"x"', "=SUM(L2:L5)", "=NOW()",
                                             '=HYPERLINK("http://x","y")', "=1/0"]))  # fmt: skip
        cached = data.draw(st.one_of(st.integers(0, 999), st.text(max_size=10)))
        sheet.write_formula(r, c, formula, None, cached)
    if data.draw(st.booleans()):
        r, c = data.draw(st.integers(1, 3)), data.draw(st.integers(0, len(HEADINGS) - 3))
        sheet.merge_range(r, c, r + 1, c + 2, data.draw(st.text(max_size=10)))
    workbook.close()
    check_outcome(buffer.getvalue(), "a.xlsx")


@FAST
@given(fmt=st.sampled_from(["xlsx", "xls", "ods", "csv"]),
       rows=st.lists(st.lists(st.sampled_from(["", " "]), max_size=4), max_size=4))  # fmt: skip
def test_empty_sheets(world, fmt, rows):
    data = (
        write_file(fmt, rows or [[]]) if fmt != "csv" else b"\n".join(b"," * len(r) for r in rows)
    )
    with pytest.raises(ImportStopped):
        read_admission_file(data, f"a.{fmt}")


@FAST
@given(headings=st.permutations(HEADINGS), drop=st.sets(st.sampled_from(HEADINGS), max_size=3))
def test_columns_in_any_order_or_missing(world, headings, drop):
    kept = [h for h in headings if h not in drop]
    data = write_csv(table(person(1), person(2), headings=kept))
    check_outcome(data, "a.csv")


def test_dates_as_excel_values_in_any_format(world):
    rows = valid_rows(2)
    rows[1][4] = dt.date.fromisoformat(rows[1][4])
    for fmt in ("xlsx", "xls", "ods"):
        check_outcome(write_file(fmt, rows), f"a.{fmt}")
