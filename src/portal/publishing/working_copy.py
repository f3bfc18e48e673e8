"""Working copies: editing a published item goes through approval while the published text
stays online (E2).

Saving the edit form of an item in a final state whose workflow starts elsewhere (two-level
and simple publication) does not touch the item: it makes a *working copy*, an object of the
same class held in ``item.working_copy`` and reached at ``<item>/working-copy/``. The copy has
the fields being edited and its own state, starting at the workflow's initial state, with its
own permission map (a draft's: the public never sees it). It passes the same transitions and
notices as a new article; when it reaches the final state, its fields replace the item's, a
revision records the change, and the copy is gone. Only one working copy exists at a time.
"""
from pyramid.httpexceptions import HTTPForbidden
from pyramid.threadlocal import get_current_request

import workflow

from ..content.events import ObjectModified
from ..revisions import apply_fields, record_baseline, record_revision, snapshot
from ..security.roles import VIEW
from .policy import complete_map, workflow_for

NAME = "working-copy"


def is_working_copy(obj):
    """True for the working copy of an item."""
    parent = obj.__parent__
    return obj.__name__ == NAME and parent is not None and \
        getattr(parent, "working_copy", None) is obj


def original_of(obj):
    """The item ``obj`` is the working copy of (``obj`` itself otherwise)."""
    return obj.__parent__ if is_working_copy(obj) else obj


def needs_working_copy(registry, obj):
    """True when saving ``obj`` must go to a working copy: it is out in a final state of a
    workflow whose items start in another state."""
    if obj.is_container or is_working_copy(obj):
        return False
    wf = workflow_for(registry, obj)
    if wf is None or getattr(obj, "workflow_id", None) != wf.id:
        return False
    state = wf.states.get(obj.workflow_state)
    return state is not None and state.final and not wf.states[wf.initial].final


def check_out(request, obj):
    """The working copy of ``obj``, made now from its fields when there is none.

    The copy's author becomes its Owner, so only someone who may view ``obj`` gets one: a
    right to edit without the right to view (an expired internal item for the secretariat)
    must not turn into a readable copy (S8).
    """
    if not request.has_permission(VIEW, obj):
        raise HTTPForbidden()
    found = getattr(obj, "working_copy", None)
    if found is not None:
        return found
    registry = request.registry
    copy = type(obj)()
    apply_fields(copy, snapshot(obj))
    copy.__name__, copy.__parent__ = NAME, obj
    copy.creator = request.authenticated_userid
    copy.created = copy.modified = registry.portal_clock.now()
    workflow.initialize(workflow_for(registry, obj), copy, copy.creator, copy.created,
                        comment="working copy")
    complete_map(copy)
    obj.working_copy = copy
    return copy


def check_in(request, copy):
    """Put the fields of ``copy`` (just approved) on its item and drop the copy."""
    item = copy.__parent__
    registry = request.registry
    record_baseline(request, item)  # an item older than revisions keeps its published text
    apply_fields(item, snapshot(copy))
    item.modified = registry.portal_clock.now()
    item.workflow_history = tuple(item.workflow_history) + tuple(
        dict(entry, working_copy=True) for entry in copy.workflow_history)
    item.working_copy = None
    record_revision(request, item, kind="working-copy",
                    actor=copy.workflow_history[-1]["actor"])
    registry.notify(ObjectModified(item, item.__parent__, item.__name__))
    return item


def discard(obj):
    """Forget the working copy of ``obj``, if any."""
    obj.working_copy = None


def on_transition(event):
    """Subscriber of ``AfterTransition``: a working copy reaching a final state is checked in."""
    copy = event.object
    if not is_working_copy(copy) or not event.workflow.states[event.destination].final:
        return
    check_in(get_current_request(), copy)
