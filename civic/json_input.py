"""JSON sent by clients — API bodies and WebSocket messages — parsed with bounds.

Python's parser recurses once per nested array or object: ``[`` × 1,500 (3 kB) exhausts
the interpreter's stack and raises ``RecursionError``, which no caller expects (a 500, or a
dead socket). ``loads`` measures the nesting first, without recursion, and refuses bodies
that are too long, too deep, malformed, or use ``NaN``/``Infinity``, with one exception
(``JSONInputError``) that carries a stable code and a translated message.

``JSONParser`` is DRF's JSON parser on top of it (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``
and the API views that list their parsers); consumers call ``loads`` in ``receive``.
"""

import json
import re

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Our bodies and messages nest three or four levels; 32 leaves room and stays far from the
# interpreter's recursion limit (1,000), whatever the caller's own stack depth.
MAX_DEPTH = 32
# The largest API body is an idea with its texts (a few kB); photos go as multipart. At this
# size the depth scan of the worst body (``[]`` repeated) takes about 0.2 s.
MAX_BODY_BYTES = 512 * 1024

# Outside strings, only brackets and quotes matter to the depth.
_SIGNIFICANT = re.compile(r'[\[\]{}"]')
# The rest of a string after its opening quote, in one anchored C-level match (no
# alternation inside the repeat: linear, no backtracking blow-up on runs of backslashes).
_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


class JSONInputError(ValueError):
    """Refused JSON: ``code`` is ``malformed``, ``too_deep`` or ``too_large``."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def _malformed():
    return JSONInputError("malformed", _("Le contenu JSON est illisible."))


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def nesting_depth(text, *, limit=MAX_DEPTH):
    """The deepest nesting of arrays and objects in ``text``, scanning without recursion;
    stops as soon as it passes ``limit``. Raises JSONInputError on an unterminated string."""
    if text.count("[") + text.count("{") <= limit:
        return 0  # cannot be deeper than the limit: no scan needed
    depth = deepest = 0
    position = 0
    while True:
        found = _SIGNIFICANT.search(text, position)
        if found is None:
            return deepest
        char = found.group()
        if char == '"':
            rest = _STRING_REST.match(text, found.end())
            if rest is None:
                raise _malformed()
            position = rest.end()
            continue
        position = found.end()
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        else:
            depth -= 1


def loads(data, *, max_length=MAX_BODY_BYTES, max_depth=MAX_DEPTH):
    """Parse JSON from a client: ``data`` is text (``max_length`` in characters) or UTF-8
    bytes (in bytes). Raises JSONInputError, never RecursionError."""
    if len(data) > max_length:
        raise JSONInputError("too_large", _("Le contenu JSON est trop long."))
    if isinstance(data, (bytes, bytearray)):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise _malformed() from None
    if nesting_depth(data, limit=max_depth) > max_depth:
        raise JSONInputError(
            "too_deep",
            _("Le contenu JSON est trop imbriqué (%(max)s niveaux au plus).") % {"max": max_depth},
        )
    try:
        return json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise _malformed() from None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, bounded: a refused body is the API's JSON 400 (``parse_error`` is
    DRF's code; ours say why: ``malformed``, ``too_deep``, ``too_large``)."""

    max_length = MAX_BODY_BYTES
    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {}) if parser_context else "utf-8"
        raw = stream.read(self.max_length + 1) if stream is not None else b""
        try:
            if encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
                raw = raw.decode(encoding)
            return loads(raw, max_length=self.max_length, max_depth=self.max_depth)
        except UnicodeDecodeError:
            raise ParseError(_("Le contenu JSON est illisible."), code="malformed") from None
        except LookupError:
            raise ParseError(_("Le contenu JSON est illisible."), code="malformed") from None
        except JSONInputError as error:
            raise ParseError(error.message, code=error.code) from None
