"""An import's batch and a pre-annotation's are commands like the editors' edits: the change log keeps the command,
and its inverse takes it back (and the inverse's inverse puts it back) as long as no editor has touched it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.edits import AddDocuments, RemoveDocuments, RemoveSuggestions, apply
from annotator.core.errors import ConflictError
from annotator.core.model import SpanState
from annotator.store import Store
from annotator.workflows.exporting import export
from annotator.workflows.importing import import_paths
from annotator.workflows.preannotating import preannotate

LINES = [
    {"text": "Rebels attacked Kidal on Monday.", "answer": "accept", "spans": [
        {"start": 0, "end": 6, "label": "ACTOR"}, {"start": 7, "end": 15, "label": "ATTACK"}],
     "relations": [{"head": 1, "child": 0, "label": "attacker",
                    "head_span": {"start": 7, "end": 15, "label": "ATTACK"},
                    "child_span": {"start": 0, "end": 6, "label": "ACTOR"}}]},
    {"text": "Talks began in Doha.", "meta": {"source": "wire"}},
    {"text": "Shelling hit the port of Odesa.", "title": "Odesa"},
]


def logged(store: Store) -> list[dict]:
    return [json.loads(r[0]).get("edit", {}) for r in store.conn.execute(
        "SELECT detail FROM changes WHERE detail IS NOT NULL ORDER BY id")]


def exported(store: Store, path: Path) -> list[dict]:
    from annotator.nlp.pipeline import tokenize

    export(store, path, fmt="events", include_pending=True, tokenizer=tokenize)
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_an_import_is_logged_as_its_command_and_its_inverse_takes_it_back_whole(store, tmp_path, tokenize):
    src = tmp_path / "wire.jsonl"
    src.write_text("".join(json.dumps(x) + "\n" for x in LINES))
    import_paths(store, [src], fmt="prodigy", tokenizer=tokenize)
    assert logged(store)[-1] == {"kind": "AddDocuments", "documents": 3, "files": [str(src)]}
    before = exported(store, tmp_path / "before.jsonl")
    assert before[0]["events"][0]["arguments"][0]["role"] == "attacker"  # the link came in

    # a batch as a command, as a command: its inverse is the documents it added
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps({"text": "Rebels took Gao.", "spans": [{"start": 0, "end": 6, "label": "ACTOR"}]})
                     + "\n" + json.dumps(LINES[1]) + "\n")  # the second one is a duplicate: not added
    from annotator.formats import READERS, ReadOptions

    records = [r for r in READERS["prodigy"].read(extra, ReadOptions())]
    applied = apply(store, AddDocuments(tuple(records)), "ana")
    assert applied.result.ids == [4] and applied.inverse == RemoveDocuments((4,))
    assert store.documents.count_documents() == 4
    assert store.conn.execute("SELECT who FROM changes ORDER BY id DESC LIMIT 1").fetchone() == ("ana",)

    removed = apply(store, applied.inverse, "ana")
    assert store.documents.count_documents() == 3 and store.documents.count_documents(query="Gao") == 0
    assert store.conn.execute("SELECT count(*) FROM spans WHERE doc_id = 4").fetchone()[0] == 0
    assert logged(store)[-1] == {"kind": "RemoveDocuments", "doc_ids": [4]}
    assert exported(store, tmp_path / "after.jsonl") == before
    # and its inverse puts the article back as it was, spans and all
    back = apply(store, removed.inverse, "ana")
    (doc_id,) = back.result.ids
    assert store.documents.document(doc_id).text == "Rebels took Gao."
    assert [(s.start, s.end, s.label) for s in store.annotations.spans(doc_id)] == [(0, 6, "ACTOR")]

    # the first import's three articles, with their link, answer, meta and title, go and come back
    gone = apply(store, RemoveDocuments((1, 2, 3)), "ana")
    assert store.documents.count_documents() == 1 and store.links.of_document(1) == []
    apply(store, gone.inverse, "ana")
    again = exported(store, tmp_path / "again.jsonl")
    assert sorted(json.dumps(x, sort_keys=True) for x in again if "Gao" not in x["text"]) == \
        sorted(json.dumps(x, sort_keys=True) for x in before)


def test_an_import_is_not_taken_back_once_an_editor_has_worked_on_it(store):
    from annotator.core.model import Document, Record

    added = apply(store, AddDocuments((Record(Document("Rebels attacked Kidal.")), Record(Document("Talks.")))),
                  "ana")
    store.annotations.add_span(added.result.ids[1], 0, 5, "TALKS", "ben")
    with pytest.raises(ConflictError, match=r"document\(s\) 2 were edited after they came in; nothing was removed"):
        apply(store, added.inverse, "ana")
    assert store.documents.count_documents() == 2 and len(store.annotations.spans(2)) == 1


def test_a_preannotation_run_is_logged_as_its_command_and_its_inverse_spares_the_editors_work(store, rules,
                                                                                               tmp_path, tokenize):
    src = tmp_path / "wire.jsonl"
    src.write_text("".join(json.dumps({"text": x["text"]}) + "\n" for x in LINES))
    import_paths(store, [src], tokenizer=tokenize)
    preannotate(store, rules, who="ana")
    assert logged(store)[-1] == {"kind": "AddSuggestions", "pipeline": rules.key, "documents": 3}
    suggested = {d: [(s.start, s.end, s.label) for s in store.annotations.spans(d)] for d in (1, 2, 3)}

    def links(doc_id: int) -> set[tuple]:
        key = {s.id: (s.start, s.end, s.label) for s in store.annotations.spans(doc_id)}
        return {(key[lk.event], lk.role, key[lk.argument], lk.state) for lk in store.links.of_document(doc_id)}

    suggested_links = links(1)
    assert suggested[1] and suggested_links
    assert store.suggestions.count_unannotated(rules.key) == 0

    # the editor accepts one suggestion of the first article; the run is taken back in it and the second
    keep = store.annotations.spans(1)[0]
    store.annotations.set_span_state(keep.id, SpanState.ACCEPTED, "ben")
    undone = apply(store, RemoveSuggestions(rules.key, (1, 2)), "ana")
    assert [(s.start, s.end, s.label, s.state) for s in store.annotations.spans(1)] == \
        [(keep.start, keep.end, keep.label, SpanState.ACCEPTED)]
    assert store.annotations.spans(2) == [] and store.links.of_document(2) == []
    assert len(store.annotations.spans(3)) == len(suggested[3])  # not named: left alone
    assert store.suggestions.count_unannotated(rules.key) == 2  # a later run suggests there again
    assert logged(store)[-1] == {"kind": "RemoveSuggestions", "pipeline": rules.key, "doc_ids": [1, 2]}
    assert store.conn.execute("SELECT who FROM changes WHERE action = 'remove_suggestions'").fetchall() == [("ana",)]
    # the inverse's inverse suggests them again, links too
    redone = apply(store, undone.inverse, "ana")
    assert isinstance(redone.inverse, RemoveSuggestions)
    assert {d: [(s.start, s.end, s.label) for s in store.annotations.spans(d)] for d in (1, 2, 3)} == suggested
    assert links(1) == {(*lk[:3], SpanState.SUGGESTED) for lk in suggested_links}
    assert redone.result == len(suggested[1]) - 1 + len(suggested[2])  # the accepted one was never removed
    assert redone.inverse == RemoveSuggestions(rules.key, (1, 2))  # a run's inverse names its pipeline and articles
    apply(store, redone.inverse, "ana")
    assert store.annotations.spans(2) == [] and len(store.annotations.spans(3)) == len(suggested[3])


def test_taking_an_import_back_gives_the_records_it_came_as(store):
    from annotator.core.errors import DatabaseError
    from annotator.core.model import Document, Link, Record, Source, Span

    record = Record(Document("Rebels attacked Kidal.", title="Kidal", meta={"k": 1}, external_id="w-1"),
                    [Span(0, 6, "ACTOR", Source.MODEL, SpanState.SUGGESTED, 0.75),
                     Span(7, 15, "ATTACK", Source.RULE, SpanState.ACCEPTED)],
                    path="wire.jsonl", line=3,
                    links=[Link(1, 0, "attacker", Source.MODEL, SpanState.REJECTED, 0.5)])
    added = apply(store, AddDocuments((record,)), "ana")
    with pytest.raises(DatabaseError, match=r"^no document 7, 9 in "):
        apply(store, RemoveDocuments((1, 7, 9)), "ana")
    assert store.documents.count_documents() == 1
    removed = apply(store, added.inverse, "ana")
    (back,) = removed.result
    assert back.path == "wire.jsonl" and back.document.id is None
    assert (back.document.text, back.document.title, back.document.meta, back.document.external_id) == (
        "Rebels attacked Kidal.", "Kidal", {"k": 1}, "w-1")
    assert back.spans == record.spans  # source, state and score kept; no ids
    assert back.links == record.links  # the rejected link too
    detail = json.loads(store.conn.execute("SELECT detail FROM changes WHERE action = 'remove_documents'")
                        .fetchone()[0])
    assert (detail["documents"], detail["ids"]) == (1, [1])
    assert [store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("documents", "spans", "links", "tokens", "preannotated", "documents_fts")] == [0] * 6


def test_taking_suggestions_back_returns_exactly_what_it_removed(store, rules, tmp_path, tokenize):
    from annotator.core.model import Document, Record

    store.documents.add_records([Record(Document("Rebels attacked Kidal on Monday.")),
                                 Record(Document("Talks resumed in Doha."))])
    preannotate(store, rules, who="ana")
    spans = store.annotations.spans(1)
    rebels = next(s for s in spans if s.label == "ACTOR")
    store.annotations.set_span_state(rebels.id, SpanState.ACCEPTED, "ben")  # the editor's: stays
    undone = apply(store, RemoveSuggestions(rules.key, (1,)), "ana")
    ((doc_id, tokens, removed, links),) = undone.result
    assert (doc_id, tokens) == (1, None)
    # the suggestions removed, then the span that stays because a removed link named it; no ids
    assert [(s.start, s.end, s.label, s.state, s.id) for s in removed] == [
        (s.start, s.end, s.label, s.state, None) for s in spans if s.id != rebels.id] + [
        (rebels.start, rebels.end, "ACTOR", SpanState.ACCEPTED, None)]
    assert {(removed[lk.event].label, lk.role, removed[lk.argument].label, lk.id) for lk in links} == {
        ("ATTACK", "attacker", "ACTOR", None), ("ATTACK", "time", "TIME", None)}
    assert [(s.label, s.state) for s in store.annotations.spans(1)] == [("ACTOR", SpanState.ACCEPTED)]
    assert len(store.annotations.spans(2)) > 0  # another article: untouched
    detail = json.loads(store.conn.execute("SELECT detail FROM changes WHERE action = 'remove_suggestions'")
                        .fetchone()[0])
    # the log counts the suggestions removed, not the span that stays
    assert (detail["pipeline"], detail["documents"], detail["suggestions"]) == (rules.key, 1, len(removed) - 1)


def test_taking_a_run_back_in_several_articles_counts_them_all_and_leaves_other_links(store, rules):
    from annotator.core.model import Document, Link, Record, Source, Span

    store.documents.add_records([Record(Document("Rebels attacked Kidal on Monday.")),
                                 Record(Document("Rebels shelled Gao on Friday."))])
    preannotate(store, rules, who="ana")
    counts = [len(store.annotations.spans(d)) for d in (1, 2)]
    # another source's suggested link between two spans an editor accepted: not this run's, left alone
    spans = store.annotations.spans(1)[:2]
    for sp in spans:
        store.annotations.set_span_state(sp.id, SpanState.ACCEPTED, "ben")
    store.suggestions.save_suggestions([(1, None, [Span(sp.start, sp.end, sp.label) for sp in spans],
                                         [Link(1, 0, "agent", Source.MODEL, SpanState.SUGGESTED)])], "model-x")
    foreign = {lk.id for lk in store.links.of_document(1) if lk.source is Source.MODEL}
    assert len(foreign) == 1
    undone = apply(store, RemoveSuggestions(rules.key, (1, 2)), "ana")
    assert [len(r[2]) for r in undone.result][1] == counts[1]
    assert all(lk.role != "agent" for r in undone.result for lk in r[3])  # not the other source's link
    assert foreign <= set(store.links.states(1))  # still there
    assert [s.id for s in store.annotations.spans(1)] == [s.id for s in spans]  # the editor's two stay
    detail = json.loads(store.conn.execute("SELECT detail FROM changes WHERE action = 'remove_suggestions'")
                        .fetchone()[0])
    assert (detail["documents"], detail["suggestions"]) == (2, counts[0] - 2 + counts[1])


def test_the_log_of_a_large_removal_names_its_first_hundred_articles(store):
    from annotator.core.model import Document, Record

    added = apply(store, AddDocuments(tuple(Record(Document(f"Article {i}.")) for i in range(101))), "ana")
    apply(store, added.inverse, "ana")
    detail = json.loads(store.conn.execute("SELECT detail FROM changes WHERE action = 'remove_documents'")
                        .fetchone()[0])
    assert detail["documents"] == 101 and detail["ids"] == list(range(1, 101))
    who = store.conn.execute("SELECT who FROM changes WHERE action = 'remove_documents'").fetchone()[0]
    assert who == "ana"


def test_an_import_of_many_files_names_the_first_twenty_and_the_editor_who_ran_it(store, tmp_path, tokenize):
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(23):
        (folder / f"w{n:02d}.jsonl").write_text(json.dumps({"text": f"Article {n} of the wire."}) + "\n")
    import_paths(store, [folder], fmt="prodigy", who="ben", tokenizer=tokenize)
    assert logged(store)[-1] == {"kind": "AddDocuments", "documents": 23,
                                 "files": [str(folder / f"w{n:02d}.jsonl") for n in range(20)]}
    assert store.conn.execute("SELECT DISTINCT who FROM changes").fetchall() == [("ben",)]


def test_taking_suggestions_back_keeps_a_suggestion_the_editor_left_a_note_on(store, rules, tmp_path, tokenize):
    """A comment or a flag on a suggestion is the editor's work: taking the run's suggestions back leaves that
    span (and its note) as they are."""
    src = tmp_path / "wire.jsonl"
    src.write_text("".join(json.dumps({"text": x["text"]}) + "\n" for x in LINES))
    import_paths(store, [src], tokenizer=tokenize)
    preannotate(store, rules, who="ana")
    noted, other = store.annotations.spans(1)[:2]
    store.notes.set(1, noted.id, "is this the town?", True, "ben")
    apply(store, RemoveSuggestions(rules.key, (1,)), "ana")
    left = store.annotations.spans(1)
    assert [s.id for s in left] == [noted.id] and other.id not in {s.id for s in left}
    assert store.notes.note(1, noted.id).text == "is this the town?"
