"""Reads of candidates and imports start from what the user may see."""

import pytest

from cems.admissions import selectors
from cems.admissions.models import AdmissionImport
from cems.admissions.tests.factories import csv_file, person, run
from cems.admissions.tests.matrix import add_candidate

pytestmark = pytest.mark.django_db


def test_candidate_list_is_scoped_and_filtered(world, users):
    a = add_candidate(world, 1, world.station_a, "甲考生")
    b = add_candidate(world, 2, world.station_b, "乙考生")
    assert list(selectors.candidate_list(user=users["station"], filters={})) == [a]
    assert list(selectors.candidate_list(user=users["academic"], filters={})) == [a, b]
    assert list(selectors.candidate_list(user=users["finance"], filters={})) == []
    assert list(selectors.candidate_list(user=users["academic"], filters=None)) == []
    found = selectors.candidate_list(user=users["academic"], filters={"station": world.station_b})
    assert list(found) == [b]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("乙", ["乙考生"]), ("26430000000002", ["乙考生"]), ("264300", ["甲考生", "乙考生"]),
     ("nobody", [])],
)  # fmt: skip
def test_search(world, users, query, expected):
    add_candidate(world, 1, world.station_a, "甲考生")
    add_candidate(world, 2, world.station_b, "乙考生")
    found = selectors.candidate_list(user=users["admin"], filters={"q": query})
    assert [c.name for c in found] == expected


def test_search_by_an_id_number_old_or_new(world, users):
    a = add_candidate(world, 1, world.station_a, "甲考生")
    found = selectors.candidate_list(user=users["admin"], filters={"q": a.id_number.lower()})
    assert list(found) == [a]
    old = a.id_number[:6] + a.id_number[8:17]  # the 15-digit form of a 19xx birth
    found = selectors.candidate_list(user=users["admin"], filters={"q": old})
    assert list(found) == [a]


def test_candidate_get_outside_the_scope_is_404(world, users):
    from django.http import Http404

    b = add_candidate(world, 2, world.station_b, "乙考生")
    assert selectors.candidate_get(user=users["auditor"], pk=b.pk) == b
    with pytest.raises(Http404):
        selectors.candidate_get(user=users["station"], pk=b.pk)


def test_imports_are_seen_by_those_who_import(world, users):
    run(csv_file(person(1)))
    assert selectors.import_list(user=users["academic"], filters={}).count() == 1
    for role in ("station", "auditor", "finance"):
        assert selectors.import_list(user=users[role], filters={}).count() == 0


def test_import_rows_filter_and_translate(world):
    outcome = run(csv_file(person(1), person(2, 性别="?")), dry_run=False)
    record = AdmissionImport.objects.get(pk=outcome.record.pk)
    rows = selectors.import_rows(record, show="all")
    assert [row["row"] for row in rows] == [3]  # after the import: the rejected row only
    assert rows[0]["errors"][0].text() == "? is not a gender (男/女 or 1/2)."
    assert selectors.import_rows(record, show="create") == []
    assert selectors.import_rows(record, show="reject")[0]["exam_number"] == person(2)["考生号"]
