"""The "Agir" menu of the Wagtail admin: volunteer actions and their shifts, statistics,
certificates of hours; and the staff pages of the day (roster, check-in), hooked into the
admin's URLs.

Only volunteer managers (``volunteering.manage_volunteering``, held by the Editors and
Moderators groups, or superusers) see these menu items and reach these pages. Actions are
never deleted here: unpublish them instead (their sign-ups are the volunteers' hours).
"""

from django import forms
from django.contrib.auth.models import Permission
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from civic.places.panels import PointPanel
from civic.volunteering import admin_forms, admin_views, rules, staff_urls
from civic.volunteering.models import Action

# Registered first, before anything asks Wagtail for this model's policy.
register_permission_policy(
    Action, admin_views.VolunteeringPermissionPolicy(Action, actions={"add", "change", "view"})
)


@hooks.register("register_permissions")
def register_volunteering_permission():
    """Let administrators give "manage volunteer actions" to any group in the group editor."""
    return Permission.objects.filter(
        content_type__app_label="volunteering", codename="manage_volunteering"
    )


@hooks.register("register_log_actions")
def register_volunteering_log_actions(actions):
    admin_views.register_log_actions(actions)


@hooks.register("insert_global_admin_css")
def agir_lists_css():
    """Stacked rows on a phone for the tables of /admin/agir/ (static/css/admin-agir.css)."""
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin-agir.css"))


@hooks.register("insert_global_admin_js")
def agir_lists_js():
    """Labels each cell of the /admin/agir/ tables with its column (static/js/admin-agir.js)."""
    return format_html('<script src="{}" defer></script>', static("js/admin-agir.js"))


@hooks.register("register_admin_urls")
def register_volunteering_staff_urls():
    return [path("agir/", include(staff_urls, namespace=admin_views.STAFF_NS))]


class VolunteerManagersMenuItem(MenuItem):
    def is_shown(self, request):
        return rules.can_manage(request.user)


class ActionViewSet(ModelViewSet):
    model = Action
    url_prefix = "agir/actions"
    url_namespace = admin_views.ACTIONS_NS
    icon = "calendar-alt"
    menu_label = _("Actions")
    menu_name = "volunteer-actions"

    index_view_class = admin_views.ActionIndexView
    add_view_class = admin_views.ActionCreateView
    edit_view_class = admin_views.ActionEditView
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False

    list_display = admin_views.ACTION_COLUMNS
    filterset_class = admin_views.ActionFilterSet
    search_fields = ["title", "description", "meeting_place"]
    search_backend_name = None  # the ORM (icontains): actions are not in the search index
    ordering = "-created_at"
    list_per_page = 50

    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("title"),
                    FieldPanel("description"),
                    FieldRowPanel(
                        [
                            FieldPanel("neighbourhood", widget=forms.Select),
                            FieldPanel("meeting_place"),
                        ]
                    ),
                    PointPanel(),
                ],
                heading=_("L'action"),
            ),
            MultiFieldPanel(
                [FieldPanel("image"), FieldPanel("image_alt")],
                heading=_("Image"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("what_to_bring"),
                    FieldPanel("skills_welcome"),
                    FieldPanel("proposal", widget=forms.Select),
                ],
                heading=_("Pour les bénévoles"),
            ),
            MultiFieldPanel(
                [FieldPanel("cancellation_cutoff_hours"), FieldPanel("is_published")],
                heading=_("Inscriptions"),
            ),
        ],
        base_form_class=admin_forms.ActionForm,
    )

    def get_common_view_kwargs(self, **kwargs):
        # No delete or usage pages: don't let the generic views link to them.
        return super().get_common_view_kwargs(delete_url_name=None, usage_url_name=None, **kwargs)

    def get_permissions_to_register(self):
        return Permission.objects.none()  # manage_volunteering is registered above

    def get_urlpatterns(self):
        kept = {"index", "index_results", "add", "edit", "history", "history_results"}
        urlpatterns = [p for p in super().get_urlpatterns() if p.name in kept]
        return urlpatterns + [
            path("<int:pk>/creneaux/", admin_views.ActionShiftsView.as_view(), name="shifts"),
        ]


class StatisticsViewSet(ViewSet):
    name = "statistiques-agir"
    url_prefix = "agir/statistiques"
    url_namespace = admin_views.STATS_NS
    icon = "table"
    menu_label = _("Statistiques")
    menu_name = "volunteer-statistics"

    @cached_property
    def menu_item_class(self):
        return VolunteerManagersMenuItem

    def get_urlpatterns(self):
        return [path("", admin_views.StatisticsView.as_view(), name="index")]


class CertificatesViewSet(ViewSet):
    name = "attestations"
    url_prefix = "agir/attestations"
    url_namespace = admin_views.CERTIFICATES_NS
    icon = "doc-full"
    menu_label = _("Attestations d'heures")
    menu_name = "volunteer-certificates"

    @cached_property
    def menu_item_class(self):
        return VolunteerManagersMenuItem

    def get_urlpatterns(self):
        return [path("", admin_views.CertificateSearchView.as_view(), name="index")]


class AgirViewSetGroup(ViewSetGroup):
    items = (ActionViewSet, StatisticsViewSet, CertificatesViewSet)
    menu_label = _("Agir")
    menu_icon = "group"
    menu_name = "agir"
    menu_order = 160


@hooks.register("register_admin_viewset")
def register_agir_viewsets():
    return AgirViewSetGroup()
