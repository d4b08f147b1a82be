from decimal import Decimal

import pytest

from cems.catalog.models import Level, Program, default_standard_length


@pytest.mark.parametrize(
    ("years", "terms"), [("2.5", 5), ("5", 10), ("3", 6), ("1", 2), ("4.5", 9)]
)
def test_terms_are_two_a_year(years, terms):
    assert Program(standard_length_years=Decimal(years)).terms == terms


def test_bachelor_levels():
    assert Program(level=Level.JUNIOR_COLLEGE_TO_BACHELOR).is_bachelor
    assert Program(level=Level.HIGH_SCHOOL_TO_BACHELOR).is_bachelor
    assert not Program(level=Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE).is_bachelor


def test_default_length_comes_from_settings(settings):
    settings.CEMS_STANDARD_LENGTH_YEARS = {"hs_jc": "3", "jc_ba": "2.5", "hs_ba": "5"}
    assert default_standard_length(Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE) == Decimal(3)
