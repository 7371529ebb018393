"""Every URL × every persona: nothing forbidden is served, nothing private leaks.

The walk enumerates the URLconf (``get_resolver().url_patterns``, recursively) and the
Wagtail page tree, fills each pattern's parameters with the ids of a fixture world that
holds an object of every kind, and requests each URL as each persona (GET, then POST with
an empty body). For every response:

- never a server error;
- the private markers of that world (other residents' emails and phones, the hidden
  comment, draft and unpublished titles) only appear for a persona allowed to see them;
- a URL classified ``staff`` answers non-staff with a refusal (login redirect, 401, 403,
  404, 405) and a refused POST writes nothing.

``ACCESS`` is the reviewed table of who may use each URL name. A URL name it does not
classify fails ``test_every_url_name_is_classified``: whoever adds a URL decides.

Personas (one Régie): ``anonymous``; ``resident`` (Amina, Les Tilleuls, author of a
pending idea); ``other_resident`` (Marcel, Bel-Air, author of the hidden comment);
``volunteer`` (signed up to a past and a future shift, member of the ended assembly);
``editor`` and ``staff`` (Régie staff: Editors / Moderators groups).
"""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.models import Page

from civic.accounts import roles
from civic.assemblies import minutes
from civic.assemblies import services as assembly_services
from civic.assemblies.models import Ballot, Motion, Participant
from civic.proposals import services as proposal_services
from civic.proposals.models import Comment, Proposal, Report, Support
from civic.volunteering import services as volunteering_services
from civic.volunteering.models import CalendarFeed, OfflineVolunteer, Signup
from tests.assemblies_factories import make_assembly, option, present_member
from tests.factories import ActionFactory, ProposalFactory, ShiftFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "resident", "other_resident", "volunteer", "editor", "staff")
STAFF = {"editor", "staff"}

# --- Who may see what ---------------------------------------------------------------------------

# Private markers of the world, and who may see each one. Phones are also looked for in
# the grouped form templates may use ("06 11 22 33 44").
MARKERS = {
    "secret-amina@example.org": {"resident", *STAFF},
    "0611223344": {"resident", *STAFF},
    "secret-marcel@example.org": {"other_resident", *STAFF},
    "0622334455": {"other_resident", *STAFF},
    "secret-benevole@example.org": {"volunteer", *STAFF},
    "0633445566": {"volunteer", *STAFF},
    "IDEE-EN-ATTENTE-7Q": {"resident", *STAFF},  # Amina's idea, not yet published
    "COMMENTAIRE-MASQUE-9Z": set(STAFF),  # hidden by moderation (even from its author)
    "ACTION-NON-PUBLIEE-3K": set(STAFF),
    "ASSEMBLEE-NON-PUBLIEE-5M": set(STAFF),
    "ACTUALITE-BROUILLON-2P": set(STAFF),
    "COMPTE-RENDU-BROUILLON-8R": set(STAFF),
}

# How each URL may be used. Kinds:
# - "public": anyone (each object then decides: a hidden one is a 404);
# - "login": signed-in people (anonymous: login redirect, 401 or 403), each for themselves;
# - "staff": Régie staff only (others: login redirect, 401, 403, 404 or 405);
# - "token": anyone holding the secret in the address (private calendar feed);
# - "auth": the sign-in machinery (django-allauth), public by nature.
ACCESS = {
    # Django's and Wagtail's own URLs: staff only (STAFF_PATH_PREFIXES), except these.
    "admin:login": "auth",
    "admin:logout": "auth",
    "wagtailadmin_login": "auth",
    "wagtailadmin_password_reset": "auth",
    "wagtailadmin_password_reset_done": "auth",
    "wagtailadmin_password_reset_confirm": "auth",
    "wagtailadmin_password_reset_complete": "auth",
    "wagtailadmin_sprite": "public",  # the admin's icons
    "wagtailadmin_javascript_catalog": "public",  # the admin's translations
    "wagtaildocs_serve": "public",  # documents follow their collection's privacy
    "wagtaildocs_authenticate_with_password": "public",
    "wagtailcore_authenticate_with_password": "public",
    "wagtailcore_login": "auth",
    "wagtail_serve": "public",  # pages: live ones only, checked through the page tree too
    "set_language": "public",
    "javascript-catalog": "public",
    "search": "public",
    "news_feed_rss": "public",
    "news_feed_atom": "public",
    "robots_txt": "public",
    "sitemap": "public",  # lists public objects only (tests/test_seo.py)
    "favicon": "public",
    "identity_accent_css": "public",
    "agenda_feed": "public",
    "accessibility": "public",  # the accessibility statement  # the public events of the agenda (cms/agenda)
    # API.
    "api-schema": "public",
    "api-docs": "public",
    "api-redoc": "public",
    "api-root": "public",
    "api:not_found": "public",
    "neighbourhood-list": "public",
    "neighbourhood-detail": "public",
    "news-list": "public",
    "news-detail": "public",
    "proposals_api:proposal-list": "public",
    "proposals_api:proposal-detail": "public",
    "proposals_api:proposal-change-status": "staff",
    "proposals_api:proposal-follow": "login",
    "proposals_api:proposal-report": "login",
    "proposals_api:proposal-support": "login",
    "proposals_api:proposal-withdraw": "login",
    "proposals_api:comment-list": "public",
    "proposals_api:comment-detail": "login",
    "proposals_api:comment-report": "login",
    "volunteering_api:action-list": "public",
    "volunteering_api:action-detail": "public",
    "volunteering_api:shift-signup": "login",
    "volunteering_api:my-shifts": "login",
    "assemblies_api:assembly-list": "public",
    "assemblies_api:assembly-detail": "public",
    "assemblies_api:registration": "login",
    "assemblies_api:live": "login",
    "assemblies_api:vote": "login",
    "assemblies_api:participants": "staff",
    # Accounts (allauth): the sign-in machinery.
    **{
        name: "auth"
        for name in (
            "account_login",
            "account_logout",
            "account_inactive",
            "account_signup",
            "account_reauthenticate",
            "account_request_reauthentication_code",
            "account_confirm_reauthentication_code",
            "account_email",
            "account_email_verification_sent",
            "account_change_password",
            "account_set_password",
            "account_reset_password",
            "account_confirm_login_code",
            "account_confirm_email",
            "account_reset_password_from_key_done",
            "account_reset_password_from_key",
            "account_reset_password_done",
        )
    },
    "accounts:profile": "login",
    "accounts:registrations": "login",
    "accounts:delete": "login",
    "accounts:export": "login",
    "privacy:page": "public",
    "privacy:register": "staff",
    "privacy:register_csv": "staff",
    # Ideas.
    "proposals:list": "public",
    "proposals:map": "public",  # the same ideas as the list, on a map
    "proposals:geocode": "login",  # the idea form's address search (JSON)
    "proposals:submit": "login",
    "proposals:mine": "login",
    "proposals:notifications": "login",
    "proposals:notifications_read": "login",
    "proposals:detail": "public",
    "proposals:edit": "login",
    "proposals:withdraw": "login",
    "proposals:support": "login",
    "proposals:unsupport": "login",
    "proposals:follow": "login",
    "proposals:unfollow": "login",
    "proposals:comment": "login",
    "proposals:report": "login",
    "proposals:moderate_status": "staff",
    "proposals:moderate_hide": "staff",
    "proposals:moderate_restore": "staff",
    "proposals:moderate_supports": "staff",
    "proposals:comment_edit": "login",
    "proposals:comment_delete": "login",
    "proposals:comment_report": "login",
    "proposals:moderate_comment_hide": "staff",
    "proposals:moderate_comment_restore": "staff",
    # Volunteering.
    "volunteering:list": "public",
    "volunteering:mine": "login",
    "volunteering:calendar_link": "login",
    "volunteering:feed": "token",
    "volunteering:action": "public",
    "volunteering:action_calendar": "public",
    "volunteering:shift_calendar": "public",
    "volunteering:sign_up": "login",
    "volunteering:cancel": "login",
    # What a presence code is for (same page whether it exists or not); staff go on.
    "volunteering:code": "public",
    "volunteering:code_entry": "public",
    # Assemblies.
    "assemblies:list": "public",
    "assemblies:detail": "public",
    "assemblies:register": "login",
    "assemblies:unregister": "login",
    "assemblies:session": "login",
    "assemblies:vote": "login",
    "assemblies:floor_request": "login",
    "assemblies:floor_withdraw": "login",
    "assemblies:projector": "login",  # members follow the session on it too
    "assemblies:chair": "staff",
    "assemblies:chair_action": "staff",
    "assemblies:generate_minutes": "staff",
    "assemblies:checkin": "staff",
    "assemblies:checkin_presence": "staff",
    "assemblies:checkin_register": "staff",
    "assemblies:checkin_proxy": "staff",
    "assemblies:checkin_proxy_withdraw": "staff",
    "assemblies:checkin_token": "staff",
    # What a presence code is for (same page whether it exists or not); staff go on.
    "assemblies:code": "public",
    "assemblies:code_entry": "public",
}

# Our own pages in the Wagtail admin: staff only, and walked by every persona (staff too).
OWN_ADMIN_NAMESPACES = {
    "proposals_admin",
    "reports_admin",
    "volunteering_staff",
    "volunteering_actions",
    "volunteering_stats",
    "volunteering_certificates",
    "assemblies_admin",
    "wagtailsnippets_territory_regie",
    "wagtailsnippets_territory_neighbourhood",
    "wagtailsnippets_proposals_theme",
    "wagtailsnippetchoosers_territory_regie",
    "wagtailsnippetchoosers_territory_neighbourhood",
    "wagtailsnippetchoosers_proposals_theme",
}
# Django's and Wagtail's admin URLs (under /admin/ and /django-admin/): staff only as a
# whole, walked by the anonymous visitor and one signed-in resident (the three resident
# personas share one group: a second and third walk would prove nothing more).
STAFF_PATH_PREFIXES = ("admin/", "django-admin/")
# POSTs a persona must not send to itself during the walk: they end its session.
SKIP_POST = {"account_logout", "accounts:delete"}

# A person's own data download holds everything they wrote, hidden comments included.
MARKER_EXCEPTIONS = {("COMMENTAIRE-MASQUE-9Z", "other_resident", "accounts:export")}
# Wagtail 8.0.1: POSTing to a snippet chooser's "create" when the snippet has no creation
# form raises AttributeError (wagtail/admin/views/generic/chooser.py CreateViewMixin.post:
# self.form is None). Staff only; reported upstream-worthy, not ours to patch.
KNOWN_WAGTAIL_500 = {("wagtailsnippetchoosers_proposals_theme:create", "post")}

REFUSED = {401, 403, 404, 405}
ANONYMOUS_OK_FOR_LOGIN = {302, 401, 403, 404, 405}


# --- Enumeration ------------------------------------------------------------------------------


def url_patterns():
    """(name, route, pattern) of every URL pattern; unnamed ones get ``<namespace>:not_found``
    style names from their place."""

    def walk(patterns, prefix, namespaces):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                spaces = namespaces + ((pattern.namespace,) if pattern.namespace else ())
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), spaces)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                name = pattern.name
                if name is None:
                    name = "api:not_found" if route.startswith("api/") else f"?{route}"
                yield ":".join((*namespaces, name)), route, pattern

    return list(walk(get_resolver().url_patterns, "", ()))


def is_admin_route(route):
    return route.startswith(STAFF_PATH_PREFIXES)


def classify(name, route):
    if name in ACCESS:
        return ACCESS[name]
    if name.split(":")[0] in OWN_ADMIN_NAMESPACES:
        return "staff"
    if is_admin_route(route):
        return "staff"
    return None


def test_every_url_name_is_classified():
    """A new URL name fails here until someone decides who may use it (ACCESS above)."""
    unclassified = sorted(
        f"{name}  ({route})" for name, route, _ in url_patterns() if classify(name, route) is None
    )
    assert not unclassified, "Classify these URL names in ACCESS:\n" + "\n".join(unclassified)


# --- The world ----------------------------------------------------------------------------------


@pytest.fixture
def world(site_tree, tilleuls, bel_air, editor, manager):
    """An object of every kind, with the private markers in it."""
    home, news_index = site_tree
    amina = UserFactory(
        email="secret-amina@example.org",
        display_name="Amina B.",
        neighbourhood=tilleuls,
        phone="0611223344",
    )
    marcel = UserFactory(
        email="secret-marcel@example.org",
        display_name="Marcel D.",
        neighbourhood=bel_air,
        phone="0622334455",
    )
    benevole = UserFactory(
        email="secret-benevole@example.org",
        display_name="Bénédicte V.",
        neighbourhood=tilleuls,
        phone="0633445566",
    )
    # Ideas: a published one with supports and comments (one hidden), a pending one.
    published = ProposalFactory(author=benevole, title="Des bancs au square")
    pending = ProposalFactory(
        author=amina, title="IDEE-EN-ATTENTE-7Q", status="submitted", published_at=None
    )
    Support.objects.create(proposal=published, resident=amina)
    Support.objects.create(proposal=published, resident=marcel)
    visible_comment = proposal_services.add_comment(
        proposal=published, author=amina, body="Bonne idée, j'approuve."
    )
    hidden_comment = proposal_services.add_comment(
        proposal=published, author=marcel, body="COMMENTAIRE-MASQUE-9Z injurieux"
    )
    proposal_services.hide_comment(comment=hidden_comment, actor=manager, reason="Injure")
    Report.objects.create(reporter=amina, proposal=published, reason="Doublon")

    # Volunteering: a published action with a past and a future shift, an unpublished one.
    action = ActionFactory(neighbourhood=tilleuls, title="Nettoyage du square")
    hidden_action = ActionFactory(
        neighbourhood=tilleuls, title="ACTION-NON-PUBLIEE-3K", is_published=False
    )
    future_shift = ShiftFactory(action=action)
    past_start = timezone.now() - timedelta(days=5)
    past_shift = ShiftFactory(
        action=action, starts_at=past_start, ends_at=past_start + timedelta(hours=2)
    )
    hidden_shift = ShiftFactory(action=hidden_action)
    future_signup = volunteering_services.sign_up(shift=future_shift, actor=benevole, user=benevole)
    volunteering_services.sign_up(shift=future_shift, actor=amina, user=amina)
    past_signup = Signup.objects.create(
        shift=past_shift, user=benevole, status=Signup.Status.CONFIRMED, attendance="present"
    )
    offline = OfflineVolunteer.objects.create(
        name="Gérard sans compte", phone="0644556677", consent_given_at=timezone.now()
    )
    Signup.objects.create(shift=past_shift, offline_volunteer=offline, status="confirmed")
    feed = CalendarFeed.objects.create(user=benevole)

    # Assemblies: an upcoming published one, an unpublished one, an ended one whose secret
    # ballot is closed (choices erased), with a draft of its minutes.
    upcoming = make_assembly(manager, tilleuls, title="Assemblée de printemps", items=["Budget"])
    assembly_services.register(assembly=upcoming, resident=amina)
    unpublished = make_assembly(
        manager, tilleuls, title="ASSEMBLEE-NON-PUBLIEE-5M", is_published=False
    )
    ended = make_assembly(
        manager,
        tilleuls,
        title="Assemblée d'hiver",
        starts_at=timezone.now() - timedelta(hours=3),
        items=["Jardin"],
    )
    amina_member = present_member(ended, amina, manager)
    present_member(ended, benevole, manager)
    assembly_services.open_session(actor=manager, assembly=ended)
    secret = assembly_services.create_motion(
        actor=manager,
        assembly=ended,
        question="Quel arbre planter ?",
        kind="choices",
        choices=["Tilleul", "Platane"],
        is_secret=True,
    )
    secret = assembly_services.open_motion(actor=manager, motion=secret)
    assembly_services.cast_vote(actor=amina, motion=secret, option_id=option(secret, "Tilleul").pk)
    assembly_services.cast_vote(
        actor=benevole, motion=secret, option_id=option(secret, "Platane").pk
    )
    assembly_services.close_motion(actor=manager, motion=secret)
    assembly_services.end_session(actor=manager, assembly=ended)
    minutes_page = minutes.generate_minutes(actor=manager, assembly=ended)
    minutes_page.title = "COMPTE-RENDU-BROUILLON-8R"
    minutes_page.save_revision(user=manager)
    minutes_page.save()

    # News: a draft.
    from cms.models import NewsPage

    draft = NewsPage(title="ACTUALITE-BROUILLON-2P", lead="Pas encore.", live=False)
    news_index.add_child(instance=draft)
    draft.save_revision()

    return {
        "users": {
            "resident": amina,
            "other_resident": marcel,
            "volunteer": benevole,
            "editor": editor,
            "staff": manager,
        },
        "home": home,
        "proposals": [published, pending],
        "comments": [visible_comment, hidden_comment],
        "actions": [action, hidden_action],
        "shifts": [future_shift, past_shift, hidden_shift],
        "signups": [future_signup, past_signup],
        "offline": offline,
        "feed": feed,
        "assemblies": [upcoming, unpublished, ended],
        "motion": secret,
        "participant": amina_member,
        "pages": [home, news_index, draft, minutes_page],
        "neighbourhood": tilleuls,
    }


# --- Filling the parameters -----------------------------------------------------------------


def candidate_kwargs(name, pattern_names, world):
    """Every set of keyword arguments to try for one URL name."""
    namespace = name.split(":")[0] if ":" in name else ""
    base = name.split(":")[-1]
    ids = {
        "proposal": [p.pk for p in world["proposals"]],
        "comment": [c.pk for c in world["comments"]],
        "action": [a.pk for a in world["actions"]],
        "shift": [s.pk for s in world["shifts"]],
        "assembly": [a.pk for a in world["assemblies"]],
    }
    if namespace in ("proposals", "proposals_api"):
        pks = (
            ids["comment"] if base.startswith(("comment_", "moderate_comment")) else ids["proposal"]
        )
        if namespace == "proposals_api" and base.startswith("comment-"):
            return [
                {
                    "proposal_id": world["proposals"][0].pk,
                    **({"pk": c} if "pk" in pattern_names else {}),
                }
                for c in ids["comment"]
            ]
        return [{"pk": pk} for pk in pks]
    if namespace == "volunteering":
        if base == "feed":
            return [{"token": world["feed"].token}, {"token": "x" * 32}]
        if base in ("shift_calendar", "sign_up", "cancel", "code_entry"):
            return [{"pk": pk} for pk in ids["shift"]]
        if base == "code":
            return [
                {"pk": signup.shift_id, "code": signup.presence_code} for signup in world["signups"]
            ]
        return [{"pk": pk} for pk in ids["action"]]
    if namespace == "volunteering_api":
        if "shift_id" in pattern_names:
            return [{"shift_id": pk} for pk in ids["shift"]]
        return [{"pk": pk} for pk in ids["action"]]
    if namespace in ("assemblies", "assemblies_api"):
        out = []
        for pk in ids["assembly"]:
            kwargs = {"pk": pk}
            if "motion_id" in pattern_names:
                kwargs["motion_id"] = world["motion"].pk
            if "action" in pattern_names:
                kwargs["action"] = "ouvrir"
            if "token" in pattern_names:
                kwargs["token"] = world["participant"].presence_code
            if "code" in pattern_names:
                kwargs["code"] = world["participant"].presence_code
            out.append(kwargs)
        return out
    if namespace == "volunteering_staff":
        if base.startswith(("roster", "shift_", "checkin")):
            return [{"pk": pk} for pk in ids["shift"]]
        if base == "signup_cancel":
            return [{"pk": s.pk} for s in world["signups"]]
        if base == "certificate_user":
            return [{"pk": world["users"]["volunteer"].pk}]
        if base == "certificate_offline":
            return [{"pk": world["offline"].pk}]
    generic = {
        "pk": world["proposals"][0].pk,
        "slug": world["neighbourhood"].slug,
        "format": "json",
        "page_id": world["home"].pk,
        "parent_page_id": world["home"].pk,
        "page_view_restriction_id": 1,
        "restriction_id": 1,
        "app_label": "proposals",
        "model_name": "proposal",
        "content_type_app_name": "cms",
        "content_type_model_name": "newspage",
        "token": "x" * 32,
        "key": "x",
        "uidb36": "1",
    }
    return [{key: generic.get(key, "1") for key in pattern_names}]


def param_names(name):
    """The parameter names of a URL name, from the resolver's reverse table."""
    possibilities = []
    resolver = get_resolver()
    *namespaces, base = name.split(":")
    for namespace in namespaces:
        resolver = resolver.namespace_dict[namespace][1]
    for entry in resolver.reverse_dict.getlist(base):
        for _result, params in entry[0]:
            possibilities.append(params)
    return possibilities


def unnamed_url(route):
    """An address for an unnamed pattern: converters filled with 1, regexes left out."""
    path = re.sub(r"<(?:\w+:)?\w+>", "1", route)
    return None if re.search(r"[\^$()\[\]*+?\\]", path) else "/" + path


def urls_for(name, route, world):
    if name == "api:not_found":
        return ["/api/nowhere/"]
    if "?" in name:
        url = unnamed_url(route)
        return [url] if url else []
    if name == "wagtail_serve":
        return [page.url for page in world["pages"] if page.live and page.url]
    if name == "wagtaildocs_serve":
        return ["/documents/1/nothing.pdf"]
    found = []
    for params in param_names(name) or [[]]:
        for kwargs in candidate_kwargs(name, params, world):
            kwargs = {key: value for key, value in kwargs.items() if key in params}
            try:
                found.append(reverse(name, kwargs=kwargs))
            except NoReverseMatch:
                try:
                    found.append(reverse(name, kwargs=dict.fromkeys(params, "1")))
                except NoReverseMatch:
                    pass
        if found:
            break
    return list(dict.fromkeys(found))


# --- The walk -----------------------------------------------------------------------------------


def body_of(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def leaks(text, persona, name=""):
    grouped = {m: re.sub(r"(\d\d)(?=\d)", r"\1 ", m) for m in MARKERS if m.isdigit()}
    found = []
    for marker, allowed in MARKERS.items():
        if persona in allowed or (marker, persona, name) in MARKER_EXCEPTIONS:
            continue
        if marker in text or (marker in grouped and grouped[marker] in text):
            found.append(marker)
    return found


def fingerprint():
    """What a refused write must leave unchanged."""
    return (
        Proposal.objects.filter(status="published", is_hidden=False).count(),
        list(Proposal.objects.order_by("pk").values_list("status", "is_hidden")),
        list(Comment.objects.order_by("pk").values_list("is_hidden", "is_deleted", "body")),
        Support.objects.count(),
        list(Signup.objects.order_by("pk").values_list("status", "attendance")),
        list(Participant.objects.order_by("pk").values_list("checked_in_at", "proxy_holder_id")),
        Participant.objects.count(),
        list(Motion.objects.order_by("pk").values_list("status")),
        Ballot.objects.count(),
        Page.objects.count(),
    )


def is_login_redirect(response):
    location = response.get("Location", "")
    return response.status_code == 302 and ("login" in location or "connexion" in location)


def refused(response, persona):
    """A refusal: an error status, or a redirect to a login page (never content)."""
    if response.status_code in REFUSED or is_login_redirect(response):
        return True
    # Wagtail sends a signed-in person without admin access back to the site's home.
    return response.status_code == 302 and persona != "anonymous"


def client_for(persona, world):
    client = Client(raise_request_exception=False)
    if persona != "anonymous":
        client.force_login(world["users"][persona])
    return client


def walk(persona, world):
    """Request every URL as ``persona``; returns the list of problems found."""
    problems = []
    client = client_for(persona, world)
    user = world["users"].get(persona)
    for name, route, _pattern in url_patterns():
        kind = classify(name, route)
        own_admin = name.split(":")[0] in OWN_ADMIN_NAMESPACES
        wagtail_internal = is_admin_route(route) and not own_admin
        if wagtail_internal and persona not in ("anonymous", "resident"):
            continue  # Wagtail's and Django's own admin: see STAFF_PATH_PREFIXES
        for url in urls_for(name, route, world):
            for method in ("get", "post"):
                # Wagtail's own admin: the same access check guards GET and POST; one
                # persona sends both.
                if method == "post" and (
                    name in SKIP_POST or (wagtail_internal and persona != "anonymous")
                ):
                    continue
                if method == "post" and kind == "staff" and persona not in STAFF:
                    before = fingerprint()
                if user is not None and not client.session.get("_auth_user_id"):
                    client.force_login(user)
                response = getattr(client, method)(url)
                where = f"{persona} {method.upper()} {url} ({name})"
                if response.status_code >= 500 and (name, method) not in KNOWN_WAGTAIL_500:
                    problems.append(f"{where}: {response.status_code}")
                    continue
                for marker in leaks(body_of(response), persona, name):
                    problems.append(f"{where}: shows {marker}")
                if kind == "staff" and persona not in STAFF:
                    if not refused(response, persona):
                        problems.append(f"{where}: staff only, got {response.status_code}")
                    if method == "post" and fingerprint() != before:
                        problems.append(f"{where}: a refused POST changed the database")
                if kind == "login" and persona == "anonymous":
                    if response.status_code not in ANONYMOUS_OK_FOR_LOGIN:
                        problems.append(f"{where}: login needed, got {response.status_code}")
    return problems


def walk_pages(persona, world):
    """The Wagtail page tree: live pages served without leaks, drafts never served."""
    problems = []
    client = client_for(persona, world)
    for page in Page.objects.filter(depth__gt=1).specific():
        url = page.get_url()
        if not url:
            continue
        response = client.get(url)
        where = f"{persona} GET {url} (page {page.title!r})"
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code}")
        if not page.live and response.status_code != 404:
            problems.append(f"{where}: draft served with {response.status_code}")
        for marker in leaks(body_of(response), persona):
            problems.append(f"{where}: shows {marker}")
    return problems


@pytest.mark.parametrize("persona", PERSONAS)
def test_walk_every_url(persona, world):
    problems = walk(persona, world) + walk_pages(persona, world)
    assert not problems, "\n".join(problems)


def test_secret_ballot_choices_erased(world):
    """The ended assembly's secret ballot: counted, but no ballot says who chose what."""
    ballots = Ballot.objects.filter(motion=world["motion"])
    assert ballots.count() == 2
    assert not ballots.filter(option__isnull=False).exists()
    result = json.dumps(Motion.objects.get(pk=world["motion"].pk).result)
    assert "secret-" not in result and "Amina" not in result


@pytest.mark.skip(
    reason="One Régie per installation: staff are not scoped per Régie (no Régie on the user, "
    "rules check global permissions). Multi-tenancy would need a staff→Régie link first."
)
def test_staff_of_another_regie_sees_nothing_of_ours():
    pass


# --- Ordering and filters on the list APIs ---------------------------------------------------

PRIVATE_PARAMS = [
    {"ordering": "author__email"},
    {"ordering": "-author__email"},
    {"ordering": "-resident__phone"},
    {"ordering": "resident__phone"},
    {"ordering": "author__phone"},
    {"ordering": "no_such_field"},
    {"sort": "author__email"},
    {"order_by": "-author__email"},
    {"author__email": "secret-amina@example.org"},
    {"author__email__startswith": "secret-a"},
    {"author__phone__startswith": "06"},
    {"participants__user__email": "secret-amina@example.org"},
    {"signups__user__email__startswith": "secret-b"},
]


def ids_of(response):
    data = response.json()
    rows = data.get("results", data) if isinstance(data, dict) else data
    return [row.get("id") or row.get("slug") for row in rows]


@pytest.fixture
def ordered_world(tilleuls, bel_air, manager):
    """Three public objects per list whose default order differs from the order of their
    authors' (or sign-ups') emails and phones, ascending and descending."""
    now = timezone.now()
    people = [
        UserFactory(email=email, phone=phone, neighbourhood=tilleuls)
        for email, phone in (
            ("m-middle@example.org", "0655555555"),
            ("a-first@example.org", "0611111111"),
            ("z-last@example.org", "0699999999"),
        )
    ]
    for rank, person in enumerate(people):
        ProposalFactory(author=person, published_at=now - timedelta(hours=rank))
        action = ActionFactory(neighbourhood=tilleuls, title=f"Action {rank}")
        shift = ShiftFactory(
            action=action,
            starts_at=now + timedelta(days=rank + 1),
            ends_at=now + timedelta(days=rank + 1, hours=2),
        )
        volunteering_services.sign_up(shift=shift, actor=person, user=person)
    return people


LIST_APIS = [
    "/api/proposals/",
    "/api/volunteering/actions/",
    "/api/assemblies/",
    "/api/news/",
    "/api/neighbourhoods/",
]


@pytest.mark.parametrize("url", LIST_APIS)
def test_list_apis_never_order_or_filter_by_a_private_field(url, ordered_world, manager):
    client = Client(raise_request_exception=False)
    client.force_login(manager)  # staff: the most that can be seen
    default = client.get(url)
    assert default.status_code == 200
    expected = ids_of(default)
    for params in PRIVATE_PARAMS:
        response = client.get(url, params)
        assert response.status_code in (200, 400), (params, response.status_code)
        if response.status_code == 200:
            assert ids_of(response) == expected, f"{url} {params} changed the list"
        else:
            assert response.json()["error"]["code"]


def test_the_private_order_differs_from_the_default(ordered_world):
    """The test above proves something: sorted by email, the ideas come in another order."""
    default = list(Proposal.objects.public().order_by("-published_at").values_list("pk", flat=True))
    by_email = list(Proposal.objects.order_by("author__email").values_list("pk", flat=True))
    assert by_email != default and list(reversed(by_email)) != default
    assert by_email != default


def test_my_shifts_ignores_private_ordering(ordered_world):
    client = Client(raise_request_exception=False)
    client.force_login(ordered_world[0])
    default = client.get("/api/volunteering/my-shifts/")
    assert default.status_code == 200
    for params in PRIVATE_PARAMS:
        response = client.get("/api/volunteering/my-shifts/", params)
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            assert response.json() == default.json()


def test_staff_permission_is_not_granted_to_residents(world):
    """The table's premise: the three resident personas hold no staff permission."""
    for persona in ("resident", "other_resident", "volunteer"):
        user = world["users"][persona]
        assert not roles.is_staff_member(user)
        assert not user.has_perm("assemblies.manage_assemblies")
    assert Permission.objects.filter(codename="manage_assemblies").exists()
