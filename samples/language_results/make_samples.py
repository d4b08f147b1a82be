"""Writes the sample foreign-language result files of this folder.

    .venv/bin/python samples/language_results/make_samples.py

The rows are results of the three students of the test school (cems/conftest.py: 张伟
102025001001 and 李娜 102025001002 at station A, 王芳 102025001003 at station B), so that
the tests import these very files; README.md describes the columns.
"""

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cems.settings")

import django  # noqa: E402

django.setup()

from cems.admissions.tests.writers import write_csv, write_xlsx  # noqa: E402
from cems.conftest import make_id_number  # noqa: E402

ZHANG = make_id_number(dt.date(1995, 3, 2), "M", 1)
LI = make_id_number(dt.date(1995, 3, 3), "F", 2)
WANG = make_id_number(dt.date(1995, 3, 4), "F", 3)

# The provincial adult degree English exam's list: a title row, 学号 and 身份证号, dates
# and scores as Excel values; one row identified by its ID number only.
XLSX_ROWS: list[list[Any]] = [
    ["学号", "身份证号", "姓名", "考试类别", "考试日期", "成绩", "证书编号"],
    ["102025001001", ZHANG, "张伟", "成人学位英语", dt.date(2025, 5, 17), 72, "XW2025430001"],
    ["102025001002", LI, "李娜", "成人学位英语", dt.date(2025, 5, 17), 55, ""],
    ["", WANG, "王芳", "成人学士学位英语", dt.date(2025, 5, 17), 64.5, "XW2025440017"],
]
# CET-4 results as Chinese Excel saves "CSV": GBK, dates as 2024/6/15, no 学号 column.
CSV_ROWS = [
    ["身份证号", "姓名", "考试类别", "考试日期", "成绩", "证书编号"],
    [LI, "李娜", "CET-4", "2024/6/15", "431", "241143100123"],
    [ZHANG, "张伟", "大学英语四级", "2024/12/14", "398", ""],
]


def main() -> None:
    (HERE / "language-results.xlsx").write_bytes(
        write_xlsx(XLSX_ROWS, title="2025年上半年成人学士学位英语考试成绩", sheet_name="成绩")
    )
    (HERE / "cet4-results-gbk.csv").write_bytes(write_csv(CSV_ROWS, encoding="gbk"))


if __name__ == "__main__":
    main()
