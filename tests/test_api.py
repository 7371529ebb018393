"""The public, read-only JSON API: content, filters, errors, schema and docs."""

import datetime
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from openapi_spec_validator import validate
from wagtail.models import PageViewRestriction

from cms.models import NewsPage
from tests.factories import NeighbourhoodFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)


def assert_json_error(response, status):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"]
    assert body["error"]["message"]
    return body["error"]


@pytest.fixture
def articles(news_index, publish_news, tilleuls, bel_air):
    """Published articles for each case, and pages that must never be listed."""
    everyone = publish_news(
        title="Permanence de la Régie", lead="Mardi et jeudi.", date=datetime.date(2026, 3, 1)
    )
    in_tilleuls = publish_news(
        title="Nettoyage aux Tilleuls",
        lead="Samedi.",
        neighbourhood=tilleuls,
        date=datetime.date(2026, 3, 10),
    )
    in_bel_air = publish_news(
        title="Jardin de Bel-Air",
        lead="On plante.",
        neighbourhood=bel_air,
        date=datetime.date(2026, 2, 1),
    )

    draft = NewsPage(title="Brouillon secret", lead="Pas encore.", body=[], live=False)
    news_index.add_child(instance=draft)
    draft.save_revision()

    withdrawn = publish_news(title="Article retiré", lead="Plus en ligne.")
    withdrawn.unpublish()

    private = publish_news(title="Réservé au comité", lead="Confidentiel.")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="comite"
    )
    members_only = publish_news(title="Réservé aux membres", lead="Connectez-vous.")
    PageViewRestriction.objects.create(
        page=members_only, restriction_type=PageViewRestriction.LOGIN
    )
    return {
        "everyone": everyone,
        "tilleuls": in_tilleuls,
        "bel_air": in_bel_air,
        "draft": draft,
        "withdrawn": withdrawn,
        "private": private,
        "members_only": members_only,
    }


HIDDEN = ("draft", "withdrawn", "private", "members_only")


def titles(response):
    return [item["title"] for item in response.json()["results"]]


# --- Root and neighbourhoods ----------------------------------------------------------------


def test_api_root_lists_the_endpoints(client):
    response = client.get("/api/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["neighbourhoods"] == "http://testserver/api/neighbourhoods/"
    assert body["news"] == "http://testserver/api/news/"
    assert set(body) <= {"neighbourhoods", "news", "proposals"}
    if "proposals" in body:
        assert body["proposals"] == "http://testserver/api/proposals/"


def test_neighbourhoods_lists_only_active_ones(client, tilleuls, bel_air, regie):
    NeighbourhoodFactory(regie=regie, name="Ancien quartier", slug="ancien", is_active=False)
    response = client.get("/api/neighbourhoods/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["slug"] for item in body["results"]] == ["bel-air", "les-tilleuls"]
    first = body["results"][0]
    assert set(first) == {"id", "name", "slug", "description", "regie"}
    assert first["regie"]["name"] == "Régie des Trois Rivières"


def test_neighbourhood_detail_by_slug(client, tilleuls):
    response = client.get("/api/neighbourhoods/les-tilleuls/")
    assert response.status_code == 200
    assert response.json()["name"] == "Les Tilleuls"


def test_inactive_or_unknown_neighbourhood_is_a_json_404(client, regie):
    NeighbourhoodFactory(regie=regie, name="Ancien quartier", slug="ancien", is_active=False)
    assert_json_error(client.get("/api/neighbourhoods/ancien/"), 404)
    assert_json_error(client.get("/api/neighbourhoods/nulle-part/"), 404)
    assert_json_error(client.get("/api/neighbourhoods/pas%20un%20slug/"), 404)


# --- News -------------------------------------------------------------------------------------


def test_news_lists_published_articles_only_newest_first(client, articles):
    response = client.get("/api/news/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert titles(response) == [
        "Nettoyage aux Tilleuls",
        "Permanence de la Régie",
        "Jardin de Bel-Air",
    ]
    for key in HIDDEN:
        assert articles[key].title not in response.content.decode()
    item = body["results"][0]
    assert set(item) == {
        "id",
        "title",
        "slug",
        "date",
        "lead",
        "neighbourhood",
        "url",
        "first_published_at",
    }
    assert item["id"] == articles["tilleuls"].pk
    assert item["date"] == "2026-03-10"
    assert item["neighbourhood"] == {
        "id": articles["tilleuls"].neighbourhood_id,
        "name": "Les Tilleuls",
        "slug": "les-tilleuls",
    }
    assert item["url"] == "http://testserver/actualites/nettoyage-aux-tilleuls/"
    assert "body_html" not in item


def test_news_filter_by_neighbourhood_includes_articles_for_everyone(client, articles):
    response = client.get("/api/news/", {"neighbourhood": "les-tilleuls"})
    assert response.status_code == 200
    assert titles(response) == ["Nettoyage aux Tilleuls", "Permanence de la Régie"]

    response = client.get("/api/news/", {"neighbourhood": "bel-air"})
    assert titles(response) == ["Permanence de la Régie", "Jardin de Bel-Air"]


def test_news_filter_since(client, articles):
    response = client.get("/api/news/", {"since": "2026-03-01"})
    assert response.status_code == 200
    assert titles(response) == ["Nettoyage aux Tilleuls", "Permanence de la Régie"]


@pytest.mark.parametrize("value", ["bad-date", "2026-13-45", "'; DROP TABLE x; --"])
def test_news_filter_with_a_bad_date_is_a_json_400(client, articles, value):
    error = assert_json_error(client.get("/api/news/", {"since": value}), 400)
    assert error["code"] == "invalid"
    assert "since" in error["details"]


def test_news_detail_includes_rendered_body(client, news_index):
    page = NewsPage(
        title="Réunion publique",
        lead="Venez nombreux.",
        body=[
            ("heading", {"text": "Ordre du jour", "level": "h2"}),
            ("paragraph", "<p>On parle du <b>square</b>.</p>"),
        ],
    )
    news_index.add_child(instance=page)
    page.save_revision().publish()

    response = client.get(f"/api/news/{page.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Réunion publique"
    assert "<h2>Ordre du jour</h2>" in body["body_html"]
    assert "<b>square</b>" in body["body_html"]


@pytest.mark.parametrize("key", HIDDEN)
def test_unpublished_or_private_news_detail_is_a_json_404(client, articles, key):
    error = assert_json_error(client.get(f"/api/news/{articles[key].pk}/"), 404)
    assert error["code"] == "not_found"
    assert error["details"] is None


@pytest.mark.parametrize("path", ["/api/news/999999/", "/api/news/abc/", "/api/news/-1/"])
def test_unknown_news_is_a_json_404(client, site_tree, path):
    assert_json_error(client.get(path), 404)


@pytest.mark.parametrize("path", ["/api/nope/", "/api/nope", "/api/news/1/extra/", "/api/v2/x"])
def test_unknown_api_path_is_a_json_404(client, path):
    error = assert_json_error(client.get(path), 404)
    assert error["code"] == "not_found"


def test_post_to_unknown_api_path_is_a_json_404_even_with_csrf_checks(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/api/nope/", {"a": "b"})
    assert_json_error(response, 404)


def test_page_that_is_not_news_is_not_in_the_news_api(client, news_index, home_page):
    assert_json_error(client.get(f"/api/news/{news_index.pk}/"), 404)
    assert_json_error(client.get(f"/api/news/{home_page.pk}/"), 404)


# --- Read only --------------------------------------------------------------------------------


WRITES = [
    ("post", "/api/"),
    ("post", "/api/news/"),
    ("put", "/api/news/{news}/"),
    ("patch", "/api/news/{news}/"),
    ("delete", "/api/news/{news}/"),
    ("post", "/api/neighbourhoods/"),
    ("put", "/api/neighbourhoods/les-tilleuls/"),
    ("delete", "/api/neighbourhoods/les-tilleuls/"),
]


@pytest.mark.parametrize("persona", [None, "resident", "editor"])
@pytest.mark.parametrize(("method", "path"), WRITES)
def test_read_only_endpoints_refuse_writes(client, request, articles, persona, method, path):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    url = path.format(news=articles["everyone"].pk)
    response = getattr(client, method)(
        url, data=json.dumps({"title": "Piraté"}), content_type="application/json"
    )
    assert response.status_code in (403, 405)
    assert_json_error(response, response.status_code)
    articles["everyone"].refresh_from_db()
    assert articles["everyone"].title == "Permanence de la Régie"
    assert not NewsPage.objects.filter(title="Piraté").exists()


def test_writes_with_session_but_without_csrf_token_are_refused(resident, articles):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    response = client.delete(f"/api/news/{articles['everyone'].pk}/")
    assert response.status_code in (403, 405)
    assert_json_error(response, response.status_code)
    assert NewsPage.objects.filter(pk=articles["everyone"].pk).exists()


# --- Pagination -------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["0", "abc", "-1", "99999", "1.5", "1e400", ""])
def test_bad_page_numbers_are_a_clean_client_error(client, articles, page):
    response = client.get("/api/news/", {"page": page})
    if response.status_code == 200:
        assert response.json()["count"] == 3
    else:
        error = assert_json_error(response, 404)
        assert error["code"] == "not_found"


@pytest.mark.parametrize("size", ["100000", "0", "-5", "abc", "1e9", ""])
def test_page_size_is_clamped_or_ignored(client, news_index, publish_news, size):
    for n in range(3):
        publish_news(title=f"Article {n}", lead="…")
    response = client.get("/api/news/", {"page_size": size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


def test_page_size_is_clamped_to_the_maximum(client, tilleuls, regie):
    for n in range(105):
        NeighbourhoodFactory(regie=regie, name=f"Quartier {n:03}", slug=f"quartier-{n:03}")
    response = client.get("/api/neighbourhoods/", {"page_size": "100000"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 106
    assert len(body["results"]) == 100
    assert body["next"]

    second = client.get("/api/neighbourhoods/", {"page_size": "2", "page": "2"}).json()
    assert len(second["results"]) == 2
    assert second["previous"]


# --- Schema and docs --------------------------------------------------------------------------


def test_schema_is_a_valid_openapi_document_of_our_api_only(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    assert schema["info"]["title"] == "Quartier Commun API"
    paths = set(schema["paths"])
    ours = {"/api/neighbourhoods/", "/api/neighbourhoods/{slug}/", "/api/news/", "/api/news/{id}/"}
    assert ours <= paths
    assert all(path.startswith("/api/") for path in paths)
    # Nothing from Wagtail's admin, the CMS pages or the documentation views themselves.
    for fragment in ("admin", "cms", "pages", "documents", "schema", "docs", "redoc"):
        assert not any(fragment in path for path in paths), fragment
    # Read-only endpoints: no write operation is advertised.
    for path in ours:
        assert set(schema["paths"][path]) - {"parameters"} == {"get"}
    news_id = schema["paths"]["/api/news/{id}/"]["get"]["parameters"][0]
    assert news_id["schema"]["type"] == "integer"
    # Errors are documented with their uniform shape.
    assert "Error" in schema["components"]["schemas"]
    assert "400" in schema["paths"]["/api/news/"]["get"]["responses"]


def test_schema_yaml_is_served_too(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi:" in response.content


def test_spectacular_command_validates_without_warnings(tmp_path):
    """The same check as CI: schema generation must give no warning at all."""
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(tmp_path / "schema.yaml"),
        ],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "DJANGO_ENV": "test"},
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi:")


def test_docs_serve_swagger_ui_from_our_own_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "/api/schema/" in html
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs", "googleapis", "//cdn"):
        assert cdn not in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    local = [url for url in assets if url.startswith(settings.STATIC_URL)]
    assert any(url.endswith("swagger-ui-bundle.js") for url in local)
    assert any(url.endswith("swagger-ui.css") for url in local)
    for url in assets:
        assert not url.startswith(("http:", "https:", "//")), url
    for url in local:
        assert finders.find(url.removeprefix(settings.STATIC_URL)), url


def test_redoc_is_local_too(client):
    response = client.get("/api/redoc/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn.jsdelivr.net" not in html
    assert "/static/drf_spectacular_sidecar/redoc/" in html
