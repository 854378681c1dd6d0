"""The edit session without a window: what each editor action writes, how undo puts it back, and how an edit
made elsewhere is refused rather than overwritten."""

from __future__ import annotations

import re
import sqlite3

import pytest

from annotator.core.errors import (
    ConflictError,
    DamagedDatabaseError,
    DatabaseError,
    EditError,
    ReadOnlyDatabaseError,
    UnavailableError,
)
from annotator.core.model import Answer, Document, Record, Source, Span, SpanState
from annotator.store import Store, sqlite_error
from annotator.workflows.editing import EditSession

TEXT = "Rebel commanders attacked the town of Kidal on Monday."


@pytest.fixture
def session(store, tokenize) -> EditSession:
    store.documents.add_records([Record(Document(text=TEXT), [
        Span(0, 16, "ACTOR", Source.RULE, SpanState.SUGGESTED),
        Span(17, 25, "ATTACK", Source.RULE, SpanState.SUGGESTED),
        Span(38, 43, "PLACE", Source.RULE, SpanState.SUGGESTED),
    ]), Record(Document(text="Talks resumed in Geneva."))])
    s = EditSession(store, "ana", tokenizer=tokenize)
    s.open(1)
    return s


def states(store: Store, doc_id: int = 1) -> dict[tuple[int, int, str], str]:
    return {(sp.start, sp.end, sp.label): sp.state.value for sp in store.annotations.spans(doc_id)}


def shown(session: EditSession) -> set[tuple[int, int, str, str]]:
    return {(sp.start, sp.end, sp.label, sp.state.value) for sp in session.spans}


def test_marking_snaps_to_words_and_undo_restores(session, store):
    change = session.add_span(2, 10, "TARGET")  # "bel comm" -> "Rebel commanders"
    assert change.result.start == 0 and change.result.end == 16 and change.result.label == "TARGET"
    assert states(store)[(0, 16, "TARGET")] == "accepted"
    assert (0, 16, "TARGET", "accepted") in shown(session)
    assert store.documents.tokens(1) is not None  # the tokens made for snapping are kept
    session.restore(change.doc_id, change.before)
    assert states(store)[(0, 16, "TARGET")] == "rejected"
    assert not any(sp.label == "TARGET" for sp in session.spans)
    session.restore(change.doc_id, change.after)  # redo
    assert states(store)[(0, 16, "TARGET")] == "accepted"
    with pytest.raises(EditError, match="no word"):
        session.add_span(16, 17, "TARGET")  # only a space


def test_marking_a_suggestion_again_accepts_it(session, store):
    session.add_span(38, 43, "PLACE")
    assert states(store)[(38, 43, "PLACE")] == "accepted"
    assert [sp.state.value for sp in session.spans if sp.label == "PLACE"] == ["accepted"]


def test_relabel_accept_delete_and_their_undo(session, store):
    actor = next(sp for sp in session.spans if sp.label == "ACTOR")
    relabel = session.relabel(actor.id, "TARGET")
    assert states(store)[(0, 16, "TARGET")] == "accepted" and (0, 16, "ACTOR") not in states(store)
    session.restore(relabel.doc_id, relabel.before)
    assert states(store)[(0, 16, "ACTOR")] == "suggested"
    accept = session.accept(actor.id)
    assert states(store)[(0, 16, "ACTOR")] == "accepted"
    session.restore(accept.doc_id, accept.before)
    assert states(store)[(0, 16, "ACTOR")] == "suggested"
    delete = session.delete(actor.id)
    assert states(store)[(0, 16, "ACTOR")] == "rejected" and actor.id not in [sp.id for sp in session.spans]
    session.restore(delete.doc_id, delete.before)
    assert states(store)[(0, 16, "ACTOR")] == "suggested" and actor.id in [sp.id for sp in session.spans]


def test_relabel_onto_an_existing_span_merges_them(session, store):
    actor = next(sp for sp in session.spans if sp.label == "ACTOR")
    session.add_span(0, 16, "TARGET")
    change = session.relabel(actor.id, "TARGET")
    assert states(store)[(0, 16, "ACTOR")] == "rejected" and states(store)[(0, 16, "TARGET")] == "accepted"
    assert [sp.label for sp in session.spans if sp.start == 0] == ["TARGET"]
    session.restore(change.doc_id, change.before)
    assert states(store)[(0, 16, "ACTOR")] == "suggested"


def test_accept_all_and_undo_put_every_suggestion_back(session, store):
    before = states(store)
    change = session.accept_all()
    assert set(states(store).values()) == {"accepted"} and len(change.after) == 3
    session.restore(change.doc_id, change.before)
    assert states(store) == before
    assert shown(session) == {(*k, v) for k, v in before.items()}


def test_answering_accepts_what_is_shown_and_undo_takes_both_back(session, store):
    session.delete(next(sp.id for sp in session.spans if sp.label == "PLACE"))
    before, accepted = session.set_answer(Answer.ACCEPT)
    assert before is Answer.PENDING and {a[1] for a in accepted.before} == {"ACTOR", "ATTACK"}
    assert states(store) == {(0, 16, "ACTOR"): "accepted", (17, 25, "ATTACK"): "accepted",
                             (38, 43, "PLACE"): "rejected"}
    assert store.documents.document(1).answer is Answer.ACCEPT and store.documents.document(1).answered_by == "ana"
    session.set_answer(before, restore=accepted)
    assert store.documents.document(1).answer is Answer.PENDING and store.documents.document(1).answered_by is None
    assert states(store)[(0, 16, "ACTOR")] == "suggested" and states(store)[(17, 25, "ATTACK")] == "suggested"
    # rejecting or skipping leaves the suggestions as they are
    session.set_answer(Answer.REJECT)
    assert states(store)[(0, 16, "ACTOR")] == "suggested"


def test_answering_another_article_opens_it(session, store):
    before, accepted = session.set_answer(Answer.IGNORE, doc_id=2)
    assert session.doc_id == 2 and before is Answer.PENDING and accepted.before == [] and not accepted
    assert store.documents.document(2).answer is Answer.IGNORE


def test_an_edit_made_elsewhere_is_refused_not_overwritten(session, store, db_path):
    assert not session.changed_elsewhere()
    with Store(db_path) as other:
        other.annotations.add_span(1, 38, 43, "TIME", "ben")
    assert session.changed_elsewhere()
    with pytest.raises(ConflictError):
        session.add_span(0, 5, "ACTOR")
    assert (0, 5, "ACTOR") not in states(store)
    heard: list[tuple] = []
    session.events.spans_changed.connect(lambda *args: heard.append(("spans", *args)))
    session.events.links_changed.connect(lambda *args: heard.append(("links", *args)))
    session.reload_spans()
    assert not session.changed_elsewhere() and (38, 43, "TIME", "accepted") in shown(session)
    assert heard == [("spans", 1, None, None), ("links", 1)]  # the window redraws the whole article
    session.add_span(0, 5, "ACTOR")  # now it goes through
    assert states(store)[(0, 5, "ACTOR")] == "accepted"


def test_spans_at_a_position_shortest_first(session):
    session.add_span(0, 5, "TARGET")
    assert [sp.label for sp in session.spans_at(2)] == ["TARGET", "ACTOR"]
    assert session.spans_at(16) == []


def test_the_store_reads_the_queue_and_progress(store):
    store.documents.add_records([Record(Document(text=f"Article {i} about talks.")) for i in range(5)])
    store.annotations.set_answer(2, "accept", "ana")
    assert store.documents.progress() == (1, 5)
    assert store.documents.next_document(0) == 1 and store.documents.next_document(1) == 3
    assert store.documents.next_document(3, answer=None) == 4 and store.documents.next_document(4, backwards=True) == 3
    assert store.documents.next_document(5) is None
    assert store.documents.next_document(3, answer="accept", backwards=True) == 2
    assert store.annotations.span_states(1) == {}


@pytest.mark.parametrize("message, kind, words", [
    ("database disk image is malformed", DamagedDatabaseError, ".recover"),
    ("attempt to write a readonly database", ReadOnlyDatabaseError, "read-only"),
    ("database is locked", UnavailableError, "busy"),
    ("database or disk is full", UnavailableError, "disk is full"),
    ("unable to open database file", UnavailableError, "removed disk"),
    ("disk I/O error", UnavailableError, "cannot read or write"),
    ("something else", UnavailableError, "something else"),
])
def test_sqlite_errors_are_named_for_the_user(tmp_path, message, kind, words):
    error = sqlite_error(tmp_path / "p.db", sqlite3.OperationalError(message))
    assert type(error) is kind and words in str(error) and str(tmp_path / "p.db") in str(error)


def test_probe_tells_when_the_project_can_be_written(store):
    store.probe_writable()
    store.conn.execute("PRAGMA query_only = 1")
    with pytest.raises(ReadOnlyDatabaseError, match=re.escape(str(store.path))):
        store.probe_writable()
    store.conn.execute("PRAGMA query_only = 0")
    store.probe_writable()
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000  # put back after the probe


def test_a_probe_that_fails_half_way_leaves_the_project_to_other_programs(store):
    other = sqlite3.connect(store.path, timeout=0)
    with other:
        other.execute("DROP TABLE project")  # a file another program has damaged
    with pytest.raises(DatabaseError, match="no such table: project"):
        store.probe_writable()
    # the probe's transaction was rolled back: it holds no lock, so the other program writes without waiting
    with other:
        other.execute("INSERT INTO changes (action, who, at) VALUES ('after the probe', 'other', 'now')")
    other.close()
    assert not store.conn.in_transaction
