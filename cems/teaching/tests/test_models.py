import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cems.teaching.models import AcademicYear, Term, default_term_dates
from cems.teaching.tests.conftest import make_term

pytestmark = pytest.mark.django_db


def test_default_term_dates_run_september_to_january_and_march_to_july():
    assert default_term_dates(2026, 1) == (dt.date(2026, 9, 1), dt.date(2027, 1, 31))
    assert default_term_dates(2026, 2) == (dt.date(2027, 3, 1), dt.date(2027, 7, 31))


def test_academic_year_bounds_and_names():
    year = AcademicYear(start_year=2026)
    assert str(year) == "2026–2027"
    assert (year.first_day, year.last_day) == (dt.date(2026, 9, 1), dt.date(2027, 8, 31))


def test_term_name_and_contains():
    term = make_term(2026, 1)
    with translation.override("en"):
        assert str(term) == "2026–2027 term 1"
    assert term.contains(dt.date(2026, 11, 28))
    assert not term.contains(dt.date(2027, 2, 1))


def new_term(start_year: int, number: int, start: dt.date, end: dt.date) -> Term:
    year, _ = AcademicYear.objects.get_or_create(start_year=start_year)
    return Term(academic_year=year, number=number, start_date=start, end_date=end)


def test_a_term_lies_within_its_academic_year():
    with pytest.raises(ValidationError) as error:
        new_term(2026, 1, dt.date(2026, 8, 1), dt.date(2027, 1, 31)).full_clean()
    assert "start_date" in error.value.message_dict


def test_a_term_ends_after_it_starts():
    with pytest.raises(ValidationError):
        new_term(2026, 1, dt.date(2026, 12, 1), dt.date(2026, 11, 1)).full_clean()


@translation.override("en")
def test_terms_of_a_year_neither_overlap_nor_swap():
    make_term(2026, 1)
    with pytest.raises(ValidationError, match="overlaps"):
        new_term(2026, 2, dt.date(2027, 1, 15), dt.date(2027, 7, 31)).full_clean()
    new_term(2026, 2, dt.date(2027, 2, 20), dt.date(2027, 7, 10)).full_clean()
    Term.objects.filter(number=1).update(start_date=dt.date(2026, 10, 1))
    with pytest.raises(ValidationError, match="first term"):
        new_term(2026, 2, dt.date(2026, 9, 1), dt.date(2026, 9, 20)).full_clean()


def test_one_first_term_per_year():
    make_term(2026, 1)
    with pytest.raises(ValidationError):
        new_term(2026, 1, dt.date(2026, 9, 1), dt.date(2027, 1, 31)).full_clean()
