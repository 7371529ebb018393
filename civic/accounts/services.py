"""What happens to accounts: sign-up completion, profile changes, deletion."""

import unicodedata

from allauth.core import ratelimit
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from civic.accounts import roles
from civic.accounts.signals import account_closing
from civic.territory.models import Neighbourhood

# Characters that change how text is displayed (bidi overrides, zero-width) but carry no
# meaning in a name; they are used to impersonate others or hide text.
_INVISIBLE_CATEGORIES = {"Cf", "Cc"}
# Letters and symbols that render as blank space: a name made of them looks empty.
_BLANK_LOOKING = {"\u115f", "\u1160", "\u2800", "\u3164", "\uffa0"}


def clean_display_name(value):
    """The name other residents see, without invisible or direction-changing characters."""
    value = unicodedata.normalize("NFC", value)
    cleaned = "".join(
        ch
        for ch in value
        if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES and ch not in _BLANK_LOOKING
    )
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise ValidationError(_("Indiquez le nom que les autres habitants verront."))
    return cleaned


def neighbourhood_choices(user=None):
    """Neighbourhoods a person may pick: the active ones, plus the one they already have
    (a neighbourhood closed since must not block saving the rest of the profile)."""
    condition = Q(is_active=True)
    if user is not None and user.neighbourhood_id:
        condition |= Q(pk=user.neighbourhood_id)
    return Neighbourhood.objects.filter(condition)


def neighbourhood_required(user):
    """Residents belong to a neighbourhood; Régie staff and partners may have none."""
    return not (roles.is_staff_member(user) or roles.is_partner(user))


def language_choices():
    """Each language named in itself, so that anyone can find their own."""
    return [
        (code, capfirst(get_language_info(code)["name_local"]))
        for code, _name in settings.LANGUAGES
    ]


@transaction.atomic
def complete_signup(*, user, display_name, neighbourhood, language="fr"):
    """Called once allauth has created the account: the resident's own details and role."""
    user.display_name = display_name
    user.neighbourhood = neighbourhood
    if language in dict(settings.LANGUAGES):
        user.preferred_language = language
    user.save(update_fields=["display_name", "neighbourhood", "preferred_language"])
    roles.add_to_group(user, roles.RESIDENTS)
    return user


def confirm_password(request, user, password):
    """Check the password of someone already logged in, before an irreversible action.

    Attempts count against allauth's "reauthenticate" rate limit, so that a borrowed
    session cannot be used to guess the password.
    """
    if not ratelimit.consume(request, action="reauthenticate", user=user):
        raise ValidationError(
            _("Trop de tentatives. Patientez quelques minutes avant de réessayer."),
            code="too_many_attempts",
        )
    if not user.check_password(password):
        raise ValidationError(_("Ce mot de passe n'est pas le bon."), code="wrong_password")


@transaction.atomic
def delete_account(*, user, now=None):
    """Delete the account and everything personal attached to it, keeping every tally.

    What outlives the account is anonymised, never deleted, so that counts stay right:
    proposals and comments (shown as « Ancien compte »), supports, volunteer
    sign-ups (places, attendance, hours given) and assembly attendance and ballots. What
    only served the person goes: follows, notifications, the calendar feed, email
    addresses (allauth ``EmailAddress``) and group memberships, with the row. Places on
    shifts not yet over go to the waitlist; registrations for assemblies not yet started
    are withdrawn. Called by the account page and by the retention task
    (``civic.privacy.services``).
    """
    from django.utils import timezone

    from civic.assemblies import services as assemblies
    from civic.assemblies.models import Participant, SessionStatus
    from civic.proposals.models import Support
    from civic.volunteering.models import Signup
    from civic.volunteering.services import release_places_of_departing_resident

    now = now or timezone.now()
    release_places_of_departing_resident(user=user, now=now)
    account_closing.send(sender=delete_account, user=user, now=now)
    upcoming = Participant.objects.filter(
        user=user,
        checked_in_at__isnull=True,
        assembly__session_status=SessionStatus.NOT_STARTED,
        assembly__starts_at__gt=now,
    ).exclude(ballots__isnull=False)
    for participant in upcoming:
        assemblies.unregister(participant=participant, resident=user)
    # Names copied into stored text (notifications, minutes): rewritten while the links
    # that find them still exist (civic.privacy.erasure).
    from civic.privacy.erasure import forget_person

    forget_person(user)
    # Explicit rather than left to SET_NULL: what stays, on purpose.
    Support.objects.filter(resident=user).update(resident=None)
    Signup.objects.filter(user=user).update(user=None)
    Participant.objects.filter(user=user).update(user=None)
    user.delete()
