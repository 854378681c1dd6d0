"""Linking arguments to events in the real window, as an editor does it: click an event, press Shift and a role's
key, Tab through the candidates, Enter; select words and press a role's key; undo; then check the database."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

SHIFT, CTRL = Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.ControlModifier


def db_links(path, doc_id: int = 1) -> dict[tuple[str, str, str], str]:
    """(event text, role, argument text) -> state, for every link of the article."""
    conn = sqlite3.connect(path)
    text = conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
    rows = conn.execute(
        'SELECT e.start, e."end", l.role, a.start, a."end", l.state FROM links l JOIN spans e ON e.id = l.event_id '
        "JOIN spans a ON a.id = l.arg_id WHERE l.doc_id = ?", (doc_id,)).fetchall()
    conn.close()
    return {(text[es:ee], role, text[as_:ae]): state for es, ee, role, as_, ae, state in rows}


def span_state(path, start: int, doc_id: int = 1) -> str:
    conn = sqlite3.connect(path)
    row = conn.execute("SELECT state FROM spans WHERE doc_id = ? AND start = ? ORDER BY \"end\" DESC",
                       (doc_id, start)).fetchone()
    conn.close()
    return row[0]


def click_text(qtbot, window, pos: int) -> None:
    cursor = QTextCursor(window.view.document())
    cursor.setPosition(window.view.to_qt(pos) + 1)
    point = window.view.cursorRect(cursor).center()
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(point.x(), point.y()))


def press(qtbot, window, key, mod=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window.view, key, mod)


def test_link_by_keys_with_undo_redo_and_the_frame_panel(qtbot, window, project):
    text = window.view.toPlainText()
    shelling = text.index("shelling killed")
    click_text(qtbot, window, shelling)
    event = window.view.span(window.selected_span)
    assert (event.start, event.label) == (shelling, "ATTACK")
    # the frame: every role of ATTACK with its key, the suggested fillers under their role
    rows = window.frame_panel.rows()
    assert [r.split("  ")[0] for r in rows if not r.startswith("→")] == [
        "attacker", "target", "instrument", "place", "time", "casualties"]
    assert "place  [Shift+P]  (empty)" in rows
    # the dateline's March 3 is in a sentence of its own, and Tuesday dates the wounding, told nearer before it:
    # the rules suggest no time for the shelling
    assert "time  [Shift+W]  (empty)" in rows
    # Shift+W: link mode for "time", nearest first (March 3), Tab to the next (Tuesday), Enter links it
    press(qtbot, window, Qt.Key.Key_W, SHIFT)
    assert window.link_tool.active and "time 1/3: “March 3”" in window.statusBar().currentMessage()
    assert window.view.candidate is not None
    press(qtbot, window, Qt.Key.Key_Tab)
    assert "Tuesday" in window.statusBar().currentMessage()
    press(qtbot, window, Qt.Key.Key_Return)
    assert not window.link_tool.active
    assert db_links(project)[("shelling", "time", "Tuesday")] == "accepted"
    assert window.selected_span == event.id  # the event keeps the focus
    assert any(r.startswith("→ Tuesday") and "suggested" not in r for r in window.frame_panel.rows())
    # the arc is drawn for the new link
    assert any(link.role == "time" and link.state.value == "accepted" for link in window.view.links)
    # undo and redo, by keys: the link goes, and the two spans linking accepted are suggestions again
    assert span_state(project, shelling) == span_state(project, text.index("Tuesday")) == "accepted"
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert db_links(project)[("shelling", "time", "Tuesday")] == "rejected"
    assert span_state(project, shelling) == span_state(project, text.index("Tuesday")) == "suggested"
    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert db_links(project)[("shelling", "time", "Tuesday")] == "accepted"
    # Delete in link mode removes the link to the candidate shown (link mode starts on the linked Tuesday)
    press(qtbot, window, Qt.Key.Key_W, SHIFT)
    assert "already linked" in window.statusBar().currentMessage() and "Tuesday" in \
        window.statusBar().currentMessage()
    press(qtbot, window, Qt.Key.Key_Delete)
    assert db_links(project)[("shelling", "time", "Tuesday")] == "rejected"
    press(qtbot, window, Qt.Key.Key_Escape)
    assert not window.link_tool.active and window.view.candidate is None
    # the span is still there: Delete out of link mode removes the span, not a link
    assert any(s.start == text.index("Tuesday") for s in window.view.spans)


def test_marking_new_text_in_a_role_is_one_undoable_step(qtbot, window, project):
    text = window.view.toPlainText()
    shelling = text.index("shelling killed")
    click_text(qtbot, window, shelling)
    start = text.index("northern border")
    window.view.set_selection(start, start + len("northern border"))
    press(qtbot, window, Qt.Key.Key_P, SHIFT)  # place: its label is PLACE
    assert db_links(project)[("shelling", "place", "northern border")] == "accepted"
    conn = sqlite3.connect(project)
    state = lambda: conn.execute('SELECT state FROM spans WHERE doc_id = 1 AND start = ? AND label = ?',  # noqa: E731
                                 (start, "PLACE")).fetchone()[0]
    assert state() == "accepted"
    press(qtbot, window, Qt.Key.Key_Z, CTRL)  # one undo takes the span and the link back
    assert state() == "rejected" and db_links(project)[("shelling", "place", "northern border")] == "rejected"
    conn.close()
    # marked before the event, and undone: the event, still standing, is selected again (not nothing)
    event = window.selected_span
    border = text.index("border villages")  # the headline's, unmarked
    assert not any(s.start <= border < s.end for s in window.view.spans)
    window.view.set_selection(border, border + len("border"))
    press(qtbot, window, Qt.Key.Key_P, SHIFT)
    assert db_links(project)[("shelling", "place", "border")] == "accepted"
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert db_links(project)[("shelling", "place", "border")] == "rejected"
    assert window.selected_span == event
    assert {i.data() for i in window.span_list.selectedIndexes()} >= {"ATTACK", "shelling"}
    # a role key with no event in focus says what to do
    window.open_document(2)
    press(qtbot, window, Qt.Key.Key_P, SHIFT)
    assert "Select an event span first" in window.statusBar().currentMessage()


def test_mouse_links_deleting_the_event_takes_its_links_and_accepting_the_article_accepts_them(
        qtbot, window, project):
    text = window.view.toPlainText()
    wounded = text.index("wounded eleven")
    click_text(qtbot, window, wounded)
    assert window.view.span(window.selected_span).label == "INJURY"
    # a click on a role in the panel starts link mode; a click on a span links it
    panel = window.frame_panel.tree
    time_row = next(panel.topLevelItem(i) for i in range(panel.topLevelItemCount())
                    if panel.topLevelItem(i).text(0).startswith("time"))
    qtbot.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton, pos=panel.visualItemRect(time_row).center())
    assert window.link_tool.active
    click_text(qtbot, window, text.index("villages near"))  # a TARGET span: cannot be a time
    assert "cannot be the time" in window.statusBar().currentMessage() and window.link_tool.active
    click_text(qtbot, window, text.index("dawn"))  # a TIME span: linked
    assert not window.link_tool.active and db_links(project)[("wounded", "time", "dawn")] == "accepted"
    # a role with nothing to fill it says how to make a filler (the dateline's KHARAN, the article's only place,
    # deleted first)
    click_text(qtbot, window, text.index("KHARAN"))
    assert window.view.span(window.selected_span).label == "PLACE"
    press(qtbot, window, Qt.Key.Key_Delete)
    assert not any(s.label == "PLACE" for s in window.view.spans)
    click_text(qtbot, window, wounded)
    place_row = next(panel.topLevelItem(i) for i in range(panel.topLevelItemCount())
                     if panel.topLevelItem(i).text(0).startswith("place"))
    qtbot.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton, pos=panel.visualItemRect(place_row).center())
    assert not window.link_tool.active
    assert "No PLACE span to be the place: select its words and press Shift+P" in window.statusBar().currentMessage()
    before = db_links(project)
    suggested = {k for k, v in before.items() if k[0] == "wounded" and v == "suggested"}
    assert suggested
    # Delete on the event: the span goes, and its links with it; undo brings both back
    click_text(qtbot, window, wounded)
    press(qtbot, window, Qt.Key.Key_Delete)
    assert all(db_links(project)[k] == "rejected" for k in suggested)
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert all(db_links(project)[k] == "suggested" for k in suggested)
    # accepting the article accepts the suggested links shown with their spans
    press(qtbot, window, Qt.Key.Key_Return, CTRL)
    after = db_links(project)
    assert all(after[k] == "accepted" for k in suggested)
    assert not any(v == "suggested" for k, v in after.items())


def test_an_event_relabelled_as_an_argument_leaves_the_event_panel(qtbot, window):
    text = window.view.toPlainText()
    click_text(qtbot, window, text.index("shelling killed"))
    assert window.frame_panel.heading.text().startswith("ATTACK")
    press(qtbot, window, Qt.Key.Key_5)  # WEAPON: an argument label
    assert window.frame_panel.rows() == [] and "Select an event span" in window.frame_panel.heading.text()
    press(qtbot, window, Qt.Key.Key_Z, CTRL)  # undo: an ATTACK again, selected, in focus
    assert window.frame_panel.heading.text().startswith("ATTACK")


def test_capitals_typed_in_the_search_box_are_text_not_role_keys(qtbot, window):
    click_text(qtbot, window, window.view.toPlainText().index("shelling killed"))  # an event in focus
    window.search.setFocus()
    qtbot.keyClick(window.search, Qt.Key.Key_T, SHIFT)  # Shift+T: the target role's key, elsewhere
    qtbot.keyClicks(window.search, "alks")
    # the box took the key (QTest sends it without the capital's text): had the role key fired, the box would
    # hold "alks" and link mode would be on (xdotool typing "Talks Geneva" under Xvfb gave the same)
    assert window.search.text().lower() == "talks" and not window.link_tool.active


def test_the_panels_buttons_accept_and_remove_the_link_selected_in_it(qtbot, window, project):
    click_text(qtbot, window, window.view.toPlainText().index("killed four civilians"))
    tree = window.frame_panel.tree
    victim_row = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                      if tree.topLevelItem(i).text(0).startswith("victim"))
    link_row = victim_row.child(0)  # "→ four civilians CASUALTIES (suggested)"
    assert "four civilians" in link_row.text(0) and "(suggested)" in link_row.text(0)
    assert not window.frame_panel.accept_button.isEnabled()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(link_row).center())
    assert window.frame_panel.accept_button.isEnabled()
    qtbot.mouseClick(window.frame_panel.accept_button, Qt.MouseButton.LeftButton)
    assert db_links(project)[("killed", "victim", "four civilians")] == "accepted"
    tree = window.frame_panel.tree  # the panel was drawn again: find the row again
    victim_row = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                      if tree.topLevelItem(i).text(0).startswith("victim"))
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=tree.visualItemRect(victim_row.child(0)).center())
    qtbot.mouseClick(window.frame_panel.remove_button, Qt.MouseButton.LeftButton)
    assert db_links(project)[("killed", "victim", "four civilians")] == "rejected"
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert db_links(project)[("killed", "victim", "four civilians")] == "accepted"


def test_the_status_bar_stops_asking_for_an_event_once_one_is_selected(qtbot, window):
    text = window.view.toPlainText()
    click_text(qtbot, window, text.index("officials"))  # an argument
    press(qtbot, window, Qt.Key.Key_W, SHIFT)
    assert window.statusBar().currentMessage().startswith("Select an event span first")
    click_text(qtbot, window, text.index("shelling killed"))
    assert window.statusBar().currentMessage() == ""


def test_link_mode_starts_on_the_linked_filler_delete_removes_it_and_escape_returns_to_the_event(qtbot, window,
                                                                                                 project):
    text = window.view.toPlainText()
    killed = text.index("killed four")
    click_text(qtbot, window, killed)
    event = window.view.span(window.selected_span)
    assert (event.start, event.label) == (killed, "DEATH")
    # the victim linked is not the nearest candidate: link the farthest instead of what the rules suggested
    session = window.session
    candidates = session.candidates(event.id, "victim")
    for link in [lk for lk in session.links if lk.event == event.id and lk.role == "victim"]:
        session.remove_link(link.id)
    session.add_link(event.id, candidates[-1].id, "victim")
    assert len(candidates) > 1
    linked = {arg: state for (ev, role, arg), state in db_links(project).items()
              if ev == "killed" and role == "victim" and state != "rejected"}
    assert list(linked) == [text[candidates[-1].start:candidates[-1].end]]
    press(qtbot, window, Qt.Key.Key_V, SHIFT)  # link mode for the victim: on the filler already linked
    said = window.statusBar().currentMessage()
    current = window.view.span(window.selected_span)
    assert text[current.start:current.end] in linked and "already linked (Delete removes it)" in said
    press(qtbot, window, Qt.Key.Key_Delete)  # one key removes the wrong link
    assert db_links(project)[("killed", "victim", text[current.start:current.end])] == "rejected"
    press(qtbot, window, Qt.Key.Key_Escape)
    assert not window.link_tool.active and window.selected_span == event.id  # back on the event


def test_a_number_led_phrase_marked_as_a_victim_is_a_casualty_count(qtbot, window, project):
    text = window.view.toPlainText()
    killed = text.index("killed four")
    four = text.index("four civilians")
    for span in [s for s in window.view.spans if s.start == four]:  # drawn afresh, not taken from a suggestion
        window.select_span(span.id)
        press(qtbot, window, Qt.Key.Key_Delete)
    click_text(qtbot, window, killed)
    window.view.set_selection(four, four + len("four civilians"))
    press(qtbot, window, Qt.Key.Key_V, SHIFT)
    conn = sqlite3.connect(project)
    label, state = conn.execute('SELECT label, state FROM spans WHERE doc_id = 1 AND start = ? AND "end" = ? AND '
                                "state = 'accepted'", (four, four + len("four civilians"))).fetchone()
    conn.close()
    assert (label, state) == ("CASUALTIES", "accepted")
    assert db_links(project)[("killed", "victim", "four civilians")] == "accepted"
    # words that are no count take the role's first filler, as before
    civilians = text.index("civilians and")
    click_text(qtbot, window, killed)
    window.view.set_selection(civilians, civilians + len("civilians"))
    press(qtbot, window, Qt.Key.Key_V, SHIFT)
    assert db_links(project)[("killed", "victim", "civilians")] == "accepted"


def test_leaving_link_mode_scrolls_back_to_where_it_started(qtbot, qsettings, messages, tmp_path):
    """The only actor of a long article is paragraphs below its attack: link mode frames it there, scrolling
    away; Escape, or linking it, puts the text back where the editor was reading, the event in view."""
    from annotator.core.model import Document, Record, Source, Span, SpanState
    from annotator.store import Store
    from tests.gui.conftest import open_window

    filler = "\n\n".join(f"Paragraph {i} tells of the weather, the roads and the markets of the valley." for i in
                         range(40))
    text = f"Intro.\n\n{filler}\n\nRebels attacked the town at dawn.\n\n{filler}\n\nAl-Qaeda said it was not there."
    attacked, actor = text.index("attacked"), text.index("Al-Qaeda")
    db = tmp_path / "p.db"
    with Store(db) as store:
        store.documents.add_records([Record(Document(text=text, title="Long"), [
            Span(attacked, attacked + 8, "ATTACK", Source.RULE, SpanState.SUGGESTED),
            Span(actor, actor + 8, "ACTOR", Source.RULE, SpanState.SUGGESTED)])])
    w = open_window(qtbot, qsettings, db, (1280, 700))
    bar = w.view.verticalScrollBar()
    w.view.scroll_to_top(text.index("Paragraph 30"))  # reading on: the attack a few lines down
    click_text(qtbot, w, attacked)
    reading = bar.value()
    assert w.view.span(w.selected_span).label == "ATTACK" and reading > 0
    for leave in (Qt.Key.Key_Escape, Qt.Key.Key_Return):
        press(qtbot, w, Qt.Key.Key_A, SHIFT)  # attacker: the nearest ACTOR is far below
        assert w.link_tool.active and "“Al-Qaeda”" in w.statusBar().currentMessage()
        assert bar.value() > reading + 200  # the view went to it
        press(qtbot, w, leave)
        assert not w.link_tool.active and w.view.span(w.selected_span).label == "ATTACK"
        assert bar.value() == reading  # back where the editor was reading
    assert db_links(db) == {("attacked", "attacker", "Al-Qaeda"): "accepted"}
