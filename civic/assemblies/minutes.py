"""The minutes (compte rendu) of an assembly, generated from the record of its session.

Once the session has ended, staff generate a DRAFT ``MinutesPage`` under the minutes index
("Comptes rendus des assemblées"): attendance, the agenda in order, every closed vote with
its rules, tallies and outcome. Staff then complete and correct it in the Wagtail admin and
publish it through the usual workflow. The draft never says who voted what: results only.

The body is rendered by a Django template with autoescaping on, so a title, a question or a
name cannot inject HTML into the page.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from civic.assemblies import results, rules, services
from civic.assemblies.models import (
    Assembly,
    Majority,
    MinutesIndexPage,
    MinutesPage,
    Motion,
    MotionKind,
    MotionStatus,
    Participant,
    SessionStatus,
)
from civic.assemblies.services import AssemblyError

INDEX_SLUG = "comptes-rendus"


def held_on(assembly):
    """The local date of the session (as in the idea's history)."""
    return timezone.localdate(assembly.session_opened_at or assembly.starts_at)


def ensure_minutes_index():
    """The one minutes index, under the site's home page; created (published) if missing."""
    index = MinutesIndexPage.objects.first()
    if index is not None:
        return index
    site = Site.objects.filter(is_default_site=True).first()
    # Locked: two first generations make one index.
    home = site and Page.objects.select_for_update().filter(pk=site.root_page_id).first()
    if home is None:
        raise AssemblyError(_("Le site n'a pas encore de page d'accueil."), code="no_home")
    index = MinutesIndexPage.objects.first()
    if index is not None:
        return index
    with translation.override(settings.LANGUAGE_CODE):  # page titles are content (French)
        index = MinutesIndexPage(
            title=_("Comptes rendus des assemblées"),
            slug=INDEX_SLUG,
            intro=_("Ce qui a été dit et décidé aux assemblées de quartier."),
        )
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


@transaction.atomic
def generate_minutes(*, actor, assembly):
    """A draft of the minutes of an ended session; the same page if it already exists."""
    if not rules.is_assembly_manager(actor):
        raise PermissionDenied
    # Locked: a double click on "Générer le compte rendu" makes one page.
    assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
    if assembly.session_status != SessionStatus.ENDED:
        raise AssemblyError(
            _("Le compte rendu se prépare une fois la séance terminée."), code="not_ended"
        )
    existing = (
        MinutesPage.objects.filter(pk=assembly.minutes_page_id).first()
        if assembly.minutes_page_id
        else MinutesPage.objects.filter(assembly=assembly).order_by("pk").first()
    )
    if existing is not None:
        if assembly.minutes_page_id != existing.pk:
            assembly.minutes_page = existing
            assembly.save(update_fields=["minutes_page"])
        return existing

    index = ensure_minutes_index()
    day = held_on(assembly)
    with translation.override(settings.LANGUAGE_CODE):  # public record: the site's language
        title = _("Compte rendu — %(title)s") % {"title": assembly.title}
        body = render_body(assembly)
    page = MinutesPage(
        title=title[:255],
        slug=_free_slug(index, slugify(f"{assembly.title} {day.isoformat()}")[:200] or "cr"),
        held_on=day,
        body=body,
        assembly=assembly,
        live=False,
        owner=actor,
    )
    index.add_child(instance=page)
    # A draft revision: staff edit it in the admin and publish it through the workflow.
    page.save_revision(user=actor, log_action=True)
    assembly.minutes_page = page
    assembly.save(update_fields=["minutes_page"])
    return page


def _free_slug(index, base):
    slugs = set(index.get_children().values_list("slug", flat=True))
    slug, n = base, 2
    while slug in slugs:
        slug, n = f"{base}-{n}", n + 1
    return slug


# --- The record ------------------------------------------------------------------------------


def render_body(assembly):
    """The minutes' rich text (Wagtail's rich text HTML: h2, h3, p, ul, b, i only)."""
    return render_to_string("assemblies/minutes/body.html", record(assembly)).strip()


def record(assembly):
    """What the minutes say, read from the database: never an individual choice."""
    assembly = Assembly.objects.select_related("neighbourhood").get(pk=assembly.pk)
    registered, quorum = services.attendance(assembly)
    participants = list(
        Participant.objects.filter(assembly=assembly).select_related(
            "user", "college", "proxy_holder__user"
        )
    )
    present = sorted(
        (p for p in participants if p.checked_in_at is not None), key=lambda p: p.name.casefold()
    )
    represented = sorted(
        (
            p
            for p in participants
            if p.checked_in_at is None
            and p.proxy_holder_id is not None
            and p.proxy_holder.checked_in_at is not None
        ),
        key=lambda p: p.name.casefold(),
    )
    motions = list(
        Motion.objects.filter(assembly=assembly, status=MotionStatus.CLOSED).order_by(
            "closed_at", "created_at", "pk"
        )
    )
    items = []
    for item in assembly.items.select_related("proposal").order_by("sort_order", "pk"):
        items.append(
            {
                "title": item.title,
                "description": item.description,
                "proposal": item.proposal if _is_public(item.proposal) else None,
                "motions": [_motion(m) for m in motions if m.item_id == item.pk],
            }
        )
    item_ids = {item.pk for item in assembly.items.all()}
    other_motions = [_motion(m) for m in motions if m.item_id not in item_ids]
    return {
        "assembly": assembly,
        "held_on": held_on(assembly),
        "starts_at": timezone.localtime(assembly.session_opened_at or assembly.starts_at),
        "registered": registered,
        "quorum": quorum,
        "present": present,
        "represented": represented,
        "use_colleges": assembly.use_colleges,
        "colleges": list(assembly.colleges.order_by("sort_order", "pk")),
        "items": items,
        "other_motions": other_motions,
    }


def _is_public(proposal):
    return proposal is not None and proposal.is_public


def _motion(motion):
    result = motion.result or {}
    tallies = result.get("tallies", [])
    quorum = result.get("quorum") or {}
    return {
        "question": motion.question,
        "kind": motion.get_kind_display(),
        "is_secret": motion.is_secret,
        "majority": _majority_words(motion),
        "is_for_against": motion.kind == MotionKind.FOR_AGAINST,
        "cast": result.get("cast", 0),
        "expressed": result.get("expressed", 0),
        "weighted": result.get("weighted", False),
        "withheld": result.get("withheld"),
        "withheld_threshold": result.get("withheld_threshold"),
        "tallies": tallies,
        "quorum": quorum,
        "quorum_required": quorum.get("required", 0),
        "quorum_reached": quorum.get("reached", True),
        "quorum_counted": quorum.get("present", 0) + quorum.get("represented", 0),
        "outcome": outcome_words(result, tallies),
    }


def _majority_words(motion):
    if motion.kind == MotionKind.CHOICES and motion.majority == Majority.SIMPLE:
        # The label speaks of "pour" and "contre": between several choices, the leader wins.
        return _("majorité simple (le choix arrivé devant chacun des autres)")
    label = str(motion.get_majority_display())
    return label[:1].lower() + label[1:]


def outcome_words(result, tallies=None):
    """The outcome in plain words."""
    outcome = result.get("outcome")
    if outcome == results.ADOPTED:
        return _("Adopté")
    if outcome == results.REJECTED:
        return _("Rejeté")
    if outcome == results.CHOSEN:
        labels = {t["option"]: t["label"] for t in tallies or result.get("tallies", [])}
        return _("Choix retenu : %(label)s") % {"label": labels.get(result.get("winner"), "?")}
    if outcome == results.NO_QUORUM:
        return _("Quorum non atteint : rien n'est décidé")
    if outcome == results.NO_VOTES:
        return _("Aucun vote : pas de décision")
    return _("Pas de décision : aucun choix n'a obtenu la majorité requise")
