"""The article: readable text with every span highlighted in its label's colour.

Event spans are drawn as a background tint, argument spans as a coloured bar under the words, so an argument inside
an event stays visible; suggestions are paler (and dashed) than accepted spans; the selected span gets a strong tint
and a frame. The highlights are painted directly, for the lines on screen only, so an article with thousands of
spans opens as fast as plain text. Offsets: Python counts code points, Qt UTF-16 units, so positions are converted
when the text has characters outside the Basic Multilingual Plane."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QRegion,
    QTextCursor,
)
from PySide6.QtWidgets import QPlainTextEdit, QToolTip, QWidget

from annotator.core.labels import LabelScheme
from annotator.core.model import Span, SpanState
from annotator.gui.plaintext import esc

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
        self.origins: dict[int, list[str]] = {}  # in a team's review: span id -> the editors whose work held it
        self.spans: list[Span] = []
        self.selected: int | None = None
        self._text = ""
        self._astral: list[int] = []  # Python offsets of characters that take two UTF-16 units
        self._paint_spans: list[tuple[int, int, Span]] = []
        self._paint_starts: list[int] = []
        self._longest = 0
        # the links of the event in focus: (event id, argument id, role, accepted), drawn as arcs over the text
        self.links: list[tuple[int, int, str, bool]] = []
        self.candidate: int | None = None  # the span link mode offers

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
        self.origins = {}
        self._text = text
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF] if not text.isascii() else []
        self.spans = []
        self.selected = None
        self.links = []
        self.candidate = None
        self._paint_spans = []
        self._paint_starts = []
        self.setPlainText(text)

    def show_spans(self, spans: Sequence[Span], selected: int | None = None,
                   changed: set[int] | None = None) -> None:
        """Shows these spans. With `changed` (the ids an edit touched), only the lines those spans are on are
        repainted, which keeps an edit within one frame on long articles."""
        before = self._region(changed | {self.selected} if changed is not None else None)
        self.spans = list(spans)
        self.selected = selected
        self._prepare()
        if changed is None:
            self.viewport().update()
        else:
            self.viewport().update(before.united(self._region(changed | {selected})))

    def select_span(self, span_id: int | None, scroll: bool = True) -> None:
        before = self._region({self.selected})
        self.selected = span_id
        self.viewport().update(before.united(self._region({span_id})))
        span = self.span(span_id)
        if span is not None and scroll:
            cursor = QTextCursor(self.document())
            cursor.setPosition(self.to_qt(span.start))
            self.setTextCursor(cursor)
            self.ensureCursorVisible()

    def show_links(self, links: list[tuple[int, int, str, bool]], candidate: int | None) -> None:
        """Draws these links (those of the event in focus) as arcs from the event to each argument, and a dashed
        frame round the candidate of link mode."""
        if links == self.links and candidate == self.candidate:
            return
        self.links = list(links)
        self.candidate = candidate
        self.viewport().update()

    def _first_rect(self, span: Span) -> QRectF | None:
        qs, qe = self.to_qt(span.start), self.to_qt(span.end)
        block = self.document().findBlock(qs)
        if not block.isValid():
            return None
        top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
        rects = self._rects(qs, qe, block, top)
        return rects[0] if rects else None

    def _paint_links(self, painter: QPainter) -> None:
        by_id = {s.id: s for s in self.spans}
        metrics = self.fontMetrics()
        for event_id, arg_id, _role, accepted in self.links:
            event, arg = by_id.get(event_id), by_id.get(arg_id)
            if event is None or arg is None:
                continue
            a, b = self._first_rect(event), self._first_rect(arg)
            if a is None or b is None:
                continue
            colour = self._colour(arg.label)[0].darker(150)
            pen = QPen(colour, 1.6 if accepted else 1.2)
            pen.setStyle(Qt.PenStyle.SolidLine if accepted else Qt.PenStyle.DashLine)
            painter.setPen(pen)
            # an arc over the text from the event to the argument, an arrow head on the argument; a plain-text
            # view keeps its lines close, so the role is not written on the arc (it would cover words): the
            # Event panel lists the roles, and hovering an argument names its role
            start = QPointF(a.center().x(), a.top())
            end = QPointF(b.center().x(), b.top())
            lift = min(metrics.height() * 0.9, 4 + abs(end.x() - start.x()) / 8 + abs(end.y() - start.y()) / 3)
            top_y = min(start.y(), end.y()) - lift
            path = QPainterPath(start)
            path.cubicTo(QPointF(start.x(), top_y), QPointF(end.x(), top_y), end)
            painter.drawPath(path)
            painter.drawLine(end, QPointF(end.x() - 3, end.y() - 5))  # an arrow head on the argument
            painter.drawLine(end, QPointF(end.x() + 3, end.y() - 5))
        candidate = by_id.get(self.candidate) if self.candidate is not None else None
        if candidate is not None:
            rect = self._first_rect(candidate)
            if rect is not None:
                pen = QPen(QColor("#000000"), 2)
                pen.setStyle(Qt.PenStyle.DashLine)
                painter.setPen(pen)
                painter.drawRect(rect.adjusted(-2, -2, 2, 2))

    def span(self, span_id: int | None) -> Span | None:
        return next((s for s in self.spans if s.id == span_id), None) if span_id is not None else None

    def _prepare(self) -> None:
        """The spans ready for painting: sorted by start, with their Qt offsets."""
        spans = self.spans  # sorted by start by the session
        if any(a.start > b.start for a, b in zip(spans, spans[1:])):
            spans = sorted(spans, key=lambda s: (s.start, -s.end))
        if self._astral:
            self._paint_spans = [(self.to_qt(s.start), self.to_qt(s.end), s) for s in spans]
        else:
            self._paint_spans = [(s.start, s.end, s) for s in spans]
        self._paint_starts = [p[0] for p in self._paint_spans]
        self._longest = max((p[1] - p[0] for p in self._paint_spans), default=0)

    def _region(self, ids: set[int | None] | None) -> QRegion:
        """The screen area of these spans (whole lines, a little taller: frames and bars reach the edges)."""
        region = QRegion()
        if ids is None:
            return region
        width = self.viewport().width()
        offset = self.contentOffset()
        doc = self.document()
        for qs, qe, span in self._paint_spans:
            if span.id in ids:
                block = doc.findBlock(qs)
                while block.isValid() and block.position() < qe:
                    top = self.blockBoundingGeometry(block).translated(offset).top()
                    for rect in self._rects(qs, qe, block, top):
                        region = region.united(QRegion(0, int(rect.top()) - 2, width, int(rect.height()) + 4))
                    block = block.next()
        return region

    def _colour(self, label: str) -> tuple[QColor, bool]:
        lb = self.scheme.get(label) if self.scheme else None
        return QColor(lb.colour if lb else "#888888"), lb is None or lb.kind == "event"

    def _rects(self, qstart: int, qend: int, block, top: float) -> list[QRectF]:  # noqa: ANN001
        """The rectangles of the text between two document positions within one block, line by line."""
        layout = block.layout()
        bpos = block.position()
        out = []
        a, b = max(qstart, bpos) - bpos, min(qend, bpos + block.length() - 1) - bpos
        line = layout.lineForTextPosition(a)
        while line.isValid() and a < b:
            line_end = line.textStart() + line.textLength()
            x1 = line.cursorToX(a)[0]
            x2 = line.cursorToX(min(b, line_end))[0]
            out.append(QRectF(x1, top + line.y(), max(x2 - x1, 2.0), line.height()))
            if b <= line_end:
                break
            a = line_end
            line = layout.lineForTextPosition(a)
        return out

    def paintEvent(self, event: QPaintEvent) -> None:
        spans = getattr(self, "_paint_spans", None)
        if not spans:
            super().paintEvent(event)
            return
        # only the spans in the stretch of text on screen (an article may be one block of 20,000 words)
        area = event.rect()
        vis_a = self.cursorForPosition(area.topLeft()).position()
        vis_b = self.cursorForPosition(area.bottomRight()).position() + 1
        first = bisect_left(self._paint_starts, vis_a - self._longest)
        last = bisect_right(self._paint_starts, vis_b)
        offset = self.contentOffset()
        doc = self.document()
        visible = []
        for qs, qe, span in spans[first:last]:
            if qe <= vis_a:
                continue
            block = doc.findBlock(qs)
            while block.isValid() and block.position() < qe:
                top = self.blockBoundingGeometry(block).translated(offset).top()
                for rect in self._rects(qs, qe, block, top):
                    if rect.bottom() >= area.top() and rect.top() <= area.bottom():
                        visible.append((rect, span))
                block = block.next()
        painter = QPainter(self.viewport())
        # backgrounds under the text: events (longer first, so nested ones show on top), then the selection
        for rect, span in sorted(visible, key=lambda rs: -(rs[1].end - rs[1].start)):
            colour, is_event = self._colour(span.label)
            if span.id == self.selected:
                continue
            if is_event:
                painter.fillRect(rect, tint(colour, 110 if span.state is SpanState.ACCEPTED else 40))
        for rect, span in visible:
            if span.id == self.selected:
                colour, _ = self._colour(span.label)
                painter.fillRect(rect, tint(colour, 190))
        painter.end()
        super().paintEvent(event)
        painter = QPainter(self.viewport())
        # arguments: a bar under the words; suggestions dashed; nested arguments lower down
        for rect, span in visible:
            colour, is_event = self._colour(span.label)
            accepted = span.state is SpanState.ACCEPTED
            if not is_event:
                pen = QPen(colour, 3 if accepted else 2)
                pen.setStyle(Qt.PenStyle.SolidLine if accepted else Qt.PenStyle.DashLine)
                painter.setPen(pen)
                y = rect.bottom() - 1.5
                painter.drawLine(rect.left() + 1, y, rect.right() - 1, y)
            elif not accepted and span.id != self.selected:
                pen = QPen(colour, 1)
                pen.setStyle(Qt.PenStyle.DotLine)
                painter.setPen(pen)
                painter.drawLine(rect.left(), rect.bottom() - 0.5, rect.right(), rect.bottom() - 0.5)
        for rect, span in visible:
            if span.id == self.selected:
                colour, _ = self._colour(span.label)
                painter.setPen(QPen(colour.darker(170), 2))
                painter.drawRect(rect.adjusted(0, 0, -1, -1))
        if self.links or self.candidate is not None:
            self._paint_links(painter)
        painter.end()

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
                    source = (f"in the work of {esc(', '.join(self.origins[s.id]))}" if s.id in self.origins else
                              SOURCE_NAMES.get(s.source.value, s.source.value))
                    lines.append(f"<b>{esc(s.label)}</b> ({lb.kind if lb else '?'}) — {state}, {source}{score}")
                    roles = [role for _, arg, role, _ in self.links if arg == s.id]
                    if roles:
                        lines.append(f"&nbsp;&nbsp;{esc(', '.join(roles))} of the event in focus")
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
