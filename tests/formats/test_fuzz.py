"""Property-based tests: whatever bytes or records arrive, a reader yields records or the project's own
InputError, never an exception of its own."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.errors import InputError
from annotator.core.labels import load_scheme
from annotator.core.model import Record
from annotator.formats import READERS, ReadOptions, detect
from annotator.nlp.pipeline import tokenize
from annotator.workflows.importing import Checker

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SUFFIX = {"text": ".txt", "jsonl": ".jsonl", "csv": ".csv", "prodigy": ".jsonl", "doccano": ".jsonl"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
record_keys = st.sampled_from(["text", "spans", "tokens", "label", "entities", "answer", "meta", "id", "title",
                               "relations", "start", "end", "start_offset", "end_offset", "token_start",
                               "token_end", "_is_binary", "_timestamp", "_annotator_id"])
records = st.dictionaries(record_keys, json_values | st.text(max_size=40), max_size=8)


def read(name: str, data: bytes) -> list:
    return verdicts(name, {f"input{SUFFIX[name]}": data}, f"input{SUFFIX[name]}")


def verdicts(name: str, files: dict[str, bytes], target: str) -> list:
    """What reader `name` makes of `target` among these files (format detection is asked too)."""
    with tempfile.TemporaryDirectory() as d:
        for rel, data in files.items():
            (Path(d) / rel).write_bytes(data)
        path = Path(d) / target
        items = list(READERS[name].read(path, ReadOptions()))
        try:
            detect(path)
        except InputError:
            pass
    return judged(items)


def judged(items: list) -> list:
    """Each item is a record that the import's checks accept or refuse with the project's own error, or such an
    error itself: never anything else."""
    checker = Checker(load_scheme(), tokenize, add_labels=True, answer=None)
    for item in items:
        assert isinstance(item, (Record, InputError)), item
        if isinstance(item, Record):
            assert item.document.text.strip()
            result = checker.check(item)
            assert result is None or isinstance(result, InputError)
    return items


@SETTINGS
@given(st.sampled_from(sorted(SUFFIX)), st.binary(max_size=400))
def test_arbitrary_bytes(name, data):
    read(name, data)


@SETTINGS
@given(st.sampled_from(sorted(SUFFIX)), st.lists(st.text(max_size=60), max_size=8))
def test_arbitrary_lines(name, lines):
    read(name, "\n".join(lines).encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.sampled_from(["jsonl", "prodigy", "doccano"]), st.lists(records, min_size=1, max_size=5))
def test_arbitrary_json_records(name, recs):
    data = "\n".join(json.dumps(r) for r in recs).encode()
    items = read(name, data)
    assert len(items) == len(recs)  # one verdict per record


@SETTINGS
@given(st.text(min_size=1, max_size=80).filter(lambda t: t.strip()),
       st.lists(st.tuples(st.integers(-5, 100), st.integers(-5, 100), st.sampled_from(["ACTOR", "X"])),
                max_size=4))
def test_arbitrary_spans_on_arbitrary_text(text, spans):
    data = json.dumps({"text": text, "label": [list(s) for s in spans]}).encode()
    checker = Checker(load_scheme(), tokenize, add_labels=False, answer=None, snap=True)
    for item in read("doccano", data):
        if isinstance(item, Record) and checker.check(item) is None:
            for sp in item.spans:  # whatever passed the check lies inside the text, on token boundaries
                assert 0 <= sp.start < sp.end <= len(item.document.text)
                assert sp.label == "ACTOR"
