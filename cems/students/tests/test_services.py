"""Student numbers, renumbering, enrollment, and the log of personal data."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cems.admissions.models import Candidate, CandidateStatus
from cems.catalog.models import Level, Major, Program, StudyMode
from cems.conftest import World, add_student
from cems.core.models import PersonalDataLog
from cems.students import services
from cems.students.models import Student, StudentClass, StudentNumberChange
from cems.students.services import NumberPattern, next_student_number
from cems.students.tests.candidates import add_candidate


@pytest.fixture
def accounting(world: World) -> Program:
    major = Major.objects.create(
        code="120203K", short_code="002", name="会计学", name_en="Accounting",
        discipline="management",
    )  # fmt: skip
    return Program.objects.create(
        major=major,
        level=Level.JUNIOR_COLLEGE_TO_BACHELOR,
        mode=StudyMode.CORRESPONDENCE,
        standard_length_years=Decimal("2.5"),
        credits_to_graduate=80,
        tuition_per_year=Decimal("2800"),
    )


@pytest.fixture
def spare_time(world: World) -> Program:
    """The world's major in the other study mode."""
    return Program.objects.create(
        major=world.major,
        level=Level.JUNIOR_COLLEGE_TO_BACHELOR,
        mode=StudyMode.SPARE_TIME,
        standard_length_years=Decimal("2.5"),
        credits_to_graduate=80,
        tuition_per_year=Decimal("2600"),
    )


def next_for(world: World, year: int = 2025, program: Program | None = None) -> str:
    return next_student_number(program=program or world.program, year=year, station=world.station_a)


class TestNumberPattern:
    def test_the_default_pattern_splits_around_the_sequence(self):
        pattern = NumberPattern.parse("{college}{year}{major}{seq:03d}")
        assert (pattern.head, pattern.seq_spec, pattern.tail) == (
            "{college}{year}{major}",
            "03d",
            "",
        )

    def test_text_and_fields_after_the_sequence_are_kept(self):
        pattern = NumberPattern.parse("S{{{year}}}-{seq:04d}-{station}")
        assert pattern.head == "S{{{year}}}-"
        assert pattern.tail == "-{station}"

    @pytest.mark.parametrize(
        "template", ["{college}{year}{major}", "{year}{seq}{seq}", "{year}{name}{seq}", "{year"]
    )
    def test_a_bad_pattern_is_a_configuration_error(self, template):
        with pytest.raises(ImproperlyConfigured):
            NumberPattern.parse(template)

    @pytest.mark.parametrize(
        ("number", "expected"),
        [("102026001007", 7), ("1020260011000", 1000), ("102026001", None),
         ("10202600100A", None), ("102026002007", None)],
    )  # fmt: skip
    def test_sequence_of_a_number(self, number, expected):
        assert NumberPattern.sequence_of(number, "102026001", "") == expected


class TestNextStudentNumber:
    def test_first_number_of_a_year_and_major(self, world):
        assert next_for(world, year=2026) == "102026001001"

    def test_continues_after_the_highest_number_of_that_year_and_major(self, world):
        # The world has 102025001001 to 102025001003.
        assert next_for(world) == "102025001004"

    def test_other_years_and_majors_have_their_own_sequence(self, world, accounting):
        add_student(world, 9, student_number="102025002041", program=accounting)
        add_student(world, 10, student_number="102024001077", cohort_year=2024)
        assert next_for(world) == "102025001004"
        assert next_for(world, program=accounting) == "102025002042"

    def test_the_highest_by_value_not_by_text(self, world):
        add_student(world, 9, student_number="1020250011000")
        assert next_for(world) == "1020250011001"

    def test_a_number_in_the_history_is_never_given_again(self, world):
        StudentNumberChange.objects.create(
            student=world.a1, old_number="102025001050", new_number=world.a1.student_number
        )
        assert next_for(world) == "102025001051"

    def test_numbers_that_only_share_the_prefix_are_ignored(self, world):
        add_student(world, 9, student_number="102025001ABC")
        assert next_for(world) == "102025001004"

    def test_college_code_and_pattern_come_from_settings(self, world, settings):
        settings.CEMS_COLLEGE_CODE = "77"
        settings.CEMS_STUDENT_NUMBER_PATTERN = "{station}{year}{seq:04d}"
        assert next_for(world) == "ZD430220250001"
        settings.CEMS_STUDENT_NUMBER_PATTERN = "{college}{year}{major}{seq:03d}"
        assert next_for(world) == "772025001001"

    def test_a_number_too_long_for_the_record_is_refused(self, world, settings):
        settings.CEMS_STUDENT_NUMBER_PATTERN = "{station}{station}{station}{seq:04d}"
        with pytest.raises(ValidationError):
            next_for(world)

    def test_one_query(self, world):
        world.program.major  # noqa: B018 - loaded before counting
        world.station_a  # noqa: B018
        with CaptureQueriesContext(connection) as queries:
            next_for(world)
        assert len(queries) == 1


class TestRenumber:
    def test_new_program_new_number_and_the_old_one_kept(self, world, spare_time):
        old = world.a1.student_number
        change = services.student_renumber(student=world.a1, program=spare_time)
        world.a1.refresh_from_db()
        assert (change.old_number, change.new_number) == (old, world.a1.student_number)
        assert world.a1.student_number == "102025001004"
        assert world.a1.program == spare_time
        assert list(world.a1.number_changes.all()) == [change]

    def test_the_student_moves_to_the_class_of_the_new_program(self, world, spare_time):
        services.student_renumber(student=world.a1, program=spare_time)
        world.a1.refresh_from_db()
        klass = world.a1.student_class
        assert (klass.station, klass.program, klass.cohort_year) == (
            world.station_a,
            spare_time,
            2025,
        )
        assert klass.name == "2025级计算机科学与技术专升本业余长沙班"

    def test_the_old_number_is_never_given_again(self, world, accounting):
        # b1 holds the highest number of 2025 and major 001; it leaves for accounting.
        services.student_renumber(student=world.b1, program=accounting)
        assert not Student.objects.filter(student_number="102025001003").exists()
        assert next_for(world) == "102025001004"

    def test_the_approved_request_is_linked(self, world, users, accounting):
        from cems.students.models import StatusChangeKind, StatusChangeRequest

        request = StatusChangeRequest.objects.create(
            student=world.a1, kind=StatusChangeKind.CHANGE_MAJOR, reason="兴趣",
            filed_by=users["station"], new_program=accounting,
        )  # fmt: skip
        change = services.student_renumber(student=world.a1, program=accounting, request=request)
        assert change.request == request
        assert world.a1.student_number.startswith("102025002")

    def test_the_same_program_is_refused(self, world):
        with pytest.raises(ValidationError):
            services.student_renumber(student=world.a1, program=world.program)
        assert not StudentNumberChange.objects.exists()


class TestEnroll:
    def test_students_from_candidates_with_their_data(self, world, users):
        candidate = add_candidate(world, 1, name="周敏", phone="13711112222", total_score=201)
        [student] = services.students_enroll(actor=users["academic"], candidates=[candidate])
        student.refresh_from_db()
        for field in ("exam_number", "name", "gender", "id_number", "birth_date", "phone",
                      "station", "program", "ethnicity"):  # fmt: skip
            assert getattr(student, field) == getattr(candidate, field), field
        assert student.cohort_year == 2026
        assert student.student_number == "102026001001"
        assert student.status == "registered"
        candidate.refresh_from_db()
        assert candidate.status == CandidateStatus.ENROLLED
        assert candidate.student == student

    def test_a_class_per_station_program_and_cohort(self, world, users, accounting):
        candidates = [
            add_candidate(world, 1),
            add_candidate(world, 2),
            add_candidate(world, 3, station=world.station_b),
            add_candidate(world, 4, program=accounting),
        ]
        students = services.students_enroll(actor=users["academic"], candidates=candidates)
        classes = {s.exam_number: s.student_class for s in students if s.student_class}
        assert classes[candidates[0].exam_number] == classes[candidates[1].exam_number]
        assert len(set(classes.values())) == 3
        a_class = classes[candidates[0].exam_number]
        assert a_class.name == "2026级计算机科学与技术专升本函授长沙班"
        assert a_class.code == "2026-ZD4302-001-ZBH"
        assert classes[candidates[2].exam_number].name == "2026级计算机科学与技术专升本函授广州班"
        assert classes[candidates[3].exam_number].code == "2026-ZD4302-002-ZBH"

    def test_an_existing_class_is_used(self, world, users):
        existing = StudentClass.objects.create(
            code="2026-CS-1", name="2026级计算机一班", station=world.station_a,
            program=world.program, cohort_year=2026,
        )  # fmt: skip
        [student] = services.students_enroll(
            actor=users["academic"], candidates=[add_candidate(world, 1)]
        )
        assert student.student_class == existing
        assert StudentClass.objects.count() == 1

    def test_numbers_are_consecutive_per_class_after_those_given(self, world, users):
        add_student(world, 9, student_number="102026001007", cohort_year=2026)
        candidates = [
            add_candidate(world, 1, station=world.station_b),
            add_candidate(world, 2),
            add_candidate(world, 3, station=world.station_b),
            add_candidate(world, 4),
        ]
        students = services.students_enroll(actor=users["academic"], candidates=candidates)
        numbers = {s.exam_number: s.student_number for s in students}
        # Station A's (ZD4302) class first, then B's (ZD4401), each by exam number.
        assert [numbers[c.exam_number] for c in candidates] == [
            "102026001010", "102026001008", "102026001011", "102026001009",
        ]  # fmt: skip

    def test_a_queryset_is_enrolled_whole(self, world, users):
        for serial in range(1, 6):
            add_candidate(world, serial)
        students = services.students_enroll(
            actor=users["academic"], candidates=Candidate.objects.all()
        )
        assert len(students) == 5
        assert not Candidate.objects.filter(status=CandidateStatus.ADMITTED).exists()

    def _nothing_written(self, candidates: list[Candidate]) -> None:
        assert Student.objects.count() == 3  # the world's
        assert not StudentClass.objects.exists()
        for candidate in candidates:
            candidate.refresh_from_db()
            assert candidate.status == CandidateStatus.ADMITTED
            assert candidate.student is None

    def test_all_or_nothing_on_invalid_data(self, world, users):
        good = add_candidate(world, 1)
        # A birth date that disagrees with the ID number (written past the importer's checks).
        bad = add_candidate(world, 2, name="错日期")
        Candidate.objects.filter(pk=bad.pk).update(birth_date=dt.date(1970, 1, 1))
        with pytest.raises(ValidationError) as caught:
            services.students_enroll(actor=users["academic"], candidates=[good, bad])
        assert any("错日期" in message for message in caught.value.messages)
        self._nothing_written([good, bad])

    def test_an_enrolled_candidate_stops_the_batch(self, world, users):
        first = add_candidate(world, 1)
        services.students_enroll(actor=users["academic"], candidates=[first])
        second = add_candidate(world, 2)
        with pytest.raises(ValidationError) as caught:
            services.students_enroll(actor=users["academic"], candidates=[first, second])
        assert first.exam_number in " ".join(caught.value.messages)
        second.refresh_from_db()
        assert second.student is None
        assert Student.objects.count() == 4

    def test_an_exam_number_on_a_student_record_stops_the_batch(self, world, users):
        candidate = add_candidate(world, 1, exam_number=world.a1.exam_number)
        with pytest.raises(ValidationError):
            services.students_enroll(actor=users["academic"], candidates=[candidate])
        self._nothing_written([candidate])

    def test_nothing_to_enroll(self, world, users):
        assert services.students_enroll(actor=users["academic"], candidates=[]) == []

    def test_bulk_writes_whatever_the_batch_size(self, world, users, accounting):
        def enroll(count: int, year: int) -> int:
            for n in range(count):
                add_candidate(
                    world, year * 100 + n, program=accounting if n % 2 else world.program,
                    station=world.station_b if n % 3 else world.station_a, admission_year=year,
                )  # fmt: skip
            batch = Candidate.objects.filter(status=CandidateStatus.ADMITTED)
            with CaptureQueriesContext(connection) as queries:
                assert len(services.students_enroll(actor=users["academic"], candidates=batch))
            return len(queries)

        assert enroll(12, 2026) == enroll(60, 2027) <= 15  # with the audit event


class TestPersonalDataLog:
    def test_unmask_is_logged(self, world, users):
        log = services.personal_data_unmask(
            actor=users["academic"], student=world.a1, reason=" 核对身份 "
        )
        log.refresh_from_db()
        assert log.user == users["academic"]
        assert log.action == PersonalDataLog.Action.UNMASK
        assert log.subject == f"students.Student:{world.a1.pk}"
        assert log.fields == "id_number,phone,birth_date"
        assert log.reason == "核对身份"

    @pytest.mark.parametrize("role", ["finance", "auditor", "teacher"])
    def test_unmask_needs_the_capability(self, world, users, role):
        with pytest.raises(PermissionDenied):
            services.personal_data_unmask(actor=users[role], student=world.a1)
        assert not PersonalDataLog.objects.exists()

    def test_export_is_logged_with_filters_and_rows(self, world, users):
        log = services.personal_data_export(
            actor=users["finance"], filters={"cohort": 2025}, row_count=3, full=False
        )
        log.refresh_from_db()
        assert (log.action, log.filters, log.row_count, log.fields) == (
            PersonalDataLog.Action.EXPORT,
            {"cohort": 2025},
            3,
            "",
        )

    def test_full_export_needs_the_capability_and_a_reason(self, world, users):
        with pytest.raises(PermissionDenied):
            services.personal_data_export(
                actor=users["finance"], filters={}, row_count=3, full=True, reason="x"
            )
        with pytest.raises(ValidationError):
            services.personal_data_export(
                actor=users["academic"], filters={}, row_count=3, full=True, reason="  "
            )
        assert not PersonalDataLog.objects.exists()
        log = services.personal_data_export(
            actor=users["academic"], filters={}, row_count=3, full=True, reason="报送教育厅"
        )
        assert log.fields == "id_number,phone,birth_date"
