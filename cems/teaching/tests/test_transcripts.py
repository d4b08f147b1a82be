"""Transcripts: issuing (cems/teaching/transcripts.py), the PDFs and their views, and the
public verification page (cems/teaching/transcript_views.py)."""

import re
from decimal import Decimal
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cems.accounts.models import Role, User
from cems.catalog.models import PlanCourse
from cems.conftest import add_student
from cems.core.ratelimit import LOOKUP_LIMIT
from cems.students.models import Student, StudentClass
from cems.teaching import grade_selectors, transcripts
from cems.teaching import grade_services as gs
from cems.teaching.grade_services import CellEdit
from cems.teaching.models import CourseOffering, EnrollmentKind, OfferingStudent, Term, Transcript
from cems.teaching.tests.conftest import Teaching, add_plan_course, make_offering


@pytest.fixture(autouse=True)
def _fresh_lookup_counters():
    cache.clear()
    yield
    cache.clear()


def graded(
    teaching: Teaching,
    klass: StudentClass,
    entry: PlanCourse,
    term: Term,
    results: dict[Student, dict[str, str]],
    actor: User,
    kind: str = EnrollmentKind.REGULAR,
) -> CourseOffering:
    """An offering of `entry` to `klass` in `term` whose grades (student -> {field: text})
    are entered and submitted by `actor`; makeup results given are submitted too."""
    offering = make_offering(teaching, klass, term=term, entry=entry)
    entries = {
        student: OfferingStudent.objects.create(offering=offering, student=student, kind=kind)
        for student in results
    }
    original = [
        CellEdit(entries[s].pk, field, text)
        for s, cells in results.items()
        for field, text in cells.items()
        if not field.startswith("makeup")
    ]
    gs.grades_save(actor=actor, offering_id=offering.pk, edits=original)
    gs.grades_submit(actor=actor, offering_id=offering.pk)
    makeup = [
        CellEdit(entries[s].pk, field, text)
        for s, cells in results.items()
        for field, text in cells.items()
        if field.startswith("makeup")
    ]
    if makeup:
        gs.grades_save(actor=actor, offering_id=offering.pk, edits=makeup)
        gs.makeup_submit(actor=actor, offering_id=offering.pk)
    return offering


@pytest.fixture
def history(teaching, world, users):
    """a1: 大学英语(一) 85, 高等数学 55 then makeup 70, 大学英语(二) 90 (a degree course),
    数据结构 retaken; a2: 大学英语(一) 72, 高等数学 48 and absent from the makeup; b1 (class
    B): 大学英语(一) 66."""
    academic = users[Role.ACADEMIC]
    english1, maths = teaching.courses[1]
    [english2] = teaching.courses[2]
    PlanCourse.objects.filter(pk=english2.pk).update(is_degree_course=True)
    english2.refresh_from_db()
    a1, a2, b1 = world.a1, world.a2, world.b1
    graded(teaching, teaching.class_a, english1, teaching.autumn_2025,
           {a1: {"score": "85"}, a2: {"score": "72"}}, academic)  # fmt: skip
    graded(teaching, teaching.class_a, maths, teaching.autumn_2025,
           {a1: {"score": "55", "makeup_score": "70"},
            a2: {"score": "48", "makeup_mark": "缺考"}}, academic)  # fmt: skip
    graded(teaching, teaching.class_a, english2, teaching.spring_2026, {a1: {"score": "90"}},
           academic)  # fmt: skip
    structures = teaching.courses[3][0]
    graded(teaching, teaching.class_b, structures, teaching.autumn_2026, {a1: {"score": "77"}},
           academic, kind=EnrollmentKind.RETAKE)  # fmt: skip
    graded(teaching, teaching.class_b, english1, teaching.autumn_2025, {b1: {"score": "66"}},
           academic)  # fmt: skip
    return world


def pdf_of(response: Any) -> bytes:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    data: bytes = response.content
    assert data.startswith(b"%PDF")
    return data


def page_texts(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    return [page.get_textpage().get_text_range() for page in document]


def student_url(student: Student) -> str:
    return reverse("teaching:transcript_student", args=[student.pk])


def class_url(klass: StudentClass | None) -> str:
    assert klass is not None
    return reverse("teaching:transcript_class", args=[klass.pk])


# --- The PDF ---------------------------------------------------------------------------------


def test_a_students_transcript_prints_every_attempt_and_the_totals(history, client_for):
    data = pdf_of(client_for("academic").get(student_url(history.a1)))
    [transcript] = Transcript.objects.all()
    [text] = page_texts(data)
    for expected in ("成", "张伟", "102025001001", "计算机科学与技术", "专升本", "函授",
                     "长沙函授站", "2025级", "班级A2025", "大学英语(一)", "高等数学",
                     "大学英语(二)", "数据结构", "重修", "学位课", "2025–2026学年 第一学期",
                     "2026–2027学年 第一学期", transcripts.grouped(transcript.code),
                     "湖南科技大学继续教育学院", "Academic Transcript",
                     f"http://testserver/transcripts/verify/{transcript.code}/"):  # fmt: skip
        assert expected in text, expected
    assert "李娜" not in text
    assert "王芳" not in text
    # 高等数学: 55 with the makeup exam's 70 beside it.
    assert re.search(r"高等数学\s*3\s*55\s*70", text), text
    # Four courses, 12 credits; GPA (3.5 + 1.0 + 4.0 + 2.7) / 4 = 2.80 (the makeup counts 60).
    summary = transcript.summary
    assert summary["courses"] == 4
    assert summary["credits_earned"] == "12"
    assert summary["gpa"] == "2.80"
    assert summary["average"] == "78.00"
    assert summary["degree_average"] == "90.00"
    assert summary["name"] == "张伟"
    assert summary["student_number"] == "102025001001"
    assert "2.80" in text
    assert "78.00" in text
    assert "90.00" in text


def test_the_font_is_embedded_and_the_chinese_title_renders_as_glyphs(history, client_for):
    data = pdf_of(client_for("academic").get(student_url(history.a1)))
    assert b"/FontFile2" in data
    assert re.search(rb"/BaseFont /[A-Z]{6}\+DroidSansFallback", data)
    assert re.search(rb"/BaseFont /[A-Z]{6}\+BitstreamVeraSans", data)  # digits and Latin
    # Nothing is left to the fonts of the reading machine: no standard (unembedded) font.
    assert b"/Subtype /Type1" not in data
    assert b"/Helvetica" not in data
    page = pdfium.PdfDocument(data)[0]
    image = page.render(scale=2).to_pil().convert("L")
    textpage = page.get_textpage()
    text = textpage.get_text_range()
    start = text.index("成 绩 单")
    crops = []
    height = page.get_height()
    for index in (start, start + 2, start + 4):  # 成, 绩, 单
        left, bottom, right, top = textpage.get_charbox(index)
        box = (int(left * 2), int((height - top) * 2), int(right * 2) + 1,
               int((height - bottom) * 2) + 1)  # fmt: skip
        crop = image.crop(box)
        dark = sum(crop.histogram()[:128])
        assert dark > 40, f"character {text[index]} has {dark} dark pixels"
        crops.append(crop.resize((24, 24)).tobytes())
    assert len(set(crops)) == 3  # three different glyphs, not three .notdef boxes


def test_a_long_history_continues_on_more_pages_with_the_heading_repeated(
    teaching, world, users, client_for
):
    academic = users[Role.ACADEMIC]
    for n in range(45):
        entry = add_plan_course(teaching.plan, f"XX{n:03d}", f"长课程名称第{n}门", 4)
        graded(teaching, teaching.class_a, entry, teaching.autumn_2026, {world.a1: {"score": "80"}},
               academic)  # fmt: skip
    texts = page_texts(pdf_of(client_for("academic").get(student_url(world.a1))))
    assert len(texts) >= 2
    assert all("课程代码" in text for text in texts)
    assert "第 2 页" in texts[1]
    everything = "".join(texts)
    assert all(f"长课程名称第{n}门" in everything for n in range(45))
    assert "验证码" in texts[-1]
    assert "获得学分" in texts[-1]


def test_a_student_without_results_gets_a_transcript_that_says_so(world, client_for):
    [text] = page_texts(pdf_of(client_for("academic").get(student_url(world.a2))))
    assert "暂无已提交的成绩" in text
    assert Transcript.objects.get().summary["courses"] == 0


def test_the_pdf_is_chinese_whatever_the_pages_language(history, client_for, settings):
    client = client_for("academic")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    [text] = page_texts(pdf_of(client.get(student_url(history.a1))))
    assert "成 绩 单" in text
    assert "专升本" in text
    assert "2025–2026学年 第一学期" in text


def test_the_qr_code_holds_the_absolute_verification_address(history, client_for, monkeypatch):
    encoded = []
    real = transcripts._qr

    def recording(url):
        encoded.append(url)
        return real(url)

    monkeypatch.setattr(transcripts, "_qr", recording)
    pdf_of(client_for("academic").get(student_url(history.a1)))
    code = Transcript.objects.get().code
    assert encoded == [f"http://testserver/transcripts/verify/{code}/"]


def test_a_class_pdf_has_one_section_per_student(history, client_for):
    data = pdf_of(client_for("academic").get(class_url(history.a1.student_class)))
    texts = page_texts(data)
    issued = list(Transcript.objects.order_by("student__student_number"))
    assert [t.student for t in issued] == [history.a1, history.a2]
    assert len({t.code for t in issued}) == 2
    assert sum(text.count("Academic Transcript") for text in texts) == 2
    first = next(i for i, text in enumerate(texts) if "李娜" in text)
    assert "张伟" in "".join(texts[:first])
    assert "张伟" not in "".join(texts[first:])
    assert transcripts.grouped(issued[0].code) in "".join(texts[:first])
    assert transcripts.grouped(issued[1].code) in texts[first]
    assert issued[1].summary["courses"] == 2
    assert issued[1].summary["credits_earned"] == "3"
    assert "王芳" not in "".join(texts)  # class B's student


# --- Who may print what ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["teacher", "finance", "auditor", "training", "trainee"])
def test_roles_without_the_capability_are_refused(history, client_for, role):
    client = client_for(role)
    assert client.get(student_url(history.a1)).status_code == 403
    assert client.get(class_url(history.a1.student_class)).status_code == 403
    assert not Transcript.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(history, client_for):
    response = client_for(None).get(student_url(history.a1))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_station_staff_print_their_stations_students_and_classes_only(history, client_for):
    client = client_for("station")
    pdf_of(client.get(student_url(history.a1)))
    pdf_of(client.get(class_url(history.a1.student_class)))
    assert client.get(student_url(history.b1)).status_code == 404
    assert client.get(class_url(history.b1.student_class)).status_code == 404
    assert Transcript.objects.filter(student=history.b1).count() == 0
    assert Transcript.objects.count() == 3  # a1 alone, then a1 and a2


def test_a_student_prints_their_own_transcript_only(history, client_for, users):
    client = client_for("student")
    pdf_of(client.get(student_url(history.a1)))
    assert client.get(student_url(history.a2)).status_code == 404
    assert client.get(class_url(history.a1.student_class)).status_code == 404
    assert Transcript.objects.get().issued_by == users["student"]


def test_unknown_ids_are_404(world, client_for):
    client = client_for("admin")
    assert client.get(reverse("teaching:transcript_student", args=[999999])).status_code == 404
    assert client.get(reverse("teaching:transcript_class", args=[999999])).status_code == 404


def test_printing_is_get_only(history, client_for):
    assert client_for("academic").post(student_url(history.a1)).status_code == 405


def test_the_student_page_links_to_the_transcript_for_those_who_may_print_it(history, client_for):
    detail = reverse("students:detail", args=[history.a1.pk])
    for role in ("academic", "station", "student"):
        assert student_url(history.a1) in client_for(role).get(detail).content.decode(), role
    for role in ("finance", "auditor"):
        assert student_url(history.a1) not in client_for(role).get(detail).content.decode(), role


# --- Issuing ---------------------------------------------------------------------------------


def test_issuing_records_codes_summaries_and_digests(history, users):
    students = [history.a1, history.a2]
    issued = transcripts.transcript_issue(actor=users["academic"], students=students)
    assert [i.student for i in issued] == students
    for item in issued:
        record = Transcript.objects.get(pk=item.transcript.pk)
        assert transcripts.is_wellformed(record.code)
        assert record.issued_by == users["academic"]
        rows = grade_selectors.student_results(item.student)
        assert record.digest == transcripts.digest_of(item.student, rows)
        totals = grade_selectors.summary(rows)
        assert record.summary["courses"] == totals.courses
        assert record.summary["gpa"] == (str(totals.gpa) if totals.gpa is not None else None)
    again = transcripts.transcript_issue(actor=users["academic"], students=students)
    assert {i.transcript.code for i in again}.isdisjoint({i.transcript.code for i in issued})


def test_issuing_takes_the_same_queries_for_one_student_or_many(teaching, world, users):
    more = [add_student(world, n, student_class=teaching.class_a) for n in range(5)]
    academic = users["academic"]
    english1 = teaching.courses[1][0]
    graded(teaching, teaching.class_a, english1, teaching.autumn_2025,
           {s: {"score": "70"} for s in [world.a1, *more]}, academic)  # fmt: skip
    counts = []
    for students in ([world.a1], [world.a1, *more]):
        with CaptureQueriesContext(connection) as queries:
            transcripts.transcript_issue(actor=academic, students=students)
        counts.append(len(queries))
    # A read, an insert, the savepoint's two, an audit event.
    assert counts[0] == counts[1] == 2 + 2 + 1


def test_the_digest_changes_with_any_printed_row(history):
    rows = grade_selectors.student_results(history.a1)
    digest = transcripts.digest_of(history.a1, rows)
    assert digest == transcripts.digest_of(history.a1, grade_selectors.student_results(history.a1))
    rows[0].result_zh = "86"
    assert transcripts.digest_of(history.a1, rows) != digest


@pytest.mark.parametrize(
    ("typed", "code"),
    [("abcd-efgh-ijkl-mnop", "ABCDEFGHIJKLMNOP"), (" AB0D EFGH 1JKL MNOP ", "ABODEFGHIJKLMNOP")],
)
def test_codes_are_read_as_typed(typed, code):
    assert transcripts.normalize_code(typed) == code
    assert transcripts.is_wellformed(code)


def test_masks():
    assert transcripts.mask_name("张伟") == "张*"
    assert transcripts.mask_name("欧阳娜娜") == "欧***"
    assert transcripts.mask_student_number("102025001001") == "1020******01"
    assert transcripts.mask_student_number("1234") == "**34"


# --- Verification ----------------------------------------------------------------------------


def issue_for(student: Student, users: dict[str, User]) -> Transcript:
    [item] = transcripts.transcript_issue(actor=users["academic"], students=[student])
    return item.transcript


def verify_url(code: str) -> str:
    return reverse("transcripts:verify_code", args=[code])


def test_a_genuine_code_shows_the_masked_figures_to_anyone(history, users, client_for):
    transcript = issue_for(history.a1, users)
    client = Client()
    response = client.get(verify_url(transcript.code))
    assert response.status_code == 200
    html = response.content.decode()
    for shown in ("张*", "1020******01", "计算机科学与技术", "2.80", "78.00", "90.00",
                  transcripts.grouped(transcript.code),
                  transcripts.fingerprint(transcript.digest)):  # fmt: skip
        assert shown in html, shown
    for hidden in ("张伟", "102025001001", history.a1.id_number, history.a1.phone, "长沙函授站",
                   "班级A2025"):  # fmt: skip
        assert hidden not in html, hidden


def test_the_verification_page_says_genuine_in_english_too(history, users, settings):
    transcript = issue_for(history.a1, users)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(verify_url(transcript.code)).content.decode()
    assert "Genuine" in html
    assert "Junior college to bachelor" in html
    assert settings.CEMS_SCHOOL_NAME_EN in html


def test_the_printed_code_opens_its_page(history, client_for):
    data = pdf_of(client_for("station").get(student_url(history.a1)))
    [text] = page_texts(data)
    address = re.search(r"http://testserver(/transcripts/verify/[A-Z2-7]{16}/)", text)
    assert address
    response = Client().get(address.group(1))
    assert response.status_code == 200
    assert "张*" in response.content.decode()


def test_an_unknown_code_is_a_friendly_404(world, settings):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for code in ("ABCDEFGHIJKLMNOP", "not-a-code"):
        response = client.get(verify_url(code))
        assert response.status_code == 404
        html = response.content.decode()
        assert "There is no transcript with this verification code" in html
        assert 'name="code"' in html  # the form to try again


def test_the_form_sends_a_typed_code_to_its_page(world, settings):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("transcripts:verify"))
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()
    response = client.get(reverse("transcripts:verify"), {"code": "abcd-efgh-ijkl-mnop"})
    assert response.status_code == 302
    assert response["Location"] == verify_url("ABCDEFGHIJKLMNOP")
    response = client.get(reverse("transcripts:verify"), {"code": "abc"})
    assert response.status_code == 200
    assert "A code has 16 letters and digits." in response.content.decode()


def test_lookups_are_limited_per_address(history, users):
    transcript = issue_for(history.a1, users)
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(LOOKUP_LIMIT - 1):
        assert client.get(verify_url(f"AAAAAAAAAAAAAA{n:02d}")).status_code == 404
    assert client.get(verify_url(transcript.code)).status_code == 200
    limited = client.get(verify_url(transcript.code))
    assert limited.status_code == 429
    assert "张*" not in limited.content.decode()
    # Another address is not held back.
    assert Client(REMOTE_ADDR="203.0.113.8").get(verify_url(transcript.code)).status_code == 200


def test_the_verification_pages_take_no_sign_in(world):
    assert Client().get(reverse("transcripts:verify")).status_code == 200


def test_transcript_amounts_are_decimal_strings(history, users):
    transcript = issue_for(history.a1, users)
    assert Decimal(transcript.summary["credits_earned"]) == Decimal(12)
