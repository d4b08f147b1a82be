"""Demo admissions: the admission record behind every demo student (enrolled), and about
1,500 candidates admitted for 2026 who have not enrolled yet. Also the people of generated
admission files (the benchmark's, the tests')."""

import datetime as dt
import random
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from django.utils import timezone

from cems.admissions.models import AdmissionImport, Candidate, CandidateStatus
from cems.catalog.models import Level, Program
from cems.core import demo
from cems.core.bulk import bulk_insert, db_value
from cems.organization.demo import PROVINCES
from cems.organization.models import Station
from cems.students.models import Student

ADMITTED_YEAR = 2026
ADMITTED_COUNT = 1500
# Exam numbers of generated candidates: 26 + province + this digit + a 9-digit serial; the
# demo students' numbers never have it in that place (their serials stay below 10**9).
ADMITTED_MARK = "9"
POLITICAL = ["群众"] * 60 + ["共青团员"] * 25 + ["中共党员"] * 13 + ["中共预备党员"] * 2
# The exam's total: 专升本 has three papers (450), the others four (600).
SCORE_RANGE = {Level.JUNIOR_COLLEGE_TO_BACHELOR: (120, 400), Level.HIGH_SCHOOL_TO_BACHELOR: (160, 520),
               Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE: (110, 480)}  # fmt: skip

FIELDS = ("exam_number", "name", "gender", "id_number", "birth_date", "ethnicity",
          "political_status", "level", "major", "mode", "program", "station", "total_score",
          "phone", "address", "employer", "admission_year", "status", "student",
          "created_at", "updated_at")  # fmt: skip


def seed_admissions(rng: random.Random) -> None:
    """Run after the students are seeded. The admitted candidates come from one recorded
    import of the exam authority's list, as if uploaded and confirmed."""
    now = timezone.now()
    at = db_value(Candidate, "created_at", now)
    bulk_insert(Candidate, FIELDS, _enrolled(rng, at))
    record = AdmissionImport.objects.create(
        file_name=f"湖南省{ADMITTED_YEAR}年成人高考录取名单.xlsx",
        file_format="xlsx",
        admission_year=ADMITTED_YEAR,
        state=AdmissionImport.State.CONFIRMED,
        confirmed_at=now,
        report={"warnings": [], "rows": []},
    )
    written = bulk_insert(
        Candidate, (*FIELDS, "source"), _admitted(rng, at, ADMITTED_COUNT, record.pk)
    )
    AdmissionImport.objects.filter(pk=record.pk).update(rows=written, created=written)


def _enrolled(rng: random.Random, now: Any) -> Iterator[tuple[Any, ...]]:
    """The admission data of each student as the exam authority sent it (in pages by key, so
    that a million students are never in memory at once)."""
    last = 0
    admitted_on: dict[int, Any] = {}  # the exam authority's list arrives in January
    columns = ("pk", "exam_number", "name", "gender", "id_number", "birth_date", "ethnicity",
               "phone", "station_id", "program_id", "cohort_year", "program__major_id",
               "program__level", "program__mode")  # fmt: skip
    while True:
        page = list(Student.objects.filter(pk__gt=last).order_by("pk").values_list(*columns)[:5000])
        if not page:
            return
        for (pk, exam_number, name, gender, id_number, born, ethnicity, phone, station,
             program, cohort, major, level, mode) in page:  # fmt: skip
            low, high = SCORE_RANGE[level]
            yield (exam_number, name, gender, id_number, born.isoformat(), ethnicity,
                   rng.choice(POLITICAL), level, major, mode, program, station,
                   rng.randint(low, high), phone, "", "", cohort,
                   CandidateStatus.ENROLLED.value, pk, _on(admitted_on, cohort, 1, 20),
                   now)  # fmt: skip
        last = page[-1][0]


def _on(cache: dict[int, Any], year: int, month: int, day: int) -> Any:
    """A demo date in the database's form, computed once per year."""
    if year not in cache:
        moment = timezone.make_aware(dt.datetime(year, month, day, 9, 0))
        cache[year] = db_value(Candidate, "created_at", moment)
    return cache[year]


def _admitted(rng: random.Random, now: Any, count: int, source: int) -> Iterator[tuple[Any, ...]]:
    for person in people(rng, count, year=ADMITTED_YEAR):
        yield (person["exam_number"], person["name"], person["gender"], person["id_number"],
               person["birth_date"].isoformat(), person["ethnicity"], person["political_status"],
               person["program"].level, person["program"].major_id, person["program"].mode,
               person["program"].pk, person["station"].pk, person["total_score"],
               person["phone"], person["address"], person["employer"], ADMITTED_YEAR,
               CandidateStatus.ADMITTED.value, None, now, now, source)  # fmt: skip


def people(rng: random.Random, count: int, *, year: int, serial_start: int = 1,
           mark: str = ADMITTED_MARK) -> Iterator[dict[str, Any]]:  # fmt: skip
    """Admitted candidates, valid by construction, at active stations in offered programs."""
    stations = list(
        Station.objects.filter(is_active=True).select_related("province").order_by("code")
    )
    programs = list(Program.objects.filter(is_offered=True).select_related("major").order_by("pk"))
    if not stations or not programs:
        return
    level_weight = {Level.JUNIOR_COLLEGE_TO_BACHELOR: 6, Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE: 3,
                    Level.HIGH_SCHOOL_TO_BACHELOR: 1}  # fmt: skip
    program_cum = list(accumulate(level_weight[Level(p.level)] for p in programs))
    areas = {code: area_codes for code, _n, _e, area_codes in PROVINCES}
    # One person, one ID number: not one already admitted that year, nor twice in the list.
    taken = set(Candidate.objects.filter(admission_year=year).values_list("id_number", flat=True))
    for serial in range(serial_start, serial_start + count):
        station = rng.choice(stations)
        program = rng.choices(programs, cum_weights=program_cum)[0]
        gender = "M" if rng.random() < 0.5 else "F"
        youngest = year - (20 if program.level == Level.JUNIOR_COLLEGE_TO_BACHELOR else 18)
        born = demo.birth_date(rng, earliest_year=year - 45, latest_year=youngest)
        province = station.province.code
        low, high = SCORE_RANGE[Level(program.level)]
        id_number = ""
        while not id_number or id_number in taken:
            area = rng.choice(areas.get(province, ["430302"]))
            id_number = demo.id_number(rng, area_code=area, birth_date=born, gender=gender)
        taken.add(id_number)
        yield {
            "exam_number": f"{year % 100:02d}{province}{mark}{serial:09d}",
            "name": demo.person_name(rng, gender),
            "gender": gender,
            "id_number": id_number,
            "birth_date": born,
            "ethnicity": rng.choice(demo.ETHNICITIES),
            "political_status": rng.choice(POLITICAL),
            "program": program,
            "station": station,
            "total_score": rng.randint(low, high),
            "phone": demo.mobile(rng),
            "address": f"{station.province.name}{station.city}市{rng.choice('东南西北中')}区{rng.randint(1, 300)}号",
            "employer": f"{station.city}{rng.choice(['市第一中学', '供电公司', '人民医院', '煤矿', '建设集团', '商贸公司'])}",
        }  # fmt: skip


# The headings of a generated admission file, in the order of `file_row`.
FILE_HEADINGS = ["考生号", "姓名", "性别", "身份证号", "出生日期", "民族", "政治面貌", "层次", "专业",
                 "学习形式", "函授站", "总分", "联系电话", "通讯地址", "工作单位"]  # fmt: skip


def file_row(person: dict[str, Any]) -> list[Any]:
    """A person as a row of an exam authority's file (values as such files write them)."""
    program = person["program"]
    return [person["exam_number"], person["name"], "男" if person["gender"] == "M" else "女",
            person["id_number"], person["birth_date"], person["ethnicity"],
            person["political_status"], _LEVEL_WORDS[program.level], program.major.name,
            "函授" if program.mode == "correspondence" else "业余", person["station"].name,
            person["total_score"], person["phone"], person["address"], person["employer"]]  # fmt: skip


_LEVEL_WORDS = {Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE: "高起专", Level.JUNIOR_COLLEGE_TO_BACHELOR: "专升本",
                Level.HIGH_SCHOOL_TO_BACHELOR: "高起本"}  # fmt: skip
