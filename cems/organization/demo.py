"""Demo data for the organization: the seed school (HNUST's SCE) and its stations in seven
provinces. Names of host institutions and people are made up."""

import datetime as dt
import random
from collections.abc import Callable

from cems.organization.models import Province, School, Station

PROVINCES = [
    # code, name, English name, area codes used for ID numbers of people living there
    ("43", "湖南省", "Hunan", ["430102", "430203", "430302", "430405", "430502", "430602",
                               "430702", "430902", "431002", "431102", "431202", "431302"]),
    ("44", "广东省", "Guangdong", ["440103", "440303", "440604", "441302", "441900"]),
    ("33", "浙江省", "Zhejiang", ["330102", "330203", "330302", "330402"]),
    ("45", "广西壮族自治区", "Guangxi", ["450102", "450202", "450305", "450502"]),
    ("35", "福建省", "Fujian", ["350102", "350203", "350402", "350502"]),
    ("53", "云南省", "Yunnan", ["530102", "530302", "530402"]),
    ("52", "贵州省", "Guizhou", ["520102", "520302", "520201"]),
]  # fmt: skip

# station code suffix, city, host institution, telephone area code, relative size
STATIONS = [
    ("43", "01", "湘潭", "湖南科技大学继续教育学院（校本部）", "0731", 14),
    ("43", "02", "长沙", "长沙市职业教育中心", "0731", 12),
    ("43", "03", "株洲", "株洲市职工大学", "0731", 7),
    ("43", "04", "衡阳", "衡阳市广播电视大学", "0734", 7),
    ("43", "05", "邵阳", "邵阳市教师进修学校", "0739", 6),
    ("43", "06", "岳阳", "岳阳职业技术学院", "0730", 6),
    ("43", "07", "常德", "常德市教育培训中心", "0736", 5),
    ("43", "08", "益阳", "益阳市职业教育中心", "0737", 4),
    ("43", "09", "郴州", "郴州市煤炭职工培训中心", "0735", 5),
    ("43", "10", "永州", "永州市教师进修学校", "0746", 4),
    ("43", "11", "怀化", "怀化市职业技术学校", "0745", 4),
    ("43", "12", "娄底", "娄底市煤炭职工培训中心", "0738", 5),
    ("43", "13", "吉首", "湘西州教育培训中心", "0743", 3),
    ("43", "14", "张家界", "张家界市广播电视大学", "0744", 2),
    ("44", "01", "广州", "广州市成人教育培训中心", "020", 6),
    ("44", "02", "深圳", "深圳市职业技能培训学校", "0755", 6),
    ("44", "03", "东莞", "东莞市职工教育中心", "0769", 4),
    ("44", "04", "佛山", "佛山市继续教育中心", "0757", 3),
    ("33", "01", "杭州", "杭州市职工培训学院", "0571", 4),
    ("33", "02", "宁波", "宁波市成人教育中心", "0574", 3),
    ("33", "03", "温州", "温州市职业教育中心", "0577", 2),
    ("45", "01", "南宁", "南宁市职业技术学校", "0771", 4),
    ("45", "02", "柳州", "柳州市职工大学", "0772", 3),
    ("45", "03", "桂林", "桂林市教育培训中心", "0773", 2),
    ("35", "01", "福州", "福州市成人教育学校", "0591", 3),
    ("35", "02", "厦门", "厦门市职业技能培训中心", "0592", 3),
    ("35", "03", "三明", "三明市煤炭职工培训中心", "0598", 2),
    ("53", "01", "昆明", "昆明市继续教育中心", "0871", 3),
    ("53", "02", "曲靖", "曲靖市煤炭职业培训中心", "0874", 3),
    ("52", "01", "贵阳", "贵阳市职工教育中心", "0851", 3),
    ("52", "02", "六盘水", "六盘水市煤炭培训中心", "0858", 3),
    ("52", "03", "遵义", "遵义市教师进修学院", "0851", 2),
]

SCHOOL_MISSION = (
    "湖南科技大学继续教育学院承担学校成人学历教育与非学历培训，"
    "在湖南、广东、浙江、广西、福建、云南、贵州七省设有函授站和教学点，"
    "面向在职人员开展函授、业余学历教育，以及国培计划、中小学校长和骨干教师培训、"
    "煤炭行业与煤矿安全培训。"
)


def seed_organization(rng: random.Random, person_name: Callable[[random.Random], str]) -> None:
    School.objects.create(
        name="湖南科技大学继续教育学院",
        name_en="School of Continuing Education, Hunan University of Science and Technology",
        university="湖南科技大学",
        code="10534",
        mission=SCHOOL_MISSION,
    )
    provinces = {
        code: Province.objects.create(code=code, name=name, name_en=name_en)
        for code, name, name_en, _areas in PROVINCES
    }
    stations = []
    for province_code, suffix, city, host, area_code, _size in STATIONS:
        start_year = rng.randint(2008, 2022)
        start = dt.date(start_year, rng.choice([3, 7, 9]), 1)
        ended = province_code != "43" and rng.random() < 0.08
        stations.append(
            Station(
                code=f"ZD{province_code}{suffix}",
                name=f"{city}函授站",
                province=provinces[province_code],
                city=city,
                host_institution=host,
                contact_person=person_name(rng),
                contact_phone=f"{area_code}-{rng.randint(2000000, 8999999)}",
                agreement_start=start,
                agreement_end=dt.date(2030 if not ended else 2025, 12, 31),
                is_active=not ended,
            )
        )
    Station.objects.bulk_create(stations)
