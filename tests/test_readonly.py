"""Anonymous page views never write to the database (DESIGN: storage)."""
from collections import deque
from urllib.parse import urljoin, urlsplit

from webtest import TestApp

from .conftest import make_app

MAX_PAGES = 3000


def crawl(app, start="/"):
    """Visit every page, image and file reachable from ``start``; yields (path, status)."""
    seen, queue = {start}, deque([start])
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        response = app.get(path, expect_errors=True)
        yield path, response.status_int
        if response.status_int in (301, 302, 303):
            target = urlsplit(response.location).path
            if target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if "html" not in response.content_type:
            continue
        for tag, attr in (("a", "href"), ("img", "src"), ("link", "href")):
            for element in response.html.find_all(tag):
                url = urljoin(f"http://localhost{path}", element.get(attr) or "")
                parts = urlsplit(url)
                if parts.netloc != "localhost":
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                if target not in seen:
                    seen.add(target)
                    queue.append(target)


def test_crawling_every_public_page_anonymously_writes_nothing(demo_copy):
    app = make_app(demo_copy)
    storage = app.registry._zodb_databases[""].storage
    before = storage.lastTransaction()
    visited = list(crawl(TestApp(app)))
    assert len(visited) > 400
    failures = [(path, status) for path, status in visited if status >= 400]
    assert failures == []
    assert storage.lastTransaction() == before
    app.registry._zodb_databases[""].close()
