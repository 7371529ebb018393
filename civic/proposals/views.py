"""The HTML pages of residents' ideas (/idees/).

Thin views: who may do what is asked of ``rules``, every write goes through ``services``.
Each page works without JavaScript; ``static/js/proposals-live.js`` only refreshes the
support counts and statuses already on the page.

Conventions:
- an idea (or a comment of an idea) the person may not see is a 404, exactly like one that
  does not exist;
- a refused action is a 403 page saying why (``denied_as_page``, shared in ``civic.web``);
- every action is a POST behind ``login_required``; a GET on an action address (e.g. after
  logging in again) goes back to the idea without doing anything;
- forms with an error are shown again with the error tied to its field.
"""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from civic import geocoding, places
from civic.proposals import lifecycle, rules, services
from civic.proposals.forms import (
    CommentEditForm,
    CommentForm,
    CommentHideForm,
    HideForm,
    ProposalFilterForm,
    ProposalForm,
    ReplyForm,
    ReportForm,
    RestoreForm,
    StatusForm,
)
from civic.proposals.lifecycle import Status
from civic.proposals.models import Comment, Notification, Proposal
from civic.territory.models import Neighbourhood
from civic.web import (
    denied_as_page,
    done_url,
    new_form_token,
    paginate,
    posted_form_token,
    remember_back,
    remember_done,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
# Markers on the ideas map: beyond this, the map says so and the filters narrow it down.
MAP_MAX_MARKERS = 300
NOTIFICATIONS_PAGE_SIZE = 30
# Fields a photo error belongs to (codes raised by civic.uploads.normalise_photo).
PHOTO_ERROR_CODES = {"too_large", "invalid_image", "too_many_pixels"}
# The ProposalError codes of change_status, and the field each one is about.
STATUS_ERROR_FIELDS = {"answer_required": "answer", "invalid_transition": "to_status"}
# Told to proposals-live.js, which shows or hides the support button as statuses change.
SUPPORTABLE_STATUSES = " ".join(sorted(lifecycle.SUPPORTABLE_STATUSES))
# A refused action: a 403 page with a way back to the idea and to the list.
_denied_as_page = denied_as_page(
    back_label=gettext_lazy("Revenir à l'idée"),
    list_url="proposals:list",
    list_label=gettext_lazy("Voir toutes les idées"),
)

ORDERINGS = {
    ProposalFilterForm.SORT_NEWEST: (
        F("published_at").desc(nulls_last=True),
        "-created_at",
        "-pk",
    ),
    ProposalFilterForm.SORT_SUPPORTED: ("-support_count", "-created_at", "-pk"),
    ProposalFilterForm.SORT_ANSWERED: (
        F("last_answered_at").desc(nulls_last=True),
        "-created_at",
        "-pk",
    ),
}

# --- Helpers ------------------------------------------------------------------------------


def _visible_proposal(request, pk, queryset=None):
    """The idea if this person may see it; otherwise the same 404 as a missing one."""
    queryset = Proposal.objects.all() if queryset is None else queryset
    proposal = queryset.filter(pk=pk).first()
    if proposal is None or not rules.can_view(request.user, proposal):
        raise Http404
    remember_back(request, proposal.get_absolute_url())
    return proposal


def _visible_comment(request, pk):
    comment = Comment.objects.select_related("proposal", "author").filter(pk=pk).first()
    if comment is None or not rules.can_view(request.user, comment.proposal):
        raise Http404
    remember_back(request, comment.proposal.get_absolute_url())
    return comment


def _detail_queryset(user):
    return (
        Proposal.objects.with_counts()
        .with_user_state(user)
        .select_related("neighbourhood", "theme", "author", "merged_into")
    )


def _anchor(proposal, fragment):
    return f"{proposal.get_absolute_url()}#{fragment}"


def _comment_anchor(comment):
    return _anchor(comment.proposal, f"commentaire-{comment.pk}")


def _add_photo_errors(form, error):
    """Errors of ``normalise_photo`` go under the photo field; any other under the form."""
    if hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for item in error.error_list:
        field = "photo" if item.code in PHOTO_ERROR_CODES and "photo" in form.fields else None
        form.add_error(field, item)


# --- List -----------------------------------------------------------------------------------


def _filtered(request):
    """The ideas of the list (and of its map) for the filters asked: the same visibility
    rules and filters for both. Returns (form, filters, queryset, params)."""
    form = ProposalFilterForm(request.GET or None)
    filters = form.valid_filters()
    if form.is_bound and form.errors:
        messages.warning(
            request, _("Certains filtres ne sont pas reconnus : ils ne sont pas appliqués.")
        )

    proposals = (
        Proposal.objects.public()
        .with_counts()
        .with_user_state(request.user)
        .select_related("neighbourhood", "theme")
    )
    params = {}
    if filters["quartier"]:
        proposals = proposals.filter(neighbourhood__slug=filters["quartier"])
        params["quartier"] = filters["quartier"]
    if filters["theme"]:
        proposals = proposals.filter(theme__slug=filters["theme"])
        params["theme"] = filters["theme"]
    if filters["etat"]:
        proposals = proposals.filter(status=filters["etat"])
        params["etat"] = filters["etat"]
    if filters["q"]:
        proposals = proposals.search(filters["q"])
        params["q"] = filters["q"]
    if filters["tri"] != ProposalFilterForm.SORT_NEWEST:
        params["tri"] = filters["tri"]
    proposals = proposals.order_by(*ORDERINGS[filters["tri"]])
    return form, filters, proposals, params


@require_http_methods(["GET", "HEAD"])
def proposal_list(request):
    form, filters, proposals, params = _filtered(request)
    page_obj = paginate(request, proposals, PAGE_SIZE)
    context = {
        "form": form,
        "page_obj": page_obj,
        "proposals": page_obj.object_list,
        "base_query": urlencode(params),
        "filtered": bool(params.keys() - {"tri"}),
        "supportable_statuses": SUPPORTABLE_STATUSES,
        "unread_count": (
            _notifications_of(request.user).filter(read_at__isnull=True).count()
            if request.user.is_authenticated
            else 0
        ),
    }
    return render(request, "proposals/list.html", context)


@require_http_methods(["GET", "HEAD"])
def proposal_map(request):
    """The ideas of the list that have a point, on a map and in a list of words under it."""
    form, filters, proposals, params = _filtered(request)
    on_map = list(
        proposals.filter(latitude__isnull=False, longitude__isnull=False)[:MAP_MAX_MARKERS]
    )
    without_point = proposals.filter(latitude__isnull=True).count()
    neighbourhoods = Neighbourhood.objects.active().exclude(outline__isnull=True)
    if filters["quartier"]:
        neighbourhoods = neighbourhoods.filter(slug=filters["quartier"])
    payload = places.map_payload(
        markers=[
            {**places.point_of(p), "title": p.title, "url": p.get_absolute_url()} for p in on_map
        ],
        outlines=[places.outline_of(neighbourhood) for neighbourhood in neighbourhoods],
    )
    context = {
        "form": form,
        "proposals": on_map,
        "without_point": without_point,
        "payload": payload,
        "base_query": urlencode(params),
        "filtered": bool(params.keys() - {"tri"}),
        "capped": len(on_map) == MAP_MAX_MARKERS,
        "list_url": reverse("proposals:list") + (f"?{urlencode(params)}" if params else ""),
    }
    return render(request, "proposals/map.html", context)


@require_http_methods(["GET"])
def geocode(request):
    """JSON for the idea form's address search: ``{"results": [{label, latitude,
    longitude}]}``. The geocoder is asked by the server (CSP stays strict); errors are a
    JSON 400, 403, 429 or 502 with a message to show, never a 500."""
    if not request.user.is_authenticated:
        return _json_error(403, "login_required", _("Connectez-vous pour chercher une adresse."))
    query = " ".join(request.GET.get("q", "").split())
    if len(query) < geocoding.MIN_QUERY_LENGTH:
        return _json_error(400, "too_short", _("Tapez au moins 3 lettres de l'adresse."))
    if len(query) > geocoding.MAX_QUERY_LENGTH:
        return _json_error(
            400, "too_long", _("Cette adresse est trop longue (200 signes au plus).")
        )
    if not _geocoder_allowed(request):
        return _json_error(
            429,
            "rate_limited",
            _("Trop de recherches d'adresse d'affilée. Réessayez dans une minute."),
        )
    try:
        found = geocoding.search(query)
    except geocoding.GeocoderError as error:
        logger.warning("Geocoder failed: %s", error)
        return _json_error(
            502,
            error.code,
            _(
                "La recherche d'adresse ne répond pas. Posez le point sur la carte, "
                "ou gardez l'adresse en toutes lettres."
            ),
        )
    return JsonResponse({"results": [place.as_dict() for place in found]})


def _json_error(status, code, message):
    return JsonResponse({"error": code, "message": str(message)}, status=status)


def _geocoder_allowed(request):
    """At most GEOCODER_RATE_PER_MINUTE searches per person and minute (a fixed window)."""
    window = int(time.time() // 60)
    key = f"geocode:{request.user.pk}:{window}"
    try:
        cache.add(key, 0, timeout=90)
        count = cache.incr(key)
    except Exception:  # noqa: BLE001 - a cache outage must not stop the form
        logger.warning("Geocoder rate limit skipped: the cache does not answer")
        return True
    return count <= settings.GEOCODER_RATE_PER_MINUTE


# --- Detail ---------------------------------------------------------------------------------


def _threads(comments, user):
    """Top-level comments, each with its replies (one level), and what ``user`` may do."""
    by_id = {comment.pk: comment for comment in comments}
    roots = []
    for comment in comments:
        comment.thread_replies = []
        comment.can_edit = rules.can_edit_comment(user, comment)
        comment.can_delete = rules.can_delete_comment(user, comment)
        comment.can_report = (
            rules.can_report(user) and comment.is_visible and comment.author_id != user.pk
        )
    for comment in comments:
        root, steps = comment, 0
        while root.parent_id in by_id and steps < 10:
            root, steps = by_id[root.parent_id], steps + 1
        if root is comment:
            roots.append(comment)
        else:
            root.thread_replies.append(comment)
    return roots


def _render_detail(request, proposal, *, status=200, **forms):
    user = request.user
    history = list(proposal.history.all())
    comments = list(proposal.comments.select_related("author"))
    is_author = user.is_authenticated and proposal.author_id == user.pk
    moderator = rules.can_moderate(user)
    refusal = None
    if proposal.status == Status.REFUSED and (is_author or moderator):
        refusal = next((s for s in reversed(history) if s.to_status == Status.REFUSED), None)
    merged_into = proposal.merged_into if proposal.status == Status.MERGED else None
    context = {
        "proposal": proposal,
        "history": history,
        "threads": _threads(comments, user),
        "is_author": is_author,
        "is_moderator": moderator,
        "refusal": refusal,
        "merged_into": merged_into,
        "merged_into_visible": merged_into is not None and rules.can_view(user, merged_into),
        "can_support": rules.can_support(user, proposal),
        "support_possible": (
            proposal.is_public
            and proposal.support_open
            and proposal.status in lifecycle.SUPPORTABLE_STATUSES
        ),
        "supportable_statuses": SUPPORTABLE_STATUSES,
        "can_follow": rules.can_follow(user, proposal),
        "can_comment": rules.can_comment(user, proposal),
        "comments_open": proposal.is_public and proposal.status in lifecycle.COMMENTABLE_STATUSES,
        "can_edit": rules.can_edit(user, proposal),
        "can_withdraw": rules.can_withdraw(user, proposal),
        "can_report": rules.can_report(user) and not is_author,
        "token": new_form_token(),
    }
    if context["can_comment"]:
        context["comment_form"] = forms.get("comment_form") or CommentForm(prefix="comment")
    if moderator:
        if lifecycle.staff_targets(proposal.status):
            context["status_form"] = forms.get("status_form") or StatusForm(
                proposal=proposal, prefix="moderation"
            )
        if proposal.is_hidden:
            context["restore_form"] = forms.get("restore_form") or RestoreForm(prefix="restore")
        else:
            context["hide_form"] = forms.get("hide_form") or HideForm(prefix="hide")
    return render(request, "proposals/detail.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
def detail(request, pk):
    proposal = _visible_proposal(request, pk, _detail_queryset(request.user))
    return _render_detail(request, proposal)


# --- Submitting, editing, withdrawing -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def submit(request):
    if not rules.can_submit(request.user):
        raise PermissionDenied
    form = ProposalForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        token = posted_form_token(request)
        done = done_url(request, token)
        if done:
            return redirect(done)
        if form.is_valid():
            try:
                proposal = services.submit_proposal(
                    author=request.user,
                    photo=form.cleaned_data.get("photo"),
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                _add_photo_errors(form, error)
            else:
                remember_done(request, token, proposal.get_absolute_url())
                messages.success(
                    request,
                    _("Merci ! Votre idée est envoyée. La Régie la relit avant de la publier."),
                )
                return redirect(proposal)
    return render(
        request, "proposals/proposal_form.html", {"form": form, "token": new_form_token()}
    )


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def edit(request, pk):
    proposal = _visible_proposal(request, pk)
    if not rules.can_edit(request.user, proposal):
        raise PermissionDenied(
            _("Cette idée ne peut plus être modifiée : la Régie l'a déjà relue.")
        )
    initial = {
        field: getattr(proposal, field)
        for field in ("title", "description", "address", "latitude", "longitude", "photo_alt")
    }
    initial.update(theme=proposal.theme_id, neighbourhood=proposal.neighbourhood_id)
    form = ProposalForm(
        request.POST or None, request.FILES or None, proposal=proposal, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_proposal(
                proposal=proposal,
                actor=request.user,
                photo=form.cleaned_data.get("photo"),
                remove_photo=form.cleaned_data.get("remove_photo", False),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            _add_photo_errors(form, error)
        else:
            messages.success(request, _("Votre idée est modifiée."))
            return redirect(proposal)
    return render(request, "proposals/proposal_form.html", {"form": form, "proposal": proposal})


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def withdraw(request, pk):
    proposal = _visible_proposal(request, pk)
    if not rules.can_withdraw(request.user, proposal):
        raise PermissionDenied(_("Cette idée ne peut plus être retirée."))
    if request.method == "POST":
        services.withdraw_proposal(proposal=proposal, actor=request.user)
        messages.success(request, _("Votre idée est retirée. Elle n'est plus visible du public."))
        return redirect(proposal)
    return render(request, "proposals/withdraw_confirm.html", {"proposal": proposal})


# --- Supports and follows ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def support(request, pk):
    proposal = _visible_proposal(request, pk)
    if request.method == "POST":
        services.support_proposal(proposal=proposal, resident=request.user)
        messages.success(request, _("Merci ! Votre soutien est compté."))
    return redirect(_anchor(proposal, "soutien"))


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def unsupport(request, pk):
    proposal = _visible_proposal(request, pk)
    if request.method == "POST":
        services.unsupport_proposal(proposal=proposal, resident=request.user)
        messages.success(request, _("Votre soutien est retiré."))
    return redirect(_anchor(proposal, "soutien"))


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def follow(request, pk):
    proposal = _visible_proposal(request, pk)
    if request.method == "POST":
        services.follow_proposal(proposal=proposal, resident=request.user)
        messages.success(request, _("Vous suivez cette idée : vous recevrez ses nouvelles."))
    return redirect(_anchor(proposal, "suivre"))


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def unfollow(request, pk):
    proposal = _visible_proposal(request, pk)
    if request.method == "POST":
        services.unfollow_proposal(proposal=proposal, resident=request.user)
        messages.success(request, _("Vous ne suivez plus cette idée."))
    return redirect(_anchor(proposal, "suivre"))


# --- Comments -------------------------------------------------------------------------------


def _parent_id(raw):
    try:
        value = int(str(raw)[:12])
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def comment(request, pk):
    """Writes a comment, or a reply (``?reponse-a=<id>``). The detail page holds the comment
    form; this page shows a form again with its error, and holds the reply form."""
    proposal = _visible_proposal(request, pk)
    if not rules.can_comment(request.user, proposal):
        raise PermissionDenied(_("Les commentaires sont fermés sur cette idée."))
    raw_parent = request.POST.get("comment-parent") or request.GET.get("reponse-a")
    parent_id = _parent_id(raw_parent)
    parent = None
    if parent_id is not None:
        parent = (
            Comment.objects.select_related("author", "proposal")
            .filter(pk=parent_id, proposal=proposal)
            .first()
        )
        # A reply to a comment hidden meanwhile: the service says so under the form.
        if parent is None or (request.method != "POST" and not parent.is_visible):
            raise Http404
    form_class = ReplyForm if parent is not None else CommentForm
    form = form_class(request.POST or None, prefix="comment")
    if request.method == "POST":
        token = posted_form_token(request)
        done = done_url(request, token)
        if done:
            return redirect(done)
        if form.is_valid():
            try:
                created = services.add_comment(
                    proposal=proposal,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    parent=parent,
                )
            except services.ProposalError as error:
                form.add_error("body", error)
            else:
                url = _comment_anchor(created)
                remember_done(request, token, url)
                messages.success(request, _("Votre commentaire est publié."))
                return redirect(url)
    context = {"proposal": proposal, "parent": parent, "form": form, "token": new_form_token()}
    return render(request, "proposals/comment_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def comment_edit(request, pk):
    comment = _visible_comment(request, pk)
    if not rules.can_edit_comment(request.user, comment):
        raise PermissionDenied(
            _("Ce commentaire ne peut plus être modifié (15 minutes après l'envoi au plus).")
        )
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_comment(
                comment=comment, actor=request.user, body=form.cleaned_data["body"]
            )
        except services.ProposalError as error:
            form.add_error("body", error)
        else:
            messages.success(request, _("Votre commentaire est modifié."))
            return redirect(_comment_anchor(comment))
    return render(
        request,
        "proposals/comment_edit.html",
        {"comment": comment, "proposal": comment.proposal, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def comment_delete(request, pk):
    comment = _visible_comment(request, pk)
    if not rules.can_delete_comment(request.user, comment):
        raise PermissionDenied(_("Vous ne pouvez pas supprimer ce commentaire."))
    if request.method == "POST":
        services.delete_comment(comment=comment, actor=request.user)
        messages.success(request, _("Votre commentaire est supprimé."))
        return redirect(_anchor(comment.proposal, "commentaires"))
    return render(
        request,
        "proposals/comment_delete.html",
        {"comment": comment, "proposal": comment.proposal},
    )


# --- Reports --------------------------------------------------------------------------------


def _report(request, *, proposal, comment=None):
    if not rules.can_report(request.user):
        raise PermissionDenied
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report(
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                proposal=None if comment is not None else proposal,
                comment=comment,
            )
        except services.ProposalError as error:
            form.add_error("reason", error)
        else:
            messages.success(
                request, _("Merci. La Régie va regarder votre signalement rapidement.")
            )
            return redirect(_comment_anchor(comment) if comment else proposal)
    context = {"proposal": proposal, "comment": comment, "form": form}
    return render(request, "proposals/report_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def report_proposal(request, pk):
    proposal = _visible_proposal(request, pk)
    return _report(request, proposal=proposal)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def report_comment(request, pk):
    comment = _visible_comment(request, pk)
    if not comment.is_visible:
        raise Http404
    return _report(request, proposal=comment.proposal, comment=comment)


# --- "Mes idées" and notifications ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def my_proposals(request):
    user = request.user
    base = (
        Proposal.objects.with_counts()
        .select_related("neighbourhood", "theme")
        .order_by("-created_at", "-pk")
    )
    context = {
        "mine": base.filter(author=user),
        "supported": base.visible_to(user).filter(supports__resident=user),
        "followed": base.visible_to(user).filter(follows__resident=user).exclude(author=user),
    }
    return render(request, "proposals/mine.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def notifications(request):
    items = (
        _notifications_of(request.user)
        .select_related("proposal")
        .annotate(unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()))
        .order_by("-unread", "-created_at", "-pk")
    )
    page_obj = paginate(request, items, NOTIFICATIONS_PAGE_SIZE)
    context = {
        "page_obj": page_obj,
        "notifications": page_obj.object_list,
        "unread_count": _notifications_of(request.user).filter(read_at__isnull=True).count(),
    }
    return render(request, "proposals/notifications.html", context)


def _notifications_of(user):
    return Notification.objects.shown_to(user, moderator=rules.can_moderate(user))


@login_required
@require_http_methods(["GET", "POST"])
def notifications_read(request):
    if request.method == "POST":
        count = services.mark_notifications_read(resident=request.user)
        if count:
            messages.success(request, _("Toutes vos notifications sont marquées comme lues."))
    return redirect("proposals:notifications")


# --- Staff conveniences on the public page ----------------------------------------------------


def _moderated_proposal(request, pk):
    proposal = _visible_proposal(request, pk, _detail_queryset(request.user))
    if not rules.can_moderate(request.user):
        raise PermissionDenied
    return proposal


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def moderate_status(request, pk):
    proposal = _moderated_proposal(request, pk)
    if request.method != "POST":
        return redirect(proposal)
    form = StatusForm(request.POST, proposal=proposal, prefix="moderation")
    if form.is_valid():
        try:
            step = services.change_status(
                proposal=proposal,
                actor=request.user,
                to_status=form.cleaned_data["to_status"],
                answer=form.cleaned_data["answer"],
            )
        except services.ProposalError as error:
            form.add_error(STATUS_ERROR_FIELDS.get(error.code), error)
        else:
            messages.success(
                request,
                _("Nouvel état : « %(status)s ».") % {"status": step.get_to_status_display()},
            )
            return redirect(_anchor(proposal, "historique"))
    return _render_detail(request, proposal, status_form=form)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def moderate_hide(request, pk):
    proposal = _moderated_proposal(request, pk)
    if request.method != "POST":
        return redirect(proposal)
    form = HideForm(request.POST, prefix="hide")
    if form.is_valid():
        try:
            services.hide_proposal(
                proposal=proposal, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except services.ProposalError as error:
            form.add_error("reason", error)
        else:
            messages.success(request, _("L'idée est masquée au public."))
            return redirect(proposal)
    return _render_detail(request, proposal, hide_form=form)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def moderate_restore(request, pk):
    proposal = _moderated_proposal(request, pk)
    if request.method != "POST":
        return redirect(proposal)
    form = RestoreForm(request.POST, prefix="restore")
    if form.is_valid():
        services.restore_proposal(
            proposal=proposal, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("L'idée est de nouveau visible."))
        return redirect(proposal)
    return _render_detail(request, proposal, restore_form=form)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def moderate_supports(request, pk):
    proposal = _moderated_proposal(request, pk)
    if request.method == "POST":
        is_open = request.POST.get("open") == "1"
        services.set_support_open(proposal=proposal, actor=request.user, is_open=is_open)
        messages.success(
            request,
            _("Les soutiens sont ouverts.") if is_open else _("Les soutiens sont clos."),
        )
    return redirect(_anchor(proposal, "soutien"))


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def moderate_comment_hide(request, pk):
    comment = _visible_comment(request, pk)
    if not rules.can_moderate(request.user):
        raise PermissionDenied
    form = CommentHideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hide_comment(
                comment=comment, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except services.ProposalError as error:
            form.add_error("reason", error)
        else:
            messages.success(request, _("Le commentaire est masqué."))
            return redirect(_comment_anchor(comment))
    context = {"comment": comment, "proposal": comment.proposal, "form": form}
    return render(request, "proposals/comment_hide.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def moderate_comment_restore(request, pk):
    comment = _visible_comment(request, pk)
    if not rules.can_moderate(request.user):
        raise PermissionDenied
    if request.method == "POST":
        services.restore_comment(comment=comment, actor=request.user)
        messages.success(request, _("Le commentaire est de nouveau visible."))
    return redirect(_comment_anchor(comment))
