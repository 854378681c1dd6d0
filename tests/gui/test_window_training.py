"""Tools > Train model…: training in the background with progress and Cancel, the per-label table at the end, and
the offer to re-suggest the pending articles with the new model."""

from __future__ import annotations

import json
import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLabel, QMessageBox, QPlainTextEdit, QPushButton

from annotator.core.model import Answer, Document, Record
from annotator.store import Store


def accept_all_and_add_pending(project, n_pending: int = 3) -> list[int]:
    """Another program: the editors' work (every sample accepted as the rules suggested it), and new articles."""
    with Store(project) as store:
        for (doc_id,) in store.conn.execute("SELECT id FROM documents").fetchall():
            store.annotations.accept_all(doc_id, "ed")
            store.annotations.set_answer(doc_id, Answer.ACCEPT, "ed")
        texts = [store.documents.document(i).text for i in (1, 2, 3)][:n_pending]
        return store.documents.add_records([Record(Document(text=t + "\n\nUpdated.")) for t in texts]).ids


def action(window, text: str):
    return next(a for a in window.command_actions if a.text().replace("&", "") == text)


def test_train_from_the_window_shows_progress_and_the_table_and_re_suggests_the_pending_articles(
        qtbot, window, project, monkeypatch):
    new = accept_all_and_add_pending(project)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("first", True)))
    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes))
    action(window, "Train model…").trigger()
    assert window._worker is not None and window.job_bar.isVisible() and window.job_cancel.isVisible()
    epochs = []
    window._worker.progress.connect(lambda done, total: epochs.append((done, total)))
    qtbot.waitUntil(lambda: window._thread is None, timeout=180_000)
    model = project.parent / "models" / "first"
    meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
    assert meta["annotator"]["train_articles"] + meta["annotator"]["dev_articles"] == 12
    assert epochs and all(total == 30 for _, total in epochs) and epochs == sorted(epochs)
    assert window.job_bar.isHidden()
    said = window.statusBar().currentMessage()
    assert "Trained first" in said
    # each F1 named by whose it is: the model's own score never hides behind the choice per label
    figures = meta["annotator"]["compare"]["(all)"]
    assert f"the model alone {figures['model']['f']:.2f}" in said and f"the rules {figures['rules']['f']:.2f}" in said
    assert f"what pre-annotation will use (the better per label) {figures['chosen']['f']:.2f}" in said
    dialog = window.train_result
    assert dialog.isVisible()
    text = dialog.findChild(QPlainTextEdit).toPlainText()
    said = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "12 dev article(s)" not in said and "training and" in said and "<" not in said  # plain words, no tags
    assert text.splitlines()[0].split() == ["label", "gold", "rules", "model", "both", "used"]
    assert any(line.startswith("ATTACK") for line in text.splitlines())
    # below, the links per role: the editors accepted the rule's own links, so the learned ones never beat it
    lines = text.splitlines()
    at = lines.index(next(line for line in lines if line.split()[:2] == ["link", "role"]))
    roles = [line.split() for line in lines[at + 1:] if line[:1].isalpha() and not line.startswith(("all", "links"))]
    assert roles and all(row[-1].rstrip("*") == "rules" for row in roles)
    assert "no better than the rule" in text and "Its links are suggested" not in said
    # the editor takes the offer: the model is chosen (it lost to the rules everywhere, so the window asks
    # first), and the 3 pending articles are suggested again with it, each judged for "most useful first"
    use = dialog.findChild(QPushButton, "use")
    assert use is not None and "3 article(s)" in use.text()
    qtbot.mouseClick(use, Qt.MouseButton.LeftButton)
    assert asked and "scored below the rules" in asked[0]
    assert window.model() == str(model)
    qtbot.waitUntil(lambda: window._thread is None, timeout=60_000)
    conn = sqlite3.connect(project)
    judged = [d for (d,) in conn.execute("SELECT doc_id FROM priorities ORDER BY doc_id")]
    conn.close()
    assert judged == new


def test_cancel_stops_the_training_and_saves_nothing(qtbot, window, project, monkeypatch, messages):
    accept_all_and_add_pending(project)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("stopped", True)))
    action(window, "Train model…").trigger()
    started = []
    window._worker.progress.connect(lambda done, total: started.append(done))
    qtbot.waitUntil(lambda: bool(started), timeout=60_000)  # spaCy's loop is running
    qtbot.mouseClick(window.job_cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window._thread is None, timeout=60_000)
    assert window.statusBar().currentMessage() == "Training cancelled: nothing was saved"
    assert not (project.parent / "models" / "stopped").exists()
    assert not list((project.parent / "models").glob(".stopped*"))  # no work folder left behind
    assert window.train_result is None  # no table, no offer
    assert messages == []


def test_training_with_nothing_accepted_says_why_in_a_message(qtbot, window, project, monkeypatch, messages):
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("none", True)))
    action(window, "Train model…").trigger()
    qtbot.waitUntil(lambda: window._thread is None, timeout=60_000)
    assert messages and messages[0][0] == "warning" and "0 accepted article(s)" in messages[0][1]
    assert not (project.parent / "models" / "none").exists()


def test_a_model_name_that_would_leave_the_models_folder_is_refused(qtbot, window, project, monkeypatch, messages):
    for name in ("../outside", "a/b", ".hidden"):
        monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, name=name, **k: (name, True)))
        action(window, "Train model…").trigger()
        assert window._thread is None  # nothing started
        assert messages[-1][0] == "warning" and "cannot name the model's folder" in messages[-1][1]
    assert not (project.parent / "outside").exists() and not (project.parent / "models").exists()


def test_pretraining_between_the_window_the_command_line_a_second_handle_and_a_kill(qtbot, window, project, tmp_path):
    """The window holds the project while the command line imports articles and pre-trains on them: a pre-training
    killed with -9 half-way leaves no weights and takes none of the window's writes; one that finishes writes its
    weights and cleans up after the killed one; the window's answers, given before, between and after, are read by
    a second handle in the same process and by another process; the project is only ever read by pre-training."""
    import subprocess
    import sys

    from tests.conftest import ROOT, json_from_another_process
    from tests.gui.test_window import key
    from tests.workflows.test_pretraining import KILLED, WIKINEWS

    some = tmp_path / "wikinews-20.jsonl"
    some.write_text("".join(WIKINEWS.read_text(encoding="utf-8").splitlines(keepends=True)[:20]), encoding="utf-8")
    rows = window.queue.rowCount()
    done = subprocess.run([sys.executable, "-m", "annotator", "import", "--db", str(project), str(some)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: window.queue.rowCount() == rows + 20, timeout=window._watch.interval() * 3)
    answered = []

    def accept_the_open_article() -> None:
        answered.append(window.session.doc.id)
        key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    accept_the_open_article()
    weights = tmp_path / "tok2vec.bin"
    killed = subprocess.run([sys.executable, "-c", KILLED, str(project), str(weights)], capture_output=True,
                            text=True, cwd=ROOT, timeout=300)
    assert killed.returncode == -9, killed.stderr
    assert not weights.exists() and [p.name for p in tmp_path.glob(".tok2vec.bin.*.pretrain.part")]
    accept_the_open_article()
    finished = subprocess.Popen([sys.executable, "-m", "annotator", "pretrain", "--db", str(project), "--output",
                                 str(weights), "--epochs", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
    qtbot.waitUntil(lambda: any(tmp_path.glob(".tok2vec.bin.*.pretrain.part/articles.jsonl")), timeout=60_000)
    accept_the_open_article()  # while it runs
    out, err = finished.communicate(timeout=300)
    assert finished.returncode == 0, err
    assert "on 32 article(s)" in out and "removed 1 folder(s) a killed pre-training" in out
    assert weights.stat().st_size > 0 and not list(tmp_path.glob(".tok2vec.bin.*"))
    accept_the_open_article()
    assert len(set(answered)) == 4
    with Store(project, readonly=True) as second:  # a second handle in the same process
        got = dict(second.conn.execute(
            f"SELECT id, answer FROM documents WHERE id IN ({','.join('?' * len(answered))})", answered).fetchall())
        assert got == dict.fromkeys(answered, "accept")
    read = ("import json, sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1])\n"
            "print(json.dumps([c.execute('SELECT count(*) FROM documents').fetchone()[0],"
            " dict(c.execute(\"SELECT id, answer FROM documents WHERE answer = 'accept'\").fetchall()),"
            " c.execute('PRAGMA quick_check').fetchone()[0]]))\n")
    count, accepted, check = json_from_another_process(read, project)
    assert count == 32 and {int(i) for i in accepted} == set(answered) and check == "ok"
