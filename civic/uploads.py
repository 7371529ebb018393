"""Photos sent by residents: checked and re-encoded with Pillow before anything is stored.

- only JPEG, PNG and WebP, recognised from the bytes (never from the name);
- at most MAX_UPLOAD_BYTES and MAX_PIXELS, well below Pillow's decompression-bomb limit,
  checked from the header before any pixel is decoded;
- bounded memory: a JPEG is decoded at a reduced scale (Pillow's draft mode, no more than
  MAX_SIDE needs), any image whose decoded pixels would take more than MAX_DECODED_BYTES is
  refused, and at most MAX_CONCURRENT_DECODES images are decoded at once per process
  (``decode_limiter``): a burst of large photos waits its turn instead of filling memory;
- re-encoded as a new JPEG: metadata (EXIF, GPS position) is not carried over, the image
  is turned upright first, and large images are scaled down;
- stored under a random name: the sender's file name is never used;
- deleted again when the transaction that stored it does not commit (``discard_on_error``).
"""

import contextlib
import contextvars
import functools
import io
import logging
import os
import threading
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 24_000_000
MAX_SIDE = 1600
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
# Memory of one decoded image, counted at 4 bytes a pixel (RGBA, the widest mode converted
# here), after the JPEG draft reduction: 64 MiB is about 16.7 million pixels.
MAX_DECODED_BYTES = 64 * 2**20
DECODED_BYTES_PER_PIXEL = 4
# Images decoded at once in one process; the others wait, at most DECODE_WAIT_SECONDS.
MAX_CONCURRENT_DECODES = int(os.environ.get("UPLOAD_DECODE_CONCURRENCY", "2"))
DECODE_WAIT_SECONDS = 20


class DecodeLimiter:
    """A process-wide semaphore around decoding, counting the decodes under way (``active``)
    and the most seen at once (``peak``), so that the bound can be measured."""

    def __init__(self, slots):
        self.slots = slots
        self._semaphore = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self.active = 0
        self.peak = 0

    @contextlib.contextmanager
    def slot(self, *, timeout=None):
        if not self._semaphore.acquire(timeout=DECODE_WAIT_SECONDS if timeout is None else timeout):
            raise ValidationError(
                _("Le serveur traite déjà d'autres photos : réessayez dans un instant."),
                code="busy",
            )
        with self._lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            yield
        finally:
            with self._lock:
                self.active -= 1
            self._semaphore.release()


decode_limiter = DecodeLimiter(MAX_CONCURRENT_DECODES)


def normalise_photo(uploaded, *, prefix="photo"):
    """Return a ContentFile of a clean JPEG, or raise ValidationError with a clear message."""
    if uploaded.size is not None and uploaded.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("La photo est trop lourde (%(max)s Mo au plus).")
            % {"max": MAX_UPLOAD_BYTES // 2**20},
            code="too_large",
        )
    data = uploaded.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("La photo est trop lourde (%(max)s Mo au plus).")
            % {"max": MAX_UPLOAD_BYTES // 2**20},
            code="too_large",
        )
    invalid = ValidationError(
        _("Ce fichier n'est pas une photo lisible (JPEG, PNG ou WebP)."), code="invalid_image"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise invalid
            width, height = image.size
            if width * height > MAX_PIXELS or width < 1 or height < 1:
                raise ValidationError(
                    _("La photo a trop de pixels (%(max)s millions au plus).")
                    % {"max": MAX_PIXELS // 1_000_000},
                    code="too_many_pixels",
                )
            if getattr(image, "n_frames", 1) > 1:
                image.seek(0)  # animated images: keep the first frame only
            if image.format == "JPEG":
                # Decode at 1/2, 1/4 or 1/8 scale when that still covers MAX_SIDE.
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))
            width, height = image.size
            if width * height * DECODED_BYTES_PER_PIXEL > MAX_DECODED_BYTES:
                raise ValidationError(
                    _(
                        "La photo est trop grande pour être traitée "
                        "(%(max)s millions de pixels au plus)."
                    )
                    % {"max": MAX_DECODED_BYTES // DECODED_BYTES_PER_PIXEL // 1_000_000},
                    code="too_many_pixels",
                )
            with decode_limiter.slot():
                output = _decode_and_encode(image)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise invalid from error
    return ContentFile(output.getvalue(), name=f"{prefix}-{uuid.uuid4().hex}.jpg")


def _decode_and_encode(image):
    """Decode, scale down first (conversions then work on the small image), turn upright
    and re-encode as JPEG; call with a slot of ``decode_limiter``."""
    image.load()
    if image.mode not in ("RGB", "RGBA", "L", "CMYK"):
        image = image.convert("RGBA")  # palettes, 16-bit, 1-bit: scaled well only so
    image.thumbnail((MAX_SIDE, MAX_SIDE))  # the EXIF orientation stays in image.info
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode == "L":
        image = image.convert("RGB")
    output = io.BytesIO()
    image.save(output, "JPEG", quality=82, optimize=True)
    return output


# The files stored by the service call under way (see discard_on_error), per thread/task.
_stored_files = contextvars.ContextVar("stored_files", default=None)


def discard_on_error(service):
    """Decorate a service, above its ``@transaction.atomic``: a file stored during the call
    (and named with ``keep_until_commit``) is deleted if the call raises. A FileField writes
    its file at ``save()``, before the INSERT: a database failure after that (the INSERT
    itself, a later query, the COMMIT) would otherwise leave a file that no row names.

    Only the outermost transaction decides: called inside another atomic block, a later
    rollback of that block is not seen (Django has no rollback hook)."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        stored = []
        token = _stored_files.set(stored)
        try:
            return service(*args, **kwargs)
        except BaseException:
            for storage, name in stored:
                try:
                    storage.delete(name)
                except OSError:
                    logger.exception("Could not delete %s after a failed transaction", name)
            raise
        finally:
            _stored_files.reset(token)

    return wrapper


def keep_until_commit(fieldfile):
    """Record a file just stored by ``save()``: deleted if the service call then fails."""
    stored = _stored_files.get()
    if stored is not None and fieldfile:
        stored.append((fieldfile.storage, fieldfile.name))
