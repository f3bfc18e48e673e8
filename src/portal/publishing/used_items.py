"""Images and files published with the page or article that shows them.

An image uploaded for an article starts private, as the article does (``Image`` follows
``simple_publication``), so nobody sees it before the article is out, and its author sends
nothing through a separate approval: when a page or article reaches a final state that the
public may view, the images and files its text shows or links to (``src`` and ``href`` naming
a path of this site) that are not public yet go the same way, moved by the same person with a
transition of their own workflow that this person may make now and that leads to a final
state opening the item to no one the page is not open to. An image of another agency that the
publisher may not publish, or a document still waiting for its agency's approval, stays as it
is. Each such step is an ordinary transition: audited, in the item's history with the page's
path as its comment, reindexed. An item published with a page dated in the future takes the
page's date, so it is never public before the page is.
"""
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from pyramid.threadlocal import get_current_request

from ..content.base import find_site, path_of
from ..content.typeinfo import type_info
from ..security.policy import PUBLIC_ROLES
from ..security.roles import VIEW
from .policy import fire, transitions_for, workflow_for
from .working_copy import original_of


class _References(HTMLParser):
    """The ``src`` and ``href`` values of a piece of HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.extend(value for name, value in attrs if name in ("src", "href") and value)


def references(html):
    """The ``src`` and ``href`` values of ``html``, in order."""
    parser = _References()
    parser.feed(html or "")
    parser.close()
    return parser.found


def referenced_objects(site, html, hosts):
    """The objects of ``site`` that ``html`` shows or links to by a site path (or a full URL
    whose host is one of ``hosts``), each once; views after ``@@`` are left out."""
    found = {}
    for value in references(html):
        parts = urlsplit(value.strip())
        if parts.scheme or parts.netloc:
            if parts.scheme not in ("http", "https") or parts.netloc not in hosts:
                continue
        elif not parts.path.startswith("/"):
            continue
        node = site
        for name in unquote(parts.path).split("/"):
            if not name:
                continue
            if name.startswith("@@"):
                break
            node = node.get(name) if node.is_container else None
            if node is None:
                break
        if node is not None and node is not site:
            found[id(node)] = node
    return list(found.values())


def _public_roles(obj):
    return PUBLIC_ROLES.intersection((getattr(obj, "_permission_map", None) or {}).get(VIEW, ()))


def _follow_transition(request, obj, opened_to):
    """The transition the current user may make on ``obj`` that takes it to a final state
    open to no public role beyond ``opened_to``, or None."""
    wf = workflow_for(request.registry, obj)
    for transition in transitions_for(request, obj):
        state = wf.states[transition.destination]
        if state.final and not transition.comment_required and \
                PUBLIC_ROLES.intersection(state.permissions.get(VIEW, ())) <= opened_to:
            return transition
    return None


def publish_used_items(event):
    """Subscriber of ``AfterTransition``: move the images and files a page now public shows
    along with it (see the module's docstring)."""
    request = get_current_request()
    page = event.object
    body = getattr(page, "body", "")
    if request is None or not body or not event.workflow.states[event.destination].final:
        return
    opened_to = _public_roles(page)
    if not opened_to:
        return
    site = find_site(page)
    settings = request.registry.settings
    hosts = {request.host, urlsplit(settings.get("portal.public_url", "")).netloc} - {""}
    where = "/" + path_of(original_of(page))
    for obj in referenced_objects(site, body, hosts):
        info = type_info(obj.type_name, request.registry)
        # Never another page or article, which has an approval of its own.
        if info is None or not info.follows_page or _public_roles(obj) >= opened_to:
            continue
        transition = _follow_transition(request, obj, opened_to)
        if transition is None:
            continue
        if page.effective is not None and page.effective > request.registry.portal_clock.now() \
                and (obj.effective is None or obj.effective < page.effective):
            obj.set_effective(page.effective)
        fire(request, obj, transition.id, comment=where)
