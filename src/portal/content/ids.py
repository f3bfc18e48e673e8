"""Readable ASCII ids from Vietnamese titles.

"Tin trong tỉnh" becomes ``tin-trong-tinh``: diacritics are dropped, đ/Đ become d, everything
else that is not a letter or digit becomes a hyphen.
"""
import re
import sys

from pyramid.threadlocal import get_current_registry

from ..text.folding import fold

MAX_LENGTH = 80
_NON_WORD = re.compile(r"[^a-z0-9]+")
# Names that traversal or the static views reserve: a child may never shadow them. The names of
# every registered view are added to them when the application is configured (``includeme``).
RESERVED = frozenset({"static", "tinymce", "tinymce-langs", "deform_static", "login", "logout",
                      "search", "search-suggest", "rss.xml", "sitemap.xml", "robots.txt", "en",
                      "vi"})


def reserved_names():
    """The names no child may take: the fixed ones and every view's name.

    A child called like a view would answer at ``/folder/<name>`` instead of the view (the
    search box asks ``/search-suggest``), so each view name stays the view's everywhere.
    """
    return getattr(get_current_registry(), "portal_reserved_names", RESERVED)


def _reserve_view_names(registry):
    views = registry.introspector.get_category("views") or ()
    registry.portal_reserved_names = RESERVED | frozenset(
        entry["introspectable"]["name"] for entry in views if entry["introspectable"]["name"])


def includeme(config):
    """Reserve the name of every view, once all views are registered (the last action)."""
    config.action(None, lambda: _reserve_view_names(config.registry), order=sys.maxsize)


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
    if base in reserved_names():
        base = f"{base}-1"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
