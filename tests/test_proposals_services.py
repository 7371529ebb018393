"""The business rules of proposals, through their service functions."""

import pytest
from django.core.exceptions import PermissionDenied

from civic.proposals import services
from civic.proposals.lifecycle import Status
from civic.proposals.models import Follow, Notification, StatusChange, Support
from tests.factories import ProposalFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def theme():
    return ThemeFactory(slug="proprete", name="Propreté")


def test_submit_then_publish_then_answer_builds_a_public_history(resident, manager, theme):
    proposal = services.submit_proposal(
        author=resident,
        title="Des bancs place des Tilleuls",
        description="Pour que les anciens puissent s'asseoir.",
        theme=theme,
        neighbourhood=resident.neighbourhood,
    )
    assert proposal.status == Status.SUBMITTED
    assert Follow.objects.filter(proposal=proposal, resident=resident).exists()

    services.publish_proposal(proposal=proposal, actor=manager)
    services.change_status(
        proposal=proposal, actor=manager, to_status=Status.UNDER_STUDY, answer="On regarde."
    )
    proposal.refresh_from_db()
    assert proposal.status == Status.UNDER_STUDY
    steps = list(StatusChange.objects.filter(proposal=proposal).values_list("to_status", flat=True))
    assert steps == [Status.SUBMITTED, Status.PUBLISHED, Status.UNDER_STUDY]
    # The author follows their idea and hears about each step.
    assert Notification.objects.filter(recipient=resident, proposal=proposal).count() == 2


def test_residents_cannot_moderate(resident, other_resident):
    proposal = ProposalFactory(author=resident, status=Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.publish_proposal(proposal=proposal, actor=other_resident)
    with pytest.raises(PermissionDenied):
        services.publish_proposal(proposal=proposal, actor=resident)


def test_answer_is_required_for_a_decision(manager, resident):
    proposal = ProposalFactory(author=resident)
    with pytest.raises(services.ProposalError):
        services.change_status(proposal=proposal, actor=manager, to_status=Status.REJECTED)


def test_support_is_idempotent_and_reaches_the_threshold(resident, other_resident, regie):
    regie.support_threshold = 2
    regie.save()
    proposal = ProposalFactory(author=resident)
    services.support_proposal(proposal=proposal, resident=other_resident)
    services.support_proposal(proposal=proposal, resident=other_resident)
    assert Support.objects.filter(proposal=proposal).count() == 1
    proposal.refresh_from_db()
    assert proposal.status == Status.PUBLISHED
    third = UserFactory(neighbourhood=resident.neighbourhood)
    services.support_proposal(proposal=proposal, resident=third)
    proposal.refresh_from_db()
    assert proposal.status == Status.UNDER_STUDY
    assert proposal.history.filter(automatic=True, to_status=Status.UNDER_STUDY).count() == 1


def test_no_support_once_closed(resident, other_resident, manager):
    proposal = ProposalFactory(author=resident)
    services.set_support_open(proposal=proposal, actor=manager, is_open=False)
    proposal.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.support_proposal(proposal=proposal, resident=other_resident)


def test_merge_moves_supports_without_double_counting(resident, other_resident, manager):
    target = ProposalFactory(author=resident)
    duplicate = ProposalFactory(author=other_resident)
    both = UserFactory()
    only_duplicate = UserFactory()
    services.support_proposal(proposal=target, resident=both)
    services.support_proposal(proposal=duplicate, resident=both)
    services.support_proposal(proposal=duplicate, resident=only_duplicate)
    services.merge_proposal(duplicate=duplicate, into=target, actor=manager)
    assert Support.objects.filter(proposal=target).count() == 2
    assert Support.objects.filter(proposal=duplicate).count() == 0
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == target


def test_followers_get_one_grouped_email_unless_they_opted_out(
    resident, other_resident, manager, mailoutbox, django_capture_on_commit_callbacks
):
    proposal = ProposalFactory(author=resident)
    services.follow_proposal(proposal=proposal, resident=resident)
    services.follow_proposal(proposal=proposal, resident=other_resident)
    other_resident.email_notifications = False
    other_resident.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(
            proposal=proposal, actor=manager, to_status=Status.UNDER_STUDY, answer="On étudie."
        )

    to_resident = [m for m in mailoutbox if resident.email in m.to]
    assert len(to_resident) == 1
    assert proposal.title in to_resident[0].body
    assert f"/idees/{proposal.pk}/" in to_resident[0].body
    assert not [m for m in mailoutbox if other_resident.email in m.to]
    # Both still see it on the site.
    assert Notification.objects.filter(recipient=other_resident, proposal=proposal).count() == 1


def test_a_submitted_duplicate_cannot_be_merged_into_public_view(resident, other_resident, manager):
    target = ProposalFactory(author=resident)
    unmoderated = ProposalFactory(author=other_resident, status=Status.SUBMITTED)
    with pytest.raises(services.ProposalError):
        services.merge_proposal(duplicate=unmoderated, into=target, actor=manager)
    unmoderated.refresh_from_db()
    assert unmoderated.status == Status.SUBMITTED and not unmoderated.is_public


def test_stored_notifications_use_the_site_language_whoever_acts(resident, other_resident):
    from django.utils import translation

    proposal = ProposalFactory(author=resident)
    services.follow_proposal(proposal=proposal, resident=resident)
    with translation.override("en"):
        services.add_comment(proposal=proposal, author=other_resident, body="Bonne idée")
    message = Notification.objects.get(recipient=resident, proposal=proposal).message
    assert "a commenté" in message
