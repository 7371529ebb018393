"""Residents, staff and partners: one user model, with email as the login."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from civic.accounts.emails import email_key, normalise_email

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
        # By the key, never by a case-insensitive comparison in the database: on
        # PostgreSQL `email__iexact` matches "amına@" and "amina@" alike (see emails.py).
        return self.get(email_key=email_key(email))

    def by_email(self, email):
        """The account of this address, under the one rule of civic.accounts.emails."""
        return self.filter(email_key=email_key(email))


class User(AbstractUser):
    """A person with an account. Roles come from groups (see ``civic.accounts.roles``)."""

    username = None
    email = models.EmailField(_("adresse électronique"), unique=True)
    # The address as compared (civic.accounts.emails.email_key), kept by save(). NULL
    # only for an account that collided with an older one when the key was introduced
    # (reported by `manage.py report_email_collisions`; never merged silently).
    email_key = models.CharField(max_length=254, unique=True, null=True, editable=False)  # noqa: DJ001 (NULL: several allowed, see above)
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
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")
        permissions = [
            ("view_participation_reports", _("Peut consulter les bilans de participation")),
        ]
        constraints = [
            # Emails are unique whatever their case: "Amina@x.fr" and "amina@x.fr" are one person.
            models.UniqueConstraint(Lower("email"), name="unique_user_email_ci"),
        ]

    def __str__(self):
        return self.display_name or self.email

    def _email_key_taken(self, key):
        return User.objects.filter(email_key=key).exclude(pk=self.pk).exists()

    def clean(self):
        super().clean()
        if self.email:
            try:
                self.email = normalise_email(self.email)
            except ValidationError as error:
                raise ValidationError({"email": error.messages}) from error
        # Every model form (the Wagtail user admin included) stops here with a field
        # error rather than on the database constraint with a 500.
        if self.email and self._email_key_taken(email_key(self.email)):
            raise ValidationError(
                {
                    "email": _(
                        "Un compte existe déjà avec cette adresse (ou une adresse qui lui ressemble)."
                    )
                }
            )

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "email" in update_fields:
            self.email_key = self._key_to_store()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "email_key"}
        # A second account with the same key fails here, in the database (IntegrityError):
        # the forms refuse it first (clean(), the allauth adapter).
        super().save(*args, **kwargs)

    def _key_to_store(self):
        if not self.email:
            return None
        if not self._state.adding:
            stored = User.objects.filter(pk=self.pk).values_list("email", "email_key").first()
            if stored and stored[0] == self.email and stored[1] is None:
                # An account that collided when the key was introduced (migration 0005)
                # keeps working unchanged until the Régie resolves it.
                return None
        return email_key(self.email)

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name
