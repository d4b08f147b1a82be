"""Role-matrix entries of assessment, completion, certificates, the trainee portal and the
public verification page. Certificates are seen by whoever sees training (all of them);
a trainee opens only their own certificate's PDF (inside: the trainee user's own; outside:
another trainee's)."""

from cems.accounts.models import User
from cems.conftest import World
from cems.testing import Entry, statuses
from cems.training.models import Certificate
from cems.training.tests.certificate_fixtures import certified

READERS = {"admin", "training", "auditor"}
WRITERS = {"admin", "training"}


def _certificate(world: World) -> tuple[Certificate, Certificate]:
    certificate = certified(71, name="矩阵甲")
    return certificate, certificate


def _enrollment(world: World) -> tuple[object, object]:
    enrollment = _certificate(world)[0].enrollment
    return enrollment, enrollment


def _project(world: World) -> tuple[object, object]:
    project = _certificate(world)[0].enrollment.project
    return project, project


def _own_and_other(world: World) -> tuple[Certificate, Certificate]:
    own = certified(72, name="矩阵乙", user=User.objects.get(username="trainee-user"))
    return own, certified(73, name="矩阵丙")


MATRIX = {
    "training:assessment_entry": Entry(
        statuses(403, **dict.fromkeys(WRITERS, 200)), objects=_enrollment
    ),
    "training:certificate_issue": Entry(
        statuses(403, **dict.fromkeys(WRITERS, 302)), objects=_enrollment, method="post"
    ),
    "training:project_certificates": Entry(
        statuses(403, **dict.fromkeys(READERS, 200)), objects=_project
    ),
    # A background job of the project's certificates: the reader is sent to its page.
    "training:project_certificates_pdf": Entry(
        statuses(403, **dict.fromkeys(READERS, 302)), objects=_project, method="post"
    ),
    "training:certificate_list_pdf": Entry(
        statuses(403, **dict.fromkeys(READERS, 302)), method="post"
    ),
    # What the list shows is tested in test_certificates.py (the matrix checks a listing
    # only after the request, when nothing new can be listed).
    "training:certificate_list": Entry(statuses(403, **dict.fromkeys(READERS, 200))),
    "training:certificate_detail": Entry(
        statuses(403, **dict.fromkeys(READERS, 200)), objects=_certificate
    ),
    "training:certificate_pdf": Entry(
        statuses(403, **dict.fromkeys(READERS, 200)), objects=_certificate
    ),
    # Posted empty: the page comes back with the errors, nothing is changed.
    "training:certificate_review": Entry(
        statuses(403, **dict.fromkeys(WRITERS, 200)), objects=_certificate, method="post"
    ),
    "training:certificate_revoke": Entry(
        statuses(403, **dict.fromkeys(WRITERS, 200)), objects=_certificate, method="post"
    ),
    "training:portal": Entry(statuses(403, trainee=200)),
    "training:portal_certificate_pdf": Entry(
        statuses(403, trainee=(200, 404)),
        objects=_own_and_other,
        objects_for={"trainee": _own_and_other},
    ),
    "verify:verify": Entry(statuses(200, anonymous=200)),
}
