"""Files and images kept in ZODB blobs, with image scales made by Pillow."""
import io

from persistent import Persistent
from PIL import Image as PILImage
from ZODB.blob import Blob

# Widths of the scales made for every image (srcset on phones and desktops).
SCALES = {"thumb": 240, "small": 480, "medium": 800, "large": 1200}
MAX_PIXELS = 40_000_000


class FileData(Persistent):
    """An uploaded file: its bytes in a blob, its name, type and size."""

    def __init__(self, data, filename, content_type):
        self.blob = Blob()
        with self.blob.open("w") as f:
            f.write(data)
        self.filename = filename
        self.content_type = content_type
        self.size = len(data)


class ImageData(FileData):
    """An image with its pixel size and scaled copies (each a ``FileData`` of JPEG/PNG)."""

    def __init__(self, data, filename):
        image = open_image(data)
        fmt = image.format or "JPEG"
        super().__init__(data, filename, PILImage.MIME.get(fmt, "image/jpeg"))
        self.width, self.height = image.size
        self.scales = {name: self._scale(image, width, name) for name, width in SCALES.items()
                       if width < self.width}

    def _scale(self, image, width, name):
        height = round(image.height * width / image.width)
        scaled = image.convert("RGB").resize((width, height), PILImage.Resampling.LANCZOS)
        out = io.BytesIO()
        scaled.save(out, "JPEG", quality=82, optimize=True, progressive=True)
        data = FileData(out.getvalue(), f"{name}.jpg", "image/jpeg")
        data.width, data.height = width, height
        return data

    def scale(self, name):
        """The scale called ``name``, or the original when the image is smaller than it."""
        return self.scales.get(name, self)


def open_image(data):
    """Open image bytes with Pillow, refusing what is not an image or is absurdly large."""
    try:
        image = PILImage.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise ValueError("image too large")
        image.load()
    except (OSError, PILImage.DecompressionBombError, SyntaxError) as exc:
        raise ValueError("not an image") from exc
    return image
