"""E-mail notices on transitions (E2): who is told is data (a transition's ``notify`` roles).

``submit`` tells the agency's Reviewers, ``approve`` the Publishers, ``reject``, ``send_back``,
``retract`` and ``publish`` the author (Owner). When nobody holds a notified role at the item
(an agency without a reviewer yet), the Managers are told, so that nothing waits unseen. Each recipient gets the message in their own
language, with a link to the item; the person who made the transition is never told of it.
Messages go through the transactional queue of ``portal.mail``: none leaves when the
transaction aborts.
"""
import logging

from pyramid.threadlocal import get_current_request

from ..content.base import find_site, path_of
from ..i18n import _
from ..mail import localizer_for, public_url, send_mail, translate
from ..security.localroles import roles_in_context
from ..security.principals import global_roles, principals_of
from .labels import label
from .working_copy import original_of

log = logging.getLogger(__name__)


def recipients(site, obj, roles, actor):
    """Active users with an e-mail address who hold one of ``roles`` at ``obj`` (``Owner``:
    the item's creator), the ``actor`` left out, sorted by login."""
    found = []
    groups = site.groups
    for user in site.users:
        if not user.active or not user.email or user.login == actor:
            continue
        held = set(global_roles(user, groups))
        held.update(roles_in_context(obj, principals_of(user, groups)))
        if obj.creator == user.login:
            held.add("Owner")
        if held.intersection(roles):
            found.append(user)
    return sorted(found, key=lambda user: user.login)


def message(request, site, obj, event, user):
    """(subject, body) of the notice of ``event`` for ``user``, in their language."""
    registry, lang = request.registry, user.language
    actor = site.users.get(event.actor) if event.actor else None
    path = path_of(original_of(obj)).split("/") + [""]
    mapping = {
        "name": user.fullname, "site": site.settings.get("short_title") or site.title,
        "title": obj.title, "who": actor.fullname if actor is not None else event.actor,
        "transition": translate(registry, lang, label(event.transition.title)),
        "state": translate(registry, lang, label(event.workflow.states[event.destination].title)),
    }
    subject = translate(registry, lang, _("[${site}] ${transition}: ${title}", mapping=mapping))
    parts = [
        translate(registry, lang, _("Hello ${name},", mapping=mapping)),
        translate(registry, lang, _("${who} made the change “${transition}” on “${title}”. "
                                    "It is now: ${state}.", mapping=mapping)),
    ]
    if event.comment:
        parts.append(translate(registry, lang, _("Comment:")) + "\n" + event.comment)
    parts.append(public_url(request, *path))
    if any(role != "Owner" for role in event.transition.notify):
        parts.append(translate(registry, lang, _("Everything waiting for you:")) + "\n" +
                     public_url(request, "@@review-queue"))
    else:
        parts.append(translate(registry, lang, _("Your items not yet published:")) + "\n" +
                     public_url(request, "@@dashboard"))
    return subject, "\n\n".join(parts) + "\n"


def notify_transition(event):
    """Subscriber of ``AfterTransition``: queue the notices the transition declares."""
    roles = set(event.transition.notify)
    if not roles:
        return
    request = get_current_request()
    site = find_site(event.object)
    if request is None or site is None:
        log.info("no request: notices of %s skipped", event.transition.id)
        return
    found = recipients(site, event.object, roles, event.actor)
    if not found and roles != {"Owner"}:
        # Nobody holds the role there (an agency without a reviewer yet): the item must not
        # wait unseen, so the Managers are told instead.
        log.warning("nobody with %s at %s: Managers told instead", sorted(roles),
                    event.object.title)
        found = recipients(site, event.object, {"Manager"}, event.actor)
    for user in found:
        subject, body = message(request, site, event.object, event, user)
        send_mail(request, [user.email], subject, body,
                  lang=localizer_for(request.registry, user.language).locale_name)
