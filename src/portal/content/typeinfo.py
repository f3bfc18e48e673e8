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
    addable_in: tuple = ()  # the containers that may hold it, besides their own ``addable``
    workflow: str | None = "one_state"  # where no folder's policy names one
    searched: bool = False  # offered by the search page and its type filter
    fed: bool = False  # in RSS feeds and the home page's news blocks
    featured: bool = False  # may lead the home page (its ``featured`` flag, else the newest)
    menu_link: bool = False  # an address elsewhere, shown in the menus and footer links
    in_sitemap: bool = False
    follows_page: bool = False  # published with the page or article whose text uses it


def add_content_type(config, name, factory, title, **options):
    """Directive: declare the content type ``name`` (see ``TypeInfo`` for ``options``)."""
    info = TypeInfo(name, factory, title, **dict(
        options, addable=tuple(options.get("addable", ())),
        addable_in=tuple(options.get("addable_in", ()))))

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


def addable_in(container_type, registry=None):
    """The names of the types a container of ``container_type`` may hold: those its
    declaration names, then those declared ``addable_in`` it."""
    types = content_types(registry)
    info = types.get(container_type)
    names = list(info.addable) if info is not None else []
    names += [name for name, other in types.items()
              if container_type in other.addable_in and name not in names]
    return [name for name in names if name in types]


def types_where(flag, registry=None):
    """The names of the declared types whose ``flag`` (``searched``, ``fed``...) is true, in
    the order they were declared."""
    return tuple(name for name, info in content_types(registry).items()
                 if getattr(info, flag))
