"""The article: readable text with every span highlighted in its label's colour.

Event spans are drawn as a background tint, argument spans as an underline, so an argument inside an event stays
visible; suggestions are paler (and dotted or dashed) than accepted spans; the selected span is drawn in its full
colour, bold. Offsets: Python counts code points, Qt UTF-16 units, so positions are converted when the text has
characters outside the Basic Multilingual Plane."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from annotator.core.labels import LabelScheme
from annotator.core.model import Span, SpanState

SOURCE_NAMES = {"rule": "suggested by a rule", "model": "suggested by the model", "editor": "drawn by an editor"}


def readable_on(colour: QColor) -> QColor:
    return QColor("#000000") if colour.lightness() > 140 else QColor("#ffffff")


def tint(colour: QColor, alpha: int) -> QColor:
    c = QColor(colour)
    c.setAlpha(alpha)
    return c


class ArticleView(QPlainTextEdit):
    spanClicked = Signal(int)  # span id, or -1 for a click outside every span
    navigate = Signal(int)  # +1 Tab, -1 Shift+Tab

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setTabChangesFocus(False)
        font = QFont(self.font())
        font.setPointSize(max(font.pointSize(), 12))
        self.setFont(font)
        self.document().setDocumentMargin(18)
        self.scheme: LabelScheme | None = None
        self.spans: list[Span] = []
        self.selected: int | None = None
        self._text = ""
        self._astral: list[int] = []  # Python offsets of characters that take two UTF-16 units
        self._formats: dict[tuple[str, str, bool], QTextCharFormat] = {}

    # ---------------------------------------------------------------- offsets

    def to_qt(self, pos: int) -> int:
        return pos + bisect_right(self._astral, pos - 1) if self._astral else pos

    def to_py(self, qpos: int) -> int:
        if not self._astral:
            return qpos
        pos = qpos
        while pos > 0 and self.to_qt(pos) > qpos:
            pos -= 1
        return pos

    # ---------------------------------------------------------------- content

    def set_article(self, text: str, scheme: LabelScheme) -> None:
        self.scheme = scheme
        self._formats.clear()
        self._text = text
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        self.spans = []
        self.selected = None
        self.setExtraSelections([])
        self.setPlainText(text)

    def show_spans(self, spans: Sequence[Span], selected: int | None = None) -> None:
        self.spans = list(spans)
        self.selected = selected
        self._highlight()

    def select_span(self, span_id: int | None, scroll: bool = True) -> None:
        self.selected = span_id
        self._highlight()
        span = self.span(span_id)
        if span is not None and scroll:
            cursor = QTextCursor(self.document())
            cursor.setPosition(self.to_qt(span.start))
            self.setTextCursor(cursor)
            self.ensureCursorVisible()

    def span(self, span_id: int | None) -> Span | None:
        return next((s for s in self.spans if s.id == span_id), None) if span_id is not None else None

    def _format(self, label: str, state: str, selected: bool) -> QTextCharFormat:
        key = (label, state, selected)
        fmt = self._formats.get(key)
        if fmt is not None:
            return fmt
        assert self.scheme is not None
        lb = self.scheme.get(label)
        colour = QColor(lb.colour if lb else "#888888")
        is_event = lb is None or lb.kind == "event"
        fmt = QTextCharFormat()
        if selected:
            fmt.setBackground(colour)
            fmt.setForeground(readable_on(colour))
            fmt.setFontWeight(QFont.Weight.Bold)
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(readable_on(colour))
        elif is_event:
            fmt.setBackground(tint(colour, 120 if state == "accepted" else 45))
            if state != "accepted":
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
                fmt.setUnderlineColor(colour)
        else:
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline if state == "accepted"
                                  else QTextCharFormat.UnderlineStyle.DashUnderline)
            fmt.setUnderlineColor(colour)
            if state == "accepted":
                fmt.setForeground(colour.darker(160))
                fmt.setFontWeight(QFont.Weight.DemiBold)
        fmt.setProperty(QTextFormat.Property.UserProperty, label)
        self._formats[key] = fmt
        return fmt

    def _highlight(self) -> None:
        doc = self.document()
        selections = []
        # longer spans first, so that shorter (nested) ones are drawn over them; the selected one last
        ordered = sorted(self.spans, key=lambda s: (s.id == self.selected, -(s.end - s.start), s.start))
        for span in ordered:
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(doc)
            cursor.setPosition(self.to_qt(span.start))
            cursor.setPosition(self.to_qt(span.end), QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            sel.format = self._format(span.label, span.state.value, span.id == self.selected)
            selections.append(sel)
        self.setExtraSelections(selections)

    # ---------------------------------------------------------------- reading the user

    def selection_range(self) -> tuple[int, int] | None:
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self.to_py(cursor.selectionStart()), self.to_py(cursor.selectionEnd())

    def set_selection(self, start: int, end: int) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.to_qt(start))
        cursor.setPosition(self.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def clear_selection(self) -> None:
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)

    def spans_at(self, pos: int) -> list[Span]:
        return sorted((s for s in self.spans if s.start <= pos < s.end), key=lambda s: (s.end - s.start, s.start))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            pos = self.to_py(self.cursorForPosition(event.position().toPoint()).position())
            under = self.spans_at(pos)
            if under and under[0].id == self.selected and len(under) > 1:
                # clicking the selected span again reaches the span around it
                under = under[1:] + under[:1]
            self.spanClicked.emit(under[0].id if under else -1)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Tab and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.navigate.emit(1)
            return
        if event.key() == Qt.Key.Key_Backtab:
            self.navigate.emit(-1)
            return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002 - Qt's name
        return False  # Tab moves between spans here, not between widgets

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.scheme is not None:
            pos = self.to_py(self.cursorForPosition(event.pos()).position())  # type: ignore[attr-defined]
            under = self.spans_at(pos)
            if under:
                lines = []
                for s in under:
                    lb = self.scheme.get(s.label)
                    state = "accepted" if s.state is SpanState.ACCEPTED else "suggestion"
                    score = f", score {s.score:.2f}" if s.score is not None else ""
                    lines.append(f"<b>{s.label}</b> ({lb.kind if lb else '?'}) — {state}, "
                                 f"{SOURCE_NAMES.get(s.source.value, s.source.value)}{score}")
                QToolTip.showText(event.globalPos(), "<br>".join(lines), self)  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def top_position(self) -> int:
        """The character at the top left of the view: the reading position, whatever the window's size."""
        return self.to_py(self.cursorForPosition(self.viewport().rect().topLeft()).position())

    def scroll_to_top(self, position: int) -> None:
        """Scrolls so that the line holding `position` is at the top of the view."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(min(self.to_qt(position), self.document().characterCount() - 1))
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())  # from the end, making the cursor visible brings its line to the top
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def zoom(self, steps: int) -> None:
        font = QFont(self.font())
        font.setPointSize(max(7, min(40, font.pointSize() + steps)))
        self.setFont(font)
