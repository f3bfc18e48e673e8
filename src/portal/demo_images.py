"""Flat illustrations drawn locally for demo content.

The demo profile needs pictures for news items and pages, but shipping photographs would mean
licences, real faces and megabytes in the repository. Instead every picture is drawn with
Pillow from a motif and an integer seed: the same seed always gives the same picture, so a
re-run of ``portal init`` produces identical files, and different seeds give visibly different
pictures so a news list does not look like one image repeated.

Everything is drawn at twice the target size and reduced at the end: ImageDraw does not
antialias polygons, and a 2x box reduction is the cheapest way to get smooth edges.
"""
import io
import math
import random

from PIL import Image, ImageDraw

MOTIFS = ("landscape", "meeting", "portrait", "city", "documents", "flag", "harvest",
          "factory", "school", "tea")

# Supersampling factor; 2 is the best trade-off measured between edge quality and speed.
_SS = 2


def draw(motif, seed, width=1200, height=675):
    """Draw the illustration ``motif`` for ``seed`` and return an RGB image of the given size.

    ``motif`` is one of :data:`MOTIFS`; any other value raises :class:`ValueError`. The result
    depends only on ``(motif, seed, width, height)``.
    """
    painter = _PAINTERS.get(motif)
    if painter is None:
        raise ValueError(f"unknown motif {motif!r}; expected one of {', '.join(MOTIFS)}")
    if width < 1 or height < 1:
        raise ValueError("width and height must be positive")
    # A string seed is hashed with SHA-512 by ``random``, so it is stable across processes
    # (unlike ``hash()``), and mixing in the motif keeps seed 1 of two motifs unrelated.
    rng = random.Random(f"{motif}:{seed}")
    canvas = _Canvas(width * _SS, height * _SS, rng)
    painter(canvas)
    return canvas.image.reduce(_SS) if _SS > 1 else canvas.image


def jpeg_bytes(image, quality=85):
    """Encode ``image`` as a progressive JPEG and return the bytes."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Colour helpers


def _hex(value):
    value = value.lstrip("#")
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))


def _mix(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def _shade(colour, factor):
    """Darken (factor < 1) or lighten towards white (factor > 1)."""
    if factor <= 1:
        return tuple(round(c * factor) for c in colour)
    return _mix(colour, (255, 255, 255), min(1.0, factor - 1))


def _rgba(colour, alpha):
    return (*colour, alpha)


# Palettes are hand-picked so that any random choice still looks harmonious; randomness only
# picks among them and nudges lightness, never invents hues.
_SKIES = [
    ("#9fd3f0", "#e8f4f8"),   # clear morning
    ("#7fb8e6", "#dbeefa"),   # midday
    ("#f6c89f", "#fde9d2"),   # warm dawn
    ("#a7c7e7", "#f3e3d3"),   # soft haze
    ("#f3a683", "#f8e1c0"),   # late afternoon
]
_GREENS = [
    ["#a8c686", "#7fa65a", "#5b8a3c", "#3f6d2a", "#2c5520"],
    ["#b5d39a", "#8cbf6f", "#5fa052", "#3e7d3f", "#275e30"],
    ["#c9d8a0", "#9fbd73", "#76a04f", "#507f36", "#355f26"],
]
_BLUE_HILLS = ["#b9cde0", "#93b1cc", "#7395b4", "#56789a"]


class _Canvas:
    """The image being drawn plus the random source and size helpers shared by painters."""

    def __init__(self, width, height, rng):
        self.w, self.h, self.rng = width, height, rng
        self.image = Image.new("RGB", (width, height))
        self.d = _Pen(self.image)
        self.unit = min(width, height)

    def x(self, f):
        return f * self.w

    def y(self, f):
        return f * self.h

    def u(self, f):
        return f * self.unit

    def vary(self, colour, amount=0.06):
        """A colour nudged lighter or darker so repeated shapes do not look stamped."""
        return _shade(colour, 1 + self.rng.uniform(-amount, amount))

    def gradient(self, top, bottom, box=None):
        """Fill ``box`` (default: everything) with a vertical gradient."""
        x0, y0, x1, y1 = box or (0, 0, self.w, self.h)
        x0, y0, x1, y1 = int(x0), int(y0), int(x1), int(y1)
        height = max(1, y1 - y0)
        column = Image.new("RGB", (1, height))
        column.putdata([_mix(top, bottom, i / max(1, height - 1)) for i in range(height)])
        # A one-pixel column stretched sideways is far cheaper than drawing each line.
        self.image.paste(column.resize((max(1, x1 - x0), height), Image.NEAREST), (x0, y0))

    def sky(self, palette=None):
        top, bottom = palette or self.rng.choice(_SKIES)
        self.gradient(_hex(top), _hex(bottom))
        return _hex(top), _hex(bottom)

    def fair_weather(self, sun_x, sun_y, sun_r, clouds, cloud_y, cloud_size):
        """A sky with a sun and clouds; the ranges are fractions of the canvas."""
        rng = self.rng
        top, bottom = self.sky()
        self.sun(self.x(rng.uniform(*sun_x)), self.y(rng.uniform(*sun_y)), self.u(sun_r))
        for _ in range(rng.randint(*clouds)):
            self.cloud(self.x(rng.uniform(0.05, 0.95)), self.y(rng.uniform(*cloud_y)),
                       self.u(cloud_size))
        return top, bottom

    def sun(self, cx, cy, r, colour=(255, 244, 214)):
        for k, alpha in ((3.2, 30), (2.2, 45), (1.5, 70)):
            self.d.ellipse(_circle(cx, cy, r * k), fill=_rgba(colour, alpha))
        self.d.ellipse(_circle(cx, cy, r), fill=colour)

    def cloud(self, cx, cy, size, alpha=210):
        rng = self.rng
        fill = (255, 255, 255, alpha)
        # Several overlapping ellipses on a flat base read as a cloud in flat-design style.
        self.d.rounded_rectangle((cx - size * 1.6, cy - size * 0.35, cx + size * 1.6,
                                  cy + size * 0.35), radius=size * 0.35, fill=fill)
        for _ in range(4):
            ox = rng.uniform(-1.1, 1.1) * size
            r = rng.uniform(0.35, 0.7) * size
            self.d.ellipse(_circle(cx + ox, cy - r * 0.4, r), fill=fill)

    def ridge(self, base, amplitude, colour, detail=5, jagged=0.25):
        """A mountain or hill silhouette from ``base`` (fraction of height) to the bottom."""
        pts = _ridge_points(self.rng, self.w, self.y(base), self.y(amplitude), detail, jagged)
        self.d.polygon(pts + [(self.w, self.h), (0, self.h)], fill=colour)
        return pts

    def haze(self, y0, y1, colour, alpha):
        """A band of mist that fades in and out, so it has no visible edges."""
        strips = 10
        top, step = self.y(y0), (self.y(y1) - self.y(y0)) / strips
        for i in range(strips):
            strength = math.sin(math.pi * (i + 0.5) / strips)
            self.d.rectangle((0, top + i * step, self.w, top + (i + 1) * step + 1),
                             fill=_rgba(colour, int(alpha * strength)))


class _Pen:
    """ImageDraw that blends only when it must.

    An RGBA-mode ImageDraw blends translucent fills (haze, glows, smoke) but is about ten
    times slower than plain RGB drawing even for opaque fills, so opaque shapes take the fast
    path and only colours with an alpha component go through blending.
    """

    def __init__(self, image):
        self._opaque = ImageDraw.Draw(image)
        self._blend = ImageDraw.Draw(image, "RGBA")

    def __getattr__(self, name):
        opaque, blend = getattr(self._opaque, name), getattr(self._blend, name)

        def call(*args, **kwargs):
            colour = kwargs.get("fill") or kwargs.get("outline")
            return (blend if colour is not None and len(colour) == 4 else opaque)(
                *args, **kwargs)
        return call


def _circle(cx, cy, r):
    return (cx - r, cy - r, cx + r, cy + r)


def _ridge_points(rng, width, base_y, amplitude, detail, jagged):
    # A sum of a few random sines gives smooth, natural-looking ridges; a little noise on top
    # (``jagged``) turns rolling hills into mountains.
    waves = [(rng.uniform(0.5, 1.0) / (k + 1), rng.uniform(1, 2.5) * (k + 1),
              rng.uniform(0, 2 * math.pi)) for k in range(3)]
    total = sum(a for a, _, _ in waves)
    steps = 12 * detail
    pts = []
    for i in range(steps + 1):
        t = i / steps
        v = sum(a * math.sin(2 * math.pi * f * t + p) for a, f, p in waves) / total
        v += rng.uniform(-jagged, jagged) * 0.3
        pts.append((t * width, base_y - amplitude * (0.5 + 0.5 * v)))
    return pts


def _rotation(cx, cy, angle):
    """A function mapping points relative to (cx, cy) to canvas points, rotated by angle."""
    ca, sa = math.cos(angle), math.sin(angle)
    return lambda px, py: (cx + px * ca - py * sa, cy + px * sa + py * ca)


def _star(cx, cy, r, rotation=-math.pi / 2):
    pts = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.382
        a = rotation + i * math.pi / 5
        pts.append((cx + radius * math.cos(a), cy + radius * math.sin(a)))
    return pts


# ---------------------------------------------------------------------------------------------
# Painters: each fills the whole canvas.


def _landscape(c):
    rng = c.rng
    top, bottom = c.fair_weather((0.15, 0.85), (0.14, 0.3), 0.06, (2, 4), (0.08, 0.3), 0.05)
    greens = [_hex(g) for g in rng.choice(_GREENS)]
    far = [_mix(_hex(b), bottom, 0.25) for b in _BLUE_HILLS]
    c.ridge(0.42, 0.22, far[0], detail=6, jagged=0.6)
    c.ridge(0.5, 0.18, far[1], detail=6, jagged=0.5)
    c.haze(0.35, 0.6, bottom, 50)
    lake = rng.random() < 0.6
    c.ridge(0.6, 0.14, greens[1], detail=4, jagged=0.15)
    if lake:
        # A lake band reflecting the sky, as at Núi Cốc: a flat shape with light streaks.
        y0 = c.y(0.68)
        # Water keeps a blue cast even under a warm sky, or it reads as sand.
        water = _mix(top, (96, 150, 196), 0.55)
        c.gradient(_mix(water, bottom, 0.45), _shade(water, 0.85), (0, y0, c.w, c.h))
        for _ in range(14):
            x = c.x(rng.random())
            y = rng.uniform(y0 + c.u(0.02), c.h)
            c.d.rounded_rectangle((x, y, x + c.u(rng.uniform(0.05, 0.18)), y + c.u(0.006)),
                                  radius=c.u(0.003), fill=(255, 255, 255, 90))
        # An island or two breaks the flat water.
        for _ in range(rng.randint(1, 3)):
            ix, iw = c.x(rng.uniform(0.1, 0.9)), c.x(rng.uniform(0.05, 0.14))
            iy = c.y(rng.uniform(0.74, 0.86))
            c.d.ellipse((ix - iw, iy - iw * 0.35, ix + iw, iy + iw * 0.12), fill=greens[3])
            c.d.ellipse((ix - iw * 0.9, iy, ix + iw * 0.9, iy + iw * 0.1),
                        fill=_rgba(greens[4], 90))
        # A near shore to stand the trees on.
        c.ridge(0.97, 0.06, greens[2], detail=3, jagged=0.1)
    else:
        c.ridge(0.76, 0.1, greens[2], detail=3, jagged=0.1)
        c.ridge(0.9, 0.08, greens[3], detail=3, jagged=0.1)
    _trees(c, rng.randint(4, 9), 0.92, greens)


def _trees(c, count, base, greens):
    rng = c.rng
    for _ in range(count):
        x = c.x(rng.random())
        y = c.y(base + rng.uniform(0, 0.1))
        size = c.u(rng.uniform(0.04, 0.08))
        c.d.rectangle((x - size * 0.08, y - size * 0.3, x + size * 0.08, y + size * 0.6),
                      fill=(110, 82, 60))
        kind = rng.random()
        if kind < 0.5:
            c.d.ellipse((x - size * 0.55, y - size * 1.5, x + size * 0.55, y), fill=greens[4])
        else:
            c.d.polygon([(x, y - size * 1.8), (x - size * 0.6, y), (x + size * 0.6, y)],
                        fill=greens[3])


def _tea(c):
    rng = c.rng
    _top, bottom = c.sky(rng.choice(_SKIES[:4]))
    c.sun(c.x(rng.uniform(0.6, 0.9)), c.y(rng.uniform(0.1, 0.22)), c.u(0.05))
    c.cloud(c.x(rng.uniform(0.1, 0.5)), c.y(rng.uniform(0.1, 0.2)), c.u(0.05))
    c.ridge(0.3, 0.14, _mix(_hex(_BLUE_HILLS[1]), bottom, 0.3), detail=6, jagged=0.5)
    c.haze(0.2, 0.42, bottom, 60)
    greens = [_hex(g) for g in rng.choice(_GREENS)]
    # Tea hills: rounded mounds from back to front, each striped with curved rows of bushes,
    # which is what makes Tân Cương hills recognisable from far away.
    hills = rng.randint(4, 6)
    for i in range(hills):
        depth = i / (hills - 1)
        cx = c.x(rng.uniform(-0.1, 1.1))
        cy = c.y(0.45 + depth * 0.45)
        rx = c.x(rng.uniform(0.35, 0.6))
        ry = c.y(0.18 + depth * 0.08)
        base = _mix(greens[1], greens[3], depth)
        c.d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry * 2.5), fill=base)
        row = _shade(base, 0.78)
        light = _shade(base, 1.15)
        rows = 6 + i
        for k in range(1, rows):
            f = k / rows
            # Each row is an arc concentric with the mound's top, like contour planting.
            box = (cx - rx * f, cy - ry + ry * (1 - f) * 0.2 + f * ry * 0.05,
                   cx + rx * f, cy - ry + ry * 2 * f + ry * 0.4)
            c.d.arc(box, 200, 340, fill=row, width=max(2, int(c.u(0.008 + depth * 0.006))))
            c.d.arc(box, 215, 325, fill=_rgba(light, 110), width=max(1, int(c.u(0.003))))
    # A few pickers' conical hats give scale and life without drawing people in detail.
    for _ in range(rng.randint(1, 4)):
        x, y = c.x(rng.uniform(0.1, 0.9)), c.y(rng.uniform(0.72, 0.92))
        s = c.u(rng.uniform(0.025, 0.04))
        c.d.rectangle((x - s * 0.35, y - s * 0.1, x + s * 0.35, y + s * 1.1),
                      fill=rng.choice([(70, 110, 160), (200, 90, 80), (90, 120, 90)]))
        c.d.polygon([(x, y - s * 0.9), (x - s, y), (x + s, y)], fill=(238, 220, 170))
        c.d.line([(x - s, y), (x + s, y)], fill=(190, 165, 110), width=max(1, int(s * 0.08)))


def _harvest(c):
    rng = c.rng
    _top, bottom = c.sky(rng.choice([_SKIES[0], _SKIES[2], _SKIES[4]]))
    c.sun(c.x(rng.uniform(0.15, 0.85)), c.y(rng.uniform(0.12, 0.25)), c.u(0.06))
    c.ridge(0.38, 0.16, _mix(_hex(_BLUE_HILLS[1]), bottom, 0.35), detail=5, jagged=0.4)
    c.ridge(0.45, 0.1, _mix(_hex(_BLUE_HILLS[2]), bottom, 0.2), detail=5, jagged=0.3)
    golds = [_hex(v) for v in ("#f6d365", "#eab543", "#d89a2b", "#c9a227", "#b8c04a",
                               "#8fb04a")]
    # Terraced paddies: wavy horizontal bands alternating ripe gold and still-green rice.
    y = c.y(0.45)
    band = 0
    while y < c.h:
        thickness = c.y(0.035 + band * 0.012)
        colour = c.vary(golds[rng.randrange(len(golds))], 0.05)
        pts_top = _ridge_points(rng, c.w, y, c.y(0.02), 3, 0.05)
        c.d.polygon(pts_top + [(c.w, c.h), (0, c.h)], fill=colour)
        c.d.line(pts_top, fill=_shade(colour, 0.8), width=max(2, int(c.u(0.005))))
        y += thickness
        band += 1
    # Rice sheaves in the foreground.
    for _ in range(rng.randint(3, 6)):
        x, base = c.x(rng.uniform(0.05, 0.95)), c.y(rng.uniform(0.8, 0.97))
        s = c.u(rng.uniform(0.04, 0.07))
        c.d.polygon([(x - s * 0.5, base), (x, base - s * 1.6), (x + s * 0.5, base)],
                    fill=(214, 168, 62))
        c.d.rectangle((x - s * 0.35, base - s * 0.7, x + s * 0.35, base - s * 0.55),
                      fill=(160, 110, 40))


def _buildings(c, count, base, height_range, palette, windows=True):
    rng = c.rng
    x = -c.x(0.02)
    while x < c.w:
        bw = c.x(rng.uniform(0.05, 0.11))
        bh = c.y(rng.uniform(*height_range))
        colour = c.vary(_hex(rng.choice(palette)), 0.05)
        top = base - bh
        c.d.rectangle((x, top, x + bw, base), fill=colour)
        if rng.random() < 0.3:
            c.d.rectangle((x + bw * 0.3, top - c.y(0.03), x + bw * 0.7, top), fill=colour)
        if windows:
            win = _shade(colour, 1.35)
            cols = max(2, int(bw / c.u(0.028)))
            rows = max(2, int(bh / c.u(0.04)))
            gw, gh = bw / cols, bh / rows
            for i in range(cols):
                for j in range(rows - 1):
                    wx, wy = x + i * gw + gw * 0.25, top + j * gh + gh * 0.3
                    c.d.rectangle((wx, wy, wx + gw * 0.5, wy + gh * 0.45), fill=win)
        x += bw + c.x(rng.uniform(0.0, 0.015))


def _city(c):
    rng = c.rng
    top, bottom = c.fair_weather((0.1, 0.9), (0.1, 0.22), 0.05, (1, 3), (0.08, 0.22), 0.045)
    c.ridge(0.5, 0.14, _mix(_hex(_BLUE_HILLS[0]), bottom, 0.3), detail=5, jagged=0.3)
    far = ["#b8c6d8", "#a9bbd1", "#c4cfdc", "#9fb2c8"]
    near = ["#e7d8c5", "#d9c2a7", "#f0e6da", "#c8d5e0", "#e9c9a9", "#b9cbd9"]
    _buildings(c, 0, c.y(0.68), (0.18, 0.38), far, windows=False)
    c.haze(0.3, 0.68, bottom, 60)
    _buildings(c, 0, c.y(0.78), (0.14, 0.34), near)
    # River and embankment in front: the Cầu river runs through the city centre.
    c.gradient(_shade(top, 0.85), _shade(top, 0.7), (0, c.y(0.78), c.w, c.y(0.9)))
    for _ in range(10):
        x, y = c.x(rng.random()), c.y(rng.uniform(0.8, 0.88))
        c.d.rectangle((x, y, x + c.u(rng.uniform(0.04, 0.12)), y + c.u(0.005)),
                      fill=(255, 255, 255, 80))
    greens = [_hex(g) for g in rng.choice(_GREENS)]
    c.d.rectangle((0, c.y(0.9), c.w, c.h), fill=greens[2])
    _trees(c, rng.randint(6, 10), 0.92, greens)
    # A bridge deck with a few arches.
    if rng.random() < 0.7:
        deck = c.y(0.76)
        c.d.rectangle((0, deck, c.w, deck + c.y(0.015)), fill=(235, 235, 235))
        spans = rng.randint(3, 5)
        for i in range(spans):
            x0, x1 = c.w * i / spans, c.w * (i + 1) / spans
            c.d.arc((x0, deck - c.y(0.1), x1, deck + c.y(0.12)), 190, 350,
                    fill=(220, 90, 70), width=max(2, int(c.u(0.008))))


def _factory(c):
    rng = c.rng
    _top, bottom = c.sky(rng.choice([_SKIES[1], _SKIES[3], _SKIES[4]]))
    c.ridge(0.5, 0.16, _mix(_hex(_BLUE_HILLS[1]), bottom, 0.35), detail=5, jagged=0.4)
    base = c.y(0.8)
    steel = ["#8fa3b8", "#6f8aa3", "#a9b8c6", "#5d7690"]
    accent = _hex(rng.choice(["#e07a5f", "#f2a541", "#3d8eb9"]))
    # Chimneys first so that smoke sits behind the halls.
    for _ in range(rng.randint(2, 4)):
        x = c.x(rng.uniform(0.1, 0.9))
        cw, ch = c.x(0.025), c.y(rng.uniform(0.35, 0.5))
        c.d.polygon([(x - cw, base), (x - cw * 0.7, base - ch), (x + cw * 0.7, base - ch),
                     (x + cw, base)], fill=_hex("#b0b8c0"))
        for k in range(2):
            y = base - ch + c.y(0.05 + 0.06 * k)
            c.d.rectangle((x - cw * 0.8, y, x + cw * 0.8, y + c.y(0.015)), fill=accent)
        sx, sy = x, base - ch
        for k in range(5):
            r = c.u(0.03 + k * 0.012)
            sx += c.u(rng.uniform(0.02, 0.05))
            sy -= c.u(rng.uniform(0.03, 0.05))
            c.d.ellipse(_circle(sx, sy, r), fill=(255, 255, 255, 150 - k * 22))
    # Sawtooth-roof halls: the shape everyone reads as "factory".
    x = c.x(rng.uniform(-0.05, 0.05))
    while x < c.w:
        hw, hh = c.x(rng.uniform(0.18, 0.3)), c.y(rng.uniform(0.15, 0.25))
        colour = c.vary(_hex(rng.choice(steel)), 0.05)
        c.d.rectangle((x, base - hh, x + hw, base), fill=colour)
        teeth = rng.randint(3, 5)
        tw = hw / teeth
        for k in range(teeth):
            tx = x + k * tw
            c.d.polygon([(tx, base - hh), (tx + tw, base - hh - c.y(0.06)),
                          (tx + tw, base - hh)], fill=_shade(colour, 0.85))
            c.d.rectangle((tx + tw * 0.2, base - hh * 0.6, tx + tw * 0.8, base - hh * 0.3),
                          fill=_shade(colour, 1.3))
        x += hw + c.x(rng.uniform(0.01, 0.04))
    c.d.rectangle((0, base, c.w, c.h), fill=(120, 128, 120))
    c.d.rectangle((0, base, c.w, base + c.y(0.02)), fill=(150, 156, 150))
    # A gantry crane and stacked steel coils in the yard.
    gx = c.x(rng.uniform(0.1, 0.7))
    gw = c.x(0.22)
    lw = max(3, int(c.u(0.01)))
    c.d.line([(gx, c.h), (gx, base - c.y(0.2)), (gx + gw, base - c.y(0.2)), (gx + gw, c.h)],
             fill=accent, width=lw, joint="curve")
    for k in range(rng.randint(3, 6)):
        r = c.u(0.035)
        cx = c.x(rng.uniform(0.05, 0.95))
        cy = c.y(rng.uniform(0.88, 0.95))
        c.d.ellipse(_circle(cx, cy, r), fill=(150, 160, 172))
        c.d.ellipse(_circle(cx, cy, r * 0.45), fill=(95, 105, 115))


def _school(c):
    rng = c.rng
    _top, bottom = c.sky(rng.choice(_SKIES[:4]))
    for _ in range(rng.randint(1, 3)):
        c.cloud(c.x(rng.uniform(0.05, 0.95)), c.y(rng.uniform(0.08, 0.22)), c.u(0.045))
    greens = [_hex(g) for g in rng.choice(_GREENS)]
    c.ridge(0.48, 0.12, _mix(_hex(_BLUE_HILLS[0]), bottom, 0.3), detail=5, jagged=0.3)
    base = c.y(0.78)
    wall = _hex(rng.choice(["#f4d58d", "#f2c57c", "#f6e3b4", "#e8c39e"]))
    roof = _hex(rng.choice(["#c0504d", "#b5523b", "#9c3d2e"]))
    x0, x1 = c.x(rng.uniform(0.08, 0.18)), c.x(rng.uniform(0.82, 0.92))
    floors = rng.randint(2, 3)
    fh = c.y(0.12)
    top_y = base - floors * fh
    c.d.rectangle((x0, top_y, x1, base), fill=wall)
    c.d.polygon([(x0 - c.x(0.02), top_y), ((x0 + x1) / 2, top_y - c.y(0.1)),
                 (x1 + c.x(0.02), top_y)], fill=roof)
    # Corridor stripes and regular classroom windows.
    cols = rng.randint(7, 10)
    cw = (x1 - x0) / cols
    for f in range(floors):
        fy = top_y + f * fh
        c.d.rectangle((x0, fy + fh - c.y(0.012), x1, fy + fh), fill=_shade(wall, 0.85))
        for i in range(cols):
            wx = x0 + i * cw + cw * 0.2
            c.d.rectangle((wx, fy + fh * 0.25, wx + cw * 0.6, fy + fh * 0.75),
                          fill=(120, 170, 205))
    # The national flag on a pole in the yard; its star is not a Party emblem, and it makes
    # the building read as a Vietnamese school at a glance.
    px = c.x(rng.uniform(0.45, 0.55))
    c.d.line([(px, base + c.y(0.1)), (px, top_y - c.y(0.2))], fill=(200, 200, 200),
             width=max(2, int(c.u(0.006))))
    fy = top_y - c.y(0.2)
    c.d.rectangle((px, fy, px + c.x(0.07), fy + c.y(0.08)), fill=(218, 37, 29))
    c.d.polygon(_star(px + c.x(0.035), fy + c.y(0.04), c.u(0.022)), fill=(255, 221, 0))
    c.d.rectangle((0, base, c.w, c.h), fill=greens[1])
    c.d.polygon([(c.x(0.42), c.h), (c.x(0.47), base), (c.x(0.53), base), (c.x(0.58), c.h)],
                fill=(226, 214, 190))
    _trees(c, rng.randint(3, 6), 0.8, greens)
    # Pupils as small coloured figures.
    for _ in range(rng.randint(3, 7)):
        x, y = c.x(rng.uniform(0.1, 0.9)), c.y(rng.uniform(0.86, 0.96))
        s = c.u(0.03)
        c.d.rounded_rectangle((x - s * 0.4, y - s, x + s * 0.4, y + s * 0.6), radius=s * 0.2,
                              fill=(255, 255, 255))
        c.d.rectangle((x - s * 0.4, y, x + s * 0.4, y + s * 0.6),
                      fill=rng.choice([(40, 70, 140), (30, 60, 110), (140, 40, 40)]))
        c.d.ellipse(_circle(x, y - s * 1.3, s * 0.35), fill=(60, 50, 45))


def _flag(c):
    rng = c.rng
    c.sky(rng.choice([_SKIES[0], _SKIES[1], _SKIES[3]]))
    for _ in range(rng.randint(2, 4)):
        c.cloud(c.x(rng.uniform(0.05, 0.95)), c.y(rng.uniform(0.1, 0.5)), c.u(0.06), alpha=170)
    red, dark_red, gold = (218, 37, 29), (176, 24, 20), (255, 221, 0)
    # One large waving flag: the top and bottom edges follow the same sine so it reads as cloth.
    px = c.x(rng.uniform(0.12, 0.3))
    top_y, fh, fw = c.y(0.14), c.y(0.42), c.x(rng.uniform(0.5, 0.6))
    phase, amp = rng.uniform(0, math.pi), c.y(0.035)
    n = 40
    upper = [(px + fw * i / n, top_y + amp * math.sin(phase + 2.2 * math.pi * i / n) * i / n)
             for i in range(n + 1)]
    lower = [(x, y + fh) for x, y in upper]
    c.d.polygon(upper + lower[::-1], fill=red)
    # Darker folds where the cloth turns away from the light.
    for i in range(n):
        s = math.cos(phase + 2.2 * math.pi * (i + 0.5) / n)
        if s < -0.3:
            x0, y0 = upper[i]
            x1, y1 = upper[i + 1]
            c.d.polygon([(x0, y0), (x1, y1), (x1, y1 + fh), (x0, y0 + fh)],
                        fill=_rgba(dark_red, int(-s * 90)))
    mid = n // 2
    sx, sy = upper[mid][0] - fw * 0.04, upper[mid][1] + fh / 2
    c.d.polygon(_star(sx, sy, fh * 0.3, -math.pi / 2 + rng.uniform(-0.08, 0.08)), fill=gold)
    c.d.line([(px, top_y - c.y(0.05)), (px, c.h)], fill=(190, 190, 196),
             width=max(3, int(c.u(0.012))))
    c.d.ellipse(_circle(px, top_y - c.y(0.05), c.u(0.015)), fill=gold)
    # Bunting of small plain flags across the bottom, as in a street decorated for a holiday.
    sag = c.y(0.06)
    y0 = c.y(rng.uniform(0.72, 0.8))
    c.d.line([(0, y0), (c.w / 2, y0 + sag), (c.w, y0)], fill=(120, 120, 120),
             width=max(1, int(c.u(0.003))), joint="curve")
    k = 18
    for i in range(k):
        t = (i + 0.5) / k
        x = t * c.w
        y = y0 + sag * (1 - (2 * t - 1) ** 2)
        w = c.w / k * 0.7
        colour = red if i % 2 == 0 else gold
        c.d.polygon([(x - w / 2, y), (x + w / 2, y), (x, y + w * 1.1)], fill=colour)


def _meeting(c):
    rng = c.rng
    wall = _hex(rng.choice(["#f1e6d6", "#efe3cf", "#e9eef2"]))
    c.gradient(_shade(wall, 1.05), _shade(wall, 0.92))
    curtain = _hex(rng.choice(["#b3262a", "#a5222b", "#9b1d20"]))
    # Stage backdrop: folded red curtain with a lighter pelmet, typical of a conference hall.
    stage_top, stage_bottom = c.y(0.05), c.y(0.55)
    c.d.rectangle((c.x(0.04), stage_top, c.x(0.96), stage_bottom), fill=curtain)
    folds = 24
    for i in range(folds):
        x = c.x(0.04) + (c.x(0.92)) * i / folds
        c.d.rectangle((x, stage_top, x + c.x(0.92) / folds * 0.35, stage_bottom),
                      fill=_rgba(_shade(curtain, 0.75), 120))
    pelmet = _shade(curtain, 1.1)
    for i in range(12):
        x0 = c.x(0.04) + c.x(0.92) * i / 12
        c.d.chord((x0, stage_top - c.y(0.04), x0 + c.x(0.92) / 12, stage_top + c.y(0.06)),
                  0, 180, fill=pelmet)
    # A plain panel in the middle of the backdrop where a banner would hang; left blank.
    c.d.rectangle((c.x(0.2), c.y(0.12), c.x(0.8), c.y(0.26)), fill=_shade(curtain, 1.25))
    # Presidium table.
    cloth = _hex(rng.choice(["#ffffff", "#f4f7fb"]))
    skirt = _hex(rng.choice(["#2f5d8a", "#3b6ea5", "#1f4e79"]))
    ty = c.y(0.5)
    for i in range(rng.randint(5, 7)):
        x = c.x(0.18 + 0.64 * (i + 0.5) / 7 + rng.uniform(-0.01, 0.01))
        _person_front(c, x, ty, c.u(0.05))
    c.d.rectangle((c.x(0.12), ty, c.x(0.88), ty + c.y(0.08)), fill=skirt)
    c.d.rectangle((c.x(0.12), ty, c.x(0.88), ty + c.y(0.02)), fill=cloth)
    for x in (c.x(0.2), c.x(0.8)):
        _flowers(c, x, ty + c.y(0.04), c.u(0.04))
    # Audience seen from behind: rows of heads and shoulders.
    floor = _hex("#c9b79c")
    c.d.rectangle((0, c.y(0.6), c.w, c.h), fill=floor)
    rows = 3
    for r in range(rows):
        y = c.y(0.72 + r * 0.12)
        s = c.u(0.055 + r * 0.012)
        count = 9 - r
        chair = _shade(_hex("#8c2f2f"), 0.9 + 0.05 * r)
        for i in range(count):
            x = c.w * (i + 0.5 + rng.uniform(-0.1, 0.1)) / count
            c.d.rounded_rectangle((x - s * 1.1, y - s * 0.3, x + s * 1.1, y + s * 1.6),
                                  radius=s * 0.3, fill=chair)
            _person_back(c, x, y, s, rng)


def _person_front(c, x, y, s):
    suit = (52, 60, 75)
    c.d.rounded_rectangle((x - s, y - s * 1.2, x + s, y + s * 0.4), radius=s * 0.5, fill=suit)
    c.d.polygon([(x - s * 0.25, y - s * 1.2), (x + s * 0.25, y - s * 1.2), (x, y - s * 0.6)],
                fill=(245, 245, 245))
    c.d.ellipse(_circle(x, y - s * 1.7, s * 0.5), fill=(120, 104, 96))


def _person_back(c, x, y, s, rng):
    jacket = rng.choice([(52, 60, 75), (70, 82, 100), (40, 46, 58), (235, 235, 235),
                         (90, 110, 80)])
    c.d.rounded_rectangle((x - s, y, x + s, y + s * 1.6), radius=s * 0.55, fill=jacket)
    c.d.ellipse(_circle(x, y - s * 0.35, s * 0.5), fill=(45, 40, 38))


def _flowers(c, x, y, s):
    c.d.polygon([(x - s * 0.5, y + s), (x + s * 0.5, y + s), (x + s * 0.3, y),
                 (x - s * 0.3, y)], fill=(230, 230, 230))
    rng = c.rng
    for _ in range(9):
        fx, fy = x + rng.uniform(-s, s), y - rng.uniform(0, s)
        c.d.ellipse(_circle(fx, fy, s * 0.3), fill=rng.choice([(240, 200, 40), (235, 110, 60),
                                                              (230, 60, 70)]))


def _portrait(c):
    rng = c.rng
    # Soft studio backdrop; colours stay muted so the placeholder never looks like a person.
    backdrops = [("#dfe7ef", "#b8c7d6"), ("#e8e4dc", "#c7bfb1"), ("#dde8e3", "#b6c9c0"),
                 ("#e6e9f0", "#c1c8d8")]
    a, b = rng.choice(backdrops)
    c.gradient(_hex(a), _hex(b))
    cx, cy = c.w / 2, c.h * 0.5
    c.d.ellipse(_circle(cx, cy, c.u(0.55)), fill=(255, 255, 255, 50))
    # Small changes of build and pose keep a page of leaders from looking like one clone.
    head_r = c.u(0.16 * rng.uniform(0.93, 1.06))
    head_cy = c.h * rng.uniform(0.36, 0.4)
    cx += c.u(rng.uniform(-0.04, 0.04))
    sil = _hex(rng.choice(["#7d8a99", "#8593a3", "#76828f"]))
    suit = _hex(rng.choice(["#3c4656", "#2f3a4a", "#46505f"]))
    shirt = (244, 246, 248)
    sh_top = head_cy + head_r * 1.25
    width = c.u(0.48 * rng.uniform(0.92, 1.08))
    # Shoulders: a wide rounded shape cut by the bottom edge, as in an ID photo.
    c.d.rounded_rectangle((cx - width, sh_top, cx + width, c.h + c.u(0.3)), radius=c.u(0.2),
                          fill=suit)
    # Shirt V and tie between the lapels.
    v_bottom = sh_top + c.u(0.3)
    c.d.polygon([(cx - c.u(0.11), sh_top), (cx + c.u(0.11), sh_top), (cx, v_bottom)],
                fill=shirt)
    tie = _hex(rng.choice(["#8c2f39", "#2d4b73", "#5a5a5a"]))
    c.d.polygon([(cx - c.u(0.03), sh_top + c.u(0.02)), (cx + c.u(0.03), sh_top + c.u(0.02)),
                 (cx + c.u(0.045), v_bottom + c.u(0.05)), (cx, v_bottom + c.u(0.1)),
                 (cx - c.u(0.045), v_bottom + c.u(0.05))], fill=tie)
    lapel = _shade(suit, 0.8)
    c.d.polygon([(cx - c.u(0.11), sh_top), (cx - c.u(0.02), v_bottom), (cx - c.u(0.16),
                 sh_top + c.u(0.12))], fill=lapel)
    c.d.polygon([(cx + c.u(0.11), sh_top), (cx + c.u(0.02), v_bottom), (cx + c.u(0.16),
                 sh_top + c.u(0.12))], fill=lapel)
    # Neck and head as one neutral silhouette, no facial features.
    c.d.rounded_rectangle((cx - head_r * 0.45, head_cy, cx + head_r * 0.45, sh_top + c.u(0.02)),
                          radius=head_r * 0.2, fill=_shade(sil, 0.92))
    c.d.ellipse((cx - head_r * 0.88, head_cy - head_r * 1.08, cx + head_r * 0.88,
                 head_cy + head_r * 1.02), fill=sil)
    c.d.chord((cx - head_r * 0.92, head_cy - head_r * 1.15, cx + head_r * 0.92,
               head_cy + head_r * 0.3), 180, 360, fill=_shade(sil, 0.75))


def _documents(c):
    rng = c.rng
    desk = _hex(rng.choice(["#b98b5e", "#a97b52", "#c7a27c", "#8d6e57"]))
    c.gradient(_shade(desk, 1.1), _shade(desk, 0.85))
    # Subtle wood grain, so the desk is not a flat block.
    for _ in range(25):
        y = c.y(rng.random())
        c.d.line([(0, y), (c.w, y + c.y(rng.uniform(-0.03, 0.03)))],
                 fill=_rgba(_shade(desk, 0.8), 60), width=max(1, int(c.u(0.004))))
    # A stack of sheets, each slightly rotated, with grey bars standing in for text lines.
    for k in range(rng.randint(3, 5)):
        cx = c.x(rng.uniform(0.3, 0.6)) + c.u(0.02) * k
        cy = c.y(rng.uniform(0.45, 0.55))
        w, h = c.u(0.55), c.u(0.75)
        angle = math.radians(rng.uniform(-12, 12))
        corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
        rot = _rotation(cx, cy, angle)
        c.d.polygon([rot(px + c.u(0.012), py + c.u(0.015)) for px, py in corners],
                    fill=(0, 0, 0, 40))
        c.d.polygon([rot(px, py) for px, py in corners], fill=(252, 251, 247))
        for line in range(12):
            ly = -h / 2 + h * (0.18 + line * 0.06)
            ln = w * (0.75 if line % 5 != 4 else 0.45)
            p0, p1 = rot(-w / 2 + w * 0.12, ly), rot(-w / 2 + w * 0.12 + ln, ly)
            c.d.line([p0, p1], fill=(175, 180, 188), width=max(2, int(c.u(0.009))))
        # A red seal ring in the corner of the top sheet, as on an issued document.
        if k == 0 or rng.random() < 0.3:
            sx, sy = rot(w * 0.22, h * 0.33)
            c.d.ellipse(_circle(sx, sy, c.u(0.06)), outline=(200, 40, 40, 200),
                        width=max(2, int(c.u(0.007))))
    # Folder and pen at the side.
    fx = c.x(rng.choice([0.08, 0.78]))
    c.d.rounded_rectangle((fx, c.y(0.55), fx + c.x(0.16), c.y(0.95)), radius=c.u(0.01),
                          fill=_hex(rng.choice(["#2f5d8a", "#c0504d", "#4f7a5a"])))
    px, py = c.x(rng.uniform(0.6, 0.75)), c.y(rng.uniform(0.15, 0.3))
    c.d.line([(px, py), (px + c.u(0.3), py + c.u(0.12))], fill=(30, 35, 45),
             width=max(4, int(c.u(0.018))))
    c.d.line([(px, py), (px + c.u(0.04), py + c.u(0.016))], fill=(210, 170, 60),
             width=max(4, int(c.u(0.018))))


_PAINTERS = {
    "landscape": _landscape, "meeting": _meeting, "portrait": _portrait, "city": _city,
    "documents": _documents, "flag": _flag, "harvest": _harvest, "factory": _factory,
    "school": _school, "tea": _tea,
}
