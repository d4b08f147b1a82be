"""Status change pages: lists, pending approvals, a request's page, decisions, filing."""

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from cems.conftest import add_student, make_id_number
from cems.core.models import PersonalDataLog
from cems.students.models import RequestState, StatusChangeKind, StatusChangeRequest, Student
from cems.students.tests.status_support import TODAY, approve, extra, file, set_today, suspension

K = StatusChangeKind
LIST = reverse("status_changes:list")
PENDING = reverse("status_changes:pending")


@pytest.fixture
def env(world, users, monkeypatch, settings):
    set_today(monkeypatch)
    settings.LANGUAGE_CODE = "en"
    return extra(world)


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def as_role(client_for, env):
    return lambda role: english(client_for(role))


def detail(request) -> str:
    return reverse("status_changes:detail", args=[request.pk])


def listed(response) -> list[int]:
    return [item.pk for item in response.context["page"]]


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def requests(world, env, users):
    """A withdrawal of a1 at the station, a suspension of a2 at the school, a withdrawal of b1
    at station B and a change of b1 into station A waiting for station A as receiver."""
    station, academic, admin = users["station"], users["academic"], users["admin"]
    return {
        "a1": file(station, world.a1, K.WITHDRAW),
        "a2": approve(file(station, world.a2, K.SUSPEND, **suspension(TODAY)), station),
        "b1": file(admin, world.b1, K.WITHDRAW),
        "incoming": approve(
            file(admin, world.b1, K.CHANGE_STATION, new_station=world.station_a), env.staff_b
        ),
        "done": approve(file(admin, add_student(world, 9), K.WITHDRAW), station, academic),
    }


class TestList:
    def test_station_staff_see_their_students_and_incoming_changes(self, as_role, requests):
        response = as_role("station").get(LIST)
        assert set(listed(response)) == {requests[k].pk for k in ("a1", "a2", "incoming", "done")}

    def test_school_roles_see_all(self, as_role, requests):
        assert len(listed(as_role("auditor").get(LIST))) == 5

    def test_a_student_sees_their_own(self, as_role, requests):
        assert listed(as_role("student").get(LIST)) == [requests["a1"].pk]

    @pytest.mark.parametrize("role", ["teacher", "trainee", "training"])
    def test_other_roles_are_refused(self, client_for, env, role):
        assert client_for(role).get(LIST).status_code == 403

    def test_filters(self, world, as_role, requests):
        client = as_role("academic")
        assert listed(client.get(LIST, {"kind": "suspend"})) == [requests["a2"].pk]
        assert listed(client.get(LIST, {"state": "approved"})) == [requests["done"].pk]
        by_station = set(listed(client.get(LIST, {"station": world.station_b.pk})))
        assert by_station == {requests["b1"].pk, requests["incoming"].pk}
        assert listed(client.get(LIST, {"q": "李娜"})) == [requests["a2"].pk]
        assert listed(client.get(LIST, {"q": world.a1.student_number})) == [requests["a1"].pk]

    def test_an_invalid_filter_lists_nothing(self, as_role, requests):
        response = as_role("academic").get(LIST, {"kind": "promote"})
        assert listed(response) == []
        assert response.context["form"].errors["kind"]

    def test_station_filter_offers_own_stations_only(self, world, as_role, requests):
        response = as_role("station").get(LIST, {"station": world.station_b.pk})
        assert listed(response) == []
        assert list(response.context["form"].fields["station"].queryset) == [world.station_a]

    def test_download(self, world, as_role, requests):
        response = as_role("station").get(LIST, {"kind": "suspend", "format": "csv"})
        rows = csv_rows(response)
        assert rows[0][:6] == ["No.", "Filed at", "Student number", "Name", "Station", "Type"]
        assert len(rows) == 2
        assert rows[1][2:5] == [world.a2.student_number, "李娜", "长沙函授站"]
        assert rows[1][6] == "2026-11-28 – 2027-11-28"
        assert rows[1][7] == "Waiting for academic affairs"
        xlsx = as_role("station").get(LIST, {"format": "xlsx"})
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0)
        assert len(sheet.to_python()) == 5
        logs = PersonalDataLog.objects.filter(subject="students.StatusChangeRequest")
        assert list(logs.order_by("pk").values_list("filters", "row_count")) == [
            ({"kind": "suspend"}, 1),
            ({}, 4),
        ]

    def test_query_count_does_not_grow_with_rows(self, world, as_role, requests, users):
        client = as_role("academic")

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(LIST).status_code == 200
            return len(queries)

        before = count()
        for serial in range(20, 30):
            file(users["admin"], add_student(world, serial), K.TRANSFER, target_school="某大学",
                 target_level="jc_ba")  # fmt: skip
        assert count() == before


class TestPending:
    def test_station_staff_see_their_station_step_and_incoming(self, as_role, requests):
        response = as_role("station").get(PENDING)
        assert listed(response) == [requests["a1"].pk, requests["incoming"].pk]

    def test_receiving_station_staff(self, client_for, env, requests):
        client = english(client_for(None))
        client.force_login(env.staff_b)
        assert listed(client.get(PENDING)) == [requests["b1"].pk]

    def test_academic_affairs_see_the_school_step(self, as_role, requests):
        assert listed(as_role("academic").get(PENDING)) == [requests["a2"].pk]

    def test_filters_and_download(self, as_role, requests):
        client = as_role("station")
        assert listed(client.get(PENDING, {"kind": "change_station"})) == [requests["incoming"].pk]
        assert listed(client.get(PENDING, {"state": "pending_station"})) == [requests["a1"].pk]
        rows = csv_rows(client.get(PENDING, {"format": "csv"}))
        assert len(rows) == 3

    @pytest.mark.parametrize("role", ["finance", "auditor", "student", "teacher"])
    def test_roles_that_do_not_approve_are_refused(self, client_for, env, role):
        assert client_for(role).get(PENDING).status_code == 403

    def test_query_count_does_not_grow_with_rows(self, world, as_role, requests, users):
        client = as_role("station")

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(PENDING).status_code == 200
            return len(queries)

        before = count()
        for serial in range(20, 30):
            file(users["station"], add_student(world, serial), K.WITHDRAW)
        assert count() == before


class TestDetail:
    def test_shows_the_chain_and_history(self, as_role, requests):
        response = as_role("station").get(detail(requests["a2"]))
        html = response.content.decode()
        assert "Suspend studies" in html
        assert "2026-11-28 – 2027-11-28" in html
        steps = [(s["step"].value, s["state"]) for s in response.context["progress"]]
        assert steps == [("station", "approved"), ("school", "current")]
        assert response.context["decision_form"] is None  # the school decides now

    def test_decision_form_for_the_approver(self, as_role, requests):
        assert as_role("academic").get(detail(requests["a2"])).context["may_decide"]
        page = as_role("station").get(detail(requests["a1"]))
        assert page.context["may_decide"]
        assert page.context["may_cancel"]  # station staff filed it
        assert 'value="reject"' in page.content.decode()

    def test_chain_of_a_change_of_station(self, as_role, requests):
        response = as_role("station").get(detail(requests["incoming"]))
        steps = [s["state"] for s in response.context["progress"]]
        assert steps == ["approved", "current", "waiting"]
        assert response.context["may_decide"]  # station A receives

    def test_rejection_shows_its_reason(self, as_role, requests, users):
        from cems.students import status

        status.status_request_decide(
            actor=users["station"], request=requests["a1"], approve=False, comment="材料不全"
        )
        response = as_role("student").get(detail(requests["a1"]))
        assert "材料不全" in response.content.decode()
        assert [s["state"] for s in response.context["progress"]] == ["rejected", "skipped"]

    def test_outside_the_scope_is_404(self, as_role, requests):
        assert as_role("station").get(detail(requests["b1"])).status_code == 404
        assert as_role("student").get(detail(requests["a2"])).status_code == 404


class TestUnmask:
    @pytest.fixture
    def correction(self, world, users, env):
        number = make_id_number(world.a1.birth_date, "M", 44)
        return file(users["station"], world.a1, K.CORRECT_DATA,
                    corrections={"id_number": number, "name": "张卫"}), number  # fmt: skip

    def test_masked_until_shown_on_purpose_and_logged(self, as_role, correction):
        request, number = correction
        client = as_role("academic")
        page = client.get(detail(request)).content.decode()
        assert number not in page
        assert number[:4] + "**********" + number[-4:] in page
        assert "张卫" in page
        shown = client.post(detail(request), {"unmask": "1"})
        assert number in shown.content.decode()
        log = PersonalDataLog.objects.get()
        assert (log.user.username, log.action, log.fields) == (
            "academic-user",
            "unmask",
            "id_number",
        )
        assert log.subject == f"students.StatusChangeRequest:{request.pk}"

    def test_refused_without_the_capability(self, client_for, correction):
        request, _number = correction
        assert client_for("finance").post(detail(request), {"unmask": "1"}).status_code == 403
        assert not PersonalDataLog.objects.exists()


class TestDecide:
    def decide(
        self, client: Client, request: StatusChangeRequest, decision: str, comment: str = ""
    ) -> Any:
        url = reverse("status_changes:decide", args=[request.pk])
        return client.post(url, {"decision": decision, "comment": comment})

    def test_approve(self, as_role, requests):
        response = self.decide(as_role("station"), requests["a1"], "approve")
        assert response.status_code == 302
        assert response["Location"] == detail(requests["a1"])
        requests["a1"].refresh_from_db()
        assert requests["a1"].state == RequestState.PENDING_SCHOOL

    def test_reject_needs_a_reason(self, as_role, requests):
        response = self.decide(as_role("station"), requests["a1"], "reject")
        assert response.status_code == 200
        assert "A rejection needs its reason." in response.content.decode()
        requests["a1"].refresh_from_db()
        assert requests["a1"].state == RequestState.PENDING_STATION

    def test_reject(self, as_role, requests):
        self.decide(as_role("academic"), requests["a2"], "reject", "超过期限")
        requests["a2"].refresh_from_db()
        assert (requests["a2"].state, requests["a2"].rejection_reason) == (
            RequestState.REJECTED, "超过期限",
        )  # fmt: skip

    def test_final_approval_applies_the_change(self, world, as_role, requests):
        self.decide(as_role("academic"), requests["a2"], "approve")
        world.a2.refresh_from_db()
        assert world.a2.status == "suspended"

    def test_a_refused_rule_is_shown_and_nothing_changes(self, world, as_role, requests):
        world.a2.status = "withdrawn"
        world.a2.save()
        client = as_role("academic")
        response = self.decide(client, requests["a2"], "approve")
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert "is only possible for a student who is Registered" in page
        requests["a2"].refresh_from_db()
        assert requests["a2"].state == RequestState.PENDING_SCHOOL

    def test_wrong_step_is_403(self, as_role, requests):
        assert self.decide(as_role("academic"), requests["a1"], "approve").status_code == 403
        assert self.decide(as_role("station"), requests["a2"], "approve").status_code == 403
        assert self.decide(as_role("academic"), requests["a1"], "reject").status_code == 403

    def test_outside_the_scope_is_404(self, as_role, requests):
        assert self.decide(as_role("station"), requests["b1"], "approve").status_code == 404

    def test_get_is_not_allowed(self, as_role, requests):
        url = reverse("status_changes:decide", args=[requests["a1"].pk])
        assert as_role("station").get(url).status_code == 405


class TestCancel:
    def cancel(self, client: Client, request: StatusChangeRequest) -> Any:
        return client.post(reverse("status_changes:cancel", args=[request.pk]))

    def test_the_filer_cancels(self, as_role, requests):
        response = self.cancel(as_role("station"), requests["a1"])
        assert response["Location"] == detail(requests["a1"])
        requests["a1"].refresh_from_db()
        assert requests["a1"].state == RequestState.CANCELLED

    def test_not_someone_else(self, as_role, requests):
        assert self.cancel(as_role("academic"), requests["a1"]).status_code == 403
        assert self.cancel(as_role("student"), requests["a1"]).status_code == 403

    def test_a_decided_request_stays(self, as_role, requests, users):
        self.cancel(as_role("admin"), requests["done"])
        requests["done"].refresh_from_db()
        assert requests["done"].state == RequestState.APPROVED


class TestFile:
    def url(self, student: Student, kind: str | None = None) -> str:
        base = reverse("status_changes:file", args=[student.pk])
        return f"{base}?kind={kind}" if kind else base

    def test_choose_the_type(self, world, as_role):
        response = as_role("station").get(self.url(world.a1))
        kinds = {k["value"]: k["possible"] for k in response.context["kinds"]}
        assert len(kinds) == len(K)
        assert kinds["suspend"]
        assert not kinds["resume"]
        assert response.context["form"] is None

    def test_a_student_chooses_among_two(self, world, as_role):
        response = as_role("student").get(self.url(world.a1))
        assert [k["value"] for k in response.context["kinds"]] == ["suspend", "withdraw"]
        response = as_role("student").get(self.url(world.a1, "change_major"))
        assert response.context["form"] is None
        post = as_role("student").post(self.url(world.a1, "change_major"), {"reason": "x"})
        assert post.status_code == 403

    def test_file_a_suspension(self, world, as_role):
        response = as_role("station").post(
            self.url(world.a1, "suspend"),
            {"reason": "工作调动", "start_date": "2026-12-01", "end_date": "2027-12-01"},
        )
        request = StatusChangeRequest.objects.get()
        assert response["Location"] == detail(request)
        assert (request.kind, request.reason, request.filed_by.username) == (
            "suspend", "工作调动", "station-user",
        )  # fmt: skip

    def test_rule_errors_are_shown_at_their_fields(self, world, as_role):
        response = as_role("station").post(
            self.url(world.a1, "suspend"),
            {"reason": "工作调动", "start_date": "2026-12-01", "end_date": "2028-12-01"},
        )
        assert response.status_code == 200
        assert "one year at a time" in " ".join(response.context["form"].errors["end_date"])
        assert not StatusChangeRequest.objects.exists()

    def test_a_suspension_in_the_last_years_a_date_can_hold(self, world, as_role):
        # A year after 9999-06-01 is beyond the dates there are: refused, never a server error.
        client = as_role("station")
        client.raise_request_exception = True
        response = client.post(
            self.url(world.a1, "suspend"),
            {"reason": "x", "start_date": "9999-06-01", "end_date": "9999-12-31"},
        )
        assert response.status_code == 200
        assert "maximum study period" in " ".join(response.context["form"].errors["end_date"])
        assert not StatusChangeRequest.objects.exists()

    def test_status_errors_are_shown_above_the_form(self, world, as_role):
        response = as_role("station").post(self.url(world.a1, "resume"), {"reason": "返校"})
        assert "only possible for a student who is Suspended" in str(
            response.context["form"].non_field_errors()
        )

    def test_change_of_major_offers_other_majors(self, world, env, as_role):
        response = as_role("station").get(self.url(world.a1, "change_major"))
        assert list(response.context["form"].fields["new_program"].queryset) == [env.accounting]
        as_role("station").post(
            self.url(world.a1, "change_major"), {"reason": "兴趣", "new_program": env.accounting.pk}
        )
        assert StatusChangeRequest.objects.get().new_program == env.accounting

    def test_change_of_station_offers_other_active_stations(self, world, env, as_role):
        response = as_role("station").get(self.url(world.a1, "change_station"))
        offered = set(response.context["form"].fields["new_station"].queryset)
        assert offered == {world.station_b, env.station_c}

    def test_correction(self, world, as_role):
        response = as_role("station").post(
            self.url(world.a1, "correct_data"), {"reason": "录入错误", "phone": "13700001111"}
        )
        assert response.status_code == 302
        assert StatusChangeRequest.objects.get().corrections == {"phone": "13700001111"}

    def test_correction_needs_a_value(self, world, as_role):
        response = as_role("station").post(self.url(world.a1, "correct_data"), {"reason": "x"})
        assert "Enter at least one corrected value." in response.content.decode()

    def test_invalid_id_number_in_a_correction(self, world, as_role):
        response = as_role("station").post(
            self.url(world.a1, "correct_data"), {"reason": "x", "id_number": "430302199501011234"}
        )
        assert response.context["form"].errors["id_number"]

    def test_a_refused_correction_does_not_show_the_record_birth_date(self, world, as_role):
        # The record's birth date (and the one its ID number gives) are masked in the error;
        # what was entered is shown as entered.
        born = world.a1.birth_date
        other = make_id_number(dt.date(1990, 1, 1), "M", 41)
        response = as_role("station").post(
            self.url(world.a1, "correct_data"), {"reason": "x", "id_number": other}
        )
        errors = " ".join(response.context["form"].errors["id_number"])
        assert "1990-01-01" in errors
        assert f"{born.year}-**-**" in errors
        assert born.isoformat() not in response.content.decode()
        response = as_role("station").post(
            self.url(world.a1, "correct_data"), {"reason": "x", "birth_date": "1990-01-01"}
        )
        errors = " ".join(response.context["form"].errors.get("id_number", []))
        assert "1990-01-01" in errors
        assert born.isoformat() not in response.content.decode()
        assert not StatusChangeRequest.objects.exists()

    def test_transfer(self, world, as_role):
        as_role("station").post(
            self.url(world.a1, "transfer"),
            {"reason": "工作调动", "target_school": "某大学", "target_level": "jc_ba"},
        )
        assert StatusChangeRequest.objects.get().target_school == "某大学"

    def test_outside_the_scope_is_404(self, world, as_role):
        assert as_role("station").get(self.url(world.b1, "withdraw")).status_code == 404
        assert as_role("student").get(self.url(world.a2)).status_code == 404

    @pytest.mark.parametrize("role", ["academic", "finance", "auditor", "teacher"])
    def test_roles_that_do_not_file_are_refused(self, world, client_for, env, role):
        assert client_for(role).get(self.url(world.a1)).status_code == 403
