"""Events fired by content methods; side effects (indexing, audit, mail) subscribe to them."""


class _ObjectEvent:
    def __init__(self, obj, parent=None, name=None):
        self.object = obj
        self.parent = parent
        self.name = name


class ObjectAdded(_ObjectEvent):
    """``object`` was added to ``parent`` under ``name``."""


class ObjectWillBeRemoved(_ObjectEvent):
    """``object`` is about to leave ``parent``."""


class ObjectRemoved(_ObjectEvent):
    """``object`` left ``parent``."""


class ObjectModified(_ObjectEvent):
    """``object``'s fields were changed; ``note`` says why (the revision's note, optional)."""

    def __init__(self, obj, parent=None, name=None, note=""):
        super().__init__(obj, parent, name)
        self.note = note


class LocalRolesModified(_ObjectEvent):
    """Local roles or their inheritance changed at ``object`` (its subtree's security too)."""
