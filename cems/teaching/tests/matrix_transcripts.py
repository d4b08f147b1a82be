"""Role-matrix entries of the transcripts (gathered by accounts/tests/test_role_matrix.py).

Printing: inside is station A's student a1 (the student user's own record) or a class of
station A; outside is station B's. Verification is public: every role, and anonymous
visitors, open it, for any genuine code."""

from django.core.cache import cache

from cems.accounts.models import User
from cems.conftest import World
from cems.students.models import StudentClass
from cems.teaching import transcripts
from cems.teaching.transcript_views import lookup_counter_key
from cems.testing import Entry, own_student_pair, statuses, student_pair

PRINTERS = {"admin": 200, "academic": 200}


def class_pair(world: World) -> tuple[StudentClass, StudentClass]:
    classes = []
    for code, student in (("TA2025", world.a1), ("TB2025", world.b1)):
        klass = StudentClass.objects.create(
            code=code, name=f"班级{code}", station=student.station, program=world.program,
            cohort_year=2025,
        )  # fmt: skip
        student.student_class = klass
        student.save(update_fields=["student_class"])
        classes.append(klass)
    return classes[0], classes[1]


def code_pair(world: World) -> tuple[tuple[str], tuple[str]]:
    """Two genuine codes; the test client's address starts with no look-ups counted."""
    cache.delete(lookup_counter_key("127.0.0.1"))
    issued = transcripts.transcript_issue(
        actor=User.objects.get(username="academic-user"), students=[world.a1, world.b1]
    )
    return (issued[0].transcript.code,), (issued[1].transcript.code,)


MATRIX: dict[str, Entry] = {
    "teaching:transcript_student": Entry(
        statuses(403, **PRINTERS, station=(200, 404), student=(200, 404)),
        objects=student_pair,
        objects_for={"student": own_student_pair},
    ),
    # A student prints their own transcript, not their class's.
    "teaching:transcript_class": Entry(
        statuses(403, **PRINTERS, station=(200, 404), student=404), objects=class_pair
    ),
    "transcripts:verify": Entry(statuses(200, anonymous=200)),
    "transcripts:verify_code": Entry(statuses(200, anonymous=200), objects=code_pair),
}
