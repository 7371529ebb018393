"""Presence codes that people can read aloud, type on a phone, or show as a QR code.

A code is 6 characters from an alphabet without look-alikes (no 0/O, 1/I/L, 5/S, 2/Z,
8/B, U/V), shown as two groups, « K7M-4QX ». It is unique per occasion (an assembly, a
volunteer shift): the database enforces it and ``create_with_code`` draws again on a
collision. 23 characters over 6 places give about 148 million codes per occasion, so a
collision is rare and a guessed code is useless without the staff's account: only staff
see whose code it is.

What a person types is read forgivingly: case, spaces, dashes, full-width or Cyrillic and
Greek look-alike letters, and the link held by the QR code itself.
"""

import re
import secrets
import unicodedata
from urllib.parse import unquote, urlsplit

import qrcode
import qrcode.image.svg
from django.db import IntegrityError, transaction
from django.utils.safestring import mark_safe

ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
LENGTH = 6
GROUP = 3
MAX_ATTEMPTS = 8

# Letters from other scripts that look like ours (a phone keyboard left in Russian or
# Greek, a code copied from a message); NFKC already folds full-width forms.
_LOOK_ALIKES = str.maketrans(
    {
        # Cyrillic
        "А": "A",
        "В": "B",
        "С": "C",
        "Е": "E",
        "Н": "H",
        "К": "K",
        "М": "M",
        "Р": "P",
        "Т": "T",
        "Х": "X",
        "У": "Y",
        "Ф": "F",
        "Д": "D",
        "Г": "G",
        # Greek
        "Α": "A",
        "Ε": "E",
        "Η": "H",
        "Κ": "K",
        "Μ": "M",
        "Ν": "N",
        "Ρ": "P",
        "Τ": "T",
        "Χ": "X",
        "Υ": "Y",
        "Φ": "F",
        "Δ": "D",
        "Γ": "G",
    }
)
# Spaces, dashes of every kind, dots and underscores people put between groups.
_SEPARATORS = re.compile(r"[\s\-‐-―−_.·/]+")
_CODE_IN_LINK = re.compile(r"/code/([^/?#]+)")
_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")


def new_code() -> str:
    """A random code (``secrets``: not predictable from the ones already given)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """« K7MQX4 » → « K7M-QX4 », as printed and read aloud."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP)) if code else ""


def normalize(text) -> str | None:
    """The code in ``text`` as stored (``K7MQX4``), or ``None`` if it holds none.

    Accepts « k7m qx4 », « K7M-QX4 », full-width and Cyrillic or Greek look-alikes, and the
    QR code's link (``https://…/code/K7MQX4/``)."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip()[:300]
    split = urlsplit(text)
    if split.scheme.lower() in ("http", "https") or text.startswith("/"):
        found = _CODE_IN_LINK.search(unquote(split.path))
        if not found:
            return None
        text = found.group(1)
    folded = _SEPARATORS.sub("", text).upper().translate(_LOOK_ALIKES)
    return folded if _VALID.match(folded) else None


def create_with_code(create, *, taken):
    """``create(code)`` with a fresh code, inside a savepoint, drawing again while the code
    is already used on the same occasion (``taken(code)``). Any other refusal of the
    database (a double registration, say) is raised for the caller to handle."""
    for attempt in range(MAX_ATTEMPTS):
        code = new_code()
        try:
            with transaction.atomic():
                return create(code)
        except IntegrityError:
            # Another row took this code between the draw and the insert: draw again.
            if attempt + 1 == MAX_ATTEMPTS or not taken(code):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def fill_missing_codes(queryset, *, occasion_field, field="presence_code"):
    """Give every row of ``queryset`` without a code one, unique on its occasion (used by
    the migrations that introduced the codes; row by row, the tables are small)."""
    used = {}
    for row in queryset.order_by("pk").iterator():
        occasion = getattr(row, f"{occasion_field}_id")
        if occasion not in used:
            used[occasion] = set(
                queryset.model.objects.filter(**{f"{occasion_field}_id": occasion})
                .exclude(**{f"{field}__isnull": True})
                .values_list(field, flat=True)
            )
        if getattr(row, field):
            continue
        code = new_code()
        while code in used[occasion]:
            code = new_code()
        used[occasion].add(code)
        setattr(row, field, code)
        row.save(update_fields=[field])


def qr_svg(text):
    """A QR code as inline SVG (no image file, no JavaScript), sized by CSS.

    Hidden from screen readers: the page prints the code next to it. Several codes on one
    page must not share an id."""
    image = qrcode.make(
        str(text),
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
    )
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    svg = re.sub(r'\s(?:width|height)="[^"]*"', "", svg, count=2)
    svg = svg.replace(' id="qr-path"', "")
    svg = svg.replace("<svg ", '<svg class="qr-code" aria-hidden="true" focusable="false" ', 1)
    # Built by the qrcode library from our own link and code: no user markup here.
    return mark_safe(svg)  # noqa: S308 - generated SVG, see above  # nosec B308, B703
