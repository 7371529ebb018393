"""Staff pages of a shift and of a person: the roster and its CSV, the assisted sign-up
desk (guichet), the check-in page, the printed roster, the certificate of hours, and who
may reach any of it."""

import csv
import html
import io
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civic.volunteering import services
from civic.volunteering.models import OfflineVolunteer, Shift, Signup
from tests.factories import (
    ActionFactory,
    NeighbourhoodFactory,
    RegieFactory,
    ShiftFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def staff(name, *args):
    return reverse(f"volunteering_staff:{name}", args=args)


@pytest.fixture
def staff_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def shift(tilleuls):
    return ShiftFactory(
        action__title="Nettoyage du square", action__neighbourhood=tilleuls, capacity=2
    )


def text_of(response):
    """The page's HTML with its entities decoded (« d&#x27;accord » → « d'accord »)."""
    return html.unescape(response.content.decode())


def messages_of(response):
    """Wagtail's admin messages, as text (they are stored as escaped HTML)."""
    if not response.context:
        return []
    return [html.unescape(str(m)).strip() for m in response.context["messages"]]


def page_messages(response):
    return [str(m) for m in response.context["page_messages"]]


def local(days, hour=10):
    base = timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0)
    return base + timedelta(days=days)


def offline(name="Josette L.", phone="06 11 22 33 44", by=None, neighbourhood=None):
    return OfflineVolunteer.objects.create(
        name=name,
        phone=phone,
        neighbourhood=neighbourhood,
        consent_given_at=timezone.now(),
        consent_recorded_by=by,
    )


# --- Roster ------------------------------------------------------------------------------------


def fill(shift, resident, other_resident, manager):
    """Amina (phone) confirmed by herself, Josette (no account) confirmed at the desk,
    Marcel on the waitlist."""
    resident.phone = "07 98 76 54 32"
    resident.save()
    amina = services.sign_up(shift=shift, actor=resident)
    josette = services.sign_up(shift=shift, actor=manager, offline_volunteer=offline(by=manager))
    marcel = services.sign_up(shift=shift, actor=other_resident)
    return amina, josette, marcel


def test_roster_shows_names_status_phones_and_who_registered_them(
    staff_client, shift, resident, other_resident, manager
):
    amina, josette, marcel = fill(shift, resident, other_resident, manager)
    response = staff_client.get(staff("roster", shift.pk))
    assert response.status_code == 200
    html = text_of(response)
    for text in ("Amina B.", "Josette L.", "Marcel D.", "07 98 76 54 32", "06 11 22 33 44"):
        assert text in html
    assert "inscription faite par Nadia (Régie)" in html
    assert "sans compte" in html
    roster = response.context["roster"]
    assert [s.pk for s in roster.confirmed] == [amina.pk, josette.pk]
    assert [(s.pk, s.position) for s in roster.waitlisted] == [(marcel.pk, 1)]
    assert "Liste d'attente (n° 1)" in html
    # Never an email address.
    assert "@" not in html.split('id="desk-title"')[0].split('id="roster-title"')[1]
    for person in (resident, other_resident):
        assert person.email not in html


def test_roster_csv_has_bom_no_email_and_is_formula_safe(
    staff_client, shift, resident, other_resident, manager
):
    fill(shift, resident, other_resident, manager)
    services.sign_up(
        shift=shift,
        actor=manager,
        offline_volunteer=offline(name='=HYPERLINK("http://mal.example")', phone=""),
    )
    response = staff_client.get(staff("roster_csv", shift.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    content = raw.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert header[:3] == ["Nom", "Téléphone", "Statut"]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_name["Amina B."]["Téléphone"] == "07 98 76 54 32"
    assert by_name["Amina B."]["Statut"] == "Inscription confirmée"
    assert by_name["Josette L."]["Inscription faite par"] == "Nadia (Régie)"
    assert by_name["Marcel D."]["Statut"] == "En liste d'attente"
    assert by_name["Marcel D."]["Position en liste d'attente"] == "1"
    assert '\'=HYPERLINK("http://mal.example")' in by_name
    assert "@" not in content


def test_printed_roster_has_a_print_stylesheet_and_no_admin_furniture(
    staff_client, shift, resident, other_resident, manager
):
    fill(shift, resident, other_resident, manager)
    response = staff_client.get(staff("roster_print", shift.pk))
    assert response.status_code == 200
    html = text_of(response)
    # The print styles are a static stylesheet (no inline style under the CSP).
    assert "css/staff-roster-print.css" in html
    assert "@media print" in _static("css/staff-roster-print.css")
    assert "@page" in _static("css/staff-roster-print.css")
    assert "wagtail-sidebar" not in html and "wagtailadmin/js" not in html
    assert "Amina B." in html and "07 98 76 54 32" in html and "Marcel D." in html
    assert "inscrit" in html
    assert "@example.org" not in html


def _static(path):
    from django.contrib.staticfiles import finders

    with open(finders.find(path), encoding="utf-8") as stylesheet:
        return stylesheet.read()


# --- Assisted sign-up (guichet) ----------------------------------------------------------------


def test_desk_finds_an_account_by_name_or_email_and_signs_them_up(
    staff_client, shift, resident, manager
):
    response = staff_client.get(staff("roster", shift.pk), {"personne": "amina@exa"})
    results = response.context["results"]
    assert [(r.kind, r.pk) for r in results] == [("compte", resident.pk)]
    html = text_of(response)
    assert "amina@example.org" not in html  # masked: « am…@example.org »
    assert "am…@example.org" in html
    response = staff_client.get(staff("roster", shift.pk), {"personne": "Amina"})
    assert [r.pk for r in response.context["results"]] == [resident.pk]

    response = staff_client.post(
        staff("roster", shift.pk), {"form": "compte", "user": resident.pk}, follow=True
    )
    assert response.status_code == 200
    assert "Amina B. : inscription enregistrée." in messages_of(response)
    signup = Signup.objects.get(shift=shift, user=resident)
    assert signup.status == Signup.Status.CONFIRMED
    assert signup.registered_by == manager
    assert "inscription faite par Nadia (Régie)" in text_of(response)

    # Signing up again changes nothing.
    staff_client.post(staff("roster", shift.pk), {"form": "compte", "user": resident.pk})
    assert Signup.objects.filter(shift=shift, user=resident).count() == 1
    # Found again, the person is marked as already on the shift.
    response = staff_client.get(staff("roster", shift.pk), {"personne": "Amina"})
    assert response.context["results"][0].already


def test_desk_registers_a_resident_without_account_with_consent(staff_client, shift, manager):
    data = {
        "form": "sans-compte",
        "sans_compte-name": "Josette L.",
        "sans_compte-phone": "06 11 22 33 44",
        "sans_compte-neighbourhood": shift.action.neighbourhood_id,
    }
    # Without consent: nothing is recorded.
    response = staff_client.post(staff("roster", shift.pk), data)
    assert response.status_code == 200
    assert "consent" in response.context["offline_form"].errors
    assert "La personne est d'accord pour que ses informations soient enregistrées" in (
        text_of(response)
    )
    assert not OfflineVolunteer.objects.exists()
    assert not Signup.objects.exists()

    response = staff_client.post(staff("roster", shift.pk), {**data, "sans_compte-consent": "on"})
    assert response.status_code == 302
    person = OfflineVolunteer.objects.get()
    assert (person.name, person.phone, person.neighbourhood) == (
        "Josette L.",
        "06 11 22 33 44",
        shift.action.neighbourhood,
    )
    assert person.consent_recorded_by == manager and person.consent_given_at
    signup = Signup.objects.get(shift=shift)
    assert signup.offline_volunteer == person and signup.user is None
    assert signup.registered_by == manager
    assert signup.status == Signup.Status.CONFIRMED
    html = staff_client.get(staff("roster", shift.pk)).content.decode()
    assert "Josette L." in html and "inscription faite par Nadia (Régie)" in html

    # Next time, Josette is found by name and signed up without a second record.
    other = ShiftFactory(action=shift.action, starts_at=local(8), ends_at=local(8, 12))
    response = staff_client.get(staff("roster", other.pk), {"personne": "josette"})
    assert [(r.kind, r.pk) for r in response.context["results"]] == [("connu", person.pk)]
    staff_client.post(staff("roster", other.pk), {"form": "connu", "offline_volunteer": person.pk})
    assert Signup.objects.get(shift=other).offline_volunteer == person
    assert OfflineVolunteer.objects.count() == 1


def test_desk_signup_on_a_full_shift_goes_to_the_waitlist(staff_client, shift, resident):
    for _ in range(2):
        services.sign_up(shift=shift, actor=UserFactory())
    response = staff_client.post(
        staff("roster", shift.pk), {"form": "compte", "user": resident.pk}, follow=True
    )
    assert "Amina B. est sur la liste d'attente (n° 1)." in messages_of(response)


def test_desk_refusals_are_messages_and_change_nothing(staff_client, resident):
    started = ShiftFactory(starts_at=local(0, 0) - timedelta(hours=1), ends_at=local(2))
    response = staff_client.post(
        staff("roster", started.pk), {"form": "compte", "user": resident.pk}, follow=True
    )
    assert "Ce créneau n'est plus ouvert aux inscriptions." in messages_of(response)
    response = staff_client.post(
        staff("roster", started.pk),
        {"form": "sans-compte", "sans_compte-name": "Josette", "sans_compte-consent": "on"},
    )
    assert response.status_code == 200
    assert response.context["offline_form"].errors
    assert not Signup.objects.exists()
    assert not OfflineVolunteer.objects.exists()  # rolled back with the refused sign-up


def test_staff_cancel_on_someones_behalf_and_the_waitlist_moves_up(
    staff_client, shift, resident, other_resident, manager
):
    amina, josette, marcel = fill(shift, resident, other_resident, manager)
    response = staff_client.post(
        staff("signup_cancel", josette.pk), {"next": staff("roster", shift.pk)}
    )
    assert response.status_code == 302
    assert response["Location"] == staff("roster", shift.pk)
    josette.refresh_from_db()
    marcel.refresh_from_db()
    assert josette.status == Signup.Status.CANCELLED
    assert marcel.status == Signup.Status.CONFIRMED
    # Inside the resident's own cut-off, staff still may.
    soon = ShiftFactory(starts_at=timezone.now() + timedelta(hours=2), ends_at=local(1))
    late = services.sign_up(shift=soon, actor=UserFactory())
    staff_client.post(staff("signup_cancel", late.pk))
    late.refresh_from_db()
    assert late.status == Signup.Status.CANCELLED


# --- Check-in ----------------------------------------------------------------------------------


def test_check_in_page_is_for_phones_and_counts(
    staff_client, shift, resident, other_resident, manager
):
    amina, josette, marcel = fill(shift, resident, other_resident, manager)
    services.record_attendance(signup=amina, actor=manager, present=True)
    response = staff_client.get(staff("checkin", shift.pk))
    assert response.status_code == 200
    html = text_of(response)
    assert 'name="viewport"' in html
    assert "wagtail-sidebar" not in html
    assert "js/staff-checkin.js" in html
    assert "BarcodeDetector" in _static("js/staff-checkin.js")
    assert response.context["counts"] == {
        "confirmed": 2,
        "waitlisted": 1,
        "present": 1,
        "absent": 0,
        "unknown": 1,
    }
    assert [s.pk for s in response.context["people"]] == [amina.pk, josette.pk]
    # The waitlist is not checked in.
    assert "Marcel D." not in html


def test_search_filters_names_without_javascript(
    staff_client, shift, resident, other_resident, manager
):
    amina, josette, _marcel = fill(shift, resident, other_resident, manager)
    josette.offline_volunteer.name = "Josette Lémieux"
    josette.offline_volunteer.save()
    response = staff_client.get(staff("checkin", shift.pk), {"q": "lemieux"})
    assert [s.pk for s in response.context["people"]] == [josette.pk]
    assert "Amina B." not in text_of(response)
    response = staff_client.get(staff("checkin", shift.pk), {"q": "personne"})
    assert response.context["people"] == []


def test_tap_present_then_absent(staff_client, shift, resident, other_resident, manager):
    amina, _josette, _marcel = fill(shift, resident, other_resident, manager)
    response = staff_client.post(
        staff("checkin", shift.pk), {"signup": amina.pk, "present": "1", "q": "ami"}
    )
    assert response.status_code == 302
    assert response["Location"] == staff("checkin", shift.pk) + f"?q=ami#inscription-{amina.pk}"
    amina.refresh_from_db()
    assert amina.attendance == Signup.Attendance.PRESENT
    assert amina.checked_in_by == manager and amina.checked_in_at

    response = staff_client.post(
        staff("checkin", shift.pk), {"signup": amina.pk, "present": "0"}, follow=True
    )
    assert "Amina B. : absence notée." in page_messages(response)
    amina.refresh_from_db()
    assert amina.attendance == Signup.Attendance.ABSENT
    assert response.context["counts"]["absent"] == 1


def test_tap_refuses_a_signup_of_another_shift_or_the_waitlist(
    staff_client, shift, resident, other_resident, manager
):
    _amina, _josette, marcel = fill(shift, resident, other_resident, manager)
    elsewhere = services.sign_up(
        shift=ShiftFactory(starts_at=local(9), ends_at=local(9, 12)), actor=resident
    )
    response = staff_client.post(
        staff("checkin", shift.pk), {"signup": elsewhere.pk, "present": "1"}, follow=True
    )
    assert "Cette inscription n'est pas sur ce créneau." in page_messages(response)
    response = staff_client.post(
        staff("checkin", shift.pk), {"signup": marcel.pk, "present": "1"}, follow=True
    )
    assert "Cette personne n'est pas inscrite sur ce créneau." in page_messages(response)
    for signup in (elsewhere, marcel):
        signup.refresh_from_db()
        assert signup.attendance == Signup.Attendance.UNKNOWN


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: str(code),
        lambda code: str(code).upper(),
        lambda code: code.hex,
        lambda code: f"  https://quartier.example/agir/confirmation/{code}/  ",
    ],
)
def test_check_in_by_code(staff_client, shift, resident, manager, typed):
    signup = services.sign_up(shift=shift, actor=resident)
    response = staff_client.post(
        staff("checkin", shift.pk), {"form": "code", "code": typed(signup.check_in_code)}
    )
    assert response.status_code == 302
    signup.refresh_from_db()
    assert signup.attendance == Signup.Attendance.PRESENT
    assert signup.checked_in_by == manager


def test_a_wrong_code_is_an_error_and_changes_nothing(staff_client, shift, resident):
    signup = services.sign_up(shift=shift, actor=resident)
    other = services.sign_up(
        shift=ShiftFactory(starts_at=local(9), ends_at=local(9, 12)), actor=UserFactory()
    )
    for code, error in [
        (str(uuid.uuid4()), "Ce code ne correspond à aucune inscription sur ce créneau."),
        (str(other.check_in_code), "Ce code ne correspond à aucune inscription sur ce créneau."),
        ("pas un code", "Ce code n'a pas la bonne forme"),
        ("", "Saisissez ou scannez le code."),
    ]:
        response = staff_client.post(staff("checkin", shift.pk), {"form": "code", "code": code})
        assert response.status_code == 200, code
        assert any(error in e for e in response.context["code_form"].errors["code"]), code
        assert error.split(" :")[0] in text_of(response)
    for item in (signup, other):
        item.refresh_from_db()
        assert item.attendance == Signup.Attendance.UNKNOWN
        assert item.checked_in_at is None


# --- Certificate -------------------------------------------------------------------------------


def test_certificate_counts_attended_hours_only(staff_client, resident, manager, tilleuls):
    tilleuls.regie.address = "12 place des Tilleuls"
    tilleuls.regie.postal_code = "31000"
    tilleuls.regie.save()
    before = timezone.now() - timedelta(days=30)

    def shift_for(title, days, hours):
        return ShiftFactory(
            action=ActionFactory(title=title, neighbourhood=tilleuls),
            starts_at=local(days, 9),
            ends_at=local(days, 9) + timedelta(hours=hours),
        )

    present = services.sign_up(
        shift=shift_for("Jardin partagé", -10, 2), actor=resident, now=before
    )
    services.record_attendance(signup=present, actor=manager, present=True)
    services.sign_up(
        shift=shift_for("Repair café", -5, 1.5), actor=resident, now=before
    )  # unmarked
    absent = services.sign_up(
        shift=shift_for("Fête de quartier", -3, 4), actor=resident, now=before
    )
    services.record_attendance(signup=absent, actor=manager, present=False)
    services.sign_up(shift=shift_for("Nettoyage à venir", 4, 3), actor=resident)  # future
    cancelled = shift_for("Créneau annulé", -2, 5)
    services.sign_up(shift=cancelled, actor=resident, now=before)
    # Cancelled back then, before it took place (a finished shift can no longer be cancelled).
    cancelled.signups.update(status=Signup.Status.CANCELLED, cancelled_at=before)
    Shift.objects.filter(pk=cancelled.pk).update(is_cancelled=True, seats_taken=0)

    response = staff_client.get(staff("certificate_user", resident.pk))
    assert response.status_code == 200
    html = text_of(response)
    assert response.context["total_hours"] == 3.5 == services.hours_given(user=resident)
    assert [line["action"] for line in response.context["lines"]] == [
        "Jardin partagé",
        "Repair café",
    ]
    for text in (
        "Amina B.",
        "Régie des Trois Rivières",
        "12 place des Tilleuls",
        "3 h 30",
        "1 h 30",
    ):
        assert text in html
    for text in ("Fête de quartier", "Nettoyage à venir", "Créneau annulé", "amina@example.org"):
        assert text not in html
    assert "css/staff-certificate.css" in html
    assert "A4" in _static("css/staff-certificate.css")
    assert "signature" in html.lower()
    assert timezone.localdate().strftime("%Y") in html


def test_certificate_for_a_resident_without_account_uses_the_first_regie(
    staff_client, manager, tilleuls
):
    RegieFactory(name="Une autre Régie")  # created later: not the first
    person = offline(neighbourhood=None, by=manager)
    shift = ShiftFactory(
        action__neighbourhood=tilleuls, starts_at=local(-3, 14), ends_at=local(-3, 16)
    )
    services.sign_up(
        shift=shift, actor=manager, offline_volunteer=person, now=timezone.now() - timedelta(days=5)
    )
    response = staff_client.get(staff("certificate_offline", person.pk))
    assert response.status_code == 200
    assert response.context["regie"] == tilleuls.regie
    assert response.context["total_hours"] == 2.0
    assert "Josette L." in text_of(response)
    assert staff_client.get(staff("certificate_offline", person.pk + 99)).status_code == 404


def test_certificate_of_someone_in_another_regie(staff_client, manager):
    elsewhere = NeighbourhoodFactory(regie=RegieFactory(name="Régie du Mirail"))
    person = UserFactory(display_name="Karim", neighbourhood=elsewhere)
    response = staff_client.get(staff("certificate_user", person.pk))
    assert response.context["regie"].name == "Régie du Mirail"
    assert "Aucun créneau effectué" in text_of(response)


def test_certificates_page_finds_volunteers(staff_client, resident, other_resident, manager):
    shift = ShiftFactory()
    services.sign_up(shift=shift, actor=resident)
    services.sign_up(shift=shift, actor=manager, offline_volunteer=offline(by=manager))
    response = staff_client.get("/admin/agir/attestations/", {"personne": "amina"})
    assert [r["url"] for r in response.context["results"]] == [
        staff("certificate_user", resident.pk)
    ]
    response = staff_client.get("/admin/agir/attestations/", {"personne": "josette"})
    assert len(response.context["results"]) == 1
    # Someone who never volunteered is not listed.
    response = staff_client.get("/admin/agir/attestations/", {"personne": "marcel"})
    assert response.context["results"] == []


# --- Who may reach all this --------------------------------------------------------------------


def every_staff_request(shift, signup, person, account):
    return [
        ("get", staff("roster", shift.pk), {}),
        ("get", staff("roster", shift.pk), {"personne": "Amina"}),
        ("post", staff("roster", shift.pk), {"form": "compte", "user": account.pk}),
        ("post", staff("roster", shift.pk), {"form": "connu", "offline_volunteer": person.pk}),
        (
            "post",
            staff("roster", shift.pk),
            {"form": "sans-compte", "sans_compte-name": "Intrus", "sans_compte-consent": "on"},
        ),
        ("get", staff("roster_csv", shift.pk), {}),
        ("get", staff("roster_print", shift.pk), {}),
        ("post", staff("signup_cancel", signup.pk), {}),
        ("get", staff("checkin", shift.pk), {}),
        ("get", staff("checkin", shift.pk), {"q": "Marcel"}),
        ("post", staff("checkin", shift.pk), {"signup": signup.pk, "present": "1"}),
        ("post", staff("checkin", shift.pk), {"form": "code", "code": str(signup.check_in_code)}),
        ("get", staff("certificate_user", account.pk), {}),
        ("get", staff("certificate_offline", person.pk), {}),
    ]


def snapshot():
    return {
        "shifts": list(Shift.objects.order_by("pk").values()),
        "signups": list(Signup.objects.order_by("pk").values()),
        "offline": list(OfflineVolunteer.objects.order_by("pk").values()),
    }


@pytest.mark.parametrize("persona", ["anonymous", "resident", "partner"])
def test_residents_partners_and_visitors_are_turned_away_everywhere(
    client, request, persona, shift, other_resident, manager
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    signup = services.sign_up(shift=shift, actor=other_resident)
    person = offline(by=manager)
    account = UserFactory(display_name="Zoé")
    before = snapshot()

    for method, path, data in every_staff_request(shift, signup, person, account):
        response = getattr(client, method)(path, data)
        assert response.status_code == 302, (method, path)
        assert response["Location"].startswith(reverse("account_login")), (method, path)
        assert b"Marcel" not in response.content and b"06 11" not in response.content

    assert snapshot() == before


def test_every_staff_url_works_for_an_editor(editor_client, shift, other_resident, editor):
    """The same list of URLs, as staff: none is forbidden (a guard for the test above)."""
    signup = services.sign_up(shift=shift, actor=other_resident)
    person = offline(by=editor)
    account = UserFactory(display_name="Zoé")
    for method, path, data in every_staff_request(shift, signup, person, account):
        response = getattr(editor_client, method)(path, data)
        assert response.status_code in (200, 302), (method, path, response.status_code)
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("account_login")), (method, path)
            assert response["Location"] != reverse("wagtailadmin_home"), (method, path)
