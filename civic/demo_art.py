"""Generated illustrations for the demo data: soft gradients and simple shapes per theme,
drawn with Pillow (nothing downloaded, no text in the picture). Deterministic: the same
theme and seed give the same picture, so ``make demo`` stays reproducible."""

import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter

# Sky (top → bottom) and ground colours, then the colours of the theme's shapes.
PALETTES = {
    "garden": (
        (255, 236, 200),
        (214, 236, 214),
        (98, 160, 92),
        [(232, 96, 76), (246, 190, 70), (250, 250, 240)],
    ),
    "clean": (
        (205, 230, 250),
        (236, 244, 250),
        (150, 190, 120),
        [(46, 125, 50), (33, 150, 243), (255, 193, 7)],
    ),
    "party": (
        (58, 42, 110),
        (196, 90, 140),
        (70, 50, 90),
        [(255, 202, 40), (239, 83, 80), (102, 187, 106), (66, 165, 245)],
    ),
    "winter": (
        (190, 214, 235),
        (240, 246, 252),
        (235, 240, 246),
        [(200, 40, 50), (250, 250, 255), (40, 110, 70)],
    ),
    "meeting": (
        (250, 230, 205),
        (255, 246, 232),
        (190, 150, 110),
        [(13, 71, 161), (0, 137, 123), (244, 81, 30), (255, 179, 0)],
    ),
    "office": (
        (220, 235, 245),
        (250, 250, 246),
        (180, 200, 190),
        [(11, 92, 74), (255, 183, 77), (120, 144, 156)],
    ),
    "games": (
        (255, 224, 178),
        (255, 243, 224),
        (200, 160, 120),
        [(229, 57, 53), (30, 136, 229), (67, 160, 71), (253, 216, 53)],
    ),
    "autumn": (
        (250, 214, 165),
        (255, 240, 220),
        (160, 110, 70),
        [(211, 84, 0), (230, 126, 34), (192, 57, 43), (241, 196, 15)],
    ),
}

# What each illustration shows, for its alternative text.
DESCRIPTIONS = {
    "garden": "Dessin : des fleurs dans l'herbe, sur des collines au soleil.",
    "clean": "Dessin : des maisons colorées et des habitants au pied de la colline.",
    "party": "Dessin : des guirlandes de fanions et des ballons dans le ciel du soir.",
    "winter": "Dessin : des sapins sous la neige.",
    "meeting": "Dessin : des habitants réunis devant les maisons du quartier.",
    "office": "Dessin : les maisons du quartier et des habitants qui passent.",
    "games": "Dessin : des habitants devant les maisons du quartier.",
    "autumn": "Dessin : des fleurs d'automne sur des collines dorées.",
}


def _vertical_gradient(size, top, bottom):
    width, height = size
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / max(1, height - 1)
        column.putpixel(
            (0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    return column.resize(size)


def _hills(draw, rng, width, height, colour):
    for layer in range(3):
        base = height * (0.62 + 0.1 * layer)
        shade = tuple(max(0, min(255, c - 18 * (2 - layer))) for c in colour)
        phase, amplitude = rng.uniform(0, math.tau), height * rng.uniform(0.03, 0.08)
        points = [(0, height)]
        for x in range(0, width + 40, 40):
            points.append((x, base + amplitude * math.sin(x / width * math.tau * 1.3 + phase)))
        points.append((width, height))
        draw.polygon(points, fill=shade)


def _shapes(draw, rng, theme, width, height, colours):
    if theme in ("garden", "autumn"):
        for _ in range(22):
            x, y = rng.uniform(0, width), rng.uniform(height * 0.55, height)
            r = rng.uniform(10, 30)
            colour = rng.choice(colours)
            draw.line((x, y, x, y + r * 2), fill=(70, 120, 60), width=4)
            for angle in range(0, 360, 72):
                dx, dy = math.cos(math.radians(angle)) * r, math.sin(math.radians(angle)) * r
                draw.ellipse(
                    (
                        x + dx / 2 - r / 2,
                        y + dy / 2 - r / 2,
                        x + dx / 2 + r / 2,
                        y + dy / 2 + r / 2,
                    ),
                    fill=colour,
                )
            draw.ellipse((x - r / 3, y - r / 3, x + r / 3, y + r / 3), fill=(255, 236, 150))
    elif theme == "party":
        for i in range(4):  # garlands
            y0 = height * (0.12 + 0.1 * i)
            for k in range(16):
                x = k * width / 15
                sag = math.sin(k / 15 * math.pi) * 40
                draw.polygon(
                    [(x - 18, y0 + sag), (x + 18, y0 + sag), (x, y0 + sag + 40)],
                    fill=colours[(k + i) % len(colours)],
                )
        for _ in range(8):  # balloons
            x, y = rng.uniform(60, width - 60), rng.uniform(height * 0.45, height * 0.7)
            draw.line((x, y + 50, x + rng.uniform(-20, 20), height), fill=(240, 240, 240), width=2)
            draw.ellipse((x - 35, y - 45, x + 35, y + 50), fill=rng.choice(colours))
    elif theme == "winter":
        for _ in range(120):
            x, y, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(2, 7)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255))
        for _ in range(5):  # small fir trees
            x, base = rng.uniform(80, width - 80), height * rng.uniform(0.78, 0.92)
            for level in range(3):
                w = 70 - level * 18
                draw.polygon(
                    [
                        (x - w, base - level * 45),
                        (x + w, base - level * 45),
                        (x, base - level * 45 - 80),
                    ],
                    fill=colours[2],
                )
            draw.ellipse((x - 8, base - 160, x + 8, base - 144), fill=colours[0])
    else:
        # Houses and people as rounded shapes: the neighbourhood.
        for _ in range(6):
            w, h = rng.uniform(110, 200), rng.uniform(120, 230)
            x, y = rng.uniform(0, width - w), height * 0.72 - h
            colour = rng.choice(colours)
            draw.rectangle((x, y, x + w, y + h), fill=colour)
            draw.polygon(
                [(x - 10, y), (x + w + 10, y), (x + w / 2, y - h * 0.35)],
                fill=tuple(max(0, c - 40) for c in colour),
            )
            for wx in range(int(x + 20), int(x + w - 30), 45):
                draw.rectangle((wx, y + 25, wx + 22, y + 50), fill=(255, 244, 200))
        for _ in range(7):
            x, y = rng.uniform(40, width - 40), height * rng.uniform(0.8, 0.9)
            colour = rng.choice(colours)
            draw.ellipse((x - 16, y - 70, x + 16, y - 38), fill=(120, 80, 60))
            draw.rounded_rectangle((x - 26, y - 36, x + 26, y + 40), radius=20, fill=colour)


def illustration(theme, seed, size=(1200, 675), image_format="JPEG"):
    """A picture for ``theme`` (see PALETTES), as a file-like object."""
    sky_top, sky_bottom, ground, colours = PALETTES.get(theme, PALETTES["meeting"])
    width, height = size
    rng = random.Random(f"{theme}:{seed}")  # noqa: S311 - decoration, not security  # nosec B311
    picture = _vertical_gradient(size, sky_top, sky_bottom)
    # A soft sun: a blurred disc used as the mask of a flat warm colour (no dark halo).
    mask = Image.new("L", size, 0)
    sx, sy, sr = rng.uniform(0.15, 0.85) * width, rng.uniform(0.1, 0.3) * height, height * 0.12
    ImageDraw.Draw(mask).ellipse((sx - sr, sy - sr, sx + sr, sy + sr), fill=210)
    picture.paste((255, 250, 220), (0, 0), mask.filter(ImageFilter.GaussianBlur(14)))
    draw = ImageDraw.Draw(picture)
    _hills(draw, rng, width, height, ground)
    _shapes(draw, rng, theme, width, height, colours)
    buffer = io.BytesIO()
    picture.save(buffer, image_format, quality=82)
    buffer.seek(0)
    return buffer


def logo(size=(360, 120)):
    """The demo Régie's logo: three rivers and its initials' place, light on transparent
    (shown on the accent colour of the header), as a PNG file-like object."""
    width, height = size
    picture = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    draw.rounded_rectangle(
        (4, 4, height - 4, height - 4), radius=24, outline=(255, 255, 255, 255), width=6
    )
    for i, colour in enumerate(((255, 255, 255, 255), (180, 230, 215, 255), (255, 214, 120, 255))):
        y0 = height * (0.32 + 0.18 * i)
        points = [(16 + x, y0 + 9 * math.sin(x / 14 + i)) for x in range(0, height - 32, 2)]
        draw.line(points, fill=colour, width=7)
    for k in range(3):  # three roofs: the neighbourhoods
        x = height + 20 + k * 78
        draw.polygon([(x, 80), (x + 60, 80), (x + 30, 40)], fill=(255, 255, 255, 255))
        draw.rectangle((x + 8, 80, x + 52, 108), fill=(255, 255, 255, 255))
        draw.rectangle((x + 24, 88, x + 36, 108), fill=(0, 0, 0, 0))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    buffer.seek(0)
    return buffer
