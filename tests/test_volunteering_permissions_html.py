"""Who may do what on the volunteering pages: personas × shift states, through the HTML views.

Each row checks the response AND the database: an allowed action leaves its mark, a
refused one (login, 403, 404) or one with nothing to do writes nothing at all.

Personas: ``anonymous``; ``resident`` (not signed up); ``signed_up`` (a resident with a
place on the shift — for a cancelled shift, the sign-up the cancellation ended); ``staff``
(Régie, with ``volunteering.manage_volunteering``, not signed up).

States: ``open`` (places left), ``full`` (no place left), ``past`` (ended), ``cancelled``
(by the Régie), ``unpublished`` (action hidden from the public).

Outcomes:
- ``ok``: done, then redirected back to the action;
- ``same``: redirected back with a message, nothing to do (already signed up / not signed up);
- ``403``: the "action impossible" page; ``404``: the same page as a missing action;
- ``login``: redirected to the login page.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from civic.volunteering import services
from civic.volunteering.models import Action, Shift, Signup
from tests.factories import ShiftFactory, UserFactory

pytestmark = pytest.mark.django_db

STATES = ("open", "full", "past", "cancelled", "unpublished")
PERSONAS = ("anonymous", "resident", "signed_up", "staff")

# One column per state, in the order of STATES.
EXPECTED = {
    "sign_up": {
        "anonymous": "login login login login login",
        "resident": "ok ok 403 403 404",
        "signed_up": "same same 403 403 404",
        "staff": "ok ok 403 403 403",
    },
    "cancel": {
        "anonymous": "login login login login login",
        "resident": "same same same same 404",
        "signed_up": "ok ok 403 same 404",
        "staff": "same same same same same",
    },
    "view": {
        "anonymous": "200 200 200 200 404",
        "resident": "200 200 200 200 404",
        "signed_up": "200 200 200 200 404",
        "staff": "200 200 200 200 200",
    },
}

# What the action page offers for the shift (only where the page is shown).
OFFERS = {
    "anonymous": "login login none none -",
    "resident": "sign_up waitlist none none -",
    "signed_up": "cancel cancel none none -",
    "staff": "sign_up waitlist none none none",
}


def table(actions):
    return [
        pytest.param(action, persona, state, outcome, id=f"{action}-{persona}-{state}")
        for action in actions
        for persona in PERSONAS
        for state, outcome in zip(STATES, EXPECTED[action][persona].split(), strict=True)
    ]


@pytest.fixture
def people(resident, other_resident, manager):
    return {
        "anonymous": None,
        "resident": resident,
        "signed_up": other_resident,
        "staff": manager,
    }


def make_shift(state, people):
    """A shift with 2 places in the given state; ``signed_up`` took a place while it was
    open (and someone else the other place, when full)."""
    shift = ShiftFactory(capacity=2)
    services.sign_up(shift=shift, actor=people["signed_up"])
    if state == "full":
        services.sign_up(shift=shift, actor=UserFactory())
    elif state == "past":
        now = timezone.now()
        Shift.objects.filter(pk=shift.pk).update(
            starts_at=now - timedelta(hours=5), ends_at=now - timedelta(hours=3)
        )
    elif state == "cancelled":
        services.cancel_shift(actor=people["staff"], shift=shift)
    elif state == "unpublished":
        Action.objects.filter(pk=shift.action_id).update(is_published=False)
    shift.refresh_from_db()
    return shift


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def snapshot(shift):
    """Everything a sign-up or a cancellation could write."""
    row = Shift.objects.values("seats_taken", "capacity", "is_cancelled").get(pk=shift.pk)
    signups = list(
        Signup.objects.filter(shift=shift)
        .order_by("pk")
        .values_list("user_id", "status", "promoted_at", "cancelled_at")
    )
    return row, signups, Signup.objects.count()


def request(action, client, shift, state):
    if action == "view":
        return client.get(f"/agir/{shift.action_id}/")
    if action == "sign_up":
        waitlist = "1" if state == "full" else "0"
        return client.post(f"/agir/creneau/{shift.pk}/inscription/", {"liste_attente": waitlist})
    if action == "cancel":
        return client.post(f"/agir/creneau/{shift.pk}/desinscription/")
    raise AssertionError(action)


def assert_effect(action, shift, user, state, before):
    shift.refresh_from_db()
    seats_before = before[0]["seats_taken"]
    mine = Signup.objects.filter(shift=shift, user=user).order_by("-pk").first()
    if action == "sign_up":
        assert Signup.objects.active().filter(shift=shift, user=user).count() == 1
        if state == "open":
            assert mine.status == Signup.Status.CONFIRMED
            assert shift.seats_taken == seats_before + 1
        else:
            assert mine.status == Signup.Status.WAITLISTED
            assert shift.seats_taken == seats_before
    elif action == "cancel":
        assert mine.status == Signup.Status.CANCELLED and mine.cancelled_at
        assert shift.seats_taken == seats_before - 1
    else:
        raise AssertionError(action)


@pytest.mark.parametrize("action, persona, state, outcome", table(("sign_up", "cancel")))
def test_permission_table(people, action, persona, state, outcome):
    user = people[persona]
    shift = make_shift(state, people)
    before = snapshot(shift)

    response = request(action, client_for(user), shift, state)

    if outcome == "ok":
        assert response.status_code == 302, response.content[:300]
        assert response["Location"] == f"/agir/{shift.action_id}/"
        assert_effect(action, shift, user, state, before)
        return
    if outcome == "same":
        assert response.status_code == 302, response.content[:300]
        assert response["Location"] == f"/agir/{shift.action_id}/"
    elif outcome == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/comptes/login/?next=")
    else:
        assert response.status_code == int(outcome)
        if outcome == "403":
            assert "Action impossible" in response.content.decode()
    assert snapshot(shift) == before, "a refused action wrote to the database"


@pytest.mark.parametrize("action, persona, state, outcome", table(("view",)))
def test_action_page_table(people, action, persona, state, outcome):
    shift = make_shift(state, people)
    before = snapshot(shift)

    response = request(action, client_for(people[persona]), shift, state)

    assert response.status_code == int(outcome)
    assert snapshot(shift) == before
    if outcome != "200":
        return
    offer = dict(zip(STATES, OFFERS[persona].split(), strict=True))[state]
    page = response.content.decode()
    offers = {
        "sign_up": f'action="/agir/creneau/{shift.pk}/inscription/"' in page
        and 'name="liste_attente" value="0"' in page,
        "waitlist": f'action="/agir/creneau/{shift.pk}/inscription/"' in page
        and 'name="liste_attente" value="1"' in page,
        "cancel": f'action="/agir/creneau/{shift.pk}/desinscription/"' in page,
        "login": f"/comptes/login/?next=/agir/{shift.action_id}/" in page,
    }
    expected = {name: name == offer for name in offers}
    assert offers == expected


def test_a_resident_cannot_cancel_someone_else_through_the_page(people):
    shift = make_shift("open", people)
    before = snapshot(shift)
    response = client_for(people["resident"]).post(f"/agir/creneau/{shift.pk}/desinscription/")
    assert response.status_code == 302
    assert snapshot(shift) == before


def test_an_inactive_account_cannot_sign_up(people):
    shift = make_shift("open", people)
    user = people["resident"]
    client = client_for(user)
    user.is_active = False
    user.save()
    before = snapshot(shift)
    response = client.post(f"/agir/creneau/{shift.pk}/inscription/", {"liste_attente": "0"})
    assert response.status_code == 302  # logged out: back to the login page
    assert response["Location"].startswith("/comptes/login/?next=")
    assert snapshot(shift) == before


def test_mine_is_only_for_logged_in_people(people):
    for persona in PERSONAS:
        response = client_for(people[persona]).get("/agir/mes-creneaux/")
        if persona == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code == 200


def test_calendar_link_needs_login(client):
    response = client.post("/agir/mes-creneaux/lien-agenda/")
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/?next=")
