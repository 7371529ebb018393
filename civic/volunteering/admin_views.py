"""The staff admin for volunteer actions ("Agir"), inside Wagtail: the actions (listing,
creation, edition), their shifts (one at a time or a repeating pattern, places, cancelling),
the roster of a shift with the assisted sign-up desk ("guichet"), its CSV export, the
statistics report and the search for certificates of hours.

Every write goes through ``civic.volunteering.services`` with ``request.user`` as the
actor; the views only collect input and show the service's refusal on the form.
Access: ``rules.can_manage`` (the ``volunteering.manage_volunteering`` permission, held by
the Editors and Moderators groups, or a superuser), on top of Wagtail's admin access.
The pages for the day itself (check-in, printed roster, certificate) are in
``staff_views.py``; the viewsets and URLs are wired in ``wagtail_hooks.py`` and
``staff_urls.py``.
"""

import csv
from datetime import datetime, time, timedelta

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button, HeaderButton, ListingButton
from wagtail.log_actions import LogFormatter, log
from wagtail.permission_policies import BasePermissionPolicy

from civic import dates
from civic.errors import add_service_error
from civic.exports import spreadsheet_safe
from civic.territory.models import Neighbourhood, Regie
from civic.volunteering import rules, services
from civic.volunteering.admin_forms import (
    AccountSignupForm,
    CapacityForm,
    KnownOfflineSignupForm,
    OfflineVolunteerForm,
    PeriodForm,
    PersonSearchForm,
    RepeatingShiftsForm,
    ShiftForm,
)
from civic.volunteering.models import Action, OfflineVolunteer, Shift, Signup

ACTIONS_NS = "volunteering_actions"
STAFF_NS = "volunteering_staff"
STATS_NS = "volunteering_stats"
CERTIFICATES_NS = "volunteering_certificates"


def action_url(view_name, action):
    return reverse(f"{ACTIONS_NS}:{view_name}", args=[action.pk])


def staff_url(view_name, *args):
    return reverse(f"{STAFF_NS}:{view_name}", args=args)


def public_url(action):
    """The action's public page, when it is published (and once the public views exist)."""
    if not action.is_published:
        return ""
    try:
        return action.get_absolute_url()
    except NoReverseMatch:
        return ""


# --- Permissions ------------------------------------------------------------------------------


def volunteer_managers():
    """Everyone ``rules.can_manage`` lets in (for Wagtail's permission policy)."""
    permission = Permission.objects.filter(
        content_type__app_label="volunteering", codename="manage_volunteering"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__in=permission)
            | Q(user_permissions__in=permission)
        )
        .distinct()
    )


class VolunteeringPermissionPolicy(BasePermissionPolicy):
    """Wagtail permission policy where the listed actions belong to volunteer managers
    (``rules.can_manage``) and every other one to nobody, superusers included: actions are
    never deleted here (their sign-ups are the volunteers' hours)."""

    def __init__(self, model, actions):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and rules.can_manage(user)

    def users_with_any_permission(self, actions):
        if self.actions.isdisjoint(actions):
            return get_user_model().objects.none()
        return volunteer_managers()


class StaffRequiredMixin:
    """Refuse anyone who may not manage volunteering. Wagtail's admin turns the
    PermissionDenied into a redirect (to the login page for people without admin access)."""

    def dispatch(self, request, *args, **kwargs):
        if not rules.can_manage(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# --- Wagtail history (audit log) ----------------------------------------------------------------


class _DataLogFormatter(LogFormatter):
    template = ""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        try:
            return self.template % data
        except (KeyError, TypeError, ValueError):
            return self.label


def _formatter(label, template):
    return type("_Formatter", (_DataLogFormatter,), {"label": label, "template": template})


LOG_ACTIONS = {
    "quartier.agir.shift_added": _formatter(
        gettext_lazy("Créneau ajouté"), gettext_lazy("Créneau ajouté : %(when)s")
    ),
    "quartier.agir.shifts_repeated": _formatter(
        gettext_lazy("Créneaux répétés"),
        gettext_lazy("%(count)s créneaux ajoutés à partir du %(when)s"),
    ),
    "quartier.agir.capacity": _formatter(
        gettext_lazy("Places"), gettext_lazy("Créneau du %(when)s : %(before)s → %(after)s places")
    ),
    "quartier.agir.shift_cancelled": _formatter(
        gettext_lazy("Créneau annulé"), gettext_lazy("Créneau du %(when)s annulé")
    ),
}


def register_log_actions(actions):
    for action, formatter_class in LOG_ACTIONS.items():
        actions.register_action(action)(formatter_class)


def _log(instance, action, user, **data):
    log(instance=instance, action=action, user=user, data={k: str(v) for k, v in data.items()})


# --- Display helpers ----------------------------------------------------------------------------


def local_datetime(value, fmt="SHORT_DATETIME_FORMAT"):
    return date_format(timezone.localtime(value), fmt) if value else ""


def shift_when(shift):
    """« samedi 7 mars 2026, 10 h – 12 h » (in the Régie's time zone)."""
    start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    if start.date() == end.date():
        return _("%(day)s, %(hours)s") % {
            "day": dates.day(start, year=True),
            "hours": dates.hours(start, end),
        }
    return _("du %(start)s au %(end)s") % {
        "start": dates.day_and_clock(start),
        "end": dates.day_and_clock(end),
    }


def duration_label(duration):
    """« 2 h », « 1 h 30 », « 45 min »."""
    minutes = round(duration.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    if not hours and not minutes:
        return _("0 h")
    if not hours:
        return _("%(m)s min") % {"m": minutes}
    if not minutes:
        return _("%(h)s h") % {"h": hours}
    return _("%(h)s h %(m)02d") % {"h": hours, "m": minutes}


def hours_label(hours):
    return duration_label(timedelta(hours=hours or 0))


def fill_rate(taken, places):
    """Percentage of places taken, or None without places."""
    if not places:
        return None
    return round(100 * (taken or 0) / places)


def mask_email(email):
    """Enough to tell two namesakes apart at the desk, without showing the address."""
    local, _at, domain = (email or "").partition("@")
    if not domain:
        return ""
    return f"{local[:2]}…@{domain}"


def person_phone(signup):
    return signup.person_phone


def certificate_url_for(signup):
    if signup.user_id:
        return staff_url("certificate_user", signup.user_id)
    if signup.offline_volunteer_id:
        return staff_url("certificate_offline", signup.offline_volunteer_id)
    return ""  # anonymised: nobody to certify


def regie_for(neighbourhood):
    """The Régie of the person's neighbourhood, or the first Régie."""
    if neighbourhood is not None:
        return neighbourhood.regie
    return Regie.objects.order_by("pk").first()


# --- Roster -----------------------------------------------------------------------------------


class Roster:
    """Who is on a shift: confirmed, waitlisted (with their position), cancelled.

    One query: the sign-ups with their person and who registered them."""

    def __init__(self, shift):
        self.shift = shift
        signups = list(
            Signup.objects.filter(shift=shift)
            .select_related("user", "offline_volunteer", "registered_by")
            .order_by("created_at", "pk")
        )
        self.confirmed, self.waitlisted, self.cancelled = [], [], []
        for signup in signups:
            signup.name = signup.person_name
            signup.phone = person_phone(signup)
            signup.registered_by_name = (
                signup.registered_by.display_name if signup.registered_by_id else ""
            )
            signup.certificate_url = certificate_url_for(signup)
            signup.position = None
            if signup.status == Signup.Status.CONFIRMED:
                self.confirmed.append(signup)
            elif signup.status == Signup.Status.WAITLISTED:
                signup.position = len(self.waitlisted) + 1
                self.waitlisted.append(signup)
            else:
                self.cancelled.append(signup)

    @property
    def active(self):
        return self.confirmed + self.waitlisted

    @cached_property
    def active_user_ids(self):
        return {s.user_id for s in self.active if s.user_id}

    @cached_property
    def active_offline_ids(self):
        return {s.offline_volunteer_id for s in self.active if s.offline_volunteer_id}

    def counts(self):
        attendance = [s.attendance for s in self.confirmed]
        return {
            "confirmed": len(self.confirmed),
            "waitlisted": len(self.waitlisted),
            "present": attendance.count(Signup.Attendance.PRESENT),
            "absent": attendance.count(Signup.Attendance.ABSENT),
            "unknown": attendance.count(Signup.Attendance.UNKNOWN),
        }


def status_label(signup):
    if signup.status == Signup.Status.WAITLISTED:
        return _("Liste d'attente (n° %(position)s)") % {"position": signup.position}
    return signup.get_status_display()


def load_shift(pk):
    return get_object_or_404(Shift.objects.select_related("action__neighbourhood"), pk=pk)


# --- Actions: listing, creation, edition --------------------------------------------------------


class ActionFilterSet(WagtailFilterSet):
    quand = django_filters.ChoiceFilter(
        label=gettext_lazy("Quand"),
        choices=[
            ("a-venir", gettext_lazy("À venir")),
            ("passees", gettext_lazy("Passées")),
            ("sans-creneau", gettext_lazy("Sans créneau")),
        ],
        method="filter_when",
        empty_label=gettext_lazy("Toutes"),
    )

    class Meta:
        model = Action
        fields = ["neighbourhood", "is_published"]

    def filter_when(self, queryset, name, value):
        live = Shift.objects.filter(action=OuterRef("pk"), is_cancelled=False)
        upcoming = live.filter(ends_at__gt=timezone.now())
        if value == "a-venir":
            return queryset.filter(Exists(upcoming))
        if value == "passees":
            return queryset.filter(Exists(live)).exclude(Exists(upcoming))
        if value == "sans-creneau":
            return queryset.exclude(Exists(live))
        return queryset


def annotate_fill(queryset):
    """Places, places taken, fill rate and next shift of each action, in the same query
    (one join on the shifts: no row multiplication)."""
    live = Q(shifts__is_cancelled=False)
    return queryset.annotate(
        shift_count=Count("shifts", filter=live),
        places=Coalesce(Sum("shifts__capacity", filter=live), 0),
        taken=Coalesce(Sum("shifts__seats_taken", filter=live), 0),
        next_starts_at=Min(
            "shifts__starts_at", filter=live & Q(shifts__ends_at__gt=timezone.now())
        ),
        last_ends_at=Max("shifts__ends_at", filter=live),
    ).annotate(
        fill_rate=Case(
            When(
                places__gt=0,
                then=Cast(F("taken"), FloatField()) * 100.0 / Cast(F("places"), FloatField()),
            ),
            # No places yet sorts as empty (0 %), the same on SQLite and PostgreSQL,
            # which place NULLs at opposite ends.
            default=Value(0.0),
            output_field=FloatField(),
        )
    )


def _fill_display(action):
    rate = fill_rate(action.taken, action.places)
    if rate is None:
        return "—"
    return _("%(taken)s / %(places)s (%(rate)s %%)") % {
        "taken": action.taken,
        "places": action.places,
        "rate": rate,
    }


def _next_shift_display(action):
    if action.next_starts_at:
        return local_datetime(action.next_starts_at)
    if action.last_ends_at:
        return _("Terminée")
    return _("Aucun créneau")


ACTION_COLUMNS = [
    "title",
    "neighbourhood",
    Column("shift_count", label=gettext_lazy("Créneaux"), sort_key="shift_count"),
    Column(
        "fill_rate",
        label=gettext_lazy("Remplissage"),
        accessor=_fill_display,
        sort_key="fill_rate",
    ),
    Column(
        "next_starts_at",
        label=gettext_lazy("Prochain créneau"),
        accessor=_next_shift_display,
        sort_key="next_starts_at",
    ),
    BooleanColumn("is_published", label=gettext_lazy("Publiée"), sort_key="is_published"),
]


class ActionIndexView(generic.IndexView):
    """All actions, for staff. A row's title opens its shifts page."""

    add_item_label = gettext_lazy("Nouvelle action")

    def get_base_queryset(self):
        return annotate_fill(super().get_base_queryset().select_related("neighbourhood"))

    def get_edit_url(self, instance):
        return action_url("shifts", instance)

    def get_list_more_buttons(self, instance):
        buttons = [
            ListingButton(
                _("Créneaux"),
                url=action_url("shifts", instance),
                icon_name="calendar-alt",
                priority=1,
                attrs={"aria-label": _("Créneaux de « %(title)s »") % {"title": instance}},
            ),
            Button(_("Modifier"), url=action_url("edit", instance), icon_name="edit", priority=10),
            Button(
                _("Historique"),
                url=action_url("history", instance),
                icon_name="history",
                priority=20,
            ),
        ]
        return buttons


def action_header_buttons(action, current=None):
    buttons, more = [], []
    if current != "shifts":
        buttons.append(
            HeaderButton(_("Créneaux"), url=action_url("shifts", action), icon_name="calendar-alt")
        )
    if current != "edit":
        more.append(Button(_("Modifier l'action"), action_url("edit", action), icon_name="edit"))
    more.append(Button(_("Historique"), action_url("history", action), icon_name="history"))
    if url := public_url(action):
        more.append(Button(_("Voir sur le site"), url, icon_name="link-external"))
    return buttons, more


class ActionCreateView(generic.CreateView):
    """A new action → ``services.create_action``; then its shifts page."""

    page_title = gettext_lazy("Nouvelle action")
    submit_button_label = gettext_lazy("Créer l'action")
    submit_button_active_label = gettext_lazy("Création…")
    success_message = gettext_lazy("L'action « %(object)s » est créée : ajoutez ses créneaux.")
    error_message = gettext_lazy("L'action n'a pas été créée : corrigez le formulaire.")

    def save_instance(self):
        form = self.form
        action = services.create_action(
            actor=self.request.user, image=form.uploaded_image, **form.action_fields()
        )
        log(instance=action, action="wagtail.create", user=self.request.user)
        return action

    def form_valid(self, form):
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except ValidationError as error:
            add_service_error(form, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response

    def get_success_url(self):
        return action_url("shifts", self.object)

    def get_success_buttons(self):
        return []


class ActionEditView(generic.EditView):
    """The action's text, place, image and settings. Its shifts are on its shifts page."""

    success_message = gettext_lazy("L'action « %(object)s » est enregistrée.")
    error_message = gettext_lazy("L'action n'a pas été enregistrée : corrigez le formulaire.")

    @cached_property
    def header_buttons(self):
        return action_header_buttons(self.object, current="edit")[0]

    @cached_property
    def header_more_buttons(self):
        return action_header_buttons(self.object, current="edit")[1]

    def get_success_url(self):
        return get_valid_next_url_from_request(self.request) or action_url("shifts", self.object)

    def get_success_buttons(self):
        return []


# --- One action: its shifts ---------------------------------------------------------------------


class ActionPageMixin(StaffRequiredMixin, WagtailAdminTemplateMixin):
    """A staff page about one action, loaded after the permission check."""

    header_icon = "calendar-alt"
    current = ""

    @cached_property
    def action(self):
        return get_object_or_404(
            Action.objects.select_related("neighbourhood", "proposal"), pk=self.kwargs["pk"]
        )

    def get_page_subtitle(self):
        return self.action.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{ACTIONS_NS}:index"), "label": _("Actions bénévoles")},
            {"url": action_url("shifts", self.action), "label": self.action.title},
            {"url": "", "label": self.get_page_title()},
        ]

    @cached_property
    def header_buttons(self):
        return action_header_buttons(self.action, current=self.current)[0]

    @cached_property
    def header_more_buttons(self):
        return action_header_buttons(self.action, current=self.current)[1]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action"] = self.action
        context["public_url"] = public_url(self.action)
        return context


class ShiftRow:
    """A shift as the action's page lists it, with its links."""

    def __init__(self, shift, now):
        self.shift = shift
        self.when = shift_when(shift)
        self.is_past = shift.is_past(now)
        self.fill_rate = fill_rate(shift.seats_taken, shift.capacity)
        self.roster_url = staff_url("roster", shift.pk)
        self.checkin_url = staff_url("checkin", shift.pk)
        self.print_url = staff_url("roster_print", shift.pk)
        self.csv_url = staff_url("roster_csv", shift.pk)
        self.capacity_url = staff_url("shift_capacity", shift.pk)
        self.cancel_url = staff_url("shift_cancel", shift.pk)


class ActionShiftsView(ActionPageMixin, TemplateView):
    """The action's main admin page: its shifts with places and waitlist, links to each
    roster and check-in, and the forms to add a shift (→ ``services.add_shift``) or a
    repeating pattern (→ ``services.add_repeating_shifts``)."""

    template_name = "volunteering/admin/shifts.html"
    page_title = gettext_lazy("Créneaux")
    current = "shifts"

    def get_forms(self, data=None, which=None):
        return {
            "shift_form": ShiftForm(data if which == "creneau" else None),
            "repeat_form": RepeatingShiftsForm(
                data if which == "repetition" else None, initial={"every_days": 7}
            ),
        }

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(**self.get_forms()))

    def post(self, request, *args, **kwargs):
        which = request.POST.get("form")
        forms = self.get_forms(request.POST, which)
        if which == "creneau":
            form = forms["shift_form"]
            if form.is_valid() and self.add_shift(form):
                return HttpResponseRedirect(action_url("shifts", self.action))
        elif which == "repetition":
            form = forms["repeat_form"]
            if form.is_valid() and self.add_repeating(form):
                return HttpResponseRedirect(action_url("shifts", self.action))
        else:
            messages.error(request, _("Formulaire inconnu."))
            return HttpResponseRedirect(action_url("shifts", self.action))
        messages.error(request, _("Le créneau n'a pas été ajouté : corrigez le formulaire."))
        return self.render_to_response(self.get_context_data(**forms), status=200)

    def add_shift(self, form):
        data = form.cleaned_data
        try:
            shift = services.add_shift(
                actor=self.request.user,
                action=self.action,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                capacity=data["capacity"],
                role=data["role"],
            )
        except services.VolunteeringError as error:
            add_service_error(form, error, {"bad_times": "ends_at", "bad_capacity": "capacity"})
            return False
        _log(self.action, "quartier.agir.shift_added", self.request.user, when=shift_when(shift))
        messages.success(
            self.request, _("Créneau ajouté : %(when)s.") % {"when": shift_when(shift)}
        )
        return True

    def add_repeating(self, form):
        data = form.cleaned_data
        try:
            shifts = services.add_repeating_shifts(
                actor=self.request.user,
                action=self.action,
                first_starts_at=data["first_starts_at"],
                duration=data["duration"],
                every_days=data["every_days"],
                count=data["count"],
                capacity=data["capacity"],
                role=data["role"],
            )
        except services.VolunteeringError as error:
            add_service_error(
                form,
                error,
                {
                    "bad_count": "count",
                    "bad_interval": "every_days",
                    "bad_times": "duration",
                    "bad_capacity": "capacity",
                },
            )
            return False
        first = shift_when(shifts[0])
        _log(
            self.action,
            "quartier.agir.shifts_repeated",
            self.request.user,
            count=len(shifts),
            when=first,
        )
        messages.success(
            self.request,
            ngettext(
                "%(count)s créneau ajouté, à partir du %(when)s.",
                "%(count)s créneaux ajoutés, à partir du %(when)s.",
                len(shifts),
            )
            % {"count": len(shifts), "when": first},
        )
        return True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        shifts = (
            Shift.objects.filter(action=self.action)
            .with_waitlist()
            .annotate(
                present_count=Count(
                    "signups",
                    filter=Q(
                        signups__status=Signup.Status.CONFIRMED,
                        signups__attendance=Signup.Attendance.PRESENT,
                    ),
                    distinct=True,
                )
            )
            .order_by("starts_at", "pk")
        )
        context["rows"] = [ShiftRow(shift, now) for shift in shifts]
        context["edit_url"] = action_url("edit", self.action)
        return context


# --- One shift: places, cancellation ------------------------------------------------------------


class ShiftCapacityView(StaffRequiredMixin, View):
    """Change the number of places (POST) → ``services.change_capacity``; new places go to
    the waitlist, in order."""

    http_method_names = ["post"]

    def post(self, request, pk):
        shift = load_shift(pk)
        form = CapacityForm(request.POST)
        before = shift.seats_taken
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("capacity", [_("Nombre invalide.")])))
        else:
            capacity = form.cleaned_data["capacity"]
            try:
                updated = services.change_capacity(
                    actor=request.user, shift=shift, capacity=capacity
                )
            except services.VolunteeringError as error:
                messages.error(request, " ".join(error.messages))
            else:
                _log(
                    shift.action,
                    "quartier.agir.capacity",
                    request.user,
                    when=shift_when(shift),
                    before=shift.capacity,
                    after=capacity,
                )
                promoted = updated.seats_taken - before
                text = _("Créneau du %(when)s : %(n)s places.") % {
                    "when": shift_when(shift),
                    "n": capacity,
                }
                if promoted:
                    text += " " + ngettext(
                        "%(n)s personne de la liste d'attente est inscrite.",
                        "%(n)s personnes de la liste d'attente sont inscrites.",
                        promoted,
                    ) % {"n": promoted}
                messages.success(request, text)
        return HttpResponseRedirect(
            get_valid_next_url_from_request(request) or action_url("shifts", shift.action)
        )


class ShiftCancelView(StaffRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Confirm, then cancel a shift → ``services.cancel_shift`` (the people signed up are
    told by email)."""

    template_name = "volunteering/admin/shift_cancel.html"
    page_title = gettext_lazy("Annuler le créneau")
    header_icon = "warning"

    @cached_property
    def shift(self):
        return load_shift(self.kwargs["pk"])

    def get_page_subtitle(self):
        return self.shift.action.title

    def get_breadcrumbs_items(self):
        action = self.shift.action
        return self.breadcrumbs_items + [
            {"url": reverse(f"{ACTIONS_NS}:index"), "label": _("Actions bénévoles")},
            {"url": action_url("shifts", action), "label": action.title},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["shift"] = self.shift
        context["when"] = shift_when(self.shift)
        context["active_count"] = self.shift.signups.active().count()
        context["offline_count"] = (
            self.shift.signups.active().filter(offline_volunteer__isnull=False).count()
        )
        context["back_url"] = action_url("shifts", self.shift.action)
        context["roster_url"] = staff_url("roster", self.shift.pk)
        return context

    def post(self, request, pk):
        shift = self.shift
        if shift.is_cancelled:
            messages.warning(request, _("Ce créneau était déjà annulé."))
        else:
            try:
                services.cancel_shift(actor=request.user, shift=shift)
            except services.VolunteeringError as error:
                # A shift already over cannot be cancelled: say so instead of a 500.
                messages.error(request, " ".join(error.messages))
                return HttpResponseRedirect(action_url("shifts", shift.action))
            _log(
                shift.action, "quartier.agir.shift_cancelled", request.user, when=shift_when(shift)
            )
            messages.success(
                request, _("Le créneau du %(when)s est annulé.") % {"when": shift_when(shift)}
            )
        return HttpResponseRedirect(action_url("shifts", shift.action))


# --- Roster and assisted sign-up (guichet) -----------------------------------------------------


class SearchResult:
    def __init__(self, *, kind, pk, name, detail, already):
        self.kind, self.pk, self.name, self.detail, self.already = kind, pk, name, detail, already


def search_people(query, roster, limit=15):
    """Accounts (by name or email) and people registered without an account (by name)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(display_name__icontains=query)
            | Q(email__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
        .select_related("neighbourhood")
        .order_by("display_name", "pk")[:limit]
    )
    offline = (
        OfflineVolunteer.objects.filter(name__icontains=query)
        .select_related("neighbourhood")
        .order_by("name", "pk")[:limit]
    )
    results = []
    for user in users:
        detail = ", ".join(
            part
            for part in (user.neighbourhood and user.neighbourhood.name, mask_email(user.email))
            if part
        )
        results.append(
            SearchResult(
                kind="compte",
                pk=user.pk,
                name=user.display_name,
                detail=detail,
                already=user.pk in roster.active_user_ids,
            )
        )
    for person in offline:
        detail = ", ".join(
            part
            for part in (person.neighbourhood and person.neighbourhood.name, _("sans compte"))
            if part
        )
        results.append(
            SearchResult(
                kind="connu",
                pk=person.pk,
                name=person.name,
                detail=detail,
                already=person.pk in roster.active_offline_ids,
            )
        )
    return results


def signup_message(signup):
    name = signup.person_name
    if signup.status == Signup.Status.WAITLISTED:
        position = (
            Signup.objects.filter(shift_id=signup.shift_id, status=Signup.Status.WAITLISTED)
            .filter(
                Q(created_at__lt=signup.created_at)
                | Q(created_at=signup.created_at, pk__lt=signup.pk)
            )
            .count()
            + 1
        )
        return _("%(name)s est sur la liste d'attente (n° %(position)s).") % {
            "name": name,
            "position": position,
        }
    return _("%(name)s : inscription enregistrée.") % {"name": name}


class RosterView(StaffRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """The roster of a shift, and the desk: search a resident's account and sign them up
    (``services.sign_up(actor=staff, user=…)``), or register a resident without an account
    with their consent (``services.register_offline_volunteer`` then ``sign_up``)."""

    template_name = "volunteering/admin/roster.html"
    page_title = gettext_lazy("Liste des bénévoles")
    header_icon = "group"

    @cached_property
    def shift(self):
        return load_shift(self.kwargs["pk"])

    def get_page_subtitle(self):
        return self.shift.action.title

    def get_breadcrumbs_items(self):
        action = self.shift.action
        return self.breadcrumbs_items + [
            {"url": reverse(f"{ACTIONS_NS}:index"), "label": _("Actions bénévoles")},
            {"url": action_url("shifts", action), "label": action.title},
            {"url": "", "label": shift_when(self.shift)},
        ]

    @cached_property
    def header_buttons(self):
        pk = self.shift.pk
        return [
            HeaderButton(_("Pointage"), url=staff_url("checkin", pk), icon_name="tasks"),
            HeaderButton(_("Imprimer"), url=staff_url("roster_print", pk), icon_name="doc-full"),
        ]

    @cached_property
    def header_more_buttons(self):
        return [
            Button(
                _("Exporter en CSV"), staff_url("roster_csv", self.shift.pk), icon_name="download"
            )
        ]

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        which = request.POST.get("form")
        offline_form = None
        if which == "compte":
            self.sign_up_account(AccountSignupForm(request.POST))
        elif which == "connu":
            self.sign_up_known(KnownOfflineSignupForm(request.POST))
        elif which == "sans-compte":
            offline_form = OfflineVolunteerForm(request.POST)
            if self.sign_up_offline(offline_form):
                offline_form = None
            else:
                messages.error(
                    request, _("La personne n'a pas été inscrite : corrigez le formulaire.")
                )
                return self.render_to_response(self.get_context_data(offline_form=offline_form))
        else:
            messages.error(request, _("Formulaire inconnu."))
        return HttpResponseRedirect(staff_url("roster", self.shift.pk))

    def _sign_up(self, **person):
        try:
            signup = services.sign_up(shift=self.shift, actor=self.request.user, **person)
        except services.VolunteeringError as error:
            messages.error(self.request, " ".join(error.messages))
            return None
        except PermissionDenied:
            messages.error(self.request, _("Ce compte ne peut pas être inscrit."))
            return None
        messages.success(self.request, signup_message(signup))
        return signup

    def sign_up_account(self, form):
        if not form.is_valid():
            messages.error(self.request, _("Choisissez un compte dans les résultats."))
            return
        self._sign_up(user=form.cleaned_data["user"])

    def sign_up_known(self, form):
        if not form.is_valid():
            messages.error(self.request, _("Choisissez une personne dans les résultats."))
            return
        self._sign_up(offline_volunteer=form.cleaned_data["offline_volunteer"])

    def sign_up_offline(self, form):
        if not form.is_valid():
            return False
        data = form.cleaned_data
        try:
            with transaction.atomic():
                person = services.register_offline_volunteer(
                    actor=self.request.user,
                    name=data["name"],
                    phone=data["phone"],
                    neighbourhood=data["neighbourhood"],
                    consent=data["consent"],
                )
                signup = services.sign_up(
                    shift=self.shift, actor=self.request.user, offline_volunteer=person
                )
        except services.VolunteeringError as error:
            add_service_error(form, error, {"no_consent": "consent", "no_name": "name"})
            return False
        messages.success(self.request, signup_message(signup))
        return True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shift = self.shift
        roster = Roster(shift)
        search_form = PersonSearchForm(self.request.GET or None)
        query = search_form.query() if self.request.GET else ""
        context.update(
            shift=shift,
            action=shift.action,
            when=shift_when(shift),
            roster=roster,
            counts=roster.counts(),
            is_open=rules.shift_is_open(shift),
            can_cancel=shift.ends_at > timezone.now(),
            search_form=search_form,
            query=query,
            results=search_people(query, roster) if query else None,
            offline_form=kwargs.get("offline_form")
            or OfflineVolunteerForm(initial={"neighbourhood": shift.action.neighbourhood_id}),
            roster_url=staff_url("roster", shift.pk),
            shifts_url=action_url("shifts", shift.action),
        )
        for signup in roster.confirmed + roster.waitlisted:
            signup.status_text = status_label(signup)
            signup.cancel_url = staff_url("signup_cancel", signup.pk)
        return context


class SignupCancelView(StaffRequiredMixin, View):
    """Cancel a sign-up on the person's behalf (POST) → ``services.cancel_signup``; the
    freed place goes to the waitlist."""

    http_method_names = ["post"]

    def post(self, request, pk):
        signup = get_object_or_404(
            Signup.objects.select_related("shift__action", "user", "offline_volunteer"), pk=pk
        )
        name = signup.person_name
        if not signup.is_active:
            messages.warning(
                request, _("%(name)s : l'inscription était déjà annulée.") % {"name": name}
            )
        else:
            try:
                services.cancel_signup(signup=signup, actor=request.user)
            except PermissionDenied:
                messages.error(
                    request, _("Ce créneau est terminé : l'inscription ne peut plus être annulée.")
                )
            else:
                messages.success(request, _("%(name)s : inscription annulée.") % {"name": name})
        return HttpResponseRedirect(
            get_valid_next_url_from_request(request) or staff_url("roster", signup.shift_id)
        )


# --- CSV ----------------------------------------------------------------------------------------


def csv_response(filename, header, rows):
    """A CSV for Excel: UTF-8 with a BOM, ";" as separator (French settings), every text
    cell neutralised against formulas."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in rows:
        writer.writerow(
            [cell if isinstance(cell, int | float) else spreadsheet_safe(cell) for cell in row]
        )
    return response


class RosterCsvView(StaffRequiredMixin, View):
    """The roster as CSV: names, phones, status, who registered them, attendance. Never an
    email address."""

    http_method_names = ["get"]

    def get(self, request, pk):
        shift = load_shift(pk)
        roster = Roster(shift)
        header = [
            _("Nom"),
            _("Téléphone"),
            _("Statut"),
            _("Position en liste d'attente"),
            _("Inscription faite par"),
            _("Présence"),
            _("Inscription le"),
        ]
        rows = [
            [
                signup.name,
                signup.phone,
                signup.get_status_display(),
                signup.position or "",
                signup.registered_by_name,
                signup.get_attendance_display() if signup.status == Signup.Status.CONFIRMED else "",
                local_datetime(signup.created_at, "d/m/Y H:i"),
            ]
            for signup in roster.active
        ]
        start = timezone.localtime(shift.starts_at)
        filename = f"liste-{slugify(shift.action.title)[:40]}-{start:%Y-%m-%d-%Hh%M}"
        return csv_response(filename, header, rows)


# --- Statistics ---------------------------------------------------------------------------------

SIGNUP_DURATION = ExpressionWrapper(
    F("shift__ends_at") - F("shift__starts_at"), output_field=DurationField()
)


def _sum_subquery(queryset, group_by, expression, output_field):
    values = (
        queryset.filter(**{group_by: OuterRef("pk")})
        .order_by()
        .values(group_by)
        .annotate(total=expression)
        .values("total")
    )
    return Subquery(values, output_field=output_field)


def period_bounds(start, end):
    tz = timezone.get_current_timezone()
    lower = timezone.make_aware(datetime.combine(start, time.min), tz) if start else None
    upper = (
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz)
        if end
        else None
    )
    return lower, upper


def annotate_statistics(queryset, *, by, lower=None, upper=None, now=None):
    """Per row of ``queryset`` (``by="action"`` or ``by="neighbourhood"``):
    live shifts, places, places taken, waitlist, attendance and hours given, each a
    correlated subquery: one query for the whole report, no row multiplication."""
    now = now or timezone.now()
    shifts = Shift.objects.filter(is_cancelled=False)
    signups = Signup.objects.filter(shift__is_cancelled=False)
    if lower:
        shifts = shifts.filter(starts_at__gte=lower)
        signups = signups.filter(shift__starts_at__gte=lower)
    if upper:
        shifts = shifts.filter(starts_at__lt=upper)
        signups = signups.filter(shift__starts_at__lt=upper)
    # The same rule as the hours on certificates and "Mes créneaux".
    counted = Signup.objects.counted_for_hours(now)
    if lower:
        counted = counted.filter(shift__starts_at__gte=lower)
    if upper:
        counted = counted.filter(shift__starts_at__lt=upper)
    shift_key = "action__neighbourhood" if by == "neighbourhood" else "action"
    signup_key = f"shift__{shift_key}"
    integer = IntegerField()
    return queryset.annotate(
        shift_count=Coalesce(_sum_subquery(shifts, shift_key, Count("pk"), integer), 0),
        places=Coalesce(_sum_subquery(shifts, shift_key, Sum("capacity"), integer), 0),
        taken=Coalesce(_sum_subquery(shifts, shift_key, Sum("seats_taken"), integer), 0),
        waitlisted=Coalesce(
            _sum_subquery(
                signups.filter(status=Signup.Status.WAITLISTED), signup_key, Count("pk"), integer
            ),
            0,
        ),
        present=Coalesce(
            _sum_subquery(
                signups.filter(
                    status=Signup.Status.CONFIRMED, attendance=Signup.Attendance.PRESENT
                ),
                signup_key,
                Count("pk"),
                integer,
            ),
            0,
        ),
        absent=Coalesce(
            _sum_subquery(
                signups.filter(status=Signup.Status.CONFIRMED, attendance=Signup.Attendance.ABSENT),
                signup_key,
                Count("pk"),
                integer,
            ),
            0,
        ),
        given=_sum_subquery(counted, signup_key, Sum(SIGNUP_DURATION), DurationField()),
    ).filter(shift_count__gt=0)


class StatRow:
    def __init__(self, obj, *, label, neighbourhood=""):
        self.object = obj
        self.label = label
        self.neighbourhood = neighbourhood
        self.shift_count = obj.shift_count
        self.places = obj.places
        self.taken = obj.taken
        self.waitlisted = obj.waitlisted
        self.present = obj.present
        self.absent = obj.absent
        self.fill_rate = fill_rate(obj.taken, obj.places)
        self.hours = round((obj.given or timedelta()).total_seconds() / 3600, 2)
        self.hours_text = hours_label(self.hours)


class Totals:
    def __init__(self, rows):
        self.shift_count = sum(r.shift_count for r in rows)
        self.places = sum(r.places for r in rows)
        self.taken = sum(r.taken for r in rows)
        self.waitlisted = sum(r.waitlisted for r in rows)
        self.present = sum(r.present for r in rows)
        self.absent = sum(r.absent for r in rows)
        self.fill_rate = fill_rate(self.taken, self.places)
        self.hours = round(sum(r.hours for r in rows), 2)
        self.hours_text = hours_label(self.hours)


class StatisticsView(StaffRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Fill rates and hours given, per action and per neighbourhood, over an optional
    period (on the shifts' start). ``?export=actions`` or ``?export=quartiers``: CSV."""

    template_name = "volunteering/admin/statistics.html"
    page_title = gettext_lazy("Statistiques des actions bénévoles")
    header_icon = "table"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    @cached_property
    def period_form(self):
        return PeriodForm(self.request.GET or None)

    @cached_property
    def bounds(self):
        form = self.period_form
        if form.is_bound and form.is_valid():
            return period_bounds(form.cleaned_data.get("du"), form.cleaned_data.get("au"))
        return None, None

    def action_rows(self):
        lower, upper = self.bounds
        actions = annotate_statistics(
            Action.objects.select_related("neighbourhood"), by="action", lower=lower, upper=upper
        ).order_by("neighbourhood__name", "title", "pk")
        return [StatRow(a, label=a.title, neighbourhood=a.neighbourhood.name) for a in actions]

    def neighbourhood_rows(self):
        lower, upper = self.bounds
        neighbourhoods = annotate_statistics(
            Neighbourhood.objects.all(), by="neighbourhood", lower=lower, upper=upper
        ).order_by("name", "pk")
        return [StatRow(n, label=n.name) for n in neighbourhoods]

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export == "actions":
            return self.export(
                "statistiques-actions", [_("Action"), _("Quartier")], self.action_rows(), True
            )
        if export == "quartiers":
            return self.export(
                "statistiques-quartiers", [_("Quartier")], self.neighbourhood_rows(), False
            )
        return super().get(request, *args, **kwargs)

    def export(self, filename, first_columns, rows, with_neighbourhood):
        header = first_columns + [
            _("Créneaux"),
            _("Places"),
            _("Places prises"),
            _("Taux de remplissage (%)"),
            _("Liste d'attente"),
            _("Présences pointées"),
            _("Absences"),
            _("Heures données"),
        ]
        lines = []
        for row in rows:
            start = [row.label, row.neighbourhood] if with_neighbourhood else [row.label]
            lines.append(
                start
                + [
                    row.shift_count,
                    row.places,
                    row.taken,
                    "" if row.fill_rate is None else row.fill_rate,
                    row.waitlisted,
                    row.present,
                    row.absent,
                    str(row.hours).replace(".", ","),
                ]
            )
        return csv_response(filename, header, lines)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action_rows = self.action_rows()
        neighbourhood_rows = self.neighbourhood_rows()
        query = self.request.GET.copy()
        query.pop("export", None)
        base = self.request.path
        context.update(
            period_form=self.period_form,
            action_rows=action_rows,
            neighbourhood_rows=neighbourhood_rows,
            totals=Totals(neighbourhood_rows),
            export_actions_url=f"{base}?{_with(query, export='actions')}",
            export_neighbourhoods_url=f"{base}?{_with(query, export='quartiers')}",
        )
        return context


def _with(query, **params):
    query = query.copy()
    for key, value in params.items():
        query[key] = value
    return query.urlencode()


# --- Certificates: find a person ----------------------------------------------------------------


class CertificateSearchView(StaffRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Find a volunteer (account or without account) to print their certificate of hours."""

    template_name = "volunteering/admin/certificates.html"
    page_title = gettext_lazy("Attestations d'heures")
    header_icon = "doc-full"
    limit = 30

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = PersonSearchForm(self.request.GET or None)
        query = form.query() if self.request.GET else ""
        results = []
        if query:
            users = (
                get_user_model()
                .objects.filter(Exists(Signup.objects.filter(user=OuterRef("pk"))))
                .filter(
                    Q(display_name__icontains=query)
                    | Q(email__icontains=query)
                    | Q(first_name__icontains=query)
                    | Q(last_name__icontains=query)
                )
                .select_related("neighbourhood")
                .order_by("display_name", "pk")[: self.limit]
            )
            for user in users:
                results.append(
                    {
                        "name": user.display_name,
                        "detail": ", ".join(
                            p
                            for p in (
                                user.neighbourhood and user.neighbourhood.name,
                                mask_email(user.email),
                            )
                            if p
                        ),
                        "url": staff_url("certificate_user", user.pk),
                    }
                )
            offline = (
                OfflineVolunteer.objects.filter(name__icontains=query)
                .select_related("neighbourhood")
                .order_by("name", "pk")[: self.limit]
            )
            for person in offline:
                results.append(
                    {
                        "name": person.name,
                        "detail": ", ".join(
                            p
                            for p in (
                                person.neighbourhood and person.neighbourhood.name,
                                _("sans compte"),
                            )
                            if p
                        ),
                        "url": staff_url("certificate_offline", person.pk),
                    }
                )
        context.update(search_form=form, query=query, results=results)
        return context
