"""Pre-annotation and export, end to end, on real articles."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.core.errors import ExportError
from annotator.core.model import Answer, SpanState
from annotator.nlp.pipeline import tokenize
from annotator.workflows import exporting
from annotator.workflows.importing import import_paths
from annotator.workflows.preannotating import preannotate
from tests.conftest import FORMATS, SAMPLES, WIKINEWS, write


def export(store, path, **kw):
    return exporting.export(store, path, fmt="prodigy", tokenizer=tokenize, **kw)


def lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_samples_cover_every_label_of_the_scheme(store, rules):
    import_paths(store, [SAMPLES], tokenizer=tokenize)
    assert store.documents.count_documents() == 12
    preannotate(store, rules)
    found = {label for label, counts in store.exports.stats()["spans"].items() if counts.get("suggested")}
    assert found == store.scheme.names


def test_preannotation_is_idempotent_and_respects_editors(store, rules):
    import_paths(store, [WIKINEWS], tokenizer=tokenize)
    first = preannotate(store, rules, doc_ids=[1, 2, 3])
    assert first.documents == 3 and first.suggestions > 20
    spans = store.annotations.spans(1)
    store.annotations.delete_span(spans[0].id, "ann")  # the editor removes one suggestion
    store.annotations.relabel_span(spans[1].id, "TARGET", "ann")
    before = store.conn.execute("SELECT id, start, \"end\", label, state FROM spans ORDER BY id").fetchall()
    again = preannotate(store, rules, doc_ids=[1, 2, 3])
    assert again.documents == 0 and again.suggestions == 0
    assert store.conn.execute("SELECT id, start, \"end\", label, state FROM spans ORDER BY id").fetchall() == before
    # a document answered already is left alone by a run over the pending ones
    store.annotations.set_answer(4, Answer.REJECT, "ann")
    report = preannotate(store, rules)
    assert report.documents == 146
    assert store.annotations.spans(4) == []


def test_preannotation_resumes_after_an_interruption(store, rules):
    import_paths(store, [WIKINEWS], tokenizer=tokenize)
    calls = []
    report = preannotate(store, rules, commit_every=16, should_stop=lambda: len(calls) >= 3 or calls.append(1))
    assert report.cancelled and report.documents == 4 * 16
    rest = preannotate(store, rules, commit_every=16)
    assert report.documents + rest.documents == 150
    assert store.conn.execute("SELECT count(DISTINCT doc_id) FROM preannotated").fetchone()[0] == 150


def test_suggestions_on_real_news_are_sensible(store, rules):
    import_paths(store, [WIKINEWS], tokenizer=tokenize)
    preannotate(store, rules, doc_ids=[1])
    doc = store.documents.document(1)
    found = {(doc.text[s.start:s.end], s.label) for s in store.annotations.spans(1)}
    assert ("Magnitogorsk", "PLACE") in found
    assert ("explosion", "ATTACK") in found
    assert ("dead", "DEATH") in found
    assert ("Friday, January 4, 2019", "TIME") in found  # the dateline, whole
    assert all(s.state is SpanState.SUGGESTED for s in store.annotations.spans(1))


def test_prodigy_export_shape(store, rules, tmp_path):
    import_paths(store, [SAMPLES], tokenizer=tokenize)
    preannotate(store, rules)
    spans = store.annotations.spans(1)
    store.annotations.set_span_state(spans[0].id, "accepted", "ann")
    store.annotations.set_answer(1, "accept", "ann")
    store.annotations.set_answer(2, "reject", "ann")
    out = tmp_path / "out.jsonl"
    report = export(store, out)
    assert report.documents == 2
    first, second = lines(out)
    assert first["answer"] == "accept" and second["answer"] == "reject"
    assert first["_annotator_id"] == "ann" and isinstance(first["_timestamp"], int)
    assert isinstance(first["_input_hash"], int) and isinstance(first["_task_hash"], int)
    assert first["meta"]["title"] and first["meta"]["id"]
    assert len(first["spans"]) == 1
    text = first["text"]
    for tok in first["tokens"]:
        assert text[tok["start"]:tok["end"]] == tok["text"] and set(tok) == {"text", "start", "end", "id", "ws"}
    for span in first["spans"]:
        assert first["tokens"][span["token_start"]]["start"] == span["start"]
        assert first["tokens"][span["token_end"]]["end"] == span["end"]  # token_end is inclusive
    assert second["spans"] == []  # suggestions of an answered article are not exported
    pending = export(store, tmp_path / "all.jsonl", include_pending=True)
    rows = lines(tmp_path / "all.jsonl")
    assert pending.documents == 12 and "answer" not in rows[2] and rows[2]["spans"]
    export(store, tmp_path / "att.jsonl", include_pending=True, labels=["ATTACK"])
    assert {s["label"] for r in lines(tmp_path / "att.jsonl") for s in r["spans"]} == {"ATTACK"}


def test_export_without_tokens_tokenizes_and_is_aligned(store, tmp_path):
    import_paths(store, [WIKINEWS], tokenizer=tokenize)
    store.annotations.add_span(1, 0, 6, "TIME", "ann")  # "Friday"
    store.annotations.set_answer(1, "accept", "ann")
    export(store, tmp_path / "o.jsonl")
    (row,) = lines(tmp_path / "o.jsonl")
    assert row["spans"] == [{"start": 0, "end": 6, "token_start": 0, "token_end": 0, "label": "TIME"}]


def test_failed_export_leaves_no_file_and_keeps_the_old_one(store, tmp_path, monkeypatch):
    import_paths(store, [SAMPLES], tokenizer=tokenize)
    store.annotations.set_answer(1, "accept", "ann")
    out = tmp_path / "out.jsonl"
    out.write_text("previous export\n", encoding="utf-8")

    def broken(text):
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        exporting.export(store, out, fmt="prodigy", tokenizer=broken)
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".db" and not p.name.startswith("project"))\
        == ["out.jsonl"]
    with pytest.raises(ExportError, match="unknown label"):
        export(store, out, labels=["NOPE"])
    with pytest.raises(ExportError, match="is a folder"):
        export(store, tmp_path)


@pytest.mark.parametrize("source", ["samples", "prodigy"])
def test_reimporting_an_export_and_exporting_again_gives_the_same_file(tmp_path, rules, source):
    from annotator.store import Store

    first = Store(tmp_path / "one.db")
    if source == "samples":
        import_paths(first, [SAMPLES], tokenizer=tokenize)
        preannotate(first, rules)
        for row in first.documents.list_documents()[:8]:
            spans = first.annotations.spans(row.id)
            for s in spans[::2]:
                first.annotations.set_span_state(s.id, "accepted", "ann")
            first.annotations.set_answer(row.id, ["accept", "reject", "ignore", "accept"][row.id % 4], "ann")
    else:
        import_paths(first, [FORMATS / "prodigy/ner_food_ingredients__food_data.jsonl"], tokenizer=tokenize,
                     add_labels=True)
    a = tmp_path / "a.jsonl"
    export(first, a, include_pending=True)
    second = Store(tmp_path / "two.db")
    report = import_paths(second, [a], tokenizer=tokenize, add_labels=True)
    assert report.rejected == 0
    b = tmp_path / "b.jsonl"
    export(second, b, include_pending=True)
    assert a.read_text(encoding="utf-8") == b.read_text(encoding="utf-8")
    assert len(lines(a)) == first.documents.count_documents()


def test_bad_pattern_file_names_the_line(tmp_path):
    from annotator.core.errors import PipelineError
    from annotator.core.labels import load_scheme
    from annotator.nlp import build_annotator

    bad = write(tmp_path / "p.jsonl", '{"label": "ATTACK", "pattern": "strike"}\n{"label": "NOPE", "pattern": "x"}\n')
    with pytest.raises(PipelineError, match=r"p.jsonl:2: unknown label 'NOPE'"):
        build_annotator(load_scheme(), patterns=bad)
    with pytest.raises(PipelineError, match="cannot load the spaCy pipeline"):
        build_annotator(load_scheme(), model="no_such_pipeline_xyz")


@given(st.text(st.sampled_from("ab \n"), max_size=300), st.integers(5, 60))
def test_pieces_cover_the_text_within_the_limit(text, limit):
    from annotator.workflows.preannotating import pieces

    cuts = pieces(text, limit)
    assert cuts[0][0] == 0 and cuts[-1][1] == len(text)
    assert all(a < b or len(text) == 0 for a, b in cuts)
    assert all(b - a <= limit for a, b in cuts)
    assert all(cuts[i][1] == cuts[i + 1][0] for i in range(len(cuts) - 1))
    for a, b in cuts[:-1]:  # cut after a line break when the second half of a piece has one
        if "\n" in text[a + limit // 2 : a + limit]:
            assert text[b - 1] == "\n"


def test_a_long_article_in_pieces_gets_the_suggestions_it_would_get_whole(rules, store):
    from annotator.workflows.preannotating import annotate_rows

    para = "Rebels attacked the town of Kidal on Monday, killing 12 soldiers.\n"
    text = para * 40
    whole = annotate_rows(rules, [(1, text, None)])[0]
    limit = rules.nlp.max_length
    rules.nlp.max_length = 500
    try:
        cut = annotate_rows(rules, [(1, text, None)])[0]
    finally:
        rules.nlp.max_length = limit
    assert cut[2] == whole[2] and len(cut[2]) > 40 * 3
    assert cut[1] == whole[1]  # the same tokens too
    assert cut[3] == whole[3] and len(cut[3]) >= 40  # and the same links, between the same spans


def test_preannotation_suggests_links_within_the_sentence_and_never_over_an_editors_removal(store, rules):
    from annotator.core.model import Document, Record

    text = "Rebels attacked Aleppo on Monday. Police arrested two men in Syria on Tuesday."
    store.documents.add_records([Record(Document(text=text))])
    preannotate(store, rules)
    spans = {s.id: (text[s.start:s.end], s.label) for s in store.annotations.spans(1)}
    links = {(spans[lk.event][0], lk.role, spans[lk.argument][0]): lk for lk in store.links.of_document(1)}
    # in the roles the shipped scheme has the rules link in (time, victim, attacker, demonstrator, participant,
    # instrument)
    assert set(links) == {("attacked", "attacker", "Rebels"), ("attacked", "time", "Monday"),
                          ("arrested", "time", "Tuesday")}
    assert all(lk.state is SpanState.SUGGESTED and lk.source.value == "rule" for lk in links.values())
    # never across a sentence: Tuesday is not when the attack was, Monday not when the arrest was
    assert ("attacked", "time", "Tuesday") not in links and ("arrested", "time", "Monday") not in links
    # the editor removes a link and a span; a second pre-annotation (another pipeline) brings neither back
    store.links.set_state(links[("attacked", "time", "Monday")].id, SpanState.REJECTED, "ed")
    tuesday = next(i for i, (t, _) in spans.items() if t == "Tuesday")
    store.annotations.delete_span(tuesday, "ed")
    from annotator.nlp import build_annotator

    again = build_annotator(store.scheme, patterns=None)
    again.key += "+again"
    preannotate(store, again)
    states = {(spans[lk.event][0], lk.role, spans[lk.argument][0]): lk.state
              for lk in store.links.of_document(1, states=list(SpanState))}
    assert states[("attacked", "time", "Monday")] is SpanState.REJECTED
    assert states[("arrested", "time", "Tuesday")] is SpanState.REJECTED
    assert len(states) == len(links)  # nothing repeated


def test_preannotation_counts_across_commits_reports_progress_and_records_who(store, rules):
    from annotator.core.model import Document, Record

    texts = [f"Rebels attacked Aleppo on Monday, report {i}. Police arrested two men in Syria." for i in range(7)]
    store.documents.add_records([Record(Document(text=t)) for t in texts])
    progress: list[int] = []
    report = preannotate(store, rules, commit_every=3, batch_size=2, who="night-run", on_progress=progress.append)
    stored = store.conn.execute("SELECT count(*) FROM spans WHERE state = 'suggested'").fetchone()[0]
    assert (report.documents, report.suggestions, report.pipeline) == (7, stored, rules.key) and stored >= 7 * 6
    assert sum(progress) == 7 and len(progress) >= 3  # one call a commit, each with its documents
    who = store.conn.execute("SELECT DISTINCT who FROM changes WHERE action = 'preannotate'").fetchall()
    assert who == [("night-run",)]
    assert preannotate(store, rules).documents == 0  # done: nothing twice


def test_add_labels_learns_event_labels_promotes_a_trigger_and_keeps_the_scheme_whole(store, tmp_path):
    from annotator.core.model import Document, Link, Record, Span
    from annotator.workflows.importing import PALETTE, Checker

    checker = Checker(store.scheme, tokenize, add_labels=True, answer=None)
    text = "Rebels stormed Kidal."
    first = Record(Document(text=text), [Span(7, 14, "STORM")])  # STORM seen first as an argument
    second = Record(Document(text=text + " Again."), [Span(7, 14, "STORM"), Span(15, 20, "PLACE")],
                          links=[Link(0, 1, "site")])  # then it triggers an event: it becomes an event label
    assert checker.check(first) is None and checker.check(second) is None
    storm = checker.scheme.get("STORM")
    assert (storm.kind, storm.description, storm.colour in PALETTE) == ("event", "added on import", True)
    assert storm.hotkey == ""  # no key of its own until the editor gives it one
    assert [(r.name, r.fillers) for r in checker.scheme.roles("STORM")] == [("site", ("PLACE",))]
    assert checker.scheme.name == "conflict-news" and checker.scheme.description == store.scheme.description
    assert checker.scheme.entity_map == store.scheme.entity_map
    assert checker.scheme.rule_link_roles == store.scheme.rule_link_roles == frozenset(
        {"time", "victim", "attacker", "demonstrator", "participant", "instrument"})  # the project's roles stay
    # a link naming a span the record does not have, and an argument label of the project as a trigger
    odd = Record(Document(text=text), [Span(0, 6, "ACTOR")], links=[Link(0, 3, "x")], path="f.jsonl", line=4)
    assert str(checker.check(odd)) == "f.jsonl:4: link 1 names a span the record does not have"
    for event, argument in ((1, 0), (0, 1)):  # one past the last span, on either end
        past = Record(Document(text=text), [Span(0, 6, "ACTOR")], links=[Link(event, argument, "x")],
                      path="f.jsonl", line=6)
        assert str(checker.check(past)) == "f.jsonl:6: link 1 names a span the record does not have"
    actor = Record(Document(text=text), [Span(0, 6, "ACTOR"), Span(15, 20, "PLACE")],
                         links=[Link(0, 1, "home")], path="f.jsonl", line=5)
    assert str(checker.check(actor)) == ("f.jsonl:5: link 1 (ACTOR home PLACE): ACTOR is an argument label in "
                                         "this project, so it cannot trigger an event (its home link)")
    # without --add-labels nothing is learnt, nothing promoted
    strict = Checker(store.scheme, tokenize, add_labels=False, answer=None)
    assert "unknown label 'STORM'" in str(strict.check(Record(Document(text=text), [Span(7, 14, "STORM")])))
    assert strict.scheme is store.scheme and not strict.changed


def test_pieces_cut_after_the_last_line_break_or_space_of_each_stretchs_second_half():
    from annotator.workflows.preannotating import pieces

    text = "aaaa\nbbbb cc\ndd eeee ffffffffffffgg"
    # the break at 4 and at 12 lie in a first half; the spaces at 9 and 15 in second halves; then nothing to cut at
    assert pieces(text, 10) == [(0, 10), (10, 16), (16, 26), (26, 35)]
    # a line break in the first half is not taken (the piece would be too short); a space in the second is
    assert pieces("a\nbcdefgh ijkl", 10) == [(0, 10), (10, 14)]
    assert pieces("abcd\nfghijklmnop", 12) == [(0, 12), (12, 16)]  # the break at 4 is before the half: not taken
    assert pieces("abcdefgh\nij klmnop", 12) == [(0, 9), (9, 18)]  # a break before a later space: the break wins
    assert pieces("abcdefg\nh\nijklmnop", 12) == [(0, 10), (10, 18)]  # of two breaks, the last
    assert pieces("abcdefg h ijklmnop", 12) == [(0, 10), (10, 18)]  # of two spaces, the last
    assert pieces("abcdefghijkl", 5) == [(0, 5), (5, 10), (10, 12)]  # nowhere to cut: anywhere
    assert pieces("short", 10) == [(0, 5)]


def test_the_export_report_says_what_was_written_and_every_thing_left_out(tmp_path):
    from collections import Counter

    from annotator.workflows.exporting import ExportReport

    report = ExportReport(tmp_path / "x.jsonl", documents=5, spans=40, links=3, split={"train": 4, "dev": 1},
                          paths=[tmp_path / "x.train.jsonl", tmp_path / "x.dev.jsonl"],
                          dropped_spans=Counter({"overlaps": 2}), dropped_links=Counter({"no way": 1}),
                          left_out=Counter({"article(s) answered reject": 3}), notes=["a note"])
    assert report.lines() == [
        f"wrote 5 document(s) (train 4, dev 1) with 40 span(s) and 3 link(s) to {tmp_path / 'x.train.jsonl'}, "
        f"{tmp_path / 'x.dev.jsonl'}",
        "left out 2 span(s): overlaps", "left out 1 link(s): no way", "left out 3 article(s) answered reject",
        "a note"]
    assert ExportReport(tmp_path / "y.conll", documents=1, spans=2).lines() == [
        f"wrote 1 document(s) with 2 span(s) to {tmp_path / 'y.conll'}"]


def test_an_article_with_its_own_tokens_keeps_the_links_between_the_suggestions_that_fit_them(rules):
    from annotator.core.model import Token
    from annotator.core.tokens import pack_tokens
    from annotator.workflows.preannotating import annotate_rows

    text = "Rebels attacked Kidal on Monday."

    def links(result: tuple) -> set[tuple[str, str, str]]:
        spans = result[2]
        return {(text[spans[lk.event].start:spans[lk.event].end], lk.role,
                 text[spans[lk.argument].start:spans[lk.argument].end]) for lk in result[3]}

    whole = annotate_rows(rules, [(1, text, None)])[0]
    assert links(whole) == {("attacked", "attacker", "Rebels"), ("attacked", "time", "Monday")}
    # the input file cut "Rebels" apart from the space after it: its suggestion cannot be kept, nor its link
    own = pack_tokens([Token(0, 2, False), Token(2, 7, False), Token(7, 15, True), Token(16, 21, True),
                       Token(22, 24, True), Token(25, 31, False), Token(31, 32, False)])
    cut = annotate_rows(rules, [(1, text, own)])[0]
    assert [text[sp.start:sp.end] for sp in cut[2]] == [text[sp.start:sp.end] for sp in whole[2]
                                                         if sp.start != 0]
    assert links(cut) == {lk for lk in links(whole) if "Rebels" not in lk} and links(cut)
