"""The search page ``/search?q=...`` and the suggestions of the search box (P5, S8).

Every result comes from ``catalog.search.search``, so only what the visitor may view is found
or counted. Filters (type, section, year) come with counts; a value that is not offered is
ignored and said so; every parameter is read defensively: ``page=-1``, a ``q`` of 10,000
characters or odd Unicode give a page, never an error.
"""
import json
from collections import Counter
from datetime import UTC, datetime
from urllib.parse import urlencode

from BTrees.IFBTree import IFSet, intersection
from pyramid.response import Response
from pyramid.view import view_config
from repoze.catalog.query import Any, Eq, InRange

from ..catalog import get_catalog
from ..catalog.indexes import TEXT, searchable_text, seconds
from ..catalog.search import resolve, search
from ..catalog.vietnamese import highlight, prefix_terms, text_query
from ..content.types import Site
from ..i18n import _
from ..revisions import html_text
from ..security.roles import VIEW
from .manage.edit import type_label
from .pages import page_number

PAGE_SIZE = 20
MAX_Q = 1000
SEARCHED_TYPES = ("NewsItem", "File", "Page")
FIRST_YEAR = 1930
SORTS = {"relevance": _("Relevance"), "date": _("Newest first")}


def _years(request):
    last = request.registry.portal_clock.now().year
    return list(range(last, FIRST_YEAR - 1, -1))


def _year_range(year):
    return (seconds(datetime(year, 1, 1, tzinfo=UTC)),
            seconds(datetime(year + 1, 1, 1, tzinfo=UTC)) - 1)


def _filters(request, sections):
    """The filters asked for that exist, and the names of those ignored."""
    chosen, ignored = {}, []
    value = request.GET.get("type", "")
    if value:
        (chosen.__setitem__("type", value) if value in SEARCHED_TYPES
         else ignored.append("type"))
    value = request.GET.get("section", "")
    if value:
        (chosen.__setitem__("section", value) if value in sections
         else ignored.append("section"))
    value = request.GET.get("year", "")
    if value:
        if value.isdigit() and int(value) in _years(request):
            chosen["year"] = int(value)
        else:
            ignored.append("year")
    return chosen, ignored


def _query(user_text, chosen):
    query = Eq("type", chosen["type"]) if "type" in chosen else None
    clauses = [text_query(TEXT, user_text) if user_text else None]
    if "section" in chosen:
        clauses.append(Eq("section", chosen["section"]))
    if "year" in chosen:
        clauses.append(InRange("effective", *_year_range(chosen["year"])))
    for clause in clauses:
        if clause is not None:
            query = clause if query is None else query & clause
    return query


def _counts(catalog, docids, name, values):
    """{value: how many of ``docids`` the field index ``name`` has at ``value``}."""
    found = IFSet(docids)
    index = catalog[name]
    return {value: len(intersection(found, IFSet(index.applyEq(value)))) for value in values}


@view_config(context=Site, name="search", permission=VIEW, renderer="portal:templates/search.pt")
def search_view(context, request):
    """Results for ``q`` with filters, counts, sorting, pages and highlighted snippets."""
    tr = request.localizer.translate
    user_text = " ".join(request.GET.get("q", "")[:MAX_Q].split())
    sections = {name: context[name].title for name in context.container_names()
                if request.has_permission(VIEW, context[name])}
    chosen, ignored = _filters(request, sections)
    sort = request.GET.get("sort", "relevance" if user_text else "date")
    if sort not in SORTS or (sort == "relevance" and not user_text):
        sort = "date"
    values = {"q": user_text, "chosen": chosen, "sort": sort, "results": [], "count": 0,
              "url": _linker(request, user_text, sort, chosen),
              "number": 1, "last": 1, "facets": [], "nothing_to_search": False,
              "ignored": [tr(_("A filter that does not exist was ignored."))] if ignored
              else [], "sorts": [(key, tr(label)) for key, label in SORTS.items()]}
    if user_text and text_query(TEXT, user_text) is None:
        values["nothing_to_search"] = True
        return values
    if not user_text and not chosen:
        return values
    for_types = Any("type", list(SEARCHED_TYPES))
    query = _query(user_text, chosen)
    query = for_types if query is None else for_types & query
    _size, docids = search(request, query)
    docids = list(docids)
    count = len(docids)
    number, last = page_number(request, count, PAGE_SIZE)
    catalog, _docmap = get_catalog(context)
    if sort == "relevance":
        _count, ordered = search(request, query, sort_index=TEXT,
                                 limit=number * PAGE_SIZE)
    else:
        _count, ordered = search(request, query, sort_index="effective", reverse=True,
                                 limit=number * PAGE_SIZE)
    page = list(ordered)[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
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
    values.update(results=results, count=count, number=number, last=last,
                  facets=_facets(request, catalog, docids, sections, chosen))
    return values


def _linker(request, user_text, sort, chosen):
    """``url(**change)``: this search's address with some parameters changed (None drops)."""
    kept = dict({"q": user_text, "sort": sort}, **{k: str(v) for k, v in chosen.items()})

    def url(**change):
        params = {k: v for k, v in dict(kept, **change).items() if v not in (None, "")}
        return f"{request.application_url}/search?{urlencode(params)}"
    return url


def _facets(request, catalog, docids, sections, chosen):
    """(title, parameter, [(value, label, count, is chosen)]) for each filter, zeros left out."""
    tr = request.localizer.translate
    types = _counts(catalog, docids, "type", SEARCHED_TYPES)
    in_sections = _counts(catalog, docids, "section", list(sections))
    # Years from each result's publication date (the index's reverse map): one pass over the
    # results instead of a range query per year.
    dates = catalog["effective"]._rev_index
    offered = set(_years(request))
    years = Counter(datetime.fromtimestamp(dates[docid], UTC).year for docid in docids
                    if docid in dates)
    return [
        (tr(_("Type")), "type", [(value, tr(type_label(value)), n, chosen.get("type") == value)
                                 for value, n in types.items() if n]),
        (tr(_("Section")), "section", [(value, sections[value], n,
                                        chosen.get("section") == value)
                                       for value, n in in_sections.items() if n]),
        (tr(_("Year")), "year", [(str(year), str(year), years[year], chosen.get("year") == year)
                                 for year in sorted(years, reverse=True)
                                 if year in offered]),
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
