"""Annual registration (缴费注册): the service's rules and the page per academic year."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cems.accounts.models import User
from cems.admissions.tests.writers import write_csv
from cems.conftest import add_student
from cems.core.models import PersonalDataLog
from cems.finance import ledger
from cems.finance import services as fee_services
from cems.finance.models import EntryKind, FeeEntry, FeeItem, FeeKind
from cems.students import registration
from cems.students.models import Registration, Student, StudentStatus
from cems.students.tests.status_support import extra, in_english, set_today

PAGE = reverse("status_changes:registration")


@pytest.fixture
def env(world, users, monkeypatch):
    set_today(monkeypatch)  # academic year 2026–2027
    with in_english():
        yield extra(world)


def charge_tuition(student: Student, year: int, paid: str = "3000") -> None:
    """Charge the year's tuition (3000) to the student's fee account, and record `paid`."""
    item, _ = FeeItem.objects.get_or_create(
        program=student.program, academic_year=year, name="学费",
        defaults={"kind": FeeKind.TUITION, "amount": Decimal("3000")},
    )  # fmt: skip
    common = {"student": student, "academic_year": year, "fee_kind": FeeKind.TUITION,
              "booked_on": dt.date(year, 9, 1)}  # fmt: skip
    FeeEntry.objects.create(kind=EntryKind.CHARGE, fee_item=item, amount=item.amount, **common)
    if Decimal(paid):
        FeeEntry.objects.create(kind=EntryKind.PAYMENT, amount=Decimal(paid),
                                reference=f"P{student.pk}-{year}", **common)  # fmt: skip


def register(actor: User, student: Student, year: int = 2026, paid: bool = True) -> Registration:
    if paid and not ledger.tuition_paid(student, year):
        charge_tuition(student, year)
    return registration.registration_record(actor=actor, student=student, academic_year=year)


def refused(*args, **kwargs) -> str:
    before = Registration.objects.count()
    with pytest.raises(ValidationError) as caught:
        register(*args, **kwargs)
    assert Registration.objects.count() == before
    return " ".join(caught.value.messages)


class TestRecord:
    def test_a_paid_student_is_registered(self, world, env, users):
        registration = register(users["station"], world.a1)
        assert (registration.student, registration.academic_year) == (world.a1, 2026)
        assert registration.tuition_paid
        assert registration.registered_by == users["station"]

    def test_tuition_must_be_charged(self, world, env, users):
        assert "No tuition has been charged to 张伟 for 2026–2027" in refused(
            users["station"], world.a1, paid=False
        )

    def test_tuition_must_be_paid_in_full(self, world, env, users):
        charge_tuition(world.a1, 2026, paid="2000.50")
        assert "张伟 owes 999.50 of tuition for 2026–2027" in refused(
            users["station"], world.a1, paid=False
        )
        charge_tuition(world.a1, 2025, paid="3000")  # another year paid: not this one
        assert "张伟 owes 999.50" in refused(users["station"], world.a1, paid=False)

    def test_tuition_paid_by_the_payment_import(self, world, env, users):
        """The whole way: charges raised, a bank file imported, then registration."""
        FeeItem.objects.create(program=world.program, academic_year=2026, kind=FeeKind.TUITION,
                               name="学费", amount=Decimal("3000"))  # fmt: skip
        fee_services.charges_raise(actor=users["finance"], program=world.program,
                                   cohort_year=2025, academic_year=2026)  # fmt: skip
        data = write_csv([["交易流水号", "学号", "金额", "交易日期"],
                          ["T1", world.a1.student_number, "3000", "2026-09-05"]])  # fmt: skip
        fee_services.payment_import(data=data, file_name="bank.csv", actor=users["finance"])
        done = registration.registration_record(
            actor=users["station"], student=world.a1, academic_year=2026
        )
        assert done.tuition_paid

    def test_once_per_year(self, world, env, users):
        register(users["station"], world.a1)
        with pytest.raises(ValidationError, match="already registered for 2026"):
            register(users["academic"], world.a1)
        register(users["academic"], world.a1, year=2025)
        assert Registration.objects.count() == 2

    @pytest.mark.parametrize(
        "current", [StudentStatus.SUSPENDED, StudentStatus.WITHDRAWN, StudentStatus.DEFERRED]
    )
    def test_only_students_in_good_standing(self, world, env, users, current):
        world.a1.status = current
        world.a1.save()
        assert "only students in good standing register" in refused(users["station"], world.a1)

    def test_not_before_the_cohort_starts(self, world, env, users):
        assert "belongs to the 2025 cohort" in refused(users["station"], world.a1, year=2024)

    def test_at_most_a_year_ahead(self, world, env, users):
        register(users["station"], world.a1, year=2027)
        assert "at most one academic year ahead (2027)" in refused(
            users["station"], world.a2, year=2028
        )

    def test_outside_the_scope(self, world, env, users):
        with pytest.raises(PermissionDenied):
            register(users["station"], world.b1)

    @pytest.mark.parametrize("role", ["finance", "auditor", "student", "teacher"])
    def test_roles_without_the_capability(self, world, env, users, role):
        with pytest.raises(PermissionDenied):
            register(users[role], world.a1)

    def test_many_at_once_all_or_nothing(self, world, env, users):
        world.a2.status = StudentStatus.SUSPENDED
        world.a2.save()
        for student in (world.a1, world.a2, world.b1):
            charge_tuition(student, 2026)
        with pytest.raises(ValidationError, match="李娜 is Suspended"):
            registration.registration_record_many(
                actor=users["academic"], students=[world.a1, world.a2, world.b1], academic_year=2026
            )
        assert not Registration.objects.exists()
        done = registration.registration_record_many(
            actor=users["academic"], students=[world.a1, world.b1], academic_year=2026
        )
        assert len(done) == Registration.objects.count() == 2


@pytest.fixture
def as_role(client_for, env):
    def make(role):
        client = client_for(role)
        client.cookies["django_language"] = "en"
        return client

    return make


def shown(response) -> list[str]:
    return [student.name for student in response.context["page"]]


class TestPage:
    def test_current_academic_year_by_default(self, world, as_role):
        response = as_role("station").get(PAGE)
        assert response.context["year"] == 2026
        assert "Registration 2026–2027" in response.content.decode()
        assert shown(response) == ["张伟", "李娜"]

    def test_lists_who_has_not_registered(self, world, as_role, users):
        register(users["station"], world.a1)
        add_student(world, 7, status=StudentStatus.SUSPENDED)
        add_student(world, 8, cohort_year=2027)  # starts next year
        assert shown(as_role("station").get(PAGE)) == ["李娜"]
        assert shown(as_role("academic").get(PAGE)) == ["李娜", "王芳"]

    def test_registered_list(self, world, as_role, users):
        register(users["station"], world.a1)
        response = as_role("station").get(PAGE, {"show": "registered"})
        assert shown(response) == ["张伟"]
        assert response.context["page"][0].registered_at is not None

    def test_another_year(self, world, as_role, users):
        register(users["station"], world.a1, year=2025)
        assert shown(as_role("station").get(PAGE, {"year": 2025})) == ["李娜"]

    def test_filters(self, world, env, as_role):
        newcomer = add_student(world, 7, cohort_year=2026, program=env.accounting)
        client = as_role("academic")
        assert shown(client.get(PAGE, {"station": world.station_b.pk})) == ["王芳"]
        assert shown(client.get(PAGE, {"cohort": 2026})) == [newcomer.name]
        assert shown(client.get(PAGE, {"program": env.accounting.pk})) == [newcomer.name]
        assert shown(client.get(PAGE, {"cohort": "x"})) == []

    def test_download(self, world, as_role, users):
        response = as_role("station").get(PAGE, {"format": "csv"})
        text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][:3] == ["Student number", "Name", "Station"]
        assert [row[1] for row in rows[1:]] == ["张伟", "李娜"]
        log = PersonalDataLog.objects.get(subject="students.Registration")
        assert (log.user, log.row_count) == (users["station"], 2)

    def test_tuition_of_each_student(self, world, as_role):
        charge_tuition(world.a1, 2026)
        charge_tuition(world.a2, 2026, paid="1000")
        add_student(world, 7)  # nothing charged
        html = as_role("station").get(PAGE).content.decode()
        rows = {s: html.split(f'id="paid-{s.pk}"')[1].split("</tr>")[0] for s in
                (world.a1, world.a2)}  # fmt: skip
        assert "Paid" in rows[world.a1]
        assert "Owes 2000.00" in rows[world.a2]
        assert "disabled" in rows[world.a2].split(">")[0]  # unpaid: cannot be ticked
        assert "disabled" not in rows[world.a1].split(">")[0]
        assert "Not charged" in html

    def test_register_the_ticked_students(self, world, as_role):
        charge_tuition(world.a1, 2026)
        charge_tuition(world.a2, 2026)
        url = f"{PAGE}?cohort=2025"
        client = as_role("station")
        response = client.post(url, {"year": 2026, "students": [world.a1.pk, world.a2.pk]})
        assert response.status_code == 302
        assert response["Location"] == url
        assert set(Registration.objects.values_list("student__name", "academic_year")) == {
            ("张伟", 2026), ("李娜", 2026),
        }  # fmt: skip
        page = client.get(response["Location"])
        assert "2 students registered for 2026–2027." in page.content.decode()

    def test_registering_refused_rules_writes_nothing(self, world, as_role, users):
        register(users["station"], world.a2)
        charge_tuition(world.a1, 2026)
        response = as_role("station").post(
            PAGE, {"year": 2026, "students": [world.a1.pk, world.a2.pk]}, follow=True
        )
        assert "李娜 is already registered for 2026." in response.content.decode()
        assert Registration.objects.count() == 1

    def test_unpaid_tuition_is_refused_naming_student_and_amount(self, world, as_role):
        charge_tuition(world.a1, 2026)
        charge_tuition(world.a2, 2026, paid="2999")
        response = as_role("station").post(
            PAGE, {"year": 2026, "students": [world.a1.pk, world.a2.pk]}, follow=True
        )
        assert "李娜 owes 1.00 of tuition for 2026–2027" in response.content.decode()
        assert not Registration.objects.exists()

    def test_students_outside_the_scope_cannot_be_ticked(self, world, as_role):
        response = as_role("station").post(PAGE, {"year": 2026, "students": [world.b1.pk]})
        assert response.status_code == 200
        assert not Registration.objects.exists()

    def test_nothing_ticked(self, world, as_role):
        response = as_role("station").post(PAGE, {"year": 2026})
        assert "Tick the students whose tuition is paid." in response.content.decode()

    @pytest.mark.parametrize("role", ["finance", "auditor", "student", "teacher"])
    def test_other_roles_are_refused(self, client_for, env, role):
        assert client_for(role).get(PAGE).status_code == 403
        assert client_for(role).post(PAGE, {"year": 2026}).status_code == 403

    def test_query_count_does_not_grow_with_rows(self, world, as_role):
        client = as_role("academic")

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(PAGE).status_code == 200
            return len(queries)

        before = count()
        for serial in range(20, 32):
            add_student(world, serial)
        assert count() == before
