"""The minutes (compte rendu) of an assembly: generated as a draft from the record, edited
and published in Wagtail; the staff button; the demo data."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, path, reverse
from wagtail.models import Page

from civic.assemblies import minutes, services
from civic.assemblies.minutes_views import generate_minutes_view
from civic.assemblies.models import MinutesIndexPage, MinutesPage, MotionKind
from civic.assemblies.services import AssemblyError
from config import urls as site_urls
from tests.assemblies_factories import (
    close,
    make_assembly,
    open_vote,
    present_member,
    register_member,
    resident_of,
    vote,
)
from tests.factories import PASSWORD, ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db

# The button's route is wired by the assemblies pages (civic.assemblies.urls); these tests
# mount the view themselves so that they do not depend on it.
urlpatterns = [
    path("test-minutes/<int:pk>/", generate_minutes_view, name="test_generate_minutes"),
    *site_urls.urlpatterns,
]


def ended_assembly(manager, neighbourhood, resident, *, title="Assemblée des Tilleuls"):
    """An ended session: 3 present, 1 represented, one open for/against vote, one secret
    choice, on an agenda whose first item brings a public idea."""
    idea = ProposalFactory(author=resident, title="Des bancs autour de l'aire de jeux")
    assembly = make_assembly(
        manager,
        neighbourhood,
        title=title,
        items=[{"title": "Les bancs", "proposal": idea}, "La fête de quartier"],
        quorum_kind="count",
        quorum_value=2,
    )
    amina = present_member(assembly, resident, manager)
    bob = present_member(assembly, resident_of(assembly, display_name="Bob L."), manager)
    present_member(assembly, resident_of(assembly, display_name="Chloé M."), manager)
    absent = register_member(assembly, resident_of(assembly, display_name="Dora P."))
    services.give_proxy(actor=manager, giver=absent, holder=bob)

    motion = open_vote(assembly, manager, "Installe-t-on deux bancs ?")
    vote(resident, motion, "for")
    vote(bob.user, motion, "for")
    vote(bob.user, motion, "against", on_behalf_of=absent)
    close(motion, manager)

    assembly.refresh_from_db()
    services.next_item(actor=manager, assembly=assembly)
    secret = open_vote(
        assembly,
        manager,
        "Quel samedi pour la fête ?",
        kind=MotionKind.CHOICES,
        choices=["Le 14 juin", "Le 21 juin"],
        is_secret=True,
    )
    vote(resident, secret, "Le 21 juin")
    vote(bob.user, secret, "Le 21 juin")
    close(secret, manager)
    services.end_session(actor=manager, assembly=assembly)
    assembly.refresh_from_db()
    assert amina.checked_in_at is not None
    return assembly


@pytest.fixture
def ended(site_tree, manager, tilleuls, resident):
    return ended_assembly(manager, tilleuls, resident)


# --- generate_minutes -------------------------------------------------------------------------


def test_only_staff_generate_minutes(ended, resident, partner):
    for user in (resident, partner):
        with pytest.raises(PermissionDenied):
            minutes.generate_minutes(actor=user, assembly=ended)
    assert not MinutesPage.objects.exists()


def test_minutes_wait_for_the_end_of_the_session(site_tree, manager, tilleuls):
    assembly = make_assembly(manager, tilleuls, items=["Budget"])
    with pytest.raises(AssemblyError) as error:
        minutes.generate_minutes(actor=manager, assembly=assembly)
    assert error.value.code == "not_ended"
    services.open_session(actor=manager, assembly=assembly)
    with pytest.raises(AssemblyError):
        minutes.generate_minutes(actor=manager, assembly=assembly)


def test_a_draft_page_under_the_minutes_index(ended, manager, home_page):
    page = minutes.generate_minutes(actor=manager, assembly=ended)

    index = MinutesIndexPage.objects.get()
    assert index.slug == "comptes-rendus"
    assert index.title == "Comptes rendus des assemblées"
    assert index.get_parent().pk == home_page.pk
    assert index.live
    page = MinutesPage.objects.get(pk=page.pk)
    assert page.get_parent().pk == index.pk
    assert page.title == "Compte rendu — Assemblée des Tilleuls"
    assert not page.live  # a draft: published through the usual workflow
    assert page.held_on == minutes.held_on(ended)
    assert page.assembly_id == ended.pk
    assert page.latest_revision is not None
    assert page.latest_revision.content["body"] == page.body
    ended.refresh_from_db()
    assert ended.minutes_page_id == page.pk


def test_the_body_is_the_record_of_the_session(ended, manager):
    body = minutes.generate_minutes(actor=manager, assembly=ended).body

    assert "Salle des fêtes, 3 rue des Lilas" in body
    assert "Les Tilleuls" in body
    assert "4 membres inscrits" in body
    assert "3 personnes présentes" in body
    assert "1 personne représentée par procuration" in body
    assert "Amina B., Bob L., Chloé M." in body
    assert "Dora P., procuration à Bob L." in body
    # The agenda in order, with the idea it brought.
    assert body.index("1. Les bancs") < body.index("2. La fête de quartier")
    assert "Des bancs autour de l&#x27;aire de jeux" in body
    # The open for/against vote: rules, tallies and outcome.
    assert "Installe-t-on deux bancs ?" in body
    assert "vote non secret" in body
    assert "Quorum atteint\u202f: 4 membres présents ou représentés pour 2 requis." in body
    assert "Pour : 2 voix (66,7 %)" in body
    assert "Contre : 1 voix (33,3 %)" in body
    assert "Résultat : Adopté" in body
    # The secret choice.
    assert "Quel samedi pour la fête ?" in body
    assert "à bulletin secret" in body
    assert "majorité simple (le choix arrivé devant chacun des autres)" in body
    # Two voters: each would know the other's choice, so no figure per option.
    assert "Le 21 juin : 2 voix" not in body
    assert "moins de 3 votants : le détail par choix n'est pas publié" in body
    assert "Résultat : Choix retenu : Le 21 juin" in body
    assert body.index("Installe-t-on") < body.index("Quel samedi")
    # Wagtail rich text only: no tables, no scripts, no attributes.
    for tag in ("<table", "<script", "<div", "style=", "class="):
        assert tag not in body


def test_no_individual_choice_in_the_minutes(ended, manager):
    body = minutes.generate_minutes(actor=manager, assembly=ended).body
    # Names appear once, in the attendance, never next to a choice.
    assert body.count("Amina B.") == 1
    assert body.count("Bob L.") == 2  # present, and holder of Dora's proxy


def test_outcomes_in_plain_words():
    tallies = [{"option": 7, "label": "Le 21 juin"}]
    assert minutes.outcome_words({"outcome": "rejected"}) == "Rejeté"
    assert minutes.outcome_words({"outcome": "chosen", "winner": 7}, tallies) == (
        "Choix retenu : Le 21 juin"
    )
    assert minutes.outcome_words({"outcome": "no_decision"}).startswith("Pas de décision")
    assert minutes.outcome_words({"outcome": "no_quorum"}).startswith("Quorum non atteint")


def test_no_html_injection(site_tree, manager, tilleuls, resident):
    evil = "<script>alert('x')</script>"
    assembly = ended_assembly(manager, tilleuls, resident, title=f"Assemblée {evil}")
    resident.display_name = f"Amina {evil}"
    resident.save()
    assembly.items.filter(title="Les bancs").update(title=f"Bancs {evil}", description=evil)
    assembly.motions.filter(kind=MotionKind.FOR_AGAINST).update(question=f"Bancs ? {evil}")

    page = minutes.generate_minutes(actor=manager, assembly=assembly)

    assert "<script" not in page.body
    assert "&lt;script&gt;" in page.body
    assert page.title == f"Compte rendu — Assemblée {evil}"  # a title is text, escaped on pages
    page.save_revision().publish()
    response = minutes_client_get(page)
    assert b"<script>alert" not in response.content


def minutes_client_get(page):
    from django.test import Client

    response = Client().get(page.url)
    assert response.status_code == 200
    return response


def test_a_second_call_returns_the_same_page(ended, manager):
    first = minutes.generate_minutes(actor=manager, assembly=ended)
    again = minutes.generate_minutes(actor=manager, assembly=ended)
    assert again.pk == first.pk
    assert MinutesPage.objects.count() == 1
    assert MinutesIndexPage.objects.count() == 1


def test_a_deleted_page_is_made_again(ended, manager):
    first = minutes.generate_minutes(actor=manager, assembly=ended)
    Page.objects.get(pk=first.pk).delete()
    ended.refresh_from_db()
    assert ended.minutes_page_id is None
    second = minutes.generate_minutes(actor=manager, assembly=ended)
    assert second.pk != first.pk
    assert MinutesPage.objects.count() == 1
    ended.refresh_from_db()
    assert ended.minutes_page_id == second.pk


def test_an_existing_index_is_reused(ended, manager, home_page):
    index = home_page.add_child(instance=MinutesIndexPage(title="CR", slug="cr"))
    page = minutes.generate_minutes(actor=manager, assembly=ended)
    assert page.get_parent().pk == index.pk
    assert MinutesIndexPage.objects.count() == 1


# --- The pages ----------------------------------------------------------------------------------


def test_published_minutes_are_listed_newest_first(site_tree, manager, tilleuls, resident, client):
    older = ended_assembly(manager, tilleuls, resident, title="Assemblée de mars")
    older_page = minutes.generate_minutes(actor=manager, assembly=older)
    MinutesPage.objects.filter(pk=older_page.pk).update(held_on="2025-03-10")
    older_page.refresh_from_db()
    older_page.save_revision().publish()
    other = UserFactory(neighbourhood=tilleuls, display_name="Zoé")
    newer = ended_assembly(manager, tilleuls, other, title="Assemblée d'avril")
    newer_page = minutes.generate_minutes(actor=manager, assembly=newer)
    draft = ended_assembly(
        manager, tilleuls, UserFactory(neighbourhood=tilleuls), title="Brouillon"
    )
    minutes.generate_minutes(actor=manager, assembly=draft)
    newer_page.save_revision().publish()

    response = client.get(MinutesIndexPage.objects.get().url)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Assemblée d&#x27;avril") < html.index("Assemblée de mars")
    assert "Brouillon" not in html
    assert "<h1>Comptes rendus des assemblées</h1>" in html


def test_a_published_minutes_page(ended, manager, client):
    page = minutes.generate_minutes(actor=manager, assembly=ended)
    page.save_revision().publish()
    page.refresh_from_db()

    response = client.get(page.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Compte rendu — Assemblée des Tilleuls</h1>" in html
    assert "Résultat : Adopté" in html
    try:
        assembly_url = ended.get_absolute_url()
    except NoReverseMatch:  # the assembly pages are not wired yet
        return
    assert f'href="{assembly_url}"' in html


def test_a_draft_is_not_public(ended, manager, client):
    page = minutes.generate_minutes(actor=manager, assembly=ended)
    assert client.get(f"/comptes-rendus/{page.slug}/").status_code == 404


# --- The staff button ---------------------------------------------------------------------------

button = pytest.mark.urls(__name__)


@button
def test_the_button_is_a_post(ended, manager, client):
    client.login(email=manager.email, password=PASSWORD)
    url = reverse("test_generate_minutes", args=[ended.pk])
    assert client.get(url).status_code == 405


@button
def test_anonymous_visitors_log_in_first(ended, client):
    url = reverse("test_generate_minutes", args=[ended.pk])
    response = client.post(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not MinutesPage.objects.exists()


@button
def test_residents_may_not(ended, resident, client):
    client.login(email=resident.email, password=PASSWORD)
    response = client.post(reverse("test_generate_minutes", args=[ended.pk]))
    assert response.status_code == 403
    assert not MinutesPage.objects.exists()


@button
def test_staff_land_on_the_admin_edit_page(ended, manager, client):
    client.login(email=manager.email, password=PASSWORD)
    response = client.post(reverse("test_generate_minutes", args=[ended.pk]), follow=False)
    page = MinutesPage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    edit = client.get(response["Location"])
    assert edit.status_code == 200
    assert "Le brouillon du compte rendu est prêt" in edit.content.decode()
    # Again: the same page.
    client.post(reverse("test_generate_minutes", args=[ended.pk]))
    assert MinutesPage.objects.count() == 1


@button
def test_a_session_not_ended_comes_back_with_a_message(site_tree, manager, tilleuls, client):
    assembly = make_assembly(manager, tilleuls, items=["Budget"])
    client.login(email=manager.email, password=PASSWORD)
    response = client.post(
        reverse("test_generate_minutes", args=[assembly.pk]), {"next": "/admin/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert not MinutesPage.objects.exists()
    try:
        assembly_url = assembly.get_absolute_url()
    except NoReverseMatch:  # the assembly pages are not wired yet
        return
    response = client.post(
        reverse("test_generate_minutes", args=[assembly.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == assembly_url


@button
def test_an_unknown_assembly_is_a_404(site_tree, manager, client):
    client.login(email=manager.email, password=PASSWORD)
    assert client.post(reverse("test_generate_minutes", args=[999999])).status_code == 404


def test_the_url_name_is_wired():
    try:
        reverse("assemblies:generate_minutes", args=[1])
    except NoReverseMatch:
        pytest.skip("civic.assemblies.urls does not route the button yet")


# --- Demo data ------------------------------------------------------------------------------------


def test_demo_assemblies_once(site_tree, manager, tilleuls, bel_air, client):
    from civic.assemblies.demo import PAST_TITLE, UPCOMING_TITLE, seed_assemblies
    from civic.assemblies.models import Assembly, Participant
    from civic.proposals.models import Proposal
    from tests.factories import ProposalFactory

    amina = UserFactory(
        email="amina@demo.quartier-commun.fr", display_name="Amina B.", neighbourhood=tilleuls
    )
    UserFactory(
        email="bailleur@demo.quartier-commun.fr",
        display_name="Habitat Sud (bailleur)",
        neighbourhood=None,
        groups=["Partenaires"],
    )
    idea = ProposalFactory(author=amina, title="Des bancs autour de l'aire de jeux")
    neighbourhoods = {"les-tilleuls": tilleuls, "bel-air": bel_air}

    assert seed_assemblies(staff=manager, neighbourhoods=neighbourhoods) == 2
    counts = (Assembly.objects.count(), Participant.objects.count(), MinutesPage.objects.count())
    assert seed_assemblies(staff=manager, neighbourhoods=neighbourhoods) == 0
    assert (
        Assembly.objects.count(),
        Participant.objects.count(),
        MinutesPage.objects.count(),
    ) == counts

    upcoming = Assembly.objects.get(title=UPCOMING_TITLE)
    assert upcoming.is_published and upcoming.place == "Salle polyvalente, 3 place des Tilleuls"
    assert 9 <= (upcoming.starts_at - upcoming.created_at).days <= 10
    assert upcoming.items.count() == 4
    assert upcoming.items.filter(proposal=idea).exists()
    assert [(c.name, c.weight) for c in upcoming.colleges.order_by("sort_order")] == [
        ("Habitants", 2),
        ("Collectivités", 1),
        ("Bailleurs", 1),
    ]
    members = {p.user.email: p for p in upcoming.participants.select_related("user", "college")}
    assert members["bailleur@demo.quartier-commun.fr"].college.name == "Bailleurs"
    assert "amina@demo.quartier-commun.fr" in members

    past = Assembly.objects.get(title=PAST_TITLE)
    assert past.session_status == "ended"
    assert 29 <= (minutes.held_on(upcoming) - minutes.held_on(past)).days - 10 <= 31
    closed = list(past.motions.order_by("closed_at"))
    assert [(m.kind, m.is_secret, m.status) for m in closed] == [
        ("for_against", False, "closed"),
        ("choices", True, "closed"),
    ]
    assert closed[0].result["outcome"] == "adopted"
    assert closed[1].result["outcome"] == "chosen"
    assert not closed[1].ballots.exclude(option=None).exists()  # secret: erased
    assert Proposal.objects.get(pk=idea.pk).history.count() == 0  # the demo idea untouched
    page = MinutesPage.objects.get(assembly=past)
    assert page.live and page.held_on == minutes.held_on(past)
    assert "Choix retenu : Samedi 20 juin" in page.body
    assert client.get(page.url).status_code == 200
