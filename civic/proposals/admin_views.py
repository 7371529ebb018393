"""The staff admin for proposals, inside Wagtail: listing and export, the decision page,
merging, hiding, supports, and the moderation queue.

Every write goes through ``civic.proposals.services`` with ``request.user`` as the actor;
the views only collect input, show the service's refusal on the form, and log what was
done in Wagtail's history so staff can see who did what. Access: ``rules.can_moderate``
(the ``proposals.moderate_proposal`` permission, or a superuser). The viewsets that wire
these views are in ``wagtail_hooks.py``.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import MediaContainer
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button, HeaderButton, ListingButton
from wagtail.log_actions import LogFormatter, log
from wagtail.permission_policies import BasePermissionPolicy
from wagtail.snippets.views.snippets import DeleteView as SnippetDeleteView

from civic.errors import add_service_error
from civic.exports import spreadsheet_safe
from civic.proposals import lifecycle, rules, services
from civic.proposals.admin_forms import (
    DecisionForm,
    HideForm,
    MergeForm,
    ReportActionForm,
    RestoreForm,
    SupportOpenForm,
)
from civic.proposals.lifecycle import Status
from civic.proposals.models import Comment, Proposal, Report

PROPOSALS_NS = "proposals_admin"
REPORTS_NS = "reports_admin"


def proposal_url(view_name, proposal):
    return reverse(f"{PROPOSALS_NS}:{view_name}", args=[proposal.pk])


def public_url(proposal):
    """The idea's public page, when it has one (and once the public views exist)."""
    if not proposal.is_public:
        return ""
    try:
        return proposal.get_absolute_url()
    except NoReverseMatch:
        return ""


# --- Permissions ------------------------------------------------------------------------------


class ModerationPermissionPolicy(BasePermissionPolicy):
    """Wagtail permission policy where the listed actions belong to moderators only
    (``rules.can_moderate``), and every other action to nobody, superusers included."""

    def __init__(self, model, actions):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and rules.can_moderate(user)

    def users_with_any_permission(self, actions):
        if self.actions.isdisjoint(actions):
            return get_user_model().objects.none()
        return services.moderators()


class ThemePermissionPolicy(ModerationPermissionPolicy):
    """A theme still used by ideas cannot be deleted (its foreign key protects it):
    staff deactivate it instead."""

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "delete" and instance.proposals.exists():
            return False
        return super().user_has_permission_for_instance(user, action, instance)


class ModeratorRequiredMixin:
    """Refuse anyone who may not moderate. Wagtail's admin turns the PermissionDenied into
    a redirect (to the login page for people without admin access)."""

    def dispatch(self, request, *args, **kwargs):
        if not rules.can_moderate(request.user):
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
    "quartier.proposal.decision": _formatter(
        gettext_lazy("Décision"), gettext_lazy("Nouvel état : %(to_label)s")
    ),
    "quartier.proposal.merge": _formatter(
        gettext_lazy("Fusion"), gettext_lazy("Fusionnée dans « %(into_title)s »")
    ),
    "quartier.hide": _formatter(gettext_lazy("Masquage"), gettext_lazy("Masqué : %(reason)s")),
    "quartier.restore": _formatter(gettext_lazy("Rétablissement"), gettext_lazy("Rétabli")),
    "quartier.proposal.supports": _formatter(
        gettext_lazy("Soutiens"), gettext_lazy("Soutiens : %(state)s")
    ),
    "quartier.report.dismiss": _formatter(
        gettext_lazy("Signalements classés"),
        gettext_lazy("%(count)s signalement(s) classé(s) sans suite"),
    ),
}


def register_log_actions(actions):
    for action, formatter_class in LOG_ACTIONS.items():
        actions.register_action(action)(formatter_class)


def _log(instance, action, user, **data):
    log(instance=instance, action=action, user=user, data={k: str(v) for k, v in data.items()})


# --- Listing and export -------------------------------------------------------------------------


class ProposalFilterSet(WagtailFilterSet):
    class Meta:
        model = Proposal
        fields = ["status", "neighbourhood", "theme", "is_hidden", "support_open"]


def _local_naive(value):
    return timezone.make_naive(value) if timezone.is_aware(value) else value


class ProposalIndexView(generic.IndexView):
    """All ideas, for staff. A row's title opens its decision page."""

    export_filename = "idees"
    # XLSX cells are already kept as text by Wagtail; CSV needs the guard.
    custom_field_preprocess = {
        field: {"csv": spreadsheet_safe} for field in ("title", "description", "address")
    }
    # Dates in local time (the base entry keeps its place: it must match before ``date``).
    custom_value_preprocess = {
        **generic.IndexView.custom_value_preprocess,
        datetime.datetime: {
            "csv": lambda value: _local_naive(value).strftime("%Y-%m-%d %H:%M"),
            "xlsx": _local_naive,
        },
        bool: {
            "csv": lambda value: _("oui") if value else _("non"),
            "xlsx": lambda value: _("oui") if value else _("non"),
        },
    }

    @cached_property
    def search_query(self):
        # SQLite refuses a LIKE pattern over 50 000 bytes (a 503 "database unavailable" for
        # a pasted 100 kB ?q=); a search is a few words.
        return super().search_query[:200]

    def get_base_queryset(self):
        return super().get_base_queryset().with_counts().select_related("neighbourhood", "theme")

    def get_edit_url(self, instance):
        # The title links to the decision page: the idea's main page in the admin.
        return proposal_url("decision", instance)

    def get_list_more_buttons(self, instance):
        buttons = [
            ListingButton(
                _("Décision"),
                url=proposal_url("decision", instance),
                icon_name="tasks",
                priority=1,
                attrs={"aria-label": _("Décision sur « %(title)s »") % {"title": instance}},
            ),
            MenuItem(
                _("Thème, quartier et lieu"),
                proposal_url("edit", instance),
                icon_name="edit",
                priority=10,
            ),
        ]
        if instance.status in lifecycle.MERGEABLE_STATUSES:
            buttons.append(
                MenuItem(_("Fusionner"), proposal_url("merge", instance), icon_name="resubmit")
            )
        if instance.is_hidden:
            buttons.append(
                MenuItem(_("Rétablir"), proposal_url("restore", instance), icon_name="view")
            )
        else:
            buttons.append(
                MenuItem(_("Masquer"), proposal_url("hide", instance), icon_name="no-view")
            )
        buttons.append(
            MenuItem(_("Historique"), proposal_url("history", instance), icon_name="history")
        )
        return buttons


def proposal_header_buttons(proposal, current=None):
    """The buttons shared by a proposal's admin pages (but the current one)."""
    buttons = []
    if current != "decision":
        buttons.append(
            HeaderButton(_("Décision"), url=proposal_url("decision", proposal), icon_name="tasks")
        )
    more = []
    if current != "edit":
        more.append(
            Button(_("Thème, quartier et lieu"), proposal_url("edit", proposal), icon_name="edit")
        )
    if current != "merge" and proposal.status in lifecycle.MERGEABLE_STATUSES:
        more.append(Button(_("Fusionner"), proposal_url("merge", proposal), icon_name="resubmit"))
    if proposal.is_hidden and current != "restore":
        more.append(Button(_("Rétablir"), proposal_url("restore", proposal), icon_name="view"))
    elif not proposal.is_hidden and current != "hide":
        more.append(Button(_("Masquer"), proposal_url("hide", proposal), icon_name="no-view"))
    more.append(Button(_("Historique"), proposal_url("history", proposal), icon_name="history"))
    if url := public_url(proposal):
        more.append(Button(_("Voir sur le site"), url, icon_name="link-external"))
    return buttons, more


class ProposalEditView(generic.EditView):
    """Reclassify an idea (theme, neighbourhood) and place its pin. Its text belongs to its
    author; its state changes only through the decision page."""

    page_title = gettext_lazy("Thème, quartier et lieu")
    success_message = gettext_lazy("Le classement de l'idée « %(object)s » est enregistré.")

    @cached_property
    def header_buttons(self):
        return proposal_header_buttons(self.object, current="edit")[0]

    @cached_property
    def header_more_buttons(self):
        return proposal_header_buttons(self.object, current="edit")[1]

    def get_side_panels(self):
        # Wagtail's status panel would call every idea "live": the decision page tells.
        return MediaContainer([])

    def get_success_url(self):
        return proposal_url("decision", self.object)


# --- One proposal: decision, merge, hide, restore, supports --------------------------------------


class ProposalActionMixin(ModeratorRequiredMixin, WagtailAdminTemplateMixin):
    """A staff page about one proposal, loaded after the permission check."""

    header_icon = "tasks"
    current = ""

    @cached_property
    def proposal(self):
        # Loaded by the handler, so after ModeratorRequiredMixin.dispatch's check.
        return get_object_or_404(
            Proposal.objects.with_counts().select_related(
                "neighbourhood", "theme", "author", "merged_into"
            ),
            pk=self.kwargs["pk"],
        )

    def get_page_subtitle(self):
        return self.proposal.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{PROPOSALS_NS}:index"), "label": _("Idées")},
            {"url": proposal_url("decision", self.proposal), "label": self.proposal.title},
            {"url": "", "label": self.get_page_title()},
        ]

    @cached_property
    def header_buttons(self):
        return proposal_header_buttons(self.proposal, current=self.current)[0]

    @cached_property
    def header_more_buttons(self):
        return proposal_header_buttons(self.proposal, current=self.current)[1]

    def get_success_url(self):
        return get_valid_next_url_from_request(self.request) or proposal_url(
            "decision", self.proposal
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["proposal"] = self.proposal
        context["public_url"] = public_url(self.proposal)
        context["open_report_count"] = self.proposal.reports.filter(
            resolved_at__isnull=True
        ).count()
        context["next"] = get_valid_next_url_from_request(self.request)
        return context


class DecisionView(ProposalActionMixin, FormView):
    """The idea, its public history, and the staff decision (moderation for a submitted
    idea, then each step of its study) → ``services.change_status``."""

    template_name = "proposals/admin/decision.html"
    form_class = DecisionForm
    page_title = gettext_lazy("Décision")
    current = "decision"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "proposal": self.proposal}

    def form_valid(self, form):
        previous = self.proposal.status
        to_status = Status(form.cleaned_data["to_status"])
        try:
            services.change_status(
                proposal=self.proposal,
                actor=self.request.user,
                to_status=to_status,
                answer=form.cleaned_data["answer"],
            )
        except services.ProposalError as error:
            add_service_error(
                form,
                error,
                {"answer_required": "answer", "invalid_transition": "to_status"},
            )
            return self.form_invalid(form)
        _log(
            self.proposal,
            "quartier.proposal.decision",
            self.request.user,
            from_status=previous,
            to_status=to_status.value,
            to_label=to_status.label,
        )
        messages.success(
            self.request,
            _("« %(title)s » : %(status)s.")
            % {"title": self.proposal.title, "status": to_status.label},
        )
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        messages.validation_error(
            self.request, _("La décision n'a pas été enregistrée : corrigez le formulaire."), form
        )
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = self.proposal.history.select_related("actor")
        context["support_form_url"] = proposal_url("supports", self.proposal)
        context["show_support_toggle"] = (
            self.proposal.status in lifecycle.SUPPORTABLE_STATUSES or not self.proposal.support_open
        )
        return context


class MergeView(ProposalActionMixin, FormView):
    """Merge this idea (the duplicate) into another → ``services.merge_proposal``."""

    template_name = "proposals/admin/merge.html"
    form_class = MergeForm
    page_title = gettext_lazy("Fusionner")
    header_icon = "resubmit"
    current = "merge"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "duplicate": self.proposal}

    def form_valid(self, form):
        into = form.cleaned_data["into"]
        try:
            services.merge_proposal(
                duplicate=self.proposal,
                into=into,
                actor=self.request.user,
                answer=form.cleaned_data["answer"],
            )
        except services.ProposalError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        _log(
            self.proposal,
            "quartier.proposal.merge",
            self.request.user,
            into_id=into.pk,
            into_title=into.title,
        )
        messages.success(
            self.request,
            _("« %(duplicate)s » a été fusionnée dans « %(into)s ».")
            % {"duplicate": self.proposal.title, "into": into.title},
        )
        return HttpResponseRedirect(
            get_valid_next_url_from_request(self.request) or proposal_url("decision", into)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_merge"] = self.proposal.status in lifecycle.MERGEABLE_STATUSES
        return context


class HideView(ProposalActionMixin, FormView):
    """Hide an idea from the public, with a reason → ``services.hide_proposal``."""

    template_name = "proposals/admin/proposal_form.html"
    form_class = HideForm
    page_title = gettext_lazy("Masquer")
    header_icon = "no-view"
    current = "hide"
    submit_label = gettext_lazy("Masquer l'idée")
    intro = gettext_lazy(
        "L'idée disparaîtra des pages publiques, de la carte et de l'API. Les signalements "
        "ouverts à son sujet seront classés."
    )

    def form_valid(self, form):
        reason = form.cleaned_data["reason"]
        try:
            services.hide_proposal(proposal=self.proposal, actor=self.request.user, reason=reason)
        except services.ProposalError as error:
            add_service_error(form, error, {"reason_required": "reason"})
            return self.form_invalid(form)
        _log(self.proposal, "quartier.hide", self.request.user, reason=reason)
        messages.success(self.request, _("« %(title)s » est masquée.") % {"title": self.proposal})
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(submit_label=self.submit_label, intro=self.intro, **kwargs)


class RestoreView(HideView):
    """Show a hidden idea again → ``services.restore_proposal``."""

    form_class = RestoreForm
    page_title = gettext_lazy("Rétablir")
    header_icon = "view"
    current = "restore"
    submit_label = gettext_lazy("Rétablir l'idée")
    intro = gettext_lazy("L'idée redeviendra visible du public si son état est public.")

    def form_valid(self, form):
        reason = form.cleaned_data["reason"]
        services.restore_proposal(proposal=self.proposal, actor=self.request.user, reason=reason)
        _log(self.proposal, "quartier.restore", self.request.user, reason=reason)
        messages.success(self.request, _("« %(title)s » est rétablie.") % {"title": self.proposal})
        return HttpResponseRedirect(self.get_success_url())


class SupportOpenView(ModeratorRequiredMixin, View):
    """Close or reopen supports (POST only) → ``services.set_support_open``."""

    http_method_names = ["post"]

    def post(self, request, pk):
        proposal = get_object_or_404(Proposal, pk=pk)
        form = SupportOpenForm(request.POST)
        if form.is_valid():
            is_open = form.cleaned_data["is_open"]
            services.set_support_open(proposal=proposal, actor=request.user, is_open=is_open)
            state = _("ouverts") if is_open else _("clos")
            _log(proposal, "quartier.proposal.supports", request.user, state=state)
            messages.success(
                request,
                _("Soutiens %(state)s pour « %(title)s ».") % {"state": state, "title": proposal},
            )
        else:
            messages.error(request, _("Action inconnue."))
        return HttpResponseRedirect(
            get_valid_next_url_from_request(request) or proposal_url("decision", proposal)
        )


# --- Moderation queue ------------------------------------------------------------------------


class ReportedItem:
    """One reported proposal or comment, with its open reports."""

    def __init__(self, *, kind, target, reporter_count, last_reported_at):
        self.kind = kind
        self.target = target
        self.reporter_count = reporter_count
        self.last_reported_at = last_reported_at
        self.reports = []

    @property
    def is_proposal(self):
        return self.kind == "idee"

    @property
    def proposal(self):
        return self.target if self.is_proposal else self.target.proposal

    @property
    def is_hidden(self):
        return self.target.is_hidden

    @property
    def action_url(self):
        return reverse(f"{REPORTS_NS}:action", args=[self.kind, self.target.pk])


class ModerationQueueView(ModeratorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Open reports, one row per reported idea or comment (most reported first), and the
    comments hidden lately, which can be restored."""

    template_name = "proposals/admin/moderation_queue.html"
    page_title = gettext_lazy("Signalements")
    header_icon = "warning"
    per_page = 25
    hidden_comments_shown = 30

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_page(self):
        groups = (
            Report.objects.filter(resolved_at__isnull=True)
            .values("proposal_id", "comment_id")
            .annotate(reporter_count=Count("pk"), last_reported_at=Max("created_at"))
            .order_by("-reporter_count", "-last_reported_at", "proposal_id", "comment_id")
        )
        return Paginator(groups, self.per_page).get_page(self.request.GET.get("p"))

    def build_items(self, groups):
        proposal_ids = [g["proposal_id"] for g in groups if g["proposal_id"]]
        comment_ids = [g["comment_id"] for g in groups if g["comment_id"]]
        proposals = Proposal.objects.select_related("neighbourhood", "author").in_bulk(proposal_ids)
        comments = Comment.objects.select_related("proposal", "author").in_bulk(comment_ids)
        items, by_target = [], {}
        for group in groups:
            if group["proposal_id"]:
                key = ("idee", group["proposal_id"])
                target = proposals.get(group["proposal_id"])
            else:
                key = ("commentaire", group["comment_id"])
                target = comments.get(group["comment_id"])
            if target is None:  # deleted since the count
                continue
            item = ReportedItem(
                kind=key[0],
                target=target,
                reporter_count=group["reporter_count"],
                last_reported_at=group["last_reported_at"],
            )
            items.append(item)
            by_target[key] = item
        open_reports = Report.objects.filter(resolved_at__isnull=True).filter(
            Q(proposal_id__in=proposal_ids) | Q(comment_id__in=comment_ids)
        )
        for report in open_reports.order_by("-created_at"):
            if report.proposal_id:
                key = ("idee", report.proposal_id)
            else:
                key = ("commentaire", report.comment_id)
            if key in by_target:
                by_target[key].reports.append(report)
        return items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.get_page()
        context["page_obj"] = page
        context["items"] = self.build_items(list(page.object_list))
        context["hidden_comments"] = (
            Comment.objects.filter(is_hidden=True)
            .select_related("proposal", "author")
            .order_by("-pk")[: self.hidden_comments_shown]
        )
        context["hidden_proposals_url"] = reverse(f"{PROPOSALS_NS}:index") + "?is_hidden=true"
        return context


class ReportActionView(ModeratorRequiredMixin, View):
    """Act on a reported idea or comment (POST only): hide it (with a reason), restore it,
    or dismiss its open reports."""

    http_method_names = ["post"]
    kinds = {"idee": Proposal, "commentaire": Comment}

    def post(self, request, kind, pk):
        model = self.kinds.get(kind)
        if model is None:
            raise Http404
        target = get_object_or_404(model, pk=pk)
        form = ReportActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Action inconnue."))
        else:
            try:
                self.perform(form.cleaned_data["action"], kind, target, form.cleaned_data["reason"])
            except services.ProposalError as error:
                messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(
            get_valid_next_url_from_request(request) or reverse(f"{REPORTS_NS}:index")
        )

    def perform(self, action, kind, target, reason):
        user, request = self.request.user, self.request
        is_proposal = kind == "idee"
        label = (
            target.title
            if is_proposal
            else _("le commentaire de %(name)s") % {"name": target.author_name}
        )
        if action == ReportActionForm.HIDE:
            if is_proposal:
                services.hide_proposal(proposal=target, actor=user, reason=reason)
            else:
                services.hide_comment(comment=target, actor=user, reason=reason)
            _log(target, "quartier.hide", user, reason=reason)
            messages.success(request, _("Masqué : %(label)s.") % {"label": label})
        elif action == ReportActionForm.RESTORE:
            if is_proposal:
                services.restore_proposal(proposal=target, actor=user, reason=reason)
            else:
                services.restore_comment(comment=target, actor=user, reason=reason)
            _log(target, "quartier.restore", user, reason=reason)
            messages.success(request, _("Rétabli : %(label)s.") % {"label": label})
        else:
            field = "proposal" if is_proposal else "comment"
            reports = list(Report.objects.filter(resolved_at__isnull=True, **{field: target}))
            with transaction.atomic():
                for report_obj in reports:
                    services.dismiss_report(report_obj=report_obj, actor=user)
            _log(target, "quartier.report.dismiss", user, count=len(reports))
            messages.success(
                request,
                _("Signalements classés sans suite : %(label)s.") % {"label": label},
            )


# --- Themes ---------------------------------------------------------------------------------


class ThemeDeleteView(SnippetDeleteView):
    """A theme used by ideas cannot be deleted: say so, and suggest deactivating it."""

    def dispatch(self, request, *args, **kwargs):
        if not self.user_has_permission("delete"):
            raise PermissionDenied
        if not self.user_has_permission_for_instance("delete", self.object):
            count = self.object.proposals.count()
            messages.error(
                request,
                _(
                    "Le thème « %(name)s » est utilisé par %(count)s idée(s) : il ne peut pas "
                    "être supprimé. Décochez « proposé aux habitants » pour le retirer."
                )
                % {"name": self.object, "count": count},
            )
            return HttpResponseRedirect(reverse(self.edit_url_name, args=[self.object.pk]))
        return super().dispatch(request, *args, **kwargs)
