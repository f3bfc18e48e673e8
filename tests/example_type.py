"""A content type added in one module, as docs/content-types.md shows: the class, its schema
and its declaration (tests/test_content_types.py includes it into the application)."""
from pyramid.i18n import TranslationStringFactory
from pyramid.view import view_config

from portal.content.base import Content
from portal.content.schemas import DatedSchema

_ = TranslationStringFactory("portal")


class Event(Content):
    """An event of the provincial Party Committee's calendar."""

    type_name = "Event"
    schema = DatedSchema
    # What templates/page.pt shows besides the title and summary.
    body = ""
    image = None


@view_config(context=Event, permission="view", renderer="portal:templates/page.pt")
def event_view(context, request):
    """The event, shown as a page."""
    return {"heading": context.title, "page": context}


def includeme(config):
    config.add_content_type("Event", Event, _("Event"), addable_in=("Folder",),
                            workflow="two_level_publication", searched=True, fed=True,
                            in_sitemap=True)
    config.scan(__name__)
