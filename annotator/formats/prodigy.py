"""Prodigy JSONL, as `prodigy db-out` writes it and as Prodigy reads it back.

Reading: the spans of an answered record come in as accepted (they are what the annotator left in the task),
except that a binary `reject` (`_is_binary`, as ner.teach writes) marks its span as rejected; the spans of a
record without an answer come in as suggestions. The record's tokens (if any) are kept, and spans are checked
against them. Writing: one article a line with
`text`, `meta`, `_input_hash`, `_task_hash`, `tokens`, `spans` (`token_end` inclusive) and `answer`."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from annotator.core.errors import ExportError, InputError
from annotator.core.hashing import prodigy_input_hash, prodigy_task_hash
from annotator.core.model import Answer, Document, Link, Record, Source, Span, SpanState, Token
from annotator.core.spans import TokenIndex
from annotator.core.tokens import prodigy_tokens_json, token_bounds
from annotator.formats.base import Reader, ReadOptions, as_int, json_reader, register, require_text

PRODIGY_KEYS = {"_input_hash", "_task_hash", "_view_id", "_session_id", "_annotator_id", "tokens", "answer"}


def claims(record: dict[str, Any]) -> bool:
    if PRODIGY_KEYS & record.keys():
        return True
    spans = record.get("spans")
    return isinstance(spans, list) and any(isinstance(s, dict) and "start" in s for s in spans)


def parse_tokens(value: Any, text: str) -> list[Token]:
    if not isinstance(value, list):
        raise InputError("'tokens' must be a list")
    tokens = []
    prev_end = 0
    for i, tok in enumerate(value):
        if not isinstance(tok, dict):
            raise InputError(f"token {i} must be an object")
        start, end = as_int(tok.get("start"), f"token {i} start"), as_int(tok.get("end"), f"token {i} end")
        if start < prev_end or end < start or end > len(text):
            raise InputError(f"token {i} ({start}..{end}) is out of order or outside the text")
        ws = tok.get("ws")
        if ws is None:
            ws = text[end : end + 1] == " "
        tokens.append(Token(start, end, bool(ws)))
        prev_end = end
    return tokens


def span_source(span: dict[str, Any]) -> Source:
    if span.get("pattern") is not None:
        return Source.RULE
    if span.get("source"):
        return Source.MODEL
    return Source.EDITOR


def convert(value: dict[str, Any], options: ReadOptions) -> Record:
    text = require_text(value, "text")
    answer_value = value.get("answer")
    answer = Answer.PENDING if answer_value is None else Answer.parse(answer_value)
    if answer is Answer.PENDING and answer_value is not None:
        raise InputError("'answer' must be accept, reject or ignore")
    tokens = parse_tokens(value["tokens"], text) if value.get("tokens") else None
    index = TokenIndex(tokens) if tokens else None
    if answer is Answer.PENDING:
        state = SpanState.SUGGESTED  # nobody has looked at them yet
    elif answer is Answer.REJECT and value.get("_is_binary") is True:
        state = SpanState.REJECTED  # a binary reject (ner.teach) says the suggested span is wrong
    else:
        state = SpanState.ACCEPTED  # what the annotator left in a manual task
    spans: list[Span] = []
    raw_spans = value.get("spans") or []
    if not isinstance(raw_spans, list):
        raise InputError("'spans' must be a list")
    for i, sp in enumerate(raw_spans):
        if not isinstance(sp, dict):
            raise InputError(f"span {i} must be an object")
        if "label" not in sp or not isinstance(sp["label"], str):
            raise InputError(f"span {i} has no label")
        if "start" in sp and "end" in sp:
            start, end = as_int(sp["start"], f"span {i} start"), as_int(sp["end"], f"span {i} end")
        elif index is not None and "token_start" in sp and "token_end" in sp:
            ts, te = as_int(sp["token_start"], "token_start"), as_int(sp["token_end"], "token_end")
            if not (0 <= ts <= te < len(index)):
                raise InputError(f"span {i}: tokens {ts}..{te} outside the {len(index)} tokens")
            start, end = index.starts[ts], index.ends[te]
        else:
            raise InputError(f"span {i} has no character offsets")
        score = sp.get("score")
        spans.append(Span(start, end, sp["label"], source=span_source(sp), state=state,
                          score=float(score) if isinstance(score, (int, float)) else None))
    meta = value.get("meta") or {}
    if not isinstance(meta, dict):
        raise InputError("'meta' must be an object")
    meta = dict(meta)
    title = meta.pop("title", "") if isinstance(meta.get("title", ""), str) else ""
    ext_id = meta.pop("id", None)
    links = _links(value.get("relations"), spans, index, state)
    answered_at = None
    ts = value.get("_timestamp")
    if answer is not Answer.PENDING and isinstance(ts, (int, float)) and not isinstance(ts, bool):
        answered_at = datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="milliseconds")
    who = value.get("_annotator_id") if isinstance(value.get("_annotator_id"), str) else None
    doc = Document(text=text, title=title, meta=meta, external_id=None if ext_id is None else str(ext_id),
                   answer=answer, answered_by=who if answer is not Answer.PENDING else None,
                   answered_at=answered_at, tokens=tokens)
    return Record(doc, spans, links=links)


def _links(relations: Any, spans: list[Span], index: TokenIndex | None, state: SpanState) -> list[Link]:
    """Prodigy's `relations` (rel.manual): `head` and `child` name the first token of a span (`head_span` and
    `child_span` give it whole); each becomes a link from the head span (the event) to the child span in the
    role its `label` names. A relation's span missing from `spans` is added."""
    if not relations:
        return []
    if not isinstance(relations, list):
        raise InputError("'relations' must be a list")
    links = []
    for i, rel in enumerate(relations):
        if not isinstance(rel, dict) or not isinstance(rel.get("label"), str):
            raise InputError(f"relation {i} must be an object with head, child and label")
        ends = []
        for end in ("head", "child"):
            given = rel.get(f"{end}_span")
            if isinstance(given, dict) and isinstance(given.get("label"), str) and "start" in given:
                key = (as_int(given["start"], f"relation {i} {end}_span start"),
                       as_int(given.get("end"), f"relation {i} {end}_span end"), given["label"])
                found = next((n for n, sp in enumerate(spans) if sp.key == key), None)
                if found is None:
                    spans.append(Span(*key, source=Source.EDITOR, state=state))
                    found = len(spans) - 1
            else:
                token = as_int(rel.get(end), f"relation {i} {end}")
                if index is None or not 0 <= token < len(index):
                    raise InputError(f"relation {i}: {end} token {token} is not a token of this record")
                start = index.starts[token]
                found = next((n for n, sp in enumerate(spans) if sp.start == start), None)
                if found is None:
                    raise InputError(f"relation {i}: no span starts at its {end} token {token}")
            ends.append(found)
        links.append(Link(ends[0], ends[1], rel["label"], source=span_source(rel), state=state))
    return links


register(Reader("prodigy", "Prodigy JSONL (db-out): text, tokens, spans, answer", json_reader(convert),
                claims=claims, extensions=(".jsonl",)))


def _epoch(iso: str | None) -> int | None:
    if not iso:
        return None
    try:
        return int(datetime.fromisoformat(iso).timestamp())
    except ValueError:
        return None


def _origin(source: Source, origin: str | None) -> dict[str, str]:
    if origin is None or source is Source.EDITOR:
        return {}
    return {"pattern": origin} if source is Source.RULE else {"source": origin}


def export_line(record: Record, tokens: bytes, origin: str | None = None) -> str:
    """One Prodigy JSONL line for an article of `store.exports.iter_for_export`; `tokens` its packed tokens.
    `origin` (a pipeline's name) marks suggestions as Prodigy does: a rule's span or link with `"pattern"`, a
    model's with `"source"`, so that reading the line back keeps where each came from."""
    doc, spans = record.document, record.spans
    head_meta: dict[str, Any] = {}
    if doc.external_id is not None:
        head_meta["id"] = doc.external_id
    if doc.title:
        head_meta["title"] = doc.title
    meta = {**head_meta, **doc.meta}
    span_dicts = []
    if spans:
        index = TokenIndex.from_bounds(*token_bounds(tokens))
        for sp in spans:
            found = index.token_range(sp.start, sp.end)
            if found is None:
                raise ExportError(f"span {sp.start}..{sp.end} does not line up with the tokens of document {doc.id}")
            span_dicts.append({"start": sp.start, "end": sp.end, "token_start": found[0], "token_end": found[1],
                               "label": sp.label, **_origin(sp.source, origin)})
    head: dict[str, Any] = {
        "text": doc.text,
        "meta": meta,
        "_input_hash": prodigy_input_hash(doc.input_hash),
        "_task_hash": prodigy_task_hash(doc.input_hash, [sp.key for sp in spans]),
    }
    tail: dict[str, Any] = {"spans": span_dicts, "_view_id": "spans_manual"}
    if record.links:
        tail["relations"] = [{"head": span_dicts[lk.event]["token_start"],
                              "child": span_dicts[lk.argument]["token_start"],
                              "head_span": span_dicts[lk.event], "child_span": span_dicts[lk.argument],
                              "label": lk.role, **_origin(lk.source, origin)}
                             for lk in record.links]
        tail["_view_id"] = "relations"
    if doc.answer is not Answer.PENDING:
        tail["answer"] = doc.answer.value
        if doc.answered_by:
            tail["_annotator_id"] = doc.answered_by
        stamp = _epoch(doc.answered_at)
        if stamp is not None:
            tail["_timestamp"] = stamp
    head_json = json.dumps(head, ensure_ascii=False, allow_nan=False)
    tail_json = json.dumps(tail, ensure_ascii=False, allow_nan=False)
    return f'{head_json[:-1]}, "tokens": {prodigy_tokens_json(doc.text, tokens)}, {tail_json[1:]}'
