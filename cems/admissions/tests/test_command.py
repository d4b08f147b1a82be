"""import_admissions: exit status, errors on the command line, the JSON last line, the report."""

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from cems.admissions.models import AdmissionImport, Candidate
from cems.admissions.tests.factories import command, csv_file, person, xlsx_file
from cems.admissions.tests.writers import write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def good_file(tmp_path, world):
    path = tmp_path / "录取名单.xlsx"
    path.write_bytes(xlsx_file(person(1), person(2)))
    return path


@pytest.fixture
def mixed_file(tmp_path, world):
    path = tmp_path / "mixed.csv"
    path.write_bytes(csv_file(person(1), person(2, 身份证号="43030219750110051"), person(3)))
    return path


def test_a_clean_file_exits_0_with_the_counts_as_the_last_line(good_file):
    status, out, err, counts = command(good_file, "--year", "2026")
    assert status == 0
    assert counts == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert list(json.loads(out.strip().splitlines()[-1])) == ["rows", "created", "updated",
                                                              "unchanged", "rejected"]  # fmt: skip
    assert Candidate.objects.filter(admission_year=2026).count() == 2
    assert AdmissionImport.objects.get().file_name == "录取名单.xlsx"
    assert "rejected:" not in err
    # Again: nothing new.
    status, _out, _err, counts = command(good_file, "--year", "2026")
    assert (status, counts["unchanged"], counts["created"]) == (0, 2, 0)


def test_rejected_rows_exit_1_and_are_named_on_the_command_line(mixed_file):
    status, _out, err, counts = command(mixed_file, "--year", "2026")
    assert status == 1
    assert counts == {"rows": 3, "created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert "rejected: row 3, 身份证号 (26430000000002): An ID number has 18 characters" in err
    assert Candidate.objects.count() == 2


def test_all_or_nothing(mixed_file):
    status, out, _err, counts = command(mixed_file, "--all-or-nothing")
    assert status == 1
    assert counts["created"] == 0
    assert "nothing was written" in out
    assert not Candidate.objects.exists()


def test_dry_run(mixed_file):
    status, out, _err, counts = command(mixed_file, "--dry-run")
    assert status == 1
    assert counts["created"] == 2
    assert "Dry run" in out
    assert not Candidate.objects.exists()
    assert not AdmissionImport.objects.exists()


def test_the_year_defaults_to_this_year(good_file):
    from django.utils import timezone

    command(good_file)
    assert Candidate.objects.get(exam_number=person(1)["考生号"]).admission_year == (
        timezone.localdate().year
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"\x00\x01\x02" * 50, "neither a spreadsheet"),
     (write_csv([["考生号", "姓名", "备注"], ["1", "张三", "x"]]), "Required columns are missing")],
)  # fmt: skip
def test_unreadable_files_and_missing_columns_exit_2(tmp_path, world, content, reason):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    status, _out, err, counts = command(path)
    assert status == 2
    assert reason in err
    assert counts == {"rows": 0, "created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    assert not AdmissionImport.objects.exists()


def test_a_missing_file_exits_2(tmp_path, world):
    status, _out, err, _counts = command(tmp_path / "nowhere.xlsx")
    assert status == 2
    assert "nowhere.xlsx" in err


def test_the_report_lists_rejected_rows_and_warnings(tmp_path, world):
    path = tmp_path / "list.csv"
    people = [person(1, 民族="火星族"), person(2, 联系电话="12"), person(3)]
    path.write_bytes(write_csv([[*row, "备注"] for row in _rows(people)]))
    report = tmp_path / "out.xlsx"
    status, _out, err, _counts = command(path, "--report", str(report))
    assert status == 1
    assert "warning: file: These columns are not known and were ignored: 备注." in err
    workbook = CalamineWorkbook.from_path(str(report))
    assert workbook.sheet_names == ["Rejected rows", "Warnings"]
    rejected = workbook.get_sheet_by_name("Rejected rows").to_python()
    assert rejected[0] == ["Row", "Column", "Reason", "Exam candidate number", "Name"]
    assert rejected[1][:3] == [3.0, "联系电话", "12 is not a plausible phone number."]
    warnings = workbook.get_sheet_by_name("Warnings").to_python()
    assert warnings[1][2] == "These columns are not known and were ignored: 备注."
    assert warnings[2][:2] == [2.0, "民族"]


def test_the_report_of_an_unreadable_file_says_why(tmp_path, world):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"")
    report = tmp_path / "out.xlsx"
    status, *_ = command(path, "--report", str(report))
    assert status == 2
    warnings = CalamineWorkbook.from_path(str(report)).get_sheet_by_name("Warnings").to_python()
    assert warnings[1][2] == "The file is empty."


def test_a_progress_bar_is_drawn_on_a_terminal_only(good_file):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    call_command("import_admissions", str(good_file), stdout=io.StringIO(), stderr=terminal)
    assert "admissions" in terminal.getvalue()
    assert "100.0%" in terminal.getvalue()
    plain = io.StringIO()
    call_command("import_admissions", str(good_file), stdout=io.StringIO(), stderr=plain)
    assert "%" not in plain.getvalue()


def _rows(people) -> list[list[Any]]:
    from cems.admissions.tests.factories import table

    return table(*people)
