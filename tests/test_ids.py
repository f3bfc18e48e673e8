"""Readable ids from Vietnamese titles."""
import pytest

from portal.content.ids import slugify, unique_id
from portal.text.folding import fold


@pytest.mark.parametrize("title, expected", [
    ("Tin trong tỉnh", "tin-trong-tinh"),
    ("Đảng bộ tỉnh Thái Nguyên", "dang-bo-tinh-thai-nguyen"),
    ("ĐẠI HỘI ĐẢNG", "dai-hoi-dang"),
    ("Tin tức - Sự kiện", "tin-tuc-su-kien"),
    ("Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
     "hoc-tap-va-lam-theo-tu-tuong-dao-duc-phong-cach-ho-chi-minh"),
    ("  Nghị quyết số 15-NQ/TU  ", "nghi-quyet-so-15-nq-tu"),
    ("Thành phố Sông Công (2026)", "thanh-pho-song-cong-2026"),
    ("!!!", "item"),
    ("", "item"),
])
def test_slugify_makes_readable_ascii_ids(title, expected):
    assert slugify(title) == expected


def test_fold_drops_every_vietnamese_diacritic():
    assert fold("ắằẳẵặ ấầẩẫậ ếềểễệ ốồổỗộ ớờởỡợ ứừửữự ỳýỷỹỵ đĐ") == \
        "aaaaa aaaaa eeeee ooooo ooooo uuuuu yyyyy dd"


def test_slugify_cuts_long_titles_at_a_word_boundary():
    slug = slugify("Hội nghị " * 40)
    assert len(slug) <= 80
    assert not slug.endswith("-")
    assert slug.startswith("hoi-nghi-hoi-nghi")


def test_unique_id_numbers_clashes_within_a_folder():
    taken = {"tin-moi", "tin-moi-2"}
    assert unique_id("Tin mới", taken) == "tin-moi-3"
    assert unique_id("Tin cũ", taken) == "tin-cu"


def test_unique_id_never_returns_a_reserved_name():
    assert unique_id("Search", set()) == "search-1"
