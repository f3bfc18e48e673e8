"""Interface languages: Vietnamese by default, English complete; chosen by an explicit switch.

The choice lives in a cookie set by the ``@@set-language`` view, never guessed from the
browser's headers, so every later link keeps it without a query parameter.
"""
from zoneinfo import ZoneInfo

from babel.dates import get_month_names
from pyramid.i18n import TranslationStringFactory
from pyramid.threadlocal import get_current_request
from pyramid_chameleon.interfaces import IChameleonTranslate

_ = TranslationStringFactory("portal")

COOKIE = "portal_lang"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def available_languages(settings):
    """The configured interface languages, default first."""
    return settings["portal.available_languages"].split()


def locale_negotiator(request):
    """The language from the switch's cookie, else the default."""
    wanted = request.cookies.get(COOKIE)
    languages = available_languages(request.registry.settings)
    return wanted if wanted in languages else request.registry.settings[
        "pyramid.default_locale_name"]


_ZONES = {}
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
_MONTHS = {lang: get_month_names("abbreviated", locale=lang) for lang in ("en",)}


def portal_zone(registry):
    """The portal's time zone (``portal.timezone``; Vietnam's when ``registry`` has none)."""
    name = (getattr(registry, "settings", None) or {}).get("portal.timezone", DEFAULT_TIMEZONE)
    return _ZONES.get(name) or _ZONES.setdefault(name, ZoneInfo(name))


def local_time(request, when):
    """``when`` in the portal's time zone."""
    return when.astimezone(portal_zone(request.registry))


def show_datetime(request, when):
    """A date and time as people of the page's language write them."""
    if when is None:
        return ""
    local = local_time(request, when)
    return f"{show_date(request, when, local)} {local:%H:%M}" if request.locale_name == "vi" \
        else f"{show_date(request, when, local)}, {local:%H:%M}"


def show_date(request, when, local=None):
    """A date as people of the page's language write them (25/11/2026; 25 Nov 2026)."""
    if when is None:
        return ""
    local = local or local_time(request, when)
    months = _MONTHS.get(request.locale_name)
    if months is None:
        return f"{local:%d/%m/%Y}"
    # Babel's formatter costs a tenth of a millisecond a call; listings show dozens of dates.
    return f"{local.day} {months[local.month]} {local.year}"


class CachedTranslate:
    """Chameleon's translate function, remembering the templates' fixed texts per language.

    Every page translates the same dozen interface strings (skip link, menu, breadcrumbs);
    through Pyramid's localizer each costs about 17 µs, a tenth of an article page. Only plain
    message ids are cached, and only when a translation was found (Chameleon recognises an
    untranslated text by the identity of the ``default`` it passed, which is not kept).
    """

    MAX_ENTRIES = 10_000

    def __init__(self, translate):
        self.translate = translate
        self.cache = {}

    def __call__(self, msgid, domain=None, mapping=None, context=None, target_language=None,
                 default=None):
        request = get_current_request()
        if mapping or request is None or type(msgid) is not str:
            return self.translate(msgid, domain=domain, mapping=mapping, context=context,
                                  target_language=target_language, default=default)
        key = (request.locale_name, domain, msgid)
        found = self.cache.get(key)
        if found is None:
            found = self.translate(msgid, domain=domain, context=context,
                                   target_language=target_language, default=default)
            if found is default or len(self.cache) >= self.MAX_ENTRIES:
                return found
            self.cache[key] = found
        return found


def _cache_template_translations(registry):
    translate = registry.queryUtility(IChameleonTranslate)
    if translate is not None:
        registry.registerUtility(CachedTranslate(translate), IChameleonTranslate)


def includeme(config):
    config.set_locale_negotiator(locale_negotiator)
    config.add_translation_dirs("portal:locale/")
    # After pyramid_chameleon registers its translator (its action has order 1000).
    config.action(None, callable=_cache_template_translations, args=(config.registry,),
                  order=1001)
