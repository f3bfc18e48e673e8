"""The canvas the demo illustrations are painted on: colours, palettes, shapes."""
import math

from PIL import Image, ImageDraw


def rgb(value):
    """The (r, g, b) tuple of a "#rrggbb" colour."""
    value = value.lstrip("#")
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))


def mix(a, b, t):
    """The colour ``t`` of the way from ``a`` to ``b`` (0: ``a``, 1: ``b``)."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def shade(colour, factor):
    """Darken (factor < 1) or lighten towards white (factor > 1)."""
    if factor <= 1:
        return tuple(round(c * factor) for c in colour)
    return mix(colour, (255, 255, 255), min(1.0, factor - 1))


def rgba(colour, alpha):
    """``colour`` with an alpha component: drawn blended."""
    return (*colour, alpha)


# Palettes are hand-picked so that any random choice still looks harmonious; randomness only
# picks among them and nudges lightness, never invents hues.
SKIES = [
    ("#9fd3f0", "#e8f4f8"),   # clear morning
    ("#7fb8e6", "#dbeefa"),   # midday
    ("#f6c89f", "#fde9d2"),   # warm dawn
    ("#a7c7e7", "#f3e3d3"),   # soft haze
    ("#f3a683", "#f8e1c0"),   # late afternoon
]
GREENS = [
    ["#a8c686", "#7fa65a", "#5b8a3c", "#3f6d2a", "#2c5520"],
    ["#b5d39a", "#8cbf6f", "#5fa052", "#3e7d3f", "#275e30"],
    ["#c9d8a0", "#9fbd73", "#76a04f", "#507f36", "#355f26"],
]
BLUE_HILLS = ["#b9cde0", "#93b1cc", "#7395b4", "#56789a"]


class Canvas:
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
        return shade(colour, 1 + self.rng.uniform(-amount, amount))

    def gradient(self, top, bottom, box=None):
        """Fill ``box`` (default: everything) with a vertical gradient."""
        x0, y0, x1, y1 = box or (0, 0, self.w, self.h)
        x0, y0, x1, y1 = int(x0), int(y0), int(x1), int(y1)
        height = max(1, y1 - y0)
        column = Image.new("RGB", (1, height))
        column.putdata([mix(top, bottom, i / max(1, height - 1)) for i in range(height)])
        # A one-pixel column stretched sideways is far cheaper than drawing each line.
        self.image.paste(column.resize((max(1, x1 - x0), height), Image.NEAREST), (x0, y0))

    def sky(self, palette=None):
        top, bottom = palette or self.rng.choice(SKIES)
        self.gradient(rgb(top), rgb(bottom))
        return rgb(top), rgb(bottom)

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
            self.d.ellipse(circle(cx, cy, r * k), fill=rgba(colour, alpha))
        self.d.ellipse(circle(cx, cy, r), fill=colour)

    def cloud(self, cx, cy, size, alpha=210):
        rng = self.rng
        fill = (255, 255, 255, alpha)
        # Several overlapping ellipses on a flat base read as a cloud in flat-design style.
        self.d.rounded_rectangle((cx - size * 1.6, cy - size * 0.35, cx + size * 1.6,
                                  cy + size * 0.35), radius=size * 0.35, fill=fill)
        for _ in range(4):
            ox = rng.uniform(-1.1, 1.1) * size
            r = rng.uniform(0.35, 0.7) * size
            self.d.ellipse(circle(cx + ox, cy - r * 0.4, r), fill=fill)

    def ridge(self, base, amplitude, colour, detail=5, jagged=0.25):
        """A mountain or hill silhouette from ``base`` (fraction of height) to the bottom."""
        pts = ridge_points(self.rng, self.w, self.y(base), self.y(amplitude), detail, jagged)
        self.d.polygon(pts + [(self.w, self.h), (0, self.h)], fill=colour)
        return pts

    def haze(self, y0, y1, colour, alpha):
        """A band of mist that fades in and out, so it has no visible edges."""
        strips = 10
        top, step = self.y(y0), (self.y(y1) - self.y(y0)) / strips
        for i in range(strips):
            strength = math.sin(math.pi * (i + 0.5) / strips)
            self.d.rectangle((0, top + i * step, self.w, top + (i + 1) * step + 1),
                             fill=rgba(colour, int(alpha * strength)))


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


def circle(cx, cy, r):
    """The bounding box of a circle, as ImageDraw's ``ellipse`` takes it."""
    return (cx - r, cy - r, cx + r, cy + r)


def ridge_points(rng, width, base_y, amplitude, detail, jagged):
    """The points of a ridge line across ``width``, about ``amplitude`` above ``base_y``."""
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


def rotated(cx, cy, angle):
    """A function mapping points relative to (cx, cy) to canvas points, rotated by angle."""
    ca, sa = math.cos(angle), math.sin(angle)
    return lambda px, py: (cx + px * ca - py * sa, cy + px * sa + py * ca)


def star(cx, cy, r, rotation=-math.pi / 2):
    """The ten points of a five-pointed star of radius ``r`` centred on (cx, cy)."""
    pts = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.382
        a = rotation + i * math.pi / 5
        pts.append((cx + radius * math.cos(a), cy + radius * math.sin(a)))
    return pts
