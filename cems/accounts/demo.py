"""One demo user per role, all with the same known password, which `make demo` prints."""

from django.contrib.auth.hashers import make_password

from cems.accounts.models import Role, User
from cems.organization.models import Station
from cems.students.models import Student, StudentStatus

DEMO_PASSWORD = "cems-demo-2026"  # noqa: S105 - printed on purpose: demo data only

# user name, role, full name, station codes (station staff only)
DEMO_USERS = [
    ("admin", Role.ADMIN, "系统管理员", []),
    ("academic", Role.ACADEMIC, "教务科 李老师", []),
    ("training", Role.TRAINING, "培训科 王老师", []),
    ("finance", Role.FINANCE, "财务科 赵会计", []),
    ("station", Role.STATION, "长沙函授站 陈老师", ["ZD4302"]),
    ("station_gd", Role.STATION, "广州函授站 黄老师", ["ZD4401"]),
    ("teacher", Role.TEACHER, "刘教授", []),
    ("student", Role.STUDENT, "", []),
    ("trainee", Role.TRAINEE, "周校长", []),
    ("auditor", Role.AUDITOR, "院领导 孙院长", []),
]


def seed_users() -> None:
    """Create the demo users (seed_demo prints their logins)."""
    password = make_password(DEMO_PASSWORD)  # hashed once: the same for every demo user
    for username, role, full_name, station_codes in DEMO_USERS:
        # A demo user kept by a reset (the audit trail names them) is brought back as new.
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "full_name": full_name,
                "password": password,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
                "is_active": True,
            },
        )
        if station_codes:
            user.stations.set(Station.objects.filter(code__in=station_codes))
        if role == Role.STUDENT:
            student = (
                Student.objects.filter(station__code="ZD4302", status=StudentStatus.REGISTERED)
                .order_by("student_number")
                .first()
            )
            if student is not None:
                student.user = user
                student.save(update_fields=["user"])
                user.full_name = student.name
                user.save(update_fields=["full_name"])
