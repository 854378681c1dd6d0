"""Other tools' own test cases, in our words: spaCy's tests of character offsets to BILUO/IOB tags, Label Studio's
converter tests of spans to CoNLL, doccano's parser tests. Each case goes through our import, and our CoNLL and
DocBin exports, and checks what a user of that tool would see."""

from __future__ import annotations

import json

import pytest
import spacy
from spacy.tokens import DocBin

from annotator.core.model import Answer
from annotator.nlp.pipeline import tokenize
from annotator.store import Store
from annotator.workflows.exporting import export
from annotator.workflows.importing import import_paths
from tests.conftest import write


def imported(tmp_path, text: str, spans, *, snap: bool = False, record: dict | None = None):
    """An accepted article imported from a doccano line with these [start, end, label] spans."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    store = Store(tmp_path / "p.db")
    line = record or {"text": text, "label": [list(s) for s in spans], "answer": "accept"}
    report = import_paths(store, [write(tmp_path / "in.jsonl", json.dumps(line) + "\n")], add_labels=True,
                          snap_to_tokens=snap, tokenizer=tokenize)
    return store, report


def conll(store, tmp_path) -> list[tuple[str, str]]:
    export(store, tmp_path / "out.conll", fmt="conll", tokenizer=tokenize)
    rows = [ln.split("\t") for ln in (tmp_path / "out.conll").read_text(encoding="utf-8").splitlines()]
    return [(r[0], r[1]) for r in rows if len(r) == 2]


def docbin(store, tmp_path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    export(store, tmp_path / "out.spacy", fmt="spacy", tokenizer=tokenize)
    (doc,) = DocBin().from_disk(tmp_path / "out.spacy").get_docs(spacy.blank("en").vocab)
    return [(e.text, e.label_) for e in doc.ents], [(s.text, s.label_) for s in doc.spans["sc"]]


# ------------------------------------------------------------------ spaCy: offsets to BILUO / IOB tags

@pytest.mark.parametrize("spans, tags", [
    ([(10, 17, "LOC")], ["O", "O", "O", "B-LOC", "O", "O", "O", "O"]),  # one token
    ([(10, 24, "LOC"), (29, 35, "GPE")], ["O", "O", "O", "B-LOC", "I-LOC", "O", "B-GPE", "O"]),  # two, and one
    ([(0, 17, "LOC")], ["B-LOC", "I-LOC", "I-LOC", "I-LOC", "O", "O", "O", "O"]),  # more than two
])
def test_spacy_one_two_and_three_token_entities(tmp_path, spans, tags):
    text = "I flew to Silicon Valley via London."
    store, report = imported(tmp_path, text, spans)
    assert report.rejected == 0
    assert conll(store, tmp_path) == list(zip(["I", "flew", "to", "Silicon", "Valley", "via", "London", "."], tags))
    ents, group = docbin(store, tmp_path)
    assert ents == group == [(text[s:e], lb) for s, e, lb in spans]


def test_spacy_an_entity_ending_inside_a_token_is_refused_or_widened(tmp_path):
    text = "I flew to Silicon Valley."
    store, report = imported(tmp_path, text, [(10, 21, "LOC")])  # "Silicon Val": ends inside "Valley"
    assert report.rejected == 1
    assert "span 10..21 'Silicon Val' (LOC) cuts through a token (import with --snap-to-tokens" in str(
        report.errors[0])
    store, report = imported(tmp_path / "snap", text, [(10, 21, "LOC")], snap=True)
    assert (report.rejected, report.snapped) == (0, 1)
    assert conll(store, tmp_path / "snap")[3:5] == [("Silicon", "B-LOC"), ("Valley", "I-LOC")]
    assert docbin(store, tmp_path / "snap")[0] == [("Silicon Valley", "LOC")]


def test_spacy_a_double_space_is_a_whitespace_token_no_export_writes(tmp_path):
    text = "I flew  to Silicon Valley."
    store, report = imported(tmp_path, text, [(11, 25, "LOC")])
    assert report.rejected == 0
    assert conll(store, tmp_path) == [("I", "O"), ("flew", "O"), ("to", "O"), ("Silicon", "B-LOC"),
                                      ("Valley", "I-LOC"), (".", "O")]
    assert docbin(store, tmp_path)[0] == [("Silicon Valley", "LOC")]


@pytest.mark.parametrize("currency", ["₹", "$"])
def test_spacy_a_currency_sign_is_its_own_token(tmp_path, currency):
    text = f"I paid {currency}54 for it."
    store, report = imported(tmp_path, text, [(8, 10, "MONEY")])  # the number only
    assert report.rejected == 0 and conll(store, tmp_path)[2:4] == [(currency, "O"), ("54", "B-MONEY")]
    assert docbin(store, tmp_path)[0] == [("54", "MONEY")]
    store, report = imported(tmp_path / "all", text, [(7, 10, "MONEY")])  # sign and number
    assert conll(store, tmp_path / "all")[2:4] == [(currency, "B-MONEY"), ("54", "I-MONEY")]
    assert docbin(store, tmp_path / "all")[0] == [(f"{currency}54", "MONEY")]


def test_spacy_leading_and_trailing_whitespace(tmp_path):
    text = " I flew to Kabul. "
    store, report = imported(tmp_path, text, [(11, 16, "GPE")])
    assert report.rejected == 0
    assert conll(store, tmp_path) == [("I", "O"), ("flew", "O"), ("to", "O"), ("Kabul", "B-GPE"), (".", "O")]
    assert docbin(store, tmp_path)[0] == [("Kabul", "GPE")]


def test_spacy_a_stray_non_tag_in_an_iob_file_rejects_its_article_by_line(tmp_path):
    from annotator.core.errors import InputError
    from annotator.formats import READERS, ReadOptions

    path = write(tmp_path / "a.iob",
                 "-DOCSTART- -X- O O\n\nI\tO\nflew\tO\nLondon\tGPE\n\n-DOCSTART- -X- O O\n\nOk\tO\n")
    items = list(READERS["conll"].read(path, ReadOptions()))
    assert [str(i) if isinstance(i, InputError) else i.document.text for i in items] == [
        f"{path}:5: 'GPE' is not an IOB tag (O, B-LABEL or I-LABEL)", "Ok"]


# ------------------------------------------------------------------ Label Studio: spans to CoNLL

def test_label_studio_newlines_and_tabs_inside_the_text(tmp_path):
    text = "Jane\nSmith\tworks here."
    store, report = imported(tmp_path, text, [(0, 4, "PER"), (5, 10, "PER")])
    assert report.rejected == 0
    # the line break and the tab are whitespace tokens: never written, never inside a tag
    assert conll(store, tmp_path) == [("Jane", "B-PER"), ("Smith", "B-PER"), ("works", "O"), ("here", "O"),
                                      (".", "O")]
    assert docbin(store, tmp_path)[0] == [("Jane", "PER"), ("Smith", "PER")]


def test_label_studio_a_span_on_part_of_a_token(tmp_path):
    text = "Jane Smith works here."
    store, report = imported(tmp_path, text, [(1, 4, "PER")])  # "ane"
    assert report.rejected == 1 and "span 1..4 'ane' (PER) cuts through a token" in str(report.errors[0])
    store, report = imported(tmp_path / "snap", text, [(1, 4, "PER")], snap=True)
    assert conll(store, tmp_path / "snap")[0] == ("Jane", "B-PER")
    assert docbin(store, tmp_path / "snap")[0] == [("Jane", "PER")]


def test_label_studio_leading_and_trailing_spaces_in_a_span_are_trimmed_and_counted(tmp_path):
    text = "Officials said Jane Smith was arrested."
    task = [{"data": {"text": text}, "annotations": [{"result": [
        {"id": "a", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 14, "end": 26, "text": " Jane Smith ", "labels": ["ACTOR"]}}]}]}]
    store = Store(tmp_path / "p.db")
    report = import_paths(store, [write(tmp_path / "ls.json", json.dumps(task))], tokenizer=tokenize)
    assert (report.added, report.rejected, report.trimmed) == (1, 0, 1)
    assert [(text[s.start:s.end], s.label) for s in store.annotations.spans(1)] == [("Jane Smith", "ACTOR")]
    assert conll(store, tmp_path)[2:4] == [("Jane", "B-ACTOR"), ("Smith", "I-ACTOR")]
    assert docbin(store, tmp_path)[0] == [("Jane Smith", "ACTOR")]
    # a record refused for another reason counts no narrowed span
    task[0]["annotations"][0]["result"].append(
        {"id": "b", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 1, "end": 5, "labels": ["ACTOR"]}})  # "ffic": cuts a token
    report = import_paths(Store(tmp_path / "r.db"), [write(tmp_path / "ls3.json", json.dumps(task))],
                          tokenizer=tokenize)
    assert (report.rejected, report.trimmed) == (1, 0)
    task[0]["annotations"][0]["result"].pop()
    # a span of nothing but spaces is named as such
    task[0]["annotations"][0]["result"][0]["value"].update(start=14, end=15)
    second = write(tmp_path / "ls2.json", json.dumps(task))
    report = import_paths(Store(tmp_path / "q.db"), [second], tokenizer=tokenize)
    # a file holding one JSON array names its records by number, not by a line they do not have
    assert [str(e) for e in report.errors] == [f"{second}: record 1: span 15..15 (ACTOR) holds only whitespace"]


def test_label_studio_a_price_with_its_sign(tmp_path):
    text = "It costs $3.99 now."
    store, report = imported(tmp_path, text, [(9, 14, "MONEY")])
    assert report.rejected == 0
    assert conll(store, tmp_path)[2:4] == [("$", "B-MONEY"), ("3.99", "I-MONEY")]
    assert docbin(store, tmp_path)[0] == [("$3.99", "MONEY")]


def test_label_studio_a_span_on_one_side_of_a_slash(tmp_path):
    text = "Google/Facebook merged."
    store, report = imported(tmp_path, text, [(7, 15, "ORG")])  # "Facebook" only: the slash is its own token
    assert report.rejected == 0
    assert conll(store, tmp_path)[:3] == [("Google", "O"), ("/", "O"), ("Facebook", "B-ORG")]
    assert docbin(store, tmp_path)[0] == [("Facebook", "ORG")]
    store, report = imported(tmp_path / "part", text, [(7, 11, "ORG")])  # "Face": part of a token
    assert report.rejected == 1 and "'Face' (ORG) cuts through a token" in str(report.errors[0])


# ------------------------------------------------------------------ doccano: the parser

def test_doccano_conll_lines_and_tag_schemes(tmp_path):
    from annotator.core.errors import InputError
    from annotator.formats import READERS, ReadOptions

    read = READERS["conll"].read
    # a line with one field only is not `token TAB tag`: its article is refused, by line
    lone = write(tmp_path / "lone.conll", "John\tB-PER\nsmiles\n")
    assert [str(e) for e in read(lone, ReadOptions())] == [f"{lone}:2: expected a token and its tag, got 'smiles'"]
    # more than two fields (a POS column): token first, tag last, as CoNLL-2003 writes them
    (rec,) = read(write(tmp_path / "pos.conll", "John NNP B-PER\nSmith NNP I-PER\n"), ReadOptions())
    assert [(rec.document.text[s.start:s.end], s.label) for s in rec.spans] == [("John Smith", "PER")]
    schemes = {
        "IOB2": "John\tB-PER\nSmith\tI-PER\nin\tO\nParis\tB-LOC\n",
        "IOE2": "John\tI-PER\nSmith\tE-PER\nin\tO\nParis\tE-LOC\n",
        "IOBES": "John\tB-PER\nSmith\tE-PER\nin\tO\nParis\tS-LOC\n",
        "BILOU": "John\tB-PER\nSmith\tL-PER\nin\tO\nParis\tU-LOC\n",
    }
    for name, content in schemes.items():
        items = list(read(write(tmp_path / f"{name}.conll", content), ReadOptions()))
        assert not any(isinstance(i, InputError) for i in items), (name, items)
        (rec,) = items
        assert [(rec.document.text[s.start:s.end], s.label) for s in rec.spans] == [
            ("John Smith", "PER"), ("Paris", "LOC")], name
        # whatever scheme came in, our CoNLL export writes IOB2 and the DocBin holds the same entities
        out = tmp_path / name
        out.mkdir()
        store = Store(out / "p.db")
        import_paths(store, [tmp_path / f"{name}.conll"], add_labels=True, answer=Answer.ACCEPT)
        assert conll(store, out) == [("John", "B-PER"), ("Smith", "I-PER"), ("in", "O"), ("Paris", "B-LOC")], name
        assert docbin(store, out)[0] == [("John Smith", "PER"), ("Paris", "LOC")], name
        store.close()


def test_doccano_a_line_without_text_the_same_span_twice_and_spans_as_objects(tmp_path):
    text = "Rebels attacked Kidal."
    path = write(tmp_path / "d.jsonl", "\n".join(json.dumps(r) for r in [
        {"label": [[0, 6, "ACTOR"]]},  # no text
        {"text": text, "label": [[0, 6, "ACTOR"], [0, 6, "ACTOR"]]},  # the same span twice: kept once
        {"text": text + " Again.", "label": [{"label": "PLACE", "start_offset": 16, "end_offset": 21}]},  # object
        {"text": text + " Once more.", "label": [[0, 3, "ACTOR"], [7, 12, "ATTACK"], [16, 99, "PLACE"]]},
    ]) + "\n")
    store = Store(tmp_path / "p.db")
    report = import_paths(store, [path], tokenizer=tokenize)
    assert (report.added, report.rejected) == (2, 2)
    assert str(report.errors[0]) == f"{path}:1: record has no 'text' field"
    # every bad span of a record is named, not only the first
    assert str(report.errors[1]) == (
        f"{path}:4: span 16..99 (PLACE) lies outside the text of 33 characters; span 0..3 'Reb' (ACTOR) cuts "
        f"through a token; span 7..12 'attac' (ATTACK) cuts through a token (import with --snap-to-tokens to "
        f"widen it)")
    assert [(s.start, s.end, s.label) for s in store.annotations.spans(1)] == [(0, 6, "ACTOR")]
    store.annotations.set_answer(1, Answer.ACCEPT, "ed")
    assert docbin(store, tmp_path)[0] == [("Rebels", "ACTOR")]  # once in the exports too
    assert [(s.start, s.end, s.label) for s in store.annotations.spans(2)] == [(16, 21, "PLACE")]
    cuts = write(tmp_path / "e.jsonl", json.dumps({"text": text, "label": [[0, 3, "ACTOR"], [7, 12, "ATTACK"]]}))
    report = import_paths(Store(tmp_path / "q.db"), [cuts], tokenizer=tokenize)
    assert str(report.errors[0]) == (f"{cuts}:1: span 0..3 'Reb' (ACTOR) cuts through a token; span 7..12 'attac' "
                                     f"(ATTACK) cuts through a token (import with --snap-to-tokens to widen it)")


def test_answers_stay_with_the_case(tmp_path):
    store, _ = imported(tmp_path, "Rebels attacked Kidal.", [(0, 6, "ACTOR")])
    assert store.documents.document(1).answer is Answer.ACCEPT


def test_the_command_line_says_how_many_spans_it_narrowed(tmp_path):
    from click.testing import CliRunner

    from annotator.cli import cli

    text = "Officials said Jane Smith was arrested."
    task = [{"data": {"text": text}, "annotations": [{"result": [
        {"id": "a", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 14, "end": 25, "labels": ["ACTOR"]}}]}]}]
    src = write(tmp_path / "ls.json", json.dumps(task))
    result = CliRunner().invoke(cli, ["import", str(src), "--db", str(tmp_path / "p.db")])
    assert result.exit_code == 0, result.output
    assert "note: 1 span(s) started or ended on whitespace; narrowed to their words" in result.output
    assert "imported 1 document(s) with 1 span(s)" in result.output
