"""Helpers of the certificates' tests (issue 6 items 6, 7, 9)."""

import datetime as dt
from decimal import Decimal

from cems.training import assessment, certificates
from cems.training.models import Certificate, Enrollment
from cems.training.tests.people_fixtures import make_trainee, make_training_project


def certified(serial: int = 1, name: str = "张伟", code: str = "TZZY",
              issued_on: dt.date | None = None, **fields: object) -> Certificate:  # fmt: skip
    """A trainee who passed a project of the category, with the issued certificate."""
    project = make_training_project(title=f"培训{code}{serial}", code=code)
    enrollment = Enrollment.objects.create(
        project=project, trainee=make_trainee(serial, name=name, **fields)
    )
    assessment.record_attempt(
        enrollment=enrollment, score=Decimal(80), assessed_on=project.end_date
    )
    return certificates.issue(enrollment, issued_on=issued_on or project.end_date)
