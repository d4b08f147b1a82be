import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from cems.accounts.models import Role, User
from cems.catalog.models import GradingScale
from cems.catalog.services import course_update
from cems.teaching import grade_services as gs
from cems.teaching.grade_services import CellEdit, GradeEntryError
from cems.teaching.models import (
    ChangeSource,
    CourseOffering,
    EnrollmentKind,
    Grade,
    GradeChange,
    GradeLocked,
    OfferingStudent,
    RequestStatus,
)
from cems.teaching.tests.conftest import Gradebook, make_gradebook, make_teacher


@pytest.fixture(autouse=True)
def _english():
    """The messages matched below are the English ones."""
    with translation.override("en"):
        yield


def save(
    user: User, book: Gradebook, name: str, field: str, text: str, expected: str = ""
) -> list[gs.SavedCell]:
    return gs.grades_save(
        actor=user,
        offering_id=book.offering.pk,
        edits=[CellEdit(book.entries[name].pk, field, text, expected)],
    )


def grade_of(book: Gradebook, name: str) -> Grade:
    return Grade.objects.get(entry=book.entries[name])


def test_a_saved_score_is_derived_and_recorded(gradebook, users):
    teacher = users[Role.TEACHER]
    save(teacher, gradebook, "a1", "score", " ８５.5 ")
    grade = grade_of(gradebook, "a1")
    assert grade.score == Decimal("85.5")
    assert grade.passed is True
    assert grade.final_passed is True
    assert grade.final_numeric == Decimal("85.5")
    change = GradeChange.objects.get()
    assert (change.field, change.old_value, change.new_value) == ("score", "", "85.5")
    assert change.changed_by == teacher
    assert change.source == ChangeSource.GRID


@pytest.mark.parametrize("text", ["101", "-1", "abc", "85.25", "nan", "1e2x", "优"], ids=repr)
def test_bad_scores_are_refused_and_nothing_is_written(gradebook, users, text):
    with pytest.raises(GradeEntryError) as caught:
        gs.grades_save(
            actor=users[Role.TEACHER],
            offering_id=gradebook.offering.pk,
            edits=[
                CellEdit(gradebook.entries["a2"].pk, "score", "70", ""),
                CellEdit(gradebook.entries["a1"].pk, "score", text, ""),
            ],
        )
    [error] = caught.value.errors
    assert error.entry_id == gradebook.entries["a1"].pk
    assert error.field == "score"
    assert not Grade.objects.exists()
    assert not GradeChange.objects.exists()


def test_weighted_total_rounds_half_up(teaching, world, users):
    book = make_gradebook(teaching, world, users[Role.TEACHER], weight=30)
    teacher = users[Role.TEACHER]
    save(teacher, book, "a1", "coursework", "80")
    assert grade_of(book, "a1").score is None  # until both parts are in
    save(teacher, book, "a1", "exam", "55")  # 24 + 38.5 = 62.5 -> 63
    grade = grade_of(book, "a1")
    assert grade.score == Decimal(63)
    assert grade.passed is True
    with pytest.raises(GradeEntryError):  # no single score for a weighted course
        save(teacher, book, "a2", "score", "70")


def test_five_level_and_marks(teaching, world, users):
    book = make_gradebook(teaching, world, users[Role.TEACHER], scale=GradingScale.FIVE_LEVEL)
    teacher = users[Role.TEACHER]
    save(teacher, book, "a1", "level", "良")
    save(teacher, book, "a2", "mark", "缺考")
    a1, a2 = grade_of(book, "a1"), grade_of(book, "a2")
    assert a1.level == "good"
    assert a1.final_numeric == Decimal(85)
    assert a1.passed
    assert a2.mark == "absent"
    assert a2.passed is False
    assert a2.final_numeric == 0
    with pytest.raises(GradeEntryError):
        save(teacher, book, "a1", "level", "合格", expected="good")  # a pass/fail word


def test_a_concurrent_save_is_a_conflict_not_an_overwrite(gradebook, users):
    teacher, academic = users[Role.TEACHER], users[Role.ACADEMIC]
    save(teacher, gradebook, "a1", "score", "75", expected="")
    with pytest.raises(GradeEntryError) as caught:
        save(academic, gradebook, "a1", "score", "80", expected="")  # loaded before the save
    assert caught.value.errors[0].current == "75"
    assert grade_of(gradebook, "a1").score == 75
    save(academic, gradebook, "a1", "score", "75", expected="")  # the same value is no conflict


def test_another_teachers_offering_is_refused(gradebook, users):
    other = make_teacher("other-teacher")
    with pytest.raises(PermissionDenied):
        save(other, gradebook, "a1", "score", "75")
    with pytest.raises(PermissionDenied):
        save(users[Role.STATION], gradebook, "a1", "score", "75")
    assert not Grade.objects.exists()


def test_a_student_of_another_offering_is_refused(gradebook, teaching, world, users):
    other = make_gradebook(teaching, world, users[Role.TEACHER], entry=teaching.courses[1][1])
    with pytest.raises(GradeEntryError):
        gs.grades_save(
            actor=users[Role.TEACHER],
            offering_id=gradebook.offering.pk,
            edits=[CellEdit(other.entries["a1"].pk, "score", "75", "")],
        )


def submit_all(book: Gradebook, user: User, a1: str = "85", a2: str = "40") -> CourseOffering:
    save(user, book, "a1", "score", a1)
    save(user, book, "a2", "score", a2)
    return gs.grades_submit(actor=user, offering_id=book.offering.pk)


def test_submission_needs_every_result_and_locks(gradebook, users):
    teacher = users[Role.TEACHER]
    save(teacher, gradebook, "a1", "score", "85")
    with pytest.raises(ValidationError, match="102025001002"):
        gs.grades_submit(actor=teacher, offering_id=gradebook.offering.pk)
    save(teacher, gradebook, "a2", "score", "40")
    gs.grades_submit(actor=teacher, offering_id=gradebook.offering.pk)
    with pytest.raises(GradeEntryError, match="locked"):
        save(teacher, gradebook, "a1", "score", "90", expected="85")
    assert grade_of(gradebook, "a1").score == 85
    # Not even a direct save (the admin, a shell) changes a locked grade.
    grade = grade_of(gradebook, "a1")
    grade.score = Decimal(99)
    with pytest.raises(GradeLocked):
        grade.save()
    with pytest.raises(GradeLocked):
        grade.delete()


def test_makeup_rule_pass_at_60(gradebook, users, settings):
    teacher = users[Role.TEACHER]
    submit_all(gradebook, teacher)
    with pytest.raises(GradeEntryError, match="no makeup"):
        save(teacher, gradebook, "a1", "makeup_score", "70")
    save(teacher, gradebook, "a2", "makeup_score", "72")
    assert grade_of(gradebook, "a2").final_passed is False  # counts once submitted
    gs.makeup_submit(actor=teacher, offering_id=gradebook.offering.pk)
    a2 = grade_of(gradebook, "a2")
    assert a2.passed is False
    assert a2.final_passed is True
    assert a2.final_numeric == 60
    assert a2.score == 40  # the original is kept beside the makeup


@pytest.mark.parametrize(("rule", "expected"), [("makeup", 72), ("higher", 72), ("pass_at_60", 60)])
def test_makeup_final_rule_is_a_setting(gradebook, users, settings, rule, expected):
    settings.CEMS_MAKEUP_FINAL_RULE = rule
    teacher = users[Role.TEACHER]
    submit_all(gradebook, teacher)
    save(teacher, gradebook, "a2", "makeup_score", "72")
    gs.makeup_submit(actor=teacher, offering_id=gradebook.offering.pk)
    assert grade_of(gradebook, "a2").final_numeric == expected


def test_makeup_submission_needs_every_makeup_result(gradebook, users):
    teacher = users[Role.TEACHER]
    with pytest.raises(ValidationError):
        gs.makeup_submit(actor=teacher, offering_id=gradebook.offering.pk)
    submit_all(gradebook, teacher)
    with pytest.raises(ValidationError, match="102025001002"):
        gs.makeup_submit(actor=teacher, offering_id=gradebook.offering.pk)


def test_change_request_approved_applies_and_keeps_history(gradebook, users):
    teacher, academic = users[Role.TEACHER], users[Role.ACADEMIC]
    submit_all(gradebook, teacher)
    request = gs.change_request_file(
        actor=teacher, offering_id=gradebook.offering.pk, entry_id=gradebook.entries["a1"].pk,
        changes={"score": "88"}, reason="阅卷漏加一题分数",
    )  # fmt: skip
    assert request.changes == {"score": {"from": "85", "to": "88"}}
    with pytest.raises(ValidationError, match="pending"):
        gs.change_request_file(
            actor=teacher, offering_id=gradebook.offering.pk,
            entry_id=gradebook.entries["a1"].pk, changes={"score": "90"}, reason="x",
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        gs.change_request_decide(actor=teacher, request_id=request.pk, approve=True)
    gs.change_request_decide(actor=academic, request_id=request.pk, approve=True)
    assert grade_of(gradebook, "a1").score == 88
    change = GradeChange.objects.filter(source=ChangeSource.REQUEST).get()
    assert (change.old_value, change.new_value, change.reason) == ("85", "88", "阅卷漏加一题分数")
    assert change.changed_by == academic
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert request.decided_by == academic
    with pytest.raises(ValidationError, match="already"):
        gs.change_request_decide(actor=academic, request_id=request.pk, approve=False)


def test_change_request_needs_a_reason_and_a_change(gradebook, users):
    teacher = users[Role.TEACHER]
    with pytest.raises(ValidationError):  # not submitted yet: edit instead
        gs.change_request_file(
            actor=teacher, offering_id=gradebook.offering.pk,
            entry_id=gradebook.entries["a1"].pk, changes={"score": "88"}, reason="r",
        )  # fmt: skip
    submit_all(gradebook, teacher)
    for changes, reason in (({"score": "88"}, "  "), ({"score": "85"}, "r"), ({"score": "x"}, "r"),
                            ({"makeup_score": "70"}, "r")):  # fmt: skip
        with pytest.raises(ValidationError):
            gs.change_request_file(
                actor=teacher, offering_id=gradebook.offering.pk,
                entry_id=gradebook.entries["a1"].pk, changes=changes, reason=reason,
            )  # fmt: skip


def test_rejected_request_changes_nothing_and_nobody_approves_their_own(gradebook, users):
    academic = users[Role.ACADEMIC]
    submit_all(gradebook, academic)
    request = gs.change_request_file(
        actor=academic, offering_id=gradebook.offering.pk, entry_id=gradebook.entries["a2"].pk,
        changes={"score": "65"}, reason="复核",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        gs.change_request_decide(actor=academic, request_id=request.pk, approve=True)
    gs.change_request_decide(actor=users[Role.ADMIN], request_id=request.pk, approve=False)
    assert grade_of(gradebook, "a2").score == 40


def test_retake_after_a_failed_makeup(gradebook, teaching, world, users):
    teacher, academic = users[Role.TEACHER], users[Role.ACADEMIC]
    submit_all(gradebook, teacher)
    later = make_gradebook(
        teaching, world, teacher, term=teaching.autumn_2026, entry=teaching.courses[1][0]
    ).offering
    OfferingStudent.objects.filter(offering=later).delete()
    assert not gs.retake_candidates(later).exists()  # the makeup is not over yet
    save(teacher, gradebook, "a2", "makeup_score", "50")
    gs.makeup_submit(actor=teacher, offering_id=gradebook.offering.pk)
    assert list(gs.retake_candidates(later)) == [world.a2]
    with pytest.raises(ValidationError):
        gs.retake_enroll(actor=academic, offering_id=later.pk, student_ids=[world.a1.pk])
    assert gs.retake_enroll(actor=academic, offering_id=later.pk, student_ids=[world.a2.pk]) == 1
    entry = OfferingStudent.objects.get(offering=later, student=world.a2)
    assert entry.kind == EnrollmentKind.RETAKE
    assert not gs.retake_candidates(later).exists()
    with pytest.raises(PermissionDenied):
        gs.retake_enroll(actor=teacher, offering_id=later.pk, student_ids=[world.a2.pk])


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_one_cell_at_once_give_one_conflict(gradebook, users):
    """Two users who loaded the same empty cell save it at the same moment from two
    connections: one value is saved, the other save reports the conflict."""
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save_as(role: str, text: str) -> None:
        try:
            barrier.wait()
            save(users[role], gradebook, "a1", "score", text, expected="")
            outcomes[role] = "saved"
        except GradeEntryError as error:
            outcomes[role] = f"conflict:{error.errors[0].current}"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save_as, args=(Role.TEACHER, "71")),
        threading.Thread(target=save_as, args=(Role.ACADEMIC, "72")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = [role for role, outcome in outcomes.items() if outcome == "saved"]
    assert len(saved) == 1, outcomes
    value = grade_of(gradebook, "a1").score
    assert value is not None
    loser = next(role for role in outcomes if role not in saved)
    assert outcomes[loser] == f"conflict:{value.normalize():f}"
    assert GradeChange.objects.count() == 1


def test_a_courses_grading_stays_once_grades_are_entered(gradebook, users):
    course = gradebook.offering.plan_course.course
    academic = users[Role.ACADEMIC]
    course_update(actor=academic, course=course, data={"coursework_weight": 30})  # no grade yet
    course_update(actor=academic, course=course, data={"coursework_weight": 0})
    save(users[Role.TEACHER], gradebook, "a1", "score", "80")
    with pytest.raises(ValidationError) as caught:
        course_update(actor=academic, course=course, data={"grading_scale": "five_level"})
    assert list(caught.value.error_dict) == ["grading_scale"]
    course_update(actor=academic, course=course, data={"hours": 60})  # other fields change
    course.refresh_from_db()
    assert (course.grading_scale, course.hours) == ("percent", 60)
