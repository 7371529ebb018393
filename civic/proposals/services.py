"""Every write about proposals happens here: the HTML views, the API, the admin and the
consumers call these functions, so each rule lives once.

Each function names the acting user, runs in one transaction, and schedules its side
effects (notifications, emails, live broadcasts) with ``transaction.on_commit`` so that
nobody is told about something the database does not hold.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civic.errors import ServiceError
from civic.privacy import erasure
from civic.proposals import lifecycle, live, notifications, rules
from civic.proposals.lifecycle import Status
from civic.proposals.models import (
    Comment,
    Follow,
    Proposal,
    Report,
    StatusChange,
    Support,
)
from civic.uploads import discard_on_error, keep_until_commit, normalise_photo


class ProposalError(ServiceError):
    """A request that the rules refuse for a reason the person can fix or understand."""


def _lock(proposal):
    # Row lock on the proposal: serialises supports, status changes and closing support
    # on one idea, so that no support is counted after support closed and the threshold
    # transition happens exactly once. (A no-op on SQLite, which serialises writers.)
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def _record_step(proposal, *, from_status, to_status, actor, answer="", automatic=False):
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):  # public history: the site's language
        actor_label = _("La Régie") if (actor is not None or automatic) else ""
    step = StatusChange.objects.create(
        proposal=proposal,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_label=actor_label,
        answer=answer,
        automatic=automatic,
        created_at=now,
    )
    return step


# --- Submitting -----------------------------------------------------------------------------


@discard_on_error
@transaction.atomic
def submit_proposal(
    *,
    author,
    title,
    description,
    theme,
    neighbourhood,
    address="",
    latitude=None,
    longitude=None,
    photo=None,
    photo_alt="",
):
    if not rules.can_submit(author):
        raise PermissionDenied
    proposal = Proposal(
        author=author,
        title=title,
        description=description,
        theme=theme,
        neighbourhood=neighbourhood,
        address=address,
        latitude=latitude,
        longitude=longitude,
        photo_alt=photo_alt,
    )
    if photo:
        proposal.photo = normalise_photo(photo, prefix="idee")
    proposal.save()
    if photo:
        keep_until_commit(proposal.photo)
    _record_step(proposal, from_status="", to_status=Status.SUBMITTED, actor=None)
    Follow.objects.get_or_create(proposal=proposal, resident=author)
    notifications.tell_moderators_new_proposal(proposal)
    return proposal


EDITABLE_FIELDS = (
    "title",
    "description",
    "theme",
    "neighbourhood",
    "address",
    "latitude",
    "longitude",
    "photo_alt",
)


@discard_on_error
@transaction.atomic
def edit_proposal(*, proposal, actor, photo=None, remove_photo=False, **changes):
    proposal = _lock(proposal)
    if not rules.can_edit(actor, proposal):
        raise PermissionDenied
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ProposalError(_("Champs non modifiables : %s") % ", ".join(sorted(unknown)))
    for field, value in changes.items():
        setattr(proposal, field, value)
    if remove_photo:
        proposal.photo = ""
    if photo:
        proposal.photo = normalise_photo(photo, prefix="idee")
    proposal.save()
    if photo:
        keep_until_commit(proposal.photo)
    return proposal


@transaction.atomic
def withdraw_proposal(*, proposal, actor):
    proposal = _lock(proposal)
    if not rules.can_withdraw(actor, proposal):
        raise PermissionDenied
    previous = proposal.status
    proposal.status = Status.WITHDRAWN
    proposal.save(update_fields=["status", "updated_at"])
    _record_step(proposal, from_status=previous, to_status=Status.WITHDRAWN, actor=None)
    live.broadcast_after_commit(proposal)
    return proposal


# --- Staff: moderation and answers ------------------------------------------------------------


@transaction.atomic
def change_status(*, proposal, actor, to_status, answer=""):
    """Staff move a proposal along its lifecycle, with a public answer."""
    if not rules.can_moderate(actor):
        raise PermissionDenied
    proposal = _lock(proposal)
    to_status = Status(to_status)
    answer = (answer or "").strip()
    if not lifecycle.can_staff_move(proposal.status, to_status):
        raise ProposalError(
            _("Impossible de passer de « %(from)s » à « %(to)s ».")
            % {"from": Status(proposal.status).label, "to": to_status.label},
            code="invalid_transition",
        )
    if to_status in lifecycle.ANSWER_REQUIRED and not answer:
        raise ProposalError(
            _("Écrivez une réponse publique : les habitants doivent savoir pourquoi."),
            code="answer_required",
        )
    return _move(proposal, to_status=to_status, actor=actor, answer=answer)


def _move(proposal, *, to_status, actor, answer):
    """Move a locked proposal to ``to_status`` (already authorised and validated)."""
    previous = proposal.status
    now = timezone.now()
    proposal.status = to_status
    proposal.last_answered_at = now
    fields = ["status", "last_answered_at", "updated_at"]
    if to_status == Status.PUBLISHED and proposal.published_at is None:
        proposal.published_at = now
        fields.append("published_at")
    proposal.save(update_fields=fields)
    step = _record_step(
        proposal, from_status=previous, to_status=to_status, actor=actor, answer=answer
    )
    notifications.tell_followers_status(proposal, step)
    live.broadcast_after_commit(proposal)
    return step


@transaction.atomic
def record_assembly_decision(*, proposal, actor, adopted, assembly_title, held_on, tallies):
    """A neighbourhood assembly voted on the idea: its public history says what was decided,
    by which assembly and when. ``actor`` chaired the vote (authorised by the assemblies
    app). The idea moves to "Retenue" / "Non retenue" when its lifecycle allows it;
    otherwise (already decided, say) the decision is added to its history as it stands.
    """
    proposal = _lock(proposal)
    to_status = Status.ACCEPTED if adopted else Status.REJECTED
    with translation.override(settings.LANGUAGE_CODE):  # public history: the site's language
        figures = ", ".join(f"{tally['label']} : {tally['votes']}" for tally in tallies)
        answer = (
            _("Retenue par l'assemblée « %(title)s » du %(date)s (%(figures)s).")
            if adopted
            else _("Non retenue par l'assemblée « %(title)s » du %(date)s (%(figures)s).")
        ) % {"title": assembly_title, "date": date_format(held_on, "j F Y"), "figures": figures}
        if any(tally["votes"] is None for tally in tallies):
            # A secret ballot whose figures were withheld (assemblies.results.disclose).
            answer = (
                _("Retenue par l'assemblée « %(title)s » du %(date)s (vote secret).")
                if adopted
                else _("Non retenue par l'assemblée « %(title)s » du %(date)s (vote secret).")
            ) % {"title": assembly_title, "date": date_format(held_on, "j F Y")}
    if lifecycle.can_staff_move(proposal.status, to_status):
        return _move(proposal, to_status=to_status, actor=actor, answer=answer)
    if proposal.status not in lifecycle.PUBLIC_STATUSES:
        return None  # not public (pending, refused…): nothing to tell the public
    step = _record_step(
        proposal,
        from_status=proposal.status,
        to_status=proposal.status,
        actor=actor,
        answer=answer,
    )
    notifications.tell_followers_status(proposal, step)
    return step


def publish_proposal(*, proposal, actor, answer=""):
    return change_status(proposal=proposal, actor=actor, to_status=Status.PUBLISHED, answer=answer)


def refuse_proposal(*, proposal, actor, reason):
    return change_status(proposal=proposal, actor=actor, to_status=Status.REFUSED, answer=reason)


@transaction.atomic
def set_support_open(*, proposal, actor, is_open):
    if not rules.can_moderate(actor):
        raise PermissionDenied
    proposal = _lock(proposal)
    proposal.support_open = is_open
    proposal.save(update_fields=["support_open", "updated_at"])
    live.broadcast_after_commit(proposal)
    return proposal


@transaction.atomic
def merge_proposal(*, duplicate, into, actor, answer=""):
    """Merge a duplicate into another idea. Supports and follows move over; a resident who
    supported both keeps one support."""
    if not rules.can_moderate(actor):
        raise PermissionDenied
    if duplicate.pk == into.pk:
        raise ProposalError(_("Une idée ne peut pas être fusionnée avec elle-même."))
    # Lock both rows in a fixed order so two merges cannot deadlock.
    locked = {
        p.pk: p
        for p in Proposal.objects.select_for_update()
        .filter(pk__in=[duplicate.pk, into.pk])
        .order_by("pk")
    }
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    if duplicate.status not in lifecycle.MERGEABLE_STATUSES:
        raise ProposalError(_("Cette idée ne peut plus être fusionnée."))
    if into.status not in lifecycle.MERGE_TARGET_STATUSES or into.is_hidden:
        raise ProposalError(_("L'idée cible doit être publiée et visible."))

    already = Support.objects.filter(proposal=into).values("resident_id")
    Support.objects.filter(proposal=duplicate, resident_id__in=already).delete()
    Support.objects.filter(proposal=duplicate).update(proposal=into)
    already_following = Follow.objects.filter(proposal=into).values("resident_id")
    Follow.objects.filter(proposal=duplicate, resident_id__in=already_following).delete()
    Follow.objects.filter(proposal=duplicate).update(proposal=into)

    previous = duplicate.status
    duplicate.status = Status.MERGED
    duplicate.merged_into = into
    duplicate.last_answered_at = timezone.now()
    duplicate.save(update_fields=["status", "merged_into", "last_answered_at", "updated_at"])
    with translation.override(settings.LANGUAGE_CODE):
        default_text = _("Cette idée rejoint « %(title)s », qui dit la même chose.") % {
            "title": into.title
        }
    text = answer.strip() or default_text
    step = _record_step(
        duplicate, from_status=previous, to_status=Status.MERGED, actor=actor, answer=text
    )
    notifications.tell_followers_status(duplicate, step, extra_recipients=into)
    live.broadcast_after_commit(duplicate)
    live.broadcast_after_commit(into)
    return into


# --- Supports -------------------------------------------------------------------------------


@transaction.atomic
def support_proposal(*, proposal, resident):
    """Support a proposal. Idempotent: supporting twice leaves one support."""
    proposal = _lock(proposal)
    if not rules.can_support(resident, proposal):
        raise PermissionDenied(_("Cette idée ne peut pas (ou plus) être soutenue."))
    try:
        with transaction.atomic():
            support, created = Support.objects.get_or_create(proposal=proposal, resident=resident)
    except IntegrityError:
        # A concurrent request of the same resident won the race: one support stands.
        support, created = Support.objects.get(proposal=proposal, resident=resident), False
    if created:
        Follow.objects.get_or_create(proposal=proposal, resident=resident)
        _move_to_study_at_threshold(proposal)
        live.broadcast_after_commit(proposal)
    return support


@transaction.atomic
def unsupport_proposal(*, proposal, resident):
    """Withdraw a support while support is open. Idempotent."""
    proposal = _lock(proposal)
    if not rules.can_support(resident, proposal):
        raise PermissionDenied(_("Les soutiens de cette idée sont clos."))
    deleted, _details = Support.objects.filter(proposal=proposal, resident=resident).delete()
    if deleted:
        live.broadcast_after_commit(proposal)
    return bool(deleted)


def _move_to_study_at_threshold(proposal):
    """Called with the proposal row locked, right after a new support."""
    if proposal.status != Status.PUBLISHED:
        return
    threshold = proposal.neighbourhood.regie.support_threshold
    if not threshold or Support.objects.filter(proposal=proposal).count() < threshold:
        return
    proposal.status = Status.UNDER_STUDY
    proposal.last_answered_at = timezone.now()
    proposal.save(update_fields=["status", "last_answered_at", "updated_at"])
    with translation.override(settings.LANGUAGE_CODE):
        automatic_answer = ngettext(
            "Cette idée a reçu %(count)s soutien : la Régie l'étudie et répondra ici.",
            "Cette idée a reçu %(count)s soutiens : la Régie l'étudie et répondra ici.",
            threshold,
        ) % {"count": threshold}
    step = _record_step(
        proposal,
        from_status=Status.PUBLISHED,
        to_status=Status.UNDER_STUDY,
        actor=None,
        automatic=True,
        answer=automatic_answer,
    )
    notifications.tell_followers_status(proposal, step)
    notifications.tell_moderators_threshold(proposal)


# --- Follows --------------------------------------------------------------------------------


def follow_proposal(*, proposal, resident):
    if not rules.can_follow(resident, proposal):
        raise PermissionDenied
    follow, _created = Follow.objects.get_or_create(proposal=proposal, resident=resident)
    return follow


def unfollow_proposal(*, proposal, resident):
    if not rules.is_resident(resident):
        raise PermissionDenied
    Follow.objects.filter(proposal=proposal, resident=resident).delete()


# --- Comments -------------------------------------------------------------------------------


@transaction.atomic
def add_comment(*, proposal, author, body, parent=None):
    if not rules.can_comment(author, proposal):
        raise PermissionDenied(_("Les commentaires sont fermés sur cette idée."))
    body = (body or "").strip()
    if not body:
        raise ProposalError(_("Le commentaire est vide."), code="empty")
    if parent is not None:
        if parent.proposal_id != proposal.pk or not parent.is_visible:
            raise ProposalError(_("Ce commentaire n'existe pas ou plus."), code="bad_parent")
        # One level of replies: a reply to a reply attaches to the thread's first comment.
        if parent.parent_id is not None:
            parent = parent.parent
    comment = Comment.objects.create(proposal=proposal, author=author, body=body, parent=parent)
    notifications.tell_about_comment(comment)
    return comment


def edit_comment(*, comment, actor, body):
    if not rules.can_edit_comment(actor, comment):
        raise PermissionDenied(_("Ce commentaire ne peut plus être modifié."))
    body = (body or "").strip()
    if not body:
        raise ProposalError(_("Le commentaire est vide."), code="empty")
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    return comment


def delete_comment(*, comment, actor):
    """The author removes their comment; replies to it stay, under a neutral mention."""
    if not rules.can_delete_comment(actor, comment):
        raise PermissionDenied
    with transaction.atomic():
        comment.is_deleted = True
        comment.body = ""
        comment.save(update_fields=["is_deleted", "body"])
        erasure.forget_comment(comment)
    return comment


# --- Reports and moderation -------------------------------------------------------------------


def report(*, reporter, reason, proposal=None, comment=None):
    if not rules.can_report(reporter):
        raise PermissionDenied
    if (proposal is None) == (comment is None):
        raise ProposalError(_("Signalez une idée ou un commentaire."))
    reason = (reason or "").strip()
    if not reason:
        raise ProposalError(_("Dites en quelques mots ce qui pose problème."), code="empty")
    target_visible = (
        rules.can_view(reporter, proposal)
        if proposal is not None
        else comment.is_visible and rules.can_view(reporter, comment.proposal)
    )
    if not target_visible:
        raise PermissionDenied
    existing = Report.objects.filter(
        reporter=reporter, proposal=proposal, comment=comment, resolved_at__isnull=True
    ).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Report.objects.create(
                reporter=reporter, proposal=proposal, comment=comment, reason=reason[:500]
            )
    except IntegrityError:
        return Report.objects.get(
            reporter=reporter, proposal=proposal, comment=comment, resolved_at__isnull=True
        )


def _resolve_reports(actor, **target):
    Report.objects.filter(resolved_at__isnull=True, **target).update(
        resolved_at=timezone.now(), resolved_by=actor
    )


@transaction.atomic
def hide_proposal(*, proposal, actor, reason):
    if not rules.can_moderate(actor):
        raise PermissionDenied
    if not (reason or "").strip():
        raise ProposalError(_("Indiquez la raison du masquage."), code="reason_required")
    proposal = _lock(proposal)
    proposal.is_hidden = True
    proposal.hidden_reason = reason.strip()[:300]
    proposal.save(update_fields=["is_hidden", "hidden_reason", "updated_at"])
    _resolve_reports(actor, proposal=proposal)
    live.broadcast_after_commit(proposal)
    return proposal


@transaction.atomic
def restore_proposal(*, proposal, actor, reason=""):
    if not rules.can_moderate(actor):
        raise PermissionDenied
    proposal = _lock(proposal)
    proposal.is_hidden = False
    proposal.hidden_reason = (reason or "").strip()[:300]
    proposal.save(update_fields=["is_hidden", "hidden_reason", "updated_at"])
    _resolve_reports(actor, proposal=proposal)
    live.broadcast_after_commit(proposal)
    return proposal


@transaction.atomic
def hide_comment(*, comment, actor, reason):
    if not rules.can_moderate(actor):
        raise PermissionDenied
    if not (reason or "").strip():
        raise ProposalError(_("Indiquez la raison du masquage."), code="reason_required")
    comment.is_hidden = True
    comment.hidden_reason = reason.strip()[:300]
    comment.save(update_fields=["is_hidden", "hidden_reason"])
    _resolve_reports(actor, comment=comment)
    erasure.forget_comment(comment)
    return comment


@transaction.atomic
def restore_comment(*, comment, actor, reason=""):
    if not rules.can_moderate(actor):
        raise PermissionDenied
    comment.is_hidden = False
    comment.hidden_reason = (reason or "").strip()[:300]
    comment.save(update_fields=["is_hidden", "hidden_reason"])
    _resolve_reports(actor, comment=comment)
    return comment


@transaction.atomic
def dismiss_report(*, report_obj, actor):
    if not rules.can_moderate(actor):
        raise PermissionDenied
    Report.objects.filter(pk=report_obj.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=actor
    )


# --- Notifications ----------------------------------------------------------------------------


def mark_notifications_read(*, resident, ids=None):
    qs = resident.notifications.filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def moderators():
    """Active accounts that hold the moderation permission (directly, by group, or superuser)."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename="moderate_proposal")
            | Q(user_permissions__codename="moderate_proposal")
        )
        .distinct()
    )
