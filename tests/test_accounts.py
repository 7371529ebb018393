"""The resident account journey, through the real URLs, templates and emails.

Sign-up → confirmation email → confirm → log out → log in → profile (language switch)
→ deletion; password reset without account enumeration; hostile or broken inputs.
"""

import re
from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from civic.accounts import roles, services
from civic.accounts.models import User
from tests.factories import PASSWORD, NeighbourhoodFactory

SIGNUP_URL = "/comptes/signup/"
LOGIN_URL = "/comptes/login/"
LOGOUT_URL = "/comptes/logout/"
RESET_URL = "/comptes/password/reset/"
PROFILE_URL = "/mon-compte/"
DELETE_URL = "/mon-compte/supprimer/"
NEW_PASSWORD = "encore-un-mot-de-passe-solide-77"

pytestmark = pytest.mark.django_db


# --- Helpers ------------------------------------------------------------------------------


class _FormFields(HTMLParser):
    """Collects the form controls and labels of a page."""

    def __init__(self):
        super().__init__()
        self.controls = []  # dicts of attributes
        self.labels_for = set()
        self.error_ids = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"input", "select", "textarea"}:
            if attrs.get("type") not in {"hidden", "submit", "button"}:
                self.controls.append(attrs)
        elif tag == "label" and attrs.get("for"):
            self.labels_for.add(attrs["for"])
        elif tag == "ul" and "errorlist" in (attrs.get("class") or ""):
            if attrs.get("id"):
                self.error_ids.add(attrs["id"])


def parse_fields(response):
    parser = _FormFields()
    parser.feed(response.content.decode())
    return parser


def assert_every_field_labelled(response):
    """Every visible control has a <label for=…>: a placeholder is never the only label."""
    fields = parse_fields(response)
    assert fields.controls, "no form field on the page"
    for control in fields.controls:
        assert control.get("id") in fields.labels_for, f"field without a label: {control}"


def assert_error_tied_to(response, name):
    """The field has an error list, announced with the field (aria-describedby)."""
    fields = parse_fields(response)
    control = next(c for c in fields.controls if c.get("name") == name)
    error_id = f"{control['id']}_error"
    assert error_id in fields.error_ids, f"no error shown for {name}"
    assert control.get("aria-invalid") == "true"
    assert error_id in control.get("aria-describedby", "").split()


def assert_no_error_on(response, name):
    fields = parse_fields(response)
    control = next(c for c in fields.controls if c.get("name") == name)
    assert "aria-invalid" not in control


def link_in(message):
    """The path of the (only) link to this site in an email body."""
    links = re.findall(r"https?://testserver(/\S+)", message.body)
    assert links, message.body
    return links[0]


def signup_data(quartier, /, **overrides):
    data = {
        "email": "zoe@example.org",
        "display_name": "Zoé L.",
        "neighbourhood": quartier.pk,
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def profile_data(user, /, **overrides):
    data = {
        "display_name": user.display_name,
        "neighbourhood": user.neighbourhood_id or "",
        "phone": user.phone,
        "preferred_language": user.preferred_language,
    }
    data.update(overrides)
    return data


def page_language(response):
    match = re.search(r'<html lang="([^"]+)">', response.content.decode())
    return match.group(1) if match else None


# --- The whole journey ------------------------------------------------------------------


def test_resident_journey_from_signup_to_deletion(client, tilleuls, bel_air, mailoutbox, site_tree):
    # The sign-up page: in French, every field with a visible label, in a sensible order.
    response = client.get(SIGNUP_URL)
    assert response.status_code == 200
    assert page_language(response) == "fr"
    html = response.content.decode()
    for label in ("Nom affiché", "Votre quartier", "Mot de passe", "Mot de passe (confirmation)"):
        assert label in html
    assert_every_field_labelled(response)
    names = [c.get("name") for c in parse_fields(response).controls]
    expected = ["email", "display_name", "neighbourhood", "password1", "password2"]
    assert [n for n in names if n in expected] == expected

    # Sign up: a confirmation email, no access yet.
    response = client.post(SIGNUP_URL, signup_data(tilleuls))
    assert response.status_code == 302
    assert response["Location"] == "/comptes/confirm-email/"
    user = User.objects.get(email="zoe@example.org")
    assert user.display_name == "Zoé L."
    assert user.neighbourhood == tilleuls
    assert user.preferred_language == "fr"
    assert list(user.groups.values_list("name", flat=True)) == [roles.RESIDENTS]
    assert not EmailAddress.objects.get(user=user).verified
    assert client.get(PROFILE_URL).status_code == 302

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["zoe@example.org"]
    assert message.subject.startswith("[Quartier Commun] ")
    assert "Quartier Commun" in message.body
    confirm_url = link_in(message)
    assert confirm_url.startswith("/comptes/confirm-email/")

    # Following the link shows a confirmation button; a GET alone confirms nothing.
    response = client.get(confirm_url)
    assert response.status_code == 200
    assert "Confirmer" in response.content.decode()
    assert not EmailAddress.objects.get(user=user).verified

    # Confirming logs the resident in and takes them to their account.
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert response["Location"] == PROFILE_URL
    assert EmailAddress.objects.get(user=user).verified
    response = client.get(PROFILE_URL)
    assert response.status_code == 200
    assert "zoe@example.org" in response.content.decode()

    # Log out.
    response = client.post(LOGOUT_URL)
    assert response.status_code == 302
    assert client.get(PROFILE_URL).status_code == 302

    # Log in again with the email (whatever its case) and password.
    response = client.get(LOGIN_URL)
    assert_every_field_labelled(response)
    response = client.post(LOGIN_URL, {"login": "Zoe@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == PROFILE_URL

    # Edit the profile, switching to English.
    response = client.get(PROFILE_URL)
    assert_every_field_labelled(response)
    response = client.post(
        PROFILE_URL,
        profile_data(
            user,
            display_name="Zoé Lambert",
            neighbourhood=bel_air.pk,
            phone="06 12 34 56 78",
            preferred_language="en",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == PROFILE_URL
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert (user.display_name, user.neighbourhood, user.phone, user.preferred_language) == (
        "Zoé Lambert",
        bel_air,
        "06 12 34 56 78",
        "en",
    )
    response = client.get(PROFILE_URL)
    assert response.status_code == 200
    assert page_language(response) == "en"
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert "Your profile is saved." in html
    assert "<h1>My account</h1>" in html
    assert "Mon compte" not in html
    # allauth's pages, translated upstream, are now in English too.
    response = client.get("/comptes/password/change/")
    assert page_language(response) == "en"
    html = response.content.decode()
    assert "Change Password" in html
    assert "Modifier le mot de passe" not in html
    assert_every_field_labelled(response)

    # Delete the account: a wrong password is refused, with the error on the field.
    response = client.get(DELETE_URL)
    assert response.status_code == 200
    assert_every_field_labelled(response)
    response = client.post(DELETE_URL, {"password": "pas-le-bon-mot-de-passe"})
    assert response.status_code == 200
    assert_error_tied_to(response, "password")
    assert "This password is not the right one." in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()

    # The right password deletes the account and its email addresses, and logs out.
    response = client.post(DELETE_URL, {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not User.objects.filter(pk=user.pk).exists()
    assert not EmailAddress.objects.filter(email__iexact="zoe@example.org").exists()
    assert "_auth_user_id" not in client.session
    assert client.get(PROFILE_URL).status_code == 302
    # The farewell message is shown on the next page, still in the chosen language.
    response = client.get("/")
    assert page_language(response) == "en"
    assert "Your account is deleted." in response.content.decode()
    # And the old credentials no longer open anything.
    client.post(LOGIN_URL, {"login": "zoe@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


# --- Sign-up ------------------------------------------------------------------------------


def test_signup_in_english_keeps_english_as_preferred_language(client, tilleuls, mailoutbox):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(SIGNUP_URL, signup_data(tilleuls))
    assert response.status_code == 302
    assert User.objects.get(email="zoe@example.org").preferred_language == "en"
    assert len(mailoutbox) == 1


def test_preferred_language_applies_on_a_new_device(client, resident):
    resident.preferred_language = "en"
    resident.save()
    response = client.post(LOGIN_URL, {"login": resident.email, "password": PASSWORD})
    assert response.status_code == 302
    assert page_language(client.get(PROFILE_URL)) == "en"
    # The language switch (a cookie) wins over the profile.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert page_language(client.get(PROFILE_URL)) == "fr"


def test_signup_with_an_email_already_used_in_another_case_creates_no_account(
    client, resident, tilleuls, mailoutbox
):
    """Refused without telling the visitor (no account enumeration): the page is the usual
    "check your email" one and the owner of the address is warned instead."""
    users_before = User.objects.count()
    response = client.post(
        SIGNUP_URL, signup_data(tilleuls, email="AMINA@Example.ORG", display_name="Imposteur")
    )
    assert response.status_code == 302
    assert response["Location"] == "/comptes/confirm-email/"
    assert User.objects.count() == users_before
    assert EmailAddress.objects.filter(email__iexact="amina@example.org").count() == 1
    resident.refresh_from_db()
    assert resident.display_name == "Amina B."
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["amina@example.org"]
    assert "/comptes/confirm-email/" not in mailoutbox[0].body
    assert "/comptes/password/reset/" in mailoutbox[0].body


def test_database_refuses_two_accounts_whose_emails_differ_only_by_case(resident):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="AMINA@example.org", password=PASSWORD)


def test_signup_cleans_invisible_characters_from_the_display_name(client, tilleuls):
    hostile = "\u202eAmina\u200b  B.\u200d\ufeff"
    response = client.post(SIGNUP_URL, signup_data(tilleuls, display_name=hostile))
    assert response.status_code == 302
    assert User.objects.get(email="zoe@example.org").display_name == "Amina B."


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("Amina B.", "Amina B."),
        ("\u202eAmina B.", "Amina B."),  # right-to-left override
        ("Ami\u200bna\u200c B\u200d.", "Amina B."),  # zero-width space, (non-)joiner
        ("\u2066Amina\u2069 \u00adB.", "Amina B."),  # isolates, soft hyphen
        ("  Amina \t\n B.  ", "Amina B."),
        ("Zoe\u0301", "Zoé"),  # composed
        ("\u0623\u0645\u064a\u0646\u0629", "\u0623\u0645\u064a\u0646\u0629"),  # Arabic kept
    ],
)
def test_clean_display_name(raw, cleaned):
    assert services.clean_display_name(raw) == cleaned


@pytest.mark.parametrize("raw", ["", "   ", "\u200b\u200b", "\u202e\u202c", "\u3164\u3164", "\x00"])
def test_clean_display_name_refuses_names_that_look_empty(raw):
    with pytest.raises(ValidationError):
        services.clean_display_name(raw)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"neighbourhood": ""}, "neighbourhood"),
        ({"neighbourhood": "999999"}, "neighbourhood"),
        ({"neighbourhood": "pas-un-nombre"}, "neighbourhood"),
        ({"display_name": "x" * 10_000}, "display_name"),
        ({"display_name": "\u200b\u202e"}, "display_name"),
        ({"display_name": ""}, "display_name"),
        ({"email": "pas-une-adresse"}, "email"),
        ({"email": "a" * 10_000 + "@example.org"}, "email"),
        ({"password2": "autre-chose-que-le-premier"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password1"),
    ],
)
def test_signup_bad_input_gives_a_form_error(client, tilleuls, mailoutbox, overrides, field):
    response = client.post(SIGNUP_URL, signup_data(tilleuls, **overrides))
    assert response.status_code == 200
    assert_error_tied_to(response, field)
    assert_every_field_labelled(response)
    assert not User.objects.filter(email="zoe@example.org").exists()
    assert mailoutbox == []


def test_signup_refuses_an_inactive_neighbourhood(client, tilleuls, mailoutbox):
    closed = NeighbourhoodFactory(regie=tilleuls.regie, name="Ancien quartier", is_active=False)
    response = client.get(SIGNUP_URL)
    assert "Ancien quartier" not in response.content.decode()
    response = client.post(SIGNUP_URL, signup_data(closed))
    assert response.status_code == 200
    assert_error_tied_to(response, "neighbourhood")
    assert mailoutbox == []


def test_signup_errors_are_in_french_and_keep_other_fields(client, tilleuls):
    response = client.post(SIGNUP_URL, signup_data(tilleuls, neighbourhood=""))
    html = response.content.decode()
    assert "This field is required" not in html
    assert "Ce champ est obligatoire." in html or "Champ requis." in html  # Django's or Wagtail's
    assert_no_error_on(response, "display_name")
    assert 'value="Zoé L."' in html


# --- Log-in -------------------------------------------------------------------------------


def test_login_with_wrong_password_shows_an_error_without_logging_in(client, resident):
    response = client.post(LOGIN_URL, {"login": resident.email, "password": "mauvais"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert_every_field_labelled(response)
    assert "_auth_user_id" not in client.session


def test_unconfirmed_email_cannot_log_in(client, tilleuls, mailoutbox):
    client.post(SIGNUP_URL, signup_data(tilleuls))
    client.cookies.clear()
    response = client.post(LOGIN_URL, {"login": "zoe@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/comptes/confirm-email/"
    assert "_auth_user_id" not in client.session


# --- Profile ------------------------------------------------------------------------------


def test_profile_shows_languages_in_their_own_names(client, resident):
    client.force_login(resident)
    html = client.get(PROFILE_URL).content.decode()
    assert '<option value="en" lang="en">English</option>' in html
    assert 'lang="fr">Français</option>' in html


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"neighbourhood": ""}, "neighbourhood"),
        ({"neighbourhood": "999999"}, "neighbourhood"),
        ({"display_name": "x" * 10_000}, "display_name"),
        ({"display_name": "\u200b"}, "display_name"),
        ({"phone": "appelez-moi"}, "phone"),
        ({"phone": "0" * 500}, "phone"),
        ({"preferred_language": "xx"}, "preferred_language"),
    ],
)
def test_profile_bad_input_gives_a_form_error(client, resident, overrides, field):
    client.force_login(resident)
    response = client.post(PROFILE_URL, profile_data(resident, **overrides))
    assert response.status_code == 200
    assert_error_tied_to(response, field)
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    saved = User.objects.get(pk=resident.pk)
    assert (saved.display_name, saved.neighbourhood_id, saved.phone) == (
        "Amina B.",
        resident.neighbourhood_id,
        "",
    )


def test_profile_cleans_the_display_name(client, resident):
    client.force_login(resident)
    response = client.post(PROFILE_URL, profile_data(resident, display_name="\u202eAmina\u200b B."))
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.display_name == "Amina B."


def test_phone_is_optional(client, resident):
    resident.phone = "06 12 34 56 78"
    resident.save()
    client.force_login(resident)
    response = client.post(PROFILE_URL, profile_data(resident, phone=""))
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.phone == ""


def test_profile_saves_even_if_the_neighbourhood_was_closed_since(client, resident):
    neighbourhood = resident.neighbourhood
    neighbourhood.is_active = False
    neighbourhood.save()
    client.force_login(resident)
    response = client.post(PROFILE_URL, profile_data(resident, phone="06 00 00 00 00"))
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.neighbourhood == neighbourhood
    assert resident.phone == "06 00 00 00 00"


def test_partner_may_leave_the_neighbourhood_empty(client, partner):
    client.force_login(partner)
    response = client.post(
        PROFILE_URL, profile_data(partner, display_name="Habitat Sud (bailleur)")
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.display_name == "Habitat Sud (bailleur)"
    assert partner.neighbourhood is None


# --- Deletion -----------------------------------------------------------------------------


def test_delete_keeps_other_accounts_and_groups(client, resident, other_resident):
    client.force_login(resident)
    response = client.post(DELETE_URL, {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=resident.pk).exists()
    assert not EmailAddress.objects.filter(email="amina@example.org").exists()
    assert User.objects.filter(pk=other_resident.pk).exists()
    assert EmailAddress.objects.filter(user=other_resident).exists()
    assert Group.objects.filter(name=roles.RESIDENTS).exists()


def test_delete_password_guessing_is_rate_limited(client, resident):
    """A borrowed session cannot be used to guess the password (allauth's "reauthenticate"
    rate limit, 10 a minute by default)."""
    client.force_login(resident)
    attempts, html = 0, ""
    while "Trop de tentatives" not in html and attempts < 50:
        attempts += 1
        html = client.post(DELETE_URL, {"password": "devine"}).content.decode()
        assert "Ce mot de passe n" in html or "Trop de tentatives" in html
    assert 5 <= attempts <= 11
    # Even the right password is refused until the limit cools off.
    response = client.post(DELETE_URL, {"password": PASSWORD})
    assert response.status_code == 200
    assert_error_tied_to(response, "password")
    assert "Trop de tentatives" in response.content.decode()
    assert User.objects.filter(pk=resident.pk).exists()


def test_delete_empty_password_is_a_form_error(client, resident):
    client.force_login(resident)
    response = client.post(DELETE_URL, {"password": ""})
    assert response.status_code == 200
    assert_error_tied_to(response, "password")
    assert User.objects.filter(pk=resident.pk).exists()


# --- Password reset -----------------------------------------------------------------------


def test_password_reset_never_reveals_whether_an_account_exists(client, resident, mailoutbox):
    response = client.get(RESET_URL)
    assert_every_field_labelled(response)

    known = client.post(RESET_URL, {"email": "Amina@example.org"}, follow=True)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["amina@example.org"]

    unknown = client.post(RESET_URL, {"email": "personne@example.org"}, follow=True)
    assert len(mailoutbox) == 1, "no email to an address without an account"

    assert (
        known.redirect_chain == unknown.redirect_chain == [("/comptes/password/reset/done/", 302)]
    )

    def main(response):
        html = response.content.decode()
        return html[html.index("<main") : html.index("</main>")]

    assert main(known) == main(unknown)


def test_password_reset_link_sets_a_new_password(client, resident, mailoutbox):
    client.post(RESET_URL, {"email": resident.email})
    (message,) = mailoutbox
    assert message.subject.startswith("[Quartier Commun] ")
    reset_url = link_in(message)
    assert reset_url.startswith("/comptes/password/reset/key/")

    # allauth moves the key out of the address before showing the form.
    response = client.get(reset_url, follow=True)
    assert response.status_code == 200
    assert_every_field_labelled(response)
    form_url = response.redirect_chain[-1][0]

    response = client.post(form_url, {"password1": "court", "password2": "court"})
    assert response.status_code == 200
    assert_error_tied_to(response, "password1")

    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password(NEW_PASSWORD)

    # The old password no longer works, the new one does.
    client.post(LOGOUT_URL)
    client.post(LOGIN_URL, {"login": resident.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    response = client.post(LOGIN_URL, {"login": resident.email, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get(PROFILE_URL).status_code == 200

    # The link works only once.
    client.post(LOGOUT_URL)
    response = client.get(reset_url, follow=True)
    html = response.content.decode()
    assert "Mauvais jeton" in html
    assert 'name="password1"' not in html
