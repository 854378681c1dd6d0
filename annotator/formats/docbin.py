"""spaCy's own training format, `DocBin` (`.spacy` files): written for `spacy train`, read back in.

Writing: each article is a Doc on the project's tokens, with every span in `doc.spans["sc"]` (what a span
categoriser trains on) and in `doc.ents` as many as can be entities (of overlapping spans the longest, as
`spacy.util.filter_spans` picks them); the article's id, title, meta, answer and each span's state go in
`doc.user_data["annotator"]` so that a DocBin comes back into a project whole. Links (an argument span in a
role of an event span) go in `doc.user_data["annotator"]["links"]` as `[event, argument, role]`, the first two
positions in `doc.spans["sc"]`:

    for event, argument, role in doc.user_data["annotator"]["links"]:
        trigger, filler = doc.spans["sc"][event], doc.spans["sc"][argument]

Reading: spans from every span group and the entities, links from that list, tokens from the Doc.

It sits with the other formats, in their registries (`READERS["spacy"]`, `WRITERS["spacy"]`); spaCy itself is
imported only when a DocBin is read or written (or sentences are split for CoNLL), so that importing the
formats, and the commands that do not need spaCy, stay quick."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from annotator.core.errors import InputError
from annotator.core.model import Answer, Document, Link, Record, Source, Span, SpanState, Token
from annotator.core.tokens import token_columns
from annotator.formats.base import Item, Reader, ReadOptions, register
from annotator.formats.writers import Writer, register_writer

SPANS_KEY = "sc"
STATES = {s.value: s for s in SpanState}
USER_KEY = "annotator"
@cache
def _vocab() -> Any:
    import spacy

    return spacy.blank("en").vocab


def make_doc(text: str, tokens: bytes) -> Any:
    """A spaCy Doc on the stored tokens (its text is the article's text, character for character)."""
    from spacy.tokens import Doc

    starts, ends, ws = token_columns(tokens)
    words = [text[s:e] for s, e in zip(starts, ends)]
    return Doc(_vocab(), words=words, spaces=[bool(w) for w in ws])


@cache
def _sentencizer() -> Any:
    from spacy.pipeline import Sentencizer

    return Sentencizer()


def sentence_starts(text: str, starts: Sequence[int], ends: Sequence[int]) -> list[bool]:
    """Which tokens start a sentence: spaCy's rule-based sentencizer, and a paragraph break ends one too."""
    from spacy.tokens import Doc

    if not starts:
        return []
    words = [text[s:e] for s, e in zip(starts, ends)]
    doc = _sentencizer()(Doc(_vocab(), words=words))  # the sentencizer reads the words, not the spaces between
    out = [bool(t.is_sent_start) for t in doc]
    for i in range(1, len(words)):
        if "\n" in words[i - 1] and not words[i - 1].strip():
            out[i] = True
    return out


@register_writer
class SpacyWriter(Writer):
    name, suffix = "spacy", ".spacy"
    description = "spaCy DocBin: spans in doc.spans['sc'], non-overlapping ones also in doc.ents"
    holds_answers = False
    no_answers = "spacy train would learn from every Doc as a finished example"
    holds_links = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from spacy.tokens import DocBin

        self.bin = DocBin(store_user_data=True)
        self.not_entities = 0

    def write(self, record: Record, tokens: bytes) -> int:
        from spacy.util import filter_spans

        doc = record.document
        sdoc = make_doc(doc.text, tokens)
        made, states = [], []
        position: dict[int, int] = {}  # position in spans -> position in doc.spans["sc"]
        for i, sp in enumerate(record.spans):
            span = sdoc.char_span(sp.start, sp.end, label=sp.label)
            if span is None:
                self.dropped_spans["does not line up with the tokens"] += 1
                continue
            position[i] = len(made)
            made.append(span)
            states.append(sp.state.value)
        links = [[position[lk.event], position[lk.argument], lk.role] for lk in record.links
                 if lk.event in position and lk.argument in position]
        if len(links) < len(record.links):
            self.dropped_links["a span of the link does not line up with the tokens"] += \
                len(record.links) - len(links)
        sdoc.spans[SPANS_KEY] = made
        ents = filter_spans(made)
        sdoc.ents = ents
        self.not_entities += len(made) - len(ents)
        sdoc.user_data[USER_KEY] = {
            "id": doc.id, "external_id": doc.external_id, "title": doc.title, "meta": doc.meta,
            "answer": doc.answer.value, "answered_by": doc.answered_by, "answered_at": doc.answered_at,
            "states": states, "links": links,
        }
        self.bin.add(sdoc)
        return len(made)

    def close(self) -> None:
        if self.not_entities:
            self.notes.append(f"{self.not_entities} span(s) overlap a longer one: in doc.spans['sc'] but not "
                              f"in doc.ents")
        self.bin.to_disk(self.path)


def read_docbin(path: Path, options: ReadOptions) -> Iterator[Item]:
    """Articles of a `.spacy` file; a span's state and the article's answer come back if this project wrote it,
    otherwise spans are accepted and the article is pending."""
    from spacy.tokens import DocBin

    spath = str(path)
    try:
        docbin = DocBin().from_disk(path)
        docs = list(docbin.get_docs(_vocab()))
    except Exception as exc:  # not msgpack, not a DocBin, truncated: all the user can do is check the file
        said = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        yield InputError(f"not a spaCy DocBin (.spacy) file: {said}", spath)
        return
    for n, sdoc in enumerate(docs, start=1):
        info = sdoc.user_data.get(USER_KEY) if isinstance(sdoc.user_data.get(USER_KEY), dict) else {}
        states = info.get("states") or []
        spans: list[Span] = []
        seen: set[tuple[int, int, str]] = set()
        groups = list(sdoc.spans.items())
        group = list(sdoc.spans[SPANS_KEY]) if SPANS_KEY in sdoc.spans else []
        keys = [(sp.start_char, sp.end_char, sp.label_) for sp in group]
        for key, group in groups:
            for i, sp in enumerate(group):
                # the state this project wrote for the span; any other span (or state) is accepted
                state = STATES.get(states[i]) if key == SPANS_KEY and i < len(states) else None
                k = (sp.start_char, sp.end_char, sp.label_)
                if k not in seen and sp.label_:
                    seen.add(k)
                    spans.append(Span(k[0], k[1], k[2], Source.EDITOR, state or SpanState.ACCEPTED))
        for ent in sdoc.ents:
            k = (ent.start_char, ent.end_char, ent.label_)
            if k not in seen:
                seen.add(k)
                spans.append(Span(k[0], k[1], k[2], Source.EDITOR, SpanState.ACCEPTED))
        try:
            answer = Answer.parse(info["answer"]) if info.get("answer") else Answer.PENDING
        except InputError:  # not one this project wrote: the article is pending
            answer = Answer.PENDING
        meta = info.get("meta") if isinstance(info.get("meta"), dict) else {}
        ext = info.get("external_id")
        document = Document(
            text=sdoc.text, title=str(info.get("title") or ""), meta=meta,
            external_id=None if ext is None else str(ext), answer=answer,
            answered_by=info.get("answered_by") if answer is not Answer.PENDING else None,
            answered_at=info.get("answered_at") if answer is not Answer.PENDING else None,
            tokens=[Token(t.idx, t.idx + len(t.text), bool(t.whitespace_)) for t in sdoc],
        )
        position = {sp.key: i for i, sp in enumerate(spans)}
        links = []
        for item in info.get("links") or []:
            if (isinstance(item, (list, tuple)) and len(item) == 3 and isinstance(item[2], str)
                    and all(isinstance(x, int) and 0 <= x < len(keys) and keys[x] in position for x in item[:2])):
                links.append(Link(position[keys[item[0]]], position[keys[item[1]]], item[2], Source.EDITOR,
                                  spans[position[keys[item[0]]]].state))
            else:
                yield InputError(f"doc {n}: a link must be [event, argument, role] with positions in "
                                 f"doc.spans[{SPANS_KEY!r}], got {item!r}", spath)
                break
        else:
            rec = Record(document, spans, links=links)
            rec.path, rec.line = spath, n
            yield rec


register(Reader("spacy", "spaCy DocBin (.spacy): spans from doc.spans and doc.ents", read_docbin,
                extensions=(".spacy",)))
