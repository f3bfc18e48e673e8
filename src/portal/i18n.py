"""Interface languages: Vietnamese by default, English complete; chosen by an explicit switch.

The choice lives in a cookie set by the ``@@set-language`` view, never guessed from the
browser's headers, so every later link keeps it without a query parameter.
"""
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from pyramid.i18n import TranslationStringFactory

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


def local_time(request, when):
    """``when`` in the portal's time zone."""
    return when.astimezone(ZoneInfo(request.registry.settings["portal.timezone"]))


def show_datetime(request, when):
    """A date and time as people of the page's language write them."""
    if when is None:
        return ""
    pattern = "dd/MM/yyyy HH:mm" if request.locale_name == "vi" else "d MMM yyyy, HH:mm"
    return format_datetime(local_time(request, when), pattern, locale=request.locale_name)


def show_date(request, when):
    """A date as people of the page's language write them."""
    if when is None:
        return ""
    pattern = "dd/MM/yyyy" if request.locale_name == "vi" else "d MMM yyyy"
    return format_date(local_time(request, when).date(), pattern, locale=request.locale_name)


def includeme(config):
    config.set_locale_negotiator(locale_negotiator)
    config.add_translation_dirs("portal:locale/")
