"""The ``portal`` command: ``portal init`` and ``portal serve`` (more subcommands to come).

``PORTAL_VAR`` (folder of Data.fs and blobs, default ``var/``) and ``PORTAL_PORT`` (default
6543) fill the ``%(PORTAL_VAR)s`` and ``%(PORTAL_PORT)s`` placeholders of the ini files.
"""
import argparse
import gc
import os
import sys
from pathlib import Path

import transaction
from pyramid.paster import bootstrap, get_app, setup_logging

from .clock import SystemRandom
from .paths import resource_dirs
from .profiles import ProfileError, apply_profiles
from .root import ensure_site
from .security.principals import User

DEFAULT_CONFIG = "development.ini"


def ini_options(config_uri):
    """The placeholder values for the ini file, from the environment or defaults."""
    here = Path(config_uri).resolve().parent
    var = Path(os.environ.get("PORTAL_VAR") or here / "var").resolve()
    var.mkdir(parents=True, exist_ok=True)
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
    """Apply profiles to the database, creating it and the admin user when new."""
    options = ini_options(args.config)
    datafs = Path(options["PORTAL_VAR"]) / "Data.fs"
    if args.if_new and datafs.exists() and datafs.stat().st_size > 0:
        print(f"{datafs} exists; nothing to do (drop --if-new to re-apply profiles).")
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
    port = int(options["PORTAL_PORT"])
    print(f"Serving the portal at http://127.0.0.1:{port}")
    waitress.serve(app, host=args.host, port=port, threads=args.threads)
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
    serve.add_argument("--threads", type=int, default=4)
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv=None):
    """Entry point of the ``portal`` console script."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
