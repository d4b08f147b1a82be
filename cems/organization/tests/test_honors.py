"""The honors registry's selectors, services, image checks and demo data."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from cems.organization import honors
from cems.organization.demo_honors import HONORS, seed_honors
from cems.organization.models import Honor
from cems.organization.tests.honor_fixtures import image_bytes, image_upload


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "师范生实习先进单位", "grantor": "湖南省教育厅", "year": 2015, "display_order": 0,
    }  # fmt: skip
    data.update(changes)
    return data


# --- image_type ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_image_type_reads_the_content(fmt, content_type):
    stream = io.BytesIO(image_bytes(fmt))
    assert honors.image_type(stream).content_type == content_type
    assert stream.tell() == 0


def test_image_type_refuses_html_named_as_an_image():
    stream = io.BytesIO(b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError) as error:
        honors.image_type(stream)
    assert error.value.code == "invalid_image"


def test_image_type_refuses_a_truncated_image():
    stream = io.BytesIO(image_bytes("PNG", (64, 64))[:-30])
    with pytest.raises(ValidationError):
        honors.image_type(stream)


def test_image_type_refuses_other_image_formats():
    with pytest.raises(ValidationError) as error:
        honors.image_type(io.BytesIO(image_bytes("BMP")))
    assert error.value.code == "image_type"


# --- Selectors -------------------------------------------------------------------------------


def test_only_administrators_see_the_registry(users):
    Honor.objects.create(name="甲", grantor="乙", year=2010)
    assert honors.honor_list(user=users["admin"], filters={}).count() == 1
    for role in ("academic", "auditor", "station", "student"):
        assert honors.honor_list(user=users[role], filters={}).count() == 0


def test_registry_filters_and_order(users):
    old = Honor.objects.create(name="旧奖", grantor="湖南省教育厅", year=2008)
    new_b = Honor.objects.create(name="新奖乙", grantor="中国煤炭教育协会", year=2015,
                                 display_order=2)  # fmt: skip
    new_a = Honor.objects.create(name="新奖甲", grantor="湖南省教育厅", year=2015, display_order=1)
    admin = users["admin"]
    assert list(honors.honor_list(user=admin, filters={})) == [new_a, new_b, old]
    assert list(honors.honor_list(user=admin, filters={"year": 2008})) == [old]
    assert list(honors.honor_list(user=admin, filters={"q": "煤炭"})) == [new_b]
    assert list(honors.honor_list(user=admin, filters=None)) == []


def test_public_honors_are_newest_first(db):
    first = Honor.objects.create(name="一", grantor="g", year=2001)
    second = Honor.objects.create(name="二", grantor="g", year=2019)
    assert list(honors.public_honors()) == [second, first]


# --- Services --------------------------------------------------------------------------------


def test_create_stores_the_image_under_a_random_name_of_its_real_type(users):
    upload = SimpleUploadedFile("evil.html", image_bytes("JPEG"), content_type="text/html")
    honor = honors.honor_create(actor=users["admin"], data=_data(image=upload))
    assert honor.image.name.startswith("honors/")
    assert honor.image.name.endswith(".jpg")
    assert "evil" not in honor.image.name
    assert honor.image.storage.exists(honor.image.name)


def test_create_refuses_a_future_year(users):
    with pytest.raises(ValidationError) as error:
        honors.honor_create(actor=users["admin"], data=_data(year=timezone.localdate().year + 1))
    assert "year" in error.value.message_dict
    assert not Honor.objects.exists()


def test_create_refuses_an_implausible_year(users):
    with pytest.raises(ValidationError):
        honors.honor_create(actor=users["admin"], data=_data(year=1900))


def test_update_replaces_and_removes_the_image(users, django_capture_on_commit_callbacks):
    admin = users["admin"]
    honor = honors.honor_create(actor=admin, data=_data(image=image_upload()))
    storage, first = honor.image.storage, honor.image.name
    with django_capture_on_commit_callbacks(execute=True):
        changed = honors.honor_update(
            actor=admin, honor=honor, data=_data(image=image_upload("b.gif", "GIF"))
        )
    assert changed == ["image"]
    assert honor.image.name.endswith(".gif")
    assert not storage.exists(first)
    second = honor.image.name
    with django_capture_on_commit_callbacks(execute=True):
        honors.honor_update(actor=admin, honor=honor, data=_data(image=False))
    honor.refresh_from_db()
    assert not honor.image
    assert not storage.exists(second)


def test_update_keeps_the_image_when_none_is_given(users):
    admin = users["admin"]
    honor = honors.honor_create(actor=admin, data=_data(image=image_upload()))
    name = honor.image.name
    changed = honors.honor_update(actor=admin, honor=honor, data=_data(name="新名", image=None))
    assert changed == ["name"]
    honor.refresh_from_db()
    assert honor.image.name == name
    assert honor.name == "新名"


def test_delete_removes_the_row_and_its_file(users, django_capture_on_commit_callbacks):
    admin = users["admin"]
    honor = honors.honor_create(actor=admin, data=_data(image=image_upload()))
    storage, name = honor.image.storage, honor.image.name
    with django_capture_on_commit_callbacks(execute=True):
        honors.honor_delete(actor=admin, honor=honor)
    assert not Honor.objects.exists()
    assert not storage.exists(name)


# --- Demo data -------------------------------------------------------------------------------


def test_seed_honors_is_deterministic_and_idempotent(db):
    seed_honors()
    first = list(Honor.objects.values_list("name", "grantor", "year", "name_en"))
    Honor.objects.filter(name=HONORS[0][0]).update(grantor="改过")
    seed_honors()
    again = list(Honor.objects.values_list("name", "grantor", "year", "name_en"))
    assert again == first
    assert len(again) == len(HONORS) == 5
    assert Honor.objects.filter(grantor="湖南省教育厅", name="师范生实习先进单位").exists()
    assert all(year <= timezone.localdate().year for _n, _g, year, _e in again)
