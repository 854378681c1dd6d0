"""Undo commands: each wraps an edit of the article session (annotator.core.edits). The first redo runs the
editor's action; afterwards redo and undo apply the `Restore` commands the change gives back. The session says
what changed through its events, which the widgets follow: a command never calls back into the window. A
refusal or failure goes to `on_error`, and a command that did nothing leaves no undo step."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from annotator.core.model import Answer
from annotator.core.session import ArticleSession, Change

OnError = Callable[[BaseException, bool], None]  # the error, and whether it came from undo or redo (the history)


class EditCommand(QUndoCommand):
    def __init__(self, session: ArticleSession, text: str, action: Callable[[], Change], on_error: OnError) -> None:
        super().__init__(text)
        self.session = session
        self.action = action
        self.on_error = on_error
        self.change: Change | None = None

    def redo(self) -> None:
        try:
            if self.change is None:
                self.change = self.action()
                if not self.change:
                    self.setObsolete(True)  # nothing changed: not worth an undo step
                return
            self.session.apply(self.change.redo())
        except Exception as exc:  # noqa: BLE001 - refused or failed: reported, and no undo step
            if self.change is None:
                self.setObsolete(True)
            self.on_error(exc, self.change is not None)

    def undo(self) -> None:
        if self.change is None:
            return
        try:
            self.session.apply(self.change.inverse())
        except Exception as exc:  # noqa: BLE001
            self.on_error(exc, True)


class NoteCommand(QUndoCommand):
    """Sets the note (a comment and a flag) of an article or of one of its spans; undo sets the one before."""

    def __init__(self, session: ArticleSession, doc_id: int, span_id: int, text: str, flagged: bool, what: str,
                 on_error: OnError) -> None:
        super().__init__(what)
        self.session = session
        self.doc_id, self.span_id = doc_id, span_id
        self.after = (text, flagged)
        self.before: tuple[str, bool] | None = None
        self.on_error = on_error

    def redo(self) -> None:
        try:
            before = self.session.set_note(self.span_id, *self.after, doc_id=self.doc_id)
        except Exception as exc:  # noqa: BLE001
            if self.before is None:
                self.setObsolete(True)
            self.on_error(exc, self.before is not None)
            return
        if self.before is None:
            self.before = before
            if before == self.after:
                self.setObsolete(True)  # nothing changed: no undo step

    def undo(self) -> None:
        if self.before is None:
            return
        try:
            self.session.set_note(self.span_id, *self.before, doc_id=self.doc_id)
        except Exception as exc:  # noqa: BLE001
            self.on_error(exc, True)


class AnswerCommand(QUndoCommand):
    """Answers an article. Accepting it accepts the suggestions on screen with it; undo takes both back."""

    def __init__(self, session: ArticleSession, doc_id: int, answer: Answer, on_error: OnError) -> None:
        super().__init__(f"answer {answer.value}")
        self.session = session
        self.doc_id = doc_id
        self.answer = answer
        self.on_error = on_error
        self.before: Answer | None = None
        self.accepted: Change | None = None

    @property
    def done(self) -> bool:
        return self.before is not None

    def redo(self) -> None:
        try:
            before, self.accepted = self.session.set_answer(self.answer, self.doc_id)
        except Exception as exc:  # noqa: BLE001
            if self.before is None:
                self.setObsolete(True)
            self.on_error(exc, self.before is not None)
            return
        if self.before is None:
            self.before = before

    def undo(self) -> None:
        if self.before is None:
            return
        try:
            self.session.set_answer(self.before, self.doc_id, restore=self.accepted)
        except Exception as exc:  # noqa: BLE001
            self.on_error(exc, True)
