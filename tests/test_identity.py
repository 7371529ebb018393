"""The Régie's identity (cms.identity): name, logo, icons and accent colour, set per Wagtail
Site in the settings, checked for contrast, and shown on every page without inline styles."""

import re

import pytest
from django.core.exceptions import ValidationError
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Site

from cms.identity import contrast
from cms.identity.models import RegieIdentity, validate_accent
from tests.test_security_csp import assert_strict


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def logo(db):
    return Image.objects.create(title="Logo", file=get_test_image_file(size=(300, 120)))


@pytest.fixture
def identity(site_tree):
    return RegieIdentity.for_site(Site.objects.get(is_default_site=True))


# --- Contrast, computed -------------------------------------------------------------------


def test_relative_luminance_and_ratio_follow_wcag():
    assert contrast.relative_luminance("#ffffff") == pytest.approx(1.0)
    assert contrast.relative_luminance("#000") == pytest.approx(0.0)
    assert contrast.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    # Reference values from WebAIM's checker.
    assert contrast.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast.contrast_ratio("#0b5c4a", "#ffffff") > 7


def test_the_suggested_shade_is_darker_of_the_same_hue_and_passes():
    light = "#f0a040"
    suggestion = contrast.darker_shade_passing(light)
    assert contrast.passes_aa(suggestion)
    assert contrast.relative_luminance(suggestion) < contrast.relative_luminance(light)
    # The nearest: one step lighter would fail.
    assert contrast.contrast_ratio(suggestion, "#ffffff") < 4.8
    r, g, b = contrast.parse_hex(suggestion)
    assert r > g > b  # still an orange


def test_a_light_accent_is_refused_with_a_suggestion():
    with pytest.raises(ValidationError) as refused:
        validate_accent("#7fc8a9")
    message = refused.value.messages[0]
    assert "trop claire" in message
    suggestion = re.search(r"« (#[0-9a-f]{6}) »", message).group(1)
    validate_accent(suggestion)  # what it suggests is accepted
    assert contrast.passes_aa(suggestion, "#f4f1ea")


def test_a_colour_that_passes_on_white_but_not_on_cards_is_refused():
    # 4.6:1 on white, 4.1:1 on the cards' background.
    colour = "#737373"
    assert contrast.passes_aa(colour, "#ffffff")
    assert not contrast.passes_aa(colour, "#f4f1ea")
    with pytest.raises(ValidationError, match="fond des cartes"):
        validate_accent(colour)


@pytest.mark.parametrize("value", ["vert", "#12345", "rgb(0,0,0)", ""])
def test_an_accent_that_is_not_a_colour_is_refused(value):
    with pytest.raises(ValidationError):
        validate_accent(value)


def test_the_settings_form_refuses_a_light_colour_and_keeps_the_old_one(client, manager, identity):
    client.force_login(manager)
    site = identity.site
    url = f"/admin/settings/identity/regieidentity/{site.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    response = client.post(url, {"name": "Régie des Lilas", "accent": "#ffd700"})
    assert response.status_code == 200  # the form again, with its error
    assert "trop claire" in response.content.decode()
    identity.refresh_from_db()
    assert identity.accent == "#0b5c4a"
    response = client.post(url, {"name": "Régie des Lilas", "accent": "#8A1C7C"})
    assert response.status_code == 302
    identity.refresh_from_db()
    assert (identity.name, identity.accent) == ("Régie des Lilas", "#8a1c7c")


def test_residents_cannot_open_the_identity_settings(client, resident, identity):
    client.force_login(resident)
    response = client.get(f"/admin/settings/identity/regieidentity/{identity.site.pk}/")
    assert response.status_code in (302, 403)
    response = client.post(
        f"/admin/settings/identity/regieidentity/{identity.site.pk}/",
        {"name": "Pirate", "accent": "#000000"},
    )
    identity.refresh_from_db()
    assert identity.name == "Quartier Commun"


# --- Shown on the pages -------------------------------------------------------------------


def test_defaults_the_name_in_words_and_the_shipped_icons(client, site_tree):
    html = client.get("/idees/").content.decode()
    assert '<span class="brand-name">Quartier Commun</span>' in html
    assert "/static/img/favicon.svg" in html
    assert "identite/couleur.css" not in html  # the stylesheet already holds the default


def test_name_logo_icon_and_colour_are_shown(client, site_tree, identity, logo):
    identity.name = "Régie des Lilas"
    identity.logo = logo
    identity.favicon = logo
    identity.accent = "#8a1c7c"
    identity.save()
    response = client.get("/idees/")
    html = response.content.decode()
    brand = re.search(r'<a class="brand" href="/">(.*?)</a>', html, re.S).group(1)
    assert 'alt="Régie des Lilas"' in brand
    assert re.search(
        r'<img src="/media/images/[^"]+" alt="Régie des Lilas" width="200" height="80">', brand
    )
    assert "brand-name" not in brand
    assert "— Régie des Lilas</title>" in html
    assert '<meta property="og:site_name" content="Régie des Lilas">' in html
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/png" sizes="32x32">', html)
    assert icon and icon.group(1).startswith("/media/images/")
    assert "/static/img/favicon.svg" not in html
    assert re.search(r'<link rel="apple-touch-icon" href="/media/images/[^"]+">', html)
    # The logo is the default link-preview picture of pages that have none.
    assert re.search(r'<meta property="og:image" content="http://testserver/media/images/', html)
    css_link = re.search(r'<link rel="stylesheet" href="(/identite/couleur\.css\?v=\w+)">', html)
    assert css_link
    css = client.get(css_link.group(1))
    assert css["Content-Type"].startswith("text/css")
    assert "--accent:#8a1c7c" in css.content.decode()
    assert "max-age=" in css["Cache-Control"]
    assert_strict(response)


def test_a_new_colour_changes_the_stylesheet_address(client, site_tree, identity):
    identity.accent = "#8a1c7c"
    identity.save()
    first = re.search(r"couleur\.css\?v=(\w+)", client.get("/").content.decode()).group(1)
    identity.accent = "#1a4f8b"
    identity.save()
    html = client.get("/").content.decode()
    second = re.search(r"couleur\.css\?v=(\w+)", html).group(1)
    assert first != second
    assert "--accent:#1a4f8b" in client.get(f"/identite/couleur.css?v={second}").content.decode()


def test_each_site_has_its_own_identity(client, settings, site_tree, identity):
    settings.ALLOWED_HOSTS = ["testserver", "autre.example"]
    identity.name = "Régie des Lilas"
    identity.save()
    other_root = site_tree[0].get_parent()
    other = Site.objects.create(hostname="autre.example", root_page=other_root, port=80)
    RegieIdentity.objects.create(site=other, name="Régie du Port", accent="#1a4f8b")
    assert "Régie des Lilas" in client.get("/idees/").content.decode()
    html = client.get("/idees/", HTTP_HOST="autre.example").content.decode()
    assert '<span class="brand-name">Régie du Port</span>' in html


def test_the_stylesheet_uses_the_accent_property():
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    assert "--accent:" in css
    assert css.count("var(--accent)") >= 5
    # No colour for buttons or links written in the stylesheet other than through it.
    assert re.search(r"\ba\s*\{[^}]*color:\s*var\(--accent\)", css)


def test_editors_cannot_change_the_identity(client, editor, identity):
    client.force_login(editor)
    url = f"/admin/settings/identity/regieidentity/{identity.site.pk}/"
    client.post(url, {"name": "Autre nom", "accent": "#000000"})
    identity.refresh_from_db()
    assert identity.name == "Quartier Commun"
