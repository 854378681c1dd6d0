"""The spaCy DocBin reader, field by field: a DocBin spaCy made (entities and span groups, no data of ours), one
this project made (states, answers, meta, ids, links in `user_data`), and the errors a user sees."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin
from spacy.tokens import Span as SpacySpan

from annotator.core.errors import InputError
from annotator.core.model import Answer, Link, Source, Span, SpanState, Token
from annotator.formats import READERS, ReadOptions
from annotator.formats.docbin import read_docbin

NLP = spacy.blank("en")


def read(path: Path) -> list:
    return list(read_docbin(path, ReadOptions()))


def test_the_reader_is_the_registered_spacy_format():
    assert READERS["spacy"].read is read_docbin and READERS["spacy"].extensions == (".spacy",)


def test_a_docbin_spacy_made_comes_in_accepted_and_pending_with_its_tokens(tmp_path):
    first = NLP("Rebels attacked Kidal  today.")
    first.ents = [SpacySpan(first, 0, 1, label="ACTOR")]
    first.spans["sc"] = [SpacySpan(first, 1, 2, label="ATTACK"), SpacySpan(first, 0, 1, label="ACTOR")]
    first.spans["other"] = [SpacySpan(first, 2, 3, label="PLACE"), SpacySpan(first, 2, 3, label="")]
    second = NLP("Talks resumed.")
    second.ents = [SpacySpan(second, 0, 1, label="TALKS")]
    DocBin(docs=[first, second], store_user_data=True).to_disk(tmp_path / "x.spacy")
    a, b = read(tmp_path / "x.spacy")
    assert (a.path, a.line, b.line) == (str(tmp_path / "x.spacy"), 1, 2)
    # every span group, then the entities not in them; each once; a span without a label is not one
    assert a.spans == [Span(7, 15, "ATTACK", Source.EDITOR, SpanState.ACCEPTED),
                       Span(0, 6, "ACTOR", Source.EDITOR, SpanState.ACCEPTED),
                       Span(16, 21, "PLACE", Source.EDITOR, SpanState.ACCEPTED)]
    assert b.spans == [Span(0, 5, "TALKS", Source.EDITOR, SpanState.ACCEPTED)]
    doc = a.document
    assert (doc.text, doc.title, doc.meta, doc.external_id) == ("Rebels attacked Kidal  today.", "", {}, None)
    assert (doc.answer, doc.answered_by, doc.answered_at) == (Answer.PENDING, None, None)
    assert doc.tokens == [Token(0, 6, True), Token(7, 15, True), Token(16, 21, True), Token(22, 23, False),
                          Token(23, 28, False), Token(28, 29, False)]
    assert a.links == [] and b.links == []


def ours(tmp_path: Path, *infos: dict) -> Path:
    docs = []
    for info in infos:
        doc = Doc(NLP.vocab, words=["Rebels", "attacked", "Kidal", "."], spaces=[True, True, False, False])
        doc.spans["sc"] = [SpacySpan(doc, 0, 1, label="ACTOR"), SpacySpan(doc, 1, 2, label="ATTACK"),
                           SpacySpan(doc, 2, 3, label="PLACE")]
        doc.user_data["annotator"] = info
        docs.append(doc)
    path = tmp_path / "ours.spacy"
    DocBin(docs=docs, store_user_data=True).to_disk(path)
    return path


def test_a_docbin_this_project_made_brings_back_states_answers_meta_and_links(tmp_path):
    answered = {"id": 4, "external_id": 17, "title": "Kidal", "meta": {"source": "wire"}, "answer": "accept",
                "answered_by": "ana", "answered_at": "2026-01-01T00:00:00+00:00",
                "states": ["suggested", "rejected", "weird"], "links": [[1, 0, "attacker"], [1, 2, "place"]]}
    pending = {"answer": "pending", "answered_by": "ana", "answered_at": "2026-01-01", "meta": "not a dict",
               "states": ["accepted"], "title": None}
    unknown = {"answer": "maybe", "answered_by": "ben"}
    a, b, c = read(ours(tmp_path, answered, pending, unknown))
    assert [(s.label, s.state) for s in a.spans] == [("ACTOR", SpanState.SUGGESTED), ("ATTACK", SpanState.REJECTED),
                                                     ("PLACE", SpanState.ACCEPTED)]  # an unknown state: accepted
    doc = a.document
    assert (doc.title, doc.meta, doc.external_id) == ("Kidal", {"source": "wire"}, "17")
    assert (doc.answer, doc.answered_by, doc.answered_at) == (Answer.ACCEPT, "ana", "2026-01-01T00:00:00+00:00")
    # links name the record's spans by position, with the state of their event span
    assert a.links == [Link(1, 0, "attacker", Source.EDITOR, SpanState.REJECTED),
                       Link(1, 2, "place", Source.EDITOR, SpanState.REJECTED)]
    # pending: who and when are not kept; a meta that is not an object is left out; spans past the states
    # accepted
    assert (b.document.answer, b.document.answered_by, b.document.answered_at) == (Answer.PENDING, None, None)
    assert (b.document.meta, b.document.title) == ({}, "")
    assert [s.state for s in b.spans] == [SpanState.ACCEPTED] * 3
    assert (c.document.answer, c.document.answered_by) == (Answer.PENDING, None)  # not an answer of ours


@pytest.mark.parametrize("link", [[0, 1], [0, 9, "place"], [0, 3, "place"], [0, "1", "place"], [0, 1, 2],
                                  "0 1 place", [-1, 1, "x"]])
def test_a_bad_link_in_a_docbin_names_the_doc_and_what_a_link_must_be(tmp_path, link):
    path = ours(tmp_path, {"answer": "accept"}, {"answer": "accept", "links": [[1, 0, "attacker"], link]},
                {"answer": "accept", "links": [[1, 0, "attacker"]]})
    first, error, third = read(path)  # the docs after it are read
    assert first.links == [] and third.links == [Link(1, 0, "attacker", Source.EDITOR, SpanState.ACCEPTED)]
    assert isinstance(error, InputError)
    shown = tuple(link) if isinstance(link, list) else link  # a DocBin keeps lists as tuples
    assert str(error) == (f"{path}: doc 2: a link must be [event, argument, role] with positions in "
                          f"doc.spans['sc'], got {shown!r}")


def test_a_file_that_is_not_a_docbin_says_so_with_spacys_first_line(tmp_path):
    path = tmp_path / "broken.spacy"
    path.write_bytes(b"not a docbin")
    (error,) = read(path)
    assert isinstance(error, InputError) and error.path == str(path)
    try:  # what spaCy itself says of that file, its first line
        DocBin().from_disk(path)
    except Exception as exc:  # noqa: BLE001 - whatever spaCy raises
        said = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    assert said and error.reason == f"not a spaCy DocBin (.spacy) file: {said}"
    empty = tmp_path / "empty.spacy"
    empty.write_bytes(b"")
    (error,) = read(empty)
    assert error.reason.startswith("not a spaCy DocBin (.spacy) file: ") and len(error.reason) > 36


@pytest.mark.parametrize(("raised", "said"), [
    (ValueError("unpack(b) received extra data.\nmore of msgpack's words"), "unpack(b) received extra data."),
    (ValueError(), "ValueError"),  # nothing said: its kind
    (KeyError("x" * 300), "'" + "x" * 199),  # at most 200 characters
])
def test_what_spacy_says_of_a_file_it_cannot_read_is_its_first_line_or_the_errors_kind(tmp_path, monkeypatch,
                                                                                       raised, said):
    def refuse(self, path):
        raise raised

    monkeypatch.setattr(DocBin, "from_disk", refuse)
    path = tmp_path / "x.spacy"
    path.write_bytes(b"anything")
    (error,) = read(path)
    assert error.reason == f"not a spaCy DocBin (.spacy) file: {said}"


@pytest.mark.parametrize(("text", "starts"), [
    ("Rebels attacked Kidal. Talks began.\n\nA new paragraph starts here",
     ["Rebels", "Talks", "\n\n", "A"]),  # spaCy's sentences, and a paragraph break starts one
    ("one two\nthree four", ["one", "three"]),  # a line break too
    ("Hi there.  Yes", ["Hi", " "]),  # spaces alone do not
    ("\n\nRebels attacked.", ["\n\n", "Rebels"]),
    ("", []),
])
def test_sentences_for_conll_start_where_spacy_and_paragraphs_say(text, starts):
    from annotator.formats.docbin import sentence_starts
    from annotator.nlp.pipeline import tokenize

    tokens = tokenize(text)
    flags = sentence_starts(text, [t.start for t in tokens], [t.end for t in tokens])
    assert len(flags) == len(tokens) and all(f is True or f is False for f in flags)
    assert [text[t.start:t.end] for t, f in zip(tokens, flags) if f] == starts
    assert sentence_starts(text, [t.start for t in tokens], [t.end for t in tokens]) == flags  # twice: the same


def test_the_writer_keeps_what_the_reader_brings_back_and_counts_what_it_drops(tmp_path):
    """What `annotator export --format spacy` writes for each article: spans in doc.spans["sc"], the longest
    in doc.ents, and in user_data what a model builder and this project's reader need (id, answer, who,
    when, meta, each span's state, links); spans off the tokens are counted, and so are their links."""
    from annotator.core.labels import load_scheme
    from annotator.core.model import Document, Record
    from annotator.core.tokens import pack_tokens
    from annotator.formats.docbin import SpacyWriter

    text = "Rebels attacked Kidal on Monday."
    tokens = pack_tokens([Token(0, 6, True), Token(7, 15, True), Token(16, 21, True), Token(22, 24, True),
                          Token(25, 31, False), Token(31, 32, False)])
    doc = Document(text, title="Kidal", meta={"desk": "world"}, external_id="k1", id=7, answer=Answer.ACCEPT,
                   answered_by="ana", answered_at="2026-01-01T00:00:00+00:00")
    spans = [Span(0, 6, "ACTOR", state=SpanState.ACCEPTED), Span(7, 15, "ATTACK", state=SpanState.SUGGESTED),
             Span(16, 21, "PLACE", state=SpanState.REJECTED), Span(16, 24, "TARGET"),
             Span(1, 6, "ACTOR"), Span(25, 30, "TIME")]  # the last two end or start inside a word
    links = [Link(1, 0, "attacker"), Link(1, 2, "place"), Link(1, 4, "attacker"), Link(5, 1, "x")]
    writer = SpacyWriter(tmp_path / "out.spacy", load_scheme(), "test")
    assert writer.write(Record(doc, spans, links=links), tokens) == 4
    writer.write(Record(Document("Talks resumed.", id=8), [Span(0, 2, "TALKS"), Span(6, 13, "TALKS")],
                        links=[Link(1, 0, "x")]),
                 pack_tokens([Token(0, 5, True), Token(6, 13, False), Token(13, 14, False)]))
    writer.close()
    assert writer.dropped_spans == {"does not line up with the tokens": 3}
    assert writer.dropped_links == {"a span of the link does not line up with the tokens": 3}
    assert writer.notes == ["1 span(s) overlap a longer one: in doc.spans['sc'] but not in doc.ents"]
    first, second = DocBin().from_disk(tmp_path / "out.spacy").get_docs(NLP.vocab)
    assert first.user_data["annotator"] == {
        "id": 7, "external_id": "k1", "title": "Kidal", "meta": {"desk": "world"}, "answer": "accept",
        "answered_by": "ana", "answered_at": "2026-01-01T00:00:00+00:00",
        "states": ("accepted", "suggested", "rejected", "accepted"),  # msgpack gives lists back as tuples
        "links": ((1, 0, "attacker"), (1, 2, "place"))}
    assert [(s.text, s.label_) for s in first.spans["sc"]] == [("Rebels", "ACTOR"), ("attacked", "ATTACK"),
                                                               ("Kidal", "PLACE"), ("Kidal on", "TARGET")]
    assert [(s.text, s.label_) for s in first.ents] == [("Rebels", "ACTOR"), ("attacked", "ATTACK"),
                                                        ("Kidal on", "TARGET")]
    assert second.user_data["annotator"]["answer"] == "pending"
    assert [s.text for s in second.spans["sc"]] == ["resumed"]
    back = read(tmp_path / "out.spacy")[0]
    assert [(s.start, s.end, s.label, s.state) for s in back.spans] == [
        (0, 6, "ACTOR", SpanState.ACCEPTED), (7, 15, "ATTACK", SpanState.SUGGESTED),
        (16, 21, "PLACE", SpanState.REJECTED), (16, 24, "TARGET", SpanState.ACCEPTED)]
    assert (back.document.id, back.document.answered_by) == (None, "ana")
