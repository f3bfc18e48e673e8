"""The workflow engine alone: no Pyramid, no portal (E2)."""
import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from workflow import (
    AfterTransition,
    BeforeTransition,
    TransitionRefused,
    WorkflowError,
    allowed_transitions,
    change_workflow,
    fire,
    history_of,
    initialize,
    load_file,
    load_text,
)

ROOT = Path(__file__).resolve().parents[1]
ROLES = ("Anonymous", "Authenticated", "Author", "Editor", "Reviewer", "Publisher",
         "Secretary", "Manager", "Owner")
PERMISSIONS = ("view", "add", "edit", "delete", "contents", "share", "manage")
WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TEXT = {"has_text": lambda obj: True}  # the portal's condition, as if the item had its text


class Item:
    """Any object will do: the engine only sets attributes."""


@pytest.fixture(scope="module")
def workflows():
    return load_file(ROOT / "profiles" / "default" / "workflows.yaml", ROLES, PERMISSIONS,
                     conditions={"has_text"})


def test_the_engine_imports_nothing_from_portal_nor_pyramid():
    for path in (ROOT / "src" / "workflow").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level \
                else []
            for name in names:
                assert not name.split(".")[0] in ("portal", "pyramid"), (path.name, name)


def test_the_profile_defines_the_four_workflows(workflows):
    assert set(workflows) == {"two_level_publication", "simple_publication", "intranet",
                              "one_state"}
    two = workflows["two_level_publication"]
    assert two.initial == "draft"
    assert "Anonymous" not in two.states["draft"].permissions["view"]
    assert "Anonymous" in two.states["published"].permissions["view"]


def test_the_two_level_path_with_history_and_events(workflows):
    wf = workflows["two_level_publication"]
    events = []
    item = Item()
    initialize(wf, item, "tac-gia", WHEN)
    assert item.workflow_state == "draft"
    assert "Anonymous" not in item._permission_map["view"]
    assert [t.id for t in allowed_transitions(wf, item, {"Owner"}, TEXT)] == ["submit"]
    assert allowed_transitions(wf, item, {"Anonymous", "Reviewer"}, TEXT) == []
    fire(wf, item, "submit", "tac-gia", {"Owner"}, WHEN, notify=events.append,
         conditions=TEXT)
    assert [type(e) for e in events] == [BeforeTransition, AfterTransition]
    assert (events[0].source, events[0].destination) == ("draft", "submitted")
    fire(wf, item, "approve", "duyet", {"Reviewer"}, WHEN)
    fire(wf, item, "publish", "bien-tap", {"Publisher"}, WHEN, comment="  Đăng ngay ")
    assert item.workflow_state == "published"
    assert "Anonymous" in item._permission_map["view"]
    steps = [(h["actor"], h["transition"], h["from"], h["to"], h["comment"])
             for h in history_of(item)]
    assert steps == [("tac-gia", None, None, "draft", ""),
                     ("tac-gia", "submit", "draft", "submitted", ""),
                     ("duyet", "approve", "submitted", "approved", ""),
                     ("bien-tap", "publish", "approved", "published", "Đăng ngay")]
    assert all(h["time"] == WHEN for h in history_of(item))


@pytest.mark.parametrize("transition, roles, comment, reason", [
    ("approve", {"Reviewer"}, "", "wrong-state"),       # still a draft
    ("submit", {"Author"}, "", "not-allowed"),          # an author who is not the owner
    ("nonsense", {"Manager"}, "", "unknown"),
])
def test_refusals_change_nothing(workflows, transition, roles, comment, reason):
    wf = workflows["two_level_publication"]
    item = Item()
    initialize(wf, item, "a", WHEN)
    before = (item.workflow_state, history_of(item))
    with pytest.raises(TransitionRefused) as refused:
        fire(wf, item, transition, "a", roles, WHEN, comment=comment)
    assert refused.value.reason == reason
    assert (item.workflow_state, history_of(item)) == before


def test_rejection_requires_a_comment(workflows):
    wf = workflows["two_level_publication"]
    item = Item()
    initialize(wf, item, "a", WHEN)
    fire(wf, item, "submit", "a", {"Owner"}, WHEN, conditions=TEXT)
    with pytest.raises(TransitionRefused) as refused:
        fire(wf, item, "reject", "r", {"Reviewer"}, WHEN, comment="   ")
    assert refused.value.reason == "comment-required"
    fire(wf, item, "reject", "r", {"Reviewer"}, WHEN, comment="Thiếu nguồn ảnh")
    assert item.workflow_state == "draft"
    assert history_of(item)[-1]["comment"] == "Thiếu nguồn ảnh"


def test_a_before_subscriber_can_veto(workflows):
    wf = workflows["simple_publication"]
    item = Item()
    initialize(wf, item, "a", WHEN)

    def veto(event):
        if isinstance(event, BeforeTransition):
            raise TransitionRefused("vetoed", event.transition.id)

    with pytest.raises(TransitionRefused):
        fire(wf, item, "publish", "e", {"Editor"}, WHEN, notify=veto)
    assert item.workflow_state == "private"


def test_conditions_guard_transitions():
    wf = load_text(VALID.replace("roles: [Editor]", "roles: [Editor]\n        condition: ready"),
                   "t.yaml", ROLES, conditions={"ready"})["w"]
    item = Item()
    initialize(wf, item, "a", WHEN)
    item.ready = False
    checks = {"ready": lambda obj: obj.ready}
    assert allowed_transitions(wf, item, {"Editor"}, checks) == []
    assert [t.id for t in allowed_transitions(wf, item, {"Editor"},
                                              check_conditions=False)] == ["go"]
    with pytest.raises(TransitionRefused):
        fire(wf, item, "go", "a", {"Editor"}, WHEN, conditions=checks)
    item.ready = True
    fire(wf, item, "go", "a", {"Editor"}, WHEN, conditions=checks)
    assert item.workflow_state == "b"


def test_changing_workflow_remaps_states(workflows):
    item = Item()
    initialize(workflows["two_level_publication"], item, "a", WHEN)
    for t, role in (("submit", "Owner"), ("approve", "Reviewer"), ("publish", "Publisher")):
        fire(workflows["two_level_publication"], item, t, "a", {role}, WHEN, conditions=TEXT)
    assert change_workflow(workflows["intranet"], item, "m", WHEN) == "internal"
    assert item.workflow_id == "intranet"
    assert item._permission_map["view"] == ("Authenticated",)
    assert change_workflow(workflows["two_level_publication"], item, "m", WHEN) == "draft"


VALID = """\
workflows:
  w:
    initial: a
    permissions: [view]
    states:
      a:
        permissions: {view: [Owner]}
      b:
        permissions: {view: [Anonymous]}
    transitions:
      go:
        from: [a]
        to: b
        roles: [Editor]
"""


@pytest.mark.parametrize("change, line, words", [
    (("to: b", "to: c"), 13, "unknown state 'c'"),
    (("roles: [Editor]", "roles: [Chef]"), 14, "unknown roles ['Chef']"),
    (("    transitions:\n", ("    transitions:\n      go:\n        from: [a]\n"
      "        to: a\n        roles: [Editor]\n")), 15, "duplicate 'go' (first at line 11)"),
    (("to: b", "to: a"), 8, "state 'b' cannot be reached"),
    (("initial: a", "initial: z"), 3, "initial state 'z'"),
    (("{view: [Owner]}", "{edit: [Owner]}"), 7, "permissions must be exactly"),
    (("permissions: [view]", "permissions: [fly]"), 4, "unknown permissions ['fly']"),
    (("    transitions:", "    remap: {nope: {a: a}}\n    transitions:"), 10,
     "unknown workflow 'nope'"),
    (("roles: [Editor]", "roles: [Editor]\n        comment: maybe"), 15, "comment must be"),
    (("go:", "go: ["), 13, "not valid YAML"),
])
def test_load_errors_name_the_file_and_line(change, line, words):
    text = VALID.replace(*change)
    with pytest.raises(WorkflowError) as error:
        load_text(text, "profiles/x/workflows.yaml", ROLES, PERMISSIONS)
    message = str(error.value)
    assert message.startswith(f"profiles/x/workflows.yaml:{line}:"), message
    assert words in message


def test_a_valid_definition_loads():
    wf = load_text(VALID, "t.yaml", ROLES, PERMISSIONS)["w"]
    assert wf.transitions["go"].destination == "b"


def test_a_one_state_workflow_needs_no_transition():
    text = VALID.replace("      b:\n        permissions: {view: [Anonymous]}\n", "")
    text = text[:text.index("    transitions:")] + "    transitions: {}\n"
    wf = load_text(text, "t.yaml", ROLES, PERMISSIONS)["w"]
    item = Item()
    initialize(wf, item, "a", WHEN)
    assert allowed_transitions(wf, item, set(ROLES)) == []
    with pytest.raises(WorkflowError, match=r"t.yaml:8: .*'transitions' must be a mapping"):
        load_text(text.replace("transitions: {}", "transitions: [go]"), "t.yaml", ROLES)
