"""A type added in one module (tests/example_type.py, as docs/content-types.md shows) takes its
place everywhere the registry is read: the add menu of the folders it declares, its form, its
default workflow (a draft, hidden from anonymous visitors) and search's type filter (O1)."""
from webtest import TestApp

import portal

from .conftest import add_user, editing, make_app
from .test_login import sign_in

NEWS = "/xay-dung-dang/cong-tac-tuyen-giao/tin-hoat-dong/"


def test_a_type_declared_in_one_module_is_added_searched_and_kept_private(
        demo_copy, monkeypatch):
    with editing(demo_copy) as site:
        add_user(site, "bientap", groups=("ban-tuyen-giao",))
    monkeypatch.setattr(portal, "PACKAGES", (*portal.PACKAGES, "tests.example_type"))
    app = make_app(demo_copy)
    try:
        editor, anonymous = TestApp(app), TestApp(app)
        sign_in(editor, "bientap")
        choices = editor.get(NEWS + "@@add").html.select("main a[href*='type=']")
        assert "Event" in [a.text.strip() for a in choices]
        form = editor.get(NEWS + "@@add?type=Event").forms["manage-form"]
        form["title"], form["description"] = "Hội nghị Ban Chấp hành", "Họp thường kỳ quý IV."
        url = form.submit("save", status=303).location.replace("http://localhost", "")
        page = editor.get(url)
        assert page.html.select_one("article h1").text == "Hội nghị Ban Chấp hành"
        assert page.html.select_one(".toolbar-state .state").text == "Bản nháp"
        anonymous.get(url, status=404)
        found = editor.get("/search", {"q": "hoi nghi ban chap hanh", "type": "Event"})
        assert "Hội nghị Ban Chấp hành" in found.text
        # Types nobody declared stay refused, as before.
        editor.get(NEWS + "@@add?type=Meeting", status=400)
    finally:
        app.registry._zodb_databases[""].close()
