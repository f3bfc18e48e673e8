"""The search page and the search box's suggestions through WebTest (issue 6: P5, S8): words,
filters with counts (type, section, year, document kind, issuing body), the range of
publication dates, shareable URLs, and the search box in every page's header."""
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from webtest import TestApp

from .conftest import T0, add_user, clocked_app, editing
from .test_login import sign_in

NEWS = "/xay-dung-dang/cong-tac-tuyen-giao/tin-hoat-dong/"
RESOLUTION = "Đưa Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XXI vào cuộc sống"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
PROVINCE = "Ban Thường vụ Tỉnh ủy"
PROPAGANDA = "Ban Tuyên giáo Tỉnh ủy"
SCHEDULED_KIND = "Quy chế chưa công bố"     # only on a File published after the clock's time


def describe_documents(site):
    """Give the Files of the province's and the propaganda board's documents an issuing body and
    a kind (their folder's title), as the legal document type will, and reindex them; one more
    File, to be published after the clock's time, gets a kind nobody else has."""
    from portal.catalog import index
    documents = site["he-thong-van-ban"]
    for body, folder in ((PROVINCE, documents["van-ban-cua-tinh-uy"]),
                         (PROPAGANDA, documents["van-ban-cac-co-quan-tham-muu"]["ban-tuyen-giao"])):
        for kind in (folder[name] for name in folder):
            for item in (kind[name] for name in kind):
                if item.type_name == "File":
                    item.issuing_body, item.document_kind = body, kind.title
                    index(item)
    later = documents["van-ban-cac-co-quan-tham-muu"]["ban-to-chuc"]["cong-van"]
    item = next(later[name] for name in later if later[name].type_name == "File")
    item.document_kind = SCHEDULED_KIND
    item.set_effective(T0 + timedelta(days=30))
    index(item)


@pytest.fixture(scope="module")
def portal(tmp_path_factory, demo_var):
    import shutil
    var = tmp_path_factory.mktemp("search") / "var"
    shutil.copytree(demo_var, var)
    with editing(var) as site:
        add_user(site, "bientap", "Biên Tập", groups=("ban-tuyen-giao",))
        describe_documents(site)
    app, _clock = clocked_app(var)
    editor = TestApp(app)
    sign_in(editor, "bientap")
    form = editor.get(NEWS + "@@add?type=NewsItem").forms["manage-form"]
    form["title"] = "Bản nháp bí mật về nghị quyết đại hội"
    form["body"] = "<p>Từ khóa riêng tư: zqxbimat.</p>"
    form.submit("save", status=303)
    yield TestApp(app), editor
    app.registry._zodb_databases[""].close()


def titles(page):
    return [a.text for a in page.html.select(".search-results .item-title a")]


def test_a_citizen_without_accents_finds_the_congress_resolution_first(portal):
    anonymous, _editor = portal
    page = anonymous.get("/search", {"q": "nghi quyet dai hoi"})
    assert titles(page)[0].startswith(RESOLUTION)
    assert page.html.select_one("#search-q")["value"] == "nghi quyet dai hoi"
    assert "<mark>" in str(page.html.select_one(".snippet"))
    assert not any("bí mật" in title for title in titles(page))       # a draft: never found


def test_filters_narrow_with_counts_and_shareable_urls(portal):
    anonymous, _editor = portal
    page = anonymous.get("/search", {"q": "nghi quyet"})
    total = int(page.html.select_one("#results-title").text.split(":")[1])
    facets = {a.get_text(" ", strip=True): a["href"] for a in page.html.select(".facets a")}
    news = next(label for label in facets if label.startswith("Tin bài"))
    count = int(news.rsplit("(", 1)[1].rstrip(")"))
    assert 0 < count <= total
    years = [int(label.rsplit("(", 1)[1].rstrip(")")) for label in facets
             if label[:4].isdigit()]
    assert sum(years) == total                     # every result has its year
    narrowed = anonymous.get(facets[news].replace("http://localhost", ""))
    assert int(narrowed.html.select_one("#results-title").text.split(":")[1]) == count
    assert narrowed.html.select_one(".facets [aria-current]")
    by_date = anonymous.get("/search", {"q": "nghi quyet", "sort": "date"})
    dates = [t["datetime"] for t in by_date.html.select(".search-results time")]
    assert len(dates) > 1 and dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("params", [
    {"q": ""}, {"q": "x" * 10000}, {"q": "nghi", "page": "-1"}, {"q": "nghi", "page": "abc"},
    {"q": "\u200b\ufeff\u0301"}, {"q": '"unbalanced AND ( OR *'}, {"q": "nghi", "type": "Virus"},
    {"q": "nghi", "year": "20x6"}, {"q": "nghi", "section": "../../etc"}, {"q": "nghi", "sort": "x"},
    {"type": "File"}, {"q": "<script>alert(1)</script>"}, {"from": "x"}, {"to": "2026-02-30"},
    {"from": "2027-01-01", "to": "2026-01-01"}, {"from": "-1-01-01"}, {"kind": "x" * 5000},
    {"q": "nghi", "from": "9999-12-31"},
])
def test_bad_input_gives_a_clear_page(portal, params):
    anonymous, _editor = portal
    page = anonymous.get("/search", params)
    assert page.status_int == 200 and page.html.select_one("h1").text == "Tìm kiếm"
    assert "<script>alert(1)" not in page.text


def test_unknown_filters_are_said_to_be_ignored(portal):
    anonymous, _editor = portal
    page = anonymous.get("/search", {"q": "nghi quyet", "type": "Virus"})
    assert page.html.select_one(".notice").text == "Một bộ lọc không có đã được bỏ qua."


def test_suggestions_never_reveal_a_drafts_words(portal):
    anonymous, editor = portal
    assert "nghi quyet" in anonymous.get("/search-suggest", {"q": "nghi q"}).json
    assert anonymous.get("/search-suggest", {"q": "zqxbi"}).json == []
    assert editor.get("/search-suggest", {"q": "zqxbi"}).json == ["zqxbimat"]
    assert anonymous.get("/search-suggest", {"q": "x" * 5000}).json == []



# The range of publication dates ------------------------------------------------------------

def count_of(page):
    return int(page.html.select_one("#results-title").text.split(":")[1])


def local_days(page):
    """The publication days of the results shown, in the portal's time zone."""
    return [datetime.fromisoformat(time["datetime"]).astimezone(ZONE).date()
            for time in page.html.select(".search-results time")]


def facet(page, name):
    """{label with count: href} of the options of the facet ``name`` (current one included)."""
    return {a.get_text(" ", strip=True): a["href"].replace("http://localhost", "")
            for a in page.html.select(f"#facet-{name} a")}


def test_a_date_range_narrows_the_results(portal):
    anonymous, _editor = portal
    everything = count_of(anonymous.get("/search", {"q": "nghi quyet"}))
    page = anonymous.get("/search", {"q": "nghi quyet", "from": "2026-01-01",
                                     "to": "2026-06-30", "sort": "date"})
    assert 0 < count_of(page) < everything
    days = local_days(page)
    assert days and all(date(2026, 1, 1) <= day <= date(2026, 6, 30) for day in days)
    assert days == sorted(days, reverse=True)
    assert list(facet(page, "year")) == [f"2026 ({count_of(page)})"]   # the years agree
    assert page.html.select_one("#search-from")["value"] == "2026-01-01"
    assert page.html.select_one("#search-to")["value"] == "2026-06-30"
    assert not page.html.select(".notice")
    # "Clear the dates" keeps the words and drops both dates.
    cleared = page.html.select_one(".search-dates-buttons a")["href"]
    assert parse_qs(urlsplit(cleared).query) == {"q": ["nghi quyet"], "sort": ["date"]}


def test_open_ended_ranges_split_the_results_at_a_day(portal):
    anonymous, _editor = portal
    everything = count_of(anonymous.get("/search", {"q": "nghi quyet"}))
    since = anonymous.get("/search", {"q": "nghi quyet", "from": "2026-07-01", "sort": "date"})
    until = anonymous.get("/search", {"q": "nghi quyet", "to": "2026-06-30", "sort": "date"})
    assert count_of(since) + count_of(until) == everything        # no day lost nor counted twice
    assert all(day >= date(2026, 7, 1) for day in local_days(since))
    assert all(day <= date(2026, 6, 30) for day in local_days(until))


def test_a_single_day_is_a_day_of_the_portals_time_zone(portal):
    anonymous, _editor = portal
    listing = anonymous.get("/search", {"from": "2000-01-01"})
    first = listing.html.select_one(".search-results .item")
    when = datetime.fromisoformat(first.select_one("time")["datetime"])
    day = when.astimezone(ZONE).date().isoformat()
    page = anonymous.get("/search", {"from": day, "to": day})
    assert first.select_one(".item-title a").text in titles(page)
    assert set(local_days(page)) == {date.fromisoformat(day)}


def test_the_range_combines_with_the_other_filters(portal):
    anonymous, _editor = portal
    files = anonymous.get("/search", {"q": "tinh", "type": "File"})
    narrowed = anonymous.get("/search", {"q": "tinh", "type": "File", "from": "2026-06-01",
                                         "sort": "date"})
    assert 0 < count_of(narrowed) < count_of(files)
    assert all(meta.text.startswith("Tệp") for meta in narrowed.html.select(".search-results .meta"))
    year = anonymous.get("/search", {"q": "tinh", "year": "2025", "to": "2025-06-30"})
    assert all(date(2025, 1, 1) <= day <= date(2025, 6, 30) for day in local_days(year))
    # The other filters ride along in the form as hidden fields; the dates in their own.
    hidden = {field["name"]: field["value"]
              for field in narrowed.html.select(".search-form input[type=hidden]")}
    assert hidden == {"type": "File"}


@pytest.mark.parametrize("dates", [
    {"from": "2026-13-01"}, {"from": "2026-02-30"}, {"from": "20260101"}, {"to": "hôm qua"},
    {"from": "0001-01-01"}, {"to": "9999-12-31"}, {"from": "2026-W01-1"}, {"to": " "},
    {"from": "２０２６-０１-０１"},
])
def test_dates_that_cannot_be_read_are_ignored_and_said_so(portal, dates):
    anonymous, _editor = portal
    everything = count_of(anonymous.get("/search", {"q": "nghi quyet"}))
    page = anonymous.get("/search", dict({"q": "nghi quyet"}, **dates))
    assert count_of(page) == everything
    assert bool(page.html.select("#ignored-date")) == bool(dates.get("from", dates.get("to")).strip())
    assert page.html.select_one("#search-from")["value"] == ""
    assert page.html.select_one("#search-to")["value"] == ""


def test_a_range_ending_before_it_starts_is_ignored_and_said_so(portal):
    anonymous, _editor = portal
    everything = count_of(anonymous.get("/search", {"q": "nghi quyet"}))
    page = anonymous.get("/search", {"q": "nghi quyet", "from": "2026-06-30", "to": "2026-01-01"})
    assert count_of(page) == everything
    assert page.html.select("#ignored-range") and not page.html.select("#ignored-date")
    # One readable date still applies when the other cannot be read.
    page = anonymous.get("/search", {"q": "nghi quyet", "from": "2026-02-30", "to": "2025-12-31"})
    assert page.html.select("#ignored-date") and 0 < count_of(page) < everything
    assert all(day <= date(2025, 12, 31) for day in local_days(page))


def test_dates_and_facets_are_kept_in_every_link(portal):
    anonymous, _editor = portal
    params = {"q": "tinh", "from": "2025-01-01", "to": "2026-12-31"}
    page = anonymous.get("/search", params)
    assert count_of(page) > 20
    links = [a["href"] for a in page.html.select(".pager a, .sorts a, .facets a")]
    assert any("page=2" in href for href in links) and any("sort=date" in href for href in links)
    for href in links:
        query = parse_qs(urlsplit(href).query)
        assert query["from"] == ["2025-01-01"] and query["to"] == ["2026-12-31"], href
    second = anonymous.get(page.html.select_one(".pager a[rel=next]")["href"])
    assert count_of(second) == count_of(page)
    assert second.html.select_one("#search-from")["value"] == "2025-01-01"
    # A chosen kind and issuing body stay in the sort and page links too.
    chosen = anonymous.get("/search", dict(params, kind="Báo cáo", issuer=PROVINCE))
    links = chosen.html.select(".sorts a, .facets li:not(:has([aria-current])) a")
    assert links
    for a in links:
        query = parse_qs(urlsplit(a["href"]).query)
        assert query["kind"] == ["Báo cáo"] and query["issuer"] == [PROVINCE], a["href"]
    for strong in chosen.html.select(".facets [aria-current]"):     # "remove" drops its own
        query = parse_qs(urlsplit(strong.find_next_sibling("a")["href"]).query)
        assert len({"kind", "issuer"} & set(query)) == 1 and query["from"] == ["2025-01-01"]


# Facets of documents: kind and issuing body ----------------------------------------------

def test_document_facets_narrow_with_counts(portal):
    anonymous, _editor = portal
    page = anonymous.get("/search", {"from": "2000-01-01"})
    kinds, bodies = facet(page, "kind"), facet(page, "issuer")
    assert "Nghị quyết (2)" in kinds and "Chỉ thị (2)" in kinds
    assert set(bodies) == {f"{PROVINCE} (14)", f"{PROPAGANDA} (6)"}
    assert not any(SCHEDULED_KIND in label for label in kinds)     # not out yet: not offered
    counts = [int(label.rsplit("(", 1)[1].rstrip(")")) for label in kinds]
    assert counts == sorted(counts, reverse=True)                   # the most frequent first

    narrowed = anonymous.get(bodies[f"{PROPAGANDA} (6)"])
    assert count_of(narrowed) == 6
    assert {a.text.split(" · ")[0] for a in narrowed.html.select(".search-results .meta")} == {
        "Tệp"}
    assert narrowed.html.select_one("#facet-issuer [aria-current]").text.startswith(PROPAGANDA)
    assert facet(narrowed, "kind")                                  # kinds within that body
    both = anonymous.get(next(iter(facet(narrowed, "kind").values())))
    assert 0 < count_of(both) <= 6
    query = parse_qs(urlsplit(both.request.url).query)
    assert query["issuer"] == [PROPAGANDA] and "kind" in query


def test_labels_from_the_content_are_marked_vietnamese_under_english(portal):
    anonymous, _editor = portal
    english = TestApp(anonymous.app)
    english.get("/@@set-language?lang=en", status=303)
    page = english.get("/search", {"q": "chi thi"})
    assert page.html.select_one("#facet-type h3").text == "Type"
    assert not page.html.select_one("#facet-type ul").get("lang")
    assert page.html.select_one("#facet-kind ul")["lang"] == "vi"
    assert page.html.select_one("#facet-issuer ul")["lang"] == "vi"
    assert page.html.select_one("#site-search-q")["placeholder"] == "Search the portal…"


def test_document_facets_show_only_when_results_carry_values(portal):
    anonymous, _editor = portal
    news = anonymous.get("/search", {"q": "nghi quyet", "type": "NewsItem"})
    assert count_of(news) and news.html.select("#facet-type")
    assert not news.html.select("#facet-kind") and not news.html.select("#facet-issuer")


@pytest.mark.parametrize("params", [
    {"kind": "Không có loại này"}, {"kind": SCHEDULED_KIND}, {"issuer": "x" * 500},
    {"issuer": "<b>Ban</b>"}, {"kind": ""},
])
def test_unknown_document_values_are_ignored_and_said_so(portal, params):
    anonymous, _editor = portal
    everything = count_of(anonymous.get("/search", {"q": "tinh"}))
    page = anonymous.get("/search", dict({"q": "tinh"}, **params))
    assert count_of(page) == everything
    assert bool(page.html.select("#ignored-filter")) == bool(next(iter(params.values())))
    assert "<b>Ban" not in page.text


# The search box in every page's header ---------------------------------------------------

@pytest.mark.parametrize("path", ["/", NEWS, "/gioi-thieu/", "/khong-co-trang-nay"])
def test_every_page_has_the_search_box_in_its_header(portal, path):
    anonymous, _editor = portal
    page = anonymous.get(path, status="*")
    assert page.status_int in (200, 404)
    form = page.html.select_one("header #site-search")
    assert form["method"] == "get" and form["action"] == "http://localhost/search"
    assert form["role"] == "search" and form["aria-label"]
    field = form.select_one("input[name=q]")
    assert field["type"] == "search" and field["value"] == ""
    assert form.select_one(f"label[for={field['id']}]").text.strip()
    assert form.select_one("button[type=submit]").text.strip() == "Tìm"
    assert field["data-suggest"] == "http://localhost/search-suggest"
    # The suggestions' script: a file loaded with defer, allowed by the CSP; no inline script.
    script = page.html.select_one("head script[src*='/static/search.js']")
    assert script.has_attr("defer")
    assert all(tag.get("src") for tag in page.html.select("script"))
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_the_header_box_searches_and_keeps_the_query(portal):
    anonymous, _editor = portal
    form = anonymous.get(NEWS).forms["site-search"]
    form["q"] = "nghi quyet dai hoi"
    page = form.submit()
    assert page.request.path == "/search"
    assert titles(page)[0].startswith(RESOLUTION)
    assert page.html.select_one("#site-search-q")["value"] == "nghi quyet dai hoi"
    assert page.html.select_one("#search-q")["value"] == "nghi quyet dai hoi"
    # Only the search page fills the box.
    assert anonymous.get("/", {"q": "nghi"}).html.select_one("#site-search-q")["value"] == ""


def test_the_suggestions_script_inserts_text_only(portal):
    anonymous, _editor = portal
    src = anonymous.get("/").html.select_one("script[src*='/static/search.js']")["src"]
    script = anonymous.get(src.replace("http://localhost", ""))
    assert "javascript" in script.content_type
    assert "textContent" in script.text
    assert "innerHTML" not in script.text and "insertAdjacentHTML" not in script.text


def found_count(browser, text):
    page = browser.get("/search", {"q": text})
    title = page.html.select_one("#results-title")
    return int(title.text.split(":")[1]) if title else 0


def test_kept_answers_follow_every_change_and_never_reach_signed_in_people(demo_copy):
    from portal.content.types import NewsItem
    from portal.publishing.policy import place

    from .test_catalog import app_site
    with editing(demo_copy) as site:
        add_user(site, "bientap", "Biên Tập", groups=("ban-tuyen-giao",))
    app, clock = clocked_app(demo_copy)
    try:
        anonymous, editor = TestApp(app), TestApp(app)
        sign_in(editor, "bientap")
        assert found_count(anonymous, "zqxmoi") == 0
        assert found_count(anonymous, "zqxmoi") == 0  # asked again: the kept answer
        with app_site(app) as site:
            news = site["tin-tuc-su-kien"]["trong-tinh"]
            item = NewsItem("Tin zqxmoi vừa đăng")
            item.set_dates(clock.now(), clock.now() - timedelta(minutes=1))
            news.add("tin-zqxmoi", item, registry=app.registry)
            place(app.registry, item, "published")
        assert found_count(anonymous, "zqxmoi") == 1  # the change dropped the kept answer
        form = editor.get(NEWS + "@@add?type=NewsItem").forms["manage-form"]
        form["title"], form["body"] = "Bản nháp zqxnhap", "<p>Nội dung.</p>"
        form.submit("save", status=303)
        assert found_count(anonymous, "zqxnhap") == 0
        assert found_count(editor, "zqxnhap") == 1  # never the anonymous visitors' answer
        assert found_count(anonymous, "zqxnhap") == 0
    finally:
        app.registry._zodb_databases[""].close()
