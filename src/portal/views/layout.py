"""What every page's layout needs: menus, breadcrumbs, languages, URLs and date formats."""
from urllib.parse import quote

from pyramid.location import lineage
from pyramid.renderers import render

from ..content.blobs import SCALES
from ..i18n import LANGUAGE_NAMES, available_languages, show_date, show_datetime
from ..navigation import path_of, site_data


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
        return f"{self.app_url}/static/{name}"

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

    def _fragment(self, name):
        # Menu and footer depend only on the site's content and the language: render them
        # once per content change (the cache lives in the derived data, so a change drops it).
        fragments = self.data.setdefault("fragments", {})
        key = (name, self.lang, self.app_url)
        html = fragments.get(key)
        if html is None:
            html = fragments[key] = render(f"portal:templates/{name}.pt", {}, self.request)
        return html

    def menu_html(self, section):
        """The main menu, marking the entry of the current top-level section."""
        marker = f'data-section="{section}"'
        return self._fragment("menu").replace(marker, f'{marker} aria-current="true"', 1)

    def home_html(self):
        """The home page's featured item, latest news and section blocks."""
        return self._fragment("home_body")

    def footer_html(self):
        """The footer: the site's address and contacts, and the web links."""
        return self._fragment("footer")

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

    def iso(self, when):
        return when.isoformat() if when is not None else ""
