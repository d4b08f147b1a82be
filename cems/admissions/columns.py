"""The columns of an admission file and the values found in them.

Columns are found by their headings, in any order, under the Chinese names or the pinyin
initials exam authorities use (ksh 考生号, xm 姓名, ...), ignoring case, spaces and
punctuation. Values are normalised to what the models store: 男/女 or 1/2 to a gender,
高起专/专升本/高起本 to a level, 函授/业余 to a study mode, dates in the common forms.
Each normaliser returns the value or raises Invalid with the reason (a message kept as its
source text, see issues.py).
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_noop as _noop

from cems.admissions.issues import ImportStopped, Issue, Params
from cems.catalog.models import Level, StudyMode
from cems.core.validators import validate_phone


@dataclass(frozen=True)
class Column:
    key: str  # the Candidate field the column fills
    headings: tuple[str, ...]  # the first is the usual Chinese heading, the second its pinyin
    required: bool = False


COLUMNS = (
    Column("exam_number", ("考生号", "ksh", "考号", "考生编号", "准考证号", "zkzh"), True),
    Column("name", ("姓名", "xm", "考生姓名"), True),
    Column("gender", ("性别", "xb", "xbdm", "性别代码"), True),
    Column("id_number", ("身份证号", "sfzh", "身份证号码", "身份证", "证件号码", "zjhm"), True),
    Column("birth_date", ("出生日期", "csrq", "出生年月日"), True),
    Column("ethnicity", ("民族", "mz", "mzdm", "民族代码")),
    Column("political_status", ("政治面貌", "zzmm", "zzmmdm", "政治面貌代码")),
    Column("level", ("层次", "cc", "ccdm", "录取层次", "培养层次", "层次名称"), True),
    Column(
        "major",
        (
            "专业",
            "zy",
            "zymc",
            "zydm",
            "专业名称",
            "专业代码",
            "录取专业",
            "lqzy",
            "录取专业名称",
            "录取专业代码",
        ),
        True,
    ),
    Column("mode", ("学习形式", "xxxs", "学习方式", "xxfs", "xxxsmc"), True),
    Column(
        "station",
        (
            "函授站/教学点",
            "hsz",
            "函授站",
            "教学点",
            "函授站教学点",
            "站点",
            "学习中心",
            "jxd",
            "hszd",
            "hszmc",
            "站点代码",
            "zddm",
            "函授站代码",
            "教学点代码",
        ),
        True,
    ),
    Column("total_score", ("总分", "zf", "总成绩", "成绩", "cj")),
    Column("phone", ("联系电话", "lxdh", "电话", "手机", "手机号", "手机号码", "sjhm", "联系方式")),
    Column("address", ("通讯地址", "txdz", "通信地址", "地址", "家庭地址", "jtdz", "联系地址")),
    Column("employer", ("工作单位", "gzdw", "单位", "工作单位名称")),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED = tuple(column.key for column in COLUMNS if column.required)

_HEADING_NOISE = re.compile(r"[\s/\\()\[\]{}<>*:_\-.,;'\"`#|·、，。：；【】（）《》“”‘’]+")


def heading_key(text: str) -> str:
    """A heading as compared: full-width forms folded, lower case, no spaces or punctuation."""
    return _HEADING_NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


HEADING_INDEX = {heading_key(heading): column.key for column in COLUMNS
                 for heading in column.headings}  # fmt: skip


def header_score(cells: Sequence[str]) -> int:
    """How many cells of a row are known headings (finds the heading row under a title)."""
    return sum(1 for cell in cells if heading_key(cell) in HEADING_INDEX)


@dataclass
class ColumnMap:
    index: dict[str, int]  # field key -> position in a row
    heading: dict[str, str]  # field key -> the heading as written in the file
    warnings: list[Issue] = field(default_factory=list)


def map_columns(header: Sequence[str]) -> ColumnMap:
    """Where each known column is; unknown columns are named in a warning; a missing required
    column stops the import (ImportStopped) naming it."""
    index: dict[str, int] = {}
    heading: dict[str, str] = {}
    unknown: list[str] = []
    duplicates: list[str] = []
    for position, text in enumerate(header):
        if not text:
            continue
        key = HEADING_INDEX.get(heading_key(text))
        if key is None:
            unknown.append(text)
        elif key in index:
            duplicates.append(text)
        else:
            index[key] = position
            heading[key] = text
    missing = [key for key in REQUIRED if key not in index]
    if missing:
        names = "; ".join(
            f"{COLUMN_BY_KEY[key].headings[0]} ({', '.join(COLUMN_BY_KEY[key].headings[1:4])})"
            for key in missing
        )
        raise ImportStopped(
            _noop("Required columns are missing: %(columns)s. Nothing was imported."),
            {"columns": names},
        )
    warnings = []
    if unknown:
        warnings.append(
            Issue(_noop("These columns are not known and were ignored: %(columns)s."),
                  {"columns": ", ".join(unknown)})
        )  # fmt: skip
    if duplicates:
        warnings.append(
            Issue(_noop(
"These columns repeat a column found before them and were "
"ignored: %(columns)s."
),
                  {"columns": ", ".join(duplicates)})
        )  # fmt: skip
    return ColumnMap(index, heading, warnings)


# --- Values ---------------------------------------------------------------------------------


class Invalid(Exception):
    def __init__(self, message: str, params: Params | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.params = params or {}


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b]+")
_NUMBER_LOST = re.compile(r"^\d(\.\d+)?e\+?\d+\Z", re.IGNORECASE)
_EXAM_NUMBER = re.compile(r"^[0-9A-Za-z]{1,20}\Z", re.ASCII)
_ID_FORM = re.compile(r"^\d{17}[\dX]\Z", re.ASCII)
_CHINESE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,20}\Z")
_MOBILE = re.compile(r"^1[3-9]\d{9}\Z", re.ASCII)
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f\ufffe\uffff]")
_NAME = re.compile(
    r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134fA-Za-z·•.\- ]+\Z"
)


def text(value: str, *, max_length: int) -> str:
    """Free text (address, employer): line breaks become spaces; other control characters
    and text longer than the field are refused."""
    if len(value) <= max_length and not _ANY_CONTROL.search(value):
        return value.strip()
    value = _LINE_BREAKS.sub(" ", value).strip()
    if _CONTROL.search(value):
        raise Invalid(_noop("The text holds control characters."))
    if len(value) > max_length:
        raise Invalid(
            _noop("The text is too long: %(length)d characters, at most %(max)d."),
            {"length": len(value), "max": max_length},
        )
    return value


def compact(value: str) -> str:
    """A code written with stray spaces, a leading apostrophe or tab (Excel's text marker)."""
    return _SPACES.sub("", value).lstrip("'`")


def _lost_digits(value: str) -> bool:
    return bool(_NUMBER_LOST.match(value))


def exam_number(value: str) -> str:
    if _EXAM_NUMBER.match(value):
        return value  # the common case, checked first: an import checks thousands
    value = compact(value)
    if _lost_digits(value):
        raise Invalid(_LOST_DIGITS)
    if not _EXAM_NUMBER.match(value):
        raise Invalid(
            _noop("%(value)s is not an exam candidate number (letters and digits, at most 20)."),
            {"value": value[:40]},
        )
    return value


_LOST_DIGITS = _noop(
    "The spreadsheet stored this number as a number and lost its last digits: format the "
    "column as text and enter the numbers again."
)


def id_number(value: str) -> str:
    if _ID_FORM.match(value):
        return value
    value = compact(value).upper()
    if _lost_digits(value):
        raise Invalid(_LOST_DIGITS)
    return value  # validated by cems.core.idcard by the caller


def person_name(value: str) -> str:
    if _CHINESE_NAME.match(value):
        return value
    value = unicodedata.normalize("NFKC", value).strip()
    if value and all("\u3400" <= ch <= "\u9fff" or ch.isspace() for ch in value):
        value = _SPACES.sub("", value)  # 张 三 -> 张三: Chinese names have no spaces
    value = _SPACES.sub(" ", value)
    if len(value) > 50:
        raise Invalid(_noop("The name is too long: %(length)d characters, at most 50."),
                      {"length": len(value)})  # fmt: skip
    if len(value) < 2 or not _NAME.match(value):
        raise Invalid(_noop("%(value)s is not a person's name."), {"value": value[:60]})
    return value


_GENDERS = {"男": "M", "男性": "M", "1": "M", "m": "M", "male": "M",
            "女": "F", "女性": "F", "2": "F", "f": "F", "female": "F"}  # fmt: skip


def gender(value: str) -> str:
    try:
        return _GENDERS[compact(value).lower()]
    except KeyError:
        raise Invalid(
            _noop("%(value)s is not a gender (男/女 or 1/2)."), {"value": value[:40]}
        ) from None


_LEVELS = {
    Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE: ("高起专", "高中起点专科", "高起点专科", "专科", "高职",
                                          "高职高专", "高中起点高职", "hsjc"),
    Level.JUNIOR_COLLEGE_TO_BACHELOR: ("专升本", "专科起点本科", "专起本", "专科起点升本科",
                                       "专升本科", "jcba"),
    Level.HIGH_SCHOOL_TO_BACHELOR: ("高起本", "高中起点本科", "高起点本科", "hsba"),
}  # fmt: skip
_LEVEL_INDEX = {heading_key(word): str(level) for level, words in _LEVELS.items() for word in words}


def level(value: str) -> str:
    try:
        return _LEVEL_INDEX[heading_key(value)]
    except KeyError:
        raise Invalid(_noop("%(value)s is not a level (高起专, 专升本 or 高起本)."),
                      {"value": value[:40]}) from None  # fmt: skip


_MODES = {"函授": StudyMode.CORRESPONDENCE, "correspondence": StudyMode.CORRESPONDENCE,
          "业余": StudyMode.SPARE_TIME, "sparetime": StudyMode.SPARE_TIME}  # fmt: skip


def mode(value: str) -> str:
    key = heading_key(value)
    if key in _MODES:
        return str(_MODES[key])
    if key in ("脱产", "全日制"):
        raise Invalid(_noop("%(value)s study is not offered by the school (函授 or 业余 only)."),
                      {"value": value[:40]})  # fmt: skip
    raise Invalid(_noop("%(value)s is not a study mode (函授 or 业余)."), {"value": value[:40]})


_DATE_FORMS = (
    re.compile(r"^(\d{4})(\d{2})(\d{2})\Z"),
    re.compile(
        r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
        r"(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?\Z"  # a midnight time, as date-times are written
    ),
)  # fmt: skip
EXCEL_EPOCH = dt.date(1899, 12, 30)


def date(value: str, *, today: dt.date | None = None) -> dt.date:
    """19900517, 1990-05-17, 1990/5/17, 1990.5.17, 1990年5月17日, or an Excel day number."""
    value = value.strip()
    for pattern in _DATE_FORMS:
        if match := pattern.match(value):
            year, month, day = (int(part) for part in match.groups())
            break
    else:
        if value.isdigit() and 10_000 <= int(value) <= 80_000:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise Invalid(_noop("%(value)s is not a date (e.g. 1990-05-17 or 19900517)."),
                      {"value": value[:40]})  # fmt: skip
    try:
        born = dt.date(year, month, day)
    except ValueError:
        raise Invalid(_noop("%(value)s is not a real date."), {"value": value[:40]}) from None
    if born.year < 1900 or born > (today or timezone.localdate()):
        raise Invalid(_noop("%(value)s is not a plausible birth date."), {"value": value[:40]})
    return born


def score(value: str) -> int | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Invalid(_noop("%(value)s is not a score."), {"value": value[:40]}) from None
    if not number.is_integer() or not 0 <= number <= 1000:
        raise Invalid(_noop("%(value)s is not a score (a whole number from 0 to 1000)."),
                      {"value": value[:40]})  # fmt: skip
    return int(number)


def phone(value: str) -> str:
    if _MOBILE.match(value):
        return value
    value = compact(value).replace("－", "-")
    if re.match(r"^(\+?86)1\d{10}\Z", value):
        value = value[-11:]
    if _lost_digits(value):
        raise Invalid(_LOST_DIGITS)
    if len(value) > 20 or (value and not _plausible_phone(value)):
        raise Invalid(_noop("%(value)s is not a plausible phone number."), {"value": value[:40]})
    return value


def _plausible_phone(value: str) -> bool:
    try:
        validate_phone(value)
    except Exception:
        return False
    return True


# GB 3304 codes of the 56 ethnic groups, as exam systems write them.
ETHNICITY_NAMES = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族",
    "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族",
    "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
)  # fmt: skip
_ETHNICITY_INDEX = {
    **{f"{code:02d}": name for code, name in enumerate(ETHNICITY_NAMES, start=1)},
    **{str(code): name for code, name in enumerate(ETHNICITY_NAMES, start=1)},
    **{name: name for name in ETHNICITY_NAMES},
    **{name.removesuffix("族"): name for name in ETHNICITY_NAMES},
    "97": "其他", "98": "外国血统中国籍人士",
}  # fmt: skip
# GB/T 4762 codes of political status.
POLITICAL_STATUSES = ("中共党员", "中共预备党员", "共青团员", "民革会员", "民盟盟员", "民建会员",
                      "民进会员", "农工党党员", "致公党党员", "九三学社社员", "台盟盟员",
                      "无党派人士", "群众")  # fmt: skip
_POLITICAL_INDEX = {
    **{f"{code:02d}": name for code, name in enumerate(POLITICAL_STATUSES, start=1)},
    **{str(code): name for code, name in enumerate(POLITICAL_STATUSES, start=1)},
    **{name: name for name in POLITICAL_STATUSES},
    "党员": "中共党员", "预备党员": "中共预备党员", "团员": "共青团员", "共青团": "共青团员",
}  # fmt: skip
UNUSUAL = _noop("%(value)s is not one of the standard values; it was kept as written.")


def coded(value: str, *, index: dict[str, str]) -> tuple[str, bool]:
    """A value given by name or GB code (民族, 政治面貌); False when it is not a standard one
    and is kept as written."""
    key = compact(value)
    if key in index:
        return index[key], True
    return text(value, max_length=20), not value


def ethnicity(value: str) -> tuple[str, bool]:
    return coded(value, index=_ETHNICITY_INDEX)


def political_status(value: str) -> tuple[str, bool]:
    return coded(value, index=_POLITICAL_INDEX)
