"""Pictures for the demo, drawn from nothing but code with Pillow.

No image is downloaded or copied: each one is a function of a seed text, so the demo
looks the same on every machine. Pictures are drawn at twice their size and shrunk,
which is cheap anti-aliasing, then handed to the upload service like any upload.
"""

from __future__ import annotations

import colorsys
import io
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageChops, ImageDraw, ImageFont

WIDTH, HEIGHT = 640, 480
SCALE = 2

Colour = tuple[int, int, int]
Point = tuple[float, float]


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's own bundled font: no system font is assumed.
    return ImageFont.load_default(size=size)


def _hsv(h: float, s: float, v: float) -> Colour:
    r, g, b = colorsys.hsv_to_rgb(h % 1.0, max(0.0, min(s, 1.0)), max(0.0, min(v, 1.0)))
    return (round(r * 255), round(g * 255), round(b * 255))


@dataclass(frozen=True)
class Palette:
    """Five related colours around one hue, plus a complementary accent."""

    dark: Colour
    mid: Colour
    soft: Colour
    light: Colour
    accent: Colour
    accent2: Colour

    @classmethod
    def from_rng(cls, rng: random.Random) -> Palette:
        h = rng.random()
        return cls(
            dark=_hsv(h, 0.55, 0.28),
            mid=_hsv(h + 0.03, 0.5, 0.62),
            soft=_hsv(h + 0.06, 0.28, 0.86),
            light=_hsv(h + 0.02, 0.08, 0.97),
            accent=_hsv(h + 0.5, 0.68, 0.93),
            accent2=_hsv(h + 0.42, 0.55, 0.78),
        )


def _alpha(colour: Colour, a: int) -> tuple[int, int, int, int]:
    return (*colour, a)


class Pen:
    """Draws in 640×480 picture coordinates on a canvas ``SCALE`` times larger."""

    def __init__(self, image: Image.Image) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image, "RGBA")
        self.k = image.width / WIDTH

    def _p(self, points: Sequence[Point]) -> list[tuple[float, float]]:
        return [(x * self.k, y * self.k) for x, y in points]

    def _b(self, x0: float, y0: float, x1: float, y1: float) -> list[float]:
        return [x0 * self.k, y0 * self.k, x1 * self.k, y1 * self.k]

    def ellipse(self, x0, y0, x1, y1, fill=None, outline=None, width=0) -> None:
        self.draw.ellipse(
            self._b(x0, y0, x1, y1),
            fill=fill,
            outline=outline,
            width=round(width * self.k),
        )

    def circle(self, cx, cy, r, fill=None, outline=None, width=0) -> None:
        self.ellipse(cx - r, cy - r, cx + r, cy + r, fill, outline, width)

    def rect(self, x0, y0, x1, y1, fill=None, radius=0, outline=None, width=0) -> None:
        self.draw.rounded_rectangle(
            self._b(x0, y0, x1, y1),
            radius=radius * self.k,
            fill=fill,
            outline=outline,
            width=round(width * self.k),
        )

    def polygon(self, points: Sequence[Point], fill=None) -> None:
        self.draw.polygon(self._p(points), fill=fill)

    def line(self, points: Sequence[Point], fill, width: float) -> None:
        self.draw.line(
            self._p(points), fill=fill, width=round(width * self.k), joint="curve"
        )

    def arc(self, x0, y0, x1, y1, start, end, fill, width: float) -> None:
        self.draw.arc(
            self._b(x0, y0, x1, y1), start, end, fill=fill, width=round(width * self.k)
        )

    def pieslice(self, x0, y0, x1, y1, start, end, fill) -> None:
        self.draw.pieslice(self._b(x0, y0, x1, y1), start, end, fill=fill)

    def text(self, x, y, text: str, size: int, fill) -> None:
        self.draw.text(
            (x * self.k, y * self.k),
            text,
            font=_font(round(size * self.k)),
            fill=fill,
            anchor="mm",
        )

    def leaf(self, cx, cy, length, angle_deg, fill) -> None:
        """A pointed leaf from (cx, cy) along ``angle_deg``."""
        a = math.radians(angle_deg)
        points = []
        for i in range(13):
            t = i / 12
            half = math.sin(math.pi * t) * length * 0.28
            points.append((t * length, half))
        points += [(x, -y) for x, y in reversed(points)]
        self.polygon(
            [
                (
                    cx + x * math.cos(a) - y * math.sin(a),
                    cy + x * math.sin(a) + y * math.cos(a),
                )
                for x, y in points
            ],
            fill=fill,
        )

    def regular(self, cx, cy, r, sides: int, rotation: float, fill) -> None:
        self.polygon(
            [
                (
                    cx + r * math.cos(rotation + 2 * math.pi * i / sides),
                    cy + r * math.sin(rotation + 2 * math.pi * i / sides),
                )
                for i in range(sides)
            ],
            fill=fill,
        )


# --- Backgrounds ------------------------------------------------------------------


def _gradient(
    size: tuple[int, int], top: Colour, bottom: Colour, diagonal: bool
) -> Image.Image:
    vertical = Image.linear_gradient("L").resize(size)
    mask = vertical
    if diagonal:
        horizontal = Image.linear_gradient("L").rotate(90).resize(size)
        mask = ImageChops.add(vertical, horizontal, scale=2)
    return Image.composite(
        Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask
    )


def _background(pen: Pen, pal: Palette, rng: random.Random) -> None:
    style = rng.randrange(3)
    if style == 0:
        # A sunset: a big soft sun and rolling hills.
        pen.circle(
            rng.uniform(120, 520),
            rng.uniform(120, 200),
            90,
            fill=_alpha(pal.accent, 90),
        )
        for layer, colour in enumerate((pal.soft, pal.mid)):
            base = 380 + layer * 45
            phase = rng.uniform(0, math.tau)
            points: list[Point] = [(0, 480)]
            points += [
                (x, base + 22 * math.sin(x / 90 + phase)) for x in range(0, 661, 20)
            ]
            points.append((640, 480))
            pen.polygon(points, fill=_alpha(colour, 150))
    elif style == 1:
        # Confetti of translucent shapes.
        for _ in range(14):
            x, y, r = rng.uniform(0, 640), rng.uniform(0, 480), rng.uniform(12, 60)
            colour = rng.choice((pal.accent, pal.accent2, pal.soft, pal.mid))
            if rng.random() < 0.5:
                pen.circle(x, y, r, fill=_alpha(colour, 70))
            else:
                pen.regular(
                    x,
                    y,
                    r,
                    rng.choice((3, 4, 6)),
                    rng.uniform(0, 6),
                    _alpha(colour, 70),
                )
    else:
        # A quiet dotted grid.
        for gx in range(20, 640, 40):
            for gy in range(20, 480, 40):
                pen.circle(gx, gy, 3, fill=_alpha(pal.dark, 40))


# --- Motifs -------------------------------------------------------------------------

SKIN = [
    (255, 219, 172),
    (241, 194, 125),
    (224, 172, 105),
    (198, 134, 66),
    (141, 85, 36),
]
HAIR = [
    (43, 27, 23),
    (90, 56, 37),
    (181, 82, 57),
    (230, 194, 122),
    (28, 28, 28),
    (120, 120, 120),
]
WOOD = [(200, 145, 90), (170, 110, 60), (120, 75, 45), (222, 184, 135)]


def _portrait(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    skin, hair = rng.choice(SKIN), rng.choice(HAIR)
    long_hair, bun = rng.random() < 0.45, rng.random() < 0.25
    glasses, beard, earrings = (
        rng.random() < 0.35,
        rng.random() < 0.35 and not (long_hair or bun),
        rng.random() < 0.3,
    )
    pen.circle(320, 230, 165, fill=_alpha(pal.light, 120))
    if long_hair:
        pen.ellipse(228, 105, 412, 360, fill=hair)
    if bun:
        pen.circle(320, 100, 38, fill=hair)
    pen.ellipse(160, 335, 480, 600, fill=pal.dark)
    pen.polygon([(290, 335), (320, 395), (350, 335)], fill=pal.accent)
    pen.rect(295, 270, 345, 350, fill=skin)
    pen.ellipse(245, 120, 395, 300, fill=skin)
    if beard:
        pen.pieslice(250, 170, 390, 305, 0, 180, fill=hair)
        pen.ellipse(300, 248, 340, 268, fill=skin)
    pen.pieslice(240, 105, 400, 255, 180, 360, fill=hair)
    pen.ellipse(283, 205, 297, 219, fill=pal.dark)
    pen.ellipse(343, 205, 357, 219, fill=pal.dark)
    if glasses:
        pen.circle(290, 212, 22, outline=pal.dark, width=5)
        pen.circle(350, 212, 22, outline=pal.dark, width=5)
        pen.line([(312, 210), (328, 210)], pal.dark, 5)
    if earrings:
        pen.circle(246, 250, 8, fill=pal.accent2)
        pen.circle(394, 250, 8, fill=pal.accent2)
    pen.circle(278, 240, 11, fill=_alpha(pal.accent, 90))
    pen.circle(362, 240, 11, fill=_alpha(pal.accent, 90))
    pen.arc(300, 235, 340, 265, 20, 160, fill=pal.dark, width=4)


def _pet(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    fur = rng.choice(HAIR[1:] + [pal.mid])
    pen.circle(320, 250, 165, fill=_alpha(pal.light, 120))
    if rng.random() < 0.5:  # a cat: pointed ears
        pen.polygon([(215, 200), (240, 80), (300, 160)], fill=fur)
        pen.polygon([(425, 200), (400, 80), (340, 160)], fill=fur)
    else:  # a dog: floppy ears
        pen.ellipse(185, 140, 255, 300, fill=pal.dark)
        pen.ellipse(385, 140, 455, 300, fill=pal.dark)
    pen.ellipse(215, 130, 425, 360, fill=fur)
    pen.ellipse(270, 250, 370, 340, fill=_alpha(pal.light, 200))
    pen.circle(278, 225, 14, fill=pal.dark)
    pen.circle(362, 225, 14, fill=pal.dark)
    pen.circle(282, 221, 4, fill=(255, 255, 255))
    pen.circle(366, 221, 4, fill=(255, 255, 255))
    pen.polygon([(305, 270), (335, 270), (320, 288)], fill=pal.dark)
    for side in (-1, 1):
        for dy in (-8, 6):
            pen.line(
                [(320 + side * 40, 290 + dy / 2), (320 + side * 110, 280 + dy)],
                pal.dark,
                2,
            )


def _book(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    pen.rect(212, 62, 452, 442, fill=(0, 0, 0, 60), radius=6)
    pen.rect(200, 50, 440, 430, fill=pal.dark, radius=6)
    pen.rect(200, 50, 220, 430, fill=_alpha(pal.mid, 160), radius=4)
    pen.circle(rng.uniform(260, 400), 160, 34, fill=pal.light)
    for _ in range(18):
        pen.circle(rng.uniform(230, 430), rng.uniform(70, 240), 2, fill=pal.light)
    peaks: list[Point] = [(220, 430), (220, 330)]
    x = 220.0
    while x < 440:
        x = min(440.0, x + rng.uniform(30, 60))
        peaks.append((x, rng.uniform(250, 320)))
    peaks.append((440, 430))
    pen.polygon(peaks, fill=pal.mid)
    pen.polygon(
        [(220, 430), (220, 370), (300, 340), (380, 380), (440, 350), (440, 430)],
        fill=pal.accent2,
    )
    pen.text(330, 100, initials, 44, pal.light)
    pen.line([(280, 128), (380, 128)], pal.accent, 3)


def _album(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    pen.circle(420, 240, 145, fill=(24, 24, 28))
    for r in range(60, 140, 9):
        pen.circle(420, 240, r, outline=(60, 60, 66), width=1)
    pen.circle(420, 240, 45, fill=pal.accent)
    pen.circle(420, 240, 6, fill=(24, 24, 28))
    pen.rect(130, 90, 430, 390, fill=pal.mid)
    for i in range(rng.randrange(4, 8)):
        y = 110 + i * 38
        pen.rect(
            150,
            y,
            150 + rng.uniform(80, 260),
            y + 18,
            fill=_alpha(pal.light, 110),
            radius=9,
        )
    pen.circle(
        rng.uniform(220, 340), rng.uniform(180, 300), 60, fill=_alpha(pal.accent2, 200)
    )
    pen.text(280, 355, initials, 30, pal.dark)


def _logo(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    sides = rng.choice((0, 4, 6, 8))
    if sides:
        pen.regular(320, 240, 160, sides, math.pi / sides, pal.dark)
        pen.regular(320, 240, 140, sides, math.pi / sides, pal.mid)
    else:
        pen.circle(320, 240, 160, fill=pal.dark)
        pen.circle(320, 240, 140, outline=pal.light, width=5)
    pen.circle(320, 240, 92, fill=pal.light)
    pen.text(320, 242, initials, 70, pal.dark)
    for i in range(5):
        a = -math.pi / 2 + (i - 2) * 0.28
        pen.regular(
            320 + 118 * math.cos(a), 240 + 118 * math.sin(a), 9, 5, a, pal.accent
        )
    pen.rect(220, 370, 420, 410, fill=pal.accent, radius=8)


def _bag(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    if rng.random() < 0.6:  # a tote
        pen.arc(250, 80, 390, 280, 180, 360, fill=pal.dark, width=16)
        pen.polygon([(200, 180), (440, 180), (470, 420), (170, 420)], fill=pal.mid)
        pen.rect(255, 250, 385, 340, fill=_alpha(pal.soft, 200), radius=6)
        pen.rect(200, 380, 440, 398, fill=pal.accent)
        for x in range(210, 430, 16):
            pen.line([(x, 192), (x + 8, 192)], pal.light, 2)
    else:  # a crossbody bag with a flap
        pen.line([(180, 120), (460, 120)], pal.dark, 10)
        pen.line([(180, 120), (210, 250)], pal.dark, 10)
        pen.line([(460, 120), (430, 250)], pal.dark, 10)
        pen.rect(190, 230, 450, 410, fill=pal.mid, radius=26)
        pen.pieslice(190, 150, 450, 330, 0, 180, fill=pal.dark)
        pen.circle(320, 330, 12, fill=pal.accent)


def _ceramics(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    if rng.random() < 0.6:  # a mug
        for i, x in enumerate((280, 320, 360)):
            pen.arc(
                x - 20,
                70 + i * 6,
                x + 20,
                150,
                200,
                340,
                fill=_alpha(pal.dark, 90),
                width=4,
            )
        pen.ellipse(370, 215, 470, 345, outline=pal.mid, width=22)
        pen.rect(220, 170, 400, 410, fill=pal.mid, radius=34)
        pen.polygon(
            [(220, 200)]
            + [(x, 232 + 10 * math.sin(x / 14)) for x in range(220, 401, 10)]
            + [(400, 200)],
            fill=pal.accent2,
        )
        pen.ellipse(220, 155, 400, 195, fill=pal.dark)
    else:  # a vase
        pen.ellipse(210, 190, 430, 420, fill=pal.mid)
        pen.rect(285, 100, 355, 220, fill=pal.mid)
        pen.ellipse(270, 88, 370, 116, fill=pal.dark)
        pen.rect(212, 290, 428, 312, fill=_alpha(pal.accent, 190))
        pen.leaf(320, 100, 90, -70, pal.accent2)
        pen.leaf(320, 100, 80, -120, pal.accent2)


def _knit(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    if rng.random() < 0.65:  # a jumper
        body = [
            (230, 120), (410, 120), (500, 200), (460, 250), (420, 220),
            (420, 420), (220, 420), (220, 220), (180, 250), (140, 200),
        ]  # fmt: skip
        pen.polygon(body, fill=pal.mid)
        pen.pieslice(275, 90, 365, 160, 0, 180, fill=pal.dark)
        for y in (250, 300, 350):
            zig = [(226 + i * 16, y + (12 if i % 2 else 0)) for i in range(13)]
            pen.line(zig, pal.accent, 7)
        pen.rect(220, 395, 420, 420, fill=pal.dark)
    else:  # a beanie
        pen.pieslice(190, 140, 450, 440, 180, 360, fill=pal.mid)
        pen.rect(180, 280, 460, 340, fill=pal.dark, radius=10)
        for x in range(196, 450, 18):
            pen.line([(x, 286), (x, 334)], _alpha(pal.light, 90), 4)
        pen.circle(320, 130, 42, fill=pal.accent)


def _jewellery(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    gold = (212, 175, 55) if rng.random() < 0.5 else (200, 200, 210)
    if rng.random() < 0.6:  # a necklace with a pendant
        pen.arc(170, 20, 470, 360, 15, 165, fill=gold, width=5)
        for i in range(9):
            a = math.radians(35 + i * 13.75)
            pen.circle(
                320 + 150 * math.cos(a), 190 + 170 * math.sin(a), 8, fill=pal.accent2
            )
        pen.polygon([(320, 345), (350, 385), (320, 440), (290, 385)], fill=pal.accent)
        pen.polygon([(320, 345), (335, 385), (320, 440)], fill=_alpha(pal.light, 90))
    else:  # two rings
        pen.circle(270, 280, 90, outline=gold, width=20)
        pen.circle(390, 280, 80, outline=pal.soft, width=14)
        pen.regular(270, 180, 26, 6, 0, pal.accent)


def _wood(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    wood = rng.choice(WOOD)
    grain = tuple(max(0, c - 40) for c in wood)
    if rng.random() < 0.6:  # a board
        pen.rect(150, 150, 470, 390, fill=wood, radius=26)
        pen.rect(470, 240, 540, 300, fill=wood, radius=20)
        pen.circle(515, 270, 10, fill=pal.light)
        for i in range(6):
            y = 175 + i * 35
            pen.arc(120, y - 40, 500, y + 40, 200, 340, fill=grain, width=3)
        pen.text(310, 270, initials, 40, grain)
    else:  # a spoon
        pen.ellipse(270, 60, 370, 210, fill=wood)
        pen.ellipse(285, 80, 355, 190, fill=grain)
        pen.rect(305, 195, 335, 430, fill=wood, radius=14)


def _drill(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    steel = (150, 155, 165)
    pen.rect(170, 160, 440, 260, fill=pal.accent, radius=30)
    pen.rect(440, 190, 490, 230, fill=steel, radius=6)
    pen.line([(490, 210), (575, 210)], steel, 8)
    pen.polygon([(250, 250), (330, 250), (310, 390), (230, 390)], fill=pal.dark)
    pen.rect(210, 380, 350, 425, fill=pal.dark, radius=8)
    pen.rect(330, 262, 350, 292, fill=pal.accent2, radius=4)
    for x in range(200, 300, 18):
        pen.line([(x, 180), (x, 240)], _alpha(pal.dark, 100), 4)


def _ladder(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    left = [(240.0, 440.0), (290.0, 50.0)]
    right = [(400.0, 440.0), (350.0, 50.0)]
    for i in range(1, 9):
        t = i / 9
        lx = left[0][0] + (left[1][0] - left[0][0]) * t
        rx = right[0][0] + (right[1][0] - right[0][0]) * t
        y = 440 - 390 * t
        pen.line([(lx, y), (rx, y)], pal.mid, 10)
    pen.line(left, pal.dark, 16)
    pen.line(right, pal.dark, 16)


def _camera(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    pen.rect(205, 125, 300, 170, fill=pal.dark, radius=10)
    pen.rect(160, 155, 480, 380, fill=pal.dark, radius=30)
    pen.rect(160, 200, 480, 220, fill=_alpha(pal.mid, 200))
    pen.circle(320, 270, 95, fill=pal.mid)
    pen.circle(320, 270, 72, fill=(20, 22, 30))
    pen.circle(320, 270, 46, fill=pal.accent2)
    pen.circle(300, 250, 12, fill=(255, 255, 255, 200))
    pen.rect(410, 175, 455, 195, fill=pal.accent, radius=4)
    pen.circle(440, 140, 14, fill=pal.accent)


def _tent(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    for _ in range(20):
        pen.circle(rng.uniform(20, 620), rng.uniform(20, 180), 2, fill=pal.light)
    pen.circle(520, 90, 34, fill=pal.light)
    pen.circle(534, 80, 30, fill=pal.dark)
    pen.polygon([(150, 410), (320, 130), (490, 410)], fill=pal.accent)
    pen.polygon([(320, 130), (490, 410), (420, 410)], fill=_alpha(pal.dark, 60))
    pen.polygon([(285, 410), (320, 260), (355, 410)], fill=pal.dark)
    pen.line([(320, 130), (100, 420)], pal.light, 2)
    pen.line([(320, 130), (560, 420)], pal.light, 2)
    pen.line([(40, 412), (600, 412)], pal.dark, 6)


def _sewing(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    pen.rect(140, 360, 500, 410, fill=pal.dark, radius=10)
    pen.rect(390, 170, 460, 370, fill=pal.mid, radius=20)
    pen.rect(170, 160, 460, 230, fill=pal.mid, radius=30)
    pen.rect(170, 160, 250, 310, fill=pal.mid, radius=20)
    pen.line([(210, 310), (210, 350)], (150, 155, 165), 4)
    pen.circle(475, 220, 34, fill=pal.accent2)
    pen.rect(330, 120, 360, 160, fill=pal.accent, radius=4)
    pen.rect(180, 345, 300, 360, fill=_alpha(pal.accent, 220))


def _bike(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    for cx in (200, 450):
        pen.circle(cx, 320, 85, outline=pal.dark, width=9)
        pen.circle(cx, 320, 8, fill=pal.dark)
    frame = [(200, 320), (300, 320), (400, 210), (260, 210), (200, 320)]
    pen.line(frame, pal.accent, 10)
    pen.line([(300, 320), (250, 190)], pal.accent, 10)
    pen.line([(400, 210), (450, 320)], pal.accent, 10)
    pen.line([(400, 210), (390, 165), (430, 160)], pal.dark, 8)
    pen.rect(225, 175, 285, 192, fill=pal.dark, radius=6)


def _books(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    y = 420.0
    colours = [pal.dark, pal.accent, pal.mid, pal.accent2, pal.soft]
    for i in range(5):
        h = rng.uniform(36, 56)
        w = rng.uniform(230, 320)
        x = 320 - w / 2 + rng.uniform(-25, 25)
        pen.rect(x, y - h, x + w, y, fill=colours[i], radius=5)
        pen.line([(x + 18, y - h + 8), (x + 18, y - 8)], _alpha(pal.light, 150), 3)
        y -= h
    pen.polygon([(300, y), (360, y - 60), (420, y)], fill=_alpha(pal.accent, 180))


def _seedling(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    green = (76, 140, 74)
    pen.line([(320, 300), (320, 150)], green, 8)
    pen.leaf(320, 210, 120, -30, green)
    pen.leaf(320, 180, 110, -150, (96, 165, 90))
    pen.leaf(320, 150, 70, -90, (116, 180, 100))
    pen.polygon([(230, 290), (410, 290), (385, 430), (255, 430)], fill=(196, 104, 64))
    pen.rect(220, 280, 420, 310, fill=(176, 90, 54), radius=6)
    pen.ellipse(235, 282, 405, 298, fill=(90, 60, 40))


def _clock(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    pen.circle(320, 240, 160, fill=pal.light, outline=pal.dark, width=12)
    for i in range(12):
        a = math.tau * i / 12
        r0 = 125 if i % 3 else 112
        pen.line(
            [(320 + r0 * math.cos(a), 240 + r0 * math.sin(a)),
             (320 + 140 * math.cos(a), 240 + 140 * math.sin(a))],
            pal.dark, 6,
        )  # fmt: skip
    hour = rng.uniform(0, math.tau)
    pen.line(
        [(320, 240), (320 + 70 * math.cos(hour), 240 + 70 * math.sin(hour))],
        pal.dark,
        12,
    )
    pen.line([(320, 240), (320, 130)], pal.accent, 8)
    pen.circle(320, 240, 14, fill=pal.accent)


def _bulb(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    for i in range(10):
        a = math.tau * i / 10
        pen.line(
            [(320 + 140 * math.cos(a), 200 + 140 * math.sin(a)),
             (320 + 175 * math.cos(a), 200 + 175 * math.sin(a))],
            pal.accent, 8,
        )  # fmt: skip
    pen.circle(320, 200, 105, fill=(255, 226, 120))
    pen.rect(275, 280, 365, 360, fill=(255, 226, 120), radius=12)
    for y in (365, 385, 405):
        pen.rect(280, y, 360, y + 14, fill=pal.dark, radius=6)
    pen.line([(295, 230), (310, 200), (330, 230), (345, 200)], (200, 140, 40), 5)


def _abstract(pen: Pen, pal: Palette, rng: random.Random, initials: str) -> None:
    for _ in range(6):
        pen.regular(
            rng.uniform(180, 460),
            rng.uniform(140, 340),
            rng.uniform(50, 120),
            rng.choice((3, 4, 5, 6)),
            rng.uniform(0, 6),
            _alpha(rng.choice((pal.accent, pal.accent2, pal.mid, pal.dark)), 180),
        )
    pen.circle(320, 240, 70, fill=pal.light)
    pen.text(320, 242, initials, 48, pal.dark)


MOTIFS: dict[str, Callable[[Pen, Palette, random.Random, str], None]] = {
    "portrait": _portrait,
    "pet": _pet,
    "book": _book,
    "album": _album,
    "logo": _logo,
    "bag": _bag,
    "ceramics": _ceramics,
    "knit": _knit,
    "jewellery": _jewellery,
    "wood": _wood,
    "drill": _drill,
    "ladder": _ladder,
    "camera": _camera,
    "tent": _tent,
    "sewing": _sewing,
    "bike": _bike,
    "books": _books,
    "seedling": _seedling,
    "clock": _clock,
    "bulb": _bulb,
    "abstract": _abstract,
}


def initials_of(text: str, limit: int = 2) -> str:
    """``"Waxed canvas tote bag"`` → ``"WC"``: the first letters of the first words."""
    words = [w for w in text.replace("-", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:limit]).upper() or "S"


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def picture(*, motif: str, seed: str, label: str) -> bytes:
    """Draw a 640×480 JPEG of ``motif`` in colours chosen by ``seed``, tagged ``label``."""
    rng = random.Random(seed)
    pal = Palette.from_rng(rng)
    size = (WIDTH * SCALE, HEIGHT * SCALE)
    canvas = _gradient(size, pal.light, pal.soft, diagonal=rng.random() < 0.5)
    pen = Pen(canvas)
    _background(pen, pal, rng)
    MOTIFS.get(motif, _abstract)(pen, pal, rng, initials_of(label))
    tag = initials_of(label, 3)
    # Inside the middle square, which is what square thumbnails keep.
    pen.rect(92, 20, 112 + 22 * len(tag), 64, fill=_alpha(pal.dark, 210), radius=12)
    pen.text(102 + 11 * len(tag), 43, tag, 22, pal.light)
    return _encode(canvas.reduce(SCALE))


def avatar(*, seed: str, name: str, size: int = 256) -> bytes:
    """Draw a square JPEG avatar: a coloured circle with the person's initials."""
    rng = random.Random(seed)
    pal = Palette.from_rng(rng)
    big = size * SCALE
    canvas = Image.new("RGB", (big, big), pal.light)
    draw = ImageDraw.Draw(canvas, "RGBA")
    inset = big * 0.04
    draw.ellipse([inset, inset, big - inset, big - inset], fill=pal.mid)
    ring = big * 0.1
    draw.ellipse(
        [ring, ring, big - ring, big - ring],
        outline=_alpha(pal.light, 120),
        width=max(2, big // 90),
    )
    draw.text(
        (big / 2, big / 2),
        initials_of(name),
        font=_font(round(big * 0.38)),
        fill=pal.light,
        anchor="mm",
    )
    return _encode(canvas.reduce(SCALE))
