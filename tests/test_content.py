"""Containers: BTree storage, manual and date order, events."""
from datetime import UTC, datetime, timedelta

import pytest
from pyramid import testing

from portal.content.events import ObjectAdded, ObjectRemoved
from portal.content.types import Folder, NewsItem, Page

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def config():
    config = testing.setUp()
    yield config
    testing.tearDown()


def news(title, minutes):
    item = NewsItem(title)
    item.effective = T0 + timedelta(minutes=minutes)
    return item


def test_add_sets_name_parent_and_counts(config):
    folder = Folder("Trong tỉnh")
    page = folder.add("gioi-thieu", Page("Giới thiệu"))
    assert page.__name__ == "gioi-thieu" and page.__parent__ is folder
    assert len(folder) == 1 and "gioi-thieu" in folder and folder["gioi-thieu"] is page


def test_add_refuses_taken_reserved_and_unsafe_names(config):
    folder = Folder("x")
    folder.add("a", Page("A"))
    with pytest.raises(KeyError):
        folder.add("a", Page("again"))
    for bad in ("", "@@edit", "_secret", "a/b", "search", "rss.xml"):
        with pytest.raises(ValueError):
            folder.add(bad, Page("bad"))


def test_manual_order_keeps_insertion_and_moves(config):
    folder = Folder("x")
    for name in "abc":
        folder.add(name, Page(name))
    assert folder.keys() == ["a", "b", "c"]
    folder.move("c", 0)
    assert folder.keys() == ["c", "a", "b"]


def test_date_order_lists_newest_first_and_follows_date_changes(config):
    folder = Folder("Tin")
    folder.set_order("date")
    for i, name in enumerate(["old", "mid", "new"]):
        folder.add(name, news(name, i))
        folder[name].set_effective(T0 + timedelta(minutes=i))
    assert folder.keys() == ["new", "mid", "old"]
    folder["old"].set_effective(T0 + timedelta(days=1))
    assert folder.keys() == ["old", "new", "mid"]
    assert [obj.__name__ for obj in folder.newest(1, 3)] == ["new", "mid"]


def test_remove_forgets_the_child_everywhere(config):
    folder = Folder("Tin")
    folder.set_order("date")
    folder.add("a", news("a", 1))
    folder.add("sub", Folder("Sub"))
    folder.remove("a")
    folder.remove("sub")
    assert len(folder) == 0 and folder.keys() == [] and folder.container_names() == []


def test_events_are_fired_on_add_and_remove(config):
    seen = []
    config.add_subscriber(lambda e: seen.append(("added", e.name)), ObjectAdded)
    config.add_subscriber(lambda e: seen.append(("removed", e.name)), ObjectRemoved)
    folder = Folder("x")
    folder.add("a", Page("A"))
    folder.remove("a")
    assert seen == [("added", "a"), ("removed", "a")]


def test_switching_to_manual_order_keeps_the_date_order(config):
    folder = Folder("Tin")
    folder.set_order("date")
    folder.add("a", news("a", 1))
    folder.add("b", news("b", 2))
    folder["a"].set_effective(T0)
    folder["b"].set_effective(T0 + timedelta(hours=1))
    folder.set_order("manual")
    assert folder.keys() == ["b", "a"]


def test_a_section_of_50000_items_pages_newest_first_without_a_name_list(config):
    folder = Folder("Tin")
    folder.set_order("date")
    for i in range(50_000):
        folder.add(f"n{i}", news(f"n{i}", i), send_events=False)
        folder[f"n{i}"].set_effective(T0 + timedelta(minutes=i))
    assert len(folder) == 50_000
    assert folder._manual == ()  # no 50,000-name tuple rewritten on every add
    assert [obj.__name__ for obj in folder.newest(0, 3)] == ["n49999", "n49998", "n49997"]
    assert [obj.__name__ for obj in folder.newest(20, 22)] == ["n49979", "n49978"]
