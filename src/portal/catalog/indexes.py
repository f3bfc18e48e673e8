"""The catalog's indexes and what each one reads from an object (its discriminator).

Discriminators are module-level functions (the catalog is persistent: no lambdas) taking the
object and a default, returned when the object has nothing to index there. Dates are indexed
as integer seconds since 1970 (UTC) so that ranges and sorting are cheap.
"""
from pyramid.threadlocal import get_current_registry
from repoze.catalog.catalog import Catalog
from repoze.catalog.indexes.field import CatalogFieldIndex
from repoze.catalog.indexes.keyword import CatalogKeywordIndex

from ..content.base import EPOCH, find_site, path_of
from ..i18n import portal_zone
from ..revisions import html_text
from ..security.localroles import grants_below
from ..security.policy import effective_map
from ..security.roles import VIEW
from .vietnamese import make_text_index

# The dates of an item that never expires, for range queries on ``expires``.
NEVER = 2 ** 40


def seconds(when):
    """A timezone-aware datetime as integer seconds since 1970."""
    return int((when - EPOCH).total_seconds())


def allowed_viewers(obj, site=None):
    """The principals and role tokens that may view ``obj``: ``role:<Role>`` for each role the
    permission map grants view (global holders and Anonymous/Authenticated), the creator's
    ``user:`` id when Owner may view, and every user or group given such a role locally on it
    or above (inheritance blocks respected)."""
    site = site or find_site(obj)
    roles = set(effective_map(obj, site).get(VIEW, ()))
    tokens = {f"role:{role}" for role in roles if role != "Owner"}
    if "Owner" in roles and obj.creator:
        tokens.add(f"user:{obj.creator}")
    for _node, principal, granted in grants_below(obj):
        if roles.intersection(granted):
            tokens.add(principal)
    return sorted(tokens)


def _allowed(obj, default):
    return allowed_viewers(obj)


def _path(obj, default):
    return path_of(obj)


def _parents(obj, default):
    """Every folder path above ``obj`` ('' for the site): "everything below this section"."""
    parts = path_of(obj).split("/")[:-1]
    return [""] + ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]


def _parent(obj, default):
    """The path of the folder holding ``obj`` ('' for the site): a section's own listing."""
    return path_of(obj.__parent__)


def _is_container(obj, default):
    """1 for folders (sections), 0 for the items that listings show."""
    return int(bool(obj.is_container))


def _section(obj, default):
    """The top-level section the object is in ('' for top-level objects themselves)."""
    path = path_of(obj)
    return path.split("/", 1)[0] if "/" in path else default


def _type(obj, default):
    return obj.type_name or default


def _state(obj, default):
    return getattr(obj, "workflow_state", None) or default


def _effective(obj, default):
    # An undated object counts as published since 1970, so date filters never lose it.
    when = obj.effective or obj.created
    return seconds(when) if when is not None else 0


def _year(obj, default):
    """The publication year in the portal's time zone, as pages show dates (the search
    page's year facet counts it for tens of thousands of results in one pass)."""
    when = obj.effective or obj.created
    if when is None:
        return default
    return when.astimezone(portal_zone(get_current_registry())).year


def _expires(obj, default):
    return seconds(obj.expires) if obj.expires is not None else NEVER


def _created(obj, default):
    return seconds(obj.created) if obj.created is not None else default


def _modified(obj, default):
    return seconds(obj.modified) if obj.modified is not None else default


def _tags(obj, default):
    tags = getattr(obj, "tags", None)
    return list(tags) if tags else default


def _issuing_body(obj, default):
    return getattr(obj, "issuing_body", None) or default


def _document_kind(obj, default):
    return getattr(obj, "document_kind", None) or default


def _creator(obj, default):
    return obj.creator or default


FIELDS = {
    "path": _path, "parent": _parent, "is_container": _is_container, "section": _section,
    "type": _type, "state": _state, "effective": _effective, "year": _year, "expires": _expires, "created": _created,
    "modified": _modified, "creator": _creator,
    "issuing_body": _issuing_body, "document_kind": _document_kind,
}
KEYWORDS = {"parents": _parents, "tags": _tags, "allowed": _allowed}
TEXT = "text"


def searchable_text(obj, default):
    """What the full-text index reads: title, summary, body as text, tags, byline, source."""
    parts = [obj.title, obj.description, html_text(getattr(obj, "body", "") or "")]
    parts += list(getattr(obj, "tags", ()) or ())
    parts += [getattr(obj, "author", "") or "", getattr(obj, "source", "") or ""]
    text = " ".join(part for part in parts if part)
    return text or default


def make_catalog():
    """A new catalog with every index of the portal."""
    catalog = Catalog()
    for name, discriminator in FIELDS.items():
        catalog[name] = CatalogFieldIndex(discriminator)
    for name, discriminator in KEYWORDS.items():
        catalog[name] = CatalogKeywordIndex(discriminator)
    catalog[TEXT] = make_text_index(searchable_text)
    return catalog


def index_names():
    """The names of the indexes a current catalog has."""
    return set(FIELDS) | set(KEYWORDS) | {TEXT}
