"""Readable ASCII ids from Vietnamese titles.

"Tin trong tỉnh" becomes ``tin-trong-tinh``: diacritics are dropped, đ/Đ become d, everything
else that is not a letter or digit becomes a hyphen.
"""
import re
import unicodedata

MAX_LENGTH = 80
_NON_WORD = re.compile(r"[^a-z0-9]+")
# Names that traversal or the views reserve: a child may never shadow them.
RESERVED = frozenset({"static", "tinymce", "tinymce-langs", "deform_static", "login", "logout", "search",
                      "rss.xml", "sitemap.xml", "robots.txt", "en", "vi"})


def fold(text):
    """Return ``text`` lower-cased without Vietnamese diacritics (đ → d)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def slugify(title, max_length=MAX_LENGTH):
    """Make a readable id from ``title``; never empty."""
    slug = _NON_WORD.sub("-", fold(title)).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug or "item"


def unique_id(title, taken, max_length=MAX_LENGTH):
    """A slug of ``title`` not in ``taken`` (a container or set): ``slug``, ``slug-2``, ..."""
    base = slugify(title, max_length)
    if base in RESERVED:
        base = f"{base}-1"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
