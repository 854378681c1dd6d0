"""The article: readable text with every span drawn in its label's colour, and the links between them as arcs.

The view keeps room between the lines of text: right under each line, lanes, one per level of nesting, where every
span has its bar (so "four civilians" holding "civilians" shows two bars, one under the other, and spans that only
touch show two bars with a gap between them); above each line, a band where the arcs of the links run, with the
role written on each and the arrowhead on the argument. The links of the event in focus are drawn fully, the
others faded. An arc between two lines runs in the band of each line, out to the margin, never over words.

Event spans also get a fill under their words; suggestions have dashed bars and a paler fill (see
annotator.gui.colours). The selected span gets a stronger fill and a frame; its edges can be dragged with the
mouse to another word. A click on a lane selects the span of that lane; a click on words held by several spans
selects the innermost, and clicking again the next one out.

Everything is painted directly, for the lines on screen only, so an article with thousands of spans opens as fast
as plain text. Offsets: Python counts code points, Qt UTF-16 units, so positions are converted when the text has
characters outside the Basic Multilingual Plane."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QRegion,
    QStaticText,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QTextEdit, QToolTip, QWidget

from annotator.core.labels import LabelScheme
from annotator.core.model import Link, Span, SpanState
from annotator.gui.colours import bar, label_colour, readable_on, span_style
from annotator.gui.overlays import ARC_LEVELS, LEVEL_STEP, paint_drag, paint_links, paint_note_marks
from annotator.gui.plaintext import esc

__all__ = ["SOURCE_NAMES", "ArticleView", "readable_on"]

SOURCE_NAMES = {"rule": "suggested by a rule", "model": "suggested by the model", "editor": "drawn by an editor"}
LANES = 3  # lanes drawn under a line; deeper nesting shares the last one
EDGE_GRIP = 5  # pixels either side of a selected span's edge where the mouse grips it


class ArticleView(QTextEdit):
    spanClicked = Signal(int)  # span id, or -1 for a click outside every span
    navigate = Signal(int)  # +1 Tab, -1 Shift+Tab
    edgeDragged = Signal(int, int, int)  # span id, new start, new end (Python offsets, not yet snapped)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setUndoRedoEnabled(False)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setTabChangesFocus(False)
        self.viewport().setMouseTracking(True)
        font = QFont(self.font())
        font.setPointSize(max(font.pointSize(), 12))
        # Latin text needs no shaping: laying out a long article goes several times faster without it (scripts
        # that need shaping, Arabic or Devanagari, are still shaped: Qt asks the font)
        font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
        self.setFont(font)
        self.scheme: LabelScheme | None = None
        self.origins: dict[int, list[str]] = {}  # in a team's review: span id -> the editors whose work held it
        self.spans: list[Span] = []
        self.selected: int | None = None
        self._text = ""
        self._astral: list[int] = []  # Python offsets of characters that take two UTF-16 units
        self._paint_spans: list[tuple[int, int, Span]] = []
        self._paint_starts: list[int] = []
        self._by_id: dict[int | None, tuple[int, int, Span]] = {}
        self._longest = 0
        self.lanes: dict[int, int] = {}  # span id -> its lane under the text (0: right under the words)
        # every link of the article: (event id, argument id, role, accepted); those of `focus` are drawn fully
        self.links: Sequence[Link] = []
        self._links_key: tuple[int, int] = (0, -1)
        self._link_rows: dict[int | None, tuple] = {}  # link id -> its ends, role and state, as last drawn
        self.focus: int | None = None
        self.candidate: int | None = None  # the span link mode offers
        self.notes: dict[int, Any] = {}  # span id -> its note (annotator.store.notes.Note): a mark at its end
        self._drag: tuple[int, str, int] | None = None  # span id, "start"/"end", the edge's offset while dragged
        self._document: QTextDocument | None = None  # the article's document, made by set_article
        # the roles written at the last paint: (event id, argument id, role, where, of the event in focus)
        self.painted_roles: list[tuple[int, int, str, QRectF, bool]] = []
        self._geometry()

    # ---------------------------------------------------------------- room between the lines

    def _geometry(self) -> None:
        """The room kept between lines, from the font: lanes under each line, then the band for arcs."""
        metrics = QFontMetricsF(self.font())
        self.line_h = metrics.height()
        self.pitch = max(4.0, round(self.line_h / 5))  # one lane
        self.lanes_h = LANES * self.pitch + 1
        small = QFont(self.font())
        small.setPointSizeF(max(6.5, self.font().pointSizeF() * 0.68))
        self.role_font = small
        self.role_h = QFontMetricsF(small).height()
        self._role_texts: dict[str, QStaticText] = {}  # the roles' names, laid out once
        self._role_widths: dict[str, float] = {}
        self.arc_h = round(self.role_h + 2 + (ARC_LEVELS - 1) * LEVEL_STEP)  # the roles' boxes stay clear of words
        self.gap = self.lanes_h + self.arc_h

    def _line_format(self) -> QTextBlockFormat:
        fmt = QTextBlockFormat()
        fmt.setLineHeight(self.gap, QTextBlockFormat.LineHeightTypes.LineDistanceHeight.value)
        return fmt

    def _apply_spacing(self, doc: QTextDocument, blank_only: bool = False) -> None:
        doc.setDocumentMargin(18)
        root = doc.rootFrame()
        frame = root.frameFormat()
        frame.setTopMargin(18 + self.arc_h)
        root.setFrameFormat(frame)
        cursor = QTextCursor(doc)
        if not blank_only:
            cursor.select(QTextCursor.SelectionType.Document)
            cursor.mergeBlockFormat(self._line_format())
        # a blank line between paragraphs is room enough for the arcs over the next one
        blank = QTextBlockFormat()
        blank.setLineHeight(0, QTextBlockFormat.LineHeightTypes.LineDistanceHeight.value)
        text = self._text
        start = text.find("\n\n")
        while start != -1:
            cursor.setPosition(self.to_qt(start + 1))
            cursor.setBlockFormat(blank)
            start = text.find("\n\n", start + 1)

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
        self._links_key = (0, -1)
        self._link_rows = {}
        self.focus = None
        self.candidate = None
        self._drag = None
        self._paint_spans = []
        self._paint_starts = []
        self._by_id = {}
        self.lanes = {}
        self._geometry()
        # the text is laid out with its room between lines before the view shows it: formats set on a document
        # on screen would lay it out again at each block
        doc = QTextDocument(self)
        doc.setUndoRedoEnabled(False)
        doc.setDefaultFont(self.font())
        cursor = QTextCursor(doc)
        cursor.setBlockFormat(self._line_format())  # every paragraph inserted takes it
        cursor.insertText(text)
        self._apply_spacing(doc, blank_only=True)
        self.setDocument(doc)
        if self._document is not None:  # the previous article's (Qt deletes only the document it made itself):
            self._document.setParent(None)  # now Python's alone, freed as it is dropped here
        self._document = doc

    def show_spans(self, spans: Sequence[Span], selected: int | None = None,
                   changed: set[int] | None = None) -> None:
        """Shows these spans. With `changed` (the ids an edit touched), only the lines those spans are on are
        repainted, which keeps an edit within one frame on long articles."""
        before = self._region(changed | {self.selected} if changed is not None else None)
        lanes = self.lanes
        same = (changed is not None and not changed and len(spans) == len(self.spans)
                and all(a is b for a, b in zip(spans, self.spans)))  # a link edit, or the selection moved
        self.spans = list(spans)
        self.selected = selected
        if not same:
            self._prepare()
        if changed is None:
            self.viewport().update()
        else:
            moved = {i for i, lane in self.lanes.items() if lanes.get(i) != lane}  # an edit can shift lanes
            self.viewport().update(before.united(self._region(changed | moved | {selected})))

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

    def show_links(self, links: Sequence[Link], candidate: int | None, focus: int | None, version: int) -> None:
        """Draws the article's links (the session's list, and its version: it changes whenever a link does) as
        arcs from each event to its arguments: those of the event in focus fully, the others faded; and a dashed
        frame round the candidate of link mode. A new focus or candidate repaints only the lines they are on."""
        key = (id(links), version)
        if key == self._links_key and candidate == self.candidate and focus == self.focus:
            return
        ends: set[int | None] | None = None  # the spans whose lines change; None: the whole view
        if key[0] == self._links_key[0]:  # the same list (another one: another article, or read again)
            ends = {self.candidate, candidate, self.focus, focus} - {None}
            ends |= {lk.argument for lk in links if lk.event in ends}
        if key != self._links_key:
            rows = {lk.id: (lk.event, lk.argument, lk.role, lk.state) for lk in links}
            if ends is not None:  # some links changed: the lines of their ends
                old = self._link_rows
                for i in rows.keys() ^ old.keys() | {i for i in rows.keys() & old.keys() if rows[i] != old[i]}:
                    ends.update((rows.get(i) or old[i])[:2])
            self._link_rows = rows
        self._links_key = key
        self.links = links
        self.candidate = candidate
        self.focus = focus
        if ends is None:
            self.viewport().update()
        else:
            self.viewport().update(self._region(ends))

    def set_notes(self, notes: dict[int, Any]) -> None:
        """The spans that have a note (a comment or a flag) get a mark at their end."""
        if notes == self.notes:
            return
        changed = {i for i in notes.keys() | self.notes.keys() if notes.get(i) != self.notes.get(i)}
        self.notes = dict(notes)
        self.viewport().update(self._region(changed))

    def span(self, span_id: int | None) -> Span | None:
        return next((s for s in self.spans if s.id == span_id), None) if span_id is not None else None

    def _prepare(self) -> None:
        """The spans ready for painting: sorted by start, with their Qt offsets, each in its lane. Lanes: the
        first free one, in text order, longer spans first (a span holding another sits above it); in a review,
        editors in a fixed order, so each editor's version of the same words keeps its place."""
        spans = self.spans  # sorted by start by the session
        if self.origins or any(a.start > b.start for a, b in zip(spans, spans[1:])):
            rank = {name: i for i, name in enumerate(sorted({n for names in self.origins.values() for n in names}))}
            spans = sorted(spans, key=lambda s: (s.start, -s.end, min((rank[n] for n in self.origins.get(s.id, ())),
                                                                      default=-1)))
        if self._astral:
            self._paint_spans = [(self.to_qt(s.start), self.to_qt(s.end), s) for s in spans]
        else:
            self._paint_spans = [(s.start, s.end, s) for s in spans]
        self._paint_starts = [p[0] for p in self._paint_spans]
        self._by_id = {p[2].id: p for p in self._paint_spans}
        self._longest = max((p[1] - p[0] for p in self._paint_spans), default=0)
        lanes: dict[int, int] = {}
        ends: list[int] = []  # the end of the last span in each lane
        for qs, qe, span in self._paint_spans:
            lane = 0
            while lane < len(ends) and ends[lane] > qs:
                lane += 1
            if lane == len(ends):
                ends.append(0)
            ends[lane] = qe
            lanes[span.id] = lane
        self.lanes = lanes

    # ---------------------------------------------------------------- geometry

    def _offset(self) -> QPointF:
        return QPointF(-self.horizontalScrollBar().value(), -self.verticalScrollBar().value())

    def _rects(self, qstart: int, qend: int, block, offset: QPointF) -> list[QRectF]:  # noqa: ANN001
        """The rectangles of the words between two document positions within one block, line by line (the text
        only, not the room under it)."""
        layout = block.layout()
        if layout is None or layout.lineCount() == 0:
            return []
        origin = layout.position() + offset
        bpos = block.position()
        out = []
        a, b = max(qstart, bpos) - bpos, min(qend, bpos + block.length() - 1) - bpos
        line = layout.lineForTextPosition(a)
        while line.isValid() and a < b:
            line_end = line.textStart() + line.textLength()
            x1 = line.cursorToX(a)[0]
            x2 = line.cursorToX(min(b, line_end))[0]
            out.append(QRectF(origin.x() + x1, origin.y() + line.y(), max(x2 - x1, 2.0), line.ascent() +
                              line.descent()))
            if b <= line_end:
                break
            a = line_end
            line = layout.lineForTextPosition(a)
        return out

    def _span_rects(self, qs: int, qe: int, offset: QPointF | None = None) -> list[QRectF]:
        offset = self._offset() if offset is None else offset
        doc = self.document()
        out: list[QRectF] = []
        block = doc.findBlock(qs)
        while block.isValid() and block.position() < qe:
            out += self._rects(qs, qe, block, offset)
            block = block.next()
        return out

    def _region(self, ids: set[int | None] | None) -> QRegion:
        """The screen area of these spans: their lines, the lanes under them and the band over them."""
        region = QRegion()
        if ids is None:
            return region
        width = self.viewport().width()
        offset = self._offset()
        for span_id in ids:
            found = self._by_id.get(span_id)
            if found is not None:
                for rect in self._span_rects(found[0], found[1], offset):
                    region = region.united(QRegion(0, int(rect.top() - self.arc_h) - 2, width,
                                                   int(rect.height() + self.arc_h + self.lanes_h) + 4))
        return region

    def _lane_y(self, rect: QRectF, lane: int) -> float:
        return rect.bottom() + 1 + min(lane, LANES - 1) * self.pitch + self.pitch / 2

    # ---------------------------------------------------------------- painting

    def paintEvent(self, event: QPaintEvent) -> None:
        spans = self._paint_spans
        if not spans:
            super().paintEvent(event)
            return
        # only the spans in the stretch of text on screen (an article may be one block of 20,000 words); the
        # lines just outside it too, whose lanes or arcs reach into it
        area = event.rect()
        # (a point below the text laid out so far would give the article's end: kept inside the view, and the
        # next line's start found from the last line on screen)
        height = self.viewport().height() - 1
        vis_a = self.cursorForPosition(QPoint(area.left(), max(0, int(area.top() - self.gap)))).position()
        vis_b = self.cursorForPosition(QPoint(area.right(), min(height, int(area.bottom() + self.gap)))).position()
        block = self.document().findBlock(vis_b)
        line = block.layout().lineForTextPosition(vis_b - block.position()) if block.isValid() else None
        if line is not None and line.isValid():  # the whole line, and the one after it (its band may show)
            vis_b = block.position() + line.textStart() + line.textLength()
            following = block.layout().lineForTextPosition(vis_b - block.position() + 1)
            if following.isValid():
                vis_b = block.position() + following.textStart() + following.textLength()
            else:
                vis_b = block.next().position() + 200 if block.next().isValid() else vis_b
        vis_b += 1
        first = bisect_left(self._paint_starts, vis_a - self._longest)
        last = bisect_right(self._paint_starts, vis_b)
        offset = self._offset()
        top, bottom = area.top() - self.gap, area.bottom() + self.gap
        visible: list[tuple[QRectF, Span]] = []
        for qs, qe, span in spans[first:last]:
            if qe <= vis_a:
                continue
            visible += [(rect, span) for rect in self._span_rects(qs, qe, offset)
                        if rect.bottom() >= top and rect.top() <= bottom]
        scheme = self.scheme
        styles = {}
        for _, span in visible:
            if span.id not in styles:
                styles[span.id] = span_style(scheme.get(span.label) if scheme else None,
                                             span.state is SpanState.ACCEPTED, span.id == self.selected)
        painter = QPainter(self.viewport())
        # fills under the text: events (longer first, so nested ones show on top), the selected span last
        for rect, span in sorted(visible, key=lambda rs: (rs[1].id == self.selected, -(rs[1].end - rs[1].start))):
            style = styles[span.id]
            if style.fill is not None:
                painter.fillRect(rect, style.fill)
        painter.end()
        super().paintEvent(event)
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # every span's bar in its lane under the words: solid when accepted, dashed when suggested; a little short
        # of each end, so that spans that touch show as two
        for rect, span in visible:
            style = styles[span.id]
            pen = QPen(style.bar, style.width)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            if style.dashed:
                pen.setDashPattern([2.5, 1.5])
            painter.setPen(pen)
            y = self._lane_y(rect, self.lanes.get(span.id, 0))
            inset = 1.5 if rect.width() > 6 else 0.5
            painter.drawLine(QPointF(rect.left() + inset, y), QPointF(rect.right() - inset, y))
        for rect, span in visible:
            if span.id == self.selected:
                painter.setPen(QPen(bar(label_colour(scheme.get(span.label) if scheme else None)).darker(140), 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect.adjusted(-1, -1, 0, 0))
        if self.notes:
            paint_note_marks(painter, visible, self.notes)
        if self._drag is not None:
            paint_drag(self, painter, offset)
        if self.links:
            paint_links(self, painter, visible)
        candidate = self.candidate
        if candidate is not None:
            for rect, span in visible:
                if span.id == candidate:
                    pen = QPen(QColor("#000000"), 2)
                    pen.setStyle(Qt.PenStyle.DashLine)
                    painter.setPen(pen)
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawRect(rect.adjusted(-2, -2, 2, 2))
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

    def span_in_lane(self, point: QPoint) -> Span | None:
        """The span whose bar is under this point, if the point is in the lanes under a line."""
        y = point.y()
        for probe in (y, y - self.lanes_h):  # the line the point is on or the one above it
            cursor = self.cursorForPosition(QPoint(point.x(), int(probe)))
            rect = self.cursorRect(cursor)
            line_bottom = rect.top() + self.line_h
            if line_bottom <= y <= line_bottom + self.lanes_h:
                lane = int((y - line_bottom - 1) // self.pitch)
                pos = self.to_py(cursor.position())
                under = [s for s in self.spans if s.start <= pos <= s.end and
                         min(self.lanes.get(s.id, 0), LANES - 1) == min(lane, LANES - 1)]
                # a position between two words belongs to the span it is in, not the one it ends
                return next((s for s in under if s.start <= pos < s.end), under[0] if under else None)
        return None

    def _edge_at(self, point: QPoint) -> str | None:
        """"start" or "end" when the point grips an edge of the selected span."""
        span = self.span(self.selected)
        if span is None:
            return None
        rects = self._span_rects(self.to_qt(span.start), self.to_qt(span.end))
        if not rects:
            return None
        for edge, rect, x in (("start", rects[0], rects[0].left()), ("end", rects[-1], rects[-1].right())):
            if abs(point.x() - x) <= EDGE_GRIP and rect.top() - 2 <= point.y() <= rect.bottom() + self.lanes_h:
                return edge
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.selected is not None:
            edge = self._edge_at(event.position().toPoint())
            if edge is not None:
                span = self.span(self.selected)
                assert span is not None
                self._drag = (span.id, edge, span.start if edge == "start" else span.end)
                return  # no text selection while an edge is dragged
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        if self._drag is not None:
            span = self.span(self._drag[0])
            if span is not None:
                pos = self.to_py(self.cursorForPosition(point).position())
                pos = min(pos, span.end - 1) if self._drag[1] == "start" else max(pos, span.start + 1)
                if pos != self._drag[2]:
                    self._drag = (self._drag[0], self._drag[1], pos)
                    self.viewport().update()
            return
        if not event.buttons():
            grip = self._edge_at(point) is not None
            self.viewport().setCursor(Qt.CursorShape.SizeHorCursor if grip else Qt.CursorShape.IBeamCursor)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            span_id, edge, pos = self._drag
            self._drag = None
            self.viewport().update()
            span = self.span(span_id)
            if span is not None:
                start, end = (pos, span.end) if edge == "start" else (span.start, pos)
                if (start, end) != (span.start, span.end) and start < end:
                    self.edgeDragged.emit(span_id, start, end)
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            point = event.position().toPoint()
            in_lane = self.span_in_lane(point)
            if in_lane is not None:
                self.spanClicked.emit(in_lane.id)
                return
            pos = self.to_py(self.cursorForPosition(point).position())
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
            point = event.pos()  # type: ignore[attr-defined]
            in_lane = self.span_in_lane(point)
            under = [in_lane] if in_lane is not None else self.spans_at(
                self.to_py(self.cursorForPosition(point).position()))
            if under:
                lines = []
                for s in under:
                    lb = self.scheme.get(s.label)
                    state = "accepted" if s.state is SpanState.ACCEPTED else "suggestion"
                    score = f", score {s.score:.2f}" if s.score is not None else ""
                    source = (f"in the work of {esc(', '.join(self.origins[s.id]))}" if s.id in self.origins else
                              SOURCE_NAMES.get(s.source.value, s.source.value))
                    lines.append(f"<b>{esc(s.label)}</b> ({lb.kind if lb else '?'}) — {state}, {source}{score}")
                    note = self.notes.get(s.id)
                    if note is not None:
                        lines.append(f"&nbsp;&nbsp;{'⚑ flagged' if note.flagged else ''}"
                                     f"{' — ' if note.flagged and note.text else ''}{esc(note.text[:300])}")
                    roles = [lk.role for lk in self.links if lk.argument == s.id and lk.event == self.focus]
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
        bar_ = self.verticalScrollBar()
        bar_.setValue(bar_.maximum())  # from the end, making the cursor visible brings its line to the top
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def zoom(self, steps: int) -> None:
        font = QFont(self.font())
        font.setPointSize(max(7, min(40, font.pointSize() + steps)))
        self.setFont(font)
        self._geometry()
        self._apply_spacing(self.document())
