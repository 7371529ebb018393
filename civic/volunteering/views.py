"""The HTML pages of volunteer actions (/agir/) and their calendars (.ics).

Thin views: who may do what is asked of ``rules``, every sign-up and cancellation goes
through ``services``. Each page works without JavaScript; ``static/js/volunteering-live.js``
only refreshes the places left and waitlist lengths already on the action page.

Conventions (the same as the idea pages):
- an action (or a shift of an action) the person may not see is a 404, exactly like one
  that does not exist;
- a refused action is a 403 page saying why (``denied_as_page``, shared in ``civic.web``);
- every action is a POST behind ``login_required``; a GET on an action address (e.g. after
  logging in again) goes back to the action without doing anything;
- a sign-up the service refuses for a reason the person can fix (same time as another
  shift, shift just became full) comes back to the action page with a clear message.
"""

from collections import defaultdict
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, IntegerField, Min, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from civic import codes, dates
from civic.links import absolute_url
from civic.volunteering import calendar as ics
from civic.volunteering import rules, services
from civic.volunteering.forms import ActionFilterForm, SignupForm
from civic.volunteering.models import Action, CalendarFeed, Shift, Signup
from civic.web import (
    chosen_return,
    denied_as_page,
    done_url,
    new_form_token,
    paginate,
    remember_back,
    remember_done,
)

PAGE_SIZE = 20
PAST_SIGNUPS_SHOWN = 50
# The private feed shows the past year too: people look back at what they did.
FEED_PAST_DAYS = 365
FEED_MAX_AGE = 300
# A refused action: a 403 page with a way back to the action and to the list.
_denied_as_page = denied_as_page(
    back_label=gettext_lazy("Revenir à la page précédente"),
    list_url="volunteering:list",
    list_label=gettext_lazy("Voir toutes les actions"),
)

# --- Helpers ------------------------------------------------------------------------------


def _visible_action(request, pk):
    """The action if this person may see it; otherwise the same 404 as a missing one."""
    action = Action.objects.select_related("neighbourhood__regie", "proposal").filter(pk=pk).first()
    if action is None or not rules.can_view_action(request.user, action):
        raise Http404
    remember_back(request, action.get_absolute_url())
    return action


def _visible_shift(request, pk):
    shift = Shift.objects.select_related("action__neighbourhood__regie").filter(pk=pk).first()
    if shift is None or not rules.can_view_action(request.user, shift.action):
        raise Http404
    remember_back(request, _shift_anchor(shift))
    return shift


def _shift_anchor(shift):
    return f"{shift.action.get_absolute_url()}#creneau-{shift.pk}"


def _when(value):
    """Local date and time for messages, like « samedi 14 juin 2025 à 10 h »."""
    return dates.day_and_clock(value)


def _shift_label(shift):
    return _when(shift.starts_at)


def _duration_label(hours):
    """3.5 → "3 h 30", 2.0 → "2 heures": easier to read than "3,5 heures"."""
    whole, minutes = divmod(round(hours * 60), 60)
    if not minutes:
        return ngettext("%(hours)s heure", "%(hours)s heures", whole) % {"hours": whole}
    if not whole:
        return ngettext("%(minutes)s minute", "%(minutes)s minutes", minutes) % {"minutes": minutes}
    return _("%(hours)s h %(minutes)02d") % {"hours": whole, "minutes": minutes}


def _regie_phone(action):
    return action.neighbourhood.regie.phone


def _waitlist_positions(signups):
    """Sets ``position`` (1 = next to get a place) on waitlisted sign-ups, in one query."""
    waiting = [s for s in signups if s.status == Signup.Status.WAITLISTED]
    if not waiting:
        return
    order = defaultdict(list)
    rows = (
        Signup.objects.waitlisted()
        .filter(shift_id__in={s.shift_id for s in waiting})
        .values_list("shift_id", "pk")
    )
    for shift_id, pk in rows:
        order[shift_id].append(pk)
    for signup in waiting:
        queue = order[signup.shift_id]
        signup.position = queue.index(signup.pk) + 1 if signup.pk in queue else None


def _shift_state(shift, now):
    """One word the templates and the tests read: why a shift can or cannot be joined."""
    if shift.is_cancelled:
        return "cancelled"
    if shift.ends_at <= now:
        return "past"
    if shift.starts_at <= now:
        return "running"
    if not rules.shift_is_open(shift, now):
        return "closed"
    if shift.places_left == 0:
        return "full"
    return "open"


def _closed_reason(shift, now=None):
    state = _shift_state(shift, now or timezone.now())
    if state == "cancelled":
        return _("Ce créneau est annulé : on ne peut plus s'y inscrire.")
    if state == "past":
        return _("Ce créneau est terminé : on ne peut plus s'y inscrire.")
    if state == "running":
        return _("Ce créneau a déjà commencé : les inscriptions sont closes.")
    return _("Ce créneau n'est pas ouvert aux inscriptions.")


def _too_late_reason(shift, now=None):
    now = now or timezone.now()
    if shift.ends_at <= now:
        return _("Ce créneau est terminé.")
    phone = _regie_phone(shift.action)
    deadline = _when(shift.cancellation_deadline())
    if phone:
        return _(
            "Il est trop tard pour se désinscrire en ligne (c'était possible jusqu'au "
            "%(deadline)s). Si vous ne pouvez pas venir, appelez la Régie au %(phone)s."
        ) % {"deadline": deadline, "phone": phone}
    return _(
        "Il est trop tard pour se désinscrire en ligne (c'était possible jusqu'au "
        "%(deadline)s). Si vous ne pouvez pas venir, prévenez la Régie."
    ) % {"deadline": deadline}


def _signup_error_text(error):
    """The words shown for a sign-up the service refuses, by error code."""
    if error.code == "overlap":
        return _(
            "%(reason)s Vous ne pouvez pas être à deux endroits en même temps : "
            "désinscrivez-vous d'abord de l'autre créneau si vous préférez celui-ci."
        ) % {"reason": error.message}
    if error.code == "full":
        return _(
            "Ce créneau vient d'être complet : votre inscription n'a pas pu être faite. "
            "Vous pouvez rejoindre la liste d'attente."
        )
    if error.code == "closed":
        return _(
            "Ce créneau n'est plus ouvert aux inscriptions : votre inscription n'a pas pu être faite."
        )
    return error.message


# --- List -----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def action_list(request):
    form = ActionFilterForm(request.GET or None)
    slug = form.neighbourhood_slug()
    if form.is_bound and form.errors:
        messages.warning(
            request, _("Ce quartier n'est pas reconnu : toutes les actions sont affichées.")
        )
    now = timezone.now()
    open_shift = Q(shifts__starts_at__gt=now, shifts__is_cancelled=False)
    actions = (
        Action.objects.published()
        .annotate(
            next_starts_at=Min("shifts__starts_at", filter=open_shift),
            open_shift_count=Count("shifts", filter=open_shift),
            open_places=Sum(
                F("shifts__capacity") - F("shifts__seats_taken"),
                filter=open_shift,
                output_field=IntegerField(),
            ),
        )
        .filter(next_starts_at__isnull=False)
        .select_related("neighbourhood")
        .order_by("next_starts_at", "pk")
    )
    if slug:
        actions = actions.filter(neighbourhood__slug=slug)
    page_obj = paginate(request, actions, PAGE_SIZE)
    context = {
        "form": form,
        "page_obj": page_obj,
        "actions": page_obj.object_list,
        "filtered": bool(slug),
    }
    return render(request, "volunteering/list.html", context)


# --- Action page ----------------------------------------------------------------------------


def _decorate_shifts(shifts, user, now):
    """What the page shows for each shift, and what this person may do there, with one
    query for their sign-ups and one for their waitlist positions (whatever the number of
    shifts)."""
    mine = {}
    if user.is_authenticated and shifts:
        signups = list(
            Signup.objects.active().filter(user=user, shift__action_id=shifts[0].action_id)
        )
        _waitlist_positions(signups)
        mine = {signup.shift_id: signup for signup in signups}
    for shift in shifts:
        shift.state = _shift_state(shift, now)
        shift.my_signup = mine.get(shift.pk)
        shift.can_cancel = False
        if shift.my_signup is not None:
            shift.my_signup.shift = shift
            shift.can_cancel = rules.can_cancel(user, shift.my_signup, now)
        shift.can_sign_up = shift.my_signup is None and shift.state in ("open", "full")
    return shifts


@require_http_methods(["GET", "HEAD"])
def action_detail(request, pk):
    action = _visible_action(request, pk)
    now = timezone.now()
    # Through the action's manager: each shift already knows its action (no query each).
    shifts = _decorate_shifts(
        list(action.shifts.with_waitlist().order_by("starts_at", "pk")), request.user, now
    )
    upcoming = [shift for shift in shifts if shift.ends_at > now]
    past = [shift for shift in reversed(shifts) if shift.ends_at <= now]
    proposal = action.proposal if action.proposal_id and action.proposal.is_public else None
    context = {
        "action": action,
        "upcoming": upcoming,
        "past": past,
        "live": any(shift.state in ("open", "full", "running") for shift in upcoming),
        "proposal": proposal,
        "regie_phone": _regie_phone(action),
        "is_manager": rules.is_volunteer_manager(request.user),
        "token": new_form_token(),
    }
    return render(request, "volunteering/detail.html", context)


# --- Presence codes -------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD"])
def shift_code(request, pk, code):
    """Where a presence code's QR link leads. Staff who may check people in go on to the
    shift's check-in page with that person's confirmation; anyone else (the volunteer, a
    passer-by) reads what the code is for, the same page whether the code exists or not:
    never whose code it is."""
    shift = _visible_shift(request, pk)
    if rules.can_manage(request.user):
        checkin = reverse("volunteering_staff:checkin", args=[shift.pk])
        return redirect(f"{checkin}?{urlencode({'code': code[:300]})}")
    typed = codes.normalize(code)
    mine = (
        typed is not None
        and request.user.is_authenticated
        and Signup.objects.active()
        .filter(shift=shift, user=request.user, presence_code=typed)
        .exists()
    )
    return render(request, "volunteering/code.html", _code_context(shift, typed, mine=mine))


@never_cache
@require_http_methods(["GET", "HEAD"])
def shift_code_entry(request, pk):
    """A code typed by hand (any case, spaces, dashes, look-alike letters), or the QR link
    pasted: on to the code's page, which decides what this person may see."""
    shift = _visible_shift(request, pk)
    typed = request.GET.get("code", "")
    code = codes.normalize(typed)
    if code:
        return redirect("volunteering:code", pk=shift.pk, code=code)
    context = _code_context(shift, None, mine=False, typed=typed[:40])
    if not typed.strip():
        return render(request, "volunteering/code.html", context)
    context["entry_error"] = _(
        "Ce code n'a pas la bonne forme : 6 lettres et chiffres, par exemple K7M-4QX."
    )
    return render(request, "volunteering/code.html", context, status=400)


def _code_context(shift, code, *, mine, typed=""):
    return {
        "shift": shift,
        "action": shift.action,
        "when": _shift_label(shift),
        "code": codes.display(code) if code else "",
        "is_mine": mine,
        "typed": typed,
        "entry_url": reverse("volunteering:code_entry", args=[shift.pk]),
    }


# --- Sign-up and cancellation -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def sign_up(request, pk):
    shift = _visible_shift(request, pk)
    back = shift.action.get_absolute_url()
    if request.method != "POST":
        return redirect(_shift_anchor(shift))
    form = SignupForm(request.POST)
    token = form.one_time_token()
    # One key per shift: the same page may be used again for another shift (back button).
    done_key = f"{token}:{shift.pk}" if token else ""
    done = done_url(request, done_key)
    if done:
        return redirect(done)
    if not rules.can_sign_up(request.user, shift):
        raise PermissionDenied(_closed_reason(shift))
    if Signup.objects.active().filter(shift=shift, user=request.user).exists():
        messages.info(request, _("Vous avez déjà une inscription à ce créneau."))
        return redirect(back)
    try:
        signup = services.sign_up(
            shift=shift, actor=request.user, join_waitlist=form.join_waitlist()
        )
    except services.VolunteeringError as error:
        messages.error(request, _signup_error_text(error))
        return redirect(back)
    remember_done(request, done_key, back)
    label = _shift_label(shift)
    if signup.status == Signup.Status.CONFIRMED:
        messages.success(
            request,
            _(
                "C'est noté, merci ! Votre inscription au créneau du %(shift)s est enregistrée. "
                "Votre code de présence est dans « Mes créneaux »."
            )
            % {"shift": label},
        )
    else:
        _waitlist_positions([signup])
        messages.success(
            request,
            _(
                "Le créneau du %(shift)s est complet : vous êtes sur la liste d'attente "
                "(n° %(position)s). Vous recevrez un courriel si une place se libère."
            )
            % {"shift": label, "position": signup.position},
        )
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
@_denied_as_page
def cancel(request, pk):
    shift = _visible_shift(request, pk)
    if request.method != "POST":
        return redirect(_shift_anchor(shift))
    back = chosen_return(request, shift.action.get_absolute_url())
    remember_back(request, back)
    signup = Signup.objects.active().filter(shift=shift, user=request.user).first()
    if signup is None:
        # Already cancelled (double click), or never signed up: nothing to do.
        messages.info(request, _("Vous n'avez pas d'inscription à ce créneau."))
        return redirect(back)
    signup.shift = shift
    if not rules.can_cancel(request.user, signup):
        raise PermissionDenied(_too_late_reason(shift))
    was_waitlisted = signup.status == Signup.Status.WAITLISTED
    services.cancel_signup(signup=signup, actor=request.user)
    label = _shift_label(shift)
    if was_waitlisted:
        text = _("Vous avez quitté la liste d'attente du créneau du %(shift)s.")
    else:
        text = _("Votre inscription au créneau du %(shift)s est annulée. Merci d'avoir prévenu !")
    messages.success(request, text % {"shift": label})
    return redirect(back)


# --- Mes créneaux ---------------------------------------------------------------------------


def _feed_urls(request, feed):
    if feed is None:
        return None, None
    url = absolute_url(reverse("volunteering:feed", args=[feed.token]), request)
    return url, "webcal://" + url.split("://", 1)[1]


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def mine(request):
    user = request.user
    now = timezone.now()
    coming = list(
        Signup.objects.active()
        .filter(user=user, shift__ends_at__gt=now, shift__is_cancelled=False)
        .select_related("shift__action__neighbourhood__regie")
        .order_by("shift__starts_at", "pk")
    )
    _waitlist_positions(coming)
    for signup in coming:
        signup.can_cancel = rules.can_cancel(user, signup, now)
        if signup.status == Signup.Status.CONFIRMED:
            # A link, so that any phone's camera opens the right page (see ``shift_code``).
            signup.qr_svg = codes.qr_svg(
                absolute_url(
                    reverse("volunteering:code", args=[signup.shift_id, signup.presence_code]),
                    request,
                )
            )
    past = list(
        Signup.objects.counted_for_hours(now)
        .filter(user=user)
        .select_related("shift__action")
        .order_by("-shift__starts_at", "-pk")[:PAST_SIGNUPS_SHOWN]
    )
    hours = services.hours_given(user=user, now=now)
    feed = CalendarFeed.objects.filter(user=user).first()
    feed_url, webcal_url = _feed_urls(request, feed)
    context = {
        "confirmed": [s for s in coming if s.status == Signup.Status.CONFIRMED],
        "waitlisted": [s for s in coming if s.status == Signup.Status.WAITLISTED],
        "past": past,
        "hours": hours,
        "hours_label": _duration_label(hours),
        "feed_url": feed_url,
        "webcal_url": webcal_url,
    }
    return render(request, "volunteering/mine.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_link(request):
    if request.method == "POST":
        _feed, created = services.regenerate_calendar_feed(user=request.user)
        if created:
            messages.success(request, _("Votre lien d'agenda est prêt."))
        else:
            messages.success(
                request,
                _("Voici votre nouveau lien d'agenda. L'ancien lien ne fonctionne plus."),
            )
    return redirect(reverse("volunteering:mine") + "#agenda")


# --- Calendars (.ics) ---------------------------------------------------------------------


def _ics_response(content, filename, *, private=False):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'{"inline" if private else "attachment"}; filename="{filename}"'
    )
    if private:
        response["Cache-Control"] = f"private, max-age={FEED_MAX_AGE}"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "HEAD"])
def shift_calendar(request, pk):
    shift = _visible_shift(request, pk)
    content = ics.calendar_for_shifts([shift], name=shift.action.title, request=request)
    return _ics_response(content, f"agir-creneau-{shift.pk}.ics")


@require_http_methods(["GET", "HEAD"])
def action_calendar(request, pk):
    action = _visible_action(request, pk)
    # The shifts share ``action`` (and its Régie) already loaded: no query per shift.
    content = ics.calendar_for_shifts(action.shifts.all(), name=action.title, request=request)
    return _ics_response(content, f"agir-action-{action.pk}.ics")


@require_http_methods(["GET", "HEAD"])
def private_feed(request, token):
    """The person's shifts for their calendar app, which cannot log in: the secret address
    is the key. Unknown or replaced address: 404."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not rules.is_resident(feed.user):
        raise Http404
    user = feed.user
    signups = (
        Signup.objects.active()
        .filter(
            user=user,
            shift__is_cancelled=False,
            shift__ends_at__gte=timezone.now() - timedelta(days=FEED_PAST_DAYS),
        )
        .select_related("shift__action__neighbourhood")
        .order_by("shift__starts_at", "pk")
    )
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        content = ics.calendar_for_signups(
            signups, name=_("Mes créneaux — Quartier Commun"), request=request
        )
    return _ics_response(content, "mes-creneaux.ics", private=True)
