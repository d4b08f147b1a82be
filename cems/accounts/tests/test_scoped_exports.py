"""Downloads return exactly the user's scope: a station's staff download (?format=csv) holds
their stations' rows and none of another station's, on every list of the role matrix that
has a `listing`, on audit results, on every report page and on the annual return.

Each check also downloads the same file as staff of both stations (the same role, a wider
scope): the row hidden from station A's staff must be in theirs, so that a check never passes
on a file that would lack the row anyway.
"""

import csv
import io
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from cems.accounts.models import Role, User
from cems.accounts.tests.test_role_matrix import MATRIX
from cems.conftest import World, add_student
from cems.finance.tests.matrix import _charged
from cems.graduation.models import AuditKind, AuditResult, AuditRun, RunStatus
from cems.graduation.tests.matrix_degree import degree_run, graduate
from cems.reports.registry import reports_for
from cems.students.models import Student
from cems.testing import OWN_SCOPED

# Lists with a `listing` that station staff open but that have no download of their own
# (none today; a list named here must not answer ?format=csv with a file).
NO_EXPORT: set[str] = set()

STATION_LISTS = sorted(
    name
    for name, entry in MATRIX.items()
    if entry.listing is not None and entry.expect["station"][0] == 200
)


def _content(response: Any) -> bytes:
    """A response's body, streamed or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def _both_stations(world: World) -> Client:
    """A client of station staff working at station A and station B."""
    user = User.objects.create_user(username="station-ab-user", role=Role.STATION)
    user.stations.set([world.station_a, world.station_b])
    client = Client()
    client.force_login(user)
    return client


def _args(target: Any) -> list[Any]:
    return [target.pk] if isinstance(target, Model) else list(target)


def _csv(client: Client, url: str) -> str:
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/csv"), url
    body = _content(response)
    return body.decode("utf-8-sig")


def test_station_lists_are_found():
    """The lists below are those of the matrix: a list added with a `listing` is checked."""
    assert {"students:list", "admissions:candidate_list", "finance:arrears_students",
            "teaching:offering_list", "graduation:degree_list",
            "report_pages:report"} <= set(STATION_LISTS)  # fmt: skip


@pytest.mark.parametrize("name", STATION_LISTS)
def test_station_download_holds_its_stations_rows_only(name, world, client_for):
    entry = MATRIX[name]
    inside = entry.objects(world)[0] if entry.objects else ()
    url = reverse(name, args=_args(inside))
    if name in NO_EXPORT:
        response = client_for("station").get(url, {"format": "csv"})
        assert not response["Content-Type"].startswith("text/csv")
        return
    assert entry.listing is not None
    shown, hidden = entry.listing(world)
    mine = _csv(client_for("station"), url)
    everything = _csv(_both_stations(world), url)
    assert hidden in everything, f"{url}: the check needs {hidden} in the school's download"
    assert shown in mine, f"{url}: station staff's download lacks {shown}"
    assert hidden not in mine, f"{url}: station staff's download holds {hidden}"


OWN_SCOPED_LISTS = sorted(
    (name, role)
    for name, entry in MATRIX.items()
    for role in OWN_SCOPED
    if entry.listing is not None and entry.expect[role][0] == 200 and name not in NO_EXPORT
)


def test_own_scoped_lists_are_found():
    assert ("teaching:offering_list", "teacher") in OWN_SCOPED_LISTS
    assert ("status_changes:list", "student") in OWN_SCOPED_LISTS


def _reference(entry: Any, client_for: Any) -> Any:
    """Who sees the hidden row: the administrator, or for a teacher's own list the other
    teacher of the matrix's offerings (cems/teaching/tests/matrix.py)."""
    if entry.expect["admin"][0] == 200:
        return client_for("admin")
    client = Client()
    client.force_login(User.objects.get(username="matrix-teacher"))
    return client


@pytest.mark.parametrize(("name", "role"), OWN_SCOPED_LISTS)
def test_own_scoped_download_holds_their_own_rows_only(name, role, world, client_for):
    """A teacher's download of offerings holds their own, a student's their own requests."""
    entry = MATRIX[name]
    inside = entry.objects(world)[0] if entry.objects else ()
    url = reverse(name, args=_args(inside))
    assert entry.listing is not None
    shown, hidden = entry.listing(world)
    mine = _csv(client_for(role), url)
    assert hidden in _csv(_reference(entry, client_for), url)
    assert shown in mine
    assert hidden not in mine


AUDIT_PAGES = [
    (AuditKind.GRADUATION, "graduation:audit_detail"),
    (AuditKind.DEGREE, "graduation:degree_audit_results"),
]


@pytest.mark.parametrize(("kind", "url_name"), AUDIT_PAGES)
def test_school_wide_audit_results_download_the_stations_students_only(
    world, client_for, kind, url_name
):
    """A run over the whole school: station staff open it, and its download holds their
    students' results only."""
    if kind == AuditKind.DEGREE:
        for student in (world.a1, world.b1):
            graduate(student)
        run = degree_run(world)
    else:
        run = AuditRun.objects.create(
            kind=kind, status=RunStatus.DONE, started_by=User.objects.get(username="admin-user")
        )
    for student in (world.a1, world.b1):
        AuditResult.objects.create(run=run, student=student, eligible=True)
    url = reverse(url_name, args=[run.pk])
    mine = _csv(client_for("station"), url)
    assert world.b1.student_number in _csv(_both_stations(world), url)
    assert world.a1.student_number in mine
    assert world.b1.student_number not in mine


def _reports_data(world: World) -> None:
    _charged(world)
    for serial in range(1, 4):
        add_student(world, 500 + serial, station=world.station_b, name=f"乙站{serial}")


def test_every_report_download_holds_the_stations_figures_only(world, users, client_for):
    """Each report station staff may open: station B never in their download; and where the
    school's download names stations, theirs names station A."""
    _reports_data(world)
    station, both = client_for("station"), _both_stations(world)
    naming_stations = []
    reports = reports_for(users["station"])
    assert reports
    for report in reports:
        url = reverse("report_pages:report", args=[report.key])
        mine, everything = _csv(station, url), _csv(both, url)
        assert world.station_b.name not in mine, report.key
        if world.station_b.name in everything:
            naming_stations.append(report.key)
            assert world.station_a.name in mine, report.key
    assert naming_stations, "no report names stations: the check would prove nothing"


def test_forged_station_filter_in_a_report_download_gives_no_figures(world, client_for):
    """A station outside the scope in the query string is an invalid filter: no rows."""
    _reports_data(world)
    url = reverse("report_pages:report", args=["registered-students"])
    body = _csv_with(client_for("station"), url, station=str(world.station_b.pk))
    assert world.station_b.name not in body
    assert len(list(csv.reader(io.StringIO(body)))) <= 2  # the heading (and a total) only


def test_forged_station_filter_in_the_student_download_gives_no_other_station(world, client_for):
    url = reverse("students:list")
    body = _csv_with(client_for("station"), url, station=str(world.station_b.pk))
    assert world.b1.student_number not in body
    assert world.b1.name not in body


def _csv_with(client: Client, url: str, **params: str) -> str:
    response = client.get(url, {"format": "csv", **params})
    assert response.status_code == 200
    body = _content(response)
    return body.decode("utf-8-sig")


def _annual(client: Client) -> list[list[str]]:
    body = _csv(client, reverse("annual_return:page"))
    return list(csv.reader(io.StringIO(body)))


def test_annual_return_download_counts_the_stations_students_only(world, client_for):
    """Station staff's return equals the school's return without station B's students, and
    differs from the school's with them."""
    for serial in range(1, 4):
        add_student(world, 600 + serial, station=world.station_b)
    station, admin = client_for("station"), client_for("admin")
    mine = _annual(station)
    assert mine != _annual(admin)
    Student.objects.filter(station=world.station_b).delete()
    assert mine == _annual(admin)
