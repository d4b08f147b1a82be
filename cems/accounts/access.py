"""The one home of access control.

Two questions decide what a user may do:
- which *capabilities* the user's role grants (`has_capability`, `require_capability`);
  lacking one, a page answers 403, which reveals nothing about any object;
- which *objects* the user may see (`stations_for`, `students_for`, ...): querysets that
  every view, list, count, search and export starts from. An object outside them answers
  404 (`get_in_scope_or_404`), never a 403 that would confirm it exists.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404

from cems.accounts.models import Role, User
from cems.admissions.models import AdmissionImport, Candidate
from cems.core.models import Job
from cems.organization.models import Station
from cems.students.models import StatusChangeRequest, Student, StudentClass
from cems.teaching.models import CourseOffering, GradeChangeRequest
from cems.training.models import Certificate, Enrollment, Project, Trainee

AnyUser = User | AnonymousUser


class Capability(StrEnum):
    VIEW_STATIONS = "view_stations"
    MANAGE_STATIONS = "manage_stations"
    LIST_STUDENTS = "list_students"
    VIEW_STUDENTS = "view_students"
    # Personal data (ID and phone numbers) is shown masked to everyone; this capability
    # allows the deliberate, logged action of unmasking it within the user's scope.
    SEE_PERSONAL_DATA = "see_personal_data"
    USE_ADMIN = "use_admin"
    VIEW_CATALOG = "view_catalog"
    MANAGE_CATALOG = "manage_catalog"
    VIEW_CANDIDATES = "view_candidates"
    IMPORT_ADMISSIONS = "import_admissions"
    ENROLL_STUDENTS = "enroll_students"
    VIEW_STATUS_REQUESTS = "view_status_requests"
    FILE_STATUS_REQUESTS = "file_status_requests"
    APPROVE_AS_STATION = "approve_as_station"
    APPROVE_AS_SCHOOL = "approve_as_school"
    MANAGE_REGISTRATIONS = "manage_registrations"
    USE_PORTAL = "use_portal"  # the student's own page
    MANAGE_TERMS = "manage_terms"  # terms, and generating their offerings
    ASSIGN_TEACHERS = "assign_teachers"  # within the offerings the user sees
    VIEW_OFFERINGS = "view_offerings"
    TEACH = "teach"  # the teacher's own offerings ("my courses")
    # Grades of the offerings in the user's grading scope (gradable_offerings_for): enter
    # them, submit them, request changes after submission, enter makeup results.
    ENTER_GRADES = "enter_grades"
    APPROVE_GRADE_CHANGES = "approve_grade_changes"
    ENROLL_RETAKES = "enroll_retakes"
    PRINT_TRANSCRIPTS = "print_transcripts"  # of the students in the user's scope
    VIEW_FEES = "view_fees"  # fee accounts of the students in the user's scope
    MANAGE_FEES = "manage_fees"  # fee items, charges, payments (imports), refunds, waivers
    VIEW_AUDITS = "view_audits"  # graduation and degree audits' results, graduates
    RUN_AUDITS = "run_audits"  # start audits, approve graduates and degrees
    MANAGE_DEGREE_RECORDS = "manage_degree_records"  # theses, language results, discipline
    VIEW_TRAINING = "view_training"  # projects, trainees' files, certificates, reports
    MANAGE_TRAINING = "manage_training"  # the training office's writes
    USE_TRAINEE_PORTAL = "use_trainee_portal"  # a trainee's own projects and certificates
    MANAGE_HONORS = "manage_honors"  # the honors registry on the public page (administrators)
    VIEW_AUDIT_TRAIL = "view_audit_trail"  # who changed what, when and why (auditors, admins)


C = Capability
_SCHOOL_READ = {C.VIEW_STATIONS, C.LIST_STUDENTS, C.VIEW_STUDENTS, C.VIEW_CATALOG,
                C.VIEW_STATUS_REQUESTS, C.VIEW_OFFERINGS, C.VIEW_FEES, C.VIEW_AUDITS}  # fmt: skip
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    # Administrators do everything but be a student, a trainee or teach.
    Role.ADMIN: frozenset(Capability) - {C.USE_PORTAL, C.TEACH, C.USE_TRAINEE_PORTAL},
    Role.ACADEMIC: frozenset(
        _SCHOOL_READ
        | {
            C.MANAGE_STATIONS,
            C.SEE_PERSONAL_DATA,
            C.MANAGE_CATALOG,
            C.VIEW_CANDIDATES,
            C.IMPORT_ADMISSIONS,
            C.ENROLL_STUDENTS,
            C.APPROVE_AS_SCHOOL,
            C.MANAGE_REGISTRATIONS,
            C.MANAGE_TERMS,
            C.ASSIGN_TEACHERS,
            C.ENTER_GRADES,
            C.APPROVE_GRADE_CHANGES,
            C.ENROLL_RETAKES,
            C.PRINT_TRANSCRIPTS,
            C.RUN_AUDITS,
            C.MANAGE_DEGREE_RECORDS,
        }
    ),
    Role.TRAINING: frozenset({C.VIEW_STATIONS, C.VIEW_TRAINING, C.MANAGE_TRAINING}),
    Role.FINANCE: frozenset(_SCHOOL_READ | {C.MANAGE_FEES}),
    Role.STATION: frozenset(
        _SCHOOL_READ
        | {
            C.SEE_PERSONAL_DATA,
            C.VIEW_CANDIDATES,
            C.FILE_STATUS_REQUESTS,
            C.APPROVE_AS_STATION,
            C.MANAGE_REGISTRATIONS,
            C.ASSIGN_TEACHERS,
            C.PRINT_TRANSCRIPTS,
        }
    ),
    Role.TEACHER: frozenset({C.VIEW_OFFERINGS, C.TEACH, C.ENTER_GRADES}),
    # A student's scope is their own record; they may file a suspension or withdrawal.
    Role.STUDENT: frozenset(
        {
            C.VIEW_STUDENTS,
            C.SEE_PERSONAL_DATA,
            C.VIEW_STATUS_REQUESTS,
            C.FILE_STATUS_REQUESTS,
            C.USE_PORTAL,
            C.PRINT_TRANSCRIPTS,  # their own
        }
    ),
    Role.TRAINEE: frozenset({C.USE_TRAINEE_PORTAL}),
    Role.AUDITOR: frozenset(
        _SCHOOL_READ | {C.VIEW_CANDIDATES, C.VIEW_TRAINING, C.VIEW_AUDIT_TRAIL}
    ),
}

# Roles whose scope is the whole school rather than some stations or one person.
SCHOOL_WIDE_ROLES = frozenset(
    {Role.ADMIN, Role.ACADEMIC, Role.TRAINING, Role.FINANCE, Role.AUDITOR}
)


def _role(user: AnyUser) -> str | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return user.role


def has_capability(user: AnyUser, capability: Capability) -> bool:
    role = _role(user)
    return role is not None and capability in ROLE_CAPABILITIES.get(role, frozenset())


def capabilities_of(user: AnyUser) -> frozenset[Capability]:
    role = _role(user)
    return ROLE_CAPABILITIES.get(role, frozenset()) if role else frozenset()


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def require_capability(capability: Capability) -> Callable[[ViewFunc], ViewFunc]:
    """Sign-in required; then 403 unless the user's role grants the capability."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not has_capability(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorator


def signed_in_user(request: HttpRequest) -> User:
    """The acting user of a view that requires sign-in (for services' `actor`)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


# --- Scopes: the querysets a user may see ----------------------------------------------------


def stations_for(user: AnyUser) -> QuerySet[Station]:
    if not has_capability(user, C.VIEW_STATIONS):
        return Station.objects.none()
    if _role(user) in SCHOOL_WIDE_ROLES:
        return Station.objects.all()
    if _role(user) == Role.STATION:
        return Station.objects.filter(staff=cast(User, user))
    return Station.objects.none()


def students_for(user: AnyUser) -> QuerySet[Student]:
    if not has_capability(user, C.VIEW_STUDENTS):
        return Student.objects.none()
    role = _role(user)
    if role in SCHOOL_WIDE_ROLES:
        return Student.objects.all()
    if role == Role.STATION:
        return Student.objects.filter(station__staff=cast(User, user))
    if role == Role.STUDENT:
        return Student.objects.filter(user=cast(User, user))
    return Student.objects.none()


def candidates_for(user: AnyUser) -> QuerySet[Candidate]:
    if not has_capability(user, C.VIEW_CANDIDATES):
        return Candidate.objects.none()
    role = _role(user)
    if role in SCHOOL_WIDE_ROLES:
        return Candidate.objects.all()
    if role == Role.STATION:
        return Candidate.objects.filter(station__staff=cast(User, user))
    return Candidate.objects.none()


def admission_imports_for(user: AnyUser) -> QuerySet[AdmissionImport]:
    """Admission imports are the school's: those who may import see them all."""
    if not has_capability(user, C.IMPORT_ADMISSIONS):
        return AdmissionImport.objects.none()
    return AdmissionImport.objects.all()


def classes_for(user: AnyUser) -> QuerySet[StudentClass]:
    if not has_capability(user, C.LIST_STUDENTS):
        return StudentClass.objects.none()
    role = _role(user)
    if role in SCHOOL_WIDE_ROLES:
        return StudentClass.objects.all()
    if role == Role.STATION:
        return StudentClass.objects.filter(station__staff=cast(User, user))
    return StudentClass.objects.none()


def status_requests_for(user: AnyUser) -> QuerySet[StatusChangeRequest]:
    """Requests about the user's students, and for station staff also those asking to move
    a student into one of their stations (they consent as the receiving station)."""
    if not has_capability(user, C.VIEW_STATUS_REQUESTS):
        return StatusChangeRequest.objects.none()
    role = _role(user)
    if role in SCHOOL_WIDE_ROLES:
        return StatusChangeRequest.objects.all()
    if role == Role.STATION:
        staff = cast(User, user)
        return StatusChangeRequest.objects.filter(
            Q(student__station__staff=staff) | Q(new_station__staff=staff)
        ).distinct()
    if role == Role.STUDENT:
        return StatusChangeRequest.objects.filter(student__user=cast(User, user))
    return StatusChangeRequest.objects.none()


def offerings_for(user: AnyUser) -> QuerySet[CourseOffering]:
    """All offerings for the school's readers, their stations' classes' for station staff,
    those assigned to them for teachers."""
    if not has_capability(user, C.VIEW_OFFERINGS):
        return CourseOffering.objects.none()
    role = _role(user)
    if role in SCHOOL_WIDE_ROLES:
        return CourseOffering.objects.all()
    if role == Role.STATION:
        return CourseOffering.objects.filter(student_class__station__staff=cast(User, user))
    if role == Role.TEACHER:
        return CourseOffering.objects.filter(teacher=cast(User, user))
    return CourseOffering.objects.none()


def gradable_offerings_for(user: AnyUser) -> QuerySet[CourseOffering]:
    """The offerings whose grades the user enters: a teacher's own; any for academic affairs
    (who enter grades on a teacher's behalf). Others enter none."""
    if not has_capability(user, C.ENTER_GRADES):
        return CourseOffering.objects.none()
    return offerings_for(user)


def grade_change_requests_for(user: AnyUser) -> QuerySet[GradeChangeRequest]:
    """Requests to change submitted grades: all for those who approve them, else those of
    the offerings the user sees (a teacher's own, a station's classes')."""
    if has_capability(user, C.APPROVE_GRADE_CHANGES):
        return GradeChangeRequest.objects.all()
    return GradeChangeRequest.objects.filter(offering__in=offerings_for(user))


def fee_students_for(user: AnyUser) -> QuerySet[Student]:
    """The students whose fee accounts the user sees: their students, for those who may see
    fees (a student sees their own account in the portal)."""
    if not has_capability(user, C.VIEW_FEES):
        return Student.objects.none()
    return students_for(user)


def audited_students_for(user: AnyUser) -> QuerySet[Student]:
    """The students whose audit results and graduation the user sees."""
    if not has_capability(user, C.VIEW_AUDITS):
        return Student.objects.none()
    return students_for(user)


def trainees_for(user: AnyUser) -> QuerySet[Trainee]:
    """Trainees' files: all of them for those who see training (the training office, the
    administrators, the auditors), a trainee's own for a trainee."""
    if has_capability(user, C.VIEW_TRAINING):
        return Trainee.objects.all()
    if has_capability(user, C.USE_TRAINEE_PORTAL):
        return Trainee.objects.filter(user=cast(User, user))
    return Trainee.objects.none()


def projects_for(user: AnyUser) -> QuerySet[Project]:
    """Training projects: all of them for those who see training; none for anyone else (a
    trainee reaches their own projects through their enrollments in the portal)."""
    if has_capability(user, C.VIEW_TRAINING):
        return Project.objects.all()
    return Project.objects.none()


def enrollments_for(user: AnyUser) -> QuerySet[Enrollment]:
    """Places on training projects: those of the projects the user sees, a trainee's own."""
    if has_capability(user, C.VIEW_TRAINING):
        return Enrollment.objects.all()
    if has_capability(user, C.USE_TRAINEE_PORTAL):
        return Enrollment.objects.filter(trainee__user=cast(User, user))
    return Enrollment.objects.none()


def certificates_for(user: AnyUser) -> QuerySet[Certificate]:
    """Training certificates: all for those who see training, a trainee's own for a trainee
    (the public verification page answers one number and name, not a queryset)."""
    if has_capability(user, C.VIEW_TRAINING):
        return Certificate.objects.all()
    if has_capability(user, C.USE_TRAINEE_PORTAL):
        return Certificate.objects.filter(trainee__user=cast(User, user))
    return Certificate.objects.none()


def jobs_for(user: AnyUser) -> QuerySet[Job]:
    """Background tasks: each user sees only the ones they started."""
    if _role(user) is None:
        return Job.objects.none()
    return Job.objects.filter(owner=cast(User, user))


def sees_personal_data(user: AnyUser) -> bool:
    """Whether the user may unmask ID and phone numbers within their scope."""
    return has_capability(user, C.SEE_PERSONAL_DATA)


M = TypeVar("M", bound=Model)


def within(queryset: QuerySet[M], path: str, scope: QuerySet[Any]) -> QuerySet[M]:
    """Rows of `queryset` whose `path` lies in the scope. A scope that is a whole table (the
    school's roles) adds no condition: a semi-join over a million students costs only time."""
    if scope.query.has_filters() or scope.query.is_empty():
        return queryset.filter(**{f"{path}__in": scope.values("pk")})
    return queryset


def get_in_scope_or_404(scope: QuerySet[M], **lookup: Any) -> M:
    return get_object_or_404(scope, **lookup)
