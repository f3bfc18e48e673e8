"""Revisions of content items: every save keeps a snapshot of the item's editable fields.

Storage, on the item itself: ``obj._revisions`` is an ``IOBTree`` mapping the revision number
(1, 2, 3 …) to a small plain dict::

    {"actor": login, "time": aware UTC datetime, "note": str, "kind": KIND,
     "reverted": number or None, "changed": (field names), "fields": PersistentMapping}

The bucket entries hold only this metadata; the field values (the body may be long) live in
their own ``PersistentMapping`` record per revision, so writing revision 300 rewrites one
bucket of small dicts plus one new record, and the history page reads the metadata without
loading any body. Blob holders (``FileData``/``ImageData``) are kept by reference, never
copied: they are never changed after an upload, a new upload makes a new one.

What is recorded: the fields of the type's colander schema plus the attributes in
``EXTRA_FIELDS`` the item has (body, lead, tags, image, image caption, file, caption,
publication and expiry dates). Folders record the same way (title, summary, order, menu
flag, dates); their children are not part of them. A save that changes no field records a
revision only when it carries a note (see ``record_revision``).

``record_revision`` is the one way in; the ObjectAdded and ObjectModified subscribers call it
(the event's ``note`` becomes the revision's note). ``restore_revision`` puts a revision's
fields back and records a new revision of kind "reverted".
"""
import difflib
import re
from html.parser import HTMLParser

from BTrees.IOBTree import IOBTree
from persistent.mapping import PersistentMapping
from pyramid.threadlocal import get_current_request

from .content.blobs import FileData
from .content.events import ObjectAdded, ObjectModified
from .sanitize import clean_html

EXTRA_FIELDS = ("body", "lead", "tags", "image", "image_caption", "file", "caption",
                "effective", "expires")
MAX_NOTE = 500
# The kinds of revision: made when the item was added, by a save, by a revert, the state
# found before the first recorded change of an item older than revisions, or an approved
# working copy replacing the published text.
KINDS = ("created", "edited", "reverted", "baseline", "working-copy")


# recording ------------------------------------------------------------------------------------

def editable_fields(obj):
    """The names of ``obj``'s fields a revision keeps, in the order of its form."""
    schema = getattr(type(obj), "schema", None)
    names = [node.name for node in schema().children] if schema is not None \
        else ["title", "description"]
    names += [name for name in EXTRA_FIELDS if name not in names and hasattr(obj, name)]
    return names


def snapshot(obj):
    """``obj``'s editable fields as plain values (blob holders by reference)."""
    values = {}
    for name in editable_fields(obj):
        value = getattr(obj, name, None)
        if isinstance(value, list):
            value = tuple(value)
        values[name] = value
    return values


def _same(old, new):
    if isinstance(old, FileData) or isinstance(new, FileData):
        return old is new
    return old == new


def _registry(request_or_registry):
    return getattr(request_or_registry, "registry", request_or_registry)


def _actor():
    request = get_current_request()
    return (request.authenticated_userid or "") if request is not None else ""


def revision_tree(obj):
    """``obj``'s revisions (an IOBTree, possibly empty; not stored until written to)."""
    tree = getattr(obj, "_revisions", None)
    return tree if tree is not None else IOBTree()


def revision_count(obj):
    """How many revisions ``obj`` has (the newest one's number)."""
    tree = getattr(obj, "_revisions", None)
    return tree.maxKey() if tree else 0


def record_revision(request_or_registry, obj, actor=None, note="", kind="edited",
                    reverted=None, when=None):
    """Keep a revision of ``obj``'s current fields; returns its number, or None if skipped.

    ``actor`` is a login (default: the signed-in user of the current request, else "" for
    the system); ``when`` defaults to ``registry.portal_clock.now()``. A save that changed
    no field since the newest revision is skipped unless it has a ``note`` or is a revert.
    """
    registry = _registry(request_or_registry)
    fields = snapshot(obj)
    note = (note or "").strip()[:MAX_NOTE]
    tree = getattr(obj, "_revisions", None)
    if tree is None:
        tree = obj._revisions = IOBTree()
    if tree:
        last = tree[tree.maxKey()]["fields"]
        changed = tuple(name for name in fields if name not in last
                        or not _same(last[name], fields[name]))
        if not changed and not note and reverted is None:
            return None
        number = tree.maxKey() + 1
    else:
        changed, number = (), 1
    tree[number] = {
        "actor": _actor() if actor is None else actor,
        "time": when or registry.portal_clock.now(),
        "note": note, "kind": kind if kind in KINDS else "edited",
        "reverted": reverted, "changed": changed,
        "fields": PersistentMapping(fields),
    }
    return number


def record_baseline(request_or_registry, obj):
    """Before the first recorded change of an item that has no revisions (made before
    revisions existed, or by a profile): keep its current state as revision 1, attributed to
    its creator at its last modification. Returns the number, or None if it has revisions."""
    if revision_count(obj):
        return None
    return record_revision(request_or_registry, obj, actor=obj.creator or "", kind="baseline",
                           when=obj.modified or obj.created)


def get_revision(obj, number):
    """The revision ``number`` of ``obj`` (its metadata dict); KeyError when there is none."""
    tree = getattr(obj, "_revisions", None)
    if not isinstance(number, int) or tree is None or number not in tree:
        raise KeyError(number)
    return tree[number]


def parse_number(value):
    """A revision number from a request parameter, or None for anything else."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        return None
    return int(value)


def apply_fields(obj, fields):
    """Set ``fields`` (as ``snapshot`` gives them) on ``obj``, keeping its folder's date order;
    the body passes the sanitiser again."""
    current = set(editable_fields(obj))
    for name, value in fields.items():
        if name not in current:
            continue
        if name == "effective":
            if value is not None and value != obj.effective:
                obj.set_effective(value)
        elif name == "order":
            if obj.is_container and value in ("manual", "date") and value != obj.order:
                obj.set_order(value)
        elif name == "body":
            obj.body = clean_html(value or "")
        else:
            setattr(obj, name, value)


def restore_revision(request, obj, number, actor=None, target=None):
    """Put revision ``number``'s fields of ``obj`` back on ``target`` (default ``obj``; a
    published item's working copy), record a new revision of kind "reverted" (note "Reverted
    to revision N", shown translated) there, and fire ObjectModified. Returns the new
    revision's number; KeyError when there is no such revision."""
    fields = get_revision(obj, number)["fields"]
    target = obj if target is None else target
    apply_fields(target, fields)
    registry = _registry(request)
    target.modified = registry.portal_clock.now()
    new = record_revision(request, target, actor=actor, kind="reverted", reverted=number)
    registry.notify(ObjectModified(target, target.__parent__, target.__name__))
    return new


def revisions(obj, newest_first=True):
    """(number, metadata) pairs of ``obj``'s revisions (the field values are not loaded)."""
    tree = getattr(obj, "_revisions", None)
    if not tree:
        return []
    items = list(tree.items())
    return items[::-1] if newest_first else items


def workflow_transitions(obj):
    """The workflow engine's record on ``obj`` (``workflow_history``), as a tuple of dicts."""
    return tuple(entry for entry in getattr(obj, "workflow_history", None) or ()
                 if isinstance(entry, dict))


# diffs ----------------------------------------------------------------------------------------

_BLOCKS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
           "figure", "figcaption", "table", "ul", "ol", "hr", "caption"}
_SPACES = re.compile(r"[ \t\r\f\v]+")
_NEWLINES = re.compile(r"\s*\n\s*")
_TOKENS = re.compile(r"\s+|[^\s]+")
# Unchanged stretches longer than this (in words and spaces) are shortened to their ends.
CONTEXT = 24


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f"[{alt}]")

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_text(markup):
    """The text of an HTML body, one line per block, tags dropped (for reading diffs)."""
    parser = _Text()
    parser.feed(markup or "")
    parser.close()
    text = _SPACES.sub(" ", "".join(parser.parts))
    return _NEWLINES.sub("\n", text).strip()


def word_diff(old, new):
    """Word-level differences of two texts: a list of (kind, text), kind one of "same",
    "added", "removed", "skipped" (a long unchanged stretch shortened to its ends)."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    parts = []
    opcodes = _joined(difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes(), a)
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            parts.extend(_shorten(a[i1:i2], first=index == 0, last=index == len(opcodes) - 1))
            continue
        if i2 > i1:
            parts.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(("added", "".join(b[j1:j2])))
    return parts


def _joined(opcodes, a):
    """The opcodes with a lone space between two changes taken into them, so that "đầu tiên"
    replaced by "thứ hai" reads as one change, not two."""
    joined = []
    for op in opcodes:
        tag, _i1, i2, _j1, j2 = op
        if tag != "equal" and len(joined) >= 2 and joined[-2][0] != "equal" \
                and joined[-1][0] == "equal" and "".join(a[joined[-1][1]:joined[-1][2]]).isspace():
            joined.pop()
            previous = joined.pop()
            op = ("replace", previous[1], i2, previous[3], j2)
        joined.append(op)
    return joined


def _shorten(tokens, first, last):
    keep = CONTEXT // 2
    if len(tokens) <= CONTEXT + 1:
        return [("same", "".join(tokens))]
    head = [] if first else tokens[:keep]
    tail = [] if last else tokens[-keep:]
    parts = [("same", "".join(head))] if head else []
    parts.append(("skipped", "…"))
    if tail:
        parts.append(("same", "".join(tail)))
    return parts


def includeme(config):
    registry = config.registry

    def added(event):
        obj = event.object
        now = registry.portal_clock.now()
        if obj.created is not None and obj.created < now:
            # Moved or renamed, not new: only an item without revisions gains its baseline.
            record_baseline(registry, obj)
        else:
            record_revision(registry, obj, kind="created")

    def modified(event):
        record_revision(registry, event.object, note=getattr(event, "note", ""))

    config.add_subscriber(added, ObjectAdded)
    config.add_subscriber(modified, ObjectModified)
