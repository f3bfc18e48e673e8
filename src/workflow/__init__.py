"""The workflow engine: states, transitions, guards and history, defined as data.

It imports nothing from ``portal`` (nor from Pyramid): the caller passes the roles an actor
holds, the clock's time and a ``notify`` callable, and reacts to the engine's events.
``definition`` loads and checks workflows from YAML; ``engine`` moves objects through them.
"""
from .definition import State, Transition, Workflow, WorkflowError, load_file, load_text
from .engine import (
    TransitionRefused,
    allowed_transitions,
    change_workflow,
    fire,
    history_of,
    initialize,
    state_of,
)
from .events import AfterTransition, BeforeTransition, WorkflowChanged

__all__ = [
    "AfterTransition", "BeforeTransition", "State", "Transition", "TransitionRefused",
    "Workflow", "WorkflowChanged", "WorkflowError", "allowed_transitions", "change_workflow",
    "fire", "history_of", "initialize", "load_file", "load_text", "state_of",
]
