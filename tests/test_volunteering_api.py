"""The volunteering API (/api/volunteering/): actions and their shifts, sign-up and
cancellation (idempotent), "my shifts" — through the same rules and services as the site,
with the API's single error shape and nobody's personal data."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from civic.volunteering import messages, services, tasks
from civic.volunteering.models import Shift, Signup
from tests.factories import ActionFactory, NeighbourhoodFactory, ShiftFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTIONS = "/api/volunteering/actions/"
MY_SHIFTS = "/api/volunteering/my-shifts/"
LIST_FIELDS = {
    "id",
    "title",
    "description",
    "neighbourhood",
    "meeting_place",
    "image_url",
    "image_alt",
    "what_to_bring",
    "skills_welcome",
    "next_starts_at",
    "open_shift_count",
    "open_places",
    "url",
}
DETAIL_FIELDS = (LIST_FIELDS - {"next_starts_at", "open_shift_count", "open_places"}) | {
    "is_published",
    "cancellation_cutoff_hours",
    "proposal",
    "shifts",
}
SHIFT_FIELDS = {
    "id",
    "starts_at",
    "ends_at",
    "role",
    "capacity",
    "places_left",
    "waitlist_count",
    "is_cancelled",
    "phase",
    "cancellation_deadline",
    "my_signup",
}
STATE_FIELDS = {"id", "status", "waitlist_position", "can_cancel", "shift"}


# --- Helpers ----------------------------------------------------------------------------------


def assert_json_error(response, status, code=None):
    assert response.status_code == status, response.content[:800]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"]
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


@pytest.fixture(autouse=True)
def quiet_messages(monkeypatch):
    """Emails and reminders are recorded, not sent (they are tested with the services)."""
    sent = []
    monkeypatch.setattr(messages, "_send", lambda signup, template, **kw: sent.append(template))
    monkeypatch.setattr(tasks, "schedule_reminder", lambda signup_id, **kw: None)
    return sent


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user(api):
    def login(user):
        api.force_login(user)
        return api

    return login


@pytest.fixture
def residents(tilleuls):
    return lambda n: [UserFactory(neighbourhood=tilleuls) for _ in range(n)]


def detail(action):
    return f"{ACTIONS}{action.pk}/"


def signup_url(shift):
    pk = shift if isinstance(shift, int) else shift.pk
    return f"/api/volunteering/shifts/{pk}/signup/"


def in_days(days, hours=10, length=2):
    start = timezone.localtime().replace(hour=hours, minute=0, second=0, microsecond=0)
    start += timedelta(days=days)
    return {"starts_at": start, "ends_at": start + timedelta(hours=length)}


def ids(response):
    return [item["id"] for item in response.json()["results"]]


def fill(shift, people):
    return [services.sign_up(shift=shift, actor=person) for person in people]


# --- The list of actions ------------------------------------------------------------------------


def test_list_shows_published_actions_with_open_shifts_soonest_first(api, manager, tilleuls):
    later = ActionFactory(neighbourhood=tilleuls, title="Plantation")
    ShiftFactory(action=later, **in_days(9))
    soon = ActionFactory(neighbourhood=tilleuls, title="Nettoyage")
    ShiftFactory(action=soon, **in_days(2))
    ShiftFactory(action=soon, **in_days(20))
    hidden = ActionFactory(neighbourhood=tilleuls, is_published=False)
    ShiftFactory(action=hidden, **in_days(1))
    over = ActionFactory(neighbourhood=tilleuls)
    ShiftFactory(action=over, **in_days(-3))
    called_off = ActionFactory(neighbourhood=tilleuls)
    ShiftFactory(action=called_off, is_cancelled=True, **in_days(4))
    started = ActionFactory(neighbourhood=tilleuls)
    now = timezone.now()
    ShiftFactory(
        action=started, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    ActionFactory(neighbourhood=tilleuls)  # no shift yet

    response = api.get(ACTIONS)
    assert response.status_code == 200
    assert ids(response) == [soon.pk, later.pk]
    # Staff see the same public list (unpublished actions are in the Régie's admin).
    assert ids(as_user_client(manager).get(ACTIONS)) == [soon.pk, later.pk]


def as_user_client(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_list_item_fields_and_figures(api, residents, tilleuls):
    action = ActionFactory(neighbourhood=tilleuls, title="Repair café", skills_welcome="Couture")
    first = ShiftFactory(action=action, capacity=3, **in_days(2))
    ShiftFactory(action=action, capacity=4, **in_days(3))
    ShiftFactory(action=action, capacity=10, is_cancelled=True, **in_days(4))
    ShiftFactory(action=action, capacity=10, **in_days(-2))
    fill(first, residents(2))

    [item] = api.get(ACTIONS).json()["results"]
    assert set(item) == LIST_FIELDS
    assert item["title"] == "Repair café"
    assert item["neighbourhood"] == {"slug": "les-tilleuls", "name": "Les Tilleuls"}
    assert item["open_shift_count"] == 2
    assert item["open_places"] == 1 + 4
    assert (
        item["next_starts_at"]
        == first.starts_at.astimezone(timezone.get_current_timezone()).isoformat()
    )
    assert item["url"] == f"http://testserver/agir/{action.pk}/"
    assert item["image_url"] is None


def test_list_filters_by_neighbourhood(api, tilleuls, bel_air):
    here = ActionFactory(neighbourhood=tilleuls)
    there = ActionFactory(neighbourhood=bel_air)
    for action in (here, there):
        ShiftFactory(action=action)
    assert ids(api.get(ACTIONS, {"neighbourhood": "bel-air"})) == [there.pk]
    assert ids(api.get(ACTIONS, {"neighbourhood": "les-tilleuls"})) == [here.pk]
    assert_json_error(api.get(ACTIONS, {"neighbourhood": "nowhere"}), 400, "invalid")


def test_list_is_paginated_and_its_queries_do_not_grow(api, tilleuls, bel_air):
    for index in range(3):
        ShiftFactory(action=ActionFactory(neighbourhood=tilleuls), **in_days(index + 1))
    with CaptureQueriesContext(connection) as few:
        assert api.get(ACTIONS).status_code == 200
    for index in range(25):
        action = ActionFactory(neighbourhood=bel_air if index % 2 else tilleuls)
        for day in range(3):
            ShiftFactory(action=action, **in_days(day + 4))
    with CaptureQueriesContext(connection) as many:
        response = api.get(ACTIONS)
    assert len(many.captured_queries) == len(few.captured_queries)
    body = response.json()
    assert body["count"] == 28 and len(body["results"]) == 20 and body["next"]
    assert_json_error(api.get(ACTIONS, {"page": 9}), 404)


# --- An action and its shifts ----------------------------------------------------------------


def test_detail_shows_every_shift_with_its_figures(api, residents, tilleuls):
    action = ActionFactory(neighbourhood=tilleuls, cancellation_cutoff_hours=48)
    full = ShiftFactory(action=action, capacity=2, role="accueil", **in_days(2))
    open_ = ShiftFactory(action=action, capacity=5, **in_days(3))
    cancelled = ShiftFactory(action=action, is_cancelled=True, **in_days(4))
    past = ShiftFactory(action=action, **in_days(-5))
    fill(full, residents(4))  # two confirmed, two waiting

    response = api.get(detail(action))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == DETAIL_FIELDS
    assert body["is_published"] is True and body["cancellation_cutoff_hours"] == 48
    assert body["proposal"] is None
    shifts = body["shifts"]
    assert [s["id"] for s in shifts] == [past.pk, full.pk, open_.pk, cancelled.pk]
    assert all(set(s) == SHIFT_FIELDS for s in shifts)
    by_id = {s["id"]: s for s in shifts}
    assert {
        k: by_id[full.pk][k] for k in ("role", "capacity", "places_left", "waitlist_count")
    } == {
        "role": "accueil",
        "capacity": 2,
        "places_left": 0,
        "waitlist_count": 2,
    }
    assert {s["id"]: s["phase"] for s in shifts} == {
        past.pk: "past",
        full.pk: "full",
        open_.pk: "open",
        cancelled.pk: "cancelled",
    }
    assert by_id[open_.pk]["places_left"] == 5
    deadline = full.starts_at - timedelta(hours=48)
    assert (
        by_id[full.pk]["cancellation_deadline"]
        == deadline.astimezone(timezone.get_current_timezone()).isoformat()
    )
    assert all(s["my_signup"] is None for s in shifts)  # anonymous


def test_detail_tells_the_requester_their_own_sign_ups(as_user, resident, residents):
    action = ActionFactory()
    confirmed_shift = ShiftFactory(action=action, capacity=3, **in_days(3))
    full_shift = ShiftFactory(action=action, capacity=1, **in_days(4))
    other_shift = ShiftFactory(action=action, **in_days(5))
    services.sign_up(shift=confirmed_shift, actor=resident)
    fill(full_shift, residents(3))  # one confirmed, two waiting
    waiting = services.sign_up(shift=full_shift, actor=resident)
    cancelled = services.sign_up(shift=other_shift, actor=resident)
    services.cancel_signup(signup=cancelled, actor=resident)

    shifts = {s["id"]: s for s in as_user(resident).get(detail(action)).json()["shifts"]}
    mine = shifts[confirmed_shift.pk]["my_signup"]
    assert mine == {
        "id": Signup.objects.get(shift=confirmed_shift, user=resident).pk,
        "status": "confirmed",
        "waitlist_position": None,
        "can_cancel": True,
    }
    assert shifts[full_shift.pk]["my_signup"] == {
        "id": waiting.pk,
        "status": "waitlisted",
        "waitlist_position": 3,
        "can_cancel": True,
    }
    assert shifts[other_shift.pk]["my_signup"] is None  # cancelled: no live sign-up


def test_detail_never_shows_who_signed_up(as_user, resident, manager, tilleuls):
    action = ActionFactory()
    shift = ShiftFactory(action=action, capacity=1)
    marcel = UserFactory(
        email="marcel.secret@example.org", display_name="Marcel Secret", neighbourhood=tilleuls
    )
    services.sign_up(shift=shift, actor=marcel)
    guest = services.register_offline_volunteer(
        actor=manager, name="Mme Diallo", phone="06 12 34 56 78", consent=True
    )
    services.sign_up(shift=shift, actor=manager, offline_volunteer=guest)
    signup = Signup.objects.get(user=marcel)

    for client in (APIClient(), as_user(resident), as_user_client(manager)):
        raw = client.get(detail(action)).content.decode()
        for secret in ("Marcel", "marcel.secret", "Diallo", "06 12", str(signup.check_in_code)):
            assert secret not in raw
        body = json.loads(raw)
        assert body["shifts"][0]["waitlist_count"] == 1


def test_detail_queries_do_not_grow_with_shifts_and_sign_ups(as_user, resident, residents):
    small, big = ActionFactory(), ActionFactory()
    services.sign_up(shift=ShiftFactory(action=small, **in_days(1)), actor=resident)
    people = residents(6)
    for day in range(30):
        shift = ShiftFactory(action=big, capacity=2, **in_days(day + 2))
        fill(shift, people[day % 3 : day % 3 + 3])
        if day % 2:
            services.sign_up(shift=shift, actor=resident)
    client = as_user(resident)
    client.get(detail(small))  # the session and permissions, read once
    with CaptureQueriesContext(connection) as few:
        assert client.get(detail(small)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        response = client.get(detail(big))
    # Session, user, action, shifts, own sign-ups, and the requester's permissions.
    assert len(many.captured_queries) == len(few.captured_queries) <= 7
    shifts = response.json()["shifts"]
    assert len(shifts) == 30
    mine = [s["my_signup"] for s in shifts if s["my_signup"]]
    assert len(mine) == 15
    assert {m["status"] for m in mine} == {"waitlisted"}
    assert {m["waitlist_position"] for m in mine} == {2}


def test_unpublished_actions_are_a_404_except_for_staff(api, as_user, resident, manager):
    action = ActionFactory(is_published=False)
    shift = ShiftFactory(action=action)
    assert_json_error(api.get(detail(action)), 404, "not_found")
    assert_json_error(as_user(resident).get(detail(action)), 404, "not_found")
    assert_json_error(as_user(resident).put(signup_url(shift), {}, format="json"), 404)
    assert not Signup.objects.exists()
    staff = as_user_client(manager)
    response = staff.get(detail(action))
    assert response.status_code == 200 and response.json()["is_published"] is False
    assert response.json()["shifts"][0]["phase"] == "closed"
    # Staff see it, but sign-ups on an unpublished action are closed, for them too.
    assert_json_error(staff.put(signup_url(shift), {}, format="json"), 403, "closed")


@pytest.mark.parametrize(
    "path",
    [
        "/api/volunteering/actions/abc/",
        "/api/volunteering/actions/999999/",
        "/api/volunteering/actions/99999999999999999999999999/",
        "/api/volunteering/shifts/abc/signup/",
        "/api/volunteering/shifts/999999/signup/",
        "/api/volunteering/shifts/99999999999999999999999999/signup/",
        "/api/volunteering/nothing-here/",
    ],
)
def test_bad_ids_and_paths_are_a_json_404(as_user, resident, path):
    assert_json_error(
        as_user(resident).get(path) if "signup" not in path else as_user(resident).put(path), 404
    )


def test_unsupported_methods_are_json_too(as_user, resident):
    shift = ShiftFactory()
    client = as_user(resident)
    assert_json_error(client.get(signup_url(shift)), 405)
    assert_json_error(client.post(signup_url(shift), {}, format="json"), 405)
    assert_json_error(client.delete(detail(shift.action)), 405)
    assert_json_error(client.post(MY_SHIFTS, {}, format="json"), 405)
    assert not Signup.objects.exists()


@pytest.mark.parametrize(
    "path", ["actions/", "actions/{action}/", "shifts/{shift}/signup/", "my-shifts/"]
)
def test_options_describe_the_endpoints_to_anyone(api, path):
    shift = ShiftFactory()
    response = api.options(
        "/api/volunteering/" + path.format(action=shift.action_id, shift=shift.pk)
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


# --- Signing up ---------------------------------------------------------------------------------


def test_sign_up_gives_a_place_and_is_idempotent(as_user, resident):
    shift = ShiftFactory(capacity=2)
    client = as_user(resident)

    first = client.put(signup_url(shift), {}, format="json")
    assert first.status_code == 200
    body = first.json()
    assert set(body) == STATE_FIELDS
    signup = Signup.objects.get()
    assert body == {
        "id": signup.pk,
        "status": "confirmed",
        "waitlist_position": None,
        "can_cancel": True,
        "shift": {
            "id": shift.pk,
            "capacity": 2,
            "places_left": 1,
            "waitlist_count": 0,
            "is_cancelled": False,
        },
    }
    again = client.put(signup_url(shift))  # no body at all: the same
    assert again.status_code == 200 and again.json() == body
    assert Signup.objects.count() == 1
    shift.refresh_from_db()
    assert shift.seats_taken == 1


def test_a_full_shift_waitlists_or_answers_409_full(as_user, resident, residents):
    shift = ShiftFactory(capacity=2)
    fill(shift, residents(3))  # two confirmed, one waiting
    client = as_user(resident)

    refused = client.put(signup_url(shift), {"join_waitlist": False}, format="json")
    error = assert_json_error(refused, 409, "full")
    assert "complet" in error["message"]
    assert not Signup.objects.filter(user=resident).exists()

    response = client.put(signup_url(shift), {"join_waitlist": True}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["waitlist_position"]) == ("waitlisted", 2)
    assert body["shift"]["places_left"] == 0 and body["shift"]["waitlist_count"] == 2
    # Already waitlisted: asking again without the waitlist answers the same sign-up.
    again = client.put(signup_url(shift), {"join_waitlist": False}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]


def test_form_encoded_sign_up_joins_the_waitlist_by_default(as_user, resident, residents):
    shift = ShiftFactory(capacity=1)
    fill(shift, residents(1))
    response = as_user(resident).put(
        signup_url(shift), "", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and response.json()["status"] == "waitlisted"


def test_overlapping_shifts_are_a_409(as_user, resident):
    first = ShiftFactory(**in_days(3))
    second = ShiftFactory(
        starts_at=first.starts_at + timedelta(hours=1), ends_at=first.ends_at + timedelta(hours=1)
    )
    client = as_user(resident)
    assert client.put(signup_url(first)).status_code == 200
    error = assert_json_error(client.put(signup_url(second)), 409, "overlap")
    assert first.action.title in error["message"]
    assert Signup.objects.filter(user=resident).count() == 1


@pytest.mark.parametrize("state", ["started", "over", "cancelled"])
def test_closed_shifts_are_a_403_closed(as_user, resident, state):
    now = timezone.now()
    times = {
        "started": {"starts_at": now - timedelta(minutes=5), "ends_at": now + timedelta(hours=2)},
        "over": {"starts_at": now - timedelta(hours=3), "ends_at": now - timedelta(hours=1)},
        "cancelled": in_days(2),
    }[state]
    shift = ShiftFactory(is_cancelled=state == "cancelled", **times)
    assert_json_error(as_user(resident).put(signup_url(shift)), 403, "closed")
    assert not Signup.objects.exists()


def test_signing_up_again_once_the_shift_started_answers_the_same(as_user, resident):
    shift = ShiftFactory(**in_days(2))
    client = as_user(resident)
    first = client.put(signup_url(shift)).json()
    Shift.objects.filter(pk=shift.pk).update(
        starts_at=timezone.now() - timedelta(minutes=1), ends_at=timezone.now() + timedelta(hours=1)
    )
    again = client.put(signup_url(shift))
    assert again.status_code == 200
    assert again.json()["id"] == first["id"] and again.json()["status"] == "confirmed"
    assert again.json()["can_cancel"] is False


@pytest.mark.parametrize(
    "body",
    [{"join_waitlist": "maybe"}, {"status": "confirmed"}, {"user": 1}, ["join_waitlist"]],
)
def test_bad_bodies_are_a_json_400_and_nothing_is_written(as_user, resident, body):
    shift = ShiftFactory()
    assert_json_error(as_user(resident).put(signup_url(shift), body, format="json"), 400, "invalid")
    assert not Signup.objects.exists()


def test_malformed_json_is_a_json_400(as_user, resident):
    shift = ShiftFactory()
    response = as_user(resident).put(signup_url(shift), "{nope", content_type="application/json")
    assert_json_error(response, 400)
    assert not Signup.objects.exists()


def test_anonymous_sign_up_and_cancel_are_a_403_not_authenticated(api):
    shift = ShiftFactory()
    assert_json_error(api.put(signup_url(shift)), 403, "not_authenticated")
    assert_json_error(api.delete(signup_url(shift)), 403, "not_authenticated")
    assert_json_error(api.get(MY_SHIFTS), 403, "not_authenticated")
    assert not Signup.objects.exists()


def test_inactive_accounts_cannot_sign_up(as_user, resident):
    shift = ShiftFactory()
    client = as_user(resident)
    resident.is_active = False
    resident.save()
    response = client.put(signup_url(shift))
    assert response.status_code == 403
    assert not Signup.objects.exists()


def test_sign_up_and_cancel_need_the_csrf_token(resident):
    shift = ShiftFactory()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(resident)
    error = assert_json_error(client.put(signup_url(shift)), 403, "permission_denied")
    assert "CSRF" in error["message"]
    assert not Signup.objects.exists()

    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    assert client.put(signup_url(shift), headers={"X-CSRFToken": token}).status_code == 200
    assert_json_error(client.delete(signup_url(shift)), 403, "permission_denied")
    assert Signup.objects.get().status == "confirmed"


# --- Cancelling ---------------------------------------------------------------------------------


def test_cancel_frees_the_place_for_the_waitlist_and_is_idempotent(
    as_user, resident, residents, quiet_messages, django_capture_on_commit_callbacks
):
    shift = ShiftFactory(capacity=1)
    mine = services.sign_up(shift=shift, actor=resident)
    first_waiting, second_waiting = fill(shift, residents(2))
    client = as_user(resident)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(signup_url(shift))
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": mine.pk,
        "status": "cancelled",
        "waitlist_position": None,
        "can_cancel": False,
        "shift": {
            "id": shift.pk,
            "capacity": 1,
            "places_left": 0,
            "waitlist_count": 1,
            "is_cancelled": False,
        },
    }
    first_waiting.refresh_from_db()
    assert first_waiting.status == "confirmed"
    # The first waiting person is called in, the person who left gets their confirmation.
    assert quiet_messages == ["promoted", "cancelled"]

    with django_capture_on_commit_callbacks(execute=True):
        again = client.delete(signup_url(shift))
    assert again.status_code == 200 and again.json() == body
    second_waiting.refresh_from_db()
    assert second_waiting.status == "waitlisted"
    assert quiet_messages == ["promoted", "cancelled"]  # a repeat sends nothing more
    shift.refresh_from_db()
    assert shift.seats_taken == 1


def test_cancelling_without_a_sign_up_is_fine(as_user, resident):
    shift = ShiftFactory()
    response = as_user(resident).delete(signup_url(shift))
    assert response.status_code == 200
    assert response.json() == {
        "id": None,
        "status": None,
        "waitlist_position": None,
        "can_cancel": False,
        "shift": {
            "id": shift.pk,
            "capacity": 5,
            "places_left": 5,
            "waitlist_count": 0,
            "is_cancelled": False,
        },
    }


def test_sign_up_again_after_cancelling_is_a_new_sign_up(as_user, resident):
    shift = ShiftFactory()
    client = as_user(resident)
    first = client.put(signup_url(shift)).json()
    client.delete(signup_url(shift))
    second = client.put(signup_url(shift)).json()
    assert second["status"] == "confirmed" and second["id"] != first["id"]
    assert client.delete(signup_url(shift)).json()["id"] == second["id"]


def test_after_the_cut_off_cancelling_is_a_403_too_late(as_user, resident, residents):
    now = timezone.now()
    shift = ShiftFactory(
        capacity=1, starts_at=now + timedelta(hours=5), ends_at=now + timedelta(hours=7)
    )
    mine = services.sign_up(shift=shift, actor=resident)
    [waiting] = fill(shift, residents(1))
    client = as_user(resident)

    error = assert_json_error(client.delete(signup_url(shift)), 403, "too_late")
    assert "Régie" in error["message"]
    mine.refresh_from_db()
    assert mine.status == "confirmed"
    # The resident on the waitlist may still leave it, until the shift starts.
    other = as_user_client(waiting.user)
    assert other.delete(signup_url(shift)).json()["status"] == "cancelled"
    # And the detail tells the first one they can no longer cancel online.
    shifts = client.get(detail(shift.action)).json()["shifts"]
    assert shifts[0]["my_signup"]["can_cancel"] is False


# --- My shifts ----------------------------------------------------------------------------------


def test_my_shifts_lists_upcoming_and_past_with_hours(as_user, resident, residents, manager):
    soon = ShiftFactory(capacity=1, role="accueil", **in_days(2))
    later = ShiftFactory(capacity=1, **in_days(6))
    gone = ShiftFactory(**in_days(9))
    services.sign_up(shift=soon, actor=resident)
    fill(later, residents(1))
    waiting = services.sign_up(shift=later, actor=resident)
    services.cancel_signup(signup=services.sign_up(shift=gone, actor=resident), actor=resident)
    # Past shifts: signed up while they were ahead, then time passed.
    given = ShiftFactory(**in_days(1, length=3))
    missed = ShiftFactory(**in_days(1, hours=15))
    older = ShiftFactory(**in_days(4, length=1))
    for shift in (given, missed, older):
        services.sign_up(shift=shift, actor=resident)
    absent = Signup.objects.get(shift=missed, user=resident)
    services.record_attendance(signup=absent, actor=manager, present=False)
    for shift, days in ((given, -10), (missed, -10), (older, -20)):
        move_by = timedelta(days=days) - (shift.starts_at - timezone.now()).days * timedelta(1)
        Shift.objects.filter(pk=shift.pk).update(
            starts_at=shift.starts_at + move_by, ends_at=shift.ends_at + move_by
        )
    # Someone else's shifts never appear.
    services.sign_up(shift=ShiftFactory(**in_days(3)), actor=manager)

    response = as_user(resident).get(MY_SHIFTS)
    assert response.status_code == 200
    body = response.json()
    assert body["hours"] == 4.0  # 3 h + 1 h; the absence does not count
    assert [item["shift"]["id"] for item in body["upcoming"]] == [soon.pk, later.pk]
    first, second = body["upcoming"]
    confirmed = Signup.objects.get(shift=soon, user=resident)
    assert first["status"] == "confirmed" and first["waitlist_position"] is None
    assert first["check_in_code"] == str(confirmed.check_in_code)
    assert first["can_cancel"] is True and first["hours"] is None
    assert first["shift"]["role"] == "accueil"
    assert first["action"]["id"] == soon.action_id
    assert first["action"]["neighbourhood"]["slug"]
    assert first["action"]["url"].endswith(f"/agir/{soon.action_id}/")
    assert (second["id"], second["status"], second["waitlist_position"]) == (
        waiting.pk,
        "waitlisted",
        1,
    )
    assert second["check_in_code"] is None
    assert [(item["shift"]["id"], item["hours"]) for item in body["past"]] == [
        (given.pk, 3.0),
        (older.pk, 1.0),
    ]
    assert all(item["check_in_code"] is None and not item["can_cancel"] for item in body["past"])


def test_my_shifts_queries_do_not_grow(as_user, resident):
    client = as_user(resident)
    services.sign_up(shift=ShiftFactory(**in_days(1)), actor=resident)
    client.get(MY_SHIFTS)
    with CaptureQueriesContext(connection) as few:
        client.get(MY_SHIFTS)
    neighbourhoods = [NeighbourhoodFactory() for _ in range(3)]
    for day in range(20):
        action = ActionFactory(neighbourhood=neighbourhoods[day % 3])
        services.sign_up(shift=ShiftFactory(action=action, **in_days(day + 2)), actor=resident)
    with CaptureQueriesContext(connection) as many:
        response = client.get(MY_SHIFTS)
    assert len(response.json()["upcoming"]) == 21
    assert len(many.captured_queries) == len(few.captured_queries)


def test_my_shifts_hours_count_every_past_shift_beyond_the_list(as_user, resident):
    from civic.volunteering import api

    now = timezone.now()
    shifts = ShiftFactory.create_batch(
        api.PAST_SHIFTS_SHOWN + 2,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=2),
        action=ActionFactory(),
    )
    Signup.objects.bulk_create(
        [Signup(shift=shift, user=resident, status="confirmed") for shift in shifts]
    )
    for index, shift in enumerate(shifts):
        start = now - timedelta(days=index + 1)
        Shift.objects.filter(pk=shift.pk).update(
            starts_at=start, ends_at=start + timedelta(hours=2)
        )
    body = as_user(resident).get(MY_SHIFTS).json()
    assert len(body["past"]) == api.PAST_SHIFTS_SHOWN
    assert body["hours"] == 2.0 * (api.PAST_SHIFTS_SHOWN + 2)


# --- Schema ---------------------------------------------------------------------------------------


def test_the_schema_documents_the_volunteering_api(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert {
        "/api/volunteering/actions/",
        "/api/volunteering/actions/{id}/",
        "/api/volunteering/shifts/{shift_id}/signup/",
        "/api/volunteering/my-shifts/",
    } <= set(paths)
    signup = paths["/api/volunteering/shifts/{shift_id}/signup/"]
    assert set(signup) - {"parameters"} == {"put", "delete"}
    assert {"200", "400", "403", "404", "409"} <= set(signup["put"]["responses"])
    assert "`full`" in signup["put"]["responses"]["409"]["description"]
    assert "`too_late`" in signup["delete"]["responses"]["403"]["description"]
    shift = schema["components"]["schemas"]["Shift"]["properties"]
    assert set(shift) == SHIFT_FIELDS
