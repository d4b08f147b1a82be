from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cems.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from cems.core.audit import connect_receivers

        connect_receivers()
