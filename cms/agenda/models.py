"""The agenda: events published as Wagtail pages, their occurrences and registrations.

- ``EventIndexPage`` (/agenda/) lists upcoming occurrences, a month view, the archives and
  the ICS feed (routes in ``views``).
- ``EventPage`` is one event, possibly repeating (weekly, or monthly by day of the month or
  by "first Tuesday"), with optional registration.
- ``OccurrenceSlot`` holds the places of ONE occurrence of an event (created at the first
  registration for that date) and ``Registration`` one person's place or waitlist entry,
  with the same guarantees as volunteer shifts: a row lock and a check constraint against
  overbooking, one live registration per person and occurrence.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from civic import places
from civic.places.panels import PointPanel
from cms.agenda import recurrence
from cms.blocks import BaseStreamBlock
from cms.models import AccessibleBodyMixin

WEEKDAY_CHOICES = [
    (0, _("lundi")),
    (1, _("mardi")),
    (2, _("mercredi")),
    (3, _("jeudi")),
    (4, _("vendredi")),
    (5, _("samedi")),
    (6, _("dimanche")),
]


class WeekdaysField(models.CharField):
    """Days of the week (0 = Monday) stored as "1,3": a list in Python, checkboxes in the
    admin. A text column works the same on SQLite and PostgreSQL."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    @staticmethod
    def parse(value):
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = value.split(",")
        days = sorted({int(day) for day in value if str(day).strip() != ""})
        if any(not 0 <= day <= 6 for day in days):
            raise ValidationError(_("Jour de la semaine inconnu."), code="bad_weekday")
        return days

    def from_db_value(self, value, expression, connection):
        return self.parse(value)

    def to_python(self, value):
        return self.parse(value)

    def get_prep_value(self, value):
        return ",".join(str(day) for day in self.parse(value))

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        # The parent checks choices on the joined string: nothing to add after ``parse``.
        if not self.blank and not value:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            choices=WEEKDAY_CHOICES,
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=self.verbose_name,
            help_text=self.help_text,
        )


class EventIndexPage(RoutablePageMixin, Page):
    """/agenda/: upcoming occurrences, month view, archives and ICS feed (see ``views``)."""

    intro = models.TextField(_("introduction"), blank=True, max_length=500)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["agenda.EventPage"]
    max_count = 1

    class Meta:
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")

    def events(self):
        from cms.agenda.views import visible_events

        return visible_events(self)

    @path("")
    def upcoming_view(self, request):
        from cms.agenda import views

        return views.upcoming(request, self)

    @re_path(r"^mois/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$")
    def month_view(self, request, year, month):
        from cms.agenda import views

        return views.month(request, self, int(year), int(month))

    @path("archives/")
    def archives_view(self, request):
        from cms.agenda import views

        return views.archives(request, self)

    # Wagtail serves page addresses ending with a slash only (no ".ics"): the feed lives at
    # /agenda/ics/; ``cms.agenda.urls`` also offers /agenda/agenda.ics when included.
    @path("ics/", name="feed")
    def feed_view(self, request):
        from cms.agenda import views

        return views.agenda_feed(request, self)


class EventPage(RoutablePageMixin, AccessibleBodyMixin, Page):
    class Repeat(models.TextChoices):
        NONE = "", _("Ne se répète pas")
        WEEKLY = "weekly", _("Chaque semaine (ou toutes les N semaines)")
        MONTHLY_DAY = "monthly_day", _("Chaque mois, le même jour du mois (ex. le 12)")
        MONTHLY_WEEKDAY = (
            "monthly_weekday",
            _("Chaque mois, le même jour de la semaine (ex. le premier mardi)"),
        )

    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(
        _("fin"),
        help_text=_("Pour un événement sur la journée entière : le dernier jour (inclus)."),
    )
    all_day = models.BooleanField(
        _("toute la journée"),
        default=False,
        help_text=_("Les heures sont alors ignorées : seules les dates sont affichées."),
    )
    place = models.CharField(_("lieu"), max_length=200)
    latitude = places.latitude_field()
    longitude = places.longitude_field()
    neighbourhood = models.ForeignKey(
        "territory.Neighbourhood",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quartier"),
        help_text=_("Laissez vide si l'événement concerne tous les quartiers."),
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("image principale"),
    )
    image_alt = models.CharField(
        _("texte alternatif de l'image"),
        max_length=250,
        blank=True,
        help_text=_("Obligatoire si une image principale est choisie."),
    )
    summary = models.TextField(
        _("résumé"),
        max_length=400,
        blank=True,
        help_text=_("Une ou deux phrases simples, reprises dans la liste et les agendas."),
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("description"), blank=True)

    registration_enabled = models.BooleanField(_("inscription"), default=False)
    capacity = models.PositiveIntegerField(
        _("nombre de places (par date)"),
        null=True,
        blank=True,
        help_text=_("Pour un événement qui se répète, chaque date a ce nombre de places."),
    )
    waitlist_enabled = models.BooleanField(
        _("liste d'attente"),
        default=True,
        help_text=_("Quand c'est complet, les personnes peuvent attendre qu'une place se libère."),
    )

    repeat = models.CharField(
        _("répétition"), max_length=20, choices=Repeat.choices, blank=True, default=""
    )
    repeat_interval = models.PositiveSmallIntegerField(
        _("intervalle"),
        default=1,
        help_text=_("1 = chaque semaine (ou chaque mois), 2 = une sur deux…"),
    )
    repeat_weekdays = WeekdaysField(
        _("jours de la semaine"),
        help_text=_("Pour une répétition chaque semaine. Le jour de la première date est inclus."),
    )
    repeat_until = models.DateField(_("jusqu'au (inclus)"), null=True, blank=True)
    repeat_count = models.PositiveSmallIntegerField(_("ou nombre de dates"), null=True, blank=True)
    # When the last occurrence ends: computed on save, so that lists query by date.
    series_ends_at = models.DateTimeField(editable=False, null=True, db_index=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
                FieldPanel("all_day"),
                FieldPanel("place"),
                PointPanel(),
                FieldPanel("neighbourhood"),
            ],
            heading=_("Quand et où"),
        ),
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("image_alt"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("repeat"),
                FieldPanel("repeat_interval"),
                FieldPanel("repeat_weekdays"),
                FieldRowPanel([FieldPanel("repeat_until"), FieldPanel("repeat_count")]),
            ],
            heading=_("Répétition"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("registration_enabled"),
                FieldPanel("capacity"),
                FieldPanel("waitlist_enabled"),
            ],
            heading=_("Inscription"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("place"),
        index.SearchField("body"),
        index.FilterField("start"),
        index.FilterField("series_ends_at"),
    ]
    api_fields = [
        APIField("start"),
        APIField("end"),
        APIField("all_day"),
        APIField("place"),
        APIField("summary"),
        APIField("body"),
    ]

    parent_page_types = ["agenda.EventIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        constraints = [places.point_constraint("event_point_is_valid")]

    # --- Dates ---------------------------------------------------------------------------

    def normalise_dates(self):
        """All-day events keep local midnight of their first and last days."""
        if self.all_day and self.start and self.end:
            tz = recurrence.site_timezone()
            self.start = recurrence.day_bounds(timezone.localtime(self.start, tz).date())[0]
            self.end = recurrence.day_bounds(timezone.localtime(self.end, tz).date())[0]

    def effective_weekdays(self):
        """The weekly rule's days, always including the first date's (RFC 5545 wants
        DTSTART to be the first occurrence)."""
        first = timezone.localtime(self.start, recurrence.site_timezone()).weekday()
        return sorted(set(self.repeat_weekdays or []) | {first})

    def occurrences(self, *, after=None, before=None, limit=recurrence.MAX_OCCURRENCES):
        return recurrence.occurrences(self, after=after, before=before, limit=limit)

    def occurrence_starting(self, start):
        return recurrence.occurrence_starting(self, start)

    def upcoming_occurrences(self, now=None, limit=12):
        return self.occurrences(after=now or timezone.now(), limit=limit)

    def is_past(self, now=None):
        return self.series_ends_at is not None and self.series_ends_at <= (now or timezone.now())

    @property
    def registration_open(self):
        return bool(self.registration_enabled and self.capacity)

    # --- Validation ----------------------------------------------------------------------

    def accessibility_errors(self):
        errors = super().accessibility_errors()
        if self.image_id and not (self.image_alt or "").strip():
            errors["image_alt"] = ValidationError(
                _("Décrivez l'image : le texte alternatif est obligatoire."),
                code="alt_text_missing",
            )
        return errors

    def clean(self):
        errors = {}
        try:
            super().clean()
        except ValidationError as error:
            errors.update(error.update_error_dict({}))
        self.normalise_dates()
        for field, message in places.point_errors(self.latitude, self.longitude).items():
            errors.setdefault(field, []).append(message)
        if self.start and self.end:
            if self.all_day and self.end < self.start:
                errors.setdefault("end", []).append(
                    _("Le dernier jour ne peut pas précéder le premier.")
                )
            elif not self.all_day and self.end <= self.start:
                errors.setdefault("end", []).append(_("L'événement doit finir après son début."))
        if self.registration_enabled and not self.capacity:
            errors.setdefault("capacity", []).append(
                _("Indiquez le nombre de places pour ouvrir l'inscription.")
            )
        if self.repeat:
            if not self.repeat_until and not self.repeat_count:
                errors.setdefault("repeat_until", []).append(
                    _("Indiquez une date de fin ou un nombre de dates.")
                )
            if self.repeat_until and self.repeat_count:
                errors.setdefault("repeat_count", []).append(
                    _("Choisissez une date de fin ou un nombre de dates, pas les deux.")
                )
            if self.repeat_interval < 1:
                errors.setdefault("repeat_interval", []).append(_("L'intervalle est d'au moins 1."))
            if self.start and self.repeat_until and self.repeat_until < self.start.date():
                errors.setdefault("repeat_until", []).append(
                    _("La date de fin de la répétition précède la première date.")
                )
            if self.start and self.end and not errors:
                if recurrence.count_occurrences(self) > recurrence.MAX_OCCURRENCES:
                    errors.setdefault("repeat_until", []).append(
                        _("Au plus %(max)s dates par événement.")
                        % {"max": recurrence.MAX_OCCURRENCES}
                    )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.normalise_dates()
        if self.start and self.end:
            self.series_ends_at = recurrence.last_end(self)
        return super().save(*args, **kwargs)

    # --- Routes (the views live in ``views``) --------------------------------------------

    @path("")
    def detail_view(self, request):
        from cms.agenda import views

        return views.event_detail(request, self)

    @path("ics/", name="ics")
    def ics_view(self, request):
        from cms.agenda import views

        return views.event_calendar(request, self)

    @path("inscription/", name="register")
    def register_view(self, request):
        from cms.agenda import views

        return views.register(request, self)

    @path("desinscription/", name="cancel")
    def cancel_view(self, request):
        from cms.agenda import views

        return views.cancel(request, self)

    @path("inscrits/", name="roster")
    def roster_view(self, request):
        from cms.agenda import views

        return views.roster(request, self)


class OccurrenceSlot(models.Model):
    """The places of one occurrence of an event, keyed by (event, start)."""

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("date"))
    capacity = models.PositiveIntegerField(_("nombre de places"))
    # Confirmed registrations, changed under this row's lock only; the database refuses
    # more than ``capacity`` whatever the concurrency (check constraint below).
    seats_taken = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("date d'un événement")
        verbose_name_plural = _("dates d'événements")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "starts_at"], name="one_slot_per_occurrence"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_slot_has_places"),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")), name="event_slot_never_overbooked"
            ),
        ]

    def __str__(self):
        return f"{self.event} — {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"

    @property
    def places_left(self):
        return max(self.capacity - self.seats_taken, 0)


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED]
        )

    def confirmed(self):
        return self.filter(status=Registration.Status.CONFIRMED)

    def waitlisted(self):
        return self.filter(status=Registration.Status.WAITLISTED).order_by("created_at", "pk")


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Inscription confirmée")
        WAITLISTED = "waitlisted", _("En liste d'attente")
        CANCELLED = "cancelled", _("Inscription annulée")

    LIVE = ("confirmed", "waitlisted")

    slot = models.ForeignKey(OccurrenceSlot, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(max_length=12, choices=Status.choices, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("inscription à un événement")
        verbose_name_plural = _("inscriptions aux événements")
        ordering = ["created_at", "pk"]
        constraints = [
            # One live registration per person per occurrence; a cancelled one may be
            # followed by a new one.
            models.UniqueConstraint(
                fields=["slot", "user"],
                condition=Q(status__in=["confirmed", "waitlisted"]),
                name="one_live_registration_per_occurrence",
            ),
        ]
        indexes = [models.Index(fields=["slot", "status", "created_at"])]

    def __str__(self):
        return f"{self.user} — {self.slot}"

    @property
    def is_active(self):
        return self.status in self.LIVE
