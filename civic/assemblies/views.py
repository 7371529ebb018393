"""The HTML pages of neighbourhood assemblies (/assemblees/): the list, an assembly's page
(registration, QR code, results), the member's live page, the chair's page, the door
(check-in, proxies) and the projector.

Thin views: who may do what is asked of ``rules``, every write goes through ``services``.
Live pages are first rendered from ``live.public_state`` / ``live.personal_state``, the very
dicts the socket sends (first paint = snapshot); ``static/js/assembly-live.js`` then keeps
them up to date. Every page works without JavaScript.

Conventions (the same as the other apps):
- an assembly the person may not see is a 404, exactly like one that does not exist; so is
  a motion, item, request or participant of another assembly, or a malformed id;
- a refused action is a 403 page saying why (``denied_as_page``, shared in ``civic.web``);
- every action is a POST behind ``login_required``; a GET on an action address goes back to
  the page without doing anything;
- a refusal of the services (``AssemblyError``) comes back as a message or a form error.
"""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.validators import slug_re
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from civic import codes
from civic.accounts.emails import email_key
from civic.assemblies import live, results, rules, services
from civic.assemblies.forms import (
    DeskRegisterForm,
    IdForm,
    MotionForm,
    ProxyForm,
    SearchForm,
    VoteForm,
)
from civic.assemblies.models import (
    AgendaItem,
    Assembly,
    FloorRequest,
    Majority,
    Motion,
    MotionStatus,
    Participant,
    QuorumKind,
    SessionStatus,
)
from civic.assemblies.services import AssemblyError
from civic.errors import add_service_error
from civic.links import absolute_url
from civic.territory.models import Neighbourhood
from civic.web import chosen_return, denied_as_page, paginate, remember_back

PAGE_SIZE = 20
DESK_SEARCH_LIMIT = 20
# The door: the list is searched by name, a few hundred people at most.
CHECKIN_LIST_LIMIT = 500
# A refused action: a 403 page with a way back to the assembly and to the list.
_denied_as_page = denied_as_page(
    title=gettext_lazy("Accès refusé"),
    back_label=gettext_lazy("Revenir à la page de l'assemblée"),
    list_url="assemblies:list",
    list_label=gettext_lazy("Voir toutes les assemblées"),
)

# --- Helpers ------------------------------------------------------------------------------


def _visible_assembly(request, pk):
    """The assembly if this person may see it; otherwise the same 404 as a missing one."""
    assembly = Assembly.objects.select_related("neighbourhood").filter(pk=pk).first()
    if assembly is None or not rules.can_view_assembly(request.user, assembly):
        raise Http404
    remember_back(request, assembly.get_absolute_url())
    return assembly


def _require(allowed, message=""):
    if not allowed:
        raise PermissionDenied(message) if message else PermissionDenied


def _posted_id(request, field="id"):
    """The id a button sends; a missing or malformed one is a 404 (nothing to act on)."""
    form = IdForm({"id": request.POST.get(field)})
    if not form.is_valid():
        raise Http404
    return form.cleaned_data["id"]


def outcome_texts():
    """The outcomes in words, in the page's language (also given to the JavaScript)."""
    return {
        results.ADOPTED: _("Adopté"),
        results.REJECTED: _("Rejeté"),
        results.CHOSEN: _("Choix retenu"),
        results.NO_DECISION: _("Aucun choix n'a obtenu la majorité : rien n'est décidé"),
        results.NO_QUORUM: _("Quorum non atteint : rien n'est décidé"),
        results.NO_VOTES: _("Personne n'a voté"),
    }


def result_view(result):
    """A stored result (``results.compute``) ready for the templates: the outcome in words,
    the winning option's label, each tally with its bar width. Never who voted what: the
    result holds only counts."""
    if not result:
        return None
    winner = next((t for t in result["tallies"] if t["option"] == result.get("winner")), None)
    outcome = result.get("outcome")
    text = outcome_texts().get(outcome, outcome)
    if outcome == results.CHOSEN and winner:
        text = _("Choix retenu : %(label)s") % {"label": winner["label"]}
    return {
        **result,
        "outcome_text": text,
        "carried": outcome in (results.ADOPTED, results.CHOSEN),
        "tallies": [
            {**tally, "is_winner": tally["option"] == result.get("winner")}
            for tally in result["tallies"]
        ],
    }


def college_weights_text(colleges):
    """« Habitants : 2 voix, Associations : 1 voix », said beside weighted results."""
    return ", ".join(
        ngettext("%(name)s : %(weight)s voix", "%(name)s : %(weight)s voix", c.weight)
        % {"name": c.name, "weight": c.weight}
        for c in colleges
    )


def _college_weights(assembly, colleges=None):
    if not assembly.use_colleges:
        return ""
    if colleges is None:
        colleges = assembly.colleges.order_by("sort_order", "pk")
    return college_weights_text(colleges)


def rules_explained(assembly, colleges):
    """The voting rules in plain French, one sentence each."""
    sentences = [
        _(
            "Votent les habitants du quartier %(name)s inscrits et notés présents à l'accueil, "
            "ainsi que les membres qui portent la procuration d'un membre absent (une "
            "procuration par personne au plus)."
        )
        % {"name": assembly.neighbourhood.name}
    ]
    if assembly.quorum_kind == QuorumKind.COUNT:
        sentences.append(
            ngettext(
                "Quorum : au moins %(count)s membre présent ou représenté, sinon aucun vote "
                "ne décide rien.",
                "Quorum : au moins %(count)s membres présents ou représentés, sinon aucun vote "
                "ne décide rien.",
                assembly.quorum_value,
            )
            % {"count": assembly.quorum_value}
        )
    elif assembly.quorum_kind == QuorumKind.SHARE:
        sentences.append(
            _(
                "Quorum : %(share)s %% des inscrits doivent être présents ou représentés, "
                "sinon aucun vote ne décide rien."
            )
            % {"share": assembly.quorum_value}
        )
    else:
        sentences.append(_("Pas de quorum : les votes décident quel que soit le nombre présent."))
    majority = {
        Majority.SIMPLE: _(
            "Majorité simple : une proposition est adoptée s'il y a plus de « pour » que de "
            "« contre » ; les abstentions ne comptent pas."
        ),
        Majority.ABSOLUTE: _(
            "Majorité absolue : une proposition est adoptée si plus de la moitié des votants "
            "votent « pour » ; les abstentions comptent comme des votants."
        ),
        Majority.TWO_THIRDS: _(
            "Majorité des deux tiers : une proposition est adoptée si au moins deux tiers des "
            "suffrages exprimés (sans les abstentions) sont « pour »."
        ),
    }[assembly.majority]
    sentences.append(
        majority + " " + _("Le président de séance peut fixer une autre majorité pour un vote.")
    )
    if assembly.use_colleges and colleges:
        weights = college_weights_text(colleges)
        sentences.append(
            _(
                "Vote par collèges : chaque collège pèse son poids (%(weights)s), partagé entre "
                "ses votants selon leurs choix ; un collège où personne ne vote ne compte pas."
            )
            % {"weights": weights}
        )
    sentences.append(_("En cas d'égalité, rien n'est adopté."))
    return sentences


def _states(request, assembly, is_chair=False):
    """The same dicts the socket sends as its snapshot."""
    state = live.public_state(assembly.pk)
    me = live.personal_state(assembly.pk, request.user, is_chair=is_chair)
    return state, me


def _motion_for_page(state, *, show_draft=False):
    motion = state.get("motion") if state else None
    if motion is None or (motion["status"] == MotionStatus.DRAFT and not show_draft):
        return None
    return {**motion, "result_view": result_view(motion.get("result"))}


def live_strings():
    """Words the live script writes, in the page's language."""
    return {
        "outcomes": outcome_texts(),
        "voteOpen": _("Vote ouvert"),
        "voteClosed": _("Vote clos"),
        "voteDraft": _("Vote en préparation"),
        "noMotion": _("Pas de vote en cours."),
        "votesCast": _("Votes exprimés jusqu'ici :"),
        "announceOpen": _("Vote ouvert :"),
        "announceResult": _("Résultat :"),
        "announcePresent": _("Présents :"),
        "yourVote": _("Votre vote"),
        "proxyVote": _("Vote pour %(name)s (procuration)"),
        "submitVote": _("Voter"),
        "changeVote": _("Changer mon vote"),
        "yourChoice": _("Votre choix actuel :"),
        "noChoice": _("Vous n'avez pas encore voté."),
        "voteSaved": _("Vote enregistré."),
        "sending": _("Envoi…"),
        "notPresent": _("Vous pourrez voter quand l'accueil aura noté votre présence."),
        "secret": _("Vote à bulletin secret : personne ne saura ce que vous avez choisi."),
        "speaking": _("A la parole :"),
        "nobodySpeaking": _("Personne n'a la parole."),
        "queueEmpty": _("Personne n'attend la parole."),
        "quorumReached": _("Quorum atteint"),
        "quorumNotReached": _("Quorum non atteint"),
        "noQuorum": _("Pas de quorum requis"),
        "votes": _("voix"),
        "withheld": _(
            "Vote secret : le détail par choix n'est pas publié, il permettrait de retrouver "
            "le choix d'un petit groupe de votants. Seul le résultat est donné."
        ),
        "noItem": _("Pas de point en cours."),
        "sessionNotStarted": _("La séance n'a pas commencé."),
        "sessionOpen": _("Séance en cours"),
        "sessionEnded": _("La séance est terminée."),
        "youSpeak": _("Vous avez la parole."),
        "floorRequest": _("Demander la parole"),
        "floorWithdraw": _("Retirer ma demande"),
        "floorNoted": _("Votre demande de parole est notée."),
        "connectionLost": _("Connexion perdue : nouvelle tentative…"),
        "connectionBack": _("Connexion rétablie."),
    }


def _page_context(request, assembly, *, is_chair=False, show_draft=False):
    state, me = _states(request, assembly, is_chair=is_chair)
    return {
        "assembly": assembly,
        "state": state,
        "me": me,
        "participant": me["participant"],
        "motion": _motion_for_page(state, show_draft=show_draft),
        "attendance": state["attendance"],
        "speakers": state["speakers"],
        "live_strings": live_strings(),
        "socket_path": f"/ws/assemblees/{assembly.pk}/",
        "college_weights": _college_weights(assembly),
    }


# --- List ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def assembly_list(request):
    slug = request.GET.get("quartier") or ""
    neighbourhood = None
    if slug:
        # Checked before the query: PostgreSQL refuses NUL bytes in a query outright (500).
        if not slug_re.fullmatch(slug[:100]):
            raise Http404
        neighbourhood = get_object_or_404(Neighbourhood.objects.all(), slug=slug[:100])
    assemblies = Assembly.objects.select_related("neighbourhood").annotate(
        registered=Count("participants")
    )
    is_staff = rules.is_assembly_manager(request.user)
    if not is_staff:
        assemblies = assemblies.published()
    if neighbourhood is not None:
        assemblies = assemblies.filter(neighbourhood=neighbourhood)
    now = timezone.now()
    upcoming = assemblies.upcoming(now)
    mine_first = Value(1)
    user_hood = getattr(request.user, "neighbourhood_id", None)
    if user_hood:
        mine_first = Case(
            When(neighbourhood_id=user_hood, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    upcoming = list(upcoming.annotate(mine_first=mine_first).order_by("mine_first", "starts_at"))
    past = assemblies.exclude(pk__in=[a.pk for a in upcoming]).order_by("-starts_at", "-pk")
    page_obj = paginate(request, past, PAGE_SIZE)
    context = {
        "upcoming": upcoming,
        "page_obj": page_obj,
        "past": page_obj.object_list,
        "neighbourhood": neighbourhood,
        "neighbourhoods": Neighbourhood.objects.active().order_by("name"),
        "is_staff": is_staff,
        "user_neighbourhood_id": user_hood,
    }
    return render(request, "assemblies/list.html", context)


# --- An assembly's page ---------------------------------------------------------------------


def _register_refusal(user, assembly):
    """Why this person cannot register, in words (None if they can, or are anonymous)."""
    if not user.is_authenticated or rules.can_register(user, assembly):
        return None
    if assembly.session_status == SessionStatus.ENDED:
        return _("Cette assemblée a eu lieu : les inscriptions sont closes.")
    if not rules.is_member_of_neighbourhood(user, assembly):
        return _(
            "Cette assemblée est réservée aux habitants du quartier %(name)s : votre compte est "
            "rattaché à un autre quartier (ou à aucun). Vous pouvez suivre les résultats ici."
        ) % {"name": assembly.neighbourhood.name}
    return _("Les inscriptions ne sont pas ouvertes.")


@require_http_methods(["GET", "HEAD"])
def assembly_detail(request, pk):
    assembly = _visible_assembly(request, pk)
    items = list(assembly.items.select_related("proposal").order_by("sort_order", "pk"))
    for item in items:
        item.public_proposal = (
            item.proposal if item.proposal_id and item.proposal.is_public else None
        )
    colleges = list(assembly.colleges.order_by("sort_order", "pk"))
    registered, quorum = services.attendance(assembly)
    participant = services.participant_for(request.user, assembly)
    qr_svg = checkin_url = None
    if participant is not None:
        # A link, so that any phone's camera opens the right page (see ``code_page``).
        checkin_url = absolute_url(
            reverse("assemblies:code", args=[assembly.pk, participant.presence_code]), request
        )
        qr_svg = codes.qr_svg(checkin_url)
    closed = [
        {"motion": motion, "result": result_view(motion.result)}
        for motion in assembly.motions.filter(status=MotionStatus.CLOSED)
        .select_related("item")
        .order_by("closed_at", "pk")
    ]
    minutes = assembly.minutes_page if assembly.minutes_page_id else None
    if minutes is not None and not minutes.live:
        minutes = None
    context = {
        "assembly": assembly,
        "items": items,
        "colleges": colleges,
        "rules_sentences": rules_explained(assembly, colleges),
        "college_weights": _college_weights(assembly, colleges),
        "registered": registered,
        "quorum": quorum,
        "participant": participant,
        "can_register": rules.can_register(request.user, assembly),
        "register_refusal": _register_refusal(request.user, assembly),
        "can_follow": rules.can_follow_live(request.user, assembly, participant),
        "is_manager": rules.is_assembly_manager(request.user),
        "qr_svg": qr_svg,
        "checkin_url": checkin_url,
        "closed_motions": closed,
        "minutes": minutes,
    }
    return render(request, "assemblies/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def register(request, pk):
    assembly = _visible_assembly(request, pk)
    if request.method != "POST":
        return redirect(assembly)
    already = services.participant_for(request.user, assembly) is not None
    try:
        services.register(assembly=assembly, resident=request.user)
    except AssemblyError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(assembly)
    if already:
        messages.info(request, _("Vous avez déjà une inscription à cette assemblée."))
    else:
        messages.success(
            request,
            _(
                "C'est noté : votre inscription est enregistrée. Montrez le code QR de cette page à "
                "l'accueil le jour de l'assemblée."
            ),
        )
    return redirect(assembly)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def unregister(request, pk):
    assembly = _visible_assembly(request, pk)
    if request.method != "POST":
        return redirect(assembly)
    back = chosen_return(request, assembly.get_absolute_url())
    participant = services.participant_for(request.user, assembly)
    if participant is None:
        messages.info(request, _("Vous n'avez pas d'inscription à cette assemblée."))
        return redirect(back)
    try:
        services.unregister(participant=participant, resident=request.user)
    except AssemblyError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, _("Votre inscription est annulée."))
    return redirect(back)


# --- The member's live page -----------------------------------------------------------------


def _follower(request, pk):
    assembly = _visible_assembly(request, pk)
    participant = services.participant_for(request.user, assembly)
    _require(
        rules.can_follow_live(request.user, assembly, participant),
        _(
            "La séance en direct est réservée aux habitants du quartier %(name)s et à "
            "l'équipe de la Régie."
        )
        % {"name": assembly.neighbourhood.name},
    )
    return assembly, participant


def _ballots(motion, me, data=None, errors_for=None):
    """The member's ballot forms: their own, and one for the member whose proxy they hold.
    ``data``/``errors_for``: a refused POST is shown again on the ballot it came from."""
    participant = me["participant"]
    if motion is None or participant is None or motion["status"] != MotionStatus.OPEN:
        return []
    if not participant["present"]:
        return []
    motion_obj = Motion.objects.prefetch_related("options").get(pk=motion["id"])
    ballots = []
    voters = [(participant["id"], _("Votre vote"), None)]
    if participant["proxy_for"]:
        proxy = participant["proxy_for"]
        voters.append(
            (proxy["id"], _("Vote pour %(name)s (procuration)") % {"name": proxy["name"]}, proxy)
        )
    for voter_id, legend, proxy in voters:
        current = participant["votes"].get(str(voter_id))
        bound = data if errors_for == voter_id else None
        initial = {"option": current, "for": proxy["id"] if proxy else None}
        form = VoteForm(bound, motion=motion_obj, initial=initial, prefix=None)
        if bound is not None:
            form.is_valid()
        ballots.append(
            {
                "voter_id": voter_id,
                "legend": legend,
                "proxy": proxy,
                "form": form,
                "current_id": current,
                "current": next(
                    (o["label"] for o in motion["options"] if o["id"] == current), None
                ),
            }
        )
    return ballots


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
@_denied_as_page
def session(request, pk):
    assembly, _participant = _follower(request, pk)
    context = _page_context(request, assembly, is_chair=rules.can_chair(request.user, assembly))
    context["ballots"] = _ballots(context["motion"], context["me"])
    return render(request, "assemblies/session.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def vote(request, pk, motion_id):
    assembly, participant = _follower(request, pk)
    motion = get_object_or_404(
        Motion.objects.select_related("assembly").prefetch_related("options"),
        pk=motion_id,
        assembly=assembly,
    )
    back = reverse("assemblies:session", args=[assembly.pk])
    if request.method != "POST":
        return redirect(back)
    form = VoteForm(request.POST, motion=motion)
    voter_id = participant.pk if participant else None
    if form.is_valid():
        voter_id = form.on_behalf_of() or voter_id
        try:
            ballot, votes_cast = services.cast_vote(
                actor=request.user,
                motion=motion,
                option_id=form.cleaned_data["option"],
                on_behalf_of=form.on_behalf_of(),
            )
        except AssemblyError as error:
            add_service_error(form, error, "option" if error.code == "bad_option" else None)
        else:
            live.votes_cast_changed(assembly.pk, motion.pk, votes_cast)
            label = next(o.label for o in motion.options.all() if o.pk == ballot.option_id)
            if ballot.voter_id != (participant.pk if participant else None):
                messages.success(
                    request,
                    _("Vote enregistré pour %(name)s : « %(label)s ».")
                    % {"name": ballot.voter.name, "label": label},
                )
            else:
                messages.success(
                    request, _("Votre vote est enregistré : « %(label)s ».") % {"label": label}
                )
            return redirect(back)
    # Shown again on the page, next to the ballot it came from.
    context = _page_context(request, assembly, is_chair=rules.can_chair(request.user, assembly))
    context["ballots"] = _ballots(context["motion"], context["me"], request.POST, voter_id)
    if not any(b["form"].is_bound for b in context["ballots"]):
        # No ballot to show it on (not present, vote closed): the error goes on top.
        context["vote_errors"] = [e for errors in form.errors.values() for e in errors]
    return render(request, "assemblies/session.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def floor_request(request, pk):
    assembly, _participant = _follower(request, pk)
    back = reverse("assemblies:session", args=[assembly.pk])
    if request.method == "POST":
        try:
            services.request_floor(actor=request.user, assembly=assembly)
        except AssemblyError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Votre demande de parole est notée."))
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def floor_withdraw(request, pk):
    assembly, _participant = _follower(request, pk)
    back = reverse("assemblies:session", args=[assembly.pk])
    if request.method == "POST":
        if services.withdraw_floor_request(actor=request.user, assembly=assembly):
            messages.success(request, _("Votre demande de parole est retirée."))
        else:
            messages.info(request, _("Vous n'aviez pas de demande de parole en attente."))
    return redirect(back)


# --- The projector ----------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
@_denied_as_page
def projector(request, pk):
    assembly, _participant = _follower(request, pk)
    context = _page_context(request, assembly)
    return render(request, "assemblies/projector.html", context)


# --- The chair --------------------------------------------------------------------------------


def _chaired(request, pk):
    assembly = _visible_assembly(request, pk)
    _require(
        rules.can_chair(request.user, assembly),
        _("La présidence de séance est réservée à l'équipe de la Régie."),
    )
    return assembly


def _chair_context(request, assembly, motion_form=None):
    context = _page_context(request, assembly, is_chair=True, show_draft=True)
    context.update(
        {
            "items": context["state"]["items"],
            "motion_form": motion_form or MotionForm(assembly=assembly),
            "drafts": list(
                assembly.motions.filter(status=MotionStatus.DRAFT).order_by("created_at", "pk")
            ),
            "closed_motions": [
                {"motion": m, "result": result_view(m.result)}
                for m in assembly.motions.filter(status=MotionStatus.CLOSED).order_by(
                    "closed_at", "pk"
                )
            ],
            "session_status": assembly.session_status,
        }
    )
    return context


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
@_denied_as_page
def chair(request, pk):
    assembly = _chaired(request, pk)
    return render(request, "assemblies/chair.html", _chair_context(request, assembly))


def _chair_do(request, assembly, action):
    """Run one chair action; returns a success message. Raises AssemblyError, Http404."""
    user = request.user
    if action == "ouvrir-seance":
        services.open_session(actor=user, assembly=assembly)
        return _("La séance est ouverte.")
    if action == "terminer-seance":
        services.end_session(actor=user, assembly=assembly)
        return _("La séance est terminée.")
    if action == "point":
        item = get_object_or_404(AgendaItem, pk=_posted_id(request), assembly=assembly)
        services.go_to_item(actor=user, assembly=assembly, item=item)
        return _("Point en cours : %(title)s") % {"title": item.title}
    if action == "point-suivant":
        assembly = services.next_item(actor=user, assembly=assembly)
        return _("Point en cours : %(title)s") % {"title": assembly.current_item.title}
    if action in ("ouvrir-vote", "clore-vote"):
        motion = get_object_or_404(
            Motion.objects.select_related("assembly"), pk=_posted_id(request), assembly=assembly
        )
        if action == "ouvrir-vote":
            services.open_motion(actor=user, motion=motion)
            return _("Le vote est ouvert.")
        services.close_motion(actor=user, motion=motion)
        return _("Le vote est clos : le résultat est affiché.")
    if action == "donner-parole":
        floor = get_object_or_404(
            FloorRequest.objects.select_related("assembly", "participant__user"),
            pk=_posted_id(request),
            assembly=assembly,
        )
        services.give_floor(actor=user, request=floor)
        return _("%(name)s a la parole.") % {"name": floor.participant.name}
    if action == "parole-suivante":
        floor = services.give_floor_to_next(actor=user, assembly=assembly)
        return _("%(name)s a la parole.") % {"name": floor.participant.name}
    if action == "terminer-parole":
        services.end_floor(actor=user, assembly=assembly)
        return _("Intervention terminée.")
    raise Http404


CHAIR_ACTIONS = (
    "ouvrir-seance",
    "terminer-seance",
    "point",
    "point-suivant",
    "ouvrir-vote",
    "clore-vote",
    "donner-parole",
    "parole-suivante",
    "terminer-parole",
)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def chair_action(request, pk, action):
    if action not in CHAIR_ACTIONS and action != "preparer-vote":
        raise Http404
    assembly = _chaired(request, pk)
    back = reverse("assemblies:chair", args=[assembly.pk])
    if request.method != "POST":
        return redirect(back)
    if action == "preparer-vote":
        form = MotionForm(request.POST, assembly=assembly)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.create_motion(
                    actor=request.user,
                    assembly=assembly,
                    question=data["question"],
                    kind=data["kind"],
                    choices=data["choice_list"],
                    is_secret=data["secret"],
                    majority=data["majority"],
                )
            except AssemblyError as error:
                field = {"no_question": "question", "bad_choices": "choices"}.get(error.code)
                add_service_error(form, error, field)
            else:
                messages.success(request, _("Le vote est prêt : ouvrez-le quand vous voulez."))
                return redirect(back)
        context = _chair_context(request, assembly, motion_form=form)
        return render(request, "assemblies/chair.html", context, status=400)
    try:
        text = _chair_do(request, assembly, action)
    except AssemblyError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, text)
    return redirect(back)


# --- The door ---------------------------------------------------------------------------------


def _managed(request, pk):
    assembly = _visible_assembly(request, pk)
    _require(
        rules.is_assembly_manager(request.user),
        _("L'accueil des participants est réservé à l'équipe de la Régie."),
    )
    return assembly


def _checkin_context(request, assembly, *, desk_form=None, proxy_form=None):
    search = SearchForm(request.GET or None)
    query = search.cleaned_data.get("q", "").strip() if search.is_valid() else ""
    participants = assembly.participants.select_related("user", "college", "proxy_holder__user")
    if query:
        participants = participants.filter(
            Q(user__display_name__icontains=query) | Q(user__email__icontains=query)
        )
    participants = participants.annotate(
        holds_proxy=Count("proxies_held", filter=Q(proxies_held__checked_in_at__isnull=True))
    ).order_by("user__display_name", "pk")
    registered, quorum = services.attendance(assembly)
    # NUL bytes dropped: PostgreSQL refuses them in a query (a 500).
    desk_query = (request.GET.get("compte") or "").replace("\x00", "").strip()[:100]
    accounts = []
    if desk_query:
        accounts = list(
            get_user_model()
            .objects.filter(is_active=True, neighbourhood_id=assembly.neighbourhood_id)
            .filter(Q(display_name__icontains=desk_query) | Q(email__icontains=desk_query))
            .exclude(assembly_participations__assembly=assembly)
            .order_by("display_name", "pk")[:DESK_SEARCH_LIMIT]
        )
    proxies = (
        assembly.participants.filter(proxy_holder__isnull=False)
        .select_related("user", "proxy_holder__user")
        .order_by("pk")
    )
    return {
        "assembly": assembly,
        "search_form": search,
        "query": query,
        "participants": participants[:CHECKIN_LIST_LIMIT],
        "registered": registered,
        "quorum": quorum,
        "desk_query": desk_query,
        "accounts": accounts,
        "desk_form": desk_form or DeskRegisterForm(assembly=assembly),
        "proxy_form": proxy_form or ProxyForm(assembly=assembly),
        "proxies": proxies,
        "colleges": list(assembly.colleges.order_by("sort_order", "pk"))
        if assembly.use_colleges
        else [],
        "ended": assembly.session_status == SessionStatus.ENDED,
    }


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
@_denied_as_page
def checkin(request, pk):
    assembly = _managed(request, pk)
    return render(request, "assemblies/checkin.html", _checkin_context(request, assembly))


def _back_to_checkin(request, assembly):
    url = reverse("assemblies:checkin", args=[assembly.pk])
    query = (request.POST.get("q") or "").strip()[:100]
    if query:
        url += "?" + urlencode({"q": query})
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def checkin_presence(request, pk):
    assembly = _managed(request, pk)
    if request.method != "POST":
        return redirect("assemblies:checkin", pk=assembly.pk)
    participant = get_object_or_404(
        Participant.objects.select_related("user", "assembly"),
        pk=_posted_id(request, "participant"),
        assembly=assembly,
    )
    undo = request.POST.get("action") == "annuler"
    try:
        if undo:
            services.undo_check_in(actor=request.user, participant=participant)
            messages.success(
                request, _("La présence de %(name)s est retirée.") % {"name": participant.name}
            )
        else:
            services.check_in(actor=request.user, participant=participant)
            messages.success(
                request, _("La présence de %(name)s est notée.") % {"name": participant.name}
            )
    except AssemblyError as error:
        messages.error(request, " ".join(error.messages))
    return _back_to_checkin(request, assembly)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def checkin_register(request, pk):
    assembly = _managed(request, pk)
    if request.method != "POST":
        return redirect("assemblies:checkin", pk=assembly.pk)
    form = DeskRegisterForm(request.POST, assembly=assembly)
    if form.is_valid():
        data = form.cleaned_data
        users = get_user_model().objects.filter(is_active=True)
        if data.get("user"):
            user = users.filter(pk=data["user"]).first()
        else:
            user = users.filter(email_key=email_key(data["email"])).first()
        if user is None:
            form.add_error("email", _("Aucun compte actif avec cette adresse."))
        else:
            try:
                participant = services.register_at_desk(
                    actor=request.user, assembly=assembly, user=user, college=data.get("college")
                )
            except AssemblyError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("L'inscription de %(name)s est enregistrée. Notez sa présence dans la liste.")
                    % {"name": participant.name},
                )
                return redirect(
                    reverse("assemblies:checkin", args=[assembly.pk])
                    + "?"
                    + urlencode({"q": user.display_name})
                )
    context = _checkin_context(request, assembly, desk_form=form)
    return render(request, "assemblies/checkin.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def checkin_proxy(request, pk):
    assembly = _managed(request, pk)
    if request.method != "POST":
        return redirect("assemblies:checkin", pk=assembly.pk)
    form = ProxyForm(request.POST, assembly=assembly)
    if form.is_valid():
        giver, holder = form.cleaned_data["giver"], form.cleaned_data["holder"]
        try:
            services.give_proxy(actor=request.user, giver=giver, holder=holder)
        except AssemblyError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Procuration notée : %(holder)s votera pour %(giver)s.")
                % {"holder": holder.name, "giver": giver.name},
            )
            return redirect("assemblies:checkin", pk=assembly.pk)
    context = _checkin_context(request, assembly, proxy_form=form)
    return render(request, "assemblies/checkin.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def checkin_proxy_withdraw(request, pk):
    assembly = _managed(request, pk)
    if request.method == "POST":
        giver = get_object_or_404(
            Participant.objects.select_related("user"),
            pk=_posted_id(request, "participant"),
            assembly=assembly,
        )
        services.withdraw_proxy(actor=request.user, giver=giver)
        messages.success(
            request, _("La procuration de %(name)s est retirée.") % {"name": giver.name}
        )
    return redirect("assemblies:checkin", pk=assembly.pk)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@_denied_as_page
def checkin_token(request, pk, token):
    """The check-in confirmation for one member, opened by staff from the QR code's link,
    the code typed at the door, or the long token of earlier QR codes. Staff only: a
    member learns nothing here and cannot check themselves in."""
    assembly = _managed(request, pk)
    participant = (
        Participant.objects.select_related("user", "college")
        .filter(assembly=assembly)
        .with_code(token)
        .first()
    )
    if participant is None:
        raise Http404
    if token != participant.presence_code:
        # One address per person: typed forms and earlier tokens land on the code's.
        return redirect("assemblies:checkin_token", pk=assembly.pk, token=participant.presence_code)
    if request.method == "POST":
        try:
            services.check_in_by_token(actor=request.user, assembly=assembly, token=token)
        except AssemblyError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("La présence de %(name)s est notée.") % {"name": participant.name}
            )
        return redirect("assemblies:checkin_token", pk=assembly.pk, token=participant.presence_code)
    registered, quorum = services.attendance(assembly)
    context = {
        "assembly": assembly,
        "participant": participant,
        "registered": registered,
        "quorum": quorum,
        "ended": assembly.session_status == SessionStatus.ENDED,
    }
    return render(request, "assemblies/checkin_token.html", context)


@never_cache
@require_http_methods(["GET", "HEAD"])
def code_page(request, pk, code):
    """Where a presence code's QR link leads. Staff who may check people in go on to that
    person's check-in confirmation; anyone else (the member, a passer-by) reads what the
    code is for, the same page whether the code exists or not: never whose code it is."""
    assembly = _visible_assembly(request, pk)
    if rules.is_assembly_manager(request.user):
        return redirect("assemblies:checkin_token", pk=assembly.pk, token=code[:300])
    typed = codes.normalize(code)
    participant = services.participant_for(request.user, assembly)
    context = {
        "assembly": assembly,
        "code": codes.display(typed) if typed else "",
        "is_mine": bool(typed and participant and participant.presence_code == typed),
        "entry_url": reverse("assemblies:code_entry", args=[assembly.pk]),
    }
    return render(request, "assemblies/code.html", context)


# The long token of QR codes given before the presence codes (``secrets.token_urlsafe``).
EARLIER_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


@never_cache
@require_http_methods(["GET", "HEAD"])
def code_entry(request, pk):
    """A code typed by hand (any case, spaces, dashes, look-alike letters), or the QR
    link pasted: on to the code's page, which decides what this person may see."""
    assembly = _visible_assembly(request, pk)
    typed = request.GET.get("code", "")
    code = codes.normalize(typed)
    if code:
        return redirect("assemblies:code", pk=assembly.pk, code=code)
    if EARLIER_TOKEN.fullmatch(typed.strip()) and rules.is_assembly_manager(request.user):
        # The long token of an earlier QR code, typed or scanned at the door.
        return redirect("assemblies:checkin_token", pk=assembly.pk, token=typed.strip()[:64])
    context = {
        "assembly": assembly,
        "code": "",
        "is_mine": False,
        "entry_url": reverse("assemblies:code_entry", args=[assembly.pk]),
        "typed": typed[:40],
    }
    if not typed.strip():
        return render(request, "assemblies/code.html", context)
    context["entry_error"] = _(
        "Ce code n'a pas la bonne forme : 6 lettres et chiffres, par exemple K7M-4QX."
    )
    return render(request, "assemblies/code.html", context, status=400)
