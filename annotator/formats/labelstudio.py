"""Label Studio JSON: an array of tasks `{"id", "data": {"text"}, "annotations": [{"result": [...]}],
"predictions": [{"result": [...]}]}` (a single task object is read too).

An annotation's `labels` results come in as accepted spans and answer the article (a cancelled annotation,
Label Studio's skip, answers it `ignore`); predictions come in as suggestions with their scores. Where a task
has several annotations (several annotators), the most recent one is used and the others are counted in meta.
A `relation` result (`from_id`, `to_id`, `labels`) becomes a link from the `from_id` span (the event) to the
`to_id` span in the role each of its labels names; a relation without a label, and other result types, are
kept in the document's meta."""

from __future__ import annotations

from typing import Any

from annotator.core.errors import InputError
from annotator.core.model import Answer, Document, Link, Record, Source, Span, SpanState
from annotator.formats.base import Reader, ReadOptions, as_int, json_reader, register


def claims(record: dict[str, Any]) -> bool:
    return isinstance(record.get("data"), dict) and ("annotations" in record or "predictions" in record
                                                     or "completions" in record)


def _spans(results: Any, where: str, state: SpanState, source: Source, score: Any,
           other: list[Any], first: int = 0) -> tuple[list[Span], list[Link]]:
    """The spans and links of one annotation or prediction; `first` is the position its first span will have
    in the record's spans (links name spans by position)."""
    if not isinstance(results, list):
        raise InputError(f"{where}: 'result' must be a list")
    spans: list[Span] = []
    ids: dict[Any, int] = {}
    relations = []
    for i, item in enumerate(results):
        if not isinstance(item, dict):
            raise InputError(f"{where}, result {i}: expected an object")
        if item.get("type") == "relation" and item.get("labels"):
            relations.append((i, item))
            continue
        value = item.get("value")
        labels = value.get("labels") if isinstance(value, dict) else None
        if item.get("type") not in (None, "labels") or labels is None:
            other.append(item)  # choices, text areas, relations without a label...
            continue
        if item.get("id") is not None:
            ids[item["id"]] = first + len(spans)
        if "start" not in value or "end" not in value:
            raise InputError(f"{where}, result {i}: labels without character 'start' and 'end'")
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise InputError(f"{where}, result {i}: 'labels' must be a list of label names")
        start, end = as_int(value["start"], f"{where}, result {i} start"), as_int(value["end"], f"{where}, "
                                                                                              f"result {i} end")
        s = item.get("score", score)
        for label in labels:
            spans.append(Span(start, end, label, source, state,
                              score=float(s) if isinstance(s, (int, float)) and not isinstance(s, bool) else None))
    links = []
    for i, item in relations:
        roles = item["labels"]
        if not isinstance(roles, list) or not all(isinstance(x, str) for x in roles):
            raise InputError(f"{where}, result {i}: a relation's 'labels' must be a list of names")
        for end in ("from_id", "to_id"):
            if item.get(end) not in ids:
                raise InputError(f"{where}, result {i}: the relation's {end} {item.get(end)!r} names no labelled "
                                 f"span of this {where.split(' ')[0]}")
        links += [Link(ids[item["from_id"]], ids[item["to_id"]], role, source, state) for role in roles]
    return spans, links


def convert(value: dict[str, Any], options: ReadOptions) -> Record:
    data = value.get("data")
    if not isinstance(data, dict):
        raise InputError("a Label Studio task needs a 'data' object")
    data = dict(data)
    key = options.text_column
    if key not in data:
        strings = [k for k, v in data.items() if isinstance(v, str)]
        if len(strings) != 1:
            raise InputError(f"'data' has no {key!r} field (name the text field with --text-column)")
        key = strings[0]
    text = data.pop(key)
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"'data.{key}' must be a non-empty string")
    title = data.pop("title", "") if isinstance(data.get("title", ""), str) else ""
    ext = data.pop("external_id", None)
    if ext is None:
        ext = value.get("id")
    meta: dict[str, Any] = dict(value["meta"]) if isinstance(value.get("meta"), dict) else {}
    meta.update({k: v for k, v in data.items() if k not in meta})
    other: list[Any] = []
    spans: list[Span] = []
    links: list[Link] = []
    answer, who, when = Answer.PENDING, None, None
    annotations = value.get("annotations", value.get("completions")) or []
    if not isinstance(annotations, list):
        raise InputError("'annotations' must be a list")
    if annotations:
        if not all(isinstance(a, dict) for a in annotations):
            raise InputError("an annotation must be an object")

        def recency(a: dict[str, Any]) -> str:  # an annotation without a time is older than any with one
            return str(a.get("updated_at") or a.get("created_at") or "")

        latest = max(enumerate(annotations), key=lambda ia: (recency(ia[1]), ia[0]))[1]
        if len(annotations) > 1:
            meta["label_studio_other_annotations"] = len(annotations) - 1
        spans, links = _spans(latest.get("result", []), "annotation", SpanState.ACCEPTED, Source.EDITOR, None, other)
        if latest.get("was_cancelled"):
            answer = Answer.REJECT if latest.get("annotator_answer") == "reject" else Answer.IGNORE
        else:
            answer = Answer.ACCEPT
        by = latest.get("completed_by")
        who = by.get("email") if isinstance(by, dict) else (str(by) if by is not None else None)
        when = latest.get("created_at") if isinstance(latest.get("created_at"), str) else None
    predictions = value.get("predictions") or []
    if not isinstance(predictions, list):
        raise InputError("'predictions' must be a list")
    for n, pred in enumerate(predictions):
        if not isinstance(pred, dict):
            raise InputError(f"prediction {n}: expected an object")
        found, suggested = _spans(pred.get("result", []), f"prediction {n}", SpanState.SUGGESTED, Source.MODEL,
                                  pred.get("score"), other, first=len(spans))
        spans += found
        links += suggested
    if other:
        meta["label_studio_results"] = other
    return Record(Document(text=text, title=title, meta=meta, external_id=None if ext is None else str(ext),
                                 answer=answer, answered_by=who, answered_at=when), spans, links=links)


register(Reader("label-studio", "Label Studio JSON: tasks with data.text, annotations and predictions",
                json_reader(convert), claims=claims, extensions=(".json",)))
