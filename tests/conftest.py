"""Shared fixtures: the page tree and the named personas every test module uses.

Personas (one Régie, two neighbourhoods):
- ``resident`` (Amina, Les Tilleuls) and ``other_resident`` (Marcel, Bel-Air);
- ``editor`` (Régie staff who writes and submits), ``manager`` (Régie staff who publishes);
- ``partner`` (a bailleur with read access to reports);
- anonymous visitors use the plain ``client``.
"""

import os

import pytest
from django.core.cache import cache

from civic.accounts import roles
from tests.factories import NeighbourhoodFactory, RegieFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL / Redis tests with a clear reason when those services are not set."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    has_redis = bool(os.environ.get("REDIS_URL"))
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (see README)")
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL (see README)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not has_redis:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site_tree(db):
    """The home page and news index (created in a fixture: transactional tests flush them)."""
    from cms.setup import ensure_site

    home, news_index = ensure_site(hostname="testserver")
    return home, news_index


@pytest.fixture
def home_page(site_tree):
    return site_tree[0]


@pytest.fixture
def news_index(site_tree):
    return site_tree[1]


@pytest.fixture
def regie(db):
    return RegieFactory(name="Régie des Trois Rivières")


@pytest.fixture
def tilleuls(regie):
    return NeighbourhoodFactory(regie=regie, name="Les Tilleuls", slug="les-tilleuls")


@pytest.fixture
def bel_air(regie):
    return NeighbourhoodFactory(regie=regie, name="Bel-Air", slug="bel-air")


@pytest.fixture
def resident(tilleuls):
    return UserFactory(email="amina@example.org", display_name="Amina B.", neighbourhood=tilleuls)


@pytest.fixture
def other_resident(bel_air):
    return UserFactory(email="marcel@example.org", display_name="Marcel D.", neighbourhood=bel_air)


@pytest.fixture
def editor(tilleuls):
    return UserFactory(
        email="redaction@example.org",
        display_name="Julien (Régie)",
        neighbourhood=tilleuls,
        groups=[roles.EDITORS],
    )


@pytest.fixture
def manager(tilleuls):
    return UserFactory(
        email="direction@example.org",
        display_name="Nadia (Régie)",
        neighbourhood=tilleuls,
        groups=[roles.MANAGERS],
    )


@pytest.fixture
def partner(db):
    return UserFactory(
        email="bailleur@example.org",
        display_name="Habitat Sud",
        neighbourhood=None,
        groups=[roles.PARTNERS],
    )


@pytest.fixture
def publish_news(news_index):
    """Publish a news article the way Wagtail does (revision → publish)."""
    from cms.models import NewsPage

    def publish(title="Nettoyage du square", lead="Samedi matin, on nettoie.", body=(), **fields):
        page = NewsPage(title=title, lead=lead, body=list(body), **fields)
        news_index.add_child(instance=page)
        page.save_revision().publish()
        page.refresh_from_db()  # publishing again from a stale object would restamp dates
        return page

    return publish
