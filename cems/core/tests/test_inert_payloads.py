"""Hostile text stored in names and remarks stays text wherever it is shown: escaped in
pages, plain text (never a formula) in downloads, printed literally in PDFs."""

import csv
import io
import re
import zipfile

import pypdfium2 as pdfium
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from python_calamine import CalamineWorkbook

from cems.conftest import add_student
from cems.students.models import StatusChangeKind, StatusChangeRequest
from cems.training.tests.certificate_fixtures import certified

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "{{7*7}}",
]
FORMULA_STARTS = ("=", "+", "-", "@")
# What must never reach a page from the data: markup that a browser would run.
RAW = [
    re.compile(r"<script>alert\(1\)</script>"),
    re.compile(r"<img src=x onerror=alert\(1\)>"),
    re.compile(r"<[a-z]+[^<>]*\sonerror="),
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def hostile(world, users):
    """A student per payload (station A), a status request whose reason holds them all."""
    students = [add_student(world, 700 + index, name=text) for index, text in enumerate(PAYLOADS)]
    StatusChangeRequest.objects.create(
        student=students[0],
        kind=StatusChangeKind.SUSPEND,
        reason=" ".join(PAYLOADS),
        filed_by=users["station"],
    )
    return students


def assert_inert_html(html: str) -> None:
    for pattern in RAW:
        assert not pattern.search(html), pattern.pattern


def test_the_student_list_escapes_names(hostile, client_for):
    response = client_for("academic").get(reverse("students:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert_inert_html(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "{{7*7}}" in html  # shown as typed, not evaluated as a template


def test_the_student_page_escapes_the_name_and_the_remark(hostile, client_for):
    response = client_for("academic").get(reverse("students:detail", args=[hostile[0].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert_inert_html(html)
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the name
    assert escape(" ".join(PAYLOADS)) in html  # the remark, in the timeline
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in html


def test_the_trainees_file_escapes_the_name(world, client_for):
    certificate = certified(serial=31, name=PAYLOADS[1])
    response = client_for("training").get(
        reverse("training:trainee_detail", args=[certificate.trainee_id])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert_inert_html(html)
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def expected_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def test_the_xlsx_export_holds_text_never_formulas(hostile, client_for):
    response = client_for("academic").post(reverse("students:export"), {"format": "xlsx"})
    assert response.status_code == 200
    data = response.content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), name  # no formula anywhere
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_index(0).to_python()
    cells = [cell for row in rows for cell in row]
    for text in PAYLOADS:
        assert expected_cell(text) in cells, text
    for cell in cells:
        assert not (isinstance(cell, str) and cell.startswith(FORMULA_STARTS)), cell


def test_the_csv_export_starts_dangerous_cells_with_an_apostrophe(hostile, client_for):
    response = client_for("academic").post(reverse("students:export"), {"format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert '\'=HYPERLINK("http://x","y")' in cells
    assert "'+cmd|' /C calc'!A0" in cells
    assert "<script>alert(1)</script>" in cells  # a csv is not a page: kept as typed
    for cell in cells:
        assert not cell.startswith(FORMULA_STARTS), cell


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    document = pdfium.PdfDocument(data)
    return "".join(page.get_textpage().get_text_range() for page in document)


@pytest.mark.parametrize("index", range(len(PAYLOADS)))
def test_the_transcript_prints_the_name_literally(hostile, client_for, index):
    student = hostile[index]
    response = client_for("academic").get(reverse("teaching:transcript_student", args=[student.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert PAYLOADS[index] in text.replace("\r\n", "").replace("\n", "")


@pytest.mark.parametrize("index", range(len(PAYLOADS)))
def test_the_certificate_prints_the_name_literally(world, client_for, index):
    certificate = certified(serial=40 + index, name=PAYLOADS[index])
    response = client_for("training").get(
        reverse("training:certificate_pdf", args=[certificate.pk])
    )
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert PAYLOADS[index] in text.replace("\r\n", "").replace("\n", "")
