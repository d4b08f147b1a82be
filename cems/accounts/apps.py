from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "cems.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from cems.accounts import sessions

        sessions.connect()


class CemsAdminConfig(admin_apps.AdminConfig):
    """Django's admin with our site class, which lets in school administrators only."""

    default = False
    default_site = "cems.accounts.admin_site.CemsAdminSite"
