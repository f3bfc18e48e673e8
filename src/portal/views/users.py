"""The Manager's pages for users and groups (E1): list, add, edit, deactivate, reset the
second factor.

Every view needs the ``manage`` permission. Forms post back to themselves with the CSRF token;
a form with errors shows each message next to its field and keeps what was typed (except
passwords, which are never sent back to the browser). Every change is recorded in the audit
log. A Manager cannot deactivate their own account (the portal never loses its last
administrator by a slip of the mouse) nor change their own roles or groups, nor the roles of a
group they belong to: another Manager does (nobody raises themself).

The checks shared with ``portal adduser`` (``login_problem``, ``email_problem``,
``new_password_problems``) live here too.
"""
import re

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from ..content.types import Site
from ..i18n import LANGUAGE_NAMES, _, available_languages
from ..security.audit import audit
from ..security.policy import current_session_nonce
from ..security.principals import LOGIN_PATTERN, Group, User, password_problems
from ..security.roles import ASSIGNABLE_ROLES, MANAGE, ROLE_LABELS
from ..text.folding import fold

MAX_TEXT = 200                  # longest full name, e-mail address, group title, search
MAX_DESCRIPTION = 2000          # longest group description
MAX_PASSWORD = 1024             # argon2 copes, but nobody types more
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Nobody changes their own roles or groups, so that nobody raises themself (S1).
OWN_ROLES = _("Nobody changes their own roles or groups: ask another Manager.")

# The messages shown after a redirect (``?done=``): a code in the URL, never free text.
DONE_MESSAGES = {
    "user-added": _("The user has been added."),
    "user-saved": _("The changes have been saved."),
    "unchanged": _("Nothing was changed."),
    "twostep-reset": _("Two-step sign-in has been reset: the user sets it up again at the "
                       "next sign-in."),
    "signed-out": _("The user has been signed out everywhere."),
    "group-added": _("The group has been added."),
    "group-saved": _("The changes to the group have been saved."),
}


# checks shared with the command line ---------------------------------------------------

def normalise_login(value):
    """A typed login as stored: trimmed, lower case (the sign-in form lowers it too)."""
    return value.strip().lower()


def login_problem(users, login):
    """Why ``login`` cannot be a new user's login (a translatable message), or None."""
    if not login:
        return _("Give a user name.")
    if not LOGIN_PATTERN.match(login):
        return _("A user name has 2 to 64 characters: lower-case letters without accents, "
                 "digits, dots, hyphens and underscores, starting with a letter or a digit.")
    if login in users:
        return _("The user name ${login} is already taken.", mapping={"login": login})
    return None


def group_name_problem(groups, name):
    """Why ``name`` cannot be a new group's name (a translatable message), or None."""
    if not name:
        return _("Give a short name.")
    if not LOGIN_PATTERN.match(name):
        return _("A short name has 2 to 64 characters: lower-case letters without accents, "
                 "digits, dots, hyphens and underscores, for example ban-tuyen-giao.")
    if name in groups:
        return _("There is already a group called ${name}.", mapping={"name": name})
    return None


def email_problem(email):
    """Why ``email`` is not acceptable (empty is), or None."""
    if email and (len(email) > MAX_TEXT or not EMAIL_PATTERN.match(email)):
        return _("Write an e-mail address such as ten@thainguyen.dcs.vn.")
    return None


def new_password_problems(password, confirmation, login):
    """``(problems with the password, problem with its confirmation or None)``."""
    if len(password) > MAX_PASSWORD:
        return [_("Use at most ${count} characters.", mapping={"count": MAX_PASSWORD})], None
    problems = password_problems(password, login)
    mismatch = None if problems or password == confirmation else \
        _("The two passwords are not the same.")
    return problems, mismatch


# helpers --------------------------------------------------------------------------------

def _line(request, name, limit=MAX_TEXT):
    """A one-line text field of the posted form, spaces tidied, cut at ``limit``."""
    return " ".join(request.POST.get(name, "").split())[:limit]


def _chosen(request, name, allowed):
    """The posted values of the checkboxes ``name`` that are among ``allowed``, in its order."""
    posted = set(request.POST.getall(name))
    return [value for value in allowed if value in posted]


def _sorted_groups(site):
    return sorted(site.groups, key=lambda group: (fold(group.title), group.name))


def _sorted_users(site):
    return sorted(site.users, key=lambda user: (fold(user.fullname), user.login))


def _translate_errors(request, errors):
    translate = request.localizer.translate
    return {field: [translate(message) for message in messages]
            for field, messages in errors.items() if messages}


def _field_helpers(errors):
    """``described(field, *hint_ids)`` and ``invalid(field)``: the ARIA attributes of a field,
    pointing at its hints and, when it has any, at its error messages (id ``err-<field>``)."""
    def described(field, *hints):
        ids = list(hints) + ([f"err-{field}"] if errors.get(field) else [])
        return " ".join(ids) or None

    def invalid(field):
        return "true" if errors.get(field) else None

    return {"described": described, "invalid": invalid}


def _done_message(request):
    message = DONE_MESSAGES.get(request.GET.get("done", ""))
    return request.localizer.translate(message) if message is not None else None


def _labels(request):
    translate = request.localizer.translate
    return [(code, translate(ROLE_LABELS[code])) for code in ASSIGNABLE_ROLES]


def _common(request, context):
    """Values every page of this module shows."""
    request.response.cache_control = "no-store"
    return {"role_labels": _labels(request), "status": _done_message(request),
            "users_url": request.resource_url(context, "@@users"),
            "groups_url": request.resource_url(context, "@@groups")}


def _role_names(request, roles):
    translate = request.localizer.translate
    return ", ".join(translate(ROLE_LABELS[role]) if role in ROLE_LABELS else role
                     for role in roles)


def _change(label, before, after):
    return f"{label}: {', '.join(before) or '-'} -> {', '.join(after) or '-'}"


# users ----------------------------------------------------------------------------------

@view_config(context=Site, name="users", permission=MANAGE, request_method="GET",
             renderer="portal:templates/users.pt")
def users_view(context, request):
    """All users; a search keeps those whose login, name or e-mail address contain every
    word typed, ignoring case and accents."""
    query = " ".join(request.GET.get("q", "").split())[:MAX_TEXT]
    words = fold(query).split()
    users = [user for user in _sorted_users(context)
             if all(word in fold(f"{user.login} {user.fullname} {user.email}") for word in words)]
    groups = context.groups
    rows = [{
        "user": user,
        "roles": _role_names(request, [r for r in ASSIGNABLE_ROLES if r in user.roles]),
        "groups": ", ".join(groups.get(name).title if groups.get(name) is not None else name
                            for name in user.groups),
        "edit_url": request.resource_url(context, "@@user-edit", query={"login": user.login}),
    } for user in users]
    return dict(_common(request, context), query=query, rows=rows, total=len(context.users),
                add_url=request.resource_url(context, "@@user-add"))


def _languages(request):
    return available_languages(request.registry.settings)


def _posted_language(request, current):
    """The posted language when it is offered, else ``current``."""
    posted = request.POST.get("language", "")
    return posted if posted in _languages(request) else current


def _user_form_values(request, context, mode, form, errors, user=None):
    errors = _translate_errors(request, errors)
    return dict(
        _common(request, context), **_field_helpers(errors), mode=mode, form=form,
        errors=errors, user=user,
        languages=[(code, LANGUAGE_NAMES.get(code, code)) for code in _languages(request)],
        groups=[(group.name, group.title) for group in _sorted_groups(context)],
        action_url=request.resource_url(
            context, "@@user-add" if mode == "add" else "@@user-edit",
            query={} if mode == "add" else {"login": user.login}))


@view_config(context=Site, name="user-add", permission=MANAGE,
             renderer="portal:templates/users_form.pt")
def user_add(context, request):
    """A new user: login, name, e-mail address, roles, groups, first password."""
    form = {"login": "", "fullname": "", "email": "", "roles": [], "groups": [], "active": True,
            "language": request.registry.settings["pyramid.default_locale_name"]}
    if request.method != "POST":
        return _user_form_values(request, context, "add", form, {})
    form.update(
        login=normalise_login(request.POST.get("login", ""))[:MAX_TEXT],
        fullname=_line(request, "fullname"), email=_line(request, "email"),
        roles=_chosen(request, "roles", ASSIGNABLE_ROLES),
        groups=_chosen(request, "groups", [group.name for group in _sorted_groups(context)]),
        language=_posted_language(request, form["language"]))
    errors = {
        "login": [login_problem(context.users, form["login"])],
        "fullname": [None if form["fullname"] else _("Give the person's full name.")],
        "email": [email_problem(form["email"])],
    }
    password = request.POST.get("password", "")
    problems, mismatch = new_password_problems(
        password, request.POST.get("password_confirm", ""), form["login"])
    errors["password"] = problems
    errors["password_confirm"] = [mismatch]
    errors = {field: [m for m in messages if m is not None] for field, messages in errors.items()}
    if any(errors.values()):
        request.response.status = 400
        return _user_form_values(request, context, "add", form, errors)
    user = User(form["login"], form["fullname"], form["email"], roles=form["roles"],
                groups=form["groups"])
    user.language = form["language"]
    user.set_password(password)
    context.users.add(user)
    audit(request, "user-added", target=user.login,
          details=f"roles: {', '.join(user.roles) or '-'}; groups: {', '.join(user.groups) or '-'}")
    return HTTPSeeOther(location=request.resource_url(
        context, "@@user-edit", query={"login": user.login, "done": "user-added"}))


def _user_of(context, request):
    user = context.users.get(request.params.get("login", ""))
    if user is None:
        raise HTTPNotFound()
    return user


@view_config(context=Site, name="user-edit", permission=MANAGE,
             renderer="portal:templates/users_form.pt")
def user_edit(context, request):
    """A user's name, e-mail address, roles, groups and active state; a new password; and a
    separate button resetting the second factor."""
    user = _user_of(context, request)
    form = {"login": user.login, "fullname": user.fullname, "email": user.email,
            "roles": list(user.roles), "groups": list(user.groups), "active": user.active,
            "language": user.language}
    if request.method != "POST":
        return _user_form_values(request, context, "edit", form, {}, user)
    me = request.identity
    if request.POST.get("action") == "sign-out-everywhere":
        _end_sessions(request, user, me)
        audit(request, "logout", target=user.login, details="everywhere, by a Manager")
        return HTTPSeeOther(location=request.resource_url(
            context, "@@user-edit", query={"login": user.login, "done": "signed-out"}))
    if request.POST.get("action") == "reset-two-step":
        user.reset_two_step()
        _end_sessions(request, user, me)
        audit(request, "twostep-reset", target=user.login)
        return HTTPSeeOther(location=request.resource_url(
            context, "@@user-edit", query={"login": user.login, "done": "twostep-reset"}))
    group_names = [group.name for group in _sorted_groups(context)]
    form.update(
        fullname=_line(request, "fullname"), email=_line(request, "email"),
        # Roles and groups this form does not offer (none yet) are kept as they are.
        roles=_chosen(request, "roles", ASSIGNABLE_ROLES)
        + [role for role in user.roles if role not in ASSIGNABLE_ROLES],
        groups=_chosen(request, "groups", group_names)
        + [name for name in user.groups if name not in group_names],
        active=bool(request.POST.get("active")),
        language=_posted_language(request, user.language))
    errors = {
        "fullname": [None if form["fullname"] else _("Give the person's full name.")],
        "email": [email_problem(form["email"])],
    }
    if user.login == me.login:
        if not form["active"]:
            errors["active"] = [_("You cannot deactivate your own account.")]
        # Nobody changes their own roles, not even a Manager (S1): another Manager does.
        if set(form["roles"]) != set(user.roles):
            errors["roles"] = [OWN_ROLES]
        if set(form["groups"]) != set(user.groups):
            errors["groups"] = [OWN_ROLES]
    password = request.POST.get("password", "")
    if password or request.POST.get("password_confirm"):
        problems, mismatch = new_password_problems(
            password, request.POST.get("password_confirm", ""), user.login)
        errors["password"] = problems
        errors["password_confirm"] = [mismatch]
    errors = {field: [m for m in messages if m is not None] for field, messages in errors.items()}
    if any(errors.values()):
        request.response.status = 400
        return _user_form_values(request, context, "edit", form, errors, user)
    now = request.registry.portal_clock.now()
    changes = []
    if form["fullname"] != user.fullname:
        changes.append(f"full name: {user.fullname} -> {form['fullname']}")
        user.fullname = form["fullname"]
    if form["email"] != user.email:
        changes.append(f"e-mail: {user.email or '-'} -> {form['email'] or '-'}")
        user.email = form["email"]
    if form["language"] != user.language:
        changes.append(f"language: {user.language} -> {form['language']}")
        user.language = form["language"]
    if set(form["roles"]) != set(user.roles):
        changes.append(_change("roles", user.roles, form["roles"]))
        user.roles = tuple(form["roles"])
    if set(form["groups"]) != set(user.groups):
        changes.append(_change("groups", user.groups, form["groups"]))
        user.groups = tuple(form["groups"])
    if form["active"] and not user.active:
        changes.append("reactivated")
        user.active = True
    if changes:
        audit(request, "user-changed", target=user.login, details="; ".join(changes))
    if not form["active"] and user.active:
        user.active = False
        user.end_sessions(now)                    # signed out everywhere, at once
        audit(request, "user-deactivated", target=user.login)
        changes.append("deactivated")
    if password:
        user.set_password(password)
        _end_sessions(request, user, me)          # the old password's sessions end
        audit(request, "password-reset", target=user.login, details="set by a Manager")
        changes.append("password")
    return HTTPSeeOther(location=request.resource_url(
        context, "@@user-edit",
        query={"login": user.login, "done": "user-saved" if changes else "unchanged"}))


def _end_sessions(request, user, me):
    """End ``user``'s sessions; the Manager's own current one stays when ``user`` is them."""
    keep = current_session_nonce(request) if user.login == me.login else None
    user.end_sessions(request.registry.portal_clock.now(), keep=keep)


# groups ---------------------------------------------------------------------------------

@view_config(context=Site, name="groups", permission=MANAGE, request_method="GET",
             renderer="portal:templates/groups.pt")
def groups_view(context, request):
    """All groups (agencies are groups) with their roles and number of members."""
    counts = {}
    for user in context.users:
        for name in user.groups:
            counts[name] = counts.get(name, 0) + 1
    rows = [{
        "group": group,
        "roles": _role_names(request, [r for r in ASSIGNABLE_ROLES if r in group.roles]),
        "members": counts.get(group.name, 0),
        "edit_url": request.resource_url(context, "@@group-edit", query={"name": group.name}),
    } for group in _sorted_groups(context)]
    return dict(_common(request, context), rows=rows,
                add_url=request.resource_url(context, "@@group-add"))


def _group_form_values(request, context, mode, form, errors, group=None):
    errors = _translate_errors(request, errors)
    return dict(
        _common(request, context), **_field_helpers(errors), mode=mode, form=form,
        errors=errors, group=group,
        users=[(user.login, user.fullname, user.active) for user in _sorted_users(context)],
        action_url=request.resource_url(
            context, "@@group-add" if mode == "add" else "@@group-edit",
            query={} if mode == "add" else {"name": group.name}))


def _read_group_form(request, context, form):
    form.update(
        title=_line(request, "title"),
        description=request.POST.get("description", "").strip()[:MAX_DESCRIPTION],
        roles=_chosen(request, "roles", ASSIGNABLE_ROLES),
        members=_chosen(request, "members", [user.login for user in _sorted_users(context)]))


def _set_members(context, name, members):
    """Make exactly the users ``members`` belong to the group ``name``: (added, removed)."""
    wanted = set(members)
    added, removed = [], []
    for user in _sorted_users(context):
        inside = name in user.groups
        if user.login in wanted and not inside:
            user.groups = tuple(user.groups) + (name,)
            added.append(user.login)
        elif inside and user.login not in wanted:
            user.groups = tuple(group for group in user.groups if group != name)
            removed.append(user.login)
    return added, removed


@view_config(context=Site, name="group-add", permission=MANAGE,
             renderer="portal:templates/groups_form.pt")
def group_add(context, request):
    """A new group: short name, title, description, global roles, members."""
    form = {"name": "", "title": "", "description": "", "roles": [], "members": []}
    if request.method != "POST":
        return _group_form_values(request, context, "add", form, {})
    form["name"] = normalise_login(request.POST.get("name", ""))[:MAX_TEXT]
    _read_group_form(request, context, form)
    errors = {field: [message] for field, message in (
        ("name", group_name_problem(context.groups, form["name"])),
        ("title", None if form["title"] else _("Give the group a title."))) if message}
    if errors:
        request.response.status = 400
        return _group_form_values(request, context, "add", form, errors)
    group = context.groups.add(Group(form["name"], form["title"], form["description"],
                                     roles=form["roles"]))
    added, _removed = _set_members(context, group.name, form["members"])
    audit(request, "group-added", target=group.name,
          details=f"roles: {', '.join(group.roles) or '-'}; members: {', '.join(added) or '-'}")
    return HTTPSeeOther(location=request.resource_url(
        context, "@@group-edit", query={"name": group.name, "done": "group-added"}))


@view_config(context=Site, name="group-edit", permission=MANAGE,
             renderer="portal:templates/groups_form.pt")
def group_edit(context, request):
    """A group's title, description, global roles and members."""
    group = context.groups.get(request.params.get("name", ""))
    if group is None:
        raise HTTPNotFound()
    form = {"name": group.name, "title": group.title, "description": group.description,
            "roles": list(group.roles),
            "members": [user.login for user in context.users.members_of(group.name)]}
    if request.method != "POST":
        return _group_form_values(request, context, "edit", form, {}, group)
    _read_group_form(request, context, form)
    errors = {}
    if not form["title"]:
        errors["title"] = [_("Give the group a title.")]
    me = request.identity
    member_before = group.name in me.groups
    if member_before != (me.login in form["members"]):
        errors["members"] = [OWN_ROLES]
    if member_before and set(form["roles"]) != set(group.roles):
        errors["roles"] = [OWN_ROLES]
    if errors:
        request.response.status = 400
        return _group_form_values(request, context, "edit", form, errors, group)
    changes = []
    if form["title"] != group.title:
        changes.append(f"title: {group.title} -> {form['title']}")
        group.title = form["title"]
    if form["description"] != group.description:
        changes.append("description")
        group.description = form["description"]
    if set(form["roles"]) != set(group.roles):
        changes.append(_change("roles", group.roles, form["roles"]))
        group.roles = tuple(form["roles"])
    added, removed = _set_members(context, group.name, form["members"])
    if added:
        changes.append(f"members added: {', '.join(added)}")
    if removed:
        changes.append(f"members removed: {', '.join(removed)}")
    if changes:
        audit(request, "group-changed", target=group.name, details="; ".join(changes))
    return HTTPSeeOther(location=request.resource_url(
        context, "@@group-edit",
        query={"name": group.name, "done": "group-saved" if changes else "unchanged"}))
