"""Demo admissions: an enrolled admission record behind every student, 1,500 admitted for
2026; and the sample files of samples/admissions/ import against the demo school."""

import random
from pathlib import Path

import pytest

from cems.admissions.demo import ADMITTED_COUNT, seed_admissions
from cems.admissions.models import AdmissionImport, Candidate, CandidateStatus
from cems.admissions.tests.factories import run
from cems.catalog.demo import seed_catalog
from cems.core import demo
from cems.organization.demo import seed_organization
from cems.students.demo import seed_students
from cems.students.models import Student

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "admissions"


def seed(students: int = 300, seed: int = 2026) -> None:
    """The demo school in the order seed_demo builds it."""
    rng = random.Random(seed)
    seed_organization(rng, demo.person_name)
    seed_catalog(rng)
    seed_students(rng, students)
    seed_admissions(rng)


def test_every_student_has_the_admission_record_behind_them():
    seed()
    enrolled = Candidate.objects.filter(status=CandidateStatus.ENROLLED)
    assert enrolled.count() == Student.objects.count() == 300
    for student in Student.objects.select_related("candidate", "program"):
        candidate = student.candidate
        assert candidate.exam_number == student.exam_number
        assert (candidate.name, candidate.id_number, candidate.birth_date, candidate.gender) == (
            student.name, student.id_number, student.birth_date, student.gender)  # fmt: skip
        assert (candidate.station_id, candidate.program_id) == (student.station_id,
                                                                student.program_id)  # fmt: skip
        assert (candidate.level, candidate.mode, candidate.major_id) == (
            student.program.level, student.program.mode, student.program.major_id)  # fmt: skip
        assert candidate.admission_year == student.cohort_year


def test_admitted_candidates_of_2026_are_valid_and_spread_out():
    seed()
    admitted = Candidate.objects.filter(status=CandidateStatus.ADMITTED)
    assert admitted.count() == ADMITTED_COUNT
    assert set(admitted.values_list("admission_year", flat=True)) == {2026}
    assert not admitted.filter(student__isnull=False).exists()
    assert not admitted.filter(station__is_active=False).exists()
    assert not admitted.filter(program__is_offered=False).exists()
    assert admitted.values("station").distinct().count() > 20
    assert admitted.values("program").distinct().count() > 50
    assert Candidate.objects.values("exam_number").distinct().count() == ADMITTED_COUNT + 300
    for candidate in admitted.order_by("?")[:100]:
        candidate.full_clean()  # ID numbers valid, phones plausible
        assert candidate.program.major_id == candidate.major_id
    record = AdmissionImport.objects.get()
    assert (record.state, record.rows, record.created) == ("confirmed", ADMITTED_COUNT,
                                                           ADMITTED_COUNT)  # fmt: skip
    assert admitted.filter(source=record).count() == ADMITTED_COUNT


def test_the_same_seed_gives_the_same_candidates():
    seed(students=50)

    def again() -> list[tuple[str, str, int | None]]:
        Candidate.objects.all().delete()
        AdmissionImport.objects.all().delete()
        seed_admissions(random.Random(11))
        return list(Candidate.objects.order_by("exam_number").values_list(
            "exam_number", "id_number", "total_score"))  # fmt: skip

    first = again()
    assert len(first) == 50 + ADMITTED_COUNT
    assert again() == first


def test_the_sample_files_import_against_the_demo_school():
    seed(students=100)
    files = sorted(SAMPLES.glob("2026-*"))
    assert {path.suffix for path in files} == {".xlsx", ".xls", ".ods", ".csv", ".dbf"}
    assert len(files) == 6
    first = run((SAMPLES / "2026-admissions.xlsx").read_bytes(), "2026-admissions.xlsx")
    assert first.counts() == {"rows": 33, "created": 30, "updated": 0, "unchanged": 0,
                              "rejected": 3}  # fmt: skip
    for path in files:
        outcome = run(path.read_bytes(), path.name)
        assert outcome.plan.file_format == path.suffix[1:]
        counts = outcome.counts()
        assert (counts["created"], counts["updated"], counts["unchanged"]) == (0, 0, 30), path
    csv_gbk = run((SAMPLES / "2026-admissions-gbk.csv").read_bytes(), "x.csv")
    assert csv_gbk.plan.encoding == "gbk"
