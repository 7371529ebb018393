"""The "Assemblées" menu of the Wagtail admin: staff prepare an assembly (date, place,
convocation, agenda, voting rules, colleges) and reach its chair, check-in and projector
pages from the edit view.

Only assembly managers (``assemblies.manage_assemblies``, held by the Editors and Moderators
groups, or superusers) see this menu and reach these views. Assemblies are never deleted
here: unpublish them instead (their attendance and votes are the record).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import (
    FieldPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from civic.assemblies import admin_forms, rules
from civic.assemblies.models import Assembly
from civic.places.panels import PointPanel


class AssemblyPermissionPolicy(BasePermissionPolicy):
    """The listed actions belong to assembly managers (``rules.is_assembly_manager``), every
    other one to nobody, superusers included: assemblies are never deleted here."""

    def __init__(self, model, actions):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and rules.is_assembly_manager(user)

    def users_with_any_permission(self, actions):
        if self.actions.isdisjoint(actions):
            return get_user_model().objects.none()
        perm = Q(
            groups__permissions__codename="manage_assemblies",
            groups__permissions__content_type__app_label="assemblies",
        ) | Q(
            user_permissions__codename="manage_assemblies",
            user_permissions__content_type__app_label="assemblies",
        )
        return (
            get_user_model().objects.filter(Q(is_superuser=True) | perm, is_active=True).distinct()
        )


# Registered first, before anything asks Wagtail for this model's policy.
register_permission_policy(
    Assembly, AssemblyPermissionPolicy(Assembly, actions={"add", "change", "view"})
)


@hooks.register("register_permissions")
def register_assemblies_permission():
    """Let administrators give "organise and chair assemblies" to any group."""
    return Permission.objects.filter(
        content_type__app_label="assemblies", codename="manage_assemblies"
    )


class AssemblyIndexView(generic.IndexView):
    add_item_label = _("Nouvelle assemblée")

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("neighbourhood")
            .annotate(registered_count=Count("participants"))
        )


class AssemblyEditView(generic.EditView):
    """The edit view links to the live pages of the assembly (they open on the site)."""

    @cached_property
    def header_buttons(self):
        pk = self.object.pk
        return [
            HeaderButton(
                _("Présidence"), url=reverse("assemblies:chair", args=[pk]), icon_name="group"
            ),
            HeaderButton(
                _("Accueil"), url=reverse("assemblies:checkin", args=[pk]), icon_name="user"
            ),
            HeaderButton(
                _("Projecteur"), url=reverse("assemblies:projector", args=[pk]), icon_name="desktop"
            ),
            HeaderButton(
                _("Voir sur le site"), url=reverse("assemblies:detail", args=[pk]), icon_name="view"
            ),
        ]

    def get_success_buttons(self):
        return []


class AssemblyViewSet(ModelViewSet):
    model = Assembly
    url_prefix = "assemblees"
    url_namespace = "assemblies_admin"
    icon = "group"
    menu_label = _("Assemblées")
    menu_name = "assemblies"
    menu_order = 170
    add_to_admin_menu = True

    index_view_class = AssemblyIndexView
    edit_view_class = AssemblyEditView
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False

    list_display = [
        "title",
        Column("starts_at", label=_("Date"), sort_key="starts_at"),
        Column("neighbourhood", label=_("Quartier")),
        BooleanColumn("is_published", label=_("Publiée"), sort_key="is_published"),
        Column("registered_count", label=_("Inscrits"), sort_key="registered_count"),
    ]
    list_filter = ["neighbourhood", "is_published"]
    search_fields = ["title", "place"]
    search_backend_name = None  # the ORM: assemblies are not in the search index
    ordering = "-starts_at"
    list_per_page = 50

    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("neighbourhood"),
                    FieldPanel("title"),
                    FieldPanel("starts_at"),
                    FieldPanel("place"),
                    PointPanel(),
                    FieldPanel("convocation"),
                    FieldPanel("is_published"),
                ],
                heading=_("L'assemblée"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("quorum_kind"),
                    FieldPanel("quorum_value"),
                    FieldPanel("majority"),
                    FieldPanel("use_colleges"),
                ],
                heading=_("Règles de vote"),
            ),
            InlinePanel(
                "items",
                heading=_("Ordre du jour"),
                label=_("Point"),
                panels=[FieldPanel("title"), FieldPanel("description"), FieldPanel("proposal")],
            ),
            InlinePanel(
                "colleges",
                heading=_("Collèges"),
                label=_("Collège"),
                panels=[FieldPanel("name"), FieldPanel("weight")],
            ),
        ],
        base_form_class=admin_forms.AssemblyForm,
    )

    def get_common_view_kwargs(self, **kwargs):
        # No delete or usage pages: don't let the generic views link to them.
        return super().get_common_view_kwargs(delete_url_name=None, usage_url_name=None, **kwargs)

    def get_permissions_to_register(self):
        return Permission.objects.none()  # manage_assemblies is registered above

    def get_urlpatterns(self):
        kept = {"index", "index_results", "add", "edit", "history", "history_results"}
        return [p for p in super().get_urlpatterns() if p.name in kept]


@hooks.register("register_admin_viewset")
def register_assembly_viewset():
    return AssemblyViewSet()
