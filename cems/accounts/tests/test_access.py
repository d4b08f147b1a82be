"""Access control (cems.accounts.access): capabilities per role and the scopes of objects."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from cems.accounts import access
from cems.accounts.access import Capability as C
from cems.accounts.models import Role, User
from cems.conftest import World
from cems.organization.models import Station
from cems.students.models import Student

ALL = frozenset(C) - {C.USE_PORTAL, C.TEACH, C.USE_TRAINEE_PORTAL}

# The intended policy, written out independently of access.ROLE_CAPABILITIES.
READ = {C.VIEW_STATIONS, C.LIST_STUDENTS, C.VIEW_STUDENTS, C.VIEW_CATALOG,
        C.VIEW_STATUS_REQUESTS, C.VIEW_OFFERINGS, C.VIEW_FEES, C.VIEW_AUDITS}  # fmt: skip
EXPECTED_CAPABILITIES = {
    "admin": ALL,
    "academic": READ | {
        C.MANAGE_STATIONS, C.SEE_PERSONAL_DATA, C.MANAGE_CATALOG, C.VIEW_CANDIDATES,
        C.IMPORT_ADMISSIONS, C.ENROLL_STUDENTS, C.APPROVE_AS_SCHOOL, C.MANAGE_REGISTRATIONS,
        C.MANAGE_TERMS, C.ASSIGN_TEACHERS, C.ENTER_GRADES, C.APPROVE_GRADE_CHANGES,
        C.ENROLL_RETAKES, C.PRINT_TRANSCRIPTS, C.RUN_AUDITS, C.MANAGE_DEGREE_RECORDS,
    },
    "training": {C.VIEW_STATIONS, C.VIEW_TRAINING, C.MANAGE_TRAINING},
    "finance": READ | {C.MANAGE_FEES},
    "station": READ | {
        C.SEE_PERSONAL_DATA, C.VIEW_CANDIDATES, C.FILE_STATUS_REQUESTS, C.APPROVE_AS_STATION,
        C.MANAGE_REGISTRATIONS, C.ASSIGN_TEACHERS, C.PRINT_TRANSCRIPTS,
    },
    "teacher": {C.VIEW_OFFERINGS, C.TEACH, C.ENTER_GRADES},
    "student": {C.VIEW_STUDENTS, C.SEE_PERSONAL_DATA, C.VIEW_STATUS_REQUESTS,
                C.FILE_STATUS_REQUESTS, C.USE_PORTAL, C.PRINT_TRANSCRIPTS},
    "trainee": {C.USE_TRAINEE_PORTAL},
    "auditor": READ | {C.VIEW_CANDIDATES, C.VIEW_TRAINING, C.VIEW_AUDIT_TRAIL},
}  # fmt: skip


def expected_stations(role: str, world: World) -> set[Station]:
    if role in {"admin", "academic", "training", "finance", "auditor"}:
        return {world.station_a, world.station_b}
    if role == "station":
        return {world.station_a}
    return set()


def expected_students(role: str, world: World) -> set[Student]:
    if role in {"admin", "academic", "finance", "auditor"}:
        return {world.a1, world.a2, world.b1}
    if role == "station":
        return {world.a1, world.a2}
    if role == "student":
        return {world.a1}
    return set()  # teacher, trainee, training office


def test_every_role_is_covered():
    assert set(EXPECTED_CAPABILITIES) == {role.value for role in Role}
    assert set(access.ROLE_CAPABILITIES) == {role.value for role in Role}


# --- capabilities ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_capabilities_of_each_role(users, role):
    user = users[role]
    expected = EXPECTED_CAPABILITIES[role]
    assert access.capabilities_of(user) == frozenset(expected)
    for capability in C:
        assert access.has_capability(user, capability) is (capability in expected), capability
    assert access.sees_personal_data(user) is (C.SEE_PERSONAL_DATA in expected)


def test_anonymous_has_no_capability():
    anonymous = AnonymousUser()
    assert access.capabilities_of(anonymous) == frozenset()
    assert not any(access.has_capability(anonymous, capability) for capability in C)
    assert not access.sees_personal_data(anonymous)


def test_unknown_role_has_no_capability(db):
    user = User.objects.create_user(username="ghost", role="ghost")
    assert access.capabilities_of(user) == frozenset()
    assert not any(access.has_capability(user, capability) for capability in C)


def test_superuser_flag_grants_nothing_beyond_the_role(db):
    user = User.objects.create_superuser(username="root-teacher", role=Role.TEACHER)
    assert access.capabilities_of(user) == frozenset(EXPECTED_CAPABILITIES["teacher"])
    assert not access.stations_for(user).exists()
    assert not access.students_for(user).exists()


# --- scopes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_stations_for_each_role(world, users, role):
    scope = access.stations_for(users[role])
    assert set(scope) == expected_stations(role, world)
    assert scope.count() == len(expected_stations(role, world))  # no duplicates


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_students_for_each_role(world, users, role):
    scope = access.students_for(users[role])
    assert set(scope) == expected_students(role, world)
    assert scope.count() == len(expected_students(role, world))  # no duplicates


def test_station_staff_of_two_stations_see_both_without_duplicates(world, users):
    staff = users["station"]
    staff.stations.add(world.station_b)
    assert set(access.stations_for(staff)) == {world.station_a, world.station_b}
    students = access.students_for(staff)
    assert students.count() == 3
    assert set(students) == {world.a1, world.a2, world.b1}


def test_station_staff_without_a_station_see_nothing(world, users):
    staff = users["station"]
    staff.stations.clear()
    assert not access.stations_for(staff).exists()
    assert not access.students_for(staff).exists()


def test_station_staff_scope_follows_students_who_move(world, users):
    world.b1.station = world.station_a
    world.b1.save()
    assert set(access.students_for(users["station"])) == {world.a1, world.a2, world.b1}


def test_student_without_a_record_sees_nothing(world, users):
    world.a1.user = None
    world.a1.save()
    assert not access.students_for(users["student"]).exists()


def test_scopes_are_querysets_that_can_be_narrowed(world, users):
    scope = access.students_for(users["station"]).filter(name="李娜")
    assert list(scope) == [world.a2]


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_inactive_user_sees_nothing(world, users, role):
    user = users[role]
    user.is_active = False
    user.save()
    assert access.capabilities_of(user) == frozenset()
    assert not any(access.has_capability(user, capability) for capability in C)
    assert not access.stations_for(user).exists()
    assert not access.students_for(user).exists()


def test_anonymous_sees_nothing(world):
    assert not access.stations_for(AnonymousUser()).exists()
    assert not access.students_for(AnonymousUser()).exists()


def test_get_in_scope_or_404(world, users):
    scope = access.students_for(users["station"])
    assert access.get_in_scope_or_404(scope, pk=world.a1.pk) == world.a1
    with pytest.raises(Http404):
        access.get_in_scope_or_404(scope, pk=world.b1.pk)  # exists, but outside the scope


# --- require_capability ----------------------------------------------------------------------


@access.require_capability(C.LIST_STUDENTS)
def listing_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("listing")


def request_as(user: User | AnonymousUser) -> HttpRequest:
    request = RequestFactory().get("/somewhere/")
    request.user = user
    return request


def test_require_capability_lets_in_a_role_that_has_it(users):
    assert listing_view(request_as(users["finance"])).content == b"listing"


def test_require_capability_refuses_a_role_without_it(users):
    with pytest.raises(PermissionDenied):
        listing_view(request_as(users["teacher"]))


def test_require_capability_sends_anonymous_to_sign_in(db):
    response = listing_view(request_as(AnonymousUser()))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_require_capability_refuses_an_inactive_user(users):
    users["finance"].is_active = False
    with pytest.raises(PermissionDenied):
        listing_view(request_as(users["finance"]))


# --- the admin site --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_admin_site_lets_in_only_the_admin_role(client_for, role):
    response = client_for(role).get("/admin/")
    if role == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_admin_site_refuses_anonymous(world):
    response = Client().get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_site_refuses_a_superuser_whose_role_is_not_admin(db):
    user = User.objects.create_superuser(username="root-auditor", role=Role.AUDITOR)
    client = Client()
    client.force_login(user)
    for url in ("/admin/", "/admin/accounts/user/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/")


def test_admin_site_lets_a_superuser_administrator_work(db):
    user = User.objects.create_superuser(username="root")
    assert user.role == Role.ADMIN
    client = Client()
    client.force_login(user)
    assert client.get("/admin/accounts/user/").status_code == 200


def test_admin_role_can_work_in_the_admin_without_the_superuser_flag(client_for, users):
    assert not users["admin"].is_superuser
    client = client_for("admin")
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get(f"/admin/accounts/user/{users['teacher'].pk}/change/").status_code == 200
