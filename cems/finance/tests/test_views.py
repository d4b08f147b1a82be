"""The pages of fee items, charges and fee accounts (the staff's and the student's own)."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from cems.core.models import PersonalDataLog
from cems.finance import ledger
from cems.finance.models import EntryKind, FeeEntry, FeeItem, FeeKind
from cems.finance.tests.conftest import add_items, pay

ITEMS = reverse("finance:item_list")
NEW_ITEM = reverse("finance:item_create")
CHARGES = reverse("finance:charge_raise")
MINE = reverse("finance:my_account")


@pytest.fixture
def as_role(client_for, settings):
    def make(role):
        client = client_for(role)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def account_url(student) -> str:
    return reverse("finance:account", args=[student.pk])


class TestItems:
    def test_list_filters_and_download(self, world, fees, as_role):
        client = as_role("station")
        response = client.get(ITEMS, {"academic_year": 2026})
        assert [i.academic_year for i in response.context["page"]] == [2026, 2026]
        assert "New fee item" not in response.content.decode()  # station staff only read
        assert [i.kind for i in client.get(ITEMS, {"kind": "books"}).context["page"]] == [
            "books", "books",
        ]  # fmt: skip
        assert list(client.get(ITEMS, {"academic_year": "x"}).context["page"]) == []
        rows = csv_rows(client.get(ITEMS, {"format": "csv", "academic_year": 2025}))
        assert rows[0] == ["Academic year", "Program", "Kind", "Name", "Amount",
                           "Students charged"]  # fmt: skip
        assert rows[1][0] == "2025–2026"
        assert rows[1][-1] == "3"

    def test_create(self, world, as_role):
        client = as_role("finance")
        assert "New fee item" in client.get(ITEMS).content.decode()
        data = {"program": world.program.pk, "academic_year": 2027, "kind": "tuition",
                "name": "学费", "amount": "3000.00"}  # fmt: skip
        response = client.post(NEW_ITEM, data)
        assert response.status_code == 302
        assert FeeItem.objects.get().amount == Decimal("3000")
        again = client.post(NEW_ITEM, data)
        assert again.status_code == 200
        assert "already exists" in again.content.decode()
        bad = client.post(NEW_ITEM, data | {"amount": "1.234", "name": "x"})
        assert "decimal places" in bad.content.decode()
        assert FeeItem.objects.count() == 1

    def test_edit_once_charged(self, world, fees, as_role):
        item = fees.items[(2026, FeeKind.TUITION)]
        url = reverse("finance:item_edit", args=[item.pk])
        client = as_role("admin")
        data = {"program": world.program.pk, "academic_year": 2026, "kind": "tuition",
                "name": "学费", "amount": "9999"}  # fmt: skip
        response = client.post(url, data)
        assert "only its name can change now" in response.content.decode()
        assert client.post(url, data | {"amount": "3000", "name": "学费2026"}).status_code == 302
        item.refresh_from_db()
        assert (item.amount, item.name) == (Decimal("3000"), "学费2026")

    @pytest.mark.parametrize("role", ["station", "academic", "auditor", "student"])
    def test_wrong_roles_cannot_write(self, world, fees, as_role, role):
        client = as_role(role)
        item = fees.items[(2026, FeeKind.TUITION)]
        data = {"program": world.program.pk, "academic_year": 2027, "kind": "tuition",
                "name": "x", "amount": "1"}  # fmt: skip
        assert client.post(NEW_ITEM, data).status_code == 403
        assert client.post(reverse("finance:item_edit", args=[item.pk]), data).status_code == 403
        assert client.post(CHARGES, {}).status_code == 403
        assert FeeItem.objects.count() == 4


class TestCharges:
    def test_raise_then_again(self, world, as_role):
        add_items(world, 2026)
        client = as_role("finance")
        data = {"program": world.program.pk, "cohort_year": 2025, "academic_year": 2026,
                "booked_on": "2026-09-01"}  # fmt: skip
        response = client.post(CHARGES, data)
        assert response.status_code == 200
        result = response.context["result"]
        assert (result.created, result.already, result.students) == (6, 0, 3)
        assert "Charges written now" in response.content.decode()
        again = client.post(CHARGES, data | {"program": ""}).context["result"]
        assert (again.created, again.already) == (0, 6)
        assert FeeEntry.objects.filter(kind=EntryKind.CHARGE).count() == 6

    def test_no_items(self, world, as_role):
        data = {"cohort_year": 2025, "academic_year": 2030, "booked_on": "2030-09-01"}
        html = as_role("admin").post(CHARGES, data).content.decode()
        assert "3 students' programs have no fee item for this academic year" in html

    def test_invalid_form(self, world, as_role):
        response = as_role("finance").post(CHARGES, {"cohort_year": "x", "academic_year": 2026})
        assert response.status_code == 200
        assert "Enter a whole number" in response.content.decode()
        assert not FeeEntry.objects.exists()


class TestAccount:
    def test_entries_running_balance_and_totals(self, world, fees, as_role):
        pay(fees.finance, world.a1, 2025, "3300", "R1", fee_kind=FeeKind.TUITION)
        response = as_role("station").get(account_url(world.a1))
        account = response.context["account"]
        assert [y.academic_year for y in account.years] == [2025, 2026]
        assert account.owed == Decimal("3300")
        html = response.content.decode()
        assert "2026–2027" in html
        assert 'id="total-owed">3300.00<' in html
        assert 'id="record"' not in html  # station staff do not record payments

    def test_download(self, world, fees, as_role, users):
        pay(fees.finance, world.a1, 2026, "1000", "R1")
        rows = csv_rows(as_role("finance").get(account_url(world.a1), {"format": "csv"}))
        assert rows[0][-2:] == ["Amount", "Owed after"]
        assert [r[-1] for r in rows[1:]] == ["3000.0", "3300.0", "3000.0", "3300.0", "2300.0"]
        assert rows[-1][2:6] == ["Payment", "Tuition", "", "R1"]
        assert rows[-1][-2] == "-1000.0"
        log = PersonalDataLog.objects.get(subject="finance.FeeEntry")
        assert (log.user, log.row_count) == (users["finance"], 5)

    def test_other_stations_students_are_not_found(self, world, fees, as_role):
        client = as_role("station")
        assert client.get(account_url(world.b1)).status_code == 404
        assert client.get(account_url(world.b1), {"format": "csv"}).status_code == 404
        assert as_role("finance").get(reverse("finance:account", args=[9999])).status_code == 404

    def test_record_a_payment(self, world, fees, as_role):
        client = as_role("finance")
        page = client.get(account_url(world.a1))
        assert 'id="record"' in page.content.decode()
        assert page.context["form"].initial["academic_year"] == 2025  # the oldest owing
        url = reverse("finance:entry_record", args=[world.a1.pk])
        data = {"kind": "payment", "academic_year": 2026, "fee_kind": "tuition",
                "amount": "3000", "booked_on": "2026-09-05", "reference": "POS-1"}  # fmt: skip
        response = client.post(url, data, follow=True)
        assert "Payment of 3000.00 for 2026–2027 recorded." in response.content.decode()
        assert ledger.tuition_paid(world.a1, 2026)
        again = client.post(url, data)
        assert again.status_code == 400
        assert "POS-1 is already recorded" in again.content.decode()

    @pytest.mark.parametrize(
        ("data", "message"),
        [({"kind": "refund", "amount": "1"}, "A refund is at most what was paid: 0.00"),
         ({"kind": "waiver", "amount": "5000"}, "A waiver is at most what is owed: 3000.00"),
         ({"amount": "1.001"}, "Ensure that there are no more than 2 decimal places"),
         ({"amount": "-1"}, "greater than or equal to 0.01"),
         ({"reference": ""}, "A payment needs its transaction or receipt number"),
         ({"academic_year": "x"}, "Enter a whole number")],
    )  # fmt: skip
    def test_bad_input_writes_nothing(self, world, fees, as_role, data, message):
        before = FeeEntry.objects.count()
        base = {"kind": "payment", "academic_year": 2026, "fee_kind": "tuition",
                "amount": "3000", "booked_on": "2026-09-05", "reference": "POS-9"}  # fmt: skip
        response = as_role("admin").post(
            reverse("finance:entry_record", args=[world.a1.pk]), base | data
        )
        assert response.status_code == 400
        assert message in response.content.decode()
        assert FeeEntry.objects.count() == before

    @pytest.mark.parametrize("role", ["station", "academic", "auditor", "student", "teacher"])
    def test_wrong_roles_cannot_record(self, world, fees, as_role, role):
        data = {"kind": "waiver", "academic_year": 2026, "fee_kind": "tuition", "amount": "5",
                "booked_on": "2026-09-05"}  # fmt: skip
        url = reverse("finance:entry_record", args=[world.a1.pk])
        assert as_role(role).post(url, data).status_code == 403
        assert not FeeEntry.objects.filter(kind=EntryKind.WAIVER).exists()

    def test_unknown_student(self, world, fees, as_role):
        url = reverse("finance:entry_record", args=[9999])
        assert as_role("finance").post(url, {}).status_code == 404

    def test_query_count_does_not_grow_with_entries(self, world, fees, as_role,
                                                    django_assert_max_num_queries):  # fmt: skip
        client = as_role("finance")
        client.get(account_url(world.a1))
        with django_assert_max_num_queries(8):
            client.get(account_url(world.a1))
        for number in range(10):
            pay(fees.finance, world.a1, 2026, "1", f"Q{number}")
        with django_assert_max_num_queries(8):
            client.get(account_url(world.a1))


class TestMyAccount:
    def test_the_students_own_account_read_only(self, world, fees, as_role):
        pay(fees.finance, world.a1, 2025, "3300", "R1")
        response = as_role("student").get(MINE)
        html = response.content.decode()
        [account] = response.context["accounts"]
        assert account.student == world.a1
        assert account.owed == Decimal("3300")
        assert "Pay with your student number 102025001001" in html
        assert 'id="record"' not in html
        assert "Download" not in html

    def test_a_student_without_a_record(self, world, users, as_role):
        world.a1.user = None
        world.a1.save()
        assert "No student record is linked" in as_role("student").get(MINE).content.decode()

    @pytest.mark.parametrize("role", ["finance", "station", "admin"])
    def test_staff_have_no_own_account(self, world, as_role, role):
        assert as_role(role).get(MINE).status_code == 403
