"""Retention: what the platform stops keeping, and when (run daily by ``tasks``).

- Accounts unused for ``PRIVACY_INACTIVE_ACCOUNT_DAYS`` (last login, or sign-up for
  someone who never logged in) are deleted through ``delete_account``: contributions are
  anonymised and every tally stays. ``PRIVACY_INACTIVE_WARNING_DAYS`` before that, one
  email warns the person; logging in again cancels the warning. An account is never
  deleted less than the warning period after its warning, whatever happened meanwhile
  (a worker that did not run, a change of settings). Staff and superusers are never
  deleted automatically.
- Volunteer rosters and assembly attendance lists older than
  ``PRIVACY_ROSTER_RETENTION_DAYS`` lose the people on them; the rows stay, so places,
  attendance counts, hours given and results are unchanged.
- Expired sessions are removed.

Every step is idempotent: running it twice on the same day changes nothing more.
"""

import logging
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from civic.accounts.services import delete_account
from civic.links import absolute_url
from civic.privacy import retention

logger = logging.getLogger(__name__)


def _people():
    """Accounts the retention rules apply to: never Régie staff (who may use the Wagtail
    admin, through a group or in person) nor superusers."""
    User = get_user_model()
    access_admin = {"codename": "access_admin", "content_type__app_label": "wagtailadmin"}
    staff = User.objects.filter(
        Q(**{f"groups__permissions__{k}": v for k, v in access_admin.items()})
        | Q(**{f"user_permissions__{k}": v for k, v in access_admin.items()})
    ).values("pk")
    return (
        User.objects.filter(is_staff=False, is_superuser=False)
        .exclude(pk__in=staff)
        .annotate(last_seen=Coalesce("last_login", "date_joined"))
    )


def reset_warnings_of_returning_people():
    """Someone warned who logged in since: the warning no longer holds."""
    return (
        get_user_model()
        .objects.filter(
            inactivity_warned_at__isnull=False, last_login__gt=F("inactivity_warned_at")
        )
        .update(inactivity_warned_at=None)
    )


def deletion_date(user, *, now=None):
    """When an account warned at ``inactivity_warned_at`` will be deleted."""
    r = retention.current()
    last_seen = user.last_login or user.date_joined
    return max(last_seen + r.inactive_account, (user.inactivity_warned_at or now) + r.warning)


def _send_warning(user, now):
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "deletion_date": deletion_date(user, now=now),
            "login_url": absolute_url(reverse("account_login")),
            "privacy_url": absolute_url(reverse("privacy:page")),
            "retention": retention.current(),
        }
        subject = render_to_string("privacy/email/inactivity_subject.txt", context).strip()
        body = render_to_string("privacy/email/inactivity.txt", context)
    send_mail(subject, body, None, [user.email])


def warn_inactive_accounts(*, now=None):
    """One email per account entering its last ``warning`` days; returns how many."""
    now = now or timezone.now()
    r = retention.current()
    threshold = now - (r.inactive_account - r.warning)
    candidates = _people().filter(last_seen__lte=threshold, inactivity_warned_at__isnull=True)
    sent = 0
    for user in list(candidates):
        # Claimed by a conditional update: two runs at once send one email.
        claimed = (
            get_user_model()
            .objects.filter(pk=user.pk, inactivity_warned_at__isnull=True)
            .update(inactivity_warned_at=now)
        )
        if not claimed:
            continue
        user.inactivity_warned_at = now
        try:
            _send_warning(user, now)
        except Exception as error:
            # Not sent: release the claim, the next run tries again (and the deletion waits
            # for a warning that went out).
            get_user_model().objects.filter(pk=user.pk, inactivity_warned_at=now).update(
                inactivity_warned_at=None
            )
            # The error's class only: SMTP errors quote the recipient's address.
            logger.error(
                "Inactivity warning for user %s not sent (%s).", user.pk, type(error).__name__
            )
            continue
        sent += 1
    return sent


def delete_inactive_accounts(*, now=None):
    """Delete (anonymise) accounts unused for the whole period and warned long enough ago."""
    now = now or timezone.now()
    r = retention.current()
    expired = _people().filter(
        last_seen__lte=now - r.inactive_account,
        inactivity_warned_at__lte=now - r.warning,
    )
    deleted = 0
    for user in list(expired):
        try:
            delete_account(user=user, now=now)
        except Exception:
            # One failure must not stop the others; the next run tries again.
            logger.exception("Inactive account %s could not be deleted.", user.pk)
            continue
        deleted += 1
    return deleted


@transaction.atomic
def purge_rosters(*, now=None):
    """Volunteer sign-ups on shifts ended before the retention period lose their person
    (account link, desk volunteer, staff who registered or checked them in); desk
    volunteers left with no sign-up are deleted. Returns (sign-ups, desk volunteers)."""
    from civic.volunteering.models import OfflineVolunteer, Signup

    now = now or timezone.now()
    cutoff = now - retention.current().roster
    signups = (
        Signup.objects.filter(shift__ends_at__lt=cutoff)
        .filter(
            Q(user__isnull=False)
            | Q(offline_volunteer__isnull=False)
            | Q(registered_by__isnull=False)
            | Q(checked_in_by__isnull=False)
        )
        .update(user=None, offline_volunteer=None, registered_by=None, checked_in_by=None)
    )
    volunteers, _details = OfflineVolunteer.objects.filter(
        created_at__lt=cutoff, signups__isnull=True
    ).delete()
    return signups, volunteers


@transaction.atomic
def purge_assembly_attendance(*, now=None):
    """Attendance lists of assemblies held before the retention period lose their people;
    participants, proxies and ballots stay, so results and turnout are unchanged."""
    from civic.assemblies.models import Participant
    from civic.privacy.erasure import forget_in_minutes

    now = now or timezone.now()
    cutoff = now - retention.current().roster
    old = Participant.objects.filter(assembly__starts_at__lt=cutoff, user__isnull=False)
    # The names those lists put into the minutes go with them.
    for participant in old.select_related("user"):
        name = (participant.user.display_name or "").strip()
        if name:
            forget_in_minutes(participant.user, name, assembly_ids=[participant.assembly_id])
    return (
        Participant.objects.filter(assembly__starts_at__lt=cutoff)
        .filter(
            Q(user__isnull=False) | Q(registered_by__isnull=False) | Q(checked_in_by__isnull=False)
        )
        .update(user=None, registered_by=None, checked_in_by=None)
    )


def clear_expired_sessions():
    engine = import_module(settings.SESSION_ENGINE)
    try:
        engine.SessionStore.clear_expired()
    except NotImplementedError:  # cookie sessions: nothing stored
        pass


def purge_personal_data(*, now=None):
    """Everything above, in order; returns the counts (no personal data: safe to log)."""
    now = now or timezone.now()
    counts = {"warnings_reset": reset_warnings_of_returning_people()}
    # Deleting before warning: an account warned today is never deleted today.
    counts["accounts_deleted"] = delete_inactive_accounts(now=now)
    counts["accounts_warned"] = warn_inactive_accounts(now=now)
    counts["signups_anonymised"], counts["desk_volunteers_deleted"] = purge_rosters(now=now)
    counts["participants_anonymised"] = purge_assembly_attendance(now=now)
    clear_expired_sessions()
    logger.info("Personal data retention: %s", counts)
    return counts
