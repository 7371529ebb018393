"""The volunteering pages (/agir/), through the real URLs, templates and services.

Journeys: sign up → confirmed; full → waitlist; a cancellation promotes the first waiting
person; double submission; the cancellation cut-off; overlapping shifts; past shifts; the
list with its filter; "Mes créneaux" with hours given and the check-in QR code. Then
escaping, constant query counts and the markup the live script relies on.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civic.volunteering import services
from civic.volunteering.models import Action, CalendarFeed, Shift, Signup
from tests.factories import (
    ActionFactory,
    NeighbourhoodFactory,
    ProposalFactory,
    ShiftFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/agir/"
MINE_URL = "/agir/mes-creneaux/"


# --- Helpers ------------------------------------------------------------------------------


def login(user):
    client = Client()
    client.force_login(user)
    return client


def action_url(action):
    return f"/agir/{action.pk}/"


def sign_up_url(shift):
    return f"/agir/creneau/{shift.pk}/inscription/"


def cancel_url(shift):
    return f"/agir/creneau/{shift.pk}/desinscription/"


def html(response):
    return response.content.decode()


def text_of(response):
    """The visible text, spaces collapsed (for sentences cut by markup)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(response)))


def shift_block(page, shift):
    """The HTML of one shift on the action page."""
    match = re.search(
        rf'<li class="shift [^"]*" id="creneau-{shift.pk}".*?</li>\s*(?=<li class="shift|</ol>)',
        page,
        re.S,
    )
    assert match, f"shift {shift.pk} not on the page"
    return match.group(0)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id":
                self.ids.append(value)


def duplicate_ids(page):
    parser = _Ids()
    parser.feed(page)
    return {i for i in parser.ids if parser.ids.count(i) > 1}


def active_signups(shift, user=None):
    signups = Signup.objects.active().filter(shift=shift)
    return signups.filter(user=user) if user is not None else signups


# --- Sign up, waitlist, cancel ----------------------------------------------------------------


def test_sign_up_confirms_and_the_page_says_so(resident):
    shift = ShiftFactory(capacity=3)
    client = login(resident)
    page = html(client.get(action_url(shift.action)))
    assert f'action="{sign_up_url(shift)}"' in page
    assert "Je m&#x27;inscris" in page or "Je m'inscris" in page

    response = client.post(sign_up_url(shift), {"liste_attente": "0"}, follow=True)

    signup = active_signups(shift, resident).get()
    assert signup.status == Signup.Status.CONFIRMED
    shift.refresh_from_db()
    assert shift.seats_taken == 1
    assert response.redirect_chain[-1][0] == action_url(shift.action)
    assert any("Votre inscription au créneau" in m for m in messages_of(response))
    block = shift_block(html(response), shift)
    assert "Votre inscription est enregistrée." in block
    assert "data-places-left>2<" in block
    assert f'action="{cancel_url(shift)}"' in block
    assert "Me désinscrire" in block
    assert "jusqu&#x27;au" in block or "jusqu'au" in block  # the cut-off is shown


def test_full_shift_offers_the_waitlist_and_puts_the_resident_on_it(resident, other_resident):
    shift = ShiftFactory(capacity=1)
    services.sign_up(shift=shift, actor=other_resident)
    client = login(resident)
    block = shift_block(html(client.get(action_url(shift.action))), shift)
    assert "Rejoindre la liste d&#x27;attente" in block or "Rejoindre la liste d'attente" in block
    assert "data-places-left>0<" in block

    response = client.post(sign_up_url(shift), {"liste_attente": "1"}, follow=True)

    assert active_signups(shift, resident).get().status == Signup.Status.WAITLISTED
    shift.refresh_from_db()
    assert shift.seats_taken == 1
    assert any("liste d'attente (n° 1)" in m for m in messages_of(response))
    block = shift_block(html(response), shift)
    assert "Vous êtes en liste d&#x27;attente" in block or "Vous êtes en liste d'attente" in block
    assert "n° 1" in block
    assert "data-waitlist>1<" in block
    assert "Quitter la liste d" in block


def test_clicking_sign_up_on_a_shift_that_just_became_full_says_so(resident, other_resident):
    shift = ShiftFactory(capacity=1)
    page = html(login(resident).get(action_url(shift.action)))  # seen while a place was left
    assert 'name="liste_attente" value="0"' in page
    services.sign_up(shift=shift, actor=other_resident)

    response = login(resident).post(sign_up_url(shift), {"liste_attente": "0"}, follow=True)

    assert not active_signups(shift, resident).exists()
    assert any("vient d'être complet" in m for m in messages_of(response))
    assert "Rejoindre la liste d" in shift_block(html(response), shift)


def test_cancel_promotes_the_first_waiting_resident(resident, other_resident):
    shift = ShiftFactory(capacity=1)
    third = UserFactory(display_name="Troisième")
    login(resident).post(sign_up_url(shift), {"liste_attente": "0"})
    login(other_resident).post(sign_up_url(shift), {"liste_attente": "1"})
    login(third).post(sign_up_url(shift), {"liste_attente": "1"})
    assert active_signups(shift, other_resident).get().status == Signup.Status.WAITLISTED

    response = login(resident).post(cancel_url(shift), follow=True)

    assert response.status_code == 200
    assert any("est annulée" in m for m in messages_of(response))
    assert not active_signups(shift, resident).exists()
    assert active_signups(shift, other_resident).get().status == Signup.Status.CONFIRMED
    assert active_signups(shift, third).get().status == Signup.Status.WAITLISTED
    shift.refresh_from_db()
    assert shift.seats_taken == 1
    promoted_page = shift_block(html(login(other_resident).get(action_url(shift.action))), shift)
    assert "Votre inscription est enregistrée." in promoted_page
    third_page = shift_block(html(login(third).get(action_url(shift.action))), shift)
    assert "n° 1" in third_page


def test_double_submission_gives_one_sign_up(resident):
    shift = ShiftFactory(capacity=3)
    client = login(resident)
    page = html(client.get(action_url(shift.action)))
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    data = {"token": token, "liste_attente": "0"}

    first = client.post(sign_up_url(shift), data)
    second = client.post(sign_up_url(shift), data)

    assert first.status_code == second.status_code == 302
    assert Signup.objects.filter(shift=shift, user=resident).count() == 1
    shift.refresh_from_db()
    assert shift.seats_taken == 1

    # The same form sent again after a cancellation (back button): not signed up again.
    client.post(cancel_url(shift))
    client.post(sign_up_url(shift), data)
    assert not active_signups(shift, resident).exists()
    # Without a token (or with a new one) a second click changes nothing either.
    client.post(sign_up_url(shift), {"liste_attente": "0"})
    response = client.post(sign_up_url(shift), {"liste_attente": "0"}, follow=True)
    assert active_signups(shift, resident).count() == 1
    assert any("déjà une inscription" in m for m in messages_of(response))


def test_same_page_token_still_works_for_another_shift(resident):
    first = ShiftFactory()
    second = ShiftFactory(
        action=first.action,
        starts_at=first.starts_at + timedelta(days=1),
        ends_at=first.ends_at + timedelta(days=1),
    )
    client = login(resident)
    token = re.search(
        r'name="token" value="([^"]+)"', html(client.get(action_url(first.action)))
    ).group(1)
    client.post(sign_up_url(first), {"token": token, "liste_attente": "0"})
    client.post(sign_up_url(second), {"token": token, "liste_attente": "0"})
    assert active_signups(first, resident).exists()
    assert active_signups(second, resident).exists()


def test_cut_off_is_respected(resident):
    now = timezone.now()
    shift = ShiftFactory(starts_at=now + timedelta(hours=2), ends_at=now + timedelta(hours=4))
    assert shift.action.cancellation_cutoff_hours == 24
    services.sign_up(shift=shift, actor=resident)
    client = login(resident)

    block = shift_block(html(client.get(action_url(shift.action))), shift)
    assert "Me désinscrire" not in block
    assert f'action="{cancel_url(shift)}"' not in block
    assert "trop tard pour se désinscrire en ligne" in block
    assert "appelez la Régie" in block or "prévenez la Régie" in block

    response = client.post(cancel_url(shift))

    assert response.status_code == 403
    assert "trop tard" in html(response)
    assert active_signups(shift, resident).get().status == Signup.Status.CONFIRMED
    shift.refresh_from_db()
    assert shift.seats_taken == 1


def test_cut_off_deadline_is_shown_in_local_time(resident):
    shift = ShiftFactory()  # in three days at 10:00 local: cut-off the day before at 10:00
    services.sign_up(shift=shift, actor=resident)
    block = shift_block(html(login(resident).get(action_url(shift.action))), shift)
    deadline = timezone.localtime(shift.cancellation_deadline())
    assert f"{deadline:%H}:{deadline:%M}" in block
    assert "Me désinscrire" in block


def test_regie_phone_is_given_when_too_late(resident):
    now = timezone.now()
    shift = ShiftFactory(starts_at=now + timedelta(hours=2), ends_at=now + timedelta(hours=4))
    regie = shift.action.neighbourhood.regie
    regie.phone = "05 61 00 00 00"
    regie.save()
    services.sign_up(shift=shift, actor=resident)
    block = shift_block(html(login(resident).get(action_url(shift.action))), shift)
    assert "appelez la Régie au 05 61 00 00 00" in block


def test_overlapping_shift_is_refused_with_a_clear_message(resident):
    first = ShiftFactory(action=ActionFactory(title="Plantation"))
    other = ShiftFactory(
        starts_at=first.starts_at + timedelta(hours=1), ends_at=first.ends_at + timedelta(hours=1)
    )
    services.sign_up(shift=first, actor=resident)

    response = login(resident).post(sign_up_url(other), {"liste_attente": "0"}, follow=True)

    assert response.status_code == 200
    assert not active_signups(other, resident).exists()
    text = " ".join(messages_of(response))
    assert "« Plantation »" in text and "même heure" in text
    assert "désinscrivez-vous d'abord" in text


def test_past_shift_has_no_button_and_refuses_sign_up(resident):
    now = timezone.now()
    shift = ShiftFactory(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1))
    ShiftFactory(action=shift.action)  # an upcoming one, so the page has both
    client = login(resident)
    page = html(client.get(action_url(shift.action)))
    assert sign_up_url(shift) not in page
    assert "Créneaux passés" in page and "Terminé" in page

    response = client.post(sign_up_url(shift), {"liste_attente": "0"})

    assert response.status_code == 403
    assert "terminé" in html(response)
    assert not Signup.objects.filter(shift=shift).exists()
    shift.refresh_from_db()
    assert shift.seats_taken == 0


def test_cancelled_shift_is_marked_and_has_no_button(resident, manager):
    shift = ShiftFactory()
    services.cancel_shift(actor=manager, shift=shift)
    block = shift_block(html(login(resident).get(action_url(shift.action))), shift)
    assert "Annulé" in block
    assert sign_up_url(shift) not in block
    assert login(resident).post(sign_up_url(shift)).status_code == 403
    assert not Signup.objects.filter(shift=shift).exists()


def test_running_shift_has_no_button(resident):
    now = timezone.now()
    shift = ShiftFactory(starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=1))
    block = shift_block(html(login(resident).get(action_url(shift.action))), shift)
    assert "En cours" in block
    assert sign_up_url(shift) not in block


def test_get_on_an_action_address_does_nothing(resident):
    shift = ShiftFactory()
    response = login(resident).get(sign_up_url(shift))
    assert response.status_code == 302
    assert response["Location"] == f"{action_url(shift.action)}#creneau-{shift.pk}"
    assert not Signup.objects.exists()


def test_anonymous_visitor_gets_a_login_link(client):
    shift = ShiftFactory()
    page = html(client.get(action_url(shift.action)))
    block = shift_block(page, shift)
    assert "Se connecter pour s&#x27;inscrire" in block or "Se connecter pour s'inscrire" in block
    assert f"/comptes/login/?next=/agir/{shift.action.pk}/%23creneau-{shift.pk}" in block
    assert "<form" not in block
    response = client.post(sign_up_url(shift))
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/?next=")
    assert not Signup.objects.exists()


# --- The action page ------------------------------------------------------------------------


def test_action_fields_are_escaped(resident):
    evil = "<script>alert('x')</script>"
    action = ActionFactory(
        title=f"Titre {evil}",
        description=f"Première ligne {evil}\nDeuxième ligne <b>gras</b>",
        meeting_place=f"Place {evil}",
        what_to_bring=f"Gants {evil}",
        skills_welcome=f"Bricolage {evil}",
        image_alt="",
    )
    shift = ShiftFactory(action=action, role=f"Accueil {evil}")
    services.sign_up(shift=shift, actor=resident)
    for client in (Client(), login(resident)):
        page = html(client.get(action_url(action)))
        assert "<script>alert" not in page
        assert "<b>gras</b>" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
        assert "Première ligne" in page and "<br>" in page  # line breaks kept
    mine = html(login(resident).get(MINE_URL))
    assert "<script>alert" not in mine
    listing = html(Client().get(LIST_URL))
    assert "<script>alert" not in listing and "Titre &lt;script&gt;" in listing


def test_action_page_shows_the_details(client, resident):
    proposal = ProposalFactory(title="Des arbres rue Voltaire")
    action = ActionFactory(
        title="Plantation rue Voltaire",
        description="On plante des arbres.",
        meeting_place="Au coin de la rue Voltaire",
        what_to_bring="Des bottes",
        skills_welcome="Jardinage",
        proposal=proposal,
    )
    ShiftFactory(action=action, role="Accueil")
    page = html(client.get(action_url(action)))
    for text in (
        "Plantation rue Voltaire",
        "On plante des arbres.",
        "Au coin de la rue Voltaire",
        "Des bottes",
        "Jardinage",
        "Accueil",
    ):
        assert text in page
    assert f'href="/idees/{proposal.pk}/"' in page and "Des arbres rue Voltaire" in page


def test_a_proposal_that_is_not_public_is_not_linked(client):
    proposal = ProposalFactory(title="Idée retirée", status="withdrawn")
    action = ActionFactory(proposal=proposal)
    ShiftFactory(action=action)
    page = html(client.get(action_url(action)))
    assert f"/idees/{proposal.pk}/" not in page and "Idée retirée" not in page


def test_shift_times_are_shown_in_local_time(client):
    shift = ShiftFactory()  # 10:00–12:00 Europe/Paris
    block = shift_block(html(client.get(action_url(shift.action))), shift)
    assert "de 10\u00a0h à 12\u00a0h" in block
    assert (
        f'datetime="{timezone.localtime(shift.starts_at).strftime("%Y-%m-%dT%H:%M:%S%z")}"' in block
    )


def test_upcoming_shifts_come_first_then_the_past(client):
    now = timezone.now()
    action = ActionFactory()
    later = ShiftFactory(
        action=action, starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=5, hours=2)
    )
    sooner = ShiftFactory(
        action=action, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2)
    )
    ShiftFactory(
        action=action, starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=2, hours=-2)
    )
    page = html(client.get(action_url(action)))
    ids = [int(i) for i in re.findall(r'data-shift-id="(\d+)"', page)]
    assert ids == [sooner.pk, later.pk]
    assert page.index(f'id="creneau-{later.pk}"') < page.index("Créneaux passés")


def test_unpublished_action_is_404_except_for_staff(client, resident, manager):
    shift = ShiftFactory(action=ActionFactory(is_published=False))
    url = action_url(shift.action)
    assert client.get(url).status_code == 404
    assert login(resident).get(url).status_code == 404
    staff_page = login(manager).get(url)
    assert staff_page.status_code == 200
    assert "pas publiée" in html(staff_page)
    assert sign_up_url(shift) not in html(staff_page)
    assert client.get("/agir/999999/").status_code == 404


def test_action_page_markup_for_the_live_script(client):
    shift = ShiftFactory(capacity=4)
    page = html(client.get(action_url(shift.action)))
    assert f'data-shift-id="{shift.pk}"' in page
    assert "data-places-left>4<" in page
    assert "data-waitlist>0<" in page
    assert re.search(
        r'<p id="volunteering-live-status" class="visually-hidden"[^>]*aria-live="polite"', page
    )
    assert re.search(r'<script src="/static/js/volunteering-live\.js" defer', page)
    assert f'data-socket-path="/ws/agir/{shift.action.pk}/"' in page
    assert not duplicate_ids(page)


def test_page_without_open_shift_does_not_load_the_live_script(client):
    now = timezone.now()
    shift = ShiftFactory(starts_at=now - timedelta(days=1), ends_at=now - timedelta(hours=22))
    page = html(client.get(action_url(shift.action)))
    assert "volunteering-live.js" not in page


def test_action_page_query_count_does_not_grow_with_shifts(
    django_assert_max_num_queries, resident, other_resident
):
    action = ActionFactory()
    base = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)

    def add_shifts(count, start_day):
        for day in range(start_day, start_day + count):
            shift = ShiftFactory(
                action=action,
                capacity=1,
                starts_at=base + timedelta(days=day),
                ends_at=base + timedelta(days=day, hours=2),
            )
            if day % 3 == 0:
                services.sign_up(shift=shift, actor=resident)
                services.sign_up(shift=shift, actor=other_resident)
            elif day % 3 == 1:
                services.sign_up(shift=shift, actor=other_resident)
                services.sign_up(shift=shift, actor=resident)
        # …and some in the past.
        ShiftFactory(
            action=action,
            starts_at=base - timedelta(days=start_day + 1),
            ends_at=base - timedelta(days=start_day + 1) + timedelta(hours=2),
        )

    client = login(resident)
    add_shifts(2, 1)
    client.get(action_url(action))  # warms the site navigation cache, as on a running site
    with CaptureQueriesContext(connection) as few:
        assert client.get(action_url(action)).status_code == 200
    add_shifts(48, 3)
    assert Shift.objects.filter(action=action).count() == 52
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(action_url(action))
    assert response.content.decode().count("data-shift-id=") == 50


# --- The list -------------------------------------------------------------------------------


def listed_titles(response):
    return re.findall(r'<h3 id="action-\d+-titre"><a href="/agir/\d+/">([^<]+)</a>', html(response))


def test_list_shows_published_actions_with_upcoming_shifts(client, manager):
    now = timezone.now()
    soon = ShiftFactory(
        action=ActionFactory(title="Bientôt"),
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=2),
        capacity=4,
    )
    ShiftFactory(
        action=soon.action,
        starts_at=now + timedelta(days=8),
        ends_at=now + timedelta(days=8, hours=2),
        capacity=3,
    )
    ShiftFactory(action=ActionFactory(title="Plus tard"), starts_at=now + timedelta(days=4))
    ShiftFactory(action=ActionFactory(title="Cachée", is_published=False))
    ShiftFactory(
        action=ActionFactory(title="Finie"),
        starts_at=now - timedelta(days=1),
        ends_at=now - timedelta(hours=22),
    )
    cancelled = ShiftFactory(action=ActionFactory(title="Annulée"))
    services.cancel_shift(actor=manager, shift=cancelled)
    ActionFactory(title="Sans créneau")

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert listed_titles(response) == ["Bientôt", "Plus tard"]
    page = text_of(response)
    assert "Places libres : 7" in page  # 4 + 3 places on the upcoming shifts
    assert "2 créneaux à venir" in page
    assert "2 actions à venir" in page


def test_list_marks_full_actions(client, resident):
    shift = ShiftFactory(capacity=1, action=ActionFactory(title="Pleine"))
    services.sign_up(shift=shift, actor=resident)
    assert "Complet : liste d" in html(client.get(LIST_URL))


def test_list_filters_by_neighbourhood(client, tilleuls, bel_air):
    ShiftFactory(action=ActionFactory(title="Aux Tilleuls", neighbourhood=tilleuls))
    ShiftFactory(action=ActionFactory(title="À Bel-Air", neighbourhood=bel_air))

    assert listed_titles(client.get(LIST_URL + "?quartier=bel-air")) == ["À Bel-Air"]
    assert listed_titles(client.get(LIST_URL + "?quartier=les-tilleuls")) == ["Aux Tilleuls"]
    unknown = client.get(LIST_URL + "?quartier=nulle-part")
    assert unknown.status_code == 200
    assert sorted(listed_titles(unknown)) == ["Aux Tilleuls", "À Bel-Air"]
    assert any("pas reconnu" in m for m in messages_of(unknown))


def test_list_is_paginated_and_keeps_the_filter(client, tilleuls):
    for n in range(23):
        ShiftFactory(action=ActionFactory(title=f"Action {n:02d}", neighbourhood=tilleuls))
    first = client.get(LIST_URL + "?quartier=les-tilleuls")
    assert len(listed_titles(first)) == 20
    assert "?quartier=les-tilleuls&amp;page=2" in html(first)
    second = client.get(LIST_URL + "?quartier=les-tilleuls&page=2")
    assert len(listed_titles(second)) == 3
    for page in ("abc", "-1", "99999999999999999999"):
        assert client.get(f"{LIST_URL}?page={page}").status_code == 200


def test_list_query_count_does_not_grow_with_actions(resident):
    client = login(resident)
    neighbourhoods = [NeighbourhoodFactory(), NeighbourhoodFactory()]

    def add(count):
        for n in range(count):
            action = ActionFactory(neighbourhood=neighbourhoods[n % 2])
            ShiftFactory(action=action)
            ShiftFactory(
                action=action,
                starts_at=timezone.now() + timedelta(days=9),
                ends_at=timezone.now() + timedelta(days=9, hours=1),
            )

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST_URL)
        assert response.status_code == 200
        return len(captured.captured_queries), len(listed_titles(response))

    add(3)
    count()  # warms the site navigation cache
    few, shown = count()
    assert shown == 3
    add(17)
    many, shown = count()
    assert shown == 20
    assert many == few


# --- Mes créneaux ---------------------------------------------------------------------------


def test_mine_needs_login(client):
    response = client.get(MINE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/?next=")


def test_mine_shows_hours_qr_code_waitlist_and_past(resident, other_resident):
    now = timezone.now()
    coming = ShiftFactory(action=ActionFactory(title="Fête des voisins"))
    other_coming = ShiftFactory(
        action=ActionFactory(title="Repair café"),
        starts_at=coming.starts_at + timedelta(days=1),
        ends_at=coming.ends_at + timedelta(days=1),
    )
    full = ShiftFactory(
        capacity=1,
        action=ActionFactory(title="Plantation"),
        starts_at=coming.starts_at + timedelta(days=2),
        ends_at=coming.ends_at + timedelta(days=2),
    )
    services.sign_up(shift=full, actor=other_resident)
    # Signed up while still to come (from day 10 on), then moved to the past below.
    first_past = ShiftFactory(
        action=ActionFactory(title="Nettoyage du parc"),
        starts_at=coming.starts_at + timedelta(days=10),
        ends_at=coming.ends_at + timedelta(days=10),
    )
    second_past = ShiftFactory(
        action=ActionFactory(title="Peinture du local"),
        starts_at=coming.starts_at + timedelta(days=11),
        ends_at=coming.ends_at + timedelta(days=11),
    )
    for shift in (coming, other_coming, full, first_past, second_past):
        services.sign_up(shift=shift, actor=resident)
    # The two past shifts took place: 2 h and 1 h 30.
    Shift.objects.filter(pk=first_past.pk).update(
        starts_at=now - timedelta(days=20), ends_at=now - timedelta(days=20) + timedelta(hours=2)
    )
    Shift.objects.filter(pk=second_past.pk).update(
        starts_at=now - timedelta(days=5), ends_at=now - timedelta(days=5) + timedelta(minutes=90)
    )

    response = login(resident).get(MINE_URL)

    assert response.status_code == 200
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )
    page = html(response)
    text = text_of(response)
    assert "Temps donné au quartier : 3 h 30 ." in text
    assert page.count('<svg class="qr-code"') == 2  # one per confirmed upcoming shift
    for shift in (coming, other_coming):
        signup = active_signups(shift, resident).get()
        assert signup.presence_code_display in page  # printed as text…
        assert f"Le même code en texte : {signup.presence_code_display}" in page  # …and the alt
    assert "Vous êtes n° 1 sur la liste d&#x27;attente" in page or "n° 1 sur la liste" in page
    assert active_signups(full, resident).get().presence_code_display not in page
    assert "Nettoyage du parc" in page and "Peinture du local" in page
    assert page.index("Fête des voisins") < page.index("Repair café")
    assert not duplicate_ids(page)
    assert "<?xml" not in page


def test_mine_cancel_comes_back_to_mine(resident):
    shift = ShiftFactory()
    services.sign_up(shift=shift, actor=resident)
    client = login(resident)
    assert f'action="{cancel_url(shift)}"' in html(client.get(MINE_URL))
    response = client.post(cancel_url(shift), {"retour": "mes-creneaux"})
    assert response.status_code == 302 and response["Location"] == MINE_URL
    assert not active_signups(shift, resident).exists()


def test_mine_shows_nothing_of_other_people(resident, other_resident):
    shift = ShiftFactory(action=ActionFactory(title="Chez Marcel seulement"))
    signup = services.sign_up(shift=shift, actor=other_resident)
    page = html(login(resident).get(MINE_URL))
    assert "Chez Marcel seulement" not in page
    assert signup.presence_code_display not in page


def test_calendar_link_is_created_then_regenerated(resident):
    client = login(resident)
    page = html(client.get(MINE_URL))
    assert "Créer mon lien d&#x27;agenda" in page or "Créer mon lien d'agenda" in page
    assert not CalendarFeed.objects.exists()  # showing the page writes nothing

    client.post("/agir/mes-creneaux/lien-agenda/")
    old = CalendarFeed.objects.get(user=resident).token
    page = html(client.get(MINE_URL))
    assert f"http://testserver/agir/agenda/{old}.ics" in page
    assert f"webcal://testserver/agir/agenda/{old}.ics" in page
    assert "Régénérer le lien" in page
    assert '<label for="lien-agenda">' in page

    response = client.post("/agir/mes-creneaux/lien-agenda/", follow=True)
    new = CalendarFeed.objects.get(user=resident).token
    assert new != old
    assert any("L'ancien lien ne fonctionne plus" in m for m in messages_of(response))
    assert old not in html(response) and new in html(response)
    # A GET does not change anything.
    client.get("/agir/mes-creneaux/lien-agenda/")
    assert CalendarFeed.objects.get(user=resident).token == new


def test_header_of_pages_are_complete(client, resident):
    shift = ShiftFactory()
    for url, user in ((LIST_URL, None), (action_url(shift.action), None), (MINE_URL, resident)):
        page = html((login(user) if user else client).get(url))
        assert page.count("<h1") == 1, url
        assert '<main id="contenu"' in page
        assert "/static/css/volunteering.css" in page


def test_unknown_actions_and_shifts_are_404(resident):
    client = login(resident)
    assert client.post("/agir/creneau/999999/inscription/").status_code == 404
    assert client.post("/agir/creneau/999999/desinscription/").status_code == 404
    hidden = ShiftFactory(action=ActionFactory(is_published=False))
    assert client.post(sign_up_url(hidden)).status_code == 404
    assert not Signup.objects.exists()
    assert Action.objects.count() == 1


@pytest.mark.parametrize(
    "hours, label",
    [(1.0, "1 heure"), (2.0, "2 heures"), (0.5, "30 minutes"), (3.5, "3 h 30"), (1.25, "1 h 15")],
)
def test_hours_given_are_written_simply(hours, label):
    from civic.volunteering.views import _duration_label

    assert _duration_label(hours) == label


def test_mine_without_past_shift_says_not_yet(resident):
    text = text_of(login(resident).get(MINE_URL))
    assert "Temps donné au quartier : pas encore." in text


def test_staff_get_a_link_to_the_roster_residents_do_not(resident, manager):
    shift = ShiftFactory()
    staff_page = html(login(manager).get(action_url(shift.action)))
    resident_page = html(login(resident).get(action_url(shift.action)))
    assert "Liste des personnes inscrites (Régie)" not in resident_page
    assert ("Liste des personnes inscrites (Régie)" in staff_page) == (
        f"/admin/agir/creneaux/{shift.pk}/liste/" in staff_page
    )
