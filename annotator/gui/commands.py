"""Undo commands: every edit is one QUndoCommand, recorded as the span states it changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtGui import QUndoCommand

from annotator.core.model import Answer
from annotator.workflows.editing import Change


class EditHost(Protocol):
    """What an undo command asks of the window: run an edit the first time (reporting a refusal or a conflict),
    put spans and links back, answer an article."""

    def run_edit(self, action: Callable[[], Change]) -> Change | None: ...

    def restore(self, doc_id: int, rows: list, links: list | None = None) -> None: ...

    def run_answer(self, doc_id: int, answer: Answer, move_on: bool = True,
                   restore: Change | None = None) -> tuple[Answer, Change] | None: ...


class SpanCommand(QUndoCommand):
    """Runs an edit the first time (through the window, which reports a conflict and then drops the command),
    and afterwards replays or reverts the recorded span states."""

    def __init__(self, window: EditHost, text: str, action: Callable[[], Change]) -> None:
        super().__init__(text)
        self.window = window
        self.action = action
        self.change: Change | None = None

    def redo(self) -> None:
        if self.change is None:
            self.change = self.window.run_edit(self.action)
            if not self.change:
                self.setObsolete(True)  # refused, or nothing changed: not worth an undo step
            return
        self.window.restore(self.change.doc_id, self.change.after, self.change.links_after)

    def undo(self) -> None:
        if self.change is not None:
            self.window.restore(self.change.doc_id, self.change.before, self.change.links_before)


class AnswerCommand(QUndoCommand):
    """Answers an article. Accepting it accepts the suggestions on screen with it; undo takes both back."""

    def __init__(self, window: EditHost, doc_id: int, answer: Answer) -> None:
        super().__init__(f"answer {answer.value}")
        self.window = window
        self.doc_id = doc_id
        self.answer = answer
        self.before: Answer | None = None
        self.accepted: Change | None = None

    def redo(self) -> None:
        result = self.window.run_answer(self.doc_id, self.answer)
        if result is None:
            self.setObsolete(True)
            return
        before, accepted = result
        if self.before is None:
            self.before = before
        self.accepted = accepted

    def undo(self) -> None:
        if self.before is not None:
            self.window.run_answer(self.doc_id, self.before, move_on=False, restore=self.accepted)
