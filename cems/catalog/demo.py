"""Demo data for the catalog: 58 majors and the programs (level × mode) offering them."""

import random
from decimal import Decimal

from cems.catalog.models import Level, Major, Program, StudyMode, default_standard_length

# national code, name, English name, discipline, levels offered (z = 高起专, s = 专升本, b = 高起本)
MAJORS = [
    ("080901", "计算机科学与技术", "Computer Science and Technology", "engineering", "zsb"),
    ("080902", "软件工程", "Software Engineering", "engineering", "s"),
    ("080903", "网络工程", "Network Engineering", "engineering", "zs"),
    ("080703", "通信工程", "Communication Engineering", "engineering", "s"),
    ("080701", "电子信息工程", "Electronic Information Engineering", "engineering", "zs"),
    ("080601", "电气工程及其自动化", "Electrical Engineering and Automation", "engineering", "zsb"),
    ("080801", "自动化", "Automation", "engineering", "s"),
    ("080202", "机械设计制造及其自动化", "Mechanical Design, Manufacturing and Automation", "engineering", "zsb"),
    ("080207", "车辆工程", "Vehicle Engineering", "engineering", "s"),
    ("080204", "机械电子工程", "Mechatronic Engineering", "engineering", "zs"),
    ("081501", "采矿工程", "Mining Engineering", "engineering", "zsb"),
    ("081502", "石油工程", "Petroleum Engineering", "engineering", "s"),
    ("081503", "矿物加工工程", "Mineral Processing Engineering", "engineering", "zs"),
    ("082901", "安全工程", "Safety Engineering", "engineering", "zsb"),
    ("081401", "地质工程", "Geological Engineering", "engineering", "s"),
    ("081001", "土木工程", "Civil Engineering", "engineering", "zsb"),
    ("081002", "建筑环境与能源应用工程", "Building Environment and Energy Engineering", "engineering", "s"),
    ("081003", "给排水科学与工程", "Water Supply and Drainage Engineering", "engineering", "s"),
    ("081201", "测绘工程", "Surveying and Mapping Engineering", "engineering", "zs"),
    ("082502", "环境工程", "Environmental Engineering", "engineering", "s"),
    ("081301", "化学工程与工艺", "Chemical Engineering and Technology", "engineering", "zs"),
    ("080401", "材料科学与工程", "Materials Science and Engineering", "engineering", "s"),
    ("080501", "能源与动力工程", "Energy and Power Engineering", "engineering", "s"),
    ("120103", "工程管理", "Construction Management", "management", "zsb"),
    ("120105", "工程造价", "Construction Cost Management", "management", "zs"),
    ("120201", "工商管理", "Business Administration", "management", "zsb"),
    ("120202", "市场营销", "Marketing", "management", "zs"),
    ("120203", "会计学", "Accounting", "management", "zsb"),
    ("120204", "财务管理", "Financial Management", "management", "zs"),
    ("120206", "人力资源管理", "Human Resource Management", "management", "zsb"),
    ("120402", "行政管理", "Public Administration", "management", "zsb"),
    ("120601", "物流管理", "Logistics Management", "management", "zs"),
    ("120801", "电子商务", "E-commerce", "management", "zs"),
    ("120901", "旅游管理", "Tourism Management", "management", "zs"),
    ("120102", "信息管理与信息系统", "Information Management and Information Systems", "management", "s"),
    ("020301", "金融学", "Finance", "economics", "zs"),
    ("020101", "经济学", "Economics", "economics", "s"),
    ("020401", "国际经济与贸易", "International Economics and Trade", "economics", "zs"),
    ("030101", "法学", "Law", "law", "zsb"),
    ("030302", "社会工作", "Social Work", "law", "zs"),
    ("040101", "教育学", "Education", "education", "s"),
    ("040106", "学前教育", "Preschool Education", "education", "zsb"),
    ("040107", "小学教育", "Primary Education", "education", "zsb"),
    ("040201", "体育教育", "Physical Education", "education", "zs"),
    ("040104", "教育技术学", "Educational Technology", "education", "s"),
    ("050101", "汉语言文学", "Chinese Language and Literature", "literature", "zsb"),
    ("050201", "英语", "English", "literature", "zsb"),
    ("050301", "新闻学", "Journalism", "literature", "s"),
    ("060101", "历史学", "History", "history", "s"),
    ("070101", "数学与应用数学", "Mathematics and Applied Mathematics", "science", "zsb"),
    ("070201", "物理学", "Physics", "science", "s"),
    ("070301", "化学", "Chemistry", "science", "s"),
    ("071201", "统计学", "Statistics", "science", "s"),
    ("071102", "应用心理学", "Applied Psychology", "science", "s"),
    ("101101", "护理学", "Nursing", "medicine", "zs"),
    ("100701", "药学", "Pharmacy", "medicine", "s"),
    ("130502", "视觉传达设计", "Visual Communication Design", "arts", "zs"),
    ("130503", "环境设计", "Environmental Design", "arts", "zs"),
]  # fmt: skip

LEVEL_OF = {
    "z": Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE,
    "s": Level.JUNIOR_COLLEGE_TO_BACHELOR,
    "b": Level.HIGH_SCHOOL_TO_BACHELOR,
}
CREDITS = {"hs_jc": 80, "jc_ba": 80, "hs_ba": 160}
TUITION_BASE = {"hs_jc": 2600, "jc_ba": 3000, "hs_ba": 3200}
EXPENSIVE_DISCIPLINES = {"engineering", "medicine", "arts"}


def seed_catalog(rng: random.Random) -> None:
    majors = Major.objects.bulk_create(
        Major(code=code, short_code=f"{index:03d}", name=name, name_en=name_en, discipline=disc)
        for index, (code, name, name_en, disc, _levels) in enumerate(MAJORS, start=1)
    )
    programs = []
    for major, (*_fields, levels) in zip(majors, MAJORS, strict=True):
        for letter in levels:
            level = LEVEL_OF[letter]
            modes = [StudyMode.CORRESPONDENCE]
            # Spare-time study is offered where students live near a station: about a third.
            if rng.random() < 0.35:
                modes.append(StudyMode.SPARE_TIME)
            for mode in modes:
                extra = 400 if major.discipline in EXPENSIVE_DISCIPLINES else 0
                programs.append(
                    Program(
                        major=major,
                        level=level,
                        mode=mode,
                        standard_length_years=default_standard_length(level),
                        credits_to_graduate=CREDITS[level],
                        tuition_per_year=Decimal(TUITION_BASE[level] + extra),
                        is_offered=True,
                    )
                )
    Program.objects.bulk_create(programs)
