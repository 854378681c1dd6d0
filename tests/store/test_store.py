from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from annotator.core.errors import ConflictError, DatabaseError, NewerDatabaseError, NotAProjectError
from annotator.core.model import Answer, Document, Record, Source, Span, SpanState
from annotator.store import Store
from annotator.store.schema import SCHEMA_VERSION, migrations


def add(store: Store, *texts: str) -> list[int]:
    store.documents.add_records([Record(Document(t)) for t in texts], who="ann")
    return [r.id for r in store.documents.list_documents(limit=10_000)]


def changes(store: Store) -> list[tuple]:
    return store.conn.execute("SELECT action, who, doc_id FROM changes ORDER BY id").fetchall()


def test_new_database_is_wal_with_foreign_keys_and_the_default_scheme(store):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000  # waits for another writer
    assert store.scheme.name == "conflict-news" and len(store.scheme.labels) == 18
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_documents_are_deduplicated_by_text(store):
    r1 = store.documents.add_records([Record(Document("A")), Record(Document("B")),
                                      Record(Document("A"))])
    r2 = store.documents.add_records([Record(Document("B")), Record(Document("C"))])
    assert (r1.added, r1.duplicates, r2.added, r2.duplicates) == (2, 1, 1, 1)
    assert store.documents.count_documents() == 3


def test_every_edit_is_logged_with_who_and_bumps_the_revision(store):
    (doc_id,) = add(store, "Rebels shelled the town on Monday")
    span = store.annotations.add_span(doc_id, 0, 6, "ACTOR", "ann")
    assert span.state is SpanState.ACCEPTED and span.source is Source.EDITOR
    store.annotations.relabel_span(span.id, "TARGET", "bob")
    store.annotations.delete_span(span.id, "bob")
    store.annotations.set_answer(doc_id, Answer.ACCEPT, "ann")
    assert [c[0] for c in changes(store)] == ["import", "add_span", "relabel", "set_state", "answer"]
    assert [c[1] for c in changes(store)][1:] == ["ann", "bob", "bob", "ann"]
    assert store.documents.revision(doc_id) == 4
    assert store.annotations.spans(doc_id)[0].state is SpanState.REJECTED
    doc = store.documents.document(doc_id)
    assert doc.answer is Answer.ACCEPT and doc.answered_by == "ann" and doc.answered_at


def test_stale_revision_is_refused_and_changes_nothing(store):
    (doc_id,) = add(store, "Rebels shelled the town")
    rev = store.documents.revision(doc_id)
    store.annotations.add_span(doc_id, 0, 6, "ACTOR", "ann", expected_revision=rev)
    with pytest.raises(ConflictError, match="changed elsewhere"):
        store.annotations.add_span(doc_id, 7, 14, "ATTACK", "bob", expected_revision=rev)
    assert [s.label for s in store.annotations.spans(doc_id)] == ["ACTOR"]


def test_drawing_a_span_over_a_suggestion_accepts_it(store):
    (doc_id,) = add(store, "Rebels shelled the town")
    store.suggestions.save_suggestions([(doc_id, [], [Span(7, 14, "ATTACK", Source.RULE,
                                                                          SpanState.SUGGESTED)])], "rules")
    span = store.annotations.add_span(doc_id, 7, 14, "ATTACK", "ann")
    assert span.state is SpanState.ACCEPTED and span.source is Source.RULE
    assert len(store.annotations.spans(doc_id)) == 1


def test_suggestions_never_overwrite_or_repeat_editor_work(store):
    (doc_id,) = add(store, "Rebels shelled the town")
    editor = store.annotations.add_span(doc_id, 7, 14, "ATTACK", "ann")
    removed = store.annotations.add_span(doc_id, 0, 6, "ACTOR", "ann")
    store.annotations.delete_span(removed.id, "ann")
    sugg = [Span(7, 14, "ATTACK", Source.RULE, SpanState.SUGGESTED),
            Span(0, 6, "ACTOR", Source.RULE, SpanState.SUGGESTED),
            Span(19, 23, "TARGET", Source.RULE, SpanState.SUGGESTED)]
    assert store.suggestions.save_suggestions([(doc_id, [], sugg)], "rules") == 1
    spans = {(s.start, s.label): s for s in store.annotations.spans(doc_id)}
    assert spans[(7, "ATTACK")].state is SpanState.ACCEPTED and spans[(7, "ATTACK")].id == editor.id
    assert spans[(0, "ACTOR")].state is SpanState.REJECTED
    assert spans[(19, "TARGET")].state is SpanState.SUGGESTED


def test_relabel_onto_an_existing_span_merges(store):
    (doc_id,) = add(store, "Rebels shelled the town")
    a = store.annotations.add_span(doc_id, 0, 6, "ACTOR", "ann")
    b = store.annotations.add_span(doc_id, 0, 6, "TARGET", "ann")
    store.annotations.delete_span(b.id, "ann")
    result = store.annotations.relabel_span(a.id, "TARGET", "ann")
    assert result.id == b.id and result.state is SpanState.ACCEPTED
    visible = [s for s in store.annotations.spans(doc_id) if s.state is not SpanState.REJECTED]
    assert [(s.label, s.state) for s in visible] == [("TARGET", SpanState.ACCEPTED)]


def test_accept_all_and_bad_edits(store):
    (doc_id,) = add(store, "Rebels shelled the town")
    store.suggestions.save_suggestions([(doc_id, [], [Span(0, 6, "ACTOR", Source.RULE, SpanState.SUGGESTED),
                                             Span(7, 14, "ATTACK", Source.RULE, SpanState.SUGGESTED)])], "r")
    assert len(store.annotations.accept_all(doc_id, "ann")) == 2
    assert {s.state for s in store.annotations.spans(doc_id)} == {SpanState.ACCEPTED}
    with pytest.raises(DatabaseError, match="unknown label"):
        store.annotations.add_span(doc_id, 0, 6, "NOPE", "ann")
    with pytest.raises(DatabaseError, match="outside"):
        store.annotations.add_span(doc_id, 0, 600, "ACTOR", "ann")


def test_full_text_search_and_paging(store):
    add(store, *(f"Article {i} about {'shelling' if i % 3 == 0 else 'talks'} in Kyiv" for i in range(30)))
    assert store.documents.count_documents(query="shelling") == 10
    assert store.documents.count_documents(query="shell") == 10  # prefix match on the last word
    assert store.documents.count_documents(query="kyiv talks") == 20
    assert store.documents.count_documents(query='"; DROP TABLE') == 0  # punctuation is not FTS syntax
    page = store.documents.list_documents(offset=10, limit=5)
    assert [r.id for r in page] == [11, 12, 13, 14, 15]
    store.annotations.set_answer(12, "reject", "ann")
    assert [r.id for r in store.documents.list_documents(answer="reject")] == [12]
    # a search pages by the index: each page continues after the last id shown, with the answer filter too
    shelling = [i + 1 for i in range(30) if i % 3 == 0]
    assert store.documents.document_ids(3, None, until=20) == list(range(4, 21))  # no limit, up to an id
    assert store.documents.document_ids(0, None, query="shelling", until=shelling[3]) == shelling[:4]
    first = store.documents.document_ids(0, 4, query="shelling")
    assert first == shelling[:4]
    assert store.documents.document_ids(first[-1], 4, query="shelling") == shelling[4:8]
    store.annotations.set_answer(shelling[5], "reject", "ann")
    assert store.documents.document_ids(0, 10, answer="reject", query="shell") == [shelling[5]]
    assert store.documents.count_documents(answer="reject", query="shelling") == 1
    assert store.documents.count_documents(answer="reject") == 2 and store.documents.count_documents() == 30
    ran: list[str] = []  # the statement a page of a search runs, its values filled in
    store.conn.set_trace_callback(ran.append)
    store.documents.document_ids(0, 4, answer="pending", query="shelling")
    store.conn.set_trace_callback(None)
    plan = [r[-1] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {ran[0]}")]
    # the index is walked in id order and stopped at the page's end: no sort of every hit first
    assert plan[0].startswith("SCAN f VIRTUAL TABLE") and not any("TEMP B-TREE" in step for step in plan), plan


def test_newer_database_is_refused(db_path):
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(NewerDatabaseError, match="newer version of annotator"):
        Store(db_path)


def test_older_database_is_backed_up_then_migrated(db_path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    db = Database(conn)
    migrations.apply(db, stop_before="0002_changes_by_editor")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("PRAGMA application_id = 1095650900")
    conn.execute("INSERT INTO documents(text, input_hash, answer, revision) VALUES ('Old text', 'h', 'pending', 0)")
    conn.execute("INSERT INTO project VALUES ('scheme', 'conflict-news')")
    conn.execute("INSERT INTO labels VALUES ('ATTACK', 'event', '#e6194b', 'a', 'Strikes.', 0)")
    conn.execute("INSERT INTO labels VALUES ('ACTOR', 'argument', '#42d4f4', '1', 'Who acts.', 1)")
    conn.close()
    assert ("who", "at") not in {tuple(i.columns) for i in Database(sqlite3.connect(db_path))["changes"].indexes}
    store = Store(db_path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.documents.document(1).text == "Old text"
    assert store.documents.progress() == (0, 1)  # migration 0005 counted what was there
    # migration 0002 did its work: per-editor figures read the change log through its index
    assert ("who", "at") in {tuple(i.columns) for i in store.db["changes"].indexes}
    plan = store.conn.execute("EXPLAIN QUERY PLAN SELECT count(*) FROM changes WHERE who = 'a' AND at > '2024'")
    assert any("who" in str(row) and "INDEX" in str(row) for row in plan)
    # migration 0003: the project made before events has its scheme's roles (for the labels it holds), and
    # migration 0011 the AMOUNT label the default scheme gained since
    assert [lb.name for lb in store.scheme.labels] == ["ATTACK", "ACTOR", "AMOUNT"]
    assert [(r.name, r.fillers) for r in store.scheme.roles("ATTACK")][:3] == [
        ("attacker", ("ACTOR",)), ("target", ("ACTOR", "AMOUNT")), ("instrument", ("AMOUNT",))]
    assert store.scheme.link_problem("ATTACK", "attacker", "ACTOR") is None
    from annotator.core.labels import Role, load_scheme

    assert store.scheme.roles("ATTACK") == tuple(  # with their keys and descriptions, the fillers it holds
        Role(r.name, tuple(f for f in r.fillers if f in ("ACTOR", "AMOUNT")), r.hotkey, r.description)
        for r in load_scheme().roles("ATTACK") if {"ACTOR", "AMOUNT"} & set(r.fillers))
    # and the default guidelines: the text, and each label's examples
    assert store.scheme.guidelines.startswith("# Guidelines: conflict-news")
    assert "472 drones" in store.scheme.get("AMOUNT").examples
    assert store.scheme.get("ATTACK").colour == "#e6194b"  # its own labels are left as they were
    # migration 0004 writes a scheme only into a new project (0011 adds the AMOUNT the default scheme gained)
    assert store.scheme.names == {"ATTACK", "ACTOR", "AMOUNT"}
    backup = db_path.with_name(db_path.name + ".bak-v1")
    assert backup.exists()
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT text FROM documents").fetchone()[0] == "Old text"
    old.close()
    store.close()


def test_files_that_are_not_projects(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("just some notes", encoding="utf-8")
    with pytest.raises(NotAProjectError, match="not an SQLite file"):
        Store(text)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE stuff(x)")
    conn.close()
    with pytest.raises(NotAProjectError, match="not an annotator project"):
        Store(other)
    assert sqlite3.connect(other).execute("SELECT name FROM sqlite_master").fetchall() == [("stuff",)]
    with pytest.raises(DatabaseError, match="no such project"):
        Store(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()  # not made either
    versioned = tmp_path / "versioned.db"  # another program's file: a version of its own, no tables yet
    conn = sqlite3.connect(versioned)
    conn.execute("PRAGMA user_version = 3")
    conn.close()
    with pytest.raises(NotAProjectError) as caught:
        Store(versioned)
    assert str(caught.value) == (f"{versioned}: an SQLite database, but not an annotator project (tables: none); "
                                 "it was left unchanged")
    many = tmp_path / "many.db"
    conn = sqlite3.connect(many)
    for n in range(40):
        conn.execute(f"CREATE TABLE table_{n:02d}(x)")
    conn.close()
    with pytest.raises(NotAProjectError) as caught:
        Store(many)
    named = ", ".join(f"table_{n:02d}" for n in range(40))[:200]  # the first 200 characters of the list
    assert str(caught.value) == (f"{many}: an SQLite database, but not an annotator project (tables: {named}); "
                                 "it was left unchanged")
    empty = tmp_path / "empty.db"  # e.g. made by `touch`: nothing in it yet
    empty.write_bytes(b"")
    with pytest.raises(DatabaseError, match=r"empty\.db: no such project database$"):
        Store(empty, readonly=True)
    assert empty.read_bytes() == b""
    with Store(empty) as made:  # opened to write: it becomes a project, as a missing file would
        assert made.documents.count_documents() == 0 and "ATTACK" in made.scheme.names


def test_read_only_file_gets_a_clear_message(db_path, monkeypatch):
    """Opened read-write, a file the user may not write is refused with a message, not a traceback. Tests run
    as root, who may write any file, so the system's answer is made to say no (tests/test_hostile_input.py
    runs the commands as an unprivileged user for real)."""
    s = Store(db_path)
    add(s, "Text one")
    s.close()
    real_access = os.access
    monkeypatch.setattr("annotator.store.database.os.access",
                        lambda p, mode: False if mode == os.W_OK else real_access(p, mode))
    with pytest.raises(DatabaseError, match="read-only"):
        Store(db_path)
    # what a reading command does with it: opens it read-only, and reads
    from annotator.store import open_for_reading

    with open_for_reading(db_path) as ro:
        assert ro.readonly and ro.documents.count_documents() == 1


@pytest.mark.skipif(not hasattr(os, "setresuid") or os.geteuid() != 0,
                    reason="becomes an unprivileged user for a moment (root may write anything)")
def test_a_project_in_a_folder_nobody_may_write_is_read_where_it_lies(tmp_path):
    """A project on a read-only share: SQLite cannot make the -shm file a WAL database needs, so it is read as
    an unchanging file; it is read all the same, and left byte for byte as it was."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="annotator-ro-"))  # pytest's folders are private to root
    db = folder / "p.db"
    try:
        folder.chmod(0o755)
        with Store(db) as s:
            add(s, "Rebels attacked Kidal.", "Talks resumed in Algiers.")
        with sqlite3.connect(db) as check:
            assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        check.close()
        assert sorted(p.name for p in folder.iterdir()) == ["p.db"]
        db.chmod(0o444)
        folder.chmod(0o555)
        before = db.read_bytes()
        os.setresuid(65534, 65534, 0)  # nobody, keeping the way back (the saved user id)
        try:
            ro = Store(db, readonly=True)
            assert [ro.documents.document(i).text for i in (1, 2)] == ["Rebels attacked Kidal.",
                                                                       "Talks resumed in Algiers."]
            import threading

            seen: list = []  # the window reads from its worker threads (an export's count, the queue)
            reader = threading.Thread(target=lambda: seen.append(ro.documents.count_documents(query="Kidal")))
            reader.start()
            reader.join()
            assert seen == [1]
            ro.close()
            with pytest.raises(DatabaseError, match="read-only"):
                Store(db)
        finally:
            os.setresuid(0, 0, 0)
        assert db.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == ["p.db"]
        db.chmod(0o666)  # a file anyone may write, in a folder nobody may: SQLite could not make its -wal there
        os.setresuid(65534, 65534, 0)
        try:
            with pytest.raises(DatabaseError, match="no permission to write it, or to write its folder"):
                Store(db)
        finally:
            os.setresuid(0, 0, 0)
        db.chmod(0o444)
        folder.chmod(0o777)  # a file nobody may write, in a folder anyone may: a reading command reads it
        os.setresuid(65534, 65534, 0)
        try:
            from annotator.store import open_for_reading

            with open_for_reading(db) as reader:
                assert reader.readonly and reader.documents.count_documents() == 2
        finally:
            os.setresuid(0, 0, 0)
        assert db.read_bytes() == before
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_project_that_cannot_be_opened_or_is_used_from_another_thread(tmp_path, db_path):
    with pytest.raises(DatabaseError) as caught:
        Store(tmp_path / "no such folder" / "p.db")
    assert str(caught.value) == f"{tmp_path / 'no such folder' / 'p.db'}: cannot open: unable to open database file"
    import threading

    store = Store(db_path)
    add(store, "Rebels attacked Kidal.")
    reader = Store(db_path, readonly=True)
    seen: list = []
    worker = threading.Thread(target=lambda: seen.extend(
        [store.documents.count_documents(), reader.documents.count_documents()]))
    worker.start()
    worker.join()
    assert seen == [1, 1]


def test_read_only_mode_reads(db_path):
    s = Store(db_path)
    add(s, "Text one")
    s.close()
    ro = Store(db_path, readonly=True)
    assert ro.documents.count_documents() == 1
    with pytest.raises(DatabaseError, match="read-only"):
        ro.annotations.set_answer(1, "accept", "ann")
    assert ro.documents.document(1).answer is Answer.PENDING
    ro.close()


def test_export_rows_respect_answers_and_labels(store):
    a, b, c = add(store, "Rebels shelled the town", "Talks began in Doha", "Nothing here")
    store.annotations.add_span(a, 0, 6, "ACTOR", "ann")
    store.suggestions.save_suggestions([(a, [], [Span(7, 14, "ATTACK", Source.RULE, SpanState.SUGGESTED)]),
                            (b, [], [Span(0, 5, "TALKS", Source.RULE, SpanState.SUGGESTED)])], "r")
    store.annotations.set_answer(a, "accept", "ann")
    store.annotations.set_answer(c, "reject", "ann")

    def rows(**kwargs: object) -> dict[int, list[tuple]]:
        return {r.document.id: [(*sp.key, sp.state.value) for sp in r.spans]
                for r, _ in store.exports.iter_for_export(**kwargs)}

    assert rows() == {a: [(0, 6, "ACTOR", "accepted")], c: []}
    assert rows(include_pending=True)[b] == [(0, 5, "TALKS", "suggested")]
    assert rows(include_pending=True, labels=["TALKS"]) == {a: [], b: [(0, 5, "TALKS", "suggested")], c: []}
    (record, _), = [x for x in store.exports.iter_for_export() if x[0].document.id == a]
    assert (record.document.text, record.document.answer, record.document.answered_by) == (
        "Rebels shelled the town", Answer.ACCEPT, "ann")
    assert json.loads(store.get_meta("entity_map"))["GPE"] == "PLACE"


def test_ids_follow_the_input_order_whatever_each_record_holds(store):
    records = [Record(Document(text="plain one")),
               Record(Document(text="with a span"), [Span(0, 4, "TIME", Source.EDITOR, SpanState.ACCEPTED)]),
               Record(Document(text="plain two")),
               Record(Document(text="answered", answer=Answer.ACCEPT)),
               Record(Document(text="plain three"))]
    store.documents.add_records(records)
    assert [store.documents.document(i).text for i in range(1, 6)] == [r.document.text for r in records]


def test_spans_at_the_edges_of_the_text_and_the_change_log(store):
    (doc_id,) = add(store, "Rebels attacked Kidal")
    span = store.annotations.add_span(doc_id, 16, 21, "PLACE", "ana")  # ends where the text ends
    assert (span.start, span.end, span.label, span.state) == (16, 21, "PLACE", SpanState.ACCEPTED)
    for start, end in ((3, 3), (5, 2), (-1, 4), (16, 22)):
        with pytest.raises(DatabaseError, match="lies outside"):
            store.annotations.add_span(doc_id, start, end, "PLACE", "ana")
    with pytest.raises(DatabaseError, match="no document 99"):
        store.annotations.add_span(99, 0, 1, "PLACE", "ana")
    again = store.annotations.add_span(doc_id, 16, 21, "PLACE", "ben")  # marking it again: the same span, accepted
    assert again.id == span.id
    log = store.conn.execute("SELECT doc_id, span_id, action, who, detail FROM changes WHERE action = 'add_span' "
                             "ORDER BY id").fetchall()
    assert [(d, s, a, w, json.loads(x)) for d, s, a, w, x in log] == [
        (doc_id, span.id, "add_span", "ana", {"start": 16, "end": 21, "label": "PLACE", "before": None}),
        (doc_id, span.id, "add_span", "ben", {"start": 16, "end": 21, "label": "PLACE", "before": "accepted"}),
    ]
    at = store.conn.execute("SELECT at FROM changes ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert at[:4].isdigit() and "T" in at and at.endswith("+00:00")  # when, as an ISO time in UTC


def test_every_edit_refuses_a_stale_revision_and_changes_nothing(store):
    (doc_id,) = add(store, "Rebels attacked Kidal on Monday")
    span = store.annotations.add_span(doc_id, 0, 6, "ACTOR", "ana")
    stale = store.documents.revision(doc_id) - 1
    edits = {
        "add_span": lambda: store.annotations.add_span(doc_id, 7, 15, "ATTACK", "ben", expected_revision=stale),
        "set_span_state": lambda: store.annotations.set_span_state(span.id, SpanState.REJECTED, "ben",
                                                                  expected_revision=stale),
        "relabel_span": lambda: store.annotations.relabel_span(span.id, "TARGET", "ben", expected_revision=stale),
        "delete_span": lambda: store.annotations.delete_span(span.id, "ben", expected_revision=stale),
        "accept_all": lambda: store.annotations.accept_all(doc_id, "ben", expected_revision=stale),
        "set_answer": lambda: store.annotations.set_answer(doc_id, "accept", "ben", expected_revision=stale),
        "restore_spans": lambda: store.annotations.restore_spans(doc_id, [(span.id, "PLACE", "accepted")], "ben",
                                                                 expected_revision=stale),
    }

    def state() -> tuple:
        return (store.annotations.spans(doc_id), store.documents.document(doc_id).answer,
                store.documents.revision(doc_id), changes(store))

    before = state()
    for name, edit in edits.items():
        with pytest.raises(ConflictError, match="changed elsewhere"):
            edit()
        assert state() == before, name
    # the current one goes through
    store.annotations.relabel_span(span.id, "TARGET", "ben", expected_revision=stale + 1)
    assert store.documents.revision(doc_id) == stale + 2


def test_the_change_log_says_who_did_what_to_which_span(store):
    (doc_id,) = add(store, "Rebels attacked Kidal on Monday")
    a = store.annotations.add_span(doc_id, 0, 6, "ACTOR", "ana")
    b = store.annotations.add_span(doc_id, 0, 6, "TARGET", "ana")
    store.annotations.relabel_span(b.id, "PLACE", "ben")  # a plain relabel
    store.annotations.relabel_span(a.id, "PLACE", "ben")  # onto the same stretch and label: merged into b
    store.annotations.set_span_state(b.id, SpanState.REJECTED, "chen")
    store.annotations.restore_spans(doc_id, [(b.id, "PLACE", "accepted")], "chen")
    store.annotations.set_answer(doc_id, "accept", "dan")
    log = [(action, who, d, s, json.loads(detail) if detail else None) for action, who, d, s, detail in
           store.conn.execute("SELECT action, who, doc_id, span_id, detail FROM changes WHERE action != 'import' "
                              "ORDER BY id")]
    assert log == [
        ("add_span", "ana", doc_id, a.id, {"start": 0, "end": 6, "label": "ACTOR", "before": None}),
        ("add_span", "ana", doc_id, b.id, {"start": 0, "end": 6, "label": "TARGET", "before": None}),
        ("relabel", "ben", doc_id, b.id, {"before": "TARGET", "after": "PLACE", "state_before": "accepted"}),
        ("relabel", "ben", doc_id, a.id, {"before": "ACTOR", "after": "PLACE", "merged_into": b.id}),
        ("set_state", "chen", doc_id, b.id, {"before": "accepted", "after": "rejected"}),
        ("restore", "chen", doc_id, None, {"spans": [[b.id, "PLACE", "accepted"]]}),
        ("answer", "dan", doc_id, None, {"before": "pending", "after": "accept"}),
    ]
    assert {(s.id, s.label, s.state.value) for s in store.annotations.spans(doc_id)} == {
        (a.id, "ACTOR", "rejected"), (b.id, "PLACE", "accepted")}
    # each action moved the revision once
    assert store.documents.revision(doc_id) == 7
    stamps = [r[0] for r in store.conn.execute("SELECT updated_at FROM spans")]
    assert all(s and s[:4].isdigit() for s in stamps)


def test_undoing_a_link_puts_it_back_stamped_and_logs_it(store):
    (doc_id,) = add(store, "Rebels attacked Kidal on Monday")
    actor = store.annotations.add_span(doc_id, 0, 6, "ACTOR", "ana")
    attack = store.annotations.add_span(doc_id, 7, 15, "ATTACK", "ana")
    link = store.links.add(doc_id, attack.id, actor.id, "attacker", "ana")
    store.conn.execute("UPDATE links SET updated_at = '2000-01-01T00:00:00'")  # long ago
    store.annotations.restore_spans(doc_id, [(actor.id, "ACTOR", "accepted")], "chen",
                                    links=[(link.id, "rejected")])
    assert store.links.states(doc_id) == {link.id: SpanState.REJECTED}
    stamp = store.conn.execute("SELECT updated_at FROM links WHERE id = ?", (link.id,)).fetchone()[0]
    assert stamp > "2000-01-01T00:00:00"  # when it was put back: the latest change of a link is known
    action, who, detail = store.conn.execute(
        "SELECT action, who, detail FROM changes ORDER BY id DESC LIMIT 1").fetchone()
    assert (action, who, json.loads(detail)) == (
        "restore", "chen", {"spans": [[actor.id, "ACTOR", "accepted"]], "links": [[link.id, "rejected"]]})


def test_a_new_project_gets_the_scheme_it_is_made_with_from_its_first_migrations(tmp_path):
    from annotator.core.labels import parse_scheme

    scheme = parse_scheme({"name": "sports", "labels": {
        "MATCH": {"kind": "event", "colour": "#3cb44b", "roles": {"winner": {"fillers": ["TEAM"], "hotkey": "w"}}},
        "TEAM": {"kind": "argument", "colour": "#4363d8"}}}, "test")
    store = Store(tmp_path / "sports.db", scheme=scheme)
    assert store.scheme.names == {"MATCH", "TEAM"} and store.get_meta("scheme") == "sports"
    assert [r.name for r in store.scheme.roles("MATCH")] == ["winner"]
    applied = [r[0] for r in store.conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert "0004_first_scheme" in applied and len(applied) == SCHEMA_VERSION
    store.close()
    default = Store(tmp_path / "default.db")
    assert "ATTACK" in default.scheme.names and default.get_meta("scheme") == "conflict-news"
    default.close()


def test_stats_name_work_nobody_signed_as_unknown(store):
    store.documents.add_records([Record(Document("Rebels attacked Kidal.", answer=Answer.ACCEPT)),
                                 Record(Document("Talks resumed.", answer=Answer.REJECT, answered_by="ana"))])
    store.documents.add_records([Record(Document("Shelling hit Gao."))])
    store.annotations.add_span(3, 0, 8, "ATTACK", None)
    store.annotations.add_span(3, 13, 16, "PLACE", "ana")
    store.annotations.add_span(3, 9, 12, "TARGET", "ben")  # an editor who has answered nothing yet
    figures = store.exports.stats()
    assert figures["editors"] == {"(unknown)": {"accept": 1, "changes": 1}, "ana": {"reject": 1, "changes": 1},
                                  "ben": {"changes": 1}}
    assert figures["by_answer"] == {"pending": 1, "accept": 1, "reject": 1, "ignore": 0}
    assert figures["documents"] == 3
    assert figures["spans"] == {"ATTACK": {"accepted": 1}, "PLACE": {"accepted": 1},
                                  "TARGET": {"accepted": 1}}


def test_the_scheme_reads_back_whole_in_its_order_and_a_missing_description_is_plain(tmp_path):
    """What the window lists (labels and roles in the scheme's order, their keys and descriptions) is what was
    written, read by another handle; a project whose name, description or entity map another program emptied or
    removed still opens, as a "custom" scheme."""
    from annotator.core.labels import parse_scheme

    scheme = parse_scheme({"name": "sports", "description": "Matches and their teams.",
                           "entity_map": {"ORG": "TEAM"}, "labels": {
        "ZMATCH": {"kind": "event", "colour": "#3cb44b", "hotkey": "m", "description": "a game played",
                   "roles": {"winner": {"fillers": ["TEAM"], "hotkey": "w", "description": "who won"},
                             "loser": {"fillers": ["TEAM", "AVENUE"]}, "at": {"fillers": ["AVENUE"]}}},
        "TEAM": {"kind": "argument", "colour": "#4363d8"},
        "AVENUE": {"kind": "argument", "colour": "#f58231", "hotkey": "v"}}}, "test")
    Store(tmp_path / "sports.db", scheme=scheme).close()
    other = Store(tmp_path / "sports.db")
    assert other.scheme == scheme
    assert [lb.name for lb in other.scheme.labels] == ["ZMATCH", "TEAM", "AVENUE"]
    assert [(r.name, r.hotkey, r.description) for r in other.scheme.roles("ZMATCH")] == [
        ("winner", "w", "who won"), ("loser", "", ""), ("at", "", "")]
    other.close()

    with sqlite3.connect(tmp_path / "sports.db") as conn:
        conn.execute("UPDATE project SET value = '' WHERE key = 'scheme'")
        conn.execute("DELETE FROM project WHERE key IN ('scheme_description', 'entity_map')")
    conn.close()
    emptied = Store(tmp_path / "sports.db")
    assert (emptied.scheme.name, emptied.scheme.description, emptied.scheme.entity_map) == ("custom", "", {})
    assert [lb.name for lb in emptied.scheme.labels] == ["ZMATCH", "TEAM", "AVENUE"]
    emptied.close()


def test_the_queue_filtered_by_label_counts_only_the_spans_an_editor_sees(store):
    """Articles showing a span of a label, in id order, paged; a rejected span does not count. With an answer the
    filter starts from whichever is smaller, the label's spans or the articles of that answer: both give the
    same rows."""
    ids = add(store, *(f"Rebels shelled the town of Kyiv, day {i}" for i in range(12)))
    attack = [i for i in ids if i % 2 == 0]  # ATTACK in the even articles, PLACE in every one
    store.suggestions.save_suggestions(
        [(d, [], [Span(31, 35, "PLACE", Source.RULE, SpanState.SUGGESTED),
                  *([Span(23, 27, "PLACE", Source.RULE, SpanState.SUGGESTED)] if d < ids[4] else [])]
          + ([Span(7, 14, "ATTACK", Source.RULE, SpanState.SUGGESTED)] if d in attack else [])) for d in ids], "r")
    documents = store.documents
    assert documents.document_ids(label="ATTACK") == attack
    assert documents.document_ids(0, 2, label="PLACE") == ids[:2]  # one row per article, however many spans
    assert documents.document_ids(ids[1], 3, label="PLACE") == ids[2:5]
    assert documents.document_ids(0, None, label="PLACE", until=ids[3]) == ids[:4]
    assert documents.count_documents(label="ATTACK") == 6 and documents.count_documents(label="TIME") == 0
    assert documents.document_ids(label="TIME") == []
    (span,) = [sp for sp in store.annotations.spans(attack[0]) if sp.label == "ATTACK"]
    store.annotations.set_span_state(span.id, "rejected", "ann")
    assert documents.document_ids(label="ATTACK") == attack[1:]
    for d in attack[1:4]:
        store.annotations.set_answer(d, "accept", "ann")
    store.annotations.set_answer(ids[1], "accept", "ann")
    # 4 accepted articles, 16 PLACE spans: from the answer's articles; 5 ATTACK spans: from the spans
    assert documents.document_ids(answer="accept", label="PLACE") == sorted([*attack[1:4], ids[1]])
    assert documents.document_ids(answer="accept", label="ATTACK") == attack[1:4]
    assert documents.document_ids(answer="pending", label="ATTACK") == attack[4:]
    assert documents.count_documents(answer="accept", label="ATTACK") == 3
    assert documents.document_ids(query="day 3", label="ATTACK") == [ids[3]]  # words and a label
    assert documents.document_ids(query="day 4", label="ATTACK") == []
    assert [r.id for r in documents.list_documents(limit=2, label="ATTACK")] == attack[1:3]


def test_a_document_read_back_whole_and_the_queue_paged_and_searched(store):
    store.documents.add_records([Record(Document("Rebels attacked Kidal.", title="Kidal", external_id="k1",
                                                 meta={"desk": "world"}, input_hash="ab" * 16)),
                                 Record(Document("Talks resumed in Algiers.")),
                                 Record(Document("Rebels shelled Gao.", answer=Answer.ACCEPT))])
    doc = store.documents.document(1)
    assert (doc.id, doc.external_id, doc.title, doc.text, doc.meta, doc.input_hash, doc.answer, doc.tokens) == (
        1, "k1", "Kidal", "Rebels attacked Kidal.", {"desk": "world"}, "ab" * 16, Answer.PENDING, None)
    with pytest.raises(DatabaseError) as caught:
        store.documents.document(9)
    assert str(caught.value) == f"no document 9 in {store.path}"
    assert store.documents.document_ids() == [1, 2, 3]  # from the first
    assert store.documents.document_ids(after=1, limit=1) == [2]
    assert store.documents.document_ids(query="Rebels") == [1, 3]
    assert store.documents.document_ids(query="Rebels", answer="pending") == [1]
    assert [d.id for d in store.documents.list_documents(query="Rebels")] == [1, 3]  # the window's list, searched
    assert store.documents.document_ids(query="!?") == [] and store.documents.document_ids(query="Reb") == [1, 3]
    assert [d.id for d in store.documents.list_documents(offset=1, limit=1)] == [2]
    # what pre-annotation has left to do: pending articles, or all of them
    assert store.suggestions.count_unannotated("rules") == 2
    assert store.suggestions.count_unannotated("rules", only_pending=False) == 3


def test_progress_the_split_keys_and_reading_commands_on_a_missing_project(tmp_path, store):
    from annotator.store import open_for_reading

    assert store.documents.progress() == (0, 0)  # an empty project
    assert store.documents.last_id() == 0  # what the window watches to see articles another program added
    store.set_meta("team", "wire desk")  # a note of the project's own, seen by another handle
    with Store(store.path) as other:
        assert other.get_meta("team") == "wire desk" and other.get_meta("nothing", "none") == "none"
    store.documents.add_records([Record(Document("One.")), Record(Document("Two.", answer=Answer.ACCEPT)),
                                 Record(Document("Three.", answer=Answer.REJECT))])
    assert store.documents.progress() == (2, 3)
    assert store.documents.last_id() == 3
    assert [k[0] for k in store.exports.export_keys()] == [2, 3]  # what an export considers: answered
    assert [k[0] for k in store.exports.export_keys(include_pending=True)] == [1, 2, 3]
    with pytest.raises(DatabaseError, match="no such project database"):
        open_for_reading(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()  # a reading command never makes a project
    with open_for_reading(store.path) as reader:
        assert not reader.readonly  # this user may write it: opened so that an older project is migrated


def test_saved_suggestions_say_which_pipeline_made_them_and_keep_the_tokens_given(store):
    from annotator.core.model import Link, Token
    from annotator.core.tokens import pack_tokens

    add(store, "Rebels attacked Kidal.", "Talks resumed.")
    tokens = [Token(0, 6, True), Token(7, 15, True), Token(16, 21, False), Token(21, 22, False)]
    spans = [Span(0, 6, "ACTOR", Source.RULE, SpanState.SUGGESTED), Span(7, 15, "ATTACK", Source.RULE,
                                                                        SpanState.SUGGESTED)]
    added = store.suggestions.save_suggestions(
        [(1, tokens, spans, [Link(1, 0, "attacker", Source.RULE, SpanState.SUGGESTED)]),
         (2, pack_tokens([Token(0, 5, True), Token(6, 13, False), Token(13, 14, False)]), [])], "rules-v1", "ana")
    assert added == 2
    assert store.documents.tokens(1) == tokens and len(store.documents.tokens(2)) == 3  # a list, or packed
    assert store.conn.execute("SELECT DISTINCT created_by FROM spans").fetchall() == [("rules-v1",)]
    assert store.conn.execute("SELECT created_by, source, state FROM links").fetchall() == [
        ("rules-v1", "rule", "suggested")]
    who, detail = store.conn.execute("SELECT who, detail FROM changes WHERE action = 'preannotate'").fetchone()
    assert (who, json.loads(detail)) == ("ana", {"pipeline": "rules-v1", "documents": 2, "suggestions": 2})


def test_a_scheme_with_a_label_no_format_can_write_is_refused_and_nothing_changes(store):
    from annotator.core.errors import SchemeError
    from annotator.core.labels import Label, LabelScheme

    before = [lb.name for lb in store.scheme.labels]
    bad = LabelScheme("wire", [Label("SHELLING", "event", "#e6194b", "", ""),
                              Label("two words", "argument", "#3cb44b", "", "")])
    with pytest.raises(SchemeError) as caught:
        store.set_scheme(bad)
    assert str(caught.value) == ("scheme 'wire': label name 'two words' holds whitespace or control characters (brat "
                                 "and CoNLL files write a label as one word; use _ or - instead)")
    with Store(store.path) as other:
        assert [lb.name for lb in other.scheme.labels] == before  # not even the good label went in


def test_what_an_export_carries_of_each_article_answered_or_pending(store):
    """An answered article goes out with what the editor accepted (spans and links); a pending one, when asked
    for, with its suggestions too. Its input hash goes with it (Prodigy's _input_hash is made from it)."""
    from annotator.core.model import Link

    spans = [Span(0, 6, "ACTOR", Source.RULE, SpanState.SUGGESTED), Span(7, 15, "ATTACK", Source.RULE,
                                                                        SpanState.SUGGESTED),
             Span(16, 21, "PLACE", Source.EDITOR, SpanState.ACCEPTED)]
    links = [Link(1, 0, "attacker", Source.RULE, SpanState.SUGGESTED),
             Link(1, 2, "place", Source.EDITOR, SpanState.ACCEPTED)]
    store.documents.add_records([Record(Document("Rebels attacked Kidal.", input_hash="aa" * 16), spans,
                                        links=links),
                                 Record(Document("Rebels attacked Kidal!", input_hash="bb" * 16,
                                                 answer=Answer.ACCEPT, meta={"desk": "world"}),
                                        [Span(0, 6, "ACTOR", Source.RULE, SpanState.SUGGESTED),
                                         Span(7, 15, "ATTACK"), Span(16, 21, "PLACE")],
                                        links=[Link(1, 0, "attacker", Source.RULE, SpanState.SUGGESTED),
                                               Link(1, 2, "place")])])
    store.conn.execute("UPDATE links SET score = 0.75 WHERE role = 'attacker'")
    link_ids = dict(store.conn.execute("SELECT doc_id || role, id FROM links"))
    shown = {rec.document.id: (rec.document.input_hash, rec.document.meta, [sp.key for sp in rec.spans],
                               [(lk.event, lk.argument, lk.role, lk.source, lk.state, lk.score, lk.id)
                                for lk in rec.links])
             for rec, _ in store.exports.iter_for_export(include_pending=True)}
    assert shown == {
        1: ("aa" * 16, {}, [(0, 6, "ACTOR"), (7, 15, "ATTACK"), (16, 21, "PLACE")],
            [(1, 0, "attacker", Source.RULE, SpanState.SUGGESTED, 0.75, link_ids["1attacker"]),
             (1, 2, "place", Source.EDITOR, SpanState.ACCEPTED, None, link_ids["1place"])]),
        2: ("bb" * 16, {"desk": "world"}, [(7, 15, "ATTACK"), (16, 21, "PLACE")],
            [(0, 1, "place", Source.EDITOR, SpanState.ACCEPTED, None, link_ids["2place"])])}
    assert [rec.document.id for rec, _ in store.exports.iter_for_export()] == [2]
    other = sqlite3.connect(store.path)  # another program wrote no meta at all
    with other:
        other.execute("UPDATE documents SET meta = NULL WHERE id = 2")
    other.close()
    assert [rec.document.meta for rec, _ in store.exports.iter_for_export()] == [{}]


def test_the_counts_the_window_shows_stay_true_whoever_changes_the_file(store):
    """progress() reads counts the database keeps (no recount of a million rows after each answer): they must
    equal a recount after imports, answers, an import taken back, and changes made by another program with
    plain SQL."""

    def recount() -> tuple[int, int]:
        total, pending = store.conn.execute(
            "SELECT count(*), coalesce(sum(answer = 'pending'), 0) FROM documents").fetchone()
        return total - pending, total

    assert store.documents.progress() == recount() == (0, 0)
    add(store, "Rebels attacked Kidal.", "Talks resumed.", "Shelling hit Gao.")
    store.documents.add_records([Record(Document("Troops left.", answer=Answer.REJECT))])
    assert store.documents.progress() == recount() == (1, 4)
    store.annotations.set_answer(1, "accept", "ana")
    store.annotations.set_answer(1, "ignore", "ana")  # changed: counted once
    store.annotations.set_answer(2, "accept", "ana")
    store.annotations.set_answer(2, "pending", "ana")  # taken back
    assert store.documents.progress() == recount() == (2, 4)
    store.documents.remove([3], "ana")
    assert store.documents.progress() == recount() == (2, 3)
    other = sqlite3.connect(store.path)  # another program, knowing nothing of annotator
    with other:
        other.execute("INSERT INTO documents(text, input_hash, answer, revision) VALUES ('x', 'hx', 'accept', 0)")
        other.execute("UPDATE documents SET answer = 'pending' WHERE id = 1")
        other.execute("DELETE FROM documents WHERE id = 4")
    other.close()
    assert store.documents.progress() == recount() == (1, 3)
    counts = dict(store.conn.execute("SELECT name, n FROM counts"))
    assert counts == {"documents": 3, "answer:pending": 2, "answer:accept": 1, "answer:reject": 0,
                      "answer:ignore": 0}


def test_an_import_signs_and_stamps_every_article_span_and_link_and_logs_what_came_from_where(store):
    """Whose work is whose, and when it came: each imported article, span and link names the editor of the
    import and its time, and the change log says how many of each came, from which files."""
    from annotator.core.model import Link, Token

    text = "Rebels attacked Kidal."
    tokens = [Token(0, 6, True), Token(7, 15, True), Token(16, 21, False), Token(21, 22, False)]
    records = [Record(Document(text, answer=Answer.ACCEPT), [Span(0, 6, "ACTOR"), Span(7, 15, "ATTACK")],
                      links=[Link(1, 0, "attacker")], path="b.jsonl"),
               Record(Document("Talks resumed."), path="a.jsonl"),  # nothing but its text
               Record(Document("Troops left Gao.", tokens=[Token(0, 6, True), Token(7, 11, True),
                                                           Token(12, 15, False), Token(15, 16, False)]),
                      path="a.jsonl"),  # its own tokens, no spans
               Record(Document(text + " Again.", tokens=tokens + [Token(22, 23, False), Token(23, 28, False),
                                                                   Token(28, 29, False)]),
                      [Span(16, 21, "PLACE"), Span(7, 15, "ATTACK")], links=[Link(1, 0, "place")],
                      path=f"dir/{'x' * 5}.jsonl")]
    result = store.documents.add_records(records, who="ana")
    assert (result.added, result.spans, result.links, result.ids) == (4, 4, 2, [1, 2, 3, 4])
    docs = store.conn.execute("SELECT id, created_at, answered_by, answered_at FROM documents ORDER BY id").fetchall()
    assert all(created and created[:4].isdigit() for _, created, _, _ in docs)
    assert docs[0][3] == docs[0][1]  # answered in the file without a time: answered when it came
    assert store.documents.tokens(3) == records[2].document.tokens  # tokens of an article with no spans kept
    spans = store.conn.execute("SELECT doc_id, created_by, updated_at FROM spans ORDER BY id").fetchall()
    assert [(d, who) for d, who, _ in spans] == [(1, "ana"), (1, "ana"), (4, "ana"), (4, "ana")]
    assert all(at and at[:4].isdigit() for _, _, at in spans)
    links = store.conn.execute("SELECT doc_id, role, created_by, updated_at FROM links ORDER BY id").fetchall()
    assert [(d, role, who) for d, role, who, _ in links] == [(1, "attacker", "ana"), (4, "place", "ana")]
    assert all(at and at[:4].isdigit() for *_, at in links)
    who, detail = store.conn.execute("SELECT who, detail FROM changes WHERE action = 'import'").fetchone()
    assert (who, json.loads(detail)) == ("ana", {"documents": 4, "spans": 4, "files": ["a.jsonl", "b.jsonl",
                                                                                         "dir/xxxxx.jsonl"],
                                                 "links": 2})
    # a batch without links says nothing of links; a list of files is cut at twenty
    many = [Record(Document(f"Article {n}."), path=f"f{n:02d}.jsonl") for n in range(25)]
    store.documents.add_records(many, who="ben")
    detail = json.loads(store.conn.execute("SELECT detail FROM changes WHERE who = 'ben'").fetchone()[0])
    assert detail == {"documents": 25, "spans": 0, "files": [f"f{n:02d}.jsonl" for n in range(20)]}


def test_the_project_knows_its_own_files_by_any_name(store, tmp_path):
    """What import and export check before they read or write a file: the project itself, SQLite's files
    beside it, by another path, through a link or a hard link; never a file that only looks like it."""
    store.documents.add_records([Record(Document("Rebels attacked Kidal."))])  # the -wal file exists now
    path = store.path
    (tmp_path / "sub").mkdir()
    hard = tmp_path / "sub" / "alias.db"
    os.link(path, hard)
    soft = tmp_path / "sub" / "link.db"
    soft.symlink_to(path)
    assert store.owns(path) and store.owns(tmp_path / "sub" / ".." / path.name)
    assert store.owns(f"{path}-wal") and store.owns(f"{path}-shm") and store.owns(f"{path}-journal")
    assert store.owns(hard) and store.owns(soft)
    other = tmp_path / "other.db"
    other.write_bytes(path.read_bytes())  # a copy is another file
    assert not store.owns(other) and not store.owns(tmp_path / "missing.db")


def test_migrating_a_project_keeps_the_roles_its_editors_made_and_backs_up_only_what_it_had(tmp_path):
    """A project made after events (schema 3) with roles of its own keeps them when it is migrated; an empty
    SQLite file that is already ours gets no backup beside it (there is nothing in it to keep)."""
    db_path = tmp_path / "v3.db"
    conn = sqlite3.connect(db_path, isolation_level=None)
    migrations.apply(Database(conn), stop_before="0004_first_scheme")
    conn.execute("PRAGMA user_version = 3")
    conn.execute("PRAGMA application_id = 1095650900")
    conn.execute("INSERT INTO project VALUES ('scheme', 'conflict-news')")
    conn.execute("INSERT INTO labels VALUES ('ATTACK', 'event', '#e6194b', 'a', 'Strikes.', 0)")
    conn.execute("INSERT INTO labels VALUES ('PLACE', 'argument', '#3cb44b', '3', 'Where.', 1)")
    conn.execute("INSERT INTO roles VALUES ('ATTACK', 'site', '[\"PLACE\"]', 's', 'Where it hit.', 0)")
    conn.close()
    with Store(db_path) as store:
        assert [(r.name, r.fillers) for r in store.scheme.roles("ATTACK")] == [("site", ("PLACE",))]
    fresh = tmp_path / "fresh.db"
    conn = sqlite3.connect(fresh, isolation_level=None)
    conn.execute("PRAGMA application_id = 1095650900")  # ours, but nothing written yet
    conn.execute("VACUUM")
    conn.close()
    assert fresh.stat().st_size > 0
    with Store(fresh) as store:
        assert store.documents.count_documents() == 0
    assert not list(tmp_path.glob("fresh.db.bak*"))


def test_migration_0011_gives_amount_no_key_another_label_holds_and_leaves_other_schemes_alone(db_path, tmp_path):
    """A project made before AMOUNT (schema 10) on the default scheme, whose editors gave key 7 to a label of their
    own: AMOUNT comes without a key (a key used twice would stop the project opening); a project on another
    scheme gets no AMOUNT at all."""
    for path, scheme in ((db_path, "conflict-news"), (tmp_path / "other.db", "sports")):
        conn = sqlite3.connect(path, isolation_level=None)
        db = Database(conn)
        migrations.apply(db, stop_before="0011_guidelines_and_amounts")
        conn.execute("PRAGMA user_version = 10")
        conn.execute("PRAGMA application_id = 1095650900")
        conn.execute("DELETE FROM labels")
        conn.execute("DELETE FROM roles")
        conn.execute("UPDATE project SET value = ? WHERE key = 'scheme'", (scheme,))
        conn.execute("UPDATE project SET value = '{}' WHERE key = 'entity_map'")
        conn.execute("INSERT INTO labels VALUES ('ATTACK', 'event', '#e6194b', 'a', 'Strikes.', 0)")
        conn.execute("INSERT INTO labels VALUES ('VEHICLE', 'argument', '#42d4f4', '7', 'Ours.', 1)")
        conn.execute("INSERT INTO roles(event, name, fillers, hotkey, description, position) "
                     "VALUES ('ATTACK', 'instrument', '[\"VEHICLE\"]', 'i', 'With what.', 0)")
        conn.close()
    with Store(db_path) as store:
        amount = store.scheme.get("AMOUNT")
        assert amount is not None and amount.hotkey == "" and store.scheme.get("VEHICLE").hotkey == "7"
        assert store.scheme.roles("ATTACK")[0].fillers == ("VEHICLE", "AMOUNT")
        assert "472 drones" in amount.examples and store.scheme.guidelines
    with Store(tmp_path / "other.db") as store:
        assert store.scheme.names == {"ATTACK", "VEHICLE"} and store.scheme.guidelines == ""
        assert store.scheme.roles("ATTACK")[0].fillers == ("VEHICLE",)
