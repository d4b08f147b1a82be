"""Building blocks of the deterministic demo data: Chinese names, ID numbers, phones.

Every function takes the caller's seeded `random.Random`, so the same seed gives the same
school. Nothing here is a real person's data.
"""

import datetime as dt
import random
from itertools import accumulate

from cems.core.idcard import check_character

# The most frequent surnames, roughly weighted by how common they are.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
SURNAME_CUM_WEIGHTS = list(accumulate(max(1.0, 40.0 - i * 0.45) for i in range(len(SURNAMES))))
MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建志国东文峰亮成兵"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲桂英红梅琳燕萍雪琴颖倩婷慧莉洁佳欣怡蓉晶妍璐璇雯菲瑶露丹"
SHARED_CHARS = "晓海春天嘉子思一新小清云雨德永长金红玉"
MOBILE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152",
                   "155", "157", "158", "159", "166", "176", "177", "180", "181", "182", "186",
                   "187", "188", "189", "191", "193", "199")  # fmt: skip
ETHNICITIES = ["汉族"] * 90 + ["土家族"] * 3 + ["苗族"] * 3 + ["侗族", "瑶族", "壮族", "白族"]


def person_name(rng: random.Random, gender: str | None = None) -> str:
    gender = gender or rng.choice("MF")
    surname = rng.choices(SURNAMES, cum_weights=SURNAME_CUM_WEIGHTS)[0]
    pool = MALE_CHARS if gender == "M" else FEMALE_CHARS
    given = rng.choice(pool + SHARED_CHARS)
    if rng.random() < 0.7:
        given += rng.choice(pool)
    return surname + given


def id_number(rng: random.Random, *, area_code: str, birth_date: dt.date, gender: str) -> str:
    """A valid GB 11643 number agreeing with the birth date and gender."""
    sequence = rng.randint(0, 99) * 10 + rng.choice(
        (1, 3, 5, 7, 9) if gender == "M" else (0, 2, 4, 6, 8)
    )
    first17 = f"{area_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def birth_date(rng: random.Random, *, earliest_year: int, latest_year: int) -> dt.date:
    start = dt.date(earliest_year, 1, 1).toordinal()
    end = dt.date(latest_year, 12, 31).toordinal()
    return dt.date.fromordinal(rng.randint(start, end))


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
