"""Demo graduation and degree records: the graduating classes' last term graded, and the
theses, foreign-language results and disciplinary records the degree audit reads.

The graduating students are those in the last term of their teaching plan now (in the demo:
the 2.5-year programs' cohort that started three autumns ago). Their classes finish the last
term's courses early (毕业班提前结课): those offerings are graded and submitted, except a
few still late and those of the demo teacher that already have grades entered (the
teacher's grid stays as the grades demo left it). Nothing is audited here: the audits run
through their own services. The demo has no earlier cohorts, hence no graduates yet: no
Graduation, DegreeAward or NumberSequence rows.
"""

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import (
    Avg,
    Case,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils import timezone

from cems.accounts.models import User
from cems.catalog.models import Assessment, Course, PlanCourse
from cems.catalog.models import Level as ProgramLevel
from cems.core.bulk import bulk_insert, db_value
from cems.graduation.models import (
    AuditRun,
    DisciplinaryRecord,
    LanguageExam,
    LanguageResult,
    Thesis,
)
from cems.graduation.services import audit_start
from cems.students.models import Student, StudentClass, StudentStatus
from cems.teaching.demo import CURRENT
from cems.teaching.demo_grades import (
    GRADE_COLUMNS,
    MEAN,
    OFFERING_SD,
    RESULT_SD,
    Original,
    _Deriver,
    _draw_result,
)
from cems.teaching.generation import plan_term_of
from cems.teaching.grading import Level, Mark
from cems.teaching.models import CourseOffering, Grade, GradeChangeRequest, OfferingStudent, Term

BACHELOR_LEVELS = ProgramLevel.bachelor_levels()
SUBMIT_DAYS = 14
LATE_SHARE = 0.03  # of the graduating offerings: grades not in yet
FINAL_TERM_LIFT = 4.0  # the last term's courses (practice, the thesis) run a little higher
THESIS_CODES = ("GB092", "GB093")  # 毕业论文, 毕业设计
# Theses: some students without one on record, some not defended, the others graded.
NO_THESIS_SHARE = 0.03
NOT_DEFENDED_SHARE = 0.04
THESIS_MEAN, THESIS_SD = 83.0, 5.0
FIVE_LEVEL_LINES = ((90, Level.EXCELLENT), (80, Level.GOOD), (70, Level.FAIR), (60, Level.PASS))
# Foreign languages: the provincial adult degree English exam (two sittings a year), CET-4
# for some (mostly taken at their junior college), and a few who sat nothing.
CET4_SHARE = 0.12
NO_EXAM_SHARE = 0.05
ADULT_ENGLISH_MEAN, ADULT_ENGLISH_SD = 66.0, 11.0
ADULT_ENGLISH_PASS = 60
RESIT_SHARE = 0.7  # of those who failed: sit again at the next sitting
CET4_MEAN, CET4_SD = 475.0, 40.0
# Disciplinary records: one per this many graduating bachelor students (at least three).
STUDENTS_PER_RECORD = 800

PLACES = ("湖南省", "长沙市", "株洲市", "湘潭市", "衡阳市", "岳阳市", "常德市", "郴州市", "娄底市",
          "怀化市", "邵阳市", "广州市")  # fmt: skip
ORGANIZATIONS = {
    "engineering": ("煤矿企业", "电力企业", "建筑施工企业", "制造企业", "化工企业"),
    "management": ("中小企业", "国有企业", "民营企业", "基层政府", "物流企业"),
    "economics": ("商业银行", "中小企业", "县域经济", "外贸企业"),
    "law": ("基层法院", "农村社区", "中小企业", "基层政府"),
    "education": ("农村小学", "幼儿园", "县域中学", "乡镇中心小学"),
    "literature": ("中学语文教学", "地方文化传播", "新媒体", "基层宣传工作"),
    "history": ("地方史研究", "中学历史教学"),
    "science": ("中学教学", "企业生产", "基层统计工作"),
    "medicine": ("基层医院", "社区卫生服务中心", "县级医院"),
    "arts": ("地方品牌", "城市公共空间", "乡村民宿"),
}
ASPECTS = ("现状与对策", "问题与对策", "优化", "实践", "改进")
TITLES = (
    "{course}在{organization}中的应用研究",
    "浅析{course}在{place}{organization}中的应用",
    "基于{course}的{organization}{aspect}研究——以{place}为例",
    "{place}{organization}的{aspect}研究——{course}的视角",
    "关于{organization}{course}若干问题的探讨",
)
OFFENCES = ("违反考场纪律，给予警告处分", "无故旷课累计超过规定学时，给予警告处分",
            "伪造请假证明，给予严重警告处分")  # fmt: skip
CHEATING_OFFENCE = "{course}考试作弊，给予记过处分"


class _Student(NamedTuple):
    pk: int
    number: str
    program_id: int
    cohort: int
    discipline: str
    bachelor: bool


@dataclass
class GraduationCounts:
    graduating: int = 0  # registered students in the last term of their plan
    graduating_bachelor: int = 0
    offerings_graded: int = 0
    offerings_late: int = 0
    grades: int = 0
    theses: int = 0
    language_results: int = 0
    disciplinary: int = 0
    by_cohort: dict[str, int] = field(default_factory=dict)


def seed_graduation(rng: random.Random) -> GraduationCounts:
    """Run after the grades (and the fees)."""
    counts = GraduationCounts()
    current = Term.objects.get(academic_year__start_year=CURRENT[0], number=CURRENT[1])
    classes = graduating_classes(current)
    students = _students(classes)
    counts.graduating = len(students)
    bachelors = [s for s in students if s.bachelor]
    counts.graduating_bachelor = len(bachelors)
    for student in students:
        key = f"{student.cohort}"
        counts.by_cohort[key] = counts.by_cohort.get(key, 0) + 1
    ability = _abilities([s.pk for s in students])
    theses = seed_theses(rng, bachelors, ability, current)
    counts.theses = len(theses)
    grade_final_term(rng, current, classes, ability, theses, counts)
    counts.language_results = seed_language_results(rng, _last_year_bachelors(current), ability)
    counts.disciplinary = seed_disciplinary_records(rng, bachelors, current)
    return counts


def graduating_classes(term: Term) -> list[int]:
    """The classes in the last term of their teaching plan during `term`."""
    rows = StudentClass.objects.order_by("pk").values_list(
        "pk", "cohort_year", "program__standard_length_years"
    )
    return [
        pk
        for pk, cohort, length in rows
        if plan_term_of(cohort_year=cohort, start_year=term.start_year, number=term.number)
        == _terms(length)
    ]


def _terms(length: Decimal) -> int:
    return int((length * 2).to_integral_value(rounding="ROUND_CEILING"))


def _students(classes: list[int]) -> list[_Student]:
    students = []
    for start in range(0, len(classes), 500):
        rows = (
            Student.objects.filter(
                student_class__in=classes[start : start + 500], status=StudentStatus.REGISTERED
            )
            .order_by("pk")
            .values_list("pk", "student_number", "program_id", "cohort_year",
                         "program__major__discipline", "program__level")
        )  # fmt: skip
        students += [
            _Student(pk, number, program, cohort, discipline, level in BACHELOR_LEVELS)
            for pk, number, program, cohort, discipline, level in rows
        ]
    students.sort()
    return students


def _last_year_bachelors(term: Term) -> list[_Student]:
    """Registered bachelor students in the last year of their plan (the language exam is
    taken by then)."""
    rows = StudentClass.objects.order_by("pk").values_list(
        "pk", "cohort_year", "program__standard_length_years", "program__level"
    )
    classes = [
        pk
        for pk, cohort, length, level in rows
        if level in BACHELOR_LEVELS
        and plan_term_of(cohort_year=cohort, start_year=term.start_year, number=term.number)
        >= _terms(length) - 1
    ]
    return [s for s in _students(classes) if s.bachelor]


def _abilities(students: list[int]) -> dict[int, float]:
    """Each student's level so far: their average over submitted grades less the mean."""
    ability: dict[int, float] = {}
    for start in range(0, len(students), 5000):
        rows = (
            Grade.objects.filter(
                entry__student__in=students[start : start + 5000],
                entry__offering__grades_submitted_at__isnull=False,
                final_numeric__isnull=False,
            )
            .values("entry__student")
            .annotate(average=Avg("final_numeric"))
            .values_list("entry__student", "average")
            .order_by()
        )
        ability.update((pk, max(-15.0, min(15.0, float(avg) - MEAN))) for pk, avg in rows)
    return ability


# --- Theses ----------------------------------------------------------------------------------


class _ThesisScore(NamedTuple):
    score: Decimal | None
    defended: bool


def seed_theses(
    rng: random.Random, students: list[_Student], ability: dict[int, float], term: Term
) -> dict[int, _ThesisScore]:
    """A thesis for most graduating bachelor students: its title from the major's courses,
    defended in the term's defence weekend with a score (a few below 75), some not
    defended yet. Returns the theses by student."""
    own_courses = _major_courses({(s.program_id, s.cohort) for s in students})
    defence_days = [term.start_date + dt.timedelta(days=offset) for offset in (66, 67)]
    theses: dict[int, _ThesisScore] = {}
    rows = []
    for student in students:
        chance = rng.random()
        if chance < NO_THESIS_SHARE:
            continue
        courses = own_courses.get((student.program_id, student.cohort)) or ["专业实践"]
        organizations = ORGANIZATIONS.get(student.discipline, ("企业",))
        title = rng.choice(TITLES).format(
            place=rng.choice(PLACES), organization=rng.choice(organizations),
            course=rng.choice(courses), aspect=rng.choice(ASPECTS),
        )  # fmt: skip
        if chance < NO_THESIS_SHARE + NOT_DEFENDED_SHARE:
            thesis = _ThesisScore(None, False)
            defended_on = None
        else:
            drawn = rng.gauss(THESIS_MEAN + ability.get(student.pk, 0.0) / 3, THESIS_SD)
            thesis = _ThesisScore(Decimal(min(95, max(55, round(drawn)))), True)
            defended_on = rng.choice(defence_days).isoformat()
        theses[student.pk] = thesis
        score = None if thesis.score is None else db_value(Thesis, "score", thesis.score)
        rows.append((student.pk, title[:200], score, thesis.defended, defended_on))
    bulk_insert(Thesis, ("student", "title", "score", "defended", "defended_on"), rows)
    return theses


def _major_courses(plans: set[tuple[int, int]]) -> dict[tuple[int, int], list[str]]:
    """The names of the major's own required courses in each (program, admission year) plan:
    a thesis is on one of them."""
    names: dict[tuple[int, int], list[str]] = defaultdict(list)
    rows = PlanCourse.objects.filter(
        plan__program__in={program for program, _year in plans},
        plan__admission_year__in={year for _program, year in plans},
        is_required=True,
    ).values_list("plan__program", "plan__admission_year", "course__code", "course__name")
    for program, year, code, name in rows.order_by("plan", "term", "course__code"):
        # The major's own courses have the major's six-digit code at the head of theirs.
        if (program, year) in plans and code[:6].isdigit():
            names[(program, year)].append(name)
    return names


# --- The last term's grades ------------------------------------------------------------------


def grade_final_term(
    rng: random.Random, term: Term, classes: list[int], ability: dict[int, float],
    theses: dict[int, _ThesisScore], counts: GraduationCounts,
) -> None:  # fmt: skip
    """Grade and submit the graduating classes' offerings of `term` (a few late ones left as
    they are): the thesis course from the thesis, the others drawn as the grades demo draws
    them. No makeup exam yet: it comes next term."""
    academic = User.objects.get(username="academic")
    demo_teacher = User.objects.filter(username="teacher").values_list("pk", flat=True).first()
    courses = {
        pk: (code, scale, weight)
        for pk, code, scale, weight in Course.objects.values_list(
            "pk", "code", "grading_scale", "coursework_weight"
        )
    }
    entered = Exists(Grade.objects.filter(entry__offering=OuterRef("pk")))
    requested = Exists(GradeChangeRequest.objects.filter(offering=OuterRef("pk")))
    offerings: list[tuple[int, int, int | None]] = []
    for start in range(0, len(classes), 500):
        rows = (
            CourseOffering.objects.filter(
                term=term, student_class__in=classes[start : start + 500],
                grades_submitted_at=None,
            )
            .annotate(entered=entered, requested=requested)
            .order_by("pk")
            .values_list("pk", "plan_course__course_id", "teacher_id", "entered", "requested")
        )  # fmt: skip
        for pk, course, teacher, has_grades, has_requests in rows:
            if has_requests or (teacher == demo_teacher and has_grades):
                continue
            if rng.random() < LATE_SHARE:
                counts.offerings_late += 1
                continue
            offerings.append((pk, course, teacher))
    counts.offerings_graded = len(offerings)
    ids = [pk for pk, _course, _teacher in offerings]
    for start in range(0, len(ids), 500):
        Grade.objects.filter(entry__offering__in=ids[start : start + 500]).delete()
    # Submitted over the two weeks up to the grading day (yesterday at the latest), by the
    # offering's teacher or, for an offering without one, academic affairs.
    last = min(term.start_date + dt.timedelta(days=75), timezone.localdate() - dt.timedelta(days=1))
    times = [
        timezone.make_aware(dt.datetime.combine(last - dt.timedelta(days=k), dt.time(9 + k % 8)))
        for k in range(SUBMIT_DAYS)
    ]
    submitted_at = {pk: times[pk % SUBMIT_DAYS] for pk in ids}
    maker = _FinalGrades(rng, courses, ability, theses, academic.pk)
    counts.grades = bulk_insert(Grade, GRADE_COLUMNS, maker.rows(offerings, submitted_at))
    by_bucket = Case(
        *(When(Exact(F("pk") % SUBMIT_DAYS, k), then=Value(t)) for k, t in enumerate(times)),
        output_field=DateTimeField(),
    )
    by = Coalesce(F("teacher"), Value(academic.pk), output_field=IntegerField())
    for start in range(0, len(ids), 500):
        CourseOffering.objects.filter(pk__in=ids[start : start + 500]).update(
            grades_submitted_at=by_bucket, grades_submitted_by=by
        )


class _FinalGrades:
    def __init__(
        self, rng: random.Random, courses: dict[int, tuple[str, str, int]],
        ability: dict[int, float], theses: dict[int, _ThesisScore], academic_id: int,
    ) -> None:  # fmt: skip
        self.rng = rng
        self.courses = courses
        self.ability = ability
        self.theses = theses
        self.academic_id = academic_id
        self.derive = _Deriver()
        self.updated: dict[dt.datetime, Any] = {}

    def rows(
        self, offerings: list[tuple[int, int, int | None]], submitted_at: dict[int, dt.datetime]
    ) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        course_of = {pk: (course, teacher) for pk, course, teacher in offerings}
        ids = sorted(course_of)
        for start in range(0, len(ids), 2000):
            roster = (
                OfferingStudent.objects.filter(offering__in=ids[start : start + 2000])
                .order_by("offering_id", "student_id")
                .values_list("offering_id", "pk", "student_id")
            )
            level = 0.0
            previous = None
            for offering, entry, student in roster:
                if offering != previous:
                    level = MEAN + FINAL_TERM_LIFT + rng.gauss(0, OFFERING_SD)
                    previous = offering
                course, teacher = course_of[offering]
                code, scale, weight = self.courses[course]
                thesis = self.theses.get(student)
                if code in THESIS_CODES and thesis is not None:
                    original: Original = _thesis_result(thesis)
                else:
                    total = level + self.ability.get(student, 0.0) + rng.gauss(0, RESULT_SD)
                    original = _draw_result(rng, scale, weight, total)
                derived = self.derive(scale, weight, original)
                at = submitted_at[offering]
                if at not in self.updated:
                    self.updated[at] = db_value(Grade, "updated_at", at)
                yield (entry, *derived.columns, self.updated[at], teacher or self.academic_id)


def _thesis_result(thesis: _ThesisScore) -> Original:
    """The thesis course's five-level result from the thesis: absent if not defended."""
    if thesis.score is None or not thesis.defended:
        return (None, None, None, "", Mark.ABSENT.value)
    for line, level in FIVE_LEVEL_LINES:
        if thesis.score >= line:
            return (None, None, None, level.value, "")
    return (None, None, None, Level.FAIL.value, "")


# --- Foreign languages and discipline ----------------------------------------------------------


def seed_language_results(
    rng: random.Random, students: list[_Student], ability: dict[int, float]
) -> int:
    """Adult degree English sittings (a resit after a fail, for most), CET-4 for some, and
    nothing for a few."""
    year = CURRENT[0]
    adult_sittings = [dt.date(year - 1, 4, 19), dt.date(year - 1, 10, 25),
                      dt.date(year, 4, 18), dt.date(year, 10, 24)]  # fmt: skip
    cet4_sittings = [dt.date(year - 3, 12, 17), dt.date(year - 2, 6, 15),
                     dt.date(year - 2, 12, 14), dt.date(year - 1, 6, 14)]  # fmt: skip
    imported_at = db_value(
        LanguageResult, "imported_at",
        timezone.make_aware(dt.datetime.combine(adult_sittings[-1] + dt.timedelta(days=21),
                                                dt.time(10))),
    )  # fmt: skip
    scores: dict[int, Any] = {}

    def score(value: int) -> Any:
        if value not in scores:
            scores[value] = db_value(LanguageResult, "score", Decimal(value))
        return scores[value]

    def rows() -> Iterator[tuple[Any, ...]]:
        for student in students:
            chance = rng.random()
            lift = ability.get(student.pk, 0.0) / 2
            if chance < NO_EXAM_SHARE:
                continue
            if chance < NO_EXAM_SHARE + CET4_SHARE:
                value = min(710, max(300, round(rng.gauss(CET4_MEAN + 3 * lift, CET4_SD))))
                sitting = rng.choice(cet4_sittings)
                yield (student.pk, LanguageExam.CET4.value, sitting.isoformat(), score(value),
                       "", imported_at)  # fmt: skip
                continue
            first = rng.randrange(len(adult_sittings) - 1)
            for sitting in adult_sittings[first:]:
                value = min(98, max(20, round(rng.gauss(ADULT_ENGLISH_MEAN + lift,
                                                        ADULT_ENGLISH_SD))))  # fmt: skip
                yield (student.pk, LanguageExam.ADULT_DEGREE_ENGLISH.value, sitting.isoformat(),
                       score(value), "", imported_at)  # fmt: skip
                if value >= ADULT_ENGLISH_PASS or rng.random() >= RESIT_SHARE:
                    break

    return bulk_insert(
        LanguageResult,
        ("student", "exam", "exam_date", "score", "certificate_number", "imported_at"),
        rows(),
    )


def seed_disciplinary_records(rng: random.Random, students: list[_Student], term: Term) -> int:
    """A handful of sanctions among the graduating bachelor students: those caught cheating
    in an exam of an earlier term first, then others; one, an old one, revoked a year after
    (解除处分)."""
    if not students:
        return 0
    academic = User.objects.get(username="academic")
    wanted = max(3, len(students) // STUDENTS_PER_RECORD)
    pks = [s.pk for s in students]
    cheats: list[tuple[int, str, dt.date]] = []
    for start in range(0, len(pks), 5000):
        cheats += Grade.objects.filter(
            entry__student__in=pks[start : start + 5000], mark=Mark.CHEATING,
            entry__offering__plan_course__assessment=Assessment.EXAM,
            entry__offering__term__end_date__lt=term.start_date,
        ).values_list("entry__student", "entry__offering__plan_course__course__name",
                      "entry__offering__term__end_date")  # fmt: skip
    cheats.sort()
    chosen: dict[int, tuple[str, dt.date]] = {}
    for student, course, end in rng.sample(cheats, min(len(cheats), wanted)):
        chosen.setdefault(student, (CHEATING_OFFENCE.format(course=course), end))
    others = [pk for pk in pks if pk not in chosen]
    extra = rng.sample(others, min(len(others), max(1, wanted - len(chosen))))
    revoked = extra[0] if extra else None  # an old sanction, revoked a year later
    for student in extra:
        days = rng.randint(400, 500) if student == revoked else rng.randint(60, 300)
        chosen[student] = (rng.choice(OFFENCES), term.start_date - dt.timedelta(days=days))
    records = []
    for student, (description, day) in sorted(chosen.items()):
        issued_on = day + dt.timedelta(days=rng.randint(7, 20))
        records.append(
            DisciplinaryRecord(
                student_id=student,
                issued_on=issued_on,
                description=description,
                revoked_on=issued_on + dt.timedelta(days=365) if student == revoked else None,
                recorded_by=academic,
            )
        )
    DisciplinaryRecord.objects.bulk_create(records)
    return len(records)


# The graduating cohort (2024, 2.5-year programs) has served its standard length on this
# day: academic affairs audit it ahead of the graduation.
AUDIT_AS_OF = dt.date(2027, 3, 1)


def seed_audits() -> AuditRun:
    """A graduation audit of the whole school as of the coming graduation, run through the
    service as academic affairs would: the graduating cohort gets a mix of verdicts."""
    academic = User.objects.get(username="academic")
    return audit_start(actor=academic, today=AUDIT_AS_OF)
