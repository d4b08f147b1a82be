"""Offerings from teaching plans: which plan term a class is in, what is made, and that
running again adds only what is new."""

import pytest
from django.db.models import QuerySet

from cems.catalog.models import Program, TeachingPlan
from cems.conftest import add_student
from cems.students.models import StudentClass, StudentStatus
from cems.teaching import generation
from cems.teaching.generation import class_plan_term, generate, plan_term_of
from cems.teaching.models import CourseOffering, OfferingStudent
from cems.teaching.tests.conftest import add_plan_course, make_class, make_term

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("cohort", "start_year", "number", "expected"),
    [
        (2025, 2025, 1, 1),  # its first autumn
        (2025, 2025, 2, 2),
        (2025, 2026, 1, 3),
        (2022, 2026, 2, 10),  # a five-year program's last term
        (2026, 2025, 2, 0),  # the term before the cohort starts
        (2026, 2025, 1, -1),
        (2026, 2026, 1, 1),
    ],
)
def test_plan_term_counts_terms_since_the_cohort_started(cohort, start_year, number, expected):
    assert plan_term_of(cohort_year=cohort, start_year=start_year, number=number) == expected


def test_class_plan_term_uses_the_class_cohort(teaching):
    assert class_plan_term(teaching.class_a, teaching.autumn_2025) == 1
    assert class_plan_term(teaching.class_a, teaching.spring_2026) == 2
    assert class_plan_term(teaching.class_a, teaching.autumn_2026) == 3


def registered_classes() -> QuerySet[StudentClass]:
    return generation.classes_with_students((StudentStatus.REGISTERED,))


def offered(term) -> set[tuple[str, str]]:
    return set(
        CourseOffering.objects.filter(term=term).values_list(
            "student_class__code", "plan_course__course__code"
        )
    )


def roster(klass, term) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for code, number in OfferingStudent.objects.filter(
        offering__student_class=klass, offering__term=term
    ).values_list("offering__plan_course__course__code", "student__student_number"):
        result.setdefault(code, set()).add(number)
    return result


def test_each_class_gets_the_courses_of_its_plan_term(world, teaching):
    result = generate(term=teaching.autumn_2026, classes=registered_classes())
    expected = {(k.code, c) for k in (teaching.class_a, teaching.class_b)
                for c in ("ZY001", "ZY002", "ZY003")}  # fmt: skip
    assert offered(teaching.autumn_2026) == expected
    assert result.classes == 2
    assert result.offerings_created == 6
    assert result.students_added == 3 * 3  # a1, a2 on three courses, b1 on three
    assert result.classes_without_plan == []
    a_numbers = {world.a1.student_number, world.a2.student_number}
    assert roster(teaching.class_a, teaching.autumn_2026) == dict.fromkeys(
        ("ZY001", "ZY002", "ZY003"), a_numbers
    )
    assert roster(teaching.class_b, teaching.autumn_2026)["ZY001"] == {world.b1.student_number}
    assert not CourseOffering.objects.exclude(term=teaching.autumn_2026).exists()
    assert not CourseOffering.objects.exclude(teacher=None).exists()


def test_running_again_creates_nothing(teaching):
    generate(term=teaching.autumn_2025, classes=registered_classes())
    before = list(CourseOffering.objects.order_by("pk").values_list("pk", flat=True))
    again = generate(term=teaching.autumn_2025, classes=registered_classes())
    assert (again.offerings_created, again.students_added) == (0, 0)
    assert list(CourseOffering.objects.order_by("pk").values_list("pk", flat=True)) == before
    assert OfferingStudent.objects.count() == 2 * 2 + 2 * 1


def test_running_again_adds_new_students_and_new_plan_courses(world, teaching):
    generate(term=teaching.autumn_2025, classes=registered_classes())
    newcomer = add_student(world, 40, student_class=teaching.class_a)
    add_plan_course(teaching.plan, "JC009", "线性代数", 1)
    again = generate(term=teaching.autumn_2025, classes=registered_classes())
    assert again.offerings_created == 2  # 线性代数 for both classes
    # The newcomer on the two earlier courses and the new one; a1, a2 on the new one; b1 too.
    assert again.students_added == 3 + 2 + 1
    assert roster(teaching.class_a, teaching.autumn_2025)["JC009"] == {
        world.a1.student_number, world.a2.student_number, newcomer.student_number,
    }  # fmt: skip


def test_only_students_of_the_given_statuses_are_on_rosters(world, teaching):
    world.a2.status = StudentStatus.SUSPENDED
    world.a2.save()
    generate(term=teaching.autumn_2025, classes=registered_classes())
    assert roster(teaching.class_a, teaching.autumn_2025)["GB001"] == {world.a1.student_number}
    generate(
        term=teaching.autumn_2025,
        classes=generation.classes_with_students(
            (StudentStatus.REGISTERED, StudentStatus.SUSPENDED)
        ),
        roster_statuses=(StudentStatus.REGISTERED, StudentStatus.SUSPENDED),
    )
    assert roster(teaching.class_a, teaching.autumn_2025)["GB001"] == {
        world.a1.student_number, world.a2.student_number,
    }  # fmt: skip


def test_a_class_without_a_plan_for_its_cohort_is_reported(world, teaching):
    other = Program.objects.create(
        major=world.major, level="hs_jc", mode="spare_time", standard_length_years=2.5,
        credits_to_graduate=80, tuition_per_year=2600,
    )  # fmt: skip
    klass = make_class(world, "C2025", world.station_a)
    StudentClass.objects.filter(pk=klass.pk).update(program=other)
    add_student(world, 41, program=other, student_class=klass)
    result = generate(term=teaching.autumn_2025, classes=registered_classes())
    assert result.classes_without_plan == ["C2025"]
    assert not CourseOffering.objects.filter(student_class=klass).exists()
    assert result.offerings_created == 4  # the other two classes still get theirs


def test_classes_before_their_start_or_past_their_plan_get_nothing(world, teaching):
    klass = make_class(world, "A2026", world.station_a, cohort_year=2026)
    add_student(world, 42, cohort_year=2026, student_class=klass)
    TeachingPlan.objects.create(program=world.program, admission_year=2026)
    late = make_term(2030, 1)  # plan term 11 of cohort 2025: nothing in the plan
    result = generate(term=teaching.autumn_2025, classes=registered_classes())
    assert not CourseOffering.objects.filter(student_class=klass).exists()
    assert result.classes_without_plan == []
    assert generate(term=late, classes=registered_classes()).offerings_created == 0


def test_a_class_without_registered_students_is_left_out(world, teaching):
    for student in (world.a1, world.a2):
        student.status = StudentStatus.WITHDRAWN
        student.save()
    result = generate(term=teaching.autumn_2025, classes=registered_classes())
    assert result.classes == 1
    assert offered(teaching.autumn_2025) == {("B2025", "GB001"), ("B2025", "JC001")}


def test_teacher_chooser_sets_the_teacher_of_new_offerings(teaching, users):
    teacher = users["teacher"]

    def chooser(klass, entry):
        return teacher.pk if klass.code == "A2025" else None

    generate(term=teaching.autumn_2025, classes=registered_classes(), teacher_of=chooser)
    assert set(CourseOffering.objects.values_list("student_class__code", "teacher__username")) == {
        ("A2025", teacher.username),
        ("B2025", None),
    }
