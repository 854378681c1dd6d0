"""Comments and flags in the real window: Ctrl+M on a span, Ctrl+Shift+F on the article, undo and redo, the marks
on the title, the text and the queue, and the queue's filter; the database checked after each step."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from annotator.gui.queue_panel import FILTERS

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def notes(path) -> dict[tuple[int, int], tuple[str, int]]:
    conn = sqlite3.connect(path)
    rows = {(d, s): (t, f) for d, s, t, f in conn.execute("SELECT doc_id, span_id, text, flagged FROM notes")}
    conn.close()
    return rows


def answer_dialog(qtbot, text: str, flag: bool = False) -> None:
    """Types into the comment dialog once it shows (in place of what it held), ticks or unticks the flag as asked,
    and saves with Ctrl+Enter."""
    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None and dialog.windowTitle() == "Comment"
        dialog.text.clear()
        qtbot.keyClicks(dialog.text, text)
        if dialog.flag.isChecked() != flag:
            qtbot.keyClick(dialog.flag, Qt.Key.Key_Space)
        qtbot.keyClick(dialog.text, Qt.Key.Key_Return, CTRL)

    QTimer.singleShot(50, fill)


def back_in(qtbot, window) -> None:
    """The window active again once the dialog closed (the window manager does it; offscreen, the test)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def test_ctrl_m_comments_on_the_selected_span_with_undo_redo_and_marks(qtbot, window, project):
    w = window
    doc = w.session.doc_id
    span = next(s for s in w.view.spans if s.label == "ATTACK")
    w.select_span(span.id)
    answer_dialog(qtbot, "An <b>ambush</b>?", flag=True)
    qtbot.keyClick(w.view, Qt.Key.Key_M, CTRL)
    back_in(qtbot, w)
    assert notes(project) == {(doc, span.id): ("An <b>ambush</b>?", 1)}
    assert w.title_label.text().startswith("⚑ ✎ ")  # something in it flagged, and commented, as the queue says
    assert w.queue.index(w._queue_row(doc), 0).data().startswith("⚑ ✎ ")
    assert "An &lt;b&gt;ambush&lt;/b&gt;?" in w.title_label.toolTip()  # shown as the words typed, not as markup
    assert w.view.notes[span.id].flagged
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL)  # undo: no note
    assert notes(project)[(doc, span.id)] == ("", 0)
    assert span.id not in w.view.notes and w.title_label.text()[0] not in "⚑✎"
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL | SHIFT)  # redo
    assert notes(project)[(doc, span.id)] == ("An <b>ambush</b>?", 1)
    # the dialog again, emptied and saved: the comment is taken back
    w.select_span(span.id)
    answer_dialog(qtbot, "")
    qtbot.keyClick(w.view, Qt.Key.Key_M, CTRL)
    back_in(qtbot, w)
    assert notes(project)[(doc, span.id)] == ("", 0)


def test_ctrl_shift_f_flags_the_article_the_queue_marks_and_filters_it_and_undo_follows_it(qtbot, window, project):
    w = window
    first = w.session.doc_id
    qtbot.keyClick(w.view, Qt.Key.Key_F, CTRL | SHIFT)
    assert notes(project) == {(first, 0): ("", 1)}
    assert w.title_label.text().startswith("⚑ ")
    row = w._queue_row(first)
    assert w.queue.index(row, 0).data().startswith("⚑ ")
    w.filter_box.setCurrentIndex([name for name, _ in FILTERS].index("Flagged or commented"))
    assert [w.queue.doc_id(r) for r in range(w.queue.rowCount())] == [first]
    w.filter_box.setCurrentIndex(0)
    # on to the next article; undo takes the first one's flag back, not the second's
    qtbot.keyClick(w.view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert w.session.doc_id != first
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL)
    assert notes(project) == {(first, 0): ("", 0)}
    # flagged twice: the flag is taken back, a comment on the article stays
    w.open_document(first)
    answer_dialog(qtbot, "date unclear", flag=False)
    qtbot.keyClick(w.view, Qt.Key.Key_M, CTRL | SHIFT)
    back_in(qtbot, w)
    qtbot.keyClick(w.view, Qt.Key.Key_F, CTRL | SHIFT)
    assert notes(project)[(first, 0)] == ("date unclear", 1)
    qtbot.keyClick(w.view, Qt.Key.Key_F, CTRL | SHIFT)
    assert notes(project)[(first, 0)] == ("date unclear", 0)
    assert w.title_label.text().startswith("✎ ")


def test_a_note_another_program_writes_shows_in_the_window_and_the_command_line_exports_the_windows(
        qtbot, window, project, tmp_path):
    import json
    import subprocess

    from annotator.store import Store
    from annotator.workflows.editing import EditSession
    from tests.conftest import ROOT
    from tests.test_durability import annotator_cmd

    w = window
    doc = w.session.doc_id
    # another program (a second handle here) flags the open article: the window notices and marks it, and its
    # next edit is not refused as a conflict
    with Store(project) as other:
        session = EditSession(other, "ben")
        session.open(doc)
        session.set_note(0, "ben: the date?", True)
    w.check_external_changes()
    assert w.title_label.text().startswith("⚑ ✎ ") and "ben: the date?" in w.title_label.toolTip()
    span = next(s for s in w.view.spans if s.label == "ATTACK")
    w.select_span(span.id)
    answer_dialog(qtbot, "mine")
    qtbot.keyClick(w.view, Qt.Key.Key_M, CTRL)
    back_in(qtbot, w)
    assert notes(project)[(doc, span.id)] == ("mine", 0) and notes(project)[(doc, 0)] == ("ben: the date?", 1)
    # the command line, while the window holds the file, exports both notes in the article's meta
    qtbot.keyClick(w.view, Qt.Key.Key_Return, CTRL)  # accepted: it goes out
    out = tmp_path / "out.jsonl"
    done = subprocess.run(annotator_cmd("export", "--db", project, "--format", "events", "--output", out), cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    meta = json.loads(out.read_text(encoding="utf-8").splitlines()[0])["meta"]
    assert meta["flagged"] is True
    assert [c["text"] for c in meta["comments"]] == ["ben: the date?", "mine"]
    assert meta["comments"][1]["span"] == [span.start, span.end, "ATTACK"]
