"""Placeful workflow policy: a folder says which workflow each content type uses below it.

``folder.workflow_policy`` maps a type name (or ``*`` for any other type) to a workflow id.
It applies to the folder itself and to everything below it, down to a folder with a policy of
its own; the site's policy is the default. The site itself is in no workflow.
"""
from pyramid.location import lineage

import workflow

from ..content.base import find_site as site_of
from ..content.typeinfo import type_info
from ..content.types import Site
from ..security.policy import held_roles, permission_map
from .conditions import checks

PROFILE_ACTOR = "profile"


def policy_of(folder):
    """The folder's own policy: {type name or '*': workflow id} (empty when it has none)."""
    return dict(getattr(folder, "workflow_policy", None) or {})


def workflow_id_for(obj, registry=None):
    """The id of the workflow the policy gives ``obj`` where it stands, or None."""
    return workflow_id_for_type(obj, obj.type_name, registry)


def workflow_id_for_type(start, type_name, registry=None):
    """The workflow id the policies at ``start`` and above give ``type_name``; where none
    does (a site not yet set up by a profile), the one the type declares, so that new content
    is never public without approval."""
    for node in lineage(start):
        policy = getattr(node, "workflow_policy", None)
        if policy:
            found = policy.get(type_name) or policy.get("*")
            if found:
                return found
    return default_workflow(type_name, registry)


def default_workflow(type_name, registry=None):
    """The workflow ``type_name`` declares (``config.add_content_type``) in ``registry`` (the
    current one when None), or None."""
    info = type_info(type_name, registry)
    return info.workflow if info is not None else None


def workflow_for(registry, obj):
    """The Workflow ``obj`` is in (or would be in, where it stands), or None."""
    if isinstance(obj, Site):
        return None
    wf_id = getattr(obj, "workflow_id", None) or workflow_id_for(obj, registry)
    return registry.portal_workflows.get(wf_id) if wf_id else None


def complete_map(obj):
    """Fill the permissions the workflow does not manage from the site's map."""
    site = site_of(obj)
    own = getattr(obj, "_permission_map", None) or {}
    obj._permission_map = dict(permission_map(site), **own)


def _walk(obj):
    yield obj
    if obj.is_container:
        for name in obj:
            yield from _walk(obj[name])


def _now(registry):
    return registry.portal_clock.now()


def enter_workflows(registry, obj, actor=None):
    """Put ``obj`` and everything below it in the workflow their place gives them.

    New objects (and copies, which do not keep their original's state) start in the initial
    state; moved ones keep their state, remapped when the workflow there differs.
    """
    now = _now(registry)
    for node in _walk(obj):
        wf_id = workflow_id_for(node, registry)
        new = registry.portal_workflows.get(wf_id) if wf_id else None
        if new is None or isinstance(node, Site):
            continue
        current = getattr(node, "workflow_id", None)
        who = actor or getattr(node, "creator", "") or PROFILE_ACTOR
        if current is None:
            workflow.initialize(new, node, who, now)
        elif current != new.id:
            workflow.change_workflow(new, node, who, now, notify=registry.notify)
        else:
            continue
        complete_map(node)


def final_state(wf):
    """The first state of ``wf`` marked final (where profile content is put by default)."""
    return next((state.id for state in wf.states.values() if state.final), wf.initial)


def place(registry, obj, state=None, actor=PROFILE_ACTOR):
    """Set ``obj`` (just added by a profile) in ``state``, default its workflow's final one."""
    wf = workflow_for(registry, obj)
    if wf is None:
        return
    state = state or final_state(wf)
    if state not in wf.states:
        raise KeyError(f"workflow {wf.id} has no state {state!r}")
    obj.workflow_history = ()
    workflow.initialize(wf, obj, actor, _now(registry), state=state)
    complete_map(obj)
    # The worklist and the catalog follow the new state.
    registry.notify(workflow.WorkflowChanged(obj, None, None, wf.id, state))


def set_policy(registry, folder, policy, actor):
    """Give ``folder`` the policy ``policy`` and move what lies below into its workflows.

    Returns how many objects changed workflow.
    """
    unknown = [wf for wf in policy.values() if wf not in registry.portal_workflows]
    if unknown:
        raise KeyError(f"unknown workflows {unknown}")
    folder.workflow_policy = dict(policy)
    changed = 0
    now = _now(registry)
    for node in _walk(folder):
        wf_id = workflow_id_for(node, registry)
        if isinstance(node, Site) or not wf_id or getattr(node, "workflow_id", None) == wf_id:
            continue
        workflow.change_workflow(registry.portal_workflows[wf_id], node, actor, now,
                                 notify=registry.notify)
        complete_map(node)
        changed += 1
    return changed


def transitions_for(request, obj):
    """The transitions the current user may make on ``obj`` now."""
    wf = workflow_for(request.registry, obj)
    if wf is None or getattr(obj, "workflow_id", None) != wf.id:
        return []
    return workflow.allowed_transitions(wf, obj, held_roles(request, obj), checks())


def waiting_transitions(request, obj):
    """(transition, condition name) the current user could make but for its condition."""
    wf = workflow_for(request.registry, obj)
    if wf is None or getattr(obj, "workflow_id", None) != wf.id:
        return []
    possible = workflow.allowed_transitions(wf, obj, held_roles(request, obj),
                                            check_conditions=False)
    allowed = {t.id for t in transitions_for(request, obj)}
    return [(t, t.condition) for t in possible if t.id not in allowed]


def fire(request, obj, transition_id, comment=""):
    """Make a transition as the current user; raises ``workflow.TransitionRefused``."""
    wf = workflow_for(request.registry, obj)
    if wf is None:
        raise workflow.TransitionRefused("unknown", transition_id)
    entry = workflow.fire(wf, obj, transition_id, request.authenticated_userid,
                          held_roles(request, obj), _now(request.registry), comment,
                          notify=request.registry.notify, conditions=checks())
    complete_map(obj)
    return entry
