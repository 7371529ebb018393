"""Where staff set a place in the Wagtail admin: a map beside the coordinates.

- ``PointPanel()``: the latitude and longitude inputs in one row, under a small map.
  Clicking the map or dragging the pin fills both inputs; typing in them moves the pin.
  Used by ideas, actions, events and assemblies.
- ``OutlineWidget``: the quartier's outline textarea (GeoJSON), under a map where staff
  click to add the polygon's points. What is pasted in the textarea shows on the map.

Both are drawn by ``static/js/admin-map.js`` over the vendored Leaflet, with the same tiles
and centre as the public maps (``civic.places.map_config``). The data goes in a
``json_script`` block; without JavaScript the inputs and the textarea work as before.
"""

from django import forms
from django.forms import Media
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from civic.places import map_config, outline_of


def admin_map_media():
    return Media(
        css={"all": ["vendor/leaflet/leaflet.css", "css/admin-map.css"]},
        js=["vendor/leaflet/leaflet.js", "js/admin-map.js"],
    )


class PointPanel(FieldRowPanel):
    """``latitude`` and ``longitude`` (or the names given) with a map to drop the pin."""

    def __init__(self, children=(), *args, latitude="latitude", longitude="longitude", **kwargs):
        self.latitude, self.longitude = latitude, longitude
        children = children or [FieldPanel(latitude), FieldPanel(longitude)]
        super().__init__(children, *args, **kwargs)

    def clone_kwargs(self):
        return {**super().clone_kwargs(), "latitude": self.latitude, "longitude": self.longitude}

    class BoundPanel(FieldRowPanel.BoundPanel):
        template_name = "places/admin/point_panel.html"

        @property
        def media(self):
            return super().media + admin_map_media()

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            latitude = self.form[self.panel.latitude]
            longitude = self.form[self.panel.longitude]
            neighbourhood = getattr(self.instance, "neighbourhood", None)
            context.update(
                {
                    "latitude_id": latitude.auto_id,
                    "longitude_id": longitude.auto_id,
                    "map_id": f"{self.prefix}-carte",
                    "payload": {
                        "config": map_config(),
                        "outlines": [o for o in [outline_of(neighbourhood)] if o],
                    },
                }
            )
            return context


class OutlineWidget(forms.Textarea):
    """The outline's GeoJSON textarea, with a map to draw it point by point."""

    template_name = "places/admin/outline_widget.html"

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 4, **(attrs or {})})

    @property
    def media(self):
        return admin_map_media()

    def format_value(self, value):
        # No outline yet: an empty textarea, not the JSON form field's « null ».
        if value in (None, "null"):
            return None
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["map_config"] = map_config()
        return context
