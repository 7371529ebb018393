"""Memory stays bounded under a burst of valid-but-large photos: JPEGs are decoded at a
reduced scale, an image whose decoded pixels would be too large is refused with a clear
message, and no more than ``decode_limiter.slots`` images are decoded at once."""

import io
import subprocess
import sys
import textwrap
import threading

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from civic import uploads
from civic.proposals.models import Proposal
from civic.uploads import MAX_DECODED_BYTES, MAX_PIXELS, MAX_SIDE, decode_limiter, normalise_photo
from tests.test_hostile_uploads import SUBMIT_URL, form_data, upload

pytestmark = pytest.mark.django_db

LARGE = (4890, 4890)  # the photos of the report: 24 million pixels, about 70 kB


def large_jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", LARGE, (120, 160, 200)).save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


def large_png():
    """Under MAX_PIXELS, but its decoded pixels are over MAX_DECODED_BYTES."""
    buffer = io.BytesIO()
    Image.new("RGB", (5000, 4000), (20, 40, 60)).save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def test_a_large_jpeg_is_accepted_and_scaled_down():
    assert LARGE[0] * LARGE[1] <= MAX_PIXELS
    result = normalise_photo(upload(large_jpeg()))
    with Image.open(result) as image:
        assert max(image.size) == MAX_SIDE


def test_an_image_too_large_to_decode_is_refused_with_a_clear_message():
    data = large_png()
    assert 5000 * 4000 <= MAX_PIXELS
    assert 5000 * 4000 * 4 > MAX_DECODED_BYTES
    with pytest.raises(ValidationError) as caught:
        normalise_photo(upload(data, name="big.png", content_type="image/png"))
    assert caught.value.code == "too_many_pixels"
    assert "trop grande pour être traitée" in caught.value.messages[0]


def test_the_form_shows_the_error_next_to_the_photo(resident, theme, media):
    client = Client()
    client.force_login(resident)
    photo = SimpleUploadedFile("big.png", large_png(), content_type="image/png")
    response = client.post(SUBMIT_URL, form_data(resident, theme, photo=photo))
    assert response.status_code == 200
    assert "trop grande pour être traitée" in response.content.decode()
    assert not Proposal.objects.exists()


@pytest.fixture
def theme():
    from tests.factories import ThemeFactory

    return ThemeFactory()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_concurrent_decodes_never_exceed_the_limit():
    data = large_jpeg()
    count = decode_limiter.slots * 3
    barrier = threading.Barrier(count)
    errors, results = [], []
    decode_limiter.peak = 0

    def send():
        barrier.wait()
        try:
            results.append(normalise_photo(SimpleUploadedFile("a.jpg", data)))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert len(results) == count
    assert 1 <= decode_limiter.peak <= decode_limiter.slots
    assert decode_limiter.active == 0


def test_a_photo_waits_for_a_slot_then_is_refused_as_busy(monkeypatch):
    monkeypatch.setattr(uploads, "DECODE_WAIT_SECONDS", 0.2)
    held = [decode_limiter.slot() for _ in range(decode_limiter.slots)]
    for slot in held:
        slot.__enter__()
    try:
        with pytest.raises(ValidationError) as caught:
            normalise_photo(upload(large_jpeg()))
        assert caught.value.code == "busy"
        assert "réessayez" in caught.value.messages[0]
    finally:
        for slot in held:
            slot.__exit__(None, None, None)
    assert decode_limiter.active == 0
    normalise_photo(upload(large_jpeg()))  # the slots are free again


def test_a_burst_of_large_photos_stays_in_bounded_memory(tmp_path):
    """Eight 4,890² JPEGs at once in one process (RSS, C buffers included): 600 MB and more
    before the bound; now well under 150 MB above the interpreter's own."""
    path = tmp_path / "large.jpg"
    path.write_bytes(large_jpeg())
    script = textwrap.dedent(
        """
        import resource, sys, threading
        import django
        from django.conf import settings
        settings.configure(USE_I18N=False)
        django.setup()
        from django.core.files.uploadedfile import SimpleUploadedFile
        from civic.uploads import normalise_photo
        data = open(sys.argv[1], "rb").read()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        barrier = threading.Barrier(8)
        def send():
            barrier.wait()
            normalise_photo(SimpleUploadedFile("a.jpg", data))
        threads = [threading.Thread(target=send) for _ in range(8)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((after - before) // 1024)
        """
    )
    done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=django_settings.BASE_DIR,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) < 150
