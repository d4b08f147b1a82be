from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalDataLog(models.Model):
    """Every unmasking of personal data and every export of records, with who and why (PIPL).

    Append-only: rows are written by services and never changed.
    """

    class Action(models.TextChoices):
        UNMASK = "unmask", _("Unmasked")
        EXPORT = "export", _("Exported")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    subject = models.CharField(
        _("subject"), max_length=100, blank=True, help_text=_("e.g. students.Student:42")
    )
    fields = models.CharField(_("fields"), max_length=200, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.subject}"
