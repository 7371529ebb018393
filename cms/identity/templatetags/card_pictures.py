"""``{% card_thumbnails photo as thumbs %}``: the card sizes of a plain ImageField (an idea's
photo, an action's image), made once by sorl-thumbnail and kept in its store.

Returns ``None`` when there is no photo or its file cannot be read (missing, not an image):
the card then shows its pattern instead of a broken picture.
"""

import logging

from django import template
from sorl.thumbnail import get_thumbnail

register = template.Library()
logger = logging.getLogger(__name__)

# 16:9, the widths a card is shown at (one column on phones, ~19rem on wide screens), ×1 and ×2.
WIDTHS = (400, 800)
FORMATS = {"webp": ("WEBP", 72), "jpeg": ("JPEG", 78)}


@register.simple_tag
def card_thumbnails(photo):
    if not photo:
        return None
    thumbs = {}
    try:
        for key, (image_format, quality) in FORMATS.items():
            thumbs[key] = [
                get_thumbnail(
                    photo,
                    f"{width}x{width * 9 // 16}",
                    crop="center",
                    format=image_format,
                    quality=quality,
                )
                for width in WIDTHS
            ]
        # sorl answers with a sizeless image when the source cannot be read.
        readable = all(thumb.width for sizes in thumbs.values() for thumb in sizes)
    except Exception:  # a missing or unreadable file must not break a list page
        logger.warning("No thumbnail for %s", getattr(photo, "name", photo), exc_info=True)
        return None
    if not readable:
        return None
    thumbs["fallback"] = thumbs["jpeg"][0]
    return thumbs
