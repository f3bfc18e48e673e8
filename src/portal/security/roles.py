"""Roles and permissions (DESIGN: security).

Permissions are verbs. Until the workflow gives each state its own map (issue 5), one map
from the site's settings (set by profiles/default/security.yaml) says which roles hold each
permission everywhere.
"""
from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("portal")

VIEW = "view"                # see an item, its files and image scales
ADD = "add"                  # add content inside a folder
EDIT = "edit"                # change an item's fields, rename, reorder a folder
DELETE = "delete"            # delete, cut (move away)
CONTENTS = "contents"        # see a folder's management table
SHARE = "share"              # grant and revoke local roles, block inheritance (@@sharing)
MANAGE = "manage"            # the portal's administration: users, groups, audit log
SECTIONS = "sections"        # delete, rename or move a section (in the menu, or holding
                             # published items): the editorial board and Managers

PERMISSIONS = (VIEW, ADD, EDIT, DELETE, CONTENTS, SHARE, MANAGE, SECTIONS)

ANONYMOUS = "Anonymous"
AUTHENTICATED = "Authenticated"
ROLES = ("Anonymous", "Authenticated", "Author", "Editor", "Reviewer", "Publisher",
         "Secretary", "Manager", "Owner")
# Roles a person can be given (the others are computed).
ASSIGNABLE_ROLES = ("Author", "Editor", "Reviewer", "Publisher", "Secretary", "Manager")
# Holders of these roles must pass two steps to sign in (S1).
TWO_STEP_ROLES = frozenset({"Manager", "Publisher", "Reviewer"})

# How the assignable roles are called on the pages (in the interface's language).
ROLE_LABELS = {
    "Author": _("Author"),
    "Editor": _("Editor"),
    "Reviewer": _("Reviewer"),
    "Publisher": _("Publisher"),
    "Secretary": _("Secretary"),
    "Manager": _("Manager"),
}

DEFAULT_PERMISSION_MAP = {
    VIEW: ("Anonymous", "Authenticated", "Author", "Editor", "Reviewer", "Publisher",
           "Secretary", "Manager", "Owner"),
    ADD: ("Author", "Editor", "Manager"),
    EDIT: ("Editor", "Manager", "Owner"),
    DELETE: ("Editor", "Manager"),
    CONTENTS: ("Author", "Editor", "Reviewer", "Publisher", "Manager", "Owner"),
    # The editorial board configures permissions per folder (E3).
    SHARE: ("Manager", "Publisher"),
    MANAGE: ("Manager",),
    # A section's address is in menus, links and search engines: removing or moving it is
    # the board's decision, not an agency's (docs/security.md, "Sections and the trash").
    SECTIONS: ("Publisher", "Manager"),
}
