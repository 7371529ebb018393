"""Live state of proposals for open list and detail pages (Channels group ``proposals``).

Payloads are built once, after the commit, from the database: the database is the truth,
and a page that reconnects asks for a fresh snapshot (see consumers.ProposalConsumer).

Every state carries a ``version``: the database clock (microseconds since the epoch) at
the read that built it. Two commits on the same idea can have their states read in one
order and delivered in the other (two threads, two event loops, the channel layer);
the consumer keeps, per idea, the newest version it has sent and drops anything older,
so that a page never ends on a stale count.
"""

import logging

from django.db import transaction
from django.db.models.functions import Now

from civic.live.broadcast import send_to_groups

logger = logging.getLogger(__name__)

GROUP = "proposals"
MAX_IDS = 200


def _version(moment):
    return int(moment.timestamp() * 1_000_000)


def state_payload(proposal, version=0):
    """What a page may show of a proposal to anyone: counts and status, never private data."""
    if not proposal.is_public:
        return {"id": proposal.pk, "visible": False, "version": version}
    return {
        "id": proposal.pk,
        "visible": True,
        "status": proposal.status,
        "status_label": str(proposal.get_status_display()),
        "support_count": proposal.support_count,
        "support_open": proposal.support_open,
        "version": version,
    }


def states_for(ids):
    """The states of the proposals among ``ids`` that exist (at most MAX_IDS), one query."""
    from civic.proposals.models import Proposal

    rows = (
        Proposal.objects.filter(pk__in=list(ids)[:MAX_IDS])
        .with_counts()
        .annotate(read_at=Now())
        .only("pk", "status", "support_open", "is_hidden")
        .order_by("pk")
    )
    return [state_payload(row, _version(row.read_at)) for row in rows]


def snapshot_for(ids):
    """One state per requested id; an id that does not exist reads as not visible, like a
    hidden idea (the socket does not tell which ids exist)."""
    ids = list(ids)[:MAX_IDS]
    found = {state["id"]: state for state in states_for(ids)}
    return [found.get(pk) or {"id": pk, "visible": False, "version": 0} for pk in ids]


def broadcast_after_commit(proposal):
    """Tell open pages about ``proposal`` once the current transaction has committed.

    Nothing is sent if it rolls back. A failure here (database or channel layer) is logged:
    the write has already succeeded and must not turn into an error for the person.
    """
    pk = proposal.pk

    def send():
        payloads = states_for([pk])
        if payloads:
            send_to_groups([GROUP], "proposal.state", payloads[0])

    transaction.on_commit(send, robust=True)
