"""The roster import: reading, per-row checks, capacity, idempotence, the command."""

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cems.admissions.issues import ImportStopped
from cems.admissions.tests.writers import write_csv, write_xlsx
from cems.conftest import make_id_number
from cems.training.models import Employer, Enrollment, EnrollmentStatus, Trainee
from cems.training.roster import RosterPlan, roster_import
from cems.training.tests.roster_fixtures import HEADINGS, make_project, person_row, project

__all__ = ["project"]


def _import(project: Any, rows: list[list[str]], *, name: str = "roster.xlsx") -> RosterPlan:
    return roster_import(project_id=project.pk, data=write_xlsx([HEADINGS, *rows]), file_name=name)


def _problems(plan: RosterPlan) -> list[tuple[int, str, str]]:
    return [(row, issue.column, issue.message) for row, issue in plan.problems()]


def test_valid_rows_create_files_employers_and_enrollments(project):
    plan = _import(project, [person_row(1), person_row(2, gender="F", employer="某某学校")])
    assert plan.counts() == {"rows": 2, "created": 2, "unchanged": 0, "rejected": 0,
                             "new_trainees": 2}  # fmt: skip
    assert set(Employer.objects.values_list("name", flat=True)) == {"某某煤矿", "某某学校"}
    trainee = Trainee.objects.get(name="学员2")
    assert trainee.gender == "F"
    assert trainee.employer is not None
    assert trainee.employer.name == "某某学校"
    assert Enrollment.objects.get(trainee=trainee).employer == trainee.employer


def test_reimporting_the_same_file_changes_nothing(project):
    rows = [person_row(n) for n in range(1, 6)]
    _import(project, rows)
    before = list(Enrollment.objects.values_list("pk", "trainee_id", "status"))
    plan = _import(project, rows)
    assert plan.counts()["unchanged"] == 5
    assert plan.counts()["created"] == 0
    assert list(Enrollment.objects.values_list("pk", "trainee_id", "status")) == before
    assert Trainee.objects.count() == 5
    assert Employer.objects.count() == 1


def test_existing_person_is_found_by_id_number_and_enrolled(project):
    _import(project, [person_row(1)])
    other = make_project(title="复训")
    plan = _import(other, [person_row(1)])
    assert plan.counts()["created"] == 1
    assert plan.counts()["new_trainees"] == 0
    assert Trainee.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "column", "message"),
    [
        ({1: "wrong-check"}, "身份证号", "The check character is wrong"),
        ({1: "43030219800101"}, "身份证号", "An ID number has 18 characters"),
        ({1: ""}, "身份证号", "The ID number is missing."),
        ({2: "女"}, "性别", "The gender disagrees with the ID number."),
        ({2: "未知"}, "性别", "The gender %(value)s"),
        ({3: "1999-01-01"}, "出生日期", "The birth date disagrees with the ID number."),
        ({3: "某天"}, "出生日期", "The birth date %(value)s is not a date."),
        ({0: ""}, "姓名", "The name is missing."),
    ],
)
def test_bad_rows_are_rejected_with_row_and_column(project, change, column, message):
    bad = person_row(2)
    for index, value in change.items():
        bad[index] = value
    if bad[1] == "wrong-check":
        right = person_row(2)[1]
        bad[1] = right[:17] + ("0" if right[17] != "0" else "1")
    plan = _import(project, [person_row(1), bad])
    assert plan.counts()["created"] == 1
    assert plan.counts()["rejected"] == 1
    [(row, where, text)] = _problems(plan)
    assert row == 3
    assert where == column
    assert text.startswith(message)
    assert Enrollment.objects.count() == 1


def test_fifteen_digit_numbers_are_upgraded(project):
    row = person_row(1)
    eighteen = row[1]
    row[1] = eighteen[:6] + eighteen[8:17]
    plan = _import(project, [row])
    assert plan.counts()["created"] == 1
    assert Trainee.objects.get().id_number == eighteen


def test_duplicate_in_file_is_rejected(project):
    plan = _import(project, [person_row(1), person_row(1)])
    assert plan.counts()["created"] == 1
    assert plan.counts()["rejected"] == 1
    assert "also in row" in _problems(plan)[0][2]


def test_rows_beyond_capacity_are_rejected(db):
    small = make_project(capacity=3)
    _import(small, [person_row(1)])
    plan = _import(small, [person_row(n) for n in range(1, 6)])
    assert plan.counts() == {"rows": 5, "created": 2, "unchanged": 1, "rejected": 2,
                             "new_trainees": 2}  # fmt: skip
    assert [row for row, _c, _m in _problems(plan)] == [5, 6]
    assert Enrollment.objects.filter(project=small).count() == 3
    assert Trainee.objects.count() == 3  # the rejected people get no file either


def test_withdrawn_person_is_not_reenrolled_by_import(project):
    _import(project, [person_row(1)])
    Enrollment.objects.update(status=EnrollmentStatus.WITHDRAWN)
    plan = _import(project, [person_row(1)])
    assert plan.counts()["rejected"] == 1


def test_gbk_csv_with_contact_phone_heading(project):
    headings = ["姓名", "身份证号", "性别", "联系电话", "工作单位"]
    data = write_csv([headings, [*person_row(1)[:3], "13900000001", "某某学校"]], encoding="gbk")
    plan = roster_import(project_id=project.pk, data=data, file_name="名单.csv")
    assert plan.counts()["created"] == 1
    assert Trainee.objects.get().phone == "13900000001"


def test_missing_column_or_unreadable_file_writes_nothing(project):
    data = write_xlsx([["姓名", "性别"], ["张三", "男"]])
    with pytest.raises(ImportStopped, match="身份证号"):
        roster_import(project_id=project.pk, data=data, file_name="a.xlsx")
    with pytest.raises(ImportStopped):
        roster_import(project_id=project.pk, data=b"PK\x03\x04broken", file_name="a.xlsx")
    assert not Trainee.objects.exists()
    assert not Enrollment.objects.exists()


def test_command_prints_errors_and_json_counts(project, tmp_path, capsys):
    path = tmp_path / "roster.xlsx"
    bad = person_row(2)
    bad[1] = "123"
    path.write_bytes(write_xlsx([HEADINGS, person_row(1), bad]))
    with pytest.raises(CommandError) as raised:
        call_command("import_roster", str(project.pk), str(path))
    assert raised.value.returncode == 1
    out, err = capsys.readouterr()
    assert json.loads(out.strip().splitlines()[-1])["created"] == 1
    assert "row 3, 身份证号" in err
    good = tmp_path / "good.xlsx"
    good.write_bytes(write_xlsx([HEADINGS, person_row(1)]))
    call_command("import_roster", str(project.pk), str(good))
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["unchanged"] == 1


def test_command_exit_2_for_unreadable_file_or_unknown_project(project, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    for args in ((str(project.pk), str(path)), ("99999", str(path))):
        with pytest.raises(CommandError) as raised:
            call_command("import_roster", *args)
        assert raised.value.returncode == 2


def test_make_id_number_helper_is_valid():
    assert len(make_id_number(__import__("datetime").date(1980, 1, 1), "M", 1)) == 18


def test_sample_files_import(project, settings):
    from pathlib import Path

    samples = Path(settings.BASE_DIR) / "samples" / "rosters"
    xlsx = roster_import(
        project_id=project.pk, data=(samples / "roster.xlsx").read_bytes(), file_name="roster.xlsx"
    )
    assert xlsx.counts() == {"rows": 22, "created": 20, "unchanged": 0, "rejected": 2,
                             "new_trainees": 20}  # fmt: skip
    gbk = roster_import(
        project_id=project.pk,
        data=(samples / "roster-gbk.csv").read_bytes(),
        file_name="roster-gbk.csv",
    )
    assert gbk.counts()["unchanged"] == 10


def test_web_upload_shows_counts_and_row_errors(project, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    bad = person_row(2)
    bad[2] = "女"
    data = write_xlsx([HEADINGS, person_row(1), bad])
    url = reverse("training:roster_import", args=[project.pk])
    client = client_for("training")
    client.cookies["django_language"] = "en"
    response = client.post(url, {"file": SimpleUploadedFile("r.xlsx", data)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 rows: 1 enrolled" in html
    assert "The gender disagrees with the ID number." in html
    unreadable = client.post(url, {"file": SimpleUploadedFile("r.xlsx", b"PK\x03\x04x")})
    assert 'class="fielderror"' in unreadable.content.decode()
    for role in ("auditor", "trainee", "academic"):
        forbidden = client_for(role).post(url, {"file": SimpleUploadedFile("r.xlsx", data)})
        assert forbidden.status_code == 403
    assert Enrollment.objects.count() == 1
