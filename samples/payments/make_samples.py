"""Writes the sample payment files of this folder: the same bank export in three forms (CSV in
UTF-8 with BOM, CSV in GBK as Chinese Excel saves it, xlsx with numbers and dates as cells).

    .venv/bin/python samples/payments/make_samples.py            # fixed sample people
    .venv/bin/python samples/payments/make_samples.py --from-db  # the database's students

With --from-db the rows name students of the database (the demo school after `make demo`)
who owe something, each paying what they owe for their oldest year owing or in all, so that
the file imports against that database; without it, the rows name sample people who are
nobody's students (every row then waits for a person). Either way the file ends with the
rows a bank export brings that cannot be recorded as they are: a transaction listed twice,
an unknown 学号, an amount that matches nothing owed, a 学号 and ID number of two people, a
date that is no date, and a row without a transaction number.
"""

import argparse
import datetime as dt
import os
import random
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cems.settings")

import django  # noqa: E402

django.setup()

from cems.admissions.tests.writers import write_csv, write_xlsx  # noqa: E402
from cems.core import demo  # noqa: E402

HEADINGS = ["交易流水号", "交易日期", "学号", "身份证号", "姓名", "金额（元）", "摘要"]
PAID_ON = dt.date(2026, 9, 8)
COUNT = 10


def _reference(serial: int) -> str:
    return f"2026090815{serial:06d}"


def sample_people(rng: random.Random) -> list[dict[str, Any]]:
    people = []
    for serial in range(1, COUNT + 1):
        gender = rng.choice("MF")
        born = demo.birth_date(rng, earliest_year=1980, latest_year=2004)
        people.append({
            "number": f"1020254{serial:05d}",
            "id_number": demo.id_number(rng, area_code="430102", birth_date=born, gender=gender),
            "name": demo.person_name(rng, gender),
            "amount": Decimal("3300.00") if serial % 3 else Decimal("6600.00"),
        })  # fmt: skip
    return people


def database_people() -> list[dict[str, Any]]:
    """Students who owe, with what they owe for their oldest year owing (or in all, every
    third student with more than one year owing)."""
    from cems.finance.payments import Balances
    from cems.students.models import Student

    charged = Student.objects.filter(fee_entries__isnull=False).distinct()
    students = list(charged.order_by("student_number")[:2000])
    balances = Balances([s.pk for s in students])
    people: list[dict[str, Any]] = []
    for student in students:
        years = balances.years(student.pk)
        if not years:
            continue
        total = sum(owed for _year, owed in years)
        amount = total if len(years) > 1 and len(people) % 3 == 2 else years[0][1]
        people.append({"number": student.student_number, "id_number": student.id_number,
                       "name": student.name, "amount": amount})  # fmt: skip
        if len(people) == COUNT:
            break
    if len(people) < 3:
        raise SystemExit("The database has too few students who owe: seed the demo first.")
    return people


def rows(people: list[dict[str, Any]]) -> list[list[Any]]:
    def line(serial: int, person: dict[str, Any], **changes: Any) -> list[Any]:
        values = {"reference": _reference(serial), "day": PAID_ON, "number": person["number"],
                  "id_number": person["id_number"], "name": person["name"],
                  "amount": person["amount"], "memo": "学费"} | changes  # fmt: skip
        return [values["reference"], values["day"], values["number"], values["id_number"],
                values["name"], values["amount"], values["memo"]]  # fmt: skip

    # The fourth person's row has no 学号: a platform that knows only ID numbers sends such.
    table = [line(serial, person, **({"number": ""} if serial == 4 else {}))
             for serial, person in enumerate(people, start=1)]  # fmt: skip
    first, second, third = people[0], people[1], people[2]
    serial = len(people)
    table += [
        line(1, first),  # the same transaction again
        line(serial + 1, first, number="102025999999", id_number=""),  # unknown 学号
        line(serial + 2, second, amount=Decimal("1234.50")),  # matches nothing owed
        line(serial + 3, third, id_number=first["id_number"]),  # two people
        line(serial + 4, second, day="2026-02-30"),  # no such date
        line(serial + 5, third, reference=""),  # no transaction number
    ]
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-db", action="store_true", help="name the database's students")
    options = parser.parse_args()
    people = database_people() if options.from_db else sample_people(random.Random(2026))  # noqa: S311
    table = rows(people)
    text_rows = [[value.isoformat() if isinstance(value, dt.date) else
                  f"{value:.2f}" if isinstance(value, Decimal) else value for value in r]
                 for r in table]  # fmt: skip
    (HERE / "payments-utf8.csv").write_bytes(
        write_csv([HEADINGS, *text_rows], encoding="utf-8-sig")
    )
    gbk_rows = [[r[0], r[1].replace("-", "/") if isinstance(r[1], str) else r[1], *r[2:]]
                for r in text_rows]  # fmt: skip
    (HERE / "payments-gbk.csv").write_bytes(write_csv([HEADINGS, *gbk_rows], encoding="gbk"))
    xlsx_rows = [[float(v) if isinstance(v, Decimal) else v for v in r] for r in table]
    (HERE / "payments.xlsx").write_bytes(write_xlsx([HEADINGS, *xlsx_rows], sheet_name="交易明细"))
    print(f"Wrote 3 files of {len(table)} rows to {HERE}.")


if __name__ == "__main__":
    main()
