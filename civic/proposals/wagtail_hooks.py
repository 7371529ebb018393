"""The "Idées" menu of the Wagtail admin: ideas, reports, themes.

Only moderators (``proposals.moderate_proposal``, held by the Editors and Moderators
groups, or superusers) see these menu items and reach these pages. Staff never create
ideas here (residents do) nor delete them (moderation hides them).
"""

from django import forms
from django.contrib.auth.models import Permission
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from civic.places.panels import PointPanel
from civic.proposals import admin_forms, admin_views, rules
from civic.proposals.models import Proposal, Theme

# Registered first, before anything asks Wagtail for these models' policies.
register_permission_policy(
    Proposal, admin_views.ModerationPermissionPolicy(Proposal, actions={"change", "view"})
)
register_permission_policy(
    Theme, admin_views.ThemePermissionPolicy(Theme, actions={"add", "change", "delete", "view"})
)


@hooks.register("register_permissions")
def register_moderation_permission():
    """Let administrators give "moderate proposals" to any group in the group editor."""
    return Permission.objects.filter(
        content_type__app_label="proposals", codename="moderate_proposal"
    )


@hooks.register("register_log_actions")
def register_proposal_log_actions(actions):
    admin_views.register_log_actions(actions)


class ProposalViewSet(ModelViewSet):
    model = Proposal
    name = "idees"
    url_namespace = admin_views.PROPOSALS_NS
    icon = "list-ul"
    menu_label = _("Toutes les idées")
    menu_name = "proposals"

    index_view_class = admin_views.ProposalIndexView
    edit_view_class = admin_views.ProposalEditView
    copy_view_enabled = False
    add_to_reference_index = False

    list_display = [
        "title",
        "neighbourhood",
        "theme",
        "status",
        Column("support_count", label=_("Soutiens"), sort_key="support_count"),
        DateColumn("created_at", label=_("Déposée le"), sort_key="created_at"),
        BooleanColumn("is_hidden", label=_("Masquée"), sort_key="is_hidden"),
    ]
    filterset_class = admin_views.ProposalFilterSet
    search_fields = ["title", "description"]
    search_backend_name = None  # the ORM (icontains): ideas are not in the search index
    ordering = "-created_at"
    list_per_page = 50

    # Never a resident's email: the export may leave the Régie (partners, elected people).
    list_export = [
        "pk",
        "title",
        "description",
        "neighbourhood.name",
        "theme.name",
        "get_status_display",
        "support_count",
        "comment_count",
        "support_open",
        "is_hidden",
        "address",
        "created_at",
        "published_at",
        "last_answered_at",
    ]
    export_headings = {
        "pk": _("Numéro"),
        "title": _("Titre"),
        "description": _("Description"),
        "neighbourhood.name": _("Quartier"),
        "theme.name": _("Thème"),
        "get_status_display": _("État"),
        "support_count": _("Soutiens"),
        "comment_count": _("Commentaires"),
        "support_open": _("Soutiens ouverts"),
        "is_hidden": _("Masquée"),
        "address": _("Lieu"),
        "created_at": _("Déposée le"),
        "published_at": _("Publiée le"),
        "last_answered_at": _("Dernière réponse le"),
    }
    export_filename = "idees"

    # Reclassification and the pin only: the text is the author's, the state changes by
    # decision.
    edit_handler = ObjectList(
        [
            FieldPanel("theme", widget=forms.Select),
            FieldPanel("neighbourhood", widget=forms.Select),
            PointPanel(heading=_("Le lieu sur la carte")),
        ],
        base_form_class=admin_forms.ProposalAdminForm,
    )

    def get_common_view_kwargs(self, **kwargs):
        # No add, delete or usage pages: don't let the generic views link to them.
        return super().get_common_view_kwargs(
            add_url_name=None, delete_url_name=None, usage_url_name=None, **kwargs
        )

    def get_permissions_to_register(self):
        return Permission.objects.none()  # moderate_proposal is registered above

    def get_urlpatterns(self):
        kept = {"index", "index_results", "edit", "history", "history_results"}
        urlpatterns = [p for p in super().get_urlpatterns() if p.name in kept]
        return urlpatterns + [
            path("decision/<int:pk>/", admin_views.DecisionView.as_view(), name="decision"),
            path("fusion/<int:pk>/", admin_views.MergeView.as_view(), name="merge"),
            path("masquer/<int:pk>/", admin_views.HideView.as_view(), name="hide"),
            path("retablir/<int:pk>/", admin_views.RestoreView.as_view(), name="restore"),
            path("soutiens/<int:pk>/", admin_views.SupportOpenView.as_view(), name="supports"),
        ]


class ModerationQueueViewSet(ViewSet):
    name = "signalements"
    url_namespace = admin_views.REPORTS_NS
    icon = "warning"
    menu_label = _("Signalements")
    menu_name = "reports"

    @cached_property
    def menu_item_class(self):
        class ModeratorsMenuItem(MenuItem):
            def is_shown(self, request):
                return rules.can_moderate(request.user)

        return ModeratorsMenuItem

    def get_urlpatterns(self):
        return [
            path("", admin_views.ModerationQueueView.as_view(), name="index"),
            path(
                "<str:kind>/<int:pk>/",
                admin_views.ReportActionView.as_view(),
                name="action",
            ),
        ]


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    menu_label = _("Thèmes")
    menu_name = "themes"
    menu_item_is_registered = True  # in the "Idées" menu, not under "Snippets"
    delete_view_class = admin_views.ThemeDeleteView
    list_display = [
        "name",
        "slug",
        "position",
        BooleanColumn("is_active", label=_("Proposé aux habitants"), sort_key="is_active"),
    ]
    list_filter = ["is_active"]
    search_fields = ["name"]
    search_backend_name = None
    sort_order_field = "position"
    ordering = "position"
    copy_view_enabled = False
    add_to_reference_index = False
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("position"),
        FieldPanel("is_active"),
    ]

    def get_permissions_to_register(self):
        return Permission.objects.none()  # governed by moderate_proposal


class IdeasViewSetGroup(ViewSetGroup):
    items = (ProposalViewSet, ModerationQueueViewSet, ThemeViewSet)
    menu_label = _("Idées")
    menu_icon = "list-ul"
    menu_name = "ideas"
    menu_order = 150


# register_snippet registers the whole group now (the snippet app's registry is Wagtail's
# viewset registry), so that Theme is a known snippet model before the admin URLs load.
register_snippet(IdeasViewSetGroup)
