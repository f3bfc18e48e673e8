"""Content types, ids and the type registry (``config.add_content_type``)."""
from .types import File, Folder, Image, Link, NewsItem, Page, Site  # noqa: F401

# What each type may hold; the management forms and the profiles obey it.
DEFAULT_TYPES = {
    "Folder": (Folder, ("Folder", "Page", "NewsItem", "Link", "File", "Image")),
    "Page": (Page, ()),
    "NewsItem": (NewsItem, ()),
    "Link": (Link, ()),
    "File": (File, ()),
    "Image": (Image, ()),
}


def add_content_type(config, name, factory, addable=()):
    """Directive: register a content type ``name`` made by ``factory``."""
    def register():
        config.registry.content_types[name] = (factory, tuple(addable))
    config.action(("portal.content_type", name), register)


def includeme(config):
    config.registry.content_types = {}
    config.add_directive("add_content_type", add_content_type)
    for name, (factory, addable) in DEFAULT_TYPES.items():
        config.add_content_type(name, factory, addable)
    config.include(".schedule")
    config.include(".ids")
