"""One account per person, whatever the letters: the email rule of civic.accounts.emails.

On PostgreSQL `upper('ı') = 'I'`: a look-alike sign-up once created a second account and
every later login of the real resident answered 500. These tests run on SQLite and on
PostgreSQL (make test-pg).
"""

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from civic.accounts.emails import email_key, normalise_email
from civic.accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/comptes/signup/"
LOGIN_URL = "/comptes/login/"
ADMIN_LOGIN_URL = "/admin/login/"
RESET_URL = "/comptes/password/reset/"

LOOK_ALIKE = "am\u0131na@example.org"  # dotless ı in place of the i of amina@example.org


def signup(client, quartier, email):
    return client.post(
        SIGNUP_URL,
        {
            "email": email,
            "display_name": "Imposteur",
            "neighbourhood": quartier.pk,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


@pytest.mark.parametrize(
    "address",
    [
        "AMINA@example.org",
        "amina@EXAMPLE.org",
        "am\u0131na@example.org",  # dotless ı
        "\uff41mina@example.org",  # full-width a
        "amina@example.org ",
    ],
)
def test_these_addresses_share_one_key(address):
    assert email_key(address) == email_key("amina@example.org")


@pytest.mark.parametrize(
    "address", ["amina.b@example.org", "amina@example.com", "amina+x@example.org"]
)
def test_these_addresses_are_other_accounts(address):
    assert email_key(address) != email_key("amina@example.org")


@pytest.mark.parametrize("garbage", ["", "@", "@@@", "a" * 5000, "x@" + "a" * 300, "\x00@\x00"])
def test_the_key_never_raises(garbage):
    assert isinstance(email_key(garbage), str)


def test_internationalised_domains_compare_in_ascii():
    assert email_key("amina@bücher.example") == email_key("AMINA@xn--bcher-kva.example")
    assert normalise_email("Amina@Bücher.example") == "amina@bücher.example"


def test_look_alike_signup_is_refused_with_a_clear_error_and_no_account(
    client, resident, tilleuls, mailoutbox
):
    users_before = User.objects.count()
    response = signup(client, tilleuls, LOOK_ALIKE)
    assert response.status_code == 200
    assert "lettre spéciale avant le « @ »" in response.content.decode()
    assert User.objects.count() == users_before
    assert mailoutbox == []


def test_look_alike_signup_is_refused_the_same_way_when_nobody_has_the_address(
    client, tilleuls, mailoutbox
):
    """The refusal does not depend on whether an account exists: no enumeration."""
    response = signup(client, tilleuls, "z\u0131a@example.org")
    assert response.status_code == 200
    assert "lettre spéciale avant le « @ »" in response.content.decode()
    assert not User.objects.exists()


def test_other_spelling_signup_is_answered_as_the_existing_account(
    client, resident, tilleuls, mailoutbox
):
    """The same key: answered as any address in use (a notice to the owner)."""
    users_before = User.objects.count()
    response = signup(client, tilleuls, "Amina@EXAMPLE.org")
    assert response.status_code == 302
    assert User.objects.count() == users_before
    assert [m.to for m in mailoutbox] == [["amina@example.org"]]


def test_full_width_signup_is_refused_with_a_form_error(client, resident, tilleuls, mailoutbox):
    users_before = User.objects.count()
    response = signup(client, tilleuls, "\uff41mina@example.org")
    assert response.status_code == 200
    assert User.objects.count() == users_before
    assert mailoutbox == []


def test_database_refuses_a_second_account_with_the_same_key(resident):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email=LOOK_ALIKE, password=PASSWORD, display_name="X")
    assert User.objects.filter(display_name="X").count() == 0


def test_login_still_works_for_the_resident_after_a_look_alike_attempt(client, resident, tilleuls):
    signup(client, tilleuls, LOOK_ALIKE)
    response = client.post(LOGIN_URL, {"login": "amina@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(resident.pk)


@pytest.mark.parametrize(
    "address",
    [
        LOOK_ALIKE,
        "AMINA@EXAMPLE.ORG",
        "amina@example.org\x00",
        "@",
        "a" * 3000 + "@example.org",
        "amİna@example.org",
        "\u202eamina@example.org",
    ],
)
def test_login_never_answers_500(client, resident, manager, address):
    for url, field in ((LOGIN_URL, "login"), (ADMIN_LOGIN_URL, "username")):
        response = client.post(url, {field: address, "password": PASSWORD})
        assert response.status_code in {200, 302, 400, 429}, (url, response.status_code)


def test_admin_login_finds_the_one_account_by_its_key(client, manager):
    response = client.post(
        ADMIN_LOGIN_URL, {"username": manager.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(manager.pk)


def test_password_reset_of_a_look_alike_sends_nothing_to_anyone(client, resident, mailoutbox):
    response = client.post(RESET_URL, {"email": LOOK_ALIKE})
    assert response.status_code in {200, 302}
    assert all(m.to != [LOOK_ALIKE] for m in mailoutbox)


@pytest.mark.parametrize(
    ("address", "error"),
    [
        (LOOK_ALIKE, "lettre spéciale avant le « @ »"),
        ("AMINA@example.org", "existe déjà"),
    ],
)
def test_wagtail_user_admin_refuses_the_same_address_with_a_field_error(
    client, resident, address, error
):
    client.force_login(
        User.objects.create_superuser(email="admin@example.org", display_name="Admin")
    )
    response = client.post(
        "/admin/users/new/",
        {
            "email": address,
            "display_name": "Doublon",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not User.objects.filter(display_name="Doublon").exists()


def test_email_change_through_allauth_keeps_the_key(resident):
    resident.email = "amina.b@example.org"
    resident.save()
    resident.refresh_from_db()
    assert resident.email_key == "amina.b@example.org"
    assert User.objects.by_email("AMINA.B@example.org").get() == resident


def test_desk_registration_finds_the_account_by_its_key(resident):
    assert User.objects.by_email("Amina@Example.org").get() == resident


def test_collision_report_lists_accounts_without_merging(resident):
    # A legacy duplicate, as the migration leaves it: kept, without a key.
    other = User.objects.create_user(email="other@example.org", display_name="Legacy")
    User.objects.filter(pk=other.pk).update(email=LOOK_ALIKE, email_key=None)
    other.refresh_from_db()
    other.display_name = "Legacy renamed"
    other.save()  # a keyless legacy account keeps working
    with pytest.raises(CommandError, match="1 address"):
        call_command("report_email_collisions")
    assert User.objects.filter(pk__in=[resident.pk, other.pk]).count() == 2
    assert EmailAddress.objects.filter(user=resident).exists()


# --- Two sign-ups with one address at the same moment ------------------------------------


def test_a_sign_up_that_loses_the_race_is_answered_as_an_address_in_use(
    client, tilleuls, mailoutbox, monkeypatch
):
    """The other request commits its account between this one's validation and its save:
    the database's key refuses the second account, and the visitor sees the usual page."""
    from allauth.account.forms import flows

    User.objects.create_user(email="Zoe@Example.org", password=PASSWORD)
    # This request checked the address before the other one committed.
    monkeypatch.setattr(
        flows.manage_email, "email_already_exists", lambda email, **kwargs: (email, False)
    )
    response = signup(client, tilleuls, "zoe@example.org")
    assert response.status_code == 302
    assert response["Location"] == "/comptes/confirm-email/"
    assert list(User.objects.by_email("zoe@example.org").values_list("email", flat=True)) == [
        "Zoe@example.org"
    ]
    # The owner of the address is told someone tried (allauth's "account exists" notice).
    assert [m.to for m in mailoutbox] == [["Zoe@example.org"]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_sign_ups_with_one_address_create_one_account_and_no_error(tilleuls):
    import threading

    from django.db import connection
    from django.test import Client

    rounds, statuses = 6, []
    for round_number in range(rounds):
        barrier = threading.Barrier(2)
        address = f"course{round_number}@example.org"

        def attempt(spelling, address=address, barrier=barrier):
            try:
                client = Client(raise_request_exception=False)
                barrier.wait(timeout=10)
                statuses.append(signup(client, tilleuls, spelling).status_code)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=attempt, args=(spelling,))
            for spelling in (address, address.upper())
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert User.objects.by_email(address).count() == 1
    assert statuses == [302] * (2 * rounds), statuses
