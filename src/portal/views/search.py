"""The search page ``/search?q=...`` and the suggestions of the search box (P5, S8).

Every result comes from ``catalog.search.search``, so only what the visitor may view is found
or counted. Filters (type, section, year, issuing body, document kind) come with counts, and a
range of publication dates (``from``, ``to``) narrows them all; a value that is not offered, a
date that cannot be read or a range ending before it starts is ignored and said so; every
parameter is read defensively: ``page=-1``, a ``q`` of 10,000 characters or odd Unicode give a
page, never an error. Days and years are those of the portal's time zone, as dates are shown.
"""
import json
import re
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from BTrees.IFBTree import IFTreeSet, intersection, multiunion
from pyramid.response import Response
from pyramid.view import view_config
from repoze.catalog.query import Any, Eq, Ge, InRange, Le

from ..catalog import get_catalog
from ..catalog.highlight import highlight
from ..catalog.indexes import TEXT, searchable_text, seconds
from ..catalog.search import resolve, search
from ..catalog.textquery import prefix_terms, text_query
from ..content.typeinfo import types_where
from ..content.types import Site
from ..i18n import _, portal_zone
from ..revisions import html_text
from ..security.roles import VIEW
from .manage.edit import type_label
from .pages import page_number

PAGE_SIZE = 20
MAX_Q = 1000
FIRST_YEAR = 1930
SORTS = {"relevance": _("Relevance"), "date": _("Newest first")}
# The range of publication dates: ISO days (what <input type="date"> sends), inside these years.
DATE_FIELDS = ("from", "to")
FIRST_DAY_YEAR, LAST_DAY_YEAR = 1900, 2199
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
# Facets of documents: (URL parameter, field index, title). Shown when results carry values.
DOCUMENT_FACETS = (("kind", "document_kind", _("Document kind")),
                   ("issuer", "issuing_body", _("Issuing body")))
MAX_VALUE = 200
EMPTY = IFTreeSet()
IGNORED = {
    "filter": _("A filter that does not exist was ignored."),
    "date": _("A date that could not be read was ignored: write dates as year-month-day, "
              "for example 2026-11-20."),
    "range": _("The dates were ignored: the first date comes after the second."),
}


def _years(request):
    last = request.registry.portal_clock.now().astimezone(portal_zone(request.registry)).year
    return list(range(last, FIRST_YEAR - 1, -1))


def _day_start(day, zone):
    """Seconds since 1970 at the start of ``day`` (a date) in ``zone``."""
    return seconds(datetime(day.year, day.month, day.day, tzinfo=zone))


def _day(value):
    """The date written ``YYYY-MM-DD`` in ``value`` (None when malformed or out of range)."""
    if not ISO_DAY.match(value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_DAY_YEAR <= day.year <= LAST_DAY_YEAR else None


def _dates_clause(chosen, zone):
    """The clause on ``effective`` of the chosen range of days (None without one)."""
    start = _day_start(chosen["from"], zone) if "from" in chosen else None
    end = (_day_start(chosen["to"] + timedelta(days=1), zone) - 1) if "to" in chosen else None
    if start is not None and end is not None:
        return InRange("effective", start, end)
    if start is not None:
        return Ge("effective", start)
    return Le("effective", end) if end is not None else None


def _filters(request, sections, offered):
    """The filters asked for that exist, and the kinds of those ignored (keys of IGNORED).

    ``offered(index, value)`` says whether something the visitor may find carries ``value``
    in the field index ``index`` (the document facets have no fixed list of values).
    """
    chosen, ignored = {}, []
    value = request.GET.get("type", "")
    if value:
        (chosen.__setitem__("type", value) if value in types_where("searched", request.registry)
         else ignored.append("filter"))
    value = request.GET.get("section", "")
    if value:
        (chosen.__setitem__("section", value) if value in sections
         else ignored.append("filter"))
    value = request.GET.get("year", "")
    if value:
        if value.isdigit() and int(value) in _years(request):
            chosen["year"] = int(value)
        else:
            ignored.append("filter")
    for param, index, _title in DOCUMENT_FACETS:
        value = request.GET.get(param, "")
        if value:
            (chosen.__setitem__(param, value)
             if len(value) <= MAX_VALUE and offered(index, value) else ignored.append("filter"))
    days = {}
    for name in DATE_FIELDS:
        value = request.GET.get(name, "").strip()
        if value:
            days[name] = _day(value)
            if days[name] is None:
                del days[name]
                ignored.append("date")
    if len(days) == 2 and days["from"] > days["to"]:
        ignored.append("range")
    else:
        chosen.update(days)
    return chosen, ignored


def _query(user_text, chosen, zone):
    query = Eq("type", chosen["type"]) if "type" in chosen else None
    clauses = [text_query(TEXT, user_text) if user_text else None]
    if "section" in chosen:
        clauses.append(Eq("section", chosen["section"]))
    if "year" in chosen:
        clauses.append(Eq("year", chosen["year"]))
    for param, index, _title in DOCUMENT_FACETS:
        if param in chosen:
            clauses.append(Eq(index, chosen[param]))
    clauses.append(_dates_clause(chosen, zone))
    for clause in clauses:
        if clause is not None:
            query = clause if query is None else query & clause
    return query


def _counts(catalog, found, name, values):
    """{value: how many of the result set ``found`` the field index ``name`` has at ``value``}.

    Each count is one intersection of sets in C with the index's own set of the value: a few
    milliseconds for tens of thousands of results, where copying the sets cost ten times more.
    """
    forward = catalog[name]._fwd_index
    return {value: len(intersection(found, forward.get(value, EMPTY))) for value in values}


@view_config(context=Site, name="search", permission=VIEW, renderer="portal:templates/search.pt")
def search_view(context, request):
    """Results for ``q`` with filters, counts, sorting, pages and highlighted snippets."""
    tr = request.localizer.translate
    user_text = " ".join(request.GET.get("q", "")[:MAX_Q].split())
    sections = {name: context[name].title for name in context.container_names()
                if request.has_permission(VIEW, context[name])}
    catalog, _docmap = get_catalog(context)
    for_types = Any("type", list(types_where("searched", request.registry)))

    def offered(index, value):
        return bool(search(request, for_types & Eq(index, value), limit=1)[0])

    chosen, ignored = _filters(request, sections, offered)
    zone = portal_zone(request.registry)
    sort = request.GET.get("sort", "relevance" if user_text else "date")
    if sort not in SORTS or (sort == "relevance" and not user_text):
        sort = "date"
    url = _linker(request, user_text, sort, chosen)
    values = {"q": user_text, "chosen": chosen, "sort": sort, "results": [], "count": 0,
              "url": url, "number": 1, "last": 1, "facets": [], "nothing_to_search": False,
              "ignored": [(kind, tr(IGNORED[kind])) for kind in IGNORED if kind in ignored],
              "sorts": [(key, tr(label)) for key, label in SORTS.items()],
              # The form shows the dates in its own fields and keeps the other filters.
              "dates": {name: str(chosen.get(name, "")) for name in DATE_FIELDS},
              "kept": [(name, value) for name, value in chosen.items()
                       if name not in DATE_FIELDS],
              "clear_dates": (url(page=None, **dict.fromkeys(DATE_FIELDS))
                              if any(name in chosen for name in DATE_FIELDS) else None)}
    if user_text and text_query(TEXT, user_text) is None:
        values["nothing_to_search"] = True
        return values
    if not user_text and not chosen:
        return values
    query = _query(user_text, chosen, zone)
    query = for_types if query is None else for_types & query

    def found():
        # One query: its result set gives the count and the facets, and is then sorted for
        # the page alone (relevance scores travel with it).
        count, found = search(request, query)
        count = int(count)
        number, last = page_number(request, count, PAGE_SIZE)
        if sort == "relevance":
            ordered = catalog[TEXT].sort(found, limit=number * PAGE_SIZE)
        else:
            ordered = catalog["effective"].sort(found, reverse=True, limit=number * PAGE_SIZE)
        page = list(ordered)[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
        return count, number, last, page, _facets(request, catalog, found, sections, chosen)

    # Citizens ask the same questions: an anonymous visitor's answer (plain ids and counts)
    # is kept with the derived data until the content or the clock's window changes.
    key = ("search", request.locale_name, user_text, sort, request.GET.get("page", "")[:12],
           tuple(sorted((name, str(value)) for name, value in chosen.items())))
    count, number, last, page, facets = request.layout.memo(key, found)
    results = []
    for docid in page:
        obj = resolve(request, docid)
        if obj is None:
            continue
        # The snippet shows what is under the title: the summary, then the body.
        text = " ".join(part for part in (obj.description,
                                          html_text(getattr(obj, "body", "") or "")) if part)
        text = text or searchable_text(obj, "")
        results.append({"obj": obj, "snippet": highlight(text, user_text) if user_text
                        else highlight(text, "", width=200),
                        "type": tr(type_label(obj.type_name)),
                        "section": sections.get(request.layout.current_section(obj), "")})
    values.update(results=results, count=count, number=number, last=last, facets=facets)
    return values


def _linker(request, user_text, sort, chosen):
    """``url(**change)``: this search's address with some parameters changed (None drops)."""
    kept = dict({"q": user_text, "sort": sort}, **{k: str(v) for k, v in chosen.items()})

    def url(**change):
        params = {k: v for k, v in dict(kept, **change).items() if v not in (None, "")}
        return f"{request.application_url}/search?{urlencode(params)}"
    return url


def _facets(request, catalog, found, sections, chosen):
    """(title, parameter, [(value, label, count, is chosen)], lang) for each filter, zeros left
    out; ``lang`` is the content's language for labels taken from the content."""
    tr = request.localizer.translate
    content_lang = request.layout.content_lang
    # The documents alone, as a flat set: intersecting it is three times faster than
    # intersecting the scored tree the text index gives, and there is one per facet value.
    found = multiunion([found])
    types = _counts(catalog, found, "type", types_where("searched", request.registry))
    in_sections = _counts(catalog, found, "section", list(sections))
    # Publication years in the portal's time zone, from the year index: the years some item
    # has, newest first (a few dozen at most), not every year since 1930.
    offered = set(_years(request))
    years = _counts(catalog, found, "year", [year for year in
                                             reversed(catalog["year"]._fwd_index.keys())
                                             if year in offered])
    facets = [
        (tr(_("Type")), "type", [(value, tr(type_label(value)), n, chosen.get("type") == value)
                                 for value, n in types.items() if n], None),
    ]
    # Issuing bodies and kinds of documents: whatever values the index holds (a few dozen),
    # the most frequent first; a facet whose results carry none has no options and is hidden.
    for param, name, title in DOCUMENT_FACETS:
        counts = _counts(catalog, found, name, list(catalog[name]._fwd_index.keys()))
        facets.append((tr(title), param, [
            (value, value, n, chosen.get(param) == value)
            for value, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            if n], content_lang))
    return facets + [
        (tr(_("Section")), "section", [(value, sections[value], n,
                                        chosen.get("section") == value)
                                       for value, n in in_sections.items() if n], content_lang),
        (tr(_("Year")), "year", [(str(year), str(year), n, chosen.get("year") == year)
                                 for year, n in years.items() if n], None),
    ]


@view_config(context=Site, name="search-suggest", permission=VIEW)
def suggest_view(context, request):
    """JSON completions of what is typed in the search box: only words that lead to at least
    one item the visitor may view (a draft's words are never suggested)."""
    typed = request.GET.get("q", "")[:100]
    catalog, _docmap = get_catalog(context)
    found = []
    if catalog is not None and typed.strip():
        for term in prefix_terms(catalog[TEXT], typed, limit=20):
            query = text_query(TEXT, term)
            if query is not None and search(request, query, limit=1)[0]:
                found.append(term)
            if len(found) == 8:
                break
    response = Response(json.dumps(found, ensure_ascii=False),
                        content_type="application/json", charset="utf-8")
    response.cache_control = "no-store"
    return response
