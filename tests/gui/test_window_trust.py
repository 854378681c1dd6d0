"""The window keeps its promise: what the editor sees is what is saved, a project that cannot be written says so
and blocks edits, data is shown as plain text, and a window killed after exporting and pre-annotating (while
the command line used the same file) loses none of its edits."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QInputDialog, QToolTip

from annotator.gui.main_window import MainWindow
from tests.conftest import ROOT, SAMPLES
from tests.gui.test_window import db_answer, db_spans, key
from tests.test_between_programs import other_programs_open

CTRL = Qt.KeyboardModifier.ControlModifier


def test_accepting_an_article_accepts_the_suggestions_shown_as_one_undo_step(qtbot, window, project, tmp_path):
    shown = {(s.start, s.end, s.label) for s in window.view.spans}
    assert any(s.state.value == "suggested" for s in window.view.spans)
    # one suggestion removed first: it must stay out
    window.select_span(window.view.spans[0].id)
    removed = window.view.spans[0]
    key(qtbot, window, Qt.Key.Key_Delete)
    shown.discard((removed.start, removed.end, removed.label))
    key(qtbot, window, Qt.Key.Key_Return, CTRL)
    assert db_answer(project, 1) == ("accept", "tester")
    rows = db_spans(project, 1)
    assert {r[:3] for r in rows if r[3] == "accepted"} == shown
    assert (removed.start, removed.end, removed.label, "rejected") in {r[:4] for r in rows}
    # the export holds what the window showed
    from annotator.nlp.pipeline import tokenize
    from annotator.store import Store
    from annotator.workflows.exporting import export

    with Store(project) as store:
        report = export(store, tmp_path / "out.jsonl", tokenizer=tokenize)
    line = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert report.spans == len(shown) and {(s["start"], s["end"], s["label"]) for s in line["spans"]} == shown
    # one undo takes back the answer and the acceptance together
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert db_answer(project, 1) == ("pending", None)
    assert {r[:3] for r in db_spans(project, 1) if r[3] == "suggested"} == shown
    assert {(s.start, s.end, s.label, s.state.value) for s in window.view.spans} == {(*x, "suggested") for x in
                                                                                     shown}
    # redo accepts them again
    key(qtbot, window, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert {r[:3] for r in db_spans(project, 1) if r[3] == "accepted"} == shown


def test_a_project_that_cannot_be_written_blocks_edits_and_says_so_once(qtbot, window, project, capfd):
    before = db_spans(project, 1)
    # the file becomes unwritable under the window (a full disk, a read-only remount, a lock that is kept)
    window.store.conn.execute("PRAGMA query_only = 1")
    text = window.view.toPlainText()
    s = text.index("Rebel commanders")
    window.view.set_selection(s, s + 5)
    key(qtbot, window, Qt.Key.Key_1)
    assert db_spans(project, 1) == before
    assert window.problem_banner.isVisible() and "cannot be saved" in window.problem_banner.text()
    assert window.problem_box.isVisible() and "read-only" in window.problem_box.text()
    first_box = window.problem_box
    first_box.close()  # the editor reads it and goes back to the article
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    # the keys do nothing while it lasts, and the window does not show an unsaved change
    key(qtbot, window, Qt.Key.Key_Return, CTRL)
    assert db_answer(project, 1) == ("pending", None) and window.session.doc_id == 1
    assert not any(sp.label == "ACTOR" and sp.start == s for sp in window.view.spans if sp.state.value == "accepted")
    # two polls later: still one message, no traceback on the terminal
    polls = window._watch.interval() * 2 + 500
    qtbot.wait(polls)
    assert window.problem_box is first_box and not first_box.isVisible() and window.problem_banner.isVisible()
    assert "Traceback" not in capfd.readouterr().err
    # the editor left the warning open
    first_box.show()
    # once the file can be written again, editing is back, and the warning goes away by itself
    window.store.conn.execute("PRAGMA query_only = 0")
    qtbot.waitUntil(lambda: not window.problem_banner.isVisible(), timeout=5000)
    assert not first_box.isVisible() and "editing is back" in window.statusBar().currentMessage()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.set_selection(s, s + 5)
    key(qtbot, window, Qt.Key.Key_1)
    assert (s, s + len("Rebel"), "ACTOR", "accepted", "editor") in db_spans(project, 1)


def test_titles_and_labels_are_shown_as_plain_text(qtbot, tmp_path, qsettings, messages):
    from annotator.core.labels import Label, LabelScheme
    from annotator.core.model import Document, Record, Source, Span, SpanState
    from annotator.store import Store

    db = tmp_path / "html.db"
    title = "<img src=/some/file.png> <b>bold</b> & more"
    label = "<i>X</i>"
    with Store(db) as store:
        scheme = store.scheme
        store.set_scheme(LabelScheme(scheme.name, [*scheme.labels, Label(label, "argument", "#336699", "", "<u>d</u>")],
                                     scheme.description, scheme.entity_map))
        store.documents.add_records([Record(Document(text="Rebels attacked Kidal.", title=title),
                                        [Span(0, 6, label, Source.RULE, SpanState.SUGGESTED)])])
    w = MainWindow(qsettings, "tester")
    qtbot.addWidget(w)
    assert w.open_project(db)
    w.show()
    assert w.title_label.textFormat() == Qt.TextFormat.PlainText and w.title_label.text().startswith(title)
    for shown in (w.title_label.toolTip(), w.queue.data(w.queue.index(0, 0), Qt.ItemDataRole.ToolTipRole),
                  w.label_bar.buttons[label].toolTip()):
        assert "<img" not in shown and "<i>X" not in shown and "<u>" not in shown, shown
    assert "&lt;img src=/some/file.png&gt;" in w.queue.data(w.queue.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert "&lt;i&gt;X&lt;/i&gt;" in w.label_bar.buttons[label].toolTip()
    # hovering the span
    w.view.set_selection(1, 2)
    rect = w.view.cursorRect()
    w.view.event(QHelpEvent(QEvent.Type.ToolTip, rect.center(), w.view.mapToGlobal(rect.center())))
    assert "&lt;i&gt;X&lt;/i&gt;" in QToolTip.text() and "<i>X" not in QToolTip.text()
    # the label's menu entry and button show the name, & included
    assert any(a.text() == label for a in w.labels_menu.actions())


def first_start(qtbot, project: Path, settings_path: Path) -> str:
    """The settings file a window on `project` leaves when it is closed."""
    first = QSettings(str(settings_path), QSettings.Format.IniFormat)
    first.setValue("editor", "tester")
    w1 = MainWindow(first, "tester")
    qtbot.addWidget(w1)
    assert w1.open_project(project)
    w1.close()
    first.sync()
    return settings_path.read_text()


def test_open_recent_lists_whole_paths_after_a_second_start(qtbot, project, tmp_path, messages):
    settings_path = tmp_path / "settings.ini"
    # one project: stored as a plain string
    assert f"recent={project.resolve()}" in first_start(qtbot, project, settings_path)
    # a second start is a new process: Qt reads the file afresh (within one process it caches it by name)
    again = tmp_path / "second-start.ini"
    again.write_text(settings_path.read_text())
    from annotator.gui.app import create_window

    w2 = create_window(None, QSettings(str(again), QSettings.Format.IniFormat))
    qtbot.addWidget(w2)
    assert w2.store is not None and w2.store.path.resolve() == project.resolve()
    assert [a.text() for a in w2.recent_menu.actions()] == [str(project.resolve())]


def test_a_cancelled_name_prompt_is_said_and_the_name_can_be_changed(qtbot, project, tmp_path, monkeypatch,
                                                                     messages):
    from annotator.gui import app

    monkeypatch.delenv("ANNOTATOR_EDITOR", raising=False)
    monkeypatch.setattr(app, "login_name", lambda: "jdoe")
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("", False)))
    s = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = app.create_window(project, s)
    qtbot.addWidget(w)
    with qtbot.waitActive(w):
        w.show()
        w.activateWindow()
    assert w.editor == "jdoe" and "No name given" in w.statusBar().currentMessage()
    assert s.value("editor") is None  # asked again next time
    # File > Your name…
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Ana Lima", True)))
    action = next(a for a in w.menuBar().actions()[0].menu().actions() if a.text() == "Your na&me…")
    action.trigger()
    assert w.editor == "Ana Lima" and s.value("editor") == "Ana Lima"
    assert "Ana Lima" in w.editor_label.text()
    key(qtbot, w, Qt.Key.Key_Return, CTRL)
    assert db_answer(project, 1) == ("accept", "Ana Lima")


WINDOW = r"""
import sys, time
from pathlib import Path
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from annotator.gui.main_window import MainWindow

db, out, settings = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
app = QApplication([])
s = QSettings(settings, QSettings.Format.IniFormat)
w = MainWindow(s, "window")
assert w.open_project(db)
w.show()

def wait_job():
    deadline = time.monotonic() + 120
    while w._thread is not None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    assert w._thread is None, "the job did not end"

w.export(out)
wait_job()
w.preannotate(current=False)
wait_job()
print("ready", flush=True)
sys.stdin.readline()  # the command line works on the same file meanwhile
for _ in range(3):
    app.processEvents()
    time.sleep(0.6)  # the window's poll runs meanwhile
text = w.view.toPlainText()
# a link by keys: the event in focus, Shift+W (time), Tab to the second candidate, Enter
shelling = text.index("shelling killed")
w.select_span(next(sp.id for sp in w.session.spans if sp.start == shelling and sp.label == "ATTACK"))
QTest.keyClick(w.view, Qt.Key.Key_W, Qt.KeyboardModifier.ShiftModifier)
QTest.keyClick(w.view, Qt.Key.Key_Tab)
QTest.keyClick(w.view, Qt.Key.Key_Return)
# a second handle on the file in this same process, opened and closed
from annotator.store import Store
for _ in range(3):
    Store(db).close()
s = text.index("Rebel commanders")
w.view.set_selection(s, s + 5)
QTest.keyClick(w.view, Qt.Key.Key_1)
QTest.keyClick(w.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
doc = w.session.doc_id
w.view.set_selection(0, 3)
QTest.keyClick(w.view, Qt.Key.Key_2)
app.processEvents()
print("edited", doc, w.problem, flush=True)
sys.stdin.readline()  # killed here
"""


def test_a_window_killed_after_export_and_preannotation_keeps_every_edit(project, tmp_path):
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-c", WINDOW, str(project), str(out), str(tmp_path / "s.ini")],
                            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        assert out.exists()
        other_programs_open(project, ["stats", "--db", project], ["import", SAMPLES, "--db", project],
                            ["export", "--db", project, "--output", tmp_path / "cli.jsonl"])
        proc.stdin.write("go\n")
        proc.stdin.flush()
        line = proc.stdout.readline().split()
        assert line[:1] == ["edited"] and line[-1] == "None", (line, proc.stderr.read())
        doc = int(line[1])
        # the command line reads the window's link while the window is still open
        events = tmp_path / "events.jsonl"
        other_programs_open(project, ["export", "--db", project, "--format", "events", "--output", events])
        first = json.loads(events.read_text(encoding="utf-8").splitlines()[0])
        assert any(e["trigger"]["text"] == "shelling" and ("time", "Tuesday") in
                   [(a["role"], a["text"]) for a in e["arguments"]] for e in first["events"])
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    conn = sqlite3.connect(f"file:{project}?mode=ro", uri=True)
    text = conn.execute("SELECT text FROM documents WHERE id = 1").fetchone()[0]
    s = text.index("Rebel commanders")
    assert conn.execute("SELECT answer, answered_by FROM documents WHERE id = 1").fetchone() == ("accept", "window")
    assert conn.execute('SELECT state FROM spans WHERE doc_id = 1 AND start = ? AND "end" = ? AND label = ?',
                        (s, s + 5, "ACTOR")).fetchone() == ("accepted",)
    assert doc == 2
    assert conn.execute("SELECT label FROM spans WHERE doc_id = 2 AND start = 0 AND state = 'accepted' AND "
                        "created_by = 'window'").fetchall() == [("TARGET",)]
    # the link made by keys, and the suggested links accepted with the article, survive the kill
    tuesday = text.index("Tuesday")
    assert conn.execute(
        "SELECT l.state, l.created_by FROM links l JOIN spans e ON e.id = l.event_id JOIN spans a ON a.id = l.arg_id "
        "WHERE l.doc_id = 1 AND l.role = 'time' AND e.start = ? AND a.start = ?", (text.index("shelling killed"),
                                                                                  tuesday)).fetchone() == (
        "accepted", "window")
    states = dict(conn.execute("SELECT state, count(*) FROM links WHERE doc_id = 1 GROUP BY state").fetchall())
    assert "suggested" not in states and states["accepted"] > 5
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_a_settings_file_with_values_of_the_wrong_type_still_opens_the_window(qtbot, project, tmp_path, messages):
    """The settings file is text anyone may edit (and another version may have written): a window place, a
    panels' layout, an article or a reading place that is not what it must be is as good as none."""
    import re

    saved = first_start(qtbot, project, tmp_path / "settings.ini")
    assert "geometry=" in saved and "state=" in saved and "\\doc=" in saved and "\\top=" in saved
    for doc, top in (("not a number", "x"), ("999999", "-5"), ("", "1e400")):
        text = re.sub(r"(?m)^geometry=.*$", "geometry=a window place", saved)
        text = re.sub(r"(?m)^state=.*$", "state=7", text)
        text = re.sub(r"(?m)^(.*\\doc)=.*$", lambda m, doc=doc: f"{m[1]}={doc}", text)
        text = re.sub(r"(?m)^(.*\\top)=.*$", lambda m, top=top: f"{m[1]}={top}", text)
        edited = tmp_path / f"edited-{len(doc)}.ini"
        edited.write_text(text)
        from annotator.gui.app import create_window

        w = create_window(None, QSettings(str(edited), QSettings.Format.IniFormat))
        qtbot.addWidget(w)
        with qtbot.waitActive(w):
            w.show()
            w.activateWindow()
        assert w.store is not None and w.store.path.resolve() == project.resolve()
        assert w.session.doc is not None and w.title_label.full_text()  # an article is open
        assert not messages, messages  # and nothing to tell
