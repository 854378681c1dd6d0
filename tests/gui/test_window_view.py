"""The text view as an editor sees it: nested spans in lanes, arcs between the lines with their roles, the edges of a
span dragged with the mouse, and colours that keep text readable and suggestions apart. Checked on the pixels the
real window paints and in the database."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QTextCursor
from PySide6.QtWidgets import QDockWidget

from annotator.core.labels import load_scheme
from annotator.gui.colours import contrast, label_colour, span_style, use_safe_palette
from tests.gui.conftest import open_window

CTRL = Qt.KeyboardModifier.ControlModifier


def edges(path, span_id: int) -> tuple:
    conn = sqlite3.connect(path)
    found = conn.execute('SELECT start, "end", label, state FROM spans WHERE id = ?', (span_id,)).fetchone()
    conn.close()
    return found


def links_of(path, span_id: int) -> set:
    conn = sqlite3.connect(path)
    found = set(conn.execute("SELECT event_id, arg_id, role, state FROM links WHERE event_id = ? OR arg_id = ?",
                             (span_id, span_id)).fetchall())
    conn.close()
    return found


def span_of(window, text: str, label: str):
    pos = window.session.doc.text.index(text)
    return next(s for s in window.view.spans if (s.start, s.end, s.label) == (pos, pos + len(text), label))


def rects(window, span) -> list[QRectF]:
    view = window.view
    return view._span_rects(view.to_qt(span.start), view.to_qt(span.end))


def shot(window) -> QImage:
    window.view.viewport().repaint()
    return window.view.viewport().grab().toImage()


def near(image: QImage, x: float, y: float, colour: QColor, tolerance: int = 60) -> bool:
    """Whether a pixel close to (x, y) has about this colour."""
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            c = image.pixelColor(int(x) + dx, int(y) + dy)
            if sum(abs(a - b) for a, b in zip((c.red(), c.green(), c.blue()),
                                              (colour.red(), colour.green(), colour.blue()))) < tolerance:
                return True
    return False


def bar_seen(image: QImage, rect: QRectF, y: float, colour: QColor) -> bool:
    """Whether a bar of this colour is drawn at height y under the words of `rect` (dashed or not)."""
    return any(near(image, x, y, colour) for x in range(int(rect.left()) + 3, int(rect.right()) - 2, 2))


def test_nested_and_touching_spans_get_lanes_and_each_shows_its_bar(window):
    view = window.view
    outer = span_of(window, "four civilians", "CASUALTIES")
    inner = span_of(window, "civilians", "TARGET")
    assert view.lanes[outer.id] != view.lanes[inner.id]  # nested: two lanes, one under the other
    image = shot(window)
    scheme = window.store.scheme
    for span in (outer, inner):
        rect = rects(window, span)[-1]
        y = view._lane_y(rect, view.lanes[span.id])
        assert bar_seen(image, rect, y, span_style(scheme.get(span.label), False, False).bar), span.label
    # spans that only touch share a lane, with a gap between their bars
    text = window.session.doc.text
    a, b = text.index("Artillery shelling killed"), text.index("shelling killed")
    window.session.add_span(a, a + len("Artillery"), "TARGET")  # touches nothing: the WEAPON "Artillery" is there
    weapon = next(s for s in window.view.spans if s.start == a and s.label == "WEAPON")
    attack = next(s for s in window.view.spans if s.start == b and s.label == "ATTACK")
    assert view.lanes[attack.id] == 0 and view.lanes[weapon.id] in (0, 1)
    same = [s for s in window.view.spans if s.start == a and s.end == a + len("Artillery")]
    assert len(same) == 2 and view.lanes[same[0].id] != view.lanes[same[1].id]  # same words, another label


def test_a_click_on_a_lane_selects_that_span_and_clicking_words_again_reaches_the_outer_one(qtbot, window):
    view = window.view
    outer = span_of(window, "four civilians", "CASUALTIES")
    inner = span_of(window, "civilians", "TARGET")
    view.select_span(inner.id)  # scrolled to it
    rect = rects(window, inner)[-1]
    for span in (outer, inner, outer):
        y = view._lane_y(rect, view.lanes[span.id])
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(int(rect.center().x()), int(y)))
        assert window.selected_span == span.id
    # on the words: the innermost first, then the one around it
    window.select_span(None)
    point = rect.center().toPoint()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.selected_span == inner.id
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.selected_span == outer.id


def test_arcs_run_between_the_lines_never_over_words_with_the_role_on_each(qtbot, window):
    view = window.view
    event = span_of(window, "killed", "DEATH")
    window.select_span(event.id)
    assert view.focus == event.id
    focus_links = [(lk.event, lk.argument, lk.role) for lk in view.links if lk.event == event.id]
    assert focus_links, "the sample article's DEATH has suggested links"
    with_arcs = shot(window)
    links = view.links
    view.links = []
    without = shot(window)
    view.links = links
    # the lines of words (a blank line between paragraphs is room for arcs)
    lines = []
    block = view.document().firstBlock()
    offset = view._offset()
    while block.isValid():
        layout = block.layout()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            if not block.text().strip():
                continue
            top = layout.position().y() + offset.y() + line.y()
            lines.append((top, top + line.ascent() + line.descent()))
        block = block.next()
    changed = 0
    for y in range(with_arcs.height()):
        inside = any(top + 1 <= y <= bottom - 1 for top, bottom in lines)
        for x in range(0, with_arcs.width(), 2):
            if with_arcs.pixel(x, y) != without.pixel(x, y):
                changed += 1
                assert not inside, f"an arc is drawn over the words at ({x}, {y})"
    assert changed > 100
    # every link of the event in focus has its role written, fully, over no words; and the arrowhead is drawn
    # right over its argument
    written = {(e, a, r) for e, a, r, _, focus in view.painted_roles if focus}
    assert set(focus_links) <= written
    for *_, role, box, _ in view.painted_roles:
        assert not any(box.top() < bottom - 1 and box.bottom() > top + 1 for top, bottom in lines), role
    for _, arg_id, _ in focus_links:
        arg = view.span(arg_id)
        first = rects(window, arg)[0]
        tip = QPointF(first.center().x(), first.top() - 3)
        assert with_arcs.pixel(int(tip.x()), int(tip.y())) != without.pixel(int(tip.x()), int(tip.y())), arg.label


def test_the_event_in_focus_has_its_arcs_drawn_fully_the_others_faded(qtbot, window):
    view = window.view
    event = span_of(window, "killed", "DEATH")
    other = span_of(window, "wounded", "INJURY")
    window.select_span(event.id)
    shot(window)
    focus = {(e, r) for e, _, r, _, f in view.painted_roles if f}
    assert focus and all(e == event.id for e, _ in focus)
    assert any(e == other.id and not f for e, _, _, _, f in view.painted_roles)  # another event's, faded
    window.select_span(other.id)
    shot(window)
    assert {e for e, _, _, _, f in view.painted_roles if f} == {other.id}


def drag(qtbot, view, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view.viewport(), end)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end)


def test_dragging_an_edge_with_the_mouse_resizes_the_span_in_one_undo_step_keeping_links(qtbot, window, project):
    view = window.view
    text = window.session.doc.text
    span = span_of(window, "civilians", "TARGET")
    window.select_span(span.id)
    before = edges(project, span.id)
    links = links_of(project, span.id)
    rect = rects(window, span)[0]
    # the start edge dragged onto "four": the span holds "four civilians"
    four = text.index("four civilians")
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.to_qt(four) + 2)  # the middle of the word: snapped to the whole word
    target = view.cursorRect(cursor).center()
    drag(qtbot, view, QPoint(int(rect.left()) + 1, int(rect.center().y())), target)
    assert edges(project, span.id) == (four, before[1], "TARGET", before[3])
    assert links_of(project, span.id) == links
    assert window.selected_span == span.id
    # the end edge dragged onto the next word, then undone: back to "four civilians"
    span = view.span(span.id)
    rect = rects(window, span)[-1]
    cursor.setPosition(view.to_qt(text.index("and wounded")) + 1)
    drag(qtbot, view, QPoint(int(rect.right()), int(rect.center().y())), view.cursorRect(cursor).center())
    assert edges(project, span.id)[:2] == (four, text.index("and wounded") + 3)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert edges(project, span.id) == (four, before[1], "TARGET", before[3])
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert edges(project, span.id) == before
    # an edge dragged past the other one stops a word short of it: the span keeps a word
    span = view.span(span.id)
    window.select_span(span.id)
    rect = rects(window, span)[-1]
    cursor.setPosition(view.to_qt(text.index("Artillery shelling killed")))
    drag(qtbot, view, QPoint(int(rect.right()), int(rect.center().y())), view.cursorRect(cursor).center())
    start, end, _, _ = edges(project, span.id)
    assert start == before[0] and start < end <= before[1]


def test_a_press_away_from_the_edges_selects_text_as_before(qtbot, window):
    view = window.view
    span = span_of(window, "four civilians", "CASUALTIES")
    window.select_span(span.id)
    rect = rects(window, span)[0]
    assert view._edge_at(QPoint(int(rect.left()), int(rect.center().y()))) == "start"
    assert view._edge_at(QPoint(int(rect.center().x()), int(rect.center().y()))) is None
    assert view._edge_at(QPoint(int(rect.right()), int(rect.top() - view.arc_h))) is None  # the band above


def test_colours_keep_text_readable_and_suggestions_apart_in_both_palettes():
    scheme = load_scheme()
    black, white = QColor("#000000"), QColor("#ffffff")
    try:
        for safe in (False, True):
            use_safe_palette(scheme if safe else None)
            for label in scheme.labels:
                accepted, suggested = span_style(label, True, False), span_style(label, False, False)
                selected = span_style(label, False, True)
                for style in (accepted, suggested, selected):
                    if style.fill is not None:  # dark text readable on every fill (WCAG AAA)
                        assert contrast(style.fill, black) >= 7, (label.name, safe)
                    assert contrast(style.bar, white) >= 3, (label.name, safe)  # the bar shows on white
                assert accepted.dashed is False and suggested.dashed is True  # a pattern, not only a colour
                if label.kind == "event":  # an accepted event's fill is clearly stronger than a suggestion's
                    assert contrast(accepted.fill, white) > contrast(suggested.fill, white) * 1.15, label.name
            for kind in ("event", "argument"):  # each label of a kind has its own colour
                colours = [label_colour(lb).name() for lb in scheme.of_kind(kind)]
                assert len(set(colours)) == len(colours), (kind, safe)
    finally:
        use_safe_palette(None)


def test_the_colour_blind_palette_is_a_view_setting_that_the_label_bar_and_text_follow(qtbot, window, qsettings):
    button = window.label_bar.buttons["ATTACK"]
    before = button.styleSheet()
    try:
        window.safe_colours.trigger()
        assert qsettings.value("view/safe_colours", type=bool) is True
        assert window.label_bar.buttons["ATTACK"].styleSheet() != before
        assert "#cc6677" in window.label_bar.buttons["ATTACK"].styleSheet()
        attack = span_of(window, "shelling", "ATTACK")
        rect = rects(window, attack)[0]
        image = shot(window)
        y = window.view._lane_y(rect, window.view.lanes[attack.id])
        assert bar_seen(image, rect, y, span_style(window.store.scheme.get("ATTACK"), False, False).bar)
        window.safe_colours.trigger()
        assert window.label_bar.buttons["ATTACK"].styleSheet() == before
    finally:
        use_safe_palette(None)


def test_the_view_keeps_one_article_document_however_many_articles_are_opened(window):
    from PySide6.QtGui import QTextDocument

    for doc_id in (2, 3, 4, 1, 2):
        window.open_document(doc_id)
    assert len(window.view.findChildren(QTextDocument)) == 1  # each article's document freed with the next
    assert window.view.toPlainText() == window.session.doc.text


def test_a_long_title_is_cut_before_its_answer_which_stays_in_view(qtbot, qsettings, messages, tmp_path):
    """A title wider than the view is cut with "…" where it would leave the window, never its answer (" —
    accepted"); widened, the window shows it whole; accepting names the article, cut, so that the way back fits."""
    from annotator.core.model import Document, Record, Source, Span, SpanState
    from annotator.store import Store

    long = ("Drone battles, a blown-up bridge and talks in Istanbul: a week on the southern front, as seen from both "
            "banks of the river")
    db = tmp_path / "p.db"
    with Store(db) as store:
        store.documents.add_records([
            Record(Document(text="Rebels attacked Kidal.", title=long), [Span(7, 15, "ATTACK", Source.RULE,
                                                                             SpanState.SUGGESTED)]),
            Record(Document(text="Talks resumed in Geneva.", title="Talks\n\tresume"))])  # on one line
    w = open_window(qtbot, qsettings, db, (1100, 700))
    label = w.title_label

    def fits() -> bool:
        """The text is no wider than the label's room, and no letter is drawn in its right margin (cut off)."""
        image = label.grab().toImage()
        ink = [x for x in range(image.width() - 8, image.width()) for y in range(image.height())
               if QColor(image.pixel(x, y)).lightness() < 100]
        return label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width() and not ink

    assert label.full_text() == long and label.text() != long
    assert label.text().startswith("Drone battles, a blown-up") and label.text().endswith("…") and fits()
    qtbot.keyClick(w.view, Qt.Key.Key_Return, CTRL)  # accepted: on to the next article
    assert label.text() == "Talks resume" and label.full_text() == "Talks\n\tresume"
    assert w.statusBar().currentMessage() == (f"Accepted “{long[:49]}…”, with 1 suggested span you never selected "
                                              "(Ctrl+Z takes the answer back)")
    qtbot.keyClick(w.view, Qt.Key.Key_PageUp, CTRL)  # back to it
    # accepted faster than it could be read, it may be marked ⚡ before the title: mark and answer stay in view
    marks = label.full_text().removesuffix(long + " — accepted")
    assert marks in ("", "⚡ ")
    assert label.text().startswith(marks + "Drone battles, a blown") and label.text().endswith("… — accepted")
    assert fits() and label.toolTip().startswith(f"<p>{marks}Drone battles")  # all of it, as plain text
    w.resize(2600, 700)  # wide enough for all of it
    qtbot.waitUntil(lambda: label.text() == marks + long + " — accepted")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT answer FROM documents WHERE title = ?", (long,)).fetchone() == ("accept",)


def test_the_panels_are_where_the_editor_left_them_and_at_first_leave_the_text_half_the_window(
        qtbot, project, qsettings, messages):
    """At first the articles and the spans take about a quarter of the window each, whatever its width; the
    widths the editor drags them to and the Events tab in front come back at the next start (the guidelines stay
    hidden until asked for: F2 fills them at the label in focus)."""

    def opened():
        return open_window(qtbot, qsettings, project)

    w = opened()
    queue_dock, spans_dock = (w.findChild(QDockWidget, name) for name in ("queue", "spans"))
    assert abs(queue_dock.width() - w.width() * 0.26) < 20 and abs(spans_dock.width() - w.width() * 0.30) < 20
    assert w.view.width() > w.width() * 0.4
    # the editor widens the articles by 100 px (what dragging the separator does: Qt's test mouse cannot hold a
    # button while it moves)
    before = queue_dock.width()
    w.resizeDocks([queue_dock], [before + 100], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: abs(queue_dock.width() - (before + 100)) <= 4)
    qtbot.keyClick(w.view, Qt.Key.Key_F2)  # the guidelines
    qtbot.keyClick(w.view, Qt.Key.Key_F3)  # the events overview, in front of the span list
    assert w.guidelines_dock.isVisible() and w.overview_shown
    width = queue_dock.width()
    w.close()
    # the offscreen platform's screen is 800 px wide: the window's saved place would be fitted to it, so only the
    # panels' layout is restored here, in a window as wide as the one that saved it
    assert qsettings.value("window/geometry") is not None
    qsettings.remove("window/geometry")
    again = opened()
    assert abs(again.findChild(QDockWidget, "queue").width() - width) <= 2
    assert again.overview_shown and not again.guidelines_dock.isVisible()
    qtbot.keyClick(again.view, Qt.Key.Key_F2)
    assert again.guidelines_dock.isVisible() and again.guidelines.scheme is again.store.scheme
    # a layout saved by another version of the panels (or none, from before) is not forced on these: the first
    # layout, in proportion to the window as it was left, 780 px wide
    again.resize(780, 560)
    again.close()
    qsettings.setValue("window/state", b"\x00\x00\x00\xff not a layout")
    small = opened()
    spans = small.findChild(QDockWidget, "spans")
    assert small.width() == 780 and abs(spans.width() - 780 * 0.30) < 20  # not the 384 px of 1280
