"""The home page is the neighbourhood's hub: each section, the quartier shown (resident,
visitor, remembered picker), the Régie's pins, empty states, what must never leak, and a
bounded number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civic.proposals.models import Support
from civic.volunteering.models import Signup
from cms import home as hub
from cms.models import HomePin
from tests.agenda_factories import in_days as event_in_days
from tests.agenda_factories import make_event
from tests.assemblies_factories import AssemblyFactory
from tests.assemblies_factories import in_days as assembly_in_days
from tests.factories import ActionFactory, ProposalFactory, ShiftFactory, UserFactory

pytestmark = pytest.mark.django_db


def html_of(response):
    assert response.status_code == 200
    return response.content.decode()


def section(html, css_class):
    """The HTML of one home section (from its opening tag to the next </section>)."""
    start = html.index(f'class="home-section {css_class}"')
    return html[start : html.index("</section>", start)]


def shift_in(neighbourhood, *, days=3, capacity=5, taken=0, **fields):
    action = ActionFactory(neighbourhood=neighbourhood, title=fields.pop("title", "Nettoyage"))
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(
        days=days
    )
    return ShiftFactory(
        action=action,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=capacity,
        seats_taken=taken,
        **fields,
    )


def supported(idea, count):
    Support.objects.bulk_create([Support(proposal=idea) for _ in range(count)])
    return idea


@pytest.fixture
def hood_sites(home_page, tilleuls, bel_air):
    return home_page


# --- The quartier shown ----------------------------------------------------------------------


def test_a_resident_sees_their_own_quartier_first(client, hood_sites, resident, tilleuls, bel_air):
    shift_in(tilleuls, title="Jardin des Tilleuls")
    shift_in(bel_air, title="Fresque de Bel-Air")
    client.force_login(resident)
    html = html_of(client.get("/"))
    shifts = section(html, "home-shifts")
    assert "Jardin des Tilleuls" in shifts
    assert "Fresque de Bel-Air" not in shifts
    assert f'<option value="{tilleuls.slug}" selected>' in html


def test_a_visitor_sees_all_quartiers_and_a_picker(client, hood_sites, tilleuls, bel_air):
    shift_in(tilleuls, title="Jardin des Tilleuls")
    shift_in(bel_air, title="Fresque de Bel-Air")
    html = html_of(client.get("/"))
    shifts = section(html, "home-shifts")
    assert "Jardin des Tilleuls" in shifts and "Fresque de Bel-Air" in shifts
    assert 'method="get"' in html and 'name="quartier"' in html
    assert '<option value="tous" selected>' in html


def test_the_picker_is_remembered_and_can_go_back_to_all(client, hood_sites, tilleuls, bel_air):
    shift_in(tilleuls, title="Jardin des Tilleuls")
    shift_in(bel_air, title="Fresque de Bel-Air")

    response = client.get("/", {"quartier": bel_air.slug})
    shifts = section(html_of(response), "home-shifts")
    assert "Fresque de Bel-Air" in shifts and "Jardin des Tilleuls" not in shifts
    assert response.cookies[hub.COOKIE].value == bel_air.slug
    assert "Cookie" in response["Vary"]

    # Next visit, no parameter: the choice is kept.
    again = section(html_of(client.get("/")), "home-shifts")
    assert "Fresque de Bel-Air" in again and "Jardin des Tilleuls" not in again

    # Back to every quartier, remembered too.
    response = client.get("/", {"quartier": "tous"})
    assert response.cookies[hub.COOKIE].value == hub.ALL
    later = section(html_of(client.get("/")), "home-shifts")
    assert "Fresque de Bel-Air" in later and "Jardin des Tilleuls" in later


def test_a_resident_who_picked_all_quartiers_keeps_that_choice(
    client, hood_sites, resident, tilleuls, bel_air
):
    shift_in(bel_air, title="Fresque de Bel-Air")
    client.force_login(resident)
    client.get("/", {"quartier": "tous"})
    assert "Fresque de Bel-Air" in section(html_of(client.get("/")), "home-shifts")


@pytest.mark.parametrize("value", ["nulle-part", "\x00", "../../etc", "a" * 500])
def test_an_unknown_quartier_shows_all_and_is_not_remembered(client, hood_sites, bel_air, value):
    shift_in(bel_air, title="Fresque de Bel-Air")
    response = client.get("/", {"quartier": value})
    html = html_of(response)
    assert "n'est pas reconnu" in html
    assert "Fresque de Bel-Air" in section(html, "home-shifts")
    assert hub.COOKIE not in response.cookies


def test_an_inactive_quartier_is_not_offered(client, hood_sites, bel_air):
    bel_air.is_active = False
    bel_air.save()
    html = html_of(client.get("/"))
    assert f'value="{bel_air.slug}"' not in html


# --- Shifts that need people -----------------------------------------------------------------


def test_shifts_soonest_first_with_places_left_and_full_or_cancelled_left_out(
    client, hood_sites, tilleuls
):
    later = shift_in(tilleuls, days=6, title="Plantations")
    sooner = shift_in(tilleuls, days=2, capacity=4, taken=1, title="Ramassage")
    shift_in(tilleuls, days=1, capacity=3, taken=3, title="Complet déjà")
    shift_in(tilleuls, days=1, is_cancelled=True, title="Annulé hélas")
    past = shift_in(tilleuls, days=-1, title="Hier matin")
    hidden = shift_in(tilleuls, days=2, title="Action brouillon")
    hidden.action.is_published = False
    hidden.action.save()

    shifts = section(html_of(client.get("/")), "home-shifts")
    assert shifts.index("Ramassage") < shifts.index("Plantations")
    assert "3 places libres" in shifts
    for absent in ("Complet déjà", "Annulé hélas", "Hier matin", "Action brouillon"):
        assert absent not in shifts
    assert past.pk and later.pk and sooner.pk


def test_a_weekly_action_shows_its_next_shift_only(client, hood_sites, tilleuls):
    weekly = shift_in(tilleuls, days=1, title="Jardin du samedi")
    for week in (1, 2, 3):
        ShiftFactory(
            action=weekly.action,
            starts_at=weekly.starts_at + timedelta(days=7 * week),
            ends_at=weekly.ends_at + timedelta(days=7 * week),
        )
    shift_in(tilleuls, days=20, title="Repair café")
    shifts = section(html_of(client.get("/")), "home-shifts")
    assert shifts.count("Jardin du samedi") == 1
    assert f"creneau-{weekly.pk}" in shifts
    assert "Repair café" in shifts


def test_a_visitor_is_sent_to_log_in_then_to_the_shift(client, hood_sites, tilleuls):
    shift = shift_in(tilleuls)
    shifts = section(html_of(client.get("/")), "home-shifts")
    login_links = [part for part in shifts.split('href="')[1:] if "next=" in part]
    assert login_links, shifts
    assert f"%23creneau-{shift.pk}" in login_links[0]
    assert f"/agir/{shift.action.pk}/" in login_links[0]
    assert "csrfmiddlewaretoken" not in shifts


def test_a_resident_signs_up_in_one_tap_through_the_volunteering_view(
    client, hood_sites, resident, tilleuls
):
    shift = shift_in(tilleuls, capacity=2)
    client.force_login(resident)
    shifts = section(html_of(client.get("/")), "home-shifts")
    action_url = f'action="/agir/creneau/{shift.pk}/inscription/"'
    assert action_url in shifts
    assert "csrfmiddlewaretoken" in shifts

    token = shifts.split('name="token" value="')[1].split('"')[0]
    response = client.post(
        f"/agir/creneau/{shift.pk}/inscription/", {"token": token, "liste_attente": "0"}
    )
    assert response.status_code == 302
    signup = Signup.objects.get(shift=shift, user=resident)
    assert signup.status == Signup.Status.CONFIRMED

    again = section(html_of(client.get("/")), "home-shifts")
    assert "Votre place est réservée." in again
    assert action_url not in again


def test_a_shift_at_the_same_hour_as_her_place_is_not_offered(
    client, hood_sites, resident, tilleuls
):
    """Amina holds a place on the clean-up: the « accueil » at the same hour (and one that
    only overlaps it) would be refused by the sign-up, so the home page does not offer
    them; a shift after hers still is. A waitlist spot counts too, as for the sign-up."""
    held = shift_in(tilleuls, days=3, title="Ramassage du samedi")
    Signup.objects.create(shift=held, user=resident, status=Signup.Status.CONFIRMED)
    same_hour = shift_in(tilleuls, days=3, title="Accueil des bénévoles")
    overlapping = shift_in(tilleuls, days=3, title="Goûter partagé")
    overlapping.starts_at += timedelta(hours=1)
    overlapping.ends_at += timedelta(hours=1)
    overlapping.save()
    after = shift_in(tilleuls, days=3, title="Rangement du local")
    after.starts_at, after.ends_at = held.ends_at, held.ends_at + timedelta(hours=1)
    after.save()
    waiting = shift_in(tilleuls, days=5, title="Atelier vélo")
    Signup.objects.create(shift=waiting, user=resident, status=Signup.Status.WAITLISTED)
    beside_waiting = shift_in(tilleuls, days=5, title="Troc de plantes")

    client.force_login(resident)
    mine = section(html_of(client.get("/")), "home-shifts")
    assert "Ramassage du samedi" in mine  # her own, marked as hers
    assert "Votre place est réservée." in mine
    assert "Rangement du local" in mine
    for absent in ("Accueil des bénévoles", "Goûter partagé", "Troc de plantes"):
        assert absent not in mine

    # Another resident, and a visitor, are offered all of them.
    for other in (None, "other"):
        client.logout()
        if other:
            client.force_login(UserFactory(neighbourhood=tilleuls))
        shown = section(html_of(client.get("/")), "home-shifts")
        for title in ("Accueil des bénévoles", "Goûter partagé", "Rangement du local"):
            assert title in shown, (other, title)
    assert same_hour.pk and beside_waiting.pk


def test_no_shift_needing_people_offers_the_next_step(client, hood_sites, tilleuls):
    shifts = section(html_of(client.get("/")), "home-shifts")
    assert "empty-state" in shifts
    assert 'href="/agir/"' in shifts


# --- The next assembly -----------------------------------------------------------------------


def test_the_next_public_assembly_with_its_registration(client, hood_sites, resident, tilleuls):
    AssemblyFactory(
        neighbourhood=tilleuls, title="Assemblée lointaine", starts_at=assembly_in_days(30)
    )
    soon = AssemblyFactory(
        neighbourhood=tilleuls, title="Assemblée de printemps", starts_at=assembly_in_days(5)
    )
    AssemblyFactory(
        neighbourhood=tilleuls,
        title="Assemblée secrète",
        starts_at=assembly_in_days(2),
        is_published=False,
    )
    AssemblyFactory(
        neighbourhood=tilleuls,
        title="Assemblée finie",
        starts_at=assembly_in_days(1),
        session_status="ended",
    )

    visitor = section(html_of(client.get("/")), "home-assembly")
    assert "Assemblée de printemps" in visitor
    assert soon.place in visitor
    assert "Assemblée secrète" not in visitor and "Assemblée finie" not in visitor
    assert f"next=/assemblees/{soon.pk}/" in visitor

    client.force_login(resident)
    member = section(html_of(client.get("/")), "home-assembly")
    assert f'action="/assemblees/{soon.pk}/inscription/"' in member
    response = client.post(f"/assemblees/{soon.pk}/inscription/")
    assert response.status_code == 302
    registered = section(html_of(client.get("/")), "home-assembly")
    assert "Votre inscription est enregistrée." in registered
    assert "inscription/" not in registered


def test_a_resident_of_another_quartier_is_not_offered_to_register(
    client, hood_sites, other_resident, tilleuls
):
    assembly = AssemblyFactory(neighbourhood=tilleuls, title="Assemblée des Tilleuls")
    client.force_login(other_resident)
    html = html_of(client.get("/", {"quartier": tilleuls.slug}))
    part = section(html, "home-assembly")
    assert "Assemblée des Tilleuls" in part
    assert f"/assemblees/{assembly.pk}/inscription/" not in part
    assert "Voir l'assemblée" in part


def test_no_assembly_planned_says_so(client, hood_sites, resident):
    part = section(html_of(client.get("/")), "home-assembly")
    assert "Pas d'assemblée prévue" in part
    assert 'href="/assemblees/"' in part


# --- Ideas to support ------------------------------------------------------------------------


def test_ideas_new_and_close_to_the_threshold_with_their_counts(
    client, hood_sites, resident, regie
):
    regie.support_threshold = 10
    regie.save()
    close = supported(ProposalFactory(author=resident, title="Des bancs au square"), 8)
    halfway = supported(ProposalFactory(author=resident, title="Un composteur"), 5)
    fresh = ProposalFactory(author=resident, title="Une boîte à livres")
    supported(ProposalFactory(author=resident, title="Trop peu encore"), 1)
    ProposalFactory(author=resident, title="Idée masquée", is_hidden=True)
    ProposalFactory(author=resident, title="Idée en attente", status="submitted")
    ProposalFactory(author=resident, title="Idée close", support_open=False)
    ProposalFactory(author=resident, title="Idée réalisée", status="done")

    ideas = section(html_of(client.get("/")), "home-ideas")
    assert ideas.index(close.title) < ideas.index(halfway.title) < ideas.index(fresh.title)
    assert "8 soutiens" in ideas and "encore 2 pour être étudiée" in ideas
    assert "0 soutien" in ideas
    for absent in ("Idée masquée", "Idée en attente", "Idée close", "Idée réalisée"):
        assert absent not in ideas


def test_no_idea_to_support_invites_to_propose_one(client, hood_sites):
    ideas = section(html_of(client.get("/")), "home-ideas")
    assert "Proposez la première" in ideas and 'href="/idees/proposer/"' in ideas


# --- Events and news -------------------------------------------------------------------------


def test_upcoming_events_once_each_and_no_draft_or_past(client, hood_sites, tilleuls, bel_air):
    make_event(title="Fête des voisins", start=event_in_days(8), neighbourhood=tilleuls)
    make_event(
        title="Permanence du mardi",
        start=event_in_days(1, 9),
        repeat="weekly",
        repeat_count=10,
    )
    make_event(title="Bal de Bel-Air", start=event_in_days(4), neighbourhood=bel_air)
    make_event(title="Brocante passée", start=event_in_days(-5))
    draft = make_event(title="Fête en préparation", start=event_in_days(3))
    draft.unpublish()

    everywhere = section(html_of(client.get("/")), "home-events")
    assert everywhere.count("Permanence du mardi") == 1
    assert everywhere.index("Permanence du mardi") < everywhere.index("Bal de Bel-Air")
    assert everywhere.index("Bal de Bel-Air") < everywhere.index("Fête des voisins")
    assert "Brocante passée" not in everywhere and "Fête en préparation" not in everywhere

    mine = section(html_of(client.get("/", {"quartier": tilleuls.slug})), "home-events")
    assert "Fête des voisins" in mine and "Permanence du mardi" in mine
    assert "Bal de Bel-Air" not in mine


def test_no_event_offers_the_agenda(client, hood_sites):
    events = section(html_of(client.get("/")), "home-events")
    assert "Rien de prévu" in events and 'href="/agenda/"' in events


def test_news_with_a_default_picture_and_no_unpublished_article(
    client, hood_sites, publish_news, tilleuls, bel_air
):
    publish_news(title="Le square est propre", neighbourhood=tilleuls)
    publish_news(title="Nouvelles de Bel-Air", neighbourhood=bel_air)
    draft = publish_news(title="Article pas prêt")
    draft.unpublish()
    html = html_of(client.get("/", {"quartier": tilleuls.slug}))
    news = html[html.index('class="home-news') :]
    assert "Le square est propre" in news
    assert "Nouvelles de Bel-Air" not in news
    assert "Article pas prêt" not in news
    assert 'class="home-media home-art"' in news


def test_news_picture_is_a_responsive_lazy_rendition(client, hood_sites, publish_news):
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    image = get_image_model().objects.create(title="Square", file=get_test_image_file())
    publish_news(title="Le square fleuri", image=image, image_alt="Des tulipes au square")
    html = html_of(client.get("/"))
    news = html[html.index('class="home-news') :]
    assert "<picture>" in news
    assert 'type="image/webp"' in news
    assert 'loading="lazy"' in news and "srcset=" in news
    assert 'alt="Des tulipes au square"' in news
    assert 'width="' in news and 'height="' in news


def test_no_news_yet_offers_the_next_step(client, hood_sites):
    html = html_of(client.get("/"))
    news = html[html.index('class="home-news') :]
    assert "Aucune actualité pour le moment." in news
    assert 'href="/agir/"' in news


def test_three_large_entry_points(client, hood_sites):
    html = html_of(client.get("/"))
    entries = html[
        html.index('class="home-entries"') : html.index(
            "</nav>", html.index('class="home-entries"')
        )
    ]
    assert 'href="/idees/proposer/"' in entries and "Proposer une idée" in entries
    assert 'href="/agir/"' in entries and "Donner un coup de main" in entries
    assert 'href="/agenda/"' in entries and "L’agenda" in entries.replace("&#x27;", "’").replace(
        "'", "’"
    )


# --- Pins --------------------------------------------------------------------------------------


def test_pins_in_the_staff_order_and_only_while_public(
    client, hood_sites, publish_news, resident, tilleuls
):
    home = hood_sites
    article = publish_news(title="Grand ménage d'hiver")
    hidden_page = publish_news(title="Brouillon épinglé")
    idea = ProposalFactory(author=resident, title="Un potager partagé")
    hidden_idea = ProposalFactory(author=resident, title="Idée modérée", is_hidden=True)
    action = ActionFactory(neighbourhood=tilleuls, title="Repair café")
    draft_action = ActionFactory(
        neighbourhood=tilleuls, title="Action en préparation", is_published=False
    )
    HomePin.objects.bulk_create(
        [
            HomePin(home=home, sort_order=0, action=action, note="Venez avec vos grille-pain."),
            HomePin(home=home, sort_order=1, pinned_page=article),
            HomePin(home=home, sort_order=2, proposal=idea),
            HomePin(home=home, sort_order=3, pinned_page=hidden_page),
            HomePin(home=home, sort_order=4, proposal=hidden_idea),
            HomePin(home=home, sort_order=5, action=draft_action),
        ]
    )
    hidden_page.unpublish()

    html = html_of(client.get("/"))
    pins = html[
        html.index('class="home-pins"') : html.index("</section>", html.index('class="home-pins"'))
    ]
    assert (
        pins.index("Repair café") < pins.index("Grand ménage d") < pins.index("Un potager partagé")
    )
    assert "Venez avec vos grille-pain." in pins
    for absent in ("Brouillon épinglé", "Idée modérée", "Action en préparation"):
        assert absent not in pins


def test_no_pin_no_section(client, hood_sites):
    assert 'class="home-pins"' not in html_of(client.get("/"))


def test_a_pin_is_one_thing_only(hood_sites, resident, tilleuls):
    from django.core.exceptions import ValidationError

    idea = ProposalFactory(author=resident)
    action = ActionFactory(neighbourhood=tilleuls)
    with pytest.raises(ValidationError):
        HomePin(home=hood_sites, proposal=idea, action=action).clean()
    with pytest.raises(ValidationError):
        HomePin(home=hood_sites).clean()
    HomePin(home=hood_sites, proposal=idea).clean()


def test_staff_pin_an_item_in_the_wagtail_editor(client, hood_sites, manager, resident):
    idea = ProposalFactory(author=resident, title="Un potager partagé")
    home = hood_sites
    client.force_login(manager)
    edit = client.get(f"/admin/pages/{home.pk}/edit/")
    assert edit.status_code == 200
    assert "pins-TOTAL_FORMS" in edit.content.decode()
    data = {
        "title": home.title,
        "slug": home.slug,
        "intro": "Bienvenue, voisines et voisins.",
        "body-count": "0",
        "pins-TOTAL_FORMS": "1",
        "pins-INITIAL_FORMS": "0",
        "pins-MIN_NUM_FORMS": "0",
        "pins-MAX_NUM_FORMS": "6",
        "pins-0-pinned_page": "",
        "pins-0-proposal": str(idea.pk),
        "pins-0-action": "",
        "pins-0-note": "Donnez votre avis avant vendredi.",
        "pins-0-ORDER": "1",
        "pins-0-id": "",
        "pins-0-DELETE": "",
        "action-publish": "publish",
    }
    response = client.post(f"/admin/pages/{home.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    html = html_of(client.get("/"))
    assert "Bienvenue, voisines et voisins." in html
    assert "Donnez votre avis avant vendredi." in html


# --- Queries -----------------------------------------------------------------------------------


def _fill(resident, tilleuls, publish_news, hood, start):
    for number in range(start, start + 4):
        shift_in(tilleuls, days=number + 1, title=f"Action {number}")
        supported(ProposalFactory(author=resident, title=f"Idée {number}"), number)
        publish_news(title=f"Actualité {number}", neighbourhood=tilleuls)
        make_event(title=f"Fête {number}", start=event_in_days(number + 2), neighbourhood=tilleuls)
    HomePin.objects.create(home=hood, proposal=ProposalFactory(author=resident), sort_order=start)


def test_the_home_needs_a_bounded_number_of_queries(
    client, hood_sites, resident, tilleuls, publish_news, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _fill(resident, tilleuls, publish_news, hood_sites, 0)
    AssemblyFactory(neighbourhood=tilleuls)
    client.force_login(resident)
    client.get("/")  # warm Wagtail's per-site caches
    with CaptureQueriesContext(connection) as few:
        html_of(client.get("/"))

    _fill(resident, tilleuls, publish_news, hood_sites, 4)
    with django_assert_max_num_queries(24):
        html = html_of(client.get("/"))
    with CaptureQueriesContext(connection) as many:
        html_of(client.get("/"))
    # Twice the rows, not one query more.
    assert len(many) == len(few)
    # 4 shifts, 3 new ideas (none near the default threshold of 30), 4 events, 1 assembly.
    assert html.count('class="home-item"') == 4 + 3 + 4 + 1
