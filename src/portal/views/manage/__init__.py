"""The management interface: add, edit, delete, rename, folder contents, clipboard, toolbar,
trash.

The views are found by the ``config.scan()`` of ``portal.views``; ``includeme`` adds what a scan
cannot: the deform renderer (deform's widget templates behind the portal's accessible
overrides in ``templates/manage/deform/``) and the static views of TinyMCE and its language
packs from ``node_modules`` when they are installed.
"""
from pathlib import Path

from ...paths import CHECKOUT, resource_dirs
from ...trash import trash_days
from .forms import make_renderer


def tinymce_dir(settings):
    """The folder of TinyMCE's files (``portal.tinymce_dir`` or the checkout's node_modules)."""
    configured = settings.get("portal.tinymce_dir")
    folder = Path(configured) if configured else CHECKOUT / "node_modules" / "tinymce"
    return folder if (folder / "tinymce.min.js").is_file() else None


def includeme(config):
    settings = config.get_settings()
    templates, _profiles = resource_dirs(settings)
    config.registry.portal_form_renderer = make_renderer(templates / "manage" / "deform")
    # Read once, so a wrong value stops the start with its message instead of failing later.
    config.registry.portal_trash_days = trash_days(settings)
    folder = tinymce_dir(settings)
    # Without TinyMCE the body is a plain textarea of HTML, which still works.
    config.registry.portal_tinymce = folder is not None
    if folder is not None:
        config.add_static_view("tinymce", str(folder), cache_max_age=86400)
        # TinyMCE's own menus in the interface's language (tinymce-i18n, beside it).
        langs = folder.parent / "tinymce-i18n" / "langs8"
        if (langs / "vi.js").is_file():
            config.add_static_view("tinymce-langs", str(langs), cache_max_age=86400)
