"""Maps in templates: ``{% load maps %}``.

- ``{% object_map obj label %}``: the object's point (and its quartier's outline), or
  nothing when it has no point. The words of the place stay the template's job: the map
  only adds to them.
- ``{% show_map payload label %}``: a map of a payload built by ``map_payload`` (the ideas
  map).
- ``{% map_picker form.latitude form.longitude form.address geocoder_url %}``: the idea
  form's pin, "Utiliser ma position" and address search.

Pages that use one include ``includes/map_assets.html`` (Leaflet and static/js/map.js): the
library is never loaded elsewhere. The data goes in a ``json_script`` block (never run),
the behaviour in static/js/map.js: the strict Content-Security-Policy holds.
"""

from django import template

from civic import places
from civic.places import map_payload, outline_of

register = template.Library()


@register.inclusion_tag("includes/map.html")
def object_map(obj, label, map_id="carte"):
    point = places.point_of(obj)
    if point is None:
        return {"payload": None}
    neighbourhood = getattr(obj, "neighbourhood", None)
    marker = {**point, "title": str(obj)}
    payload = map_payload(markers=[marker], outlines=[outline_of(neighbourhood)])
    return {"payload": payload, "label": label, "map_id": map_id, "point": point}


@register.inclusion_tag("includes/map.html")
def show_map(payload, label, map_id="carte"):
    return {"payload": payload, "label": label, "map_id": map_id}


@register.inclusion_tag("includes/map_picker.html")
def map_picker(latitude, longitude, address, geocoder_url, outlines=()):
    return {
        "payload": map_payload(outlines=outlines),
        "latitude": latitude,
        "longitude": longitude,
        "address": address,
        "geocoder_url": geocoder_url,
    }


@register.simple_tag
def osm_link(obj):
    """A link to the point on openstreetmap.org (works without JavaScript or tiles)."""
    point = places.point_of(obj)
    if point is None:
        return ""
    lat, lng = f"{point['lat']:.6f}", f"{point['lng']:.6f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lng}#map=18/{lat}/{lng}"
