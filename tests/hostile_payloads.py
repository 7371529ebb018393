"""Hostile input for tests/test_hostile_input.py: what a visitor can type or paste."""

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
TEMPLATE = "{{ 7*7 }} {% now 'Y' %}"
RTL = "abc\u202edcba"
ZERO_WIDTH = "a\u200bb\u200cc\ufeff"
NUL = "a\x00b"
EMOJI = "👩🏽‍🌾 é̃ 𝕏 ﷽"  # emoji with skin tone + ZWJ, combining marks, astral plane, wide glyph
HUGE = "x" * 100_000
CRLF = "Fête\r\nATTENDEE:mailto:evil@example.org\r\nX-INJ:1"
FORMULA = "=cmd|' /C calc'!A0"

# Text that must come back escaped (and identical once unescaped) wherever it is shown.
TEXT_PAYLOADS = [SCRIPT, IMG, JS_URL, TEMPLATE, RTL, ZERO_WIDTH, EMOJI]
# Text that must be refused with a clear error (never a 500).
INVALID_PAYLOADS = [NUL, HUGE]

# What must never appear live in an HTML response.
# (``onerror=alert(1)`` itself may appear inside an escaped attribute value: harmless.)
LIVE_MARKERS = [
    "<script>alert(1)",
    '"><img',
    "<img src=x",
    'href="javascript:',
    "href='javascript:",
]

# Values for GET parameters: filters, search, ordering.
GET_VALUES = [SCRIPT, IMG, NUL, "x" * 100_000, "%00", "'; DROP TABLE x; --", '"', "\\", EMOJI, ""]
PAGE_VALUES = ["0", "-1", str(10**30), "abc", "1e9", NUL, "", "1.5", "x" * 10_000]
PAGE_SIZE_VALUES = ["0", "-5", str(10**9), "x", NUL, str(10**30)]
