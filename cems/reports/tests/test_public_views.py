"""The public page (/about/): what a visitor sees, in both languages, and what it must not
link to."""

import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from cems.accounts.context_processors import NAVIGATION
from cems.organization.models import Honor
from cems.reports import public


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _page(client, language: str) -> str:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("public:home"))
    assert response.status_code == 200
    html: str = response.content.decode()
    return html


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]*)"', html))


def test_a_visitor_sees_the_school_in_english(world, client_for):
    honor = Honor.objects.create(
        name="师范生实习先进单位", name_en="Advanced Organization in Normal Students Internships",
        grantor="湖南省教育厅", grantor_en="Hunan Provincial Education Department", year=2015,
    )  # fmt: skip
    html = _page(client_for(None), "en")
    assert django_settings.CEMS_SCHOOL_NAME_EN in html
    assert str(public.MISSION)[:40] in html
    assert '<div class="figure" data-figure="stations"><span class="value">2<' in html
    assert '<div class="figure" data-figure="provinces"><span class="value">2<' in html
    assert '<div class="figure" data-figure="majors"><span class="value">1<' in html
    assert "Junior college to bachelor" in html
    assert "Correspondence" in html
    assert '<svg class="chart bars"' in html
    assert honor.name_en in html
    assert "Hunan Provincial Education Department" in html
    assert honor.name not in html


def test_a_visitor_sees_the_school_in_chinese(world, client_for):
    Honor.objects.create(name="师范生实习先进单位", name_en="Advanced Organization",
                         grantor="湖南省教育厅", year=2015)  # fmt: skip
    html = _page(client_for(None), "zh-hans")
    assert '<html lang="zh-hans">' in html
    assert django_settings.CEMS_SCHOOL_NAME in html
    assert "师范生实习先进单位" in html
    assert "湖南省教育厅" in html
    assert "Advanced Organization" not in html


def _menu_url_names() -> list[str]:
    names: list[str] = []
    for entry in NAVIGATION:
        items: Any = getattr(entry, "items", (entry,))  # groups of items, or items
        names += [item.url_name for item in items]
    return names


def test_the_page_links_to_no_private_list(world, client_for):
    """A visitor finds only public links; a signed-in user finds no menu entry either (the
    toolbar keeps the user's own links: password, tasks)."""
    Honor.objects.create(name="某奖", grantor="某厅", year=2010)
    menu = {reverse(name) for name in _menu_url_names() if name != "reports:dashboard"}
    for role in (None, "admin", "station", "student"):
        html = _page(client_for(role), "en")
        assert 'class="mainnav"' not in html
        assert _links(html) & menu == set()
        if role is None:
            for href in _links(html):
                public_image = re.fullmatch(r"/honors/\d+/image/", href)
                assert (
                    public_image
                    or href == "/"
                    or href.startswith(("/static/", "/about/", "/accounts/", "/verify/"))
                ), href


def test_honor_images_are_linked_through_their_view(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "honors").mkdir()
    (tmp_path / "honors" / "a.png").write_bytes(b"x")
    honor = Honor.objects.create(name="某奖", grantor="某厅", year=2010, image="honors/a.png")
    html = _page(client_for(None), "en")
    assert f'href="{reverse("honors:image", args=[honor.pk])}"' in html
    assert "/media/" not in html


def test_the_page_answers_get_only(world, client_for):
    assert client_for(None).post(reverse("public:home")).status_code == 405


def test_an_empty_school_still_has_a_page(db):
    html = _page(Client(), "en")
    assert "No honors yet." in html
    assert "No training projects yet." in html
