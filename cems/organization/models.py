from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cems.core.validators import validate_phone


class School(models.Model):
    """The school of continuing education; its national code is used in diploma numbers."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    university = models.CharField(_("university"), max_length=100, blank=True)
    code = models.CharField(
        _("national school code"),
        max_length=5,
        unique=True,
        help_text=_("The 5-digit code of the Ministry of Education, used in diploma numbers."),
    )
    mission = models.TextField(_("mission"), blank=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self) -> str:
        return self.name


class Province(models.Model):
    code = models.CharField(
        _("code"), max_length=2, unique=True, help_text=_("The 2-digit GB/T 2260 code.")
    )
    name = models.CharField(_("name"), max_length=20)
    name_en = models.CharField(_("English name"), max_length=40)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name


class Station(models.Model):
    """A correspondence station (函授站) or teaching point (教学点) hosting students."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="stations", verbose_name=_("province")
    )
    city = models.CharField(_("city"), max_length=50)
    host_institution = models.CharField(_("host institution"), max_length=100)
    contact_person = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20, validators=[validate_phone])
    agreement_start = models.DateField(_("agreement start"))
    agreement_end = models.DateField(_("agreement end"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.agreement_end
            and self.agreement_start
            and self.agreement_end < self.agreement_start
        ):
            raise ValidationError(
                {"agreement_end": _("The agreement cannot end before it starts.")}
            )
