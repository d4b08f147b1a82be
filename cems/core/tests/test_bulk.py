import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from cems.core.bulk import bulk_insert, db_value
from cems.organization.models import Province, Station

pytestmark = pytest.mark.django_db


def test_bulk_insert_writes_rows_in_batches():
    province = Province.objects.create(code="43", name="湖南省", name_en="Hunan")
    now = db_value(Station, "created_at", timezone.now())
    fields = [
        *("code", "name", "province", "city", "host_institution", "contact_person"),
        *("contact_phone", "agreement_start", "is_active", "created_at", "updated_at"),
    ]
    rows = (
        (f"ZD{i:04d}", f"站{i}", province.pk, "长沙", "学校", "陈老师", "0731-5551234",
         dt.date(2020, 1, 1).isoformat(), True, now, now)
        for i in range(25)
    )  # fmt: skip
    assert bulk_insert(Station, fields, rows, batch_size=10) == 25
    assert Station.objects.count() == 25
    station = Station.objects.get(code="ZD0007")
    assert station.agreement_start == dt.date(2020, 1, 1)
    assert station.province == province
    assert station.created_at is not None


def test_bulk_insert_refuses_a_name_that_is_not_a_column():
    with pytest.raises(ValueError, match="not a column"):
        bulk_insert(Province, ("code", "stations"), [])


def test_a_duplicate_raises_djangos_integrity_error_and_writes_nothing_of_its_batch():
    Province.objects.create(code="43", name="湖南省", name_en="Hunan")
    rows = [("44", "广东省", "Guangdong"), ("43", "湖南省", "Hunan")]
    with pytest.raises(IntegrityError):
        bulk_insert(Province, ("code", "name", "name_en"), rows)
    assert list(Province.objects.values_list("code", flat=True)) == ["43"]
