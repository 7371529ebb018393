"""The result of a vote (``civic.assemblies.results``), as a table: majority × quorum ×
colleges × ballots → outcome. Pure functions: no database.

Ballots are written compactly: ``"for", "for", "abst"`` without colleges, or
``{"H": "ffa", "C": "c"}`` with colleges (one letter per ballot: f=for, c=contre,
a=abstention; or the choice letters A, B, C and a=abstention).
"""

import pytest

from civic.assemblies import results
from civic.assemblies.results import Option, Quorum

FOR, AGAINST, ABST = 1, 2, 3
FOR_AGAINST = [
    Option(id=FOR, label="Pour", role="for"),
    Option(id=AGAINST, label="Contre", role="against"),
    Option(id=ABST, label="Abstention", is_abstention=True),
]
A, B, C, CHOICE_ABST = 11, 12, 13, 14
CHOICES = [
    Option(id=A, label="Jardin"),
    Option(id=B, label="Bancs"),
    Option(id=C, label="Fresque"),
    Option(id=CHOICE_ABST, label="Abstention", is_abstention=True),
]
LETTERS = {"f": FOR, "c": AGAINST, "A": A, "B": B, "C": C}
# Tripartite governance: habitants weigh 2, collectivités 1, bailleurs 1.
HABITANTS, COLLECTIVITES, BAILLEURS = 101, 102, 103
WEIGHTS = {HABITANTS: 2, COLLECTIVITES: 1, BAILLEURS: 1}
COLLEGE = {"H": HABITANTS, "CL": COLLECTIVITES, "BL": BAILLEURS}

NO_QUORUM_RULE = Quorum(required=0, present=0, represented=0)


def ballots_from(spec, for_against):
    """``"ffca"`` or ``{"H": "ff", "CL": "c"}`` → ``[(option_id, college_id), …]``."""
    abstention = ABST if for_against else CHOICE_ABST
    groups = spec.items() if isinstance(spec, dict) else [(None, spec)]
    return [
        (abstention if letter == "a" else LETTERS[letter], COLLEGE.get(college))
        for college, letters in groups
        for letter in letters
    ]


def run(spec, majority, *, for_against=True, quorum=NO_QUORUM_RULE):
    return results.compute(
        options=FOR_AGAINST if for_against else CHOICES,
        ballots=ballots_from(spec, for_against),
        majority=majority,
        for_against=for_against,
        quorum=quorum,
        college_weights=WEIGHTS if isinstance(spec, dict) else None,
    )


# --- For / against -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "majority, ballots, outcome",
    [
        # simple: more pour than contre; abstentions do not count.
        ("simple", "fffcc", "adopted"),
        ("simple", "ffcc", "rejected"),  # a tie is rejected
        ("simple", "ffccaaaaa", "rejected"),
        ("simple", "faaaaaaaaaa", "adopted"),
        ("simple", "aaa", "rejected"),
        ("simple", "ccc", "rejected"),
        # absolute: more than half of the votes cast, abstentions included.
        ("absolute", "fffcc", "adopted"),  # 3 > 5/2
        ("absolute", "fffcaa", "rejected"),  # 3 = 6/2 is not more than half
        ("absolute", "ffffcaa", "adopted"),  # 4 > 7/2
        ("absolute", "ffcc", "rejected"),
        ("absolute", "faa", "rejected"),  # abstentions do not help a motion pass
        # two thirds of the votes expressed (abstentions are not expressed).
        ("two_thirds", "ffc", "adopted"),  # exactly two thirds carries
        ("two_thirds", "ffcaaaaaaaaaa", "adopted"),
        ("two_thirds", "fffcc", "rejected"),  # 3/5 < 2/3
        ("two_thirds", "ffffffcccca", "rejected"),  # 6/10
        ("two_thirds", "ffffffffcccc", "adopted"),  # 8/12 exactly
        ("two_thirds", "aaa", "rejected"),  # nothing expressed
        ("two_thirds", "f", "adopted"),
    ],
)
def test_for_against_without_colleges(majority, ballots, outcome):
    result = run(ballots, majority)
    assert result["outcome"] == outcome
    assert result["winner"] == (FOR if outcome == "adopted" else None)
    assert result["majority"] == majority
    assert result["weighted"] is False
    votes = {tally["option"]: tally["votes"] for tally in result["tallies"]}
    assert votes == {FOR: ballots.count("f"), AGAINST: ballots.count("c"), ABST: ballots.count("a")}
    assert result["cast"] == len(ballots)
    assert result["expressed"] == len(ballots) - ballots.count("a")


@pytest.mark.parametrize("majority", ["simple", "absolute", "two_thirds"])
@pytest.mark.parametrize("for_against", [True, False])
def test_no_ballot_decides_nothing(majority, for_against):
    result = run("", majority, for_against=for_against)
    assert (result["outcome"], result["winner"], result["cast"]) == ("no_votes", None, 0)
    assert all(tally["votes"] == 0 and tally["share"] == 0.0 for tally in result["tallies"])


# --- Quorum: present + represented by a proxy ---------------------------------------------------


@pytest.mark.parametrize(
    "required, present, represented, ballots, outcome",
    [
        (10, 10, 0, "fffc", "adopted"),
        (10, 6, 4, "fffc", "adopted"),  # proxies count in the quorum
        (10, 6, 3, "fffc", "no_quorum"),
        (10, 9, 0, "ffffffff", "no_quorum"),  # unanimity does not make up for the quorum
        (10, 0, 0, "", "no_quorum"),  # without the quorum, nothing was ever decidable
        (10, 12, 0, "", "no_votes"),
        (0, 0, 0, "f", "adopted"),  # no quorum rule
        (3, 2, 1, "cc", "rejected"),
    ],
)
@pytest.mark.parametrize("with_colleges", [False, True])
def test_quorum(required, present, represented, ballots, outcome, with_colleges):
    quorum = Quorum(required=required, present=present, represented=represented)
    spec = {"H": ballots} if with_colleges else ballots
    result = run(spec, "simple", quorum=quorum)
    assert result["outcome"] == outcome
    assert result["quorum"] == {
        "required": required,
        "present": present,
        "represented": represented,
        "reached": present + represented >= required,
    }
    if outcome == "no_quorum":
        assert result["winner"] is None
        # The figures are kept for the minutes, even when nothing is decided.
        assert sum(tally["votes"] for tally in result["tallies"]) == len(ballots)


@pytest.mark.parametrize(
    "kind, value, registered, required",
    [
        ("none", 40, 100, 0),
        ("count", 12, 100, 12),
        ("count", 12, 5, 12),  # a count may be out of reach: nothing is then decided
        ("share", 50, 8, 4),
        ("share", 50, 7, 4),  # 3.5 members: rounded up
        ("share", 33, 3, 1),  # 0.99 → 1
        ("share", 25, 8, 2),  # exact: not rounded up further
        ("share", 34, 100, 34),
        ("share", 1, 1, 1),
        ("share", 100, 7, 7),
        ("share", 0, 10, 0),
        ("share", 50, 0, 0),
    ],
)
def test_quorum_required_rounds_shares_up(kind, value, registered, required):
    assert results.quorum_required(kind, value, registered) == required


# --- Several choices ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "majority, ballots, outcome, winner",
    [
        ("simple", "AAABBC", "chosen", A),  # ahead of every other one
        ("simple", "ABBBCCaaaaaaa", "chosen", B),
        ("simple", "AABBC", "no_decision", None),  # tie at the top
        ("simple", "ABC", "no_decision", None),
        ("simple", "AAAB", "chosen", A),
        ("simple", "CaBBB", "chosen", B),
        ("simple", "aaa", "no_decision", None),
        ("absolute", "AAABBC", "no_decision", None),  # 3 = 6/2
        ("absolute", "AAAABBC", "chosen", A),  # 4 > 7/2
        ("absolute", "AAAABaaa", "no_decision", None),  # abstentions count as cast
        ("absolute", "AABB", "no_decision", None),
        ("two_thirds", "AAAABB", "chosen", A),  # exactly two thirds
        ("two_thirds", "AAAABBaaaaa", "chosen", A),  # abstentions are not expressed
        ("two_thirds", "AAAABBB", "no_decision", None),
        ("two_thirds", "AAAABC", "chosen", A),
        ("two_thirds", "aa", "no_decision", None),
    ],
)
def test_choices_without_colleges(majority, ballots, outcome, winner):
    result = run(ballots, majority, for_against=False)
    assert (result["outcome"], result["winner"]) == (outcome, winner)
    votes = {tally["option"]: tally["votes"] for tally in result["tallies"]}
    assert votes == {
        A: ballots.count("A"),
        B: ballots.count("B"),
        C: ballots.count("C"),
        CHOICE_ABST: ballots.count("a"),
    }
    assert [tally["option"] for tally in result["tallies"]] == [A, B, C, CHOICE_ABST]


# --- Colleges (habitants 2, collectivités 1, bailleurs 1) ------------------------------------


@pytest.mark.parametrize(
    "majority, ballots, outcome, shares",
    [
        # Ten habitants for, the two other colleges against: 2 against 2, a tie.
        ("simple", {"H": "f" * 10, "CL": "c", "BL": "c"}, "rejected", (50.0, 50.0, 0.0)),
        # Head counts would carry (6 to 5); the habitants' weight is shared: 1.2 to 1.8.
        ("simple", {"H": "ffffffcccc", "CL": "c"}, "rejected", (40.0, 60.0, 0.0)),
        # The bailleurs cast nothing: left out, not counted against.
        ("simple", {"H": "f", "CL": "c"}, "adopted", (66.7, 33.3, 0.0)),
        ("absolute", {"H": "f", "CL": "c"}, "adopted", (66.7, 33.3, 0.0)),
        ("two_thirds", {"H": "f", "CL": "c"}, "adopted", (66.7, 33.3, 0.0)),  # exactly 2/3
        # A college that abstains: cast for absolute, not expressed for two thirds.
        ("absolute", {"H": "ff", "CL": "c", "BL": "a"}, "rejected", (50.0, 25.0, 25.0)),
        ("two_thirds", {"H": "ff", "CL": "c", "BL": "a"}, "adopted", (50.0, 25.0, 25.0)),
        ("simple", {"H": "fa", "CL": "c"}, "rejected", (33.3, 33.3, 33.3)),  # 1 to 1
        ("simple", {"H": "ffa", "CL": "c", "BL": "c"}, "rejected", (33.3, 50.0, 16.7)),
        ("simple", {"H": "c" * 3, "CL": "f", "BL": "f"}, "rejected", (50.0, 50.0, 0.0)),
        ("simple", {"H": "fffc", "BL": "f"}, "adopted", (83.3, 16.7, 0.0)),
        ("simple", {"BL": "aaa"}, "rejected", (0.0, 0.0, 100.0)),
    ],
)
def test_for_against_with_colleges(majority, ballots, outcome, shares):
    result = run(ballots, majority)
    assert result["outcome"] == outcome
    assert result["weighted"] is True
    assert tuple(tally["share"] for tally in result["tallies"]) == shares
    # Head counts stay what they are (the weights only decide).
    letters = "".join(ballots.values())
    assert [tally["votes"] for tally in result["tallies"]] == [
        letters.count("f"),
        letters.count("c"),
        letters.count("a"),
    ]
    assert result["cast"] == len(letters)


@pytest.mark.parametrize(
    "majority, ballots, outcome, winner",
    [
        # Habitants 1.5 A + 0.5 B; collectivités B: 1.5 to 1.5, a tie.
        ("simple", {"H": "AAAB", "CL": "B", "BL": "C"}, "no_decision", None),
        ("simple", {"H": "AAAB", "CL": "B"}, "no_decision", None),
        ("simple", {"H": "AAAA", "CL": "B", "BL": "C"}, "chosen", A),
        # 2 of 4 (weighted) cast: not more than half.
        ("absolute", {"H": "AA", "CL": "B", "BL": "C"}, "no_decision", None),
        ("absolute", {"H": "AA", "CL": "A", "BL": "C"}, "chosen", A),
        ("two_thirds", {"H": "AA", "CL": "B"}, "chosen", A),  # 2 of 3: exactly
        ("two_thirds", {"H": "AA", "CL": "B", "BL": "a"}, "chosen", A),
        ("two_thirds", {"H": "AA", "CL": "B", "BL": "C"}, "no_decision", None),
        # Many habitants, few partners: the heads of the habitants do not outweigh.
        ("simple", {"H": "B" * 20, "CL": "C", "BL": "C"}, "no_decision", None),
    ],
)
def test_choices_with_colleges(majority, ballots, outcome, winner):
    result = run(ballots, majority, for_against=False)
    assert (result["outcome"], result["winner"]) == (outcome, winner)


def test_a_college_without_a_known_weight_weighs_one():
    result = results.compute(
        options=FOR_AGAINST,
        ballots=[(FOR, HABITANTS), (AGAINST, 999), (AGAINST, 999)],
        majority="simple",
        for_against=True,
        quorum=NO_QUORUM_RULE,
        college_weights={HABITANTS: 2},
    )
    assert result["outcome"] == "adopted"  # 2 to 1


def test_the_result_is_json_ready():
    import json

    result = run({"H": "ffa", "CL": "c"}, "two_thirds")
    assert json.loads(json.dumps(result)) == result
