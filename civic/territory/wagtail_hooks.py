from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from civic.places.panels import OutlineWidget
from civic.territory.models import Neighbourhood, Regie


class RegieViewSet(SnippetViewSet):
    model = Regie
    icon = "home"
    menu_label = _("Régie")
    list_display = ["name", "city", "email", "phone"]


class NeighbourhoodViewSet(SnippetViewSet):
    model = Neighbourhood
    icon = "site"
    menu_label = _("Quartiers")
    list_display = ["name", "regie", "is_active"]
    list_filter = ["regie", "is_active"]
    search_fields = ["name"]
    # The outline is drawn on a map (static/js/admin-map.js) into its GeoJSON textarea.
    panels = [
        FieldPanel("regie"),
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("is_active"),
        FieldPanel("outline", widget=OutlineWidget),
    ]


class TerritoryViewSetGroup(SnippetViewSetGroup):
    items = (RegieViewSet, NeighbourhoodViewSet)
    menu_icon = "site"
    menu_label = _("Territoire")
    menu_name = "territory"


register_snippet(TerritoryViewSetGroup)
