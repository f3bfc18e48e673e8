"""The explicit language switch: a cookie, then back to the same page."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from ..i18n import COOKIE, available_languages

ONE_YEAR = 365 * 24 * 3600


@view_config(name="set-language", permission="view", request_method="GET")
def set_language(context, request):
    """Remember the chosen interface language and return to the page it was chosen on."""
    languages = available_languages(request.registry.settings)
    lang = request.GET.get("lang")
    if lang not in languages:
        lang = languages[0]
    response = HTTPSeeOther(location=request.resource_url(context))
    response.set_cookie(COOKIE, lang, max_age=ONE_YEAR, samesite="Lax", httponly=True,
                        secure=request.scheme == "https")
    return response
