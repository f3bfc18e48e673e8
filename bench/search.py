"""Search benchmark of issue 6 (P5): the catalog and the /search page at N published items.

Builds (or reuses, with ``--var``) a FileStorage database: the ``default`` + ``demo`` profiles,
then N generated Vietnamese items (news, documents and pages, seeded, spread over the public
sections and eight years) added through the real code path (``folder.add`` with the registry,
so the catalog's subscribers index them, then ``place`` into their workflow's public state, as
profiles do), committed every ``--batch`` items. Then it reports:

- the time to add and index an item (and the catalog's share, index by index), and the time
  per object of ``catalog.rebuild`` (``portal reindex``) over the built site;
- the latency (median, p95) of typical searches at the catalog level
  (``catalog.search.search`` with the query the search view builds: sorted and limited to a
  page, unsorted for all matches, and sorted again with the text index's kept term scores
  dropped, "cold") and of the whole ``/search`` page through WebTest as an anonymous visitor
  (a new question, the view's kept answers bypassed; and the same question asked again);
- the peak memory (ru_maxrss) of the build, of the rebuild and of the search process, and the
  largest tracemalloc peak of one search page.

The build and the rebuild run in child processes, so each peak is that phase's own.
"""
import argparse
import contextlib
import gc
import multiprocessing
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The vocabulary of the generated items --------------------------------------------------------
DISTRICTS = ["Phú Bình", "Đại Từ", "Võ Nhai", "Định Hóa", "Đồng Hỷ", "Phú Lương", "Phổ Yên",
             "Sông Công"]
COMMUNES = ["Tân Cương", "Phúc Xuân", "La Hiên", "Quân Chu", "Điềm Mặc", "Hóa Thượng",
            "Động Đạt", "Úc Kỳ", "Bảo Cường", "Minh Đức", "Tân Quang", "Lương Sơn", "Bình Thuận",
            "Thần Sa", "Phú Đình", "Hà Châu", "Tràng Xá", "Kha Sơn", "Yên Lạc", "Cù Vân"]
ORGS = ["Ban Chấp hành Đảng bộ tỉnh", "Ban Thường vụ Tỉnh ủy", "Thường trực Tỉnh ủy",
        "Ủy ban nhân dân tỉnh", "Hội đồng nhân dân tỉnh", "Ban Tuyên giáo Tỉnh ủy",
        "Ban Tổ chức Tỉnh ủy", "Ủy ban Kiểm tra Tỉnh ủy", "Ban Dân vận Tỉnh ủy",
        "Ban Nội chính Tỉnh ủy", "Văn phòng Tỉnh ủy", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
        "Hội Nông dân tỉnh", "Hội Liên hiệp Phụ nữ tỉnh", "Tỉnh đoàn", "Hội Cựu chiến binh tỉnh",
        "Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh", "Sở Kế hoạch và Đầu tư",
        "Sở Nông nghiệp và Phát triển nông thôn", "Sở Thông tin và Truyền thông",
        "Đảng ủy Khối các cơ quan tỉnh", "Huyện ủy {district}", "Đảng bộ huyện {district}",
        "Ủy ban nhân dân huyện {district}", "Đảng ủy xã {commune}"]
ACTIONS = ["tổ chức hội nghị", "triển khai", "quán triệt", "sơ kết", "tổng kết", "ban hành kế hoạch",
           "kiểm tra", "giám sát", "tuyên truyền", "học tập", "thực hiện", "đẩy mạnh",
           "tăng cường", "nâng cao chất lượng", "đánh giá kết quả", "lãnh đạo, chỉ đạo",
           "cho ý kiến về", "thông qua", "phát động thi đua"]
TOPICS = ["nghị quyết đại hội Đảng bộ tỉnh lần thứ XXI", "Nghị quyết Đại hội XIV của Đảng",
          "chương trình xây dựng nông thôn mới", "nông thôn mới nâng cao", "chuyển đổi số",
          "chuyển đổi số trong các cơ quan đảng", "phát triển kinh tế - xã hội",
          "cải cách hành chính", "công tác cán bộ", "công tác phòng, chống tham nhũng, tiêu cực",
          "xây dựng, chỉnh đốn Đảng", "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
          "phát triển cây chè", "thu hút đầu tư", "bảo vệ môi trường", "giảm nghèo bền vững",
          "y tế cơ sở", "giáo dục và đào tạo", "quốc phòng, an ninh", "công tác dân vận",
          "xây dựng hệ thống chính trị", "kinh tế tập thể", "phát triển du lịch",
          "hạ tầng giao thông", "khu công nghiệp Yên Bình", "công tác kiểm tra, giám sát",
          "bảo vệ nền tảng tư tưởng của Đảng", "công tác phát triển đảng viên",
          "chính quyền số", "kinh tế số", "an sinh xã hội", "giải ngân vốn đầu tư công",
          "quy hoạch tỉnh thời kỳ 2021 - 2030", "sắp xếp đơn vị hành chính cấp xã",
          "công tác tiếp công dân", "cải thiện chỉ số năng lực cạnh tranh cấp tỉnh"]
TIMES = ["năm 2024", "năm 2025", "6 tháng đầu năm", "quý III", "nhiệm kỳ 2020 - 2025",
         "giai đoạn 2021 - 2025", "nhiệm kỳ 2025 - 2030", "năm học mới", "dịp Tết Nguyên đán",
         "tháng cao điểm"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đỗ", "Vũ", "Đặng", "Bùi", "Dương", "Ngô",
            "Đàm", "Ma", "Triệu", "Lý"]
MIDDLES = ["Văn", "Thị", "Thanh", "Đức", "Minh", "Quang", "Hữu", "Thu", "Hồng", "Xuân"]
GIVEN = ["Hùng", "Lan", "Hương", "Tuấn", "Dũng", "Hoa", "Bình", "Sơn", "Thắng", "Hà", "Vinh",
         "Trường", "Yến", "Long", "Nga", "Quyết", "Thủy", "Hòa", "Khánh", "Phương"]
POSITIONS = ["Bí thư Tỉnh ủy", "Phó Bí thư Thường trực Tỉnh ủy", "Chủ tịch Ủy ban nhân dân tỉnh",
             "Chủ tịch Hội đồng nhân dân tỉnh", "Trưởng Ban Tuyên giáo Tỉnh ủy",
             "Trưởng Ban Tổ chức Tỉnh ủy", "Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy",
             "Ủy viên Ban Thường vụ Tỉnh ủy", "Bí thư Huyện ủy {district}",
             "Chủ tịch Ủy ban nhân dân huyện {district}", "Phó Chủ tịch Ủy ban nhân dân tỉnh"]
METRICS = ["tăng trưởng kinh tế", "thu ngân sách", "tỷ lệ hộ nghèo", "tỷ lệ hồ sơ trực tuyến",
           "tỷ lệ đảng viên được học tập", "giá trị sản xuất nông nghiệp", "kim ngạch xuất khẩu",
           "tỷ lệ tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ", "diện tích chè"]
SENTENCES = [
    ("Dự hội nghị có đồng chí {person}, {position}; đại diện lãnh đạo các ban, sở, ngành, đoàn "
     "thể của tỉnh và các huyện, thành phố."),
    "Theo báo cáo, {time}, {place} đã {action} {topic}, đạt nhiều kết quả quan trọng.",
    "{Metric} đạt {n}%, tăng {m}% so với cùng kỳ năm trước.",
    ("Phát biểu chỉ đạo, đồng chí {person}, {position} đề nghị các cấp ủy, chính quyền tiếp tục "
     "{action} {topic}."),
    ("Đến nay, toàn huyện {district} có {n} xã đạt chuẩn nông thôn mới, {m} xã đạt chuẩn nông "
     "thôn mới nâng cao."),
    ("Hội nghị đã thảo luận, thống nhất các nhiệm vụ, giải pháp trọng tâm trong thời gian tới, "
     "trong đó tập trung {action} {topic}."),
    "{Org} yêu cầu các đơn vị {action} {topic}, gắn với {topic2}.",
    "Ban Chấp hành Đảng bộ tỉnh xác định {topic} là nhiệm vụ trọng tâm {time}.",
    ("Tại xã {commune}, huyện {district}, cấp ủy đã chủ động {action} {topic}, được nhân dân đồng "
     "tình, ủng hộ."),
    "Trên cơ sở đó, {org} xây dựng kế hoạch cụ thể, phân công rõ người, rõ việc, rõ thời gian.",
    "Công tác {topic} của tỉnh Thái Nguyên có nhiều chuyển biến tích cực.",
    "Đồng chí {person} nhấn mạnh phải phát huy vai trò của người đứng đầu, nói đi đôi với làm.",
    "Các đại biểu đã tham gia ý kiến vào dự thảo báo cáo về {topic}.",
    "Thông qua hội nghị, cán bộ, đảng viên nâng cao nhận thức về {topic}.",
    ("Phát triển kinh tế đi đôi với xây dựng Đảng, xây dựng hệ thống chính trị trong sạch, vững "
     "mạnh."),
]
RARE = [  # each in about 0.2% of the items (rare words to search)
    "Đoàn công tác đã thăm khu du lịch Hồ Núi Cốc và làng nghề chè truyền thống.",
    "Dự án khai thác mỏ thiếc ở huyện Đại Từ được yêu cầu hoàn nguyên môi trường.",
    "Đoàn viên thanh niên dọn vệ sinh Khu di tích lịch sử ATK Định Hóa.",
]
TAGS = ["Nghị quyết", "Chuyển đổi số", "Nông thôn mới", "Đại hội Đảng", "Kinh tế", "Xây dựng Đảng",
        "Hội nghị", "Dân vận", "Kiểm tra, giám sát", "Tuyên giáo", "Cải cách hành chính",
        "Quốc phòng - an ninh", "Chè Thái Nguyên", "Du lịch", "Giáo dục", "Y tế"]
SOURCES = ["Báo Thái Nguyên", "Ban Tuyên giáo Tỉnh ủy", "Trung tâm Truyền thông tỉnh",
           "Văn phòng Tỉnh ủy", ""]
DOC_KINDS = ["Nghị quyết", "Chỉ thị", "Kế hoạch", "Thông báo", "Kết luận", "Quyết định",
             "Báo cáo", "Hướng dẫn"]


class Writer:
    """Seeded Vietnamese text in the style of the portal's news and documents."""

    def __init__(self, rng):
        self.rng = rng

    def pick(self, words):
        return self.rng.choice(words)

    def fill(self, template):
        r, pick = self.rng, self.pick
        district = pick(DISTRICTS)
        slots = {"district": district, "commune": pick(COMMUNES), "time": pick(TIMES),
                 "topic": pick(TOPICS), "topic2": pick(TOPICS), "action": pick(ACTIONS),
                 "person": self.person(), "n": r.randint(2, 98), "m": r.randint(1, 30),
                 "place": pick([f"huyện {district}", "tỉnh Thái Nguyên",
                                "thành phố Thái Nguyên", f"xã {pick(COMMUNES)}"])}
        slots["position"] = pick(POSITIONS).format(**slots)
        slots["org"] = pick(ORGS).format(**slots)
        slots["Org"] = slots["org"]
        slots["Metric"] = pick(METRICS).capitalize()
        return template.format(**slots)

    def person(self):
        return f"{self.pick(SURNAMES)} {self.pick(MIDDLES)} {self.pick(GIVEN)}"

    def title(self, type_name):
        r = self.rng
        if type_name == "File":
            number = f"{r.randint(1, 120):02d}-{self.pick(['NQ', 'CT', 'KH', 'TB', 'KL'])}/TU"
            return f"{self.pick(DOC_KINDS)} số {number} về {self.pick(TOPICS)}"
        return self.fill(self.pick([
            "{org} {action} {topic}",
            "{org} {action} {topic} {time}",
            "Huyện {district} {action} {topic}",
            "Đồng chí {person}, {position} kiểm tra {topic} tại huyện {district}",
            "Hội nghị {topic} {time}",
        ]))

    def sentences(self, low, high):
        out = [self.fill(self.pick(SENTENCES)) for _ in range(self.rng.randint(low, high))]
        if self.rng.random() < 0.001:
            out.insert(self.rng.randint(0, len(out)), self.pick(RARE))
        return " ".join(out)

    def summary(self):
        return self.sentences(1, 3)

    def body(self):
        return "".join(f"<p>{self.sentences(3, 6)}</p>" for _ in range(self.rng.randint(3, 7)))


# Building the database ------------------------------------------------------------------------
def item_folders(site):
    """Folders anonymous visitors may view: date-ordered ones for news and documents (those
    below "he-thong-van-ban"), the manual ones of "gioi-thieu" for pages."""
    from portal.catalog.indexes import allowed_viewers
    from portal.content.base import path_of

    def public(folder):
        return "role:Anonymous" in allowed_viewers(folder, site)

    def walk(folder):
        for name in folder.container_names():
            child = folder[name]
            if public(child):
                yield child
                yield from walk(child)

    folders = list(walk(site))
    dated = [f for f in folders if f.order == "date"]
    documents = [f for f in dated if path_of(f).startswith("he-thong-van-ban/")]
    news = [f for f in dated if f not in documents]
    pages = [f for f in folders if f.order != "date" and path_of(f).startswith("gioi-thieu/")]
    return {"NewsItem": news, "File": documents or news, "Page": pages or news}


def build(var, items, seed, batch, report):
    """Child process: the profiles, then ``items`` generated items; times into ``report``."""
    import transaction
    from repoze.catalog.catalog import Catalog

    from portal.content.ids import slugify
    from portal.content.types import File, NewsItem, Page
    from portal.publishing.policy import place
    from portal.testing import FIXED_NOW, build_database, make_registry, open_db

    per_index = _time_indexes(Catalog)
    started = time.perf_counter()
    build_database(var, ["default", "demo"])
    profiles_seconds = time.perf_counter() - started
    per_index.clear()
    registry = make_registry(FIXED_NOW)
    db = open_db(var)
    conn = db.open()
    rng = random.Random(seed)
    writer = Writer(rng)
    site = conn.root()["portal"]
    folders = item_folders(site)
    factories = {"NewsItem": NewsItem, "File": File, "Page": Page}
    kinds = ["NewsItem"] * 85 + ["File"] * 13 + ["Page"] * 2
    span = timedelta(days=8 * 365).total_seconds()
    started = time.perf_counter()
    last, done = started, 0
    for i in range(items):
        type_name = rng.choice(kinds)
        title = writer.title(type_name)
        obj = factories[type_name](title, writer.summary())
        if type_name != "File":
            obj.body = writer.body()
        if type_name == "NewsItem":
            obj.author = writer.person()
            obj.source = rng.choice(SOURCES)
            obj.tags = tuple(rng.sample(TAGS, rng.randint(1, 3)))
        folder = rng.choice(folders[type_name])
        folder.add(f"{slugify(title, 50)}-{i}", obj, registry=registry)
        when = FIXED_NOW - timedelta(seconds=rng.uniform(3600, span))
        obj.set_dates(when, when)
        place(registry, obj)
        if (i + 1) % batch == 0 or i + 1 == items:
            transaction.commit()
            conn.cacheGC()
            now = time.perf_counter()
            if (i + 1) % (batch * 10) == 0 or i + 1 == items:
                print(f"  {i + 1:>7} items, {1000 * (now - last) / (i + 1 - done):.2f} ms/item "
                      f"lately, rss {_rss_mb():.0f} MB", flush=True)
                last, done = now, i + 1
    seconds = time.perf_counter() - started
    conn.close()
    rss_mb = _rss_mb()
    started = time.perf_counter()
    db.pack()  # a site is packed now and then: the file holds current records, not 100 copies
    pack_seconds = time.perf_counter() - started
    db.close()
    (Path(var) / "Data.fs.old").unlink(missing_ok=True)
    shutil.rmtree(Path(var) / "blobs.old", ignore_errors=True)
    report.send({"profiles_seconds": profiles_seconds, "items": items, "seconds": seconds,
                 "per_index": dict(per_index), "rss_mb": rss_mb, "pack_seconds": pack_seconds,
                 "size_mb": (Path(var) / "Data.fs").stat().st_size / 2 ** 20})


def rebuild_catalog(var, report):
    """Child process: ``catalog.rebuild`` over the built site (as ``portal reindex``), aborted."""
    import transaction
    from repoze.catalog.catalog import Catalog

    from portal.catalog import rebuild
    from portal.testing import FIXED_NOW, make_registry, open_db

    make_registry(FIXED_NOW)
    db = open_db(var)
    conn = db.open()
    site = conn.root()["portal"]
    per_index = _time_indexes(Catalog)
    started = time.perf_counter()
    count = rebuild(site)
    seconds = time.perf_counter() - started
    transaction.abort()
    conn.close()
    db.close()
    report.send({"objects": count, "seconds": seconds, "per_index": dict(per_index),
                 "rss_mb": _rss_mb()})


def _time_indexes(catalog_class):
    """Time every index's indexing (by index name) by wrapping the catalog's methods."""
    spent = defaultdict(float)

    def timed(method):
        def run(self, docid, obj):
            for name, index in self.items():
                started = time.perf_counter()
                getattr(index, method)(docid, obj)
                spent[name] += time.perf_counter() - started
        return run

    catalog_class.index_doc = timed("index_doc")
    catalog_class.reindex_doc = timed("reindex_doc")
    return spent


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(target, *args):
    """Run ``target(*args, report)`` in a forked process; returns what it sent."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=target, args=(*args, send))
    process.start()
    send.close()  # the child's end: recv() fails instead of waiting if the child dies
    try:
        result = receive.recv()
    except EOFError:
        result = None
    process.join()
    if process.exitcode or result is None:
        sys.exit(f"{target.__name__} failed")
    return result


# Searching ------------------------------------------------------------------------------------
QUERIES = [  # (name, parameters of /search)
    ("accents: nghị quyết đại hội", {"q": "nghị quyết đại hội"}),
    ("accents: Thái Nguyên", {"q": "Thái Nguyên"}),
    ("accents: chuyển đổi số", {"q": "chuyển đổi số"}),
    ("plain: nghi quyet dai hoi", {"q": "nghi quyet dai hoi"}),
    ("plain: thai nguyen", {"q": "thai nguyen"}),
    ("plain: chuyen doi so", {"q": "chuyen doi so"}),
    ('phrase: "ban chấp hành đảng bộ"', {"q": '"ban chấp hành đảng bộ"'}),
    ("rare: thiếc", {"q": "thiếc"}),
    ("rare: Núi Cốc", {"q": "Núi Cốc"}),
    ("type: nghị quyết + File", {"q": "nghị quyết", "type": "File"}),
    ("section: nghị quyết + XDĐ", {"q": "nghị quyết", "section": "xay-dung-dang"}),
    ("year: nghị quyết + 2024", {"q": "nghị quyết", "year": "2024"}),
    ("3 filters: chuyển đổi số", {"q": "chuyển đổi số", "type": "NewsItem",
                                  "section": "tin-tuc-su-kien", "year": "2025"}),
    ("no words: type=File", {"type": "File"}),
]
PAGE_ONLY = [  # the same searches in another order or page (same catalog query)
    ("by date: thai nguyen", {"q": "thai nguyen", "sort": "date"}),
    ("page 5: nghi quyet dai hoi", {"q": "nghi quyet dai hoi", "page": "5"}),
]


def settings_for(var, cache_size):
    from portal.testing import storage_uri

    return {
        "zodbconn.uri": storage_uri(var, cache_size),
        "pyramid.default_locale_name": "vi",
        "portal.show_tracebacks": "false",
        "portal.secret": "bench-secret-not-for-production",
        "portal.public_url": "http://localhost",
    }


def view_calls(browser, params):
    """The calls of ``search`` the search view makes for ``params``: [(args, kwargs)], caught
    during one request, so the catalog is timed with exactly the queries the view builds."""
    import portal.views.search as view

    calls, original = [], view.search

    def spy(request, *args, **kwargs):
        calls.append((args, kwargs))
        return original(request, *args, **kwargs)

    view.search = spy
    try:
        with fresh_answers():
            browser.get("/search", params, status=200)
    finally:
        view.search = original
    return calls


@contextlib.contextmanager
def fresh_answers():
    """The search page without the answers it keeps for anonymous visitors (``Layout.memo``):
    every request computes its answer, as for a question not asked since the last change."""
    from portal.views.layout import Layout

    original = Layout.__dict__.get("memo")
    if original is None:
        yield
        return
    Layout.memo = lambda self, key, compute: compute()
    try:
        yield
    finally:
        Layout.memo = original


def forget_scores(request):
    """Drop the term scores the text index keeps between queries (vietnamese.py), as any
    change to the index does; nothing for an index that keeps none."""
    changes = getattr(request.root.catalog["text"].index, "_changes", None)
    if changes is not None:
        changes._v_scores = None


def timings(run, runs, warmup):
    for _ in range(warmup):
        run()
    spent = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        spent.append((time.perf_counter() - started) * 1000)
    spent.sort()
    return statistics.median(spent), spent[min(len(spent) - 1, int(len(spent) * 0.95))]


def measure(var, args):
    from pyramid.request import Request
    from pyramid.scripting import prepare
    from webtest import TestApp

    from portal import main
    from portal.catalog.indexes import TEXT
    from portal.catalog.search import search

    app = main({}, **settings_for(var, args.cache_size))
    rss_app = _rss_mb()
    env = prepare(Request.blank("/", base_url="http://localhost"), registry=app.registry)
    request = env["request"]
    request.root = env["root"]
    browser = TestApp(app)
    gc.collect()
    gc.freeze()  # as `portal serve` does after start-up
    rows = {}
    print("\nms, median / p95. catalog: search() with the view's query, sorted for a page of 20 "
          "(relevance,\nor date without words) and unsorted for all matches (count, facets); "
          "cold: the page with the\ntext index's kept term scores dropped first (as after any "
          "change to the index). /search: the\nwhole page, anonymous, through WebTest: new, "
          "the answer computed (a question not asked\nsince the last change); again, as served "
          "to the next visitor asking it (the view keeps answers).")
    print(f"\n{'query':<32} {'found':>6} {'catalog page':>13} {'all matches':>13} "
          f"{'cold page':>13} {'/search new':>13} {'/search again':>13}")
    for name, params in QUERIES + PAGE_ONLY:
        calls = view_calls(browser, params)
        # The call giving all matches (count, facets) and, from the same query, the sorted
        # page of 20 as search() gives it (sort_index, limit): the catalog's whole work.
        everything = [c for c in calls if not c[1].get("sort_index") and not c[1].get("limit")]
        if not everything:
            sys.exit(f"{name}: the search view made no query")
        args_, kwargs = everything[0]
        by_date = "q" not in params or params.get("sort") == "date"
        ordered = dict(kwargs, sort_index="effective" if by_date else TEXT, reverse=by_date,
                       limit=20)
        count = search(request, *args_, **kwargs)[0]
        cells = []
        for kw, cold in ((ordered, False), (kwargs, False), (ordered, True)):
            if (name, params) not in QUERIES:
                cells.append(None)
                continue

            def run(a=args_, k=kw, cold=cold):
                if cold:
                    forget_scores(request)
                return list(search(request, *a, **k)[1])
            cells.append(timings(run, max(1, args.runs // 4) if cold else args.runs,
                                 args.warmup))
        with fresh_answers():
            new = timings(lambda p=params: browser.get("/search", p, status=200), args.runs,
                          args.warmup)
        again = timings(lambda p=params: browser.get("/search", p, status=200), args.runs,
                        args.warmup)
        rows[name] = (count, *cells, new, again)
        print(f"{name:<32} {count:>6} {_pair(cells[0]):>13} {_pair(cells[1]):>13} "
              f"{_pair(cells[2]):>13} {_pair(new):>13} {_pair(again):>13}", flush=True)
    env["closer"]()
    tracemalloc.start()
    peaks = []
    with fresh_answers():
        for _name, params in QUERIES + PAGE_ONLY:
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            browser.get("/search", params, status=200)
            peaks.append(tracemalloc.get_traced_memory()[1] - base)
    tracemalloc.stop()
    print(f"\nsearch process: ru_maxrss {rss_app:.0f} MB after start-up, {_rss_mb():.0f} MB "
          f"after the searches; tracemalloc peak of one /search request "
          f"{max(peaks) / 2 ** 20:.1f} MB")
    if args.profile:
        profile(browser, request, args.profile)
    app.registry._zodb_databases[""].close()
    return rows


def profile(browser, request, kind):
    from pyinstrument import Profiler

    name, params = next((n, p) for n, p in QUERIES + PAGE_ONLY if kind in n)
    profiler = Profiler(interval=0.0005)
    with fresh_answers():
        for _ in range(5):  # this connection's caches warm, as in the timed runs
            browser.get("/search", params, status=200)
        profiler.start()
        for _ in range(50):
            browser.get("/search", params, status=200)
        profiler.stop()
    print(f"\nprofile of 50 /search requests for {name} (answers computed):")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def _pair(values):
    return "-" if values is None else f"{values[0]:.1f} / {values[1]:.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--var", help="reuse or create the database here")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--batch", type=int, default=1000, help="items per commit")
    parser.add_argument("--runs", type=int, default=200, help="timed runs per query")
    parser.add_argument("--warmup", type=int, default=10, help="untimed runs per query first")
    parser.add_argument("--cache-size", type=int, default=20000,
                        help="ZODB connection cache (objects), as production.ini")
    parser.add_argument("--no-rebuild", action="store_true", help="skip timing the rebuild")
    parser.add_argument("--profile", metavar="QUERY",
                        help="then profile 50 /search requests of the first query whose name "
                             "contains QUERY (pyinstrument)")
    args = parser.parse_args()
    var = Path(args.var or tempfile.mkdtemp(prefix="bench-search-"))
    print(f"database: {var}")
    if not (var / "Data.fs").exists():
        print(f"building: default + demo profiles, then {args.items:,} items (seed {args.seed})")
        built = in_child(build, var, args.items, args.seed, args.batch)
        n = built["items"]
        print(f"profiles {built['profiles_seconds']:.1f} s; {n:,} items added and indexed in "
              f"{built['seconds']:.1f} s: {1000 * built['seconds'] / n:.2f} ms/item, of which "
              f"the catalog {_share(built['per_index'], n)}; "
              f"peak memory (ru_maxrss) {built['rss_mb']:.0f} MB; packed in "
              f"{built['pack_seconds']:.0f} s to {built['size_mb']:.0f} MB")
    if not args.no_rebuild:
        rebuilt = in_child(rebuild_catalog, var)
        n = rebuilt["objects"]
        print(f"catalog.rebuild: {n:,} objects in {rebuilt['seconds']:.1f} s: "
              f"{1000 * rebuilt['seconds'] / n:.2f} ms/object, of which "
              f"{_share(rebuilt['per_index'], n)}; peak memory {rebuilt['rss_mb']:.0f} MB")
    measure(var, args)


def _share(per_index, count):
    total = sum(per_index.values())
    text = per_index.get("text", 0)
    return (f"{1000 * total / count:.2f} ms (text index {1000 * text / count:.2f} ms, "
            f"the {len(per_index) - 1} others {1000 * (total - text) / count:.2f} ms)")


if __name__ == "__main__":
    main()
