"""Moving objects through a workflow: state, permission map and history live on the object.

The engine writes three attributes on an object: ``workflow_id`` and ``workflow_state``
(strings), ``workflow_history`` (a tuple of plain dicts: actor, transition, from, to, time,
comment; ``transition`` is None for the entry made when the object enters a workflow) and
``_permission_map`` (the state's permission → roles map, which the caller's security policy
reads, as in DCWorkflow). Who holds which role is the caller's business: it passes the roles.
"""
from .events import AfterTransition, BeforeTransition, WorkflowChanged


class TransitionRefused(Exception):
    """A transition cannot be made now; ``reason`` is a short code for the caller's message."""

    def __init__(self, reason, transition=None):
        super().__init__(f"{reason}: {transition}")
        self.reason = reason
        self.transition = transition


def _ignore(event):
    return None


def state_of(obj):
    """The object's state, or None when it is in no workflow."""
    return getattr(obj, "workflow_state", None)


def history_of(obj):
    """The object's history entries, oldest first."""
    return tuple(getattr(obj, "workflow_history", ()) or ())


def _enter(workflow, obj, state_id):
    obj.workflow_id = workflow.id
    obj.workflow_state = state_id
    obj._permission_map = dict(workflow.states[state_id].permissions)


def _record(obj, **entry):
    obj.workflow_history = history_of(obj) + (entry,)


def initialize(workflow, obj, actor, when, state=None, comment=""):
    """Put ``obj`` in ``workflow`` at ``state`` (default: its initial state)."""
    state = state or workflow.initial
    if state not in workflow.states:
        raise KeyError(f"workflow {workflow.id!r} has no state {state!r}")
    _enter(workflow, obj, state)
    _record(obj, actor=actor, transition=None, to=state, time=when, comment=comment,
            **{"from": None})


def allowed_transitions(workflow, obj, roles, conditions=None, check_conditions=True):
    """The transitions ``roles`` may fire on ``obj`` now, in definition order.

    ``conditions`` maps condition names to callables ``(obj) -> bool``; with
    ``check_conditions=False`` the transitions are those the roles and state allow, whatever
    their conditions say (to explain what is missing).
    """
    roles = set(roles)
    return [t for t in workflow.transitions_from(state_of(obj))
            if roles.intersection(t.roles)
            and (not check_conditions or _condition_holds(t, obj, conditions))]


def _condition_holds(transition, obj, conditions):
    if transition.condition is None:
        return True
    check = (conditions or {}).get(transition.condition)
    if check is None:
        raise KeyError(f"no condition {transition.condition!r} was given")
    return bool(check(obj))


def fire(workflow, obj, transition_id, actor, roles, when, comment="", notify=_ignore,
         conditions=None):
    """Make ``transition_id`` on ``obj`` for ``actor`` holding ``roles``; returns the entry.

    Raises ``TransitionRefused`` with reason ``unknown``, ``wrong-state``, ``not-allowed``,
    ``condition`` or ``comment-required``; nothing changes then.
    """
    transition = workflow.transitions.get(transition_id)
    if transition is None:
        raise TransitionRefused("unknown", transition_id)
    source = state_of(obj)
    if getattr(obj, "workflow_id", None) != workflow.id or source not in transition.sources:
        raise TransitionRefused("wrong-state", transition_id)
    if not set(roles).intersection(transition.roles):
        raise TransitionRefused("not-allowed", transition_id)
    if not _condition_holds(transition, obj, conditions):
        raise TransitionRefused("condition", transition_id)
    comment = (comment or "").strip()
    if transition.comment_required and not comment:
        raise TransitionRefused("comment-required", transition_id)
    args = (obj, workflow, transition, source, transition.destination, actor, comment, when)
    notify(BeforeTransition(*args))
    _enter(workflow, obj, transition.destination)
    _record(obj, actor=actor, transition=transition.id, to=transition.destination, time=when,
            comment=comment, **{"from": source})
    notify(AfterTransition(*args))
    return history_of(obj)[-1]


def change_workflow(new, obj, actor, when, notify=_ignore):
    """Move ``obj`` into workflow ``new``, its state mapped by ``new``'s declared remap."""
    old_id, old_state = getattr(obj, "workflow_id", None), state_of(obj)
    if old_id == new.id:
        return old_state
    state = new.state_from(old_id, old_state) if old_id else new.initial
    _enter(new, obj, state)
    _record(obj, actor=actor, transition=None, to=state, time=when,
            comment=f"workflow {old_id} → {new.id}", **{"from": old_state})
    notify(WorkflowChanged(obj, old_id, old_state, new.id, state))
    return state
