"""A one-line label that shows as much of its text as fits, cut with an ellipsis, and keeps in view what must
stay in view: the article's title is cut before its answer (" — accepted"), never the answer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """Plain text on one line: `head` whole (marks such as ⚑), `middle` cut to the room left with "…" (its runs
    of white space, line breaks too, shown as one space), `tail` whole. `text()` is what is shown; `full_text()`
    the whole, as given; the tooltip is the caller's to set."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        # the window decides the width; the label never asks for its text's (not even as its minimum)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._parts = ("", "", "")

    def set_parts(self, head: str, middle: str, tail: str = "") -> None:
        self._parts = (head, middle, tail)
        self._fit()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        """All of `text` may be cut."""
        self.set_parts("", text)

    def full_text(self) -> str:
        return "".join(self._parts)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        head, middle, tail = self._parts
        middle = " ".join(middle.split())  # one line: a title's line breaks and tabs shown as spaces
        self.ensurePolished()  # the style sheet's font, which measures the text
        metrics = self.fontMetrics()
        room = self.contentsRect().width() - max(self.indent(), 0) - 2 * self.margin()
        whole = head + middle + tail
        if metrics.horizontalAdvance(whole) <= room:
            shown = whole
        else:
            left = room - metrics.horizontalAdvance(head + tail)
            shown = head + metrics.elidedText(middle, Qt.TextElideMode.ElideRight, max(left, 0)) + tail
        if shown != self.text():
            super().setText(shown)
