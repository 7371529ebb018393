"""Photos sent by residents: checked and re-encoded with Pillow before anything is stored.

- only JPEG, PNG and WebP, recognised from the bytes (never from the name);
- at most MAX_UPLOAD_BYTES and MAX_PIXELS, well below Pillow's decompression-bomb limit,
  checked from the header before any pixel is decoded;
- re-encoded as a new JPEG: metadata (EXIF, GPS position) is not carried over, the image
  is turned upright first, and large images are scaled down;
- stored under a random name: the sender's file name is never used;
- deleted again when the transaction that stored it does not commit (``discard_on_error``).
"""

import contextvars
import functools
import io
import logging
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
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, (255, 255, 255))
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            elif image.mode == "L":
                image = image.convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            output = io.BytesIO()
            image.save(output, "JPEG", quality=82, optimize=True)
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
