"""Cut, copy and paste.

The clipboard is a signed cookie (``portal.secret``), never the database: cutting or copying
writes nothing, and what the cookie names is checked again when it is pasted (the item must
still exist, the user must still be allowed to take it, and the folder must accept its type).
Cut and paste moves the same object (removed, then added: the events fire and the date order
follows); copy and paste adds a deep copy made by ``clone``. The views that cut, copy and paste
are the contents table's (``contents.py``).

Nobody copies or moves what they may not view (S8): a copy leaves out the items inside that
the copier may not view and says how many (as a file manager leaves out unreadable files), so
the copier never becomes the Owner of a draft they could not open; a move, which cannot leave
part of a folder behind, is refused for a folder holding such items.
"""
import copy
import shutil
from datetime import date, datetime

from pyramid.location import lineage
from pyramid.settings import asbool
from webob.cookies import SignedCookieProfile
from ZODB.blob import Blob

from ...content.blobs import FileData
from ...content.events import ObjectAdded
from ...i18n import _
from ...navigation import path_of
from ...security.audit import audit
from ...security.roles import VIEW
from .edit import addable_types, may_delete, type_label

COOKIE = "portal_clipboard"
MAX_ITEMS = 100
# What a copy does not take from its original: the container's own bookkeeping (rebuilt as the
# children are added), its place, and local role grants (a copy gets the grants of the place it
# is pasted into). Everything else is copied, restrictions included (a blocked inheritance, a
# private permission map), so a copy is never more open than its original. A copy starts its
# workflow afresh, in the initial state of the place it is pasted into (never published).
NOT_COPIED = frozenset({"__name__", "__parent__", "_children", "_count", "_manual", "_by_date",
                        "_containers", "_date_key", "_local_roles", "_revisions",
                        "workflow_id", "workflow_state", "workflow_history", "working_copy"})
# Values kept as they are (immutable); anything else is deep-copied.
_IMMUTABLE = (str, bytes, int, float, bool, type(None), datetime, date, frozenset)


def _profile(request):
    settings = request.registry.settings
    return SignedCookieProfile(
        settings["portal.secret"], "portal.clipboard", COOKIE,
        secure=asbool(settings.get("portal.secure_cookies", False)), httponly=True,
        samesite="Lax", path="/").bind(request)


def read_clipboard(request):
    """``{"op": "cut"|"copy", "paths": [...]}`` of the signed-in user, or None."""
    try:
        value = _profile(request).get_value()
    except (ValueError, TypeError):
        return None
    if not isinstance(value, dict) or value.get("u") != request.authenticated_userid:
        return None
    paths = value.get("paths")
    if value.get("op") not in ("cut", "copy") or not isinstance(paths, list) or not paths:
        return None
    return {"op": value["op"], "paths": [p for p in paths if isinstance(p, str)][:MAX_ITEMS]}


def write_clipboard(request, response, op, objects):
    """Put ``objects`` on the clipboard for ``op`` (``None`` empties it)."""
    profile = _profile(request)
    if op is None or not objects:
        response.headerlist.extend(profile.get_headers(None))
        return
    value = {"u": request.authenticated_userid, "op": op,
             "paths": [path_of(obj) for obj in objects[:MAX_ITEMS]]}
    response.headerlist.extend(profile.get_headers(value))


def find_path(root, path):
    """The object at the site path ``path``, or None."""
    node = root
    for name in path.split("/"):
        if not name:
            continue
        if not getattr(node, "is_container", False):
            return None
        node = node.get(name)
        if node is None:
            return None
    return node


def free_name(folder, name):
    """``name``, or ``name-2``, ``name-3``... whichever ``folder`` does not hold yet."""
    candidate, n = name, 1
    while candidate in folder:
        n += 1
        candidate = f"{name}-{n}"
    return candidate


# copies ---------------------------------------------------------------------------------------

def copy_file(data):
    """A new FileData/ImageData (scales included) with copies of the blobs."""
    data._p_activate()
    new = type(data).__new__(type(data))
    for key, value in data.__dict__.items():
        if key == "blob":
            continue
        if key == "scales":
            value = {name: copy_file(scale) for name, scale in value.items()}
        setattr(new, key, value)
    new.blob = Blob()
    with data.blob.open("r") as source, new.blob.open("w") as target:
        shutil.copyfileobj(source, target)
    return new


def copy_value(value):
    if isinstance(value, FileData):
        return copy_file(value)
    if isinstance(value, _IMMUTABLE):
        return value
    if isinstance(value, tuple) and all(isinstance(item, _IMMUTABLE) for item in value):
        return value
    return copy.deepcopy(value)


def clone(obj, now, creator, keep=None):
    """A deep copy of ``obj`` not yet in the tree: same class and fields, new blobs, children
    copied alike (see ``NOT_COPIED`` for what stays behind). Only the children for which
    ``keep(child)`` is true come along (all when ``keep`` is None)."""
    obj._p_activate()
    new = type(obj)()
    for key, value in obj.__dict__.items():
        if key not in NOT_COPIED and not key.startswith("_v_"):
            setattr(new, key, copy_value(value))
    new.creator = creator
    new.created = new.modified = now
    if obj.is_container:
        for name, child in obj.items():
            if keep is None or keep(child):
                new.add(name, clone(child, now, creator, keep), send_events=False)
    return new


def hidden_inside(request, obj):
    """The topmost objects below ``obj`` that the visitor may not view (what they hold goes
    with them, seen or not)."""
    found = []
    if obj.is_container:
        for child in obj.values():
            if request.has_permission(VIEW, child):
                found.extend(hidden_inside(request, child))
            else:
                found.append(child)
    return found


def _descendants(obj):
    if obj.is_container:
        for name, child in obj.items():
            yield obj, name, child
            yield from _descendants(child)


def holds_hidden(title):
    """The refusal to move (or cut) a folder holding items the mover may not view."""
    return _("“${title}” holds items you may not view, so you may not move it. Copy it "
             "instead, or ask an editor who may see everything in it.", mapping={"title": title})


# pasting ----------------------------------------------------------------------------------------

def paste(request, folder, clip):
    """Paste the clipboard into ``folder``; returns (how many pasted, problem messages)."""
    allowed = addable_types(request, folder)
    now = request.registry.portal_clock.now()
    done, problems = 0, []
    for path in clip["paths"]:
        obj = find_path(request.root, path)
        if obj is None or obj.__parent__ is None:
            problems.append(_("“${path}” no longer exists.", mapping={"path": "/" + path}))
            continue
        mapping = {"title": obj.title,
                   "type": request.localizer.translate(type_label(obj.type_name))}
        if obj.type_name not in allowed:
            problems.append(_("“${title}”: this folder cannot hold an item of type ${type}.",
                              mapping=mapping))
            continue
        if any(node is obj for node in lineage(folder)):
            problems.append(_("“${title}” cannot be put inside itself.", mapping=mapping))
            continue
        if not request.has_permission(VIEW, obj):
            problems.append(_("You may not copy or move “${title}”.", mapping=mapping))
            continue
        hidden = hidden_inside(request, obj)
        if clip["op"] == "cut":
            if not may_delete(request, obj):
                problems.append(_("You may not move “${title}”.", mapping=mapping))
                continue
            if hidden:
                problems.append(holds_hidden(obj.title))
                continue
            if obj.__parent__ is not folder:
                old_path, source = path_of(obj), obj.__parent__
                source.remove(obj.__name__)
                folder.add(free_name(folder, obj.__name__), obj)
                audit(request, "moved", target="/" + path_of(obj), details=f"from /{old_path}")
        else:
            left_out = {id(child) for child in hidden}
            new = folder.add(free_name(folder, obj.__name__),
                             clone(obj, now, request.authenticated_userid,
                                   keep=lambda child, left_out=left_out:
                                   id(child) not in left_out))
            if hidden:
                problems.append(_(
                    "“${title}” was copied without the ${count} item(s) inside it that you "
                    "may not view.", mapping={"title": obj.title, "count": len(hidden)}))
            for parent, name, child in _descendants(new):
                request.registry.notify(ObjectAdded(child, parent, name))
        done += 1
    return done, problems
