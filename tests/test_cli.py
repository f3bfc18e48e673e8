"""The `portal` command: init creates the database, the admin user, and is idempotent; adduser
adds a user or refuses clearly with exit status 2; evolve lists or applies the pending steps."""
import io
import os
import re

import pytest
import transaction

from portal.cli import main
from portal.evolve import newest as evolve_newest
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
    assert "201 objects created" in out and "PORTAL_ADMIN_PASSWORD" in out  # 177 + 24 groups
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


# portal adduser ------------------------------------------------------------------------

ADD_PASSWORD = "Mat-khau-2026-dai"


@pytest.fixture
def initialised(var, monkeypatch, capsys):
    """A database made by ``portal init`` with one extra group, ``to-thu-nghiem``."""
    from portal.security.principals import Group

    monkeypatch.setenv("PORTAL_ADMIN_PASSWORD", "mat-khau-du-dai-2026")
    monkeypatch.delenv("PORTAL_NEW_PASSWORD", raising=False)
    assert main(["init", INI, "--profile", "default"]) == 0
    db, conn, site = site_of(var)
    with transaction.manager:
        site.groups.add(Group("to-thu-nghiem", "Tổ thử nghiệm"))
    conn.close()
    db.close()
    capsys.readouterr()
    return var


def stored_user(var, login):
    """(user's fields, the audit entries about it) as stored."""
    db, conn, site = site_of(var)
    try:
        user = site.users.get(login)
        entries, _total = site.audit_log.query(target_prefix=login)
        fields = None if user is None else {
            "fullname": user.fullname, "email": user.email, "roles": user.roles,
            "groups": user.groups, "active": user.active,
            "password_ok": user.check_password(ADD_PASSWORD)}
        return fields, [(entry.actor, entry.action, entry.details) for entry in entries]
    finally:
        conn.close()
        db.close()


def test_adduser_reads_the_password_from_stdin(initialised, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(ADD_PASSWORD + "\n"))
    assert main(["adduser", INI, "Le.Van.An", "--fullname", "Lê Văn An",
                 "--email", "an@example.vn", "--role", "editor", "--role", "Publisher",
                 "--group", "to-thu-nghiem", "--password-stdin"]) == 0
    assert "User le.van.an added" in capsys.readouterr().out
    fields, entries = stored_user(initialised, "le.van.an")
    assert fields == {"fullname": "Lê Văn An", "email": "an@example.vn",
                      "roles": ("Editor", "Publisher"), "groups": ("to-thu-nghiem",),
                      "active": True, "password_ok": True}
    assert entries == [("cli", "user-added",
                        "roles: Editor, Publisher; groups: to-thu-nghiem")]


def test_adduser_takes_the_password_from_the_environment(initialised, monkeypatch):
    monkeypatch.setenv("PORTAL_NEW_PASSWORD", ADD_PASSWORD)
    assert main(["adduser", INI, "binh"]) == 0
    fields, _entries = stored_user(initialised, "binh")
    assert fields["password_ok"] and fields["fullname"] == "binh" and fields["roles"] == ()


def test_adduser_asks_for_the_password_twice(initialised, monkeypatch, capsys):
    typed = iter([ADD_PASSWORD, ADD_PASSWORD + "x"])
    monkeypatch.setattr("portal.cli.getpass.getpass", lambda prompt: next(typed))
    assert main(["adduser", INI, "chi"]) == 2
    assert "not the same" in capsys.readouterr().err
    assert stored_user(initialised, "chi")[0] is None
    typed = iter([ADD_PASSWORD, ADD_PASSWORD])
    assert main(["adduser", INI, "chi"]) == 0
    assert stored_user(initialised, "chi")[0]["password_ok"]


@pytest.mark.parametrize("arguments, password, message", [
    (["admin"], ADD_PASSWORD, "The user name admin is already taken."),
    (["có-dấu"], ADD_PASSWORD, "A user name has 2 to 64 characters"),
    (["x"], ADD_PASSWORD, "A user name has 2 to 64 characters"),
    (["dung", "--role", "Chief"], ADD_PASSWORD, "unknown role 'Chief'; the roles are Author"),
    (["dung", "--group", "khong-co"], ADD_PASSWORD, "unknown group 'khong-co'"),
    (["dung", "--email", "khong-phai-email"], ADD_PASSWORD, "Write an e-mail address"),
    (["dung"], "ngan1", "too weak: Use at least 10 characters."),
    (["dung"], "dung-2026-abcd", "Do not put your user name in the password."),
])
def test_adduser_refuses_clearly_with_status_2(initialised, monkeypatch, capsys,
                                               arguments, password, message):
    monkeypatch.setenv("PORTAL_NEW_PASSWORD", password)
    login = arguments[0]
    assert main(["adduser", INI, *arguments]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    if login != "admin":
        assert stored_user(initialised, login)[0] is None


def test_adduser_needs_a_database(var, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_NEW_PASSWORD", ADD_PASSWORD)
    assert main(["adduser", INI, "dung"]) == 2
    assert "run `portal init` first" in capsys.readouterr().err


# every command on every storage --------------------------------------------------------

def last_transaction(var):
    db = open_db(var)
    try:
        return db.lastTransaction()
    finally:
        db.close()


def test_init_if_new_writes_nothing_when_the_site_exists(var, capsys):
    main(["init", INI, "--profile", "default"])
    before = last_transaction(var), (var / "Data.fs").stat().st_size
    assert main(["init", INI, "--if-new", "--profile", "default"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert (last_transaction(var), (var / "Data.fs").stat().st_size) == before


# portal evolve --------------------------------------------------------------------------

def make_older(var):
    """Turn the database of ``var`` into one a release of generation 6 left: its generation
    on the site, no schedule, no index of privileged grants."""
    db, conn, site = site_of(var)
    with transaction.manager:
        del conn.root()["portal.generation"]
        site.evolve_version = 6
        del site.schedule, site.privileged_grants
    conn.close()
    db.close()


def test_evolve_lists_then_applies_the_pending_steps_with_a_progress_bar(initialised, capsys):
    var, newest, pending = initialised, evolve_newest(), evolve_newest() - 6
    assert main(["evolve", INI]) == 0
    assert f"generation {newest}, the newest: no evolve step to apply" in capsys.readouterr().out
    make_older(var)
    before = last_transaction(var)
    assert main(["evolve", INI, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"generation 6; {pending} evolve step(s) to apply" in out
    assert "  7: Schedule: sites made before it get theirs" in out and "  8: Sharing: " in out
    assert last_transaction(var) == before
    assert main(["evolve", INI]) == 0
    captured = capsys.readouterr()
    assert f"{pending} evolve step(s) applied" in captured.out and "  7: Schedule" in captured.out
    assert f"The database is at generation {newest}." in captured.out
    assert f"] {pending}/{pending} (100%)\n" in captured.err
    db, conn, site = site_of(var)
    assert conn.root()["portal.generation"] == newest and "evolve_version" not in site.__dict__
    assert len(site.privileged_grants) == 0 and site.schedule is not None
    conn.close()
    db.close()
    before = last_transaction(var)
    assert main(["evolve", INI]) == 0
    assert "no evolve step to apply" in capsys.readouterr().out
    assert last_transaction(var) == before


def test_init_applies_the_pending_steps_first(initialised, capsys):
    make_older(initialised)
    assert main(["init", INI, "--if-new"]) == 0
    out = capsys.readouterr().out
    assert f"{evolve_newest() - 6} evolve step(s) applied" in out and "nothing to do" in out
    db, conn, _site = site_of(initialised)
    assert conn.root()["portal.generation"] == evolve_newest()
    conn.close()
    db.close()


def test_evolve_needs_a_database(var, capsys):
    assert main(["evolve", INI, "--dry-run"]) == 2
    assert "run `portal init` first" in capsys.readouterr().err


def shared_ini(tmp_path, conf):
    """An ini like development.ini's whose database is ``etc/<conf>``."""
    ini = tmp_path / "shared.ini"
    ini.write_text("[app:main]\nuse = egg:portal\nportal.profiles = default\n"
                   "portal.secret = %(PORTAL_SECRET)s\n"
                   "portal.public_url = http://127.0.0.1:%(PORTAL_PORT)s\n"
                   f"zodbconn.uri = zconfig://{ROOT}/etc/{conf}\n"
                   "mail.queue_path = %(PORTAL_VAR)s/mail-queue\n")
    return str(ini)


@pytest.fixture(params=["zeo", "postgresql"])
def shared_storage(request, tmp_path, monkeypatch, var):
    """An ini naming a ZEO server or a PostgreSQL database (real servers on loopback)."""
    from .storage_servers import PostgresCluster, ZeoServer

    monkeypatch.delenv("PORTAL_SECRET", raising=False)
    if request.param == "zeo":
        server = ZeoServer(tmp_path / "zeo").start()
        request.addfinalizer(server.stop)
        monkeypatch.setenv("PORTAL_ZEO_SERVER", server.address)
        return shared_ini(tmp_path, "zeo.conf")
    cluster = PostgresCluster().start()
    request.addfinalizer(cluster.remove)
    monkeypatch.setenv("PORTAL_PG_DSN", cluster.dsn())
    return shared_ini(tmp_path, "relstorage.conf")


def storage_state(ini):
    """(last transaction id, the site's users) of the database ``ini`` names."""
    from pyramid.paster import get_appsettings

    from portal.cli import ini_options
    from portal.storage import open_database

    db = open_database(get_appsettings(ini, options=ini_options(ini)))
    conn = db.open()
    try:
        root = conn.root()
        users = sorted(user.login for user in root["portal"].users) if "portal" in root else None
        return db.lastTransaction(), users
    finally:
        conn.close()
        db.close()


@pytest.mark.slow
def test_every_command_works_on_zeo_and_postgresql(shared_storage, monkeypatch, capsys):
    ini = shared_storage
    monkeypatch.setenv("PORTAL_ADMIN_PASSWORD", "mat-khau-du-dai-2026")
    monkeypatch.setenv("PORTAL_NEW_PASSWORD", ADD_PASSWORD)
    assert main(["adduser", ini, "dung"]) == 2
    assert "run `portal init` first" in capsys.readouterr().err
    assert main(["init", ini, "--if-new"]) == 0
    assert "201 objects created" in capsys.readouterr().out
    before = storage_state(ini)
    assert main(["init", ini, "--if-new"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert storage_state(ini) == before
    assert main(["adduser", ini, "dung", "--role", "Editor"]) == 0
    assert storage_state(ini)[1] == ["admin", "dung"]
    assert main(["reindex", ini]) == 0
    assert "objects indexed" in capsys.readouterr().out
    assert main(["check-blobs", ini]) == 0
    assert "Every file and image" in capsys.readouterr().out


@pytest.mark.slow
def test_serving_a_shared_database_with_a_local_secret_says_so(shared_storage, monkeypatch):
    from pyramid.paster import get_app, get_appsettings

    from portal.cli import ini_options, shared_secret_warning

    options = ini_options(shared_storage)
    app = get_app(shared_storage, options=options)
    db = app.registry._zodb_databases[""]
    try:
        settings = get_appsettings(shared_storage, options=options)
        warning = shared_secret_warning(db, settings, options)
        assert "same PORTAL_SECRET" in warning and str(options["PORTAL_VAR"]) in warning
        monkeypatch.setenv("PORTAL_SECRET", "one-secret-for-every-process")
        options = ini_options(shared_storage)
        assert shared_secret_warning(db, get_appsettings(shared_storage, options=options),
                                     options) is None
    finally:
        db.close()


def test_a_local_database_needs_no_shared_secret(var):
    from pyramid.paster import get_app, get_appsettings

    from portal.cli import ini_options, shared_secret_warning

    options = ini_options(INI)
    app = get_app(INI, options=options)
    db = app.registry._zodb_databases[""]
    try:
        assert shared_secret_warning(db, get_appsettings(INI, options=options), options) is None
    finally:
        db.close()


def test_check_blobs_names_the_items_whose_files_are_missing(var, capsys):
    from portal.content.blobs import ImageData
    from portal.content.types import Image

    from .test_manage import jpeg

    main(["init", INI, "--profile", "default"])
    db, conn, site = site_of(var)
    with transaction.manager:
        item = site["gioi-thieu"].add("anh", Image("Ảnh"), send_events=False)
        item.image = ImageData(jpeg(), "anh.jpg")
    blob_file = item.image.blob.committed()
    conn.close()
    db.close()
    capsys.readouterr()
    assert main(["check-blobs", INI]) == 0
    assert "Every file and image" in capsys.readouterr().out
    os.remove(blob_file)
    assert main(["check-blobs", INI]) == 1
    out = capsys.readouterr().out
    assert "1 file(s) missing" in out and "/gioi-thieu/anh" in out


def test_the_portal_command_bounds_the_wait_for_an_unreachable_postgresql(var, monkeypatch):
    from portal.cli import ini_options

    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    ini_options(INI)
    assert os.environ["PGCONNECT_TIMEOUT"] == "5"
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "2")
    ini_options(INI)
    assert os.environ["PGCONNECT_TIMEOUT"] == "2"
