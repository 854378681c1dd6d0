"""A tiny emitter: the article session says what changed, the widgets listen (napari's EmitterGroup is the
model). No Qt: the session and its tests run without a window."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class Signal:
    """Callbacks called in the order they were connected; `blocker()` silences it for a while."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._slots: list[Callable[..., Any]] = []
        self._blocked = 0

    def connect(self, slot: Callable[..., Any]) -> Callable[..., Any]:
        self._slots.append(slot)
        return slot

    def disconnect(self, slot: Callable[..., Any]) -> None:
        # by equality: a widget's method is a new object each time it is named, equal to the one connected
        self._slots = [s for s in self._slots if s != slot]

    def emit(self, *args: Any) -> None:
        if self._blocked:
            return
        for slot in list(self._slots):
            slot(*args)

    @contextmanager
    def blocker(self) -> Iterator[None]:
        self._blocked += 1
        try:
            yield
        finally:
            self._blocked -= 1


class Events:
    """A named group of signals: `events.spans_changed.connect(...)`."""

    def __init__(self, *names: str) -> None:
        self._names = names
        for name in names:
            setattr(self, name, Signal(name))

    def __getattr__(self, name: str) -> Signal:  # only reached for a name not declared
        raise AttributeError(f"no event {name!r} (events: {', '.join(self._names)})")
