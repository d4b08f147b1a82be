"""The degree records: theses, disciplinary records, and the import of foreign-language
results (the service and the import_language_results command)."""

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from cems.admissions.issues import ImportStopped
from cems.admissions.tests.writers import write_csv, write_xlsx
from cems.catalog.models import Level, Program
from cems.conftest import add_student, make_id_number
from cems.graduation import degree_records as records
from cems.graduation.models import DisciplinaryRecord, LanguageResult, Thesis
from cems.students.models import StudentNumberChange

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "language_results"
TODAY = dt.date(2027, 9, 1)
HEADINGS = ["学号", "姓名", "考试类别", "考试日期", "成绩", "证书编号"]


# --- Theses ----------------------------------------------------------------------------------


def record_thesis(users, student, role: str = "academic", **changes: Any) -> Thesis:
    values: dict[str, Any] = {"title": "基于图的调度", "score": Decimal("82.5"), "defended": True,
              "defended_on": dt.date(2027, 5, 20), "today": TODAY}  # fmt: skip
    values.update(changes)
    return records.thesis_record(actor=users[role], student=student, **values)


def test_a_thesis_is_recorded_then_corrected(world, users):
    thesis = record_thesis(users, world.a1, score=None, defended=False, defended_on=None)
    assert (thesis.title, thesis.score, thesis.defended) == ("基于图的调度", None, False)
    record_thesis(users, world.a1, title="  基于图的调度算法 ")
    thesis = Thesis.objects.get(student=world.a1)
    assert (thesis.title, thesis.score, thesis.defended) == (
        "基于图的调度算法",
        Decimal("82.5"),
        True,
    )
    assert Thesis.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"score": Decimal("100.5")}, "score"),
        ({"score": Decimal(-1)}, "score"),
        ({"score": Decimal("80.25")}, "score"),
        ({"title": "   "}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"defended": False}, "defended_on"),  # a date without a defence
        ({"defended_on": TODAY + dt.timedelta(days=1)}, "defended_on"),
    ],
)
def test_a_bad_thesis_is_refused(world, users, changes, field):
    with pytest.raises(ValidationError) as caught:
        record_thesis(users, world.a1, **changes)
    assert field in caught.value.message_dict
    assert not Thesis.objects.exists()


def test_a_thesis_only_for_a_bachelor_student(world, users):
    program = Program.objects.create(
        major=world.major, level=Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE, mode="spare_time",
        standard_length_years=Decimal("2.5"), credits_to_graduate=70, tuition_per_year=2000,
    )  # fmt: skip
    student = add_student(world, 5, program=program)
    with pytest.raises(ValidationError):
        record_thesis(users, student)


@pytest.mark.parametrize("role", ["station", "finance", "auditor", "teacher", "student"])
def test_only_academic_affairs_record_theses(world, users, role):
    with pytest.raises(PermissionDenied):
        record_thesis(users, world.a1, role=role)
    assert not Thesis.objects.exists()


# --- Disciplinary records --------------------------------------------------------------------


def test_a_record_is_added_then_revoked(world, users):
    record = records.disciplinary_add(
        actor=users["academic"], student=world.a1, issued_on=dt.date(2026, 3, 1),
        description=" 考试作弊，记过 ", today=TODAY,
    )  # fmt: skip
    assert record.description == "考试作弊，记过"
    assert record.recorded_by == users["academic"]
    records.disciplinary_revoke(
        actor=users["academic"], record=record, revoked_on=dt.date(2027, 3, 1), today=TODAY
    )
    record.refresh_from_db()
    assert record.revoked_on == dt.date(2027, 3, 1)
    with pytest.raises(ValidationError) as caught:  # revoked once only
        records.disciplinary_revoke(
            actor=users["academic"], record=record, revoked_on=dt.date(2027, 4, 1), today=TODAY
        )
    assert caught.value.code == "revoked"


@pytest.mark.parametrize(
    ("issued_on", "description", "field"),
    [
        (TODAY + dt.timedelta(days=1), "警告", "issued_on"),
        (dt.date(2026, 1, 1), "  ", "description"),
        (dt.date(2026, 1, 1), "长" * 201, "description"),
    ],
)
def test_a_bad_record_is_refused(world, users, issued_on, description, field):
    with pytest.raises(ValidationError) as caught:
        records.disciplinary_add(
            actor=users["academic"], student=world.a1, issued_on=issued_on,
            description=description, today=TODAY,
        )  # fmt: skip
    assert field in caught.value.message_dict
    assert not DisciplinaryRecord.objects.exists()


@pytest.mark.parametrize("revoked_on", [dt.date(2026, 2, 28), TODAY + dt.timedelta(days=1)])
def test_a_bad_revocation_date_is_refused(world, users, revoked_on):
    record = DisciplinaryRecord.objects.create(
        student=world.a1, issued_on=dt.date(2026, 3, 1), description="警告"
    )
    with pytest.raises(ValidationError) as caught:
        records.disciplinary_revoke(
            actor=users["academic"], record=record, revoked_on=revoked_on, today=TODAY
        )
    assert "revoked_on" in caught.value.message_dict
    record.refresh_from_db()
    assert record.revoked_on is None


@pytest.mark.parametrize("role", ["station", "finance", "auditor", "student"])
def test_only_academic_affairs_keep_disciplinary_records(world, users, role):
    with pytest.raises(PermissionDenied):
        records.disciplinary_add(
            actor=users[role], student=world.a1, issued_on=dt.date(2026, 1, 1), description="x"
        )
    record = DisciplinaryRecord.objects.create(
        student=world.a1, issued_on=dt.date(2026, 3, 1), description="警告"
    )
    with pytest.raises(PermissionDenied):
        records.disciplinary_revoke(actor=users[role], record=record, revoked_on=TODAY)


# --- Foreign-language results: the service ---------------------------------------------------


def run_import(users, data: bytes, name: str = "results.xlsx", **kwargs):
    kwargs.setdefault("today", TODAY)
    return records.language_results_import(
        data=data, file_name=name, actor=users["academic"], **kwargs
    )


def xlsx(*rows, headings=HEADINGS) -> bytes:
    return write_xlsx([headings, *rows])


def row(
    student,
    exam: str = "成人学位英语",
    date: Any = dt.date(2026, 5, 16),
    score: Any = 72,
    number: str = "",
) -> list[Any]:
    return [student.student_number, student.name, exam, date, score, number]


def test_the_samples_import_and_import_again_unchanged(world, users):
    data = (SAMPLES / "language-results.xlsx").read_bytes()
    outcome = run_import(users, data, "language-results.xlsx")
    assert outcome.written
    assert outcome.file_format == "xlsx"
    assert outcome.counts() == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0,
                                "rejected": 0}  # fmt: skip
    wang = LanguageResult.objects.get(student=world.b1)  # found by ID number alone
    assert (wang.exam, wang.exam_date, wang.score, wang.certificate_number) == (
        "adult_english",
        dt.date(2025, 5, 17),
        Decimal("64.5"),
        "XW2025440017",
    )
    again = run_import(users, data, "language-results.xlsx")
    assert again.counts()["unchanged"] == 3
    assert again.counts()["created"] == 0
    assert LanguageResult.objects.count() == 3
    gbk = run_import(users, (SAMPLES / "cet4-results-gbk.csv").read_bytes(), "cet4.csv")
    assert gbk.encoding == "gbk"
    assert gbk.counts()["created"] == 2
    li = LanguageResult.objects.get(student=world.a2, exam="cet4")
    assert (li.exam_date, li.score) == (dt.date(2024, 6, 15), Decimal(431))


def test_a_corrected_score_updates_the_sitting(world, users):
    run_import(users, xlsx(row(world.a1, score=58)))
    outcome = run_import(users, xlsx(row(world.a1, score=61, number="XW1")))
    assert outcome.counts()["updated"] == 1
    result = LanguageResult.objects.get()
    assert (result.score, result.certificate_number) == (Decimal(61), "XW1")


def test_exam_names_and_date_forms(world, users):
    rows = [
        row(world.a1, exam="CET-4", date="2024/6/15", score=430),
        row(world.a1, exam="大学英语四级", date="2024年12月14日", score=440),
        row(world.a1, exam="学位英语", date="20250517", score="65.5"),
        row(world.a2, exam="ＣＥＴ４", date="2023.6.17", score=425),
    ]
    outcome = run_import(users, xlsx(*rows))
    assert outcome.counts()["created"] == 4, outcome.problems()
    assert sorted(LanguageResult.objects.values_list("exam", "exam_date")) == [
        ("adult_english", dt.date(2025, 5, 17)),
        ("cet4", dt.date(2023, 6, 17)),
        ("cet4", dt.date(2024, 6, 15)),
        ("cet4", dt.date(2024, 12, 14)),
    ]


def test_students_are_found_by_a_former_number_or_a_15_digit_id(world, users):
    StudentNumberChange.objects.create(
        student=world.a1, old_number="102024009001", new_number=world.a1.student_number
    )
    old_row = ["102024009001", "张伟", "CET-4", "2024-06-15", 500, ""]
    eighteen = world.a2.id_number
    fifteen = eighteen[:6] + eighteen[8:17]
    id_rows = [[fifteen, "李娜", "CET-4", "2024-06-15", 450, ""]]
    assert run_import(users, xlsx(old_row)).counts()["created"] == 1
    outcome = run_import(users, xlsx(*id_rows, headings=["身份证号", *HEADINGS[1:]]))
    assert outcome.counts()["created"] == 1, outcome.problems()
    assert set(LanguageResult.objects.values_list("student", flat=True)) == {
        world.a1.pk,
        world.a2.pk,
    }


def test_an_id_number_of_two_students_picks_the_bachelor_one(world, users):
    program = Program.objects.create(
        major=world.major, level=Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE, mode="spare_time",
        standard_length_years=Decimal("2.5"), credits_to_graduate=70, tuition_per_year=2000,
    )  # fmt: skip
    add_student(world, 8, program=program, id_number=world.a1.id_number, name="张伟")
    headings = ["身份证号", *HEADINGS[1:]]
    outcome = run_import(users, xlsx([world.a1.id_number, "张伟", "CET-4", "2024-06-15", 500, ""],
                                     headings=headings))  # fmt: skip
    assert outcome.written
    assert LanguageResult.objects.get().student == world.a1
    add_student(world, 9, id_number=world.a1.id_number, name="张伟")  # a second bachelor one
    outcome = run_import(users, xlsx([world.a1.id_number, "张伟", "CET-4", "2024-12-14", 500, ""],
                                     headings=headings))  # fmt: skip
    with translation.override("en"):
        assert outcome.problems() == [
            (2, "身份证号", "Several students have this ID number: give the 学号.")
        ]


def problems(outcome: records.LanguageImport) -> list[tuple[int, str, str]]:
    with translation.override("en"):
        return outcome.problems()


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({0: "102099999999"}, "学号", "No student has the number 102099999999."),
        ({1: "李四"}, "姓名", "The name 李四 is not that of student 102025001001."),
        ({2: "托福"}, "考试类别", "托福 is not an exam of the degree"),
        ({2: ""}, "考试类别", "The cell is empty."),
        ({3: "2026/06"}, "考试日期", "2026/06 is not a date (e.g. 2024-06-15)."),
        ({3: "2026-13-01"}, "考试日期", "2026-13-01 is not a real date."),
        ({3: "2026-02-30"}, "考试日期", "2026-02-30 is not a real date."),
        ({3: "2027-09-02"}, "考试日期", "2027-09-02 is not a plausible exam date."),
        ({3: "1979-12-31"}, "考试日期", "1979-12-31 is not a plausible exam date."),
        ({4: "良好"}, "成绩", "良好 is not a score."),
        ({4: "101"}, "成绩", "101 is not a score from 0 to 100."),
        ({2: "CET-4", 4: "711"}, "成绩", "711 is not a score from 0 to 710."),
        ({4: "-1"}, "成绩", "-1 is not a score from 0 to 100."),
        ({4: "60.25"}, "成绩", "60.25 has more than one decimal."),
        ({4: "NaN"}, "成绩", "NaN is not a score from 0 to 100."),
        ({4: ""}, "成绩", "The cell is empty."),
        ({5: "X" * 41}, "证书编号", "The certificate number is longer than 40 characters."),
        ({0: "", 1: ""}, "学号", "Neither 学号 nor 身份证号 is given."),
    ],
)
def test_each_bad_cell_is_named_by_row_and_column_and_nothing_is_written(
    world, users, cells, column, message
):
    good = row(world.a2)
    bad = [world.a1.student_number, "张伟", "成人学位英语", "2026-05-16", "72", ""]
    for index, value in cells.items():
        bad[index] = value
    outcome = run_import(users, write_csv([HEADINGS, good, bad]), "results.csv")
    assert not outcome.written
    found = problems(outcome)
    assert len(found) == 1, found
    assert found[0][:2] == (3, column)
    assert found[0][2].startswith(message)
    assert outcome.counts() == {"rows": 2, "created": 0, "updated": 0, "unchanged": 0,
                                "rejected": 1}  # fmt: skip
    assert not LanguageResult.objects.exists()


def test_an_id_number_not_of_the_student_is_refused(world, users):
    headings = ["学号", "身份证号", *HEADINGS[1:]]
    data = xlsx([world.a1.student_number, world.a2.id_number, "张伟", "CET-4", "2024-06-15",
                 500, ""], headings=headings)  # fmt: skip
    assert problems(run_import(users, data)) == [
        (2, "身份证号", "The ID number is not that of student 102025001001.")
    ]
    unknown = make_id_number(dt.date(1980, 1, 1), "M", 77)
    data = xlsx(["", unknown, "张伟", "CET-4", "2024-06-15", 500, ""], headings=headings)
    assert problems(run_import(users, data)) == [(2, "身份证号", "No student has this ID number.")]


def test_the_same_sitting_twice_in_a_file_is_refused(world, users):
    outcome = run_import(users, xlsx(row(world.a1), row(world.a1, score=80)))
    assert problems(outcome) == [(3, "", "The same sitting is on row 2.")]
    assert not LanguageResult.objects.exists()


def test_a_dry_run_writes_nothing(world, users):
    outcome = run_import(users, xlsx(row(world.a1)), dry_run=True)
    assert not outcome.written
    assert outcome.counts()["created"] == 1
    assert not LanguageResult.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        ("学号,姓名,成绩\n102025001001,张伟,72\n".encode(), "x.csv", "The file lacks the columns"),
        ("姓名,考试类别,考试日期,成绩\n张伟,CET-4,2024-06-15,500\n".encode(), "x.csv",
         "The file lacks the columns 学号 / 身份证号"),
        (b"\x00\x01binary\x00\x00", "x.xlsx", "The file is neither"),
        (b"PK\x03\x04broken", "x.xlsx", "The file is damaged"),
        ("学号,考试类别,考试日期,成绩\n".encode(), "x.csv", "The file has a heading row but no"),
        (b"\x81\x30\x81\x30\xff\xff\xfe", "x.csv", "The text is neither UTF-8 nor GBK"),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_imported_stops_with_the_reason(world, users, data, name, message):
    with translation.override("en"), pytest.raises(ImportStopped) as caught:
        run_import(users, data, name)
    assert caught.value.text().startswith(message), caught.value.text()
    assert not LanguageResult.objects.exists()


@pytest.mark.parametrize("role", ["station", "finance", "auditor", "student"])
def test_only_academic_affairs_import(world, users, role):
    with pytest.raises(PermissionDenied):
        records.language_results_import(
            data=xlsx(row(world.a1)), file_name="x.xlsx", actor=users[role]
        )


# --- The command -----------------------------------------------------------------------------


def command(path, *args: str) -> tuple[int, str, str, dict[str, int]]:
    out, err = io.StringIO(), io.StringIO()
    status = 0
    try:
        call_command("import_language_results", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        status = error.returncode
        err.write(str(error))
    return status, out.getvalue(), err.getvalue(), json.loads(out.getvalue().splitlines()[-1])


def test_the_command_imports_a_sample(world):
    status, _out, _err, counts = command(SAMPLES / "language-results.xlsx")
    assert status == 0
    assert counts == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    status, _out, _err, counts = command(SAMPLES / "language-results.xlsx")
    assert (status, counts["unchanged"]) == (0, 3)


def test_the_command_dry_run(world):
    status, out, _err, counts = command(SAMPLES / "cet4-results-gbk.csv", "--dry-run")
    assert (status, counts["created"]) == (0, 2)
    assert "Dry run" in out
    assert not LanguageResult.objects.exists()


def test_the_command_reports_rejected_rows_and_exits_1(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(write_csv([HEADINGS, row(world.a1), row(world.a2, exam="托福")]))
    with translation.override("en"):
        status, _out, err, counts = command(path)
    assert status == 1
    assert counts == {"rows": 2, "created": 0, "updated": 0, "unchanged": 0, "rejected": 1}
    assert "rejected: row 3, 考试类别: 托福 is not an exam of the degree" in err
    assert not LanguageResult.objects.exists()


def test_the_command_exits_2_for_a_file_it_cannot_read(world, tmp_path):
    status, _out, err, counts = command(tmp_path / "missing.xlsx")
    assert status == 2
    assert counts["rows"] == 0
    path = tmp_path / "nocolumns.csv"
    path.write_text("学号,姓名\n102025001001,张伟\n", encoding="utf-8")
    status, _out, err, _counts = command(path)
    assert status == 2
    assert "考试类别" in err
