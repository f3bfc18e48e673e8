"""Painters of buildings: a city, a factory, a school; each fills the canvas."""
from .canvas import BLUE_HILLS, GREENS, SKIES, circle, mix, rgb, shade, star
from .nature import trees


def _buildings(c, count, base, height_range, palette, windows=True):
    rng = c.rng
    x = -c.x(0.02)
    while x < c.w:
        bw = c.x(rng.uniform(0.05, 0.11))
        bh = c.y(rng.uniform(*height_range))
        colour = c.vary(rgb(rng.choice(palette)), 0.05)
        top = base - bh
        c.d.rectangle((x, top, x + bw, base), fill=colour)
        if rng.random() < 0.3:
            c.d.rectangle((x + bw * 0.3, top - c.y(0.03), x + bw * 0.7, top), fill=colour)
        if windows:
            win = shade(colour, 1.35)
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
    c.ridge(0.5, 0.14, mix(rgb(BLUE_HILLS[0]), bottom, 0.3), detail=5, jagged=0.3)
    far = ["#b8c6d8", "#a9bbd1", "#c4cfdc", "#9fb2c8"]
    near = ["#e7d8c5", "#d9c2a7", "#f0e6da", "#c8d5e0", "#e9c9a9", "#b9cbd9"]
    _buildings(c, 0, c.y(0.68), (0.18, 0.38), far, windows=False)
    c.haze(0.3, 0.68, bottom, 60)
    _buildings(c, 0, c.y(0.78), (0.14, 0.34), near)
    # River and embankment in front: the Cầu river runs through the city centre.
    c.gradient(shade(top, 0.85), shade(top, 0.7), (0, c.y(0.78), c.w, c.y(0.9)))
    for _ in range(10):
        x, y = c.x(rng.random()), c.y(rng.uniform(0.8, 0.88))
        c.d.rectangle((x, y, x + c.u(rng.uniform(0.04, 0.12)), y + c.u(0.005)),
                      fill=(255, 255, 255, 80))
    greens = [rgb(g) for g in rng.choice(GREENS)]
    c.d.rectangle((0, c.y(0.9), c.w, c.h), fill=greens[2])
    trees(c, rng.randint(6, 10), 0.92, greens)
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
    _top, bottom = c.sky(rng.choice([SKIES[1], SKIES[3], SKIES[4]]))
    c.ridge(0.5, 0.16, mix(rgb(BLUE_HILLS[1]), bottom, 0.35), detail=5, jagged=0.4)
    base = c.y(0.8)
    steel = ["#8fa3b8", "#6f8aa3", "#a9b8c6", "#5d7690"]
    accent = rgb(rng.choice(["#e07a5f", "#f2a541", "#3d8eb9"]))
    # Chimneys first so that smoke sits behind the halls.
    for _ in range(rng.randint(2, 4)):
        x = c.x(rng.uniform(0.1, 0.9))
        cw, ch = c.x(0.025), c.y(rng.uniform(0.35, 0.5))
        c.d.polygon([(x - cw, base), (x - cw * 0.7, base - ch), (x + cw * 0.7, base - ch),
                     (x + cw, base)], fill=rgb("#b0b8c0"))
        for k in range(2):
            y = base - ch + c.y(0.05 + 0.06 * k)
            c.d.rectangle((x - cw * 0.8, y, x + cw * 0.8, y + c.y(0.015)), fill=accent)
        sx, sy = x, base - ch
        for k in range(5):
            r = c.u(0.03 + k * 0.012)
            sx += c.u(rng.uniform(0.02, 0.05))
            sy -= c.u(rng.uniform(0.03, 0.05))
            c.d.ellipse(circle(sx, sy, r), fill=(255, 255, 255, 150 - k * 22))
    # Sawtooth-roof halls: the shape everyone reads as "factory".
    x = c.x(rng.uniform(-0.05, 0.05))
    while x < c.w:
        hw, hh = c.x(rng.uniform(0.18, 0.3)), c.y(rng.uniform(0.15, 0.25))
        colour = c.vary(rgb(rng.choice(steel)), 0.05)
        c.d.rectangle((x, base - hh, x + hw, base), fill=colour)
        teeth = rng.randint(3, 5)
        tw = hw / teeth
        for k in range(teeth):
            tx = x + k * tw
            c.d.polygon([(tx, base - hh), (tx + tw, base - hh - c.y(0.06)),
                          (tx + tw, base - hh)], fill=shade(colour, 0.85))
            c.d.rectangle((tx + tw * 0.2, base - hh * 0.6, tx + tw * 0.8, base - hh * 0.3),
                          fill=shade(colour, 1.3))
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
        c.d.ellipse(circle(cx, cy, r), fill=(150, 160, 172))
        c.d.ellipse(circle(cx, cy, r * 0.45), fill=(95, 105, 115))


def _school(c):
    rng = c.rng
    _top, bottom = c.sky(rng.choice(SKIES[:4]))
    for _ in range(rng.randint(1, 3)):
        c.cloud(c.x(rng.uniform(0.05, 0.95)), c.y(rng.uniform(0.08, 0.22)), c.u(0.045))
    greens = [rgb(g) for g in rng.choice(GREENS)]
    c.ridge(0.48, 0.12, mix(rgb(BLUE_HILLS[0]), bottom, 0.3), detail=5, jagged=0.3)
    base = c.y(0.78)
    wall = rgb(rng.choice(["#f4d58d", "#f2c57c", "#f6e3b4", "#e8c39e"]))
    roof = rgb(rng.choice(["#c0504d", "#b5523b", "#9c3d2e"]))
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
        c.d.rectangle((x0, fy + fh - c.y(0.012), x1, fy + fh), fill=shade(wall, 0.85))
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
    c.d.polygon(star(px + c.x(0.035), fy + c.y(0.04), c.u(0.022)), fill=(255, 221, 0))
    c.d.rectangle((0, base, c.w, c.h), fill=greens[1])
    c.d.polygon([(c.x(0.42), c.h), (c.x(0.47), base), (c.x(0.53), base), (c.x(0.58), c.h)],
                fill=(226, 214, 190))
    trees(c, rng.randint(3, 6), 0.8, greens)
    # Pupils as small coloured figures.
    for _ in range(rng.randint(3, 7)):
        x, y = c.x(rng.uniform(0.1, 0.9)), c.y(rng.uniform(0.86, 0.96))
        s = c.u(0.03)
        c.d.rounded_rectangle((x - s * 0.4, y - s, x + s * 0.4, y + s * 0.6), radius=s * 0.2,
                              fill=(255, 255, 255))
        c.d.rectangle((x - s * 0.4, y, x + s * 0.4, y + s * 0.6),
                      fill=rng.choice([(40, 70, 140), (30, 60, 110), (140, 40, 40)]))
        c.d.ellipse(circle(x, y - s * 1.3, s * 0.35), fill=(60, 50, 45))


PAINTERS = {"city": _city, "factory": _factory, "school": _school}
