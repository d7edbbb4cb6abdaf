"""Values only CloudFormation knows, and containers that notice when a rule reads one.

A property written with an intrinsic function (``!Ref``, ``!GetAtt``, ``!If`` …) or a
dynamic reference (``{{resolve:...}}``) has no value until the stack is made. Such a value
is an :class:`Opaque` in the API-shaped document the rules read, and the mappings and lists
that hold one are :class:`TrackedDict` and :class:`TrackedList`: they count on their
:class:`Tracker` every time a rule takes an opaque value out of them (or asks for a key or
a length that an ``!If`` with ``AWS::NoValue`` may take away). A finding that a rule makes
after such a read is dropped (see :func:`pipespec.check.tracked_hits`): whatever it
concluded may be wrong for the value the stack gets, and pipespec reports nothing it cannot
stand behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NoReturn


class Tracker:
    """How many times the rules read an opaque value of one document."""

    __slots__ = ("reads",)

    def __init__(self) -> None:
        self.reads = 0


class Opaque:
    """An intrinsic function's value; using it in any way counts as a read."""

    __slots__ = ("function", "tracker", "vanishes")

    def __init__(self, function: str, tracker: Tracker, vanishes: bool = False) -> None:
        self.function = function  #: "Ref", "Fn::If", "{{resolve}}" …
        self.tracker = tracker
        #: an ``!If`` one of whose branches is ``AWS::NoValue``: the key or item may be absent
        self.vanishes = vanishes

    def _read(self) -> None:
        self.tracker.reads += 1

    def __repr__(self) -> str:
        self._read()
        return f"<{self.function}>"

    def __str__(self) -> str:
        self._read()
        return ""

    def __format__(self, spec: str) -> str:
        self._read()
        return ""

    def __bool__(self) -> bool:
        self._read()
        return True

    def __eq__(self, other: object) -> bool:
        self._read()
        return other is self

    def __ne__(self, other: object) -> bool:
        self._read()
        return other is not self

    def __hash__(self) -> int:
        self._read()
        return id(self)

    def __len__(self) -> int:
        self._read()
        return 0

    def __iter__(self) -> Iterator[Any]:
        self._read()
        return iter(())

    def __contains__(self, item: object) -> bool:
        self._read()
        return False

    def __getattr__(self, name: str) -> NoReturn:
        if name.startswith("__"):
            raise AttributeError(name)
        self._read()
        raise AttributeError(name)


def _opaque(value: object) -> bool:
    return type(value) is Opaque


def _vanishes(value: object) -> bool:
    return isinstance(value, Opaque) and type(value) is Opaque and value.vanishes


class TrackedDict(dict[str, Any]):
    """A mapping that holds opaque values: taking one out is a read."""

    __slots__ = ("_any", "_vanish", "tracker")

    def __init__(self, items: dict[str, Any], tracker: Tracker) -> None:
        super().__init__(items)
        self.tracker = tracker
        self._any = any(map(_opaque, items.values()))
        self._vanish = any(map(_vanishes, items.values()))

    def _read(self, value: Any) -> Any:
        if type(value) is Opaque:
            self.tracker.reads += 1
        return value

    def _keys_read(self) -> None:
        if self._vanish:
            self.tracker.reads += 1

    def __getitem__(self, key: str) -> Any:
        return self._read(super().__getitem__(key))

    def get(self, key: str, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            return self._read(dict.__getitem__(self, key))
        return default

    def __contains__(self, key: object) -> bool:
        found = dict.__contains__(self, key)
        if found and isinstance(key, str) and _vanishes(dict.__getitem__(self, key)):
            self.tracker.reads += 1
        return found

    def __iter__(self) -> Iterator[str]:
        self._keys_read()
        return super().__iter__()

    def keys(self) -> Any:
        self._keys_read()
        return super().keys()

    def __len__(self) -> int:
        self._keys_read()
        return super().__len__()

    def items(self) -> Any:
        if self._any:
            self.tracker.reads += 1
        return super().items()

    def values(self) -> Any:
        if self._any:
            self.tracker.reads += 1
        return super().values()

    def copy(self) -> dict[str, Any]:
        return dict(self.items())


class TrackedList(list[Any]):
    """A list that holds opaque items: taking one out is a read."""

    __slots__ = ("_vanish", "tracker")

    def __init__(self, items: list[Any], tracker: Tracker) -> None:
        super().__init__(items)
        self.tracker = tracker
        self._vanish = any(map(_vanishes, items))

    def _length_read(self) -> None:
        if self._vanish:
            self.tracker.reads += 1

    def __getitem__(self, index: Any) -> Any:
        value = super().__getitem__(index)
        if isinstance(index, slice):
            self._length_read()
            if any(map(_opaque, value)):
                self.tracker.reads += 1
        elif type(value) is Opaque:
            self.tracker.reads += 1
        return value

    def __iter__(self) -> Iterator[Any]:
        self._length_read()
        for item in super().__iter__():
            if type(item) is Opaque:
                self.tracker.reads += 1
            yield item

    def __reversed__(self) -> Iterator[Any]:
        items: list[Any] = list(self.__iter__())
        yield from reversed(items)

    def __len__(self) -> int:
        self._length_read()
        return super().__len__()

    def __contains__(self, item: object) -> bool:
        return any(x == item for x in self.__iter__())

    def index(self, item: Any, *args: Any) -> int:
        return list(self.__iter__()).index(item, *args)

    def count(self, item: Any) -> int:
        return list(self.__iter__()).count(item)

    def copy(self) -> list[Any]:
        return list(self.__iter__())
