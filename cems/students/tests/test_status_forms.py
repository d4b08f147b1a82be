"""Forms of status change requests: details per kind, decisions."""

import datetime as dt

import pytest

from cems.conftest import make_id_number
from cems.students.models import StatusChangeKind
from cems.students.status_forms import (
    ChangeProgramForm,
    ChangeStationForm,
    CorrectDataForm,
    DecisionForm,
    FileRequestForm,
    SuspendForm,
    TransferForm,
    filing_form,
)
from cems.students.tests.status_support import in_english

K = StatusChangeKind


@pytest.fixture(autouse=True)
def english():
    with in_english():
        yield


@pytest.mark.parametrize(
    ("kind", "form_class"),
    [(K.SUSPEND, SuspendForm), (K.WITHDRAW, FileRequestForm), (K.DEFER, FileRequestForm),
     (K.RESUME, FileRequestForm), (K.CHANGE_MAJOR, ChangeProgramForm),
     (K.CHANGE_MODE, ChangeProgramForm), (K.CHANGE_STATION, ChangeStationForm),
     (K.TRANSFER, TransferForm), (K.CORRECT_DATA, CorrectDataForm)],
)  # fmt: skip
def test_one_form_per_kind(world, kind, form_class):
    assert type(filing_form(kind, world.a1)) is form_class


def test_suspension_details(world):
    form = filing_form(K.SUSPEND, world.a1, {"reason": "生病", "start_date": "2026-12-01",
                                              "end_date": "2027-06-01"})  # fmt: skip
    assert form.is_valid()
    assert form.payload() == {"start_date": dt.date(2026, 12, 1), "end_date": dt.date(2027, 6, 1)}


def test_correction_carries_only_the_values_given(world):
    number = make_id_number(world.a1.birth_date, "M", 44)
    form = filing_form(K.CORRECT_DATA, world.a1, {"reason": "x", "id_number": number.lower(),
                                                  "ethnicity": "苗族"})  # fmt: skip
    assert form.is_valid(), form.errors
    assert form.payload() == {"corrections": {"id_number": number, "ethnicity": "苗族"}}


def test_correction_needs_one_value(world):
    form = filing_form(K.CORRECT_DATA, world.a1, {"reason": "x"})
    assert not form.is_valid()
    assert form.non_field_errors() == ["Enter at least one corrected value."]


def test_decision_rejection_needs_a_comment():
    assert DecisionForm({"decision": "approve"}).is_valid()
    form = DecisionForm({"decision": "reject", "comment": " "})
    assert not form.is_valid()
    assert form.errors["comment"] == ["A rejection needs its reason."]
    assert DecisionForm({"decision": "reject", "comment": "材料不全"}).is_valid()
