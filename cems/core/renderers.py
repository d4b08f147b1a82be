"""How form fields are drawn (settings.FORM_RENDERER).

Django's widget templates exist in two versions, Django templates and Jinja2, giving the
same HTML; the Jinja2 ones render in half the time, which is what a list page's filters
(a few hundred options in their drop-downs) cost most of. The admin's own widgets exist only
as Django templates: for them, and any other template Jinja2 does not find, the Django
templates renderer serves.
"""

from typing import Any

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property


class FormRenderer(Jinja2):
    @cached_property
    def _django(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)
