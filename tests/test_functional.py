"""Every public page type through WebTest, as an anonymous visitor."""
import re
from urllib.parse import urlsplit

import pytest
import transaction
from webtest import TestApp

from .conftest import make_app

HOST = "http://localhost"


def local(url):
    """The path of ``url`` when it points into the site, else None."""
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != "localhost":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def menu_entries(page):
    """(title, href) of every entry of the main menu, top level and drop-downs."""
    return [(a.text.strip(), a["href"]) for a in page.html.select("#site-menu .menu a")
            if a.text.strip()]


class TestHome:
    def test_home_shows_a_featured_item_and_the_newest_of_each_main_section(self, testapp):
        page = testapp.get("/")
        assert page.html.find("html")["lang"] == "vi"
        featured = page.html.select_one(".featured")
        assert featured is not None and featured.select_one(".featured-title a")
        blocks = page.html.select(".blocks .block")
        titles = {block.select_one(".block-title").text.strip() for block in blocks}
        assert {"Tin tức - Sự kiện", "Xây dựng Đảng", "Hệ thống văn bản"} <= titles
        for block in blocks:
            assert block.select(".card-title a"), block.select_one(".block-title").text
        assert len(page.html.select(".latest-list li")) >= 5

    def test_layout_has_landmarks_skip_link_breadcrumbs_and_footer(self, testapp):
        page = testapp.get("/tin-tuc-su-kien/trong-tinh/")
        html = page.html
        assert html.select_one("a.skip-link")["href"] == "#main"
        assert html.select_one("header.site-header") and html.select_one("footer.site-footer")
        assert html.select_one("main#main")
        crumbs = [li.text.strip() for li in html.select(".breadcrumbs li")]
        assert crumbs == ["Trang chủ", "Tin tức - Sự kiện", "Trong tỉnh"]
        assert "Tỉnh ủy Thái Nguyên" in html.select_one(".footer-about").text
        assert len(html.select(".footer-links a")) == 34


class TestMenus:
    def test_every_menu_entry_opens_content_matching_its_name(self, testapp):
        entries = menu_entries(testapp.get("/"))
        assert len(entries) >= 30
        for title, href in entries:
            path = local(href)
            if path is None:
                assert href.startswith("https://"), (title, href)
                continue
            page = testapp.get(path)
            heading = page.html.select_one("main h1").text.strip()
            if title == "Trang chủ":
                continue
            assert heading == title, (href, heading)
            main = page.html.select_one("main")
            has_content = (main.select(".item-list li") or main.select(".section-grid li")
                           or main.select_one(".body") and main.select_one(".body").text.strip())
            assert has_content, f"{href} opens an empty page"

    def test_menu_lists_the_seven_main_sections_in_seed_order(self, testapp):
        top = [a.text.strip() for a in testapp.get("/").html.select("#site-menu .menu > li > a")]
        assert top == ["Trang chủ", "Giới thiệu", "Tin tức - Sự kiện", "Xây dựng Đảng",
                       "Hoạt động của các đảng bộ trực thuộc", "Hệ thống văn bản",
                       "Văn kiện - Tư liệu", "Đất và người Thái Nguyên"]


class TestSection:
    def test_section_lists_newest_first_with_dates(self, testapp):
        page = testapp.get("/tin-tuc-su-kien/trong-tinh/")
        assert page.html.select_one("main h1").text == "Trong tỉnh"
        times = [t["datetime"] for t in page.html.select(".item-list time")]
        assert len(times) >= 8 and times == sorted(times, reverse=True)

    def test_section_listing_paginates_and_tolerates_bad_page_numbers(self, demo_var, tmp_path):
        import shutil
        shutil.copytree(demo_var, tmp_path / "var")
        app = TestApp(make_app(tmp_path / "var", **{"portal.page_size": "3"}))
        first = app.get("/tin-tuc-su-kien/trong-tinh/")
        second = app.get("/tin-tuc-su-kien/trong-tinh/?page=2")

        def titles(page):
            return [a.text for a in page.html.select(".item-title a")]

        assert len(titles(first)) == 3 and len(titles(second)) == 3
        assert not set(titles(first)) & set(titles(second))
        assert first.html.select_one('.pager a[rel="next"]')["href"].endswith("?page=2")
        # A NUL byte is refused before any view (tests/test_malformed.py).
        for bad in ("-1", "abc", "0", "1e9"):
            assert titles(app.get(f"/tin-tuc-su-kien/trong-tinh/?page={bad}")) in (
                titles(first), titles(app.get("/tin-tuc-su-kien/trong-tinh/?page=99999")))
        app.app.registry._zodb_databases[""].close()

    def test_sections_list_their_non_empty_subsections(self, testapp):
        page = testapp.get("/xay-dung-dang/")
        names = [a.text for a in page.html.select(".section-grid a")]
        assert names[:2] == ["Công tác Tuyên giáo", "Công tác Tổ chức"] and len(names) == 6


class TestArticle:
    @pytest.fixture
    def article(self, testapp):
        href = testapp.get("/tin-tuc-su-kien/trong-tinh/").html.select(".item-title a")[1]["href"]
        return testapp.get(local(href))

    def test_article_has_lead_image_dates_author_and_body(self, article):
        html = article.html
        assert html.select_one(".lead").text.strip()
        image = html.select_one(".lead-image img")
        assert image["alt"] and image["srcset"] and image["width"]
        assert html.select_one(".article .meta time")["datetime"]
        assert html.select_one(".byline").text.strip()
        assert len(html.select(".article .body p")) >= 2
        crumbs = [li.text.strip() for li in html.select(".breadcrumbs li")]
        assert crumbs[:3] == ["Trang chủ", "Tin tức - Sự kiện", "Trong tỉnh"]

    def test_article_links_related_items_and_previous_next(self, article, testapp):
        html = article.html
        related = html.select(".related .block-list a")
        assert 0 < len(related) <= 5
        newer = html.select_one('.prevnext a[rel="prev"]')
        older = html.select_one('.prevnext a[rel="next"]')
        assert newer and older
        # following "older" then "newer" comes back to the same article
        back = testapp.get(local(older["href"])).html.select_one('.prevnext a[rel="prev"]')
        assert local(back["href"]) == urlsplit(article.request.url).path


class TestOtherTypes:
    def test_page_link_and_file_views(self, testapp):
        org = testapp.get("/gioi-thieu/co-cau-to-chuc/thuong-truc-tinh-uy/")
        assert org.html.select_one("main h1").text == "Thường trực Tỉnh ủy"
        assert org.html.select_one(".document .body").text.strip()
        link = testapp.get("/he-thong-van-ban/he-thong-van-ban-cua-trung-uong/")
        assert link.html.select_one("a.button")["href"].startswith("https://tulieuvankien")
        listing = testapp.get("/he-thong-van-ban/van-ban-cua-tinh-uy/nghi-quyet/")
        file_href = listing.html.select_one(".item-title a")["href"]
        file_page = testapp.get(local(file_href))
        download = file_page.html.select_one("a.button")["href"]
        pdf = testapp.get(local(download))
        assert pdf.content_type == "application/pdf" and pdf.body.startswith(b"%PDF-")
        ranged = testapp.get(local(download), headers={"Range": "bytes=0-3"}, status=206)
        assert ranged.body == b"%PDF"

    def test_image_scales_are_jpegs_of_the_asked_width(self, testapp):
        from io import BytesIO

        from PIL import Image
        page = testapp.get("/tin-tuc-su-kien/trong-tinh/")
        src = page.html.select_one(".item-image img")["src"]
        for scale, width in (("thumb", 240), ("small", 480), ("medium", 800)):
            response = testapp.get(local(src).rsplit("/", 1)[0] + f"/{scale}")
            assert response.content_type == "image/jpeg"
            assert Image.open(BytesIO(response.body)).width == width
        testapp.get(local(src).rsplit("/", 1)[0] + "/huge", status=404)


class TestErrors:
    def test_unknown_url_gives_a_404_inside_the_layout(self, testapp):
        page = testapp.get("/khong-co-trang-nay/", status=404)
        assert page.html.select_one("main h1").text == "Không tìm thấy trang"
        assert page.html.select_one("#site-menu")

    def test_an_error_shows_a_plain_page_without_traceback(self, demo_copy):
        app = make_app(demo_copy)
        db = app.registry._zodb_databases[""]
        conn = db.open()
        with transaction.manager:
            item = next(iter(conn.root()["portal"]["tin-tuc-su-kien"]["trong-tinh"].values()))
            item.effective = "not a date"  # breaks the date formatting of the page
            path = f"/tin-tuc-su-kien/trong-tinh/{item.__name__}/"
        conn.close()
        page = TestApp(app).get(path, status=500)
        assert "Đã có lỗi xảy ra" in page.text
        assert "Traceback" not in page.text and "AttributeError" not in page.text
        db.close()


class TestLanguages:
    def test_language_switch_keeps_the_page_and_translates_the_interface(self, testapp):
        page = testapp.get("/xay-dung-dang/")
        switch = next(a for a in page.html.select(".langs a") if a["lang"] == "en")
        response = testapp.get(local(switch["href"]), status=303)
        assert response.location.endswith("/xay-dung-dang/")
        english = response.follow()
        assert english.html.find("html")["lang"] == "en"
        assert english.html.select_one(".skip-link").text == "Skip to content"
        assert english.html.select_one("main")["lang"] == "vi"  # the content stays Vietnamese
        home = english.html.select_one(".breadcrumbs li")
        assert home.text.strip() == "Home" and home["lang"] == "en"
        assert english.html.select_one("#site-menu .menu > li")["lang"] == "en"
        testapp.get("/@@set-language?lang=vi")
        assert testapp.get("/").html.select_one(".skip-link").text == \
            "Bỏ qua, đến nội dung chính"

    def test_an_unknown_language_falls_back_to_vietnamese(self, testapp):
        testapp.get("/@@set-language?lang=xx")
        assert testapp.get("/").html.find("html")["lang"] == "vi"
        testapp.set_cookie("portal_lang", "de")
        assert testapp.get("/").html.find("html")["lang"] == "vi"


def test_no_raw_template_expressions_leak_into_pages(testapp):
    for path in ("/", "/tin-tuc-su-kien/", "/khong-co/"):
        text = testapp.get(path, expect_errors=True).text
        assert not re.search(r"\$\{|tal:|metal:|i18n:", text), path
