"""The grade sheet: download, fill in, upload (cems/teaching/grade_sheet.py, sheet_views.py).

Test uploads are the downloaded workbook itself, read back with calamine, edited as lists of
cells and written again with XlsxWriter (hidden meta sheet included)."""

import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
import xlsxwriter
from django.urls import reverse
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from cems.accounts.models import Role
from cems.catalog.models import Course, GradingScale
from cems.teaching import grade_services as gs
from cems.teaching.grade_services import CellEdit
from cems.teaching.grade_sheet import cell_text
from cems.teaching.models import ChangeSource, Grade, GradeChange
from cems.teaching.tests.conftest import Gradebook, make_gradebook, make_teacher

# --- Helpers ---------------------------------------------------------------------------------


def sheet_url(book: Gradebook) -> str:
    return reverse("teaching:grade_sheet", args=[book.offering.pk])


def upload_url(book: Gradebook) -> str:
    return reverse("teaching:grade_sheet_upload", args=[book.offering.pk])


def read(data: bytes) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {
        name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for name in book.sheet_names
    }


def rebuild(sheets: dict[str, list[list[Any]]]) -> bytes:
    """An xlsx holding these cells, the meta sheet hidden as in the download."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, float | int):
                    sheet.write_number(r, c, value)
                elif value != "":
                    sheet.write_string(r, c, value)
        if name == "meta":
            sheet.hide()
    workbook.close()
    return buffer.getvalue()


def header_index(rows: list[list[Any]]) -> int:
    return next(i for i, row in enumerate(rows) if row[:3] == ["序号", "学号", "姓名"])


def table(data: bytes) -> tuple[list[Any], list[list[Any]]]:
    """The heading row and the student rows of the visible sheet."""
    rows = read(data)["成绩"]
    at = header_index(rows)
    return [c for c in rows[at] if c != ""], rows[at + 1 :]


def edited(data: bytes, changes: dict[tuple[int, int], object]) -> bytes:
    """The sheet with cells changed: (student row index, column index) -> new value."""
    sheets = read(data)
    rows = sheets["成绩"]
    first = header_index(rows) + 1
    for (row, col), value in changes.items():
        rows[first + row][col] = value
    return rebuild(sheets)


def download(client, book: Gradebook) -> bytes:
    response = client.get(sheet_url(book))
    assert response.status_code == 200
    content: bytes = response.content
    return content


def upload(client, book: Gradebook, data: bytes, name: str = "成绩表.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(upload_url(book), {"file": file})


def save(user, book: Gradebook, name: str, field: str, text: str) -> None:
    gs.grades_save(
        actor=user,
        offering_id=book.offering.pk,
        edits=[CellEdit(book.entries[name].pk, field, text)],
    )


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        Grade.objects.order_by("pk").values_list(
            "pk", "coursework", "exam", "score", "level", "mark", "makeup_score", "makeup_mark"
        )
    )


@pytest.fixture
def teacher(users):
    return users[Role.TEACHER]


@pytest.fixture
def client(client_for, settings):
    client = client_for(Role.TEACHER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- Download --------------------------------------------------------------------------------


def test_download_of_a_percent_course(gradebook, teacher, client, world):
    save(teacher, gradebook, "a1", "score", "85.5")
    save(teacher, gradebook, "a2", "mark", "缺考")
    response = client.get(sheet_url(gradebook))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "GB001" in disposition
    assert ".xlsx" in disposition

    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    visibility = {m.name: m.visible for m in book.sheets_metadata}
    assert visibility == {"成绩": SheetVisibleEnum.Visible, "meta": SheetVisibleEnum.Hidden}
    sheets = read(response.content)
    title = "\n".join(str(c) for row in sheets["成绩"][:9] for c in row)
    for text in ("GB001 大学英语(一)", "班级A2025", "2025–2026 学年第 1 学期", "teacher-user",
                 "百分制", "说明", "Instructions"):  # fmt: skip
        assert text in title
    assert "平时" not in title  # a single score

    headers, rows = table(response.content)
    assert headers == ["序号", "学号", "姓名", "总评成绩", "标记"]
    assert rows == [
        [1.0, world.a1.student_number, "张伟", 85.5, ""],
        [2.0, world.a2.student_number, "李娜", "", "缺考"],
    ]

    meta = sheets["meta"]
    assert meta[0][:2] == ["cems-grade-sheet", "1"]
    assert meta[1][:2] == ["offering", str(gradebook.offering.pk)]
    assert meta[2][:2] == ["phase", "original"]
    assert len(meta[3][1]) == 64  # the signature
    assert meta[4][:3] == ["fields", "score", "mark"]
    a1, a2 = gradebook.entries["a1"].pk, gradebook.entries["a2"].pk
    assert [row[:5] for row in meta[6:]] == [
        [str(a1), world.a1.student_number, "张伟", "85.5", ""],
        [str(a2), world.a2.student_number, "李娜", "", "absent"],
    ]


def test_identity_cells_are_locked_and_lists_offered(teaching, world, teacher, client):
    book = make_gradebook(teaching, world, teacher, scale=GradingScale.FIVE_LEVEL)
    data = download(client, book)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        shown = archive.read("xl/worksheets/sheet1.xml").decode()
        meta = archive.read("xl/worksheets/sheet2.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
    assert "<sheetProtection" in shown
    assert "password" not in shown
    assert "<sheetProtection" in meta
    assert '<protection locked="0"/>' in styles  # the grade cells' format
    assert '<dataValidation type="list"' in shown
    assert '"优,良,中,及格,不及格"' in shown
    assert '"缺考,免修,作弊"' in shown
    assert 'sqref="D11:D12"' in shown  # the two students' result cells


def test_download_of_a_weighted_course(teaching, world, teacher, client):
    book = make_gradebook(teaching, world, teacher, weight=30)
    save(teacher, book, "a1", "coursework", "80")
    save(teacher, book, "a1", "exam", "55")
    data = download(client, book)
    headers, rows = table(data)
    assert headers == ["序号", "学号", "姓名", "平时成绩", "期末成绩", "标记"]
    assert rows[0][3:6] == [80.0, 55.0, ""]
    assert rows[1][3:6] == ["", "", ""]
    title = "".join(str(c) for row in read(data)["成绩"][:9] for c in row)
    assert "平时 30%、期末 70%" in title
    assert read(data)["meta"][4][:4] == ["fields", "coursework", "exam", "mark"]


def test_download_of_a_five_level_course(teaching, world, teacher, client):
    book = make_gradebook(teaching, world, teacher, scale=GradingScale.FIVE_LEVEL)
    save(teacher, book, "a1", "level", "良")
    data = download(client, book)
    headers, rows = table(data)
    assert headers == ["序号", "学号", "姓名", "成绩等级", "标记"]
    assert rows[0][3:5] == ["良", ""]
    assert read(data)["meta"][6][3] == "good"  # the value as stored, for conflicts
    assert "五级制" in "".join(str(c) for row in read(data)["成绩"][:9] for c in row)


def test_download_of_a_pass_fail_course(teaching, world, teacher, client):
    book = make_gradebook(teaching, world, teacher, scale=GradingScale.PASS_FAIL)
    save(teacher, book, "a2", "level", "不合格")
    data = download(client, book)
    headers, rows = table(data)
    assert headers == ["序号", "学号", "姓名", "成绩等级", "标记"]
    assert [row[3] for row in rows] == ["", "不合格"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert '"合格,不合格"' in archive.read("xl/worksheets/sheet1.xml").decode()


def test_after_submission_the_sheet_is_the_makeup_list(gradebook, teacher, client, world):
    save(teacher, gradebook, "a1", "score", "50")
    save(teacher, gradebook, "a2", "score", "70")
    gs.grades_submit(actor=teacher, offering_id=gradebook.offering.pk)
    response = client.get(sheet_url(gradebook))
    # 补考成绩表-GB001-A2025-….xlsx, encoded
    assert response["Content-Disposition"].startswith(
        "attachment; filename*=utf-8''%E8%A1%A5%E8%80%83%E6%88%90%E7%BB%A9%E8%A1%A8-GB001-A2025-"
    )
    headers, rows = table(response.content)
    assert headers == ["序号", "学号", "姓名", "补考成绩", "补考标记"]
    assert rows == [[1.0, world.a1.student_number, "张伟", "", ""]]  # a2 passed
    meta = read(response.content)["meta"]
    assert meta[2][:2] == ["phase", "makeup"]
    assert meta[4][:3] == ["fields", "makeup_score", "makeup_mark"]


def test_the_makeup_sheet_round_trip(gradebook, teacher, client):
    save(teacher, gradebook, "a1", "score", "50")
    save(teacher, gradebook, "a2", "score", "70")
    gs.grades_submit(actor=teacher, offering_id=gradebook.offering.pk)
    data = edited(download(client, gradebook), {(0, 3): 65.0})
    response = upload(client, gradebook, data)
    assert response.status_code == 302
    grade = Grade.objects.get(entry=gradebook.entries["a1"])
    assert grade.makeup_score == Decimal(65)
    change = GradeChange.objects.get(field="makeup_score")
    assert (change.new_value, change.source) == ("65", ChangeSource.SHEET)


# --- Upload: success -------------------------------------------------------------------------


def test_round_trip_writes_grades_and_history(gradebook, teacher, client):
    save(teacher, gradebook, "a2", "score", "40")
    data = edited(download(client, gradebook), {(0, 3): 85.5, (1, 3): "", (1, 4): "缺考"})
    response = upload(client, gradebook, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("teaching:offering_detail", args=[gradebook.offering.pk])
    a1 = Grade.objects.get(entry=gradebook.entries["a1"])
    a2 = Grade.objects.get(entry=gradebook.entries["a2"])
    assert (a1.score, a1.passed) == (Decimal("85.5"), True)
    assert (a2.score, a2.mark, a2.passed) == (None, "absent", False)
    changes = GradeChange.objects.filter(source=ChangeSource.SHEET)
    assert sorted((c.grade_id, c.field, c.old_value, c.new_value) for c in changes) == sorted(
        [
            (gradebook.entries["a1"].pk, "score", "", "85.5"),
            (gradebook.entries["a2"].pk, "score", "40", ""),
            (gradebook.entries["a2"].pk, "mark", "", "absent"),
        ]
    )
    assert {c.changed_by for c in changes} == {teacher}
    page = client.get(response["Location"]).content.decode()
    assert "3 grade cells changed from the sheet." in page


def test_round_trip_of_a_weighted_and_a_five_level_course(teaching, world, teacher, client):
    weighted = make_gradebook(teaching, world, teacher, weight=40)
    data = edited(download(client, weighted), {(0, 3): 90.0, (0, 4): "７０.5"})
    assert upload(client, weighted, data).status_code == 302
    grade = Grade.objects.get(entry=weighted.entries["a1"])
    assert (grade.coursework, grade.exam, grade.score) == (
        Decimal(90),
        Decimal("70.5"),
        Decimal(78),
    )

    levels = make_gradebook(
        teaching, world, teacher, scale=GradingScale.FIVE_LEVEL, entry=teaching.courses[1][1]
    )
    data = edited(download(client, levels), {(0, 3): "优", (1, 4): "免修"})
    assert upload(client, levels, data).status_code == 302
    assert Grade.objects.get(entry=levels.entries["a1"]).level == "excellent"
    assert Grade.objects.get(entry=levels.entries["a2"]).mark == "exempt"


def test_an_unchanged_sheet_writes_nothing(gradebook, teacher, client):
    save(teacher, gradebook, "a1", "score", "85")
    before = snapshot()
    response = upload(client, gradebook, download(client, gradebook))
    assert response.status_code == 302
    assert snapshot() == before
    assert GradeChange.objects.count() == 1  # the save above
    assert "The sheet changes no grade." in client.get(response["Location"]).content.decode()


def test_a_grid_change_to_a_cell_the_sheet_leaves_alone_is_kept(gradebook, teacher, client):
    data = edited(download(client, gradebook), {(0, 3): 80.0})
    save(teacher, gradebook, "a2", "score", "66")  # in the grid, after the download
    assert upload(client, gradebook, data).status_code == 302
    assert Grade.objects.get(entry=gradebook.entries["a1"]).score == 80
    assert Grade.objects.get(entry=gradebook.entries["a2"]).score == 66


# --- Upload: refused, nothing written --------------------------------------------------------


def refused(response, text: str) -> None:
    assert response.status_code == 400
    html = response.content.decode()
    assert text in html, html


@pytest.fixture
def filled(gradebook, teacher):
    """The gradebook with a1 at 70 before the download."""
    save(teacher, gradebook, "a1", "score", "70")
    return gradebook


def assert_nothing_written(before: list[tuple[Any, ...]]) -> None:
    assert snapshot() == before
    assert not GradeChange.objects.filter(source=ChangeSource.SHEET).exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (101.0, "Enter a number from 0 to 100."),
        (-1.0, "Enter a number from 0 to 100."),
        ("八十五", "Enter a number from 0 to 100."),
        (85.25, "Use at most one decimal."),
    ],
    ids=["above", "below", "text", "precise"],
)
def test_a_bad_score_is_reported_at_its_row_and_column(filled, client, value, message):
    before = snapshot()
    data = edited(download(client, filled), {(0, 3): 90.0, (1, 3): value})
    response = upload(client, filled, data)
    refused(response, "<td>Row 12, column D (总评成绩)</td>")
    refused(response, message)
    assert "Row 11" not in response.content.decode()  # a1's good cell is not an error
    assert_nothing_written(before)


def test_every_bad_cell_is_listed(teaching, world, teacher, client):
    book = make_gradebook(teaching, world, teacher, weight=30)
    before = snapshot()
    data = edited(download(client, book), {(0, 3): 120.0, (0, 5): "迟到", (1, 4): "abc"})
    response = upload(client, book, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "3 cells of the sheet cannot be saved" in html
    for place in ("Row 11, column D (平时成绩)", "Row 11, column F (标记)",
                  "Row 12, column E (期末成绩)"):  # fmt: skip
        assert place in html
    assert "Enter 缺考, 免修, 作弊 or nothing." in html
    assert html.index("Row 11, column D") < html.index("Row 11, column F") < html.index("Row 12")
    assert_nothing_written(before)


def test_a_concurrent_grid_save_is_a_conflict(filled, teacher, users, client):
    data = edited(download(client, filled), {(0, 3): 80.0, (1, 3): 90.0})
    save(users[Role.ACADEMIC], filled, "a1", "score", "75")  # in the grid, meanwhile
    before = snapshot()
    response = upload(client, filled, data)
    refused(response, "Row 11, column D (总评成绩)")
    refused(response, "Someone else saved 75 here meanwhile.")
    assert_nothing_written(before)
    assert Grade.objects.get(entry=filled.entries["a1"]).score == 75


def test_the_sheet_of_another_offering_is_refused(filled, teaching, world, teacher, client):
    other = make_gradebook(teaching, world, teacher, entry=teaching.courses[1][1])
    data = edited(download(client, other), {(0, 3): 99.0})
    before = snapshot()
    refused(upload(client, filled, data), "This sheet belongs to another course offering")
    assert_nothing_written(before)


@pytest.mark.parametrize(
    "change",
    [
        {(0, 1): "102025001999"},  # 学号
        {(1, 2): "王五"},  # 姓名
        {(0, 0): 2.0, (1, 0): 1.0},  # 序号
    ],
    ids=["student-number", "name", "sequence"],
)
def test_altered_identity_cells_are_refused(filled, client, change):
    data = edited(download(client, filled), {(0, 3): 99.0, **change})
    before = snapshot()
    refused(upload(client, filled, data), "序号, 学号 or 姓名 was altered")
    assert_nothing_written(before)


def test_moved_rows_are_refused(filled, client):
    sheets = read(download(client, filled))
    rows = sheets["成绩"]
    first = header_index(rows) + 1
    rows[first][3] = 99.0
    rows[first][1:], rows[first + 1][1:] = rows[first + 1][1:], rows[first][1:]
    before = snapshot()
    refused(upload(client, filled, rebuild(sheets)), "was altered or rows were moved")
    assert_nothing_written(before)


def test_a_removed_row_is_refused(filled, client):
    sheets = read(download(client, filled))
    rows = sheets["成绩"]
    rows[header_index(rows) + 1][3] = 99.0
    del rows[header_index(rows) + 2]
    before = snapshot()
    refused(upload(client, filled, rebuild(sheets)), "rows must not be added or removed")
    assert_nothing_written(before)


def test_an_added_row_is_refused(filled, client):
    sheets = read(download(client, filled))
    sheets["成绩"].append([3.0, "102025001003", "王芳", 99.0, ""])
    before = snapshot()
    refused(upload(client, filled, rebuild(sheets)), "3 student rows where 2 were downloaded")
    assert_nothing_written(before)


@pytest.mark.parametrize(
    ("header", "message"),
    [("成绩", "The heading row 10 was altered"), (None, "is missing or altered")],
    ids=["renamed-column", "no-heading"],
)
def test_an_altered_heading_is_refused(filled, client, header, message):
    sheets = read(download(client, filled))
    rows = sheets["成绩"]
    at = header_index(rows)
    if header is None:
        rows[at][1] = "考号"
    else:
        rows[at][3] = header
    rows[at + 1][3] = 99.0
    before = snapshot()
    refused(upload(client, filled, rebuild(sheets)), message)
    assert_nothing_written(before)


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ((6, 0), "999999"),  # an entry id
        ((1, 1), "999999"),  # the offering
        ((6, 3), "99"),  # a value at download: would hide a conflict
        ((3, 1), "0" * 64),  # the signature
        ((2, 1), "makeup"),
    ],
    ids=["entry", "offering", "expected", "signature", "phase"],
)
def test_tampered_meta_is_refused(filled, client, where, value):
    sheets = read(download(client, filled))
    sheets["meta"][where[0]][where[1]] = value
    rows = sheets["成绩"]
    rows[header_index(rows) + 1][3] = 99.0
    before = snapshot()
    refused(
        upload(client, filled, rebuild(sheets)), "hidden meta data is missing, damaged or altered"
    )
    assert_nothing_written(before)


def test_a_workbook_without_meta_is_refused(filled, client):
    sheets = read(download(client, filled))
    del sheets["meta"]
    refused(upload(client, filled, rebuild(sheets)), "has no grade sheet with its hidden meta")


@pytest.mark.parametrize(
    "data",
    [
        "学号,姓名,成绩\n102025001001,张伟,90\n".encode(),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,  # an old .xls
        b"PK\x03\x04 truncated",
    ],
    ids=["csv", "xls", "broken-zip"],
)
def test_a_file_that_is_not_an_xlsx_is_refused(filled, client, data):
    before = snapshot()
    refused(upload(client, filled, data), "The file is not an Excel workbook (.xlsx).")
    assert_nothing_written(before)


def test_a_zip_that_is_not_a_workbook_is_refused(filled, client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    refused(upload(client, filled, buffer.getvalue()), "The file is not an Excel workbook")


def test_a_workbook_spanning_too_many_cells_is_refused(filled, client):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.add_worksheet("成绩").write_string(1_048_575, 16_383, "x")  # XFD1048576
    workbook.close()
    refused(upload(client, filled, buffer.getvalue()), "too large to be a grade sheet")


def test_a_file_too_large_is_refused(filled, client, settings):
    data = edited(download(client, filled), {(0, 3): 99.0})
    settings.CEMS_MAX_UPLOAD_BYTES = len(data) - 1
    before = snapshot()
    refused(upload(client, filled, data), "The file is larger than")
    assert_nothing_written(before)


def test_an_upload_without_a_file_is_refused(filled, client):
    response = client.post(upload_url(filled), {})
    refused(response, "This field is required.")


def test_the_original_sheet_after_submission_is_refused(filled, teacher, client):
    data = edited(download(client, filled), {(1, 3): 30.0})
    save(teacher, filled, "a2", "score", "65")
    gs.grades_submit(actor=teacher, offering_id=filled.offering.pk)
    before = snapshot()
    refused(
        upload(client, filled, data), "The grades of this offering were submitted and are locked"
    )
    assert_nothing_written(before)


def test_the_makeup_sheet_after_its_submission_is_refused(filled, teacher, client):
    save(teacher, filled, "a2", "score", "30")
    gs.grades_submit(actor=teacher, offering_id=filled.offering.pk)
    data = edited(download(client, filled), {(0, 3): 70.0})
    save(teacher, filled, "a2", "makeup_score", "60")
    gs.makeup_submit(actor=teacher, offering_id=filled.offering.pk)
    before = snapshot()
    refused(upload(client, filled, data), "The makeup results of this offering were submitted")
    assert_nothing_written(before)
    page = client.get(upload_url(filled)).content.decode()
    assert "a sheet can no longer be uploaded" in page


# --- Pages and roles -------------------------------------------------------------------------


def test_the_upload_page_and_the_offering_page_link_the_sheet(gradebook, client, client_for):
    page = client.get(upload_url(gradebook))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert sheet_url(gradebook) in html
    detail = reverse("teaching:offering_detail", args=[gradebook.offering.pk])
    html = client.get(detail).content.decode()
    assert sheet_url(gradebook) in html
    assert upload_url(gradebook) in html
    station_html = client_for(Role.STATION).get(detail).content.decode()
    assert sheet_url(gradebook) not in station_html


def test_academic_affairs_grade_any_offering(gradebook, client_for):
    client = client_for(Role.ACADEMIC)
    data = edited(download(client, gradebook), {(0, 3): 77.0})
    assert upload(client, gradebook, data).status_code == 302
    change = GradeChange.objects.get()
    assert (change.changed_by.role, change.new_value) == (Role.ACADEMIC, "77")


def test_station_staff_may_not_use_the_sheet(gradebook, client, client_for):
    data = edited(download(client, gradebook), {(0, 3): 77.0})
    station = client_for(Role.STATION)
    assert station.get(sheet_url(gradebook)).status_code == 403
    assert station.get(upload_url(gradebook)).status_code == 403
    assert upload(station, gradebook, data).status_code == 403
    assert not Grade.objects.exists()


def test_another_teacher_gets_not_found(gradebook, client):
    other = make_teacher("other-teacher")
    gradebook.offering.teacher = other
    gradebook.offering.save(update_fields=["teacher"])
    assert client.get(sheet_url(gradebook)).status_code == 404
    assert client.get(upload_url(gradebook)).status_code == 404
    assert upload(client, gradebook, b"PK\x03\x04").status_code == 404


def test_anonymous_users_are_sent_to_sign_in(gradebook, client_for):
    anonymous = client_for(None)
    for url in (sheet_url(gradebook), upload_url(gradebook)):
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# --- Cells as text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(85.0, "85"), (85.5, "85.5"), (None, ""), ("", ""), (" 优 ", "优"), (100, "100"),
     (85.25, "85.25"), (True, "1")],
)  # fmt: skip
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_a_sheet_of_another_grading_scale_is_refused(filled, client):
    data = edited(download(client, filled), {(0, 3): 99.0})
    Course.objects.filter(pk=filled.offering.plan_course.course_id).update(coursework_weight=30)
    before = snapshot()
    refused(upload(client, filled, data), "grading scale or weights have changed")
    assert_nothing_written(before)
