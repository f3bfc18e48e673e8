"""The allow-list run on every rich-text body at save (S4); the full corpus comes with issue 4."""
import pytest

from portal.sanitize import clean_html


@pytest.mark.parametrize("dirty, forbidden", [
    ('<p>a</p><iframe src="https://example.com/v"></iframe>', "<iframe"),
    ('<p onclick="alert(1)">a</p>', "onclick"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ('<script>alert(1)</script>', "<script"),
    ('<object data="x.swf"></object><embed src="x.swf">', "<object"),
    ('<img src="https://tracker.example.com/p.gif" alt="">', "tracker.example.com"),
    ('<p style="position:fixed">a</p>', "style="),
])
def test_embedding_and_scripts_are_removed(dirty, forbidden):
    assert forbidden not in clean_html(dirty)


def test_structure_links_and_local_images_are_kept():
    html = ('<h2>Mục</h2><p><strong>Đậm</strong> <a href="https://dangcongsan.vn">link</a></p>'
            '<table><tr><th scope="col">Họ tên</th></tr></table><img src="/anh/a.jpg" alt="Ảnh">')
    clean = clean_html(html)
    for kept in ("<h2>", "<strong>", 'href="https://dangcongsan.vn"', 'scope="col"',
                 'src="/anh/a.jpg"', 'alt="Ảnh"'):
        assert kept in clean
    assert 'rel="noopener noreferrer"' in clean
