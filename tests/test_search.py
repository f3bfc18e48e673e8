"""The search page and the search box's suggestions through WebTest (issue 6: P5, S8)."""
import pytest
from webtest import TestApp

from .conftest import add_user, clocked_app, editing
from .test_login import sign_in

NEWS = "/xay-dung-dang/cong-tac-tuyen-giao/tin-hoat-dong/"
RESOLUTION = "Đưa Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XXI vào cuộc sống"


@pytest.fixture(scope="module")
def portal(tmp_path_factory, demo_var):
    import shutil
    var = tmp_path_factory.mktemp("search") / "var"
    shutil.copytree(demo_var, var)
    with editing(var) as site:
        add_user(site, "bientap", "Biên Tập", groups=("ban-tuyen-giao",))
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
    {"type": "File"}, {"q": "<script>alert(1)</script>"},
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
