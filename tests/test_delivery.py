"""Fast on a cheap phone: HTML sent compressed, static files under hashed names with a long
cache (production), and the weight of the busiest pages kept under a budget."""

import gzip
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

# HTML + CSS + JS of one page, each gzipped, photos aside: a page opens in a few seconds
# on a slow 3G connection.
PAGE_BUDGET_BYTES = 40 * 1024
TEN_YEARS = 10 * 365 * 24 * 3600


@pytest.fixture
def busy_site(publish_news, resident):
    """A home page with news and a full first page of ideas."""
    for number in range(3):
        publish_news(title=f"Actualité {number}", lead="Samedi matin, on nettoie le square.")
    ProposalFactory.create_batch(20, author=resident)


class AssetReader(HTMLParser):
    """The stylesheets and scripts a page loads."""

    def __init__(self):
        super().__init__()
        self.assets = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.assets.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.assets.append(attrs["src"])


def streamed(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


# --- HTML compression -----------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/", "/idees/"])
def test_html_is_sent_gzipped_to_a_browser_that_accepts_it(client, busy_site, url):
    response = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "</html>" in html


def test_html_is_sent_plain_to_a_client_that_does_not_accept_gzip(client, busy_site):
    response = client.get("/idees/")
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")


# --- Static files in production ---------------------------------------------------------------
@pytest.fixture
def collected_static(tmp_path):
    """Production's storage, collected into a temporary folder; only our own files (not
    the admin's), so that it takes a second."""
    with override_settings(
        DEBUG=False,
        STATIC_ROOT=tmp_path,
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield tmp_path


def test_static_urls_carry_a_content_hash_and_are_cached_for_years(collected_static):
    url = static("css/site.css")
    assert url.startswith("/static/css/site.") and url != "/static/css/site.css"
    assert (collected_static / "css" / url.rsplit("/", 1)[1]).with_suffix(".css.gz").exists()

    # A new client: its middleware (WhiteNoise) reads the production settings.
    response = Client().get(url, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    cache_control = response["Cache-Control"]
    assert "immutable" in cache_control
    max_age = int(cache_control.split("max-age=")[1].split(",")[0])
    assert max_age >= TEN_YEARS
    assert b"--brand" in gzip.decompress(streamed(response))


def test_pages_link_the_hashed_names(collected_static, busy_site):
    response = Client().get("/")
    assert response.status_code == 200
    reader = AssetReader()
    reader.feed(response.content.decode())
    assert static("css/site.css") in reader.assets
    assert "/static/css/site.css" not in reader.assets


def test_a_name_without_its_hash_is_not_cached_for_long(collected_static):
    response = Client().get("/static/css/site.css")
    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]


# --- Page weight --------------------------------------------------------------------------------
def gzipped_size(content, level):
    return len(gzip.compress(content, compresslevel=level, mtime=0))


@pytest.mark.parametrize("url", ["/", "/idees/"])
def test_page_weight_is_within_budget(client, busy_site, url, capsys):
    response = client.get(url)
    assert response.status_code == 200
    # The levels the site uses: 6 for HTML (GZipMiddleware), 9 for static (WhiteNoise).
    sizes = {url: gzipped_size(response.content, 6)}
    reader = AssetReader()
    reader.feed(response.content.decode())
    assert reader.assets, "no stylesheet found: the page weight would be wrong"
    for asset in reader.assets:
        asset_response = client.get(asset)
        assert asset_response.status_code == 200, asset
        sizes[asset] = gzipped_size(streamed(asset_response), 9)
    total = sum(sizes.values())
    with capsys.disabled():
        print(f"\n{url}: {total / 1024:.1f} kB gzipped (HTML, CSS, JS)")
        for name, size in sizes.items():
            print(f"  {size / 1024:6.1f} kB  {name}")
    assert total <= PAGE_BUDGET_BYTES
