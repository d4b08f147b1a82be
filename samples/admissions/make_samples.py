"""Writes the sample admission files of this folder, one per format, for the demo school.

    .venv/bin/python samples/admissions/make_samples.py

(needs requirements-dev.txt installed: the .xls file is written with xlwt). The same 30
admitted candidates of 2026 are in every file, with the headings and value forms each kind
of file typically has; the xlsx file adds three rows that are rejected. Every candidate is
at an active Hunan station of the demo data in a correspondence (函授) program, which the
demo offers for every major and level it lists, so the files import against `seed_demo`.
"""

import os
import random
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cems.settings")

import django  # noqa: E402

django.setup()

from cems.admissions.columns import ETHNICITY_NAMES, POLITICAL_STATUSES  # noqa: E402
from cems.admissions.tests.writers import (  # noqa: E402
    write_csv,
    write_dbf,
    write_ods,
    write_xls,
    write_xlsx,
)
from cems.catalog.demo import MAJORS  # noqa: E402
from cems.core import demo  # noqa: E402
from cems.organization.demo import PROVINCES, STATIONS  # noqa: E402

YEAR = 2026
COUNT = 30
LEVELS = {"z": "高起专", "s": "专升本", "b": "高起本"}
EMPLOYERS = ["市第一中学", "供电公司", "人民医院", "煤矿", "建设集团"]


def people() -> list[dict[str, Any]]:
    rng = random.Random(YEAR)  # noqa: S311 - deterministic sample data
    hunan = [(f"ZD43{suffix}", f"{city}函授站", city) for _p, suffix, city, *_rest in STATIONS
             if _p == "43"]  # fmt: skip
    areas = {code: area_codes for code, _n, _e, area_codes in PROVINCES}["43"]
    chosen = []
    for serial in range(1, COUNT + 1):
        code, station, city = rng.choice(hunan)
        major_code, major, _en, _discipline, levels = rng.choice(MAJORS)
        level = LEVELS[rng.choice(levels)]
        gender = rng.choice("MF")
        youngest = YEAR - (20 if level == "专升本" else 18)
        born = demo.birth_date(rng, earliest_year=YEAR - 40, latest_year=youngest)
        chosen.append({
            "ksh": f"{YEAR % 100}437{serial:09d}",
            "xm": demo.person_name(rng, gender),
            "gender": gender,
            "sfzh": demo.id_number(rng, area_code=rng.choice(areas), birth_date=born,
                                   gender=gender),
            "csrq": born,
            "mz": rng.choice(demo.ETHNICITIES),
            "zzmm": rng.choice(["群众"] * 6 + ["共青团员"] * 3 + ["中共党员"]),
            "cc": level,
            "zy": major,
            "zydm": major_code,
            "xxxs": "函授",
            "station": station,
            "station_code": code,
            "zf": rng.randint(150, 400),
            "lxdh": demo.mobile(rng),
            "txdz": f"湖南省{city}市{rng.choice('东南西北')}区{rng.randint(1, 300)}号",
            "gzdw": city + rng.choice(EMPLOYERS),
        })  # fmt: skip
    return chosen


def main() -> None:
    everyone = people()
    male = {"M": "男", "F": "女"}
    code = {"M": "1", "F": "2"}

    # xlsx: a title row, Chinese headings, dates and scores as Excel values; three bad rows.
    headings = ["考生号", "姓名", "性别", "身份证号", "出生日期", "民族", "政治面貌",
                "层次", "专业", "学习形式", "函授站", "总分", "联系电话", "通讯地址",
                "工作单位"]  # fmt: skip
    rows = [[p["ksh"], p["xm"], male[p["gender"]], p["sfzh"], p["csrq"], p["mz"], p["zzmm"],
             p["cc"], p["zy"], p["xxxs"], p["station"], p["zf"], p["lxdh"], p["txdz"], p["gzdw"]]
            for p in everyone]  # fmt: skip
    bad = [list(row) for row in rows[:3]]
    bad[0][0], bad[0][3] = "26437900000001", bad[0][3][:17] + ("0" if bad[0][3][17] != "0" else "1")
    bad[1][0], bad[1][10] = "26437900000002", "火星函授站"
    bad[2][0], bad[2][12] = "26437900000003", "1381234"
    for other, row in zip(range(31, 34), bad, strict=True):
        row[1] = ["邹小红", "钱大勇", "孔丽"][other - 31]
        if other != 31:  # another person: a fresh, valid ID number of the same birth and gender
            row[3] = row[3][:14] + f"{(int(row[3][14:17]) + 200) % 1000:03d}"
            row[3] = row[3][:17] + _check(row[3][:17])
    title = f"湖南科技大学{YEAR}年成人高等教育录取名单（函授）"
    (HERE / "2026-admissions.xlsx").write_bytes(write_xlsx([headings, *rows, *bad], title=title))

    # xls: lower-case pinyin headings, gender as 1/2, dates as text yyyymmdd, ethnicity codes.
    pinyin = ["ksh", "xm", "xb", "sfzh", "csrq", "mz", "zzmm", "cc", "zymc", "xxxs", "hsz", "zf",
              "lxdh", "txdz", "gzdw"]  # fmt: skip
    ethnic_code = {name: f"{n:02d}" for n, name in enumerate(ETHNICITY_NAMES, start=1)}
    rows = [[p["ksh"], p["xm"], code[p["gender"]], p["sfzh"], f"{p['csrq']:%Y%m%d}",
             ethnic_code[p["mz"]], p["zzmm"], p["cc"], p["zy"], p["xxxs"], p["station"], p["zf"],
             p["lxdh"], p["txdz"], p["gzdw"]] for p in everyone]  # fmt: skip
    (HERE / "2026-admissions.xls").write_bytes(write_xls([pinyin, *rows]))

    # ods: Chinese headings in another order, political status by GB code.
    political_code = {name: f"{n:02d}" for n, name in enumerate(POLITICAL_STATUSES, start=1)}
    ods_headings = ["姓名", "考生号", "身份证号", "性别", "出生日期", "专业", "层次", "学习形式",
                    "教学点", "联系电话", "政治面貌", "民族"]  # fmt: skip
    rows = [[p["xm"], p["ksh"], p["sfzh"], male[p["gender"]], p["csrq"], p["zy"], p["cc"],
             p["xxxs"], p["station"], p["lxdh"], political_code[p["zzmm"]], p["mz"]]
            for p in everyone]  # fmt: skip
    (HERE / "2026-admissions.ods").write_bytes(write_ods([ods_headings, *rows]))

    # csv UTF-8 (with the BOM Excel writes): upper-case pinyin, station and major by code.
    upper = ["KSH", "XM", "XB", "SFZH", "CSRQ", "CC", "ZYDM", "XXXS", "ZDDM", "ZF", "LXDH"]
    rows = [[p["ksh"], p["xm"], male[p["gender"]], p["sfzh"], p["csrq"], p["cc"], p["zydm"],
             p["xxxs"], p["station_code"], p["zf"], p["lxdh"]] for p in everyone]  # fmt: skip
    (HERE / "2026-admissions-utf8.csv").write_bytes(write_csv([upper, *rows], encoding="utf-8-sig"))

    # csv GBK (Chinese Excel's "CSV"): Chinese headings, dates as 1990/5/17.
    rows = [[p["ksh"], p["xm"], male[p["gender"]], p["sfzh"],
             f"{p['csrq'].year}/{p['csrq'].month}/{p['csrq'].day}", p["cc"], p["zy"], p["xxxs"],
             p["station"], p["zf"], p["txdz"], p["gzdw"]] for p in everyone]  # fmt: skip
    gbk_headings = ["考生号", "姓名", "性别", "身份证号", "出生日期", "层次", "专业", "学习形式",
                    "函授站", "总分", "通讯地址", "工作单位"]  # fmt: skip
    (HERE / "2026-admissions-gbk.csv").write_bytes(write_csv([gbk_headings, *rows], encoding="gbk"))

    # dbf: the exam systems' traditional export, GBK text, a date field and a number field.
    fields = [("KSH", "C", 14), ("XM", "C", 20), ("XB", "C", 1), ("SFZH", "C", 18),
              ("CSRQ", "D", 8), ("MZ", "C", 2), ("CC", "C", 10), ("ZYDM", "C", 10),
              ("XXXS", "C", 4), ("ZDDM", "C", 8), ("ZF", "N", 3), ("LXDH", "C", 11)]  # fmt: skip
    records = [[p["ksh"], p["xm"], code[p["gender"]], p["sfzh"], p["csrq"], ethnic_code[p["mz"]],
                p["cc"], p["zydm"], p["xxxs"], p["station_code"], p["zf"], p["lxdh"]]
               for p in everyone]  # fmt: skip
    (HERE / "2026-admissions.dbf").write_bytes(write_dbf(fields, records))
    print(f"Wrote 6 sample files of {COUNT} candidates to {HERE}")


def _check(first17: str) -> str:
    from cems.core.idcard import check_character

    return check_character(first17)


if __name__ == "__main__":
    main()
