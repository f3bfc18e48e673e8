"""The interface's names of the workflows, states and transitions of profiles/default.

The YAML gives English titles; they are listed here so that the extractor puts them in the
catalogs, and ``label`` translates a title found in a definition (a test checks that every
title of the profile's workflows is listed).
"""
from ..i18n import _

TITLES = {str(msg): msg for msg in (
    _("Two-level approval"),
    _("Simple publication"),
    _("Internal area"),
    _("Always published"),
    _("Draft"),
    _("Waiting for the agency's approval"),
    _("Waiting for publication"),
    _("Public"),
    _("Private"),
    _("Shared with signed-in officials"),
    _("Submit to the agency"),
    _("Withdraw the submission"),
    _("Approve for the agency"),
    _("Send back to the author"),
    _("Publish"),
    _("Retract"),
    _("Share internally"),
    _("Make private"),
)}


def label(title):
    """The translatable name of a workflow, state or transition title."""
    return TITLES.get(title, title)

