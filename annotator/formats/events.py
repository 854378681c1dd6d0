"""Events JSONL, for event-extraction trainers: one article a line,

    {"text": ..., "id": ..., "title": ..., "meta": {...}, "answer": "accept",
     "events": [{"trigger": {"start", "end", "text", "label"},
                 "arguments": [{"role", "start", "end", "text", "label"}]}],
     "spans": [{"start", "end", "text", "label"}]}

Each event span is an event (with no arguments if none is linked); a span that is neither a trigger nor an
argument is a free span. Offsets count characters, end exclusive; `text` is what the offsets cover, checked
on reading. Read back, triggers, arguments and free spans are spans, each argument a link."""

from __future__ import annotations

import json
from typing import Any

from annotator.core.errors import InputError
from annotator.core.model import Answer, Document, Link, Record, Source, Span, SpanState
from annotator.formats.base import Reader, ReadOptions, as_int, json_reader, register, require_text
from annotator.formats.jsonl import meta_of


def claims(record: dict[str, Any]) -> bool:
    events = record.get("events")
    return isinstance(events, list) and all(isinstance(e, dict) and "trigger" in e for e in events)


def _span(item: Any, what: str, text: str) -> Span:
    if not isinstance(item, dict) or not isinstance(item.get("label"), str):
        raise InputError(f"{what} must be an object with start, end and label")
    start, end = as_int(item.get("start"), f"{what} start"), as_int(item.get("end"), f"{what} end")
    if "text" in item and 0 <= start < end <= len(text) and text[start:end] != item["text"]:
        raise InputError(f"{what}: the text at {start}..{end} is {text[start:end]!r}, the record says "
                         f"{item['text']!r}")
    return Span(start, end, item["label"], Source.EDITOR, SpanState.ACCEPTED)


def convert(value: dict[str, Any], options: ReadOptions) -> Record:
    text = require_text(value, "text")
    events = value.get("events") or []
    free = value.get("spans") or []
    if not isinstance(events, list) or not isinstance(free, list):
        raise InputError("'events' and 'spans' must be lists")
    spans: list[Span] = []
    links: list[Link] = []
    position: dict[tuple[int, int, str], int] = {}

    def add(span: Span) -> int:
        if span.key not in position:
            position[span.key] = len(spans)
            spans.append(span)
        return position[span.key]

    for i, event in enumerate(events, start=1):
        if not isinstance(event, dict):
            raise InputError(f"event {i} must be an object with a trigger and arguments")
        trigger = add(_span(event.get("trigger"), f"event {i} trigger", text))
        arguments = event.get("arguments") or []
        if not isinstance(arguments, list):
            raise InputError(f"event {i}: 'arguments' must be a list")
        for j, argument in enumerate(arguments, start=1):
            if not isinstance(argument, dict) or not isinstance(argument.get("role"), str):
                raise InputError(f"event {i} argument {j} must be an object with a role")
            links.append(Link(trigger, add(_span(argument, f"event {i} argument {j}", text)), argument["role"]))
    for i, item in enumerate(free, start=1):
        add(_span(item, f"span {i}", text))
    answer = Answer.PENDING
    if value.get("answer") is not None:
        answer = Answer.parse(value["answer"])
    title = value.get("title") if isinstance(value.get("title"), str) else ""
    ext_id = value.get("id")
    meta = meta_of(value, {"text", "events", "spans", "id", "title", "answer"})
    if answer is Answer.PENDING:
        for span in spans:
            span.state = SpanState.SUGGESTED
        for link in links:
            link.state = SpanState.SUGGESTED
    return Record(Document(text=text, title=title, meta=meta, answer=answer,
                                 external_id=None if ext_id is None else str(ext_id)), spans, links=links)


register(Reader("events", "events JSONL: text, events (trigger and arguments by role), free spans",
                json_reader(convert), claims=claims, extensions=(".jsonl",)))


def export_line(record: Record, event_labels: set[str]) -> str:
    """One line for an article of `store.exports.iter_for_export`: its event spans with their arguments by role,
    and the spans that are neither."""
    doc, spans = record.document, record.spans
    text = doc.text
    links = [(lk.event, lk.argument, lk.role) for lk in record.links]

    def item(i: int) -> dict[str, Any]:
        sp = spans[i]
        return {"start": sp.start, "end": sp.end, "text": text[sp.start:sp.end], "label": sp.label}

    arguments: dict[int, list[tuple[int, str]]] = {}  # event position -> its (argument position, role), in order
    for e, a, role in links:
        arguments.setdefault(e, []).append((a, role))
    used = {a for e, a, _ in links}
    triggers = [i for i, sp in enumerate(spans) if sp.label in event_labels or i in arguments]
    line: dict[str, Any] = {"text": text}
    if doc.external_id is not None:
        line["id"] = doc.external_id
    if doc.title:
        line["title"] = doc.title
    if doc.meta:
        line["meta"] = doc.meta
    line["answer"] = doc.answer.value  # "pending" too: every line has the field the README lists
    line["events"] = [{"trigger": item(t),
                         "arguments": [{"role": role, **item(a)} for a, role in arguments.get(t, ())]}
                        for t in triggers]
    shown = used.union(triggers)
    line["spans"] = [item(i) for i in range(len(spans)) if i not in shown]
    return json.dumps(line, ensure_ascii=False, allow_nan=False)
