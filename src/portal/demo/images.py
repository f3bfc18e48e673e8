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
import random

from . import buildings, civic, nature
from .canvas import Canvas

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
    canvas = Canvas(width * _SS, height * _SS, rng)
    painter(canvas)
    return canvas.image.reduce(_SS) if _SS > 1 else canvas.image


def jpeg_bytes(image, quality=85):
    """Encode ``image`` as a progressive JPEG and return the bytes."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


_PAINTERS = {**nature.PAINTERS, **buildings.PAINTERS, **civic.PAINTERS}
