"""Admission rows valid against the `world` fixture (station A 长沙函授站 ZD4302, the major
计算机科学与技术 080901 taught as 专升本 by 函授), and ways to import them."""

import datetime as dt
import io
import json
from typing import Any

from django.core.management import CommandError, call_command

from cems.admissions.services import admission_import
from cems.admissions.tests.writers import write_csv, write_xlsx
from cems.conftest import make_id_number

HEADINGS = ["考生号", "姓名", "性别", "身份证号", "出生日期", "民族", "政治面貌", "层次", "专业",
            "学习形式", "函授站", "总分", "联系电话", "通讯地址", "工作单位"]  # fmt: skip
NAMES = ["陈晓明", "刘芳", "杨帆", "黄丽", "周杰", "吴敏", "徐涛", "孙燕", "马超", "朱琳"]


def person(serial: int, **changes: Any) -> dict[str, Any]:
    """A candidate as a file's row gives them; `changes` override columns by heading."""
    gender = "M" if serial % 2 else "F"
    born = dt.date(1975, 1, 1) + dt.timedelta(days=9 * serial)
    values = {
        "考生号": f"2643{serial:010d}",
        "姓名": NAMES[serial % len(NAMES)],
        "性别": "男" if gender == "M" else "女",
        "身份证号": make_id_number(born, gender, 500 + serial),
        "出生日期": born.isoformat(),
        "民族": "汉族",
        "政治面貌": "群众",
        "层次": "专升本",
        "专业": "计算机科学与技术",
        "学习形式": "函授",
        "函授站": "长沙函授站",
        "总分": "256",
        "联系电话": "13812345678",
        "通讯地址": "湖南省长沙市岳麓区1号",
        "工作单位": "长沙市第一中学",
    }
    values.update(changes)
    return values


def table(*people: dict[str, Any], headings: list[str] | None = None) -> list[list[Any]]:
    headings = headings or HEADINGS
    return [headings, *([p.get(h, "") for h in headings] for p in people)]


def csv_file(*people: dict[str, Any], **kwargs: Any) -> bytes:
    return write_csv(table(*people), **kwargs)


def xlsx_file(*people: dict[str, Any]) -> bytes:
    return write_xlsx(table(*people))


def run(data: bytes, name: str = "admissions.csv", **options: Any) -> Any:
    """Import through the service as the command does (no user)."""
    options.setdefault("admission_year", 2026)
    return admission_import(data=data, file_name=name, actor=None, **options)


def command(path: Any, *args: str) -> tuple[int, str, str, dict[str, int]]:
    """Run import_admissions; (exit status, stdout, stderr, the JSON of its last line)."""
    out, err = io.StringIO(), io.StringIO()
    status = 0
    try:
        call_command("import_admissions", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        status = error.returncode
        err.write(str(error))
    lines = out.getvalue().strip().splitlines()
    return status, out.getvalue(), err.getvalue(), json.loads(lines[-1])
