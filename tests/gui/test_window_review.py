"""The review in the window, driven as a reviewer would: the queue's "To review, worst first" filter, whose layers
each span came from, Alt+N to take an editor's version (with undo and redo), Ctrl+Enter to settle the article and
go on to the next worst, and the agreement chart."""

from __future__ import annotations

import json
import sqlite3

import pytest
from PySide6.QtCore import QPoint, Qt

from annotator.core.model import Answer
from annotator.store import Store
from annotator.workflows.editing import EditSession
from annotator.workflows.team import merge, pack


@pytest.fixture
def team(project, tmp_path):
    """The sample project as a team's: ana accepts every suggestion of her articles; ben removes the first
    suggestion of each (the last two of the six: one more), then accepts. Merged, and prepared for review."""
    def work(session: EditSession, editor: str) -> None:
        for (doc_id,) in session.store.conn.execute("SELECT id FROM documents ORDER BY id LIMIT 6").fetchall():
            session.open(doc_id)
            if editor == "ben":
                for span in session.spans[: 2 if doc_id >= 5 else 1]:
                    session.delete(span.id)
            session.set_answer(Answer.ACCEPT)

    assert two_editors(project, tmp_path, work).disputed == 6
    return project


def two_editors(project, tmp_path, work):
    """ana and ben each get the project's articles in a file, `work(session, editor)` in it, merged back and
    prepared for review by rita; the review's report."""
    store = Store(project)
    store.team.assign(["ana", "ben"], 2)
    for e in ("ana", "ben"):
        pack(store, e, tmp_path / f"{e}.db")
    for e in ("ana", "ben"):
        with Store(tmp_path / f"{e}.db") as mine:
            work(EditSession(mine, e), e)
    merge(store, [tmp_path / "ana.db", tmp_path / "ben.db"])
    report = store.team.prepare_review(1.0, "rita")
    store.close()
    return report


@pytest.fixture
def review_window(team, window):
    """The window on the team's project (opened after the review was prepared), as the reviewer, who is no
    assigned editor, with the queue's review filter chosen."""
    from annotator.gui.main_window import FILTERS

    window.filter_box.setCurrentIndex([name for name, _ in FILTERS].index("To review, worst first"))
    return window


def spans_of(path, doc_id):
    conn = sqlite3.connect(path)
    rows = dict(((s, e, lb), st) for s, e, lb, st in conn.execute(
        'SELECT start, "end", label, state FROM spans WHERE doc_id = ? AND came_from IS NOT NULL', (doc_id,)))
    conn.close()
    return rows


def worst_first(path) -> list[int]:
    conn = sqlite3.connect(path)
    ids = [r[0] for r in conn.execute("SELECT r.doc_id FROM reviews r JOIN documents d ON d.id = r.doc_id WHERE "
                                      "d.answer = 'pending' AND r.disputed > 0 ORDER BY r.score, r.doc_id")]
    conn.close()
    return ids


def test_the_reviewer_takes_a_version_undoes_it_and_settles_the_worst_first(qtbot, review_window, team):
    w = review_window
    order = worst_first(team)
    assert [w.queue.doc_id(r) for r in range(w.queue.rowCount())] == order
    assert set(order[:2]) == {5, 6}  # ben removed two of their suggestions: the worst agreement
    first, second = order[:2]
    rect = w.queue_view.visualRect(w.queue.index(0, 0))
    qtbot.mouseClick(w.queue_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # the worst article
    qtbot.waitUntil(lambda: w.session.doc_id == first)
    # whose layers each span came from
    sources = {w.span_list.model_.index(r, 2).data() for r in range(w.span_list.rowCount())}
    assert {"ana", "ana, ben"} <= sources
    before = spans_of(team, first)
    disputed = {k for k, st in before.items() if st == "suggested"}
    assert len(disputed) == 2
    assert w.review_label.text().startswith("review: 2 editors, agreement 0.")
    assert "2 span(s) left to decide" in w.review_label.text()
    qtbot.keyClick(w.view, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)  # Review > Take ben's version
    after = spans_of(team, first)
    assert {after[k] for k in disputed} == {"rejected"}  # ben had removed both
    assert {k: st for k, st in after.items() if k not in disputed} == {k: st for k, st in before.items()
                                                                        if k not in disputed}
    assert "0 span(s) left to decide" in w.review_label.text()
    qtbot.keyClick(w.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert spans_of(team, first) == before
    assert "2 span(s) left to decide" in w.review_label.text()
    qtbot.keyClick(w.view, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)  # ana's version instead
    assert {spans_of(team, first)[k] for k in disputed} == {"accepted"}
    qtbot.keyClick(w.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # settle the article
    with Store(team, readonly=True) as reader:
        assert reader.documents.document(first).answer is Answer.ACCEPT
    qtbot.waitUntil(lambda: w.session.doc_id == worst_first(team)[0])  # on to the next worst
    assert w.session.doc_id == second
    assert w.queue.doc_id(w.queue_view.currentIndex().row()) == second  # and the list shows where the reviewer is


def test_the_agreement_chart_shows_each_label_and_each_editors_progress(qtbot, review_window):
    from annotator.gui.agreement_view import AgreementDialog

    dialog = AgreementDialog(review_window.store, review_window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.figures is not None, timeout=20_000)
    assert dialog.summary.text().startswith("6 article(s) accepted by two editors or more (ana, ben)")
    names = [name for name, _ in dialog.labels_chart.rows]
    assert names[-1] == "total" and len(names) >= 3
    assert list(dialog.labels_chart.legend) == ["span F1 (exact)", "Fleiss' κ (tokens)", "Krippendorff's α"]
    assert dialog.progress_chart.rows == [
        ("ana", [("answered", 0.5, dialog.progress_chart.rows[0][1][0][2])]),
        ("ben", [("answered", 0.5, dialog.progress_chart.rows[1][1][0][2])])]  # 6 of their 12 articles
    dialog.done(0)


def test_two_editors_windows_on_one_shared_project_keep_their_work_apart(qtbot, project, tmp_path, messages):
    """ana and ben open the same team's project, each in a window of their own: each works in their own layer
    (packed beside it on first use), merged into the shared project as they answer and when they leave; the
    project's own annotations (gold) are untouched, and the command line sees both layers at once."""
    from PySide6.QtCore import QSettings

    from annotator.gui.main_window import MainWindow
    from tests.test_team_programs import annotator

    with Store(project) as store:
        store.team.assign(["ana", "ben"], 2)
        gold_before = store.conn.execute("SELECT id, state FROM spans ORDER BY id").fetchall()
    windows = {}
    for name in ("ana", "ben"):
        settings = QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat)
        settings.setValue("editor", name)
        w = MainWindow(settings, name)
        qtbot.addWidget(w)
        assert w.open_project(project)
        w.show()
        windows[name] = w
        assert w.store.path.name == f"project.{name}.layer.db" and w.team_store is not None
    ana, ben = windows["ana"], windows["ben"]
    assert ana.session.doc_id == ben.session.doc_id == 1
    def active(w):  # the keys go to the window in front, as on a desktop
        with qtbot.waitActive(w):
            w.activateWindow()

    # ana accepts article 1 as suggested; ben first removes the span in focus, then accepts
    active(ana)
    qtbot.keyClick(ana.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    active(ben)
    removed = ben.session.spans[0]
    ben.select_span(removed.id)
    qtbot.keyClick(ben.view, Qt.Key.Key_Delete)
    qtbot.keyClick(ben.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    conn = sqlite3.connect(project)
    layers = {e: {(s, en, lb): st for s, en, lb, st in conn.execute(
        'SELECT start, "end", label, state FROM layer_spans WHERE editor = ? AND doc_id = 1', (e,))}
        for e in ("ana", "ben")}
    answers = dict(conn.execute("SELECT editor, answer FROM layer_answers WHERE doc_id = 1"))
    assert answers == {"ana": "accept", "ben": "accept"}
    key = (removed.start, removed.end, removed.label)
    assert layers["ana"][key] == "accepted" and layers["ben"][key] == "rejected"
    assert conn.execute("SELECT id, state FROM spans ORDER BY id").fetchall() == gold_before  # gold untouched
    conn.close()
    # the command line, on the shared file while both windows are open, compares their work
    figures = json.loads(annotator("agreement", "--db", project, "--json").stdout)
    assert figures["articles_compared"] == 1 and figures["pairs"][0]["labels"]["total"]["spans"][0] == \
        figures["pairs"][0]["labels"]["total"]["spans"][1] + 1
    # ben goes on to the next article, removes a span without answering, and leaves: it comes along all the same
    assert ben.session.doc_id == 2
    ben.select_span(ben.session.spans[0].id)
    qtbot.keyClick(ben.view, Qt.Key.Key_Delete)
    ben.close()
    conn = sqlite3.connect(project)
    assert conn.execute("SELECT count(*) FROM layer_spans WHERE editor = 'ben' AND state = 'rejected'").fetchone()[0] \
        == 2
    conn.close()
    # where the work goes: each editor's record reached the shared project with their layer, and the share of
    # articles without suggestions is set there, not in an editor's own layer
    with Store(project) as shared:
        effort = shared.effort.figures()["editors"]
    assert effort["ana"]["actions_by_kind"]["answer"] == 1 and effort["ana"]["actions_by_kind"]["delete"] == 0
    assert effort["ben"]["actions_by_kind"]["delete"] == 2 and effort["ben"]["articles"] == 1
    ana.show_statistics()
    assert not ana.stats_view.share.isEnabled() and not ana.stats_view.apply_share.isEnabled()
    ana.stats_view.close()
    ana.close()


def test_hovering_a_span_in_review_names_the_editors_whose_work_held_it(qtbot, review_window, team):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    w = review_window
    first = worst_first(team)[0]
    w.open_document(first)
    qtbot.waitUntil(lambda: w.session.doc_id == first)
    said = {}
    for span in w.view.spans:
        w.view.set_selection(span.start + 1, span.start + 1)
        point = w.view.cursorRect().center()
        w.view.event(QHelpEvent(QEvent.Type.ToolTip, point, w.view.mapToGlobal(point)))
        said[span.id] = QToolTip.text()
    origins = w.store.team.origins(first)
    assert any(", ".join(origins[i]) == "ana" for i in said) and any(", ".join(origins[i]) == "ana, ben" for i in said)
    for span_id, text in said.items():
        assert f"in the work of {', '.join(origins[span_id])}" in text, text
        assert "suggested by a rule" not in text


@pytest.fixture
def relabelled(project, tmp_path):
    """ana accepts every suggestion of article 1; ben relabels "four civilians" (CASUALTIES) as TARGET and deletes
    "March 3" (TIME), then accepts: two open questions at two places. Merged and prepared for review."""
    def work(session: EditSession, editor: str) -> None:
        session.open(1)
        text = session.doc.text
        if editor == "ben":
            four = text.index("four civilians")
            span = next(s for s in session.spans if (s.start, s.label) == (four, "CASUALTIES"))
            session.relabel(span.id, "TARGET")
            march = next(s for s in session.spans if s.start == text.index("March 3") and s.label == "TIME")
            session.delete(march.id)
        session.set_answer(Answer.ACCEPT)

    two_editors(project, tmp_path, work)
    return project


def test_each_editors_version_has_its_lane_and_ctrl_t_takes_the_one_under_the_cursor(qtbot, relabelled, window):
    w = window
    w.open_document(1)
    text = w.session.doc.text
    four = text.index("four civilians")
    place = {s.label: s for s in w.view.spans if (s.start, s.end) == (four, four + len("four civilians"))}
    assert w.view.origins[place["CASUALTIES"].id] == ["ana"] and w.view.origins[place["TARGET"].id] == ["ben"]
    # side by side: ana's version in the lane over ben's
    assert w.view.lanes[place["CASUALTIES"].id] < w.view.lanes[place["TARGET"].id]
    before = spans_of(relabelled, 1)
    conn = sqlite3.connect(relabelled)
    held = conn.execute("SELECT COUNT(*) FROM links WHERE doc_id = 1 AND state = 'suggested' AND (event_id = ? OR "
                        "arg_id = ?)", (place["CASUALTIES"].id, place["CASUALTIES"].id)).fetchone()[0]
    conn.close()
    key = (four, four + len("four civilians"))
    # ben's version picked with a click on its lane, then Ctrl+T
    w.view.select_span(place["TARGET"].id)
    rect = w.view._span_rects(w.view.to_qt(four), w.view.to_qt(key[1]))[0]
    y = w.view._lane_y(rect, w.view.lanes[place["TARGET"].id])
    qtbot.mouseClick(w.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(int(rect.center().x()), int(y)))
    assert w.selected_span == place["TARGET"].id
    qtbot.keyClick(w.view, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    after = spans_of(relabelled, 1)
    assert after[(*key, "TARGET")] == "accepted" and after[(*key, "CASUALTIES")] == "rejected"
    march = text.index("March 3")
    assert after[(march, march + 7, "TIME")] == "suggested"  # the other place is still to decide
    assert {k: v for k, v in after.items() if k[:2] != key} == {k: v for k, v in before.items() if k[:2] != key}
    assert "1 span(s) left to decide" in w.review_label.text()
    # the links ana's casualty count held are removed with it
    assert held, "ana's CASUALTIES held links"
    conn = sqlite3.connect(relabelled)
    open_links = conn.execute("SELECT COUNT(*) FROM links WHERE doc_id = 1 AND state = 'suggested' AND came_from IS "
                              "NOT NULL AND (event_id = ? OR arg_id = ?)",
                              (place["CASUALTIES"].id, place["CASUALTIES"].id)).fetchone()[0]
    conn.close()
    assert open_links == 0
    qtbot.keyClick(w.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one undo step
    assert spans_of(relabelled, 1) == before
    # a span that is not an open question: Ctrl+T says what it needs and changes nothing
    settled = next(s for s in w.view.spans if s.id not in w.view.origins or s.state.value == "accepted")
    w.select_span(settled.id)
    qtbot.keyClick(w.view, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert spans_of(relabelled, 1) == before
    assert "Select a span still to decide" in w.statusBar().currentMessage()
