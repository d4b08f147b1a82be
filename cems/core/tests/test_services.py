import pytest

from cems.core.models import PersonalDataLog
from cems.core.services import export_filters, records_export_log

pytestmark = pytest.mark.django_db


def test_records_export_log_keeps_who_what_filters_and_rows(users):
    log = records_export_log(
        actor=users["station"],
        subject="students.Registration",
        filters={"year": "2026"},
        row_count=12,
    )
    stored = PersonalDataLog.objects.get(pk=log.pk)
    assert stored.user == users["station"]
    assert stored.action == PersonalDataLog.Action.EXPORT
    assert (stored.subject, stored.filters, stored.row_count) == (
        "students.Registration",
        {"year": "2026"},
        12,
    )
    assert stored.fields == ""  # masked


def test_export_filters_leave_out_format_and_paging():
    assert export_filters({"format": "csv", "page": "3", "station": "7", "q": "张"}) == {
        "station": "7",
        "q": "张",
    }


def test_a_nul_character_in_the_filters_is_stored_as_a_mark(users, world, client_for):
    # PostgreSQL cannot store \u0000 in JSON: the download's log would fail and with it the
    # download (a server error).
    filters = export_filters({"q": "张\x00", "\x00": "1"})
    assert filters == {"q": "张\ufffd", "\ufffd": "1"}
    client = client_for("academic")
    client.raise_request_exception = True
    response = client.get("/admissions/?format=csv&q=%00")
    assert response.status_code == 200
    assert PersonalDataLog.objects.get().filters == {"q": "\ufffd"}
