"""The site search (/recherche/) finds every kind a visitor may read — ideas, actions,
events, assemblies, news and pages — in one ranked list; accents and case never matter,
and nothing hidden, unpublished or draft is ever found. Runs on SQLite and PostgreSQL."""

import re

import pytest
from wagtail.models import PageViewRestriction

from civic.proposals.models import Proposal
from cms.models import NewsPage, StandardPage
from tests.agenda_factories import make_event
from tests.assemblies_factories import AssemblyFactory
from tests.factories import ActionFactory, ProposalFactory, ShiftFactory

pytestmark = pytest.mark.django_db


def html(response):
    return response.content.decode()


def found(response):
    """(kind, title) of the results on the page, in their order."""
    return [(r.kind, r.title) for r in response.context["page_obj"].object_list]


def titles(response):
    return [title for _kind, title in found(response)]


@pytest.fixture
def world(site_tree, publish_news, resident, tilleuls):
    """One of each kind, each with its own words in its title and in its text."""
    home, _news_index = site_tree
    ProposalFactory(
        author=resident,
        title="Composteur collectif rue Pasteur",
        description="Un bac pour les épluchures du marché.",
    )
    action = ActionFactory(
        neighbourhood=tilleuls,
        title="Chantier peinture de la passerelle",
        description="On repeint la rambarde avec les enfants.",
    )
    ShiftFactory(action=action)
    make_event(
        title="Fête des voisins du printemps",
        summary="Grande tablée et musique dans la cour.",
        neighbourhood=tilleuls,
    )
    AssemblyFactory(
        neighbourhood=tilleuls,
        title="Assemblée sur la cantine",
        convocation="Ordre du jour : menus végétariens.",
    )
    publish_news(
        title="Nouvelle ludothèque ouverte",
        lead="Des jeux de société à emprunter.",
        neighbourhood=tilleuls,
    )
    page = StandardPage(
        title="Horaires du guichet",
        intro="Accueil le mardi matin.",
        body=[("paragraph", "<p>Permanence téléphonique le jeudi.</p>")],
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return home


KINDS = [
    # kind, label, a word of the title, a word of the text
    ("idee", "Idée", "composteur", "epluchures"),
    ("action", "Action", "passerelle", "rambarde"),
    ("evenement", "Événement", "printemps", "tablee"),
    ("assemblee", "Assemblée", "cantine", "vegetariens"),
    ("actualite", "Actualité", "ludotheque", "emprunter"),
    ("page", "Page", "guichet", "permanence"),
]


@pytest.mark.parametrize(("kind", "label", "title_word", "text_word"), KINDS)
def test_each_kind_is_found_by_a_word_of_its_title_and_of_its_text(
    client, world, kind, label, title_word, text_word
):
    for word in (title_word, text_word):
        response = client.get("/recherche/", {"q": word})
        assert response.status_code == 200
        kinds = [k for k, _title in found(response)]
        assert kinds == [kind], (word, found(response))
        content = html(response)
        assert f'<span class="badge">{label}</span>' in content
        result = response.context["page_obj"].object_list[0]
        assert f'href="{result.url}"' in content
        assert result.facts, "each result says one or two facts"


def test_results_give_their_quartier_and_date(client, world):
    content = html(client.get("/recherche/", {"q": "cantine"}))
    assert "Les Tilleuls" in content
    assert re.search(
        r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d+ \w+ 20\d\d", content
    )
    idea = html(client.get("/recherche/", {"q": "composteur"}))
    assert "Publiée" in idea


@pytest.mark.parametrize("query", ["fete", "FETE", "Fête", "fêTE"])
def test_accents_and_case_do_not_matter(client, world, query):
    # The event has the word in its title; the assembly meets in the "Salle des fêtes".
    assert titles(client.get("/recherche/", {"q": query})) == [
        "Fête des voisins du printemps",
        "Assemblée sur la cantine",
    ]
    assert titles(client.get("/recherche/", {"q": f"{query} DES VOISINS"})) == [
        "Fête des voisins du printemps"
    ]


@pytest.mark.parametrize("query", ["ÉPLUCHURES", "épluchures", "Epluchures"])
def test_accents_do_not_matter_in_the_text_either(client, world, query):
    assert titles(client.get("/recherche/", {"q": query})) == ["Composteur collectif rue Pasteur"]


def test_every_word_must_be_found(client, world):
    assert titles(client.get("/recherche/", {"q": "composteur pasteur"})) == [
        "Composteur collectif rue Pasteur"
    ]
    assert titles(client.get("/recherche/", {"q": "composteur cantine"})) == []


def test_a_match_in_the_title_comes_before_a_match_in_the_text(client, resident, tilleuls, world):
    ProposalFactory(
        author=resident, title="Des bancs au square", description="Près du jardin partagé."
    )
    ActionFactory(
        neighbourhood=tilleuls, title="Jardin partagé : on bêche", description="Avec des pelles."
    )
    AssemblyFactory(
        neighbourhood=tilleuls,
        title="Assemblée de printemps",
        convocation="Le jardin partagé et le budget.",
    )
    results = found(client.get("/recherche/", {"q": "jardin"}))
    assert results[0] == ("action", "Jardin partagé : on bêche")
    assert {kind for kind, _title in results[1:]} == {"idee", "assemblee"}


def test_the_kind_filter_keeps_one_kind_and_counts_each(client, world, resident):
    ProposalFactory(author=resident, title="Cantine bio", description="Des repas locaux.")
    everything = client.get("/recherche/", {"q": "cantine"})
    assert sorted(kind for kind, _title in found(everything)) == ["assemblee", "idee"]
    content = html(everything)
    assert "Tout (2)" in content
    assert 'href="?q=cantine&amp;type=idee"' in content
    assert "Idées (1)" in content and "Assemblées (1)" in content
    assert "Actions (" not in content  # a kind without results is not offered

    ideas = client.get("/recherche/", {"q": "cantine", "type": "idee"})
    assert found(ideas) == [("idee", "Cantine bio")]
    assert "Tout (2)" in html(ideas)
    assert re.search(r'<a href="\?q=cantine&amp;type=idee" aria-current="page">', html(ideas))

    unknown = client.get("/recherche/", {"q": "cantine", "type": "<script>"})
    assert len(found(unknown)) == 2


def test_results_are_paginated_and_the_query_is_kept(client, world, resident):
    for n in range(12):
        ProposalFactory(author=resident, title=f"Potager numéro {n}", description="Des tomates.")
    first = client.get("/recherche/", {"q": "potager"})
    assert len(found(first)) == 10
    assert "12 résultats" in html(first)
    assert 'name="q" value="potager"' in html(first)
    assert 'href="?q=potager&amp;page=2"' in html(first)
    second = client.get("/recherche/", {"q": "potager", "page": 2})
    assert len(found(second)) == 2
    assert not set(titles(first)) & set(titles(second))
    ideas_page_2 = client.get("/recherche/", {"q": "potager", "type": "idee", "page": 2})
    assert 'href="?q=potager&amp;type=idee&amp;page=1"' in html(ideas_page_2)


def test_the_empty_state_says_what_to_do(client, world):
    content = html(client.get("/recherche/", {"q": "zeppelin"}))
    assert "0 résultat" in content
    assert "Aucun résultat" in content
    assert 'href="/idees/proposer/"' in content


# --- Only what the visitor may see ---------------------------------------------------------


@pytest.fixture
def hidden_things(world, resident, tilleuls, news_index, publish_news):
    """Rows a visitor must never find, even by their exact title."""
    for status, title in [
        ("submitted", "Idée en attente Zanzibar"),
        ("refused", "Idée refusée Zanzibar"),
        ("withdrawn", "Idée retirée Zanzibar"),
    ]:
        ProposalFactory(author=resident, title=title, status=status)
    ProposalFactory(
        author=resident, title="Idée masquée Zanzibar", is_hidden=True, hidden_reason="Insulte"
    )
    ActionFactory(neighbourhood=tilleuls, title="Action brouillon Zanzibar", is_published=False)
    AssemblyFactory(
        neighbourhood=tilleuls, title="Assemblée brouillon Zanzibar", is_published=False
    )
    draft = NewsPage(title="Brouillon Zanzibar", lead="Pas prêt.", body=[], live=False)
    news_index.add_child(instance=draft)
    draft.save_revision()
    withdrawn = publish_news(title="Article retiré Zanzibar", lead="Plus en ligne.")
    withdrawn.unpublish()
    private = publish_news(title="Note privée Zanzibar", lead="Réservée.")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    titles = list(Proposal.objects.values_list("title", flat=True).filter(title__contains="Zanz"))
    return [
        *titles,
        "Action brouillon Zanzibar",
        "Assemblée brouillon Zanzibar",
        "Brouillon Zanzibar",
        "Article retiré Zanzibar",
        "Note privée Zanzibar",
    ]


def test_nothing_hidden_unpublished_or_draft_is_ever_found(client, hidden_things, resident):
    client.force_login(resident)  # even the author of the hidden ideas
    for query in ["zanzibar", *hidden_things]:
        response = client.get("/recherche/", {"q": query})
        assert response.status_code == 200
        assert found(response) == [], (query, found(response))
        results = html(response).split('id="search-results-title"')[1]
        for title in hidden_things:
            assert title not in results


def test_a_draft_of_a_live_page_is_not_searched(client, world):
    page = StandardPage.objects.get(title="Horaires du guichet")
    page.title = "Titre du brouillon Zanzibar"
    page.save_revision()  # a draft: the live page keeps its title
    assert found(client.get("/recherche/", {"q": "zanzibar"})) == []
    assert titles(client.get("/recherche/", {"q": "guichet"})) == ["Horaires du guichet"]


# --- Hostile input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "!!!",
        "« » … — ?",
        "\x00\x01\x1f",
        "   ",
        "%",
        "_",
        "'; DROP TABLE proposals_proposal; --",
        "[a-z]+ .* (?:x) ^$ \\d",
        "fête" * 300,
        "a" * 5000,
        "🙂🙂",
        "mot " * 500,
        "\u202egeuf",
    ],
)
def test_hostile_queries_give_a_clear_page(client, world, query):
    response = client.get("/recherche/", {"q": query})
    assert response.status_code == 200
    value = re.search(r'name="q" value="([^"]*)"', html(response)).group(1)
    assert len(value) <= 200
    assert "\x00" not in html(response)


def test_a_query_without_words_asks_for_one(client, world):
    content = html(client.get("/recherche/", {"q": "?!…"}))
    assert "Écrivez au moins un mot" in content
    assert "résultat" not in content


def test_regular_expression_characters_are_only_letters(client, world, resident):
    ProposalFactory(author=resident, title="Le 1_er banc", description="Au parc.")
    assert titles(client.get("/recherche/", {"q": "1_er"})) == ["Le 1_er banc"]
    assert found(client.get("/recherche/", {"q": "composteur.*"})) == [
        ("idee", "Composteur collectif rue Pasteur")
    ]


def test_many_results_of_every_kind_in_a_bounded_number_of_queries(
    client, world, resident, tilleuls, publish_news, django_assert_max_num_queries
):
    for n in range(8):
        ProposalFactory(author=resident, title=f"Vélo {n}", description="Un atelier vélo.")
        action = ActionFactory(neighbourhood=tilleuls, title=f"Vélo {n}", description="Réparer.")
        ShiftFactory(action=action)
        AssemblyFactory(neighbourhood=tilleuls, title=f"Vélo {n}", convocation="Les vélos.")
        publish_news(title=f"Vélo {n}", lead="Des vélos.", neighbourhood=tilleuls)
    client.get("/recherche/", {"q": "velo"})  # warm the site's caches
    with django_assert_max_num_queries(14):
        response = client.get("/recherche/", {"q": "velo"})
    assert response.context["outcome"].total == 32
