"""What the text view (annotator.gui.article_view) paints over the words besides the spans: the arcs of the links,
a corner on spans with a note, the outline of an edge being dragged.

The arcs run in the band the view keeps above each line: from the event up, across, and down onto the argument
with an arrowhead, the role written where it runs across. An arc between two lines is drawn as two halves, each in
its own line's band, out to the margin. The event in focus has its arcs drawn fully (smooth, with their roles
always written); the others are faded, plain lines, their role left out where another is written already."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen, QStaticText

from annotator.core.model import Span, SpanState
from annotator.gui.colours import bar, label_colour, mix

ARC_LEVELS = 3  # heights at which arcs run in a band
LEVEL_STEP = 4.0  # pixels between them
FADED_BOX = QColor(255, 255, 255, 150)


def paint_links(view: Any, painter: QPainter, visible: list[tuple[QRectF, Span]]) -> None:
    """The arcs of the links whose event or argument is on screen. Each arc runs in the band over its line:
    from the event up, across, and down onto the argument with an arrowhead; the role is written where it
    runs across. An arc between two lines is drawn as two halves, each in its own line's band, out to the
    margin. Arcs in the same band take different heights, shorter ones lower."""
    view.painted_roles = []
    firsts: dict[int, QRectF] = {}
    for rect, span in visible:
        if span.id not in firsts:
            firsts[span.id] = rect
    if not firsts:
        return
    scheme = view.scheme
    labels = {s.id: s.label for _, s in visible}
    left, right = 4.0, view.viewport().width() - 4.0
    # pieces: (band, from x, to x, focus, accepted, role, colour, rises from the event, lands on the argument)
    pieces = []
    accepted_state = SpanState.ACCEPTED
    colours: dict[str | None, QColor] = {}  # an argument's label -> its arcs' colour
    for link in view.links:
        event_id, arg_id = link.event, link.argument
        a, b = firsts.get(event_id), firsts.get(arg_id)
        if a is None and b is None:
            continue
        role, accepted = link.role, link.state is accepted_state
        focus = event_id == view.focus
        colour = colours.get(labels.get(arg_id))
        if colour is None:
            colour = colours[labels.get(arg_id)] = bar(label_colour(scheme.get(labels[arg_id]) if scheme and
                                                                    arg_id in labels else None))
        if a is not None and b is not None and abs(a.top() - b.top()) < 1:
            pieces.append((a.top(), a.center().x(), b.center().x(), focus, accepted, role, colour, True, True,
                           (event_id, arg_id)))
            continue
        if a is not None and b is not None:
            later = b.top() > a.top()
        else:
            later = _before(view, event_id, arg_id)
        if a is not None:  # the event's half, out to the margin the argument lies towards
            pieces.append((a.top(), a.center().x(), right if later else left, focus, accepted, role, colour,
                           True, False, (event_id, arg_id)))
        if b is not None:  # the argument's half, in from the margin the event lies towards
            pieces.append((b.top(), left if later else right, b.center().x(), focus, accepted, role, colour,
                           False, True, (event_id, arg_id)))
    # heights: in each band, shorter arcs lower; an arc takes the lowest height free over its stretch
    taken: dict[int, list[list[tuple[float, float]]]] = {}
    placed = []
    for piece in sorted(pieces, key=lambda p: abs(p[2] - p[1])):
        x1, x2 = sorted((piece[1], piece[2]))
        levels = taken.setdefault(round(piece[0]), [[] for _ in range(ARC_LEVELS)])
        level = next((k for k, used in enumerate(levels) if all(x2 < u1 or x1 > u2 for u1, u2 in used)),
                     ARC_LEVELS - 1)
        levels[level].append((x1 - 2, x2 + 2))
        placed.append((level, piece))
    painter.setFont(view.role_font)
    metrics = QFontMetricsF(view.role_font)
    written: dict[int, list[QRectF]] = {}
    roles = []
    pens: dict[tuple[int, bool, bool], tuple[QPen, QColor]] = {}
    faded_text: dict[int, QColor] = {}  # a faded role's colour, by its arc's
    for level, (band, fx, tx, focus, accepted, role, colour, rise, land, ends) in sorted(placed,
                                                                                           key=lambda p: p[1][3]):
        # the faded arcs first, the focus event's on top
        y = band - 2 - view.role_h / 2 - level * LEVEL_STEP
        sign = 1.0 if tx >= fx else -1.0
        r = min(4.0, abs(tx - fx) / 2)
        pen_key = (colour.rgb(), focus, accepted)
        pen, shade = pens.get(pen_key, (None, None))
        if pen is None:
            shade = QColor(colour) if focus else mix(colour, 0.3)  # faded: opaque, pale (fast to draw)
            pen = QPen(shade, 1.7 if focus else 1.0)
            pen.setStyle(Qt.PenStyle.SolidLine if accepted else Qt.PenStyle.DashLine)
            pens[pen_key] = (pen, shade)
        # the focus event's arcs smooth; the faded ones as plain lines (a screen may hold a hundred of them)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, focus)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if focus:
            path = QPainterPath()
            if rise:
                path.moveTo(QPointF(fx, band - 1))
                path.quadTo(QPointF(fx, y), QPointF(fx + sign * r, y))
            else:
                path.moveTo(QPointF(fx, y))
            if land:
                path.lineTo(QPointF(tx - sign * r, y))
                path.quadTo(QPointF(tx, y), QPointF(tx, band - 4))
            else:
                path.lineTo(QPointF(tx, y))
            painter.drawPath(path)
        else:
            points = [QPointF(fx, band - 1)] if rise else []
            points += [QPointF(fx, y), QPointF(tx, y)]
            if land:
                points.append(QPointF(tx, band - 4))
            painter.drawPolyline(points)
        if land:  # the arrowhead, on the argument
            painter.setBrush(shade)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawPolygon([QPointF(tx, band - 1.5), QPointF(tx - 3.5, band - 7.5),  # the tip just over
                                 QPointF(tx + 3.5, band - 7.5)])  # the words, not on them
        roles.append((focus, role, colour, y, fx, tx, rise, land, ends, round(band)))
    # the roles, where the arcs run across: the focus event's first, each where no other is written yet (a
    # faded one is left out if there is no room)
    for focus, role, colour, y, fx, tx, rise, land, ends, key in sorted(roles, key=lambda r: not r[0]):
        here = written.setdefault(key, [])  # the roles already written in this band
        width = view._role_widths.get(role)
        if width is None:
            width = view._role_widths[role] = metrics.horizontalAdvance(role) + 6
        lo, hi = max(min(fx, tx), left) + width / 2, min(max(fx, tx), right) - width / 2
        preferred = (fx + tx) / 2 if rise and land else (fx + (width / 2 + 8) * (1 if tx >= fx else -1) if rise
                                                          else tx - (width / 2 + 8) * (1 if tx >= fx else -1))
        preferred = min(max(preferred, lo), hi) if lo <= hi else (lo + hi) / 2
        box = None
        for k in range(9):
            mid = preferred + (k + 1) // 2 * (width + 4) * (1 if k % 2 else -1)
            if k and not lo <= mid <= hi:
                continue
            candidate = QRectF(mid - width / 2, y - view.role_h / 2, width, view.role_h)
            if not any(candidate.intersects(w) for w in here):
                box = candidate
                break
        if box is None:
            if not focus:
                continue
            box = QRectF(preferred - width / 2, y - view.role_h / 2, width, view.role_h)
        here.append(box)
        view.painted_roles.append((ends[0], ends[1], role, box, focus))
        if focus:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, 235))
            painter.drawRoundedRect(box, 3, 3)
            painter.setPen(colour.darker(130))
        else:
            painter.fillRect(box, FADED_BOX)
            faded = faded_text.get(colour.rgb())
            if faded is None:
                faded = faded_text[colour.rgb()] = mix(colour, 0.55)
            painter.setPen(faded)
        static = view._role_texts.get(role)
        if static is None:
            static = view._role_texts[role] = QStaticText(role)
            static.prepare(font=view.role_font)
        painter.drawStaticText(QPointF(box.left() + 3, box.top()), static)


def _before(view: Any, a: int, b: int) -> bool:
    """Whether span `a` starts before span `b` (either may be off screen)."""
    sa, sb = view.span(a), view.span(b)
    return sa is not None and sb is not None and sa.start < sb.start


def paint_note_marks(painter: QPainter, visible: list[tuple[QRectF, Span]], notes: dict[int, Any]) -> None:
    """A corner at the end of each span with a note (its last rectangle on screen): red when flagged."""
    last: dict[int | None, QRectF] = {}
    for rect, span in visible:
        if span.id in notes:
            last[span.id] = rect
    painter.setPen(Qt.PenStyle.NoPen)
    for span_id, rect in last.items():
        painter.setBrush(QColor("#d62728") if notes[span_id].flagged else QColor("#444444"))
        r = rect.right()
        painter.drawPolygon([QPointF(r - 6, rect.top()), QPointF(r + 1, rect.top()), QPointF(r + 1, rect.top() + 7)])


def paint_drag(view: Any, painter: QPainter, offset: QPointF) -> None:
    """The words the selected span would hold if the edge being dragged were dropped here, outlined."""
    span_id, edge, pos = view._drag
    span = view.span(span_id)
    if span is None:
        return
    start, end = (pos, span.end) if edge == "start" else (span.start, pos)
    if end <= start:
        return
    pen = QPen(QColor("#000000"), 1.5)
    pen.setStyle(Qt.PenStyle.DotLine)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for rect in view._span_rects(view.to_qt(start), view.to_qt(end), offset):
        painter.drawRect(rect.adjusted(-3, -3, 3, 3))
