"""The content types: persistent classes, each with the colander schema of its fields."""
from BTrees.Length import Length
from BTrees.OOBTree import OOTreeSet
from persistent.mapping import PersistentMapping

from .base import Container, Content
from .schemas import FileSchema, FolderSchema, ImageSchema, LinkSchema, NewsItemSchema, PageSchema


class Folder(Container):
    """A section of the site: holds pages, news, files, links and subsections."""

    type_name = "Folder"
    schema = FolderSchema
    in_menu = True
    default_page = None


class Site(Folder):
    """The root of the portal: site settings, the profile log and a change counter."""

    type_name = "Site"
    __name__ = ""

    def __init__(self, title="", description="", **fields):
        super().__init__(title, description, **fields)
        self.settings = PersistentMapping()
        self.profile_log = OOTreeSet()
        # Bumped on every content change; caches of derived data (menus, home blocks) key on
        # it. A Length resolves concurrent increments instead of raising ConflictError.
        self.changes = Length(0)


class Page(Content):
    """A static page: title, summary and rich-text body."""

    type_name = "Page"
    schema = PageSchema
    body = ""
    image = None
    image_caption = ""


class NewsItem(Content):
    """An article: lead, body, lead image, byline, source and tags."""

    type_name = "NewsItem"
    schema = NewsItemSchema
    body = ""
    author = ""
    source = ""
    tags = ()
    image = None
    image_caption = ""
    featured = False


class Link(Content):
    """A link to another site or to a path of this one."""

    type_name = "Link"
    schema = LinkSchema
    url = ""
    in_menu = True

    @property
    def is_external(self):
        """True when the link leaves the site."""
        return not self.url.startswith("/")


class File(Content):
    """A downloadable file (documents are files until the document type arrives)."""

    type_name = "File"
    schema = FileSchema
    file = None


class Image(Content):
    """A picture with its scales."""

    type_name = "Image"
    schema = ImageSchema
    image = None
    image_required = True  # the picture is the item: the add form asks for it
