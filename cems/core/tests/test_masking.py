"""Masking of personal data (cems.core.masking) and the template filters that apply it."""

import pytest
from django.template import Context, Template, VariableDoesNotExist
from django.test import RequestFactory

from cems.core.masking import mask_id_number, mask_phone
from cems.core.templatetags import cems as tags

ID_NUMBER = "11010519491231002X"
MOBILE = "13812345678"


# --- ID numbers ------------------------------------------------------------------------------


def test_id_number_keeps_the_prefix_and_the_last_four():
    masked = mask_id_number(ID_NUMBER)
    assert masked == "1101**********002X"
    assert len(masked) == len(ID_NUMBER)
    # The birth date, which identifies the person, is hidden.
    assert "1949" not in masked
    assert "1231" not in masked


def test_id_number_of_another_length_hides_all_but_prefix_and_suffix():
    assert mask_id_number("123456789") == "1234*6789"


@pytest.mark.parametrize("value", ["1", "1234", "12345678"])
def test_short_id_number_is_hidden_entirely(value):
    assert mask_id_number(value) == "*" * len(value)


@pytest.mark.parametrize("value", [None, ""])
def test_missing_id_number_masks_to_empty(value):
    assert mask_id_number(value) == ""


# --- phone numbers ---------------------------------------------------------------------------


def test_mobile_keeps_the_carrier_prefix_and_the_last_four():
    assert mask_phone(MOBILE) == "138****5678"


def test_landline_is_masked_in_the_middle():
    masked = mask_phone("0731-5551234")
    assert masked == "073*****1234"
    assert len(masked) == len("0731-5551234")


@pytest.mark.parametrize(("value", "masked"), [("1", "1"), ("12", "1*"), ("1234567", "1******")])
def test_short_phone_keeps_only_the_first_character(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize("value", [None, ""])
def test_missing_phone_masks_to_empty(value):
    assert mask_phone(value) == ""


# --- template filters ------------------------------------------------------------------------


def render(source: str, **context) -> str:
    return Template("{% load cems %}" + source).render(Context(context))


def test_filters_show_the_full_value_to_those_allowed():
    out = render(
        "{{ s.id|id_number:personal }} {{ s.phone|phone:personal }}",
        s={"id": ID_NUMBER, "phone": MOBILE},
        personal=True,
    )
    assert out == f"{ID_NUMBER} {MOBILE}"


def test_filters_mask_for_everyone_else():
    out = render(
        "{{ s.id|id_number:personal }} {{ s.phone|phone:personal }}",
        s={"id": ID_NUMBER, "phone": MOBILE},
        personal=False,
    )
    assert out == "1101**********002X 138****5678"
    assert ID_NUMBER not in out
    assert MOBILE not in out


@pytest.mark.parametrize("source", ["{{ v|id_number:personal }}", "{{ v|phone:personal }}"])
def test_filters_never_show_the_full_value_when_the_permission_is_undefined(source):
    # Django refuses to render a filter whose argument is undefined: no full value slips out.
    with pytest.raises(VariableDoesNotExist):
        render(source, v=ID_NUMBER)


@pytest.mark.parametrize("personal", ["", None, 0])
def test_filters_mask_for_a_falsy_permission(personal):
    out = render("{{ v|id_number:personal }}", v=ID_NUMBER, personal=personal)
    assert out == "1101**********002X"


@pytest.mark.parametrize("show_full", [True, False])
def test_filters_render_missing_values_as_empty(show_full):
    assert tags.id_number(None, show_full) == ""
    assert tags.phone(None, show_full) == ""
    assert render("[{{ v|id_number:full }}][{{ v|phone:full }}]", v=None, full=show_full) == "[][]"


def test_query_with_replaces_and_removes_parameters():
    request = RequestFactory().get("/students/", {"q": "张", "page": "3", "station": "7"})
    out = render('{% query_with page=2 station="" %}', request=request)
    # Escaped for the href attribute it is written into.
    assert out == "q=%E5%BC%A0&amp;page=2"
    # The request's own parameters are left alone.
    assert request.GET["page"] == "3"
    assert request.GET["station"] == "7"


def test_query_with_adds_a_parameter_and_escapes_it():
    request = RequestFactory().get("/students/", {"q": "a&b"})
    assert tags.query_with({"request": request}, format="csv") == "q=a%26b&format=csv"
    assert tags.query_with({"request": request}, q=None) == ""


def test_as_query_drops_empty_filters():
    assert tags.as_query({"station": 3, "status": "", "province": None, "q": "王 芳"}) == (
        "station=3&q=%E7%8E%8B+%E8%8A%B3"
    )
    assert tags.as_query({}) == ""


def test_as_query_keeps_zero():
    assert tags.as_query({"year": 0, "flag": False}) == "year=0&flag=False"
