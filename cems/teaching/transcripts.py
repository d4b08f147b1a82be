"""Transcripts (成绩单): issuing them, printing them as PDF, and verifying a printed copy.

Every transcript printed is recorded (models.Transcript) with a random verification code,
the figures it shows and a digest of its rows. The PDF prints the code, a QR code of the
public verification page's address and the same figures, so that whoever holds a printed
copy (an employer, another school) can check it at /transcripts/verify/<code>/ without an
account; that page shows the recorded figures and only a masked name and student number.

Transcripts are printed in Chinese whatever the page's language, with an English subtitle.
The bundled font (cems/core/fonts) is embedded as a subset, so that Chinese prints on a
machine without any CJK font.
"""

import base64
import datetime as dt
import functools
import hashlib
import io
import json
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from cems.accounts.access import AnyUser, classes_for, get_in_scope_or_404, students_for
from cems.accounts.models import User
from cems.catalog.models import Level, StudyMode
from cems.core.audit import event
from cems.students.models import Student, StudentClass
from cems.teaching import grade_selectors, grading
from cems.teaching.grade_selectors import ResultRow
from cems.teaching.models import Transcript

audit = logging.getLogger("cems.audit")

# --- Verification codes ----------------------------------------------------------------------

# 10 random bytes in base32: 16 characters of A–Z and 2–7, 80 bits that nobody can guess.
CODE_BYTES = 10
CODE_LENGTH = 16
_CODE_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
# Digits that do not occur in a code, read as the letters they are mistaken for.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def new_code() -> str:
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")


def normalize_code(text: str) -> str:
    """A code as typed or scanned: any case, with spaces or dashes, 0 for O."""
    return "".join(c for c in text.upper() if c not in " -\t").translate(_LOOKALIKES)


def is_wellformed(code: str) -> bool:
    return len(code) == CODE_LENGTH and set(code) <= _CODE_ALPHABET


def grouped(code: str) -> str:
    """ABCD-EFGH-IJKL-MNOP, as printed."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- Who may print which transcripts ---------------------------------------------------------


def _with_record(students: QuerySet[Student]) -> QuerySet[Student]:
    return students.select_related("program__major", "station", "student_class")


def student_for_transcript(*, user: AnyUser, pk: int) -> Student:
    """A student in the user's scope (404 outside it), with what the transcript prints."""
    return get_in_scope_or_404(_with_record(students_for(user)), pk=pk)


def class_for_transcripts(*, user: AnyUser, pk: int) -> tuple[StudentClass, list[Student]]:
    """A class in the user's scope (404 outside it) and its students in 学号 order."""
    klass = get_in_scope_or_404(classes_for(user), pk=pk)
    students = _with_record(students_for(user).filter(student_class=klass))
    return klass, list(students.order_by("student_number"))


# --- Issuing ---------------------------------------------------------------------------------

LEVEL_ZH: dict[str, str] = {Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE: "高起专",
            Level.JUNIOR_COLLEGE_TO_BACHELOR: "专升本",
            Level.HIGH_SCHOOL_TO_BACHELOR: "高起本"}  # fmt: skip
MODE_ZH: dict[str, str] = {StudyMode.CORRESPONDENCE: "函授", StudyMode.SPARE_TIME: "业余"}
RETAKE_ZH = "重修"
DEGREE_COURSE_ZH = "学位课"


def term_label_zh(row: ResultRow) -> str:
    number = "一" if row.term_number == 1 else "二"
    return f"{row.start_year}–{row.start_year + 1}学年 第{number}学期"


def remarks_zh(row: ResultRow) -> str:
    return "、".join(
        word
        for word, applies in ((RETAKE_ZH, row.retake), (DEGREE_COURSE_ZH, row.is_degree_course))
        if applies
    )


def credits_text(value: Decimal) -> str:
    return grading.show(value)


def average_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def printed_row(row: ResultRow) -> list[str]:
    """A course row as the PDF prints it (and as the digest covers it)."""
    return [row.course_code, row.course_name, credits_text(row.credits), row.result_zh,
            row.makeup_zh, remarks_zh(row)]  # fmt: skip


def digest_of(student: Student, rows: Sequence[ResultRow]) -> str:
    """sha256 over the printed lines: the student's name and number, then every row under its
    term. A transcript whose rows were altered after issue no longer matches."""
    lines = [[student.student_number, student.name]]
    lines += [[term_label_zh(row), *printed_row(row)] for row in rows]
    data = json.dumps(lines, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedTranscript:
    """A transcript as recorded, with the student and the rows it prints."""

    transcript: Transcript
    student: Student
    rows: list[ResultRow]
    summary: grading.Summary


def summary_json(
    student: Student, rows: Sequence[ResultRow], totals: grading.Summary
) -> dict[str, Any]:
    """What the transcript prints, as recorded for the verification page."""
    program = student.program
    return {
        "name": student.name,
        "student_number": student.student_number,
        "major": program.major.name,
        "level": program.level,
        "mode": program.mode,
        "cohort": student.cohort_year,
        "rows": len(rows),
        "courses": totals.courses,
        "passed": totals.passed,
        "failed": totals.failed,
        "credits_earned": credits_text(totals.credits_earned),
        "gpa": None if totals.gpa is None else str(totals.gpa),
        "average": None if totals.average is None else str(totals.average),
        "degree_average": None if totals.degree_average is None else str(totals.degree_average),
    }


@transaction.atomic
def transcript_issue(*, actor: User, students: Sequence[Student]) -> list[IssuedTranscript]:
    """Record a transcript for each student (in the order given) with a fresh verification
    code: one read and one insert whatever the number of students. The caller chose the
    students within the actor's scope (`student_for_transcript`, `class_for_transcripts`)."""
    results = grade_selectors.results_of_students(list(students))
    codes: set[str] = set()
    while len(codes) < len(students):  # 80 random bits: a clash is all but impossible
        codes.add(new_code())
    drafts = []
    for student, code in zip(students, sorted(codes), strict=True):
        rows = results[student.pk]
        totals = grade_selectors.summary(rows)
        transcript = Transcript(
            code=code,
            student=student,
            issued_by=actor,
            summary=summary_json(student, rows, totals),
            digest=digest_of(student, rows),
        )
        drafts.append((transcript, student, rows, totals))
    Transcript.objects.bulk_create([draft[0] for draft in drafts])
    audit.info(
        "%d transcripts issued by %s",
        len(drafts),
        actor.username,
        extra=event(
            actor,
            "transcript.issue",
            "teaching.Transcript",
            details={"transcripts": [d[0].pk for d in drafts]},
        ),
    )
    return [IssuedTranscript(*draft) for draft in drafts]


def transcript_lookup(code: str) -> Transcript | None:
    """The transcript a printed copy's code names, if any (a public read)."""
    code = normalize_code(code)
    if not is_wellformed(code):
        return None
    return Transcript.objects.filter(code=code).first()


# --- Verification page -----------------------------------------------------------------------


def mask_name(name: str) -> str:
    """张* / 欧** : the first character only."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_student_number(number: str) -> str:
    """1020******01: the college and year prefix and the last two digits."""
    if len(number) <= 6:
        return "*" * (len(number) - 2) + number[-2:]
    return number[:4] + "*" * (len(number) - 6) + number[-2:]


@dataclass(frozen=True)
class VerifiedTranscript:
    """What the public verification page shows of a genuine transcript: nothing personal
    beyond a masked name and student number."""

    code: str
    issued_at: dt.datetime
    name: str
    student_number: str
    major: str
    level: str
    mode: str
    courses: int
    credits_earned: str
    gpa: str
    average: str
    degree_average: str
    fingerprint: str


def verification_facts(transcript: Transcript) -> VerifiedTranscript:
    """The recorded figures (as printed then, whatever has changed since), with labels in the
    page's language."""
    shown = transcript.summary
    return VerifiedTranscript(
        code=grouped(transcript.code),
        issued_at=transcript.issued_at,
        name=mask_name(shown.get("name", "")),
        student_number=mask_student_number(shown.get("student_number", "")),
        major=shown.get("major", ""),
        level=str(Level(shown["level"]).label) if shown.get("level") in Level.values else "",
        mode=str(StudyMode(shown["mode"]).label) if shown.get("mode") in StudyMode.values else "",
        courses=shown.get("courses", 0),
        credits_earned=shown.get("credits_earned", ""),
        gpa=shown.get("gpa") or "—",
        average=shown.get("average") or "—",
        degree_average=shown.get("degree_average") or "—",
        fingerprint=fingerprint(transcript.digest),
    )


def fingerprint(digest: str) -> str:
    """The digest's first 16 hex digits, printed on the copy and shown by the page."""
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


# --- The PDF ---------------------------------------------------------------------------------

# The bundled CJK font has no Latin letters or digits; those print in Bitstream Vera, which
# ships with reportlab itself. Both are embedded (as the subsets used): nothing is left to
# the fonts of the machine that opens the PDF.
CJK_FONT = "CemsSans"
CJK_FONT_PATH = (
    Path(__file__).resolve().parent.parent / "core" / "fonts" / "DroidSansFallbackFull.ttf"
)
LATIN_FONT = "CemsLatin"
LATIN_FONT_FILE = "Vera.ttf"  # found on reportlab's own font path
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
QR_SIZE = 25 * mm
BODY = 8.5
GRID = colors.HexColor("#9aa3ad")
SHADE = colors.HexColor("#eef1f4")
# 课程代码, 课程名称, 学分, 成绩, 补考成绩, 备注: the width between the margins.
COLUMN_WIDTHS = [58, 205, 38, 58, 58, TEXT_WIDTH - 417]
HEADINGS = ["课程代码", "课程名称", "学分", "成绩", "补考成绩", "备注"]


@functools.cache
def _latin_characters() -> frozenset[int]:
    """Register the fonts once per process; the characters the Latin one prints."""
    pdfmetrics.registerFont(TTFont(CJK_FONT, str(CJK_FONT_PATH)))
    latin = TTFont(LATIN_FONT, LATIN_FONT_FILE)
    pdfmetrics.registerFont(latin)
    return frozenset(latin.face.charToGlyph)


def _runs(text: str) -> list[tuple[str, str]]:
    """The text cut into runs of one font each: (font name, characters)."""
    latin = _latin_characters()
    runs: list[tuple[str, str]] = []
    for char in text:
        font = LATIN_FONT if ord(char) in latin else CJK_FONT
        if char == " " and runs:
            font = runs[-1][0]
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def _markup(text: str) -> str:
    """Paragraph markup of the text, its Latin runs in the Latin font."""
    return "".join(
        escape(chunk) if font == CJK_FONT else f'<font face="{LATIN_FONT}">{escape(chunk)}</font>'
        for font, chunk in _runs(text)
    )


def _width(runs: list[tuple[str, str]], size: float) -> float:
    return float(sum(pdfmetrics.stringWidth(chunk, font, size) for font, chunk in runs))


def _draw_runs(
    canvas: Canvas, x: float, y: float, runs: list[tuple[str, str]], size: float
) -> None:
    for font, chunk in runs:
        canvas.setFont(font, size)
        canvas.drawString(x, y, chunk)
        x += pdfmetrics.stringWidth(chunk, font, size)


class _Line(Flowable):
    """One line of mixed Chinese and Latin text: a table cell that needs no wrapping (a
    Paragraph would do, several times slower, for the thousands of cells of a class)."""

    def __init__(self, text: str, size: float = BODY) -> None:
        super().__init__()
        self.runs = _runs(text)
        self.size = size
        self.text_width = _width(self.runs, size)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.text_width, self.size * 1.2

    def draw(self) -> None:
        _draw_runs(self.canv, 0, self.size * 0.25, self.runs, self.size)


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    _latin_characters()
    base = ParagraphStyle("body", fontName=CJK_FONT, fontSize=BODY, leading=BODY * 1.35,
                          wordWrap="CJK")  # fmt: skip
    centered = ParagraphStyle("centered", parent=base, alignment=TA_CENTER)
    return {
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, leading=BODY * 1.2),
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10),
        "school": ParagraphStyle("school", parent=centered, fontSize=15, leading=20),
        "school_en": ParagraphStyle("school_en", parent=centered, fontSize=8, leading=11),
        "title": ParagraphStyle("title", parent=centered, fontSize=22, leading=30, spaceBefore=6),
        "subtitle": ParagraphStyle(
            "subtitle", parent=centered, fontSize=10, leading=14, spaceAfter=8
        ),
    }


def _paragraph(text: str, style: str) -> Paragraph:
    return Paragraph(_markup(text), _styles()[style])


def _table_style(*commands: tuple[Any, ...]) -> TableStyle:
    # Cells set in the CJK font by default, so that no other font is ever named in the PDF.
    return TableStyle([("FONT", (0, 0), (-1, -1), CJK_FONT, BODY),
                       ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                       ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), *commands])  # fmt: skip


class _Sections:
    """Which transcript the page being laid out belongs to: the footer prints its code and
    the page's number within it."""

    def __init__(self) -> None:
        self.current: IssuedTranscript | None = None
        self.first_page = 1


class _SectionStart(Flowable):
    """An invisible mark at the top of a transcript: from here on, pages are its."""

    def __init__(self, sections: _Sections, issued: IssuedTranscript) -> None:
        super().__init__()
        self.sections = sections
        self.issued = issued

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.sections.current = self.issued
        self.sections.first_page = self.canv.getPageNumber()
        student, code = self.issued.student, self.issued.transcript.code
        self.canv.bookmarkPage(code)
        self.canv.addOutlineEntry(f"{student.student_number} {student.name}", code)


def _qr(url: str) -> QrCode:
    # Drawn straight on the canvas: a graphics Drawing takes ten times as long.
    return QrCode(url, width=QR_SIZE, height=QR_SIZE, qrLevel="M")


def _cell_text(text: str, width: float) -> Flowable:
    """A cell's text: one line when it fits the column, else wrapped."""
    line = _Line(text)
    return line if line.text_width <= width - 12 else _paragraph(text, "cell")


def _facts_table(student: Student) -> Table:
    program = student.program
    klass = student.student_class
    cells = [
        ["姓名", student.name, "学号", student.student_number],
        ["专业", program.major.name, "层次", LEVEL_ZH.get(program.level, program.level)],
        ["学习形式", MODE_ZH.get(program.mode, program.mode), "函授站", student.station.name],
        ["年级", f"{student.cohort_year}级", "班级", klass.name if klass else "—"],
    ]
    data = [[text if i % 2 == 0 else _paragraph(text, "cell") for i, text in enumerate(row)]
            for row in cells]  # fmt: skip
    label, value = 58, (TEXT_WIDTH - 116) / 2
    table = Table(data, colWidths=[label, value, label, value])
    table.setStyle(
        _table_style(("BACKGROUND", (0, 0), (0, -1), SHADE), ("BACKGROUND", (2, 0), (2, -1), SHADE))
    )
    return table


def _courses_table(rows: Sequence[ResultRow]) -> Table:
    """The course rows under their terms; the heading repeats on every page."""
    data: list[list[Any]] = [list(HEADINGS)]
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("ALIGN", (2, 0), (4, -1), "CENTER"),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    term = None
    for row in rows:
        label = term_label_zh(row)
        if label != term:
            term = label
            commands += [("SPAN", (0, len(data)), (-1, len(data))),
                         ("BACKGROUND", (0, len(data)), (-1, len(data)), SHADE)]  # fmt: skip
            data.append([_Line(label), "", "", "", "", ""])
        code, name, *rest = printed_row(row)
        name_cell = _cell_text(name, COLUMN_WIDTHS[1])
        data.append([_Line(code), name_cell, *(_Line(text) for text in rest)])
    if not rows:
        commands.append(("SPAN", (0, 1), (-1, 1)))
        data.append(["暂无已提交的成绩", "", "", "", "", ""])
    table = Table(data, colWidths=COLUMN_WIDTHS, repeatRows=1)
    table.setStyle(_table_style(*commands))
    return table


def _totals_table(totals: grading.Summary) -> Table:
    figures = [str(totals.courses), credits_text(totals.credits_earned), average_text(totals.gpa),
               average_text(totals.average), average_text(totals.degree_average)]  # fmt: skip
    data = [
        ["修读课程（门）", "获得学分", "平均学分绩点", "平均成绩", "学位课平均成绩"],
        [_Line(text) for text in figures],
    ]
    table = Table(data, colWidths=[TEXT_WIDTH / 5] * 5)
    table.setStyle(
        _table_style(("BACKGROUND", (0, 0), (-1, 0), SHADE), ("ALIGN", (0, 0), (-1, -1), "CENTER"))
    )
    return table


def _rules_note() -> str:
    scores = settings.CEMS_FIVE_LEVEL_SCORES
    levels = "、".join(
        f"{grading.LEVEL_LABELS_ZH[level]} {scores[level.value]}" for level in grading.FIVE_LEVELS
    )
    return (
        f"说明：百分制 {settings.CEMS_PASS_SCORE} 分及格；五级制计入平均成绩时按 {levels} 分计；"
        "合格制与免修课程不计入平均成绩。每门课程取最好的一次成绩，按学分加权计算平均成绩与"
        "平均学分绩点（绩点 =（成绩 − 50）÷ 10，不及格为 0）。"
    )


def _verification_block(issued: IssuedTranscript, url: str) -> Table:
    transcript = issued.transcript
    issued_on = timezone.localtime(transcript.issued_at).date()
    lines = [
        f"签发日期：{issued_on.year}年{issued_on.month}月{issued_on.day}日",
        f"验证码：{grouped(transcript.code)}",
        f"校验摘要：{fingerprint(transcript.digest)}",
        f"验证真伪请访问 {url}",
        f"Verify at {url}",
    ]
    text = [_paragraph(line, "body") for line in lines]
    table = Table([[text, _qr(url)]], colWidths=[TEXT_WIDTH - QR_SIZE - 8, QR_SIZE + 8])
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), CJK_FONT, BODY),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
    return table


def _story(sections: _Sections, issued: IssuedTranscript, url: str) -> list[Flowable]:
    return [
        _SectionStart(sections, issued),
        _paragraph(settings.CEMS_SCHOOL_NAME, "school"),
        _paragraph(settings.CEMS_SCHOOL_NAME_EN, "school_en"),
        _paragraph("成 绩 单", "title"),
        _paragraph("Academic Transcript", "subtitle"),
        _facts_table(issued.student),
        Spacer(0, 8),
        _courses_table(issued.rows),
        Spacer(0, 8),
        KeepTogether([
            _totals_table(issued.summary),
            Spacer(0, 4),
            _paragraph(_rules_note(), "small"),
            Spacer(0, 10),
            _verification_block(issued, url),
        ]),
    ]  # fmt: skip


def render_pdf(issued: Sequence[IssuedTranscript], *, verify_url: Callable[[str], str]) -> bytes:
    """The transcripts in one PDF, each starting on a new page; `verify_url` gives the
    absolute address of a code's verification page (printed and in the QR code)."""
    sections = _Sections()
    story: list[Flowable] = []
    for index, transcript in enumerate(issued):
        if index:
            story.append(PageBreak())
        story += _story(sections, transcript, verify_url(transcript.transcript.code))
    if not issued:
        story.append(_paragraph("没有可打印的成绩单。No transcripts to print.", "body"))

    def footer(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        current = sections.current
        if current is None:
            return
        page = canvas.getPageNumber() - sections.first_page + 1
        runs = _runs(f"{settings.CEMS_SCHOOL_NAME} · 成绩单 · {current.student.name} "
                     f"{current.student.student_number} · 验证码 "
                     f"{grouped(current.transcript.code)} · 第 {page} 页")  # fmt: skip
        canvas.saveState()
        canvas.setFillColor(colors.HexColor("#555555"))
        _draw_runs(canvas, (PAGE_WIDTH - _width(runs, 7.5)) / 2, 10 * mm, runs, 7.5)
        canvas.restoreState()

    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title="成绩单 Academic Transcript",
        author=settings.CEMS_SCHOOL_NAME,
        creator="CEMS",
        initialFontName=CJK_FONT,
    )
    frame = Frame(document.leftMargin, document.bottomMargin, document.width, document.height)
    # The footer is drawn at the end of each page, once the page's section mark is placed.
    document.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=footer)])
    document.build(story)
    return buffer.getvalue()
