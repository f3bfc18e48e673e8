"""When the database server cannot be reached, or a save keeps colliding with another one.

A lost ZEO or PostgreSQL server must neither hang a request nor lose what an editor typed:

- ``storage_guard`` (a tween just under Pyramid's exception view tween) turns the storage's
  "unreachable" errors into ``StorageUnavailable``. That exception is not retryable, so
  pyramid_retry does not send the request through two more full waits (ZEO's
  ``ClientDisconnected`` is a ``TransientError``: three attempts of ``wait-timeout`` each).
  While a ZEO client knows it is disconnected, unsafe requests are refused at once: a write
  cannot succeed, and safe ones may still be served from the client's caches.
- ``unavailable`` answers 503 with ``Retry-After`` inside the layout, built from the last
  derived navigation data this process holds (``OfflineLayout``), never from the database.
- ``conflict`` answers a ``ConflictError`` that survived the retries with 409.
- Both keep an unsafe request's fields in a "Save again" form (``kept_fields``) posting to the
  same URL with a fresh CSRF token. Passwords, codes and other secrets are never echoed;
  chosen files cannot be carried over and are asked for again.

docs/outages.md describes what visitors and editors see.
"""
import logging

from pyramid.csrf import check_csrf_origin, check_csrf_token, get_csrf_token
from pyramid.renderers import render, render_to_response
from pyramid.response import Response
from pyramid.tweens import EXCVIEW
from pyramid_retry import is_last_attempt
from ZEO.Exceptions import ClientDisconnected
from ZODB.POSException import ConflictError

from ..i18n import _
from ..navigation import last_site_data
from .layout import Layout
from .manage.forms import field_labels

try:
    import psycopg2
except ImportError:  # only RelStorage on PostgreSQL needs it
    psycopg2 = None

log = logging.getLogger(__name__)

STORAGE_ERRORS = (ClientDisconnected,) + (
    (psycopg2.OperationalError, psycopg2.InterfaceError) if psycopg2 is not None else ())
SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
DEFAULT_RETRY_AFTER = 10
# Field names whose values are never written back into a page.
SECRET_MARKS = ("password", "code", "token", "secret", "csrf")
# Of those, the ones the person is asked to type again (the others are dropped).
RETYPED_MARKS = ("password", "code")
# deform's structural fields: kept as they were, not shown.
STRUCTURE = frozenset(("__start__", "__end__", "__formid__", "_charset_", "uid", "revision"))
COMMON_LABELS = {"login": _("User name"), "password": _("Password"), "email": _("Email"),
                 "fullname": _("Full name"), "comment": _("Comment")}
EMPTY_DATA = {"menu": [], "link_groups": [], "settings": {}, "nonempty": frozenset()}


class StorageUnavailable(Exception):
    """The database server could not be reached; never retried."""


def is_storage_error(exc):
    """True when ``exc``, or an exception it was raised from, says the storage is
    unreachable."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, STORAGE_ERRORS + (StorageUnavailable,)):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def known_disconnected(registry):
    """True when the storage itself reports that it has lost its server (a ZEO client)."""
    db = getattr(registry, "_zodb_databases", {}).get("")
    is_connected = getattr(getattr(db, "storage", None), "is_connected", None)
    return is_connected is not None and not is_connected()


def storage_guard(handler, registry):
    """Tween factory: storage errors become ``StorageUnavailable`` (answered at once by
    ``unavailable``, never retried); unsafe requests are refused while ZEO is disconnected."""

    def tween(request):
        if request.method not in SAFE_METHODS and known_disconnected(registry):
            raise StorageUnavailable("the ZEO client is disconnected")
        try:
            return handler(request)
        except Exception as exc:
            if is_storage_error(exc) and not isinstance(exc, StorageUnavailable):
                raise StorageUnavailable(str(exc)) from exc
            raise

    return tween


def outer_guard(handler, registry):
    """Tween factory over pyramid_tm: a storage error raised before any view ran (pyramid_tm
    names the signed-in user in the transaction, which loads the site) gets the same 503."""

    def tween(request):
        try:
            return handler(request)
        except Exception as exc:
            if not is_storage_error(exc):
                raise
            return unavailable(exc, request)

    return tween


class OfflineSite:
    """Stands for the site in the layout when the site object cannot be loaded."""

    __name__ = ""
    __parent__ = None
    description = ""

    def __init__(self, title):
        self.title = title


class OfflineLayout(Layout):
    """The layout from the last derived data this process holds, touching no database.

    The menus and footer are the ones last rendered for this language (or rendered again from
    that data); without any, the header and footer show the site's name alone.
    """

    def __init__(self, request, data=None):
        self.request = request
        self.data = data or EMPTY_DATA
        self.settings = self.data.get("settings") or {}
        self.app_url = request.application_url
        self._hrefs = {}

    @property
    def site_title(self):
        return self.settings.get("title") or self.request.localizer.translate(
            _("Information portal"))

    @property
    def user(self):
        return None

    def breadcrumbs(self, context):
        return []

    def feeds(self, context):
        return []

    def toolbar_html(self, context):
        return ""

    def cached(self, template, key=(), values=None):
        """The fragment last rendered for anonymous visitors, else rendered from the data."""
        fragments = self.data.get("fragments") or {}
        html = fragments.get((template, key, self.lang, self.app_url))
        if html is None:
            html = render(f"portal:templates/{template}.pt", values() if values else {},
                          self.request)
        return html


def retry_after(request):
    """Seconds a visitor is told to wait (``portal.retry_after``)."""
    try:
        return max(1, int(request.registry.settings.get("portal.retry_after",
                                                        DEFAULT_RETRY_AFTER)))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def _is_secret(name):
    lowered = name.lower()
    return any(mark in lowered for mark in SECRET_MARKS)


def kept_fields(request):
    """What an unsafe request posted, ready to be posted again, in the order it came.

    Each entry is a dict with ``name``, ``value``, ``label`` and ``kind``: ``hidden`` for
    deform's structure, ``text``, ``textarea``, ``checkbox``, ``file`` (a chosen file, which
    cannot be carried over: ``value`` is its name) or ``retype`` (a password or code, never
    echoed). Other secrets and the old CSRF token are left out.
    """
    translate = request.localizer.translate
    labels = {name: (translate(title), kind)
              for name, (title, kind) in field_labels(request).items()}
    fields, mapping = [], None
    for name, value in request.POST.items():
        if name == "__start__":
            mapping = value.split(":", 1)[0]
        elif name == "__end__":
            mapping = None
        if hasattr(value, "filename") or (
                mapping is not None and labels.get(mapping, ("", ""))[1] == "file"
                and name not in STRUCTURE):
            fields.append({"name": name, "value": getattr(value, "filename", "") or "",
                           "kind": "file", "label": labels.get(mapping or name, (name, ""))[0]})
            continue
        if _is_secret(name):
            if any(mark in name.lower() for mark in RETYPED_MARKS):
                label = labels.get(name, (translate(COMMON_LABELS.get(name, name)), ""))[0]
                fields.append({"name": name, "value": "", "kind": "retype", "label": label})
            continue
        label, kind = labels.get(name) or (translate(COMMON_LABELS.get(name, name)), "text")
        # A name no form field or common label explains (the button pressed, a marker of the
        # view) goes back as it came, unseen: it means nothing to the person.
        unknown = mapping is None and name not in labels and name not in COMMON_LABELS
        if name in STRUCTURE or name.startswith("_") or kind == "hidden" or unknown:
            kind = "hidden"
        elif mapping is not None:
            outer = labels.get(mapping, (mapping, ""))[0]
            label = translate(_("${field}: ${part}", mapping={"field": outer, "part": label}))
            kind = "text"
        elif kind != "checkbox" and ("\n" in value or len(value) > 80 or kind == "textarea"):
            kind = "textarea"
        elif kind != "checkbox":
            kind = "text"
        fields.append({"name": name, "value": value, "kind": kind, "label": label})
    return fields


def may_keep(request):
    """True for an unsafe request that passed the CSRF checks: only then are its fields put
    in a form with a valid token (a forged post must never become one click away)."""
    return request.method not in SAFE_METHODS and \
        check_csrf_token(request, raises=False) and check_csrf_origin(request, raises=False)


def needs_transaction(request):
    """pyramid_tm's activation hook: static files need no transaction, so no database (it
    would load the site to name the signed-in user in one)."""
    return not request.path_info.startswith("/static/")


def static_root(request):
    """The root of the static files' route: they are served without the database."""
    return OfflineSite("")


def render_page(request, status, values, online):
    """The page of ``templates/unavailable.pt`` with ``values``; inside the normal layout when
    ``online`` and it can be built, else inside the layout of the last known menus."""
    values = dict(values, kept=kept_fields(request) if may_keep(request) else [],
                  action=request.url, csrf_token=get_csrf_token(request))
    response = None
    if online:
        try:
            response = render_to_response("portal:templates/unavailable.pt",
                                          dict(values, context=request.root), request=request)
        except Exception:
            log.exception("the page of a failed save could not use the layout")
    if response is None:
        db = getattr(request.registry, "_zodb_databases", {}).get("")
        layout = OfflineLayout(request, last_site_data(db))
        request.layout = layout
        # Traversal never ran when the site could not be loaded; the layout reads its result.
        request.__dict__.setdefault("view_name", "")
        site = OfflineSite(layout.site_title)
        response = render_to_response("portal:templates/unavailable.pt",
                                      dict(values, context=site), request=request)
    response.status = status
    response.cache_control = "no-store"
    return response


def unavailable(exc, request):
    """503 inside the layout of the last known menus, with what an unsafe request typed."""
    log.warning("database unreachable while serving %s %s: %s", request.method, request.url,
                exc.__cause__ or exc)
    response = render_page(request, 503, {"kind": "unavailable"}, online=False)
    response.headers["Retry-After"] = str(retry_after(request))
    return response


def conflict(exc, request):
    """409 once pyramid_retry has given up: another save of the same data kept winning."""
    if not is_last_attempt(request):
        # This answer is thrown away: pyramid_retry runs the request again.
        return Response(status=409)
    log.warning("conflict after the last attempt at %s %s: %s", request.method, request.url,
                exc)
    return render_page(request, 409, {"kind": "conflict"}, online=True)


def includeme(config):
    config.add_tween("portal.views.unavailable.storage_guard", under=EXCVIEW)
    config.add_tween("portal.views.unavailable.outer_guard", over="pyramid_tm.tm_tween_factory")
    # The raw errors too: a commit failing in pyramid_tm, outside the tween, reaches them.
    for error in (StorageUnavailable,) + STORAGE_ERRORS:
        config.add_exception_view(unavailable, context=error)
    config.add_exception_view(conflict, context=ConflictError)
