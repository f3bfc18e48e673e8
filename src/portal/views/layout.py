"""What every page's layout needs: menus, breadcrumbs, languages, URLs and date formats."""
import hashlib
from pathlib import Path
from urllib.parse import quote

from pyramid.csrf import get_csrf_token
from pyramid.location import lineage
from pyramid.renderers import render

from ..content.blobs import SCALES
from ..i18n import LANGUAGE_NAMES, available_languages, show_date, show_datetime
from ..navigation import path_of, site_data

# Bound on the cached page fragments of one content version (each a few kB).
MAX_FRAGMENTS = 5000
STATIC = Path(__file__).resolve().parents[1] / "static"
# Static files are cached by browsers for a day; a token from their contents makes a new
# release's stylesheet load at once.
STATIC_TOKEN = hashlib.sha1(b"".join(
    path.read_bytes() for path in sorted(STATIC.iterdir()) if path.is_file())).hexdigest()[:10]


class Layout:
    """Per-request helper, reached as ``request.layout`` and as ``layout`` in templates."""

    def __init__(self, request):
        self.request = request
        self.data = site_data(request)
        self.settings = self.data["settings"]
        self.app_url = request.application_url
        self._hrefs = {}

    @property
    def site_title(self):
        return self.settings.get("title") or self.request.root.title

    @property
    def lang(self):
        return self.request.locale_name

    @property
    def content_lang(self):
        """``lang`` for content areas when it differs from the interface's (None otherwise).

        The content tree is Vietnamese; with the English interface, screen readers must still
        read titles and articles as Vietnamese.
        """
        content = self.request.registry.settings.get("portal.content_language", "vi")
        return content if content != self.lang else None

    def url(self, path):
        """The URL of the object at site path ``path`` (as ``resource_url`` spells it)."""
        return f"{self.app_url}/{path}/" if path else f"{self.app_url}/"

    def link_url(self, url):
        """The href of a Link's ``url``: site paths become absolute URLs."""
        return f"{self.app_url}{url}" if url.startswith("/") else url

    def href(self, obj):
        """The URL of ``obj``, as ``resource_url`` spells it, at a fraction of its cost.

        Pages link to dozens of objects; Pyramid's generic ``resource_url`` was a tenth of the
        time of an article page.
        """
        key = id(obj)
        url = self._hrefs.get(key)
        if url is None:
            names = [quote(node.__name__, safe="") for node in lineage(obj)][-2::-1]
            url = self._hrefs[key] = self.url("/".join(names))
        return url

    def static(self, name):
        """URL of a static asset of the portal."""
        return f"{self.app_url}/static/{name}?v={STATIC_TOKEN}"

    def _base(self, target):
        return self.url(target) if isinstance(target, str) else self.href(target)

    def image_url(self, target, scale="medium"):
        """URL of the image of ``target`` (a site path or an object) at ``scale``."""
        return f"{self._base(target)}@@image/{scale}"

    def srcset(self, target, size=None):
        """``srcset`` for the image of ``target``; ``size`` is the original (width, height)."""
        if size is None:
            size = (target.image.width, target.image.height)
        base = f"{self._base(target)}@@image"
        widths = [(name, width) for name, width in SCALES.items() if width < size[0]]
        parts = [f"{base}/{name} {width}w" for name, width in widths]
        return ", ".join(parts + [f"{base}/original {size[0]}w"])

    def languages(self, context):
        """The language switch: (code, name, URL, is current) for each interface language."""
        here = self.href(context)
        return [(code, LANGUAGE_NAMES.get(code, code),
                 f"{here}@@set-language?lang={code}", code == self.lang)
                for code in available_languages(self.request.registry.settings)]

    def breadcrumbs(self, context):
        """(title, URL) from the home page down to ``context``'s parent."""
        chain = list(reversed(list(lineage(context))))
        return [(node.title if node.__parent__ is not None else None, self.href(node))
                for node in chain[:-1]]

    def cached(self, template, key=(), values=None):
        """``templates/<template>.pt`` rendered once per content change, language and ``key``.

        For parts of pages that depend only on the content: the menu, the footer, the home
        page's body, section listings. The cache lives in the derived data of
        ``navigation.site_data``, so any change to the content drops it, and so does the
        clock passing a publication or expiry date (``content.schedule``). ``values`` is a
        callable giving the template's values, called only when the fragment is rendered.
        Only anonymous visitors are served from the cache, so everything cached is what
        anonymous visitors may see; signed-in people get the fragment rendered for them.
        """
        if self.request.authenticated_userid is not None:
            # Signed-in people may see more than anonymous visitors: never from the cache.
            return render(f"portal:templates/{template}.pt", values() if values else {},
                          self.request)
        fragments = self.data.setdefault("fragments", {})
        full_key = (template, key, self.lang, self.app_url)
        html = fragments.get(full_key)
        if html is None:
            if len(fragments) >= MAX_FRAGMENTS:
                fragments.clear()
            html = render(f"portal:templates/{template}.pt", values() if values else {},
                          self.request)
            fragments[full_key] = html
        return html

    def memo(self, key, compute):
        """``compute()``, kept with the derived data for anonymous visitors (as ``cached``
        keeps fragments): for figures such as a listing's count that every page view needs.
        """
        if self.request.authenticated_userid is not None:
            return compute()
        values = self.data.setdefault("values", {})
        if key not in values:
            if len(values) >= MAX_FRAGMENTS:
                values.clear()
            values[key] = compute()
        return values[key]

    def menu_html(self, section):
        """The main menu, marking the entry of the current top-level section."""
        marker = f'data-section="{section}"'
        return self.cached("menu").replace(marker, f'{marker} aria-current="true"', 1)

    def home_html(self):
        """The home page's featured item, latest news and section blocks."""
        return self.cached("home_body")

    def footer_html(self):
        """The footer: the site's address and contacts, and the web links."""
        return self.cached("footer")

    def current_section(self, context):
        """Path of the top-level section ``context`` is in ('' on the home page)."""
        path = path_of(context) if context is not None else ""
        return path.split("/", 1)[0]

    def is_listed(self, obj):
        """False for sections with nothing behind them (P14)."""
        return not obj.is_container or path_of(obj) in self.data["nonempty"]

    def date(self, when):
        return show_date(self.request, when)

    def datetime(self, when):
        return show_datetime(self.request, when)

    @property
    def csrf_token(self):
        """The CSRF token every form posts back (pyramid_csrf, double-submit cookie)."""
        return get_csrf_token(self.request)

    @property
    def user(self):
        """The signed-in user, or None."""
        return self.request.identity

    def toolbar_html(self, context):
        """The editing toolbar of signed-in users at ``context`` (views/manage/toolbar.py)."""
        from .manage.toolbar import toolbar_values
        return render("portal:templates/toolbar.pt", toolbar_values(self.request, context),
                      self.request)

    def feeds(self, context):
        """(title, URL) of the RSS feeds the page's head advertises (views/feeds.py)."""
        from .feeds import feed_links
        return feed_links(self.request, context)

    def iso(self, when):
        return when.isoformat() if when is not None else ""
