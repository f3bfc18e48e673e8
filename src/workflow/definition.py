"""Workflow definitions: loaded from YAML data and checked before anything uses them.

A file holds ``workflows:``, a mapping of workflow id to its definition::

    two_level_publication:
      title: Two-level publication
      initial: draft
      permissions: [view, edit, delete]        # the permissions the states manage
      states:
        draft:
          title: Draft
          permissions: {view: [Owner, Editor], edit: [Owner, Editor], delete: [Owner]}
      transitions:
        submit:
          title: Submit for review
          from: [draft]
          to: submitted
          roles: [Owner, Editor]
          condition: has_title                  # optional, a name the caller provides
          comment: required                     # optional: required | optional (default)
          notify: [Reviewer]                    # optional: roles told of it
      remap:                                    # optional: states of other workflows
        simple_publication: {private: draft, published: published}

Every problem is reported as a ``WorkflowError`` naming the file and the line.
"""
from dataclasses import dataclass, field

import yaml


class WorkflowError(ValueError):
    """A workflow definition is wrong; the message names the file and the line."""


@dataclass(frozen=True)
class State:
    """A state and the roles that hold each managed permission while an object is in it."""

    id: str
    title: str
    permissions: dict
    final: bool = False


@dataclass(frozen=True)
class Transition:
    """A move between states that some roles may make, if its condition holds."""

    id: str
    title: str
    sources: tuple
    destination: str
    roles: tuple
    condition: str | None = None
    comment_required: bool = False
    notify: tuple = ()


@dataclass(frozen=True)
class Workflow:
    """States, transitions, the initial state and how to take over other workflows' states."""

    id: str
    title: str
    initial: str
    managed: tuple
    states: dict
    transitions: dict
    remap: dict = field(default_factory=dict)

    def transitions_from(self, state):
        """The transitions whose sources include ``state``, in definition order."""
        return [t for t in self.transitions.values() if state in t.sources]

    def state_from(self, workflow_id, state):
        """The state of this workflow that ``state`` of workflow ``workflow_id`` becomes."""
        if state in self.states and workflow_id == self.id:
            return state
        return self.remap.get(workflow_id, {}).get(state, self.initial)


class _Node(dict):
    """A YAML mapping that remembers the line of itself and of each key."""

    line = 0
    key_lines = None


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps line numbers and refuses duplicate keys."""


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    result = _Node()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in result:
            raise WorkflowError(f"{loader.name}:{line}: duplicate {key!r} "
                                f"(first at line {result.key_lines[key]})")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_file(path, roles, permissions=None, conditions=None):
    """The workflows of the YAML file at ``path``: {id: Workflow}.

    ``roles`` are the role names a definition may use; ``permissions``, when given, the
    permission names; ``conditions``, when given, the condition names callers provide.
    """
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return load_text(text, str(path), roles, permissions, conditions)


def load_text(text, name, roles, permissions=None, conditions=None):
    """The workflows defined in the YAML ``text`` (``name`` is used in messages)."""
    loader = _Loader(text)
    loader.name = name
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark else name
        raise WorkflowError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    finally:
        loader.dispose()
    checker = _Checker(name, set(roles), permissions, conditions)
    if not isinstance(data, _Node) or not isinstance(data.get("workflows"), _Node):
        raise checker.error(data, None, "the file must hold a mapping 'workflows:'")
    found = {}
    for wf_id, spec in data["workflows"].items():
        found[wf_id] = checker.workflow(wf_id, spec, data["workflows"].key_lines[wf_id])
    checker.remaps(found)
    return found


class _Checker:
    """Builds the definition objects, failing at the first problem with its line."""

    def __init__(self, name, roles, permissions, conditions):
        self.name = name
        self.roles = roles
        self.permissions = set(permissions) if permissions is not None else None
        self.conditions = set(conditions) if conditions is not None else None
        self.remap_specs = {}

    def error(self, node, key, message, line=None):
        if isinstance(node, _Node) and key in node:
            line = node.key_lines[key]
        elif line is None:
            line = getattr(node, "line", 0)
        return WorkflowError(f"{self.name}:{line}: {message}")

    def _mapping(self, parent, key, what, line):
        value = parent.get(key)
        if not isinstance(value, _Node) or not value:
            raise self.error(parent, key, f"{what} needs a non-empty mapping '{key}'", line)
        return value

    def _names(self, node, key, known, what, line):
        value = node.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(node, key, f"'{key}' must be a list of names", line)
        unknown = [v for v in value if known is not None and v not in known]
        if unknown:
            raise self.error(node, key, f"{what}: unknown {key} {unknown}", line)
        return tuple(value)

    def workflow(self, wf_id, spec, line):
        where = f"workflow {wf_id!r}"
        if not isinstance(spec, _Node):
            raise self.error(None, None, f"{where} must be a mapping", line)
        states_spec = self._mapping(spec, "states", where, line)
        # A one-state workflow has no transitions: `transitions` may be missing or empty.
        transitions_spec = spec.get("transitions") or _Node()
        if not isinstance(transitions_spec, _Node):
            raise self.error(spec, "transitions", f"{where}: 'transitions' must be a mapping",
                             line)
        managed = self._names(spec, "permissions", self.permissions, where, line)
        if not managed:
            raise self.error(spec, "permissions", f"{where} manages no permission", line)
        states = {}
        for state_id, state_spec in states_spec.items():
            states[state_id] = self.state(wf_id, state_id, state_spec, managed,
                                          states_spec.key_lines[state_id])
        initial = spec.get("initial")
        if initial not in states:
            raise self.error(spec, "initial", f"{where}: initial state {initial!r} is not "
                             f"one of its states", line)
        transitions = {}
        for t_id, t_spec in transitions_spec.items():
            transitions[t_id] = self.transition(wf_id, t_id, t_spec, states,
                                                transitions_spec.key_lines[t_id])
        reachable = {initial}
        frontier = [initial]
        while frontier:
            current = frontier.pop()
            for t in transitions.values():
                if current in t.sources and t.destination not in reachable:
                    reachable.add(t.destination)
                    frontier.append(t.destination)
        for state_id in states:
            if state_id not in reachable:
                raise self.error(states_spec, state_id,
                                 f"{where}: state {state_id!r} cannot be reached from "
                                 f"{initial!r}")
        self.remap_specs[wf_id] = (spec.get("remap") or _Node(), spec, line)
        return Workflow(wf_id, str(spec.get("title", wf_id)), initial, managed, states,
                        transitions)

    def state(self, wf_id, state_id, spec, managed, line):
        where = f"workflow {wf_id!r}, state {state_id!r}"
        if not isinstance(spec, _Node):
            raise self.error(None, None, f"{where} must be a mapping", line)
        perms = spec.get("permissions")
        if not isinstance(perms, _Node):
            raise self.error(spec, "permissions", f"{where} needs 'permissions'", line)
        missing = [p for p in managed if p not in perms]
        extra = [p for p in perms if p not in managed]
        if missing or extra:
            raise self.error(spec, "permissions", f"{where}: permissions must be exactly "
                             f"{list(managed)} (missing {missing}, not managed {extra})", line)
        mapping = {}
        for perm in managed:
            mapping[perm] = self._names(perms, perm, self.roles, f"{where}, {perm}",
                                        perms.key_lines[perm])
        return State(state_id, str(spec.get("title", state_id)), mapping,
                     final=bool(spec.get("final", False)))

    def transition(self, wf_id, t_id, spec, states, line):
        where = f"workflow {wf_id!r}, transition {t_id!r}"
        if not isinstance(spec, _Node):
            raise self.error(None, None, f"{where} must be a mapping", line)
        sources = self._names(spec, "from", states, where, line)
        if not sources:
            raise self.error(spec, "from", f"{where} needs 'from' states", line)
        destination = spec.get("to")
        if destination not in states:
            raise self.error(spec, "to", f"{where}: unknown state {destination!r}", line)
        roles = self._names(spec, "roles", self.roles, where, line)
        if not roles:
            raise self.error(spec, "roles", f"{where}: no role may fire it", line)
        condition = spec.get("condition")
        if condition is not None and self.conditions is not None \
                and condition not in self.conditions:
            raise self.error(spec, "condition", f"{where}: unknown condition {condition!r}",
                             line)
        comment = spec.get("comment", "optional")
        if comment not in ("optional", "required"):
            raise self.error(spec, "comment", f"{where}: comment must be 'optional' or "
                             f"'required'", line)
        return Transition(t_id, str(spec.get("title", t_id)), sources, destination, roles,
                          condition, comment == "required",
                          self._names(spec, "notify", self.roles, where, line))

    def remaps(self, workflows):
        """Check each ``remap`` once every workflow is known, and attach it."""
        for wf_id, (spec, parent, line) in self.remap_specs.items():
            where = f"workflow {wf_id!r}, remap"
            if not isinstance(spec, _Node):
                raise self.error(parent, "remap", f"{where} must be a mapping", line)
            remap = {}
            for other, mapping in spec.items():
                at = spec.key_lines[other]
                if other not in workflows:
                    raise self.error(spec, other, f"{where}: unknown workflow {other!r}", at)
                if not isinstance(mapping, _Node):
                    raise self.error(spec, other, f"{where}: {other!r} needs a mapping", at)
                for old, new in mapping.items():
                    if old not in workflows[other].states:
                        raise self.error(mapping, old, f"{where}: {other!r} has no state "
                                         f"{old!r}", mapping.key_lines[old])
                    if new not in workflows[wf_id].states:
                        raise self.error(mapping, old, f"{where}: unknown state {new!r}",
                                         mapping.key_lines[old])
                remap[other] = dict(mapping)
            workflows[wf_id].remap.update(remap)
