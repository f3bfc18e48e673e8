"""Images follow the publication of what shows them (S8, E2, E3): an author's image uploaded for
a draft is private (its page, every scale, listings, search, feeds), and becomes public when the
board publishes the article that shows it, never before the article's date. Images already
public on a site made before keep their state through evolve step 6."""
import io
from datetime import timedelta

import pytest
from PIL import Image as PILImage

from portal.catalog.search import Eq, public
from portal.content.blobs import ImageData
from portal.content.types import Image
from portal.evolve import evolve
from portal.security.localroles import set_local_roles
from portal.testing import make_registry, open_db

from .conftest import T0, add_user, clocked_app, editing
from .test_login import form_to, people
from .test_publishing import editing_app

AGENCY = "xay-dung-dang/cong-tac-tuyen-giao"
NEWS = f"/{AGENCY}/tin-hoat-dong/"
OTHER = "/xay-dung-dang/cong-tac-to-chuc/tin-hoat-dong/"
SCALES = ("thumb", "small", "medium", "large", "original")
PHOTO_TITLE = "Ảnh hội nghị báo cáo viên tháng mười hai"
PHOTO = NEWS + "anh-hoi-nghi-bao-cao-vien-thang-muoi-hai/"
ARTICLE_TITLE = "Hội nghị báo cáo viên tháng mười hai"
ARTICLE = NEWS + "hoi-nghi-bao-cao-vien-thang-muoi-hai/"


def jpeg(width=1400, height=900):
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), (20, 120, 40)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def portal(demo_copy):
    """(person, clock, app): an agency's author, its reviewer, the board, an agency's editor."""
    with editing(demo_copy) as site:
        agency = site["xay-dung-dang"]["cong-tac-tuyen-giao"]
        add_user(site, "tacgia", "Trần Văn Tác")
        add_user(site, "duyet", "Lê Thị Duyệt")
        add_user(site, "xuatban", "Hoàng Xuất Bản", groups=("ban-bien-tap",))
        add_user(site, "bientap", "Đỗ Biên Tập", groups=("ban-tuyen-giao",))
        add_user(site, "bientapkhac", "Vũ Biên Tập", groups=("ban-to-chuc",))
        add_user(site, "thanhvien", "Người Xem")
        set_local_roles(agency, "user:tacgia", ("Author",))
        set_local_roles(agency, "user:duyet", ("Reviewer",))
    app, clock = clocked_app(demo_copy)
    yield people(app, clock, two_step=("duyet", "xuatban")), clock, app
    app.registry._zodb_databases[""].close()


def upload(browser, folder=NEWS, title=PHOTO_TITLE):
    form = browser.get(folder + "@@add?type=Image").forms["manage-form"]
    form["title"] = title
    form["upload"] = ("anh.jpg", jpeg(), "image/jpeg")
    return form.submit("save", status=303).follow()


def write(browser, body, title=ARTICLE_TITLE, folder=NEWS, **fields):
    form = browser.get(folder + "@@add?type=NewsItem").forms["manage-form"]
    form["title"] = title
    form["body"] = body
    for name, value in fields.items():
        form[name] = value
    return form.submit("save", status=303).location.replace("http://localhost", "")


def change(browser, url, transition):
    form = form_to(browser.get(url), "transition")
    form.submit("transition", value=transition, status=303)


def public_answers(browser, url=PHOTO):
    """The status of the image's page and of each of its scales, "refused" for 403 and 404
    (anonymous visitors are not told that a private item exists)."""
    statuses = [browser.get(url + view, expect_errors=True).status_int
                for view in ["", *(f"@@image/{scale}" for scale in SCALES)]]
    return ["refused" if status in (403, 404) else status for status in statuses]


def found_anywhere(browser, title=PHOTO_TITLE):
    """Where ``title`` shows: the section's listing, the search, the feeds, the sitemap."""
    pages = {"listing": (NEWS, None), "search": ("/search", {"q": "báo cáo viên tháng mười hai"}),
             "section feed": (NEWS + "rss.xml", None), "site feed": ("/rss.xml", None),
             "sitemap": ("/sitemap.xml", None)}
    return {name for name, (url, query) in pages.items()
            if title in browser.get(url, query).text}


def publicly_catalogued(app, url):
    """Whether the catalog lets anonymous visitors find the object at ``url`` now."""
    with editing_app(app) as site:
        count, _docids = public(site, app.registry.portal_clock.now(),
                                Eq("path", url.strip("/")))
        return bool(count)


def test_an_authors_fresh_image_is_private_everywhere(portal):
    person, _clock, app = portal
    author = person("tacgia")
    upload(author)
    assert not publicly_catalogued(app, PHOTO)
    assert public_answers(author) == [200] * 6
    for who in ("anonymous", "thanhvien"):
        assert public_answers(person(who)) == ["refused"] * 6, who
        assert found_anywhere(person(who)) == set(), who
    assert PHOTO_TITLE in author.get(NEWS + "@@contents").text
    assert public_answers(person("duyet")) == [200] * 6  # the reviewer sees what is reviewed
    assert PHOTO_TITLE in author.get("/@@dashboard").text


def test_the_image_goes_public_with_the_article_that_shows_it(portal):
    person, _clock, app = portal
    author, anonymous = person("tacgia"), person("anonymous")
    upload(author)
    article = write(author, f'<p>Toàn cảnh hội nghị.</p><p><img src="{PHOTO}@@image/large" '
                            f'alt="Toàn cảnh"></p>')
    assert article == ARTICLE
    change(author, ARTICLE, "submit")
    change(person("duyet"), ARTICLE, "approve")
    assert public_answers(anonymous) == ["refused"] * 6      # approved is not yet published
    change(person("xuatban"), ARTICLE, "publish")
    assert public_answers(anonymous) == [200] * 6
    assert "listing" in found_anywhere(anonymous)   # the search and feeds list no images
    assert publicly_catalogued(app, PHOTO)
    shown = anonymous.get(ARTICLE).html.select_one("article img[alt='Toàn cảnh']")
    assert anonymous.get(shown["src"].replace("http://localhost", "")).status_int == 200
    with editing_app(app) as site:
        photo = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"][
            PHOTO.rstrip("/").rsplit("/", 1)[1]]
        last = photo.workflow_history[-1]
        assert (last["actor"], last["transition"], last["to"], last["comment"]) == (
            "xuatban", "publish", "published", ARTICLE.rstrip("/"))


def test_an_article_dated_later_publishes_its_image_at_that_date(portal):
    person, clock, app = portal
    author, anonymous = person("tacgia"), person("anonymous")
    upload(author)
    # Two days after the clock's T0 (2026-11-24 08:00 UTC), in the portal's time zone.
    write(author, f'<p>Hẹn giờ.</p><img src="{PHOTO}@@image/medium" alt="">',
          date="2026-11-26", time="15:00")
    change(author, ARTICLE, "submit")
    change(person("duyet"), ARTICLE, "approve")
    change(person("xuatban"), ARTICLE, "publish")
    assert public_answers(anonymous) == ["refused"] * 6
    assert found_anywhere(anonymous) == set() and not publicly_catalogued(app, PHOTO)
    clock.advance(timedelta(days=3))
    assert public_answers(anonymous) == [200] * 6
    assert publicly_catalogued(app, PHOTO)


def test_only_images_the_publisher_may_publish_go_with_a_page(portal):
    """An agency editor publishes a page: their agency's image goes with it; another
    agency's image, which they may not publish, stays private."""
    person, _clock, _app = portal
    own, other = person("bientap"), person("bientapkhac")
    upload(own, title="Ảnh của ban tuyên giáo")
    upload(other, folder=OTHER, title="Ảnh của ban tổ chức")
    own_photo, other_photo = NEWS + "anh-cua-ban-tuyen-giao/", OTHER + "anh-cua-ban-to-chuc/"
    form = own.get(f"/{AGENCY}/@@add?type=Page").forms["manage-form"]
    form["title"] = "Trang ảnh"
    form["body"] = (f'<p><img src="{own_photo}@@image/small" alt=""></p>'
                    f'<p><a href="http://localhost{other_photo}">Ảnh bên tổ chức</a></p>')
    page = form.submit("save", status=303).location.replace("http://localhost", "")
    change(own, page, "publish")
    anonymous = person("anonymous")
    assert anonymous.get(page).status_int == 200
    assert public_answers(anonymous, own_photo) == [200] * 6
    assert public_answers(anonymous, other_photo) == ["refused"] * 6


def test_the_demo_images_are_still_public(testapp):
    home = testapp.get("/")
    sources = {img["src"].replace("http://localhost", "") for img in home.html.select("main img")}
    assert sources
    for src in sources:
        assert testapp.get(src).status_int == 200, src


def test_evolve_step_6_keeps_public_images_public_and_makes_new_ones_private(demo_copy):
    """A site made before: images in ``one_state`` (public on upload)."""
    registry = make_registry(T0)
    with editing(demo_copy) as site:
        site.workflow_policy = dict(site.workflow_policy, Image="one_state")
        site.evolve_version = 5
        del site.trash
        add_user(site, "tacgia")
        folder = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"]
        set_local_roles(folder, "user:tacgia", ("Author",))
        photo = Image("Ảnh cũ đã đăng")
        photo.image = ImageData(jpeg(), "cu.jpg")
        photo.creator = "tacgia"
        folder.add("anh-cu", photo, registry=registry)
        assert (photo.workflow_id, photo.workflow_state) == ("one_state", "published")
    db = open_db(demo_copy)
    conn = db.open()
    assert evolve(conn, make_registry(T0))[0] == 6
    conn.transaction_manager.begin()
    site = conn.root()["portal"]
    photo = site["xay-dung-dang"]["cong-tac-tuyen-giao"]["tin-hoat-dong"]["anh-cu"]
    assert site.workflow_policy["Image"] == "simple_publication"
    assert (photo.workflow_id, photo.workflow_state) == ("simple_publication", "published")
    conn.close()
    db.close()
    app, clock = clocked_app(demo_copy)
    person = people(app, clock)
    assert public_answers(person("anonymous"), NEWS + "anh-cu/") == [200] * 6
    upload(person("tacgia"))
    assert public_answers(person("anonymous")) == ["refused"] * 6
    app.registry._zodb_databases[""].close()
