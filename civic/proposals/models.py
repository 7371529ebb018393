"""Residents' proposals (idées), their supports, comments, follows and public history."""

from django.conf import settings
from django.db import connection, models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civic import places
from civic.proposals.lifecycle import PUBLIC_STATUSES, Status


class Theme(models.Model):
    """A theme residents file their idea under. Staff edit the list in the admin."""

    name = models.CharField(_("nom"), max_length=80, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("proposé aux habitants"), default=True)

    class Meta:
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


def _count_subquery(model, field, extra=None):
    """An exact per-row count as a correlated subquery: one query for the whole list,
    and no row multiplication when several counts are annotated together."""
    filters = Q(**{field: OuterRef("pk")})
    if extra is not None:
        filters &= extra
    counts = (
        model.objects.filter(filters).order_by().values(field).annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


class ProposalQuerySet(models.QuerySet):
    def public(self):
        """What anyone may see: published-or-later and not hidden by moderation."""
        return self.filter(status__in=PUBLIC_STATUSES, is_hidden=False)

    def visible_to(self, user):
        """Public ideas, plus the user's own (any state), plus everything for staff."""
        from civic.proposals import rules

        if rules.is_moderator(user):
            return self.all()
        if user.is_authenticated:
            return self.filter(Q(status__in=PUBLIC_STATUSES, is_hidden=False) | Q(author=user))
        return self.public()

    def search(self, query):
        """Full-text search on PostgreSQL (French stemming, title first), plain substring
        search elsewhere. The HTML list and the API both search through this."""
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchVector

            vector = SearchVector("title", weight="A", config="french") + SearchVector(
                "description", weight="B", config="french"
            )
            return self.annotate(search=vector).filter(
                Q(search=SearchQuery(query, config="french", search_type="websearch"))
                | Q(title__icontains=query)
            )
        return self.filter(Q(title__icontains=query) | Q(description__icontains=query))

    def with_counts(self):
        return self.annotate(
            support_count=_count_subquery(Support, "proposal"),
            comment_count=_count_subquery(
                Comment, "proposal", Q(is_hidden=False, is_deleted=False)
            ),
        )

    def with_user_state(self, user):
        """Whether ``user`` supports / follows each row, without a query per row."""
        if not user.is_authenticated:
            return self.annotate(
                user_supports=Value(False, output_field=models.BooleanField()),
                user_follows=Value(False, output_field=models.BooleanField()),
            )
        return self.annotate(
            user_supports=models.Exists(
                Support.objects.filter(proposal=OuterRef("pk"), resident=user)
            ),
            user_follows=models.Exists(
                Follow.objects.filter(proposal=OuterRef("pk"), resident=user)
            ),
        )


class Proposal(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("personne qui propose"),
    )
    neighbourhood = models.ForeignKey(
        "territory.Neighbourhood",
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("quartier"),
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("thème")
    )
    title = models.CharField(_("titre"), max_length=140)
    description = models.TextField(_("description"), max_length=5000)
    address = models.CharField(_("lieu (adresse ou repère)"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    photo = models.ImageField(_("photo"), upload_to="proposals/%Y/%m/", blank=True)
    photo_alt = models.CharField(_("description de la photo"), max_length=250, blank=True)

    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    support_open = models.BooleanField(_("soutiens ouverts"), default=True)
    is_hidden = models.BooleanField(_("masquée par la modération"), default=False)
    hidden_reason = models.CharField(_("raison du masquage"), max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_duplicates",
        verbose_name=_("fusionnée dans"),
    )

    created_at = models.DateTimeField(_("déposée le"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    last_answered_at = models.DateTimeField(_("dernière réponse le"), null=True, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("idée")
        verbose_name_plural = _("idées")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("moderate_proposal", _("Peut modérer les idées et leur répondre")),
        ]
        constraints = [
            # Both coordinates or neither: ``isnull=False`` on each side, since a CHECK
            # comparing NULL is unknown and lets half a point through.
            places.point_constraint("proposal_point_is_valid"),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(status=Status.MERGED),
                name="proposal_merged_only_when_merged_status",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "is_hidden", "-created_at"]),
            models.Index(fields=["neighbourhood", "status"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("proposals:detail", args=[self.pk])

    @property
    def is_public(self):
        return self.status in PUBLIC_STATUSES and not self.is_hidden

    @property
    def author_name(self):
        return self.author.display_name if self.author_id else _("Ancien compte")


class StatusChange(models.Model):
    """One dated, public step of the proposal's history: who answered, when, what."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    answer = models.TextField(_("réponse publique"), blank=True, max_length=5000)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(
        _("au nom de"),
        max_length=120,
        blank=True,
        help_text=_("Qui répond, tel que le public le lit (ex. « La Régie »)."),
    )
    automatic = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("étape de l'idée")
        verbose_name_plural = _("historique des idées")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.proposal_id}: {self.from_status} → {self.to_status}"


class Support(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    # SET_NULL: a deleted account's support still counts, anonymously. (NULLs never clash
    # in the unique constraint below.)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supports",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("soutien")
        verbose_name_plural = _("soutiens")
        constraints = [
            # One support per resident per proposal, whatever the concurrency.
            models.UniqueConstraint(
                fields=["proposal", "resident"], name="one_support_per_resident"
            )
        ]

    def __str__(self):
        return f"{self.resident_id} → {self.proposal_id}"


class Follow(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="follows")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("abonnement")
        verbose_name_plural = _("abonnements")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "resident"], name="one_follow_per_resident")
        ]

    def __str__(self):
        return f"{self.resident_id} → {self.proposal_id}"


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal_comments",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("en réponse à"),
    )
    body = models.TextField(_("commentaire"), max_length=3000)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    is_hidden = models.BooleanField(_("masqué par la modération"), default=False)
    hidden_reason = models.CharField(_("raison du masquage"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["proposal", "created_at"])]

    def __str__(self):
        return f"{self.author_name}: {self.body[:40]}"

    @property
    def author_name(self):
        return self.author.display_name if self.author_id else _("Ancien compte")

    @property
    def is_visible(self):
        return not (self.is_hidden or self.is_deleted)


class Report(models.Model):
    """A resident flags a proposal or a comment for the moderators."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reason = models.CharField(_("raison du signalement"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(proposal__isnull=False, comment__isnull=True)
                    | Q(proposal__isnull=True, comment__isnull=False)
                ),
                name="report_targets_one_thing",
            ),
            models.UniqueConstraint(
                fields=["reporter", "proposal"],
                condition=Q(resolved_at__isnull=True, proposal__isnull=False),
                name="one_open_report_per_proposal",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(resolved_at__isnull=True, comment__isnull=False),
                name="one_open_report_per_comment",
            ),
        ]

    def __str__(self):
        return self.reason[:60]

    @property
    def target(self):
        return self.proposal if self.proposal_id else self.comment


class NotificationQuerySet(models.QuerySet):
    def shown_to(self, user, *, moderator=False):
        """The person's notifications they may still read: not those about an idea that
        moderation has hidden since (unless it is theirs, or they moderate), so that
        neither the notifications page nor a digest repeats its title."""
        mine = self.filter(recipient=user)
        if moderator:
            return mine
        return mine.exclude(Q(proposal__is_hidden=True) & ~Q(proposal__author=user))


class Notification(models.Model):
    """An on-site notification; emailed in groups to residents who accept emails."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Nouvelle étape")
        REPLY = "reply", _("Nouvelle réponse")
        COMMENT = "comment", _("Nouveau commentaire")
        THRESHOLD = "threshold", _("Seuil de soutiens atteint")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    # The comment announced (comment and reply notifications): what moderation and account
    # deletion use to find the copies of its author's name (civic.privacy.erasure).
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.message
