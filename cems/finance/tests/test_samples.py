"""The sample payment files of samples/payments/ import, in each of their three forms, against
a school whose students are the files' sample people."""

from pathlib import Path

import pytest

from cems.conftest import add_student
from cems.core import idcard
from cems.finance import payments, services
from cems.finance.models import EntryKind, FeeEntry, RowStatus
from cems.finance.tests.conftest import add_items, import_file, statuses

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "payments"
FILES = ["payments-utf8.csv", "payments-gbk.csv", "payments.xlsx"]
S = RowStatus


@pytest.fixture
def sample_school(world, users):
    """The sample people as students of the cohort 2025, charged 3300 a year for 2025 and
    2026 (the files pay 3300 for a year or 6600 for both)."""
    lines = payments.read_payment_file((SAMPLES / FILES[0]).read_bytes(), FILES[0]).lines
    seen = set()
    for serial, line in enumerate(lines, start=100):
        if not line.student_number or line.student_number in seen or line.row_number > 11:
            continue
        seen.add(line.student_number)
        card = idcard.parse(line.id_number)
        add_student(world, serial, student_number=line.student_number, id_number=card.number,
                    birth_date=card.birth_date, gender=card.gender, name=line.name)  # fmt: skip
    # The fourth row names its student by ID number only.
    fourth = lines[3]
    card = idcard.parse(fourth.id_number)
    add_student(world, 99, student_number="102025400004", id_number=card.number,
                birth_date=card.birth_date, gender=card.gender, name=fourth.name)  # fmt: skip
    for year in (2025, 2026):
        add_items(world, year)
        services.charges_raise(actor=users["finance"], program=world.program, cohort_year=2025,
                               academic_year=year)  # fmt: skip
    return users["finance"]


@pytest.mark.parametrize("name", FILES)
def test_each_sample_imports(sample_school, name):
    record = import_file(sample_school, (SAMPLES / name).read_bytes(), name)
    assert statuses(record) == [S.MATCHED] * 10 + [
        S.DUPLICATE, S.UNMATCHED, S.WRONG_AMOUNT, S.AMBIGUOUS, S.INVALID, S.INVALID,
    ]  # fmt: skip
    assert FeeEntry.objects.filter(kind=EntryKind.PAYMENT).count() > 10


def test_the_three_forms_are_one_export(sample_school):
    import_file(sample_school, (SAMPLES / FILES[0]).read_bytes(), FILES[0])
    for name in FILES[1:]:
        record = import_file(sample_school, (SAMPLES / name).read_bytes(), name)
        # Every transaction was seen; only the row without a transaction number comes back.
        assert statuses(record) == [S.DUPLICATE] * 15 + [S.INVALID]
