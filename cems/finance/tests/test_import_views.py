"""The pages of payment imports: the upload, the import history, the rows waiting for a
person and their resolution."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cems.core.masking import mask_id_number
from cems.core.models import PersonalDataLog
from cems.finance import ledger
from cems.finance.models import EntryKind, FeeEntry, PaymentImport, PaymentRow, RowStatus
from cems.finance.tests.conftest import (
    HEADINGS,
    import_file,
    payment_csv,
    payment_xlsx,
    row,
    snapshot,
)

UPLOAD = reverse("finance:import_upload")
IMPORTS = reverse("finance:import_list")
ROWS = reverse("finance:row_list")
S = RowStatus


@pytest.fixture
def as_role(client_for, settings):
    def make(role):
        client = client_for(role)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def upload(client, data: bytes, name: str = "bank.csv"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data)}, follow=True)


@pytest.fixture
def mixed(world, fees):
    """A file with a payment, an unknown student, a wrong amount and an invalid row."""
    return payment_csv([
        row("T1", world.a1, "3300"),
        row("T2", None, "3300", number="102099999999"),
        row("T3", world.a2, "100"),
        row("T4", world.b1, "abc"),
    ])  # fmt: skip


class TestUpload:
    def test_imports_and_shows_the_rows(self, world, fees, as_role, mixed):
        response = upload(as_role("finance"), mixed)
        html = response.content.decode()
        assert "4 rows: 1 payments recorded, 0 already recorded, 3 left for a person." in html
        assert [r.status for r in response.context["page"]] == [
            S.MATCHED, S.UNMATCHED, S.WRONG_AMOUNT, S.INVALID,
        ]  # fmt: skip
        assert ledger.balance(world.a1, academic_year=2025) == 0
        record = PaymentImport.objects.get()
        assert (record.file_name, record.imported_by.username) == ("bank.csv", "finance-user")

    def test_the_same_file_twice(self, world, fees, as_role, mixed):
        client = as_role("admin")
        upload(client, mixed)
        html = upload(client, mixed).content.decode()
        assert "4 rows: 0 payments recorded, 4 already recorded, 0 left for a person." in html
        assert FeeEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 2

    def test_xlsx(self, world, fees, as_role):
        response = upload(as_role("finance"), payment_xlsx([row("T1", world.a1, 3300)]),
                          "bank.xlsx")  # fmt: skip
        assert "1 payments recorded" in response.content.decode()

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (",".join(HEADINGS).encode("gbk") + b"\nT1,\xff\xfe\xfd,,,3300,2026-09-05\n",
             "The text is neither UTF-8 nor GBK"),
            (payment_csv([["T1", "3300"]], headings=["交易流水号", "金额"]),
             "The file has no column 交易日期"),
            (b"", "The submitted file is empty"),
            (b"<html><table></table></html>", "a web page or XML"),
        ],
    )  # fmt: skip
    def test_bad_files_write_nothing(self, world, fees, as_role, data, message):
        before = snapshot()
        response = as_role("finance").post(UPLOAD, {"file": SimpleUploadedFile("b.csv", data)})
        assert response.status_code == 400
        assert message in response.content.decode()
        assert snapshot() == before

    def test_too_large(self, world, fees, as_role, settings):
        settings.CEMS_MAX_UPLOAD_BYTES = 10
        response = as_role("finance").post(UPLOAD, {"file": SimpleUploadedFile("b.csv", b"x" * 11)})
        assert "The file is larger than" in response.content.decode()
        assert not PaymentImport.objects.exists()

    @pytest.mark.parametrize("role", ["station", "academic", "auditor", "student"])
    def test_wrong_roles(self, world, fees, as_role, role, mixed):
        client = as_role(role)
        assert client.post(UPLOAD, {"file": SimpleUploadedFile("b.csv", mixed)}).status_code == 403
        for url in (IMPORTS, ROWS):
            assert client.get(url).status_code == 403
        assert not PaymentImport.objects.exists()


class TestHistoryAndRows:
    @pytest.fixture
    def imported(self, world, fees, mixed):
        return import_file(fees.finance, mixed)

    def test_history_with_counts_and_download(self, imported, as_role):
        client = as_role("finance")
        html = client.get(IMPORTS).content.decode()
        assert "bank.csv" in html
        assert f'href="{ROWS}?payment_import={imported.pk}">3</a>' in html
        rows = list(csv.reader(io.StringIO(
            b"".join(client.get(IMPORTS, {"format": "csv"}).streaming_content)
            .decode().removeprefix("\ufeff"))))  # fmt: skip
        assert rows[1][3:] == ["4", "1", "0", "3", "3300.0"]

    def test_rows_waiting_by_default_and_filters(self, world, imported, as_role):
        client = as_role("finance")
        waiting = [r.status for r in client.get(ROWS).context["page"]]
        assert waiting == [S.UNMATCHED, S.WRONG_AMOUNT, S.INVALID]
        assert len(client.get(ROWS, {"status": "all"}).context["page"]) == 4
        assert [r.reference for r in client.get(ROWS, {"status": "matched"}).context["page"]] == [
            "T1"
        ]
        assert [r.reference for r in client.get(ROWS, {"q": "T3"}).context["page"]] == ["T3"]
        other = import_file(imported.imported_by, payment_csv([row("X1", None, "5", number="1")]))
        by_import = client.get(ROWS, {"payment_import": other.pk}).context["page"]
        assert [r.reference for r in by_import] == ["X1"]
        assert list(client.get(ROWS, {"status": "nonsense"}).context["page"]) == []

    def test_download_masks_id_numbers(self, world, imported, as_role, users):
        response = as_role("finance").get(ROWS, {"format": "csv", "status": "all"})
        text = b"".join(response.streaming_content).decode()
        assert world.a1.id_number not in text
        assert mask_id_number(world.a1.id_number) in text
        assert PaymentRow.objects.count() == 4
        assert PersonalDataLog.objects.get(subject="finance.PaymentRow").row_count == 4

    def test_resolve_a_row(self, world, imported, as_role):
        found = imported.rows.get(reference="T2")
        client = as_role("finance")
        page = client.get(reverse("finance:row_detail", args=[found.pk]))
        assert 'id="resolve"' in page.content.decode()
        response = client.post(
            reverse("finance:row_resolve", args=[found.pk]),
            {"student_number": world.a2.student_number, "academic_year": 2025, "note": "学号错"},
            follow=True,
        )
        assert "The payment of 3300.00 is recorded for 李娜." in response.content.decode()
        found.refresh_from_db()
        assert (found.status, found.student, found.note) == (S.RESOLVED, world.a2, "学号错")
        assert ledger.balance(world.a2, academic_year=2025) == 0
        detail = client.get(reverse("finance:row_detail", args=[found.pk])).content.decode()
        assert 'id="resolve"' not in detail
        assert 'id="dismiss"' not in detail

    def test_the_wrong_amount_row_suggests_its_student_and_year(self, world, imported, as_role):
        found = imported.rows.get(reference="T3")
        form = (
            as_role("finance")
            .get(reverse("finance:row_detail", args=[found.pk]))
            .context["resolve"]
        )
        assert form.initial == {"student_number": world.a2.student_number, "academic_year": 2025}

    @pytest.mark.parametrize(
        ("data", "message"),
        [({"student_number": "102099999999", "academic_year": 2026},
          "No student of yours has the student number 102099999999."),
         ({"student_number": "", "academic_year": 2026}, "This field is required."),
         ({"student_number": "102025001001", "academic_year": 1800}, "greater than or equal")],
    )  # fmt: skip
    def test_resolve_bad_input(self, world, imported, as_role, data, message):
        found = imported.rows.get(reference="T2")
        response = as_role("finance").post(reverse("finance:row_resolve", args=[found.pk]), data)
        assert response.status_code == 400
        assert message in response.content.decode()
        found.refresh_from_db()
        assert found.status == S.UNMATCHED
        assert FeeEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 2

    def test_an_invalid_row_is_only_dismissed(self, world, imported, as_role):
        found = imported.rows.get(reference="T4")
        client = as_role("admin")
        detail = client.get(reverse("finance:row_detail", args=[found.pk])).content.decode()
        assert 'id="resolve"' not in detail
        url = reverse("finance:row_dismiss", args=[found.pk])
        assert client.post(url, {"note": ""}).status_code == 400
        assert client.post(url, {"note": "重复导出"}).status_code == 302
        found.refresh_from_db()
        assert (found.status, found.note) == (S.DISMISSED, "重复导出")
        resolve = client.post(
            reverse("finance:row_resolve", args=[found.pk]),
            {"student_number": world.a1.student_number, "academic_year": 2025},
        )
        assert resolve.status_code == 400
        assert "nothing is left to do with it" in resolve.content.decode()

    def test_unknown_row(self, world, imported, as_role):
        client = as_role("finance")
        assert client.get(reverse("finance:row_detail", args=[9999])).status_code == 404
        assert (
            client.post(reverse("finance:row_dismiss", args=[9999]), {"note": "x"}).status_code
            == 404
        )
