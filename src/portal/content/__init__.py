"""Content types, ids and the type registry (``config.add_content_type``, ``typeinfo.py``)."""
from pyramid.i18n import TranslationStringFactory

from .typeinfo import add_content_type
from .types import File, Folder, Image, Link, NewsItem, Page, Site

_ = TranslationStringFactory("portal")

CONTAINED = ("Folder", "Page", "NewsItem", "Link", "File", "Image")


def declare_types(config):
    """The portal's own types. Another package declares its types the same way."""
    config.add_content_type("Site", Site, _("Site"), addable=CONTAINED, workflow=None)
    config.add_content_type("Folder", Folder, _("Folder"), addable=CONTAINED,
                            in_sitemap=True)
    config.add_content_type("Page", Page, _("Page"), workflow="simple_publication",
                            searched=True, in_sitemap=True)
    config.add_content_type("NewsItem", NewsItem, _("News item"),
                            workflow="two_level_publication", searched=True, fed=True,
                            featured=True, in_sitemap=True)
    config.add_content_type("Link", Link, _("Link"), menu_link=True)
    config.add_content_type("File", File, _("File"), workflow="two_level_publication",
                            searched=True, fed=True, in_sitemap=True, follows_page=True)
    config.add_content_type("Image", Image, _("Image"), workflow="simple_publication",
                            follows_page=True)


def includeme(config):
    config.registry.content_types = {}
    config.add_directive("add_content_type", add_content_type)
    declare_types(config)
    config.include(".schedule")
    config.include(".ids")
