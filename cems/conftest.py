"""Shared fixtures: a small school with two stations in two provinces and one user per role.

`world` is the school; `users` maps every role to a user of that role (station staff are
bound to station A only; the student user owns student `a1`). Tests request pages as
`client_for(role)`.
"""

import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from cems.accounts.models import Role, User
from cems.catalog.models import Level, Major, Program, StudyMode
from cems.core import idcard
from cems.organization.models import Province, School, Station
from cems.students.models import Student, StudentStatus

PASSWORD = "correct-horse-battery"

# Property tests explore new random inputs on a developer's machine; in CI they replay a
# fixed sequence, so that a run's verdict does not depend on chance.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background jobs run inside the request that starts them (Django's immediate task
    backend); cems/core/tests/test_jobs.py runs the database queue with its worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    """Files the code stores (background tasks' results, images) go to the test's own folder,
    and each test starts with an empty cache of its own (in memory)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": str(tmp_path)}}  # fmt: skip
    # Reports are computed in each request, so that tests see their queries and fresh figures;
    # cems/reports/tests/test_snapshots.py turns snapshots on.
    settings.CEMS_SNAPSHOTS = False


def make_id_number(birth: dt.date, gender: str, serial: int, area: str = "430302") -> str:
    sequence = serial * 10 + (1 if gender == "M" else 2)
    first17 = f"{area}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + idcard.check_character(first17)


def add_student(world: "World", serial: int, **fields: object) -> Student:
    """Another student at station A (override any field), valid by construction."""
    gender = str(fields.pop("gender", "M"))
    birth = fields.pop("birth_date", dt.date(1990, 1, 1) + dt.timedelta(days=serial))
    assert isinstance(birth, dt.date)
    number = f"1020259{serial:05d}"
    values: dict[str, object] = {
        "student_number": number,
        "exam_number": f"26{number}",
        "name": "赵六",
        "gender": gender,
        "id_number": make_id_number(birth, gender, serial),
        "birth_date": birth,
        "phone": "13912345678",
        "station": world.station_a,
        "program": world.program,
        "cohort_year": 2025,
        "status": StudentStatus.REGISTERED,
    }
    values.update(fields)
    return Student.objects.create(**values)


@dataclass
class World:
    school: School
    hunan: Province
    guangdong: Province
    station_a: Station  # Hunan; the station staff user works here
    station_b: Station  # Guangdong; outside the station staff user's scope
    major: Major
    program: Program
    a1: Student  # station A, owned by the student user
    a2: Student  # station A
    b1: Student  # station B


def _student(number: str, name: str, station: Station, program: Program, gender: str,
             serial: int) -> Student:  # fmt: skip
    birth = dt.date(1995, 3, serial % 27 + 1)
    return Student.objects.create(
        student_number=number,
        exam_number=f"26{number}",
        name=name,
        gender=gender,
        id_number=make_id_number(birth, gender, serial),
        birth_date=birth,
        phone="13812345678",
        station=station,
        program=program,
        cohort_year=2025,
        status=StudentStatus.REGISTERED,
    )


@pytest.fixture
def world(db) -> World:
    school = School.objects.create(name="继续教育学院", code="10534")
    hunan = Province.objects.create(code="43", name="湖南省", name_en="Hunan")
    guangdong = Province.objects.create(code="44", name="广东省", name_en="Guangdong")
    common = {
        "host_institution": "某职业学校",
        "contact_person": "陈老师",
        "contact_phone": "0731-5551234",
        "agreement_start": dt.date(2020, 1, 1),
    }
    station_a = Station.objects.create(
        code="ZD4302", name="长沙函授站", province=hunan, city="长沙", **common
    )
    station_b = Station.objects.create(
        code="ZD4401", name="广州函授站", province=guangdong, city="广州", **common
    )
    major = Major.objects.create(
        code="080901", short_code="001", name="计算机科学与技术",
        name_en="Computer Science and Technology", discipline="engineering",
    )  # fmt: skip
    program = Program.objects.create(
        major=major,
        level=Level.JUNIOR_COLLEGE_TO_BACHELOR,
        mode=StudyMode.CORRESPONDENCE,
        standard_length_years=Decimal("2.5"),
        credits_to_graduate=80,
        tuition_per_year=Decimal("3000"),
    )
    a1 = _student("102025001001", "张伟", station_a, program, "M", 1)
    a2 = _student("102025001002", "李娜", station_a, program, "F", 2)
    b1 = _student("102025001003", "王芳", station_b, program, "F", 3)
    return World(school, hunan, guangdong, station_a, station_b, major, program, a1, a2, b1)


@pytest.fixture
def users(world: World) -> dict[str, User]:
    users = {}
    for role in Role:
        user = User.objects.create_user(username=f"{role.value}-user", password=PASSWORD, role=role)
        users[role.value] = user
    users[Role.STATION].stations.set([world.station_a])
    world.a1.user = users[Role.STUDENT]
    world.a1.save(update_fields=["user"])
    return users


@pytest.fixture
def client_for(users: dict[str, User]) -> Callable[[str | None], Client]:
    """client_for("station") is a client signed in as the station staff user; None: anonymous."""

    def make(role: str | None) -> Client:
        client = Client()
        if role is not None:
            client.force_login(users[role])
        return client

    return make


# --- Browser tests --------------------------------------------------------------------------
# Playwright drives Debian's Chromium (/usr/bin/chromium) against the live server. On a
# machine without Chromium the browser tests are skipped with the reason; in CI (CI=true) a
# missing browser fails the run instead.

CHROMIUM = os.environ.get("CEMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def sign_in_browser(page: Any, base_url: str, username: str) -> None:
    """Sign in through the login form in a browser page, and wait for the dashboard."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base_url}/")


@pytest.fixture(scope="module")
def browser():
    missing = None
    if not shutil.which(CHROMIUM):
        missing = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:  # pragma: no cover - playwright is in requirements-dev.txt
            missing = "the playwright package is not installed"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {missing}")
        pytest.skip(missing)
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # fixtures stay synchronous, which Django allows once told so.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
