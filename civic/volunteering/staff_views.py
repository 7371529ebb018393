"""Staff pages for the day itself, without the admin's furniture: the check-in page on a
phone, the printed roster, the certificate of volunteer hours.

They are served under the Wagtail admin (see ``staff_urls.py``, hooked in by
``wagtail_hooks.py``): Wagtail's admin access is required first, then
``rules.can_manage``. Every write goes through ``civic.volunteering.services`` with
``request.user`` as the actor.
"""

import unicodedata

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from civic import dates
from civic.volunteering import services
from civic.volunteering.admin_forms import AttendanceForm, CheckInCodeForm
from civic.volunteering.admin_views import (
    ACTIONS_NS,
    Roster,
    StaffRequiredMixin,
    duration_label,
    hours_label,
    load_shift,
    regie_for,
    shift_when,
    staff_url,
    status_label,
)
from civic.volunteering.models import OfflineVolunteer, Signup


def _folded(text):
    """Lower case, without accents: « Amélie » is found with « amelie »."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _messages_from(request):
    return list(messages.get_messages(request))


class ShiftStaffPage(StaffRequiredMixin, TemplateView):
    @cached_property
    def shift(self):
        return load_shift(self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shift = self.shift
        context.update(
            shift=shift,
            action=shift.action,
            when=shift_when(shift),
            roster_url=staff_url("roster", shift.pk),
            shifts_url=reverse(f"{ACTIONS_NS}:shifts", args=[shift.action_id]),
            page_messages=_messages_from(self.request),
        )
        return context


# --- Check-in -----------------------------------------------------------------------------------


class CheckInView(ShiftStaffPage):
    """On the day, on a phone: one line per confirmed person with « Présence » and
    « Absence » buttons (→ ``services.record_attendance``), a search box (``?q=``, works
    without JavaScript, filters as you type with it), and a field for the code of the
    person's QR code (typed, pasted, or scanned by the camera where the browser has
    ``BarcodeDetector``) → ``services.check_in_by_code``."""

    template_name = "volunteering/staff/checkin.html"

    @cached_property
    def query(self):
        return (self.request.GET.get("q") or self.request.POST.get("q") or "").strip()[:100]

    def get_success_url(self, anchor=""):
        url = staff_url("checkin", self.shift.pk)
        if self.query:
            url += "?" + urlencode({"q": self.query})
        return url + (f"#{anchor}" if anchor else "")

    def post(self, request, *args, **kwargs):
        if request.POST.get("form") == "code":
            form = CheckInCodeForm(request.POST)
            if form.is_valid():
                try:
                    signup = services.check_in_by_code(
                        shift=self.shift, code=form.cleaned_data["code"], actor=request.user
                    )
                except services.VolunteeringError as error:
                    for message in error.messages:
                        form.add_error("code", message)
                else:
                    messages.success(
                        request,
                        _("%(name)s : présence notée.") % {"name": signup.person_name},
                    )
                    return HttpResponseRedirect(self.get_success_url(f"inscription-{signup.pk}"))
            return self.render_to_response(self.get_context_data(code_form=form))

        form = AttendanceForm(request.POST, shift=self.shift)
        if not form.is_valid():
            messages.error(request, _("Cette inscription n'est pas sur ce créneau."))
            return HttpResponseRedirect(self.get_success_url())
        signup = form.cleaned_data["signup"]
        present = form.cleaned_data["present"]
        try:
            signup = services.record_attendance(signup=signup, actor=request.user, present=present)
        except services.VolunteeringError as error:
            messages.error(request, " ".join(error.messages))
        else:
            text = _("%(name)s : présence notée.") if present else _("%(name)s : absence notée.")
            messages.success(request, text % {"name": signup.person_name})
        return HttpResponseRedirect(self.get_success_url(f"inscription-{signup.pk}"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roster = Roster(self.shift)
        people = roster.confirmed
        if self.query:
            wanted = _folded(self.query)
            people = [s for s in people if wanted in _folded(s.name)]
        for signup in roster.confirmed:
            signup.search_key = _folded(signup.name)
        code_form = kwargs.get("code_form")
        scanned = None
        if code_form is None and self.request.GET.get("code"):
            # Opened from a volunteer's QR link (``views.shift_code``): that person's
            # confirmation first, one button from being checked in.
            code_form = CheckInCodeForm({"code": self.request.GET["code"]})
            if code_form.is_valid():
                scanned = (
                    Signup.objects.filter(shift=self.shift)
                    .with_code(code_form.cleaned_data["code"])
                    .select_related("user", "offline_volunteer")
                    .first()
                )
                if scanned is None:
                    code_form.add_error(
                        "code", _("Ce code ne correspond à aucune inscription sur ce créneau.")
                    )
        context.update(
            roster=roster,
            counts=roster.counts(),
            people=people,
            query=self.query,
            code_form=code_form or CheckInCodeForm(),
            scanned=scanned,
            checkin_url=staff_url("checkin", self.shift.pk),
        )
        return context


# --- Printed roster -----------------------------------------------------------------------------


class RosterPrintView(ShiftStaffPage):
    """The roster to print (A4): confirmed people with a box to tick, then the waitlist."""

    template_name = "volunteering/staff/roster_print.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roster = Roster(self.shift)
        for signup in roster.active:
            signup.status_text = status_label(signup)
        context.update(
            roster=roster,
            counts=roster.counts(),
            printed_at=dates.day_and_clock(timezone.now()),
        )
        return context


# --- Certificate of hours -----------------------------------------------------------------------


class CertificateView(StaffRequiredMixin, TemplateView):
    """A certificate of volunteer hours for a person (account or without account), to
    print on A4: the Régie, the person, the shifts counted (past, confirmed, not marked
    absent), the total (``services.hours_given``), the date and a signature line."""

    template_name = "volunteering/staff/certificate.html"
    kind = "user"  # or "offline"

    @cached_property
    def person(self):
        if self.kind == "offline":
            return get_object_or_404(
                OfflineVolunteer.objects.select_related("neighbourhood__regie"),
                pk=self.kwargs["pk"],
            )
        return get_object_or_404(
            get_user_model().objects.select_related("neighbourhood__regie"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        person = self.person
        if self.kind == "offline":
            filters, name = {"offline_volunteer": person}, person.name
        else:
            filters, name = {"user": person}, person.display_name
        signups = (
            Signup.objects.counted_for_hours(now)
            .filter(**filters)
            .select_related("shift__action")
            .order_by("shift__starts_at", "pk")
        )
        lines = [
            {
                "date": dates.day(s.shift.starts_at, year=True),
                "action": s.shift.action.title,
                "role": s.shift.role,
                "duration": duration_label(s.shift.duration),
            }
            for s in signups
        ]
        total = services.hours_given(now=now, **filters)
        regie = regie_for(person.neighbourhood)
        context.update(
            regie=regie,
            person_name=name,
            lines=lines,
            total_hours=total,
            total_text=hours_label(total),
            issued_on=dates.day(timezone.localdate(), year=True, weekday=False),
            certificates_url=reverse("volunteering_certificates:index"),
            page_messages=_messages_from(self.request),
        )
        return context
