"""Import from every supported input, good and bad, through the same function the CLI and window call."""

from __future__ import annotations

import json

import pytest

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.model import Answer, SpanState
from annotator.formats import ReadOptions
from annotator.workflows.importing import import_paths
from tests.conftest import FORMATS, WIKINEWS, write

PRODIGY = FORMATS / "prodigy"
DOCCANO_TESTS = FORMATS / "doccano/backend/data_import/tests/data"
DOCCANO_EXAMPLES = FORMATS / "doccano/backend/data_import/pipeline/examples"
DOCCANO_EXPORT = FORMATS / "doccano/backend/data_export/pipeline/examples"


def run(store, *paths, tokenize=None, **kw):
    from annotator.nlp.pipeline import tokenize as tok

    return import_paths(store, list(paths), tokenizer=tokenize or tok, who="tester", **kw)


def reasons(report) -> list[str]:
    return [str(e) for e in report.errors]


def test_wikinews_jsonl_with_meta_and_dedup(store):
    report = run(store, WIKINEWS)
    assert (report.added, report.rejected, report.duplicates) == (150, 0, 0)
    doc = store.documents.document(1)
    assert doc.external_id == "wikinews-2019-001" and doc.title.startswith("Magnitogorsk")
    assert doc.meta["url"].startswith("http") and doc.meta["license"]
    assert "title" not in doc.meta and "text" not in doc.meta
    again = run(store, WIKINEWS)
    assert (again.added, again.duplicates) == (0, 150)
    assert store.documents.count_documents() == 150
    in_batches = run(store, WIKINEWS, batch_size=40)  # the repeats of every batch counted, not the last's
    assert (in_batches.added, in_batches.duplicates) == (0, 150)


def test_text_files_and_folders(store, tmp_path):
    folder = tmp_path / "articles"
    write(folder / "a.txt", "Headline one\r\n\r\nBody of the first article.\r\n")
    write(folder / "sub" / "b.txt", "Headline two\n\nBody two.")
    write(folder / "bad.txt", b"Caf\xe9 owner arrested\n")
    write(folder / "empty.txt", "  \n")
    write(folder / "notes.md", "# not an article")
    report = run(store, folder)
    assert report.added == 2 and report.rejected == 2
    assert any("bad.txt:1: not UTF-8" in r for r in reasons(report))
    assert any("empty.txt: the file is empty" in r for r in reasons(report))
    titles = sorted(r.title for r in store.documents.list_documents())
    assert titles == ["Headline one", "Headline two"]
    assert "\r" not in store.documents.document(1).text


def test_bad_jsonl_lines_are_reported_and_the_good_ones_imported(store, tmp_path):
    path = write(tmp_path / "in.jsonl", "\n".join([
        json.dumps({"text": "Good one", "id": 1}),
        '{"text": "broken',
        json.dumps({"title": "no text"}),
        json.dumps({"text": ""}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": 42}),
        "",
        json.dumps({"text": "Good two", "meta": {"source": "wire"}}),
    ]) + "\n")
    with open(path, "ab") as fh:
        fh.write(b'{"text": "bad \xff byte"}\n')
    report = run(store, path)
    assert report.added == 2 and report.rejected == 6
    r = reasons(report)
    assert f"{path}:2: not valid JSON" in r[0]
    assert f"{path}:3: record has no 'text' field" == r[1]
    assert f"{path}:4: 'text' is empty" == r[2]
    assert "expected a JSON object" in r[3] and ":5:" in r[3]
    assert ":6: 'text' must be a string" in r[4]
    assert f"{path}:9: not UTF-8" in r[5]
    assert store.documents.document(2).meta == {"source": "wire"}


def test_empty_and_missing_files(store, tmp_path):
    empty = write(tmp_path / "empty.jsonl", "")
    report = run(store, empty, tmp_path / "missing.jsonl")
    assert report.rejected == 2 and report.added == 0
    assert any("empty.jsonl: the file is empty" in r for r in reasons(report))
    assert any("missing.jsonl: no such file" in r for r in reasons(report))


def test_csv_with_named_text_column(store, tmp_path):
    path = write(tmp_path / "in.csv",
                 'id,headline,body,desk\n1,Town shelled,"Shelling hit the town.\nTwo died.",world\n'
                 '2,Empty,,world\n3,Short,"too, many",cols,extra\n')
    report = run(store, path, options=ReadOptions(text_column="body", title_column="headline"))
    assert report.added == 1 and report.rejected == 2
    doc = store.documents.document(1)
    assert doc.text == "Shelling hit the town.\nTwo died." and doc.title == "Town shelled"
    assert doc.meta == {"desk": "world"} and doc.external_id == "1"
    assert "column 'body' is empty" in reasons(report)[0]
    missing = run(store, path)
    assert "no column 'text'" in reasons(missing)[0] and ":1:" in reasons(missing)[0]


@pytest.mark.parametrize("name,docs,spans,labels", [
    ("ner_fashion_brands__fashion_brands_training.jsonl", 200, 74, ["FASHION_BRAND"]),
    ("ner_food_ingredients__food_data.jsonl", 120, 276, ["INGRED"]),
    ("ner_tweets__test_annotated.jsonl", 120, 70, ["PERSON"]),
    ("spanruler_restaurant_reviews__test_review.jsonl", 120, 252,
     ["Cuisine", "Location", "Hours", "Rating", "Dish", "Price", "Amenity", "Restaurant_Name"]),
])
def test_real_prodigy_files(store, name, docs, spans, labels):
    path = PRODIGY / name
    refused = run(store, path)
    with_spans = sum(1 for line in path.open() if json.loads(line).get("spans"))
    assert refused.rejected == with_spans and refused.added == docs - with_spans
    assert "unknown label" in reasons(refused)[0] and "--add-labels" in reasons(refused)[0]
    report = run(store, path, add_labels=True)
    assert report.rejected == 0 and report.added == with_spans and report.spans == spans
    assert sorted(report.new_labels) == sorted(labels)
    # accepted records come in answered, with accepted spans and Prodigy's own tokens kept
    total = store.documents.count_documents()
    assert total == docs
    accepted = sum(1 for line in path.open() if json.loads(line)["answer"] == "accept")
    assert store.documents.count_documents(answer="accept") == accepted
    states = {s for d in store.documents.list_documents(limit=1000) for s in
              (sp.state for sp in store.annotations.spans(d.id))}
    assert states <= {SpanState.ACCEPTED, SpanState.SUGGESTED}
    first = next(json.loads(line) for line in path.open() if json.loads(line).get("spans"))
    (row,) = [r for r in store.documents.list_documents(limit=1000)
              if store.documents.document(r.id).text == first["text"]]
    doc = store.documents.document(row.id)
    assert [(t.start, t.end) for t in doc.tokens] == [(t["start"], t["end"]) for t in first["tokens"]]
    assert sorted((s.start, s.end, s.label) for s in store.annotations.spans(row.id)) == sorted(
        (s["start"], s["end"], s["label"]) for s in first["spans"])


def test_prodigy_answers_decide_the_span_states(store, tmp_path):
    run(store, PRODIGY / "ner_tweets__test_annotated.jsonl", add_labels=True)
    assert store.documents.count_documents(answer="ignore") == 4
    for row in store.documents.list_documents(answer="ignore"):
        assert store.documents.document(row.id).answer is Answer.IGNORE
    tok = [{"text": "Rebels", "start": 0, "end": 6, "id": 0, "ws": True},
           {"text": "attacked", "start": 7, "end": 15, "id": 1, "ws": False}]
    span = [{"start": 0, "end": 6, "token_start": 0, "token_end": 0, "label": "ACTOR"}]
    records = [
        {"text": "Rebels attacked", "tokens": tok, "spans": span},
        {"text": "Rebels attacked!", "tokens": tok, "spans": span, "answer": "reject", "_is_binary": True},
        {"text": "Rebels attacked?", "tokens": tok, "spans": span, "answer": "reject"},
    ]
    path = write(tmp_path / "p.jsonl", "\n".join(json.dumps(r) for r in records))
    report = run(store, path)
    assert report.added == 3
    ids = [r.id for r in store.documents.list_documents(limit=1000)][-3:]
    assert [store.annotations.spans(i)[0].state for i in ids] == [SpanState.SUGGESTED, SpanState.REJECTED,
                                                     SpanState.ACCEPTED]


def test_doccano_traps(store):
    # a line without text is rejected; the good lines go in
    report = run(store, DOCCANO_TESTS / "sequence_labeling/example.jsonl", add_labels=True, snap_to_tokens=True)
    assert report.added == 2 and report.rejected == 1
    assert reasons(report)[0].endswith("example.jsonl:3: record has no 'text' field")
    # a duplicated span is accepted (once)
    report = run(store, DOCCANO_TESTS / "sequence_labeling/example_overlapping.jsonl", add_labels=True,
                 snap_to_tokens=True)
    assert report.rejected == 0 and report.duplicates == 1  # same text as in example.jsonl
    # the character spans of "exampleA" cut through the token; without --snap-to-tokens that is an error
    report = run(store, DOCCANO_TESTS / "sequence_labeling/example_overlapping.jsonl", add_labels=True)
    assert report.duplicates == 0 and report.rejected == 1 and "cuts through a token" in reasons(report)[0]


def test_doccano_relation_mode_and_pretty_printed_file(store):
    report = run(store, DOCCANO_EXPORT / "relation_extraction/example.jsonl", add_labels=True)
    assert report.added == 1 and report.spans == 4 and report.rejected == 0
    doc = store.documents.document(1)
    assert sorted(lk.role for lk in store.links.of_document(1)) == ["foundedAt", "foundedBy", "foundedBy"]
    texts = {doc.text[s.start:s.end]: s.label for s in store.annotations.spans(1)}
    assert texts == {"Google": "ORG", "September 4, 1998": "DATE", "Larry Page": "PERSON", "Sergey Brin": "PERSON"}
    again = run(store, DOCCANO_TESTS / "relation_extraction/example.jsonl", add_labels=True)
    assert again.duplicates == 1


def test_doccano_custom_columns(store):
    path = DOCCANO_EXAMPLES / "sequence_labeling/example.jsonl"
    plain = run(store, path)
    assert plain.rejected == 3 and "no 'text' field" in reasons(plain)[0]
    report = run(store, path, fmt="doccano", add_labels=True,
                 options=ReadOptions(text_column="column_data", label_column="column_label"))
    assert report.added == 3 and report.spans == 3


def test_spans_outside_text_unknown_labels_and_cut_tokens(store, tmp_path):
    path = write(tmp_path / "in.jsonl", "\n".join(json.dumps(r) for r in [
        {"text": "Rebels shelled the town", "label": [[0, 6, "ACTOR"], [7, 14, "ATTACK"]]},
        {"text": "Rebels shelled the town", "label": [[0, 60, "ACTOR"]]},
        {"text": "Rebels shelled a town", "label": [[0, 6, "REBEL"]]},
        {"text": "Rebels shelled one town", "label": [[0, 3, "ACTOR"]]},
        {"text": "Rebels shelled two towns", "label": [[0, "x", "ACTOR"]]},
        {"text": "Rebels shelled six towns", "label": [[6, 0, "ACTOR"]]},
    ]) + "\n")
    report = run(store, path)
    assert report.added == 1 and report.spans == 2 and report.rejected == 5
    r = reasons(report)
    assert ":2: span 0..60 (ACTOR) lies outside the text" in r[0]
    assert ":3: unknown label 'REBEL'" in r[1]
    assert ":4: span 0..3 'Reb' (ACTOR) cuts through a token" in r[2]
    assert ":5:" in r[3] and "whole number" in r[3]
    assert ":6:" in r[4] and "outside" in r[4]
    assert store.scheme.get("REBEL") is None


def test_strict_imports_all_or_nothing(store, tmp_path):
    path = write(tmp_path / "in.jsonl", '{"text": "one"}\n{"text": "two"}\nnot json\n')
    report = run(store, path, strict=True, batch_size=1)
    assert report.rolled_back and report.rejected == 1 and report.added == 0
    assert store.documents.count_documents() == 0
    assert store.conn.execute("SELECT count(*) FROM changes").fetchone()[0] == 0
    good = write(tmp_path / "good.jsonl", '{"text": "one"}\n{"text": "two"}\n')
    report = run(store, good, strict=True, batch_size=1)
    assert not report.rolled_back and report.added == 2 and store.documents.count_documents() == 2


def test_answer_override_and_format_name(store, tmp_path):
    path = write(tmp_path / "in.jsonl", json.dumps({"text": "Rebels shelled the town",
                                                    "label": [[0, 6, "ACTOR"]]}) + "\n")
    report = run(store, path, answer=Answer.ACCEPT)
    assert report.added == 1
    assert store.documents.document(1).answer is Answer.ACCEPT
    with pytest.raises(AnnotatorError, match="unknown format"):
        run(store, path, fmt="nope")


def test_folders_of_mixed_and_unusual_files(store, tmp_path):
    folder = tmp_path / "drop"
    write(folder / "wire-001", "Headline without an extension\n\nBody.")
    write(folder / "batch.jsonl", '{"text": "From a JSON line"}\n')
    write(folder / "notes.md", "# not an article")
    report = run(store, folder)
    assert report.added == 2 and report.rejected == 0
    assert sorted(r.title for r in store.documents.list_documents()) == ["", "Headline without an extension"]
    empty = tmp_path / "nothing"
    write(empty / "readme.md", "nothing to import")
    report = run(store, empty)
    assert report.rejected == 1 and "holds no articles" in reasons(report)[0]
    report = run(store, empty, fmt="text")
    assert report.rejected == 1


def test_json_records_are_named_by_line_or_record_number(tmp_path):
    from annotator.formats import READERS, ReadOptions

    lines = write(tmp_path / "l.jsonl",
                  '{"text": "One."}\n[1, 2]\n\n{"title": "no text"}\n{"text": "Two.", "meta": 3}\n'
                                        '{"text": "Three."}\n')
    items = list(READERS["jsonl"].read(lines, ReadOptions()))
    assert [str(i) if isinstance(i, InputError) else (i.document.text, i.path, i.line) for i in items] == [
        ("One.", str(lines), 1),
        f"{lines}:2: expected a JSON object, got list",
        f"{lines}:4: record has no 'text' field",
        f"{lines}:5: 'meta' must be an object, got int",
        ("Three.", str(lines), 6),
    ]
    pretty = write(tmp_path / "p.json", json.dumps([{"text": "One."}, {"title": "x"}, 5, {"text": "Four."}], indent=1))
    items = list(READERS["jsonl"].read(pretty, ReadOptions()))
    assert [str(i) if isinstance(i, InputError) else (i.document.text, i.line) for i in items] == [
        ("One.", 1), f"{pretty}: record 2: record has no 'text' field",
        f"{pretty}: record 3: expected a JSON object, got int", ("Four.", 4)]
    # a record whose shape the converter did not expect: named, never a traceback
    from annotator.formats.base import json_reader

    read = json_reader(lambda value, options: value["x"] + 1)
    odd = write(tmp_path / "m.jsonl", '{"y": 1}\n')
    assert [str(e) for e in read(odd, ReadOptions())] == [f"{odd}:1: malformed record (KeyError: 'x')"]
    assert [str(e) for e in read(pretty, ReadOptions())][:1] == [f"{pretty}: record 1: malformed record "
                                                                 f"(KeyError: 'x')"]


def test_prodigy_records_field_by_field(tmp_path):
    from annotator.core.model import Source, SpanState
    from annotator.formats import READERS, ReadOptions

    tokens = [{"text": "Rebels", "start": 0, "end": 6, "id": 0, "ws": True},
              {"text": "attacked", "start": 7, "end": 15, "id": 1, "ws": True},
              {"text": "Kidal", "start": 16, "end": 21, "id": 2, "ws": False}]
    records = [
        {"text": "Rebels attacked Kidal", "tokens": tokens, "answer": "accept", "_annotator_id": "news-ana",
         "_timestamp": 1767225600, "meta": {"title": "Kidal", "id": 7, "source": "wire"},
         "spans": [{"token_start": 0, "token_end": 0, "label": "ACTOR"},
                   {"start": 16, "end": 21, "label": "PLACE", "score": 0.5}],
         "relations": [{"head": 0, "child": 2, "label": "LOC"}]},
        {"text": "Rebels attacked Kidal again", "answer": "reject", "_is_binary": True,
         "spans": [{"start": 7, "end": 15, "label": "ATTACK"}]},
        {"text": "Police arrested two men", "spans": [{"start": 7, "end": 15, "label": "ARREST"}]},
        {"text": "x", "answer": "maybe"}, {"text": "x", "spans": {"a": 1}}, {"text": "x", "spans": [3]},
        {"text": "x", "spans": [{"start": 0, "end": 1}]}, {"text": "x", "spans": [{"label": "ACTOR"}]},
        {"text": "a b", "tokens": [{"text": "a", "start": 0, "end": 1, "id": 0}],
         "spans": [{"token_start": 0, "token_end": 3, "label": "ACTOR"}]},
        {"text": "x", "meta": [1]}, {"text": "x", "answer": "pending"},
    ]
    path = write(tmp_path / "p.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    items = list(READERS["prodigy"].read(path, ReadOptions()))
    first, second, third = items[:3]
    d = first.document
    assert (d.title, d.external_id, d.meta, d.answer, d.answered_by, d.answered_at) == (
        "Kidal", "7", {"source": "wire"}, Answer.ACCEPT, "news-ana",
        "2026-01-01T00:00:00.000+00:00")
    assert [(t.start, t.end, t.ws) for t in d.tokens] == [(0, 6, True), (7, 15, True), (16, 21, False)]
    assert [(s.start, s.end, s.label, s.state, s.source, s.score) for s in first.spans] == [
        (0, 6, "ACTOR", SpanState.ACCEPTED, Source.EDITOR, None),
        (16, 21, "PLACE", SpanState.ACCEPTED, Source.EDITOR, 0.5)]
    # rel.manual's relation: head and child are the first tokens of the two spans
    assert [(lk.event, lk.argument, lk.role, lk.state) for lk in first.links] == [(0, 1, "LOC", SpanState.ACCEPTED)]
    assert [(s.label, s.state) for s in second.spans] == [("ATTACK", SpanState.REJECTED)]  # a binary reject
    assert second.document.tokens is None and second.document.answer is Answer.REJECT
    assert [(s.label, s.state) for s in third.spans] == [("ARREST", SpanState.SUGGESTED)]  # not answered yet
    assert third.document.answered_by is None and third.document.answered_at is None
    assert [str(e).split(":", 2)[-1].strip() for e in items[3:]] == [
        "unknown answer 'maybe' (expected one of pending, accept, reject, ignore)", "'spans' must be a list",
        "span 0 must be an object",
        "span 0 has no label", "span 0 has no character offsets", "span 0: tokens 0..3 outside the 1 tokens",
        "'meta' must be an object", "'answer' must be accept, reject or ignore"]
    assert [e.line for e in items[3:]] == [4, 5, 6, 7, 8, 9, 10, 11]


def test_a_span_with_spaces_at_its_ends_is_narrowed_and_counted_and_one_of_spaces_alone_refused(tmp_path):
    """As the README says: a span's spaces at either end are trimmed (a note counts them), a span of spaces
    alone is refused, naming its record."""
    import json

    from annotator.store import Store
    from annotator.workflows.importing import import_paths

    text = "Rebels  attacked Kidal."
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"text": text, "label": [[0, 7, "ACTOR"], [8, 16, "ATTACK"], [16, 23, "PLACE"]]})
                    + "\n" + json.dumps({"text": "Talks  resumed.", "label": [[5, 6, "ACTOR"]]}) + "\n",
                    encoding="utf-8")
    with Store(tmp_path / "p.db") as store:
        report = import_paths(store, [path], fmt="doccano")
        assert (report.added, report.trimmed, report.rejected) == (1, 2, 1)
        assert [(s.start, s.end, s.label) for s in store.annotations.spans(1)] == [
            (0, 6, "ACTOR"), (8, 16, "ATTACK"), (17, 23, "PLACE")]
        assert [str(e) for e in report.errors] == [f"{path}:2: span 6..6 (ACTOR) holds only whitespace"]


def test_every_path_given_is_read_whatever_went_wrong_with_the_one_before(tmp_path):
    """A missing path, or a format no reader knows (a name given to the Ray files engine), is named and the
    next paths are read all the same; the report counts the files read."""
    from annotator.core.errors import InputError
    from annotator.formats import ReadOptions
    from annotator.workflows.importing import ImportReport, read_all

    good = tmp_path / "good.jsonl"
    good.write_text('{"text": "Rebels attacked Kidal."}\n', encoding="utf-8")
    also = tmp_path / "also.jsonl"
    also.write_text('{"text": "Talks resumed."}\n', encoding="utf-8")
    report = ImportReport()
    items = list(read_all([tmp_path / "missing.jsonl", good, also], None, ReadOptions(), report))
    assert isinstance(items[0], InputError) and "missing.jsonl" in str(items[0])
    assert [i.document.text for i in items[1:]] == ["Rebels attacked Kidal.", "Talks resumed."]
    assert report.files == 2
    report = ImportReport()
    items = list(read_all([good, also], "nonsense", ReadOptions(), report))
    assert [(i.path, str(i).split(": ", 1)[1][:26]) for i in items] == [
        (str(good), "unknown format 'nonsense' "), (str(also), "unknown format 'nonsense' ")]
    assert report.files == 0


def test_the_checker_names_every_bad_span_and_label_accepts_what_it_is_told_and_counts_over_records(store):
    from annotator.core.model import Document, Link, Record, Source, Span, SpanState
    from annotator.nlp.pipeline import tokenize
    from annotator.workflows.importing import Checker

    text = "Rebels attacked Kidal."

    def suggested() -> Record:
        return Record(Document(text=text), [Span(0, 6, "ACTOR", Source.MODEL, SpanState.SUGGESTED),
                                            Span(7, 15, "ATTACK", Source.MODEL, SpanState.SUGGESTED)],
                      links=[Link(1, 0, "attacker", Source.MODEL, SpanState.SUGGESTED)])

    accepted = suggested()
    assert Checker(store.scheme, tokenize, False, Answer.ACCEPT).check(accepted) is None
    assert {sp.state for sp in accepted.spans} | {lk.state for lk in accepted.links} == {SpanState.ACCEPTED}
    rejected = suggested()  # rejecting the article leaves its suggestions as they were
    assert Checker(store.scheme, tokenize, False, Answer.REJECT).check(rejected) is None
    assert {sp.state for sp in rejected.spans} | {lk.state for lk in rejected.links} == {SpanState.SUGGESTED}
    assert rejected.document.answer is Answer.REJECT
    checker = Checker(store.scheme, tokenize, False, None)
    two_bad = Record(Document(text=text), [Span(6, 7, "ACTOR"), Span(0, 99, "ACTOR"), Span(1, 3, "ACTOR"),
                                           Span(16, 21, "PLACE")], path="f.jsonl", line=3)
    assert str(checker.check(two_bad)) == (
        "f.jsonl:3: span 7..7 (ACTOR) holds only whitespace; span 0..99 (ACTOR) lies outside the text of 22 "
        "characters; span 1..3 'eb' (ACTOR) cuts through a token (import with --snap-to-tokens to widen it)")
    odd = Record(Document(text=text), [Span(0, 6, "bad label"), Span(16, 21, "x\ty")], path="f.jsonl", line=4)
    assert str(checker.check(odd)).startswith("f.jsonl:4: label name 'bad label' holds whitespace or control "
                                              "characters")
    assert "'x\\ty'" in str(checker.check(odd))  # every bad label named
    for n in range(2):  # spans that took the space around a name: narrowed, and counted over every record
        spaced = Record(Document(text=text), [Span(15, 21, "PLACE"), Span(0, 7, "ACTOR")])
        assert checker.check(spaced) is None
        assert checker.trimmed == 2 * (n + 1)
