"""Pictures in list cards: news, ideas, actions and events show their picture in responsive,
lazy, sized forms; a light pattern of their kind when they have none; the stored alt text,
or an empty one (the card's title says it all)."""

import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from tests.agenda_factories import make_event
from tests.factories import ActionFactory, ProposalFactory, ShiftFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def wagtail_image(db):
    return Image.objects.create(title="Le square", file=get_test_image_file(size=(1200, 800)))


def upload(name="photo.jpg", size=(1600, 1200)):
    buffer = BytesIO()
    PILImage.new("RGB", size, (200, 120, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def cards(html, css_class):
    found = [
        card
        for card in re.findall(r'<li class="card[ "].*?</li>', html, re.S)
        if css_class in card.split(">", 1)[0]
    ]
    assert found, css_class
    return found


def img_tag(card):
    match = re.search(r"<img [^>]*>", card)
    assert match, card
    return match.group(0)


def attr(tag, name):
    match = re.search(rf'\s{name}="([^"]*)"', tag)
    return match.group(1) if match else None


def assert_responsive(card):
    tag = img_tag(card)
    assert attr(tag, "loading") == "lazy"
    assert attr(tag, "decoding") == "async"
    width, height = int(attr(tag, "width")), int(attr(tag, "height"))
    assert (width, height) == (400, 225)  # 16:9, the card's smallest width
    srcset = attr(tag, "srcset")
    assert re.search(r"\s400w", srcset) and re.search(r"\s800w", srcset), srcset
    assert attr(tag, "sizes")
    assert "<picture>" in card
    assert 'type="image/webp"' in card
    assert "card-art" not in card
    return tag


# --- Wagtail images: news and events -----------------------------------------------------


def test_news_cards_show_the_image_in_modern_formats(
    client, news_index, publish_news, wagtail_image
):
    publish_news(title="Le square refait", image=wagtail_image, image_alt="Le square, bancs neufs")
    publish_news(title="Sans image")
    html = client.get(news_index.url).content.decode()
    with_image, without = sorted(cards(html, ""), key=lambda c: "Sans image" in c)
    tag = assert_responsive(with_image)
    assert attr(tag, "alt") == "Le square, bancs neufs"
    assert 'type="image/avif"' in with_image
    assert "card-art card-art-news" in without and "<img" not in without


def test_event_cards_show_the_image_or_the_pattern(site_tree, rf, wagtail_image):
    with_image = make_event(
        title="Fête de quartier", image=wagtail_image, image_alt="Guirlandes sur la place"
    )
    without = make_event(title="Atelier vélo")
    html = "".join(
        render_to_string(
            "agenda/includes/occurrence_card.html",
            {"o": event.upcoming_occurrences(limit=1)[0]},
            request=rf.get("/"),
        )
        for event in (with_image, without)
    )
    found = cards(html, "event-card")
    card = next(c for c in found if "Fête de quartier" in c)
    assert attr(assert_responsive(card), "alt") == "Guirlandes sur la place"
    other = next(c for c in found if "Atelier vélo" in c)
    assert "card-art-event" in other and "<img" not in other


# --- Plain ImageFields: ideas and actions ------------------------------------------------


def test_idea_cards_show_a_thumbnail_of_the_photo(client, site_tree, resident):
    ProposalFactory(author=resident, title="Des bancs", photo=upload(), photo_alt="Un banc cassé")
    ProposalFactory(author=resident, title="Sans photo")
    html = client.get("/idees/").content.decode()
    found = cards(html, "proposal-card")
    with_photo = next(c for c in found if "Des bancs" in c)
    tag = assert_responsive(with_photo)
    assert attr(tag, "alt") == "Un banc cassé"
    # Thumbnails, not the 1600 px original.
    assert "photo.jpg" not in tag and "/media/cache/" in tag
    without = next(c for c in found if "Sans photo" in c)
    assert "card-art card-art-idea" in without and "<img" not in without
    assert 'aria-hidden="true"' in without


def test_action_cards_show_a_thumbnail_and_decorative_alt(client, site_tree, tilleuls):
    with_image = ActionFactory(
        title="Jardin partagé", neighbourhood=tilleuls, is_published=True, image=upload("j.jpg")
    )
    ShiftFactory(action=with_image)
    ShiftFactory(
        action=ActionFactory(title="Sans image", neighbourhood=tilleuls, is_published=True)
    )
    html = client.get("/agir/").content.decode()
    found = cards(html, "action-card")
    card = next(c for c in found if "Jardin partagé" in c)
    tag = assert_responsive(card)
    assert attr(tag, "alt") == ""  # no description stored: the title says it all
    other = next(c for c in found if "Sans image" in c)
    assert "card-art-action" in other and "<img" not in other


def test_a_missing_photo_file_falls_back_to_the_pattern(client, site_tree, resident):
    proposal = ProposalFactory(author=resident, title="Photo perdue", photo=upload())
    proposal.photo.storage.delete(proposal.photo.name)
    html = client.get("/idees/").content.decode()
    card = next(c for c in cards(html, "proposal-card") if "Photo perdue" in c)
    assert "card-art-idea" in card and "<img" not in card


def test_each_kind_has_its_own_pattern_in_the_stylesheet():
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    for kind in ("news", "idea", "action", "event"):
        assert re.search(rf"\.card-art-{kind}\s*\{{[^}}]*gradient", css), kind
