"""doccano JSONL: sequence labelling (`label: [[start, end, "LABEL"], ...]`) or relation mode
(`entities: [{id, start_offset, end_offset, label}]`, `relations: [{from_id, to_id, type}]`).
Spans come in as accepted (a person made them); a relation becomes a link from its `from_id` entity (the event)
to its `to_id` entity in the role its `type` names."""

from __future__ import annotations

from typing import Any

from annotator.core.errors import InputError
from annotator.core.model import Answer, Document, Link, Record, Source, Span, SpanState
from annotator.formats.base import Reader, ReadOptions, as_int, json_reader, register, require_text
from annotator.formats.jsonl import meta_of

PRODIGY_OWN = {"spans", "tokens", "_input_hash", "_task_hash", "_view_id"}


def _span_item(x: Any) -> bool:
    return (isinstance(x, list) and len(x) == 3) or (isinstance(x, dict) and "start_offset" in x and "label" in x)


def claims(record: dict[str, Any]) -> bool:
    label = record.get("label")
    if isinstance(label, list) and all(_span_item(x) for x in label):
        # `"label": []` is how doccano writes an unlabelled document (with our `answer` beside it, it is still
        # doccano's, unless Prodigy's own fields say otherwise)
        return bool(label) or not (PRODIGY_OWN & record.keys())
    ents = record.get("entities")
    return isinstance(ents, list) and any(isinstance(e, dict) and "start_offset" in e for e in ents)


def convert(value: dict[str, Any], options: ReadOptions) -> Record:
    text = require_text(value, options.text_column)
    spans = []
    skip = {options.text_column, options.label_column, "entities", "relations", "Comments"}
    entity_ids: dict[Any, int] = {}  # an entity's id -> its position in spans
    if "entities" in value:
        ents = value["entities"]
        if not isinstance(ents, list):
            raise InputError("'entities' must be a list")
        for i, ent in enumerate(ents):
            if not isinstance(ent, dict) or "label" not in ent:
                raise InputError(f"entity {i} must be an object with start_offset, end_offset and label")
            if ent.get("id") is not None:
                key = ent["id"]
                if not isinstance(key, (str, int)) or isinstance(key, bool):
                    raise InputError(f"entity {i}: its id {key!r} must be a number or a string")
                if key in entity_ids:
                    raise InputError(f"entity {i}: id {key!r} is given twice (entity {entity_ids[key]} has it "
                                     "too); each entity needs its own id")
                entity_ids[key] = len(spans)
            spans.append(Span(as_int(ent.get("start_offset"), f"entity {i} start_offset"),
                              as_int(ent.get("end_offset"), f"entity {i} end_offset"),
                              str(ent["label"]), Source.EDITOR, SpanState.ACCEPTED))
    links = _links(value.get("relations"), entity_ids)
    labels = value.get(options.label_column)
    if labels is None:
        labels = []
    if not isinstance(labels, list):
        raise InputError(f"{options.label_column!r} must be a list of [start, end, label]")
    bad = []
    for i, item in enumerate(labels):
        if isinstance(item, dict) and isinstance(item.get("label"), str) and "start_offset" in item:
            # doccano's parser takes a span as an object too
            spans.append(Span(as_int(item.get("start_offset"), f"label {i} start_offset"),
                              as_int(item.get("end_offset"), f"label {i} end_offset"), item["label"],
                              Source.EDITOR, SpanState.ACCEPTED))
        elif isinstance(item, list) and len(item) == 3 and isinstance(item[2], str):
            spans.append(Span(as_int(item[0], f"label {i} start"), as_int(item[1], f"label {i} end"), item[2],
                              Source.EDITOR, SpanState.ACCEPTED))
        else:
            bad.append(f"{options.label_column!r} item {i} must be [start, end, \"LABEL\"] or "
                       f"{{\"label\", \"start_offset\", \"end_offset\"}}, got {item!r}")
    if bad:  # every bad item named, not only the first
        raise InputError("; ".join(bad))
    # a title that is not text stays in meta rather than being lost
    meta = meta_of(value, skip | {"id", "answer"} | ({"title"} if isinstance(value.get("title"), str) else set()))
    answer = Answer.PENDING
    if value.get("answer") is not None:  # written by this project's doccano export
        answer = Answer.parse(value["answer"])
    title = value.get("title") if isinstance(value.get("title"), str) else ""
    comments = value.get("Comments")
    if comments:
        meta["doccano_comments"] = comments
    ext_id = value.get("id")
    return Record(Document(text=text, title=title, meta=meta, answer=answer,
                                 external_id=None if ext_id is None else str(ext_id)), spans, links=links)


def _links(relations: Any, entity_ids: dict[Any, int]) -> list[Link]:
    if relations is None:
        return []
    if not isinstance(relations, list):
        raise InputError("'relations' must be a list")
    links = []
    for i, rel in enumerate(relations):
        if not isinstance(rel, dict) or not isinstance(rel.get("type"), str):
            raise InputError(f"relation {i} must be an object with from_id, to_id and type")
        for end in ("from_id", "to_id"):
            ref = rel.get(end)
            if not isinstance(ref, (str, int)) or isinstance(ref, bool) or ref not in entity_ids:
                raise InputError(f"relation {i}: {end} {ref!r} names no entity of this record")
        if rel["from_id"] == rel["to_id"]:
            raise InputError(f"relation {i} ({rel['type']}): from_id and to_id are both {rel['from_id']!r}; an "
                             "entity cannot be linked to itself")
        links.append(Link(entity_ids[rel["from_id"]], entity_ids[rel["to_id"]], rel["type"]))
    return links


register(Reader("doccano", "doccano JSONL: 'label' triples, or 'entities' and 'relations'", json_reader(convert),
                claims=claims, extensions=(".jsonl",)))
