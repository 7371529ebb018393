"""Volunteer actions (Agir): actions with dated shifts, places, waitlists and attendance."""

import re
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civic import codes, places


class ActionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Action(models.Model):
    """A clean-up, a planting, a repair café, a festivity… open to volunteers."""

    title = models.CharField(_("titre"), max_length=140)
    description = models.TextField(_("description"), max_length=5000)
    neighbourhood = models.ForeignKey(
        "territory.Neighbourhood",
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name=_("quartier"),
    )
    meeting_place = models.CharField(_("lieu de rendez-vous"), max_length=200)
    latitude = places.latitude_field()
    longitude = places.longitude_field()
    image = models.ImageField(_("image"), upload_to="actions/%Y/%m/", blank=True)
    image_alt = models.CharField(_("description de l'image"), max_length=250, blank=True)
    what_to_bring = models.CharField(_("à apporter"), max_length=300, blank=True)
    skills_welcome = models.CharField(_("compétences bienvenues"), max_length=300, blank=True)
    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("née de l'idée"),
    )
    cancellation_cutoff_hours = models.PositiveIntegerField(
        _("annulation possible jusqu'à (heures avant)"),
        default=24,
        help_text=_("Les bénévoles peuvent se désinscrire jusqu'à ce délai avant le créneau."),
    )
    is_published = models.BooleanField(_("publiée"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action bénévole")
        verbose_name_plural = _("actions bénévoles")
        ordering = ["-created_at", "-pk"]
        permissions = [("manage_volunteering", _("Peut gérer les actions bénévoles"))]
        constraints = [places.point_constraint("action_point_is_valid")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("volunteering:action", args=[self.pk])

    def clean(self):
        super().clean()
        places.check_point(self)

    @property
    def cancellation_cutoff(self):
        return timedelta(hours=self.cancellation_cutoff_hours)


class ShiftQuerySet(models.QuerySet):
    def with_waitlist(self):
        return self.annotate(
            waitlist_count=models.Count(
                "signups", filter=Q(signups__status="waitlisted"), distinct=True
            )
        )


class Shift(models.Model):
    """A dated slot of an action with a limited number of places."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    capacity = models.PositiveIntegerField(_("nombre de places"))
    role = models.CharField(
        _("rôle (facultatif)"),
        max_length=80,
        blank=True,
        help_text=_("Par exemple « encadrant » ou « accueil »."),
    )
    # Confirmed sign-ups, kept under the shift's row lock: the database refuses more
    # than ``capacity`` whatever the concurrency (see the check constraint below).
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    is_cancelled = models.BooleanField(_("annulé"), default=False)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("créneau")
        verbose_name_plural = _("créneaux")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="shift_has_places"),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")), name="shift_never_overbooked"
            ),
        ]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self):
        return f"{self.action} — {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"

    @property
    def places_left(self):
        return max(self.capacity - self.seats_taken, 0)

    @property
    def duration(self):
        return self.ends_at - self.starts_at

    def is_past(self, now=None):
        return self.ends_at <= (now or timezone.now())

    def cancellation_deadline(self):
        return self.starts_at - self.action.cancellation_cutoff


class OfflineVolunteer(models.Model):
    """A resident without an account, registered at the Régie's desk (guichet) with
    their recorded consent. Phone optional: some have neither email nor phone."""

    name = models.CharField(_("nom"), max_length=120)
    phone = models.CharField(_("téléphone (facultatif)"), max_length=20, blank=True)
    neighbourhood = models.ForeignKey(
        "territory.Neighbourhood",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quartier"),
    )
    consent_given_at = models.DateTimeField(_("consentement recueilli le"))
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("consentement recueilli par"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bénévole sans compte")
        verbose_name_plural = _("bénévoles sans compte")
        ordering = ["name"]

    def __str__(self):
        return self.name


# Earlier QR codes held a bare UUID (typed, pasted, or inside « urn:uuid:… »).
_UUID_IN_TEXT = re.compile(
    r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE
)


def earlier_check_in_uuid(text):
    """The UUID an earlier QR code held, found in ``text``; ``None`` if there is none."""
    found = _UUID_IN_TEXT.search(str(text or "")[:300])
    return uuid.UUID(found.group(0)) if found else None


class SignupQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=[Signup.Status.CONFIRMED, Signup.Status.WAITLISTED])

    def confirmed(self):
        return self.filter(status=Signup.Status.CONFIRMED)

    def waitlisted(self):
        return self.filter(status=Signup.Status.WAITLISTED).order_by("created_at", "pk")

    def with_code(self, text):
        """The sign-up whose code ``text`` holds: the presence code in any form
        ``civic.codes`` reads, or the UUID of earlier QR codes (kept for a transition)."""
        code = codes.normalize(text)
        if code:
            return self.filter(presence_code=code)
        earlier = earlier_check_in_uuid(text)
        return self.filter(check_in_code=earlier) if earlier else self.none()

    def counted_for_hours(self, now=None):
        """Past confirmed shifts not marked absent: the hours a volunteer gave."""
        now = now or timezone.now()
        return self.filter(
            status=Signup.Status.CONFIRMED, shift__ends_at__lte=now, shift__is_cancelled=False
        ).exclude(attendance=Signup.Attendance.ABSENT)


class Signup(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Inscription confirmée")
        WAITLISTED = "waitlisted", _("En liste d'attente")
        CANCELLED = "cancelled", _("Inscription annulée")

    class Attendance(models.TextChoices):
        UNKNOWN = "unknown", _("Non pointé")
        PRESENT = "present", _("Présence notée")
        ABSENT = "absent", _("Absence notée")

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    # SET_NULL on both: a deleted account or a purged roster leaves the sign-up without a
    # person, so that places, attendance and hours given stay counted (anonymised).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signups",
    )
    offline_volunteer = models.ForeignKey(
        OfflineVolunteer, on_delete=models.SET_NULL, null=True, blank=True, related_name="signups"
    )
    status = models.CharField(max_length=12, choices=Status.choices, db_index=True)
    attendance = models.CharField(
        max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    created_at = models.DateTimeField(default=timezone.now)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Assisted sign-up: the staff member who acted for this person.
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Until 2026-12 the QR code held this UUID; the staff door still accepts it for a
    # transition (the API gives it too, see api.py).
    check_in_code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Read aloud or typed at check-in, and held by the QR code's link (see civic.codes).
    presence_code = models.CharField(
        _("code de présence"), max_length=codes.LENGTH, default=codes.new_code, editable=False
    )

    objects = SignupQuerySet.as_manager()

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["created_at", "pk"]
        constraints = [
            # One person at most; none once anonymised (services always name one).
            models.CheckConstraint(
                condition=Q(user__isnull=True) | Q(offline_volunteer__isnull=True),
                name="signup_is_for_at_most_one_person",
            ),
            # One live sign-up per person per shift (a cancelled one may be followed by a new one).
            models.UniqueConstraint(
                fields=["shift", "user"],
                condition=Q(status__in=["confirmed", "waitlisted"], user__isnull=False),
                name="one_active_signup_per_user",
            ),
            models.UniqueConstraint(
                fields=["shift", "offline_volunteer"],
                condition=Q(
                    status__in=["confirmed", "waitlisted"], offline_volunteer__isnull=False
                ),
                name="one_active_signup_per_offline_volunteer",
            ),
            models.UniqueConstraint(
                fields=["shift", "presence_code"], name="one_presence_code_per_shift"
            ),
        ]
        indexes = [models.Index(fields=["shift", "status", "created_at"])]

    def __str__(self):
        return f"{self.person_name} — {self.shift}"

    @property
    def is_anonymised(self):
        return self.user_id is None and self.offline_volunteer_id is None

    @property
    def person_name(self):
        if self.user_id:
            return self.user.display_name
        if self.offline_volunteer_id:
            return self.offline_volunteer.name
        return str(_("Ancien compte"))

    @property
    def person_phone(self):
        if self.user_id:
            return self.user.phone
        if self.offline_volunteer_id:
            return self.offline_volunteer.phone
        return ""

    @property
    def is_active(self):
        return self.status in (self.Status.CONFIRMED, self.Status.WAITLISTED)

    @property
    def presence_code_display(self):
        return codes.display(self.presence_code)


def new_calendar_token():
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A volunteer's private ICS feed of their shifts; revoking changes the token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agenda personnel")
        verbose_name_plural = _("agendas personnels")

    def __str__(self):
        return f"{self.user_id}"
