"""A browser test of the public page (the `browser` fixture is in cems/conftest.py): a
visitor without an account opens /about/, reads the live figures and the honors, switches
to English, and finds no way into the private lists."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from cems.conftest import add_student
from cems.organization.models import Honor

pytestmark = pytest.mark.browser


def test_a_visitor_reads_the_public_page(browser, live_server, world):
    cache.clear()
    add_student(world, 40)
    Honor.objects.create(
        name="师范生实习先进单位", name_en="Advanced Organization in Normal Students Internships",
        grantor="湖南省教育厅", grantor_en="Hunan Provincial Education Department", year=2015,
    )  # fmt: skip
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{live_server.url}{reverse('public:home')}")
    assert page.inner_text("[data-figure=registered] .value") == "4"
    assert page.inner_text("[data-figure=stations] .value") == "2"
    assert "师范生实习先进单位" in page.inner_text("#honors")
    assert page.locator("nav.mainnav").count() == 0
    assert page.locator("svg.chart a").count() == 0  # the bars link nowhere

    page.click("form.langswitch button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert "Advanced Organization in Normal Students Internships" in page.inner_text("#honors")
    assert page.inner_text("[data-figure=registered] .value") == "4"
    page.close()
    cache.clear()
