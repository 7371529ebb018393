"""Emails about assembly registrations, sent after the commit, in the person's language and
the site's time zone; the registration carries the assembly as an ``.ics`` attachment."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from civic import calendars
from civic.assemblies.calendar import assembly_event
from civic.links import absolute_url, site_origin

logger = logging.getLogger(__name__)


def assembly_calendar(assembly):
    return calendars.calendar_file([assembly_event(assembly)])


def _send(*, user, assembly, template, presence_code="", with_calendar=False):
    """Send one email about ``assembly``; False when the person has no email address."""
    if user is None or not user.email:
        return False
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "assembly": assembly,
            "user": user,
            "presence_code": presence_code,
            "assembly_url": absolute_url(assembly.get_absolute_url()),
            "registrations_url": absolute_url(reverse("accounts:registrations")),
            "site_url": site_origin(),
        }
        subject = render_to_string(f"assemblies/email/{template}_subject.txt", context)
        body = render_to_string(f"assemblies/email/{template}.txt", context)
        filename = _("assemblee") + ".ics"
    # A header holds one line.
    subject = " ".join(subject.split())
    message = EmailMessage(subject, body, to=[user.email])
    if with_calendar:
        message.attach(filename, assembly_calendar(assembly), "text/calendar")
    message.send()
    return True


def _send_logged(template, **kwargs):
    try:
        _send(template=template, **kwargs)
    except Exception as error:
        # A failing address must not undo the registration.
        logger.error("Assembly email %s not sent (%s)", template, type(error).__name__)


def registered_after_commit(participant):
    pk = participant.pk

    def after():
        from civic.assemblies.models import Participant

        fresh = Participant.objects.select_related("assembly", "user").filter(pk=pk).first()
        if fresh is None:
            return  # withdrawn in the meantime
        _send_logged(
            "registered",
            user=fresh.user,
            assembly=fresh.assembly,
            presence_code=fresh.presence_code_display,
            with_calendar=True,
        )

    transaction.on_commit(after, robust=True)


def unregistered_after_commit(*, user, assembly):
    # The participant row is deleted: the email is built from the person and the assembly.
    user_pk, assembly_pk = user.pk, assembly.pk

    def after():
        from civic.accounts.models import User
        from civic.assemblies.models import Assembly, Participant

        if Participant.objects.filter(assembly_id=assembly_pk, user_id=user_pk).exists():
            return  # registered again in the meantime
        person = User.objects.filter(pk=user_pk).first()
        fresh = Assembly.objects.filter(pk=assembly_pk).first()
        if person is not None and fresh is not None:
            _send_logged("unregistered", user=person, assembly=fresh)

    transaction.on_commit(after, robust=True)
