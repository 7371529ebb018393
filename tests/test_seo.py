"""What search engines and link previews read: robots.txt, the sitemap, the favicon, and on
every public page a description, Open Graph tags and an absolute canonical address."""

import xml.etree.ElementTree as ET  # noqa: S405 - parses our own sitemap
from html.parser import HTMLParser

import pytest

from tests.agenda_factories import make_event
from tests.assemblies_factories import AssemblyFactory
from tests.factories import ActionFactory, ProposalFactory

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


class HeadReader(HTMLParser):
    """The <meta> and <link> tags of a page, by name/property and by rel."""

    def __init__(self):
        super().__init__()
        self.meta = {}
        self.links = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta[key] = attrs.get("content")
        elif tag == "link":
            self.links.setdefault(attrs.get("rel"), []).append(attrs.get("href"))


def head_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    reader = HeadReader()
    reader.feed(response.content.decode())
    return reader


def assert_complete(head, url, *, title=None, description=None):
    canonical = head.links["canonical"]
    assert canonical == [ORIGIN + url]
    meta = head.meta
    assert meta["og:url"] == ORIGIN + url
    assert meta["og:site_name"] == "Quartier Commun"
    assert meta["og:locale"] == "fr_FR"
    assert meta["og:type"] in {"website", "article"}
    assert meta["og:title"]
    assert meta["description"] and len(meta["description"]) <= 160
    assert meta["og:description"] == meta["description"]
    if title is not None:
        assert meta["og:title"] == title
    if description is not None:
        assert meta["description"] == description


# --- robots.txt, sitemap.xml, favicon -----------------------------------------------------
def test_robots_txt_opens_the_public_site_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Allow: /" in lines
    for private in ("/admin/", "/comptes/", "/mon-compte/", "/agir/agenda/", "/agir/mes-creneaux/"):
        assert f"Disallow: {private}" in lines
    assert f"Sitemap: {ORIGIN}/sitemap.xml" in lines


def sitemap_locations(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    tree = ET.fromstring(response.content)  # noqa: S314 - our own response
    return [loc.text for loc in tree.findall("s:url/s:loc", SITEMAP_NS)]


def test_sitemap_lists_public_pages_ideas_actions_and_assemblies_only(
    client, site_tree, publish_news, resident, tilleuls
):
    article = publish_news(title="Le marché revient")
    public_idea = ProposalFactory(author=resident)
    hidden_idea = ProposalFactory(author=resident, is_hidden=True, hidden_reason="Insultes")
    draft_idea = ProposalFactory(author=resident, status="submitted", published_at=None)
    action = ActionFactory(neighbourhood=tilleuls)
    unpublished_action = ActionFactory(neighbourhood=tilleuls, is_published=False)
    assembly = AssemblyFactory(neighbourhood=tilleuls)
    unpublished_assembly = AssemblyFactory(neighbourhood=tilleuls, is_published=False)

    locations = sitemap_locations(client)

    assert ORIGIN + "/" in locations
    assert ORIGIN + article.url in locations
    assert ORIGIN + public_idea.get_absolute_url() in locations
    assert ORIGIN + action.get_absolute_url() in locations
    assert ORIGIN + assembly.get_absolute_url() in locations
    for private in (hidden_idea, draft_idea, unpublished_action, unpublished_assembly):
        assert ORIGIN + private.get_absolute_url() not in locations
    # Every address on the host reached, never the Site record's own.
    assert all(location.startswith(ORIGIN + "/") for location in locations)


def test_sitemap_leaves_out_unpublished_pages(client, site_tree, publish_news):
    article = publish_news(title="Bientôt retiré")
    url = article.url
    article.unpublish()
    assert ORIGIN + url not in sitemap_locations(client)


def test_favicon_is_served_as_an_image(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # the ICO signature
    assert "max-age" in response["Cache-Control"]


def test_pages_name_their_icons(client, site_tree):
    head = head_of(client, "/")
    icons = head.links["icon"]
    assert any(href.endswith("favicon.svg") for href in icons)
    assert any(href.endswith("favicon.ico") for href in icons)


# --- Meta on every public page type -------------------------------------------------------
def test_home_page(client, home_page):
    head = head_of(client, "/")
    assert_complete(head, "/")


def test_home_page_uses_its_search_description(client, home_page):
    home_page.search_description = "Le site des habitants des Tilleuls et de Bel-Air."
    home_page.save_revision().publish()
    head = head_of(client, "/")
    assert_complete(head, "/", description="Le site des habitants des Tilleuls et de Bel-Air.")


def test_news_article_is_an_article_described_by_its_lead(client, publish_news):
    article = publish_news(title="Le marché revient", lead="Tous les jeudis, place du Marché.")
    head = head_of(client, article.url)
    assert_complete(
        head,
        article.url,
        title="Le marché revient",
        description="Tous les jeudis, place du Marché.",
    )
    assert head.meta["og:type"] == "article"


def test_idea_is_described_by_its_text(client, site_tree, resident):
    idea = ProposalFactory(author=resident, title="Des bancs au square", description="X " * 200)
    head = head_of(client, idea.get_absolute_url())
    assert_complete(head, idea.get_absolute_url(), title="Des bancs au square")
    assert head.meta["description"].startswith("X X")
    assert "og:image" not in head.meta  # no photo, no picture announced


def test_action(client, site_tree, tilleuls):
    action = ActionFactory(neighbourhood=tilleuls, title="Grand nettoyage")
    head = head_of(client, action.get_absolute_url())
    assert_complete(
        head,
        action.get_absolute_url(),
        title="Grand nettoyage",
        description="On ramasse les déchets autour de la place.",
    )


def test_action_born_of_an_idea_keeps_its_own_meta(client, site_tree, tilleuls, resident):
    idea = ProposalFactory(author=resident, title="Nettoyer le parc")
    action = ActionFactory(neighbourhood=tilleuls, title="Grand nettoyage", proposal=idea)
    head = head_of(client, action.get_absolute_url())
    assert_complete(head, action.get_absolute_url(), title="Grand nettoyage")


def test_event(client, site_tree):
    event = make_event(title="Fête des voisins", summary="Un repas partagé dans la cour.")
    head = head_of(client, event.url)
    assert_complete(
        head, event.url, title="Fête des voisins", description="Un repas partagé dans la cour."
    )


def test_assembly(client, site_tree, tilleuls):
    assembly = AssemblyFactory(neighbourhood=tilleuls, title="Assemblée de printemps")
    head = head_of(client, assembly.get_absolute_url())
    assert_complete(
        head,
        assembly.get_absolute_url(),
        title="Assemblée de printemps",
        description="Venez nombreux : budget participatif et jardin partagé.",
    )


@pytest.mark.parametrize("url", ["/idees/", "/agir/", "/assemblees/"])
def test_lists_have_their_own_description(client, site_tree, url):
    head = head_of(client, url)
    assert_complete(head, url)
    assert "Quartier Commun :" not in head.meta["description"]  # not the site-wide default


def test_canonical_keeps_the_list_page_number_only(client, site_tree):
    head = head_of(client, "/idees/?page=1&tri=recent")
    assert head.links["canonical"] == [ORIGIN + "/idees/"]


def test_picture_is_announced_with_its_alternative_text(client, publish_news, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="Marché", file=get_test_image_file())
    article = publish_news(title="Le marché", image=image, image_alt="Des étals de fruits")
    head = head_of(client, article.url)
    assert head.meta["og:image"].startswith(ORIGIN + "/media/")
    assert head.meta["og:image:alt"] == "Des étals de fruits"


def test_a_picture_whose_file_is_missing_leaves_the_page_open(
    client, publish_news, settings, tmp_path
):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    settings.MEDIA_ROOT = tmp_path
    image = Image.objects.create(title="Marché", file=get_test_image_file())
    article = publish_news(title="Le marché", image=image, image_alt="Des étals de fruits")
    image.file.storage.delete(image.file.name)
    image.renditions.all().delete()
    head = head_of(client, article.url)
    assert "og:image" not in head.meta
    assert_complete(head, article.url, title="Le marché")
