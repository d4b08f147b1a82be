"""The teacher's dashboard (reports:dashboard) lists their offerings of the current term."""

import pytest
from django.urls import reverse

from cems.teaching.tests.conftest import make_offering, make_teacher

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("reports:dashboard")


def test_a_teacher_sees_their_current_offerings(teaching, client_for, users):
    mine = make_offering(teaching, teaching.class_a, term=teaching.autumn_2026,
                         entry=teaching.courses[3][0], teacher=users["teacher"])  # fmt: skip
    earlier = make_offering(teaching, teaching.class_a, teacher=users["teacher"])
    other = make_offering(teaching, teaching.class_b, term=teaching.autumn_2026,
                          entry=teaching.courses[3][1], teacher=make_teacher("other"))  # fmt: skip
    response = client_for("teacher").get(DASHBOARD)
    assert response.status_code == 200
    assert response.context["teaching"]["offerings"] == [mine]
    page = response.content.decode()
    assert reverse("teaching:offering_detail", args=[mine.pk]) in page
    assert reverse("teaching:offering_detail", args=[earlier.pk]) not in page
    assert reverse("teaching:offering_detail", args=[other.pk]) not in page
    assert reverse("teaching:my_offerings") in page


def test_a_teacher_without_offerings_is_told_so(world, client_for):
    response = client_for("teacher").get(DASHBOARD)
    assert response.context["teaching"]["offerings"] == []
    assert "charts" not in response.context


@pytest.mark.parametrize("role", ["academic", "station", "student", "trainee"])
def test_other_roles_get_no_teaching_section(world, client_for, role):
    assert "teaching" not in client_for(role).get(DASHBOARD).context
