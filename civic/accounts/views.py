from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from civic.accounts import services
from civic.accounts.forms import DeleteAccountForm, ProfileForm
from civic.accounts.models import User
from civic.assemblies.models import Participant, SessionStatus
from civic.volunteering import rules as volunteering_rules
from civic.volunteering.models import Signup

PAST_SHOWN = 20


def _set_language_cookie(response, language):
    """The same cookie as Django's ``set_language`` view, so the language switch agrees."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    # A fresh copy: a rejected form must not leave its values on request.user.
    account = User.objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.preferred_language)
        messages.success(request, _("Votre profil est enregistré."))
        response = redirect("accounts:profile")
        _set_language_cookie(response, user.preferred_language)
        return response
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        # Only ever the logged-in person: the URL carries no id and the form no user.
        services.delete_account(user=request.user)
        logout(request)
        messages.success(request, _("Votre compte est supprimé. Merci pour votre participation."))
        return redirect("/")
    return render(request, "accounts/delete_account.html", {"form": form})


def _waitlist_rank(queryset, item, **same_list):
    return queryset.filter(**same_list, created_at__lte=item.created_at).count()


def _upcoming_shifts(user, now):
    signups = list(
        Signup.objects.active()
        .filter(user=user, shift__ends_at__gt=now, shift__is_cancelled=False)
        .select_related("shift__action__neighbourhood__regie")
    )
    waiting = Signup.objects.filter(status=Signup.Status.WAITLISTED)
    for signup in signups:
        signup.kind = "shift"
        signup.starts_at = signup.shift.starts_at
        signup.can_cancel = volunteering_rules.can_cancel(user, signup, now)
        if signup.status == Signup.Status.CONFIRMED:
            signup.code_url = reverse(
                "volunteering:code", args=[signup.shift_id, signup.presence_code]
            )
        else:
            signup.position = _waitlist_rank(waiting, signup, shift_id=signup.shift_id)
    return signups


def _upcoming_events(user, now):
    # Through the account's relation: the domain does not import the CMS (see STYLE.md).
    registrations = list(
        user.event_registrations.filter(
            status__in=["confirmed", "waitlisted"], slot__starts_at__gt=now
        ).select_related("slot__event")
    )
    for registration in registrations:
        event = registration.slot.event.specific
        registration.kind = "event"
        registration.event = event
        registration.starts_at = registration.slot.starts_at
        registration.occurrence = event.occurrence_starting(registration.slot.starts_at)
        registration.cancel_url = event.url + event.reverse_subpage("cancel")
        registration.can_cancel = registration.slot.starts_at > now
        if registration.status == "waitlisted":
            registration.position = _waitlist_rank(
                type(registration).objects.filter(status="waitlisted"),
                registration,
                slot_id=registration.slot_id,
            )
    return registrations


def _upcoming_assemblies(user):
    participants = list(
        Participant.objects.filter(user=user)
        .exclude(assembly__session_status=SessionStatus.ENDED)
        .select_related("assembly")
    )
    for participant in participants:
        participant.kind = "assembly"
        participant.starts_at = participant.assembly.starts_at
        participant.can_cancel = participant.checked_in_at is None
        participant.code_url = reverse(
            "assemblies:code", args=[participant.assembly_id, participant.presence_code]
        )
    return participants


def _past(user, now):
    shifts = [
        {
            "kind": "shift",
            "when": s.shift.starts_at,
            "title": s.shift.action.title,
            "url": s.shift.action.get_absolute_url(),
        }
        for s in Signup.objects.counted_for_hours(now)
        .filter(user=user)
        .select_related("shift__action")
        .order_by("-shift__starts_at")[:PAST_SHOWN]
    ]
    events = [
        {
            "kind": "event",
            "when": r.slot.starts_at,
            "title": r.slot.event.title,
            "url": r.slot.event.url,
        }
        for r in user.event_registrations.filter(status="confirmed", slot__starts_at__lte=now)
        .select_related("slot__event")
        .order_by("-slot__starts_at")[:PAST_SHOWN]
    ]
    assemblies = [
        {
            "kind": "assembly",
            "when": p.assembly.starts_at,
            "title": p.assembly.title,
            "url": p.assembly.get_absolute_url(),
        }
        for p in Participant.objects.filter(user=user, checked_in_at__isnull=False)
        .filter(assembly__starts_at__lte=now)
        .select_related("assembly")
        .order_by("-assembly__starts_at")[:PAST_SHOWN]
    ]
    return sorted(shifts + events + assemblies, key=lambda item: item["when"], reverse=True)[
        :PAST_SHOWN
    ]


@login_required
@never_cache
def my_registrations(request):
    """Every sign-up of the person, soonest first, then what they took part in."""
    user = request.user
    now = timezone.now()
    upcoming = sorted(
        _upcoming_shifts(user, now) + _upcoming_events(user, now) + _upcoming_assemblies(user),
        key=lambda item: item.starts_at,
    )
    context = {"upcoming": upcoming, "past": _past(user, now)}
    return render(request, "accounts/registrations.html", context)
