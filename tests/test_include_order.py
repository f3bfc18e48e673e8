"""Side effects do not depend on the order in which the portal's packages are included (O1,
S8): the application is built with its packages in shuffled orders, an agency's editor adds a
draft, and anonymous visitors find it nowhere (search, listing, feed, its address)."""
import random

import pytest
from webtest import TestApp

import portal

from .conftest import add_user, editing, make_app
from .test_login import sign_in

NEWS = "/xay-dung-dang/cong-tac-tuyen-giao/tin-hoat-dong/"
TITLE = "Bản nháp thử thứ tự nạp gói"


def orders():
    """The shipped order, its reverse and four seeded shuffles."""
    shipped = list(portal.PACKAGES)
    found = [shipped, shipped[::-1]]
    shuffler = random.Random(13)
    for _ in range(4):
        order = shipped[:]
        shuffler.shuffle(order)
        found.append(order)
    return found


@pytest.mark.parametrize("order", orders(), ids=lambda order: "-".join(
    name.strip(".") for name in order))
def test_a_draft_stays_hidden_whatever_the_include_order(demo_copy, monkeypatch, order):
    with editing(demo_copy) as site:
        add_user(site, "bientap", groups=("ban-tuyen-giao",))
    monkeypatch.setattr(portal, "PACKAGES", tuple(order))
    app = make_app(demo_copy)
    try:
        editor, anonymous = TestApp(app), TestApp(app)
        sign_in(editor, "bientap")
        form = editor.get(NEWS + "@@add?type=NewsItem").forms["manage-form"]
        form["title"], form["body"] = TITLE, "<p>Chưa được công bố.</p>"
        url = form.submit("save", status=303).location.replace("http://localhost", "")
        assert TITLE in editor.get(url).text
        assert TITLE not in anonymous.get("/search", {"q": "thu tu nap goi"}).text
        assert TITLE not in anonymous.get(NEWS).text
        assert TITLE not in anonymous.get(NEWS + "rss.xml").text
        anonymous.get(url, status=404)
        # The editor still finds their draft: it was indexed, for them.
        assert TITLE in editor.get("/search", {"q": "thu tu nap goi"}).text
    finally:
        app.registry._zodb_databases[""].close()
