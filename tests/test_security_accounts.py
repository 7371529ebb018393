"""Logins, password resets and sign-ups: guessing is slowed down, never turned into a lock,
and nothing tells whether an email has an account.

allauth's "login_failed" limit (settings.ACCOUNT_RATE_LIMITS) counts failures per IP (10 a
minute) and per email (5 in a sliding 5 minutes, from any IP). What a victim can suffer:
someone who knows their email makes them wait until 5 minutes after the oldest of the last
five failures, the right password refused meanwhile; a password reset lifts it at once.
"""

import re

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

LOGIN_URL = "/comptes/login/"
SIGNUP_URL = "/comptes/signup/"
RESET_URL = "/comptes/password/reset/"
TOO_MANY = "Trop de tentatives de connexion échouées"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits live in the cache: no test inherits another's failures.
    cache.clear()
    yield
    cache.clear()


def log_in(client, email, password, ip="203.0.113.7"):
    return client.post(LOGIN_URL, {"login": email, "password": password}, REMOTE_ADDR=ip)


def logged_in(client):
    return "_auth_user_id" in client.session


def fail(client, email, times, ip="203.0.113.7"):
    for _ in range(times):
        response = log_in(client, email, "pas-le-bon-mot-de-passe", ip=ip)
        assert response.status_code == 200
        assert TOO_MANY not in response.content.decode()


def main_content(response):
    """The page's <main>, without what differs on every response (CSRF token)."""
    html = response.content.decode()
    main = re.search(r"<main\b.*?</main>", html, re.S).group(0)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


# --- Lockout with a cool-off -------------------------------------------------------------------


def test_after_five_failures_even_the_right_password_waits(client, resident):
    fail(client, resident.email, 5)
    response = log_in(client, resident.email, PASSWORD)
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert not logged_in(client)


def test_the_cool_off_ends_by_itself(client, resident):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, resident.email, 5)
        assert TOO_MANY in log_in(client, resident.email, PASSWORD).content.decode()
    with time_machine.travel(start + timezone.timedelta(minutes=4), tick=False):
        assert TOO_MANY in log_in(client, resident.email, PASSWORD).content.decode()
    with time_machine.travel(start + timezone.timedelta(minutes=5, seconds=1), tick=False):
        response = log_in(client, resident.email, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_the_limit_is_per_email_whatever_the_ip(client, resident, other_resident):
    """Spreading guesses over IPs gains nothing; the victim waits the same cool-off (the
    price of it), and other accounts are untouched."""
    fail(client, resident.email, 3, ip="198.51.100.1")
    fail(client, resident.email, 2, ip="198.51.100.2")
    assert TOO_MANY in log_in(client, resident.email, PASSWORD, ip="192.0.2.50").content.decode()
    response = log_in(client, other_resident.email, PASSWORD, ip="198.51.100.1")
    assert response.status_code == 302


def test_one_ip_guessing_many_emails_is_slowed_down(client, resident):
    for number in range(10):
        fail(client, f"personne{number}@example.org", 1, ip="198.51.100.9")
    response = log_in(client, resident.email, PASSWORD, ip="198.51.100.9")
    assert TOO_MANY in response.content.decode()
    # Only that IP: the resident, elsewhere, logs in.
    assert log_in(client, resident.email, PASSWORD, ip="192.0.2.50").status_code == 302


def test_a_successful_login_does_not_reset_the_count(client, resident):
    """Otherwise an attacker owning one account could interleave its logins with guesses."""
    fail(client, resident.email, 4)
    assert log_in(client, resident.email, PASSWORD).status_code == 302
    client.logout()
    fail(client, resident.email, 1)
    assert TOO_MANY in log_in(client, resident.email, PASSWORD).content.decode()


def test_a_password_reset_lifts_the_cool_off(client, resident, mailoutbox):
    fail(client, resident.email, 5)
    client.post(RESET_URL, {"email": resident.email})
    link = re.search(r"https?://testserver(/\S+)", mailoutbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    new_password = "un-autre-mot-de-passe-77"
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    client.logout()
    assert log_in(client, resident.email, new_password).status_code == 302


# --- The same answer for known and unknown emails ---------------------------------------------


def test_login_answers_the_same_for_an_unknown_email(client, resident):
    known = log_in(client, resident.email, "pas-le-bon-mot-de-passe", ip="192.0.2.1")
    unknown = log_in(client, "personne@example.org", "pas-le-bon-mot-de-passe", ip="192.0.2.2")
    assert known.status_code == unknown.status_code == 200
    assert main_content(known) == main_content(unknown).replace(
        "personne@example.org", resident.email
    )


def test_password_reset_answers_the_same_and_mails_only_the_owner(client, resident, mailoutbox):
    known = client.post(RESET_URL, {"email": resident.email}, follow=True)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [resident.email]
    unknown = client.post(RESET_URL, {"email": "personne@example.org"}, follow=True)
    assert len(mailoutbox) == 1  # nothing sent to an address without an account
    assert known.redirect_chain == unknown.redirect_chain
    assert main_content(known) == main_content(unknown)


def signup_data(neighbourhood, email):
    return {
        "email": email,
        "display_name": "Zoé L.",
        "neighbourhood": neighbourhood.pk,
        "password1": PASSWORD,
        "password2": PASSWORD,
    }


def test_signup_with_a_taken_email_answers_the_same_and_warns_the_owner(
    client, tilleuls, mailoutbox
):
    owner = UserFactory(email="deja@example.org", neighbourhood=tilleuls)
    new = client.post(SIGNUP_URL, signup_data(tilleuls, "nouvelle@example.org"), follow=True)
    client.logout()
    taken = client.post(SIGNUP_URL, signup_data(tilleuls, owner.email), follow=True)
    assert new.redirect_chain == taken.redirect_chain
    # The same page, each naming the address typed in ("a link was sent to …").
    assert main_content(new).replace("nouvelle@example.org", owner.email) == main_content(taken)
    # Each address got one email: a confirmation for the new one, a warning for the owner.
    assert [message.to for message in mailoutbox] == [["nouvelle@example.org"], [owner.email]]
    assert "/comptes/password/reset/" in mailoutbox[1].body
    assert type(owner).objects.filter(email__iexact=owner.email).count() == 1
