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


class SetBackCommand(QUndoCommand):
    """Sets something that holds one value at a time (an article's answer, a note): the first redo remembers the
    value before, undo sets that back. Subclasses say how in `_set`, which returns the value it replaced."""

    after: object
    same_is_nothing = True  # setting the value it had is no undo step

    def __init__(self, text: str, on_error: OnError) -> None:
        super().__init__(text)
        self.on_error = on_error
        self.before: object | None = None

    @property
    def done(self) -> bool:
        return self.before is not None

    def _set(self, value: object, undo: bool) -> object:
        raise NotImplementedError

    def redo(self) -> None:
        try:
            before = self._set(self.after, undo=False)
        except Exception as exc:  # noqa: BLE001 - refused or failed: reported, and no undo step
            if self.before is None:
                self.setObsolete(True)
            self.on_error(exc, self.before is not None)
            return
        if self.before is None:
            self.before = before
            if self.same_is_nothing and before == self.after:
                self.setObsolete(True)  # nothing changed: no undo step

    def undo(self) -> None:
        if self.before is None:
            return
        try:
            self._set(self.before, undo=True)
        except Exception as exc:  # noqa: BLE001
            self.on_error(exc, True)


class NoteCommand(SetBackCommand):
    """Sets the note (a comment and a flag) of an article or of one of its spans; undo sets the one before."""

    def __init__(self, session: ArticleSession, doc_id: int, span_id: int, text: str, flagged: bool, what: str,
                 on_error: OnError) -> None:
        super().__init__(what, on_error)
        self.session = session
        self.doc_id, self.span_id = doc_id, span_id
        self.after = (text, flagged)

    def _set(self, value: object, undo: bool) -> object:
        text, flagged = value  # type: ignore[misc]
        return self.session.set_note(self.span_id, text, flagged, doc_id=self.doc_id)


class AnswerCommand(SetBackCommand):
    """Answers an article. Accepting it accepts the suggestions on screen with it; undo takes both back (also when
    it was accepted already: the suggestions it accepted are a change)."""

    same_is_nothing = False

    def __init__(self, session: ArticleSession, doc_id: int, answer: Answer, on_error: OnError) -> None:
        super().__init__(f"answer {answer.value}", on_error)
        self.session = session
        self.doc_id = doc_id
        self.after = answer
        self.accepted: Change | None = None

    def _set(self, value: object, undo: bool) -> object:
        assert isinstance(value, Answer)
        if undo:
            return self.session.set_answer(value, self.doc_id, restore=self.accepted)[0]
        before, self.accepted = self.session.set_answer(value, self.doc_id)
        return before
