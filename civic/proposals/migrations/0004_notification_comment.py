"""Comment and reply notifications point at the comment they announce.

Existing ones are linked the way they were written: in the same transaction as their
comment (within seconds after it), on the same idea, starting with the author's name.
Those that match no comment keep no link (moderation and erasure then leave them as they
are: they were already rewritten or never named anyone).
"""

from datetime import timedelta

import django.db.models.deletion
from django.db import migrations, models

WRITTEN_WITHIN = timedelta(seconds=5)


def link_comments(apps, schema_editor):
    Notification = apps.get_model("proposals", "Notification")
    Comment = apps.get_model("proposals", "Comment")
    pending = Notification.objects.filter(kind__in=["comment", "reply"], comment__isnull=True)
    for notification in pending.iterator():
        candidates = Comment.objects.filter(
            proposal_id=notification.proposal_id,
            created_at__lte=notification.created_at,
            created_at__gte=notification.created_at - WRITTEN_WITHIN,
            author__isnull=False,
        ).select_related("author")
        for comment in candidates.order_by("-created_at"):
            if notification.message.startswith(comment.author.display_name):
                notification.comment_id = comment.pk
                notification.save(update_fields=["comment"])
                break


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0003_anonymised_contributions"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="comment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notifications",
                to="proposals.comment",
            ),
        ),
        migrations.RunPython(link_comments, migrations.RunPython.noop),
    ]
