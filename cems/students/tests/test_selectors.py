import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from cems.catalog.models import Level, Major, Program, StudyMode
from cems.conftest import World, add_student, make_id_number
from cems.students import selectors
from cems.students.models import StudentStatus

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
