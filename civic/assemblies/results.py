"""The result of a vote, computed from the ballots: pure functions, no database.

Definitions (shown to members on the assembly page and in the minutes):

- A ballot is *cast* whatever its choice; it is *expressed* unless it is an abstention.
- Without colleges every ballot weighs 1. With colleges, each college that cast at least one
  ballot holds its weight, shared between the choices in proportion to its own ballots
  (abstentions included): 10 habitants and 2 bailleurs weigh what their colleges weigh,
  not what their head counts weigh. A college with no ballot is left out.
- Majorities, on those (weighted) tallies:
  - ``simple``: for a for/against motion, more *pour* than *contre*; for a choice between
    several options, the option ahead of every other one;
  - ``absolute``: the leading option has more than half of the votes *cast*
    (abstentions count: they do not help a motion pass);
  - ``two_thirds``: the leading option has at least two thirds of the votes *expressed*.
- A tie at the top never carries anything (for/against: a tie is ``rejected``; several
  choices: ``no_decision``).
- Quorum: members present plus members represented by a proxy must reach the required
  number (a share of the registered members is rounded up: 50 % of 7 is 4), otherwise the
  vote is recorded with the outcome ``no_quorum`` (nothing decided, the figures kept for the
  minutes). The quorum comes first: a vote without quorum and without ballots is
  ``no_quorum``, not ``no_votes``.
- ``tallies``: head counts per option (``votes``) and the share of the (weighted) votes
  cast (``share``, in %, rounded to one decimal), so the minutes show both.

Fractions keep every comparison exact (two thirds of 3 is exactly 2).

Disclosure of a secret ballot (``disclose``, applied once at closing, so every door — live
state, projector, member and chair pages, API, minutes, the idea's history — reads the same
record):

- Fewer than ``threshold`` ballots in all (setting ``SECRET_BALLOT_MIN_GROUP``, 3 by
  default): no figure per option, since two voters each know the other's choice.
- Weighted by college and one voting college with fewer than ``threshold`` ballots: no figure
  per option at all, neither head counts, nor weighted shares, nor suffrages expressed. Any of
  them, set against the others or against the outcome, gives the small college away (1 vote
  worth 33.3 % is the lone bailleur voting Contre), and publishing the other colleges' figures
  would only let the withheld one be computed by subtraction. What stays: the outcome, the
  option carried, the number of voters, the quorum.
- Unanimity is published: it reveals a shared choice, not one that stands out.
Open ballots are published in full.
"""

from dataclasses import dataclass
from fractions import Fraction
from math import ceil

ADOPTED = "adopted"  # for/against: carried
REJECTED = "rejected"  # for/against: not carried
CHOSEN = "chosen"  # several choices: one option carried
NO_DECISION = "no_decision"  # several choices: no option reached the majority, or a tie
NO_QUORUM = "no_quorum"
NO_VOTES = "no_votes"

FOR = "for"
AGAINST = "against"


@dataclass(frozen=True)
class Option:
    id: int
    label: str
    is_abstention: bool = False
    # For a for/against motion: FOR, AGAINST, or "" for the abstention.
    role: str = ""


@dataclass(frozen=True)
class Quorum:
    required: int
    present: int
    represented: int

    @property
    def reached(self):
        return self.present + self.represented >= self.required


def quorum_required(kind, value, registered):
    """Members (present or represented) needed: ``kind`` is none / count / share (%)."""
    if kind == "count":
        return value
    if kind == "share":
        return ceil(Fraction(value, 100) * registered)
    return 0


def compute(*, options, ballots, majority, for_against, quorum, college_weights=None):
    """Tally ``ballots`` and decide.

    ``options``: the motion's ``Option`` list, in order. ``ballots``: one
    ``(option_id, college_id)`` pair per ballot (college_id None without colleges).
    ``college_weights``: college id → weight, or None when the assembly has no colleges.
    Returns a JSON-ready dict (stored as the motion's result).
    """
    by_id = {option.id: option for option in options}
    counts = {option.id: 0 for option in options}
    for option_id, _college in ballots:
        counts[option_id] += 1

    weighted = _weighted_tallies(options, ballots, college_weights)
    total_cast = sum(weighted.values(), Fraction(0))
    abstained = sum(
        (weighted[option.id] for option in options if option.is_abstention), Fraction(0)
    )
    expressed = total_cast - abstained

    outcome, winner = _decide(
        options=options,
        weighted=weighted,
        majority=majority,
        for_against=for_against,
        cast=total_cast,
        expressed=expressed,
    )
    if not quorum.reached:
        outcome, winner = NO_QUORUM, None
    elif not ballots:
        outcome, winner = NO_VOTES, None

    return {
        "outcome": outcome,
        "winner": winner,
        "majority": majority,
        "cast": len(ballots),
        "expressed": sum(counts[o.id] for o in options if not o.is_abstention),
        "weighted": college_weights is not None,
        "tallies": [
            {
                "option": option.id,
                "label": by_id[option.id].label,
                "votes": counts[option.id],
                "share": _percent(weighted[option.id], total_cast),
                "is_abstention": option.is_abstention,
            }
            for option in options
        ],
        "quorum": {
            "required": quorum.required,
            "present": quorum.present,
            "represented": quorum.represented,
            "reached": quorum.reached,
        },
    }


FEW_VOTERS = "few_voters"
SMALL_COLLEGE = "small_college"


def college_sizes(ballots):
    """Ballots per college, from the ``(option_id, college_id)`` pairs."""
    sizes = {}
    for _option, college in ballots:
        sizes[college] = sizes.get(college, 0) + 1
    return sizes


def disclose(result, *, secret, weighted, sizes, threshold):
    """What may be published of ``result``: the same dict, or, for a secret ballot whose
    figures would reveal a member or a group smaller than ``threshold``, the per-option
    figures replaced by None and ``withheld`` saying why (``FEW_VOTERS``, ``SMALL_COLLEGE``).
    ``sizes``: ballots per college (``college_sizes``)."""
    withheld = None
    if secret and 0 < result["cast"] < threshold:
        withheld = FEW_VOTERS
    elif secret and weighted and any(0 < n < threshold for n in sizes.values()):
        withheld = SMALL_COLLEGE
    if withheld is None:
        return {**result, "withheld": None}
    return {
        **result,
        "withheld": withheld,
        "withheld_threshold": threshold,
        "expressed": None,
        "tallies": [{**tally, "votes": None, "share": None} for tally in result["tallies"]],
    }


def _weighted_tallies(options, ballots, college_weights):
    tallies = {option.id: Fraction(0) for option in options}
    if college_weights is None:
        for option_id, _college in ballots:
            tallies[option_id] += 1
        return tallies
    per_college = {}
    for option_id, college in ballots:
        per_college.setdefault(college, []).append(option_id)
    for college, choices in per_college.items():
        weight = Fraction(college_weights.get(college, 1))
        for option_id in choices:
            tallies[option_id] += weight / len(choices)
    return tallies


def _decide(*, options, weighted, majority, for_against, cast, expressed):
    if for_against:
        pour = next(o for o in options if o.role == FOR)
        contre = next(o for o in options if o.role == AGAINST)
        votes_for, votes_against = weighted[pour.id], weighted[contre.id]
        if majority == "simple":
            carried = votes_for > votes_against
        elif majority == "absolute":
            carried = votes_for * 2 > cast
        else:
            carried = expressed > 0 and votes_for * 3 >= expressed * 2
        return (ADOPTED, pour.id) if carried else (REJECTED, None)

    candidates = sorted(
        (o for o in options if not o.is_abstention), key=lambda o: weighted[o.id], reverse=True
    )
    if not candidates or weighted[candidates[0].id] == 0:
        return NO_DECISION, None
    leader = candidates[0]
    best = weighted[leader.id]
    if len(candidates) > 1 and weighted[candidates[1].id] == best:
        return NO_DECISION, None
    if majority == "absolute" and not best * 2 > cast:
        return NO_DECISION, None
    if majority == "two_thirds" and not best * 3 >= expressed * 2:
        return NO_DECISION, None
    return CHOSEN, leader.id


def _percent(part, whole):
    if not whole:
        return 0.0
    return round(float(part * 100 / whole), 1)
