"""The honors registry's pages and the public image view."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from cems.organization import honors
from cems.organization.models import Honor
from cems.organization.tests.honor_fixtures import image_bytes, image_upload


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"


def _post(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "湖南省成人教育评估优秀单位", "name_en": "", "grantor": "湖南省教育厅",
        "grantor_en": "", "year": "2010", "display_order": "0",
    }  # fmt: skip
    data.update(changes)
    return data


def test_list_is_paginated_with_a_fixed_query_count(
    client_for, settings, django_assert_num_queries
):
    settings.CEMS_PAGE_SIZE = 3
    for year in range(2001, 2008):
        Honor.objects.create(name=f"奖{year}", grantor="湖南省教育厅", year=year)
    client = client_for("admin")
    client.get(reverse("honors:list"))  # warm the session and the user
    with django_assert_num_queries(4):  # session, user, count, page
        response = client.get(reverse("honors:list"), {"page": 2})
    html = response.content.decode()
    assert "奖2004" in html
    assert "奖2007" not in html
    assert "4–6 of 7" in html


def test_list_filter_error_shows_an_empty_list(client_for):
    Honor.objects.create(name="某奖", grantor="某厅", year=2010)
    response = client_for("admin").get(reverse("honors:list"), {"year": "abc"})
    assert response.status_code == 200
    assert "某奖" not in response.content.decode()
    assert "Enter a whole number" in response.content.decode()


def test_list_downloads_as_csv(client_for):
    Honor.objects.create(name="某奖", name_en="Some award", grantor="某厅", year=2010)
    response = client_for("admin").get(reverse("honors:list"), {"format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content if response.streaming else [response.content])
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Year", "Name", "English name"]
    assert rows[1][:3] == ["2010", "某奖", "Some award"]


def test_list_downloads_as_xlsx(client_for):
    Honor.objects.create(name="某奖", grantor="某厅", year=2010)
    response = client_for("admin").get(reverse("honors:list"), {"format": "xlsx"})
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]


def test_create_with_an_image(client_for):
    response = client_for("admin").post(
        reverse("honors:create"), _post(image=image_upload("a.png"))
    )
    assert response.status_code == 302
    honor = Honor.objects.get()
    assert honor.image.name.endswith(".png")


def test_create_refuses_a_future_year_and_html_as_image(client_for):
    fake = SimpleUploadedFile("award.png", b"<svg onload=alert(1)>", content_type="image/png")
    next_year = str(timezone.localdate().year + 1)
    response = client_for("admin").post(reverse("honors:create"), _post(year=next_year, image=fake))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a year from 1950 to this year." in html
    assert "Upload a valid image" in html or "not an image" in html
    assert not Honor.objects.exists()


def test_create_refuses_an_oversized_file(client_for, settings):
    settings.CEMS_MAX_UPLOAD_BYTES = 10
    response = client_for("admin").post(reverse("honors:create"), _post(image=image_upload()))
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not Honor.objects.exists()


def test_create_refuses_a_duplicate(client_for):
    Honor.objects.create(name="湖南省成人教育评估优秀单位", grantor="湖南省教育厅", year=2010)
    response = client_for("admin").post(reverse("honors:create"), _post())
    assert response.status_code == 400
    assert Honor.objects.count() == 1


def test_edit_and_remove_the_image(client_for, users):
    honor = honors.honor_create(
        actor=users["admin"],
        data={"name": "某奖", "grantor": "某厅", "year": 2010, "image": image_upload()},
    )
    client = client_for("admin")
    url = reverse("honors:edit", args=[honor.pk])
    page = client.get(url).content.decode()
    assert reverse("honors:image", args=[honor.pk]) in page
    assert "/media/" not in page
    response = client.post(url, _post(name="改名", remove_image="on"))
    assert response.status_code == 302
    honor.refresh_from_db()
    assert honor.name == "改名"
    assert not honor.image


def test_edit_keeps_the_image_without_a_new_upload(client_for, users):
    honor = honors.honor_create(
        actor=users["admin"],
        data={"name": "某奖", "grantor": "某厅", "year": 2010, "image": image_upload()},
    )
    name = honor.image.name
    response = client_for("admin").post(reverse("honors:edit", args=[honor.pk]), _post())
    assert response.status_code == 302
    honor.refresh_from_db()
    assert honor.image.name == name


def test_delete_asks_then_deletes(client_for):
    honor = Honor.objects.create(name="某奖", grantor="某厅", year=2010)
    client = client_for("admin")
    url = reverse("honors:delete", args=[honor.pk])
    assert client.get(url).status_code == 200
    assert Honor.objects.exists()
    assert client.post(url).status_code == 302
    assert not Honor.objects.exists()


def test_others_cannot_write(client_for):
    honor = Honor.objects.create(name="某奖", grantor="某厅", year=2010)
    for role in ("academic", "station", "auditor"):
        client = client_for(role)
        assert client.post(reverse("honors:create"), _post(name="x")).status_code == 403
        assert client.post(reverse("honors:delete", args=[honor.pk])).status_code == 403
    assert client_for(None).post(reverse("honors:delete", args=[honor.pk])).status_code == 302
    assert list(Honor.objects.values_list("name", flat=True)) == ["某奖"]


def test_image_is_served_as_its_real_type_to_anyone(client_for, users):
    upload = SimpleUploadedFile("x.png", image_bytes("JPEG"), content_type="image/png")
    honor = honors.honor_create(
        actor=users["admin"],
        data={"name": "某奖", "grantor": "某厅", "year": 2010, "image": upload},
    )
    response = client_for(None).get(reverse("honors:image", args=[honor.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == image_bytes("JPEG")


def test_image_that_is_not_one_is_not_served(client_for, settings, tmp_path):
    (tmp_path / "honors").mkdir()
    (tmp_path / "honors" / "planted.png").write_bytes(b"<html><script>x</script></html>")
    honor = Honor.objects.create(name="某奖", grantor="某厅", year=2010, image="honors/planted.png")
    assert client_for(None).get(reverse("honors:image", args=[honor.pk])).status_code == 404


def test_image_of_an_honor_without_one_is_404(client_for):
    honor = Honor.objects.create(name="某奖", grantor="某厅", year=2010)
    assert client_for(None).get(reverse("honors:image", args=[honor.pk])).status_code == 404
    assert client_for(None).get(reverse("honors:image", args=[honor.pk + 99])).status_code == 404
