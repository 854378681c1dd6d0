"""The events overview (F3), what accepting an article says about suggestions never looked at, and the guidelines
panel (F2), driven in the real window with keys, then checked against the database."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt

from tests.gui.test_window_links import click_text, db_links, press

CTRL = Qt.KeyboardModifier.ControlModifier


def suggested_counts(path, doc_id: int = 1) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    spans = conn.execute("SELECT count(*) FROM spans WHERE doc_id = ? AND state = 'suggested'", (doc_id,)).fetchone()
    links = conn.execute("SELECT count(*) FROM links WHERE doc_id = ? AND state = 'suggested'", (doc_id,)).fetchone()
    conn.close()
    return spans[0], links[0]


def test_the_overview_lists_every_event_with_every_role_and_the_arrows_move_the_text(qtbot, window, project):
    text = window.view.toPlainText()
    qtbot.keyClick(window.view, Qt.Key.Key_F3)
    overview = window.events_overview
    assert window.events_dock.isVisible() and overview.hasFocus()
    tops = overview.events_shown()
    events = sorted((s for s in window.session.spans if window.store.scheme.get(s.label).kind == "event"),
                    key=lambda s: (s.start, s.end))
    assert len(tops) == len(events) >= 3
    assert tops[0].startswith(f"? {events[0].label} ")  # suggested, with how many of its roles are filled
    # the first event: every role of its label, filled, suggested ("?") or empty ("—")
    first = overview.topLevelItem(0)
    roles = [first.child(i).text(0).strip() for i in range(first.childCount())]
    assert set(roles) == {r.name for r in window.store.scheme.roles(events[0].label)}
    shown = {first.child(i).text(1) for i in range(first.childCount())}
    assert "—" in shown
    # down the list with the arrows: the event under the cursor is in focus in the text
    overview.setCurrentItem(first)
    assert window.selected_span == events[0].id
    target = overview.topLevelItem(1)
    while overview.currentItem() is not target:
        qtbot.keyClick(overview, Qt.Key.Key_Down)
    assert window.selected_span == events[1].id
    qtbot.keyClick(overview, Qt.Key.Key_Return)
    assert window.view.hasFocus()
    assert window.session.spans and window.view.span(events[1].id).state.value == "suggested"  # Enter took nothing
    # an edit made in the text shows in the overview at once: the event accepted loses "(suggested)"
    press(qtbot, window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: overview.events_shown()[1].startswith(f"✓ {events[1].label} "))
    assert text  # the article is still open
    # a link added in the text: the role is filled in the overview ("✓")
    shelling = text.index("shelling killed")
    click_text(qtbot, window, shelling)
    press(qtbot, window, Qt.Key.Key_W, Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, window, Qt.Key.Key_Return)
    assert db_links(project)[("shelling", "time", "March 3")] == "accepted"
    row = next(i for i in range(overview.topLevelItemCount())
               if overview.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) == window.selected_span)
    qtbot.waitUntil(lambda: any(
        overview.topLevelItem(row).child(i).text(0).strip() == "time"
        and overview.topLevelItem(row).child(i).text(1) == "✓ March 3 (TIME)"
        for i in range(overview.topLevelItem(row).childCount())))


def test_accepting_says_how_many_suggestions_were_never_looked_at_and_undo_takes_it_back(qtbot, window, project):
    before_spans, before_links = suggested_counts(project)
    assert before_spans > 2 and before_links > 0
    text = window.view.toPlainText()
    click_text(qtbot, window, text.index("killed four civilians"))  # looking at the event: it and its links are seen
    seen_links = sum(lk.event == window.selected_span and lk.state.value == "suggested"
                     for lk in window.session.links)
    assert seen_links
    title = window.title_label.text()
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)
    message = window.statusBar().currentMessage()
    assert window.title_label.text() != title  # on to the next article: the message names the one accepted
    assert message == (f"Accepted “{title}”, with {before_spans - 1} suggested spans and "
                       f"{before_links - seen_links} suggested links you never selected (Ctrl+Z takes the answer "
                       "back)")
    assert suggested_counts(project) == (0, 0)  # they are accepted all the same
    window.undo_stack.undo()
    assert suggested_counts(project) == (before_spans, before_links)


def test_accepting_after_looking_at_everything_says_nothing_more(qtbot, window, project):
    ids = [s.id for s in window.session.spans]
    for span_id in ids:
        window.select_span(span_id)
    window.statusBar().clearMessage()
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)
    assert "never selected" not in window.statusBar().currentMessage()
    assert suggested_counts(project) == (0, 0)


def test_f2_shows_the_guidelines_at_the_label_in_focus_and_hides_them_again(qtbot, window):
    text = window.view.toPlainText()
    panel = window.guidelines
    assert not window.guidelines_dock.isVisible()
    click_text(qtbot, window, text.index("shelling killed"))
    qtbot.keyClick(window.view, Qt.Key.Key_F2)
    assert window.guidelines_dock.isVisible()
    shown = panel.toPlainText()
    for words in ("ATTACK", "AMOUNT", "“472 drones”", "✗ not: “four civilians (people: CASUALTIES)”",
                  "Shift+T target (TARGET, ACTOR, PLACE, AMOUNT): Who or what is attacked.",
                  "Guidelines: conflict-news"):
        assert words in shown, words
    qtbot.waitUntil(lambda: panel.label_at_top() == "ATTACK")
    # open, they follow the span in focus: a click on the dateline's place goes to PLACE; a click on words
    # of no span leaves them where they are
    click_text(qtbot, window, text.index("KHARAN"))
    assert window.view.span(window.selected_span).label == "PLACE"
    qtbot.waitUntil(lambda: panel.label_at_top() == "PLACE")
    click_text(qtbot, window, text.index("local officials"))
    assert window.selected_span is None and panel.label_at_top() == "PLACE"
    # F2 again hides them; on a count of people they open at CASUALTIES, further down
    qtbot.keyClick(window.view, Qt.Key.Key_F2)
    click_text(qtbot, window, text.index("four civilians"))
    assert window.view.span(window.selected_span).label == "CASUALTIES"
    qtbot.keyClick(window.view, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: panel.label_at_top() == "CASUALTIES")
    assert panel.verticalScrollBar().value() > 0
    # the guideline text is Markdown: a heading is a heading, not "# ..."
    assert "# Guidelines" not in shown
    qtbot.keyClick(window.view, Qt.Key.Key_F2)
    assert not window.guidelines_dock.isVisible() and window.view.hasFocus()


def test_the_guidelines_never_render_html_or_load_what_they_name(qtbot, window, tmp_path):
    from annotator.core.labels import parse_scheme

    scheme = parse_scheme({"labels": {"ATTACK": {
        "kind": "event", "colour": "#e6194b", "description": "<b>bold</b> <img src='x.png'>",
        "examples": ["<i>strike</i>"]}}}, "hostile.toml")
    scheme.guidelines = "Text <script>alert(1)</script> <b>not bold</b> ![img](file:///etc/passwd)\n"
    window.guidelines.set_scheme(scheme)
    shown = window.guidelines.toPlainText()
    assert "<b>bold</b> <img src='x.png'>" in shown and "“<i>strike</i>”" in shown
    html = window.guidelines.document().toHtml()
    assert "<b>not bold</b>" not in html and "font-weight:700;\">not bold" not in html
    assert window.guidelines.loadResource(2, __import__("PySide6.QtCore").QtCore.QUrl("file:///etc/passwd")) is None


def test_ctrl_enter_in_the_overview_still_accepts_the_article(qtbot, window, project):
    qtbot.keyClick(window.view, Qt.Key.Key_F3)
    assert window.events_overview.hasFocus()
    qtbot.keyClick(window.events_overview, Qt.Key.Key_Return, CTRL)
    conn = sqlite3.connect(project)
    assert conn.execute("SELECT answer FROM documents WHERE id = 1").fetchone()[0] == "accept"
    conn.close()


def test_the_overview_catches_up_with_edits_made_while_its_tab_was_hidden(qtbot, window, project):
    qtbot.keyClick(window.view, Qt.Key.Key_F3)
    first = window.events_overview.topLevelItem(0)
    event_id = first.data(0, Qt.ItemDataRole.UserRole)
    assert first.text(0).startswith("? ")
    spans_dock = window.findChild(type(window.events_dock), "spans")
    spans_dock.raise_()  # the editor goes back to the span list
    qtbot.waitUntil(lambda: not window.overview_shown)
    window.select_span(event_id)
    press(qtbot, window, Qt.Key.Key_Return)  # accepts the event meanwhile
    assert window.events_overview.stale
    window.events_dock.raise_()  # a click on the Events tab
    qtbot.waitUntil(lambda: window.overview_shown)
    assert window.events_overview.topLevelItem(0).text(0).startswith("✓ ")
    conn = sqlite3.connect(project)
    assert conn.execute("SELECT state FROM spans WHERE id = ?", (event_id,)).fetchone()[0] == "accepted"
    conn.close()


def test_an_edit_that_changes_spans_and_links_rebuilds_the_shown_overview_once(qtbot, window, project):
    qtbot.keyClick(window.view, Qt.Key.Key_F3)
    builds = []
    real = window.events_overview.show_article
    window.events_overview.show_article = lambda *a: (builds.append(1), real(*a))
    window.view.setFocus()
    unseen = window.session.unseen()
    assert all(unseen)
    qtbot.keyClick(window.view, Qt.Key.Key_A, CTRL | Qt.KeyboardModifier.ShiftModifier)  # accept every suggestion
    assert suggested_counts(project) == (0, 0)
    assert window.statusBar().currentMessage() == (
        f"Accepted {unseen[0]} suggested spans and {unseen[1]} suggested links you never selected (Ctrl+Z takes "
        "it back)")
    # nothing left to accept: a second Ctrl+Shift+A changes nothing and says nothing of what was unseen
    window.statusBar().clearMessage()
    qtbot.keyClick(window.view, Qt.Key.Key_A, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert "never selected" not in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: all(t.startswith("✓ ") for t in window.events_overview.events_shown()))
    qtbot.wait(50)
    assert builds == [1]


def overview_texts(tree) -> list[list[str]]:
    return [[tree.topLevelItem(i).text(0), tree.topLevelItem(i).text(1)]
            + [tree.topLevelItem(i).child(j).text(0) + "|" + tree.topLevelItem(i).child(j).text(1)
               for j in range(tree.topLevelItem(i).childCount())] for i in range(tree.topLevelItemCount())]


def test_the_overview_updated_in_place_equals_one_built_afresh_and_keeps_its_cursor(qtbot, window, project):
    """Edits rebuild only the events they touch: after each, what the overview shows equals an overview built
    from nothing, and the cursor stays on the same event row."""
    from annotator.gui.events_overview import EventsOverview

    def fresh_texts():
        other = EventsOverview()
        other.show_article(window.session.doc.id, window.session.doc.text, window.session.spans,
                           window.session.links, window.store.scheme, None)
        return overview_texts(other)

    text = window.view.toPlainText()
    qtbot.keyClick(window.view, Qt.Key.Key_F3)
    overview = window.events_overview
    second = overview.topLevelItem(1)
    overview.setCurrentItem(second.child(1))  # the cursor on the second event's second role
    kept = (second.data(0, Qt.ItemDataRole.UserRole), second.child(1).text(0))
    shelling = text.index("shelling killed")
    click_text(qtbot, window, shelling)
    steps = [lambda: press(qtbot, window, Qt.Key.Key_Return),  # accept the event
             lambda: (press(qtbot, window, Qt.Key.Key_W, Qt.KeyboardModifier.ShiftModifier),
                      press(qtbot, window, Qt.Key.Key_Return)),  # link its time
             lambda: press(qtbot, window, Qt.Key.Key_Delete),  # delete the span now in focus
             lambda: window.undo_stack.undo(),
             lambda: window.undo_stack.undo()]
    for step in steps:
        step()
        qtbot.wait(20)
        assert overview_texts(overview) == fresh_texts()
    current = overview.currentItem()
    assert current.parent() is not None
    assert (current.parent().data(0, Qt.ItemDataRole.UserRole), current.text(0)) == kept


def test_open_guidelines_follow_another_projects_scheme(qtbot, window, tmp_path):
    """The guidelines open on one project, the editor opens another whose scheme has a label of its own: the
    first span put in focus there shows that scheme's guidelines, at that label."""
    from annotator.core.labels import Label, LabelScheme
    from annotator.core.model import Document, Record, Source, Span, SpanState
    from annotator.store import Store

    qtbot.keyClick(window.view, Qt.Key.Key_F2)
    assert window.guidelines_dock.isVisible() and "CHECKPOINT" not in window.guidelines.toPlainText()
    other = tmp_path / "other.db"
    with Store(other) as store:
        scheme = store.scheme
        store.set_scheme(LabelScheme(scheme.name, [*scheme.labels, Label(
            "CHECKPOINT", "argument", "#336699", "", "A road block held by armed men.")], scheme.description,
            scheme.entity_map))
        store.documents.add_records([Record(Document(text="Gunmen stormed the checkpoint at dawn."),
                                           [Span(19, 29, "CHECKPOINT", Source.RULE, SpanState.SUGGESTED)])])
    assert window.open_project(other)
    click_text(qtbot, window, 20)
    assert window.view.span(window.selected_span).label == "CHECKPOINT"
    assert "A road block held by armed men." in window.guidelines.toPlainText()
    qtbot.waitUntil(lambda: window.guidelines.label_at_top() == "CHECKPOINT")
