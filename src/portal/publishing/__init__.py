"""The portal's side of the workflow engine: which workflow applies where, and its effects.

``src/workflow`` knows states and transitions; this package gives it what it cannot know: the
workflows of the profiles (``portal.workflows``, default ``profiles/default/workflows.yaml``),
the placeful policy of folders (``policy.py``), the roles of the person acting, the clock, and
the reactions to transitions: the worklist behind the review queue and the dashboard
(``worklist.py``), e-mail notices (``notices.py``) and working copies (``working_copy.py``).
"""
from pathlib import Path

from pyramid.threadlocal import get_current_request

from workflow import AfterTransition, WorkflowChanged, load_file

from ..content.base import find_site, path_of
from ..content.events import ObjectAdded, ObjectModified, ObjectRemoved
from ..paths import resource_dirs
from ..security.audit import audit
from ..security.roles import ANONYMOUS, PERMISSIONS, ROLES, VIEW
from .conditions import CONDITIONS


def workflows_path(settings):
    """The YAML file of the workflows (``portal.workflows`` or the default profile's)."""
    configured = settings.get("portal.workflows")
    if configured:
        return Path(configured)
    return resource_dirs(settings)[1] / "default" / "workflows.yaml"


def audit_transition(event):
    """Subscriber: every transition made in a request goes to the audit log (O4)."""
    request = get_current_request()
    if request is None:
        return
    details = f"{event.transition.id}: {event.source} → {event.destination}"
    if event.comment:
        details += f" ({event.comment})"
    audit(request, "transition", target="/" + path_of(event.object), details=details)


def shown_to_public(event):
    """True when the transition of ``event`` leaves or reaches a state anonymous visitors may
    view (a draft sent for approval changes nothing they see)."""
    states = event.workflow.states
    return any(ANONYMOUS in states[name].permissions.get(VIEW, ())
               for name in (event.source, event.destination))


def includeme(config):
    from . import notices, policy, used_items, working_copy, worklist

    registry = config.registry
    registry.portal_workflows = load_file(workflows_path(config.get_settings()), ROLES,
                                          PERMISSIONS, conditions=CONDITIONS)

    def added(event):
        policy.enter_workflows(registry, event.object)
        worklist.reindex_tree(event.object, registry.portal_workflows)

    def removed(event):
        worklist.unindex_tree(event.object, event.parent, event.name)

    def modified(event):
        worklist.reindex(event.object, registry.portal_workflows)

    def transitioned(event):
        worklist.reindex(event.object, registry.portal_workflows)
        if isinstance(event, WorkflowChanged) or shown_to_public(event):
            site = find_site(event.object)
            if site is not None:
                # What anonymous visitors see has changed: menus and pages are derived anew.
                site.changes.change(1)

    config.add_subscriber(added, ObjectAdded)
    config.add_subscriber(removed, ObjectRemoved)
    config.add_subscriber(modified, ObjectModified)
    config.add_subscriber(transitioned, AfterTransition)
    config.add_subscriber(transitioned, WorkflowChanged)
    config.add_subscriber(audit_transition, AfterTransition)
    config.add_subscriber(notices.notify_transition, AfterTransition)
    config.add_subscriber(used_items.publish_used_items, AfterTransition)
    # Last: the notices above still see the working copy that this checks in.
    config.add_subscriber(working_copy.on_transition, AfterTransition)
