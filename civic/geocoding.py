"""Finding an address: a few places for what a person typed, from the geocoder in settings.

``GEOCODER_URL`` is a search endpoint that answers GeoCodeJSON (a GeoJSON
FeatureCollection whose features carry a ``label``): by default the French national
address service (Base Adresse Nationale, ``https://api-adresse.data.gouv.fr/search/``; the
Géoplateforme's ``https://data.geopf.fr/geocodage/search`` answers the same format). It is
called from the server, never from the browser, so the pages' Content-Security-Policy stays
strict and a person's address is not sent to a third party with their cookies.

Every failure is a ``GeocoderError`` with a code (``timeout``, ``unavailable``,
``bad_response``): the caller turns it into a clear answer, never a 500.
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 512 * 1024
MIN_QUERY_LENGTH = 3
MAX_QUERY_LENGTH = 200
MAX_RESULTS = 5


class GeocoderError(Exception):
    def __init__(self, code, detail=""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float

    def as_dict(self):
        return asdict(self)


def _request_url(query, limit):
    params = {"q": query, "limit": str(limit)}
    center = getattr(settings, "MAP_CENTER", None)
    if center:
        # Results near the Régie's neighbourhoods come first (the service's lat/lon bias).
        params["lat"], params["lon"] = str(center[0]), str(center[1])
    base = settings.GEOCODER_URL
    return f"{base}{'&' if '?' in base else '?'}{urllib.parse.urlencode(params)}"


def _read(url):
    request = urllib.request.Request(  # noqa: S310 - the URL comes from settings (http/https)
        url,
        headers={
            "Accept": "application/json",
            "User-Agent": getattr(settings, "GEOCODER_USER_AGENT", "QuartierCommun/1.0"),
        },
    )
    try:
        with urllib.request.urlopen(  # noqa: S310  # nosec B310 - settings-chosen http(s) URL
            request, timeout=settings.GEOCODER_TIMEOUT
        ) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except TimeoutError as error:
        raise GeocoderError("timeout") from error
    except urllib.error.HTTPError as error:
        raise GeocoderError("unavailable", f"HTTP {error.code}") from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise GeocoderError("timeout") from error
        raise GeocoderError("unavailable", str(error.reason)) from error
    except OSError as error:  # connection reset, refused…
        raise GeocoderError("unavailable", str(error)) from error
    if len(body) > MAX_RESPONSE_BYTES:
        raise GeocoderError("bad_response", "too large")
    return body


def _places(payload, limit):
    if not isinstance(payload, dict) or not isinstance(payload.get("features"), list):
        raise GeocoderError("bad_response", "no features")
    places = []
    for feature in payload["features"]:
        try:
            longitude, latitude = feature["geometry"]["coordinates"][:2]
            label = str(feature["properties"]["label"]).strip()
            latitude, longitude = float(latitude), float(longitude)
        except (KeyError, TypeError, ValueError, IndexError):
            continue  # one odd feature does not hide the others
        if label and -90 <= latitude <= 90 and -180 <= longitude <= 180:
            places.append(Place(label[:MAX_QUERY_LENGTH], round(latitude, 6), round(longitude, 6)))
        if len(places) >= limit:
            break
    return places


def search(query, *, limit=MAX_RESULTS):
    """The places the geocoder finds for ``query`` (best first; an empty list when none)."""
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if len(query) < MIN_QUERY_LENGTH:
        return []
    body = _read(_request_url(query, limit))
    try:
        payload = json.loads(body)
    except ValueError as error:
        raise GeocoderError("bad_response", "not JSON") from error
    return _places(payload, limit)
