"""Every stored copy of a deleted resident's name is rewritten (civic.privacy.erasure).

Amina attends an assembly whose minutes are published, and comments on an idea that
Marcel follows; she deletes her account. Her name is then in no minutes page (live body,
every Wagtail revision, the public HTML, the search), no notification of Marcel's and no
digest email sent after the deletion.
"""

import pytest
from django.core import mail
from django.urls import reverse

from civic.accounts.services import delete_account
from civic.assemblies import minutes
from civic.assemblies.models import MinutesPage
from civic.privacy import erasure
from civic.proposals import services as proposals
from civic.proposals.models import Notification
from civic.proposals.tasks import send_notification_digest
from tests.factories import ProposalFactory
from tests.test_assemblies_minutes import ended_assembly

pytestmark = pytest.mark.django_db

NAME = "Amina B."
FORMER = "Ancien compte"


def test_every_registered_place_has_an_eraser():
    places = {e.place for e in erasure.ERASERS}
    assert {"notifications", "assembly minutes"} <= places
    assert all(callable(e.forget) for e in erasure.ERASERS)


def test_minutes_forget_the_name_everywhere(site_tree, manager, tilleuls, resident, client):
    assembly = ended_assembly(manager, tilleuls, resident)
    page = minutes.generate_minutes(actor=manager, assembly=assembly)
    assert NAME in page.body
    page.save_revision(user=manager).publish()
    assert NAME in client.get(page.url).content.decode()

    delete_account(user=resident)

    page = MinutesPage.objects.get(pk=page.pk)
    assert NAME not in page.body
    assert FORMER in page.body
    for revision in page.revisions.all():
        assert NAME not in revision.content["body"]
    html = client.get(page.url).content.decode()
    assert NAME not in html and FORMER in html
    found = [p.pk for p in MinutesPage.objects.live().search("Amina")]
    assert page.pk not in found


def test_notifications_and_later_digests_forget_the_name(
    resident, other_resident, tilleuls, client
):
    idea = ProposalFactory(neighbourhood=tilleuls, status="published")
    proposals.follow_proposal(proposal=idea, resident=other_resident)
    proposals.add_comment(proposal=idea, author=resident, body="Bonne idée")
    notification = Notification.objects.get(recipient=other_resident)
    assert notification.message.startswith(NAME)

    delete_account(user=resident)

    notification.refresh_from_db()
    assert NAME not in notification.message and FORMER in notification.message
    client.force_login(other_resident)
    html = client.get(reverse("proposals:notifications")).content.decode()
    assert NAME not in html and FORMER in html
    mail.outbox.clear()
    send_notification_digest.call(other_resident.pk)
    assert len(mail.outbox) == 1
    assert NAME not in mail.outbox[0].body and FORMER in mail.outbox[0].body


def test_a_name_inside_another_word_is_left_alone():
    assert erasure._replace_token("Amina B., Aminata", "Amina", FORMER) == f"{FORMER} B., Aminata"


def test_a_hidden_comment_is_announced_nowhere(resident, other_resident, manager, tilleuls):
    idea = ProposalFactory(neighbourhood=tilleuls, status="published")
    proposals.follow_proposal(proposal=idea, resident=other_resident)
    comment = proposals.add_comment(proposal=idea, author=resident, body="Insulte")
    assert Notification.objects.filter(recipient=other_resident).exists()

    proposals.hide_comment(comment=comment, actor=manager, reason="Propos injurieux")

    assert not Notification.objects.filter(recipient=other_resident).exists()
    mail.outbox.clear()
    send_notification_digest.call(other_resident.pk)
    assert all("a commenté" not in m.body for m in mail.outbox)


def test_the_retention_run_rewrites_the_same_places(resident, other_resident, tilleuls):
    from datetime import timedelta

    from django.utils import timezone

    from civic.privacy.services import purge_personal_data

    idea = ProposalFactory(neighbourhood=tilleuls, status="published")
    proposals.follow_proposal(proposal=idea, resident=other_resident)
    proposals.add_comment(proposal=idea, author=resident, body="Bonne idée")
    long_ago = timezone.now() - timedelta(days=3000)
    type(resident).objects.filter(pk=resident.pk).update(
        last_login=long_ago, date_joined=long_ago, inactivity_warned_at=long_ago
    )
    other_resident.last_login = timezone.now()
    other_resident.save(update_fields=["last_login"])

    assert purge_personal_data()["accounts_deleted"] == 1

    message = Notification.objects.get(recipient=other_resident).message
    assert NAME not in message and FORMER in message


def test_old_attendance_lists_leave_the_minutes(site_tree, manager, tilleuls, resident):
    from datetime import timedelta

    from civic.assemblies.models import Assembly
    from civic.privacy.services import purge_assembly_attendance

    assembly = ended_assembly(manager, tilleuls, resident)
    page = minutes.generate_minutes(actor=manager, assembly=assembly)
    page.save_revision(user=manager).publish()
    Assembly.objects.filter(pk=assembly.pk).update(
        starts_at=assembly.starts_at - timedelta(days=3000)
    )

    assert purge_assembly_attendance() >= 1

    page = MinutesPage.objects.get(pk=page.pk)
    assert NAME not in page.body and FORMER in page.body
    assert all(NAME not in r.content["body"] for r in page.revisions.all())


def test_a_comment_its_author_deletes_is_announced_nowhere(resident, other_resident, tilleuls):
    idea = ProposalFactory(neighbourhood=tilleuls, status="published")
    proposals.follow_proposal(proposal=idea, resident=other_resident)
    comment = proposals.add_comment(proposal=idea, author=resident, body="Finalement non")
    assert Notification.objects.get(recipient=other_resident).comment == comment

    proposals.delete_comment(comment=comment, actor=resident)

    assert not Notification.objects.filter(recipient=other_resident).exists()


def test_a_hidden_idea_is_no_longer_announced_to_its_followers(
    resident, other_resident, manager, tilleuls, client
):
    """Its title (its author's words) leaves the followers' notifications and later digests;
    its author and the moderators still see theirs."""
    idea = ProposalFactory(
        author=resident, neighbourhood=tilleuls, status="published", title="Un titre blessant"
    )
    proposals.follow_proposal(proposal=idea, resident=other_resident)
    proposals.follow_proposal(proposal=idea, resident=resident)
    proposals.change_status(
        proposal=idea, actor=manager, to_status="under_study", answer="Nous regardons."
    )
    assert Notification.objects.filter(recipient=other_resident).exists()
    assert Notification.objects.filter(recipient=resident).exists()

    proposals.hide_proposal(proposal=idea, actor=manager, reason="Propos blessants")

    client.force_login(other_resident)
    page = client.get(reverse("proposals:notifications")).content.decode()
    assert "Un titre blessant" not in page
    mail.outbox.clear()
    send_notification_digest.call(other_resident.pk)
    assert all("Un titre blessant" not in m.body for m in mail.outbox)

    client.force_login(resident)
    assert "Un titre blessant" in client.get(reverse("proposals:notifications")).content.decode()

    # Restored: the followers read it again (nothing was deleted).
    proposals.restore_proposal(proposal=idea, actor=manager)
    client.force_login(other_resident)
    assert "Un titre blessant" in client.get(reverse("proposals:notifications")).content.decode()


def test_the_migration_links_earlier_comment_notifications_to_their_comment(
    resident, other_resident, tilleuls
):
    import importlib

    from django.apps import apps

    link = importlib.import_module(
        "civic.proposals.migrations.0004_notification_comment"
    ).link_comments
    idea = ProposalFactory(neighbourhood=tilleuls, status="published")
    proposals.follow_proposal(proposal=idea, resident=other_resident)
    comment = proposals.add_comment(proposal=idea, author=resident, body="Bonne idée")
    Notification.objects.update(comment=None)  # as written before the link existed
    unrelated = Notification.objects.create(
        recipient=other_resident, proposal=idea, kind="status", message="« x » : À l'étude"
    )

    link(apps, None)

    assert Notification.objects.get(recipient=other_resident, kind="comment").comment == comment
    unrelated.refresh_from_db()
    assert unrelated.comment is None
