from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    """Points, outlines and the map template tags (no models of its own)."""

    name = "civic.places"
    verbose_name = _("Lieux et cartes")
