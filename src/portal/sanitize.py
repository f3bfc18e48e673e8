"""The allow-list that every rich-text body passes through on save (S4).

Only structural and inline tags survive; no iframe, object, embed, script or style, no event
handlers, no ``javascript:`` URLs, and images only from this site (site paths such as
``/tin-tuc/anh/@@image/large``; never ``//host/x.png``, which browsers read as another site).
tests/test_xss.py runs a corpus of attacks through it.
"""
import html
import re

import nh3

TAGS = {"p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup",
        "blockquote", "ul", "ol", "li", "a", "img", "figure", "figcaption", "table", "thead",
        "tbody", "tfoot", "tr", "th", "td", "caption", "hr", "span", "abbr", "cite", "q"}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "abbr": {"title"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
URL_ATTRIBUTES = {"href", "src"}

# What browsers ignore when they read a URL: C0 controls and spaces at either end, and tabs
# and line breaks anywhere ("java\tscript:" is "javascript:"; "/\t/host" is "//host").
_EDGES = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]")


def _as_browser_reads(value):
    """``value`` as a browser resolves it: ends trimmed, tabs and newlines dropped, ``\\`` = ``/``."""
    return _TAB_OR_NEWLINE.sub("", value.strip(_EDGES)).replace("\\", "/")


def _scheme(value):
    """The scheme ``value`` may be read with, however escaped; None for a relative URL."""
    for _ in range(5):  # entities inside entities ("&amp;#106;avascript:")
        unescaped = html.unescape(value)
        if unescaped == value:
            break
        value = unescaped
    match = _SCHEME.match(_INVISIBLE.sub("", value).lower())
    return match.group(1) if match else None


def _filter(tag, attribute, value):
    if attribute in URL_ATTRIBUTES:
        value = _as_browser_reads(value)
        scheme = _scheme(value)
        if scheme is not None and scheme not in URL_SCHEMES:
            return None
    # Images from other sites are embedding by another name (S4): only site paths stay.
    if tag == "img" and attribute == "src" and not (
            value.startswith("/") and not value.startswith("//")):
        return None
    return value


def clean_html(html):
    """Return ``html`` reduced to the allow-list."""
    return nh3.clean(html or "", tags=TAGS, attributes=ATTRIBUTES, attribute_filter=_filter,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer")
