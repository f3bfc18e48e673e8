"""Small PDF documents drawn from text with Pillow (demo and profile files)."""
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
)
PAGE = (1240, 1754)  # A4 at 150 dpi
MARGIN = 120


def _font(size):
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def _wrap(draw, text, font, width):
    lines = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}".strip()
            if draw.textlength(trial, font=font) <= width:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def text_pdf(title, text):
    """A one-or-more page PDF with ``title`` in bold size and ``text`` wrapped below."""
    title_font, body_font = _font(40), _font(30)
    pages, page = [], None
    y = PAGE[1]
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    lines = [(title_font, line) for line in _wrap(probe, title, title_font, PAGE[0] - 2 * MARGIN)]
    lines.append((body_font, ""))
    lines += [(body_font, line) for line in _wrap(probe, text, body_font, PAGE[0] - 2 * MARGIN)]
    for font, line in lines:
        height = font.size + 14
        if y + height > PAGE[1] - MARGIN:
            page = Image.new("L", PAGE, 255)
            pages.append(page)
            y = MARGIN
        ImageDraw.Draw(page).text((MARGIN, y), line, font=font, fill=0)
        y += height
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=150, save_all=True, append_images=pages[1:])
    return out.getvalue()
