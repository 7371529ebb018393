"""Photos sent by residents: checked and re-encoded with Pillow before anything is stored.

- only JPEG, PNG and WebP, recognised from the bytes (never from the name);
- at most MAX_UPLOAD_BYTES and MAX_PIXELS, well below Pillow's decompression-bomb limit,
  checked from the header before any pixel is decoded;
- re-encoded as a new JPEG: metadata (EXIF, GPS position) is not carried over, the image
  is turned upright first, and large images are scaled down;
- stored under a random name: the sender's file name is never used.
"""

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

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
