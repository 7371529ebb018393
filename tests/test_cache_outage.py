"""The cache (Redis) unreachable: pages and API writes keep working from the database.

Redis restarting must not turn into an outage of the site: what we, Wagtail, allauth and
DRF keep there (navigation, site roots, rate limits) is a help, not the truth
(config/cache.py).
"""

import pytest
from django.test import override_settings

from civic.proposals.models import Support
from tests.factories import ProposalFactory
from tests.live_server_helpers import stable_port  # nothing listens there


@pytest.fixture
def dead_cache():
    url = f"redis://127.0.0.1:{stable_port()}/0"
    dead = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    # override_settings resets Django's cache handlers (django.test.signals).
    with override_settings(CACHES=dead):
        yield


@pytest.mark.django_db
def test_pages_render_without_the_cache(client, site_tree, dead_cache):
    for path in ["/", "/idees/", "/agir/", "/assemblees/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Accueil" in response.content.decode()


@pytest.mark.django_db
def test_an_api_write_goes_through_without_the_cache(client, resident, dead_cache):
    proposal = ProposalFactory()
    client.force_login(resident)
    response = client.put(f"/api/proposals/{proposal.pk}/support/")
    assert response.status_code in (200, 201), response.content
    assert Support.objects.filter(proposal=proposal, resident=resident).count() == 1
