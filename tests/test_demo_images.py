"""Tests for the locally drawn demo illustrations."""
import io

import pytest
from PIL import Image, ImageChops

from portal.demo import images as demo_images

ALL_MOTIFS = ["landscape", "meeting", "portrait", "city", "documents", "flag", "harvest",
              "factory", "school", "tea"]


def test_module_lists_exactly_the_documented_motifs():
    assert sorted(demo_images.MOTIFS) == sorted(ALL_MOTIFS)


@pytest.mark.parametrize("motif", ALL_MOTIFS)
def test_draws_requested_size(motif):
    image = demo_images.draw(motif, 1)
    assert image.size == (1200, 675)
    assert image.mode == "RGB"
    small = demo_images.draw(motif, 1, width=320, height=240)
    assert small.size == (320, 240)


@pytest.mark.parametrize("motif", ALL_MOTIFS)
def test_same_seed_gives_identical_image(motif):
    first = demo_images.draw(motif, 42, 400, 225)
    second = demo_images.draw(motif, 42, 400, 225)
    assert ImageChops.difference(first, second).getbbox() is None


@pytest.mark.parametrize("motif", ALL_MOTIFS)
def test_different_seeds_give_different_images(motif):
    first = demo_images.draw(motif, 1, 400, 225)
    second = demo_images.draw(motif, 2, 400, 225)
    assert ImageChops.difference(first, second).getbbox() is not None


@pytest.mark.parametrize("motif", ALL_MOTIFS)
def test_image_is_not_blank(motif):
    # A painter that silently draws nothing would still pass the size checks.
    colours = demo_images.draw(motif, 3, 300, 170).getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 20


def test_unknown_motif_raises_value_error():
    with pytest.raises(ValueError):
        demo_images.draw("unicorn", 1)


def test_jpeg_bytes_is_a_decodable_jpeg():
    image = demo_images.draw("tea", 7, 400, 225)
    data = demo_images.jpeg_bytes(image, quality=80)
    assert data[:2] == b"\xff\xd8"
    decoded = Image.open(io.BytesIO(data))
    assert decoded.format == "JPEG"
    assert decoded.size == (400, 225)
