"""Status change services: who files, the rules of each kind, the approval chains, effects."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from cems.accounts.models import User
from cems.conftest import add_student, make_id_number
from cems.students import status
from cems.students.models import (
    ApprovalStep,
    Registration,
    RequestState,
    StatusChangeApproval,
    StatusChangeKind,
    StatusChangeRequest,
    Student,
    StudentClass,
    StudentNumberChange,
    StudentStatus,
)
from cems.students.tests.status_support import (
    TODAY,
    approve,
    extra,
    file,
    in_english,
    set_today,
    suspension,
)

K = StatusChangeKind


@pytest.fixture
def env(world, users, monkeypatch):
    set_today(monkeypatch)
    with in_english():
        yield extra(world)


@pytest.fixture
def station(users):
    return users["station"]


@pytest.fixture
def academic(users):
    return users["academic"]


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def refused(call, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value


def approved_suspension(student, filer, start, end) -> StatusChangeRequest:
    return StatusChangeRequest.objects.create(
        student=student, kind=K.SUSPEND, reason="earlier", filed_by=filer,
        start_date=start, end_date=end, state=RequestState.APPROVED,
    )  # fmt: skip


class TestWhoFiles:
    def test_station_staff_file_for_their_station(self, world, env, station):
        request = file(station, world.a1, K.WITHDRAW)
        assert request.state == RequestState.PENDING_STATION
        assert request.filed_by == station
        assert request.reason == "本人申请"

    def test_station_staff_cannot_file_for_another_station(self, world, env, station):
        with pytest.raises(PermissionDenied):
            file(station, world.b1, K.WITHDRAW)
        assert not StatusChangeRequest.objects.exists()

    @pytest.mark.parametrize("role", ["academic", "finance", "auditor", "teacher", "training"])
    def test_roles_without_the_capability_cannot_file(self, world, env, users, role):
        with pytest.raises(PermissionDenied):
            file(users[role], world.a1, K.WITHDRAW)

    def test_administrator_files(self, world, env, users):
        assert file(users["admin"], world.b1, K.WITHDRAW).state == RequestState.PENDING_STATION

    @pytest.mark.parametrize("kind", [K.SUSPEND, K.WITHDRAW])
    def test_student_files_suspension_and_withdrawal_for_themselves(self, world, env, users, kind):
        payload = suspension(TODAY) if kind == K.SUSPEND else {}
        request = file(users["student"], world.a1, kind, **payload)
        assert request.state == RequestState.PENDING_STATION

    @pytest.mark.parametrize("kind", [K.RESUME, K.CHANGE_MAJOR, K.CORRECT_DATA, K.TRANSFER])
    def test_student_files_nothing_else(self, world, env, users, kind):
        with pytest.raises(PermissionDenied):
            file(users["student"], world.a1, kind)

    def test_student_cannot_file_for_another_student(self, world, env, users):
        with pytest.raises(PermissionDenied):
            file(users["student"], world.a2, K.WITHDRAW)

    def test_reason_is_required(self, world, env, station):
        error = refused(file, station, world.a1, K.WITHDRAW, reason="  ")
        assert "reason" in error.message_dict

    def test_unknown_details_are_a_programming_error(self, world, env, station):
        with pytest.raises(TypeError):
            file(station, world.a1, K.WITHDRAW, new_class=1)

    def test_one_pending_request_per_kind(self, world, env, station):
        first = file(station, world.a1, K.WITHDRAW)
        error = refused(file, station, world.a1, K.WITHDRAW)
        assert "already has a pending request of this type" in messages_of(error)
        file(station, world.a1, K.SUSPEND, **suspension(TODAY))  # another kind is fine
        status.status_request_cancel(actor=station, request=first)
        file(station, world.a1, K.WITHDRAW)  # and again once the first is cancelled


class TestSuspend:
    def test_one_year_is_allowed(self, world, env, station):
        request = file(station, world.a1, K.SUSPEND, **suspension(dt.date(2026, 12, 1)))
        assert (request.start_date, request.end_date) == (
            dt.date(2026, 12, 1),
            dt.date(2027, 12, 1),
        )

    def test_dates_are_required(self, world, env, station):
        error = refused(file, station, world.a1, K.SUSPEND)
        assert set(error.message_dict) >= {"start_date", "end_date"}

    def test_end_after_start(self, world, env, station):
        error = refused(file, station, world.a1, K.SUSPEND, start_date=TODAY, end_date=TODAY)
        assert error.message_dict["end_date"] == ["A suspension must end after it starts."]

    def test_one_year_at_a_time(self, world, env, station):
        error = refused(file, station, world.a1, K.SUSPEND, **suspension(TODAY, months=13))
        assert "one year at a time" in error.message_dict["end_date"][0]
        assert "2027-11-28" in error.message_dict["end_date"][0]

    def test_two_years_in_total(self, world, env, station):
        approved_suspension(world.a1, station, dt.date(2024, 9, 1), dt.date(2025, 9, 1))
        file(station, world.a1, K.SUSPEND, **suspension(TODAY))  # 365 + 365 days: allowed
        StatusChangeRequest.objects.filter(state=RequestState.PENDING_STATION).delete()
        approved_suspension(world.a1, station, dt.date(2025, 9, 1), dt.date(2026, 9, 1))
        error = refused(file, station, world.a1, K.SUSPEND, **suspension(TODAY, months=1))
        message = error.message_dict["end_date"][0]
        assert "may total 2 years (731 days)" in message
        assert "730 days already, so 1 days are left" in message

    def test_the_total_is_a_setting(self, world, env, station, settings):
        settings.CEMS_SUSPENSION_MAX_YEARS = 1
        approved_suspension(world.a1, station, dt.date(2025, 9, 1), dt.date(2026, 3, 1))
        error = refused(file, station, world.a1, K.SUSPEND, **suspension(TODAY, months=7))
        assert "may total 1 years" in error.message_dict["end_date"][0]

    def test_counts_in_the_maximum_study_period(self, world, env, station, monkeypatch):
        # cohort 2025, 2.5 years + 3 extra: the period ends on 2031-03-01.
        set_today(monkeypatch, dt.date(2030, 6, 1))
        error = refused(file, station, world.a1, K.SUSPEND, **suspension(dt.date(2030, 6, 1)))
        assert "maximum study period, which ends on 2031-03-01" in error.message_dict["end_date"][0]
        file(station, world.a1, K.SUSPEND, **suspension(dt.date(2030, 6, 1), months=9))

    def test_only_registered_students(self, world, env, station):
        world.a1.status = StudentStatus.SUSPENDED
        world.a1.save()
        error = refused(file, station, world.a1, K.SUSPEND, **suspension(TODAY))
        assert "only possible for a student who is Registered; 张伟 is Suspended" in messages_of(
            error
        )

    def test_approval_suspends(self, world, env, station, academic):
        request = approve(
            file(station, world.a1, K.SUSPEND, **suspension(TODAY)), station, academic
        )
        assert request.state == RequestState.APPROVED
        world.a1.refresh_from_db()
        assert world.a1.status == StudentStatus.SUSPENDED


class TestResume:
    def test_only_from_suspended(self, world, env, station):
        error = refused(file, station, world.a1, K.RESUME)
        assert "only possible for a student who is Suspended" in messages_of(error)

    def test_joins_the_next_cohort_and_leaves_the_class(self, world, env, station, academic):
        student_class = StudentClass.objects.create(
            code="C1", name="2025级计算机1班", station=world.station_a, program=world.program,
            cohort_year=2025,
        )  # fmt: skip
        world.a1.student_class = student_class
        world.a1.save()
        suspended = approve(
            file(station, world.a1, K.SUSPEND, **suspension(dt.date(2025, 12, 1))),
            station,
            academic,
        )
        assert suspended.state == RequestState.APPROVED
        request = approve(file(station, world.a1, K.RESUME), station, academic)
        world.a1.refresh_from_db()
        assert world.a1.status == StudentStatus.REGISTERED
        assert world.a1.cohort_year == 2026  # suspended in 2025–26, back in 2026–27
        assert world.a1.student_class is None
        assert request.corrections == {"cohort_from": 2025, "cohort_to": 2026}

    def test_years_suspended_are_counted_in_academic_years(self, world, env, station, academic):
        world.a1.status = StudentStatus.SUSPENDED
        world.a1.save()
        approved_suspension(world.a1, station, dt.date(2024, 10, 1), dt.date(2025, 10, 1))
        approve(file(station, world.a1, K.RESUME), station, academic)
        world.a1.refresh_from_db()
        assert world.a1.cohort_year == 2027  # left in 2024–25, back in 2026–27

    def test_the_maximum_study_period_stays_with_the_first_cohort(
        self, world, env, station, academic
    ):
        world.a1.status = StudentStatus.SUSPENDED
        world.a1.save()
        approve(file(station, world.a1, K.RESUME), station, academic)
        world.a1.refresh_from_db()
        assert world.a1.cohort_year == 2026
        assert status.maximum_study_end(world.a1) == dt.date(2031, 3, 1)


class TestWithdraw:
    @pytest.mark.parametrize(
        "current", [StudentStatus.REGISTERED, StudentStatus.SUSPENDED, StudentStatus.DEFERRED]
    )
    def test_from_any_active_status(self, world, env, station, academic, current):
        world.a1.status = current
        world.a1.save()
        approve(file(station, world.a1, K.WITHDRAW), station, academic)
        world.a1.refresh_from_db()
        assert world.a1.status == StudentStatus.WITHDRAWN

    @pytest.mark.parametrize(
        "current", [StudentStatus.WITHDRAWN, StudentStatus.TRANSFERRED, StudentStatus.GRADUATED]
    )
    def test_not_once_gone(self, world, env, station, current):
        world.a1.status = current
        world.a1.save()
        refused(file, station, world.a1, K.WITHDRAW)


class TestDefer:
    def test_a_new_student_who_has_not_started(self, world, env, station, academic):
        newcomer = add_student(world, 7, cohort_year=2026)
        approve(file(station, newcomer, K.DEFER), station, academic)
        newcomer.refresh_from_db()
        assert newcomer.status == StudentStatus.DEFERRED

    def test_not_for_an_earlier_cohort(self, world, env, station):
        error = refused(file, station, world.a1, K.DEFER)
        assert "current admission year (2026); this student's cohort is 2025" in messages_of(error)

    def test_not_once_registered(self, world, env, station):
        newcomer = add_student(world, 7, cohort_year=2026)
        Registration.objects.create(student=newcomer, academic_year=2026, tuition_paid=True)
        error = refused(file, station, newcomer, K.DEFER)
        assert "registered for the academic year 2026" in messages_of(error)


class TestChangeProgram:
    def test_change_of_major(self, world, env, station):
        request = file(station, world.a1, K.CHANGE_MAJOR, new_program=env.accounting)
        assert request.new_program == env.accounting

    def test_change_of_mode(self, world, env, station):
        assert file(station, world.a1, K.CHANGE_MODE, new_program=env.spare_time)

    def test_program_required(self, world, env, station):
        error = refused(file, station, world.a1, K.CHANGE_MAJOR)
        assert error.message_dict["new_program"] == ["Choose the new program."]

    def test_change_of_major_needs_another_major_in_the_same_mode(self, world, env, station):
        error = refused(file, station, world.a1, K.CHANGE_MAJOR, new_program=env.spare_time)
        text = " ".join(error.message_dict["new_program"])
        assert "needs another major" in text
        assert "keeps the study mode" in text

    def test_change_of_mode_keeps_the_major(self, world, env, station):
        error = refused(file, station, world.a1, K.CHANGE_MODE, new_program=env.accounting)
        text = " ".join(error.message_dict["new_program"])
        assert "needs the other study mode" in text
        assert "keeps the major" in text

    def test_not_across_levels(self, world, env, station):
        error = refused(file, station, world.a1, K.CHANGE_MODE, new_program=env.college)
        assert "must be at the student's level" in " ".join(error.message_dict["new_program"])

    def test_only_offered_programs(self, world, env, station):
        env.accounting.is_offered = False
        env.accounting.save()
        error = refused(file, station, world.a1, K.CHANGE_MAJOR, new_program=env.accounting)
        assert "is not offered" in error.message_dict["new_program"][0]

    @pytest.mark.parametrize("kind", [K.CHANGE_MAJOR, K.CHANGE_MODE])
    def test_approval_changes_program_and_number(self, world, env, station, academic, kind):
        program = env.accounting if kind == K.CHANGE_MAJOR else env.spare_time
        old_number = world.a1.student_number
        request = approve(file(station, world.a1, kind, new_program=program), station, academic)
        world.a1.refresh_from_db()
        assert world.a1.program == program
        assert world.a1.student_number != old_number
        assert world.a1.student_class.program == program
        change = StudentNumberChange.objects.get(student=world.a1)
        assert (change.old_number, change.new_number) == (old_number, world.a1.student_number)
        assert change.request == request


class TestChangeStation:
    def test_chain_needs_both_stations_then_the_school(self, world, env, station, academic):
        request = file(station, world.a1, K.CHANGE_STATION, new_station=world.station_b)
        with pytest.raises(PermissionDenied):  # the receiving station comes second
            approve(request, env.staff_b)
        request = approve(request, station)
        assert request.state == RequestState.PENDING_TARGET_STATION
        with pytest.raises(PermissionDenied):  # the sending station has had its say
            approve(request, station)
        with pytest.raises(PermissionDenied):  # the school comes last
            approve(request, academic)
        request = approve(request, env.staff_b)
        assert request.state == RequestState.PENDING_SCHOOL
        request = approve(request, academic)
        assert request.state == RequestState.APPROVED
        steps = list(request.approvals.values_list("step", "decided_by__username"))
        assert steps == [
            (ApprovalStep.STATION, "station-user"),
            (ApprovalStep.TARGET_STATION, "station-b-user"),
            (ApprovalStep.SCHOOL, "academic-user"),
        ]
        world.a1.refresh_from_db()
        assert world.a1.station == world.station_b
        assert world.a1.student_class.station == world.station_b

    def test_the_receiving_station_may_refuse(self, world, env, station):
        request = approve(
            file(station, world.a1, K.CHANGE_STATION, new_station=world.station_b), station
        )
        request = status.status_request_decide(
            actor=env.staff_b, request=request, approve=False, comment="满员"
        )
        assert request.state == RequestState.REJECTED
        world.a1.refresh_from_db()
        assert world.a1.station == world.station_a

    def test_another_active_station(self, world, env, station):
        error = refused(file, station, world.a1, K.CHANGE_STATION)
        assert error.message_dict["new_station"] == ["Choose the receiving station."]
        error = refused(file, station, world.a1, K.CHANGE_STATION, new_station=world.station_a)
        assert "already studies at 长沙函授站" in error.message_dict["new_station"][0]
        error = refused(file, station, world.a1, K.CHANGE_STATION, new_station=env.closed)
        assert error.message_dict["new_station"] == ["停办函授站 is not active."]


class TestTransfer:
    def details(self, level: str = "jc_ba") -> dict[str, str]:
        return {"target_school": "湖南大学继续教育学院", "target_level": level}

    def test_allowed_between_first_term_and_graduating_year(self, world, env, station, academic):
        request = file(station, world.a1, K.TRANSFER, **self.details())
        assert request.target_school == "湖南大学继续教育学院"
        assert request.corrections == {"target_level": "jc_ba"}
        approve(request, station, academic)
        world.a1.refresh_from_db()
        assert world.a1.status == StudentStatus.TRANSFERRED

    def test_not_in_the_first_term(self, world, env, station, monkeypatch):
        set_today(monkeypatch, dt.date(2026, 2, 28))
        error = refused(file, station, world.a1, K.TRANSFER, **self.details())
        assert (
            "No transfer in the first term: a transfer is possible from 2026-03-01."
            in (error.message_dict[NON_FIELD_ERRORS])
        )
        set_today(monkeypatch, dt.date(2026, 3, 1))
        file(station, world.a1, K.TRANSFER, **self.details())

    def test_not_in_the_graduating_year(self, world, env, station, monkeypatch):
        set_today(monkeypatch, dt.date(2027, 3, 1))
        error = refused(file, station, world.a1, K.TRANSFER, **self.details())
        assert "graduating year began on 2027-03-01" in messages_of(error)
        set_today(monkeypatch, dt.date(2027, 2, 28))
        file(station, world.a1, K.TRANSFER, **self.details())

    def test_graduating_year_follows_the_standard_length(self, world, env, station, monkeypatch):
        world.program.standard_length_years = 5
        world.program.save()
        set_today(monkeypatch, dt.date(2029, 8, 31))  # cohort 2025, 5 years: ends 2030-09-01
        file(station, world.a1, K.TRANSFER, **self.details())

    def test_not_across_levels(self, world, env, station):
        error = refused(file, station, world.a1, K.TRANSFER, **self.details("hs_jc"))
        assert "may not change level" in error.message_dict["target_level"][0]

    def test_school_and_level_required(self, world, env, station):
        error = refused(file, station, world.a1, K.TRANSFER, target_school=" ")
        assert set(error.message_dict) >= {"target_school", "target_level"}


class TestCorrectData:
    def correct(self, actor: User, student: Student, **corrections: Any) -> StatusChangeRequest:
        return file(actor, student, K.CORRECT_DATA, corrections=corrections)

    def test_name_and_phone(self, world, env, station, academic):
        request = self.correct(station, world.a1, name="张 伟", phone="13700001111")
        approve(request, station, academic)
        world.a1.refresh_from_db()
        assert (world.a1.name, world.a1.phone) == ("张 伟", "13700001111")
        request.refresh_from_db()
        assert request.corrections["previous"] == {"name": "张伟", "phone": "13812345678"}

    def test_id_number_birth_date_and_gender_together(self, world, env, station, academic):
        born = dt.date(1994, 6, 30)
        number = make_id_number(born, "F", 41)
        request = self.correct(station, world.a1, id_number=number, birth_date=born, gender="F")
        assert request.corrections["birth_date"] == "1994-06-30"
        approve(request, station, academic)
        world.a1.refresh_from_db()
        assert (world.a1.id_number, world.a1.birth_date, world.a1.gender) == (number, born, "F")

    def test_id_number_must_agree_with_the_record(self, world, env, station):
        other = make_id_number(dt.date(1990, 1, 1), "M", 41)
        error = refused(self.correct, station, world.a1, id_number=other)
        assert "gives the birth date 1990-01-01" in error.message_dict["id_number"][0]
        woman = make_id_number(world.a1.birth_date, "F", 41)
        error = refused(self.correct, station, world.a1, id_number=woman)
        assert "other gender" in error.message_dict["id_number"][0]

    def test_id_number_check_character(self, world, env, station):
        number = make_id_number(world.a1.birth_date, "M", 41)
        wrong = number[:17] + ("0" if number[17] != "0" else "1")
        error = refused(self.correct, station, world.a1, id_number=wrong)
        assert "check character is wrong" in error.message_dict["id_number"][0]

    def test_phone_is_checked(self, world, env, station):
        error = refused(self.correct, station, world.a1, phone="12345")
        assert "is not a mobile number" in error.message_dict["phone"][0]

    def test_something_must_change(self, world, env, station):
        error = refused(self.correct, station, world.a1, name="张伟")
        assert "differs from the record" in messages_of(error)
        refused(self.correct, station, world.a1)

    def test_only_personal_data(self, world, env, station):
        error = refused(self.correct, station, world.a1, student_number="1")
        assert "cannot be corrected: student_number" in messages_of(error)


class TestDecide:
    def test_station_then_school(self, world, env, station, academic):
        request = file(station, world.a1, K.WITHDRAW)
        request = approve(request, station)
        assert request.state == RequestState.PENDING_SCHOOL
        world.a1.refresh_from_db()
        assert world.a1.status == StudentStatus.REGISTERED  # nothing before the last step
        request = status.status_request_decide(
            actor=academic, request=request, approve=True, comment="同意"
        )
        assert request.state == RequestState.APPROVED
        assert request.decided_at is not None
        assert list(request.approvals.values_list("step", "approved", "comment")) == [
            (ApprovalStep.STATION, True, ""),
            (ApprovalStep.SCHOOL, True, "同意"),
        ]

    @pytest.mark.parametrize("role", ["academic", "admin", "finance", "student"])
    def test_only_the_station_decides_first(self, world, env, station, users, role):
        request = file(station, world.a1, K.WITHDRAW)
        with pytest.raises(PermissionDenied):
            approve(request, users[role])
        assert not StatusChangeApproval.objects.exists()

    def test_staff_of_another_station_do_not_decide(self, world, env, station):
        request = file(station, world.a1, K.WITHDRAW)
        with pytest.raises(PermissionDenied):
            approve(request, env.staff_b)

    @pytest.mark.parametrize("role", ["station", "finance", "auditor"])
    def test_only_academic_affairs_decide_last(self, world, env, station, users, role):
        request = approve(file(station, world.a1, K.WITHDRAW), station)
        with pytest.raises(PermissionDenied):
            approve(request, users[role])
        approve(request, users["admin"])  # administrators hold every capability

    def test_rejection_needs_its_reason(self, world, env, station):
        request = file(station, world.a1, K.WITHDRAW)
        error = refused(
            status.status_request_decide, actor=station, request=request, approve=False,
            comment=" ",
        )  # fmt: skip
        assert error.message_dict == {"comment": ["A rejection needs its reason."]}
        request.refresh_from_db()
        assert request.state == RequestState.PENDING_STATION

    def test_rejection_ends_the_request(self, world, env, station, academic):
        request = approve(file(station, world.a1, K.WITHDRAW), station)
        request = status.status_request_decide(
            actor=academic, request=request, approve=False, comment="材料不全"
        )
        assert request.state == RequestState.REJECTED
        assert request.rejection_reason == "材料不全"
        assert list(request.approvals.all())[-1].approved is False
        world.a1.refresh_from_db()
        assert world.a1.status == StudentStatus.REGISTERED
        error = refused(approve, request, academic)
        assert "it can no longer be decided" in messages_of(error)

    def test_rules_are_checked_again_on_approval(self, world, env, station, academic):
        suspend = approve(file(station, world.a1, K.SUSPEND, **suspension(TODAY)), station)
        approve(file(station, world.a1, K.WITHDRAW), station, academic)
        error = refused(approve, suspend, academic)
        assert "张伟 is Withdrawn" in messages_of(error)
        suspend.refresh_from_db()
        assert suspend.state == RequestState.PENDING_SCHOOL
        assert suspend.approvals.count() == 1

    def test_nothing_is_applied_when_the_effect_fails(
        self, world, env, station, academic, monkeypatch
    ):
        request = approve(
            file(station, world.a1, K.CHANGE_STATION, new_station=world.station_b),
            station, env.staff_b,
        )  # fmt: skip
        original = status._apply

        def failing(*args, **kwargs):
            original(*args, **kwargs)
            raise RuntimeError("disk full")

        monkeypatch.setattr(status, "_apply", failing)
        with pytest.raises(RuntimeError):
            approve(request, academic)
        world.a1.refresh_from_db()
        request.refresh_from_db()
        assert world.a1.station == world.station_a
        assert request.state == RequestState.PENDING_SCHOOL
        assert request.approvals.count() == 2


class TestCancel:
    def test_the_filer_cancels_while_pending(self, world, env, station):
        request = approve(file(station, world.a1, K.WITHDRAW), station)
        request = status.status_request_cancel(actor=station, request=request)
        assert request.state == RequestState.CANCELLED
        assert request.decided_at is not None

    def test_a_student_cancels_their_own_request(self, world, env, users):
        request = file(users["student"], world.a1, K.WITHDRAW)
        assert status.status_request_cancel(actor=users["student"], request=request).state == (
            RequestState.CANCELLED
        )

    @pytest.mark.parametrize("role", ["academic", "admin", "student"])
    def test_nobody_else(self, world, env, station, users, role):
        request = file(station, world.a1, K.WITHDRAW)
        with pytest.raises(PermissionDenied):
            status.status_request_cancel(actor=users[role], request=request)

    def test_not_once_decided(self, world, env, station, academic):
        request = approve(file(station, world.a1, K.WITHDRAW), station, academic)
        error = refused(status.status_request_cancel, actor=station, request=request)
        assert "only a pending request can be cancelled" in messages_of(error)


class TestDates:
    @pytest.mark.parametrize(
        ("day", "year"),
        [(dt.date(2026, 8, 31), 2025), (dt.date(2026, 9, 1), 2026), (dt.date(2027, 1, 5), 2026)],
    )
    def test_academic_year_starts_on_1_september(self, day, year):
        assert status.academic_year_of(day) == year

    def test_add_months_keeps_the_end_of_month(self):
        assert status.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
        assert status.add_months(dt.date(2025, 9, 1), 30) == dt.date(2028, 3, 1)
        assert status.add_months(dt.date(2028, 3, 1), -12) == dt.date(2027, 3, 1)
