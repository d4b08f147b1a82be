"""Helpers of the trainees', employers' and projects' tests (items 1–3 of issue 6)."""

import datetime as dt
import importlib
from decimal import Decimal
from typing import Any

from cems.conftest import make_id_number
from cems.training.models import (
    Certificate,
    Employer,
    EmployerKind,
    Enrollment,
    Project,
    ProjectFormat,
    Trainee,
    TrainingCategory,
)

_DEFAULTS = importlib.import_module("cems.training.migrations.0002_default_categories").DEFAULTS


def default_category(code: str) -> TrainingCategory:
    """One of the default categories. Migration 0002 creates them, but a transactional test
    (threads, the browser) empties every table after it, so they are made again if gone."""
    for row in _DEFAULTS:
        if row[0] == code:
            _code, name, name_en, validity, review, hours, attempts, wait, number = row
            category, _created = TrainingCategory.objects.get_or_create(
                code=code,
                defaults={
                    "name": name, "name_en": name_en, "validity_months": validity,
                    "review_interval_months": review, "refresher_hours": hours,
                    "attempts_before_wait": attempts, "retake_wait_months": wait,
                    "certificate_number_format": number,
                },
            )  # fmt: skip
            return category
    raise KeyError(code)


def make_trainee(serial: int, name: str = "孙强", **fields: Any) -> Trainee:
    """A valid trainee's file; `birth` (a date) and `gender` shape the ID number."""
    birth: dt.date = fields.pop("birth", None) or dt.date(1980, 5, 1)
    gender: str = fields.pop("gender", "M")
    return Trainee.objects.create(
        id_number=make_id_number(birth, gender, serial),
        name=name,
        gender=gender,
        birth_date=birth,
        **fields,
    )


def make_employer(name: str = "某某煤矿") -> Employer:
    return Employer.objects.create(name=name, kind=EmployerKind.MINE)


def make_training_project(title: str = "矿长培训班", cohort: int = 1, code: str = "KZ",
                          start: dt.date = dt.date(2026, 3, 1)) -> Project:  # fmt: skip
    return Project.objects.create(
        category=default_category(code),
        title=title,
        sponsor="应急管理局",
        format=ProjectFormat.FULL_TIME,
        cohort=cohort,
        start_date=start,
        end_date=start + dt.timedelta(days=9),
        venue="一号教室",
        capacity=40,
        hours=48,
        fee=Decimal(0),
    )


def certify(trainee: Trainee, project: Project, number: str) -> Certificate:
    enrollment = Enrollment.objects.create(project=project, trainee=trainee, status="completed")
    return Certificate.objects.create(
        number=number,
        enrollment=enrollment,
        trainee=trainee,
        category=project.category,
        issued_on=project.end_date,
    )
