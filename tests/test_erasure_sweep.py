"""After an account is deleted, its name and address are nowhere in the database.

Amina takes part in everything the platform offers (an idea, comments and a reply, a
support, a follow, a report, a shift, an event, an assembly with published minutes, a
moderated comment); staff act on what she wrote. She deletes her account. Then every text
column of every model — ours, Wagtail's (revisions, logs, search index), allauth's — is
read back, row by row: neither her name nor her address may remain. A new feature that
copies a name into stored text fails here until it registers an eraser
(civic.privacy.erasure) or renders the name at display time.
"""

import json

import pytest
from django.apps import apps
from django.db import models

from civic.accounts.services import delete_account
from civic.assemblies import minutes
from civic.proposals import services as proposals
from civic.volunteering import services as volunteering
from cms.agenda import services as agenda
from tests.agenda_factories import with_places
from tests.factories import ProposalFactory, ShiftFactory
from tests.test_assemblies_minutes import ended_assembly

pytestmark = pytest.mark.django_db

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def stored_text_containing(*needles):
    """{"app.Model.field": [pk, ...]} for every stored value that contains a needle."""
    found = {}
    lowered = [needle.lower() for needle in needles]
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [
            f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS) or _stream(f)
        ]
        if not fields:
            continue
        names = [f.attname for f in fields]
        for row in model._base_manager.values_list("pk", *names):
            for name, value in zip(names, row[1:], strict=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else _as_text(value)
                if any(needle in text.lower() for needle in lowered):
                    found.setdefault(f"{model._meta.label}.{name}", []).append(row[0])
    return found


def _as_text(value):
    raw = getattr(value, "raw_data", value)  # a StreamField's stored blocks
    return json.dumps(list(raw) if raw is not value else raw, ensure_ascii=False, default=str)


def _stream(field):
    return type(field).__name__ == "StreamField"


def test_a_deleted_account_leaves_its_name_and_address_nowhere(
    site_tree, resident, other_resident, manager, tilleuls, mailoutbox
):
    name, address = resident.display_name, resident.email
    assert name == "Amina B."

    # Her idea, answered by staff; her comments on Marcel's idea, which he follows.
    own_idea = ProposalFactory(author=resident, neighbourhood=tilleuls, status="published")
    proposals.change_status(
        proposal=own_idea, actor=manager, to_status="under_study", answer="Nous regardons."
    )
    marcel_idea = ProposalFactory(author=other_resident, neighbourhood=tilleuls, status="published")
    proposals.follow_proposal(proposal=marcel_idea, resident=resident)
    proposals.support_proposal(proposal=marcel_idea, resident=resident)
    comment = proposals.add_comment(proposal=marcel_idea, author=resident, body="Bonne idée")
    marcel_comment = proposals.add_comment(
        proposal=marcel_idea, author=other_resident, body="Merci"
    )
    proposals.add_comment(
        proposal=marcel_idea, author=resident, body="Avec plaisir", parent=marcel_comment
    )
    rude = proposals.add_comment(proposal=marcel_idea, author=resident, body="Hors sujet")
    proposals.report(reporter=resident, reason="spam", comment=marcel_comment)
    proposals.hide_comment(comment=rude, actor=manager, reason="Message retiré")
    # Moderation: the hidden comment's words stay in the comment only (for the appeal).
    assert set(stored_text_containing("Hors sujet")) == {"proposals.Comment.body"}
    assert comment.pk

    # A shift and an event.
    shift = ShiftFactory(action__neighbourhood=tilleuls)
    volunteering.sign_up(shift=shift, actor=resident)
    event = with_places(capacity=5)
    agenda.register(event=event, starts_at=event.start, resident=resident)

    # An assembly she attended, whose minutes are published.
    assembly = ended_assembly(manager, tilleuls, resident)
    page = minutes.generate_minutes(actor=manager, assembly=assembly)
    page.save_revision(user=manager).publish()

    assert stored_text_containing(name, address), "the sweep sees her before"

    delete_account(user=resident)

    assert stored_text_containing(name, address) == {}
