"""Comments and flags in the window: Ctrl+M comments on the selected span (or the article), Ctrl+Shift+M on the
article, Ctrl+Shift+F flags the article for review (again: takes the flag back). Each is an undo step saved at
once (annotator.store.notes). The title shows ⚑ for a flagged article and ✎ for one with comments, its tooltip
the notes (and in a team's review, each editor's); spans with a note carry a mark in the text.

A part of `MainWindow` (annotator/gui/main_window.py), on its widgets and state."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from annotator.gui.commands import NoteCommand
from annotator.gui.plaintext import excerpt
from annotator.store.notes import ARTICLE, MAX_NOTE


class NoteDialog(QDialog):
    """A note's text and its flag. Ctrl+Enter saves; an empty text without the flag takes the note back."""

    def __init__(self, parent: QWidget, about: str, text: str, flagged: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle("Comment")
        layout = QVBoxLayout(self)
        label = QLabel(about, self)
        label.setTextFormat(Qt.TextFormat.PlainText)  # the words of the article are data, never markup
        label.setWordWrap(True)
        layout.addWidget(label)
        self.text = QPlainTextEdit(self)
        self.text.setPlainText(text)
        self.text.setPlaceholderText("What the reviewer should know (empty: no comment)")
        self.text.setTabChangesFocus(True)
        layout.addWidget(self.text)
        self.flag = QCheckBox("&Flag it for review", self)
        self.flag.setChecked(flagged)
        layout.addWidget(self.flag)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.accept)
        self.resize(460, 240)
        self.text.setFocus()
        self.text.moveCursor(self.text.textCursor().MoveOperation.End)

    def note(self) -> tuple[str, bool]:
        return self.text.toPlainText().strip()[:MAX_NOTE], self.flag.isChecked()


class NotesMixin:
    def comment(self, on_article: bool = False) -> None:
        """Ctrl+M: the selected span's note (or the article's, if no span is selected or `on_article`)."""
        if self.session is None or self.session.doc_id is None or self._blocked():
            return
        span = None if on_article else self.view.span(self.selected_span)
        span_id = span.id if span is not None else ARTICLE
        about = (f"Comment on {span.label} “{excerpt(self.session.doc.text[span.start:span.end], 60)}”"
                 if span is not None else
                 f"Comment on the article “{self.session.doc.title or f'Document {self.session.doc_id}'}”")
        before = self.session.notes().get(span_id)
        dialog = NoteDialog(self, about, before.text if before else "", before.flagged if before else False)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        text, flagged = dialog.note()
        self._set_note(span_id, text, flagged, "comment" if text else "take back the comment")

    def toggle_flag(self) -> None:
        """Ctrl+Shift+F: flags the article for review, or takes its flag back (its comment stays)."""
        if self.session is None or self.session.doc_id is None or self._blocked():
            return
        before = self.session.notes().get(ARTICLE)
        text, flagged = (before.text, before.flagged) if before else ("", False)
        self._set_note(ARTICLE, text, not flagged, "flag the article" if not flagged else "take the flag back")
        self.statusBar().showMessage("Flagged for review (Ctrl+Shift+F takes the flag back)" if not flagged else
                                     "The flag is taken back", 4000)

    def _set_note(self, span_id: int, text: str, flagged: bool, what: str) -> None:
        assert self.session is not None and self.session.doc_id is not None
        self.undo_stack.push(NoteCommand(self.session, self.session.doc_id, span_id, text, flagged, what,
                                         self.on_edit_error))

    def show_notes(self, title: bool = True) -> None:
        """The open article's notes: marks on the spans that have one, and the title again (its marks)."""
        if self.session is None or self.session.doc is None or self.store is None:
            return
        self.view.set_notes({i: n for i, n in self.session.notes().items() if i != ARTICLE})
        if not title:  # just opened: the title was shown with its marks
            return
        self._show_title(self.session.doc)
        if self.queue is not None:
            self.queue.refresh(self.session.doc.id)  # its row's marks

    def note_marks(self) -> tuple[str, list[str]]:
        """"⚑ " for an article flagged, or with a span flagged, "✎ " for one with comments (its own, its spans',
        in a team's review the editors'), as the queue marks it, "⚡ " for one accepted in haste (annotator.core.
        effort); and the notes and the haste in words, one line each."""
        if self.session is None or self.session.doc is None or self.store is None:
            return "", []
        notes = self.session.notes()
        editors = self.store.notes.of_editors(self.session.doc.id)
        by_id = {s.id: s for s in self.session.spans}
        flagged = any(n.flagged for i, n in notes.items() if i == ARTICLE or i in by_id) or any(
            e.flagged for e in editors)
        commented = any(n.text for i, n in notes.items() if i == ARTICLE or i in by_id) or any(
            e.text for e in editors)
        text = self.session.doc.text
        lines = []
        for n in notes.values():
            span = by_id.get(n.span_id)
            where = "the article" if n.span_id == ARTICLE else (
                f"{span.label} “{excerpt(text[span.start:span.end], 40)}”" if span else "a removed span")
            lines.append(f"{'⚑ ' if n.flagged else ''}on {where}: {n.text}".rstrip(": "))
        for e in editors:
            where = "the article" if e.span is None else f"{e.span[2]} “{excerpt(text[e.span[0]:e.span[1]], 40)}”"
            lines.append(f"{e.editor}, {'⚑ ' if e.flagged else ''}on {where}: {e.text}".rstrip(": "))
        hasty = self.store.effort.flags_of(self.session.doc.id)  # for a reviewer's look (where the work goes)
        for editor, why, seconds, words in hasty:
            lines.append(f"⚡ {editor}: {why} ({seconds:g} s for {words} words)")
        return ("⚑ " if flagged else "") + ("✎ " if commented else "") + ("⚡ " if hasty else ""), lines
