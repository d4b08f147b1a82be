"""Each row check: a rejection names the row, the column and the reason."""

import datetime as dt
from typing import Any

import pytest

from cems.admissions.checks import Action, plan_import
from cems.admissions.models import Candidate, CandidateStatus
from cems.admissions.services import read_admission_file
from cems.admissions.tests.factories import HEADINGS, csv_file, person, table
from cems.admissions.tests.writers import write_csv
from cems.catalog.models import Level, Major, Program, StudyMode
from cems.conftest import make_id_number

pytestmark = pytest.mark.django_db


def plan(*people, headings=None, year=2026) -> Any:
    data = write_csv(table(*people, headings=headings))
    sheet = read_admission_file(data, "list.csv")
    return plan_import(sheet, file_name="list.csv", admission_year=year)


def reasons(row) -> list[tuple[str, str]]:
    return [(issue.column, issue.text()) for issue in row.errors]


def only_row(result) -> Any:
    assert len(result.rows) == 1
    return result.rows[0]


def test_a_valid_row_is_created_with_normalised_values(world):
    row = only_row(plan(person(1, 性别="1", 出生日期="1975/1/10", 民族="01")))
    assert row.action == Action.CREATE, reasons(row)
    assert row.row == 2
    values = row.values
    assert values["station_id"] == world.station_a.pk
    assert values["program_id"] == world.program.pk
    assert values["major_id"] == world.major.pk
    assert values["level"] == Level.JUNIOR_COLLEGE_TO_BACHELOR
    assert values["mode"] == StudyMode.CORRESPONDENCE
    assert values["gender"] == "M"
    assert values["ethnicity"] == "汉族"
    assert values["birth_date"] == dt.date(1975, 1, 10)
    assert values["total_score"] == 256


def test_stations_and_majors_by_code_or_short_name(world):
    row = only_row(plan(person(1, 函授站="zd4302", 专业="080901")))
    assert row.action == Action.CREATE, reasons(row)
    row = only_row(plan(person(1, 函授站="长沙", 专业="080901 计算机科学与技术")))
    assert row.action == Action.CREATE, reasons(row)


REQUIRED = ["考生号", "姓名", "性别", "身份证号", "出生日期", "层次", "专业", "学习形式", "函授站"]


@pytest.mark.parametrize("heading", REQUIRED)
def test_required_values(world, heading):
    row = only_row(plan(person(1, **{heading: ""})))
    assert row.action == Action.REJECT
    assert (heading, "This column is required.") in reasons(row)


def test_optional_values_may_be_empty(world):
    row = only_row(
        plan(person(1, 民族="", 政治面貌="", 总分="", 联系电话="", 通讯地址="", 工作单位=""))
    )
    assert row.action == Action.CREATE, reasons(row)


def test_id_number_check_character(world):
    good = person(1)["身份证号"]
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    row = only_row(plan(person(1, 身份证号=wrong)))
    assert row.action == Action.REJECT
    [(column, reason)] = reasons(row)
    assert column == "身份证号"
    assert "check character" in reason


@pytest.mark.parametrize(
    ("value", "words"),
    [("43030219920101051", "18 characters"), ("430302920101051", "15-digit"),
     ("43030219921301051X", "not a real date"), ("4303021992010105AX", "17 digits")],
)  # fmt: skip
def test_id_number_length_date_and_form(world, value, words):
    row = only_row(plan(person(1, 身份证号=value)))
    assert row.action == Action.REJECT
    assert any(words in reason for _column, reason in reasons(row)), reasons(row)


def test_id_number_must_agree_with_birth_date_and_gender(world):
    row = only_row(plan(person(1, 出生日期="1980-01-01")))
    assert "birth date" in reasons(row)[0][1]
    row = only_row(plan(person(1, 性别="女")))
    assert reasons(row) == [
        ("身份证号", "The ID number is a man's number but the row says female.")
    ]


def test_the_program_must_exist_and_be_offered(world):
    row = only_row(plan(person(1, 层次="高起本")))
    assert row.action == Action.REJECT
    assert reasons(row)[0][0] == "专业"
    assert "is not taught as 高起本 by 函授" in reasons(row)[0][1]
    Program.objects.filter(pk=world.program.pk).update(is_offered=False)
    row = only_row(plan(person(1)))
    assert "no longer offered" in reasons(row)[0][1]


def test_an_unknown_major(world):
    row = only_row(plan(person(1, 专业="炼金术")))
    assert reasons(row) == [("专业", "No major 炼金术 is known (give its name or national code).")]


def test_the_station_must_exist_and_be_active(world):
    row = only_row(plan(person(1, 函授站="火星函授站")))
    assert reasons(row)[0][0] == "函授站"
    assert "No station 火星函授站" in reasons(row)[0][1]
    world.station_a.is_active = False
    world.station_a.save()
    row = only_row(plan(person(1)))
    assert reasons(row) == [("函授站", "The station 长沙函授站 is not active.")]


def test_a_phone_must_be_plausible(world):
    row = only_row(plan(person(1, 联系电话="12345")))
    assert reasons(row) == [("联系电话", "12345 is not a plausible phone number.")]


def test_garbage_in_a_free_text_column_is_rejected(world):
    row = only_row(plan(person(1, 通讯地址="长" * 201)))
    assert reasons(row)[0][0] == "通讯地址"


def test_an_exam_number_twice_in_the_file_rejects_every_row_with_it(world):
    result = plan(person(1), person(2, 考生号=person(1)["考生号"]), person(3))
    assert [row.action for row in result.rows] == [Action.REJECT, Action.REJECT, Action.CREATE]
    assert reasons(result.rows[0]) == [("考生号", "This exam candidate number is also in rows 3.")]
    assert reasons(result.rows[1]) == [("考生号", "This exam candidate number is also in rows 2.")]


def test_a_person_twice_in_the_file_is_rejected(world):
    result = plan(person(1), person(2, 身份证号=person(1)["身份证号"], 性别="男",
                                    出生日期=person(1)["出生日期"]))  # fmt: skip
    assert [row.action for row in result.rows] == [Action.REJECT, Action.REJECT]
    assert "ID number is also in rows" in reasons(result.rows[0])[0][1]


def test_an_exam_number_taken_by_another_person(world):
    data = person(1)
    existing = person(2, 考生号=data["考生号"])
    plan_and_write(existing)
    row = only_row(plan(data))
    assert reasons(row) == [("考生号", "This exam candidate number belongs to another person "
                                      "(another name and ID number).")]  # fmt: skip


def test_an_exam_number_of_a_student_without_admission_record(world):
    row = only_row(plan(person(1, 考生号=world.a1.exam_number)))
    assert "belongs to another person" in reasons(row)[0][1]
    a1 = person(1, 考生号=world.a1.exam_number, 姓名=world.a1.name,
                 身份证号=world.a1.id_number, 出生日期=world.a1.birth_date.isoformat(),
                 性别="男" if world.a1.gender == "M" else "女")  # fmt: skip
    row = only_row(plan(a1))
    assert "already enrolled as student" in reasons(row)[0][1]


def test_a_person_admitted_the_same_year_under_another_number(world):
    plan_and_write(person(1))
    row = only_row(plan(person(1, 考生号="26439999")))
    assert "already admitted in 2026 as candidate" in reasons(row)[0][1]
    row = only_row(plan(person(1, 考生号="26439999"), year=2027))
    assert row.action == Action.CREATE


def test_unchanged_updated_and_enrolled_rows(world):
    plan_and_write(person(1), person(2), person(3))
    Candidate.objects.filter(exam_number=person(3)["考生号"]).update(
        status=CandidateStatus.ENROLLED
    )
    result = plan(person(1), person(2, 联系电话="13900000000"), person(3, 总分="300"))
    assert [row.action for row in result.rows] == [Action.UNCHANGED, Action.UPDATE, Action.REJECT]
    assert result.rows[1].changed == ["phone"]
    assert reasons(result.rows[2]) == [
        ("总分", "This candidate is already enrolled; the changes to 总分 were not applied "
                 "(correct the student record instead).")
    ]  # fmt: skip


def test_a_corrected_id_number_updates_the_same_candidate(world):
    plan_and_write(person(1))
    born = dt.date(1985, 3, 3)
    corrected = person(1, 身份证号=make_id_number(born, "M", 77), 出生日期=born.isoformat())
    row = only_row(plan(corrected))
    assert row.action == Action.UPDATE
    assert set(row.changed) == {"id_number", "birth_date"}


def test_columns_absent_from_the_file_are_left_alone(world):
    plan_and_write(person(1))
    headings = [h for h in HEADINGS if h not in ("联系电话", "工作单位")]
    row = only_row(plan(person(1), headings=headings))
    assert row.action == Action.UNCHANGED


def test_unusual_values_are_kept_with_a_warning(world):
    row = only_row(plan(person(1, 民族="火星族")))
    assert row.action == Action.CREATE
    assert [(w.column, w.text()) for w in row.warnings] == [
        ("民族", "火星族 is not one of the standard values; it was kept as written.")
    ]


def test_spare_time_study_and_other_majors(world):
    other = Major.objects.create(
        code="120203K", short_code="028", name="会计学", name_en="Accounting",
        discipline="management",
    )  # fmt: skip
    Program.objects.create(major=other, level=Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE,
                           mode=StudyMode.SPARE_TIME, standard_length_years=2.5,
                           credits_to_graduate=80, tuition_per_year=2600)  # fmt: skip
    row = only_row(plan(person(1, 专业="120203K", 层次="高起专", 学习形式="业余")))
    assert row.action == Action.CREATE, reasons(row)


def plan_and_write(*people) -> None:
    from cems.admissions.tests.factories import run

    outcome = run(csv_file(*people))
    assert outcome.counts()["rejected"] == 0, [reasons(r) for r in outcome.plan.rows]
