"""Demo data: the honors the seed school lists (DOMAIN.md: shown publicly). Years and the
grantors not named by the seed are plausible, not records. Idempotent: a second run leaves
the same rows."""

from cems.organization.models import Honor

HUNAN_EDUCATION = ("湖南省教育厅", "Hunan Provincial Education Department")
# name, English name, (grantor, English grantor), year, display order within the year
HONORS = [
    ("全国成人采矿教育优秀组织单位", "National Excellent Organization of Adult Mining Education",
     ("中国煤炭教育协会", "China Coal Education Association"), 2008, 1),
    ("湖南省成人教育评估优秀单位", "Outstanding Organization of Hunan Adult Education Assessment",
     HUNAN_EDUCATION, 2010, 1),
    ("湖南省师范类高等成人教育优秀单位",
     "Outstanding Organization of the Normal Higher Adult Education of Hunan Province",
     HUNAN_EDUCATION, 2012, 1),
    ("中西部农村骨干教师培训项目实施先进单位",
     "Advanced Organization in Backbone Teacher Training Programs from the Rural Midwest "
     "Subproject Implementation", HUNAN_EDUCATION, 2014, 1),
    ("师范生实习先进单位", "Advanced Organization in Normal Students Internships",
     HUNAN_EDUCATION, 2015, 1),
]  # fmt: skip


def seed_honors() -> list[Honor]:
    """The seed's honors, created or brought back to their demo values."""
    seeded = []
    for name, name_en, (grantor, grantor_en), year, order in HONORS:
        honor, _created = Honor.objects.update_or_create(
            name=name,
            year=year,
            defaults={
                "name_en": name_en,
                "grantor": grantor,
                "grantor_en": grantor_en,
                "display_order": order,
            },
        )
        seeded.append(honor)
    return seeded
