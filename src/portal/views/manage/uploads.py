"""Uploads of the add and edit forms: deform's temporary store kept on disk, so that a form
sent back with an error in another field keeps the chosen file, and the checks of what is
uploaded: images by their content with Pillow, documents by their first bytes, both against
size limits from the settings."""
import io
import json
import re
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

import colander
from babel.numbers import format_decimal
from deform.widget import filedict
from PIL import Image as PILImage
from pyramid.threadlocal import get_current_request

from ...content.blobs import MAX_PIXELS, open_image
from ...i18n import _

MB = 1024 * 1024
DEFAULT_MAX_IMAGE = 15 * MB
DEFAULT_MAX_FILE = 50 * MB
IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
IMAGE_ACCEPT = "image/jpeg,image/png,image/gif,image/webp"
MAX_FILENAME = 200

NOT_AN_IMAGE = _("This file is not a picture the portal can use. Choose a JPEG, PNG, GIF "
                 "or WebP image.")
NOT_A_DOCUMENT = _("Only PDF files and office documents (Word, Excel, PowerPoint, "
                   "OpenDocument) can be uploaded.")

OOXML_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ODF_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
OLE_TYPES = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
FILE_ACCEPT = ",".join([".pdf"] + [f".{ext}" for ext in (*OOXML_TYPES, *ODF_TYPES, *OLE_TYPES)])


# uploads --------------------------------------------------------------------------------------

_UID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class UploadStore:
    """deform's ``FileUploadTempStore``, on disk and without the database.

    An upload is kept for an hour in a private folder, readable only by the user who sent it,
    so a form sent back with errors need not ask for the file again. With several processes or
    machines that do not share the folder, the user is simply asked to choose the file again.
    Uploads larger than ``limit`` are never written: the entry only says it was too large.
    """

    TTL = 3600

    def __init__(self, directory, owner, limit):
        self.directory = Path(directory)
        self.owner = owner or ""
        self.limit = limit
        self._entries = {}

    def _paths(self, uid):
        if not isinstance(uid, str) or not _UID.match(uid):
            return None
        return self.directory / f"{uid}.bin", self.directory / f"{uid}.json"

    def get(self, uid, default=None):
        if uid in self._entries:
            return self._entries[uid]
        paths = self._paths(uid)
        if paths is None:
            return default
        try:
            meta = json.loads(paths[1].read_text("utf-8"))
            if meta.get("owner") != self.owner or time.time() - meta.get("time", 0) > self.TTL:
                return default
            data = paths[0].read_bytes()
        except (OSError, ValueError):
            return default
        entry = filedict(uid=uid, filename=meta.get("filename", ""),
                         mimetype=meta.get("mimetype", ""), size=len(data), data=data,
                         fp=io.BytesIO(data), preview_url=None)
        self._entries[uid] = entry
        return entry

    def __getitem__(self, uid):
        entry = self.get(uid)
        if entry is None:
            raise KeyError(uid)
        return entry

    def __contains__(self, uid):
        return self.get(uid) is not None

    def __setitem__(self, uid, value):
        # deform returns the very dict it stores here: complete it in place.
        entry = value if isinstance(value, dict) else filedict(value)
        fp = entry.get("fp")
        if "data" not in entry and fp is not None:
            if hasattr(fp, "seek"):
                fp.seek(0)
            data = fp.read(self.limit + 1)
            entry["filename"] = clean_filename(entry.get("filename"))
            if len(data) > self.limit:
                entry.update(data=None, fp=None, too_large=True)
            else:
                entry.update(data=data, fp=io.BytesIO(data), size=len(data))
                self._write(uid, entry)
        self._entries[uid] = entry

    def preview_url(self, uid):
        return None

    def discard(self, uid):
        """Forget the upload ``uid`` (saved, or refused)."""
        self._entries.pop(uid, None)
        for path in self._paths(uid) or ():
            path.unlink(missing_ok=True)

    def _write(self, uid, entry):
        paths = self._paths(uid)
        if paths is None:
            return
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._prune()
            paths[0].write_bytes(entry["data"])
            paths[1].write_text(json.dumps({
                "owner": self.owner, "filename": entry["filename"],
                "mimetype": entry.get("mimetype") or "", "time": time.time()}), "utf-8")
        except OSError:
            pass  # not kept: the user chooses the file again after an error elsewhere

    def _prune(self):
        limit = time.time() - self.TTL
        for meta in self.directory.glob("*.json"):
            try:
                if meta.stat().st_mtime < limit:
                    meta.unlink(missing_ok=True)
                    meta.with_suffix(".bin").unlink(missing_ok=True)
            except OSError:
                continue


def upload_dir(request):
    configured = request.registry.settings.get("portal.upload_tmp_dir")
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "portal-uploads"


def clean_filename(name):
    """The file's own name (no folders, no control characters), never empty."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:MAX_FILENAME - len(ext) - 1] + dot + ext) if dot and len(ext) < 10 \
            else name[:MAX_FILENAME]
    return name or "file"


def image_problem(data):
    """Why ``data`` cannot be stored as an image (a message), or None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            probe = PILImage.open(io.BytesIO(data), formats=IMAGE_FORMATS)
            width, height = probe.size
    except PILImage.DecompressionBombError:
        return too_many_pixels()
    except Exception:  # noqa: BLE001 (Pillow raises many kinds of errors on junk)
        return NOT_AN_IMAGE
    if width * height > MAX_PIXELS:
        return too_many_pixels()
    if width < 1 or height < 1:
        return NOT_AN_IMAGE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            open_image(data)
    except Exception:  # noqa: BLE001
        return NOT_AN_IMAGE
    return None


def too_many_pixels():
    return _("This image has too many pixels (at most ${count} million). Make it smaller and "
             "choose it again.", mapping={"count": MAX_PIXELS // 1_000_000})


def document_type(data, filename):
    """The content type of an accepted document, or None (PDF and office files only)."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "[Content_Types].xml" in names and ext in OOXML_TYPES:
                    return OOXML_TYPES[ext]
                if "mimetype" in names and ext in ODF_TYPES:
                    declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                    return declared if declared == ODF_TYPES[ext] else None
        except (zipfile.BadZipFile, OSError, ValueError, KeyError):
            return None
        return None
    if data.startswith(b"\xd0\xcf\x11\xe0") and ext in OLE_TYPES:
        return OLE_TYPES[ext]
    return None


IMAGE_TOO_LARGE = _("The image is larger than ${size} MB. Choose a smaller one.")
FILE_TOO_LARGE = _("The file is larger than ${size} MB. Choose a smaller one.")


def megabytes(size):
    """``size`` bytes in MB for a message, in the interface's number format ("0,2", "15")."""
    request = get_current_request()
    locale = request.locale_name if request is not None else "vi"
    return format_decimal(round(size / MB, 1), format="#,##0.#", locale=locale)


def upload_validator(limit, too_large, problem_of):
    """A colander validator of an upload: at most ``limit`` bytes (else ``too_large``), and
    ``problem_of(value)`` must find nothing wrong (else its message)."""
    def validate(node, value):
        if value.get("too_large"):
            raise colander.Invalid(node, _(too_large, mapping={"size": megabytes(limit)}))
        problem = problem_of(value)
        if problem is not None:
            raise colander.Invalid(node, problem)
    return validate


def image_validator(limit):
    """Images: a picture Pillow reads, within ``limit`` bytes."""
    return upload_validator(limit, IMAGE_TOO_LARGE,
                            lambda value: image_problem(value.get("data") or b""))


def file_validator(limit):
    """Documents: PDF or office files by their first bytes, within ``limit`` bytes."""
    def problem_of(value):
        kind = document_type(value.get("data") or b"", value.get("filename") or "")
        return NOT_A_DOCUMENT if kind is None else None
    return upload_validator(limit, FILE_TOO_LARGE, problem_of)
