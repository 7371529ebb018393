"""Live state of proposals for open list and detail pages (Channels group ``proposals``).

Payloads are built once, after the commit, from the database: the database is the truth,
and a page that reconnects asks for a fresh snapshot (see consumers.ProposalConsumer).
"""

from django.db import transaction

from civic.live.broadcast import send_to_groups

GROUP = "proposals"


def state_payload(proposal):
    """What a page may show of a proposal to anyone: counts and status, never private data."""
    if not proposal.is_public:
        return {"id": proposal.pk, "visible": False}
    return {
        "id": proposal.pk,
        "visible": True,
        "status": proposal.status,
        "status_label": str(proposal.get_status_display()),
        "support_count": proposal.support_count,
        "support_open": proposal.support_open,
    }


def states_for(ids):
    from civic.proposals.models import Proposal

    rows = Proposal.objects.filter(pk__in=list(ids)[:200]).with_counts()
    return [state_payload(row) for row in rows]


def broadcast_after_commit(proposal):
    pk = proposal.pk

    def send():
        payloads = states_for([pk])
        if payloads:
            send_to_groups([GROUP], "proposal.state", payloads[0])

    transaction.on_commit(send)
