"""Setup profiles: the whole P1 tree, idempotence, additions, and clear errors."""
from datetime import UTC, datetime

import pytest
import yaml
from pyramid.config import Configurator

from portal.paths import resource_dirs
from portal.profiles import ProfileError, apply_profiles
from portal.startup import ensure_site

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PROFILES = resource_dirs({})[1]


@pytest.fixture
def registry():
    config = Configurator(settings={})
    config.include("portal.clock")
    config.include("portal.content")
    config.include("portal.navigation")
    config.include("portal.publishing")
    config.commit()
    return config.registry


@pytest.fixture
def site():
    return ensure_site({}, NOW)


def find(site, path):
    obj = site
    for name in path.split("/"):
        obj = obj[name]
    return obj


def apply(site, registry, names, profiles_dir=PROFILES):
    return apply_profiles(site, registry, profiles_dir, names, NOW)


# The P1 tree of seed 000's annex: (path, title) pairs that must exist after `default`.
P1_SECTIONS = [
    ("gioi-thieu", "Giới thiệu"),
    ("gioi-thieu/co-cau-to-chuc/thuong-truc-tinh-uy", "Thường trực Tỉnh ủy"),
    ("gioi-thieu/co-cau-to-chuc/ban-thuong-vu-tinh-uy", "Ban Thường vụ Tỉnh ủy"),
    ("gioi-thieu/co-cau-to-chuc/ban-chap-hanh-dang-bo-tinh", "Ban Chấp hành Đảng bộ tỉnh"),
    ("gioi-thieu/lanh-dao-tinh-qua-cac-thoi-ky", "Lãnh đạo tỉnh qua các thời kỳ"),
    ("tin-tuc-su-kien/trong-tinh", "Trong tỉnh"),
    ("tin-tuc-su-kien/trong-nuoc", "Trong nước"),
    ("tin-tuc-su-kien/quoc-te", "Quốc tế"),
    ("xay-dung-dang/cong-tac-tuyen-giao/dua-nghi-quyet-cua-dang-vao-cuoc-song",
     "Đưa nghị quyết của Đảng vào cuộc sống"),
    ("xay-dung-dang/cong-tac-tuyen-giao/bao-ve-nen-tang-tu-tuong-cua-dang",
     "Bảo vệ nền tảng tư tưởng của Đảng"),
    ("xay-dung-dang/cong-tac-tuyen-giao/hoc-tap-va-lam-theo-bac",
     "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
    ("he-thong-van-ban/he-thong-van-ban-cua-trung-uong", "Hệ thống văn bản của Trung ương"),
    ("van-kien-tu-lieu/van-kien-cua-dang", "Văn kiện của Đảng"),
    ("van-kien-tu-lieu/van-kien-dai-hoi-dang-bo-tinh", "Văn kiện Đại hội Đảng bộ tỉnh"),
    ("van-kien-tu-lieu/lich-su-dang-bo-tinh", "Lịch sử Đảng bộ tỉnh"),
    ("van-kien-tu-lieu/lich-su-dang-bo-dia-phuong", "Lịch sử đảng bộ địa phương"),
    ("dat-va-nguoi-thai-nguyen", "Đất và người Thái Nguyên"),
]
AGENCIES = ["ban-tuyen-giao-tinh-uy", "ban-to-chuc-tinh-uy", "uy-ban-kiem-tra-tinh-uy",
            "ban-dan-van-tinh-uy", "ban-noi-chinh-tinh-uy", "van-phong-tinh-uy"]
AGENCY_WORK = ["cong-tac-tuyen-giao", "cong-tac-to-chuc", "cong-tac-kiem-tra",
               "cong-tac-dan-van", "cong-tac-noi-chinh", "cong-tac-van-phong"]
PROVINCIAL_KINDS = ["chi-thi", "nghi-quyet", "thong-bao", "ket-luan", "quyet-dinh", "bao-cao",
                    "van-ban-khac"]
AGENCY_KINDS = ["cong-van", "bao-cao", "ke-hoach", "huong-dan", "quyet-dinh", "van-ban-khac"]


def test_default_builds_every_section_of_the_seed(site, registry):
    apply(site, registry, ["default"])
    for path, title in P1_SECTIONS:
        assert find(site, path).title == title, path
    assert [obj.__name__ for obj in find(
        site, "gioi-thieu/co-cau-to-chuc/cac-co-quan-tham-muu").values()] == AGENCIES
    for work in AGENCY_WORK:
        names = find(site, f"xay-dung-dang/{work}").keys()
        assert names[:2] == ["tin-hoat-dong", "trao-doi-nghiep-vu"], work
    assert find(site, "he-thong-van-ban/van-ban-cua-tinh-uy").keys() == PROVINCIAL_KINDS
    agencies = find(site, "he-thong-van-ban/van-ban-cac-co-quan-tham-muu")
    assert len(agencies) == 6
    for agency in agencies.values():
        assert agency.keys() == AGENCY_KINDS


def test_default_has_the_sixteen_subordinate_committees(site, registry):
    apply(site, registry, ["default"])
    assert len(find(site, "hoat-dong-cac-dang-bo")) == 16
    assert len(find(site, "gioi-thieu/co-cau-to-chuc/cac-dang-bo-truc-thuoc")) == 16
    assert find(site, "hoat-dong-cac-dang-bo").keys() == find(
        site, "gioi-thieu/co-cau-to-chuc/cac-dang-bo-truc-thuoc").keys()


def test_default_has_the_complete_web_links_grouped_as_in_the_seed(site, registry):
    apply(site, registry, ["default"])
    links = find(site, "lien-ket-web")
    assert not links.in_menu
    groups = {group.title: len(group) for group in links.values()}
    assert groups == {"Cơ quan Trung ương": 6, "Cơ quan tham mưu giúp việc Tỉnh ủy": 6,
                      "Huyện, thành, thị": 9, "Đảng bộ trực thuộc": 7,
                      "Tổ chức chính trị - xã hội": 6}
    for group in links.values():
        for link in group.values():
            assert link.type_name == "Link"
            if link.url.startswith("/"):  # internal links must lead somewhere real
                find(site, link.url.strip("/"))


def test_news_and_document_sections_are_ordered_by_date(site, registry):
    apply(site, registry, ["default"])
    assert find(site, "tin-tuc-su-kien/trong-tinh").order == "date"
    assert find(site, "he-thong-van-ban/van-ban-cua-tinh-uy/nghi-quyet").order == "date"
    assert find(site, "gioi-thieu").order == "manual"


def test_applying_twice_creates_nothing_twice(site, registry):
    first = apply(site, registry, ["default"])
    count = sum(1 for _ in _walk(site))
    assert apply(site, registry, ["default"]) == 0
    assert sum(1 for _ in _walk(site)) == count == first - len(site.groups)


def test_reapplying_keeps_editorial_changes(site, registry):
    apply(site, registry, ["default"])
    news = find(site, "tin-tuc-su-kien")
    news["trong-tinh"].title = "Tin trong tỉnh (đã sửa)"
    news.remove("quoc-te")
    site.settings["title"] = "Tên do Ban biên tập đặt"
    apply(site, registry, ["default"])
    assert news["trong-tinh"].title == "Tin trong tỉnh (đã sửa)"
    assert "quoc-te" not in news
    assert site.settings["title"] == "Tên do Ban biên tập đặt"


def test_a_new_section_in_a_profile_is_added_on_the_next_run(site, registry, tmp_path):
    profile = tmp_path / "mine"
    profile.mkdir()
    tree = {"title": "t", "content": [{"title": "Tin tức - Sự kiện", "id": "tin-tuc-su-kien",
                                       "children": [{"title": "Trong tỉnh"}]}]}
    (profile / "profile.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True))
    apply(site, registry, ["mine"], tmp_path)
    site["tin-tuc-su-kien"]["trong-tinh"].title = "Edited"
    tree["content"][0]["children"].append({"title": "Văn hóa - Xã hội"})
    (profile / "profile.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True))
    assert apply(site, registry, ["mine"], tmp_path) == 1
    assert site["tin-tuc-su-kien"].keys() == ["trong-tinh", "van-hoa-xa-hoi"]
    assert site["tin-tuc-su-kien"]["trong-tinh"].title == "Edited"


def test_the_bloc_profile_builds_a_smaller_site_with_the_same_product(site, registry):
    apply(site, registry, ["bloc"])
    assert "Đảng ủy Khối" in site.settings["title"]
    assert 4 <= len([n for n in site if site[n].is_container]) <= 12
    assert "tin-tuc-su-kien" not in site


@pytest.mark.parametrize("content, message", [
    ("title: t\ncontent: [{type: Nonsense, title: X}]", "unknown type 'Nonsense'"),
    ("title: t\ncontent: [{description: no title}]", "every node needs a title"),
    ("title: t\ncontent: [{title: N, type: NewsItem, age: soon}]", "is not like 3d"),
    ("title: t\ncontent: [unbalanced", "profile.yaml"),
])
def test_bad_profiles_fail_with_a_message_naming_the_file(site, registry, tmp_path, content,
                                                          message):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "profile.yaml").write_text(content)
    with pytest.raises(ProfileError, match=message):
        apply(site, registry, ["bad"], tmp_path)


def test_unknown_profile_and_circular_dependencies_are_reported(site, registry, tmp_path):
    with pytest.raises(ProfileError, match="no profile called 'nope'"):
        apply(site, registry, ["nope"], tmp_path)
    for name, other in (("a", "b"), ("b", "a")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "profile.yaml").write_text(f"title: {name}\ndepends: [{other}]\n")
    with pytest.raises(ProfileError, match="circle"):
        apply(site, registry, ["a"], tmp_path)


def _walk(folder):
    for obj in folder.values():
        yield obj
        if obj.is_container:
            yield from _walk(obj)


def test_effective_dates_are_local_time_stored_in_utc(site, registry, tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "profile.yaml").write_text(
        "title: t\ncontent: [{title: A, type: Page, effective: '2026-03-16T08:00'}]\n")
    apply(site, registry, ["p"], tmp_path)
    assert site["a"].effective == datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
    assert site["a"].effective.tzinfo is UTC
