"""The ``portal`` command: ``portal init``, ``portal serve``, ``portal adduser``,
``portal mailqueue``, ``portal reindex``, ``portal evolve``, ``portal check-blobs`` and
``portal purge-trash``.

``PORTAL_VAR`` (folder of Data.fs and blobs, default ``var/``) and ``PORTAL_PORT`` (default
6543) fill the ``%(PORTAL_VAR)s`` and ``%(PORTAL_PORT)s`` placeholders of the ini files.
"""
import argparse
import gc
import getpass
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import transaction
from pyramid.exceptions import ConfigurationError
from pyramid.paster import bootstrap, get_app, get_appsettings, setup_logging
from zc.lockfile import LockError

from .clock import SystemRandom
from .evolve.command import evolve_database
from .mail import deliver_queued, queued_count, start_delivery_thread
from .paths import resource_dirs
from .profiles import ProfileError, apply_profiles
from .security.audit import get_audit_log
from .security.principals import User
from .security.roles import ASSIGNABLE_ROLES
from .startup import ensure_site
from .storage import has_site, is_shared, items_holding, missing_blobs, open_database

DEFAULT_CONFIG = "development.ini"


def ini_options(config_uri):
    """The placeholder values for the ini file, from the environment or defaults."""
    here = Path(config_uri).resolve().parent
    var = Path(os.environ.get("PORTAL_VAR") or here / "var").resolve()
    var.mkdir(parents=True, exist_ok=True)
    # The storage's ZConfig file (etc/filestorage.conf) reads $(PORTAL_VAR) from the environment.
    os.environ["PORTAL_VAR"] = str(var)
    # libpq waits for an unreachable PostgreSQL host as long as the system's TCP timeout (minutes)
    # unless the DSN says connect_timeout: bound it for RelStorage unless the operator set it.
    os.environ.setdefault("PGCONNECT_TIMEOUT", "5")
    return {"PORTAL_VAR": str(var), "PORTAL_PORT": os.environ.get("PORTAL_PORT", "6543"),
            "PORTAL_SECRET": os.environ.get("PORTAL_SECRET") or _kept_secret(var)}


def _kept_secret(var):
    """The cookie-signing secret kept in ``var/secret`` (made on first use, owner-only)."""
    path = var / "secret"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(SystemRandom().token(48))
    return path.read_text().strip()


def cmd_init(args):
    """Apply profiles to the database, creating it and the admin user when new; an existing
    database first gets its pending evolve steps (``portal evolve``)."""
    options = ini_options(args.config)
    if _site_exists(args.config, options):
        evolve_database(get_appsettings(args.config, options=options),
                        progress=progress_bar(sys.stderr))
        if args.if_new:
            print("The database already holds the site; nothing to do "
                  "(drop --if-new to re-apply profiles).")
            return 0
    env = bootstrap(args.config, options=options)
    registry = env["registry"]
    db = registry._zodb_databases[""]
    try:
        settings = registry.settings
        names = args.profile or settings.get("portal.profiles", "default").split()
        conn = db.open()
        try:
            with transaction.manager:
                site = ensure_site(conn.root(), registry.portal_clock.now())
                _, profiles_dir = resource_dirs(settings)
                created = apply_profiles(site, registry, profiles_dir, names,
                                         registry.portal_clock.now(), progress=print,
                                         timezone=settings["portal.timezone"])
                _ensure_admin(site, registry)
            print(f"Profiles {' '.join(names)} applied: {created} objects created.")
        finally:
            conn.close()
    except ProfileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        env["closer"]()
        # Closing the database writes FileStorage's index, so the next start is quick.
        db.close()
    return 0


def _ensure_admin(site, registry):
    if "admin" in site.users:
        return
    password = os.environ.get("PORTAL_ADMIN_PASSWORD")
    user = User("admin", "Administrator", roles=("Manager",))
    if password:
        user.set_password(password)
        print("User admin created with the password in PORTAL_ADMIN_PASSWORD.")
    else:
        password = registry.portal_random.token(12)
        user.set_password(password)
        print(f"User admin created. Password (shown once): {password}")
    site.users.add(user)


def tune_gc():
    """Make the cyclic garbage collector rarer for a long-running server.

    Every request allocates thousands of short-lived objects; with the default thresholds the
    full collections that follow walk the whole ZODB object caches and stall every thread for
    tens of milliseconds (the p99 of bench/pages). Objects alive after start-up are frozen
    out of the collector's sight; young objects are collected less often.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def cmd_serve(args):
    """Serve the application with waitress."""
    import waitress

    options = ini_options(args.config)
    setup_logging(args.config)
    app = get_app(args.config, options=options)
    tune_gc()
    settings = get_appsettings(args.config, options=options)
    warning = shared_secret_warning(app.registry._zodb_databases[""], settings, options)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    start_delivery_thread(settings)
    port = int(options["PORTAL_PORT"])
    server = server_settings(args.config, options)
    if args.threads:
        server["threads"] = args.threads
    print(f"Serving the portal at http://127.0.0.1:{port}")
    waitress.serve(app, host=args.host, port=port, **server)
    return 0


def server_settings(config_uri, options):
    """The waitress settings of the ini's ``[server:main]`` (threads, connection limits and
    timeouts, the trusted proxy: docs/deployment.md), but its address: ``portal serve`` takes
    ``--host`` and ``PORTAL_PORT``."""
    import plaster

    settings = plaster.get_settings(config_uri, "server:main", defaults=options)
    return {name: value for name, value in settings.items()
            if name not in ("use", "listen", "host", "port")}


def shared_secret_warning(db, settings, options):
    """What to tell the operator when processes sharing the storage may sign cookies with
    different secrets (the one kept in this machine's PORTAL_VAR/secret), else None."""
    from_local_file = not os.environ.get("PORTAL_SECRET")
    if not (is_shared(db) and from_local_file
            and settings.get("portal.secret") == options["PORTAL_SECRET"]):
        return None
    return (f"the database is shared with other processes, but this one signs sign-ins with "
            f"the secret kept in {Path(options['PORTAL_VAR']) / 'secret'}. A process with "
            f"another secret does not recognise those sign-ins: give every process the same "
            f"PORTAL_SECRET (docs/deployment.md).")


def cmd_check_blobs(args):
    """List the blob records whose file is missing, and the items holding them (exit 1)."""
    with existing_database(args.config) as db:
        missing = missing_blobs(db, progress=lambda n: print(f"{n} transactions read",
                                                              file=sys.stderr))
        if not missing:
            print("Every file and image of the database is present.")
            return 0
        conn = db.open()
        try:
            paths = items_holding(conn.root()["portal"], [oid for oid, _tid in missing])
        finally:
            conn.transaction_manager.abort()
            conn.close()
    print(f"{len(missing)} file(s) missing from the blob folder; the items holding them "
          f"need their file or image uploaded again:")
    for path in paths:
        print(f"  {path}")
    if len(paths) < len(missing):
        print(f"  ({len(missing) - len(paths)} belong to no item of the site: old "
              f"revisions or removed items, dropped by the next pack)")
    return 1


def cmd_mailqueue(args):
    """One delivery pass over the mail queue (the server's thread does it every few seconds)."""
    options = ini_options(args.config)
    setup_logging(args.config)
    settings = get_appsettings(args.config, options=options)
    sent = deliver_queued(settings)
    waiting = queued_count(settings)
    print(f"{sent} message(s) sent; {waiting} waiting in the queue.")
    return 0 if not waiting else 1


class CommandError(Exception):
    """A refusal of the command: its message is printed and the exit status is 2."""


def _english(message):
    """A translatable message as English text (the command speaks English)."""
    return str(message.interpolate()) if hasattr(message, "interpolate") else str(message)


def _read_new_password(args, login):
    """The new user's password: stdin, ``PORTAL_NEW_PASSWORD``, or typed twice."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get("PORTAL_NEW_PASSWORD"):
        return os.environ["PORTAL_NEW_PASSWORD"]
    password = getpass.getpass(f"Password for {login}: ")
    if getpass.getpass("The same password again: ") != password:
        raise CommandError("the two passwords are not the same")
    return password


def _checked_roles(names):
    """``names`` as the assignable roles they spell (any case), or a CommandError."""
    known = {role.lower(): role for role in ASSIGNABLE_ROLES}
    roles, unknown = [], []
    for name in names or ():
        role = known.get(name.strip().lower())
        (roles if role else unknown).append(role or name)
    if unknown:
        raise CommandError(f"unknown role {', '.join(map(repr, unknown))}; the roles are "
                           f"{', '.join(ASSIGNABLE_ROLES)}")
    return list(dict.fromkeys(roles))


def existing_options(config):
    """The placeholder values of ``config``, whose database must hold a site; raises
    ``CommandError`` when there is none yet or a running server holds it."""
    if not os.path.exists(config):
        raise CommandError(f"no configuration file {config}")
    options = ini_options(config)
    if not _site_exists(config, options):
        raise CommandError("the database named by zodbconn.uri holds no site yet; "
                           "run `portal init` first")
    return options


def open_existing(config):
    """Pyramid's bootstrap environment over the existing database of ``config``; raises
    ``CommandError`` when there is none yet or a running server holds it."""
    options = existing_options(config)
    try:
        return bootstrap(config, options=options)
    except LockError:
        raise CommandError(IN_USE) from None


IN_USE = "the database file is in use; stop the portal's server first (or serve it with ZEO)"


def _site_exists(config, options):
    """Whether the database the ini names holds the site; looks without writing anything."""
    settings = get_appsettings(config, options=options)
    try:
        db = open_database(settings)
    except LockError:
        raise CommandError(IN_USE) from None
    except Exception as exc:  # any storage's failure to connect: say which and why
        raise CommandError(f"cannot open the database named by zodbconn.uri "
                           f"({settings.get('zodbconn.uri')}): {exc}") from exc
    try:
        return has_site(db)
    finally:
        db.close()


@contextmanager
def existing_database(config):
    """The database of ``config`` holding a site, closed on leaving; ``CommandError`` when
    there is none yet or a running server holds it."""
    env = open_existing(config)
    db = env["registry"]._zodb_databases[""]
    try:
        yield db
    finally:
        env["closer"]()
        db.close()


def progress_bar(stream, width=30):
    """A ``progress(done, total)`` callable drawing a bar on ``stream`` (a line at the end)."""
    shown = [-1]

    def progress(done, total):
        percent = 100 * done // max(total, 1)
        if percent != shown[0] or done == total:
            shown[0] = percent
            filled = width * percent // 100
            stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
                         f"({percent}%)")
            if done >= total:
                stream.write("\n")
            stream.flush()
    return progress


def cmd_reindex(args):
    """Rebuild the catalog of every object, with a progress bar."""
    from .catalog import rebuild

    with existing_database(args.config) as db:
        conn = db.open()
        try:
            with transaction.manager:
                count = rebuild(conn.root()["portal"], progress=progress_bar(sys.stderr))
        finally:
            conn.close()
    print(f"{count} objects indexed.")
    return 0


def cmd_evolve(args):
    """Apply the pending evolve steps with a progress bar; ``--dry-run`` only lists them."""
    options = existing_options(args.config)
    try:
        evolve_database(get_appsettings(args.config, options=options), args.dry_run,
                        progress_bar(sys.stderr))
    except LockError:
        raise CommandError(IN_USE) from None
    return 0


def cmd_purge_trash(args):
    """Remove for good what was deleted more than ``portal.trash_days`` days ago."""
    from .trash import purge

    env = open_existing(args.config)
    registry = env["registry"]
    db = registry._zodb_databases[""]
    now = (args.clock or registry.portal_clock).now()
    days = registry.portal_trash_days
    conn = db.open()
    try:
        with transaction.manager as txn:
            site = conn.root()["portal"]
            removed = purge(site, now, days)
            log = get_audit_log(site, create=True)
            for entry in removed:
                log.record(now, "cli", "trash-purged", target="/" + entry.path,
                           details=f"{entry.type_name}: {entry.title}; deleted by "
                                   f"{entry.deleted_by} on {entry.deleted_at:%Y-%m-%d %H:%M} UTC")
            txn.note(f"portal purge-trash: {len(removed)} removed")
            left = len(site.trash)
    finally:
        conn.close()
        env["closer"]()
        db.close()
    for entry in removed:
        print(f"removed /{entry.path} ({entry.title}), deleted by {entry.deleted_by} on "
              f"{entry.deleted_at:%Y-%m-%d %H:%M} UTC")
    print(f"{len(removed)} item(s) deleted more than {days} days ago removed from the trash; "
          f"{left} left in it.")
    return 0


def cmd_adduser(args):
    """Add a user with a password, global roles and groups; refused with exit status 2."""
    from .views.users import email_problem, login_problem, new_password_problems, normalise_login

    login = normalise_login(args.login)
    fullname = " ".join((args.fullname or "").split()) or login
    email = (args.email or "").strip()
    try:
        roles = _checked_roles(args.role)
        if (problem := email_problem(email)) is not None:
            raise CommandError(_english(problem))
        env = open_existing(args.config)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    registry = env["registry"]
    db = registry._zodb_databases[""]
    conn = db.open()
    try:
        with transaction.manager as txn:
            site = conn.root()["portal"]
            problem = login_problem(site.users, login)
            if problem is not None:
                raise CommandError(_english(problem))
            groups = list(dict.fromkeys(name.strip() for name in args.group or ()))
            unknown = [name for name in groups if name not in site.groups]
            if unknown:
                raise CommandError(f"unknown group {', '.join(map(repr, unknown))}; the groups "
                                   f"are {', '.join(sorted(g.name for g in site.groups))}")
            languages = registry.settings["portal.available_languages"].split()
            language = args.language or registry.settings["pyramid.default_locale_name"]
            if language not in languages:
                raise CommandError(f"unknown language {language!r}; the languages are "
                                   f"{', '.join(languages)}")
            txn.note(f"portal adduser {login}")
            password = _read_new_password(args, login)
            problems, _mismatch = new_password_problems(password, password, login)
            if problems:
                raise CommandError("the password is too weak: " +
                                   " ".join(_english(problem) for problem in problems))
            user = User(login, fullname, email, roles=roles, groups=groups)
            user.language = language
            user.set_password(password)
            site.users.add(user)
            get_audit_log(site, create=True).record(
                registry.portal_clock.now(), "cli", "user-added", target=login,
                details=f"roles: {', '.join(roles) or '-'}; groups: {', '.join(groups) or '-'}")
        print(f"User {login} added"
              f" (roles: {', '.join(roles) or 'none'}; groups: {', '.join(groups) or 'none'}).")
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        conn.close()
        env["closer"]()
        db.close()
    return 0


def build_parser():
    """The argument parser of the ``portal`` command."""
    parser = argparse.ArgumentParser(prog="portal", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="create the database and apply setup profiles")
    init.add_argument("config", nargs="?", default=DEFAULT_CONFIG)
    init.add_argument("--profile", action="append",
                      help="profile to apply (repeatable); default: portal.profiles of the ini")
    init.add_argument("--if-new", action="store_true",
                      help="do nothing when the database already exists")
    init.set_defaults(func=cmd_init)
    serve = sub.add_parser("serve", help="serve the portal with waitress")
    serve.add_argument("config", nargs="?", default=DEFAULT_CONFIG)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--threads", type=int, help="default: threads in the ini (4)")
    serve.set_defaults(func=cmd_serve)
    adduser = sub.add_parser(
        "adduser", help="add a user (the password from stdin, PORTAL_NEW_PASSWORD, or typed)")
    adduser.add_argument("config", nargs="?", default=DEFAULT_CONFIG)
    adduser.add_argument("login", help="user name: lower-case letters, digits, . _ -")
    adduser.add_argument("--fullname", help="the person's full name (default: the login)")
    adduser.add_argument("--email", default="")
    adduser.add_argument("--role", action="append", metavar="ROLE",
                         help=f"a global role (repeatable): {', '.join(ASSIGNABLE_ROLES)}")
    adduser.add_argument("--group", action="append", metavar="GROUP",
                         help="a group or agency to join (repeatable; it must exist)")
    adduser.add_argument("--password-stdin", action="store_true",
                         help="read the password from the first line of standard input")
    adduser.add_argument("--language", help="language of the mail the portal sends them "
                         "(one of portal.available_languages; default: the default language)")
    adduser.set_defaults(func=cmd_adduser)
    mailqueue = sub.add_parser(
        "mailqueue", help="send the queued mail once (exit status 1 when some is left)")
    mailqueue.add_argument("config", nargs="?", default=DEFAULT_CONFIG)
    mailqueue.set_defaults(func=cmd_mailqueue)
    reindex = sub.add_parser("reindex", help="rebuild the catalog (with a progress bar)")
    reindex.add_argument("config", nargs="?", default=DEFAULT_CONFIG)
    reindex.set_defaults(func=cmd_reindex)
    evolve = sub.add_parser("evolve", help="apply the pending evolve steps (with a progress bar)")
    evolve.add_argument("config", nargs="?", default=DEFAULT_CONFIG)
    evolve.add_argument("--dry-run", action="store_true",
                        help="list the pending steps without applying them")
    evolve.set_defaults(func=cmd_evolve)
    check_blobs = sub.add_parser(
        "check-blobs", help="list files and images whose blob file is missing (exit status 1)")
    check_blobs.add_argument("config", nargs="?", default=DEFAULT_CONFIG)
    check_blobs.set_defaults(func=cmd_check_blobs)
    purge_trash = sub.add_parser(
        "purge-trash", help="remove for good what was deleted more than portal.trash_days ago")
    purge_trash.add_argument("config", nargs="?", default=DEFAULT_CONFIG)
    purge_trash.set_defaults(func=cmd_purge_trash)
    return parser


def main(argv=None, clock=None):
    """Entry point of the ``portal`` console script; ``clock`` is the time the commands act
    at (default: the application's own clock)."""
    args = build_parser().parse_args(argv)
    args.clock = clock
    try:
        return args.func(args)
    except (CommandError, ConfigurationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
