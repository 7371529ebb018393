"""WCAG 2.1 contrast, computed: relative luminance of sRGB colours and their ratio.

The Régie's accent colour fills buttons (white text on it) and colours links (on the white
page): both need 4.5:1 (WCAG 1.4.3, AA). ``darker_shade_passing`` suggests the nearest shade
of the same hue that passes, by lowering its lightness step by step.
"""

import colorsys
import re

AA_RATIO = 4.5
WHITE = "#ffffff"
_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def parse_hex(value: str) -> tuple[int, int, int]:
    match = _HEX.match((value or "").strip())
    if not match:
        raise ValueError(value)
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))


def normalise(value: str) -> str:
    """'#ABC' → '#aabbcc'."""
    return "#{:02x}{:02x}{:02x}".format(*parse_hex(value))


def relative_luminance(value: str) -> float:
    """WCAG 2.1 definition (sRGB channels linearised, then weighted)."""

    def linear(channel):
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in parse_hex(value))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def passes_aa(colour: str, background: str = WHITE) -> bool:
    return contrast_ratio(colour, background) >= AA_RATIO


def _with_lightness(colour: str, lightness: float) -> str:
    r, g, b = (c / 255 for c in parse_hex(colour))
    hue, _, saturation = colorsys.rgb_to_hls(r, g, b)
    r, g, b = colorsys.hls_to_rgb(hue, max(0.0, lightness), saturation)
    return "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in (r, g, b)))


def darker_shade_passing(colour: str, background: str = WHITE) -> str:
    """The lightest shade of the same hue, no lighter than ``colour``, that passes AA."""
    if passes_aa(colour, background):
        return normalise(colour)
    r, g, b = (c / 255 for c in parse_hex(colour))
    _, lightness, _ = colorsys.rgb_to_hls(r, g, b)
    step = 0.005
    while lightness > 0:
        lightness -= step
        candidate = _with_lightness(colour, lightness)
        if passes_aa(candidate, background):
            return candidate
    return "#000000"


def darken(colour: str, amount: float = 0.1) -> str:
    """A hover shade: the same hue, ``amount`` darker in lightness."""
    r, g, b = (c / 255 for c in parse_hex(colour))
    _, lightness, _ = colorsys.rgb_to_hls(r, g, b)
    return _with_lightness(colour, lightness - amount)
