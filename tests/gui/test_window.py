"""The real main window, driven as an editor drives it: select text, press keys, then check the database."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QSettings, Qt

from annotator.gui.main_window import MainWindow
from annotator.store import Store


def db_spans(path, doc_id):
    conn = sqlite3.connect(path)
    rows = conn.execute('SELECT start, "end", label, state, source FROM spans WHERE doc_id = ? ORDER BY start, '
                        '"end", label', (doc_id,)).fetchall()
    conn.close()
    return rows


def db_answer(path, doc_id):
    conn = sqlite3.connect(path)
    row = conn.execute("SELECT answer, answered_by FROM documents WHERE id = ?", (doc_id,)).fetchone()
    conn.close()
    return row


def key(qtbot, window, k, mod=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(window.view, k, mod)


def test_opens_on_the_first_pending_article_with_its_suggestions(window, project):
    assert window.session.doc_id == 1
    assert "Artillery shelling kills four" in window.view.toPlainText()
    assert len(window.view.spans) == len([r for r in db_spans(project, 1) if r[3] != "rejected"]) > 5
    assert window.span_list.rowCount() == len(window.view.spans)
    assert window.queue.rowCount() == 12
    assert "answered 0 / 12" in window.progress_label.text()
    assert "tester" in window.editor_label.text()


def test_the_queue_shows_every_answer_whole_and_its_columns_keep_their_width(qtbot, window, project):
    """The answer and span-count columns are as wide as their longest word from the start: they are not
    re-measured from the rows after each answer (that read every row fetched, 40 ms on a big project)."""
    from PySide6.QtWidgets import QHeaderView

    from annotator.core.model import Answer
    from annotator.gui.queue_model import ANSWER_NAMES

    view, header = window.queue_view, window.queue_view.horizontalHeader()
    metrics = view.fontMetrics()
    widths = (header.sectionSize(1), header.sectionSize(2))
    assert all(metrics.horizontalAdvance(name) < widths[0] for name in ANSWER_NAMES.values())
    assert metrics.horizontalAdvance("99999") < widths[1]
    window.answer(Answer.REJECT)
    qtbot.waitUntil(lambda: window.queue.data(window.queue.index(0, 1)) == "rejected")
    assert (header.sectionSize(1), header.sectionSize(2)) == widths
    assert header.sectionResizeMode(1) == header.sectionResizeMode(2) == QHeaderView.ResizeMode.Fixed


def test_a_search_shows_its_first_hits_and_clearing_it_returns_to_the_open_article(qtbot, window, monkeypatch):
    """Far down a big project, a search must not read every hit up to the open article (17 s at article
    900,000 of a million): it reads pages as the list shows them; cleared, the list goes back to the open
    article in one read."""
    from annotator.gui import queue_model

    monkeypatch.setattr(queue_model, "FETCH", 2)  # pages of two: the open article is five pages down
    documents = window.store.documents
    reads: list[tuple] = []
    plain = documents.document_ids

    def document_ids(after=0, limit=1000, answer=None, query=None, until=None, label=None):
        reads.append((query, until))
        return plain(after, limit, answer, query, until, label)

    monkeypatch.setattr(documents, "document_ids", document_ids)
    last = plain(0, None)[-1]
    window.open_document(last)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.search, "the")
    qtbot.waitUntil(lambda: any(q == "the" for q, _ in reads))
    assert all(until is None for q, until in reads if q == "the")  # pages only, never "up to the open one"
    window.open_document(last - 1)  # as answering opens the next article: still no read up to it
    window.open_document(last)
    assert all(until is None for q, until in reads if q == "the")
    reads.clear()
    window.search.clear()
    # the list goes back once the search box has settled (the row may have been in place under the search)
    qtbot.waitUntil(lambda: any(until is not None for _, until in reads))
    qtbot.waitUntil(lambda: window.queue_view.currentIndex().row() == window.queue.row_of(last) is not None)
    assert window.queue.doc_id(window.queue_view.currentIndex().row()) == last
    assert [until for _, until in reads if until is not None] == [last]  # the rows up to it in one read


def test_mark_relabel_accept_delete_answer_with_undo_and_redo(qtbot, window, project):
    text = window.view.toPlainText()
    # 1. select part of "Rebel commanders" with the text cursor: the label key snaps it to whole words
    start = text.index("Rebel commanders") + 2
    window.view.set_selection(start, start + 10)  # "bel comman"
    before = db_spans(project, 1)
    key(qtbot, window, Qt.Key.Key_1)  # ACTOR
    after = db_spans(project, 1)
    s = text.index("Rebel commanders")
    assert (s, s + len("Rebel commanders"), "ACTOR", "accepted", "editor") in after
    assert len(after) == len(before) + 1
    # the new span is selected; a label key relabels it
    key(qtbot, window, Qt.Key.Key_2)  # TARGET
    assert (s, s + 16, "TARGET", "accepted", "editor") in db_spans(project, 1)
    assert not any(r[:3] == (s, s + 16, "ACTOR") and r[3] != "rejected" for r in db_spans(project, 1))
    # undo the relabel, then the new span: the database is as before
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (s, s + 16, "ACTOR", "accepted", "editor") in db_spans(project, 1)
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    visible = [r for r in db_spans(project, 1) if r[3] != "rejected"]
    assert visible == [r for r in before if r[3] != "rejected"]
    # redo both
    redo = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    key(qtbot, window, Qt.Key.Key_Z, redo)
    key(qtbot, window, Qt.Key.Key_Z, redo)
    assert (s, s + 16, "TARGET", "accepted", "editor") in db_spans(project, 1)

    # 2. Tab to the first suggestion, Enter accepts it
    window.view.clear_selection()
    window.select_span(None)
    key(qtbot, window, Qt.Key.Key_Tab)
    first = window.view.span(window.selected_span)
    assert first is not None and first.state.value == "suggested"
    key(qtbot, window, Qt.Key.Key_Return)
    assert (first.start, first.end, first.label, "accepted", first.source.value) in db_spans(project, 1)
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (first.start, first.end, first.label, "suggested", first.source.value) in db_spans(project, 1)

    # 3. Delete removes the selected span (kept as rejected, so it is never suggested again)
    window.select_span(first.id)
    key(qtbot, window, Qt.Key.Key_Delete)
    assert (first.start, first.end, first.label, "rejected", first.source.value) in db_spans(project, 1)
    assert first.id not in [sp.id for sp in window.view.spans]
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert first.id in [sp.id for sp in window.view.spans]
    # undone in the database too, not only on screen
    assert (first.start, first.end, first.label, "suggested", first.source.value) in db_spans(project, 1)
    assert window.statusBar().currentMessage() == "Undone: delete span"
    key(qtbot, window, Qt.Key.Key_Z, redo)  # the span goes again, and the status bar says so
    assert (first.start, first.end, first.label, "rejected", first.source.value) in db_spans(project, 1)
    assert window.statusBar().currentMessage() == "Redone: delete span"
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (first.start, first.end, first.label, "suggested", first.source.value) in db_spans(project, 1)

    # 4. accept all suggestions, undo as one step: every one of them is a suggestion again
    suggested = {r for r in db_spans(project, 1) if r[3] == "suggested"}
    assert len(suggested) > 5
    key(qtbot, window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert {r[3] for r in db_spans(project, 1)} <= {"accepted", "rejected"}
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert {r for r in db_spans(project, 1) if r[3] == "suggested"} == suggested
    assert {(sp.start, sp.end, sp.label) for sp in window.view.spans if sp.state.value == "suggested"} == \
        {r[:3] for r in suggested}

    # 5. answer the article: accepted, and the next pending one opens; undo brings it back to pending
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert db_answer(project, 1) == ("accept", "tester")
    assert window.session.doc_id == 2
    assert window.progress_label.text() == "answered 1 / 12 · this session 1"
    assert window.statusBar().currentMessage().startswith("Accepted “")  # with the suggestions never selected
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert db_answer(project, 1) == ("pending", None)
    assert window.session.doc_id == 1
    assert window.progress_label.text() == "answered 0 / 12 · this session 0"  # the answer taken back is none
    # and the status bar no longer says the article was accepted: it says what the undo took back
    assert window.statusBar().currentMessage() == "Undone: answer accept"
    key(qtbot, window, Qt.Key.Key_Z, redo)
    assert db_answer(project, 1)[0] == "accept"
    assert window.progress_label.text() == "answered 1 / 12 · this session 1"
    assert window.statusBar().currentMessage() == "Redone: answer accept"  # not "Undone: …" any more
    # reject and skip
    window.open_document(3)
    key(qtbot, window, Qt.Key.Key_Backspace, Qt.KeyboardModifier.ControlModifier)
    assert db_answer(project, 3)[0] == "reject"
    assert window.progress_label.text() == "answered 2 / 12 · this session 2"
    window.statusBar().showMessage("a problem to read")
    window.undo_stack.clear()  # as opening another project does: the answers given stay given
    window.update_status()
    assert window.progress_label.text() == "answered 2 / 12 · this session 2"
    assert window.statusBar().currentMessage() == "a problem to read"  # a cleared stack undoes nothing
    window.open_document(4)
    key(qtbot, window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert db_answer(project, 4)[0] == "ignore"
    assert window.queue.data(window.queue.index(3, 1)) == "skipped"


def test_double_click_selects_a_word_and_a_click_on_a_label_marks_it(qtbot, window, project):
    text = window.view.toPlainText()
    s = text.index("clinic")
    cursor = window.view.textCursor()
    cursor.setPosition(s + 2)
    rect = window.view.cursorRect(cursor)
    qtbot.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.view.selection_range() == (s, s + len("clinic"))
    qtbot.mouseClick(window.label_bar.buttons["TARGET"], Qt.MouseButton.LeftButton)
    assert (s, s + 6, "TARGET", "accepted", "editor") in db_spans(project, 1)


def test_shift_arrows_select_and_snap(qtbot, window, project):
    text = window.view.toPlainText()
    s = text.index("provincial capital")
    window.view.set_selection(s + 3, s + 3)
    for _ in range(10):  # "vincial ca": from inside the first word to inside the second
        qtbot.keyClick(window.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert window.view.selection_range() == (s + 3, s + 13)
    key(qtbot, window, Qt.Key.Key_3)  # PLACE
    assert (s, s + len("provincial capital"), "PLACE", "accepted", "editor") in db_spans(project, 1)


def test_clicking_a_span_selects_it_in_the_list_and_back(qtbot, window):
    span = window.view.spans[3]
    cursor = window.view.textCursor()
    cursor.setPosition(window.view.to_qt(span.start) + 1)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=window.view.cursorRect(cursor).center())
    assert window.selected_span in [s.id for s in window.view.spans_at(span.start + 1)]
    assert window.span_list.selectedIndexes()
    window.span_list.selectRow(0)
    assert window.selected_span == window.view.spans[0].id


def test_close_and_reopen_loses_nothing(qtbot, project, qsettings, messages):
    w = MainWindow(qsettings, "tester")
    qtbot.addWidget(w)
    w.open_project(project)
    w.resize(700, 360)  # small enough that the article scrolls
    with qtbot.waitActive(w):
        w.show()
        w.activateWindow()
    w.open_document(6)
    text = w.view.toPlainText()
    s = text.index("Investigators")
    w.view.set_selection(s, s + 6)
    qtbot.keyClick(w.view, Qt.Key.Key_1)
    assert any(sp.start == s and sp.label == "ACTOR" for sp in w.view.spans)
    qtbot.waitUntil(lambda: w.view.verticalScrollBar().maximum() > 0, timeout=2000)
    w.view.verticalScrollBar().setValue(w.view.verticalScrollBar().maximum())
    qtbot.waitUntil(lambda: w.top_position() > 0, timeout=2000)
    top = w.top_position()
    assert top > 0
    w.close()
    again = MainWindow(QSettings(qsettings.fileName(), QSettings.Format.IniFormat), "tester")
    assert again.width() == 700  # the geometry is restored too
    qtbot.addWidget(again)
    again.open_project(project)
    with qtbot.waitActive(again):
        again.show()
        again.activateWindow()
    # the same line of the same article is at the top of the view
    qtbot.waitUntil(lambda: again.top_position() <= top < again.top_position() + 40, timeout=2000)
    assert again.session.doc_id == 6
    assert any(sp.start == s and sp.label == "ACTOR" for sp in again.view.spans)


def test_a_change_made_elsewhere_is_not_overwritten(qtbot, window, project, messages):
    from annotator.store import Store

    other = Store(project)
    span = window.view.spans[0]
    other.annotations.relabel_span(span.id, "TIME", "someone-else")  # another program changes the open article
    other.close()
    window.select_span(span.id)
    key(qtbot, window, Qt.Key.Key_2)  # try to relabel as TARGET from the stale view
    assert messages and "changed in another window" in messages[-1][1]
    spans = {r[:3]: r[3] for r in db_spans(project, 1)}
    assert spans[(span.start, span.end, "TIME")] == "accepted"  # the other change stands
    assert (span.start, span.end, "TARGET") not in spans
    assert any(s.label == "TIME" and s.start == span.start for s in window.view.spans)  # and is shown


def test_external_changes_are_picked_up_while_idle(qtbot, window, project):
    from annotator.store import Store

    # a span no rule suggests, added by another program while the editor does nothing
    assert not any(sp.start == 0 and sp.end == 18 for sp in window.view.spans)
    focus = window.view.spans[-1].id
    window.select_span(focus)
    other = Store(project)
    other.annotations.add_span(1, 0, 18, "PLACE", "someone-else")
    other.close()
    qtbot.waitUntil(lambda: any(s.start == 0 and s.end == 18 and s.label == "PLACE" for s in window.view.spans),
                    timeout=window._watch.interval() * 3)
    assert "changed elsewhere and has been reloaded" in window.statusBar().currentMessage()
    assert window.span_list.rowCount() == len(window.view.spans)
    assert window.view.selected == focus == window.session.selected  # the editor's focus is kept


def test_articles_imported_from_the_command_line_join_the_open_windows_queue(qtbot, window, project, tmp_path):
    import subprocess
    import sys

    rows = window.queue.rowCount()
    window.go_to_article(1)
    selected = window.session.doc_id
    assert window.queue.doc_id(window.queue_view.currentIndex().row()) == selected
    wire = tmp_path / "wire.jsonl"
    wire.write_text('{"text": "Rebels shelled Gao on Friday.", "title": "Gao shelled"}\n'
                    '{"text": "Talks resumed in Doha.", "title": "Doha talks"}\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "annotator", "import", "--db", str(project), str(wire)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: window.queue.rowCount() == rows + 2, timeout=window._watch.interval() * 3)
    titles = [window.queue.data(window.queue.index(r, 0)) for r in range(rows, rows + 2)]
    assert titles == ["Gao shelled", "Doha talks"]
    assert f"/ {rows + 2} " in window.progress_label.text()
    # the editor's place is kept: the same article open and selected
    assert window.session.doc_id == selected
    assert window.queue.doc_id(window.queue_view.currentIndex().row()) == selected
    # the status bar tells the truth after both programs wrote: the figures of a recount, and those the
    # database keeps, as the command line's own process sees them
    from annotator.core.model import Answer
    from tests.test_durability import counts_are_true

    window.answer(Answer.ACCEPT)
    conn = sqlite3.connect(project)
    total, answered = conn.execute("SELECT count(*), sum(answer != 'pending') FROM documents").fetchone()
    conn.close()
    assert f"answered {answered} / {total} " in window.progress_label.text() and answered >= 1
    stats = subprocess.run([sys.executable, "-m", "annotator", "stats", "--db", str(project)],
                           capture_output=True, text=True, timeout=120)
    assert stats.returncode == 0 and str(total) in stats.stdout, stats.stderr
    assert counts_are_true(project)


def test_bad_files_get_a_message_and_the_window_stays_usable(qtbot, window, tmp_path, messages):
    notes = tmp_path / "notes.db"
    notes.write_text("not a database", encoding="utf-8")
    assert not window.open_project(notes)
    assert messages[-1][0] == "critical" and "not an SQLite file" in messages[-1][1]
    newer = tmp_path / "newer.db"
    from annotator.store import Store

    Store(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    assert not window.open_project(newer)
    assert "newer version" in messages[-1][1]
    # still working on the project it had
    window.go_to_article(1)
    assert window.session.doc_id == 2


def test_queue_filter_search_and_model_tester(qtbot, window, project, qtmodeltester):
    qtmodeltester.check(window.queue)
    window.filter_box.setCurrentIndex(2)  # Accepted
    assert window.queue.rowCount() == 0
    window.filter_box.setCurrentIndex(0)
    assert window.queue.rowCount() == 12
    # Ctrl+F, then type: the queue lists exactly the articles that hold the word
    key(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()
    qtbot.keyClicks(window.search, "ceasefire")
    conn = sqlite3.connect(project)
    wanted = {t for (t,) in conn.execute("SELECT title FROM documents WHERE lower(text) LIKE '%ceasefire%'")}
    conn.close()
    assert 0 < len(wanted) < 12
    qtbot.waitUntil(lambda: window.queue.rowCount() == len(wanted), timeout=3000)
    titles = {window.queue.data(window.queue.index(r, 0)) for r in range(window.queue.rowCount())}
    assert titles == wanted
    qtmodeltester.check(window.queue)
    window.search.clear()
    qtbot.waitUntil(lambda: window.queue.rowCount() == 12, timeout=3000)


def test_the_queue_filtered_by_label_from_its_box(qtbot, window, project, qtmodeltester):
    """The label box beside the answer filter lists the project's labels; with one chosen, the queue
    shows the articles with a span of that label, and an article whose last one the editor rejected leaves it
    when the filter is applied again."""
    def with_label(label: str) -> list[int]:
        conn = sqlite3.connect(project)
        try:
            return [d for (d,) in conn.execute("SELECT DISTINCT doc_id FROM spans WHERE label = ? AND state != "
                                               "'rejected' ORDER BY doc_id", (label,))]
        finally:
            conn.close()

    box = window.label_filter
    assert [box.itemText(i) for i in range(box.count())] == ["All labels", *(
        lb.name for kind in ("event", "argument") for lb in window.store.scheme.of_kind(kind))]
    wanted = with_label("DEATH")  # a label some of the twelve samples have, not all
    assert 0 < len(wanted) < 12
    box.setCurrentIndex(box.findText("DEATH"))
    assert [window.queue.doc_id(r) for r in range(window.queue.rowCount())] == wanted
    qtmodeltester.check(window.queue)
    window.filter_box.setCurrentIndex(1)  # and pending: the same, nothing is answered yet
    assert [window.queue.doc_id(r) for r in range(window.queue.rowCount())] == wanted
    # the editor rejects every DEATH suggestion of the first such article, with the keys
    window.open_document(wanted[0])
    for sp in [sp for sp in window.session.spans if sp.label == "DEATH"]:
        window.select_span(sp.id)
        key(qtbot, window, Qt.Key.Key_Delete)
    assert wanted[0] not in with_label("DEATH")
    window.filter_box.setCurrentIndex(0)
    assert [window.queue.doc_id(r) for r in range(window.queue.rowCount())] == wanted[1:]
    # the project opened again (or another with that label): the label stays chosen, and so does its filter
    assert window.open_project(project)
    assert box.currentText() == "DEATH" and window.queue.label == "DEATH"
    assert [window.queue.doc_id(r) for r in range(window.queue.rowCount())] == wanted[1:]
    box.setCurrentIndex(0)
    assert window.queue.rowCount() == 12


def test_keyboard_cheat_sheet_and_zoom(qtbot, window):
    size = window.view.font().pointSize()
    qtbot.keyClick(window.view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert window.view.font().pointSize() == size + 1
    qtbot.keyClick(window.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.view.font().pointSize() == size
    qtbot.keyClick(window.view, Qt.Key.Key_F1)
    from PySide6.QtWidgets import QTextBrowser

    box = window.shortcuts_box
    qtbot.waitUntil(box.isVisible)
    text = box.findChild(QTextBrowser).toPlainText()
    assert "accept the selected suggestion" in text and "ATTACK" in text
    # it fits the screen (the table of a big scheme scrolls inside it)
    assert box.frameGeometry().height() <= box.screen().availableGeometry().height()
    window.shortcuts_box.close()


def without_suggestions(window, project, doc_id):
    """Opens an article after removing its spans and its pre-annotation record."""
    conn = sqlite3.connect(project)
    conn.execute("DELETE FROM spans WHERE doc_id = ?", (doc_id,))
    conn.execute("DELETE FROM preannotated WHERE doc_id = ?", (doc_id,))
    conn.commit()
    conn.close()
    window.open_document(doc_id)
    assert window.view.spans == []


def test_preannotate_and_export_in_the_background(qtbot, window, project, tmp_path):
    without_suggestions(window, project, 2)
    window.preannotate(current=True)
    qtbot.waitUntil(lambda: window._thread is None, timeout=30000)
    assert len(window.view.spans) > 5  # the suggestions appear without reopening
    window.session.set_answer(__import__("annotator.core.model", fromlist=["Answer"]).Answer.ACCEPT)
    out = tmp_path / "out.jsonl"
    window.export(out)
    qtbot.waitUntil(lambda: window._thread is None, timeout=30000)
    assert out.exists() and len(out.read_text(encoding="utf-8").splitlines()) == 1
    assert "wrote 1 document(s)" in window.statusBar().currentMessage()


def test_first_start_asks_for_the_editors_name_and_keeps_it(qtbot, tmp_path, monkeypatch, project, messages):
    from PySide6.QtWidgets import QInputDialog

    from annotator.gui import app

    monkeypatch.delenv("ANNOTATOR_EDITOR", raising=False)
    asked = []
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(
        lambda *a, **k: (asked.append(a[1]), ("Maria", True))[1]))
    s = QSettings(str(tmp_path / "fresh.ini"), QSettings.Format.IniFormat)
    window = app.create_window(project, s)
    qtbot.addWidget(window)
    assert asked and window.editor == "Maria" and s.value("editor") == "Maria"
    window.open_document(2)
    window.view.set_selection(0, 9)
    window.apply_label("TALKS")
    conn = sqlite3.connect(project)
    assert conn.execute("SELECT who FROM changes ORDER BY id DESC LIMIT 1").fetchone()[0] == "Maria"
    conn.close()
    again = app.create_window(None, s)  # no argument: the last project, and no second question
    qtbot.addWidget(again)
    assert len(asked) == 1 and again.store is not None and again.store.path.resolve() == project.resolve()


def test_every_command_has_a_menu_entry_and_labels_have_keys(window):
    menus = [a.menu() for a in window.menuBar().actions() if a.menu()]
    in_menus = {a.text() for m in menus for a in m.actions()}
    for label in window.store.scheme.labels:
        assert label.name in in_menus
    assert {"&Accept article", "&Reject article", "&Skip article", "&Undo", "&Export…"} <= in_menus
    keys = {a.text(): a.shortcut().toString() for a in window.label_actions}
    assert keys["ATTACK"] == "A" and keys["CASUALTIES"] == "6"


def test_suggestions_added_elsewhere_appear_in_the_open_article(qtbot, window, project, rules):
    from annotator.store import Store
    from annotator.workflows.preannotating import preannotate

    without_suggestions(window, project, 1)
    other = Store(project)
    preannotate(other, rules, doc_ids=[1])  # the command line, in another connection
    other.close()
    window.check_external_changes()
    assert len(window.view.spans) > 5


def test_undo_after_a_change_elsewhere_reloads_instead_of_overwriting(qtbot, window, project, messages):
    from annotator.store import Store

    text = window.view.toPlainText()
    s = text.index("clinic")
    window.view.set_selection(s, s + 6)
    key(qtbot, window, Qt.Key.Key_2)  # TARGET
    other = Store(project)
    span = next(sp for sp in other.annotations.spans(1) if sp.start == s and sp.label == "TARGET")
    other.annotations.relabel_span(span.id, "PLACE", "someone-else")
    other.close()
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the stale mark
    qtbot.waitUntil(lambda: bool(messages) and window.undo_stack.count() == 0, timeout=2000)
    assert "changed in another window" in messages[-1][1]
    assert (s, s + 6, "PLACE", "accepted", "editor") in db_spans(project, 1)  # the other change stands
    assert window.undo_stack.count() == 0


def test_undo_from_another_article_goes_back_to_it(qtbot, window, project):
    text = window.view.toPlainText()
    s = text.index("clinic")
    window.view.set_selection(s, s + 6)
    key(qtbot, window, Qt.Key.Key_2)  # TARGET on article 1
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)  # next article, unanswered
    assert window.session.doc_id == 2
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.doc_id == 1  # the editor sees what was undone
    assert (s, s + 6, "TARGET", "rejected", "editor") in db_spans(project, 1)
    assert not any(sp.start == s and sp.label == "TARGET" for sp in window.view.spans)


def test_status_bar_pace_appears_only_when_there_is_one(window):
    window.session_answers = 1
    window.update_status()
    assert window.progress_label.text() == "answered 0 / 12 · this session 1"
    window.session_answers = 12
    window.session_started -= 30 * 60  # twelve answers in half an hour
    window.update_status()
    assert window.progress_label.text() == "answered 0 / 12 · this session 12, 24 an hour"


def menu_action(window, text):
    menus = [a.menu() for a in window.menuBar().actions() if a.menu()]
    return next(a for m in menus for a in m.actions() if a.text() == text)


def test_export_dialog_writes_the_chosen_format_and_tells_what_it_left_out(qtbot, window, project, tmp_path,
                                                                             monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window.accept_all()  # the first article: its events with arguments inside them
    window.answer(__import__("annotator.core.model", fromlist=["Answer"]).Answer.ACCEPT)
    out = tmp_path / "news.conll"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(out), "CoNLL IOB2 (*.conll)")))
    menu_action(window, "&Export…").trigger()
    qtbot.waitUntil(lambda: window._thread is None, timeout=30000)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("-DOCSTART- -X- O O") and "\tB-" in text
    assert "wrote 1 document(s)" in window.statusBar().currentMessage()
    # IOB2 cannot hold the arguments inside events: the editor is told how many, in a box that stays
    assert window.report_box.isVisible()
    assert "left out" in window.report_box.informativeText()
    assert "overlaps a span kept instead" in window.report_box.informativeText()


def test_choose_a_trained_model_for_preannotation(qtbot, window, project, tmp_path, messages, trained, monkeypatch):
    """A model that scored below the rules on every label is used only if the editor insists."""
    from PySide6.QtWidgets import QMessageBox

    _, model = trained
    assert not window.set_model(tmp_path)  # not a pipeline folder: said so, nothing changes
    assert messages and "not a spaCy pipeline folder" in messages[-1][1] and window.model() is None
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda parent, title, text, *a, **k: (asked.append(text), answer[0])[1]))
    assert not window.set_model(model)  # the rules did better: asked, and the editor said no
    assert "scored below the rules on every label" in asked[-1] and window.model() is None
    answer[0] = QMessageBox.StandardButton.Yes
    assert window.set_model(model)
    assert window.model() == str(model)
    assert "model: model" in window.editor_label.text()  # the status bar says which model is in use
    assert "chosen although the rules did better" in window.statusBar().currentMessage()
    without_suggestions(window, project, 2)
    window.preannotate(current=False)  # every article this pipeline has not seen
    qtbot.waitUntil(lambda: window._thread is None, timeout=60000)
    # every article was pre-annotated by the model with the rules for every label (the key of a pipeline used
    # by the training's choice would end in "chosen"); the model learned from the rules' suggestions, so its
    # confident spans are theirs, stored as the rules' (tests/workflows/test_training.py stores its own)
    conn = sqlite3.connect(project)
    pipelines = {r[0] for r in conn.execute("SELECT pipeline FROM preannotated WHERE pipeline LIKE '%model:%'")}
    assert len(pipelines) == 1 and not next(iter(pipelines)).endswith("chosen"), pipelines
    assert conn.execute("SELECT count(*) FROM preannotated WHERE pipeline = ?", (next(iter(pipelines)),)
                        ).fetchone()[0] == conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    sources = {r[0] for r in conn.execute("SELECT source FROM spans WHERE doc_id = 2")}
    conn.close()
    assert sources and sources <= {"rule", "model"}
    menu_action(window, "Use the &rules only").trigger()
    assert window.model() is None


def test_the_keys_the_readme_promises(qtbot, window, project, tmp_path, monkeypatch):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QFileDialog, QToolTip

    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    # Shift+Tab with nothing selected: the last span; again: the one before it
    window.select_span(None)
    key(qtbot, window, Qt.Key.Key_Backtab, shift)
    assert window.selected_span == window.view.spans[-1].id
    key(qtbot, window, Qt.Key.Key_Backtab, shift)
    assert window.selected_span == window.view.spans[-2].id
    # hovering a span tells its label, state and source
    span = window.view.spans[0]
    window.view.set_selection(span.start + 1, span.start + 1)
    point = window.view.cursorRect().center()
    window.view.event(QHelpEvent(QEvent.Type.ToolTip, point, window.view.mapToGlobal(point)))
    assert span.label in QToolTip.text() and "suggestion" in QToolTip.text() and "rule" in QToolTip.text()
    # Alt+Right / Alt+Left move without answering
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.session.doc_id == 2
    key(qtbot, window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.session.doc_id == 1 and db_answer(project, 2) == ("pending", None)
    # Ctrl+Shift+P pre-annotates the open article
    without_suggestions(window, project, 1)
    key(qtbot, window, Qt.Key.Key_P, ctrl | shift)
    qtbot.waitUntil(lambda: window._thread is None and len(window.view.spans) > 5, timeout=30000)
    assert len(db_spans(project, 1)) == len(window.view.spans)
    # Ctrl+E asks where to export, then writes there
    window.answer(__import__("annotator.core.model", fromlist=["Answer"]).Answer.ACCEPT)
    out = tmp_path / "pressed.jsonl"
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: (asked.append(a[1]), (str(out), "Prodigy JSONL (*.jsonl)"))[1]))
    key(qtbot, window, Qt.Key.Key_E, ctrl)
    qtbot.waitUntil(lambda: window._thread is None and out.exists(), timeout=30000)
    assert asked == ["Export"] and len(out.read_text(encoding="utf-8").splitlines()) == 1


def test_new_and_open_project_from_the_file_menu(qtbot, window, project, tmp_path, monkeypatch, messages):
    from PySide6.QtWidgets import QFileDialog

    ctrl = Qt.KeyboardModifier.ControlModifier
    new = tmp_path / "fresh.db"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(new), "")))
    key(qtbot, window, Qt.Key.Key_N, ctrl)
    assert window.store.path == new and new.exists()
    assert "No articles here yet" in window.title_label.text() and window.queue.rowCount() == 0
    assert "fresh.db" in window.windowTitle()
    # New on a file that exists is refused: open it instead
    key(qtbot, window, Qt.Key.Key_N, ctrl)
    assert "exists already" in messages[-1][1] and window.store.path == new
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(project), "")))
    key(qtbot, window, Qt.Key.Key_O, ctrl)
    assert window.store.path == project and window.queue.rowCount() == 12
    assert "Artillery shelling kills four" in window.view.toPlainText()


def test_pending_most_useful_first_lists_the_models_choice_and_answering_goes_to_the_next_one(
        qtbot, window, project, qtmodeltester):
    """Active learning in the window: with nothing judged the order says how to get one; once a model judged the
    articles (here another program writes its judgement, as `annotator preannotate --model` does), the queue
    lists the most useful first, and accepting an article opens the next most useful one."""
    box = window.filter_box
    useful = box.findText("Pending, most useful first")
    assert useful >= 0
    box.setCurrentIndex(useful)
    assert "No pending article is judged yet" in window.statusBar().currentMessage()
    assert [window.queue.doc_id(r) for r in range(window.queue.rowCount())] == list(range(1, 13))
    with Store(project) as other:  # another program's pre-annotation with a model
        other.suggestions.save_suggestions([(9, None, [], [], 4.0), (2, None, [], [], 1.5), (5, None, [], [], 3.0)],
                                           "model:test")
    box.setCurrentIndex(0)
    box.setCurrentIndex(useful)
    order = [9, 5, 2, 1, 3, 4, 6, 7, 8, 10, 11, 12]
    assert [window.queue.doc_id(r) for r in range(window.queue.rowCount())] == order
    qtmodeltester.check(window.queue)
    window.queue_view.clicked.emit(window.queue.index(0, 0))  # the editor clicks the first row
    assert window.session.doc_id == 9
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert db_answer(project, 9) == ("accept", "tester")
    assert window.session.doc_id == 5  # the next most useful, not the next by id
    # the answered row stays where it was until the filter is applied again (as under "Pending"), its answer shown
    assert window.queue.data(window.queue.index(0, 1)) == "accepted"
    assert window.queue_view.currentIndex().row() == 1
    box.setCurrentIndex(0)
    box.setCurrentIndex(useful)
    assert [window.queue.doc_id(r) for r in range(window.queue.rowCount())] == order[1:]


def test_a_long_session_does_not_wear_out_pythons_constants(qtbot, window, project):
    """PySide6 6.12.0 dropped a reference to True on every signal a Python slot received; on Python 3.10 and 3.11
    (where True and None are counted) the window then aborted ("bool_dealloc") after some thousands of signals,
    minutes into an editor's work. Three hundred keys (moving, marking, undoing, next article) leave the counts of
    True, False and None as they were, give or take what the window itself holds. (From Python 3.12 the counts
    stand still whatever happens.)"""
    import sys

    before = {c: sys.getrefcount(c) for c in (True, False, None)}
    for _ in range(50):
        key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        key(qtbot, window, Qt.Key.Key_4)  # marks the two characters' word as TIME
        key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        key(qtbot, window, Qt.Key.Key_Tab)
        key(qtbot, window, Qt.Key.Key_Right)
    worn = {c: before[c] - sys.getrefcount(c) for c in before}
    assert all(n < 100 for n in worn.values()), worn
    assert window.undo_stack.count() > 0  # the keys did reach the window


def test_the_span_list_starts_at_the_top_of_each_article_and_keeps_its_place_on_edits(qtbot, window):
    bar = window.span_list.verticalScrollBar()
    window.span_list.setFixedHeight(90)  # a few rows in view: the list scrolls
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum())
    assert bar.value() > 0
    first = window.session.doc_id
    window.select_span(None)
    qtbot.keyClick(window.view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)  # the next article
    qtbot.waitUntil(lambda: window.session.doc_id != first)
    assert bar.value() == 0
    # an edit in the same article keeps the list where the editor put it
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum())
    last = window.view.spans[-1]
    window.select_span(last.id)
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert last.id not in {s.id for s in window.session.spans}
    assert bar.value() > 0


def test_the_bracket_keys_move_a_spans_edges_word_by_word_in_one_undo_step_each(qtbot, window, project):
    import sqlite3

    def edges(span_id):
        conn = sqlite3.connect(project)
        found = conn.execute('SELECT start, "end", label, state FROM spans WHERE id = ?', (span_id,)).fetchone()
        conn.close()
        return found

    text = window.session.doc.text
    span = next(s for s in window.view.spans if s.start > 0 and s.end < len(text) - 20)
    window.select_span(span.id)
    start, end, label, state = edges(span.id)
    words = [(t.start, t.end) for t in window.session.token_index().tokens]
    before = max(s for s, _ in words if s < start)  # the word before the span
    after = min(e for _, e in words if e > end)  # and after it
    qtbot.keyClick(window.view, Qt.Key.Key_BracketLeft)  # [ : the start one word earlier
    assert edges(span.id) == (before, end, label, state)
    qtbot.keyClick(window.view, Qt.Key.Key_BracketRight)  # ] : the end one word later
    assert edges(span.id) == (before, after, label, state)
    # Shift+[ types "{" (on X11 Qt matches it to "{" whatever the layout's modifiers; checked under Xvfb)
    qtbot.keyClick(window.view, Qt.Key.Key_BraceLeft)  # the start back in
    assert edges(span.id) == (start, after, label, state)
    assert window.selected_span == span.id  # the span stays in focus for the next key
    shown = next(s for s in window.view.spans if s.id == span.id)
    assert (shown.start, shown.end) == (start, after)  # the text view shows the new edges
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one undo step each
    assert edges(span.id) == (before, after, label, state)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert edges(span.id) == (start, end, label, state)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert edges(span.id) == (before, end, label, state)  # redo


def test_the_command_lines_preannotation_links_in_the_projects_roles_and_the_open_window_accepts_them(
        qtbot, window, project, tmp_path):
    """The window holds the project; the command line (another process) imports and pre-annotates an article:
    its links are only in the roles the project's scheme has the rules link in (time, victim, attacker,
    demonstrator, participant, instrument: no place), the window shows them, Ctrl+Enter accepts them, and a third
    process reads that."""
    import json
    import subprocess
    import sys

    rows = window.queue.rowCount()
    wire = tmp_path / "wire.jsonl"
    wire.write_text('{"text": "Gunmen attacked a checkpoint in Aleppo on Monday, killing two civilians.", '
                    '"title": "Aleppo checkpoint"}\n', encoding="utf-8")
    for args in (["import", "--db", str(project), str(wire)], ["preannotate", "--db", str(project)]):
        done = subprocess.run([sys.executable, "-m", "annotator", *args], capture_output=True, text=True,
                              timeout=180)
        assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: window.queue.rowCount() == rows + 1, timeout=window._watch.interval() * 3)
    doc_id = window.queue.doc_id(rows)
    window.open_document(doc_id)
    text = window.session.doc.text
    spans = {sp.id: text[sp.start:sp.end] for sp in window.session.spans}
    shown = {(spans[lk.event], lk.role, spans[lk.argument]) for lk in window.session.links}
    assert ("attacked", "attacker", "Gunmen") in shown and ("attacked", "time", "Monday") in shown
    assert {role for _, role, _ in shown} <= window.store.scheme.rule_link_roles  # no place: Aleppo unlinked
    assert "Aleppo" in spans.values()
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    read = ("import json, sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1])\n"
            "print(json.dumps(c.execute('SELECT e.start, e.\"end\", l.role, a.start, a.\"end\", l.state FROM links l "
            "JOIN spans e ON e.id = l.event_id JOIN spans a ON a.id = l.arg_id WHERE l.doc_id = ?', "
            "(int(sys.argv[2]),)).fetchall()))\n")
    out = subprocess.run([sys.executable, "-c", read, str(project), str(doc_id)], capture_output=True, text=True,
                         check=True)
    stored = {(text[es:ee], role, text[as_:ae], state) for es, ee, role, as_, ae, state in json.loads(out.stdout)}
    assert stored == {(e, role, a, "accepted") for e, role, a in shown}


def test_migration_0015_between_the_window_the_command_line_a_second_handle_and_a_kill(
        qtbot, project, qsettings, messages, tmp_path):
    """A project at schema 14 holding 0014's roles: a program killed with -9 half-way through migration 0015 leaves
    the file as it was; the window then opens it and upgrades it; a second handle in the same process reads the
    new roles; the command line, with the window holding the file, imports and pre-annotates an article of talks,
    whose participants the rules now link; the window shows them and Ctrl+Enter accepts them; and another process
    reads every one of those writes, the upgrade done once, and the copy made before it."""
    import json
    import subprocess
    import sys

    from annotator.store.schema import ROLES_OF_0014, ROLES_OF_0015, SCHEMA_VERSION
    from tests.conftest import dies_in_migration, json_from_another_process, run_until_killed

    conn = sqlite3.connect(project)
    conn.execute("UPDATE project SET value = ? WHERE key = 'rule_link_roles'", (json.dumps(list(ROLES_OF_0014)),))
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0015_participant_and_instrument_links'")
    conn.execute("PRAGMA user_version = 14")
    conn.commit()
    conn.close()
    read = ("import json, sqlite3, sys\n"
            "c = sqlite3.connect(f'file:{sys.argv[1]}?mode=ro', uri=True)\n"
            "print(json.dumps({'version': c.execute('PRAGMA user_version').fetchone()[0],\n"
            "    'check': c.execute('PRAGMA quick_check').fetchone()[0],\n"
            "    'roles': json.loads(c.execute(\"SELECT value FROM project WHERE key = 'rule_link_roles'\")\n"
            "                        .fetchone()[0]),\n"
            "    'applied': c.execute(\"SELECT count(*) FROM _sqlite_migrations WHERE name = "
            "'0015_participant_and_instrument_links'\").fetchone()[0],\n"
            "    'links': c.execute('SELECT d.text, e.start, e.\"end\", l.role, a.start, a.\"end\", l.state '\n"
            "        'FROM links l '\n"
            "        'JOIN spans e ON e.id = l.event_id JOIN spans a ON a.id = l.arg_id JOIN documents d ON d.id = '\n"
            "        \"l.doc_id WHERE d.text LIKE 'Talks went on%'\").fetchall()}))\n")

    def elsewhere() -> dict:
        return json_from_another_process(read, project)

    before = elsewhere()
    assert (before["version"], before["roles"], before["applied"], before["check"]) == (
        14, list(ROLES_OF_0014), 0, "ok")
    run_until_killed(dies_in_migration("0015_participant_and_instrument_links", check="assert 'participant' in "
                                       "db.execute(\"SELECT value FROM project WHERE key = 'rule_link_roles'\")"
                                       ".fetchone()[0]"), project)
    assert elsewhere() == before  # nothing of the half-done upgrade reached the file
    # the window opens it and upgrades it; a second handle in the same process reads what it wrote
    window = MainWindow(qsettings, "tester")
    qtbot.addWidget(window)
    assert window.open_project(project)
    window.show()
    assert window.store.scheme.rule_link_roles == frozenset(ROLES_OF_0015)
    with Store(project, create=False) as second:
        assert second.scheme.rule_link_roles == frozenset(ROLES_OF_0015)
    assert (tmp_path / "project.db.bak-v14").exists()  # the copy made before upgrading
    # the command line, while the window holds the file, imports and pre-annotates talks
    rows = window.queue.rowCount()
    text = "Talks went on. Amira Nasser met Omar Ali in Cairo on Monday."
    wire = tmp_path / "talks.jsonl"
    wire.write_text(json.dumps({"text": text, "title": "Cairo talks"}) + "\n", encoding="utf-8")
    for args in (["import", "--db", str(project), str(wire)], ["preannotate", "--db", str(project)]):
        done = subprocess.run([sys.executable, "-m", "annotator", *args], capture_output=True, text=True,
                              timeout=180)
        assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: window.queue.rowCount() == rows + 1, timeout=window._watch.interval() * 3)
    window.open_document(window.queue.doc_id(rows))
    spans = {sp.id: text[sp.start:sp.end] for sp in window.session.spans}
    shown = {(spans[lk.event], lk.role, spans[lk.argument]) for lk in window.session.links}
    assert {("met", "participant", "Amira Nasser"), ("met", "participant", "Omar Ali"),
            ("met", "time", "Monday")} <= shown, shown
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    after = elsewhere()
    assert (after["version"], after["check"], after["roles"], after["applied"]) == (
        SCHEMA_VERSION, "ok", list(ROLES_OF_0015), 1)
    stored = {(t[es:ee], role, t[as_:ae], state) for t, es, ee, role, as_, ae, state in after["links"]}
    assert stored == {(e, role, a, "accepted") for e, role, a in shown}
    assert ("met", "participant", "Omar Ali", "accepted") in stored


def test_each_menu_opens_each_entry_by_its_own_letter(window):
    """Keyboard first: Alt and the menu's letter, then the entry's letter runs it (a letter two entries share only
    moves between them). The Labels menu is left out: its entries have their own keys and come from the scheme."""
    import re

    menus = {m.text(): m.menu() for m in window.menuBar().actions()}
    assert len(menus) == 8
    for title, menu in menus.items():
        if title == "&Labels":
            continue
        entries = [a.text() for a in menu.actions() if not a.isSeparator() and a.isVisible()]
        letters = [m.group(1).lower() if (m := re.search(r"&([^&])", t)) else t for t in entries]
        assert len(letters) == len(set(letters)) and all(len(x) == 1 for x in letters), (title, entries)
    assert [a.text() for a in menus["&Tools"].actions()][-1] == "Trai&n model…"  # t is this article's
