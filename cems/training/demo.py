"""Demo data of non-degree training, reproducing the seed's own figures (DOMAIN.md,
"Non-degree training"):

- national training (GP): 1,331 distinct teachers in 20 projects over 2022-2025;
- Hunan principals and backbone teachers (HNXZ): 9 projects, 2,060 people;
- coal mine qualification and safety (MKAQ, KZ, 653, TZZY): 56 projects, 2,240 people.

Teachers come from Hunan's primary and secondary schools, coal trainees from mines and coal
groups. Coal projects run back from today, one every 24 days, so that some safety
certificates expire within 90 days and a few have expired; the newest is enrolling, the
next one running (sessions and attendance so far). Every finished project has assessments,
its completed trainees certificates numbered in their category's format; one certificate
is revoked; special-operations certificates past their 3-year review mostly have one.
The demo user "trainee" is the principal 周建华's file (a GP and an HNXZ certificate).

Deterministic for a given seed and day; rows go in through bulk_insert.
"""

import datetime as dt
import importlib
import random
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.apps import apps as django_apps
from django.utils import timezone

from cems.accounts.models import User
from cems.core import demo
from cems.core.bulk import bulk_insert, db_value
from cems.students.status import add_months
from cems.training.models import (
    Assessment,
    Attendance,
    Certificate,
    CertificateReview,
    Employer,
    EmployerKind,
    Enrollment,
    EnrollmentStatus,
    Project,
    ProjectFormat,
    ProjectStatus,
    Session,
    Trainee,
    TrainingCategory,
)

GP_YEARS = (2022, 2023, 2024, 2025)
GP_PROJECTS = 20
GP_TEACHERS = 1331
GP_REPEATS = 149  # teachers on a second GP project (person-times 1,480)
HNXZ_PROJECTS = 9
HNXZ_PEOPLE = 2060
HNXZ_FROM_GP = 120  # of them, teachers already on a GP project (one file each)
COAL_PER_PROJECT = 40
# One cycle of 14 coal projects (x4 = 56): 20 MKAQ, 20 TZZY, 8 KZ, 8 "653".
COAL_CYCLE = ("MKAQ", "TZZY", "KZ", "MKAQ", "TZZY", "653", "MKAQ",
              "TZZY", "MKAQ", "TZZY", "KZ", "MKAQ", "TZZY", "653")  # fmt: skip
COAL_PROJECTS = len(COAL_CYCLE) * 4
COAL_SPACING_DAYS = 24
DEMO_TRAINEE_NAME = "周建华"

CITIES = (("长沙市", "430102"), ("株洲市", "430202"), ("湘潭市", "430302"), ("衡阳市", "430405"),
          ("邵阳市", "430502"), ("岳阳市", "430602"), ("常德市", "430702"), ("益阳市", "430902"),
          ("郴州市", "431002"), ("永州市", "431102"), ("怀化市", "431202"), ("娄底市", "431302"))  # fmt: skip
SCHOOL_KINDS = (
    "第一中学",
    "第二中学",
    "第三中学",
    "实验中学",
    "第一小学",
    "实验小学",
    "外国语学校",
)
MINES = ("湘煤集团白沙煤矿", "湘煤集团嘉禾煤矿", "湘煤集团资兴煤矿", "湘煤集团涟邵煤矿",
         "湘煤集团金竹山煤矿", "湘煤集团辰溪煤矿", "湘煤集团马田煤矿", "湘煤集团周源山煤矿",
         "郴州市宝源煤矿", "耒阳市导子煤矿", "娄底市恩口煤矿", "邵东县斫曹煤矿",
         "湖南省煤业集团有限公司", "湘煤集团有限责任公司", "郴州市煤炭有限公司")  # fmt: skip
MINE_REGIONS = ("郴州市", "郴州市", "郴州市", "娄底市", "娄底市", "怀化市", "衡阳市", "郴州市",
                "郴州市", "衡阳市", "娄底市", "邵阳市", "长沙市", "长沙市", "郴州市")  # fmt: skip
TEACHER_POSITIONS = (
    "语文教师",
    "数学教师",
    "英语教师",
    "物理教师",
    "化学教师",
    "班主任",
    "教研组长",
)
HNXZ_POSITIONS = ("校长", "副校长", "教务主任", "骨干教师", "骨干教师", "骨干教师")
COAL_POSITIONS = {
    "MKAQ": ("安全副矿长", "安全科长", "通风科长", "总工程师", "安全员"),
    "KZ": ("矿长", "副矿长"),
    "653": ("技术员", "机电科长", "采掘区长", "班组长"),
    "TZZY": ("电工", "瓦斯检查工", "井下爆破工", "安全检查工", "提升机操作工"),
}
TOPICS = {
    "GP": ("新课程标准解读", "课堂教学设计", "信息技术与教学融合", "班级管理", "教学研讨"),
    "TZZY": ("安全生产法律法规", "煤矿井下作业安全", "事故案例分析", "实际操作训练", "应急救援"),
    "MKAQ": ("煤矿安全培训规定", "安全生产管理", "重大灾害防治", "事故调查处理", "安全文化建设"),
}
TITLES = {
    "GP": ("国培计划——中小学骨干教师培训", "国培计划——乡村教师短期集中培训"),
    "HNXZ": ("湖南省中学校长任职资格培训", "湖南省中学骨干教师高级研修班"),
    "653": ("煤炭行业“653工程”专业技术人员培训",),
    "KZ": ("煤矿矿长安全资格培训",),
    "MKAQ": ("煤矿主要负责人和安全生产管理人员安全资格培训",),
    "TZZY": ("煤矿特种作业人员安全技术培训",),
}
SPONSORS = {"GP": "教育部、财政部", "HNXZ": "湖南省教育厅", "653": "湖南省煤炭工业局",
            "KZ": "湖南省煤矿安全监察局", "MKAQ": "湘煤集团有限责任公司", "TZZY": "湘煤集团有限责任公司"}  # fmt: skip
HOURS = {"GP": 60, "HNXZ": 80, "653": 48, "KZ": 48, "MKAQ": 48, "TZZY": 40}
FEES = {"GP": 0, "HNXZ": 1800, "653": 1200, "KZ": 1500, "MKAQ": 1200, "TZZY": 800}
EDUCATION = ("本科", "本科", "本科", "硕士研究生", "大专")
COAL_EDUCATION = ("高中", "中专", "大专", "大专", "本科")


class _People:
    """Trainee rows with unique, valid ID numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[tuple[object, ...]] = []
        self.seen: set[str] = set()

    def add(
        self, *, employer: Employer, position: str, education: str, years: tuple[int, int],
        area: str, name: str | None = None, gender: str | None = None,
    ) -> str:  # fmt: skip
        rng = self.rng
        gender = gender or (rng.choice("MF") if employer.kind == EmployerKind.SCHOOL else "M")
        while True:
            birth = demo.birth_date(rng, earliest_year=years[0], latest_year=years[1])
            number = demo.id_number(rng, area_code=area, birth_date=birth, gender=gender)
            if number not in self.seen:
                break
        self.seen.add(number)
        self.rows.append((
            number, name or demo.person_name(rng, gender), gender, birth.isoformat(),
            demo.mobile(rng), employer.pk, position, education,
        ))  # fmt: skip
        return number


def _employers(rng: random.Random) -> tuple[list[tuple[Employer, str]], list[tuple[Employer, str]]]:
    """Schools (with their area code) and mines and coal groups."""
    schools = []
    for city, area in CITIES:
        for kind in rng.sample(SCHOOL_KINDS, 5):
            schools.append(
                (Employer(name=f"{city}{kind}", kind=EmployerKind.SCHOOL, region=city), area)
            )
    mines = []
    area_of = dict(CITIES)
    for name, region in zip(MINES, MINE_REGIONS, strict=True):
        kind = EmployerKind.MINE if name.endswith("煤矿") else EmployerKind.COMPANY
        mines.append((Employer(name=name, kind=kind, region=region), area_of[region]))
    Employer.objects.bulk_create([e for e, _ in schools + mines])
    return schools, mines


def _project(
    category: TrainingCategory, title: str, cohort: int, start: dt.date, days: int,
    capacity: int, status: str, fmt: str = ProjectFormat.SHORT_INTENSIVE,
) -> Project:  # fmt: skip
    return Project(
        category=category, title=title, sponsor=SPONSORS[category.code], format=fmt,
        cohort=cohort, start_date=start, end_date=start + dt.timedelta(days=days - 1),
        venue="湖南科技大学培训中心", capacity=capacity, hours=HOURS[category.code],
        fee=Decimal(FEES[category.code]), status=status,
    )  # fmt: skip


def seed_training(rng: random.Random, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    # The default categories come with migration 0002; a database emptied since (a flush)
    # gets them back, as the migration would make them.
    defaults = importlib.import_module("cems.training.migrations.0002_default_categories")
    defaults.add_defaults(django_apps, None)
    categories = {c.code: c for c in TrainingCategory.objects.all()}
    schools, mines = _employers(rng)
    people = _People(rng)

    # Projects: (project, [(id_number, status)]) filled below.
    rosters: list[tuple[Project, list[str]]] = []
    cohorts: dict[str, int] = defaultdict(int)

    def new_project(code: str, start: dt.date, days: int, capacity: int, status: str) -> Project:
        title = TITLES[code][len(rosters) % len(TITLES[code])]
        cohorts[title] += 1
        fmt = ProjectFormat.FULL_TIME if days > 10 else ProjectFormat.SHORT_INTENSIVE
        project = _project(categories[code], title, cohorts[title], start, days, capacity,
                           status, fmt)  # fmt: skip
        rosters.append((project, []))
        return project

    def past_status(project_end: dt.date) -> ProjectStatus:
        return (
            ProjectStatus.ARCHIVED if (today - project_end).days > 730 else ProjectStatus.FINISHED
        )

    # National training: 20 projects, 5 a year; 1,331 teachers, 149 of them twice.
    gp_teachers = []
    for index in range(GP_TEACHERS):
        employer, area = schools[rng.randrange(len(schools))]
        name = DEMO_TRAINEE_NAME if index == 0 else None
        position = "校长" if index == 0 else rng.choice(TEACHER_POSITIONS)
        gp_teachers.append(people.add(employer=employer, position=position, name=name,
                                      gender="M" if index == 0 else None,
                                      education=rng.choice(EDUCATION), years=(1970, 1995),
                                      area=area))  # fmt: skip
    gp_first = len(rosters)
    for index in range(GP_PROJECTS):
        year = GP_YEARS[index // 5]
        start = dt.date(year, 3 + 2 * (index % 5), 6)
        new_project("GP", start, 10 if index % 2 else 15, 90, past_status(dt.date(year, 12, 31)))
    for index, number in enumerate(gp_teachers):
        rosters[gp_first + index % GP_PROJECTS][1].append(number)
    for index, number in enumerate(gp_teachers[1 : GP_REPEATS + 1]):
        first = (index + 1) % GP_PROJECTS
        rosters[gp_first + (first + 7) % GP_PROJECTS][1].append(number)

    # Hunan principals and backbone teachers: 9 projects, 2,060 people (120 GP teachers).
    hnxz_people = gp_teachers[:HNXZ_FROM_GP]
    for _ in range(HNXZ_PEOPLE - HNXZ_FROM_GP):
        employer, area = schools[rng.randrange(len(schools))]
        hnxz_people.append(people.add(employer=employer, position=rng.choice(HNXZ_POSITIONS),
                                      education=rng.choice(EDUCATION), years=(1965, 1990),
                                      area=area))  # fmt: skip
    hnxz_first = len(rosters)
    for index in range(HNXZ_PROJECTS):
        year = GP_YEARS[min(index // 2, 3)]
        start = dt.date(year, 7 if index % 2 == 0 else 10, 10 + index)
        new_project("HNXZ", start, 20, 240, past_status(dt.date(year, 12, 31)))
    for index, number in enumerate(hnxz_people):
        rosters[hnxz_first + index % HNXZ_PROJECTS][1].append(number)

    # Coal: 56 projects back from today, the first enrolling, the second running.
    coal_first = len(rosters)
    for index in range(COAL_PROJECTS):
        code = COAL_CYCLE[index % len(COAL_CYCLE)]
        days = 6
        if index == 0:
            start, project_status = today + dt.timedelta(days=30), ProjectStatus.ENROLLING
        elif index == 1:
            start, project_status = today - dt.timedelta(days=3), ProjectStatus.RUNNING
        else:
            end = today - dt.timedelta(days=COAL_SPACING_DAYS * (index - 1))
            start = end - dt.timedelta(days=days - 1)
            project_status = past_status(end)
        new_project(code, start, days, 50, project_status)
        for _ in range(COAL_PER_PROJECT if index else 25):
            employer, area = mines[rng.randrange(len(mines))]
            rosters[-1][1].append(people.add(
                employer=employer, position=rng.choice(COAL_POSITIONS[code]),
                education=rng.choice(COAL_EDUCATION), years=(1968, 1998), area=area,
            ))  # fmt: skip

    now = db_value(Trainee, "created_at", timezone.now())
    bulk_insert(
        Trainee,
        ["id_number", "name", "gender", "birth_date", "phone", "employer", "position",
         "education", "created_at"],
        [(*row, now) for row in people.rows],
    )  # fmt: skip
    trainee_ids = dict(Trainee.objects.values_list("id_number", "id"))
    employer_of = dict(Trainee.objects.values_list("id", "employer_id"))
    Project.objects.bulk_create([project for project, _ in rosters])
    projects = {(p.title, p.cohort): p for p in Project.objects.all()}
    rosters = [(projects[(p.title, p.cohort)], numbers) for p, numbers in rosters]

    # Enrollments: past projects mostly completed, a few failed or withdrawn.
    outcome: dict[tuple[int, int], str] = {}
    enrollment_rows = []
    for project, numbers in rosters:
        enrolled_at = db_value(
            Enrollment, "enrolled_at",
            timezone.make_aware(dt.datetime.combine(project.start_date - dt.timedelta(days=14),
                                                    dt.time(9))),
        )  # fmt: skip
        for number in numbers:
            trainee = trainee_ids[number]
            status: str = EnrollmentStatus.ENROLLED
            if project.status in (ProjectStatus.FINISHED, ProjectStatus.ARCHIVED):
                draw = rng.random()
                status = (
                    EnrollmentStatus.WITHDRAWN if draw < 0.02
                    else EnrollmentStatus.FAILED if draw < 0.06
                    else EnrollmentStatus.COMPLETED
                )  # fmt: skip
                if number == gp_teachers[0]:
                    status = EnrollmentStatus.COMPLETED
            outcome[(project.pk, trainee)] = status
            enrollment_rows.append((project.pk, trainee, employer_of[trainee], status, enrolled_at))
    bulk_insert(Enrollment, ["project", "trainee", "employer", "status", "enrolled_at"],
                enrollment_rows)  # fmt: skip
    enrollments = {
        (p, t): e for p, t, e in Enrollment.objects.values_list("project_id", "trainee_id", "id")
    }

    sessions = _sessions(rng, today, rosters, coal_first, gp_first, outcome, enrollments)
    _assessments(rng, rosters, outcome, enrollments)
    certificates = _certificates(rng, today, rosters, outcome, enrollments, categories)

    # The demo "trainee" user: the principal's file.
    user = User.objects.filter(username="trainee").first()
    if user is not None:
        principal = Trainee.objects.get(id_number=gp_teachers[0])
        principal.user = user
        principal.save(update_fields=["user"])
        user.full_name = principal.name
        user.save(update_fields=["full_name"])
    return {
        "projects": len(rosters),
        "trainees": len(people.rows),
        "enrollments": len(enrollment_rows),
        "sessions": sessions,
        "certificates": certificates,
    }


def _sessions(
    rng: random.Random, today: dt.date, rosters: Sequence[tuple[Project, list[str]]],
    coal_first: int, gp_first: int, outcome: dict[tuple[int, int], str],
    enrollments: dict[tuple[int, int], int],
) -> int:  # fmt: skip
    """Sessions (two of 4 hours a day) and attendance of the running project, the three
    latest finished coal projects and the last GP project."""
    chosen = [rosters[i][0] for i in range(coal_first + 1, coal_first + 5)]
    chosen.append(rosters[gp_first + GP_PROJECTS - 1][0])
    session_objects = []
    for project in chosen:
        topics = TOPICS.get(project.category.code, TOPICS["MKAQ"])
        days = (project.end_date - project.start_date).days + 1
        for index in range(project.hours // 4):
            day = project.start_date + dt.timedelta(days=min(index // 2, days - 1))
            morning = index % 2 == 0
            session_objects.append(Session(
                project=project, date=day, topic=topics[index % len(topics)],
                start_time=dt.time(8, 30) if morning else dt.time(14, 30),
                end_time=dt.time(12, 0) if morning else dt.time(18, 0), hours=Decimal(4),
            ))  # fmt: skip
    Session.objects.bulk_create(session_objects)
    members: dict[int, list[int]] = defaultdict(list)
    for (project_id, trainee_id), status in outcome.items():
        if status != EnrollmentStatus.WITHDRAWN:
            members[project_id].append(enrollments[(project_id, trainee_id)])
    failed = {enrollments[key] for key, status in outcome.items() if status == "failed"}
    rows = []
    for session in session_objects:
        if session.date >= today:
            continue
        for enrollment in members[session.project_id]:
            present = rng.random() < (0.5 if enrollment in failed else 0.96)
            rows.append((session.pk, enrollment, present))
    bulk_insert(Attendance, ["session", "enrollment", "present"], rows)
    return len(session_objects)


def _assessments(
    rng: random.Random, rosters: Sequence[tuple[Project, list[str]]],
    outcome: dict[tuple[int, int], str], enrollments: dict[tuple[int, int], int],
) -> None:  # fmt: skip
    """One attempt each (a second after a failed first for some who completed)."""
    rows = []
    ends = {project.pk: project.end_date for project, _ in rosters}
    for (project_id, trainee_id), status in outcome.items():
        if status not in (EnrollmentStatus.COMPLETED, EnrollmentStatus.FAILED):
            continue
        enrollment = enrollments[(project_id, trainee_id)]
        day = ends[project_id]
        if status == EnrollmentStatus.FAILED:
            rows.append((enrollment, 1, day.isoformat(), str(rng.randint(30, 59)), False))
            continue
        attempt = 1
        if rng.random() < 0.04:
            rows.append((enrollment, 1, day.isoformat(), str(rng.randint(40, 59)), False))
            attempt = 2
        rows.append((enrollment, attempt, day.isoformat(), str(rng.randint(62, 98)), True))
    bulk_insert(Assessment, ["enrollment", "attempt", "assessed_on", "score", "passed"], rows)


def _certificates(
    rng: random.Random, today: dt.date, rosters: Sequence[tuple[Project, list[str]]],
    outcome: dict[tuple[int, int], str], enrollments: dict[tuple[int, int], int],
    categories: dict[str, TrainingCategory],
) -> int:  # fmt: skip
    """Certificates of completed enrollments, oldest first, numbered per category and year;
    one revoked; reviews of special-operations certificates past their first review."""
    sequences: dict[tuple[str, int], int] = defaultdict(int)
    code_of = {category.pk: code for code, category in categories.items()}
    category_of = {project.pk: code_of[project.category_id] for project, _ in rosters}
    ends = {project.pk: project.end_date for project, _ in rosters}
    rows = []
    reviews = []
    revoked = False
    keys = sorted(
        (key for key, status in outcome.items() if status == EnrollmentStatus.COMPLETED),
        key=lambda key: (ends[key[0]], key[0], key[1]),
    )
    for project_id, trainee_id in keys:
        code = category_of[project_id]
        category = categories[code]
        issued = ends[project_id]
        sequences[(code, issued.year)] += 1
        number = category.certificate_number_format.format(
            code=code, year=issued.year, seq=sequences[(code, issued.year)]
        )
        expires = add_months(issued, category.validity_months) if category.validity_months else None
        review_due = (
            add_months(issued, category.review_interval_months)
            if category.review_interval_months
            else None
        )
        status, revoked_on, reason = "valid", None, ""
        if not revoked and code == "MKAQ" and (today - issued).days > 400:
            revoked = True
            status, revoked_on = "revoked", (issued + dt.timedelta(days=100)).isoformat()
            reason = "考核材料弄虚作假，依规撤销"
        if review_due is not None and review_due <= today and rng.random() < 0.8:
            reviews.append((number, review_due - dt.timedelta(days=20), expires))
            review_due = expires
        rows.append((
            number, enrollments[(project_id, trainee_id)], trainee_id, category.pk,
            issued.isoformat(), expires and expires.isoformat(),
            review_due and review_due.isoformat(), status, revoked_on, reason,
        ))  # fmt: skip
    bulk_insert(
        Certificate,
        ["number", "enrollment", "trainee", "category", "issued_on", "expires_on",
         "next_review_on", "status", "revoked_on", "revocation_reason"],
        rows,
    )  # fmt: skip
    if reviews:
        ids = dict(
            Certificate.objects.filter(number__in=[r[0] for r in reviews]).values_list(
                "number", "id"
            )
        )
        bulk_insert(
            CertificateReview,
            ["certificate", "reviewed_on", "refresher_hours", "expires_on_before",
             "expires_on_after"],
            [(ids[number], day.isoformat(), "8", expires and expires.isoformat(),
              expires and expires.isoformat()) for number, day, expires in reviews],
        )  # fmt: skip
    return len(rows)
