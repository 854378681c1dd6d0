"""Where the work goes, in the real window: a controlled clock stands in for the editor's time; keys and clicks
drive the window; the database says what was recorded after each step."""

from __future__ import annotations

import json
import sqlite3

from PySide6.QtCore import QSettings, Qt

from tests.conftest import FakeClock as Clock

CTRL = Qt.KeyboardModifier.ControlModifier


def bars(plot) -> list:
    import pyqtgraph as pg

    return [i for i in plot.getPlotItem().items if isinstance(i, pg.BarGraphItem)]


def last_work(path, n: int = 1) -> list[tuple]:
    """The last `n` change log entries: (action, article, who, work record)."""
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT action, doc_id, who, detail FROM changes ORDER BY id DESC LIMIT ?", (n,)).fetchall()
    conn.close()
    return [(a, d, w, json.loads(x).get("work") if x else None) for a, d, w, x in reversed(rows)]


def effort(path, doc_id: int) -> tuple:
    conn = sqlite3.connect(path)
    row = conn.execute("SELECT ms, k_draw, k_delete, k_answer, answer, flag FROM effort WHERE doc_id = ? AND "
                       "editor = 'tester'", (doc_id,)).fetchone()
    conn.close()
    return row


def test_the_window_records_the_editors_time_and_actions(qtbot, window, project, qsettings):
    # opening the project opened its first article: recorded, and the editor is told once
    conn = sqlite3.connect(project)
    words = len(conn.execute("SELECT text FROM documents WHERE id = 1").fetchone()[0].split())
    conn.close()
    assert last_work(project)[0][0] == "preannotate"  # the opening is written once the editor stays a moment
    qtbot.waitUntil(lambda: last_work(project)[0][0] == "opened", timeout=3000)
    assert last_work(project) == [("opened", 1, "tester", {"kind": "opened", "ms": 0, "words": words, "hidden": 0})]
    assert window.effort_notice.isVisible() and window.record_action.isChecked()
    clock = Clock()
    window.activity.now = clock
    window.activity.take()
    text = window.view.toPlainText()
    s = text.index("Rebel commanders")
    clock.wait(5)
    window.view.set_selection(s, s + 16)
    qtbot.keyClick(window.view, Qt.Key.Key_1)  # ACTOR: drawn
    assert last_work(project) == [("add_span", 1, "tester", {"kind": "draw", "ms": 5000, "label": "ACTOR"})]
    clock.wait(200)  # away for over two minutes: none of it counts
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)  # the new span is selected: removed
    assert last_work(project) == [("set_state", 1, "tester", {"kind": "delete", "ms": 0, "label": "ACTOR"})]
    clock.wait(3)
    qtbot.mouseMove(window.view)  # reading: the mouse keeps the clock running
    clock.wait(4)
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)  # accepted; the next pending article opens
    qtbot.waitUntil(lambda: last_work(project)[0][0] == "opened")  # recorded once the article shows
    assert [r[:2] + (r[3]["kind"], r[3]["ms"]) for r in last_work(project, 2)] == [
        ("answer", 1, "answer", 7000), ("opened", 2, "opened", 0)]
    assert effort(project, 1) == (12_000, 1, 1, 1, "accept", "")
    # the next article accepted at a glance: flagged for a look, and the queue's filter lists it
    clock.wait(0.2)
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)
    assert effort(project, 2)[4:] == ("accept", "fast")
    window.filter_box.setCurrentIndex(window.filter_box.findText("Accepted in haste (for a look)"))
    qtbot.waitUntil(lambda: window.queue.rowCount() == 1)
    assert window.queue.doc_id(0) == 2
    window.open_document(2)  # the reviewer sees why: a mark in the title, the reason in its tooltip
    assert window.title_label.text().startswith("⚡ ")
    assert "⚡ tester: accepted faster than it can be read (0.2 s for " in window.title_label.toolTip()
    window.filter_box.setCurrentIndex(0)
    # the statistics view shows what was recorded
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL | Qt.KeyboardModifier.ShiftModifier)
    view = window.stats_view
    qtbot.waitUntil(view.isVisible)
    tester = view.figures["editors"]["tester"]
    assert tester["articles"] == 2 and tester["actions_by_kind"]["draw"] == 1 and tester["flagged"] == {"fast": 1}
    assert "2 article(s) answered" in view.summary.text() and "1 article(s) flagged" in view.summary.text()
    days = bars(view.plots["days"])
    assert len(days) == 1 and list(days[0].opts["height"]) == [2]  # today's two answers
    kept_changed_deleted = bars(view.plots["outcomes"])
    assert len(kept_changed_deleted) == 3  # one stack a part, a row a label whose suggestions were decided
    kept = sum(kept_changed_deleted[0].opts["width"])  # the suggestions the two answers accepted as they were
    assert kept == sum(v["kept"] for v in view.figures["suggestions"]["by_label"].values()) > 0
    # the team lead hides the suggestions of a fifth of the articles from here
    assert view.share.value() == 0 and view.share.isEnabled()
    view.share.setValue(20)
    view.seed.setText("9")
    qtbot.mouseClick(view.apply_share, Qt.MouseButton.LeftButton)
    assert window.store.effort.hide_setting() == (0.2, "9")
    assert "hidden on 20% of the articles" in view.summary.text()
    assert last_work(project)[0][:3] == ("set_hide", None, "tester")
    window.store.effort.set_hide(0.0, "0")
    view.close()
    # turned off from the notice: nothing more of the time is recorded, and the notice is not shown again
    qtbot.mouseClick(window.notice_off, Qt.MouseButton.LeftButton)
    assert not window.effort_notice.isVisible() and not window.record_action.isChecked()
    window.open_document(5)
    clock.wait(9)
    qtbot.keyClick(window.view, Qt.Key.Key_K, CTRL)  # skipped
    assert last_work(project)[0][:2] == ("answer", 5) and last_work(project)[0][3]["ms"] == 0
    assert not any(r[0] == "opened" and r[1] == 5 for r in last_work(project, 5))
    window.close()
    from annotator.gui.main_window import MainWindow

    again = MainWindow(QSettings(qsettings.fileName(), QSettings.Format.IniFormat), "tester")
    qtbot.addWidget(again)
    assert again.open_project(project)
    assert not again.record_action.isChecked() and again.session.clock is None
    assert not again.effort_notice.isVisibleTo(again)


def test_an_article_without_suggestions_shows_none_and_accepting_it_accepts_none(qtbot, window, project):
    from annotator.core.effort import hidden

    window.store.effort.set_hide(0.5, "3")
    conn = sqlite3.connect(project)
    hashes = dict(conn.execute("SELECT id, input_hash FROM documents"))
    conn.close()
    doc = next(d for d, h in sorted(hashes.items()) if hidden(h, 0.5, "3") and d != 1)
    window.open_document(doc)
    assert window.session.hidden and window.view.spans == [] and window.span_list.rowCount() == 0
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)
    conn = sqlite3.connect(project)
    states = {r[0] for r in conn.execute("SELECT state FROM spans WHERE doc_id = ?", (doc,))}
    hid = conn.execute("SELECT hidden FROM effort WHERE doc_id = ?", (doc,)).fetchone()[0]
    conn.close()
    assert states == {"suggested"} and hid == 1
    shown = next(d for d, h in sorted(hashes.items()) if not hidden(h, 0.5, "3"))
    window.open_document(shown)
    assert not window.session.hidden and window.view.spans
