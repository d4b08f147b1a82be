"""The enrollment page: admitted candidates, filtered to a batch, enrolled in one action."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cems.admissions.models import Candidate, CandidateStatus
from cems.core.masking import mask_id_number
from cems.students.models import Student
from cems.students.tests.candidates import add_candidate, add_import

ENROLL = reverse("students:enroll")


def shown(response) -> list[str]:
    return [c.name for c in response.context["page"]]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def batch(world):
    source = add_import()
    return {
        "a1": add_candidate(world, 1, name="甲一", source=source),
        "a2": add_candidate(world, 2, name="甲二", source=source),
        "b1": add_candidate(world, 3, name="乙一", station=world.station_b, source=source),
        "old": add_candidate(world, 4, name="旧生", admission_year=2025),
    }


class TestPage:
    @pytest.mark.parametrize("role", ["station", "finance", "auditor", "teacher", "student"])
    def test_only_for_those_who_enroll(self, world, client_for, role):
        assert client_for(role).get(ENROLL).status_code == 403
        assert client_for(role).post(ENROLL, {"action": "all"}).status_code == 403
        assert not Student.objects.filter(cohort_year=2026).exists()

    def test_lists_admitted_candidates_masked(self, world, client_for, batch):
        add_candidate(world, 5, name="已入学", status=CandidateStatus.ENROLLED, student=world.a2)
        response = client_for("academic").get(ENROLL)
        assert shown(response) == ["旧生", "甲一", "甲二", "乙一"]
        html = response.content.decode()
        assert batch["a1"].id_number not in html
        assert mask_id_number(batch["a1"].id_number) in html
        assert "2026湖南成人高考录取名单.xlsx" in html

    @pytest.mark.parametrize(
        ("params", "expected"),
        [({"year": "2025"}, ["旧生"]), ({"year": "2026", "station": "B"}, ["乙一"]),
         ({"level": "hs_jc"}, []), ({"mode": "correspondence", "year": "2026"},
                                    ["甲一", "甲二", "乙一"])],
    )  # fmt: skip
    def test_filters(self, world, client_for, batch, params, expected):
        if params.get("station") == "B":
            params = {**params, "station": world.station_b.pk}
        assert shown(client_for("academic").get(ENROLL, params)) == expected

    def test_explains_the_number_pattern(self, world, client_for, batch):
        html = client_for("academic").get(ENROLL, {"year": "2026"}).content.decode()
        assert "{college}{year}{major}{seq:03d}" in html
        assert "CEMS_STUDENT_NUMBER_PATTERN" in html
        assert "102026001001" in html  # the next number, for the first candidate listed

    def test_queries_do_not_grow_with_the_page(self, world, client_for, batch):
        client = client_for("academic")
        client.get(ENROLL)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                client.get(ENROLL)
            return len(queries)

        before = count()
        for serial in range(10, 30):
            add_candidate(world, serial, station=world.station_b)
        assert count() == before


class TestEnroll:
    def test_the_ticked_candidates(self, world, client_for, batch):
        response = client_for("academic").post(
            ENROLL, {"action": "ticked", "candidate": [batch["a1"].pk, batch["b1"].pk]},
            follow=True,
        )  # fmt: skip
        enrolled = Candidate.objects.filter(status=CandidateStatus.ENROLLED)
        assert set(enrolled) == {batch["a1"], batch["b1"]}
        assert Student.objects.filter(cohort_year=2026).count() == 2
        assert any("2" in message for message in messages_of(response))
        assert shown(response) == ["旧生", "甲二"]

    def test_all_that_match_the_filters(self, world, client_for, batch):
        response = client_for("academic").post(f"{ENROLL}?year=2026", {"action": "all"})
        assert response.status_code == 302
        assert response["Location"] == f"{ENROLL}?year=2026"
        assert set(Candidate.objects.filter(status=CandidateStatus.ADMITTED)) == {batch["old"]}
        students = Student.objects.filter(cohort_year=2026)
        assert sorted(students.values_list("student_number", flat=True)) == [
            "102026001001", "102026001002", "102026001003",
        ]  # fmt: skip
        assert students.values("student_class").distinct().count() == 2

    def test_invalid_filters_enroll_nobody(self, world, client_for, batch):
        response = client_for("academic").post(f"{ENROLL}?year=abc", {"action": "all"})
        assert response.status_code == 302
        assert not Candidate.objects.filter(status=CandidateStatus.ENROLLED).exists()

    def test_nothing_ticked(self, world, client_for, batch):
        response = client_for("academic").post(ENROLL, {"action": "ticked"}, follow=True)
        assert not Candidate.objects.filter(status=CandidateStatus.ENROLLED).exists()
        assert messages_of(response)

    def test_an_error_enrolls_nobody_and_is_shown(self, world, client_for, batch):
        Candidate.objects.filter(pk=batch["a2"].pk).update(exam_number=world.a1.exam_number)
        response = client_for("academic").post(ENROLL, {"action": "all"}, follow=True)
        assert not Candidate.objects.filter(status=CandidateStatus.ENROLLED).exists()
        assert any(world.a1.exam_number in message for message in messages_of(response))

    def test_tampered_ids_outside_the_list_are_ignored(self, world, client_for, batch):
        enrolled = add_candidate(world, 9, status=CandidateStatus.ENROLLED, student=world.a2)
        client_for("academic").post(
            f"{ENROLL}?year=2025", {"action": "ticked", "candidate": [batch["a1"].pk, enrolled.pk]}
        )
        assert not Student.objects.filter(cohort_year=2026).exists()

    def test_ids_that_are_not_numbers_are_ignored(self, world, client_for, batch):
        # "²" counts as a digit for str.isdigit but int() refuses it; an id of 20 digits
        # cannot be stored in the database's integer: neither may give a server error.
        client = client_for("academic")
        client.raise_request_exception = True
        response = client.post(
            ENROLL,
            {"action": "ticked", "candidate": ["²", "99999999999999999999", batch["a1"].pk]},
            follow=True,
        )
        assert response.status_code == 200
        assert list(Student.objects.filter(cohort_year=2026).values_list("name", flat=True)) == [
            "甲一"
        ]
        response = client.post(ENROLL, {"action": "ticked", "candidate": ["²"]}, follow=True)
        assert response.status_code == 200
        assert Student.objects.filter(cohort_year=2026).count() == 1
