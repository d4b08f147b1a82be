import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from cems.accounts.models import User
from cems.catalog.models import Level, Major, Program, StudyMode
from cems.conftest import World, add_student, make_id_number
from cems.organization.models import Station
from cems.students import selectors
from cems.students.models import (
    ApprovalStep,
    Registration,
    RequestState,
    StatusChangeApproval,
    StatusChangeKind,
    StatusChangeRequest,
    Student,
    StudentClass,
    StudentNumberChange,
    StudentStatus,
)

X_ID = make_id_number(dt.date(1990, 5, 17), "M", 5)  # 43030219900517051X


@pytest.fixture
def accounting(world: World) -> Program:
    major = Major.objects.create(
        code="120203K", short_code="002", name="会计学", name_en="Accounting",
        discipline="management",
    )  # fmt: skip
    return Program.objects.create(
        major=major,
        level=Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE,
        mode=StudyMode.SPARE_TIME,
        standard_length_years=Decimal("2.5"),
        credits_to_graduate=70,
        tuition_per_year=Decimal("2800"),
    )


def numbers(students) -> list[str]:
    return [s.student_number for s in students]


def names(students) -> set[str]:
    return {s.name for s in students}


class TestSearch:
    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            ("张伟", {"张伟"}),
            ("伟", {"张伟"}),  # part of a name
            (" 李 ", {"李娜"}),
            ("10202500100", {"张伟", "李娜", "王芳"}),  # 学号 prefix
            ("102025001003", {"王芳"}),
            ("26102025001002", {"李娜"}),  # 考生号
            ("2610202500100", {"张伟", "李娜", "王芳"}),
            ("陈", set()),
        ],
    )
    def test_name_and_numbers(self, world, users, q, expected):
        found = selectors.student_list(user=users["academic"], filters={"q": q})
        assert names(found) == expected

    def test_exact_id_number(self, world, users):
        found = selectors.student_list(user=users["academic"], filters={"q": world.b1.id_number})
        assert names(found) == {"王芳"}

    @pytest.mark.parametrize("q", [X_ID, X_ID.lower(), f" {X_ID.lower()} "])
    def test_id_number_with_x_in_either_case(self, world, users, q):
        add_student(world, 5, name="钱七", id_number=X_ID, birth_date=dt.date(1990, 5, 17))
        found = selectors.student_list(user=users["academic"], filters={"q": q})
        assert names(found) == {"钱七"}

    def test_id_number_is_matched_whole_never_by_prefix(self, world, users):
        prefix = world.a1.id_number[:10]
        assert names(selectors.student_list(user=users["academic"], filters={"q": prefix})) == set()
        partial = world.a1.id_number[:17]
        assert (
            names(selectors.student_list(user=users["academic"], filters={"q": partial})) == set()
        )

    def test_old_15_digit_id_number_finds_the_18_digit_record(self, world, users):
        # 430302 950302 011 is the 15-digit form of a1's 430302 19950302 011 9.
        old = world.a1.id_number[:6] + world.a1.id_number[8:17]
        found = selectors.student_list(user=users["academic"], filters={"q": old})
        assert names(found) == {"张伟"}

    def test_latin_letters_match_part_of_a_name(self, world, users):
        add_student(world, 7, name="Anna Schmidt")
        found = selectors.student_list(user=users["academic"], filters={"q": "anna"})
        assert names(found) == {"Anna Schmidt"}

    def test_search_never_leaves_the_scope(self, world, users):
        found = selectors.student_list(user=users["station"], filters={"q": world.b1.id_number})
        assert list(found) == []
        found = selectors.student_list(user=users["station"], filters={"q": "王芳"})
        assert list(found) == []


class TestStudentList:
    def test_scope_of_each_role(self, world, users):
        assert numbers(selectors.student_list(user=users["finance"], filters={})) == [
            "102025001001", "102025001002", "102025001003",
        ]  # fmt: skip
        assert names(selectors.student_list(user=users["station"], filters={})) == {"张伟", "李娜"}
        assert names(selectors.student_list(user=users["student"], filters={})) == {"张伟"}
        assert list(selectors.student_list(user=users["teacher"], filters={})) == []

    def test_filter_by_station_and_province(self, world, users):
        academic = users["academic"]
        by_station = selectors.student_list(user=academic, filters={"station": world.station_b})
        assert names(by_station) == {"王芳"}
        by_province = selectors.student_list(user=academic, filters={"province": world.hunan})
        assert names(by_province) == {"张伟", "李娜"}

    def test_station_outside_scope_never_widens(self, world, users):
        found = selectors.student_list(user=users["station"], filters={"station": world.station_b})
        assert list(found) == []

    def test_filter_by_major_level_and_mode(self, world, users, accounting):
        add_student(world, 1, name="孙八", program=accounting)
        academic = users["academic"]
        for key, value in [
            ("major", accounting.major),
            ("level", Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE),
            ("mode", StudyMode.SPARE_TIME),
        ]:
            assert names(selectors.student_list(user=academic, filters={key: value})) == {"孙八"}
        by_level = selectors.student_list(
            user=academic, filters={"level": Level.JUNIOR_COLLEGE_TO_BACHELOR}
        )
        assert names(by_level) == {"张伟", "李娜", "王芳"}

    def test_filter_by_cohort_and_status(self, world, users):
        add_student(world, 1, name="孙八", cohort_year=2024, status=StudentStatus.SUSPENDED)
        academic = users["academic"]
        assert names(selectors.student_list(user=academic, filters={"cohort": 2024})) == {"孙八"}
        assert names(
            selectors.student_list(user=academic, filters={"status": StudentStatus.SUSPENDED})
        ) == {"孙八"}

    def test_empty_filters_are_ignored_and_filters_combine(self, world, users):
        add_student(world, 1, name="孙八", cohort_year=2024)
        filters = {"station": world.station_a, "cohort": 2025, "status": "", "level": None, "q": ""}
        found = selectors.student_list(user=users["academic"], filters=filters)
        assert names(found) == {"张伟", "李娜"}

    def test_ordered_by_student_number(self, world, users):
        add_student(world, 1)
        found = numbers(selectors.student_list(user=users["academic"], filters={}))
        assert found == sorted(found)


class TestStudentGet:
    def test_in_scope(self, world, users):
        assert selectors.student_get(user=users["station"], pk=world.a2.pk) == world.a2
        assert selectors.student_get(user=users["student"], pk=world.a1.pk) == world.a1

    @pytest.mark.parametrize(
        ("role", "student"), [("station", "b1"), ("student", "a2"), ("teacher", "a1")]
    )
    def test_outside_scope_is_not_found(self, world, users, role, student):
        with pytest.raises(Http404):
            selectors.student_get(user=users[role], pk=getattr(world, student).pk)


class TestStudentCountsBy:
    def test_counts_with_labels_largest_first(self, world, users):
        world.b1.status = StudentStatus.GRADUATED
        world.b1.save()
        rows = selectors.student_counts_by(user=users["academic"], field="status")
        assert [(r["status"], r["count"], str(r["label"])) for r in rows] == [
            ("registered", 2, str(StudentStatus.REGISTERED.label)),
            ("graduated", 1, str(StudentStatus.GRADUATED.label)),
        ]

    def test_one_station(self, world, users):
        rows = selectors.student_counts_by(
            user=users["academic"], field="program__level", station=world.station_b
        )
        assert [(r["program__level"], r["count"]) for r in rows] == [(world.program.level, 1)]

    def test_field_without_choices_is_its_own_label(self, world, users):
        rows = selectors.student_counts_by(user=users["academic"], field="cohort_year")
        assert [(r["label"], r["count"]) for r in rows] == [(2025, 3)]

    def test_stays_within_scope(self, world, users):
        rows = selectors.student_counts_by(
            user=users["station"], field="status", station=world.station_b
        )
        assert rows == []
        rows = selectors.student_counts_by(user=users["station"], field="status")
        assert [r["count"] for r in rows] == [2]


class TestPrefixSearch:
    @pytest.mark.parametrize(
        ("prefix", "expected"),
        [("1020250010", {"102025001001", "102025001002", "102025001003"}),
         ("102025001003", {"102025001003"}), ("1020250019", set()), ("9", set())],
    )  # fmt: skip
    def test_starts_with(self, world, prefix, expected):
        add_student(world, 9, student_number="1020250011")  # sorts just before the range
        found = Student.objects.filter(selectors.starts_with("student_number", prefix))
        assert set(found.values_list("student_number", flat=True)) == expected

    def test_any_characters(self, world):
        add_student(world, 9, student_number="S-2026-001")
        add_student(world, 10, student_number="S-2027-001")
        found = Student.objects.filter(selectors.starts_with("student_number", "S-2026"))
        assert list(found.values_list("student_number", flat=True)) == ["S-2026-001"]

    def test_letters_are_matched_as_written(self, world):
        add_student(world, 9, student_number="ZB001")
        add_student(world, 10, student_number="zb002")
        found = Student.objects.filter(selectors.starts_with("student_number", "ZB"))
        assert list(found.values_list("student_number", flat=True)) == ["ZB001"]


class TestKeysetPage:
    @pytest.fixture
    def twelve(self, world: World) -> list[str]:
        for serial in range(1, 10):
            add_student(world, serial)
        return sorted(Student.objects.values_list("student_number", flat=True))

    def page(self, users: dict[str, User], **cursor: Any) -> selectors.KeysetPage:
        students = selectors.student_list(user=users["academic"], filters={})
        return selectors.keyset_page(students, key="student_number", size=5, **cursor)

    def test_forward_backward_and_last(self, world, users, twelve):
        first = self.page(users)
        assert numbers(first) == twelve[:5]
        assert (first.has_previous, first.has_next, first.count) == (False, True, None)
        second = self.page(users, after=first.next_cursor)
        assert numbers(second) == twelve[5:10]
        assert (second.has_previous, second.has_next) == (True, True)
        third = self.page(users, after=second.next_cursor)
        assert numbers(third) == twelve[10:]
        assert (third.has_previous, third.has_next) == (True, False)
        back = self.page(users, before=third.previous_cursor)
        assert numbers(back) == twelve[5:10]
        assert (back.has_previous, back.has_next) == (True, True)
        assert numbers(self.page(users, before=back.previous_cursor)) == twelve[:5]
        assert self.page(users, before=back.previous_cursor).has_previous is False
        last = self.page(users, last=True)
        assert numbers(last) == twelve[7:]
        assert (last.has_previous, last.has_next) == (True, False)

    def test_a_page_holding_every_row_knows_the_count(self, world, users):
        page = self.page(users)
        assert (page.count, page.has_next, page.has_previous) == (3, False, False)

    def test_never_leaves_the_scope(self, world, users, twelve):
        students = selectors.student_list(user=users["station"], filters={})
        page = selectors.keyset_page(students, key="student_number", size=50)
        assert world.b1 not in page.rows
        assert page.count == 11

    def test_two_queries_and_no_count(self, world, users, twelve):
        students = selectors.student_list(user=users["academic"], filters={})
        with CaptureQueriesContext(connection) as queries:
            page = selectors.keyset_page(
                students, key="student_number", size=5, related=selectors.STUDENT_RELATED
            )
            for student in page:
                assert student.station.province.name
                assert student.program.major.name
        assert len(queries) == 2
        assert not any("COUNT(" in q["sql"].upper() for q in queries)

    def test_bounded_count(self, world, users, twelve):
        students = selectors.student_list(user=users["academic"], filters={})
        assert selectors.bounded_count(students) == (12, True)
        assert selectors.bounded_count(students, limit=10) == (10, False)
        with CaptureQueriesContext(connection) as queries:
            selectors.bounded_count(students, limit=10)
        assert "LIMIT 11" in queries[0]["sql"]


class TestClassChoices:
    @pytest.fixture
    def classes(self, world: World) -> dict[str, StudentClass]:
        def make(code: str, station: Station, year: int) -> StudentClass:
            return StudentClass.objects.create(
                code=code, name=f"{code}班", station=station, program=world.program,
                cohort_year=year,
            )  # fmt: skip

        return {
            "a25": make("A25", world.station_a, 2025),
            "a26": make("A26", world.station_a, 2026),
            "b26": make("B26", world.station_b, 2026),
        }

    def test_the_users_classes_narrowed_by_the_other_filters(self, world, users, classes):
        found, more = selectors.class_choices(user=users["academic"], filters={})
        assert (found, more) == ([classes["a26"], classes["b26"], classes["a25"]], False)
        found, _more = selectors.class_choices(
            user=users["academic"], filters={"station": world.station_a, "cohort": 2026}
        )
        assert found == [classes["a26"]]
        found, _more = selectors.class_choices(user=users["station"], filters={})
        assert found == [classes["a26"], classes["a25"]]

    def test_at_most_a_limit_and_the_chosen_one_always(self, world, users, classes, monkeypatch):
        monkeypatch.setattr(selectors, "CLASS_CHOICES_LIMIT", 1)
        found, more = selectors.class_choices(
            user=users["academic"], filters={}, selected=classes["a25"]
        )
        assert (found, more) == ([classes["a25"], classes["a26"]], True)


class TestTimeline:
    def test_every_event_newest_first(self, world, users):
        from cems.students.tests.candidates import add_candidate, add_import

        student = world.a1
        source = add_import()
        add_candidate(world, 1, exam_number=student.exam_number, student=student, source=source,
                      status="enrolled")  # fmt: skip
        Registration.objects.create(student=student, academic_year=2025, tuition_paid=True)
        request = StatusChangeRequest.objects.create(
            student=student, kind=StatusChangeKind.SUSPEND, reason="工作调动",
            filed_by=users["station"], state=RequestState.REJECTED,
            rejection_reason="材料不全",
        )  # fmt: skip
        StatusChangeApproval.objects.create(
            request=request, step=ApprovalStep.STATION, approved=True, decided_by=users["station"]
        )
        StatusChangeApproval.objects.create(
            request=request, step=ApprovalStep.SCHOOL, approved=False, comment="材料不全",
            decided_by=users["academic"],
        )  # fmt: skip
        StudentNumberChange.objects.create(
            student=student, old_number="102025001001", new_number="102025002001"
        )
        with CaptureQueriesContext(connection) as queries:
            timeline = selectors.student_timeline(student=student)
            kinds = [event.kind for event in timeline.events]
        assert len(queries) == 5
        assert sorted(kinds) == sorted(["admitted", "enrolled", "registered", "requested",
                                        "decided", "decided", "renumbered"])  # fmt: skip
        ats = [event.at for event in timeline.events]
        assert ats == sorted(ats, reverse=True)
        assert kinds[0] == "renumbered"
        decided = [e.subject for e in timeline.events if e.kind == "decided"]
        assert [d.approved for d in decided] == [False, True]  # the later decision first
        assert timeline.candidate is not None
        assert timeline.candidate.source == source
        assert [c.old_number for c in timeline.number_changes] == ["102025001001"]

    def test_a_record_without_history(self, world):
        timeline = selectors.student_timeline(student=world.b1)
        assert [event.kind for event in timeline.events] == ["enrolled"]
        assert timeline.candidate is None

    def test_bounded_queries_whatever_the_history(self, world, users):
        for year in range(2025, 2030):
            Registration.objects.create(student=world.a1, academic_year=year)
        for _ in range(4):
            request = StatusChangeRequest.objects.create(
                student=world.a1, kind=StatusChangeKind.WITHDRAW, reason="r",
                filed_by=users["station"],
            )  # fmt: skip
            StatusChangeApproval.objects.create(
                request=request, step=ApprovalStep.STATION, approved=True,
                decided_by=users["station"],
            )  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            events = selectors.student_timeline(student=world.a1).events
            for event in events:
                if event.kind == "decided":
                    assert event.subject.decided_by.username
                    assert event.subject.request.get_kind_display()
                if event.kind == "requested":
                    assert event.subject.filed_by.username
        assert len(events) == 1 + 5 + 4 + 4
        assert len(queries) == 5


class TestEnrollableCandidates:
    def test_admitted_candidates_in_scope_matching_the_filters(self, world, users, accounting):
        from cems.students.tests.candidates import add_candidate

        a = add_candidate(world, 1)
        b = add_candidate(world, 2, station=world.station_b)
        older = add_candidate(world, 3, admission_year=2025)
        other = add_candidate(world, 4, program=accounting)
        add_candidate(world, 5, status="enrolled", student=world.a2)
        academic = users["academic"]
        assert set(selectors.enrollable_candidates(user=academic, filters={})) == {
            a, b, older, other,
        }  # fmt: skip
        by = {"year": 2025, "station": world.station_b, "level": accounting.level,
              "major": accounting.major, "mode": accounting.mode}  # fmt: skip
        expected = {"year": {older}, "station": {b}, "level": {other}, "major": {other},
                    "mode": {other}}  # fmt: skip
        for key, value in by.items():
            found = selectors.enrollable_candidates(user=academic, filters={key: value})
            assert set(found) == expected[key], key
        assert list(selectors.enrollable_candidates(user=academic, filters=None)) == []
        assert set(selectors.enrollable_candidates(user=users["station"], filters={})) == {
            a, older, other,
        }  # fmt: skip


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("10202503", "10202504"), ("1029", "103"), ("ZB", "ZC"), ("zz9", None), ("a9Z", "b"),
     ("999", None)],
)  # fmt: skip
def test_alphanumeric_successor(prefix, expected):
    assert selectors._alphanumeric_successor(prefix) == expected
