"""Demo registrations and status changes (学籍异动).

Registrations: every year since their cohort began for the students in good standing (and
the earlier years of those who left or paused), the current academic year missing for some.
Status changes: requests of every kind in every state, filed, decided and applied through
the services as the demo users would (station staff of ZD4302 and ZD4401, academic affairs,
the demo student), then dated back over the last weeks. Run after students and classes and
after the demo users exist.
"""

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from cems.accounts.models import User
from cems.catalog.models import Program
from cems.core import demo
from cems.core.bulk import bulk_insert, db_value
from cems.organization.models import Station
from cems.students import status
from cems.students.models import (
    ApprovalStep,
    Registration,
    RequestState,
    StatusChangeApproval,
    StatusChangeKind,
    StatusChangeRequest,
    Student,
    StudentStatus,
)

K = StatusChangeKind
S = RequestState
MISSING_SHARE = 0.08  # students in good standing not registered yet this academic year
# The demo users who act (accounts.demo.DEMO_USERS).
STATIONS = {"ZD4302": "station", "ZD4401": "station_gd"}

REASONS = {
    K.DEFER: ["因工作单位项目外派，本学年无法入学，申请保留入学资格一年。",
              "因家中老人病重需照顾，申请保留入学资格。"],
    K.SUSPEND: ["因工作调动至外地，申请休学一年。", "因病住院治疗，申请休学。",
                "因生育申请休学一年。"],
    K.RESUME: ["休学期满，申请复学。", "病已痊愈，申请复学。"],
    K.WITHDRAW: ["因个人原因无法继续学业，申请退学。", "已考取全日制研究生，申请退学。"],
    K.CHANGE_MAJOR: ["工作岗位调整，申请转入更对口的专业。", "个人兴趣与职业规划，申请转专业。"],
    K.CHANGE_MODE: ["工作时间调整，申请转学习形式。"],
    K.CHANGE_STATION: ["工作地点变更，申请转至就近函授站学习。", "家庭搬迁，申请转函授站。"],
    K.TRANSFER: ["随配偶工作调动，申请转学至当地高校继续学习。"],
    K.CORRECT_DATA: ["录取时个人信息录入有误，申请更正。", "手机号码变更，申请更正联系方式。"],
}  # fmt: skip
REJECTIONS = ["证明材料不全，请补充后重新提交。", "申请理由不充分，不予批准。",
              "接收单位未出具同意接收函。", "请先结清本学年学费后再申请。"]  # fmt: skip
COMMENTS = ["", "同意。", "情况属实，同意。", "材料齐全，同意上报。"]
SCHOOLS = ["湖南大学继续教育学院", "中南大学继续教育学院", "湖南师范大学继续教育学院",
           "广东工业大学继续教育学院"]  # fmt: skip

# Every kind in every state it can be in.
STATES = [S.PENDING_STATION, S.PENDING_SCHOOL, S.APPROVED, S.REJECTED, S.CANCELLED]
SCENARIOS = [(kind, state) for kind in K for state in STATES] + [
    (K.CHANGE_STATION, S.PENDING_TARGET_STATION),
    (K.SUSPEND, S.APPROVED), (K.WITHDRAW, S.PENDING_STATION), (K.CORRECT_DATA, S.PENDING_SCHOOL),
]  # fmt: skip


def seed_status_changes(rng: random.Random) -> None:
    seed_registrations(rng)
    with transaction.atomic():
        _Requests(rng).seed()


# --- Registrations --------------------------------------------------------------------------


def seed_registrations(rng: random.Random) -> int:
    """Bulk registrations: each year from the cohort to the current academic year for the
    students in good standing (the current one missing for some), the years before the
    current one for those suspended or gone."""
    current = status.current_academic_year()
    fields = ("student", "academic_year", "tuition_paid", "registered_at")

    def rows() -> Iterator[tuple[Any, ...]]:
        students = Student.objects.exclude(status=StudentStatus.DEFERRED).order_by("pk")
        for pk, cohort, student_status in students.values_list("pk", "cohort_year", "status"):
            last = current if student_status == StudentStatus.REGISTERED else current - 1
            if last == current and rng.random() < MISSING_SHARE:
                last -= 1
            for year in range(cohort, last + 1):
                day = dt.datetime(year, 9, rng.randint(1, 28), rng.randint(8, 17))
                registered_at = db_value(Registration, "registered_at", timezone.make_aware(day))
                yield pk, year, True, registered_at

    return bulk_insert(Registration, fields, rows())


# --- Requests -------------------------------------------------------------------------------


class _Requests:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        names = [*STATIONS.values(), "academic", "student"]
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        if missing := {*STATIONS.values(), "academic"} - set(users):
            raise RuntimeError(f"seed the demo users before status changes: {sorted(missing)}")
        self.stations = {s.pk: s for s in Station.objects.filter(code__in=STATIONS)}
        self.staff = {pk: users[STATIONS[s.code]] for pk, s in self.stations.items()}
        self.academic = users["academic"]
        self.student_user = users.get("student")
        self.used: set[int] = set()
        if self.student_user is not None:
            own = Student.objects.filter(user=self.student_user).values_list("pk", flat=True)
            self.used.update(own)
        self.programs = list(Program.objects.filter(is_offered=True).select_related("major"))

    def pool(self, student_status: StudentStatus) -> list[Student]:
        """Candidates at the demo stations in a random (seeded) order."""
        students = list(
            Student.objects.filter(station__in=self.stations, status=student_status)
            .select_related("station", "program__major")
            .order_by("pk")[:400]
        )
        self.rng.shuffle(students)
        return [s for s in students if s.pk not in self.used]

    # What to file for each kind: candidates and the details of one request.
    def candidates(self, kind: str) -> list[Student]:
        if kind == K.RESUME:
            return self.pool(StudentStatus.SUSPENDED)
        if kind == K.DEFER:
            registered = Exists(Registration.objects.filter(student=OuterRef("pk")))
            newcomers: QuerySet[Student] = Student.objects.filter(
                ~registered, station__in=self.stations, status=StudentStatus.REGISTERED,
                cohort_year__gte=status.current_academic_year(),
            ).select_related("station", "program__major").order_by("pk")[:400]  # fmt: skip
            return [s for s in newcomers if s.pk not in self.used]
        return self.pool(StudentStatus.REGISTERED)

    def payload(self, kind: str, student: Student) -> dict[str, Any] | None:
        rng = self.rng
        if kind == K.SUSPEND:
            start = status.today() + dt.timedelta(days=rng.randint(0, 60))
            return {"start_date": start, "end_date": status.add_months(start, rng.choice((6, 12)))}
        if kind in (K.CHANGE_MAJOR, K.CHANGE_MODE):
            current = student.program
            same_major = kind == K.CHANGE_MODE
            options = [
                p for p in self.programs
                if p.level == current.level and p.pk != current.pk
                and (p.major_id == current.major_id) == same_major
                and (p.mode == current.mode) != same_major
            ]  # fmt: skip
            return {"new_program": rng.choice(options)} if options else None
        if kind == K.CHANGE_STATION:
            others = [s for pk, s in self.stations.items() if pk != student.station_id]
            return {"new_station": others[0]}
        if kind == K.TRANSFER:
            return {"target_school": rng.choice(SCHOOLS), "target_level": student.program.level}
        if kind == K.CORRECT_DATA:
            corrections: dict[str, Any] = {"phone": demo.mobile(rng)}
            if rng.random() < 0.5:
                ethnicities = [
                    e for e in ("汉族", "土家族", "苗族", "侗族") if e != student.ethnicity
                ]
                corrections["ethnicity"] = rng.choice(ethnicities)
            return {"corrections": corrections}
        return {}

    def file(self, kind: str) -> StatusChangeRequest | None:
        for student in self.candidates(kind)[:40]:
            payload = self.payload(kind, student)
            if payload is None:
                continue
            actor = self.staff[student.station_id]
            reason = self.rng.choice(REASONS[K(kind)])
            try:
                request = status.status_request_file(
                    actor=actor, student=student, kind=kind, reason=reason, **payload
                )
            except ValidationError:
                continue  # this student does not qualify (e.g. in the first term): the next
            self.used.add(student.pk)
            return request
        return None

    def approver(self, request: StatusChangeRequest) -> User:
        step = status.current_step(request)
        if step == ApprovalStep.STATION:
            return self.staff[request.student.station_id]
        if step == ApprovalStep.TARGET_STATION:
            assert request.new_station_id is not None
            return self.staff[request.new_station_id]
        return self.academic

    def decide(self, request: StatusChangeRequest, approve: bool) -> StatusChangeRequest:
        comment = self.rng.choice(REJECTIONS) if not approve else self.rng.choice(COMMENTS)
        return status.status_request_decide(
            actor=self.approver(request), request=request, approve=approve, comment=comment
        )

    def bring_to(self, request: StatusChangeRequest, target: str) -> None:
        steps = status.chain(request.kind)
        if target == S.APPROVED:
            for _ in steps:
                request = self.decide(request, approve=True)
        elif target == S.REJECTED:
            for _ in range(self.rng.randrange(len(steps))):
                request = self.decide(request, approve=True)
            self.decide(request, approve=False)
        elif target == S.CANCELLED:
            if self.rng.random() < 0.5:
                request = self.decide(request, approve=True)
            status.status_request_cancel(actor=request.filed_by, request=request)
        else:
            while request.state != target:
                request = self.decide(request, approve=True)

    def seed(self) -> None:
        for kind, state in SCENARIOS:
            request = self.file(kind)
            if request is not None:
                self.bring_to(request, state)
        self.student_requests()
        self.date_back()

    def student_requests(self) -> None:
        """The demo student's own: a withdrawal the station turned down, then a suspension
        waiting for the station (both filed in the portal)."""
        if self.student_user is None:
            return
        student = Student.objects.filter(
            user=self.student_user, status=StudentStatus.REGISTERED
        ).first()
        if student is None or student.station_id not in self.staff:
            return
        withdrawal = status.status_request_file(
            actor=self.student_user, student=student, kind=K.WITHDRAW, reason="工作太忙，想退学。"
        )
        status.status_request_decide(
            actor=self.staff[student.station_id], request=withdrawal, approve=False,
            comment="退学后学籍不能恢复，建议先申请休学，请来站里面谈。",
        )  # fmt: skip
        start = status.today() + dt.timedelta(days=14)
        status.status_request_file(
            actor=self.student_user, student=student, kind=K.SUSPEND,
            reason="外派新疆项目一年，申请休学。", start_date=start,
            end_date=status.add_months(start, 12),
        )  # fmt: skip

    def later(self, moment: dt.datetime, *, days: int) -> dt.datetime:
        return moment + dt.timedelta(days=self.rng.randint(0, days), hours=self.rng.randint(1, 8))

    def date_back(self) -> None:
        """Spread filing and decisions over the last weeks, in their order."""
        now = timezone.now()
        requests = list(StatusChangeRequest.objects.order_by("pk"))
        approvals = list(StatusChangeApproval.objects.order_by("pk"))
        by_request: dict[int, list[StatusChangeApproval]] = {}
        for approval in approvals:
            by_request.setdefault(approval.request_id, []).append(approval)
        filed = sorted(
            now - dt.timedelta(days=self.rng.randint(10, 60), hours=self.rng.randint(1, 9))
            for _ in requests
        )
        for request, moment in zip(requests, filed, strict=True):
            request.filed_at = moment
            for approval in by_request.get(request.pk, []):
                moment = min(self.later(moment, days=6), now)
                approval.decided_at = moment
            if request.decided_at is not None:
                request.decided_at = min(self.later(moment, days=2), now)
        StatusChangeRequest.objects.bulk_update(requests, ["filed_at", "decided_at"])
        StatusChangeApproval.objects.bulk_update(approvals, ["decided_at"])
