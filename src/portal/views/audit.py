"""The Manager's audit log page and its CSV export (O4).

Both read the filters of one GET form; both only read: a site without a log yet shows an empty
one (the log is made by the first write, never by a page view).
"""
import csv
import io
import sys
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import transaction
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config
from pyramid_zodbconn import get_connection

from ..content.types import Site
from ..i18n import _
from ..security.audit import ACTIONS, get_audit_log
from ..security.roles import MANAGE
from .pages import page_number

PAGE_SIZE = 50
CSV_BATCH = 500                 # rows written, and cache trimmed, per chunk of the export
MAX_FILTER = 200                # longest text kept from a filter field
FIRST_YEAR, LAST_YEAR = 1970, 2199
FIELDS = ("actor", "action", "from", "to", "target")
BOM = "\ufeff"
# Cells starting with these are formulas to spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _zone(request):
    return ZoneInfo(request.registry.settings["portal.timezone"])


def _day(value):
    """The date written ``YYYY-MM-DD`` in ``value`` (None when malformed or out of range)."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def read_filters(request):
    """``(form, arguments, errors)`` from the GET form.

    ``form`` holds the values to show again, ``arguments`` the keywords of
    ``AuditLog.query``, ``errors`` translated messages (when there are any, nothing is queried:
    a list ignoring a filter the user believes applied would mislead).
    """
    form = {name: request.GET.get(name, "").strip()[:MAX_FILTER] for name in FIELDS}
    arguments, errors = {}, []
    if form["actor"]:
        arguments["actor"] = form["actor"]
    if form["action"]:
        if form["action"] in ACTIONS:
            arguments["action"] = form["action"]
        else:
            errors.append(_("Choose an action from the list."))
    zone = _zone(request)
    days = {}
    for name in ("from", "to"):
        if form[name]:
            days[name] = _day(form[name])
            if days[name] is None:
                errors.append(_("Write dates as year-month-day between ${first} and ${last}, "
                                "for example 2026-11-20.",
                                mapping={"first": FIRST_YEAR, "last": LAST_YEAR}))
                break
    else:
        if "from" in days and "to" in days and days["from"] > days["to"]:
            errors.append(_("The start date is after the end date."))
    if not errors:
        if "from" in days:
            arguments["since"] = datetime.combine(days["from"], time(), zone).astimezone(UTC)
        if "to" in days:
            arguments["until"] = datetime.combine(days["to"] + timedelta(days=1), time(),
                                                  zone).astimezone(UTC)
    if form["target"]:
        arguments["target_contains"] = form["target"]
    translate = request.localizer.translate
    return form, arguments, [translate(error) for error in errors]


def _query_string(form, **extra):
    """The non-empty filters (and ``extra``) for a link keeping them."""
    return dict({name: value for name, value in form.items() if value}, **extra)


def action_labels(request):
    """``{code: translated label}`` in the declared order."""
    translate = request.localizer.translate
    return {code: translate(label) for code, label in ACTIONS.items()}


@view_config(context=Site, name="audit-log", permission=MANAGE,
             renderer="portal:templates/audit.pt")
def audit_log_view(context, request):
    """The audit log, filtered and paged, newest first."""
    form, arguments, errors = read_filters(request)
    audit_log = get_audit_log(context)
    entries, total, number, last = [], 0, 1, 1
    if audit_log is not None and not errors:
        wanted, _last = page_number(request, sys.maxsize, PAGE_SIZE)
        entries, total = audit_log.query(**arguments, start=(wanted - 1) * PAGE_SIZE,
                                         limit=PAGE_SIZE)
        number, last = page_number(request, total, PAGE_SIZE)
        if number != wanted:  # past the last page: show the last one
            entries, total = audit_log.query(**arguments, start=(number - 1) * PAGE_SIZE,
                                             limit=PAGE_SIZE)

    def page_url(page):
        return request.resource_url(context, "@@audit-log", query=_query_string(form, page=page))

    return {
        "form": form, "errors": errors, "entries": entries, "total": total,
        "number": number, "last": last, "page_url": page_url,
        "labels": action_labels(request),
        "csv_url": request.resource_url(context, "@@audit-log.csv", query=_query_string(form)),
        "clear_url": request.resource_url(context, "@@audit-log"),
    }


def _cell(value):
    """``value`` made safe for spreadsheet programs: never read as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _csv_chunks(db, site_oid, arguments, header, labels, zone):
    """The export, in chunks of ``CSV_BATCH`` rows, read through a connection of its own.

    The body is sent after the request's connection has gone back to the pool, so the rows
    are read through a separate, read-only connection, trimmed of cached objects between
    chunks so that a large log does not fill the memory.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(header)
    manager = transaction.TransactionManager()
    connection = db.open(transaction_manager=manager)
    try:
        audit_log = get_audit_log(connection.get(site_oid))
        entries = audit_log.iterate(**arguments) if audit_log is not None else ()
        for count, entry in enumerate(entries, 1):
            writer.writerow([
                f"{entry.time.astimezone(zone):%Y-%m-%d %H:%M:%S}", _cell(entry.actor),
                labels.get(entry.action, entry.action), entry.action, _cell(entry.target),
                _cell(entry.details), _cell(entry.address)])
            if count % CSV_BATCH == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
                connection.cacheGC()
        yield buffer.getvalue().encode("utf-8")
    finally:
        manager.abort()
        connection.close()


@view_config(context=Site, name="audit-log.csv", permission=MANAGE)
def audit_log_csv(context, request):
    """The filtered entries as CSV (UTF-8 with a byte-order mark, for spreadsheet programs)."""
    form, arguments, errors = read_filters(request)
    if errors:  # the page says what is wrong with the filters
        return HTTPSeeOther(location=request.resource_url(context, "@@audit-log",
                                                          query=_query_string(form)))
    translate = request.localizer.translate
    zone = _zone(request)
    header = [translate(_("Time (${zone})", mapping={"zone": zone.key})),
              translate(_("User")), translate(_("Action")), translate(_("Action code")),
              translate(_("Target")), translate(_("Details")), translate(_("IP address"))]
    chunks = _csv_chunks(get_connection(request).db(), context._p_oid, arguments, header,
                         action_labels(request), zone)
    response = Response(app_iter=chunks, content_type="text/csv", charset="utf-8")
    response.content_disposition = 'attachment; filename="audit-log.csv"'
    response.cache_control = "no-store"
    return response
