"""Hostile uploads: every one refused with a clear message (a form error next to the field,
a JSON 400 under /api/), bounded memory, no row and no file written.

The files are built here, from Pillow and bytes: pixel floods (headers that declare
billions of pixels), files over the size limit, truncated, CMYK and progressive JPEGs,
animations with thousands of frames, HTML and SVG renamed ``.jpg``, polyglots,
hostile file names, and requests with more files or fields than allowed.

Existing tests already cover a plain non-image file (test_proposals_views.py,
test_proposals_api.py, test_volunteering_admin.py) and the clean-up after a database
failure (test_faults.py); they are not repeated here."""

import io
import struct
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from wagtail.images import get_image_model

from civic.proposals.models import Proposal
from civic.uploads import MAX_PIXELS, MAX_UPLOAD_BYTES, normalise_photo
from civic.volunteering.models import Action
from tests.factories import ThemeFactory

pytestmark = pytest.mark.django_db

SUBMIT_URL = "/idees/proposer/"
API_URL = "/api/proposals/"
WAGTAIL_ADD_URL = "/admin/images/add/"


# --- Hostile files ------------------------------------------------------------------------


def encoded(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def jpeg_bytes(size=(64, 48), mode="RGB", **options):
    colour = (0, 80, 160, 20) if mode == "CMYK" else (200, 120, 40)
    return encoded(Image.new(mode, size, colour), "JPEG", **options)


def noisy_jpeg_bytes(size=(400, 300), **options):
    """A JPEG with real entropy, so that cutting it loses pixel data."""
    image = Image.frombytes(
        "RGB", size, bytes((i * 7919) % 251 for i in range(3 * size[0] * size[1]))
    )
    return encoded(image, "JPEG", quality=90, **options)


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pixel_flood_png(width, height):
    """A PNG of a few dozen bytes whose header declares width × height pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    idat = zlib.compress(b"\x00" + b"\x00\x00\x00")  # one row, far too short
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def pixel_flood_jpeg(width, height):
    """A real 8×8 JPEG whose frame header (SOF0) is rewritten to declare width × height."""
    data = bytearray(jpeg_bytes((8, 8)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def pixel_flood_gif(width, height):
    data = bytearray(encoded(Image.new("P", (1, 1)), "GIF"))
    data[6:10] = struct.pack("<HH", width, height)  # logical screen
    descriptor = data.index(b"\x2c")
    data[descriptor + 5 : descriptor + 9] = struct.pack("<HH", width, height)
    return bytes(data)


def many_frames(fmt, count=5000):
    """An animation of ``count`` 1×1 frames (alternating colours, so none is merged)."""
    frames = [Image.new("RGB", (1, 1), (255 * (i % 2), 0, 0)) for i in range(count)]
    return encoded(frames[0], fmt, save_all=True, append_images=frames[1:], duration=10)


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.domain)</script><rect width='10' height='10'/></svg>"
)
GIF_POLYGLOT = b"GIF89a\x01\x00\x01\x00\x00\x00\x00" + HTML
# Pillow's limit is 89 million pixels: a warning up to twice that, an error beyond.
WARNING_BOMB = (10_000, 10_000)  # 100 million pixels: only a DecompressionBombWarning
ERROR_BOMB = (65_535, 65_535)  # 4.3 billion pixels: a DecompressionBombError

REFUSED = {
    "PNG pixel flood 65535²": pixel_flood_png(*ERROR_BOMB),
    "PNG pixel flood 30000²": pixel_flood_png(30_000, 30_000),
    "PNG warning-level bomb": pixel_flood_png(*WARNING_BOMB),
    "PNG just over our limit": pixel_flood_png(6_000, 4_001),
    "JPEG pixel flood": pixel_flood_jpeg(*ERROR_BOMB),
    "JPEG warning-level bomb": pixel_flood_jpeg(*WARNING_BOMB),
    "GIF pixel flood": pixel_flood_gif(*ERROR_BOMB),
    "zero-width PNG": pixel_flood_png(0, 10),
    "truncated JPEG": noisy_jpeg_bytes()[: len(noisy_jpeg_bytes()) // 2],
    "HTML renamed .jpg": HTML,
    "SVG renamed .jpg": SVG,
    "GIF + HTML polyglot": GIF_POLYGLOT,
    "empty file": b"",
    "JPEG header only": b"\xff\xd8\xff\xe0",
}
REFUSAL_MESSAGES = ("pas une photo lisible", "trop de pixels", "trop lourde")


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- Fixtures -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """A MEDIA_ROOT of its own per test, to prove that nothing is written."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def files_under(root):
    return sorted(p.relative_to(root).as_posix() for p in Path(root).rglob("*") if p.is_file())


@pytest.fixture
def theme():
    return ThemeFactory(slug="proprete", name="Propreté")


def login(user):
    client = Client()
    client.force_login(user)
    return client


def form_data(resident, theme, **overrides):
    data = {
        "title": "Des bancs place des Tilleuls",
        "description": "Pour que les anciens puissent s'asseoir.",
        "theme": theme.pk,
        "neighbourhood": resident.neighbourhood_id,
        "address": "",
        "latitude": "",
        "longitude": "",
        "photo_alt": "La place",
    }
    data.update(overrides)
    return data


def api_data(**overrides):
    data = {
        "title": "Des bancs place des Tilleuls",
        "description": "Pour que les anciens puissent s'asseoir.",
        "theme": "proprete",
        "neighbourhood": "les-tilleuls",
        "photo_alt": "La place",
    }
    data.update(overrides)
    return data


def page(response):
    import html

    return html.unescape(response.content.decode())


def assert_photo_error(response):
    """The form is shown again with a plain-French error on the photo field."""
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "photo" in errors, errors
    assert any(text in " ".join(errors["photo"]) for text in REFUSAL_MESSAGES), errors
    # Next to the field: the input names its error message.
    assert 'aria-describedby="' in page(response) or 'aria-invalid="true"' in page(response)


def assert_json_400(response, code=None):
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["message"]
    if code:
        assert error["code"] == code
    return error


# --- normalise_photo itself ------------------------------------------------------------------


@pytest.mark.parametrize("name", REFUSED)
def test_normalise_photo_refuses_with_a_clear_message(name):
    with pytest.raises(ValidationError) as caught:
        normalise_photo(upload(REFUSED[name]))
    assert any(text in caught.value.messages[0] for text in REFUSAL_MESSAGES)


@pytest.mark.parametrize("name", [n for n in REFUSED if "flood" in n or "bomb" in n])
def test_bombs_are_refused_from_the_header_in_bounded_memory(name):
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError):
            normalise_photo(upload(REFUSED[name]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 2**20


def test_bombs_stay_in_bounded_memory_in_a_separate_process():
    """tracemalloc does not see Pillow's C buffers: the process's own peak does."""
    script = textwrap.dedent(
        """
        import resource, sys
        import django
        from django.conf import settings
        settings.configure(USE_I18N=False)
        django.setup()
        from django.core.exceptions import ValidationError
        from django.core.files.uploadedfile import SimpleUploadedFile
        from civic.uploads import normalise_photo
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for path in sys.argv[1:]:
            data = open(path, "rb").read()
            try:
                normalise_photo(SimpleUploadedFile("a.jpg", data))
            except ValidationError:
                pass
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((after - before) // 1024)
        """
    )
    bombs = {n: d for n, d in REFUSED.items() if "flood" in n or "bomb" in n}
    bombs["5000 frames APNG"] = many_frames("PNG")
    bombs["5000 frames WebP"] = many_frames("WEBP", 1000)
    paths = []
    for index, data in enumerate(bombs.values()):
        path = Path(django_settings.MEDIA_ROOT).parent / f"bomb-{index}"
        path.write_bytes(data)
        paths.append(str(path))
    done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "-c", script, *paths],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=django_settings.BASE_DIR,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) < 50  # MB above the interpreter's own


def test_a_file_over_the_limit_is_refused_before_being_decoded():
    big = upload(b"\xff\xd8\xff" + b"\x00" * MAX_UPLOAD_BYTES)
    with pytest.raises(ValidationError) as caught:
        normalise_photo(big)
    assert caught.value.code == "too_large"
    assert "8 Mo" in caught.value.messages[0]


def test_a_file_whose_size_is_unknown_is_read_no_further_than_the_limit():
    class Endless(io.RawIOBase):
        size = None
        read_sizes = []

        def readable(self):
            return True

        def read(self, size=-1):
            assert size is not None and size >= 0, "would read without end"
            self.read_sizes.append(size)
            return b"\x00" * size

    with pytest.raises(ValidationError) as caught:
        normalise_photo(Endless())
    assert caught.value.code == "too_large"


def test_pillow_limits_are_well_above_ours():
    assert MAX_PIXELS * 2 < Image.MAX_IMAGE_PIXELS


def test_a_cmyk_jpeg_is_accepted_and_stored_as_rgb():
    result = normalise_photo(upload(jpeg_bytes(mode="CMYK")))
    with Image.open(result) as image:
        assert image.format == "JPEG" and image.mode == "RGB"


def test_a_progressive_jpeg_is_accepted():
    result = normalise_photo(upload(noisy_jpeg_bytes(progressive=True)))
    with Image.open(result) as image:
        assert image.format == "JPEG" and image.size == (400, 300)


def test_a_gif_with_thousands_of_frames_is_refused_at_once():
    data = many_frames("GIF")
    started = time.monotonic()
    with pytest.raises(ValidationError):
        normalise_photo(upload(data))
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("fmt, count", [("PNG", 5000), ("WEBP", 1000)])
def test_an_animation_with_thousands_of_frames_keeps_only_its_first(fmt, count):
    data = many_frames(fmt, count)
    started = time.monotonic()
    result = normalise_photo(upload(data, content_type="image/png"))
    assert time.monotonic() - started < 2
    with Image.open(result) as image:
        assert image.size == (1, 1) and getattr(image, "n_frames", 1) == 1
        assert image.getpixel((0, 0))[0] < 30  # the first frame: black, not red


def test_html_after_a_valid_jpeg_does_not_survive_the_re_encoding():
    result = normalise_photo(upload(jpeg_bytes() + HTML))
    assert b"<script" not in result.read()


# --- The "proposer une idée" form ------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "PNG pixel flood 65535²",
        "PNG warning-level bomb",
        "truncated JPEG",
        "HTML renamed .jpg",
        "SVG renamed .jpg",
        "GIF + HTML polyglot",
    ],
)
def test_the_form_refuses_a_hostile_photo(resident, theme, media, name):
    response = login(resident).post(
        SUBMIT_URL, form_data(resident, theme, photo=upload(REFUSED[name]))
    )
    assert_photo_error(response)
    assert not Proposal.objects.exists()
    assert files_under(media) == []


def test_the_form_refuses_a_file_over_the_limit(resident, theme, media):
    big = upload(jpeg_bytes() + b"\x00" * MAX_UPLOAD_BYTES)
    response = login(resident).post(SUBMIT_URL, form_data(resident, theme, photo=big))
    assert_photo_error(response)
    assert "8 Mo au plus" in page(response)
    assert not Proposal.objects.exists()
    assert files_under(media) == []


def test_the_form_refuses_a_gif_with_thousands_of_frames(resident, theme, media):
    data = many_frames("GIF")
    response = login(resident).post(
        SUBMIT_URL, form_data(resident, theme, photo=upload(data, "anim.gif", "image/gif"))
    )
    assert_photo_error(response)
    assert files_under(media) == []


HOSTILE_NAMES = [
    "../../etc/passwd.jpg",
    "..\\..\\x.jpg",
    "a\x00.php.jpg",
    "x" * 300 + ".jpg",
    "photo\u202egpj.php",  # right-to-left override: shows as "photophp.jpg"
    "/absolute/path.jpg",
    ".htaccess",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_file_name_is_never_used(resident, theme, media, name):
    response = login(resident).post(
        SUBMIT_URL, form_data(resident, theme, photo=upload(jpeg_bytes(), name=name))
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    proposal = Proposal.objects.get()
    stored = Path(proposal.photo.path).resolve()
    assert stored.is_relative_to(media.resolve())
    assert files_under(media) == [proposal.photo.name]
    assert proposal.photo.name.startswith("proposals/")
    base = stored.name
    assert base.startswith("idee-") and base.endswith(".jpg") and len(base) == len("idee-.jpg") + 32


def test_the_edit_form_refuses_a_pixel_flood_and_keeps_the_old_photo(resident, theme, media):
    client = login(resident)
    client.post(SUBMIT_URL, form_data(resident, theme, photo=upload(jpeg_bytes())))
    proposal = Proposal.objects.get()
    before = files_under(media)
    response = client.post(
        f"/idees/{proposal.pk}/modifier/",
        form_data(resident, theme, photo=upload(REFUSED["JPEG pixel flood"])),
    )
    assert_photo_error(response)
    proposal.refresh_from_db()
    assert files_under(media) == before == [proposal.photo.name]


# --- Too many files, too many fields, too big a body ---------------------------------------------


def too_many_files():
    return {
        f"photo{i}": upload(jpeg_bytes((2, 2)))
        for i in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    }


def too_many_fields():
    return {f"f{i}": "x" for i in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}


def assert_400_page(response):
    assert response.status_code == 400
    text = page(response)
    assert "<html" in text and "Requête refusée" in text
    assert 'lang="fr"' in text


def test_upload_limits_are_set():
    assert django_settings.DATA_UPLOAD_MAX_NUMBER_FILES <= 20
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 2**20
    assert django_settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE <= 10 * 2**20
    assert django_settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS < Image.MAX_IMAGE_PIXELS


@pytest.mark.parametrize("extra", [too_many_files, too_many_fields])
def test_the_form_answers_400_to_too_many_files_or_fields(resident, theme, media, extra):
    client = login(resident)
    response = client.post(SUBMIT_URL, {**form_data(resident, theme), **extra()})
    assert_400_page(response)
    assert not Proposal.objects.exists()
    assert files_under(media) == []


def test_the_form_answers_400_to_a_body_over_the_memory_limit(resident, theme, media):
    huge = "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = login(resident).post(
        SUBMIT_URL,
        f"title={huge}",
        content_type="application/x-www-form-urlencoded",
    )
    assert_400_page(response)
    assert not Proposal.objects.exists()


# --- The proposals API ----------------------------------------------------------------------


@pytest.fixture
def api(resident):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(resident)
    return client


@pytest.mark.parametrize(
    "name",
    [
        "PNG pixel flood 65535²",
        "JPEG warning-level bomb",
        "truncated JPEG",
        "SVG renamed .jpg",
        "GIF + HTML polyglot",
    ],
)
def test_the_api_refuses_a_hostile_photo(api, theme, media, name):
    response = api.post(API_URL, api_data(photo=upload(REFUSED[name])), format="multipart")
    error = assert_json_400(response, "invalid")
    assert "photo" in error["details"]
    assert not Proposal.objects.exists()
    assert files_under(media) == []


def test_the_api_refuses_a_file_over_the_limit(api, theme, media):
    big = upload(jpeg_bytes() + b"\x00" * MAX_UPLOAD_BYTES)
    error = assert_json_400(api.post(API_URL, api_data(photo=big), format="multipart"))
    assert "8 Mo" in str(error["details"]["photo"])
    assert files_under(media) == []


@pytest.mark.parametrize("name", HOSTILE_NAMES[:5])
def test_the_api_never_uses_the_file_name(api, theme, media, name):
    response = api.post(
        API_URL, api_data(photo=upload(jpeg_bytes(), name=name)), format="multipart"
    )
    assert response.status_code == 201, response.content
    proposal = Proposal.objects.get()
    assert Path(proposal.photo.path).resolve().is_relative_to(media.resolve())
    assert files_under(media) == [proposal.photo.name]


@pytest.mark.parametrize(
    "extra, code, message",
    [
        (too_many_files, "too_many_files", "Trop de fichiers"),
        (too_many_fields, "too_many_fields", "Trop de champs"),
    ],
)
def test_the_api_answers_a_json_400_to_too_many_files_or_fields(
    api, theme, media, extra, code, message
):
    response = api.post(API_URL, {**api_data(), **extra()}, format="multipart")
    assert message in assert_json_400(response, code)["message"]
    assert not Proposal.objects.exists()
    assert files_under(media) == []


def test_the_api_answers_a_json_400_to_a_body_over_the_memory_limit(api, theme, media):
    huge = "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = api.post(API_URL, api_data(title=huge), format="json")
    assert "trop volumineuses" in assert_json_400(response, "too_large")["message"]
    assert not Proposal.objects.exists()


# --- Staff: volunteer action images ------------------------------------------------------------


def action_data(neighbourhood, **overrides):
    data = {
        "title": "Nettoyage du square",
        "description": "On ramasse les déchets autour de l'aire de jeux.",
        "neighbourhood": neighbourhood.pk,
        "meeting_place": "Devant la Régie",
        "image_alt": "Des bénévoles",
        "what_to_bring": "",
        "skills_welcome": "",
        "proposal": "",
        "cancellation_cutoff_hours": "24",
        "is_published": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "name",
    ["PNG pixel flood 65535²", "PNG warning-level bomb", "SVG renamed .jpg", "truncated JPEG"],
)
def test_action_image_refuses_hostile_files(manager, tilleuls, media, name):
    response = login(manager).post(
        reverse("volunteering_actions:add"),
        {**action_data(tilleuls), "image": upload(REFUSED[name])},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(text in " ".join(errors.get("image", [])) for text in REFUSAL_MESSAGES), errors
    assert not Action.objects.exists()
    assert files_under(media) == []


def test_action_image_with_a_traversal_name_is_stored_under_a_random_name(manager, tilleuls, media):
    response = login(manager).post(
        reverse("volunteering_actions:add"),
        {**action_data(tilleuls), "image": upload(jpeg_bytes(), name="../../../etc/cron.d/x.jpg")},
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert Path(action.image.path).resolve().is_relative_to(media.resolve())
    assert "cron" not in action.image.name and files_under(media) == [action.image.name]


# --- Wagtail's own image uploads (news, pages, agenda events) ------------------------------------


@pytest.mark.parametrize(
    "name, data",
    [
        ("pixel flood", pixel_flood_png(*ERROR_BOMB)),
        ("warning-level bomb", pixel_flood_png(*WARNING_BOMB)),
        ("over our pixel limit", pixel_flood_png(8_000, 6_000)),
        ("SVG renamed .jpg", SVG),
        ("HTML renamed .jpg", HTML),
        ("truncated JPEG", noisy_jpeg_bytes()[:2000]),
    ],
)
def test_wagtail_image_upload_refuses_hostile_files(editor, media, name, data):
    response = login(editor).post(
        WAGTAIL_ADD_URL, {"title": "Affiche", "file": upload(data), "collection": ""}
    )
    assert response.status_code == 200, response.status_code
    assert "file" in response.context["form"].errors
    assert not get_image_model().objects.exists()
    assert files_under(media) == []


def test_wagtail_image_upload_refuses_a_file_over_the_limit(editor, media):
    big = upload(jpeg_bytes() + b"\x00" * django_settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE)
    response = login(editor).post(WAGTAIL_ADD_URL, {"title": "Affiche", "file": big})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert files_under(media) == []


@pytest.mark.parametrize("name", ["truncated JPEG", "SVG renamed .jpg", "PNG pixel flood 65535²"])
def test_wagtail_multiple_upload_refuses_hostile_files(editor, media, name):
    """The "Ajouter des images" page sends each file alone, in the background."""
    response = login(editor).post(
        "/admin/images/multiple/add/", {"files[]": upload(REFUSED[name]), "collection": "1"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is False and body["error_message"]
    assert not get_image_model().objects.exists()
    assert files_under(media) == []


@pytest.mark.parametrize("name", ["../../etc/passwd.jpg", "..\\..\\x.jpg", "x" * 300 + ".jpg"])
def test_wagtail_stores_an_image_with_a_hostile_name_inside_media_root(editor, media, name):
    response = login(editor).post(
        WAGTAIL_ADD_URL, {"title": "Affiche", "file": upload(jpeg_bytes(), name=name)}
    )
    assert response.status_code == 302, response.context["form"].errors
    image = get_image_model().objects.get()
    stored = Path(image.file.path).resolve()
    assert stored.is_relative_to((media / "original_images").resolve())
    assert ".." not in image.file.name and "/etc/" not in image.file.name
    assert len(stored.name) <= 100


def test_wagtail_refuses_a_disallowed_extension_even_for_a_real_image(editor, media):
    response = login(editor).post(
        WAGTAIL_ADD_URL,
        {"title": "Affiche", "file": upload(jpeg_bytes(), name="photo\u202egpj.php")},
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert files_under(media) == []


def test_the_api_edit_refuses_a_pixel_flood_and_keeps_the_old_photo(api, theme, media):
    created = api.post(API_URL, api_data(photo=upload(jpeg_bytes())), format="multipart")
    assert created.status_code == 201, created.content
    proposal = Proposal.objects.get()
    before = files_under(media)
    response = api.patch(
        f"{API_URL}{proposal.pk}/",
        {"photo": upload(REFUSED["PNG pixel flood 65535²"])},
        format="multipart",
    )
    assert "photo" in assert_json_400(response, "invalid")["details"]
    proposal.refresh_from_db()
    assert files_under(media) == before == [proposal.photo.name]
