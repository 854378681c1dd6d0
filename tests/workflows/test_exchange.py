"""Other tools' formats: their real files come in with the counts their users expect, the traps in the
fixtures' README each have a test, and every format the project writes comes back in with the same spans."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from annotator.core.errors import ExportError, InputError
from annotator.core.model import Answer, Document, Record, Source, Span, SpanState
from annotator.nlp import build_annotator
from annotator.nlp.pipeline import tokenize
from annotator.store import Store
from annotator.workflows.exporting import export, split_ids
from annotator.workflows.importing import import_paths
from annotator.workflows.preannotating import preannotate
from tests.conftest import FORMATS, SAMPLES, write

LS = FORMATS / "label_studio" / "web" / "libs" / "editor" / "src" / "examples" / "named_entity"
DOCCANO_SEQ = FORMATS / "doccano" / "backend" / "data_import" / "tests" / "data" / "sequence_labeling"
BRAT = FORMATS / "brat" / "news"


def spans_by_text(store: Store) -> dict[str, set[tuple[str, int, int, str]]]:
    """Each article's spans as an export with pending articles carries them (an answered article's accepted
    spans, a pending one's accepted and suggested spans), keyed by its text, as (covered text, start, end,
    label)."""
    out = {}
    for (doc_id,) in store.conn.execute("SELECT id FROM documents"):
        doc = store.documents.document(doc_id)
        keep = {SpanState.ACCEPTED} if doc.answer is not Answer.PENDING else {SpanState.ACCEPTED,
                                                                                 SpanState.SUGGESTED}
        out[doc.text] = {(doc.text[s.start:s.end], s.start, s.end, s.label) for s in store.annotations.spans(doc_id)
                         if s.state in keep}
    return out


def by_external_id(store: Store, ext: str):
    (doc_id,) = store.conn.execute("SELECT id FROM documents WHERE external_id = ?", (ext,)).fetchone()
    return store.documents.document(doc_id)


# ---------------------------------------------------------------------------------------- real files in


def test_brat_tutorial_folder(store):
    report = import_paths(store, [BRAT], add_labels=True)  # detected: the folder holds .ann files
    assert (report.added, report.rejected) == (13, 0)
    assert report.spans == 119  # every T line
    assert {"Person", "Organization", "GPE", "Merge-org", "Report"} <= store.scheme.names
    doc = store.documents.document(store.conn.execute(
        "SELECT id FROM documents WHERE external_id = '100-attribute_annotation'").fetchone()[0])
    # E lines are links: "E1 Report:T17 Reporter-Arg:T1 Event-Arg:E2", E2's argument being its trigger
    assert report.links == 60
    spans = {s.id: (doc.text[s.start:s.end], s.label) for s in store.annotations.spans(doc.id)}
    links = {(spans[lk.event], lk.role, spans[lk.argument]) for lk in store.links.of_document(doc.id)}
    assert (("twitted", "Report"), "Reporter-Arg", ("Somebody", "Person")) in links
    assert (("twitted", "Report"), "Event-Arg", ("merge", "Merge-org")) in links
    # the lines that are not spans or links are kept in meta with the spans their ids name
    assert "A1\tConfidence E1 Neutral" in doc.meta["brat"]
    assert doc.meta["brat_ids"]["T17"] == doc.meta["brat_ids"]["E1"] == [506, 513, "Report"]
    notes = by_external_id(store, "110-note_annotation")
    assert any(line.startswith("#1\tAnnotatorNotes T1") for line in notes.meta["brat"])
    family = [lk for lk in store.links.of_document(notes.id) if lk.role == "Family"]
    assert len(family) == 2  # "R1 Family Arg1:T6 Arg2:T7" is a link in the role its relation names
    # the files with an empty .ann are articles without spans
    empty = store.conn.execute("SELECT count(*) FROM documents WHERE id NOT IN (SELECT doc_id FROM spans)")
    assert empty.fetchone()[0] == 4


def test_brat_offsets_count_characters_not_bytes(store, tmp_path):
    text = "Le président a été arrêté à Kaboul, a annoncé la police.\n"
    write(tmp_path / "b" / "a.txt", text)
    start = text.index("Kaboul")
    write(tmp_path / "b" / "a.ann", f"T1\tPLACE {start} {start + 6}\tKaboul\n")
    # the same span counted in UTF-8 bytes, as a careless converter writes it
    byte_start = len(text[:start].encode())
    write(tmp_path / "c" / "a.txt", text)
    write(tmp_path / "c" / "a.ann", f"T1\tPLACE {byte_start} {byte_start + 6}\tKaboul\n")
    errors = []
    report = import_paths(store, [tmp_path / "b", tmp_path / "c"], fmt="brat", on_error=errors.append)
    assert report.added == 1 and report.rejected == 1
    first = store.annotations.spans(1)[0]
    assert first.label == "PLACE" and text[first.start:first.end] == "Kaboul"
    assert str(errors[0]).startswith(f"{tmp_path / 'c' / 'a.ann'}:1: T1:")
    assert "characters, not bytes" in str(errors[0])


def test_brat_discontinuous_span_and_bad_line(store, tmp_path):
    text = "Rebels shelled\nthe town.\n"
    write(tmp_path / "d" / "x.txt", text)
    write(tmp_path / "d" / "x.ann", "T1\tATTACK 7 14;15 18\tshelled the\nT2\tATTACK 0 6\n")
    errors = []
    report = import_paths(store, [tmp_path / "d"], on_error=errors.append)
    assert report.rejected == 1 and "T<n> TAB type start end TAB text" in str(errors[0]) and ":2:" in str(errors[0])
    write(tmp_path / "d" / "x.ann", "T1\tATTACK 7 14;15 18\tshelled the\n")
    report = import_paths(store, [tmp_path / "d"])
    assert report.added == 1
    (span,) = store.annotations.spans(1)
    assert (span.start, span.end) == (7, 18)  # from the first fragment's start to the last one's end


def test_label_studio_predictions_and_annotations(store):
    report = import_paths(store, [LS / "tasks.json"], add_labels=True)
    assert (report.added, report.spans) == (1, 1)
    doc = store.documents.document(1)
    (span,) = store.annotations.spans(1)
    # predictions are suggestions; offsets count the "\n\n" paragraph breaks
    assert span.state is SpanState.SUGGESTED and doc.answer is Answer.PENDING
    assert doc.text[span.start:span.end] == "February 22" and span.label == "Date"


def test_label_studio_annotation_file(store):
    report = import_paths(store, [LS / "annotations" / "1.json"], add_labels=True)
    assert (report.added, report.spans) == (1, 1)
    doc, (span,) = store.documents.document(1), store.annotations.spans(1)
    assert doc.answer is Answer.ACCEPT and span.state is SpanState.ACCEPTED
    assert doc.text[span.start:span.end] == "February 22"


def test_label_studio_traps(store, tmp_path):
    """`value.text` missing, several labels on one result, a relation item, a cancelled annotation."""
    text = "Troops seized Kherson.\n\nTalks began in Geneva."
    tasks = [
        {"id": 7, "data": {"text": text}, "annotations": [{"result": [
            {"id": "a", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": 0, "end": 6, "labels": ["ACTOR"]}},
            {"id": "b", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": 39, "end": 45, "labels": ["PLACE", "TARGET"]}},
            {"from_id": "a", "to_id": "b", "type": "relation", "direction": "right", "labels": []}]}]},
        {"id": 8, "data": {"text": "Nothing happened here."}, "annotations": [{"result": [], "was_cancelled": True}]},
        {"id": 9, "data": {"body": "A task whose text field has another name."}, "predictions": []},
        {"id": 10, "annotations": []},
    ]
    write(tmp_path / "ls.json", json.dumps(tasks, indent=2))
    errors = []
    report = import_paths(store, [tmp_path / "ls.json"], on_error=errors.append)
    assert (report.added, report.rejected) == (3, 1)
    assert "record 4" in str(errors[0]) and "'data'" in str(errors[0])
    doc = by_external_id(store, "7")
    spans = {(text[s.start:s.end], s.label) for s in store.annotations.spans(doc.id)}
    assert spans == {("Troops", "ACTOR"), ("Geneva", "PLACE"), ("Geneva", "TARGET")}
    assert doc.answer is Answer.ACCEPT
    assert doc.meta["label_studio_results"][0]["type"] == "relation"
    assert by_external_id(store, "8").answer is Answer.IGNORE
    assert by_external_id(store, "9").text.startswith("A task whose")


def test_conll_files_of_spacy_and_doccano(store):
    report = import_paths(store, [FORMATS / "conll" / "ner-token-per-line.iob"], add_labels=True)
    assert (report.added, report.spans) == (1, 7)  # no -DOCSTART-, no blank line: one article
    doc = store.documents.document(1)
    found = [(doc.text[s.start:s.end], s.label) for s in store.annotations.spans(1)]
    assert ("Sebastian Thrun", "PERSON") in found and ("earlier this week", "DATE") in found
    # doccano's: a file without -DOCSTART- holds an article per block; trailing blank lines are nothing
    report = import_paths(store, [DOCCANO_SEQ / "example.conll", DOCCANO_SEQ / "labeling.trailing.conll"],
                          add_labels=True)
    assert (report.added, report.rejected) == (3, 0)
    # the pipeline example is a .txt with space-separated columns: detected as CoNLL, not as an article
    report = import_paths(store, [FORMATS / "doccano" / "backend" / "data_import" / "pipeline" / "examples" /
                                  "sequence_labeling" / "example.txt"], add_labels=True)
    assert (report.added, report.spans) == (2, 4)


def test_conll_invalid_line_rejects_its_article_only(store):
    errors = []
    report = import_paths(store, [DOCCANO_SEQ / "labeling.invalid.conll"], add_labels=True, on_error=errors.append)
    assert (report.added, report.rejected) == (2, 1)
    assert str(errors[0]) == (f"{DOCCANO_SEQ / 'labeling.invalid.conll'}:1: 'SOCCERO' is not an IOB tag "
                              f"(O, B-LABEL or I-LABEL)")
    texts = sorted(store.documents.document(i).text for i in (1, 2))
    assert texts == ["AL-AIN , United Arab Emirates 1996-12-06", "Nadim Ladki"]


def test_spacy_docbin_written_elsewhere(store, tmp_path):
    """A DocBin made by spaCy itself (entities and a span group, no annotator user data)."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    doc = nlp("Rebels shelled Kharan on Monday.")
    doc.ents = [doc.char_span(15, 21, label="PLACE")]
    doc.spans["sc"] = [doc.char_span(7, 14, label="ATTACK"), doc.char_span(15, 21, label="PLACE")]
    DocBin(docs=[doc]).to_disk(tmp_path / "x.spacy")
    write(tmp_path / "broken.spacy", b"not a docbin")
    errors = []
    report = import_paths(store, [tmp_path / "x.spacy", tmp_path / "broken.spacy"], on_error=errors.append)
    assert (report.added, report.spans, report.rejected) == (1, 2, 1)
    assert "not a spaCy DocBin" in str(errors[0]) and "broken.spacy" in str(errors[0])
    assert {(s.start, s.end, s.label, s.state) for s in store.annotations.spans(1)} == {
        (7, 14, "ATTACK", SpanState.ACCEPTED), (15, 21, "PLACE", SpanState.ACCEPTED)}


# ------------------------------------------------------------------------------------------- round trips


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The samples, pre-annotated; eight articles accepted with their suggestions (events with arguments
    inside them: overlapping spans), one rejected, three pending."""
    path = tmp_path_factory.mktemp("p") / "project.db"
    store = Store(path)
    import_paths(store, [SAMPLES], tokenizer=tokenize)
    preannotate(store, build_annotator(store.scheme))
    ids = [r[0] for r in store.conn.execute("SELECT id FROM documents ORDER BY id")]
    for doc_id in ids[:8]:
        store.annotations.accept_all(doc_id, "ed")
        store.annotations.set_answer(doc_id, Answer.ACCEPT, "ed")
    store.annotations.set_answer(ids[8], Answer.REJECT, "ed")
    store.close()
    return path


def copy_of(project: Path, tmp_path: Path) -> Store:
    target = tmp_path / "copy.db"
    shutil.copy(project, target)
    return Store(target)


@pytest.mark.parametrize("fmt", ["prodigy", "doccano", "doccano-relations", "label-studio", "brat", "spacy"])
def test_round_trip_keeps_every_span(project, tmp_path, fmt):
    store = copy_of(project, tmp_path)
    first = export(store, tmp_path / "one", fmt=fmt, include_pending=True, tokenizer=tokenize)
    before = spans_by_text(store)
    fresh = Store(tmp_path / "fresh.db")
    reader = "doccano" if fmt == "doccano-relations" else fmt
    report = import_paths(fresh, [tmp_path / "one"], fmt=reader, tokenizer=tokenize)
    assert report.rejected == 0
    after = spans_by_text(fresh)
    left_out = sum(first.left_out.values())
    if fmt in ("brat", "spacy"):  # formats without answers: the rejected article stays behind, and says so
        assert left_out == 1
        rejected_text = store.documents.document(9).text
        before.pop(rejected_text)
    else:
        assert left_out == 0
    assert after == before
    assert first.spans == sum(len(v) for v in before.values())
    second = export(fresh, tmp_path / "two", fmt=fmt, include_pending=True, tokenizer=tokenize)
    assert second.spans == first.spans and second.documents == first.documents
    if fmt in ("prodigy", "label-studio", "doccano"):
        # the answers travel too
        answers = {store.documents.document(i).text: store.documents.document(i).answer for i in range(1, 13)}
        for (doc_id,) in fresh.conn.execute("SELECT id FROM documents"):
            doc = fresh.documents.document(doc_id)
            assert doc.answer is answers[doc.text]
        # and what the article says of itself: its title, its id in the source, its meta
        def own(s: Store) -> dict:
            return {d.text: (d.title, d.external_id, d.meta) for d in
                    (s.documents.document(i) for (i,) in s.conn.execute("SELECT id FROM documents"))}

        assert own(fresh) == own(store)


def test_conll_round_trip_gives_the_same_file(project, tmp_path):
    store = copy_of(project, tmp_path)
    first = export(store, tmp_path / "one.conll", fmt="conll", tokenizer=tokenize)
    # IOB2 gives a token one tag: the arguments inside event spans are counted, not dropped silently
    assert first.dropped_spans["overlaps a span kept instead (IOB2 gives a token one tag; the longest is kept)"] > 0
    assert first.left_out == {"article(s) answered reject (conll has no way to say so)": 1}
    assert any("overlaps a span kept instead" in line and "left out" in line for line in first.lines())
    text = (tmp_path / "one.conll").read_text(encoding="utf-8")
    assert text.startswith("-DOCSTART- -X- O O\n\n") and text.count("-DOCSTART-") == 8
    import spacy

    # which tokenizer made the tokens, to the version: a trainer must tokenize new text the same way
    assert f"spaCy {spacy.__version__}, " in (tmp_path / "one.conll.tokenizer.txt").read_text()
    assert "\n\n\n" not in text and " \t" not in text
    fresh = Store(tmp_path / "fresh.db")
    assert import_paths(fresh, [tmp_path / "one.conll"]).added == 8
    export(fresh, tmp_path / "two.conll", fmt="conll", include_pending=True, tokenizer=tokenize)
    assert (tmp_path / "two.conll").read_text(encoding="utf-8") == text
    # and spaCy's own converter reads it: one Doc per article, the same entities
    from spacy.training.converters import conll_ner_to_docs

    docs = list(conll_ner_to_docs(text, n_sents=0, no_print=True))
    assert len(docs) == 8
    assert sum(len(d.ents) for d in docs) == first.spans


def test_spacy_export_puts_overlaps_in_span_group_only(project, tmp_path):
    import spacy
    from spacy.tokens import DocBin

    store = copy_of(project, tmp_path)
    report = export(store, tmp_path / "x.spacy", fmt="spacy", tokenizer=tokenize)
    docs = list(DocBin().from_disk(tmp_path / "x.spacy").get_docs(spacy.blank("en").vocab))
    assert len(docs) == 8
    in_sc = sum(len(d.spans["sc"]) for d in docs)
    in_ents = sum(len(d.ents) for d in docs)
    assert in_sc == report.spans and 0 < in_ents < in_sc
    assert any(f"{in_sc - in_ents} span(s) overlap" in note for note in report.notes)


def test_split_never_shares_an_article(project, tmp_path):
    store = copy_of(project, tmp_path)
    report = export(store, tmp_path / "c.jsonl", fmt="prodigy", split=0.75, seed=1, tokenizer=tokenize)
    train = [json.loads(x)["text"] for x in (tmp_path / "c.train.jsonl").read_text().splitlines()]
    dev = [json.loads(x)["text"] for x in (tmp_path / "c.dev.jsonl").read_text().splitlines()]
    assert not set(train) & set(dev)
    assert len(train) + len(dev) == 9 and report.split == {"train": len(train), "dev": len(dev)}
    assert 1 <= len(dev) <= len(train)  # about 3 in 4 in train (each article by its own hash)
    again = export(store, tmp_path / "d.jsonl", fmt="prodigy", split=0.75, seed=1, tokenizer=tokenize)
    assert again.split == report.split
    assert (tmp_path / "d.train.jsonl").read_text() == (tmp_path / "c.train.jsonl").read_text()
    keys = store.exports.export_keys()
    assert any(split_ids(keys, 0.75, s) != split_ids(keys, 0.75, 1) for s in range(2, 6))
    # on many articles the fraction holds; on two, both parts still get one
    many = [(i, f"text {i}", "accept") for i in range(2000)]
    assert 0.73 < len(split_ids(many, 0.75, 1)) / 2000 < 0.77
    assert len(split_ids(many[:2], 0.99, 1)) == 1 and len(split_ids(many[:2], 0.01, 1)) == 1
    with pytest.raises(ExportError, match="between 0 and 1"):
        export(store, tmp_path / "e.jsonl", split=1.5, tokenizer=tokenize)


def test_failed_folder_export_leaves_nothing(project, tmp_path):
    store = copy_of(project, tmp_path)
    export(store, tmp_path / "brat", fmt="brat", tokenizer=tokenize)
    before = sorted(p.name for p in (tmp_path / "brat").iterdir())

    def broken(text):
        raise RuntimeError("tokenizer failed")

    store.conn.execute("DELETE FROM tokens WHERE doc_id = 5")
    with pytest.raises(RuntimeError):
        export(store, tmp_path / "brat", fmt="brat", tokenizer=broken)
    assert sorted(p.name for p in (tmp_path / "brat").iterdir()) == before  # the old export is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brat", "copy.db", "copy.db-shm", "copy.db-wal"]
    assert (tmp_path / "brat" / "annotation.conf").read_text().count("\n") > 17


def test_brat_annotation_file_without_its_text_is_reported(store, tmp_path):
    write(tmp_path / "b" / "one.txt", "Rebels shelled the town.\n")
    write(tmp_path / "b" / "one.ann", "T1\tATTACK 7 14\tshelled\n")
    write(tmp_path / "b" / "two.ann", "T1\tATTACK 0 6\tRebels\n")
    errors = []
    report = import_paths(store, [tmp_path / "b"], on_error=errors.append)
    assert (report.added, report.rejected) == (1, 1)
    assert str(errors[0]) == f"{tmp_path / 'b' / 'two.ann'}: no text file two.txt beside it"


def _relations(record: dict) -> set[tuple]:
    """A doccano record's relations by what they join: (from span, to span, type)."""
    ents = {e["id"]: (e["start_offset"], e["end_offset"], e["label"]) for e in record["entities"]}
    return {(ents[r["from_id"]], ents[r["to_id"]], r["type"]) for r in record["relations"]}


def test_doccano_relations_come_in_as_links_and_go_out_with_their_entities(store, tmp_path):
    source = FORMATS / "doccano/backend/data_export/pipeline/examples/relation_extraction/example.jsonl"
    original = json.loads(source.read_text(encoding="utf-8"))
    report = import_paths(store, [source], add_labels=True, answer=Answer.ACCEPT, tokenizer=tokenize)
    assert (report.spans, report.links) == (4, 3)
    assert report.new_roles == ["ORG foundedAt (DATE)", "ORG foundedBy (PERSON)"]
    assert store.scheme.get("ORG").kind == "event" and store.scheme.get("PERSON").kind == "argument"
    export(store, tmp_path / "rel.jsonl", fmt="doccano-relations", tokenizer=tokenize)
    (out,) = [json.loads(line) for line in (tmp_path / "rel.jsonl").read_text().splitlines()]
    assert _relations(out) == _relations(original) and len(out["relations"]) == 3
    assert "doccano_relations" not in out.get("meta", {})
    # an entity removed since takes its relation with it: the editor's removal, not a loss
    doc_id = store.conn.execute("SELECT id FROM documents").fetchone()[0]
    larry = next(s for s in store.annotations.spans(doc_id) if s.label == "PERSON" and s.start == 44)
    store.annotations.delete_span(larry.id, "ed")
    report = export(store, tmp_path / "rel2.jsonl", fmt="doccano-relations", tokenizer=tokenize)
    (out,) = [json.loads(line) for line in (tmp_path / "rel2.jsonl").read_text().splitlines()]
    assert len(out["relations"]) == 2 and report.links == 2 and not report.dropped_links
    # a project an earlier version made kept doccano's relations and entity ids in the article's meta: they are
    # links now, and never go out a second time beside them; the rest of the meta goes out as it was
    store.conn.execute("UPDATE documents SET meta = ?", (json.dumps(
        {"doccano_relations": [{"id": 9}], "doccano_entity_ids": [1, 2], "desk": "economy"}),))
    export(store, tmp_path / "rel3.jsonl", fmt="doccano-relations", tokenizer=tokenize)
    (out,) = [json.loads(line) for line in (tmp_path / "rel3.jsonl").read_text().splitlines()]
    assert out["meta"] == {"desk": "economy"} and len(out["relations"]) == 2


def test_doccano_relations_the_scheme_does_not_allow_are_reported(store, tmp_path):
    record = {"text": "Rebels shelled Kharan.", "entities": [
        {"id": 9, "start_offset": 15, "end_offset": 21, "label": "PLACE"},
        {"id": 4, "start_offset": 0, "end_offset": 6, "label": "ACTOR"},
        {"id": 5, "start_offset": 7, "end_offset": 14, "label": "ATTACK"}],
        "relations": [{"id": 1, "from_id": 5, "to_id": 9, "type": "attacker"}]}
    path = write(tmp_path / "r.jsonl", json.dumps(record) + "\n")
    report = import_paths(store, [path], answer=Answer.ACCEPT)
    assert report.rejected == 1 and report.added == 0
    assert str(report.errors[0]) == (f"{path}:1: link 1 (ATTACK attacker PLACE): a span labelled PLACE cannot be the "
                                     f"attacker of ATTACK (it takes ACTOR) (import with --add-labels to add the "
                                     f"role)")
    record["relations"] = [{"id": 1, "from_id": 4, "to_id": 9, "type": "attacked"}]
    path = write(tmp_path / "s.jsonl", json.dumps(record) + "\n")
    report = import_paths(store, [path], answer=Answer.ACCEPT, add_labels=True)
    assert str(report.errors[0]) == (f"{path}:1: link 1 (ACTOR attacked PLACE): ACTOR is an argument label in "
                                     f"this project, so it cannot trigger an event (its attacked link)")
    record["relations"] = [{"id": 1, "from_id": 5, "to_id": 4, "type": "attacker"},
                           {"id": 2, "from_id": 5, "to_id": 9, "type": "target"}]
    path = write(tmp_path / "t.jsonl", json.dumps(record) + "\n")
    report = import_paths(store, [path], answer=Answer.ACCEPT)
    assert (report.added, report.links) == (1, 2)
    export(store, tmp_path / "out.jsonl", fmt="doccano-relations", tokenizer=tokenize)
    out = json.loads((tmp_path / "out.jsonl").read_text())
    assert _relations(out) == _relations(record)


def test_brat_export_never_replaces_a_folder_it_did_not_write(project, tmp_path):
    store = copy_of(project, tmp_path)
    theirs = tmp_path / "corpus"
    write(theirs / "notes.txt", "my own files")
    with pytest.raises(ExportError, match="holds other files"):
        export(store, theirs, fmt="brat", tokenizer=tokenize)
    assert (theirs / "notes.txt").read_text() == "my own files"
    export(store, tmp_path / "ours", fmt="brat", tokenizer=tokenize)
    export(store, tmp_path / "ours", fmt="brat", tokenizer=tokenize)  # an earlier export is replaced
    assert len(list((tmp_path / "ours").glob("*.ann"))) == 8


CONLL_SCHEMES = {
    "IOB2": "John\tB-ACTOR\nSmith\tI-ACTOR\nattacked\tB-ATTACK\nKidal\tB-PLACE\n.\tO\n",
    "IOB1": "John\tI-ACTOR\nSmith\tI-ACTOR\nattacked\tI-ATTACK\nKidal\tI-PLACE\n.\tO\n",
    "IOBES": "John\tB-ACTOR\nSmith\tE-ACTOR\nattacked\tS-ATTACK\nKidal\tS-PLACE\n.\tO\n",
    "BILOU": "John\tB-ACTOR\nSmith\tL-ACTOR\nattacked\tU-ATTACK\nKidal\tU-PLACE\n.\tO\n",
}


@pytest.mark.parametrize("scheme", sorted(CONLL_SCHEMES))
def test_conll_tag_schemes_give_the_same_spans_and_tokens(tmp_path, scheme):
    from annotator.formats import READERS, ReadOptions

    path = write(tmp_path / f"{scheme}.conll", "-DOCSTART- -X- O O\n\n" + CONLL_SCHEMES[scheme] +
                 "\nThey\tO\nfled\tB-MOVEMENT\n")
    (rec,) = list(READERS["conll"].read(path, ReadOptions()))
    assert rec.document.text == "John Smith attacked Kidal .\nThey fled"
    assert [(s.start, s.end, s.label, s.state, s.source) for s in rec.spans] == [
        (0, 10, "ACTOR", SpanState.ACCEPTED, Source.EDITOR), (11, 19, "ATTACK", SpanState.ACCEPTED, Source.EDITOR),
        (20, 25, "PLACE", SpanState.ACCEPTED, Source.EDITOR), (33, 37, "MOVEMENT", SpanState.ACCEPTED, Source.EDITOR)]
    # the file's tokens are kept: a space after each but the last of a sentence, a line break token between
    text = rec.document.text
    assert [(text[t.start:t.end], t.ws) for t in rec.document.tokens] == [
        ("John", True), ("Smith", True), ("attacked", True), ("Kidal", True), (".", False), ("\n", False),
        ("They", True), ("fled", False)]
    assert rec.path == str(path) and rec.line == 3 and rec.document.meta == {"format": "conll"}


def test_conll_adjacent_single_token_spans_of_one_label_stay_apart(tmp_path):
    from annotator.formats import READERS, ReadOptions

    path = write(tmp_path / "a.conll", "Kabul\tU-PLACE\nKidal\tU-PLACE\nGao\tS-PLACE\nMopti\tB-PLACE\n")
    (rec,) = list(READERS["conll"].read(path, ReadOptions()))
    assert [(s.start, s.end) for s in rec.spans] == [(0, 5), (6, 11), (12, 15), (16, 21)]
    bad = write(tmp_path / "b.conll", "Kabul\tO\nKidal\tX-PLACE\n")
    (err,) = list(READERS["conll"].read(bad, ReadOptions()))
    assert str(err) == f"{bad}:2: 'X-PLACE' is not an IOB tag (O, B-LABEL or I-LABEL)"


def test_iob_tags_keep_the_longest_then_the_earliest_and_count_what_they_drop():
    from annotator.core.model import Span
    from annotator.formats.writers import iob_tags

    starts, ends = [0, 5, 10, 15, 20], [4, 9, 14, 19, 24]
    spans = [Span(5, 14, "B"), Span(0, 9, "A"),  # equal length, overlapping: the earlier wins
             Span(15, 19, "C"), Span(15, 24, "D"),  # the longer wins
             Span(1, 4, "X"), Span(0, 3, "Y")]  # off the token boundaries
    tags, dropped = iob_tags(5, starts, ends, spans)
    assert tags == ["B-A", "I-A", "O", "B-D", "I-D"]
    assert dropped == {"does not line up with the tokens": 2,
                       "overlaps a span kept instead (IOB2 gives a token one tag; the longest is kept)": 2}
    tags, dropped = iob_tags(5, starts, ends, [Span(10, 14, "S"), Span(20, 24, "E")])
    assert tags == ["O", "O", "B-S", "O", "B-E"] and not dropped
    # touching is not overlapping: a short span right before a longer one, and one right after it
    tags, dropped = iob_tags(5, starts, ends, [Span(0, 4, "P"), Span(5, 14, "Q"), Span(15, 19, "R")])
    assert tags == ["B-P", "B-Q", "I-Q", "B-R", "O"] and not dropped


def test_doccano_relations_new_spans_get_ids_and_links_added_since_go_out(store, tmp_path):
    rec = {"text": "Rebels attacked Kidal on Monday.", "answer": "accept",
           "entities": [{"id": 1, "start_offset": 0, "end_offset": 6, "label": "ACTOR"},
                        {"id": 3, "start_offset": 7, "end_offset": 15, "label": "ATTACK"}],
           "relations": [{"id": 9, "from_id": 3, "to_id": 1, "type": "attacker"}]}
    import_paths(store, [write(tmp_path / "r.jsonl", json.dumps(rec) + "\n")], tokenizer=tokenize)
    kidal = store.annotations.add_span(1, 16, 21, "PLACE", "ed")
    attack = next(s for s in store.annotations.spans(1) if s.label == "ATTACK")
    store.links.add(1, attack.id, kidal.id, "place", "ed")
    store.annotations.add_span(1, 25, 31, "TIME", "ed")
    export(store, tmp_path / "out.jsonl", fmt="doccano-relations", tokenizer=tokenize)
    (out,) = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    # entities are numbered from 1 in text order; relations name them by those numbers
    assert [(e["id"], e["label"]) for e in out["entities"]] == [(1, "ACTOR"), (2, "ATTACK"), (3, "PLACE"),
                                                                (4, "TIME")]
    assert out["relations"] == [{"id": 1, "from_id": 2, "to_id": 1, "type": "attacker"},
                                {"id": 2, "from_id": 2, "to_id": 3, "type": "place"}]
    assert out["answer"] == "accept"


def test_conll_export_layout_between_articles_and_odd_tokens(store, tmp_path):
    from annotator.core.model import Token

    store.documents.add_records([
        Record(Document(text="New York fell.", answer=Answer.ACCEPT,
                              tokens=[Token(0, 8, True), Token(9, 13, False), Token(13, 14, False)]),
                     [Span(0, 8, "PLACE", Source.EDITOR, SpanState.ACCEPTED)]),
        Record(Document(text="Talks began.", answer=Answer.ACCEPT), [])])
    export(store, tmp_path / "o.conll", fmt="conll", tokenizer=tokenize)
    assert (tmp_path / "o.conll").read_text(encoding="utf-8") == (
        "-DOCSTART- -X- O O\n\nNew_York\tB-PLACE\nfell\tO\n.\tO\n\n"
        "-DOCSTART- -X- O O\n\nTalks\tO\nbegan\tO\n.\tO\n")


def test_conll_read_errors_name_their_line(tmp_path):
    from annotator.formats import READERS, ReadOptions

    raw = write(tmp_path / "bytes.conll", b"John\tB-ACTOR\nSm\xffith\tI-ACTOR\n")
    assert [str(e) for e in READERS["conll"].read(raw, ReadOptions())] == [
        f"{raw}:2: not UTF-8 text (byte 16)"]
    three = write(tmp_path / "three.conll",
                  "John NNP B-ACTOR\nran VBD O\n\nbad\n\nGao NNP X-PLACE\n\nMopti NNP B-PLACE\n")
    items = list(READERS["conll"].read(three, ReadOptions()))
    assert [str(i) if isinstance(i, InputError) else i.document.text for i in items] == [
        "John ran", f"{three}:4: expected a token and its tag, got 'bad'",
        f"{three}:6: 'X-PLACE' is not an IOB tag (O, B-LABEL or I-LABEL)", "Mopti"]
    assert [(s.start, s.end, s.label) for s in items[0].spans] == [(0, 4, "ACTOR")]
    missing = list(READERS["conll"].read(tmp_path / "none.conll", ReadOptions()))
    assert [str(e) for e in missing] == [f"{tmp_path / 'none.conll'}: cannot read: No such file or directory"]


def test_brat_reader_fields_and_each_error_named(tmp_path):
    from annotator.formats import READERS, ReadOptions

    folder = tmp_path / "corpus"
    write(folder / "sub" / "a.txt", "\nAttack on Kidal\r\nRebels attacked Kidal.")
    write(folder / "sub" / "a.ann", "T1\tACTOR 18 24\tRebels\r\nT2\tPLACE 34 39\tKidal\r\nR1\tIn Arg1:T1 Arg2:T2\r\n")
    (rec,) = list(READERS["brat"].read(folder, ReadOptions()))
    assert rec.document.title == "Attack on Kidal" and rec.document.external_id == str(Path("sub") / "a")
    assert rec.path == str(folder / "sub" / "a.ann") and rec.document.meta == {"file": "a.txt"}
    assert [(lk.event, lk.argument, lk.role) for lk in rec.links] == [(0, 1, "In")]  # the R line
    assert [(s.start, s.end, s.label, s.state) for s in rec.spans] == [(18, 24, "ACTOR", SpanState.ACCEPTED),
                                                                       (34, 39, "PLACE", SpanState.ACCEPTED)]
    # the pair named by its text file reads the same; a hidden text file (an editor's backup) is not an article
    (alone,) = list(READERS["brat"].read(folder / "sub" / "a.txt", ReadOptions()))
    assert [(s.start, s.end, s.label) for s in alone.spans] == [(18, 24, "ACTOR"), (34, 39, "PLACE")]
    write(folder / "sub" / ".a.txt", "A backup.")
    assert [r.document.text for r in READERS["brat"].read(folder, ReadOptions())] == [rec.document.text]
    from annotator.formats.brat import role_name

    assert [role_name(r) for r in ("Target2", "Org-Arg12", "Theme", "BOX", "2")] == [
        "Target", "Org-Arg", "Theme", "BOX", "2"]  # brat's number for a repeated role dropped, nothing else
    lone = write(tmp_path / "lone.ann", "T1\tACTOR 0 6\tRebels\n")  # an .ann named alone, its .txt missing
    assert [str(e) for e in READERS["brat"].read(lone, ReadOptions())] == [f"{lone}: no text file lone.txt beside it"]
    cases = {
        "T1\tACTOR 0 6 Rebels\n": "a T line must be 'T<n> TAB type start end TAB text'",
        "T1\tACTOR 0 60\tRebels\n": "T1: offsets 0..60 outside the text (22 characters)",
        "T1\tACTOR 3 3\tx\n": "T1: offsets 3..3 outside the text (22 characters)",
        "T1\tACTOR 0 6\tRebel\n": "T1: the text at 0 6 is 'Rebels', the line says 'Rebel' (offsets must count "
                                  "characters, not bytes)",
        "X1\tsomething\n": "not a brat annotation line: 'X1\\tsomething'",
        "T1\tATTACK 7 15\tattacked\nE1\tATTACK:T1 Place:T9\n": "no text-bound annotation T9 in this file",
        "T1\tATTACK 7 15\tattacked\nE1\tATTACK:T1 Cause:E7\n": "no event E7 in this file",
        "T1\tATTACK 7 15\tattacked\nE1\tATTACK T1\n": "an E line must be 'E<n> TAB type:T<n> role:T<n> ...'",
        "T1\tATTACK 7 15\tattacked\nE1\tATTACK:T4\n": "no text-bound annotation T4 in this file",
        "T1\tACTOR 0 6\tRebels\nR1\tIn Arg1:T5 Arg2:T1\n": "no text-bound annotation T5 in this file",
        "T1\tACTOR 0 6\tRebels\nR1\tIn Arg1:T1 Arg2:T6\n": "no text-bound annotation T6 in this file",
        "R1\tIn Arg1:T1\n": "an R line must be 'R<n> TAB type Arg1:T<n> Arg2:T<n>'",
    }
    for n, (line, message) in enumerate(cases.items()):
        write(tmp_path / f"e{n}.txt", "Rebels attacked Kidal.")
        ann = write(tmp_path / f"e{n}.ann", "\n" + line)
        (err,) = list(READERS["brat"].read(ann, ReadOptions()))
        assert str(err) == f"{ann}:{line.count(chr(10)) + 1}: {message}"
    write(tmp_path / "empty.txt", " \n")
    (err,) = list(READERS["brat"].read(write(tmp_path / "empty.ann", ""), ReadOptions()))
    assert str(err) == f"{tmp_path / 'empty.txt'}: the text file is empty"
    bad = write(tmp_path / "bytes.txt", b"Rebels\n\xff")
    write(tmp_path / "bytes.ann", "")
    (err,) = list(READERS["brat"].read(bad, ReadOptions()))
    assert str(err) == f"{bad}:2: not UTF-8 text (byte 8)"
    nothing = tmp_path / "nothing"
    nothing.mkdir()
    assert [str(e) for e in READERS["brat"].read(nothing, ReadOptions())] == [
        f"{nothing}: the folder holds no .txt files for brat"]


def test_brat_file_names_are_unique_safe_and_kept_short(tmp_path):
    from annotator.core.labels import load_scheme
    from annotator.formats.writers import BratWriter

    writer = BratWriter(tmp_path / "out", load_scheme(), "test")
    ids = ["a-3", "a", "a", "A", "CON", "nul.txt", "x/../../etc", None, "." * 3, "é" * 5, "b" * 200]
    names = [writer._name(Document("x", external_id=ext, id=i)) for i, ext in enumerate(ids, start=1)]
    assert names[:4] == ["a-3", "a", "a-3-2", "A-4"]  # "a-3" is taken by the first article
    assert names[4:7] == ["_CON", "_nul", "x_.._.._etc"]  # no Windows device name, no way out of the folder
    assert names[7:10] == ["doc-000008", "doc-000009", "doc-000010"]  # nothing usable left: named by the id
    assert names[10] == "b" * 80
    assert len({n.lower() for n in names}) == len(names)
    # the text's own ending dropped (.txt, .text in any case), a name's other dots kept; a device name with an
    # ending is still a device name on Windows
    more = ["report.2024.TXT", "wire.story.text", "_.draft._", "aux.v2", "lpt1", "X-ray_"]
    assert [writer._name(Document("x", external_id=ext, id=20 + i)) for i, ext in enumerate(more)] == [
        "report.2024", "wire.story", "draft", "_aux.v2", "_lpt1", "X-ray"]


def test_label_studio_tasks_as_label_studio_reads_them(store, tmp_path):
    store.documents.add_records([
        Record(Document(text="Rebels attacked Kidal.", title="Kidal", external_id="k1", meta={"src": "wire"},
                              answer=Answer.ACCEPT, answered_by="ana", answered_at="2026-01-02T03:04:05+00:00"),
                     [Span(0, 6, "ACTOR", Source.EDITOR, SpanState.ACCEPTED)]),
        Record(Document(text="Nothing here.", answer=Answer.REJECT, answered_by="ben",
                              answered_at="2026-01-03T00:00:00+00:00")),
        Record(Document(text="Talks resumed."), [Span(0, 5, "TALKS", Source.RULE, SpanState.SUGGESTED)]),
        Record(Document(text="Skipped one.", answer=Answer.IGNORE)),
    ])
    export(store, tmp_path / "ls.json", fmt="label-studio", include_pending=True, tokenizer=tokenize)
    tasks = json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))

    def result(doc_id, i, s, e, text, label):
        return {"id": f"s{doc_id}-{i}", "from_name": "label", "to_name": "text", "type": "labels",
                "origin": "manual", "value": {"start": s, "end": e, "text": text, "labels": [label]}}

    assert tasks == [
        {"id": 1, "data": {"text": "Rebels attacked Kidal.", "title": "Kidal", "external_id": "k1"},
         "meta": {"src": "wire"},
         "annotations": [{"result": [result(1, 0, 0, 6, "Rebels", "ACTOR")], "was_cancelled": False,
                          "completed_by": {"email": "ana"}, "created_at": "2026-01-02T03:04:05+00:00"}]},
        {"id": 2, "data": {"text": "Nothing here."},
         "annotations": [{"result": [], "was_cancelled": True, "annotator_answer": "reject",
                          "completed_by": {"email": "ben"}, "created_at": "2026-01-03T00:00:00+00:00"}]},
        {"id": 3, "data": {"text": "Talks resumed."}, "annotations": [],
         "predictions": [{"model_version": "annotator", "result": [result(3, 0, 0, 5, "Talks", "TALKS")]}]},
        {"id": 4, "data": {"text": "Skipped one."}, "annotations": [  # answered on import: stamped then
            {"result": [], "was_cancelled": True, "created_at": store.documents.document(4).answered_at}]},
    ]
    # the label config names the same from_name / to_name
    config = (tmp_path / "ls.json.label_config.xml").read_text(encoding="utf-8")
    assert '<Labels name="label" toName="text">' in config and '<Text name="text" value="$text"/>' in config


def test_a_pretty_printed_file_that_cannot_be_read_is_one_named_error(tmp_path):
    from annotator.formats.base import iter_json_records

    cases = {
        b'[\n {"text": "a"},\n {"text": }\n]\n': "not valid JSON: Expecting value (line 3, column 11)",
        b'[\n {"text": "\xff"}\n]\n': "not UTF-8 text (byte 14)",
        b"[\n" + b"[" * 100_000 + b"]" * 100_000 + b"\n]\n": "nested too deeply to read",
    }
    for n, (data, message) in enumerate(cases.items()):
        path = write(tmp_path / f"p{n}.json", data)
        (err,) = list(iter_json_records(path))
        assert isinstance(err, InputError) and str(err).startswith(f"{path}: {message}"), str(err)
    mixed = write(tmp_path / "mixed.json", '[\n {"text": "a"},\n 7,\n "b"\n]\n')
    items = list(iter_json_records(mixed))
    assert items[0] == (None, {"__record__": 1, "text": "a"})
    assert [str(e) for e in items[1:]] == [f"{mixed}: record 2: expected a JSON object, got int",
                                           f"{mixed}: record 3: expected a JSON object, got str"]
