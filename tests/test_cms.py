"""The public site: pages in French and English, search, feeds, navigation, validation."""

import re
from html import unescape

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import PageViewRestriction

from cms.blocks import AccessibleImageBlock, BaseStreamBlock
from cms.feeds import article_datetime
from cms.models import NewsIndexPage, NewsPage, StandardPage

pytestmark = pytest.mark.django_db

FRENCH_NAV = ("Accueil", "Actualités", "Idées", "Agir")
ENGLISH_NAV = ("Home", "News", "Ideas", "Get involved")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Images and their renditions go to a temporary folder, never to the project's media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def image(db):
    return Image.objects.create(title="Le square", file=get_test_image_file(colour="green"))


@pytest.fixture
def standard_page(home_page):
    page = StandardPage(title="La Régie", slug="la-regie", intro="Qui sommes-nous ?")
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def publish(news_index):
    """Like ``publish_news``, with a body."""

    def publish(title, lead="Samedi matin, on nettoie.", body=(), **fields):
        page = NewsPage(title=title, lead=lead, body=list(body), **fields)
        news_index.add_child(instance=page)
        page.save_revision().publish()
        return page

    return publish


@pytest.fixture
def article(publish, tilleuls):
    return publish(
        title="Nettoyage du square",
        lead="Samedi matin, on nettoie le square.",
        neighbourhood=tilleuls,
        body=[
            ("heading", {"text": "Programme", "level": "h2"}),
            ("paragraph", "<p>Rendez-vous à <b>9 h</b>.</p>"),
            ("quote", {"text": "Un quartier propre,\nc'est l'affaire de tous.", "attribution": ""}),
        ],
    )


@pytest.fixture
def hidden_pages(news_index, publish_news):
    """Pages that visitors must never see: a draft, a withdrawn article, private articles."""
    draft = NewsPage(title="Brouillon du square", lead="Pas encore prêt.", body=[], live=False)
    news_index.add_child(instance=draft)
    draft.save_revision()

    withdrawn = publish_news(title="Article retiré du square", lead="Plus en ligne.")
    withdrawn.unpublish()

    password = publish_news(title="Compte rendu du comité", lead="Square : budget interne.")
    PageViewRestriction.objects.create(
        page=password, restriction_type=PageViewRestriction.PASSWORD, password="comite"
    )
    login = publish_news(title="Note aux membres", lead="Square : liste des bénévoles.")
    PageViewRestriction.objects.create(page=login, restriction_type=PageViewRestriction.LOGIN)
    return {"draft": draft, "withdrawn": withdrawn, "password": password, "login": login}


def html(response):
    return response.content.decode()


def main_nav(response):
    match = re.search(r'<nav class="main-nav".*?</nav>', html(response), re.S)
    assert match, "the main navigation is missing"
    return match.group(0)


def nav_labels(response):
    return re.findall(r"<a [^>]*>([^<]+)</a>", main_nav(response))


def english_client(how):
    client = Client()
    if how == "cookie":
        client.cookies["qc_language"] = "en"
        return client, {}
    return client, {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def page_urls(article, standard_page, news_index):
    return {
        "home": "/",
        "news index": news_index.url,
        "news page": article.url,
        "standard page": standard_page.url,
        "search": "/recherche/?q=square",
        "empty search": "/recherche/",
    }


PAGES = ["home", "news index", "news page", "standard page", "search", "empty search"]


# --- Languages ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_pages_render_in_french_by_default(client, page_urls, name):
    response = client.get(page_urls[name])
    assert response.status_code == 200
    assert '<html lang="fr">' in html(response)
    assert nav_labels(response)[:4] == list(FRENCH_NAV)
    assert "Aller au contenu" in html(response)


@pytest.mark.parametrize("how", ["cookie", "accept-language"])
@pytest.mark.parametrize("name", PAGES)
def test_pages_render_in_english_when_asked(page_urls, name, how):
    client, headers = english_client(how)
    response = client.get(page_urls[name], **headers)
    assert response.status_code == 200
    content = html(response)
    assert '<html lang="en">' in content
    assert nav_labels(response)[:7] == [*ENGLISH_NAV, "Agenda", "Assemblies", "Search"]
    assert "Skip to content" in content
    assert "Aller au contenu" not in content


def test_french_cookie_wins_over_english_browser(page_urls):
    client = Client()
    client.cookies["qc_language"] = "fr"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="fr">' in html(response)


def test_unknown_language_falls_back_to_french(page_urls):
    client = Client()
    client.cookies["qc_language"] = "xx"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="fr">' in html(response)
    assert nav_labels(response)[:4] == list(FRENCH_NAV)


def test_english_page_content_strings_are_translated(article, news_index):
    client, _ = english_client("cookie")
    assert "Latest news" in html(client.get("/"))
    content = html(client.get(news_index.url))
    assert "Subscribe to the RSS feed" in content
    assert "All news" in html(client.get(article.url))
    search = html(client.get("/recherche/?q=square"))
    assert "1 result" in search
    assert "Search the site" in search


def test_page_not_found_is_translated(site_tree):
    assert "Page introuvable" in html(Client().get("/nulle-part/"))
    client, _ = english_client("cookie")
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page not found" in html(response)


# --- Home, news and pages -----------------------------------------------------------------


def test_home_lists_latest_published_news_only(client, article, hidden_pages):
    content = html(client.get("/"))
    assert "Nettoyage du square" in content
    assert "Les Tilleuls" in content
    for page in hidden_pages.values():
        assert page.title not in content


def test_home_without_news_says_so(client, home_page):
    assert "Aucune actualité pour le moment." in html(client.get("/"))


def test_news_page_renders_its_blocks(client, article):
    content = html(client.get(article.url))
    assert "<h1>Nettoyage du square</h1>" in content
    assert "<h2>Programme</h2>" in content
    assert "<b>9 h</b>" in content
    assert "Un quartier propre,<br>c&#x27;est l&#x27;affaire de tous." in content
    assert "Les Tilleuls" in content
    assert 'aria-current="page"' in main_nav(client.get(article.url))


def test_news_page_shows_images_with_their_alt_text(client, publish, image):
    page = publish(
        title="Le square rénové",
        image=image,
        image_alt="Le square avec ses nouveaux bancs",
        body=[("image", {"image": image, "alt_text": "Les enfants jouent", "caption": "Juin"})],
    )
    response = client.get(page.url)
    assert response.status_code == 200
    content = html(response)
    assert 'alt="Le square avec ses nouveaux bancs"' in content
    assert 'alt="Les enfants jouent"' in content
    assert "<figcaption>Juin</figcaption>" in content


def test_titles_and_text_are_escaped(client, publish_news):
    page = publish_news(
        title="<script>alert('titre')</script>",
        lead="<img src=x onerror=alert(1)>",
        slug="article-piege",
    )
    for url in (page.url, "/", NewsIndexPage.objects.get().url):
        content = html(client.get(url))
        assert "<script>alert(" not in content
        assert "<img src=x" not in content
        assert "&lt;script&gt;alert(&#x27;titre&#x27;)&lt;/script&gt;" in content


def test_standard_page_renders(client, standard_page):
    response = client.get(standard_page.url)
    assert response.status_code == 200
    assert "Qui sommes-nous ?" in html(response)


def test_news_index_paginates(client, news_index, publish_news):
    for number in range(12):
        publish_news(title=f"Article numéro {number:02}", lead="…")
    first = html(client.get(news_index.url))
    assert first.count('class="card"') == 10
    assert "Page 1 sur 2" in first
    second = html(client.get(news_index.url, {"page": 2}))
    assert second.count('class="card"') == 2
    assert "Page 2 sur 2" in second


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abc", 1),
        ("-1", 1),
        ("0", 1),
        ("99999", 2),
        ("1.5", 1),
        ("1e400", 1),
        ("9" * 5000, 2),
        ("", 1),
        ("%00", 1),
    ],
)
def test_news_index_bad_page_numbers_give_a_valid_page(
    client, news_index, publish_news, value, expected
):
    for number in range(12):
        publish_news(title=f"Article numéro {number:02}", lead="…")
    response = client.get(f"{news_index.url}?page={value}")
    assert response.status_code == 200
    assert f"Page {expected} sur 2" in html(response)


def test_news_index_filters_by_neighbourhood(client, news_index, publish_news, tilleuls, bel_air):
    publish_news(title="Aux Tilleuls", neighbourhood=tilleuls)
    publish_news(title="À Bel-Air", neighbourhood=bel_air)
    publish_news(title="Pour tous")
    content = html(client.get(news_index.url, {"quartier": "les-tilleuls"}))
    assert "Aux Tilleuls" in content
    assert "Pour tous" in content
    assert "À Bel-Air" not in content


def test_news_index_lists_published_news_only(client, news_index, article, hidden_pages):
    content = html(client.get(news_index.url))
    assert "Nettoyage du square" in content
    for page in hidden_pages.values():
        assert page.title not in content


# --- Hidden pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["draft", "withdrawn"])
def test_unpublished_pages_are_404_for_visitors(client, resident, hidden_pages, key):
    url = "/actualites/" + hidden_pages[key].slug + "/"
    assert client.get(url).status_code == 404
    client.force_login(resident)
    assert client.get(url).status_code == 404


def test_private_pages_ask_for_a_password_or_a_login(client, hidden_pages):
    response = client.get(hidden_pages["password"].url)
    assert response.status_code == 200
    assert "budget interne" not in html(response)
    response = client.get(hidden_pages["login"].url)
    assert response.status_code == 302
    assert "liste des bénévoles" not in html(response)


# --- Search ---------------------------------------------------------------------------------


def test_search_finds_published_pages_only(client, article, hidden_pages):
    response = client.get("/recherche/", {"q": "square"})
    assert response.status_code == 200
    content = html(response)
    assert "1 résultat" in content
    assert "Nettoyage du square" in content
    assert article.url in content
    for page in hidden_pages.values():
        assert page.title not in content


def test_empty_search_shows_the_form_only(client, article):
    for query in ("", "   "):
        response = client.get("/recherche/", {"q": query})
        assert response.status_code == 200
        content = html(response)
        assert 'name="q"' in content
        assert "résultat" not in content


def test_search_without_results(client, article):
    content = html(client.get("/recherche/", {"q": "introuvable"}))
    assert "0 résultat" in content
    assert "Aucun résultat" in content


def test_very_long_search_is_cut(client, article):
    response = client.get("/recherche/", {"q": "square " * 1500})
    assert response.status_code == 200
    value = re.search(r'name="q" value="([^"]*)"', html(response)).group(1)
    assert len(value) <= 200


def test_html_in_search_is_escaped(client, article):
    response = client.get("/recherche/", {"q": '"><script>alert(1)</script>'})
    assert response.status_code == 200
    content = html(response)
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "'",
        "*",
        "square*",
        "(",
        ")",
        "square AND",
        "OR",
        "NOT square",
        "-square",
        "square:",
        "^",
        "NEAR(square",
        '"square',
        "\x00square",
        "%",
        "_",
        "\\",
        "é" * 50,
        "🙂",
    ],
)
def test_odd_search_queries_never_fail(client, article, query):
    response = client.get("/recherche/", {"q": query})
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["abc", "-1", "99999", "0"])
def test_search_bad_page_numbers(client, article, page):
    response = client.get("/recherche/", {"q": "square", "page": page})
    assert response.status_code == 200
    assert "Nettoyage du square" in html(response)


# --- Feeds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/actualites/flux.rss", "/actualites/flux.atom"])
def test_feeds_list_published_news_only(client, article, publish_news, hidden_pages, url):
    older = publish_news(title="Ancien article", lead="Il y a longtemps.")
    article.refresh_from_db()
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.title == "Quartier Commun — actualités"
    assert feed.feed.link == "http://testserver/actualites/"

    entries = {entry.title: entry for entry in feed.entries}
    assert set(entries) == {"Nettoyage du square", "Ancien article"}
    entry = entries["Nettoyage du square"]
    assert entry.link == "http://testserver/actualites/nettoyage-du-square/"
    assert entry.summary == "Samedi matin, on nettoie le square."
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    # The article's own date, at local midnight (tests/test_feeds.py checks dates in full).
    assert published[:6] == article_datetime(article.date).utctimetuple()[:6]
    assert [tag.term for tag in entry.tags] == ["Les Tilleuls"]
    assert entries["Ancien article"].link.endswith(older.url)

    for page in hidden_pages.values():
        assert page.title.encode() not in response.content
        assert page.slug.encode() not in response.content


def test_feed_text_stays_text(client, publish_news):
    """Titles are text; descriptions are HTML for readers, so a plain-text lead is escaped."""
    lead = "<script>alert(1)</script> C'est l'été"
    publish_news(title="<b>Fête</b> & jeux", lead=lead, slug="fete")
    for url in ("/actualites/flux.rss", "/actualites/flux.atom"):
        response = client.get(url)
        assert b"<script>" not in response.content
        feed = feedparser.parse(response.content)
        assert feed.bozo == 0
        entry = feed.entries[0]
        assert entry.title == "<b>Fête</b> & jeux"
        assert "&lt;script&gt;" in entry.summary
        assert unescape(entry.summary) == lead


def test_empty_feeds_are_valid(client, news_index):
    for url in ("/actualites/flux.rss", "/actualites/flux.atom"):
        feed = feedparser.parse(client.get(url).content)
        assert feed.bozo == 0
        assert feed.entries == []


# --- Navigation -----------------------------------------------------------------------------


def test_nav_shows_news_only_when_a_news_index_exists(client, news_index):
    assert nav_labels(client.get("/"))[:4] == list(FRENCH_NAV)
    news_index.delete()
    assert "Actualités" not in nav_labels(client.get("/"))
    assert nav_labels(client.get("/"))[0] == "Accueil"


def test_nav_follows_publication_of_the_news_index(client, news_index):
    assert "Actualités" in nav_labels(client.get("/"))
    news_index.unpublish()
    assert "Actualités" not in nav_labels(client.get("/"))
    news_index.save_revision().publish()
    assert "Actualités" in nav_labels(client.get("/"))


def test_nav_marks_the_current_section(client, news_index):
    nav = main_nav(client.get(news_index.url))
    assert f'<a href="{news_index.url}" aria-current="page">Actualités</a>' in nav
    assert '<a href="/" aria-current="page">' not in nav


# --- Validation -----------------------------------------------------------------------------


def test_image_block_requires_alt_text(image):
    block = AccessibleImageBlock()
    for alt_text in ("", "   "):
        with pytest.raises(ValidationError):
            block.clean(block.to_python({"image": image.pk, "alt_text": alt_text, "caption": ""}))
    value = block.clean(block.to_python({"image": image.pk, "alt_text": "Un banc", "caption": ""}))
    assert value["alt_text"] == "Un banc"


def test_stream_block_rejects_an_image_without_alt_text(image):
    stream = BaseStreamBlock()
    value = stream.to_python(
        [{"type": "image", "value": {"image": image.pk, "alt_text": "", "caption": ""}}]
    )
    with pytest.raises(ValidationError):
        stream.clean(value)


def test_news_page_with_image_block_without_alt_text_fails_full_clean(news_index, image):
    page = NewsPage(
        title="Sans description",
        slug="sans-description",
        lead="…",
        body=[("image", {"image": image, "alt_text": " ", "caption": ""})],
    )
    with pytest.raises(ValidationError) as error:
        news_index.add_child(instance=page)
    assert "body" in error.value.message_dict
    assert not NewsPage.objects.filter(slug="sans-description").exists()


def test_standard_page_with_image_block_without_alt_text_fails_full_clean(home_page, image):
    page = StandardPage(
        title="Sans description",
        slug="sans-description",
        body=[("image", {"image": image, "alt_text": "", "caption": ""})],
    )
    page.set_url_path(home_page)
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "body" in error.value.message_dict


def test_news_page_with_image_requires_image_alt(news_index, image):
    page = NewsPage(title="Photo", slug="photo", lead="…", body=[], image=image, image_alt="  ")
    page.set_url_path(news_index)
    with pytest.raises(ValidationError) as error:
        page.clean()
    assert "image_alt" in error.value.message_dict

    page.image_alt = "Le square au printemps"
    page.clean()
    news_index.add_child(instance=page)
    assert page.pk


def test_news_page_with_described_images_is_valid(news_index, image):
    page = NewsPage(
        title="Bien décrit",
        slug="bien-decrit",
        lead="…",
        image=image,
        image_alt="Le square",
        body=[("image", {"image": image, "alt_text": "Un banc neuf", "caption": ""})],
    )
    news_index.add_child(instance=page)
    assert NewsPage.objects.filter(slug="bien-decrit").exists()


def test_search_stays_inside_the_site(client, article):
    """Even once every page is indexed (``update_index``), the tree's root is never a result."""
    from django.core.management import call_command

    call_command("update_index", verbosity=0)
    content = html(client.get("/recherche/", {"q": "Root"}))
    assert "0 résultat" in content
    content = html(client.get("/recherche/", {"q": "quartier"}))
    assert "Bienvenue dans votre quartier" in content


def test_ensure_site_is_idempotent_and_french_whatever_the_active_language(db):
    from django.utils import translation
    from wagtail.models import Site

    from cms.models import HomePage
    from cms.setup import ensure_site

    with translation.override("en"):
        home, news_index = ensure_site(hostname="testserver")
        again = ensure_site(hostname="testserver")
    assert again == (home, news_index)
    assert HomePage.objects.count() == 1
    assert NewsIndexPage.objects.count() == 1
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert home.title == "Bienvenue dans votre quartier"
    assert news_index.title == "Actualités"
    assert news_index.url == "/actualites/"


def test_french_content_is_marked_as_french_in_the_english_interface(article, news_index):
    client, _ = english_client("cookie")
    assert '<article class="article" lang="fr">' in html(client.get(article.url))
    home = html(client.get("/"))
    assert '<li class="card" lang="fr">' in home
    assert '<div lang="fr">' in home
    assert '<li class="card" lang="fr">' in html(client.get(news_index.url))


def test_nav_ignores_a_news_index_outside_the_site(client, news_index):
    """A news index that no site serves has no URL: the header must not break on it."""
    from wagtail.models import Page

    news_index.delete()
    orphan = NewsIndexPage(title="Archives", slug="archives")
    Page.get_first_root_node().add_child(instance=orphan)
    response = client.get("/")
    assert response.status_code == 200
    assert nav_labels(response)[0] == "Accueil"
    assert "Actualités" not in nav_labels(response)


def test_feeds_keep_no_request_on_the_shared_instance(client, article):
    """One Feed instance serves every request, in several threads."""
    from django.urls import resolve

    for url in ("/actualites/flux.rss", "/actualites/flux.atom"):
        feed = resolve(url).func
        assert client.get(url).status_code == 200
        assert not hasattr(feed, "request")
