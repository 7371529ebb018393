"""Presence codes (civic.codes): what they look like, how they are read back, unique per
occasion in the database (also under a real race on PostgreSQL), the QR code's link and
who learns what by opening it, and the migrations that gave existing rows a code."""

import html
import re
import threading

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client

from civic import codes
from civic.assemblies import services as assemblies
from civic.assemblies.models import Participant
from civic.volunteering import messages, tasks
from civic.volunteering import services as volunteering
from civic.volunteering.models import Signup
from tests.assemblies_factories import (
    AssemblyFactory,
    ParticipantFactory,
    make_assembly,
    register_member,
    resident_of,
)
from tests.factories import ActionFactory, ShiftFactory, UserFactory

pytestmark = pytest.mark.django_db

AMBIGUOUS = "0O1IL5S2Z8BUV"


@pytest.fixture(autouse=True)
def quiet_volunteering(monkeypatch):
    monkeypatch.setattr(messages, "_send", lambda *args, **kwargs: None)
    monkeypatch.setattr(tasks, "schedule_reminder", lambda signup_id: None)


def login(user):
    client = Client()
    client.force_login(user)
    return client


def text_of(response):
    return html.unescape(response.content.decode())


# --- The codes themselves -----------------------------------------------------------------


def test_alphabet_has_no_look_alikes_and_codes_use_only_it():
    assert not set(AMBIGUOUS) & set(codes.ALPHABET)
    assert len(set(codes.ALPHABET)) == len(codes.ALPHABET) == 23
    drawn = {codes.new_code() for _ in range(2000)}
    assert len(drawn) > 1990  # random, not a sequence
    for code in drawn:
        assert len(code) == codes.LENGTH == 6
        assert set(code) <= set(codes.ALPHABET)


def test_display_in_two_groups_read_aloud():
    assert codes.display("K7MQX4") == "K7M-QX4"
    assert codes.display("") == ""


@pytest.mark.parametrize(
    "typed",
    [
        "K7MQX4",
        "k7mqx4",
        "K7M-QX4",
        " k7m qx4 ",
        "k7m–qx4",  # an en dash from a phone keyboard
        "K 7 M . Q X 4",
        "Ｋ７ＭＱＸ４",  # full width
        "К7МQХ4",  # Cyrillic К, М, Х
        "https://quartier.example/assemblees/3/code/K7MQX4/",
        "http://quartier.example/agir/creneau/9/code/k7m-qx4/?utm=x",
        "/assemblees/3/code/K7M-QX4/",
    ],
)
def test_typed_forgivingly(typed):
    assert codes.normalize(typed) == "K7MQX4"


@pytest.mark.parametrize(
    "typed",
    ["", None, "K7MQX", "K7MQX44", "K7MQX0", "BOSS12", "https://example.org/accueil/K7MQX4/"],
)
def test_not_a_code(typed):
    assert codes.normalize(typed) is None


def test_create_with_code_draws_again_on_a_collision(monkeypatch, manager, tilleuls):
    """The first draw is a code already used in this assembly: the savepoint rolls back,
    a second draw goes through; the surrounding transaction is intact."""
    assembly = make_assembly(manager, tilleuls)
    first = register_member(assembly, resident_of(assembly), manager)
    draws = iter([first.presence_code, "K7MQX4"])
    monkeypatch.setattr(codes, "new_code", lambda: next(draws))
    with transaction.atomic():
        second = assemblies.register(assembly=assembly, resident=resident_of(assembly))
    assert second.presence_code == "K7MQX4"


def test_create_with_code_gives_up_after_too_many_collisions(monkeypatch, manager, tilleuls):
    assembly = make_assembly(manager, tilleuls)
    first = register_member(assembly, resident_of(assembly), manager)
    monkeypatch.setattr(codes, "new_code", lambda: first.presence_code)
    with pytest.raises(IntegrityError):
        assemblies.register(assembly=assembly, resident=resident_of(assembly))


# --- Unique per occasion, in the database -------------------------------------------------


@pytest.mark.django_db
def test_database_refuses_one_code_twice_in_an_assembly_not_in_two(manager, tilleuls):
    one, two = make_assembly(manager, tilleuls), make_assembly(manager, tilleuls)
    taken = register_member(one, resident_of(one), manager)
    elsewhere = register_member(two, resident_of(two), manager)
    elsewhere.presence_code = taken.presence_code
    elsewhere.save()  # the same code on another assembly: allowed
    other = register_member(one, resident_of(one), manager)
    other.presence_code = taken.presence_code
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


@pytest.mark.django_db
def test_database_refuses_one_code_twice_on_a_shift_not_on_two(tilleuls):
    one, two = ShiftFactory(action__neighbourhood=tilleuls), ShiftFactory()
    first = Signup.objects.create(shift=one, status="confirmed", user=UserFactory())
    Signup.objects.create(
        shift=two, status="confirmed", user=UserFactory(), presence_code=first.presence_code
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Signup.objects.create(
            shift=one, status="confirmed", user=UserFactory(), presence_code=first.presence_code
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_race_for_one_code_on_postgres(monkeypatch, tilleuls):
    """Threads released together all draw the same first code on one shift: one keeps it,
    the others draw again inside their savepoint; every sign-up stands, codes distinct."""
    threads_count = 8
    shift = ShiftFactory(action__neighbourhood=tilleuls, capacity=threads_count)
    people = [UserFactory(neighbourhood=tilleuls) for _ in range(threads_count)]
    local = threading.local()
    real_new_code = codes.new_code

    def first_draw_collides():
        if not getattr(local, "drawn", False):
            local.drawn = True
            return "K7MQX4"
        return real_new_code()

    monkeypatch.setattr(codes, "new_code", first_draw_collides)
    barrier = threading.Barrier(threads_count)
    errors = []

    def run(person):
        connection.ensure_connection()
        try:
            barrier.wait(timeout=30)
            volunteering.sign_up(shift=shift, actor=person, user=person)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    found = list(Signup.objects.filter(shift=shift).values_list("presence_code", flat=True))
    assert len(found) == threads_count == len(set(found))
    assert "K7MQX4" in found


# --- The QR code's link and who learns what -----------------------------------------------


@pytest.fixture
def assembly(manager, tilleuls):
    return make_assembly(manager, tilleuls, items=["Budget"])


@pytest.fixture
def shift(tilleuls):
    return ShiftFactory(action=ActionFactory(neighbourhood=tilleuls))


@pytest.fixture
def volunteer_staff(tilleuls):
    user = UserFactory(neighbourhood=tilleuls, groups=[])
    user.user_permissions.add(
        Permission.objects.get(
            codename="manage_volunteering", content_type__app_label="volunteering"
        )
    )
    # The staff check-in page lives in the Wagtail admin.
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")
    )
    return user


def test_assembly_qr_holds_an_absolute_link_to_the_code_page(assembly, resident, manager):
    participant = register_member(assembly, resident, manager)
    page = text_of(login(resident).get(f"/assemblees/{assembly.pk}/"))
    link = f"http://testserver/assemblees/{assembly.pk}/code/{participant.presence_code}/"
    assert qr_payload_is(link, page)
    assert participant.presence_code_display in page
    assert participant.checkin_token not in page


def test_assembly_code_link_staff_get_the_confirmation(assembly, resident, manager):
    participant = register_member(assembly, resident, manager)
    staff = login(manager)
    response = staff.get(f"/assemblees/{assembly.pk}/code/{participant.presence_code}/")
    confirmation = f"/assemblees/{assembly.pk}/accueil/{participant.presence_code}/"
    assert response.status_code == 302 and response["Location"] == confirmation
    page = staff.get(confirmation)
    assert participant.name in text_of(page) and "Noter la présence" in text_of(page)
    staff.post(confirmation)
    participant.refresh_from_db()
    assert participant.is_present


@pytest.mark.parametrize("who", ["anonymous", "owner", "other_member", "outsider"])
def test_assembly_code_link_others_learn_nothing(who, assembly, resident, manager, other_resident):
    participant = register_member(assembly, resident, manager)
    other_member = resident_of(assembly, display_name="Kévin M.")
    register_member(assembly, other_member, manager)
    client = {
        "anonymous": Client(),
        "owner": login(resident),
        "other_member": login(other_member),
        "outsider": login(other_resident),
    }[who]
    code_url = f"/assemblees/{assembly.pk}/code/{participant.presence_code}/"
    page = client.get(code_url)
    assert page.status_code == 200
    body = text_of(page)
    assert "Code de présence" in body and participant.presence_code_display in body
    assert ("C'est votre code." in body) == (who == "owner")
    if who != "owner":
        assert resident.display_name not in body
    # The same page for a code nobody has: whether a code exists is not told.
    unknown = text_of(client.get(f"/assemblees/{assembly.pk}/code/K7MQX4/"))
    assert "Code de présence" in unknown and resident.display_name not in unknown
    # The staff confirmation stays closed; nobody checks themselves in.
    confirmation = f"/assemblees/{assembly.pk}/accueil/{participant.presence_code}/"
    assert client.get(confirmation).status_code in (302, 403)
    client.post(confirmation)
    participant.refresh_from_db()
    assert not participant.is_present


def test_assembly_code_entry_is_forgiving_and_old_tokens_still_open(assembly, resident, manager):
    participant = register_member(assembly, resident, manager)
    staff = login(manager)
    typed = codes.display(participant.presence_code).lower().replace("-", " ")
    response = staff.get(f"/assemblees/{assembly.pk}/code/", {"code": typed})
    assert response["Location"] == f"/assemblees/{assembly.pk}/code/{participant.presence_code}/"
    bad = staff.get(f"/assemblees/{assembly.pk}/code/", {"code": "hello"})
    assert bad.status_code == 400 and "pas la bonne forme" in text_of(bad)
    # Earlier QR codes held the long token: it still opens the confirmation.
    old = staff.get(f"/assemblees/{assembly.pk}/accueil/{participant.checkin_token}/")
    assert old["Location"] == f"/assemblees/{assembly.pk}/accueil/{participant.presence_code}/"
    assert assemblies.check_in_by_token(
        actor=manager, assembly=assembly, token=f"http://x/assemblees/{assembly.pk}/code/{typed}/"
    ).is_present


def test_door_page_has_code_entry_and_camera_script(assembly, manager):
    page = text_of(login(manager).get(f"/assemblees/{assembly.pk}/accueil/"))
    assert 'id="code-form"' in page and 'name="code"' in page
    assert "js/staff-checkin.js" in page and 'id="scan-start"' in page


def test_volunteer_qr_holds_an_absolute_link(shift, resident):
    signup = volunteering.sign_up(shift=shift, actor=resident, user=resident)
    page = text_of(login(resident).get("/agir/mes-creneaux/"))
    assert signup.presence_code_display in page
    assert str(signup.check_in_code) not in page
    link = f"http://testserver/agir/creneau/{shift.pk}/code/{signup.presence_code}/"
    assert qr_payload_is(link, page)


def qr_payload_is(link, page):
    """The page's QR code is the one the library draws for ``link``."""
    drawn = codes.qr_svg(link)
    path = re.search(r' d="([^"]+)"', drawn).group(1)
    return path in page


def test_volunteer_code_link_staff_get_the_confirmation(shift, resident, volunteer_staff):
    signup = volunteering.sign_up(shift=shift, actor=resident, user=resident)
    staff = login(volunteer_staff)
    response = staff.get(f"/agir/creneau/{shift.pk}/code/{signup.presence_code}/")
    assert response.status_code == 302
    page = staff.get(response["Location"])
    body = text_of(page)
    assert page.status_code == 200 and 'id="code-confirmation"' in body
    assert resident.display_name in body and "Noter sa présence" in body
    staff.post(response["Location"].split("?")[0], {"form": "code", "code": signup.presence_code})
    signup.refresh_from_db()
    assert signup.attendance == Signup.Attendance.PRESENT


@pytest.mark.parametrize("who", ["anonymous", "owner", "other_resident"])
def test_volunteer_code_link_others_learn_nothing(who, shift, resident, other_resident):
    signup = volunteering.sign_up(shift=shift, actor=resident, user=resident)
    client = {
        "anonymous": Client(),
        "owner": login(resident),
        "other_resident": login(other_resident),
    }[who]
    body = text_of(client.get(f"/agir/creneau/{shift.pk}/code/{signup.presence_code}/"))
    assert "Code de présence" in body and signup.presence_code_display in body
    assert ("C'est votre code." in body) == (who == "owner")
    if who != "owner":
        assert resident.display_name not in body
    staff_page = client.get(
        f"/admin/agir/creneaux/{shift.pk}/pointage/?code={signup.presence_code}"
    )
    assert staff_page.status_code in (302, 403)
    client.post(
        f"/admin/agir/creneaux/{shift.pk}/pointage/", {"form": "code", "code": signup.presence_code}
    )
    signup.refresh_from_db()
    assert signup.attendance == Signup.Attendance.UNKNOWN


@pytest.mark.parametrize(
    "typed",
    [
        lambda s: codes.display(s.presence_code).lower(),
        lambda s: f"https://quartier.example/agir/creneau/{s.shift_id}/code/{s.presence_code}/",
        lambda s: str(s.check_in_code),  # an earlier QR code: a bare UUID
    ],
)
def test_volunteer_door_reads_every_form(typed, shift, resident, volunteer_staff):
    signup = volunteering.sign_up(shift=shift, actor=resident, user=resident)
    login(volunteer_staff).post(
        f"/admin/agir/creneaux/{shift.pk}/pointage/", {"form": "code", "code": typed(signup)}
    )
    signup.refresh_from_db()
    assert signup.attendance == Signup.Attendance.PRESENT


def test_api_gives_the_code_and_link_to_its_owner_only(shift, resident, other_resident):
    signup = volunteering.sign_up(shift=shift, actor=resident, user=resident)
    mine = login(resident).get("/api/volunteering/my-shifts/").json()["upcoming"]
    theirs = login(other_resident).get("/api/volunteering/my-shifts/")
    assert mine[0]["presence_code"] == signup.presence_code_display
    link = f"http://testserver/agir/creneau/{shift.pk}/code/{signup.presence_code}/"
    assert mine[0]["check_in_url"] == link
    assert mine[0]["check_in_code"] == str(signup.check_in_code)  # still accepted
    for secret in (signup.presence_code, signup.presence_code_display, str(signup.check_in_code)):
        assert secret not in theirs.content.decode()
    assert Client().get("/api/volunteering/my-shifts/").status_code in (401, 403)


# --- The migrations' backfill --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migrations_give_every_existing_row_a_distinct_code(tilleuls):
    # Rows written directly (a transactional test flushes the staff's permissions).
    assembly = AssemblyFactory(neighbourhood=tilleuls)
    members = [
        ParticipantFactory(assembly=assembly, user=UserFactory(neighbourhood=tilleuls))
        for _ in range(12)
    ]
    shift = ShiftFactory(action__neighbourhood=tilleuls, capacity=20)
    signups = [
        Signup.objects.create(shift=shift, status="confirmed", user=UserFactory())
        for _ in range(12)
    ]
    tokens = {p.pk: p.checkin_token for p in members}

    call_command("migrate", "assemblies", "0002", verbosity=0)
    call_command("migrate", "volunteering", "0003", verbosity=0)
    call_command("migrate", verbosity=0)

    after = list(Participant.objects.filter(assembly=assembly))
    assert {p.pk for p in after} == set(tokens)
    assert len({p.presence_code for p in after}) == len(after)
    assert all(codes.normalize(p.presence_code) == p.presence_code for p in after)
    assert all(p.checkin_token == tokens[p.pk] for p in after)  # old links still open
    found = list(Signup.objects.filter(pk__in=[s.pk for s in signups]))
    assert len({s.presence_code for s in found}) == len(found) == 12
    assert all(codes.normalize(s.presence_code) == s.presence_code for s in found)
