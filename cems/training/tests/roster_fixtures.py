"""Fixtures and helpers of the roster, enrollment and attendance tests."""

import datetime as dt
from decimal import Decimal

import pytest

from cems.conftest import make_id_number
from cems.training.models import Project, ProjectFormat
from cems.training.tests.people_fixtures import default_category

HEADINGS = ["姓名", "身份证号", "性别", "出生日期", "手机", "工作单位", "职务", "学历"]


def person_row(serial: int, *, gender: str = "M", employer: str = "某某煤矿") -> list[str]:
    birth = dt.date(1980, 1, 1) + dt.timedelta(days=serial % 7000)
    return [
        f"学员{serial}",
        make_id_number(birth, gender, serial % 100),
        "男" if gender == "M" else "女",
        birth.isoformat(),
        f"139{serial:08d}",
        employer,
        "安全员",
        "大专",
    ]


def make_project(capacity: int = 50, title: str = "安全管理人员培训") -> Project:
    return Project.objects.create(
        category=default_category("GP"),
        title=title,
        sponsor="应急管理局",
        format=ProjectFormat.SHORT_INTENSIVE,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 10),
        venue="一号教室",
        capacity=capacity,
        hours=32,
        fee=Decimal(0),
    )


@pytest.fixture
def project(db) -> Project:
    return make_project()
