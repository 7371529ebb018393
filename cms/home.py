"""What the home page shows: the neighbourhood's hub, read in a bounded number of queries.

Each section asks the app that owns it what is public, and never decides it again:
- the next assembly: ``Assembly.objects.published().upcoming()``; who may register is
  ``civic.assemblies.rules.can_register``;
- shifts that still need people: published actions, not cancelled, not started
  (``civic.volunteering.rules.shift_is_open``) with places left; the sign-up itself is the
  volunteering view (``volunteering:sign_up``), with its own rules;
- ideas to support: public ideas still open to support, new ones and those close to the
  Régie's ``support_threshold``;
- events and news: live, public Wagtail pages.

The quartier shown: ``?quartier=`` (the picker, a plain GET form), else the visitor's
remembered choice (a cookie), else the signed-in resident's own quartier, else all.
"""

import secrets
from dataclasses import dataclass, field

from django.core.validators import slug_re
from django.db.models import Exists, ExpressionWrapper, F, IntegerField, OuterRef, Prefetch, Q
from django.utils import formats, timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from wagtail.images import get_image_model

from civic.assemblies import rules as assembly_rules
from civic.assemblies.models import Assembly, Participant
from civic.proposals.lifecycle import SUPPORTABLE_STATUSES, Status
from civic.proposals.models import Proposal
from civic.territory.models import Neighbourhood
from civic.volunteering.models import Shift, Signup
from cms.dashboard import day_and_hour, hour_label

COOKIE = "quartier"
ALL = "tous"
COOKIE_MAX_AGE = 365 * 24 * 3600

SHIFTS_SHOWN = 4
# Shifts read to find the next one of four different actions (a bounded read).
SHIFT_CANDIDATES_READ = 40
NEW_IDEAS_SHOWN = 3
CLOSE_IDEAS_SHOWN = 3
EVENTS_SHOWN = 4
# Events read to find the next four dates: a repeating event is one page, so a few more
# pages than shown are enough even when some have no date left in the view.
EVENT_PAGES_READ = 12
NEWS_SHOWN = 4
# "Close to the threshold": at least this share of the supports needed.
CLOSE_SHARE_PERCENT = 50


@dataclass
class Choice:
    """The quartier shown. ``neighbourhood`` None means all of them."""

    neighbourhood: Neighbourhood | None
    neighbourhoods: list
    remember: str | None = None  # the cookie value to set, when the picker was used
    unknown: bool = False  # ?quartier= named no active quartier


@dataclass
class Hub:
    choice: Choice
    pins: list = field(default_factory=list)
    assembly: Assembly | None = None
    assembly_registered: bool = False
    assembly_can_register: bool = False
    shifts: list = field(default_factory=list)
    new_ideas: list = field(default_factory=list)
    close_ideas: list = field(default_factory=list)
    events: list = field(default_factory=list)
    news: list = field(default_factory=list)
    signup_token: str = ""
    agenda_url: str = ""
    news_url: str = ""

    @property
    def neighbourhood(self):
        return self.choice.neighbourhood


# --- The quartier ------------------------------------------------------------------------


def _active_neighbourhoods():
    return list(Neighbourhood.objects.active().order_by("name"))


def _find(neighbourhoods, slug):
    # Checked before anything else: a value that is no slug names no quartier (and
    # PostgreSQL would refuse some characters outright).
    if not slug or not slug_re.fullmatch(slug):
        return None
    return next((n for n in neighbourhoods if n.slug == slug), None)


def choose_neighbourhood(request):
    neighbourhoods = _active_neighbourhoods()
    if "quartier" in request.GET:
        asked = request.GET.get("quartier", "")[:120]
        if asked in ("", ALL):
            return Choice(None, neighbourhoods, remember=ALL)
        found = _find(neighbourhoods, asked)
        if found is None:
            return Choice(None, neighbourhoods, unknown=True)
        return Choice(found, neighbourhoods, remember=found.slug)
    remembered = request.COOKIES.get(COOKIE, "")
    if remembered == ALL:
        return Choice(None, neighbourhoods)
    found = _find(neighbourhoods, remembered)
    if found is not None:
        return Choice(found, neighbourhoods)
    user = request.user
    if user.is_authenticated and user.neighbourhood_id:
        own = next((n for n in neighbourhoods if n.pk == user.neighbourhood_id), None)
        if own is not None:
            return Choice(own, neighbourhoods)
    return Choice(None, neighbourhoods)


def remember_choice(request, response):
    """Keeps the picker's choice for the next visit; the page differs by this cookie."""
    patch_vary_headers(response, ["Cookie"])
    choice = getattr(request, "home_choice", None)
    if choice is not None and choice.remember:
        response.set_cookie(
            COOKIE,
            choice.remember,
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
    return response


# --- The sections --------------------------------------------------------------------------


def _in(neighbourhood, field_name="neighbourhood", *, or_everywhere=False):
    if neighbourhood is None:
        return Q()
    condition = Q(**{field_name: neighbourhood})
    if or_everywhere:
        condition |= Q(**{f"{field_name}__isnull": True})
    return condition


def next_assembly(neighbourhood, now):
    return (
        Assembly.objects.published()
        .upcoming(now)
        .filter(_in(neighbourhood))
        .select_related("neighbourhood")
        .order_by("starts_at", "pk")
        .first()
    )


def _clashes_with_a_shift_held_by(user):
    """A shift that overlaps one the person already holds (a place or a waitlist spot),
    other than itself: ``services.sign_up`` would refuse it (code ``overlap``), so the home
    page does not offer it. Same test as ``services._overlapping``, as a subquery."""
    return Exists(
        Signup.objects.active()
        .filter(
            user=user,
            shift__starts_at__lt=OuterRef("ends_at"),
            shift__ends_at__gt=OuterRef("starts_at"),
        )
        .exclude(shift=OuterRef("pk"))
    )


def shifts_needing_people(neighbourhood, now, limit=SHIFTS_SHOWN, user=None):
    """Open shifts with places left (what ``rules.shift_is_open`` allows), soonest first,
    the next one of each action only: a weekly garden does not fill the whole list. For a
    signed-in ``user``, none that clashes with a shift she already holds."""
    candidates = Shift.objects.filter(
        action__is_published=True,
        is_cancelled=False,
        starts_at__gt=now,
        seats_taken__lt=F("capacity"),
    ).filter(_in(neighbourhood, "action__neighbourhood"))
    if user is not None and user.is_authenticated:
        candidates = candidates.exclude(_clashes_with_a_shift_held_by(user))
    candidates = candidates.select_related("action__neighbourhood").order_by("starts_at", "pk")[
        :SHIFT_CANDIDATES_READ
    ]
    shown, actions = [], set()
    for shift in candidates:
        if shift.action_id in actions:
            continue
        actions.add(shift.action_id)
        shown.append(shift)
        if len(shown) == limit:
            break
    return shown


def _supportable():
    return (
        Proposal.objects.public()
        .filter(status__in=SUPPORTABLE_STATUSES, support_open=True)
        .with_counts()
        .select_related("neighbourhood__regie", "theme")
    )


def ideas_to_support(neighbourhood):
    """(close to the threshold, new): two short lists, no idea in both."""
    threshold = F("neighbourhood__regie__support_threshold")
    close = list(
        _supportable()
        .filter(_in(neighbourhood), status=Status.PUBLISHED)
        .annotate(
            supports_missing=ExpressionWrapper(
                threshold - F("support_count"), output_field=IntegerField()
            )
        )
        .filter(
            supports_missing__gt=0,
            support_count__gt=0,
            support_count__gte=threshold * CLOSE_SHARE_PERCENT / 100,
        )
        .order_by("supports_missing", "-published_at", "-pk")[:CLOSE_IDEAS_SHOWN]
    )
    new = list(
        _supportable()
        .filter(_in(neighbourhood))
        .exclude(pk__in=[idea.pk for idea in close])
        .order_by("-published_at", "-pk")[:NEW_IDEAS_SHOWN]
    )
    for idea in close + new:
        idea.threshold = idea.neighbourhood.regie.support_threshold
        if not hasattr(idea, "supports_missing"):
            idea.supports_missing = max(idea.threshold - idea.support_count, 0)
    return close, new


def _with_renditions(queryset):
    return queryset.prefetch_related(
        Prefetch("image", queryset=get_image_model().objects.prefetch_renditions())
    )


def upcoming_events(neighbourhood, now, limit=EVENTS_SHOWN):
    """The next date of each upcoming event (a repeating one once), soonest first."""
    from cms.agenda.models import EventPage

    pages = _with_renditions(
        EventPage.objects.live()
        .public()
        .filter(series_ends_at__gt=now)
        .filter(_in(neighbourhood, or_everywhere=True))
        .select_related("neighbourhood")
        .order_by("start", "pk")
    )[:EVENT_PAGES_READ]
    dated = []
    for event in pages:
        upcoming = event.upcoming_occurrences(now, limit=1)
        if upcoming:
            event.next_occurrence = upcoming[0]
            dated.append(event)
    dated.sort(key=lambda event: (event.next_occurrence.start, event.pk))
    return dated[:limit]


def latest_news(neighbourhood, limit=NEWS_SHOWN):
    from cms.models import NewsPage

    return list(
        _with_renditions(
            NewsPage.objects.live()
            .public()
            .filter(_in(neighbourhood, or_everywhere=True))
            .select_related("neighbourhood")
            .order_by("-date", "-pk")
        )[:limit]
    )


@dataclass
class Pin:
    kind: str  # "page", "idea", "action"
    title: str
    url: str
    note: str
    target: object


def visible_pins(home):
    """The pinned items anyone may see, in the staff's order: live public pages, public
    ideas, published actions. A pin to anything else is left out, silently."""
    from wagtail.models import Page

    pins = list(home.pins.select_related("proposal", "action").order_by("sort_order", "pk"))
    page_ids = [pin.pinned_page_id for pin in pins if pin.pinned_page_id]
    pages = {}
    if page_ids:
        pages = {page.pk: page for page in Page.objects.live().public().filter(pk__in=page_ids)}
    shown = []
    for pin in pins:
        if pin.pinned_page_id:
            page = pages.get(pin.pinned_page_id)
            if page is not None:
                shown.append(Pin("page", page.title, page.url, pin.note, page))
        elif pin.proposal_id and pin.proposal.is_public:
            idea = pin.proposal
            shown.append(Pin("idea", idea.title, idea.get_absolute_url(), pin.note, idea))
        elif pin.action_id and pin.action.is_published:
            action = pin.action
            shown.append(Pin("action", action.title, action.get_absolute_url(), pin.note, action))
    return shown


def _mark_my_shifts(shifts, user):
    mine = set()
    if user.is_authenticated and shifts:
        mine = set(
            Signup.objects.active()
            .filter(user=user, shift__in=shifts)
            .values_list("shift_id", flat=True)
        )
    for shift in shifts:
        shift.mine = shift.pk in mine


def _index_urls(request):
    """The agenda's and the news' addresses (the pages may be moved or renamed)."""
    from cms.agenda.models import EventIndexPage
    from cms.models import NewsIndexPage

    agenda = EventIndexPage.objects.live().first()
    news = NewsIndexPage.objects.live().first()
    return (
        agenda.get_url(request) if agenda else "",
        news.get_url(request) if news else "",
    )


NBSP = "\u00a0"


def _unbroken(text):
    """« 9 h 30 » never cut at the end of a line."""
    return str(text).replace(" h", f"{NBSP}h").replace("h ", f"h{NBSP}")


def _day_and_hour(value):
    return _unbroken(day_and_hour(value))


def _label_times(hub):
    """« mardi 5 décembre, 9 h » and « 9 h – 12 h », as the Régie writes them."""
    if hub.assembly is not None:
        hub.assembly.when_label = _day_and_hour(hub.assembly.starts_at)
    for shift in hub.shifts:
        shift.when_label = _day_and_hour(shift.starts_at)
        shift.end_label = _unbroken(hour_label(timezone.localtime(shift.ends_at)))
    for event in hub.events:
        occurrence = event.next_occurrence
        if event.all_day:
            event.when_label = formats.date_format(timezone.localtime(occurrence.start), _("l j F"))
        else:
            event.when_label = _day_and_hour(occurrence.start)


def hub_for(request, home):
    now = timezone.now()
    user = request.user
    choice = choose_neighbourhood(request)
    request.home_choice = choice
    neighbourhood = choice.neighbourhood
    hub = Hub(choice=choice, signup_token=secrets.token_urlsafe(16))
    hub.pins = visible_pins(home)
    hub.assembly = next_assembly(neighbourhood, now)
    if hub.assembly is not None and user.is_authenticated:
        hub.assembly_can_register = assembly_rules.can_register(user, hub.assembly)
        if hub.assembly_can_register:
            hub.assembly_registered = Participant.objects.filter(
                assembly=hub.assembly, user=user
            ).exists()
    hub.shifts = shifts_needing_people(neighbourhood, now, user=user)
    _mark_my_shifts(hub.shifts, user)
    hub.close_ideas, hub.new_ideas = ideas_to_support(neighbourhood)
    hub.events = upcoming_events(neighbourhood, now)
    hub.news = latest_news(neighbourhood)
    hub.agenda_url, hub.news_url = _index_urls(request)
    _label_times(hub)
    return hub
