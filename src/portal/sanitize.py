"""The allow-list that every rich-text body passes through on save (S4).

Only structural and inline tags survive; no iframe, object, embed, script or style, no event
handlers, no ``javascript:`` URLs, and images only from this site (relative sources).
"""
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


def _filter(tag, attribute, value):
    # Images from other sites are embedding by another name (S4): only relative sources stay.
    if tag == "img" and attribute == "src" and not value.startswith("/"):
        return None
    return value


def clean_html(html):
    """Return ``html`` reduced to the allow-list."""
    return nh3.clean(html or "", tags=TAGS, attributes=ATTRIBUTES, attribute_filter=_filter,
                     url_schemes={"http", "https", "mailto", "tel"},
                     link_rel="noopener noreferrer")
