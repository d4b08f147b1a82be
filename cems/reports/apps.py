from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "cems.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The public page's cache listens to the data it counts, in every process.
        from cems.reports import public  # noqa: F401
