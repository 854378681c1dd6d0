"""Property-based tests of the other readers (Label Studio, brat, CoNLL, spaCy DocBin, format detection across
records) and of every writer: arbitrary valid labels, ids, titles and texts exported, imported again, equal."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from annotator.core.errors import InputError
from annotator.core.labels import label_problem
from annotator.core.model import Answer, Document, Record, Source, Span, SpanState
from annotator.formats import detect
from annotator.nlp.pipeline import tokenize
from annotator.store import Store
from annotator.workflows.exporting import export
from annotator.workflows.importing import import_paths
from tests.formats.test_fuzz import verdicts

tokenize("warm up")  # spaCy builds its tokenizer once, outside the strategies (it uses `random` then)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                            HealthCheck.function_scoped_fixture])

anything = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 200) | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.sampled_from(
        ["text", "start", "end", "labels", "type", "value", "from_id", "to_id", "id", "result", "was_cancelled",
         "score", "data", "annotations", "predictions", "updated_at"]), c, max_size=4),
    max_leaves=14,
)


@SETTINGS
@given(st.lists(st.fixed_dictionaries({"data": st.fixed_dictionaries({"text": st.text(min_size=1, max_size=40)}),
                                       "annotations": st.lists(st.dictionaries(st.sampled_from(
                                           ["result", "was_cancelled", "updated_at", "id"]), anything, max_size=3),
                                           max_size=2)},
                                      optional={"predictions": anything, "id": anything}), min_size=1, max_size=4))
def test_label_studio_tasks(tasks):
    items = verdicts("label-studio", {"t.json": json.dumps(tasks).encode()}, "t.json")
    assert len(items) == len(tasks)


ann_line = st.one_of(
    st.builds(lambda i, lb, a, b, t: f"T{i}\t{lb} {a} {b}\t{t}", st.integers(0, 9), st.sampled_from(
        ["ACTOR", "ATTACK", "X", ""]), st.integers(-2, 60), st.integers(-2, 60), st.text(max_size=8)),
    st.builds(lambda i, a, b: f"E{i}\tATTACK:T{a} Target:T{b}", st.integers(0, 5), st.integers(0, 9),
              st.integers(0, 9)),
    st.builds(lambda i, a, b: f"R{i}\tRel Arg1:T{a} Arg2:T{b}", st.integers(0, 5), st.integers(0, 9),
              st.integers(0, 9)),
    st.text(max_size=30),
)


@SETTINGS
@given(st.text(max_size=60), st.lists(ann_line, max_size=6))
def test_brat_pairs(text, lines):
    verdicts("brat", {"a.txt": text.encode("utf-8", "surrogatepass"),
                      "a.ann": "\n".join(lines).encode("utf-8", "surrogatepass")}, "a.ann")


conll_line = st.one_of(
    st.builds(lambda w, t: f"{w}\t{t}", st.text(st.characters(blacklist_categories=("Z", "C")), min_size=1,
                                                   max_size=6),
              st.sampled_from(["O", "B-ACTOR", "I-ACTOR", "E-ATTACK", "S-X", "U-X", "L-X", "B-", "BX", "I-"])),
    st.just(""), st.just("-DOCSTART- -X- O O"), st.text(max_size=12),
)


@SETTINGS
@given(st.lists(conll_line, max_size=14))
def test_conll_lines(lines):
    content = "\n".join(lines)
    items = verdicts("conll", {"a.conll": content.encode("utf-8", "surrogatepass")}, "a.conll")
    in_file = len(re.split(r"\r\n|\r|\n", content))  # lines as an editor counts them
    for item in items:  # an error always names a line of the file
        if isinstance(item, InputError) and item.line is not None:
            assert 1 <= item.line <= in_file


@SETTINGS
@given(st.binary(max_size=300))
def test_docbin_bytes(data):
    verdicts("spacy", {"a.spacy": data}, "a.spacy")


@SETTINGS
@given(st.integers(0, 30), st.sampled_from(["doccano", "prodigy", "label-studio"]))
def test_detection_looks_past_records_that_show_no_format(n_plain, fmt):
    """doccano writes an unlabelled document as `"label": []`; Prodigy's ignored tasks may have no spans."""
    plain = {"doccano": {"text": "Nothing.", "label": []}, "prodigy": {"text": "Nothing."},
             "label-studio": {"data": {"text": "Nothing."}}}[fmt]
    shown = {"doccano": {"text": "Rebels attacked.", "label": [[0, 6, "ACTOR"]]},
             "prodigy": {"text": "Rebels attacked.", "spans": [{"start": 0, "end": 6, "label": "ACTOR"}],
                         "tokens": [{"text": "Rebels", "start": 0, "end": 6, "id": 0}]},
             "label-studio": {"data": {"text": "Rebels attacked."}, "annotations": [{"result": []}]}}[fmt]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "in.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in [plain] * n_plain + [shown]) + "\n", encoding="utf-8")
        assert detect(path) == fmt


# ----------------------------------------------------------------------------------------------- writers

valid_label = st.text(st.characters(blacklist_categories=("Z", "C")), min_size=1, max_size=12).filter(
    lambda s: label_problem(s) is None)
texts = st.text(st.characters(blacklist_categories=("Cs", "Co", "Cn")), min_size=1, max_size=120).filter(
    lambda t: t.strip())
ids = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=15)
titles = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@st.composite
def articles(draw):
    labels = draw(st.lists(valid_label, min_size=1, max_size=4, unique=True))
    docs = []
    for _ in range(draw(st.integers(1, 3))):
        text = draw(texts)
        words = [t for t in tokenize(text) if text[t.start : t.end].strip()]
        spans, free_from = [], 0
        for i, tok in enumerate(words):
            if tok.start >= free_from and draw(st.booleans()):
                last = words[min(len(words) - 1, i + draw(st.integers(0, 2)))]
                spans.append((tok.start, last.end, draw(st.sampled_from(labels))))
                free_from = last.end
        docs.append((text, draw(ids), draw(titles), spans))
    return labels, docs


HOLDS = {  # what each format carries back besides spans: ids, titles
    "prodigy": {"id", "title"}, "doccano": {"id", "title"}, "doccano-relations": {"id", "title"},
    "label-studio": {"id", "title"}, "brat": set(), "conll": set(), "spacy": {"id", "title"},
}


def stored(store: Store) -> list[tuple]:
    out = []
    for row in store.documents.list_documents(limit=100):
        doc = store.documents.document(row.id)
        tokens = [t for t in (doc.tokens or tokenize(doc.text)) if doc.text[t.start : t.end].strip()]
        words = [doc.text[t.start : t.end] for t in tokens]
        # a span as the words it covers (CoNLL rebuilds the text from its tokens, one space between)
        spans = sorted((tuple(doc.text[t.start : t.end] for t in tokens if s.start <= t.start and t.end <= s.end),
                        s.label) for s in store.annotations.spans(row.id, [SpanState.ACCEPTED]))
        out.append((doc, spans, words))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(HOLDS)), articles())
def test_every_writer_round_trips_what_it_holds(fmt, data):
    labels, docs = data
    assume(len({text for text, *_ in docs}) == len(docs))
    if fmt == "conll":  # CoNLL keeps the words, not the spacing: texts that differ only there become one
        assume(len({tuple(text.split()) for text, *_ in docs}) == len(docs))
    with tempfile.TemporaryDirectory() as d:
        first, second = Store(Path(d) / "a.db"), Store(Path(d) / "b.db")
        try:
            from annotator.core.labels import Label, LabelScheme

            for s in (first, second):
                new = [Label(n, "argument", "#000000", "", "") for n in labels if n not in s.scheme.names]
                s.set_scheme(LabelScheme(s.scheme.name, [*s.scheme.labels, *new]))
            first.documents.add_records([Record(Document(text=t, title=title, external_id=i, answer=Answer.ACCEPT,
                                                     tokens=tokenize(t)),
                                            [Span(a, b, lb, Source.EDITOR, SpanState.ACCEPTED) for a, b, lb in sp])
                               for t, i, title, sp in docs])
            out = Path(d) / ("out" if fmt == "brat" else f"out.{fmt}")
            report = export(first, out, fmt=fmt, tokenizer=tokenize)
            assert report.documents == len(docs) and not report.dropped_spans
            back = import_paths(second, [out], None if fmt not in ("doccano-relations",) else "doccano",
                                tokenizer=tokenize)
            assert back.rejected == 0, [str(e) for e in back.errors]
            a, b = stored(first), stored(second)
            assert len(a) == len(b)
            key = (lambda x: x[2]) if fmt == "conll" else (lambda x: x[0].text)
            for (da, sa, wa), (db, sb, wb) in zip(sorted(a, key=key), sorted(b, key=key)):
                assert sb == sa
                assert wb == wa
                if fmt != "conll":
                    assert db.text == da.text
                if "title" in HOLDS[fmt]:
                    assert (db.title or "") == (da.title or "")
                if "id" in HOLDS[fmt]:
                    assert db.external_id == da.external_id
        finally:
            first.close()
            second.close()
