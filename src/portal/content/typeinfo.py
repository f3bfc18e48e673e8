"""Content types declared once: ``config.add_content_type(name, factory, title, ...)``.

A ``TypeInfo`` carries everything the rest of the portal asks about a type, so that no other
module lists type names: its label in the interface, what it may hold, the workflow it follows
where no folder's policy says otherwise, and whether it is searched, fed (RSS feeds and the
news blocks), in the sitemap, and published along with the page that shows it. Views, feeds,
search, the forms, the profiles and the workflow policy read ``registry.content_types``.
"""
from dataclasses import dataclass

from pyramid.threadlocal import get_current_registry


@dataclass(frozen=True)
class TypeInfo:
    """What the portal knows of one content type."""

    name: str
    factory: type
    title: str  # a TranslationString: the type's name in the interface
    addable: tuple = ()  # the types it may hold
    workflow: str | None = "one_state"  # where no folder's policy names one
    searched: bool = False  # offered by the search page and its type filter
    fed: bool = False  # in RSS feeds and the home page's news blocks
    featured: bool = False  # may lead the home page (its ``featured`` flag, else the newest)
    menu_link: bool = False  # an address elsewhere, shown in the menus and footer links
    in_sitemap: bool = False
    follows_page: bool = False  # published with the page or article whose text uses it


def add_content_type(config, name, factory, title, **options):
    """Directive: declare the content type ``name`` (see ``TypeInfo`` for ``options``)."""
    info = TypeInfo(name, factory, title, **dict(options, addable=tuple(
        options.get("addable", ()))))

    def register():
        config.registry.content_types[name] = info

    config.action(("portal.content_type", name), register)


def content_types(registry=None):
    """name → TypeInfo of the registry (the current one when None)."""
    registry = registry if registry is not None else get_current_registry()
    return getattr(registry, "content_types", {})


def type_info(name, registry=None):
    """The TypeInfo of ``name``, or None when no such type is declared."""
    return content_types(registry).get(name)


def types_where(flag, registry=None):
    """The names of the declared types whose ``flag`` (``searched``, ``fed``...) is true, in
    the order they were declared."""
    return tuple(name for name, info in content_types(registry).items()
                 if getattr(info, flag))
