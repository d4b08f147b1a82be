"""The training categories a new school starts with (DOMAIN.md, "Non-degree training"); the
training office adjusts their rules afterwards."""

from django.db import migrations

DEFAULTS = [
    # code, name, English name, validity, review interval, refresher hours,
    # attempts before a wait, wait (months), number format
    ("GP", "国培计划（中小学教师）", "National Training Program for primary and secondary teachers",
     0, 0, 0, 2, 0, "GP{year}{seq:05d}"),
    ("HNXZ", "湖南省中学校长和骨干教师培训", "Hunan secondary-school principal and backbone-teacher training",
     0, 0, 0, 2, 0, "HNXZ{year}{seq:05d}"),
    ("653", "煤炭行业“653工程”培训", "Coal industry \"653 Project\" training",
     0, 0, 0, 2, 0, "653-{year}{seq:05d}"),
    ("KZ", "矿长培训", "Mine manager training",
     36, 0, 0, 2, 12, "KZ{year}{seq:05d}"),
    # Principal and safety managers: reassessed every 3 years; one retake, then a year's wait.
    ("MKAQ", "煤矿安全生产管理人员安全资格培训", "Coal mine safety qualification (principal and safety managers)",
     36, 0, 0, 2, 12, "MKAQ{year}{seq:05d}"),
    # Special operations: valid 6 years, a review every 3 years after 8 refresher hours.
    ("TZZY", "特种作业人员培训", "Special operations",
     72, 36, 8, 2, 12, "TZ{year}{seq:05d}"),
]  # fmt: skip


def add_defaults(apps, schema_editor):
    category = apps.get_model("training", "TrainingCategory")
    for code, name, name_en, validity, review, hours, attempts, wait, number in DEFAULTS:
        category.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "name_en": name_en, "validity_months": validity,
                "review_interval_months": review, "refresher_hours": hours,
                "attempts_before_wait": attempts, "retake_wait_months": wait,
                "certificate_number_format": number,
            },
        )  # fmt: skip


def remove_defaults(apps, schema_editor):
    category = apps.get_model("training", "TrainingCategory")
    category.objects.filter(code__in=[row[0] for row in DEFAULTS], projects=None).delete()


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
