from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("School administrator")
    ACADEMIC = "academic", _("Academic affairs")
    TRAINING = "training", _("Training office")
    FINANCE = "finance", _("Finance")
    STATION = "station", _("Station staff")
    TEACHER = "teacher", _("Teacher")
    STUDENT = "student", _("Student")
    TRAINEE = "trainee", _("Trainee")
    AUDITOR = "auditor", _("Auditor (school leadership)")


class CemsUserManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> "User":
        extra.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A person who signs in. What they may see follows from `role` (see accounts.access)."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STUDENT)
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    stations = models.ManyToManyField(
        "organization.Station",
        blank=True,
        related_name="staff",
        verbose_name=_("stations"),
        help_text=_("For station staff: the stations whose students this user works with."),
    )

    objects: ClassVar[CemsUserManager] = CemsUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    # The role decides what a user may do, in the admin too: a school administrator holds
    # every model permission there; nobody else enters it (see admin_site.CemsAdminSite).
    def has_perm(self, perm: str, obj: object = None) -> bool:
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_perm(perm, obj)  # type: ignore[arg-type]

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_module_perms(app_label)

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username
