"""Who may reach the account pages and the administration."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from civic.accounts.models import User
from tests.factories import PASSWORD

PROFILE_URL = "/mon-compte/"
DELETE_URL = "/mon-compte/supprimer/"

pytestmark = pytest.mark.django_db


def template_names(response):
    return {template.name for template in response.templates}


# --- Anonymous visitors -------------------------------------------------------------------


@pytest.mark.parametrize("url", [PROFILE_URL, DELETE_URL])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/comptes/login/?next={url}"


def test_anonymous_post_to_delete_deletes_nothing(client, resident):
    response = client.post(DELETE_URL, {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")
    assert User.objects.filter(pk=resident.pk).exists()


def test_anonymous_cannot_reach_the_admin(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")


# --- The Wagtail administration -----------------------------------------------------------


@pytest.mark.parametrize("persona", ["resident", "partner"])
def test_residents_and_partners_cannot_reach_the_admin(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/admin/")
    assert response.status_code in {302, 403}
    if response.status_code == 302:
        assert response["Location"].startswith("/comptes/login/")
    # Following the redirects ends on their own account page, with an explanation: never
    # on the dashboard, never in a login ↔ admin loop.
    response = client.get("/admin/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == PROFILE_URL
    assert "wagtailadmin/home.html" not in template_names(response)
    assert "autorisation" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "lands_on"), [("resident", PROFILE_URL), ("editor", "/admin/")]
)
def test_logging_in_from_the_admin(client, request, persona, lands_on):
    user = request.getfixturevalue(persona)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain == [("/comptes/login/?next=/admin/", 302)]
    response = client.post(
        "/comptes/login/?next=/admin/", {"login": user.email, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == lands_on


@pytest.mark.parametrize("persona", ["resident", "partner", "editor", "manager"])
def test_nobody_but_superusers_reaches_the_django_admin(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/django-admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/django-admin/login/")


@pytest.mark.parametrize("persona", ["editor", "manager"])
def test_regie_staff_reach_the_admin_dashboard(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "wagtailadmin/home.html" in template_names(response)


@pytest.mark.parametrize("persona", ["resident", "partner"])
def test_the_admin_link_is_shown_only_to_staff(client, request, persona, editor):
    client.force_login(request.getfixturevalue(persona))
    assert 'href="/admin/"' not in client.get(PROFILE_URL).content.decode()
    client.force_login(editor)
    assert 'href="/admin/"' in client.get(PROFILE_URL).content.decode()


# --- One's own account only ---------------------------------------------------------------


def test_delete_only_ever_deletes_the_logged_in_user(client, resident, other_resident):
    client.force_login(resident)
    response = client.post(
        DELETE_URL,
        {
            "password": PASSWORD,
            # Whatever a crafted request adds, only request.user is concerned.
            "user": other_resident.pk,
            "id": other_resident.pk,
            "pk": other_resident.pk,
            "email": other_resident.email,
        },
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=resident.pk).exists()
    assert User.objects.filter(pk=other_resident.pk).exists()
    assert EmailAddress.objects.filter(user=other_resident).exists()


def test_someone_elses_password_does_not_delete_either_account(client, resident, other_resident):
    other_resident.set_password("le-mot-de-passe-de-marcel-99")
    other_resident.save()
    client.force_login(resident)
    response = client.post(DELETE_URL, {"password": "le-mot-de-passe-de-marcel-99"})
    assert response.status_code == 200
    assert User.objects.filter(pk=resident.pk).exists()
    assert User.objects.filter(pk=other_resident.pk).exists()


def test_delete_needs_a_csrf_token(resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    response = client.post(DELETE_URL, {"password": PASSWORD})
    assert response.status_code == 403
    assert User.objects.filter(pk=resident.pk).exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_delete_accepts_only_get_and_post(client, resident, method):
    client.force_login(resident)
    response = getattr(client, method)(DELETE_URL)
    assert response.status_code == 405
    assert User.objects.filter(pk=resident.pk).exists()


def test_profile_edits_only_its_own_fields(client, resident, other_resident):
    """No mass assignment: email, staff status or another user cannot be set this way."""
    client.force_login(resident)
    response = client.post(
        PROFILE_URL,
        {
            "display_name": "Amina B.",
            "neighbourhood": resident.neighbourhood_id,
            "phone": "",
            "preferred_language": "fr",
            "email": "pirate@example.org",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": "1",
            "pk": other_resident.pk,
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.email == "amina@example.org"
    assert not resident.is_staff
    assert not resident.is_superuser
    other_resident.refresh_from_db()
    assert other_resident.display_name == "Marcel D."


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        (DELETE_URL, DELETE_URL),  # back where the login was asked for
        ("https://ailleurs.example.com/", PROFILE_URL),  # never to another site
    ],
)
def test_login_redirects_only_to_this_site(client, resident, next_url, lands_on):
    response = client.post(
        "/comptes/login/", {"login": resident.email, "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == lands_on
