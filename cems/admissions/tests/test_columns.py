"""Headings found in any order and spelling; values normalised to what the models store."""

import datetime as dt

import pytest

from cems.admissions import columns as col
from cems.admissions.columns import Invalid
from cems.admissions.issues import ImportStopped

PINYIN = ["ksh", "xm", "xb", "sfzh", "csrq", "mz", "zzmm", "cc", "zy", "xxxs", "hsz", "zf",
          "lxdh", "txdz", "gzdw"]  # fmt: skip
CHINESE = ["考生号", "姓名", "性别", "身份证号", "出生日期", "民族", "政治面貌", "层次", "专业",
           "学习形式", "函授站/教学点", "总分", "联系电话", "通讯地址", "工作单位"]  # fmt: skip


@pytest.mark.parametrize("headings", [PINYIN, CHINESE])
def test_every_column_is_found_by_its_chinese_name_or_pinyin(headings):
    mapped = col.map_columns(headings)
    assert set(mapped.index) == {column.key for column in col.COLUMNS}
    assert mapped.warnings == []
    assert mapped.heading["id_number"] == headings[3]


def test_headings_in_any_order_case_spacing_and_width():
    header = ["ＸＭ", " K S H ", "SFZH", "出生 日期", "Xb", "cc", "ZY", "XXXS", "教学点", "ZF"]
    mapped = col.map_columns(header)
    assert mapped.index["name"] == 0
    assert mapped.index["exam_number"] == 1
    assert mapped.index["station"] == 8
    assert mapped.index["total_score"] == 9


def test_unknown_columns_are_named_in_a_warning_and_repeated_ones_too():
    mapped = col.map_columns([*PINYIN, "备注", "zkzh", ""])
    texts = [warning.text() for warning in mapped.warnings]
    assert any("备注" in text for text in texts)
    assert any("zkzh" in text for text in texts)  # a second 考生号 column
    assert "备注" not in mapped.heading.values()


def test_a_missing_required_column_stops_naming_it():
    with pytest.raises(ImportStopped) as stopped:
        col.map_columns([h for h in PINYIN if h not in ("sfzh", "xxxs")])
    text = stopped.value.text()
    assert "身份证号" in text
    assert "学习形式" in text
    assert "考生号" not in text


def test_optional_columns_may_be_missing():
    required = [h for h, c in zip(PINYIN, col.COLUMNS, strict=True) if c.required]
    mapped = col.map_columns(required)
    assert "phone" not in mapped.index


def test_the_heading_score_finds_heading_rows():
    assert col.header_score(["2026年录取名单", "", ""]) == 0
    assert col.header_score(CHINESE) == len(CHINESE)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("男", "M"), ("女", "F"), ("1", "M"), ("2", "F"), ("男性", "M"), ("F", "F"), (" 女 ", "F")],
)
def test_gender(value, expected):
    assert col.gender(value) == expected


@pytest.mark.parametrize("value", ["3", "未知", ""])
def test_gender_refused(value):
    with pytest.raises(Invalid):
        col.gender(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("高起专", "hs_jc"), ("专升本", "jc_ba"), ("高起本", "hs_ba"), ("专科起点本科", "jc_ba"),
     ("高中起点本科", "hs_ba"), ("专科", "hs_jc"), ("专 升 本", "jc_ba")],
)  # fmt: skip
def test_level(value, expected):
    assert col.level(value) == expected


def test_level_refused():
    with pytest.raises(Invalid, match="level"):
        col.level("本科")


def test_mode():
    assert col.mode("函授") == "correspondence"
    assert col.mode("业余") == "spare_time"
    with pytest.raises(Invalid) as invalid:
        col.mode("脱产")
    assert "not offered" in invalid.value.message
    with pytest.raises(Invalid):
        col.mode("网络")


@pytest.mark.parametrize(
    "value",
    ["19900517", "1990-05-17", "1990/5/17", "1990.5.17", "1990年5月17日", "1990-05-17 00:00:00",
     "33010"],
)  # fmt: skip
def test_dates_in_the_common_forms(value):
    assert col.date(value) == dt.date(1990, 5, 17)


@pytest.mark.parametrize(
    "value", ["19900230", "1990-13-01", "May 17 1990", "1890-01-01", "2999-01-01", "x"]
)
def test_dates_refused(value):
    with pytest.raises(Invalid):
        col.date(value)


def test_exam_number():
    assert col.exam_number(" 2643 0001 ") == "26430001"
    assert col.exam_number("'26430001") == "26430001"
    for bad in ("2643-0001", "=1+1", "2" * 21):
        with pytest.raises(Invalid):
            col.exam_number(bad)
    with pytest.raises(Invalid, match="lost its last digits"):
        col.exam_number("2.6430001e+13")


def test_id_number_lost_to_a_float_is_explained():
    with pytest.raises(Invalid, match="lost its last digits"):
        col.id_number("4.303021990051713e+17")
    assert col.id_number(" 43030219900517051x ") == "43030219900517051X"


def test_names():
    assert col.person_name("张 三") == "张三"
    assert col.person_name("阿卜杜拉·艾合买提") == "阿卜杜拉·艾合买提"
    assert col.person_name("John  Smith") == "John Smith"
    for bad in ("张", "=HYPERLINK(1)", "张三3", "x" * 51, "张\x00三"):
        with pytest.raises(Invalid):
            col.person_name(bad)


def test_phone():
    assert col.phone("138 1234 5678") == "13812345678"
    assert col.phone("+8613812345678") == "13812345678"
    assert col.phone("0731-5551234") == "0731-5551234"
    assert col.phone("") == ""
    for bad in ("12345", "1381234567x", "2" * 30):
        with pytest.raises(Invalid):
            col.phone(bad)


def test_score():
    assert col.score("256") == 256
    assert col.score("256.0") == 256
    assert col.score("") is None
    for bad in ("abc", "256.5", "-1", "1001", "nan", "inf"):
        with pytest.raises(Invalid):
            col.score(bad)


def test_ethnicity_and_political_status_by_name_or_code():
    assert col.ethnicity("01") == ("汉族", True)
    assert col.ethnicity("15") == ("土家族", True)
    assert col.ethnicity("苗") == ("苗族", True)
    assert col.ethnicity("") == ("", True)
    assert col.ethnicity("火星族") == ("火星族", False)  # kept as written, with a warning
    assert col.political_status("13") == ("群众", True)
    assert col.political_status("团员") == ("共青团员", True)
    with pytest.raises(Invalid):
        col.political_status("x" * 21)


def test_free_text():
    assert col.text("长沙市\n岳麓区", max_length=200) == "长沙市 岳麓区"
    with pytest.raises(Invalid):
        col.text("a\x00b", max_length=200)
    with pytest.raises(Invalid, match="too long"):
        col.text("长" * 201, max_length=200)
