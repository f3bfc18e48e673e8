"""Where the top-level ``templates/`` and ``profiles/`` folders are.

In a checkout they sit at the repository's root; an installed wheel carries them under
``<prefix>/share/portal/``. The settings ``portal.templates_dir`` and ``portal.profiles_dir``
point elsewhere when an operator wants to.
"""
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]


def _find(name, settings):
    configured = settings.get(f"portal.{name}_dir")
    if configured:
        return Path(configured)
    for base in (CHECKOUT, Path(sys.prefix) / "share" / "portal"):
        if (base / name).is_dir():
            return base / name
    raise RuntimeError(f"cannot find the {name}/ folder; set portal.{name}_dir")


def resource_dirs(settings):
    """(templates dir, profiles dir) for these settings."""
    return _find("templates", settings), _find("profiles", settings)
