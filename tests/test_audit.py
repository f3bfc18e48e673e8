"""The audit log (O4): its storage, ``audit()``, the Manager's page and the CSV export."""
import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import transaction
from pyramid import testing
from webtest import TestApp
from ZODB import DB

from portal.clock import FixedClock
from portal.content.types import Site
from portal.security.audit import ACTIONS, AuditLog, audit, get_audit_log
from portal.startup import ensure_site
from portal.testing import open_db

from .conftest import NOW, make_app

T0 = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)           # 10:00 in Ha Noi


def minutes(n):
    return T0 + timedelta(minutes=n)


@pytest.fixture
def counted(monkeypatch):
    """A list that grows by one key for every entry an AuditLog loads."""
    loaded = []
    original = AuditLog._entry

    def entry(self, key):
        loaded.append(key)
        return original(self, key)

    monkeypatch.setattr(AuditLog, "_entry", entry)
    return loaded


class TestAuditLog:
    def test_entries_come_newest_first_whatever_order_they_were_recorded_in(self):
        log = AuditLog()
        log.record(minutes(5), "an", "login", target="an")
        log.record(minutes(1), "binh", "deleted", target="/tin-tuc/a")
        log.record(minutes(9), "chi", "moved", target="/tin-tuc/b")
        entries, total = log.query()
        assert [entry.actor for entry in entries] == ["chi", "an", "binh"]
        assert total == 3 == len(log)

    def test_entries_of_the_same_instant_keep_the_order_they_were_recorded_in(self):
        log = AuditLog()
        for n in range(5):
            log.record(T0, "an", "login-failed", target=f"try-{n}")
        log.record(T0 + timedelta(microseconds=300), "an", "lockout", target="an")
        targets = [entry.target for entry in log.query()[0]]
        assert targets == ["an", "try-4", "try-3", "try-2", "try-1", "try-0"]

    def test_an_entry_holds_utc_time_actor_action_target_details_and_address(self):
        log = AuditLog()
        hanoi = T0.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
        log.record(hanoi, "an", "roles-changed", target="/van-ban",
                   details="Editor → nhom:ban-tuyen-giao", address="10.1.2.3")
        (entry,), _total = log.query()
        assert entry == (T0, "an", "roles-changed", "/van-ban",
                         "Editor → nhom:ban-tuyen-giao", "10.1.2.3")
        assert entry.time.tzinfo is UTC and entry.action == "roles-changed"
        # Stored as a plain tuple: no class of ours is pickled into the database.
        assert type(log._entries[log._entries.minKey()]) is tuple

    def test_unknown_actions_and_naive_times_are_refused(self):
        log = AuditLog()
        with pytest.raises(ValueError):
            log.record(T0, "an", "published")
        with pytest.raises(ValueError):
            log.record(datetime(2026, 11, 2, 10, 0), "an", "login")
        assert len(log) == 0 and log.query() == ([], 0)

    def test_text_is_kept_to_one_short_line(self):
        log = AuditLog()
        log.record(T0, "an\nfake entry", "deleted", target="/a\r\n/b", details="x" * 5000,
                   address="10.0.0.1\t")
        (entry,), _total = log.query()
        assert entry.actor == "an fake entry" and entry.target == "/a /b"
        assert len(entry.details) == 500 and entry.address == "10.0.0.1"

    def test_filters_by_actor_action_target_and_time(self):
        log = AuditLog()
        log.record(minutes(0), "an", "login", target="an")
        log.record(minutes(1), "an", "deleted", target="/tin-tuc/bai-mot")
        log.record(minutes(2), "binh", "deleted", target="/van-ban/quyet-dinh")
        log.record(minutes(3), "binh", "moved", target="/tin-tuc/bai-hai")
        log.record(minutes(4), "", "login-failed", target="khach")

        def targets(**filters):
            entries, total = log.query(**filters)
            assert total == len(entries)
            return [entry.target for entry in entries]

        assert targets(actor="an") == ["/tin-tuc/bai-mot", "an"]
        assert targets(actor="") == ["khach"]
        assert targets(actor="nobody") == []
        assert targets(action="deleted") == ["/van-ban/quyet-dinh", "/tin-tuc/bai-mot"]
        assert targets(actor="binh", action="deleted") == ["/van-ban/quyet-dinh"]
        assert targets(actor="an", action="moved") == []
        assert targets(target_prefix="/tin-tuc/") == ["/tin-tuc/bai-hai", "/tin-tuc/bai-mot"]
        assert targets(target_contains="BAI") == ["/tin-tuc/bai-hai", "/tin-tuc/bai-mot"]
        assert targets(since=minutes(1), until=minutes(3)) == [
            "/van-ban/quyet-dinh", "/tin-tuc/bai-mot"]
        assert targets(since=minutes(3)) == ["khach", "/tin-tuc/bai-hai"]
        assert targets(until=minutes(1)) == ["an"]
        assert targets(action="deleted", since=minutes(2), target_contains="van") == [
            "/van-ban/quyet-dinh"]

    def test_time_filters_are_exact_below_the_millisecond(self):
        log = AuditLog()
        log.record(T0 + timedelta(microseconds=100), "an", "login", target="early")
        log.record(T0 + timedelta(microseconds=900), "an", "login", target="late")
        since = T0 + timedelta(microseconds=500)
        assert [e.target for e in log.query(since=since)[0]] == ["late"]
        assert [e.target for e in log.query(until=since)[0]] == ["early"]
        assert log.query(since=T0, until=T0 + timedelta(milliseconds=1))[1] == 2

    def test_pages_and_totals(self):
        log = AuditLog()
        for n in range(120):
            log.record(minutes(n), "an", "login" if n % 2 else "logout", target=f"t{n}")
        entries, total = log.query(start=50, limit=50)
        assert total == 120 and [e.target for e in entries][:2] == ["t69", "t68"]
        entries, total = log.query(start=100, limit=50)
        assert total == 120 and len(entries) == 20 and entries[-1].target == "t0"
        assert log.query(start=500) == ([], 120)
        entries, total = log.query(action="login", start=10, limit=5)
        assert total == 60 and [e.target for e in entries] == ["t99", "t97", "t95", "t93", "t91"]
        entries, total = log.query(target_contains="t1", start=2, limit=3)
        assert total == 31 and [e.target for e in entries] == ["t117", "t116", "t115"]

    def test_iterate_yields_every_match_newest_first(self):
        log = AuditLog()
        for n in range(30):
            log.record(minutes(n), "an" if n % 3 else "binh", "login")
        times = [entry.time for entry in log.iterate(actor="binh")]
        assert times == [minutes(n) for n in range(27, -1, -3)]
        assert len(list(log.iterate())) == 30

    def test_a_page_of_ten_thousand_entries_loads_only_the_entries_shown(self, counted):
        log = AuditLog()
        actions = list(ACTIONS)
        for n in range(10_000):
            log.record(T0 + timedelta(seconds=n), "quantri" if n % 1000 == 0 else f"u{n % 7}",
                       actions[n % len(actions)], target=f"/muc/{n}")
        assert len(log) == 10_000

        entries, total = log.query(start=200, limit=50)
        assert total == 10_000 and entries[0].target == "/muc/9799"
        assert len(counted) == 50
        counted.clear()

        entries, total = log.query(action="deleted", since=T0 + timedelta(seconds=5000),
                                   limit=20)
        assert total == len([n for n in range(5000, 10_000) if actions[n % len(actions)]
                             == "deleted"])
        assert all(e.action == "deleted" for e in entries) and len(counted) == 20
        counted.clear()

        # A text filter looks only at the entries the indexes leave.
        entries, total = log.query(actor="quantri", target_contains="/muc/9")
        assert [e.target for e in entries] == ["/muc/9000"] and total == 1
        assert len(counted) == 10

    def test_concurrent_writers_do_not_conflict_even_in_the_same_millisecond(self, tmp_path):
        db = open_db(tmp_path)          # FileStorage: it resolves conflicts, MappingStorage not
        managers = [transaction.TransactionManager() for _ in range(3)]
        first = db.open(managers[0])
        first.root()["log"] = AuditLog()
        first.root()["log"].record(T0, "an", "login")      # (empty BTree buckets never merge)
        managers[0].commit()
        second, third = db.open(managers[1]), db.open(managers[2])
        first.root()["log"].record(minutes(1), "an", "login")
        second.root()["log"].record(minutes(2), "binh", "logout")
        managers[0].commit()
        managers[1].commit()            # resolved: different keys, and the Length merges
        third.root()["log"].record(minutes(3), "an", "login")
        managers[2].commit()
        managers[0].begin()
        assert len(first.root()["log"]) == 4
        # The same millisecond: each writer picks a random slot within it, so both commit.
        managers[1].begin()
        first.root()["log"].record(minutes(4), "an", "login")
        second.root()["log"].record(minutes(4), "binh", "login")
        managers[0].commit()
        managers[1].commit()
        managers[0].begin()
        assert len(first.root()["log"]) == 6
        db.close()


class TestGetAuditLog:
    def test_new_sites_have_a_log(self):
        site = ensure_site({}, NOW)
        assert isinstance(site.audit_log, AuditLog) and get_audit_log(site) is site.audit_log

    def test_an_older_site_gets_its_log_only_when_written_to(self):
        site = Site(title="Cổng")
        assert get_audit_log(site) is None and "audit_log" not in site.__dict__
        made = get_audit_log(site, create=True)
        assert isinstance(made, AuditLog) and get_audit_log(site) is made


class TestAuditFunction:
    @pytest.fixture
    def config(self):
        config = testing.setUp()
        config.registry.portal_clock = FixedClock(T0)
        yield config
        testing.tearDown()

    def request(self, site):
        request = testing.DummyRequest()
        request.root, request.client_addr = site, "203.0.113.9"
        return request

    def test_records_the_clock_time_the_signed_in_user_and_the_address(self, config):
        config.testing_securitypolicy(userid="bientap")
        site = ensure_site({}, NOW)
        entry = audit(self.request(site), "deleted", target="/tin-tuc/bai", details="3 items")
        assert entry == (T0, "bientap", "deleted", "/tin-tuc/bai", "3 items", "203.0.113.9")
        assert site.audit_log.query() == ([entry], 1)

    def test_anonymous_is_an_empty_actor_and_an_explicit_actor_wins(self, config):
        site = ensure_site({}, NOW)
        config.registry.portal_clock.advance(timedelta(minutes=1))
        failed = audit(self.request(site), "login-failed", target="quantri")
        signed_in = audit(self.request(site), "login", target="quantri", actor="quantri")
        assert failed.actor == "" and signed_in.actor == "quantri"
        assert failed.time == signed_in.time == minutes(1)
        assert [e.action for e in site.audit_log.query()[0]] == ["login", "login-failed"]

    def test_the_first_write_to_an_older_site_creates_its_log(self, config):
        site = Site(title="Cổng")
        audit(self.request(site), "logout", actor="an")
        assert len(site.audit_log) == 1

    def test_unknown_actions_are_programming_errors(self, config):
        with pytest.raises(ValueError):
            audit(self.request(ensure_site({}, NOW)), "signed-in")


# Functional tests: the page and the export over a copy of the demo database.

MANAGER = "quantri"


def fill(var, count=120, drop_log=False):
    """Add a manager and ``count`` entries (one a minute from T0) to the database in ``var``."""
    from portal.security.principals import User

    db = open_db(var)
    conn = db.open()
    with transaction.manager:
        site = conn.root()["portal"]
        if MANAGER not in site.users:
            site.users.add(User(MANAGER, "Quản trị viên", "quantri@example.vn",
                                roles=("Manager",)))
        if drop_log:
            del site.audit_log
        else:
            log = get_audit_log(site, create=True)
            actors = ("bientap", "", MANAGER)
            actions = ("login", "login-failed", "deleted", "moved")
            for n in range(count):
                log.record(minutes(n), actors[n % 3], actions[n % 4],
                           target=f"/tin-tuc/bai-{n}", details=f"chi tiết {n}",
                           address="198.51.100.7")
            log.record(minutes(count), "", "login-failed", target="=HYPERLINK(\"http://x\")",
                       details="@SUM(A1)", address="198.51.100.8")
    conn.close()
    db.close()


def signed_in_as_manager(app):
    """WebTest over ``app`` carrying a manager's session that passed the second step (when a
    security policy is set)."""
    from pyramid.interfaces import ISecurityPolicy
    from pyramid.request import Request
    from pyramid.security import remember

    testapp = TestApp(app)
    if app.registry.queryUtility(ISecurityPolicy) is not None:
        request = Request.blank("/")
        request.registry = app.registry
        for name, value in remember(request, MANAGER, two_step=True):
            if name.lower() == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _sep, token = cookie.partition("=")
                testapp.set_cookie(key, token.strip('"'))
    return testapp


@pytest.fixture
def audited(demo_copy):
    """(WebTest as a manager, storage) over a demo database holding 121 entries."""
    fill(demo_copy)
    app = make_app(demo_copy)
    app.registry.portal_clock = FixedClock(minutes(200))
    yield signed_in_as_manager(app), app.registry._zodb_databases[""].storage
    app.registry._zodb_databases[""].close()


def rows(page):
    return page.html.select("table.data-table tbody tr")


def cell_texts(page, column):
    return [row.select("td")[column].get_text(" ", strip=True) for row in rows(page)]


class TestAuditPage:
    def test_a_manager_sees_the_newest_entries_first_in_an_accessible_table(self, audited):
        app, _storage = audited
        page = app.get("/@@audit-log")
        assert page.status_int == 200
        table = page.html.select_one(".table-scroll table.data-table")
        assert table.caption.get_text(strip=True)
        assert [th.get("scope") for th in table.select("thead th")] == ["col"] * 6
        assert len(rows(page)) == 50
        assert cell_texts(page, 3)[:2] == ['=HYPERLINK("http://x")', "/tin-tuc/bai-119"]
        # 03:00 UTC is 10:00 in Ha Noi; Vietnamese labels and dates.
        assert cell_texts(page, 0)[1] == "02/11/2026 11:59"
        assert rows(page)[1].time["datetime"] == minutes(119).isoformat()
        assert "Đăng nhập không thành công" in cell_texts(page, 2)
        assert "121" in page.html.select_one(".audit-summary").get_text()

    def test_the_filters_narrow_the_list_and_stay_in_the_form(self, audited):
        app, _storage = audited
        page = app.get("/@@audit-log", {"actor": "bientap", "action": "deleted"})
        # actor n % 3 == 0 and action n % 4 == 2: n = 6, 18, 30 … 114
        assert cell_texts(page, 3) == [f"/tin-tuc/bai-{n}" for n in range(114, 0, -12)]
        assert page.html.select_one("#audit-actor")["value"] == "bientap"
        assert page.html.select_one("#audit-action option[selected]")["value"] == "deleted"
        page = app.get("/@@audit-log", {"target": "BAI-11"})
        assert sorted(cell_texts(page, 3)) == sorted(
            [f"/tin-tuc/bai-{n}" for n in [11] + list(range(110, 120))])

    def test_dates_are_whole_days_in_the_portal_time_zone(self, demo_copy):
        db = open_db(demo_copy)
        conn = db.open()
        with transaction.manager:
            log = get_audit_log(conn.root()["portal"], create=True)
            # 16:59 and 17:00 UTC on 1 November are 23:59 on the 1st and 00:00 on the 2nd.
            log.record(datetime(2026, 11, 1, 16, 59, tzinfo=UTC), "an", "login", target="day1")
            log.record(datetime(2026, 11, 1, 17, 0, tzinfo=UTC), "an", "login", target="day2")
        conn.close()
        db.close()
        fill(demo_copy, count=0)
        app = make_app(demo_copy)
        testapp = signed_in_as_manager(app)
        page = testapp.get("/@@audit-log", {"from": "2026-11-02", "to": "2026-11-02",
                                            "actor": "an"})
        assert cell_texts(page, 3) == ["day2"]
        page = testapp.get("/@@audit-log", {"to": "2026-11-01", "actor": "an"})
        assert cell_texts(page, 3) == ["day1"]
        app.registry._zodb_databases[""].close()

    def test_pages_keep_the_filters_and_tolerate_bad_numbers(self, audited):
        app, _storage = audited
        page = app.get("/@@audit-log", {"action": "login-failed"})   # 31 entries
        assert len(rows(page)) == 31 and not page.html.select(".pager")
        page = app.get("/@@audit-log", {"page": "2"})
        assert cell_texts(page, 3)[0] == "/tin-tuc/bai-70"
        older = page.html.select_one(".pager a[rel=next]")["href"]
        assert "page=3" in older
        assert cell_texts(app.get(older), 3)[-1] == "/tin-tuc/bai-0"
        filtered = app.get("/@@audit-log", {"target": "tin-tuc", "action": "", "page": "1"})
        following = filtered.html.select_one(".pager a[rel=next]")["href"]
        assert "target=tin-tuc" in following and "action=" not in following
        for bad in ("abc", "-4", "0", "99999999999999999999999"):
            page = app.get("/@@audit-log", {"page": bad})
            assert page.status_int == 200 and len(rows(page)) in (50, 21)
        assert cell_texts(app.get("/@@audit-log", {"page": "9"}), 3)[-1] == "/tin-tuc/bai-0"

    @pytest.mark.parametrize("query", [
        {"action": "published"},
        {"from": "2026-13-45"},
        {"to": "hôm qua"},
        {"from": "0001-01-01"},
        {"from": "2026-11-05", "to": "2026-11-01"},
    ])
    def test_bad_filters_are_explained_on_the_page(self, audited, query):
        app, _storage = audited
        page = app.get("/@@audit-log", query)
        assert page.status_int == 200
        assert page.html.select_one(".form-error[role=alert] li").get_text(strip=True)
        assert not rows(page)
        # The export sends the user to the page that explains.
        response = app.get("/@@audit-log.csv", query, status=303)
        assert "@@audit-log?" in response.location

    def test_the_english_interface_translates_the_labels(self, audited):
        app, _storage = audited
        app.set_cookie("portal_lang", "en")
        page = app.get("/@@audit-log")
        assert "Sign-in failed" in cell_texts(page, 2)
        assert page.html.select_one("label[for=audit-action]").get_text(strip=True) == "Action"

    def test_viewing_the_log_writes_nothing(self, audited):
        app, storage = audited
        before = storage.lastTransaction()
        app.get("/@@audit-log")
        app.get("/@@audit-log", {"actor": "bientap", "page": "2", "from": "2026-11-01"})
        app.get("/@@audit-log", {"action": "nonsense"})
        app.get("/@@audit-log.csv")
        assert storage.lastTransaction() == before

    def test_a_site_without_a_log_shows_an_empty_one_and_does_not_create_it(self, demo_copy):
        fill(demo_copy, drop_log=True)
        app = make_app(demo_copy)
        storage = app.registry._zodb_databases[""].storage
        before = storage.lastTransaction()
        testapp = signed_in_as_manager(app)
        page = testapp.get("/@@audit-log")
        assert page.status_int == 200 and not rows(page)
        assert page.html.select_one(".audit-summary").get_text().strip().endswith("0")
        csv_response = testapp.get("/@@audit-log.csv")
        assert len(csv_response.body.decode("utf-8-sig").splitlines()) == 1
        assert storage.lastTransaction() == before
        app.registry._zodb_databases[""].close()

    def test_anonymous_visitors_cannot_see_the_log(self, audited):
        app, _storage = audited
        anonymous = TestApp(app.app)
        for path in ("/@@audit-log", "/@@audit-log.csv"):
            response = anonymous.get(path, expect_errors=True)
            # The fixture's clock stands before the site's publication date, when anonymous
            # visitors may not view the site either: the not-found page then.
            assert response.status_int == 404
            assert "bai-119" not in response.text


class TestCsvExport:
    def read(self, response):
        assert response.body.startswith("\ufeff".encode())
        return list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"))))

    def test_the_export_is_an_attachment_in_utf8_with_a_header_row(self, audited):
        app, _storage = audited
        response = app.get("/@@audit-log.csv")
        assert response.content_type == "text/csv" and response.charset.lower() == "utf-8"
        assert response.headers["Content-Disposition"] == 'attachment; filename="audit-log.csv"'
        assert "no-store" in response.headers["Cache-Control"]
        table = self.read(response)
        assert table[0][0] == "Thời gian (Asia/Ho_Chi_Minh)" and len(table[0]) == 7
        assert len(table) == 1 + 121
        assert table[2] == ["2026-11-02 11:59:00", MANAGER, "Di chuyển", "moved",
                            "/tin-tuc/bai-119", "chi tiết 119", "198.51.100.7"]

    def test_cells_never_start_a_formula(self, audited):
        app, _storage = audited
        newest = self.read(app.get("/@@audit-log.csv"))[1]
        assert newest[4] == "'=HYPERLINK(\"http://x\")" and newest[5] == "'@SUM(A1)"

    def test_the_export_follows_the_filters(self, audited):
        app, _storage = audited
        table = self.read(app.get("/@@audit-log.csv", {"action": "deleted", "actor": MANAGER}))
        # actor n % 3 == 2 and action n % 4 == 2: n = 2, 14, 26 … 110
        assert [row[4] for row in table[1:]] == [f"/tin-tuc/bai-{n}" for n in range(110, 0, -12)]
        assert {row[3] for row in table[1:]} == {"deleted"}

    def test_a_large_export_is_sent_in_chunks_from_its_own_connection(self):
        from portal.views.audit import CSV_BATCH, _csv_chunks

        db = DB(None)
        conn = db.open()
        with transaction.manager:
            site = conn.root()["portal"] = ensure_site({}, NOW)
            for n in range(2 * CSV_BATCH + 7):
                site.audit_log.record(minutes(n), "an", "login", target=str(n))
        oid = site._p_oid
        conn.close()
        chunks = list(_csv_chunks(db, oid, {}, ["h"] * 7, {"login": "Đăng nhập"}, UTC))
        assert len(chunks) == 3
        lines = b"".join(chunks).decode("utf-8-sig").splitlines()
        assert len(lines) == 1 + 2 * CSV_BATCH + 7 and lines[1].endswith(",1006,,")
        # Closing the stream early (the client went away) gives the connection back.
        stream = _csv_chunks(db, oid, {}, ["h"] * 7, {}, UTC)
        next(stream)
        stream.close()
        assert all(info["opened"] is None for info in db.connectionDebugInfo())
        db.close()
