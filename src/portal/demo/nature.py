"""Painters of the countryside: a landscape, a tea hill, a harvest; each fills the canvas."""
from .canvas import BLUE_HILLS, GREENS, SKIES, mix, rgb, rgba, ridge_points, shade


def _landscape(c):
    rng = c.rng
    top, bottom = c.fair_weather((0.15, 0.85), (0.14, 0.3), 0.06, (2, 4), (0.08, 0.3), 0.05)
    greens = [rgb(g) for g in rng.choice(GREENS)]
    far = [mix(rgb(b), bottom, 0.25) for b in BLUE_HILLS]
    c.ridge(0.42, 0.22, far[0], detail=6, jagged=0.6)
    c.ridge(0.5, 0.18, far[1], detail=6, jagged=0.5)
    c.haze(0.35, 0.6, bottom, 50)
    lake = rng.random() < 0.6
    c.ridge(0.6, 0.14, greens[1], detail=4, jagged=0.15)
    if lake:
        # A lake band reflecting the sky, as at Núi Cốc: a flat shape with light streaks.
        y0 = c.y(0.68)
        # Water keeps a blue cast even under a warm sky, or it reads as sand.
        water = mix(top, (96, 150, 196), 0.55)
        c.gradient(mix(water, bottom, 0.45), shade(water, 0.85), (0, y0, c.w, c.h))
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
                        fill=rgba(greens[4], 90))
        # A near shore to stand the trees on.
        c.ridge(0.97, 0.06, greens[2], detail=3, jagged=0.1)
    else:
        c.ridge(0.76, 0.1, greens[2], detail=3, jagged=0.1)
        c.ridge(0.9, 0.08, greens[3], detail=3, jagged=0.1)
    trees(c, rng.randint(4, 9), 0.92, greens)


def trees(c, count, base, greens):
    """``count`` trees at random along ``base`` (a fraction of the height), round or pointed."""
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
    _top, bottom = c.sky(rng.choice(SKIES[:4]))
    c.sun(c.x(rng.uniform(0.6, 0.9)), c.y(rng.uniform(0.1, 0.22)), c.u(0.05))
    c.cloud(c.x(rng.uniform(0.1, 0.5)), c.y(rng.uniform(0.1, 0.2)), c.u(0.05))
    c.ridge(0.3, 0.14, mix(rgb(BLUE_HILLS[1]), bottom, 0.3), detail=6, jagged=0.5)
    c.haze(0.2, 0.42, bottom, 60)
    greens = [rgb(g) for g in rng.choice(GREENS)]
    # Tea hills: rounded mounds from back to front, each striped with curved rows of bushes,
    # which is what makes Tân Cương hills recognisable from far away.
    hills = rng.randint(4, 6)
    for i in range(hills):
        depth = i / (hills - 1)
        cx = c.x(rng.uniform(-0.1, 1.1))
        cy = c.y(0.45 + depth * 0.45)
        rx = c.x(rng.uniform(0.35, 0.6))
        ry = c.y(0.18 + depth * 0.08)
        base = mix(greens[1], greens[3], depth)
        c.d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry * 2.5), fill=base)
        row = shade(base, 0.78)
        light = shade(base, 1.15)
        rows = 6 + i
        for k in range(1, rows):
            f = k / rows
            # Each row is an arc concentric with the mound's top, like contour planting.
            box = (cx - rx * f, cy - ry + ry * (1 - f) * 0.2 + f * ry * 0.05,
                   cx + rx * f, cy - ry + ry * 2 * f + ry * 0.4)
            c.d.arc(box, 200, 340, fill=row, width=max(2, int(c.u(0.008 + depth * 0.006))))
            c.d.arc(box, 215, 325, fill=rgba(light, 110), width=max(1, int(c.u(0.003))))
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
    _top, bottom = c.sky(rng.choice([SKIES[0], SKIES[2], SKIES[4]]))
    c.sun(c.x(rng.uniform(0.15, 0.85)), c.y(rng.uniform(0.12, 0.25)), c.u(0.06))
    c.ridge(0.38, 0.16, mix(rgb(BLUE_HILLS[1]), bottom, 0.35), detail=5, jagged=0.4)
    c.ridge(0.45, 0.1, mix(rgb(BLUE_HILLS[2]), bottom, 0.2), detail=5, jagged=0.3)
    golds = [rgb(v) for v in ("#f6d365", "#eab543", "#d89a2b", "#c9a227", "#b8c04a",
                               "#8fb04a")]
    # Terraced paddies: wavy horizontal bands alternating ripe gold and still-green rice.
    y = c.y(0.45)
    band = 0
    while y < c.h:
        thickness = c.y(0.035 + band * 0.012)
        colour = c.vary(golds[rng.randrange(len(golds))], 0.05)
        pts_top = ridge_points(rng, c.w, y, c.y(0.02), 3, 0.05)
        c.d.polygon(pts_top + [(c.w, c.h), (0, c.h)], fill=colour)
        c.d.line(pts_top, fill=shade(colour, 0.8), width=max(2, int(c.u(0.005))))
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


PAINTERS = {"landscape": _landscape, "tea": _tea, "harvest": _harvest}
