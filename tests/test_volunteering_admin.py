"""The "Agir" menu of the Wagtail admin: actions (listing, creation, edition), their shifts
(one, a repeating pattern, places, cancellation), the statistics report, and who may reach
any of it."""

import csv
import html
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from civic.volunteering import services
from civic.volunteering.models import Action, OfflineVolunteer, Shift, Signup
from tests.factories import ActionFactory, ProposalFactory, ShiftFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"volunteering_actions:{name}", args=args)


def staff(name, *args):
    return reverse(f"volunteering_staff:{name}", args=args)


STATS_URL = "/admin/agir/statistiques/"
CERTIFICATES_URL = "/admin/agir/attestations/"


@pytest.fixture
def staff_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def text_of(response):
    """The page's HTML with its entities decoded (« d&#x27;accord » → « d'accord »)."""
    return html.unescape(response.content.decode())


def messages_of(response):
    """Wagtail's admin messages, as text (they are stored as escaped HTML)."""
    if not response.context:
        return []
    return [html.unescape(str(m)).strip() for m in response.context["messages"]]


def local(days=3, hour=10, minute=0):
    """An aware datetime ``days`` from today at hour:minute, Paris time."""
    base = timezone.localtime().replace(hour=hour, minute=minute, second=0, microsecond=0)
    return base + timedelta(days=days)


def field(value):
    """A datetime as the datetime-local input sends it."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def png_bytes(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def action_data(neighbourhood, **overrides):
    data = {
        "title": "Nettoyage du square",
        "description": "On ramasse les déchets autour de l'aire de jeux.",
        "neighbourhood": neighbourhood.pk,
        "meeting_place": "Devant la Régie",
        "image_alt": "",
        "what_to_bring": "Des gants",
        "skills_welcome": "",
        "proposal": "",
        "cancellation_cutoff_hours": "24",
        "is_published": "on",
    }
    data.update(overrides)
    return data


# --- Menu and listing --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager", "editor"])
def test_staff_see_the_agir_menu(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/admin/")
    assert response.status_code == 200
    html = text_of(response)
    assert url("index") in html
    assert STATS_URL in html
    assert CERTIFICATES_URL in html


def test_staff_without_the_permission_see_no_menu_and_are_turned_away(client, tilleuls):
    writers = Group.objects.create(name="Rédaction seule")
    writers.permissions.add(Permission.objects.get(codename="access_admin"))
    writer = UserFactory(groups=["Rédaction seule"], neighbourhood=tilleuls)
    shift = ShiftFactory(action__neighbourhood=tilleuls)
    client.force_login(writer)

    html = client.get("/admin/").content.decode()
    assert url("index") not in html
    assert STATS_URL not in html

    for target in (
        url("index"),
        url("add"),
        url("shifts", shift.action_id),
        staff("roster", shift.pk),
        staff("checkin", shift.pk),
        STATS_URL,
    ):
        response = client.get(target)
        assert response.status_code == 302, target
        assert response["Location"] == reverse("wagtailadmin_home"), target
    client.post(url("shifts", shift.action_id), {"form": "creneau"})
    assert Shift.objects.count() == 1


def test_the_permission_is_offered_in_the_group_editor():
    from wagtail.users.forms import GroupForm

    codenames = set(GroupForm().fields["permissions"].queryset.values_list("codename", flat=True))
    assert "manage_volunteering" in codenames
    assert not {"add_action", "delete_action", "change_action"} & codenames


def test_a_group_given_the_permission_reaches_the_pages(client, tilleuls):
    desk = Group.objects.create(name="Accueil")
    desk.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="manage_volunteering"),
    )
    person = UserFactory(groups=["Accueil"], neighbourhood=tilleuls)
    client.force_login(person)
    assert client.get(url("index")).status_code == 200
    assert client.get(STATS_URL).status_code == 200


def test_list_shows_fill_rate_filters_and_upcoming_or_past(staff_client, tilleuls, bel_air):
    soon = ActionFactory(title="Nettoyage du square", neighbourhood=tilleuls)
    ShiftFactory(action=soon, capacity=4, seats_taken=3)
    ShiftFactory(action=soon, capacity=4, seats_taken=0, starts_at=local(10), ends_at=local(10, 12))
    ShiftFactory(action=soon, capacity=10, seats_taken=0, is_cancelled=True)  # not counted
    done = ActionFactory(title="Repair café", neighbourhood=bel_air)
    ShiftFactory(action=done, capacity=5, seats_taken=5, starts_at=local(-8), ends_at=local(-8, 12))
    empty = ActionFactory(title="Fête des voisins", neighbourhood=tilleuls, is_published=False)

    response = staff_client.get(url("index"))
    assert response.status_code == 200
    html = text_of(response)
    for heading in ("Titre", "Quartier", "Créneaux", "Remplissage", "Prochain créneau", "Publiée"):
        assert heading in html
    rows = {a.pk: a for a in response.context["object_list"]}
    assert (rows[soon.pk].places, rows[soon.pk].taken, rows[soon.pk].shift_count) == (8, 3, 2)
    assert "3 / 8 (38 %)" in html
    assert "5 / 5 (100 %)" in html
    assert rows[empty.pk].places == 0
    # Each row opens the action's shifts page.
    assert url("shifts", soon.pk) in html
    # Actions are never deleted nor copied here.
    assert "/delete/" not in html and "/copy/" not in html

    def listed(query):
        response = staff_client.get(url("index"), query)
        assert response.status_code == 200
        return {a.pk for a in response.context["object_list"]}

    assert listed({"neighbourhood": bel_air.pk}) == {done.pk}
    assert listed({"quand": "a-venir"}) == {soon.pk}
    assert listed({"quand": "passees"}) == {done.pk}
    assert listed({"quand": "sans-creneau"}) == {empty.pk}
    assert listed({"is_published": "false"}) == {empty.pk}
    assert listed({"q": "repair"}) == {done.pk}
    by_rate = staff_client.get(url("index"), {"ordering": "-fill_rate"})
    assert by_rate.context["object_list"][0] == done


def test_list_runs_a_constant_number_of_queries(staff_client, tilleuls):
    def queries_for(n_actions):
        Action.objects.all().delete()
        for i in range(n_actions):
            action = ActionFactory(neighbourhood=tilleuls)
            for day in range(i % 3 + 1):
                ShiftFactory(action=action, starts_at=local(day + 1), ends_at=local(day + 1, 12))
        staff_client.get(url("index"))  # warm caches (content types, site)
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.get(url("index"))
        assert response.status_code == 200
        assert len(response.context["object_list"]) == n_actions
        return len(captured)

    few, many = queries_for(2), queries_for(12)
    assert few == many
    assert many < 30


# --- Creating and editing an action ------------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager", "editor"])
def test_create_an_action_then_its_shifts_and_a_repeating_pattern(
    client, request, persona, tilleuls
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    idea = ProposalFactory(title="Un composteur partagé", neighbourhood=tilleuls)
    assert client.get(url("add")).status_code == 200

    response = client.post(url("add"), action_data(tilleuls, proposal=idea.pk))
    action = Action.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("shifts", action.pk)
    assert action.created_by == user
    assert action.proposal == idea
    assert action.is_published

    page = client.get(url("shifts", action.pk))
    assert page.status_code == 200
    assert "Nettoyage du square" in text_of(page)

    # One shift.
    start = local(5, 14)
    response = client.post(
        url("shifts", action.pk),
        {
            "form": "creneau",
            "creneau-starts_at": field(start),
            "creneau-ends_at": field(start + timedelta(hours=2)),
            "creneau-capacity": "6",
            "creneau-role": "accueil",
        },
    )
    assert response.status_code == 302
    shift = action.shifts.get()
    assert (shift.starts_at, shift.ends_at, shift.capacity, shift.role) == (
        start,
        start + timedelta(hours=2),
        6,
        "accueil",
    )

    # Every Saturday-like pattern: 4 shifts, a week apart, 1h30 each, same local time.
    first = local(7, 10)
    response = client.post(
        url("shifts", action.pk),
        {
            "form": "repetition",
            "repetition-first_starts_at": field(first),
            "repetition-duration": "1h30",
            "repetition-every_days": "7",
            "repetition-count": "4",
            "repetition-capacity": "3",
            "repetition-role": "",
        },
    )
    assert response.status_code == 302
    repeated = list(action.shifts.exclude(pk=shift.pk).order_by("starts_at"))
    assert len(repeated) == 4
    for index, item in enumerate(repeated):
        starts = timezone.localtime(item.starts_at)
        assert (starts.hour, starts.minute) == (10, 0)
        assert starts.date() == timezone.localtime(first).date() + timedelta(days=7 * index)
        assert item.duration == timedelta(minutes=90)
        assert item.capacity == 3

    page = client.get(url("shifts", action.pk)).content.decode()
    assert staff("roster", shift.pk) in page
    assert staff("checkin", shift.pk) in page
    # Wagtail's history tells who did what.
    history = client.get(url("history", action.pk)).content.decode()
    assert "Créneaux répétés" in history and "Créneau ajouté" in history


def test_shift_errors_are_shown_on_the_forms_and_nothing_is_created(staff_client):
    action = ActionFactory()
    start = local(3)
    response = staff_client.post(
        url("shifts", action.pk),
        {
            "form": "creneau",
            "creneau-starts_at": field(start),
            "creneau-ends_at": field(start - timedelta(hours=1)),
            "creneau-capacity": "4",
        },
    )
    assert response.status_code == 200
    assert (
        "Le créneau doit finir après son début." in response.context["shift_form"].errors["ends_at"]
    )
    response = staff_client.post(
        url("shifts", action.pk),
        {
            "form": "repetition",
            "repetition-first_starts_at": field(start),
            "repetition-duration": "2h",
            "repetition-every_days": "7",
            "repetition-count": "53",
            "repetition-capacity": "4",
        },
    )
    assert response.status_code == 200
    assert response.context["repeat_form"].errors["count"]
    response = staff_client.post(
        url("shifts", action.pk),
        {
            "form": "repetition",
            "repetition-first_starts_at": field(start),
            "repetition-duration": "deux heures",
            "repetition-every_days": "0",
            "repetition-count": "3",
            "repetition-capacity": "4",
        },
    )
    errors = response.context["repeat_form"].errors
    assert "duration" in errors and "every_days" in errors
    assert not Shift.objects.exists()


def test_create_needs_the_required_fields(staff_client, tilleuls):
    response = staff_client.post(url("add"), action_data(tilleuls, title="", meeting_place=""))
    assert response.status_code == 200
    form = response.context["form"]
    assert "title" in form.errors and "meeting_place" in form.errors
    assert not Action.objects.exists()


def test_an_image_needs_its_description_and_is_re_encoded(
    staff_client, tilleuls, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    upload = SimpleUploadedFile("../../photo.png", png_bytes(), content_type="image/png")
    response = staff_client.post(url("add"), {**action_data(tilleuls), "image": upload})
    assert response.status_code == 200
    assert "image_alt" in response.context["form"].errors
    assert not Action.objects.exists()

    upload = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
    response = staff_client.post(
        url("add"),
        {**action_data(tilleuls, image_alt="Des bénévoles et des sacs"), "image": upload},
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.image.name.startswith("actions/") and action.image.name.endswith(".jpg")
    assert "photo" not in action.image.name  # the sender's file name is never used
    with Image.open(action.image.path) as stored:
        assert stored.format == "JPEG"

    # Not an image: the upload check refuses it.
    fake = SimpleUploadedFile("tract.png", b"%PDF-1.4 not an image", content_type="image/png")
    response = staff_client.post(
        url("edit", action.pk),
        {**action_data(tilleuls, image_alt="Autre"), "image": fake},
    )
    assert response.status_code == 200
    assert "image" in response.context["form"].errors

    # A new image on the edit page is re-encoded too.
    first_name = action.image.name
    upload = SimpleUploadedFile("autre.webp", png_bytes((60, 60)), content_type="image/webp")
    response = staff_client.post(
        url("edit", action.pk),
        {**action_data(tilleuls, image_alt="Le square nettoyé"), "image": upload},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.image.name != first_name and action.image.name.endswith(".jpg")
    assert action.image_alt == "Le square nettoyé"

    # Clearing the image makes the description optional again.
    response = staff_client.post(
        url("edit", action.pk), {**action_data(tilleuls), "image-clear": "on"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert not action.image


def test_edit_changes_the_action(staff_client, tilleuls, bel_air):
    action = ActionFactory(neighbourhood=tilleuls, title="Ancien titre")
    response = staff_client.get(url("edit", action.pk))
    assert response.status_code == 200
    response = staff_client.post(
        url("edit", action.pk),
        action_data(
            bel_air, title="Nouveau titre", cancellation_cutoff_hours="48", is_published=""
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == url("shifts", action.pk)
    action.refresh_from_db()
    assert (action.title, action.neighbourhood, action.cancellation_cutoff_hours) == (
        "Nouveau titre",
        bel_air,
        48,
    )
    assert not action.is_published


# --- Places and cancellation -------------------------------------------------------------------


def test_more_places_promote_the_waitlist_in_order(staff_client, resident, other_resident):
    shift = ShiftFactory(capacity=1)
    first = services.sign_up(shift=shift, actor=resident)
    second = services.sign_up(shift=shift, actor=other_resident)
    third = services.sign_up(shift=shift, actor=UserFactory())
    assert [s.status for s in (first, second, third)] == ["confirmed", "waitlisted", "waitlisted"]

    response = staff_client.post(staff("shift_capacity", shift.pk), {"capacity": "2"}, follow=True)
    assert response.status_code == 200
    assert any("1 personne de la liste d'attente est inscrite" in m for m in messages_of(response))
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == Signup.Status.CONFIRMED and second.promoted_at
    assert third.status == Signup.Status.WAITLISTED
    shift.refresh_from_db()
    assert (shift.capacity, shift.seats_taken) == (2, 2)


def test_places_cannot_go_below_the_people_signed_up(staff_client, resident, other_resident):
    shift = ShiftFactory(capacity=3)
    services.sign_up(shift=shift, actor=resident)
    services.sign_up(shift=shift, actor=other_resident)
    response = staff_client.post(staff("shift_capacity", shift.pk), {"capacity": "1"}, follow=True)
    assert any("impossible de descendre en dessous" in m for m in messages_of(response))
    shift.refresh_from_db()
    assert shift.capacity == 3


def test_cancel_a_shift_after_confirming(staff_client, resident, other_resident):
    shift = ShiftFactory(capacity=1)
    confirmed = services.sign_up(shift=shift, actor=resident)
    waiting = services.sign_up(shift=shift, actor=other_resident)

    page = staff_client.get(staff("shift_cancel", shift.pk))
    assert page.status_code == 200
    assert "2 personnes sont inscrites ou en liste d'attente" in text_of(page)
    shift.refresh_from_db()
    assert not shift.is_cancelled  # GET only asks

    response = staff_client.post(staff("shift_cancel", shift.pk))
    assert response.status_code == 302
    assert response["Location"] == url("shifts", shift.action_id)
    shift.refresh_from_db()
    assert shift.is_cancelled and shift.seats_taken == 0
    for signup in (confirmed, waiting):
        signup.refresh_from_db()
        assert signup.status == Signup.Status.CANCELLED
    # Twice: nothing more happens.
    response = staff_client.post(staff("shift_cancel", shift.pk), follow=True)
    assert any("déjà annulé" in m for m in messages_of(response))


# --- Statistics --------------------------------------------------------------------------------


def build_statistics(tilleuls, bel_air, manager):
    """Two actions in Les Tilleuls, one in Bel-Air, with past and future shifts."""
    people = [UserFactory() for _ in range(4)]
    square = ActionFactory(title="Square", neighbourhood=tilleuls)
    past = ShiftFactory(action=square, capacity=4, starts_at=local(-5, 9), ends_at=local(-5, 12))
    future = ShiftFactory(action=square, capacity=2, starts_at=local(4), ends_at=local(4, 12))
    ShiftFactory(action=square, capacity=9, is_cancelled=True)  # never counted
    jardin = ActionFactory(title="Jardin", neighbourhood=tilleuls)
    ShiftFactory(action=jardin, capacity=5, starts_at=local(6), ends_at=local(6, 11))
    repair = ActionFactory(title="Repair café", neighbourhood=bel_air)
    repair_past = ShiftFactory(
        action=repair, capacity=2, starts_at=local(-2, 14), ends_at=local(-2, 16)
    )

    # Sign-ups are taken while the shift is open, then the clock moves on.
    before = timezone.now() - timedelta(days=10)
    signups = [
        services.sign_up(shift=past, actor=p, now=before) for p in people[:3]
    ]  # 3 of 4 places
    services.record_attendance(signup=signups[0], actor=manager, present=True)
    services.record_attendance(signup=signups[1], actor=manager, present=False)  # absent
    # signups[2] not marked: counted.
    for person in people[:3]:
        services.sign_up(shift=future, actor=person)  # 2 confirmed + 1 waitlisted
    repair_signup = services.sign_up(shift=repair_past, actor=people[3], now=before)
    services.record_attendance(signup=repair_signup, actor=manager, present=True)
    return square, jardin, repair


def test_statistics_per_action_and_per_neighbourhood(staff_client, tilleuls, bel_air, manager):
    square, jardin, repair = build_statistics(tilleuls, bel_air, manager)
    response = staff_client.get(STATS_URL)
    assert response.status_code == 200
    by_action = {row.object.pk: row for row in response.context["action_rows"]}
    row = by_action[square.pk]
    assert (row.shift_count, row.places, row.taken, row.waitlisted) == (2, 6, 5, 1)
    assert row.fill_rate == 83
    assert (row.present, row.absent) == (1, 1)
    assert row.hours == 6.0  # 2 people × 3 h (the absent one is not counted, nor the future)
    assert by_action[jardin.pk].hours == 0 and by_action[jardin.pk].fill_rate == 0
    assert by_action[repair.pk].hours == 2.0

    by_neighbourhood = {row.label: row for row in response.context["neighbourhood_rows"]}
    assert by_neighbourhood["Les Tilleuls"].places == 11
    assert by_neighbourhood["Les Tilleuls"].taken == 5
    assert by_neighbourhood["Les Tilleuls"].hours == 6.0
    assert by_neighbourhood["Bel-Air"].hours == 2.0
    totals = response.context["totals"]
    assert (totals.places, totals.taken, totals.hours) == (13, 6, 8.0)
    html = text_of(response)
    assert "6 h" in html and "8 h" in html

    # A period keeps only the shifts that start in it.
    today = timezone.localdate()
    response = staff_client.get(
        STATS_URL,
        {
            "du": (today + timedelta(days=1)).isoformat(),
            "au": (today + timedelta(days=30)).isoformat(),
        },
    )
    by_action = {row.object.pk: row for row in response.context["action_rows"]}
    assert set(by_action) == {square.pk, jardin.pk}
    assert (by_action[square.pk].places, by_action[square.pk].hours) == (2, 0)


def test_statistics_csv_export(staff_client, tilleuls, bel_air, manager):
    build_statistics(tilleuls, bel_air, manager)
    response = staff_client.get(STATS_URL, {"export": "actions"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert header[:2] == ["Action", "Quartier"] and "Heures données" in header
    by_title = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_title["Square"]["Places"] == "6"
    assert by_title["Square"]["Taux de remplissage (%)"] == "83"
    assert by_title["Square"]["Heures données"] == "6,0"
    response = staff_client.get(STATS_URL, {"export": "quartiers"})
    header, *rows = list(
        csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff")), delimiter=";")
    )
    assert {row[0] for row in rows} == {"Les Tilleuls", "Bel-Air"}


def test_statistics_run_a_constant_number_of_queries(staff_client, tilleuls, bel_air, manager):
    def queries():
        staff_client.get(STATS_URL)
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.get(STATS_URL)
        assert response.status_code == 200
        return len(captured)

    build_statistics(tilleuls, bel_air, manager)
    few = queries()
    for i in range(6):
        action = ActionFactory(neighbourhood=tilleuls if i % 2 else bel_air)
        shift = ShiftFactory(action=action, starts_at=local(i + 1), ends_at=local(i + 1, 12))
        services.sign_up(shift=shift, actor=UserFactory())
    assert queries() == few


# --- Who may reach all this --------------------------------------------------------------------


def every_admin_request(action, shift, tilleuls):
    start = local(9)
    return [
        ("get", url("index"), {}),
        ("get", url("index_results"), {}),
        ("get", url("add"), {}),
        ("post", url("add"), action_data(tilleuls, title="Piratée")),
        ("get", url("edit", action.pk), {}),
        ("post", url("edit", action.pk), action_data(tilleuls, title="Piratée")),
        ("get", url("history", action.pk), {}),
        ("get", url("shifts", action.pk), {}),
        (
            "post",
            url("shifts", action.pk),
            {
                "form": "creneau",
                "creneau-starts_at": field(start),
                "creneau-ends_at": field(start + timedelta(hours=1)),
                "creneau-capacity": "3",
            },
        ),
        (
            "post",
            url("shifts", action.pk),
            {
                "form": "repetition",
                "repetition-first_starts_at": field(start),
                "repetition-duration": "1h",
                "repetition-every_days": "7",
                "repetition-count": "3",
                "repetition-capacity": "3",
            },
        ),
        ("post", staff("shift_capacity", shift.pk), {"capacity": "9"}),
        ("get", staff("shift_cancel", shift.pk), {}),
        ("post", staff("shift_cancel", shift.pk), {}),
        ("get", STATS_URL, {}),
        ("get", STATS_URL, {"export": "actions"}),
        ("get", STATS_URL, {"export": "quartiers"}),
        ("get", CERTIFICATES_URL, {"personne": "Amina"}),
    ]


def snapshot():
    return {
        "actions": list(Action.objects.order_by("pk").values()),
        "shifts": list(Shift.objects.order_by("pk").values()),
        "signups": list(Signup.objects.order_by("pk").values()),
        "offline": list(OfflineVolunteer.objects.order_by("pk").values()),
    }


@pytest.mark.parametrize("persona", ["anonymous", "resident", "partner"])
def test_residents_partners_and_visitors_are_turned_away_everywhere(
    client, request, persona, tilleuls, other_resident
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    shift = ShiftFactory(action__title="Nettoyage secret", action__neighbourhood=tilleuls)
    services.sign_up(shift=shift, actor=other_resident)
    before = snapshot()

    for method, path, data in every_admin_request(shift.action, shift, tilleuls):
        response = getattr(client, method)(path, data)
        assert response.status_code == 302, (method, path)
        assert response["Location"].startswith(reverse("account_login")), (method, path)
        assert b"Nettoyage secret" not in response.content
        assert b"Marcel" not in response.content

    assert snapshot() == before


def test_every_admin_url_works_for_an_editor(editor_client, tilleuls, other_resident):
    """The same list of URLs, as staff: none is forbidden (a guard for the test above)."""
    shift = ShiftFactory(action__neighbourhood=tilleuls)
    services.sign_up(shift=shift, actor=other_resident)
    for method, path, data in every_admin_request(shift.action, shift, tilleuls):
        response = getattr(editor_client, method)(path, data)
        assert response.status_code in (200, 302), (method, path, response.status_code)
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("account_login")), (method, path)
            assert response["Location"] != reverse("wagtailadmin_home"), (method, path)
