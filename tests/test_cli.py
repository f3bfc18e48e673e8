"""The `portal` command: init creates the database, the admin user, and is idempotent."""
import re

import pytest
import transaction

from portal.cli import main
from portal.testing import open_db

from .conftest import ROOT

INI = str(ROOT / "development.ini")


@pytest.fixture
def var(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_VAR", str(tmp_path / "var"))
    return tmp_path / "var"


def site_of(var):
    db = open_db(var)
    conn = db.open()
    return db, conn, conn.root()["portal"]


def test_init_creates_the_site_and_an_admin_with_the_given_password(var, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_ADMIN_PASSWORD", "mat-khau-du-dai-2026")
    assert main(["init", INI, "--profile", "default"]) == 0
    out = capsys.readouterr().out
    assert "176 objects created" in out and "PORTAL_ADMIN_PASSWORD" in out
    db, conn, site = site_of(var)
    assert site.users.get("admin").check_password("mat-khau-du-dai-2026")
    assert site.users.get("admin").roles == ("Manager",)
    assert site.settings["title"] == "Cổng Thông tin điện tử Đảng bộ tỉnh Thái Nguyên"
    conn.close()
    db.close()


def test_init_twice_adds_nothing_and_keeps_the_admin(var, monkeypatch, capsys):
    monkeypatch.delenv("PORTAL_ADMIN_PASSWORD", raising=False)
    main(["init", INI, "--profile", "default"])
    password = re.search(r"Password \(shown once\): (\S+)", capsys.readouterr().out).group(1)
    assert len(password) >= 12
    assert main(["init", INI, "--profile", "default"]) == 0
    out = capsys.readouterr().out
    assert "0 objects created" in out and "admin" not in out
    db, conn, site = site_of(var)
    assert site.users.get("admin").check_password(password)
    conn.close()
    db.close()


def test_init_if_new_leaves_an_existing_database_alone(var, capsys):
    main(["init", INI, "--profile", "default"])
    db, conn, site = site_of(var)
    with transaction.manager:
        site["gioi-thieu"].title = "Edited"
    conn.close()
    db.close()
    capsys.readouterr()
    assert main(["init", INI, "--if-new", "--profile", "default"]) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_init_reports_a_missing_profile_clearly(var, capsys):
    assert main(["init", INI, "--profile", "khong-co"]) == 2
    assert "no profile called 'khong-co'" in capsys.readouterr().err
