"""The Régie's to-do on the Wagtail dashboard (``/admin/``).

Each panel lists what waits for someone, each item a link to the exact page where it is
done, with the total in its heading. ``wagtail_hooks.py`` adds a panel only for staff
whose permissions let them act on it (the same rules as the pages it links to).

Every panel runs a fixed number of queries (a count, then the few rows shown), whatever
the number of rows: nothing is read per row.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Max, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin.ui.components import Component

from civic import dates
from civic.assemblies.models import Assembly
from civic.proposals.lifecycle import Status
from civic.proposals.models import Comment, Proposal, Report
from civic.volunteering.models import Shift

# Ideas published this many days ago and never answered are listed as waiting for one.
DEFAULT_UNANSWERED_DAYS = 30
SHIFTS_AHEAD = timedelta(days=7)


class DashboardMedia:
    css = {"all": ["css/admin-dashboard.css"]}


def unanswered_after_days():
    return getattr(settings, "DASHBOARD_UNANSWERED_IDEA_DAYS", DEFAULT_UNANSWERED_DAYS)


# How the Régie writes times (« 9 h », « 14 h 30 »), written once in civic.dates.
hour_label = dates.clock


def day_and_hour(value):
    """« mardi 5 décembre, 9 h » in the Régie's time zone."""
    return _("%(day)s, %(hour)s") % {"day": dates.day(value), "hour": dates.clock(value)}


def days_ago(value, now):
    days = (now - value).days
    return ngettext("publiée il y a %(days)d jour", "publiée il y a %(days)d jours", days) % {
        "days": days
    }


def supports_label(count):
    if not count:
        return _("aucun soutien")
    return ngettext("%(count)d soutien", "%(count)d soutiens", count) % {"count": count}


@dataclass
class Item:
    title: str
    url: str
    facts: list[str] = field(default_factory=list)


class DashboardPanel(Component):
    """A heading with the total, up to ``shown`` items, a link to the full list."""

    template_name = "cms/dashboard/panel.html"
    Media = DashboardMedia
    name = ""
    icon = "tasks"
    shown = 5
    all_label = gettext_lazy("Tout voir")

    def __init__(self, request):
        self.request = request

    def heading(self, count):
        raise NotImplementedError

    def empty_message(self):
        raise NotImplementedError

    def count_and_items(self):
        raise NotImplementedError

    def all_url(self):
        return ""

    def get_context_data(self, parent_context=None):
        count, items = self.count_and_items()
        return {
            "panel_id": self.name,
            "icon": self.icon,
            "heading": self.heading(count),
            "count": count,
            "items": items,
            "empty_message": self.empty_message(),
            "all_url": self.all_url() if count > len(items) else "",
            "all_label": self.all_label,
        }


def decision_url(proposal_id):
    return reverse("proposals_admin:decision", args=[proposal_id])


class IdeasToModeratePanel(DashboardPanel):
    """Ideas residents submitted: published or refused on their decision page."""

    name = "ideas-to-moderate"
    order = 10
    icon = "list-ul"

    def heading(self, count):
        if not count:
            return _("Idées à modérer : aucune")
        return ngettext(
            "%(count)d idée attend la modération", "%(count)d idées attendent la modération", count
        ) % {"count": count}

    def empty_message(self):
        return _("Aucune idée à modérer : tout est fait.")

    def all_url(self):
        return reverse("proposals_admin:index") + f"?status={Status.SUBMITTED}"

    def count_and_items(self):
        waiting = Proposal.objects.filter(status=Status.SUBMITTED, is_hidden=False)
        count = waiting.count()
        rows = (
            waiting.select_related("neighbourhood")
            .order_by("created_at", "pk")
            .only("pk", "title", "created_at", "neighbourhood__name")[: self.shown]
        )
        items = [
            Item(
                title=proposal.title,
                url=decision_url(proposal.pk),
                facts=[
                    proposal.neighbourhood.name,
                    _("déposée le %(day)s")
                    % {"day": formats.date_format(timezone.localtime(proposal.created_at), "j F")},
                ],
            )
            for proposal in rows
        ]
        return count, items


class ReportsPanel(DashboardPanel):
    """Reported comments and ideas, most reported first, as in the moderation queue where
    each one is hidden or its reports dismissed (the link lands on that item's form)."""

    name = "reports"
    order = 20
    icon = "warning"

    def heading(self, count):
        if not count:
            return _("Signalements à traiter : aucun")
        return ngettext(
            "%(count)d signalement à traiter", "%(count)d signalements à traiter", count
        ) % {"count": count}

    def empty_message(self):
        return _("Aucun signalement ouvert : tout est traité.")

    def all_url(self):
        return reverse("reports_admin:index")

    def count_and_items(self):
        groups = (
            Report.objects.filter(resolved_at__isnull=True)
            .values("proposal_id", "comment_id")
            .annotate(reporter_count=Count("pk"), last_reported_at=Max("created_at"))
            .order_by("-reporter_count", "-last_reported_at", "proposal_id", "comment_id")
        )
        count = groups.count()
        if not count:
            return 0, []
        top = list(groups[: self.shown])
        proposals = Proposal.objects.only("pk", "title", "is_hidden").in_bulk(
            [g["proposal_id"] for g in top if g["proposal_id"]]
        )
        comments = (
            Comment.objects.select_related("proposal")
            .only("pk", "body", "is_hidden", "proposal__title")
            .in_bulk([g["comment_id"] for g in top if g["comment_id"]])
        )
        queue = reverse("reports_admin:index")
        items = []
        for group in top:
            reports = ngettext(
                "%(count)d signalement", "%(count)d signalements", group["reporter_count"]
            ) % {"count": group["reporter_count"]}
            if group["proposal_id"]:
                proposal = proposals.get(group["proposal_id"])
                if proposal is None:  # deleted since the count
                    continue
                items.append(
                    Item(
                        title=_("Idée « %(title)s »") % {"title": proposal.title},
                        url=_in_queue(queue, "idee", proposal),
                        facts=[reports, _hidden_fact(proposal)],
                    )
                )
            else:
                comment = comments.get(group["comment_id"])
                if comment is None:
                    continue
                items.append(
                    Item(
                        title=_("Commentaire « %(excerpt)s »")
                        % {"excerpt": _excerpt(comment.body)},
                        url=_in_queue(queue, "commentaire", comment),
                        facts=[
                            reports,
                            _hidden_fact(comment),
                            _("sur « %(title)s »") % {"title": comment.proposal.title},
                        ],
                    )
                )
        return count, items


def _in_queue(queue, kind, target):
    """The queue, scrolled to the item's hide form (a hidden item has none: its row has
    the restore and dismiss buttons)."""
    return queue if target.is_hidden else f"{queue}#reason-{kind}-{target.pk}"


def _hidden_fact(target):
    return _("déjà masqué, signalements à clore") if target.is_hidden else ""


def _excerpt(text, length=60):
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


class UnansweredIdeasPanel(DashboardPanel):
    """Public ideas that never received an answer, published more than N days ago: the
    decision page is where staff answer (put under study, accept, reject)."""

    name = "unanswered-ideas"
    order = 30
    icon = "help"

    def heading(self, count):
        days = unanswered_after_days()
        if not count:
            return _("Idées sans réponse depuis plus de %(days)d jours : aucune") % {"days": days}
        return ngettext(
            "%(count)d idée sans réponse depuis plus de %(days)d jours",
            "%(count)d idées sans réponse depuis plus de %(days)d jours",
            count,
        ) % {"count": count, "days": days}

    def empty_message(self):
        return _("Toutes les idées publiées ont reçu une réponse à temps.")

    def all_url(self):
        return reverse("proposals_admin:index") + f"?status={Status.PUBLISHED}"

    def count_and_items(self):
        now = timezone.now()
        waiting = Proposal.objects.filter(
            status=Status.PUBLISHED,
            is_hidden=False,
            last_answered_at__isnull=True,
            published_at__lte=now - timedelta(days=unanswered_after_days()),
        )
        count = waiting.count()
        rows = (
            waiting.with_counts()
            .select_related("neighbourhood")
            .order_by("published_at", "pk")
            .only("pk", "title", "published_at", "neighbourhood__name")[: self.shown]
        )
        items = [
            Item(
                title=proposal.title,
                url=decision_url(proposal.pk),
                facts=[
                    proposal.neighbourhood.name,
                    days_ago(proposal.published_at, now),
                    supports_label(proposal.support_count),
                ],
            )
            for proposal in rows
        ]
        return count, items


class ShortShiftsPanel(DashboardPanel):
    """Shifts of the coming week that still have places: the roster is where staff
    register someone at the desk or reduce the places."""

    name = "short-shifts"
    order = 40
    icon = "group"

    def heading(self, count):
        if not count:
            return _("Créneaux de la semaine à compléter : aucun")
        return ngettext(
            "%(count)d créneau de la semaine manque de monde",
            "%(count)d créneaux de la semaine manquent de monde",
            count,
        ) % {"count": count}

    def empty_message(self):
        return _("Tous les créneaux des 7 prochains jours sont complets.")

    def all_url(self):
        return reverse("volunteering_actions:index")

    def count_and_items(self):
        now = timezone.now()
        short = Shift.objects.filter(
            starts_at__gt=now,
            starts_at__lte=now + SHIFTS_AHEAD,
            is_cancelled=False,
            action__is_published=True,
            seats_taken__lt=F("capacity"),
        )
        count = short.count()
        rows = short.select_related("action").order_by("starts_at", "pk")[: self.shown]
        items = [
            Item(
                title=shift.action.title + (f" ({shift.role})" if shift.role else ""),
                url=reverse("volunteering_staff:roster", args=[shift.pk]),
                facts=[
                    day_and_hour(shift.starts_at),
                    ngettext(
                        "%(left)d place libre sur %(capacity)d",
                        "%(left)d places libres sur %(capacity)d",
                        shift.places_left,
                    )
                    % {"left": shift.places_left, "capacity": shift.capacity},
                ],
            )
            for shift in rows
        ]
        return count, items


class NextAssemblyPanel(Component):
    """The next assembly (published or not yet), its registrations, and the doors staff
    use on the day: the chair, the check-in desk, its settings."""

    template_name = "cms/dashboard/next_assembly.html"
    Media = DashboardMedia
    name = "next-assembly"
    order = 50

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        assembly = (
            Assembly.objects.upcoming()
            .select_related("neighbourhood")
            .annotate(
                registered=Count("participants"),
                present=Count("participants", filter=Q(participants__checked_in_at__isnull=False)),
            )
            .order_by("starts_at", "pk")
            .first()
        )
        context = {"panel_id": self.name, "assembly": assembly}
        if assembly is None:
            context["heading"] = _("Aucune assemblée prévue")
            context["add_url"] = reverse("assemblies_admin:add")
            return context
        context["heading"] = (
            _("Prochaine assemblée : aucune inscription pour l'instant")
            if not assembly.registered
            else ngettext(
                "Prochaine assemblée : %(count)d personne inscrite",
                "Prochaine assemblée : %(count)d personnes inscrites",
                assembly.registered,
            )
            % {"count": assembly.registered}
        )
        context["when"] = day_and_hour(assembly.starts_at)
        context["present_label"] = (
            ngettext("%(count)d présente", "%(count)d présentes", assembly.present)
            % {"count": assembly.present}
            if assembly.present
            else ""
        )
        context["links"] = [
            (_("Présidence"), reverse("assemblies:chair", args=[assembly.pk])),
            (_("Accueil des participants"), reverse("assemblies:checkin", args=[assembly.pk])),
            (_("Réglages et ordre du jour"), reverse("assemblies_admin:edit", args=[assembly.pk])),
        ]
        return context


class NewsActionPanel(Component):
    """« Nouvelle actualité »: the news editor in one click (the add view of a news
    article under the news index)."""

    template_name = "cms/dashboard/news_action.html"
    Media = DashboardMedia
    name = "news-action"
    order = 5

    def __init__(self, add_url):
        self.add_url = add_url

    def get_context_data(self, parent_context=None):
        return {"add_url": self.add_url}


def news_add_url(user):
    """The add view of a news article, for staff allowed to add one; else ""."""
    from cms.models import NewsIndexPage

    news_index = NewsIndexPage.objects.order_by("path").first()
    if news_index is None or not news_index.permissions_for_user(user).can_add_subpage():
        return ""
    return reverse("wagtailadmin_pages:add", args=["cms", "newspage", news_index.pk])
