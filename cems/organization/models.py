from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
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


# A sensible earliest year for an award to an adult education school.
HONOR_EARLIEST_YEAR = 1950


class Honor(models.Model):
    """An award the school received (DOMAIN.md: shown publicly): name, grantor and year."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    grantor = models.CharField(_("grantor"), max_length=200)
    grantor_en = models.CharField(_("grantor's English name"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(HONOR_EARLIEST_YEAR)]
    )
    # Stored under MEDIA_ROOT and served only by honors:image, never as a static file.
    image = models.ImageField(_("image"), upload_to="honors/", blank=True)
    display_order = models.PositiveSmallIntegerField(
        _("display order"),
        default=0,
        help_text=_("Lower numbers come first among the honors of the same year."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "display_order", "name"]
        verbose_name = _("honor")
        verbose_name_plural = _("honors")
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="honor_unique_name_year")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    def clean(self) -> None:
        if self.year and self.year > timezone.localdate().year:
            raise ValidationError({"year": _("The year cannot be in the future.")})
