"""Moving a span's edges: one edit that keeps the span's label, state and links, snapped to tokens, undone and
redone as one, logged, refused where it would duplicate a span; and merged like any edit in a team's files."""

from __future__ import annotations

import json

import pytest

from annotator.core.errors import EditError
from annotator.core.model import Answer, Document, Record, Source, Span, SpanState
from annotator.store import Store
from annotator.workflows.editing import EditSession

TEXT = "A Russian highway bridge was blown up under a train , officials said ."


@pytest.fixture
def session(store, tokenize) -> EditSession:
    bridge = TEXT.index("bridge")
    blown = TEXT.index("blown")
    store.documents.add_records([Record(Document(TEXT, tokens=tokenize(TEXT)), [
        Span(bridge, bridge + 6, "TARGET", Source.RULE, SpanState.SUGGESTED),
        Span(blown, blown + 5, "DAMAGE", Source.RULE, SpanState.ACCEPTED)])])
    s = EditSession(store, "ana")
    s.open(1)
    return s


def span(s: EditSession, label: str) -> Span:
    return next(x for x in s.spans if x.label == label)


def row(store: Store, span_id: int) -> tuple:
    return store.conn.execute('SELECT start, "end", label, state FROM spans WHERE id = ?', (span_id,)).fetchone()


def test_moving_an_edge_token_by_token_keeps_label_state_and_links(session, store):
    target, damage = span(session, "TARGET"), span(session, "DAMAGE")
    session.move_edge(target.id, "start", -1)  # "highway bridge"
    assert row(store, target.id)[2:] == ("TARGET", "suggested")  # a suggestion stays one: label and state kept
    session.add_link(damage.id, target.id, "artifact")  # (a link accepts its spans)
    session.move_edge(target.id, "start", -1)  # "Russian highway bridge"
    assert TEXT[slice(*row(store, target.id)[:2])] == "Russian highway bridge"
    assert row(store, target.id)[2:] == ("TARGET", "accepted")
    session.move_edge(damage.id, "end", 1)  # "blown up"
    assert TEXT[slice(*row(store, damage.id)[:2])] == "blown up"
    links = store.conn.execute("SELECT event_id, arg_id, role, state FROM links").fetchall()
    assert links == [(damage.id, target.id, "artifact", "accepted")]
    # the session's own copy follows, in text order
    assert [(s.start, s.end) for s in session.spans] == sorted((s.start, s.end) for s in session.spans)
    assert TEXT[span(session, "TARGET").start:span(session, "TARGET").end] == "Russian highway bridge"
    logged = store.conn.execute("SELECT action, detail FROM changes WHERE action = 'resize' ORDER BY id").fetchall()
    assert len(logged) == 3 and json.loads(logged[-1][1])["edit"]["kind"] == "Resize"


def test_an_edge_never_passes_the_other_nor_the_article(session):
    target = span(session, "TARGET")
    with pytest.raises(EditError, match="cannot move that way"):
        session.move_edge(target.id, "end", -1)  # one token: it would hold none
    with pytest.raises(EditError, match="cannot move that way"):
        session.move_edge(target.id, "start", 1)
    session.resize(target.id, 0, 2)  # "A Russian"... snapped to whole tokens
    assert (span(session, "TARGET").start, span(session, "TARGET").end) == (0, 1)
    with pytest.raises(EditError, match="cannot move that way"):
        session.move_edge(target.id, "start", -1)


def test_undo_and_redo_of_a_resize_are_one_step_each(session, store):
    target = span(session, "TARGET")
    before = row(store, target.id)
    change = session.move_edge(target.id, "start", -2)
    after = row(store, target.id)
    session.apply(change.inverse())
    assert row(store, target.id) == before and (span(session, "TARGET").start, span(session, "TARGET").end) == \
        before[:2]
    session.apply(change.redo())
    assert row(store, target.id) == after


def test_a_resize_onto_another_span_of_the_label_is_refused_and_changes_nothing(session, store):
    target = span(session, "TARGET")
    bridge = TEXT.index("bridge")
    store.annotations.add_span(1, bridge - 8, bridge + 6, "TARGET", "ana")  # "highway bridge" exists already
    session.reload_spans()
    before = row(store, target.id)
    with pytest.raises(EditError, match="already has those edges"):
        session.move_edge(target.id, "start", -1)
    assert row(store, target.id) == before
    # the same edges with another label are no clash
    damage = span(session, "DAMAGE")
    session.resize(damage.id, bridge - 8, bridge + 6)
    assert row(store, damage.id)[:3] == (bridge - 8, bridge + 6, "DAMAGE")


def test_a_resize_merges_like_any_edit(tmp_path, tokenize):
    from annotator.workflows.team import merge, pack

    team = Store(tmp_path / "team.db")
    bridge = TEXT.index("bridge")
    blown = TEXT.index("blown")
    team.documents.add_records([Record(Document(TEXT, tokens=tokenize(TEXT)),
                                       [Span(bridge, bridge + 6, "TARGET", Source.RULE, SpanState.SUGGESTED),
                                        Span(blown, blown + 5, "DAMAGE", Source.RULE, SpanState.SUGGESTED)])])
    team.team.assign(["ana"], 1)
    pack(team, "ana", tmp_path / "ana.db")
    with Store(tmp_path / "ana.db") as mine:
        s = EditSession(mine, "ana")
        s.open(1)
        s.add_link(span(s, "DAMAGE").id, span(s, "TARGET").id, "artifact")
        s.set_answer(Answer.ACCEPT)
    merge(team, [tmp_path / "ana.db"])
    with Store(tmp_path / "ana.db") as mine:
        s = EditSession(mine, "ana")
        s.open(1)
        s.move_edge(span(s, "TARGET").id, "start", -2)
    merge(team, [tmp_path / "ana.db"])
    rows = team.conn.execute('SELECT start, "end", label, state FROM layer_spans WHERE label = ?',
                             ("TARGET",)).fetchall()
    assert rows == [(TEXT.index("Russian"), bridge + 6, "TARGET", "accepted")]
    # the link follows the span's new edges into the layer (its old key is gone)
    links = team.conn.execute("SELECT arg_start, arg_end, role, state FROM layer_links").fetchall()
    assert links == [(TEXT.index("Russian"), bridge + 6, "artifact", "accepted")]
    team.close()
