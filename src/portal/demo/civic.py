"""Painters of civic life: the flag, a meeting, a portrait, documents; each fills the canvas."""
import math

from .canvas import SKIES, circle, rgb, rgba, rotated, shade, star


def _flag(c):
    rng = c.rng
    c.sky(rng.choice([SKIES[0], SKIES[1], SKIES[3]]))
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
                        fill=rgba(dark_red, int(-s * 90)))
    mid = n // 2
    sx, sy = upper[mid][0] - fw * 0.04, upper[mid][1] + fh / 2
    c.d.polygon(star(sx, sy, fh * 0.3, -math.pi / 2 + rng.uniform(-0.08, 0.08)), fill=gold)
    c.d.line([(px, top_y - c.y(0.05)), (px, c.h)], fill=(190, 190, 196),
             width=max(3, int(c.u(0.012))))
    c.d.ellipse(circle(px, top_y - c.y(0.05), c.u(0.015)), fill=gold)
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
    wall = rgb(rng.choice(["#f1e6d6", "#efe3cf", "#e9eef2"]))
    c.gradient(shade(wall, 1.05), shade(wall, 0.92))
    curtain = rgb(rng.choice(["#b3262a", "#a5222b", "#9b1d20"]))
    # Stage backdrop: folded red curtain with a lighter pelmet, typical of a conference hall.
    stage_top, stage_bottom = c.y(0.05), c.y(0.55)
    c.d.rectangle((c.x(0.04), stage_top, c.x(0.96), stage_bottom), fill=curtain)
    folds = 24
    for i in range(folds):
        x = c.x(0.04) + (c.x(0.92)) * i / folds
        c.d.rectangle((x, stage_top, x + c.x(0.92) / folds * 0.35, stage_bottom),
                      fill=rgba(shade(curtain, 0.75), 120))
    pelmet = shade(curtain, 1.1)
    for i in range(12):
        x0 = c.x(0.04) + c.x(0.92) * i / 12
        c.d.chord((x0, stage_top - c.y(0.04), x0 + c.x(0.92) / 12, stage_top + c.y(0.06)),
                  0, 180, fill=pelmet)
    # A plain panel in the middle of the backdrop where a banner would hang; left blank.
    c.d.rectangle((c.x(0.2), c.y(0.12), c.x(0.8), c.y(0.26)), fill=shade(curtain, 1.25))
    # Presidium table.
    cloth = rgb(rng.choice(["#ffffff", "#f4f7fb"]))
    skirt = rgb(rng.choice(["#2f5d8a", "#3b6ea5", "#1f4e79"]))
    ty = c.y(0.5)
    for i in range(rng.randint(5, 7)):
        x = c.x(0.18 + 0.64 * (i + 0.5) / 7 + rng.uniform(-0.01, 0.01))
        _person_front(c, x, ty, c.u(0.05))
    c.d.rectangle((c.x(0.12), ty, c.x(0.88), ty + c.y(0.08)), fill=skirt)
    c.d.rectangle((c.x(0.12), ty, c.x(0.88), ty + c.y(0.02)), fill=cloth)
    for x in (c.x(0.2), c.x(0.8)):
        _flowers(c, x, ty + c.y(0.04), c.u(0.04))
    # Audience seen from behind: rows of heads and shoulders.
    floor = rgb("#c9b79c")
    c.d.rectangle((0, c.y(0.6), c.w, c.h), fill=floor)
    rows = 3
    for r in range(rows):
        y = c.y(0.72 + r * 0.12)
        s = c.u(0.055 + r * 0.012)
        count = 9 - r
        chair = shade(rgb("#8c2f2f"), 0.9 + 0.05 * r)
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
    c.d.ellipse(circle(x, y - s * 1.7, s * 0.5), fill=(120, 104, 96))


def _person_back(c, x, y, s, rng):
    jacket = rng.choice([(52, 60, 75), (70, 82, 100), (40, 46, 58), (235, 235, 235),
                         (90, 110, 80)])
    c.d.rounded_rectangle((x - s, y, x + s, y + s * 1.6), radius=s * 0.55, fill=jacket)
    c.d.ellipse(circle(x, y - s * 0.35, s * 0.5), fill=(45, 40, 38))


def _flowers(c, x, y, s):
    c.d.polygon([(x - s * 0.5, y + s), (x + s * 0.5, y + s), (x + s * 0.3, y),
                 (x - s * 0.3, y)], fill=(230, 230, 230))
    rng = c.rng
    for _ in range(9):
        fx, fy = x + rng.uniform(-s, s), y - rng.uniform(0, s)
        c.d.ellipse(circle(fx, fy, s * 0.3), fill=rng.choice([(240, 200, 40), (235, 110, 60),
                                                              (230, 60, 70)]))


def _portrait(c):
    rng = c.rng
    # Soft studio backdrop; colours stay muted so the placeholder never looks like a person.
    backdrops = [("#dfe7ef", "#b8c7d6"), ("#e8e4dc", "#c7bfb1"), ("#dde8e3", "#b6c9c0"),
                 ("#e6e9f0", "#c1c8d8")]
    a, b = rng.choice(backdrops)
    c.gradient(rgb(a), rgb(b))
    cx, cy = c.w / 2, c.h * 0.5
    c.d.ellipse(circle(cx, cy, c.u(0.55)), fill=(255, 255, 255, 50))
    # Small changes of build and pose keep a page of leaders from looking like one clone.
    head_r = c.u(0.16 * rng.uniform(0.93, 1.06))
    head_cy = c.h * rng.uniform(0.36, 0.4)
    cx += c.u(rng.uniform(-0.04, 0.04))
    sil = rgb(rng.choice(["#7d8a99", "#8593a3", "#76828f"]))
    suit = rgb(rng.choice(["#3c4656", "#2f3a4a", "#46505f"]))
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
    tie = rgb(rng.choice(["#8c2f39", "#2d4b73", "#5a5a5a"]))
    c.d.polygon([(cx - c.u(0.03), sh_top + c.u(0.02)), (cx + c.u(0.03), sh_top + c.u(0.02)),
                 (cx + c.u(0.045), v_bottom + c.u(0.05)), (cx, v_bottom + c.u(0.1)),
                 (cx - c.u(0.045), v_bottom + c.u(0.05))], fill=tie)
    lapel = shade(suit, 0.8)
    c.d.polygon([(cx - c.u(0.11), sh_top), (cx - c.u(0.02), v_bottom), (cx - c.u(0.16),
                 sh_top + c.u(0.12))], fill=lapel)
    c.d.polygon([(cx + c.u(0.11), sh_top), (cx + c.u(0.02), v_bottom), (cx + c.u(0.16),
                 sh_top + c.u(0.12))], fill=lapel)
    # Neck and head as one neutral silhouette, no facial features.
    c.d.rounded_rectangle((cx - head_r * 0.45, head_cy, cx + head_r * 0.45, sh_top + c.u(0.02)),
                          radius=head_r * 0.2, fill=shade(sil, 0.92))
    c.d.ellipse((cx - head_r * 0.88, head_cy - head_r * 1.08, cx + head_r * 0.88,
                 head_cy + head_r * 1.02), fill=sil)
    c.d.chord((cx - head_r * 0.92, head_cy - head_r * 1.15, cx + head_r * 0.92,
               head_cy + head_r * 0.3), 180, 360, fill=shade(sil, 0.75))


def _documents(c):
    rng = c.rng
    desk = rgb(rng.choice(["#b98b5e", "#a97b52", "#c7a27c", "#8d6e57"]))
    c.gradient(shade(desk, 1.1), shade(desk, 0.85))
    # Subtle wood grain, so the desk is not a flat block.
    for _ in range(25):
        y = c.y(rng.random())
        c.d.line([(0, y), (c.w, y + c.y(rng.uniform(-0.03, 0.03)))],
                 fill=rgba(shade(desk, 0.8), 60), width=max(1, int(c.u(0.004))))
    # A stack of sheets, each slightly rotated, with grey bars standing in for text lines.
    for k in range(rng.randint(3, 5)):
        cx = c.x(rng.uniform(0.3, 0.6)) + c.u(0.02) * k
        cy = c.y(rng.uniform(0.45, 0.55))
        w, h = c.u(0.55), c.u(0.75)
        angle = math.radians(rng.uniform(-12, 12))
        corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
        rot = rotated(cx, cy, angle)
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
            c.d.ellipse(circle(sx, sy, c.u(0.06)), outline=(200, 40, 40, 200),
                        width=max(2, int(c.u(0.007))))
    # Folder and pen at the side.
    fx = c.x(rng.choice([0.08, 0.78]))
    c.d.rounded_rectangle((fx, c.y(0.55), fx + c.x(0.16), c.y(0.95)), radius=c.u(0.01),
                          fill=rgb(rng.choice(["#2f5d8a", "#c0504d", "#4f7a5a"])))
    px, py = c.x(rng.uniform(0.6, 0.75)), c.y(rng.uniform(0.15, 0.3))
    c.d.line([(px, py), (px + c.u(0.3), py + c.u(0.12))], fill=(30, 35, 45),
             width=max(4, int(c.u(0.018))))
    c.d.line([(px, py), (px + c.u(0.04), py + c.u(0.016))], fill=(210, 170, 60),
             width=max(4, int(c.u(0.018))))


PAINTERS = {"flag": _flag, "meeting": _meeting, "portrait": _portrait, "documents": _documents}
