"""The idea form's address search: civic.geocoding against a real (local) HTTP geocoder,
and the JSON view /idees/adresse/ (login, bad input, rate limit, timeouts, errors)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from civic import geocoding

URL = reverse("proposals:geocode")

ANSWER = {
    "type": "FeatureCollection",
    "version": "draft",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [1.4437, 43.6043]},
            "properties": {"label": "12 Place des Tilleuls 31000 Toulouse", "score": 0.9},
        },
        {"type": "Feature", "geometry": None, "properties": {"label": "sans point"}},
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [1.45, 43.61]},
            "properties": {"label": "Rue des Tilleuls 31000 Toulouse"},
        },
    ],
}


class FakeGeocoder(BaseHTTPRequestHandler):
    """The Base Adresse Nationale's /search/ as far as we use it; the path chooses a fault."""

    seen = []

    def do_GET(self):  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        FakeGeocoder.seen.append({**parse_qs(parts.query), "agent": self.headers["User-Agent"]})
        if parts.path.startswith("/slow/"):
            time.sleep(1.5)
        if parts.path.startswith("/broken/"):
            self.send_response(503)
            self.end_headers()
            return
        body = json.dumps(ANSWER).encode()
        if parts.path.startswith("/html/"):
            body = b"<html>maintenance</html>"
        if parts.path.startswith("/odd/"):
            body = json.dumps({"features": "none"}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the slow answer: the client gave up on purpose

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def fake_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGeocoder)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def geocoder(settings, fake_server):
    settings.GEOCODER_URL = f"{fake_server}/search/"
    settings.GEOCODER_TIMEOUT = 0.5
    FakeGeocoder.seen.clear()
    return settings


def test_search_reads_the_answer_of_the_service(geocoder):
    places = geocoding.search("  12 place   des Tilleuls ")
    assert [p.label for p in places] == [
        "12 Place des Tilleuls 31000 Toulouse",
        "Rue des Tilleuls 31000 Toulouse",
    ]  # the feature without a point is skipped
    assert (places[0].latitude, places[0].longitude) == (43.6043, 1.4437)
    (request,) = FakeGeocoder.seen
    assert request["q"] == ["12 place des Tilleuls"]
    assert request["limit"] == ["5"]
    assert request["lat"] and request["lon"]  # results near the Régie first
    assert request["agent"].startswith("QuartierCommun")


def test_too_short_a_query_does_not_call_the_service(geocoder):
    assert geocoding.search("ab") == []
    assert FakeGeocoder.seen == []


@pytest.mark.parametrize(
    "path, code",
    [
        ("/slow/", "timeout"),
        ("/broken/", "unavailable"),
        ("/html/", "bad_response"),
        ("/odd/", "bad_response"),
    ],
)
def test_faults_of_the_service_are_geocoder_errors(geocoder, fake_server, path, code):
    geocoder.GEOCODER_URL = f"{fake_server}{path}"
    with pytest.raises(geocoding.GeocoderError) as raised:
        geocoding.search("place des Tilleuls")
    assert raised.value.code == code


def test_a_service_that_is_not_there_is_unavailable(settings):
    settings.GEOCODER_URL = "http://127.0.0.1:9/search/"  # discard port: refused
    settings.GEOCODER_TIMEOUT = 0.5
    with pytest.raises(geocoding.GeocoderError) as raised:
        geocoding.search("place des Tilleuls")
    assert raised.value.code in {"unavailable", "timeout"}


# --- The view -------------------------------------------------------------------------------


def test_the_view_answers_places_as_json(client, resident, geocoder):
    client.force_login(resident)
    response = client.get(URL, {"q": "12 place des Tilleuls"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    results = response.json()["results"]
    assert results[0] == {
        "label": "12 Place des Tilleuls 31000 Toulouse",
        "latitude": 43.6043,
        "longitude": 1.4437,
    }


def test_anonymous_people_cannot_use_it(client, geocoder):
    response = client.get(URL, {"q": "12 place des Tilleuls"})
    assert response.status_code == 403
    assert response.json()["error"] == "login_required"
    assert FakeGeocoder.seen == []


@pytest.mark.parametrize(
    "query, code", [("", "too_short"), ("ab", "too_short"), ("x" * 201, "too_long")]
)
def test_bad_input_is_a_400(client, resident, geocoder, query, code):
    client.force_login(resident)
    response = client.get(URL, {"q": query})
    assert response.status_code == 400
    assert response.json()["error"] == code
    assert response.json()["message"]
    assert FakeGeocoder.seen == []


@pytest.mark.parametrize("path, code", [("/slow/", "timeout"), ("/broken/", "unavailable")])
def test_faults_are_a_502_with_a_message(client, resident, geocoder, fake_server, path, code):
    geocoder.GEOCODER_URL = f"{fake_server}{path}"
    client.force_login(resident)
    response = client.get(URL, {"q": "place des Tilleuls"})
    assert response.status_code == 502
    body = response.json()
    assert body["error"] == code
    assert "toutes lettres" in body["message"]


def test_searches_are_rate_limited_per_person(client, resident, other_resident, geocoder):
    geocoder.GEOCODER_RATE_PER_MINUTE = 3
    client.force_login(resident)
    answers = [client.get(URL, {"q": "place des Tilleuls"}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert len(FakeGeocoder.seen) == 3  # the refused search never reached the service
    assert "minute" in client.get(URL, {"q": "place des Tilleuls"}).json()["message"]
    client.force_login(other_resident)
    assert client.get(URL, {"q": "place des Tilleuls"}).status_code == 200


def test_only_get(client, resident, geocoder):
    client.force_login(resident)
    assert client.post(URL, {"q": "place des Tilleuls"}).status_code == 405
