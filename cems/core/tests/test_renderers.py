"""Form fields drawn by Jinja2 (cems/core/renderers.py): the same HTML as Django's templates
give, escaped; the admin's widgets, which exist only as Django templates, still drawn."""

import re

import pytest
from django import forms
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget
from django.forms.renderers import DjangoTemplates

from cems.core.renderers import FormRenderer

PAYLOAD = '<script>alert("x")</script>'


class SampleForm(forms.Form):
    name = forms.CharField(max_length=20, help_text="help & more")
    choice = forms.ChoiceField(choices=[("a", "A & B"), ("b", PAYLOAD)], required=False)
    many = forms.MultipleChoiceField(choices=[("1", "one"), ("2", "two")], required=False)
    flag = forms.BooleanField(required=False)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


def squeeze(html: str) -> str:
    """Without the whitespace between tags, and with MarkupSafe's entities for quotes
    written as Django writes them."""
    html = html.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.mark.parametrize("data", [None, {"name": PAYLOAD, "choice": "b", "many": ["2"]}, {}])
def test_jinja2_draws_the_same_form_as_django_templates(data):
    jinja = str(SampleForm(data, renderer=FormRenderer()))
    django = str(SampleForm(data, renderer=DjangoTemplates()))
    assert squeeze(jinja) == squeeze(django)
    assert "<script>" not in jinja
    if data:
        assert "&lt;script&gt;" in jinja


def test_a_widget_only_django_templates_have_is_drawn_by_them():
    widget = ReadOnlyPasswordHashWidget()
    html = widget.render("password", "md5$salt$hash", renderer=FormRenderer())
    assert "md5" in html
