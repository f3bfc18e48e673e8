"""Events the engine announces through the ``notify`` callable its caller gives it.

A subscriber to ``BeforeTransition`` may raise ``TransitionRefused`` to stop the move; one to
``AfterTransition`` reacts to it (reindexing, mail, audio): the portal's side effects.
"""


class TransitionEvent:
    """``object`` moves by ``transition`` of ``workflow`` from ``source`` to ``destination``."""

    def __init__(self, obj, workflow, transition, source, destination, actor, comment, time):
        self.object = obj
        self.workflow = workflow
        self.transition = transition
        self.source = source
        self.destination = destination
        self.actor = actor
        self.comment = comment
        self.time = time


class BeforeTransition(TransitionEvent):
    """About to happen: nothing has changed yet."""


class AfterTransition(TransitionEvent):
    """Done: the object is in ``destination`` and its history says so."""


class WorkflowChanged:
    """``object`` moved from workflow ``old`` (state ``old_state``) to ``new`` (``new_state``)."""

    def __init__(self, obj, old, old_state, new, new_state):
        self.object = obj
        self.old = old
        self.old_state = old_state
        self.new = new
        self.new_state = new_state
