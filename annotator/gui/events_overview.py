"""The events overview (F3): every event of the open article in text order, each with all of its roles, filled
(accepted), suggested or empty. Arrow keys go through it and the text follows the event (or argument) under the
cursor; Enter or Escape returns to the text. Only built while it is shown: an article of a thousand events costs
nothing while the editor looks at the span list instead."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from annotator.core.labels import LabelScheme
from annotator.core.model import Link, Span, SpanState
from annotator.gui.colours import label_colour, readable_on

SPAN_ID = Qt.ItemDataRole.UserRole
SUGGESTED_COLOUR = QColor("#6b6b6b")
OWN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape)
MAX_WORDS = 60  # characters of a span's words shown


def _words(text: str, span: Span) -> str:
    words = " ".join(text[span.start:span.end].split())
    return words if len(words) <= MAX_WORDS else words[:MAX_WORDS - 1] + "…"


def overview_rows(text: str, spans: Iterable[Span], links: Iterable[Link], scheme: LabelScheme,
                  ) -> list[tuple[Span, list[tuple[str, list[tuple[Span, SpanState]]]]]]:
    """(event, [(role, [(filler, link state)])]) for each event span in text order, every role of its label in
    the scheme's order (empty ones too), then any role the scheme does not know that a link names."""
    by_id = {s.id: s for s in spans}
    events = [s for s in by_id.values() if (lb := scheme.get(s.label)) is not None and lb.kind == "event"]
    events.sort(key=lambda s: (s.start, s.end))
    mine: dict[int, dict[str, list[tuple[Span, SpanState]]]] = {}  # event -> role -> (filler, state)
    shown = (SpanState.ACCEPTED, SpanState.SUGGESTED)
    for lk in links:
        if lk.state in shown and lk.argument in by_id:
            mine.setdefault(lk.event, {}).setdefault(lk.role, []).append((by_id[lk.argument], lk.state))
    names: dict[str, list[str]] = {}  # label -> its roles' names (looked up once a label)
    rows = []
    for event in events:
        roles = names.get(event.label)
        if roles is None:
            roles = names[event.label] = [r.name for r in scheme.roles(event.label)]
        held = mine.get(event.id, {})  # type: ignore[arg-type]
        extra = sorted(held.keys() - set(roles)) if held else []
        rows.append((event, [(role, held.get(role, [])) for role in (roles + extra if extra else roles)]))
    return rows


def _signature(event: Span, roles: list[tuple[str, list[tuple[Span, SpanState]]]]) -> tuple:
    """What an event's rows show: rebuilt only when this changes (its label gives its roles, so only the filled
    ones are looked at)."""
    return (event.label, event.state, event.start, event.end,
            tuple((role, f.id, f.start, f.end, f.label, st) for role, fillers in roles if fillers
                  for f, st in fillers))


class EventsOverview(QTreeWidget):
    spanChosen = Signal(int)  # the cursor moved onto an event or an argument: the text follows
    done = Signal()  # Enter or Escape: back to the text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("events")
        self.setHeaderLabels(["Event / role", "Words"])
        self.setColumnWidth(0, 170)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self._building = False
        self.stale = True
        self._doc_id: int | None = None
        self._scheme: LabelScheme | None = None
        self._items: dict[int, tuple[tuple, QTreeWidgetItem]] = {}  # event id -> (what its rows show, its item)
        self.currentItemChanged.connect(self._on_current)

    def show_article(self, doc_id: int | None, text: str, spans: list[Span], links: list[Link],
                     scheme: LabelScheme, selected: int | None) -> None:
        """Shows the article's events. For the article already shown, only the events whose rows changed are
        rebuilt, taken out or put in (an edit touches one or two of a long article's thousand events)."""
        rows = overview_rows(text, spans, links, scheme)
        same_article = doc_id is not None and (doc_id, scheme) == (self._doc_id, self._scheme) and self._items
        where = self._cursor() if same_article else None
        self._building = True
        try:
            if not same_article:
                self.clear()
                self._items = {}
            self._doc_id, self._scheme = doc_id, scheme
            wanted = {event.id for event, _ in rows}
            for event_id in [i for i in self._items if i not in wanted]:
                self.takeTopLevelItem(self.indexOfTopLevelItem(self._items.pop(event_id)[1]))
            for position, (event, roles) in enumerate(rows):
                key = _signature(event, roles)
                old = self._items.get(event.id)  # type: ignore[arg-type]
                if old is not None and old[0] == key and self.topLevelItem(position) is old[1]:
                    continue
                if old is not None:
                    self.takeTopLevelItem(self.indexOfTopLevelItem(old[1]))
                top = self._event_item(text, event, roles, scheme)
                self.insertTopLevelItem(position, top)
                top.setExpanded(True)
                self._items[event.id] = (key, top)  # type: ignore[index]
            if where is not None and where[0] in self._items:  # the cursor stays where it was
                top = self._items[where[0]][1]
                self.setCurrentItem(top.child(min(where[1], top.childCount() - 1)) if where[1] >= 0 else top)
            elif selected in self._items:
                self.setCurrentItem(self._items[selected][1])  # type: ignore[index]
        finally:
            self._building = False
        self.stale = False

    def _cursor(self) -> tuple[int, int] | None:
        """(the event of the row under the cursor, which of its rows it is; -1: the event's own)."""
        item = self.currentItem()
        if item is None:
            return None
        top = item.parent() or item
        event_id = top.data(0, SPAN_ID)
        return (int(event_id), -1 if top is item else top.indexOfChild(item)) if event_id is not None else None

    @staticmethod
    def _event_item(text: str, event: Span, roles: list[tuple[str, list[tuple[Span, SpanState]]]],
                    scheme: LabelScheme) -> QTreeWidgetItem:
        mark = "✓" if event.state is SpanState.ACCEPTED else "?"
        filled = sum(bool(fillers) for _, fillers in roles)
        top = QTreeWidgetItem([f"{mark} {event.label} {filled}/{len(roles)}", _words(text, event)])
        top.setData(0, SPAN_ID, event.id)
        colour = label_colour(scheme.get(event.label))
        top.setBackground(0, QBrush(colour))
        top.setForeground(0, QBrush(readable_on(colour)))
        if event.state is SpanState.SUGGESTED:
            top.setToolTip(0, "a suggested event (? ): Enter in the text accepts it")
        for role, fillers in roles:
            if not fillers:
                child = QTreeWidgetItem([f"  {role}", "—"])
                child.setForeground(1, QBrush(SUGGESTED_COLOUR))
                top.addChild(child)
            for filler, state in fillers:
                shown = "✓ " if state is SpanState.ACCEPTED else "? "
                child = QTreeWidgetItem([f"  {role}", f"{shown}{_words(text, filler)} ({filler.label})"])
                child.setData(0, SPAN_ID, filler.id)
                if state is SpanState.SUGGESTED:
                    child.setForeground(1, QBrush(SUGGESTED_COLOUR))
                    child.setToolTip(1, "a suggested link: Enter in link mode accepts it, Delete removes it")
                top.addChild(child)
        return top

    def _on_current(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        if self._building or item is None:
            return
        span_id = item.data(0, SPAN_ID)
        if span_id is None and item.parent() is not None:  # an empty role: its event
            span_id = item.parent().data(0, SPAN_ID)
        if span_id is not None:
            self.spanChosen.emit(int(span_id))

    def event(self, event: QEvent) -> bool:
        """Enter and Escape are the overview's own here (the window's Enter accepts a suggestion)."""
        if (event.type() == QEvent.Type.ShortcutOverride and event.key() in OWN_KEYS  # type: ignore[attr-defined]
                and not event.modifiers() & Qt.KeyboardModifier.ControlModifier):  # type: ignore[attr-defined]
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() in OWN_KEYS and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.done.emit()
            return
        super().keyPressEvent(event)

    def events_shown(self) -> list[str]:
        """The top rows' texts (what a test reads)."""
        return [self.topLevelItem(i).text(0) for i in range(self.topLevelItemCount())]
