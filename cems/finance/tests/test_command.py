"""python manage.py import_payments: counts as JSON on the last line of standard output,
exit status 0 (all recorded), 1 (rows left for a person), 2 (nothing could be imported)."""

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from cems.finance.models import EntryKind, FeeEntry, PaymentImport
from cems.finance.tests.conftest import HEADINGS, payment_csv, row, snapshot


def run(path, user: str = "finance-user") -> tuple[int, dict[str, Any], str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with translation.override("en"):
        try:
            call_command("import_payments", str(path), "--user", user, stdout=out, stderr=err)
        except CommandError as error:
            code = error.returncode
            err.write(str(error))
    lines = out.getvalue().strip().splitlines()
    return code, json.loads(lines[-1]), err.getvalue()


def test_everything_recorded(world, fees, tmp_path):
    path = tmp_path / "bank.csv"
    path.write_bytes(payment_csv([row("T1", world.a1, "3300"), row("T2", world.a2, "6600")]))
    code, counts, _err = run(path)
    assert code == 0
    assert (counts["rows"], counts["matched"], counts["recorded_amount"]) == (2, 2, "9900.00")
    # Again: every row already recorded, nothing left for a person.
    code, counts, _err = run(path)
    assert (code, counts["duplicate"], counts["matched"]) == (0, 2, 0)
    assert FeeEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 6


def test_rows_left_for_a_person(world, fees, tmp_path):
    path = tmp_path / "bank.csv"
    path.write_bytes(payment_csv([row("T1", world.a1, "3300"), row("T2", world.a2, "1"),
                                  row("T3", None, "5", number="102099999999")]))  # fmt: skip
    code, counts, err = run(path)
    assert code == 1
    assert (counts["matched"], counts["wrong_amount"], counts["unmatched"]) == (1, 1, 1)
    assert "Amount does not match: row 3 (T2): 1.00 is neither what 李娜 owes" in err
    assert "No such student: row 4 (T3): No student has the 学号 102099999999." in err
    assert "2 of 3 rows are left for a person" in err


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (",".join(HEADINGS).encode("gbk") + b"\nT1,\xff\xfe\xfd,,,3300,2026-09-05\n",
         "neither UTF-8 nor GBK"),
        (payment_csv([["T1", "5"]], headings=["交易流水号", "金额"]), "has no column 交易日期"),
        (b"", "The file is empty"),
    ],
)  # fmt: skip
def test_unreadable_files_exit_2_and_write_nothing(world, fees, tmp_path, content, reason):
    path = tmp_path / "bank.csv"
    path.write_bytes(content)
    before = snapshot()
    code, counts, err = run(path)
    assert (code, counts["rows"], counts["matched"]) == (2, 0, 0)
    assert reason in err
    assert snapshot() == before


def test_a_missing_file(world, fees, tmp_path):
    code, _counts, err = run(tmp_path / "nowhere.csv")
    assert code == 2
    assert "No such file" in err


@pytest.mark.parametrize("user", ["nobody", "station-user", "academic-user"])
def test_the_user_must_manage_fees(world, fees, tmp_path, user):
    path = tmp_path / "bank.csv"
    path.write_bytes(payment_csv([row("T1", world.a1, "3300")]))
    code, _counts, err = run(path, user)
    assert code == 2
    assert "no active user who manages fees" in err
    assert not PaymentImport.objects.exists()
