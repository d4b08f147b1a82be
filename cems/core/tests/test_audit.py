"""The audit trail (cems/core/audit.py): each kind of event written by the real service, with
its actor, action and target and without personal data in the summary; append-only in the
model and in the database."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from cems.accounts.models import Role, User
from cems.core import audit
from cems.core.models import AppendOnlyError, AuditEvent
from cems.finance import services as finance
from cems.finance.models import EntryKind, FeeKind
from cems.students import services as students
from cems.students import status
from cems.teaching import grade_services
from cems.teaching.grade_services import CellEdit
from cems.teaching.tests.conftest import gradebook, teaching  # noqa: F401 - fixtures
from cems.training import assessment, certificates
from cems.training.models import Enrollment
from cems.training.tests.people_fixtures import make_trainee, make_training_project

pytestmark = pytest.mark.django_db


def only(action: str, after: int = 0) -> AuditEvent:
    events = list(AuditEvent.objects.filter(action=action, pk__gt=after))
    assert len(events) == 1, [e.action for e in AuditEvent.objects.all()]
    return events[0]


def assert_no_personal_data(event: AuditEvent, *people) -> None:
    for person in people:
        for value in (person.name, person.id_number, person.phone):
            if value:
                assert value not in event.summary
                assert value not in event.reason


def mark() -> int:
    """The last event so far: the `users` fixture's own role grants come before it."""
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- The record and the handler ---------------------------------------------------------------


def test_record_keeps_the_actor_name_and_address(users):
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    event = audit.record(
        actor=users["academic"], action="grade.save", target="teaching.CourseOffering:7",
        summary="x" * 400, details={"day": dt.date(2026, 1, 2), "n": Decimal("1.5")},
        request=request,
    )  # fmt: skip
    event.refresh_from_db()
    assert (event.actor, event.actor_name, event.ip_address) == (
        users["academic"], users["academic"].username, "10.1.2.3",
    )  # fmt: skip
    assert len(event.summary) == 300
    assert event.details == {"day": "2026-01-02", "n": "1.5"}
    User.objects.filter(pk=users["academic"].pk).update(username="renamed")
    event.refresh_from_db()
    assert event.actor_name == users["academic"].username


def test_a_log_call_without_audit_extra_writes_nothing():
    import logging

    logging.getLogger("cems.audit").info("just a line")
    assert not AuditEvent.objects.exists()


def test_a_log_call_with_audit_extra_writes_an_event(users, world):
    import logging

    logging.getLogger("cems.audit").info(
        "station %s checked", world.station_a.code,
        extra=audit.event(users["admin"], "station.check", world.station_a),
    )  # fmt: skip
    event = only("station.check")
    assert event.actor == users["admin"]
    assert event.target == f"organization.Station:{world.station_a.pk}"
    assert event.summary == f"station {world.station_a.code} checked"


# --- Append-only ----------------------------------------------------------------------------


def test_the_model_refuses_updates_and_deletes(users):
    event = audit.record(actor=users["admin"], action="x.y")
    event.summary = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.summary == ""


def test_the_database_refuses_updates_and_deletes(users):
    event = audit.record(actor=users["admin"], action="x.y", summary="kept")
    table = AuditEvent._meta.db_table
    update = f"UPDATE {table} SET summary = 'changed'"  # noqa: S608 - the model's own table
    delete = f"DELETE FROM {table}"  # noqa: S608
    for statement in (update, delete):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    event.refresh_from_db()
    assert event.summary == "kept"


def test_flush_alone_may_empty_it_on_sqlite(users):
    audit.record(actor=users["admin"], action="x.y")
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL flushes with TRUNCATE")
    with audit.purge_allowed(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table}")  # noqa: S608
    assert not AuditEvent.objects.exists()


# --- Each kind of event from its service ------------------------------------------------------


def test_grades_saved_through_the_grade_service(gradebook, users, world):  # noqa: F811
    teacher = users[Role.TEACHER]
    entry = gradebook.entries["a1"]
    grade_services.grades_save(
        actor=teacher, offering_id=gradebook.offering.pk,
        edits=[CellEdit(entry.pk, "score", "88", "")],
    )  # fmt: skip
    event = only("grade.save")
    assert event.actor == teacher
    assert event.target == f"teaching.CourseOffering:{gradebook.offering.pk}"
    assert event.details["cells"] == [[entry.pk, "score", "88"]]
    assert_no_personal_data(event, world.a1, world.a2)


def test_a_status_change_filed_and_approved(world, users, monkeypatch):
    monkeypatch.setattr(status, "today", lambda: dt.date(2026, 11, 28))
    request = status.status_request_file(
        actor=users["station"], student=world.a1, kind="withdraw", reason="本人申请"
    )
    for approver in ("station", "academic"):
        request = status.status_request_decide(
            actor=users[approver], request=request, approve=True, comment="同意"
        )
        if request.state == "approved":
            break
    filed = only("status.file")
    assert (filed.actor, filed.target, filed.reason) == (
        users["station"], f"students.Student:{world.a1.pk}", "本人申请",
    )  # fmt: skip
    last_approval = AuditEvent.objects.filter(action="status.approve").order_by("pk").last()
    assert last_approval is not None
    assert last_approval.actor == users["academic"]
    assert last_approval.details["request"] == request.pk
    applied = only("status.apply")
    assert applied.target == f"students.Student:{world.a1.pk}"
    assert applied.actor is None  # a service call outside a request: the system
    for event in AuditEvent.objects.all():
        assert world.a1.student_number not in event.summary
        assert_no_personal_data(event, world.a1)


def test_a_payment_recorded(world, users):
    entry = finance.entry_record(
        actor=users["finance"], student=world.a1, kind=EntryKind.PAYMENT, academic_year=2025,
        fee_kind=FeeKind.TUITION, amount=Decimal("1000"), booked_on=dt.date(2025, 9, 5),
        reference="R-1",
    )  # fmt: skip
    event = only("fee.payment")
    assert (event.actor, event.target) == (users["finance"], f"students.Student:{world.a1.pk}")
    assert event.details["entry"] == entry.pk
    assert event.details["amount"] == "1000"
    assert_no_personal_data(event, world.a1)


def test_a_certificate_issued_and_revoked(users):
    office = users["training"]
    project = make_training_project(title="培训A", code="TZZY")
    trainee = make_trainee(1, name="李雷")
    enrollment = Enrollment.objects.create(project=project, trainee=trainee)
    assessment.record_attempt(
        enrollment=enrollment, score=Decimal(80), assessed_on=project.end_date
    )
    certificate = certificates.issue(enrollment, issued_on=project.end_date, actor=office)
    issued = only("certificate.issue")
    assert (issued.actor, issued.target) == (office, f"training.Certificate:{certificate.pk}")
    certificates.revoke(certificate, reason="违规操作", actor=office)
    revoked = only("certificate.revoke")
    assert (revoked.actor, revoked.target, revoked.reason) == (
        office, f"training.Certificate:{certificate.pk}", "违规操作",
    )  # fmt: skip
    for event in (issued, revoked):
        assert "李雷" not in event.summary
        assert trainee.id_number not in event.summary


def test_a_role_change_and_stations(users, world):
    user, last = users["teacher"], mark()
    user.role = Role.STATION
    user.save()
    event = only("role.grant", last)
    assert event.target == f"accounts.User:{user.pk}"
    assert event.details == {"field": "role", "from": "teacher", "to": "station"}
    last = mark()
    user.stations.add(world.station_b)
    stations = only("role.grant", last)
    assert stations.details["to"] == [world.station_b.pk]
    assert stations.details["from"] == []


def test_a_role_change_in_a_request_names_its_actor(users, rf):
    user, last = users["teacher"], mark()
    request = rf.post("/admin/", REMOTE_ADDR="10.0.0.9")
    request.user = users["admin"]
    with audit.request_context(request):
        user.role = Role.ACADEMIC
        user.save()
    event = only("role.grant", last)
    assert (event.actor, event.ip_address) == (users["admin"], "10.0.0.9")


def test_saving_a_user_without_a_new_role_is_no_grant(users):
    user, last = users["teacher"], mark()
    user.full_name = "王老师"
    user.save()
    user.save(update_fields=["last_login"])
    assert not AuditEvent.objects.filter(action="role.grant", pk__gt=last).exists()


def test_a_new_user_gets_a_role_grant():
    user = User.objects.create_user(username="newbie", password="x", role=Role.AUDITOR)
    event = only("role.grant")
    assert event.details == {"field": "role", "from": "", "to": "auditor"}
    assert event.actor is None
    assert event.target == f"accounts.User:{user.pk}"


def test_an_unmasking_and_an_export(world, users):
    students.personal_data_unmask(actor=users["academic"], student=world.a1, reason="核对身份")
    unmask = only("data.unmask")
    assert (unmask.actor, unmask.target, unmask.reason) == (
        users["academic"], f"students.Student:{world.a1.pk}", "核对身份",
    )  # fmt: skip
    students.personal_data_export(
        actor=users["academic"], filters={"cohort": 2025}, row_count=3, full=True,
        reason="上报教育厅",
    )  # fmt: skip
    export = only("data.export")
    assert (export.actor, export.target, export.reason) == (
        users["academic"], "students.Student", "上报教育厅",
    )  # fmt: skip
    assert export.details["row_count"] == 3
    for event in (unmask, export):
        assert_no_personal_data(event, world.a1)
