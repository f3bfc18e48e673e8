"""Principals, local roles with blocked inheritance, the throttle, and the policy's roles."""
from datetime import UTC, datetime, timedelta

import pytest
from pyramid import testing

from portal.content.types import Folder, Page
from portal.security.localroles import (
    get_local_roles,
    is_blocked,
    roles_in_context,
    set_blocked,
    set_local_roles,
)
from portal.security.principals import (
    Group,
    Groups,
    User,
    Users,
    global_roles,
    password_problems,
    principals_of,
)
from portal.security.throttle import Throttle, account_key, address_key

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.fixture
def tree():
    testing.setUp()
    root = Folder("root")
    agency = root.add("agency", Folder("Ban Tuyên giáo"))
    news = agency.add("news", Folder("Tin hoạt động"))
    page = news.add("page", Page("Bài"))
    yield root, agency, news, page
    testing.tearDown()


class TestLocalRoles:
    def test_local_roles_are_inherited_down_the_tree(self, tree):
        root, agency, _news, page = tree
        set_local_roles(agency, "group:ban-tuyen-giao", ("Editor",))
        assert roles_in_context(page, ["group:ban-tuyen-giao"]) == {"Editor"}
        assert roles_in_context(root, ["group:ban-tuyen-giao"]) == set()
        assert roles_in_context(page, ["group:ban-to-chuc"]) == set()

    def test_blocking_stops_inheritance_below_but_keeps_the_folders_own(self, tree):
        root, agency, news, page = tree
        set_local_roles(root, "user:an", ("Reviewer",))
        set_local_roles(news, "user:an", ("Author",))
        set_blocked(news, True)
        assert is_blocked(news)
        assert roles_in_context(page, ["user:an"]) == {"Author"}
        assert roles_in_context(agency, ["user:an"]) == {"Reviewer"}
        set_blocked(news, False)
        assert roles_in_context(page, ["user:an"]) == {"Author", "Reviewer"}

    def test_revoking_with_no_roles_removes_the_grant(self, tree):
        _root, agency, _news, _page = tree
        set_local_roles(agency, "user:an", ("Editor", "Author"))
        assert get_local_roles(agency) == {"user:an": ("Author", "Editor")}
        set_local_roles(agency, "user:an", ())
        assert get_local_roles(agency) == {}


class TestPrincipals:
    def test_group_roles_and_principals_of_a_user(self):
        groups = Groups()
        groups.add(Group("ban-bien-tap", "Ban Biên tập", roles=("Publisher",)))
        user = User("an", groups=("ban-bien-tap", "gone"), roles=("Author",))
        assert global_roles(user, groups) == {"Author", "Publisher"}
        assert principals_of(user, groups) == ("user:an", "group:ban-bien-tap")

    def test_logins_are_checked_and_unique(self):
        users = Users()
        users.add(User("nguyen.van.an"))
        with pytest.raises(KeyError):
            users.add(User("nguyen.van.an"))
        for bad in ("", "Nguyễn", "a b", "-x", "x" * 70):
            with pytest.raises(ValueError):
                users.add(User(bad))

    def test_password_policy(self):
        assert password_problems("Mat-khau-2026-dai", "an") == []
        assert len(password_problems("short1", "an")) == 1
        assert password_problems("chi-co-chu-thoi", "an")  # no digit
        assert password_problems("an-1234567890", "an")  # contains the login
        assert password_problems("1111111111a", "x")  # too few different characters

    def test_recovery_codes_are_stored_hashed_and_spent_once(self):
        user = User("an")
        user.set_recovery_codes(["abcd-efgh", "ijkl-mnop"])
        assert "abcd-efgh" not in repr(user.recovery_hashes)
        assert user.use_recovery_code("ABCD EFGH")
        assert not user.use_recovery_code("abcd-efgh")
        assert user.use_recovery_code("ijklmnop")


class TestThrottle:
    def test_accounts_slow_down_after_three_failures_and_lock_after_ten(self):
        throttle, key = Throttle(), account_key("An")
        now = T0
        for _ in range(3):
            assert throttle.wait(key, now) == 0
            throttle.failed(key, now)
        assert throttle.wait(key, now) == 1
        assert throttle.wait(key, now + timedelta(seconds=1)) == 0
        for i in range(6):
            now += timedelta(minutes=2)
            assert not throttle.failed(key, now)
        now += timedelta(minutes=2)
        assert throttle.failed(key, now)  # the tenth
        assert throttle.is_locked(key, now + timedelta(minutes=14))
        assert not throttle.is_locked(key, now + timedelta(minutes=15))
        throttle.succeeded(key)
        assert throttle.wait(key, now) == 0

    def test_an_address_shared_by_an_office_gets_more_attempts(self):
        throttle, key = Throttle(), address_key("10.0.0.1")
        for _ in range(29):
            throttle.failed(key, T0)
        assert throttle.wait(key, T0) == 0  # an account would wait after three
        for _ in range(2):
            throttle.failed(key, T0)
        assert throttle.wait(key, T0) > 0
        assert not throttle.is_locked(key, T0)
