"""Tools > Pre-train on the articles… and Tools > Train model…: (pre-)training in the background with progress and
Cancel, training from the pre-trained weights beside the project (or random ones, or another file), the per-label
table at the end, and the offer to re-suggest the pending articles with the new model."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QLabel, QMessageBox, QPlainTextEdit, QPushButton

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


def train_from_the_dialog(qtbot, window, name: str, keys: tuple = (), see=None, ask=None) -> None:
    """Tools > Train model… (or `ask()`) as an editor answers it: types the model's name over the one proposed,
    presses `keys` on the start-from list (each a key, or a callable run there), lets `see(form)` look at the form,
    then Return."""
    seen: list[BaseException] = []

    def answer() -> None:
        form = window.train_form
        try:
            assert form is not None and form.isVisible()
            if see is not None:
                see(form)
            for k in keys:
                k() if callable(k) else qtbot.keyClick(form.start, k)
            form.name.setFocus()
            form.name.selectAll()
            qtbot.keyClicks(form.name, name)
            qtbot.keyClick(form.name, Qt.Key.Key_Return)  # the dialog's default button: Train
        except BaseException as exc:  # noqa: BLE001 - raised again below, once the dialog no longer waits
            seen.append(exc)
        finally:
            if form is not None and form.isVisible():
                form.reject()

    QTimer.singleShot(0, answer)
    (ask or action(window, "Train model…").trigger)()
    assert window.train_form is None  # asked, answered, gone
    if seen:
        raise seen[0]


def starts(form) -> list[str]:
    return [form.start.itemText(i) for i in range(form.start.count())]


def test_train_from_the_window_shows_progress_and_the_table_and_re_suggests_the_pending_articles(
        qtbot, window, project, monkeypatch):
    new = accept_all_and_add_pending(project)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes))
    offered = []
    train_from_the_dialog(qtbot, window, "first", see=lambda form: offered.append(starts(form)))
    # nothing pre-trained beside the project: random weights, or a file to choose
    assert offered == [["random weights", "pre-trained weights from another file…"]]
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
    # each part below the one before, none drawn over another (wrapped labels once overlapped the table)
    head, tail = sorted(dialog.findChildren(QLabel), key=lambda w: w.geometry().top())
    parts = [head, dialog.findChild(QPlainTextEdit), tail, dialog.findChild(QDialogButtonBox)]
    assert all(a.geometry().bottom() < b.geometry().top() for a, b in zip(parts, parts[1:]))
    assert all(w.height() >= w.heightForWidth(w.width()) for w in (head, tail))  # every line of them shown
    text = dialog.findChild(QPlainTextEdit).toPlainText()
    said = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "12 dev article(s)" not in said and "training and" in said and "<" not in said  # plain words, no tags
    assert "from random weights" in said and "init_tok2vec" not in meta["annotator"]
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


def test_cancel_stops_the_training_and_saves_nothing(qtbot, window, project, messages):
    accept_all_and_add_pending(project)
    train_from_the_dialog(qtbot, window, "stopped")
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


def test_training_with_nothing_accepted_says_why_in_a_message(qtbot, window, project, messages):
    train_from_the_dialog(qtbot, window, "none")
    qtbot.waitUntil(lambda: window._thread is None, timeout=60_000)
    assert messages and messages[0][0] == "warning" and "0 accepted article(s)" in messages[0][1]
    assert not (project.parent / "models" / "none").exists()


def test_the_training_dialog_names_the_models_folder_in_full_for_a_project_opened_by_a_relative_path(
        qtbot, window, tmp_path, monkeypatch):
    # "saved in models" says nothing to an editor who does not know where the window was started
    from annotator.gui.window_training import TrainDialog

    monkeypatch.chdir(tmp_path)
    dialog = TrainDialog(window, Path("demo.db"))
    qtbot.addWidget(dialog)
    intro = dialog.findChildren(QLabel)[0].text()
    assert f"saved in {tmp_path / 'models'}." in intro


def test_choose_model_opens_on_the_projects_models_folder_not_the_folder_the_window_started_in(
        qtbot, window, project, tmp_path, monkeypatch):
    """Where Train model… saves: the models/ folder beside the project, wherever the window was started."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: asked.append(a[2]) or ""))
    window.choose_model_dialog()
    assert asked == [str(project.resolve().parent / "models")]


@pytest.mark.parametrize("entry", ["Train model…", "Pre-train on the articles…"])
def test_a_busy_window_says_so_before_asking_anything(qtbot, window, monkeypatch, entry):
    # while a job runs, Train model… and Pre-train… say so at once instead of asking first and refusing after
    monkeypatch.setattr(window, "_thread", object())
    monkeypatch.setattr(QDialog, "exec", lambda self: pytest.fail("asked"))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: pytest.fail("asked"))
    action(window, entry).trigger()
    assert window.statusBar().currentMessage() == "Another job is running; wait for it or cancel it"
    assert window.train_form is None and window._pretraining is None


def test_a_model_name_that_would_leave_the_models_folder_is_refused(qtbot, window, project, messages):
    for name in ("../outside", "a/b", ".hidden"):
        train_from_the_dialog(qtbot, window, name)
        assert window._thread is None  # nothing started
        assert messages[-1][0] == "warning" and "cannot name the model's folder" in messages[-1][1]
    assert not (project.parent / "outside").exists() and not (project.parent / "models").exists()


def test_pretrain_from_the_window_while_the_editor_works_then_train_from_its_weights(
        qtbot, window, project, monkeypatch, messages):
    """Tools > Pre-train: it says what it reads, for how long and where it writes; it runs in the background while
    the editor answers articles; Train model… then starts from its weights by default, and the model says so."""
    import hashlib

    from annotator.workflows import pretraining
    from tests.gui.test_window import key
    from tests.workflows.test_pretraining import _tok2vec

    new = accept_all_and_add_pending(project)
    window.open_document(new[0])  # a new article, pending
    monkeypatch.setattr(pretraining, "WORDS_READ", 1)  # one pass, whatever the size: the test's time
    with Store(project, readonly=True) as store:
        words = sum(len(t.split()) for (t,) in store.conn.execute("SELECT text FROM documents"))
    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes))
    action(window, "Pre-train on the articles…").trigger()
    weights = project.parent / "models" / "project-tok2vec.bin"
    assert len(asked) == 1 and "all 15 article(s)" in asked[0] and f"({words:,} words)" in asked[0]
    assert "1 pass(es), about 1 minute(s)" in asked[0] and str(weights) in asked[0] and "replacing" not in asked[0]
    assert window._worker is not None and window.job_bar.isVisible() and window.job_cancel.isVisible()
    progress = []
    window._worker.progress.connect(lambda done, total: progress.append((done, total)))
    qtbot.waitUntil(lambda: bool(progress) or window._thread is None, timeout=60_000)
    assert window._thread is not None  # still pre-training
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # the editor works on meanwhile
    qtbot.waitUntil(lambda: window._thread is None, timeout=120_000)
    assert messages == []
    assert progress and progress == sorted(progress) and progress[-1] == (15, 15)
    assert window.statusBar().currentMessage().startswith("Pre-trained project-tok2vec.bin on 15 article(s)")
    _tok2vec().from_bytes(weights.read_bytes())  # the weights of the tok2vec training builds
    assert sorted(p.name for p in weights.parent.iterdir()) == ["project-tok2vec.bin"]  # nothing beside them
    with Store(project, readonly=True) as second:
        assert second.conn.execute("SELECT answer FROM documents WHERE id = ?", (new[0],)).fetchone()[0] == "accept"
    # told in a box that stays (the editor may be elsewhere after half an hour), whose button trains from them
    box = window.pretrain_result
    assert box.isVisible() and "Pre-trained project-tok2vec.bin on 15 article(s)" in box.text()
    assert re.search(r"1 pass\(es\), in \d+ s: Train model… starts from it", box.text())
    assert "<" not in box.text().replace("<p>", "").replace("</p>", "")

    offered = []
    train_from_the_dialog(qtbot, window, "warm", see=lambda form: offered.append(
        (starts(form), form.start.currentIndex())), ask=lambda: qtbot.mouseClick(
            box.findChild(QPushButton, "train"), Qt.MouseButton.LeftButton))
    assert not box.isVisible()
    (listed, current), = offered
    assert listed[0].startswith("pre-trained weights project-tok2vec.bin (") and current == 0
    assert listed[1:] == ["random weights", "pre-trained weights from another file…"]
    assert "Training warm from project-tok2vec.bin" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window._thread is None, timeout=180_000)
    meta = json.loads((project.parent / "models" / "warm" / "meta.json").read_text(encoding="utf-8"))
    assert meta["annotator"]["init_tok2vec"] == {"file": str(weights.resolve()),
                                                 "sha256": hashlib.sha256(weights.read_bytes()).hexdigest()}
    assert window.statusBar().currentMessage().startswith("Trained warm from project-tok2vec.bin in")
    said = " ".join(label.text() for label in window.train_result.findChildren(QLabel))
    assert "from the pre-trained weights project-tok2vec.bin" in said
    assert messages == []


def test_a_cancelled_pretraining_keeps_the_earlier_weights(qtbot, window, project, monkeypatch, messages):
    accept_all_and_add_pending(project)  # over the 1,000 words pre-training needs
    weights = project.parent / "models" / "project-tok2vec.bin"
    weights.parent.mkdir()
    weights.write_bytes(b"the earlier weights")
    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes))
    action(window, "Pre-train on the articles…").trigger()
    assert "(replacing the ones there)" in asked[0] and "1,000 pass(es)" in asked[0]  # 15 short articles: the most
    started = []
    window._worker.progress.connect(lambda done, total: started.append(done))
    # the list is told in the worker's thread, the status bar in the window's, later
    qtbot.waitUntil(lambda: ": pass " in window.statusBar().currentMessage(), timeout=60_000)  # spaCy reads them
    said = window.statusBar().currentMessage()
    assert re.fullmatch(r"Pre-training project-tok2vec\.bin: pass \d+ of 1000 \(Cancel stops it, nothing saved\)", said)
    assert 1 <= int(said.split()[3]) <= (max(started) - 1) // 15 + 1 and max(started) < 15 * 1000
    qtbot.mouseClick(window.job_cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window._thread is None, timeout=60_000)
    assert window.statusBar().currentMessage() == "Pre-training cancelled: nothing was saved"
    assert weights.read_bytes() == b"the earlier weights"
    assert sorted(p.name for p in weights.parent.iterdir()) == ["project-tok2vec.bin"]
    assert messages == [] and window._pretraining is None and window.pretrain_result is None  # no box
    # a second job may start at once
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.No))
    action(window, "Pre-train on the articles…").trigger()
    assert window._thread is None and weights.read_bytes() == b"the earlier weights"


def test_pretraining_a_project_with_too_few_words_says_so_and_starts_nothing(qtbot, window, tmp_path, monkeypatch,
                                                                             messages):
    from annotator.core.model import Document, Record

    small = tmp_path / "small.db"
    with Store(small) as store:
        store.documents.add_records([Record(Document(text="Two soldiers were killed in Kherson."))])
    assert window.open_project(small)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: pytest.fail("asked")))
    action(window, "Pre-train on the articles…").trigger()
    assert window._thread is None
    assert messages and messages[0][0] == "information"
    assert "small.db holds 1 article(s), 6 word(s)" in messages[0][1] and "at least 1,000 words" in messages[0][1]
    assert not (tmp_path / "models").exists()


def test_training_from_another_file_that_holds_no_weights_is_refused_by_name(qtbot, window, project, monkeypatch,
                                                                             messages):
    """The start-from list's last entry asks for a file: a chooser closed without one leaves the choice as it was;
    a file that is not pre-trained weights is refused by name before any training, and no model is left."""
    accept_all_and_add_pending(project)
    notes = project.parent / "notes.bin"
    notes.write_text("not weights\n", encoding="utf-8")
    chosen = iter(["", str(notes)])
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (next(chosen), "")))
    seen = []

    def look(form):
        seen.append((form.start.currentText(), form.weights()))

    train_from_the_dialog(qtbot, window, "bad", keys=(Qt.Key.Key_End, lambda: look(window.train_form),
                                                      Qt.Key.Key_End, lambda: look(window.train_form)))
    assert seen == [("random weights", None), (f"pre-trained weights notes.bin ({project.parent})", notes)]
    qtbot.waitUntil(lambda: window._thread is None, timeout=60_000)
    assert messages and messages[0][0] == "warning"
    assert f"{notes}: not tok2vec weights written by `annotator pretrain`" in messages[0][1]
    assert not (project.parent / "models" / "bad").exists() and not list((project.parent / "models").glob(".bad*"))
    assert window._training is None and window.train_result is None


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
