"""Where things happen: a point (latitude and longitude) and a quartier's outline (GeoJSON).

One set of rules for every model that has a place (ideas, actions, events, assemblies):
both coordinates or neither, within range, 6 decimals (about 10 cm); the database checks
the same with ``point_constraint``. Outlines are a GeoJSON Polygon or MultiPolygon that
staff paste in the admin: checked for shape, ranges and size before they are stored.
"""

import json
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

# A quartier's outline never needs more: a detailed city block is a few hundred points.
MAX_OUTLINE_BYTES = 100_000
MAX_OUTLINE_POINTS = 5_000
OUTLINE_TYPES = ("Polygon", "MultiPolygon")


def latitude_field():
    return models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
        help_text=_("Facultatif. Posez le point sur la carte, ou laissez vide."),
    )


def longitude_field():
    return models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
        help_text=_("Facultatif. Donnez la latitude et la longitude, ou aucune des deux."),
    )


def point_constraint(name):
    """Both coordinates or neither, each within its range. The ``isnull=False`` matter: in
    SQL ``NULL >= -180`` is unknown, and a CHECK that is unknown passes — without them
    half a point would be stored."""
    return models.CheckConstraint(
        condition=(
            Q(latitude__isnull=True, longitude__isnull=True)
            | Q(
                latitude__isnull=False,
                longitude__isnull=False,
                latitude__gte=-90,
                latitude__lte=90,
                longitude__gte=-180,
                longitude__lte=180,
            )
        ),
        name=name,
    )


def point_errors(latitude, longitude):
    """The form errors of a half-given point, keyed by field (empty when it is fine)."""
    if latitude is None and longitude is not None:
        return {"latitude": _("Donnez aussi la latitude, ou aucune des deux.")}
    if longitude is None and latitude is not None:
        return {"longitude": _("Donnez aussi la longitude, ou aucune des deux.")}
    return {}


def check_point(instance):
    """For ``Model.clean()``: refuses half a point with a message on the missing field."""
    errors = point_errors(instance.latitude, instance.longitude)
    if errors:
        raise ValidationError(errors, code="half_point")


def point_of(instance):
    """``{"lat": …, "lng": …}`` for a map, or None when the object has no point."""
    if instance.latitude is None or instance.longitude is None:
        return None
    return {"lat": float(instance.latitude), "lng": float(instance.longitude)}


# --- Outlines -----------------------------------------------------------------------------


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_ring(ring, counter):
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValidationError(
            _("Chaque contour doit avoir au moins 4 points (le dernier égal au premier)."),
            code="short_ring",
        )
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(_is_number(value) for value in position[:2])
        ):
            raise ValidationError(
                _("Chaque point doit être [longitude, latitude], en nombres."), code="bad_point"
            )
        longitude, latitude = position[0], position[1]
        if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
            raise ValidationError(
                _("Un point est hors des limites (longitude de -180 à 180, latitude de -90 à 90)."),
                code="out_of_range",
            )
        counter[0] += 1
    if ring[0][:2] != ring[-1][:2]:
        raise ValidationError(
            _("Un contour doit se refermer : le dernier point doit être égal au premier."),
            code="open_ring",
        )


def validate_outline(value):
    """A GeoJSON Polygon or MultiPolygon (a bare geometry, or a Feature holding one)."""
    if value in (None, ""):
        return
    if len(json.dumps(value)) > MAX_OUTLINE_BYTES:
        raise ValidationError(
            _("Ce contour est trop lourd (100 ko au plus) : simplifiez-le."), code="too_large"
        )
    geometry = value
    if isinstance(value, dict) and value.get("type") == "Feature":
        geometry = value.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in OUTLINE_TYPES:
        raise ValidationError(
            _("Collez un objet GeoJSON de type « Polygon » ou « MultiPolygon »."),
            code="not_a_polygon",
        )
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError(_("Le contour n'a pas de coordonnées."), code="no_coordinates")
    counter = [0]
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError(_("Le contour n'a pas de coordonnées."), code="no_coordinates")
        for ring in polygon:
            _check_ring(ring, counter)
    if counter[0] > MAX_OUTLINE_POINTS:
        raise ValidationError(
            _("Ce contour a trop de points (5 000 au plus) : simplifiez-le."), code="too_many"
        )


def outline_geometry(value):
    """The geometry part of a stored outline (a Feature is unwrapped), or None."""
    if not value:
        return None
    if value.get("type") == "Feature":
        return value.get("geometry")
    return value


# --- What a map draws ----------------------------------------------------------------------


def map_config():
    latitude, longitude, zoom = (list(settings.MAP_CENTER) + [13])[:3]
    return {
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "maxZoom": settings.MAP_TILE_MAX_ZOOM,
        "center": [latitude, longitude],
        "zoom": int(zoom),
        "icon": static("vendor/leaflet/images/marker-icon.png"),
        "icon2x": static("vendor/leaflet/images/marker-icon-2x.png"),
    }


def outline_of(neighbourhood):
    if neighbourhood is None:
        return None
    geometry = outline_geometry(neighbourhood.outline)
    if geometry is None:
        return None
    return {"name": neighbourhood.name, "geometry": geometry}


def map_payload(*, markers=(), outlines=()):
    """What static/js/map.js draws: markers ``{lat, lng, title, url}`` and outlines
    ``{name, geometry}``."""
    return {
        "config": map_config(),
        "markers": list(markers),
        "outlines": [outline for outline in outlines if outline],
    }
