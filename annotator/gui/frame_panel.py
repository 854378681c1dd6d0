"""The event's frame, and linking arguments to it.

`FramePanel` shows the roles of the event in focus (the last event span selected), each with its fillers or an
empty slot, its key and its description. `LinkTool` holds the link mode: with an event in focus, Shift and a
role's key (or a click on the role in the panel) starts it; Tab and Shift+Tab go through the spans that may fill
the role, nearest first; Enter links the one shown (or accepts a suggested link), Delete removes the link to it,
Escape leaves; a click on a span links that one. With text selected, Shift and the role's key marks the text with
the role's first label and links it, one undoable step. Every edit is an undo command, like a span's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStatusBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.labels import LabelScheme, Role
from annotator.core.linking import fitting_filler
from annotator.core.model import Link, Span, SpanState
from annotator.core.session import ArticleSession, Change
from annotator.gui.article_view import ArticleView
from annotator.gui.plaintext import excerpt, plain
from annotator.store import Store


class LinkHost(Protocol):
    """What the link tool needs of the window it works in."""

    session: ArticleSession | None
    store: Store | None
    view: ArticleView
    span_list: Any
    undo_stack: QUndoStack

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name

    def select_span(self, span_id: int | None) -> None: ...

    def _blocked(self) -> bool: ...

    def push_edit(self, text: str, action: Callable[[], Change]) -> bool: ...

ROLE_ITEM, LINK_ITEM = 1, 2


def shown(text: str, span: Span) -> str:
    return excerpt(text[span.start:span.end], 60)


class FramePanel(QWidget):
    roleChosen = Signal(str)  # role name: start linking in it
    linkAccepted = Signal(int)
    linkRemoved = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard stays with the text
        self.tree.itemClicked.connect(self._clicked)
        buttons = QHBoxLayout()
        self.accept_button = QPushButton("Accept link", self)
        self.remove_button = QPushButton("Remove link", self)
        for b in (self.accept_button, self.remove_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setEnabled(False)
            buttons.addWidget(b)
        self.accept_button.clicked.connect(lambda: self._on_link(self.linkAccepted))
        self.remove_button.clicked.connect(lambda: self._on_link(self.linkRemoved))
        self.tree.currentItemChanged.connect(lambda *_: self._enable())
        layout.addWidget(self.heading)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self.show_frame(None, "", None, [], [])

    def show_frame(self, event: Span | None, text: str, scheme: LabelScheme | None,
                   frame: list[tuple[Role, list[Link]]], spans: list[Span], active_role: str | None = None) -> None:
        self.tree.clear()
        if event is None or scheme is None:
            self.heading.setText("Select an event span to see its roles.")
            self._enable()
            return
        self.heading.setText(f"{event.label}: “{shown(text, event)}”")
        by_id = {s.id: s for s in spans}
        for role, links in frame:
            key = f"  [Shift+{role.hotkey.upper()}]" if role.hotkey else ""
            filled = f"{len(links)}" if links else "empty"
            item = QTreeWidgetItem([f"{role.name}{key}  ({filled})"])
            item.setData(0, Qt.ItemDataRole.UserRole, (ROLE_ITEM, role.name))
            item.setToolTip(0, plain(f"{role.description} Takes: {', '.join(role.fillers)}."))
            font = item.font(0)
            font.setBold(True)
            item.setFont(0, font)
            if role.name == active_role:
                item.setBackground(0, QBrush(QColor("#fff2b3")))
            self.tree.addTopLevelItem(item)
            for link in links:
                arg = by_id.get(link.argument)
                filler = shown(text, arg) if arg else "?"
                state = "" if link.state is SpanState.ACCEPTED else "   (suggested)"
                child = QTreeWidgetItem([f"→ {filler}  {arg.label if arg else ''}{state}"])
                child.setData(0, Qt.ItemDataRole.UserRole, (LINK_ITEM, link.id))
                if link.state is not SpanState.ACCEPTED:
                    child.setForeground(0, QBrush(QColor("#666666")))
                item.addChild(child)
            item.setExpanded(True)
        self._enable()

    def rows(self) -> list[str]:
        """What the panel shows, line by line (for tests and the accessible name)."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            out.append(item.text(0))
            out += [item.child(j).text(0) for j in range(item.childCount())]
        return out

    def _clicked(self, item: QTreeWidgetItem) -> None:
        kind, value = item.data(0, Qt.ItemDataRole.UserRole)
        if kind == ROLE_ITEM:
            self.roleChosen.emit(value)

    def _current_link(self) -> int | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        kind, value = item.data(0, Qt.ItemDataRole.UserRole)
        return value if kind == LINK_ITEM else None

    def _enable(self) -> None:
        on = self._current_link() is not None
        self.accept_button.setEnabled(on)
        self.remove_button.setEnabled(on)

    def _on_link(self, signal: Signal) -> None:
        link_id = self._current_link()
        if link_id is not None:
            signal.emit(link_id)  # type: ignore[attr-defined]


class LinkTool(QObject):
    """The event in focus and the link mode. The window asks it first for Tab, Enter, Delete, Escape and clicks."""

    def __init__(self, window: LinkHost, panel: FramePanel) -> None:
        super().__init__(window)  # type: ignore[arg-type]  (the window is a QObject)
        self.window = window
        self.panel = panel
        self.event_id: int | None = None
        self.role: str | None = None
        self.candidates: list[Span] = []
        self._shown: tuple | None = None  # what the panel shows (see refresh)
        self.index = 0
        # where the text was scrolled when link mode started: leaving it comes back there (a candidate in another
        # paragraph scrolled the view away from the event)
        self._scroll: int | None = None
        panel.roleChosen.connect(self.start)
        panel.linkAccepted.connect(lambda link_id: self._push("accept link",
                                                              lambda: self._session.accept_link(link_id)))
        panel.linkRemoved.connect(lambda link_id: self._push("remove link",
                                                             lambda: self._session.remove_link(link_id)))

    @property
    def _session(self):  # noqa: ANN202
        assert self.window.session is not None
        return self.window.session

    @property
    def active(self) -> bool:
        return self.role is not None

    def reset(self) -> None:
        """A new article: no event in focus."""
        self.event_id = None
        self.cancel(quiet=True)

    def follow(self, span_id: int | None) -> None:
        """The selected span changed: an event span comes into focus (an argument leaves the focus as it is)."""
        session = self.window.session
        if session is None or self.window.store is None:
            return
        span = next((s for s in session.spans if s.id == span_id), None)
        label = self.window.store.scheme.get(span.label) if span else None
        if span is not None and label is not None and label.kind == "event" and span_id != self.event_id:
            self.cancel(quiet=True)
            self.event_id = span_id
            if self.window.statusBar().currentMessage().startswith("Select an event span first"):
                self.window.statusBar().clearMessage()  # no longer true
        focused = next((s for s in session.spans if s.id == self.event_id), None) if self.event_id else None
        focused_label = self.window.store.scheme.get(focused.label) if focused is not None else None
        if self.event_id is not None and (focused_label is None or focused_label.kind != "event"):
            self.event_id = None  # removed, or relabelled as an argument
            self.cancel(quiet=True)
        self.refresh()

    def refresh(self) -> None:
        session, store = self.window.session, self.window.store
        if session is None or store is None or session.doc is None:
            self.panel.show_frame(None, "", None, [], [])
            self.window.view.show_links([], None, None, -1)
            self._shown = None
            return
        event = next((s for s in session.spans if s.id == self.event_id), None)
        # the panel is built again only when what it shows can have changed (an edit refreshes it several times)
        shown = (session.doc.id, self.event_id, event.label if event else None, event.state if event else None,
                 self.role, session.links_version, session.revision, id(session.spans), id(store.scheme))
        if shown != self._shown:
            frame = session.frame(self.event_id) if event is not None else []
            self.panel.show_frame(event, session.doc.text, store.scheme, frame, session.spans, self.role)
            self._shown = shown
        # every link of the article is drawn, those of the event in focus fully
        current = self.candidates[self.index].id if self.active and self.candidates else None
        self.window.view.show_links(session.links, current, self.event_id if event is not None else None,
                                    session.links_version)

    # ---------------------------------------------------------------- link mode

    def start_by_key(self, key: str) -> None:
        store = self.window.store
        event = self._event()
        if store is None or event is None:
            self.window.statusBar().showMessage("Select an event span first (its roles are linked with Shift and "
                                                "the role's key)", 4000)
            return
        role = next((r for r in store.scheme.roles(event.label) if r.hotkey == key), None)
        if role is None:
            self.window.statusBar().showMessage(f"{event.label} has no role on Shift+{key.upper()}", 4000)
            return
        self.start(role.name)

    def start(self, role_name: str) -> None:
        store, event = self.window.store, self._event()
        if store is None or event is None or self.window._blocked():
            return
        role = next((r for r in store.scheme.roles(event.label) if r.name == role_name), None)
        if role is None:
            return
        selection = self.window.view.selection_range()
        if selection is not None:  # new text: mark it with the label that fits the words and link it, one step
            start, end = selection
            label = fitting_filler(role.fillers, self._session.doc.text[start:end])
            event_id = event.id
            self.cancel(quiet=True)
            self._push(f"mark {label} as {role.name}",
                       lambda: self._session.add_argument(start, end, label, event_id, role.name))
            self.window.view.clear_selection()
            return
        self.role = role.name
        self._scroll = self.window.view.verticalScrollBar().value()
        self.candidates = self._session.candidates(event.id, role.name)
        # on the filler already linked in this role, if any: fixing a wrong link is Delete, not a hunt with Tab
        filled = {lk.argument for lk in self._session.links if lk.event == self.event_id and lk.role == self.role}
        linked = [i for i, s in enumerate(self.candidates) if s.id in filled]
        self.index = linked[0] if linked else 0
        if not self.candidates:
            self.role = None
            self.window.statusBar().showMessage(
                f"No {' or '.join(role.fillers)} span to be the {role.name}: select its words and press "
                f"Shift+{role.hotkey.upper()}", 5000)
            self.refresh()
            return
        self._show()

    def step(self, step: int) -> None:
        if self.candidates:
            self.index = (self.index + step) % len(self.candidates)
            self._show()

    def commit(self) -> None:
        if not self.active or not self.candidates or self.event_id is None:
            return
        event_id, role, arg = self.event_id, self.role, self.candidates[self.index].id
        assert role is not None
        existing = self._existing(arg)
        scroll = self._scroll
        self.cancel(quiet=True)
        if existing is not None and existing.state is SpanState.ACCEPTED:
            message = f"Already the {role}"
        elif existing is not None:
            self._push(f"accept link as {role}", lambda: self._session.accept_link(existing.id))
            message = f"Accepted as {role}"
        else:
            self._push(f"link as {role}", lambda: self._session.add_link(event_id, arg, role))
            message = f"Linked as {role}"
        self._back_on_event(event_id, scroll)
        self.window.statusBar().showMessage(message, 3000)

    def remove_current(self) -> None:
        if not self.active or not self.candidates:
            return
        existing = self._existing(self.candidates[self.index].id)
        if existing is None:
            self.window.statusBar().showMessage("Not linked in this role", 3000)
            return
        self._push(f"remove link {existing.role}", lambda: self._session.remove_link(existing.id))
        self._show()

    def click(self, span_id: int) -> None:
        """A span clicked in link mode: link it, if it may fill the role."""
        ids = [s.id for s in self.candidates]
        if span_id in ids:
            self.index = ids.index(span_id)
            self.commit()
        else:
            self.window.statusBar().showMessage(f"That span cannot be the {self.role}; Escape leaves linking", 4000)

    def cancel(self, quiet: bool = False) -> None:
        was = self.active
        scroll, self._scroll = self._scroll, None
        self.role = None
        self.candidates = []
        self.index = 0
        if was:
            self.window.statusBar().clearMessage()
        if was and not quiet:
            self.window.statusBar().showMessage("Linking cancelled", 2000)
            if self._event() is not None:  # Escape: back on the event, not on the last candidate looked at
                self._back_on_event(self.event_id, scroll)
        if was:
            self.refresh()

    # ---------------------------------------------------------------- helpers

    def _back_on_event(self, event_id: int | None, scroll: int | None) -> None:
        """The event in focus again, the text scrolled back to where link mode found it (as far as the event
        stays in view there)."""
        self.window.select_span(event_id)
        view = self.window.view
        view.select_span(event_id)  # its start is the text cursor, made visible (the edit of a link may have
        # put the focus on it already, leaving the cursor on the candidate)
        if scroll is not None:
            view.verticalScrollBar().setValue(scroll)
            view.ensureCursorVisible()

    def _event(self) -> Span | None:
        session = self.window.session
        if session is None:
            return None
        return next((s for s in session.spans if s.id == self.event_id), None)

    def _existing(self, arg_id: int) -> Link | None:
        return next((lk for lk in self._session.links if lk.event == self.event_id and lk.argument == arg_id
                     and lk.role == self.role), None)

    def _show(self) -> None:
        span = self.candidates[self.index]
        session = self._session
        assert session.doc is not None
        linked = self._existing(span.id)
        note = " — already linked (Delete removes it)" if linked is not None else ""
        self.window.statusBar().showMessage(
            f"{self.role} {self.index + 1}/{len(self.candidates)}: “{shown(session.doc.text, span)}”{note}. "
            f"Tab / Shift+Tab: next / previous, Enter: link, Escape: cancel")
        self.window.select_span(span.id)  # the candidate in focus: the text and the span list show it
        self.refresh()

    def _push(self, text: str, action: Callable[[], Change]) -> None:
        if self.window._blocked():
            return
        self.window.push_edit(text, action)  # the session's events redraw the panel and the arcs
