"""The agenda's pages, served by the routes of ``EventIndexPage`` and ``EventPage``.

Thin views: who may do what is asked of ``rules``, registrations go through ``services``.
Every page works without JavaScript; every form is a plain POST with CSRF.

Conventions (the same as /agir/):
- a bad address (unknown neighbourhood, month 13, year 99999) is a 404, never a 500;
- a refused action is a 403 page saying why (``civic.web.forbidden_page``);
- a POST the service refuses for a reason the person can fix comes back to the event page
  with a clear message; a GET on an action address goes back to the event page.
"""

import calendar as pycalendar
import re
from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from civic import dates
from civic.territory.models import Neighbourhood
from civic.web import chosen_return, forbidden_page, paginate
from cms.agenda import calendar as ics
from cms.agenda import entries, recurrence, rules, services
from cms.agenda.forms import RegistrationForm
from cms.agenda.models import OccurrenceSlot, Registration

LIST_PAGE_SIZE = 20
ARCHIVE_PAGE_SIZE = 10
# How far ahead the list expands repeating events.
LIST_HORIZON = timedelta(days=366)
# The feed keeps recent events a while: calendar apps drop what disappears from it.
FEED_PAST = timedelta(days=90)
SHOWN_OCCURRENCES = 12
# Month views exist for these years only (and so do their previous/next links).
FIRST_YEAR, LAST_YEAR = 2000, 2100
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,120}$")


# --- Helpers ------------------------------------------------------------------------------


def visible_events(index):
    return entries.visible_events(index)


def _chosen_neighbourhood(request):
    """The neighbourhood of ``?quartier=``; None for all. Unknown: 404 (a stale link)."""
    slug = request.GET.get("quartier", "")
    if not slug:
        return None
    # Checked before the query: PostgreSQL refuses some characters (NUL) outright.
    neighbourhood = Neighbourhood.objects.filter(slug=slug).first() if SLUG.match(slug) else None
    if neighbourhood is None:
        raise Http404
    return neighbourhood


def _chosen_kinds(request):
    """The kinds of ``?quoi=`` (all when empty). Unknown: 404, like an unknown quartier."""
    kinds = entries.kinds_from(request.GET.get("quoi", ""))
    if kinds is None:
        raise Http404
    return kinds


class Filters:
    """What the person chose (quartier, kind), carried by every link between the views."""

    def __init__(self, request, *, with_kind=True):
        self.neighbourhood = _chosen_neighbourhood(request)
        self.kinds = _chosen_kinds(request) if with_kind else entries.ALL_KINDS
        self.kind_param = request.GET.get("quoi", "") if with_kind else ""

    def query(self, *, with_kind=True):
        params = {}
        if self.neighbourhood is not None:
            params["quartier"] = self.neighbourhood.slug
        if with_kind and self.kind_param:
            params["quoi"] = self.kind_param
        return "?" + urlencode(params) if params else ""


def _sub_url(page, name, *args):
    return page.url + page.reverse_subpage(name, args=args)


def _month_url(index, day, filters=None):
    path = index.reverse_subpage(
        "month_view", kwargs={"year": f"{day.year:04d}", "month": f"{day.month:02d}"}
    )
    return index.url + path + (filters.query() if filters else "")


def _filter_context(request, index, filters, *, view_url):
    return {
        "neighbourhoods": Neighbourhood.objects.active().order_by("name"),
        "selected_neighbourhood": filters.neighbourhood,
        "kind_choices": entries.KIND_CHOICES,
        "selected_kind": filters.kind_param,
        "filter_action": view_url,
        "list_url": index.url + filters.query(),
        "all_url": index.url,
        "archives_url": _sub_url(index, "archives_view") + filters.query(with_kind=False),
        "feed_url": _sub_url(index, "feed") + filters.query(),
        "this_month_url": _month_url(index, timezone.localdate(), filters),
    }


def _by_month(dated):
    """[{"month": date, "entries": [...]}, …] in order, by local month of the start."""
    months = []
    for entry in dated:
        month_start = entry.first_day.replace(day=1)
        if not months or months[-1]["month"] != month_start:
            months.append({"month": month_start, "entries": []})
        months[-1]["entries"].append(entry)
    return months


def _denied(request, event, message=""):
    """A refused action: the shared 403 page, with a way back to the event."""
    return forbidden_page(
        request,
        message,
        back_url=event.url,
        back_label=_("Revenir à l'événement"),
        context={"page": event},
    )


def _when(occurrence):
    """« mardi 3 mars 2026 à 9 h » (or the date alone for all-day events), for messages."""
    if occurrence.all_day:
        return dates.day(occurrence.start, year=True)
    return dates.day_and_clock(occurrence.start)


# --- The index: list, month, archives, feed -------------------------------------------------


def upcoming(request, index):
    """What is coming, all kinds together: repeating events once at the top (on the first
    page), then every dated entry in order, by month, paginated."""
    filters = Filters(request)
    now = timezone.now()
    agenda = entries.gather(
        index,
        neighbourhood=filters.neighbourhood,
        kinds=filters.kinds,
        start=now,
        end=now + LIST_HORIZON,
        upcoming_only=True,
    )
    page_obj = paginate(request, agenda.dated, LIST_PAGE_SIZE)
    context = {
        "page_obj": page_obj,
        "regular": agenda.regular if page_obj.number == 1 else [],
        "months": _by_month(page_obj.object_list),
        "has_entries": bool(agenda),
        **_filter_context(request, index, filters, view_url=index.url),
    }
    return index.render(request, context_overrides=context)


def month(request, index, year, month):
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        raise Http404
    filters = Filters(request)
    first = date(year, month, 1)
    after_last = (first + timedelta(days=31)).replace(day=1)
    window_start, _unused = recurrence.day_bounds(first)
    window_end, _unused = recurrence.day_bounds(after_last)
    agenda = entries.gather(
        index,
        neighbourhood=filters.neighbourhood,
        kinds=filters.kinds,
        start=window_start,
        end=window_end,
    )
    by_day = {}
    for entry in agenda.dated:
        # An entry over several days is shown on each of them.
        for day in entry.days(first, after_last):
            by_day.setdefault(day, []).append(entry)
    today = timezone.localdate()
    weeks = [
        [
            {
                "date": day,
                "in_month": day.month == month,
                "is_today": day == today,
                "entries": by_day.get(day, []) if day.month == month else [],
            }
            for day in week
        ]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    previous_month = (first - timedelta(days=1)).replace(day=1)
    month_url = _month_url(index, first)
    context = {
        "month_start": first,
        "weeks": weeks,
        "weekdays": [date(2024, 1, day) for day in range(1, 8)],  # Monday 1 January 2024…
        "regular": agenda.regular,
        "has_entries": bool(agenda),
        "has_dated": bool(by_day),
        "previous_url": (
            _month_url(index, previous_month, filters)
            if previous_month.year >= FIRST_YEAR
            else None
        ),
        "next_url": (
            _month_url(index, after_last, filters) if after_last.year <= LAST_YEAR else None
        ),
        **_filter_context(request, index, filters, view_url=month_url),
    }
    return index.render(request, template="agenda/month.html", context_overrides=context)


def archives(request, index):
    filters = Filters(request, with_kind=False)
    events = (
        entries.for_neighbourhood(visible_events(index), filters.neighbourhood)
        .filter(series_ends_at__lte=timezone.now())
        .order_by("-series_ends_at", "-pk")
    )
    page_obj = paginate(request, events, ARCHIVE_PAGE_SIZE)
    context = {
        "page_obj": page_obj,
        "events": page_obj.object_list,
        **_filter_context(request, index, filters, view_url=_sub_url(index, "archives_view")),
        "kind_choices": None,  # past events only: no choice of kind
    }
    return index.render(request, template="agenda/archives.html", context_overrides=context)


def _ics_response(content, filename):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def agenda_feed(request, index):
    """The whole agenda for calendar apps: events, shifts and assemblies (all of them, or
    those of ``?quartier=`` and ``?quoi=``), from 90 days back."""
    filters = Filters(request)
    neighbourhood, kinds = filters.neighbourhood, filters.kinds
    since = timezone.now() - FEED_PAST
    events, shifts, assemblies = [], [], []
    if entries.EVENTS in kinds:
        events = (
            entries.for_neighbourhood(visible_events(index), neighbourhood)
            .filter(series_ends_at__gt=since)
            .order_by("start", "pk")
        )
    if entries.SHIFTS in kinds:
        shifts = (
            entries.public_shifts()
            .filter(ends_at__gt=since)
            .select_related("action__neighbourhood")
            .order_by("starts_at", "pk")
        )
        if neighbourhood is not None:
            shifts = shifts.filter(action__neighbourhood=neighbourhood)
    if entries.ASSEMBLIES in kinds:
        assemblies = (
            entries.public_assemblies()
            .filter(starts_at__gt=since)
            .select_related("neighbourhood")
            .order_by("starts_at", "pk")
        )
        if neighbourhood is not None:
            assemblies = assemblies.filter(neighbourhood=neighbourhood)
    name = index.title if neighbourhood is None else f"{index.title} — {neighbourhood.name}"
    filename = f"agenda-{neighbourhood.slug}.ics" if neighbourhood else "agenda.ics"
    content = ics.calendar_for_agenda(
        events=events, shifts=shifts, assemblies=assemblies, name=name, request=request
    )
    return _ics_response(content, filename)


# --- An event -------------------------------------------------------------------------------


def _occurrence_state(event, occurrence, slot, now):
    """One word the template and the tests read: can this date be joined, and how."""
    if occurrence.is_past(now):
        return "past"
    if occurrence.has_started(now):
        return "running"
    if not event.registration_open:
        return "no_registration"
    if slot is not None and slot.seats_taken >= slot.capacity:
        return "full" if event.waitlist_enabled else "full_no_waitlist"
    return "open"


def _decorate(event, occurrences, user, now):
    """Places, waitlists and this person's registration for each date, in three queries."""
    slots = {
        slot.starts_at: slot
        for slot in OccurrenceSlot.objects.filter(
            event=event, starts_at__in=[o.start for o in occurrences]
        ).annotate(
            waitlist_count=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)
            )
        )
    }
    mine = {}
    if user.is_authenticated and slots:
        registrations = Registration.objects.active().filter(
            user=user, slot__in=list(slots.values())
        )
        for registration in registrations:
            mine[registration.slot_id] = registration
        waiting = [r for r in mine.values() if r.status == Registration.Status.WAITLISTED]
        for registration in waiting:
            registration.position = (
                Registration.objects.waitlisted()
                .filter(slot_id=registration.slot_id)
                .filter(
                    Q(created_at__lt=registration.created_at)
                    | Q(created_at=registration.created_at, pk__lt=registration.pk)
                )
                .count()
                + 1
            )
    rows = []
    for occurrence in occurrences:
        slot = slots.get(occurrence.start)
        capacity = slot.capacity if slot else event.capacity
        mine_here = mine.get(slot.pk) if slot else None
        rows.append(
            {
                "occurrence": occurrence,
                "anchor": "date-" + recurrence.local_naive(occurrence.start).strftime("%Y%m%d%H%M"),
                "state": _occurrence_state(event, occurrence, slot, now),
                "capacity": capacity,
                "places_left": slot.places_left if slot else capacity,
                "waitlist_count": slot.waitlist_count if slot else 0,
                "registration": mine_here,
                "can_cancel": bool(mine_here) and occurrence.start > now,
            }
        )
    return rows


def event_detail(request, event):
    now = timezone.now()
    upcoming_dates = event.upcoming_occurrences(now, limit=SHOWN_OCCURRENCES)
    context = {
        "dates": _decorate(event, upcoming_dates, request.user, now),
        "is_past": event.is_past(now),
        "can_view_roster": rules.can_view_roster(request.user, event),
        "register_url": _sub_url(event, "register"),
        "cancel_url": _sub_url(event, "cancel"),
        "roster_url": _sub_url(event, "roster"),
        "ics_url": _sub_url(event, "ics"),
        "login_url": redirect_to_login(_back(event)).url,
    }
    response = event.render(request, context_overrides=context)
    if request.user.is_authenticated:
        # The page shows this person's registrations: no shared cache may keep it.
        add_never_cache_headers(response)
    return response


def event_calendar(request, event):
    calendar = ics.calendar_for_events([event], name=event.title, request=request)
    return _ics_response(calendar, f"{event.slug}.ics")


def _posted_occurrence(request, event):
    """The date named by the form, if it is one of the event's; else None."""
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        return form, None
    return form, event.occurrence_starting(form.cleaned_data["occurrence"])


def _back(event, occurrence=None):
    if occurrence is None:
        return event.url + "#dates"
    return event.url + "#date-" + recurrence.local_naive(occurrence.start).strftime("%Y%m%d%H%M")


def register(request, event):
    if request.method != "POST":
        return redirect(_back(event))
    if not request.user.is_authenticated:
        return redirect_to_login(_back(event))
    form, occurrence = _posted_occurrence(request, event)
    if occurrence is None:
        messages.error(
            request,
            _("Cette date n'existe pas pour cet événement : choisissez-en une dans la liste."),
        )
        return redirect(_back(event))
    try:
        registration = services.register(
            event=event,
            starts_at=occurrence.start,
            resident=request.user,
            join_waitlist=form.cleaned_data["liste_attente"],
        )
    except services.AgendaError as error:
        if error.code == "full":
            text = _("Cette date vient d'être complète : votre inscription n'a pas pu être faite.")
        else:
            text = error.message
        messages.error(request, text)
        return redirect(_back(event, occurrence))
    except PermissionDenied:
        return _denied(request, event, _("Votre compte ne permet pas de s'inscrire."))
    label = _when(occurrence)
    if registration.status == Registration.Status.CONFIRMED:
        messages.success(
            request,
            _("C'est noté : votre inscription pour le %(when)s est enregistrée.") % {"when": label},
        )
    else:
        messages.success(
            request,
            _(
                "C'est complet pour le %(when)s : vous êtes sur la liste d'attente. "
                "Vous recevrez un courriel si une place se libère."
            )
            % {"when": label},
        )
    return redirect(_back(event, occurrence))


def cancel(request, event):
    if request.method != "POST":
        return redirect(_back(event))
    if not request.user.is_authenticated:
        return redirect_to_login(_back(event))
    _form, occurrence = _posted_occurrence(request, event)
    registration = None
    if occurrence is not None:
        registration = (
            Registration.objects.active()
            .select_related("slot")
            .filter(slot__event=event, slot__starts_at=occurrence.start, user=request.user)
            .first()
        )
    if registration is None:
        # Already cancelled (double click), or never registered: nothing to do.
        messages.info(request, _("Vous n'avez pas d'inscription à cette date."))
        return redirect(chosen_return(request, _back(event, occurrence)))
    try:
        services.cancel_registration(registration=registration, actor=request.user)
    except PermissionDenied as error:
        return _denied(request, event, str(error) if error.args else "")
    if registration.status == Registration.Status.WAITLISTED:
        text = _("Vous avez quitté la liste d'attente du %(when)s.")
    else:
        text = _("Votre inscription du %(when)s est annulée. Merci d'avoir prévenu !")
    messages.success(request, text % {"when": _when(occurrence)})
    return redirect(chosen_return(request, _back(event, occurrence)))


def roster(request, event):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not rules.can_view_roster(request.user, event):
        return _denied(
            request,
            event,
            _("La liste des personnes inscrites est réservée à l'équipe de la Régie."),
        )
    now = timezone.now()
    slots = list(OccurrenceSlot.objects.filter(event=event).order_by("starts_at", "pk"))
    registrations = (
        Registration.objects.active()
        .filter(slot__in=slots)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    people = {}
    for registration in registrations:
        people.setdefault(registration.slot_id, []).append(registration)
    rows = []
    for slot in slots:
        occurrence = event.occurrence_starting(slot.starts_at)
        listed = people.get(slot.pk, [])
        rows.append(
            {
                "slot": slot,
                "occurrence": occurrence,
                "start": slot.starts_at,
                "is_past": slot.starts_at <= now,
                "confirmed": [r for r in listed if r.status == Registration.Status.CONFIRMED],
                "waitlisted": [r for r in listed if r.status == Registration.Status.WAITLISTED],
            }
        )
    context = {
        "upcoming_rows": [row for row in rows if not row["is_past"]],
        "past_rows": [row for row in rows if row["is_past"]][::-1],
    }
    response = event.render(request, template="agenda/roster.html", context_overrides=context)
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
