"""Concurrent saves resolve their conflicts on shared structures (O1, O2).

Two ZODB connections on one FileStorage, each with its own transaction manager, make their
changes from the same committed state; the first commits, then the second. Shared structures
(the worklist, a section's date index, the catalog and its text index, the audit log) must
merge; only two changes of the same item may conflict.
"""
import io
from contextlib import contextmanager

import pytest
import transaction
from BTrees.OOBTree import OOTreeSet
from PIL import Image
from pyramid.threadlocal import manager as threadlocals
from repoze.catalog.query import Eq
from ZODB.POSException import ConflictError

from portal.catalog import get_catalog
from portal.catalog.textquery import text_query
from portal.content.base import date_shard
from portal.content.blobs import ImageData
from portal.content.events import ObjectModified
from portal.content.ids import unique_id
from portal.content.types import Folder, NewsItem
from portal.publishing.worklist import entries
from portal.security.audit import get_audit_log

from .conftest import T0, make_app, open_db

SECTION = ("xay-dung-dang", "cong-tac-tuyen-giao", "tin-hoat-dong")


def jpeg():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 40)).save(out, "JPEG")
    return out.getvalue()


class Editor:
    """One connection with its own transaction manager, as one request of one editor."""

    def __init__(self, db, registry, login):
        self.manager = transaction.TransactionManager()
        self.conn = db.open(self.manager)
        self.registry, self.login = registry, login

    @property
    def site(self):
        return self.conn.root()["portal"]

    @property
    def section(self):
        folder = self.site
        for name in SECTION:
            folder = folder[name]
        return folder

    @contextmanager
    def acting(self):
        threadlocals.push({"registry": self.registry, "request": None})
        try:
            yield
        finally:
            threadlocals.pop()

    def add(self, title, body, folder=None):
        """What ``@@add?type=NewsItem`` does, then the transition's audit entry."""
        folder = self.section if folder is None else folder
        with self.acting():
            item = NewsItem(title, f"Tóm tắt: {title}", body=f"<p>{body}</p>")
            item.image = ImageData(jpeg(), "anh.jpg")
            item.creator = self.login
            item.set_dates(self.registry.portal_clock.now())
            folder.add(unique_id(item.title, folder), item, registry=self.registry)
            self.audit("transition", "/" + "/".join((*SECTION, item.__name__)))
        return item.__name__

    def audit(self, action, target=""):
        get_audit_log(self.site, create=True).record(
            self.registry.portal_clock.now(), self.login, action, target=target)

    def edit(self, name, title):
        with self.acting():
            item = self.section[name]
            item.title = title
            self.registry.notify(ObjectModified(item, item.__parent__, name))

    def commit(self):
        self.manager.commit()

    def close(self):
        self.manager.abort()
        self.conn.close()


@pytest.fixture
def app(demo_copy):
    from portal.clock import FixedClock

    app = make_app(demo_copy)
    app.registry.portal_clock = FixedClock(T0)
    # One item saved at T0 first: the catalog's date indexes then have T0's set of documents
    # (two saves making the first set of one instant still conflict; docs/architecture.md).
    opening = Editor(app.registry._zodb_databases[""], app.registry, "an")
    opening.add("Tin mở đầu", "Bài mở đầu")
    opening.commit()
    opening.close()
    yield app
    app.registry._zodb_databases[""].close()


@pytest.fixture
def editors(app):
    db = app.registry._zodb_databases[""]
    made = []

    def editor(login):
        made.append(Editor(db, app.registry, login))
        return made[-1]

    yield editor
    for one in made:
        one.close()


def found(editor, words):
    """Paths of the catalog's documents matching ``words`` in the text index."""
    catalog, docmap = get_catalog(editor.site)
    _total, docids = catalog.query(text_query("text", words))
    return {docmap.address_for_docid(docid) for docid in docids}


def test_two_editors_adding_to_one_section_both_commit(editors):
    an, binh = editors("an"), editors("binh")
    first = an.add("Hội nghị quân dân chính Võ Nhai", "Xã Tràng Xá khai mạc hội nghị Quozvik")
    second = binh.add("Lễ ra quân Phú Lương", "Huyện Phú Lương ra quân Zentrabo")
    an.commit()
    binh.commit()

    reader = editors("chi")
    section = reader.section
    assert first in section and second in section and len(section) == len(section.keys())
    assert {first, second} <= set(section.keys())
    base = "/".join(SECTION)
    drafts = [path for path, _entry in entries(reader.site, state="draft")]
    assert f"{base}/{first}" in drafts and f"{base}/{second}" in drafts
    assert found(reader, "quozvik") == {f"{base}/{first}"}
    assert found(reader, "Zentrabo Phú Lương") == {f"{base}/{second}"}
    catalog, docmap = get_catalog(reader.site)
    _total, listed = catalog.query(Eq("parent", base), sort_index="effective", reverse=True)
    paths = [docmap.address_for_docid(docid) for docid in listed]
    assert f"{base}/{first}" in paths and f"{base}/{second}" in paths
    audited, _total = get_audit_log(reader.site).query(action="transition")
    assert {(e.actor, e.target) for e in audited} >= {("an", f"/{base}/{first}"),
                                                      ("binh", f"/{base}/{second}")}


def test_two_audit_entries_of_one_new_actor_at_one_instant_both_commit(editors):
    one, two = editors("moi"), editors("moi")
    one.audit("login", "moi")
    two.audit("login", "moi")
    one.commit()
    two.commit()
    entries, total = get_audit_log(editors("chi").site).query(actor="moi")
    assert total == 2 and [e.action for e in entries] == ["login", "login"]


def tree_of(index, name):
    """The tree of the date index ``index`` that holds (or would hold) ``name``'s key."""
    shards = getattr(index, "_shards", None)
    return shards[date_shard(name)] if shards is not None else index


def test_an_add_splitting_a_bucket_of_the_date_index_merges_with_another_add(editors, app):
    setup = editors("an")
    with setup.acting():
        setup.section.__parent__.add("chuyen-muc-thu", Folder("Chuyên mục thử", order="date"),
                                     registry=app.registry)
    target = "tin-cua-an-0"
    folder = setup.section.__parent__["chuyen-muc-thu"]
    number = 0
    # Fill the bucket where the first add below goes: that add splits it.
    while len(tree_of(folder._by_date, target)) < OOTreeSet.max_leaf_size:
        number += 1
        title = f"Tin cua an binh {number}"
        if date_shard(unique_id(title, folder)) == date_shard(target):
            setup.add(title, "Bài của An, bài của Bình", folder)
    setup.commit()
    an, binh = editors("an"), editors("binh")
    other = next(f"Tin cua binh {n}" for n in range(100)
                 if date_shard(unique_id(f"Tin cua binh {n}", ())) != date_shard(target))
    first = an.add("Tin cua an 0", "Bài của An", an.section.__parent__["chuyen-muc-thu"])
    second = binh.add(other, "Bài của Bình", binh.section.__parent__["chuyen-muc-thu"])
    assert first == target
    an.commit()
    binh.commit()
    section = editors("chi").section.__parent__["chuyen-muc-thu"]
    assert {first, second} <= set(section.keys()) and len(section) == len(section.keys())


def test_two_edits_of_one_item_still_conflict(editors):
    setup = editors("an")
    name = setup.add("Tin sẽ được sửa", "Nội dung ban đầu")
    setup.commit()
    an, binh = editors("an"), editors("binh")
    an.edit(name, "Tiêu đề của An")
    binh.edit(name, "Tiêu đề của Bình")
    an.commit()
    with pytest.raises(ConflictError):
        binh.commit()


def test_evolve_steps_bring_an_older_database_to_the_merging_layouts(demo_copy):
    from BTrees.IOBTree import IOBTree
    from BTrees.LOBTree import LOTreeSet
    from BTrees.OOBTree import OOBTree

    from portal.catalog.merging import WordInfoTree
    from portal.content.base import DateIndex
    from portal.evolve import steps
    from portal.testing import make_registry, open_db

    db = open_db(demo_copy)
    conn = db.open()
    with transaction.manager:
        # The layouts the code before these steps wrote.
        site = conn.root()["portal"]
        section = site
        for name in SECTION:
            section = section[name]
        names = section.keys()
        section._by_date = OOTreeSet(section._by_date)
        site.worklist = OOBTree({"a/b": {"title": "Nháp", "state": "draft"}})
        log = get_audit_log(site, create=True)
        log.record(T0, "an", "login")
        log._by_actor = OOBTree({"an": LOTreeSet(list(log._entries.keys()))})
        log._by_action = OOBTree({"login": LOTreeSet(log._by_actor["an"])})
        del log._index
        okapi = site.catalog["text"].index
        okapi._wordinfo = IOBTree(okapi._wordinfo)
        registry = make_registry()
        for number, module in steps():
            if number <= 4:
                module.evolve(site, registry)
    with transaction.manager:
        site = conn.root()["portal"]
        section = site
        for name in SECTION:
            section = section[name]
        assert isinstance(section._by_date, DateIndex) and section.keys() == names
        assert entries(site) == [("a/b", {**dict.fromkeys(
            ("type", "workflow", "creator", "transition", "actor", "time", "comment")),
            "title": "Nháp", "state": "draft"})]
        found_entries, total = get_audit_log(site).query(actor="an", action="login")
        assert total == 1 and found_entries[0].time == T0
        assert "_by_actor" not in get_audit_log(site).__dict__
        assert isinstance(site.catalog["text"].index._wordinfo, WordInfoTree)
    conn.close()
    db.close()


def test_a_new_site_has_what_the_first_saves_would_otherwise_all_make(tmp_path):
    from portal.catalog.queue import get_queue
    from portal.evolve import steps
    from portal.publishing.worklist import get_worklist
    from portal.startup import ensure_site

    db = open_db(tmp_path / "var")
    conn = db.open()
    with transaction.manager:
        site = ensure_site(conn.root(), T0)
    assert get_queue(site) is not None and get_worklist(site) is not None
    with transaction.manager:
        del site.index_queue
    step = dict(steps())[5]
    with transaction.manager:
        step.evolve(site, None)
    assert get_queue(site) is not None and len(get_queue(site)) == 0
    db.close()


def test_a_word_bucket_merges_when_a_word_moves_to_its_own_tree():
    """A word reaching ten documents moves from a dict to an IFBTree, which conflict
    resolution sees as a reference: that change must merge with another word's new document."""
    from ZODB.ConflictResolution import PersistentReference
    from ZODB.utils import p64

    from portal.catalog.merging import merge_states

    crowded = {docid: 1.0 for docid in range(10)}
    old = ((1, crowded, 5, {10: 1.0}),)
    committed = ((1, PersistentReference(p64(7)), 5, {10: 1.0}),)
    new = ((1, dict(crowded), 5, {10: 1.0, 12: 3.0}),)
    merged = dict(zip(*[iter(merge_states(old, committed, new)[0])] * 2))
    assert merged[1].oid == p64(7) and merged[5] == {10: 1.0, 12: 3.0}


def test_one_thread_applies_every_waiting_note_in_one_transaction(app):
    """The indexing of saves that finish while another thread indexes waits for it, then
    finds its notes applied by the next holder of the lock in one batch."""
    import threading

    from portal.catalog.queue import _indexer, apply_notes, get_queue

    db = app.registry._zodb_databases[""]
    writer = Editor(db, app.registry, "an")
    keys = []
    for number, title in enumerate(("Tin chờ mục lục Quozvik", "Tin chờ mục lục Zentrabo")):
        item = NewsItem(title, body="<p>x</p>")
        writer.section.add(f"tin-cho-{number}", item, send_events=False)
        item.set_dates(T0)
        keys.append((number, number))
        get_queue(writer.site).put(keys[-1], "/".join((*SECTION, f"tin-cho-{number}")), "tree")
    writer.commit()
    site_oid = writer.site._p_oid
    indexer = _indexer(db)
    before = db.lastTransaction()
    with indexer.lock:  # another thread is indexing
        first = threading.Thread(target=apply_notes,
                                 args=(db, site_oid, [keys[0]], app.registry))
        first.start()
        while keys[0] not in indexer.waiting:
            first.join(0.01)
        indexer.add([keys[1]])  # a second save finished meanwhile
    first.join(10)
    assert not first.is_alive()
    after = db.lastTransaction()
    assert after != before
    apply_notes(db, site_oid, [keys[1]], app.registry)  # already applied by the first
    assert db.lastTransaction() == after
    writer.manager.begin()
    catalog, _docmap = get_catalog(writer.site)
    assert len(catalog["text"].applyContains("Quozvik")) == len(
        catalog["text"].applyContains("Zentrabo")) == 1
    assert len(get_queue(writer.site)) == 0
    writer.close()
