"""Background work: one grouped email per resident with their new notifications."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import default_task_backend, task

from civic.links import site_origin
from civic.proposals import rules
from civic.proposals.models import Notification

# Waiting a little lets several events (a status change, then replies) share one email.
DIGEST_DELAY = timedelta(seconds=getattr(settings, "NOTIFICATION_EMAIL_DELAY_SECONDS", 300))


def schedule_digests(recipient_ids):
    can_defer = getattr(default_task_backend, "supports_defer", False)
    for pk in recipient_ids:
        if can_defer and DIGEST_DELAY:
            send_notification_digest.using(run_after=timezone.now() + DIGEST_DELAY).enqueue(pk)
        else:
            send_notification_digest.enqueue(pk)


@task()
def send_notification_digest(user_id):
    """Email every not-yet-emailed notification of one resident, in one message."""
    User = get_user_model()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    with transaction.atomic():
        pending = list(
            # Locked by primary key: a row lock cannot go through the join to the idea.
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .shown_to(user, moderator=rules.can_moderate(user))
            .filter(emailed_at__isnull=True, read_at__isnull=True)
            .select_related("proposal")
            .order_by("created_at", "pk")
        )
        if not pending:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(
            emailed_at=timezone.now()
        )
        if not getattr(user, "email_notifications", True):
            return 0
        with translation.override(user.preferred_language or "fr"):
            context = {"user": user, "notifications": pending, "site_url": site_origin()}
            subject = render_to_string("proposals/email/digest_subject.txt", context).strip()
            body = render_to_string("proposals/email/digest.txt", context)
        # Sent inside the transaction: if sending fails, the notifications stay un-emailed
        # and the next digest retries them.
        send_mail(subject, body, None, [user.email])
    return len(pending)
