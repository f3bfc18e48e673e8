"""Colander schemas of the content types; they drive the deform add and edit forms."""
import colander
from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("portal")

TITLE_MAX = 300


class BaseSchema(colander.Schema):
    """Fields every item has."""

    title = colander.SchemaNode(colander.String(), title=_("Title"),
                                validator=colander.Length(min=1, max=TITLE_MAX))
    description = colander.SchemaNode(colander.String(), title=_("Summary"), missing="",
                                      validator=colander.Length(max=2000))


class DatedSchema(BaseSchema):
    """Items with a publication date chosen by the editor."""

    effective = colander.SchemaNode(colander.DateTime(), title=_("Publication date"),
                                    missing=None)
    expires = colander.SchemaNode(colander.DateTime(), title=_("Expiry date"), missing=None)


class FolderSchema(BaseSchema):
    order = colander.SchemaNode(
        colander.String(), title=_("Order of items"), missing="manual",
        validator=colander.OneOf(["manual", "date"]))
    in_menu = colander.SchemaNode(colander.Boolean(), title=_("Show in the main menu"),
                                  missing=True)


class PageSchema(DatedSchema):
    body = colander.SchemaNode(colander.String(), title=_("Body"), missing="")


class NewsItemSchema(DatedSchema):
    body = colander.SchemaNode(colander.String(), title=_("Body"), missing="")
    author = colander.SchemaNode(colander.String(), title=_("Author"), missing="",
                                 validator=colander.Length(max=200))
    source = colander.SchemaNode(colander.String(), title=_("Source"), missing="",
                                 validator=colander.Length(max=300))
    tags = colander.SchemaNode(colander.List(), title=_("Tags"), missing=())
    featured = colander.SchemaNode(colander.Boolean(), title=_("Featured on the home page"),
                                   missing=False)


class LinkSchema(BaseSchema):
    url = colander.SchemaNode(
        colander.String(), title=_("Address"),
        validator=colander.Regex(r"^(https?://[^\s]+|/[^\s]*)$",
                                 msg=_("Give an address starting with https:// or /")))


class FileSchema(DatedSchema):
    pass


class ImageSchema(BaseSchema):
    pass
