"""Residents, staff and partners: one user model, with email as the login."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

phone_validator = RegexValidator(
    r"^\+?[0-9 .()-]{6,20}$",
    _("Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78."),
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person with an account. Roles come from groups (see ``civic.accounts.roles``)."""

    username = None
    email = models.EmailField(_("adresse électronique"), unique=True)
    display_name = models.CharField(
        _("nom affiché"),
        max_length=80,
        help_text=_("Le nom que les autres habitants voient, par exemple « Amina B. »."),
    )
    neighbourhood = models.ForeignKey(
        "territory.Neighbourhood",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("quartier"),
    )
    phone = models.CharField(
        _("téléphone (facultatif)"), max_length=20, blank=True, validators=[phone_validator]
    )
    preferred_language = models.CharField(
        _("langue préférée"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="fr",
    )

    email_notifications = models.BooleanField(
        _("recevoir les nouvelles par courriel"),
        default=True,
        help_text=_(
            "Un courriel regroupé quand une idée que vous suivez avance ou reçoit une réponse."
        ),
    )

    # When the "your account will be deleted" email went out (retention, see
    # civic.privacy.services); cleared once the person logs in again.
    inactivity_warned_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur·rice")
        verbose_name_plural = _("utilisateur·rices")
        permissions = [
            ("view_participation_reports", _("Peut consulter les bilans de participation")),
        ]
        constraints = [
            # Emails are unique whatever their case: "Amina@x.fr" and "amina@x.fr" are one person.
            models.UniqueConstraint(Lower("email"), name="unique_user_email_ci"),
        ]

    def __str__(self):
        return self.display_name or self.email

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name
