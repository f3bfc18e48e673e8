"""The conditions a transition of ``workflows.yaml`` may name (``condition: has_text``), each
with the explanation shown when it keeps a transition from being offered."""
from ..i18n import _
from ..revisions import html_text


def has_text(obj):
    """True when the item has what readers come for: a file for a File, else a body or no body
    field at all."""
    if hasattr(type(obj), "file"):
        return obj.file is not None
    if hasattr(type(obj), "body"):
        return bool(html_text(obj.body or "").strip())
    return True


CONDITIONS = {
    "has_text": (has_text, _("Write the text of the item (or attach its file) first.")),
}


def checks():
    """{name: callable} for the engine."""
    return {name: check for name, (check, _why) in CONDITIONS.items()}


def explanation(name):
    """What to do so that the condition ``name`` holds."""
    return CONDITIONS[name][1]
