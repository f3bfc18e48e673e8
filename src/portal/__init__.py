"""The Pyramid application of the portal."""
from pyramid.config import Configurator
from pyramid.settings import asbool

from .paths import resource_dirs
from .root import root_factory
from .startup import bootstrap
from .views.csrf import RetrySafeCSRFPolicy

# The portal's own packages. Each registers named subscribers whose effects do not depend on
# who runs first (tests/test_include_order.py includes them in shuffled orders).
PACKAGES = (".content", ".i18n", ".mail", ".navigation", ".publishing", ".catalog",
            ".revisions", ".views")

DEFAULTS = {
    "pyramid.default_locale_name": "vi",
    "portal.available_languages": "vi en",
    "portal.timezone": "Asia/Ho_Chi_Minh",
    "portal.page_size": "20",
    "portal.show_tracebacks": "false",
    "tm.manager_hook": "pyramid_tm.explicit_manager",
    "retry.attempts": "5",
    "tm.activate_hook": "portal.views.unavailable.needs_transaction",
}


def main(global_config, **settings):
    """Build the WSGI application from PasteDeploy settings."""
    config = Configurator(settings=settings, root_factory=root_factory)
    config.include("portal")
    app = config.make_wsgi_app()
    db = config.registry._zodb_databases[""]
    bootstrap(db, config.registry)
    return app


def includeme(config):
    """Wire the framework pieces, then the portal's own packages, then scan."""
    settings = config.get_settings()
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    config.include("pyramid_chameleon")
    config.include("pyramid_tm")
    config.include("pyramid_retry")
    config.include("pyramid_zodbconn")
    templates, _profiles = resource_dirs(settings)
    config.override_asset(to_override="portal:templates/", override_with=str(templates) + "/")
    config.include(".clock")
    config.include(".security.policy")
    # Every unsafe request must carry the CSRF token (double-submit cookie, no session needed).
    config.set_csrf_storage_policy(RetrySafeCSRFPolicy(
        cookie_name="portal_csrf", secure=asbool(settings.get("portal.secure_cookies")),
        samesite="Lax"))
    config.set_default_csrf_options(require_csrf=True)
    for package in PACKAGES:
        config.include(package)
    config.include(".security.headers")
    config.include(".views.malformed")
    # Static files need no database: they stay available while its server is unreachable.
    config.add_static_view("static", "portal:static", cache_max_age=86400,
                           factory="portal.views.unavailable.static_root")
