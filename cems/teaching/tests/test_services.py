import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cems.students.models import StudentClass
from cems.teaching import services
from cems.teaching.models import AcademicYear, CourseOffering, OfferingStudent, Term
from cems.teaching.tests.conftest import make_offering, make_teacher

pytestmark = pytest.mark.django_db


# --- term_create -----------------------------------------------------------------------------


def test_term_create_makes_the_year_and_the_usual_dates(users):
    term = services.term_create(actor=users["academic"], start_year=2027, number=2)
    assert term.academic_year.start_year == 2027
    assert (term.start_date, term.end_date) == (dt.date(2028, 3, 1), dt.date(2028, 7, 31))
    other = services.term_create(
        actor=users["admin"], start_year=2027, number=1,
        start_date=dt.date(2027, 9, 6), end_date=dt.date(2028, 1, 20),
    )  # fmt: skip
    assert other.academic_year == term.academic_year
    assert AcademicYear.objects.count() == 1


def test_term_create_refuses_a_second_first_term(users):
    services.term_create(actor=users["academic"], start_year=2027, number=1)
    with pytest.raises(ValidationError):
        services.term_create(actor=users["academic"], start_year=2027, number=1)
    assert Term.objects.count() == 1


def test_term_create_refuses_an_impossible_year_and_writes_nothing(users):
    with pytest.raises(ValidationError):
        services.term_create(actor=users["academic"], start_year=1900, number=1)
    with pytest.raises(ValidationError):
        services.term_create(
            actor=users["academic"], start_year=2027, number=1,
            start_date=dt.date(2030, 1, 1), end_date=dt.date(2030, 2, 1),
        )  # fmt: skip
    assert not AcademicYear.objects.exists()


@pytest.mark.parametrize("role", ["station", "teacher", "finance", "auditor", "student"])
def test_term_create_needs_manage_terms(users, role):
    with pytest.raises(PermissionDenied):
        services.term_create(actor=users[role], start_year=2027, number=1)


# --- offerings_generate ----------------------------------------------------------------------


def test_generate_for_all_classes_and_again(teaching, users):
    result = services.offerings_generate(actor=users["academic"], term=teaching.autumn_2025)
    assert (result.classes, result.offerings_created, result.students_added) == (2, 4, 6)
    again = services.offerings_generate(actor=users["academic"], term=teaching.autumn_2025)
    assert (again.offerings_created, again.students_added) == (0, 0)


def test_generate_for_some_classes(teaching, users):
    result = services.offerings_generate(
        actor=users["admin"],
        term=teaching.autumn_2025,
        classes=StudentClass.objects.filter(pk=teaching.class_b.pk),
    )
    assert result.classes == 1
    assert set(CourseOffering.objects.values_list("student_class", flat=True)) == {
        teaching.class_b.pk
    }


@pytest.mark.parametrize("role", ["station", "teacher", "finance"])
def test_generate_needs_manage_terms(teaching, users, role):
    with pytest.raises(PermissionDenied):
        services.offerings_generate(actor=users[role], term=teaching.autumn_2025)
    assert not CourseOffering.objects.exists()
    assert not OfferingStudent.objects.exists()


# --- offering_assign_teacher -----------------------------------------------------------------


def test_academic_affairs_assign_any_offering(teaching, users):
    offering = make_offering(teaching, teaching.class_b)
    services.offering_assign_teacher(
        actor=users["academic"], offering=offering, teacher=users["teacher"]
    )
    offering.refresh_from_db()
    assert offering.teacher == users["teacher"]
    services.offering_assign_teacher(actor=users["academic"], offering=offering, teacher=None)
    offering.refresh_from_db()
    assert offering.teacher is None


def test_station_staff_assign_their_stations_offerings_only(teaching, users):
    own = make_offering(teaching, teaching.class_a)
    other = make_offering(teaching, teaching.class_b)
    services.offering_assign_teacher(actor=users["station"], offering=own, teacher=users["teacher"])
    assert CourseOffering.objects.get(pk=own.pk).teacher == users["teacher"]
    with pytest.raises(PermissionDenied):
        services.offering_assign_teacher(
            actor=users["station"], offering=other, teacher=users["teacher"]
        )
    assert CourseOffering.objects.get(pk=other.pk).teacher is None


@pytest.mark.parametrize("role", ["teacher", "finance", "auditor", "student"])
def test_other_roles_assign_nothing(teaching, users, role):
    offering = make_offering(teaching, teaching.class_a, teacher=users["teacher"])
    with pytest.raises(PermissionDenied):
        services.offering_assign_teacher(actor=users[role], offering=offering, teacher=None)
    assert CourseOffering.objects.get(pk=offering.pk).teacher == users["teacher"]


@pytest.mark.parametrize("role", ["station", "academic", "student"])
def test_only_an_active_teacher_can_be_assigned(teaching, users, role):
    offering = make_offering(teaching, teaching.class_a)
    with pytest.raises(ValidationError):
        services.offering_assign_teacher(
            actor=users["academic"], offering=offering, teacher=users[role]
        )
    retired = make_teacher("retired", is_active=False)
    with pytest.raises(ValidationError):
        services.offering_assign_teacher(
            actor=users["academic"], offering=offering, teacher=retired
        )
    assert CourseOffering.objects.get(pk=offering.pk).teacher is None
