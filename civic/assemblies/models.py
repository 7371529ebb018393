"""Neighbourhood assemblies: agenda, registrations and attendance, proxies, live votes and
the speakers' queue.

The database is the truth of a live session: every vote, check-in and change of floor is a
row written by ``services`` before anyone is told about it (see ``live``).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from civic import codes, places


def new_checkin_token():
    # Printed as a QR code on the member's phone and scanned at the door: unguessable.
    return secrets.token_urlsafe(16)


class Majority(models.TextChoices):
    """How a motion is carried. "Exprimés" are the votes cast minus abstentions."""

    SIMPLE = "simple", _("Majorité simple (plus de pour que de contre)")
    ABSOLUTE = "absolute", _("Majorité absolue (plus de la moitié des votants)")
    TWO_THIRDS = "two_thirds", _("Deux tiers des suffrages exprimés")


class QuorumKind(models.TextChoices):
    NONE = "none", _("Pas de quorum")
    COUNT = "count", _("Un nombre de membres présents ou représentés")
    SHARE = "share", _("Une part (%) des inscrits, présents ou représentés")


class SessionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Pas commencée")
    OPEN = "open", _("En cours")
    ENDED = "ended", _("Terminée")


class AssemblyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def upcoming(self, now=None):
        now = now or timezone.now()
        return self.exclude(session_status=SessionStatus.ENDED).filter(
            starts_at__gte=now - timezone.timedelta(hours=12)
        )


class Assembly(ClusterableModel):
    """A meeting of a neighbourhood, with its agenda and its voting rules."""

    neighbourhood = models.ForeignKey(
        "territory.Neighbourhood",
        on_delete=models.PROTECT,
        related_name="assemblies",
        verbose_name=_("quartier"),
    )
    title = models.CharField(_("titre"), max_length=160)
    starts_at = models.DateTimeField(_("date et heure"))
    place = models.CharField(_("lieu"), max_length=200)
    latitude = places.latitude_field()
    longitude = places.longitude_field()
    convocation = models.TextField(
        _("convocation"),
        max_length=5000,
        blank=True,
        help_text=_("Le texte d'invitation envoyé et affiché aux habitants."),
    )
    is_published = models.BooleanField(
        _("publiée"),
        default=False,
        help_text=_("Les habitants la voient et peuvent s'inscrire."),
    )

    quorum_kind = models.CharField(
        _("quorum"), max_length=10, choices=QuorumKind.choices, default=QuorumKind.NONE
    )
    quorum_value = models.PositiveIntegerField(
        _("valeur du quorum"),
        default=0,
        help_text=_("Un nombre de membres, ou un pourcentage des inscrits (0 à 100)."),
    )
    majority = models.CharField(
        _("majorité par défaut"), max_length=12, choices=Majority.choices, default=Majority.SIMPLE
    )
    use_colleges = models.BooleanField(
        _("vote par collèges"),
        default=False,
        help_text=_(
            "Gouvernance tripartite : chaque collège (habitants, collectivités, bailleurs) "
            "pèse son poids, partagé entre ses votants."
        ),
    )

    session_status = models.CharField(
        _("séance"), max_length=12, choices=SessionStatus.choices, default=SessionStatus.NOT_STARTED
    )
    session_opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    session_ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    current_item = models.ForeignKey(
        "AgendaItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    minutes_page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("compte rendu"),
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AssemblyQuerySet.as_manager()

    class Meta:
        verbose_name = _("assemblée de quartier")
        verbose_name_plural = _("assemblées de quartier")
        ordering = ["-starts_at", "-pk"]
        permissions = [("manage_assemblies", _("Peut organiser et présider les assemblées"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(quorum_kind="share") | Q(quorum_value__lte=100),
                name="assembly_quorum_share_at_most_100",
            ),
            places.point_constraint("assembly_point_is_valid"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        places.check_point(self)

    def get_absolute_url(self):
        return reverse("assemblies:detail", args=[self.pk])


class AgendaItem(Orderable):
    """One point of the agenda (ordre du jour), in order; may bring an idea to discuss."""

    assembly = ParentalKey(Assembly, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("point"), max_length=200)
    description = models.TextField(_("précisions"), max_length=3000, blank=True)
    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assembly_items",
        verbose_name=_("idée discutée"),
    )

    class Meta(Orderable.Meta):
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("ordre du jour")

    def __str__(self):
        return self.title


class College(Orderable):
    """One college of the Régie's tripartite governance, with its weight in the votes."""

    assembly = ParentalKey(Assembly, on_delete=models.CASCADE, related_name="colleges")
    name = models.CharField(_("collège"), max_length=80)
    weight = models.PositiveSmallIntegerField(
        _("poids"),
        default=1,
        help_text=_("Par exemple 2 pour les habitants, 1 pour les collectivités et les bailleurs."),
    )

    class Meta(Orderable.Meta):
        verbose_name = _("collège")
        verbose_name_plural = _("collèges")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "name"], name="unique_college_name"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="college_weight_positive"),
        ]

    def __str__(self):
        return self.name


class ParticipantQuerySet(models.QuerySet):
    def with_code(self, text):
        """The registration whose code ``text`` holds: the presence code in any form
        ``civic.codes`` reads, or the long token of earlier QR codes (kept for a
        transition)."""
        code = codes.normalize(text)
        if code:
            return self.filter(presence_code=code)
        return self.filter(checkin_token=str(text or "").strip()[:64])


class Participant(models.Model):
    """A member registered for an assembly; present once checked in at the door."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="participants")
    # SET_NULL: a deleted account leaves its attendance and votes counted, anonymously.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assembly_participations",
    )
    college = models.ForeignKey(
        College, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    registered_at = models.DateTimeField(default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Until 2026-12 the QR code held this long token; links with it stay accepted at the
    # door for a transition (no email ever carried it, but pages may have been printed).
    checkin_token = models.CharField(max_length=32, unique=True, default=new_checkin_token)
    # Read aloud or typed at the door, and held by the QR code's link (see civic.codes).
    presence_code = models.CharField(
        _("code de présence"), max_length=codes.LENGTH, default=codes.new_code, editable=False
    )
    # Procuration: this (absent) member is represented by ``proxy_holder``, who is present.
    proxy_holder = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proxies_held",
        verbose_name=_("procuration donnée à"),
    )

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("personne inscrite")
        verbose_name_plural = _("personnes inscrites")
        ordering = ["registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "user"],
                condition=Q(user__isnull=False),
                name="one_registration_per_member",
            ),
            # At most one proxy each.
            models.UniqueConstraint(
                fields=["proxy_holder"],
                condition=Q(proxy_holder__isnull=False),
                name="one_proxy_per_holder",
            ),
            models.CheckConstraint(
                condition=Q(proxy_holder__isnull=True) | ~Q(proxy_holder=F("id")),
                name="no_proxy_to_oneself",
            ),
            models.UniqueConstraint(
                fields=["assembly", "presence_code"], name="one_presence_code_per_assembly"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        # An account deleted since: the attendance stays, the person does not.
        return self.user.display_name if self.user_id else str(_("Ancien compte"))

    @property
    def is_present(self):
        return self.checked_in_at is not None

    @property
    def presence_code_display(self):
        return codes.display(self.presence_code)


class MotionKind(models.TextChoices):
    FOR_AGAINST = "for_against", _("Pour / contre / abstention")
    CHOICES = "choices", _("Plusieurs choix")


class MotionStatus(models.TextChoices):
    DRAFT = "draft", _("Préparé")
    OPEN = "open", _("Vote ouvert")
    CLOSED = "closed", _("Vote clos")


class Motion(models.Model):
    """A question put to the vote during the session."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="motions")
    item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="motions"
    )
    question = models.CharField(_("question"), max_length=300)
    kind = models.CharField(
        _("type de vote"), max_length=12, choices=MotionKind.choices, default=MotionKind.FOR_AGAINST
    )
    is_secret = models.BooleanField(
        _("vote à bulletin secret"),
        default=False,
        help_text=_("Personne, pas même la Régie, ne peut voir qui a voté quoi."),
    )
    majority = models.CharField(_("majorité"), max_length=12, choices=Majority.choices)
    status = models.CharField(
        max_length=8, choices=MotionStatus.choices, default=MotionStatus.DRAFT
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Computed once at closing (``results.compute``) and never recomputed: the record.
    result = models.JSONField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["created_at", "pk"]
        constraints = [
            # One vote open at a time in an assembly: phones show one question.
            models.UniqueConstraint(
                fields=["assembly"], condition=Q(status="open"), name="one_open_motion"
            ),
        ]

    def __str__(self):
        return self.question


class MotionOption(models.Model):
    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("choix"), max_length=120)
    # Abstentions are counted as cast, not as expressed.
    is_abstention = models.BooleanField(default=False)
    # For a for/against motion: which option is "pour" and which is "contre".
    role = models.CharField(
        max_length=8, blank=True, choices=[("for", "pour"), ("against", "contre")]
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "label"], name="unique_option_label"),
        ]

    def __str__(self):
        return self.label


class Ballot(models.Model):
    """The vote of one member on one motion (cast by them, or by their proxy holder).

    One per member per motion, changed in place until the vote closes. For a secret ballot
    the choice is erased at closing, once counted: afterwards nobody, staff included, can
    tell who chose what; only that the member took part.
    """

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="ballots")
    cast_by = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(
        MotionOption, on_delete=models.CASCADE, null=True, blank=True, related_name="ballots"
    )
    cast_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["motion", "voter"], name="one_ballot_per_member"),
        ]

    def __str__(self):
        return f"{self.voter_id} → {self.motion_id}"


class FloorStatus(models.TextChoices):
    WAITING = "waiting", _("En attente")
    SPEAKING = "speaking", _("A la parole")
    DONE = "done", _("A parlé")
    WITHDRAWN = "withdrawn", _("Demande retirée")


LIVE_FLOOR_STATUSES = (FloorStatus.WAITING, FloorStatus.SPEAKING)


class FloorRequest(models.Model):
    """A member asks to speak; the chair gives and ends the floor, in order."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="floor_requests")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="floor_requests"
    )
    item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=FloorStatus.choices, default=FloorStatus.WAITING
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            # A double tap on "Demander la parole" queues the member once.
            models.UniqueConstraint(
                fields=["assembly", "participant"],
                condition=Q(status__in=["waiting", "speaking"]),
                name="one_live_floor_request",
            ),
            # One speaker at a time.
            models.UniqueConstraint(
                fields=["assembly"], condition=Q(status="speaking"), name="one_speaker"
            ),
        ]

    def __str__(self):
        return f"{self.participant_id}: {self.status}"


class MinutesIndexPage(Page):
    """Where the minutes (comptes rendus) of the assemblies are published."""

    intro = models.TextField(_("introduction"), blank=True, max_length=500)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["assemblies.MinutesPage"]
    max_count = 1

    class Meta:
        verbose_name = _("index des comptes rendus")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["minutes"] = (
            MinutesPage.objects.live().public().child_of(self).order_by("-held_on", "-pk")
        )
        return context


class MinutesPage(Page):
    """The minutes of one assembly: generated from the record of the session (attendance,
    items, votes and results), then edited by staff and published through the usual
    workflow."""

    assembly = models.ForeignKey(
        Assembly,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="minutes_pages",
        verbose_name=_("assemblée"),
    )
    held_on = models.DateField(_("date de l'assemblée"))
    body = RichTextField(_("compte rendu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("held_on"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    parent_page_types = ["assemblies.MinutesIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("compte rendu d'assemblée")
