"""Absolute links come from one place: the address the person reached, else SITE_URL."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from civic.accounts.models import User
from civic.links import absolute_url, installation_host, page_url, site_origin
from civic.privacy import services as privacy_services
from civic.proposals import services as proposal_services
from civic.proposals.tasks import send_notification_digest
from tests.assemblies_factories import make_assembly, register_member
from tests.factories import ActionFactory, ProposalFactory, ShiftFactory, ThemeFactory


def test_origin_is_the_address_reached(settings):
    settings.ALLOWED_HOSTS = ["quartier.example.org"]
    request = RequestFactory().get("/", HTTP_HOST="quartier.example.org:8443", secure=True)
    assert site_origin(request) == "https://quartier.example.org:8443"
    assert absolute_url("/idees/3/", request) == "https://quartier.example.org:8443/idees/3/"


def test_without_a_request_links_use_site_url(settings):
    settings.SITE_URL = "https://regie.example.org/"
    assert site_origin() == "https://regie.example.org"
    assert absolute_url("/agir/") == "https://regie.example.org/agir/"
    assert installation_host() == "regie.example.org"


def test_an_absolute_url_is_kept(settings):
    settings.SITE_URL = "https://regie.example.org"
    assert absolute_url("https://autre.example.org/x/") == "https://autre.example.org/x/"


def test_page_url_is_built_on_the_request_not_the_wagtail_site_record(news_index, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8123")
    # The Wagtail Site record says "testserver", port 80.
    assert page_url(news_index, request) == "http://127.0.0.1:8123/actualites/"


# --- Every door builds its links here -------------------------------------------------------

REACHED = {"HTTP_HOST": "127.0.0.1:8123"}


@pytest.fixture
def reached(settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
    return "http://127.0.0.1:8123"


@pytest.fixture
def one_of_each(publish_news, manager, resident, tilleuls):
    """A news article, an idea, a volunteering action and an assembly, all public."""
    proposal = ProposalFactory(author=resident, neighbourhood=tilleuls)
    action = ActionFactory(neighbourhood=tilleuls)
    ShiftFactory(action=action)
    assembly = make_assembly(
        manager, tilleuls, items=[{"title": "L'idée du banc", "proposal": proposal}]
    )
    return {
        "news": publish_news(slug="square"),
        "proposal": proposal,
        "action": action,
        "assembly": assembly,
    }


def test_api_url_fields_are_on_the_address_reached(client, reached, one_of_each):
    """Not on the Wagtail Site record's hostname, nor on SITE_URL."""
    proposal, action, assembly = (one_of_each[k] for k in ("proposal", "action", "assembly"))
    expected = {
        "/api/news/": f"{reached}/actualites/square/",
        "/api/proposals/": f"{reached}/idees/{proposal.pk}/",
        "/api/volunteering/actions/": f"{reached}/agir/{action.pk}/",
        "/api/assemblies/": f"{reached}{assembly.get_absolute_url()}",
    }
    for endpoint, url in expected.items():
        response = client.get(endpoint, **REACHED)
        assert response.status_code == 200, endpoint
        assert [item["url"] for item in response.json()["results"]] == [url], endpoint

    detail = client.get(f"/api/assemblies/{assembly.pk}/", **REACHED).json()
    assert [item["proposal"]["url"] for item in detail["items"]] == [
        f"{reached}/idees/{proposal.pk}/"
    ]
    news = client.get(f"/api/news/{one_of_each['news'].pk}/", **REACHED).json()
    assert news["url"] == f"{reached}/actualites/square/"


def test_api_links_say_https_behind_the_proxy(client, reached, one_of_each, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/api/news/", HTTP_X_FORWARDED_PROTO="https", **REACHED)
    assert response.json()["results"][0]["url"] == "https://127.0.0.1:8123/actualites/square/"


def test_a_created_idea_is_located_on_the_address_reached(client, reached, resident, tilleuls):
    client.force_login(resident)
    fields = {"title": "Des bancs au square", "description": "Pour s'asseoir et discuter."}
    response = client.post(
        "/api/proposals/",
        {**fields, "theme": ThemeFactory().slug, "neighbourhood": tilleuls.slug},
        content_type="application/json",
        **REACHED,
    )
    assert response.status_code == 201, response.content
    assert response["Location"] == f"{reached}/api/proposals/{response.json()['id']}/"


def test_the_check_in_qr_code_is_on_the_address_reached(client, reached, manager, resident):
    assembly = make_assembly(manager, resident.neighbourhood)
    participant = register_member(assembly, resident)
    client.force_login(resident)
    page = client.get(assembly.get_absolute_url(), **REACHED)
    assert page.status_code == 200
    expected = f"{reached}/assemblees/{assembly.pk}/code/{participant.presence_code}/"
    assert page.context["checkin_url"] == expected


def test_digest_emails_link_to_site_url(resident, other_resident, settings, mailoutbox):
    settings.SITE_URL = "https://regie.example.org/"
    idea = ProposalFactory(author=resident, neighbourhood=resident.neighbourhood)
    proposal_services.follow_proposal(proposal=idea, resident=other_resident)
    proposal_services.add_comment(proposal=idea, author=resident, body="Je relance l'idée.")
    mailoutbox.clear()

    send_notification_digest.call(other_resident.pk)

    (digest,) = mailoutbox
    assert f"https://regie.example.org/idees/{idea.pk}/" in digest.body
    assert "//idees" not in digest.body and "testserver" not in digest.body


def test_inactivity_warnings_link_to_site_url(resident, settings, mailoutbox):
    settings.SITE_URL = "https://regie.example.org"
    long_ago = timezone.now() - timedelta(days=710)
    User.objects.filter(pk=resident.pk).update(last_login=long_ago, date_joined=long_ago)

    assert privacy_services.warn_inactive_accounts() == 1

    (warning,) = mailoutbox
    assert "https://regie.example.org/comptes/login/" in warning.body
    assert "https://regie.example.org/confidentialite/" in warning.body
