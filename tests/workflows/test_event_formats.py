"""Events with their arguments through every format: in, out, and back in again, on the tools' own files where
they exist."""

from __future__ import annotations

import json

import pytest

from annotator.core.model import Answer
from annotator.nlp.pipeline import tokenize
from annotator.store import Store
from annotator.workflows.exporting import export
from annotator.workflows.importing import import_paths
from tests.conftest import FORMATS, write

TEXT = "Russia launched 472 drones against Ukraine on Sunday."
RECORD = {"text": TEXT, "answer": "accept", "id": "kyiv-1", "title": "Drones",
          "events": [{"trigger": {"start": 7, "end": 15, "text": "launched", "label": "ATTACK"},
                      "arguments": [{"role": "attacker", "start": 0, "end": 6, "text": "Russia", "label": "ACTOR"},
                                    {"role": "instrument", "start": 16, "end": 26, "text": "472 drones",
                                     "label": "WEAPON"},
                                    {"role": "target", "start": 35, "end": 42, "text": "Ukraine", "label": "PLACE"},
                                    {"role": "place", "start": 35, "end": 42, "text": "Ukraine", "label": "PLACE"}]}],
          "spans": [{"start": 46, "end": 52, "text": "Sunday", "label": "TIME"}]}
LINKS = {((7, 15, "ATTACK"), "attacker", (0, 6, "ACTOR")), ((7, 15, "ATTACK"), "instrument", (16, 26, "WEAPON")),
         ((7, 15, "ATTACK"), "target", (35, 42, "PLACE")), ((7, 15, "ATTACK"), "place", (35, 42, "PLACE"))}
OUT_NAME = {"brat": "out", "label-studio": "out.json", "spacy": "out.spacy", "conll": "out.conll"}


def links_of(store: Store, doc_id: int = 1) -> set[tuple]:
    spans = {s.id: (s.start, s.end, s.label) for s in store.annotations.spans(doc_id)}
    return {(spans[lk.event], lk.role, spans[lk.argument]) for lk in store.links.of_document(doc_id)}


@pytest.fixture
def events_project(tmp_path) -> Store:
    store = Store(tmp_path / "a.db")
    report = import_paths(store, [write(tmp_path / "in.jsonl", json.dumps(RECORD) + "\n")], tokenizer=tokenize)
    assert (report.added, report.spans, report.links, report.rejected) == (1, 5, 4, 0)
    assert links_of(store) == LINKS
    yield store
    store.close()


@pytest.mark.parametrize("fmt", ["events", "prodigy", "doccano-relations", "label-studio", "brat", "spacy"])
def test_links_go_out_and_come_back_in_every_format_that_holds_them(events_project, tmp_path, fmt):
    out = tmp_path / OUT_NAME.get(fmt, "out.jsonl")
    report = export(events_project, out, fmt=fmt, tokenizer=tokenize)
    assert (report.spans, report.links, dict(report.dropped_links)) == (5, 4, {})
    assert "with 5 span(s) and 4 link(s)" in report.lines()[0]
    back = Store(tmp_path / "b.db")
    try:
        again = import_paths(back, [out], "doccano" if fmt == "doccano-relations" else None, tokenizer=tokenize)
        assert (again.added, again.spans, again.links, again.rejected) == (1, 5, 4, 0), again.errors
        assert links_of(back) == LINKS
    finally:
        back.close()


@pytest.mark.parametrize("fmt", ["conll", "doccano"])
def test_formats_without_links_say_how_many_they_left_out(events_project, tmp_path, fmt):
    report = export(events_project, tmp_path / OUT_NAME.get(fmt, "out.jsonl"), fmt=fmt, tokenizer=tokenize)
    assert report.links == 0
    assert f"left out 4 link(s): {fmt} has no way to hold links between spans" in report.lines()
    _second_article(events_project, tmp_path)  # the counts add up over the articles
    report = export(events_project, tmp_path / ("2" + OUT_NAME.get(fmt, "out.jsonl")), fmt=fmt, tokenizer=tokenize)
    assert f"left out 8 link(s): {fmt} has no way to hold links between spans" in report.lines()


def _second_article(store: Store, tmp_path) -> None:
    second = dict(RECORD, text=TEXT + " More.", id="kyiv-2")
    assert import_paths(store, [write(tmp_path / "in2.jsonl", json.dumps(second) + "\n")],
                        tokenizer=tokenize).links == 4


def test_a_link_whose_span_is_not_exported_is_counted(events_project, tmp_path):
    report = export(events_project, tmp_path / "out.jsonl", fmt="events", tokenizer=tokenize,
                    labels=["ATTACK", "ACTOR"])
    assert report.links == 1
    assert "left out 3 link(s): a span of the link is not in the export (its label left out)" in report.lines()
    _second_article(events_project, tmp_path)
    report = export(events_project, tmp_path / "out2.jsonl", fmt="events", tokenizer=tokenize,
                    labels=["ATTACK", "ACTOR"])
    assert report.links == 2
    assert "left out 6 link(s): a span of the link is not in the export (its label left out)" in report.lines()


def test_the_events_file_and_the_brat_file_as_trainers_and_brat_read_them(events_project, tmp_path):
    export(events_project, tmp_path / "ev.jsonl", fmt="events", tokenizer=tokenize)
    (line,) = (tmp_path / "ev.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line) == RECORD
    export(events_project, tmp_path / "brat", fmt="brat", tokenizer=tokenize)
    ann = (tmp_path / "brat" / "kyiv-1.ann").read_text(encoding="utf-8")
    assert ann.splitlines()[-1] == "E1\tATTACK:T2 attacker:T1 instrument:T3 target:T4 place:T4"


def test_brat_numbers_a_roles_second_filler_and_reads_it_back(tmp_path):
    store = Store(tmp_path / "a.db")
    text = "Police arrested Ali and Omar in Gao."
    folder = tmp_path / "in"
    write(folder / "a.txt", text)
    write(folder / "a.ann", "T1\tARREST 7 15\tarrested\nT2\tACTOR 16 19\tAli\nT3\tACTOR 24 28\tOmar\n"
                            "T4\tPLACE 32 35\tGao\nE1\tARREST:T1 detainee:T2 detainee2:T3 place:T4\n")
    report = import_paths(store, [folder], tokenizer=tokenize)
    assert (report.added, report.links) == (1, 3)
    assert sorted(lk.role for lk in store.links.of_document(1)) == ["detainee", "detainee", "place"]
    store.annotations.set_answer(1, Answer.ACCEPT, "ed")
    export(store, tmp_path / "out", fmt="brat", tokenizer=tokenize)
    assert "E1\tARREST:T1 detainee:T2 detainee2:T3 place:T4" in (tmp_path / "out" / "a.ann").read_text()
    store.close()


def test_the_brat_news_tutorial_events_nested_and_numbered_come_in_as_links(tmp_path):
    store = Store(tmp_path / "a.db")
    report = import_paths(store, [FORMATS / "brat" / "news"], add_labels=True)
    assert (report.added, report.rejected) == (13, 0)
    doc_id = store.conn.execute("SELECT id FROM documents WHERE external_id = '090-event_structures'").fetchone()[0]
    text = store.documents.document(doc_id).text
    spans = {s.id: text[s.start:s.end] for s in store.annotations.spans(doc_id)}
    links = {(spans[lk.event], lk.role, spans[lk.argument]) for lk in store.links.of_document(doc_id)}
    # E1 Merge-org:T3 Org-Arg:T1 Org-Arg2:T2, and E2 Report:T5 ... Event-Arg:E1 (an event as an argument)
    assert {("merged", "Org-Arg", "Google"), ("merged", "Org-Arg", "YouTube"),
            ("reported", "Reporter-Arg", "Wikinews"), ("reported", "Event-Arg", "merged")} <= links
    roles = {r.name: set(r.fillers) for r in store.scheme.roles("Report")}
    assert roles == {"Reporter-Arg": {"Organization", "Person"}, "Event-Arg": {"Merge-org", "Report"}}
    assert store.scheme.get("Merge-org").kind == "event"
    store.close()


def test_label_studio_relations_in_and_out_with_the_relations_in_the_config(events_project, tmp_path):
    export(events_project, tmp_path / "ls.json", fmt="label-studio", tokenizer=tokenize)
    (task,) = json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    result = task["annotations"][0]["result"]
    by_id = {r["id"]: r["value"]["text"] for r in result if r["type"] == "labels"}
    relations = {(by_id[r["from_id"]], r["labels"][0], by_id[r["to_id"]]) for r in result if r["type"] == "relation"}
    assert relations == {("launched", "attacker", "Russia"), ("launched", "instrument", "472 drones"),
                         ("launched", "target", "Ukraine"), ("launched", "place", "Ukraine")}
    # drawn as arrows from the event to its argument, as Label Studio's own relations are
    assert {r["direction"] for r in result if r["type"] == "relation"} == {"right"}
    config = (tmp_path / "ls.json.label_config.xml").read_text(encoding="utf-8")
    assert '<Relation value="attacker"/>' in config and '<Relation value="casualties"/>' in config
    # a relation naming a result the task does not have is reported with where it is
    task["annotations"][0]["result"][-1]["to_id"] = "nowhere"
    bad = write(tmp_path / "bad.json", json.dumps([task]))
    report = import_paths(Store(tmp_path / "c.db"), [bad], tokenizer=tokenize)
    assert report.rejected == 1 and "the relation's to_id 'nowhere' names no labelled span" in str(report.errors[0])


def test_prodigy_relations_as_rel_manual_writes_them(events_project, tmp_path):
    export(events_project, tmp_path / "p.jsonl", fmt="prodigy", tokenizer=tokenize)
    task = json.loads((tmp_path / "p.jsonl").read_text(encoding="utf-8"))
    tokens = [t["text"] for t in task["tokens"]]
    rel = next(r for r in task["relations"] if r["label"] == "instrument")
    assert (tokens[rel["head"]], tokens[rel["child"]]) == ("launched", "472")
    assert rel["child_span"] == {"start": 16, "end": 26, "token_start": 2, "token_end": 3, "label": "WEAPON"}
    assert task["_view_id"] == "relations"


def test_an_imported_link_the_scheme_does_not_allow_is_reported_and_add_labels_learns_it(tmp_path):
    record = {"text": TEXT, "events": [{"trigger": {"start": 7, "end": 15, "label": "ATTACK"},
                                        "arguments": [{"role": "launcher", "start": 0, "end": 6, "label": "ACTOR"}]},
                                       {"trigger": {"start": 16, "end": 26, "label": "SWARM"}, "arguments": []}]}
    path = write(tmp_path / "in.jsonl", json.dumps(record) + "\n")
    store = Store(tmp_path / "a.db")
    report = import_paths(store, [path], tokenizer=tokenize)
    assert report.rejected == 1 and "unknown label 'SWARM'" in str(report.errors[0])
    record["events"].pop()
    path = write(tmp_path / "in2.jsonl", json.dumps(record) + "\n")
    report = import_paths(store, [path], tokenizer=tokenize)
    assert str(report.errors[0]) == (f"{path}:1: link 1 (ATTACK launcher ACTOR): ATTACK has no role 'launcher' (its "
                                     f"roles: attacker, target, instrument, place, time, casualties) (import with "
                                     f"--add-labels to add the role)")
    report = import_paths(store, [path], tokenizer=tokenize, add_labels=True)
    assert (report.added, report.links, report.new_roles) == (1, 1, ["ATTACK launcher (ACTOR)"])
    assert store.scheme.link_problem("ATTACK", "launcher", "ACTOR") is None
    # the scheme the project keeps is the one it now reads (another handle sees the role)
    other = Store(tmp_path / "a.db")
    assert [r.name for r in other.scheme.roles("ATTACK")][-1] == "launcher"
    other.close()
    store.close()



def test_a_role_name_no_format_can_write_is_refused_even_when_learning(tmp_path):
    """--add-labels learns a new role, but never one brat or CoNLL could not write as a word; and a link whose
    event is an argument label in the project is named as such."""
    store = Store(tmp_path / "a.db")
    bad = {"text": TEXT, "events": [{"trigger": {"start": 7, "end": 15, "label": "ATTACK"},
                                     "arguments": [{"role": "fired at", "start": 0, "end": 6, "label": "ACTOR"}]}]}
    path = write(tmp_path / "in.jsonl", json.dumps(bad) + "\n")
    for learning in (False, True):
        report = import_paths(store, [path], tokenizer=tokenize, add_labels=learning)
        assert [str(e) for e in report.errors] == [
            f"{path}:1: link 1 (ATTACK fired at ACTOR): role name 'fired at' must be one word of letters, digits, "
            "_ or -, starting with a letter and not ending in a digit (brat numbers repeated roles: Target2)"]
    upside = {"text": TEXT, "events": [{"trigger": {"start": 0, "end": 6, "label": "ACTOR"},
                                        "arguments": [{"role": "did", "start": 7, "end": 15, "label": "ATTACK"}]}]}
    path = write(tmp_path / "in2.jsonl", json.dumps(upside) + "\n")
    report = import_paths(store, [path], tokenizer=tokenize, add_labels=True)
    assert [str(e) for e in report.errors] == [
        f"{path}:1: link 1 (ACTOR did ATTACK): ACTOR is an argument label in this project, so it cannot trigger an "
        "event (its did link)"]
    assert store.documents.count_documents() == 0
    store.close()


def test_a_brat_span_holding_a_unicode_line_separator_comes_back_whole(tmp_path):
    from annotator.core.model import Document, Record, Source, Span, SpanState

    text = "Rebels\x85attacked Kidal\u2028on Monday."
    store = Store(tmp_path / "a.db")
    store.documents.add_records([Record(Document(text=text, answer=Answer.ACCEPT, tokens=tokenize(text)),
                                    [Span(0, 21, "ATTACK", Source.EDITOR, SpanState.ACCEPTED),
                                     Span(16, 32, "TIME", Source.EDITOR, SpanState.ACCEPTED)])])
    export(store, tmp_path / "brat", fmt="brat", tokenizer=tokenize)
    back = Store(tmp_path / "b.db")
    report = import_paths(back, [tmp_path / "brat"], tokenizer=tokenize)
    assert (report.added, report.rejected) == (1, 0), report.errors
    assert [(s.start, s.end, s.label) for s in back.annotations.spans(1)] == [(0, 21, "ATTACK"), (16, 32, "TIME")]
    assert back.documents.document(1).text == text
    store.close()
    back.close()


def test_the_events_reader_names_each_bad_part_of_a_record(tmp_path):
    from annotator.core.errors import InputError
    from annotator.formats import READERS, ReadOptions

    ev = {"start": 7, "end": 15, "label": "ATTACK"}
    records = [
        {"text": TEXT, "events": [{"trigger": ev, "arguments": [{"role": "attacker", "start": 0, "end": 6,
                                                                  "text": "Russia", "label": "ACTOR"}]}],
         "spans": [{"start": 46, "end": 52, "label": "TIME"}], "title": "Drones", "id": 9, "desk": "kyiv",
         "meta": {"source": "wire"}},
        {"text": TEXT, "events": "many"},
        {"text": TEXT, "events": [{"trigger": {"start": 7, "end": 15}}]},
        {"text": TEXT, "events": [{"trigger": ev, "arguments": [{"start": 0, "end": 6, "label": "ACTOR"}]}]},
        {"text": TEXT, "events": [{"trigger": ev, "arguments": [{"role": "attacker", "start": 0, "end": 6,
                                                                  "text": "Moscow", "label": "ACTOR"}]}]},
        {"text": TEXT, "events": [{"trigger": ev}], "spans": [{"start": "x", "end": 52, "label": "TIME"}]},
        {"text": TEXT, "events": [ev]},
        {"text": TEXT, "events": [], "title": 5, "answer": "maybe"},
        {"text": TEXT, "events": ["attack"]},
        {"text": TEXT, "events": [{"trigger": ev, "arguments": "Russia"}]},
        {"text": TEXT, "spans": [{"start": 0, "end": "6", "label": "ACTOR"}]},
        {"text": TEXT, "spans": [{"start": 46, "end": 53, "text": "Sunday!", "label": "TIME"}]},  # at the very end
        {"text": TEXT, "spans": [{"start": 4, "end": 4, "text": "x", "label": "PLACE"}], "title": 5},
    ]
    path = write(tmp_path / "ev.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    items = list(READERS["events"].read(path, ReadOptions()))
    first = items[0]
    d = first.document
    assert (d.title, d.external_id, d.meta, d.answer) == ("Drones", "9", {"source": "wire", "desk": "kyiv"},
                                                          Answer.PENDING)
    # not answered: what the file holds is suggested, for an editor to look at
    assert [(s.start, s.end, s.label, s.state.value) for s in first.spans] == [
        (7, 15, "ATTACK", "suggested"), (0, 6, "ACTOR", "suggested"), (46, 52, "TIME", "suggested")]
    assert [(lk.event, lk.argument, lk.role, lk.state.value) for lk in first.links] == [(0, 1, "attacker", "suggested")]
    assert [str(i).split(": ", 1)[1] for i in items[1:] if isinstance(i, InputError)] == [
        "'events' and 'spans' must be lists",
        "event 1 trigger must be an object with start, end and label",
        "event 1 argument 1 must be an object with a role",
        "event 1 argument 1: the text at 0..6 is 'Russia', the record says 'Moscow'",
        "span 1 start must be a whole number, got 'x'",
        "event 1 trigger must be an object with start, end and label",
        "unknown answer 'maybe' (expected one of pending, accept, reject, ignore)",
        "event 1 must be an object with a trigger and arguments",
        "event 1: 'arguments' must be a list",
        "span 1 end must be a whole number, got '6'",
        "span 1: the text at 46..53 is 'Sunday.', the record says 'Sunday!'",
    ]
    assert [i.line for i in items[1:-1]] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    empty = items[-1]  # an empty stretch has no text to compare; a title that is not text is not a title
    assert (empty.document.title, empty.document.external_id) == ("", None)


def test_the_brat_configuration_declares_arguments_events_and_roles(tmp_path):
    from annotator.core.labels import load_scheme
    from annotator.formats.writers import BRAT_MARK, BratWriter

    writer = BratWriter(tmp_path / "deep" / "brat", load_scheme(), "spaCy")
    writer.close()
    conf = (tmp_path / "deep" / "brat" / "annotation.conf").read_text(encoding="utf-8")
    assert conf.startswith(f"{BRAT_MARK} from the label scheme 'conflict-news'\n[entities]\nACTOR\nTARGET\nPLACE\n")
    events = conf.split("[events]\n")[1].split("\n\n")[0].splitlines()
    assert events[0].startswith("ATTACK\tattacker*:ACTOR, target*:TARGET|ACTOR|PLACE|AMOUNT, ")
    assert events[-1] == "MOVEMENT\tagent*:ACTOR, moved*:ACTOR|TARGET|WEAPON|CASUALTIES|AMOUNT, origin*:PLACE, " \
                         "destination*:PLACE, time*:TIME"
    assert conf.rstrip().endswith("[attributes]") and "[relations]\n\n[events]" in conf


def test_a_docbin_export_counts_a_link_whose_span_is_off_the_tokens(tmp_path):
    from annotator.core.model import Document, Link, Record, Source, Span, SpanState

    store = Store(tmp_path / "a.db")
    store.documents.add_records([Record(  # stored without the import's check: a span off the tokens
        Document(text=TEXT, answer=Answer.ACCEPT, tokens=tokenize(TEXT)),
        [Span(0, 3, "ACTOR", Source.EDITOR, SpanState.ACCEPTED), Span(7, 15, "ATTACK", Source.EDITOR,
                                                                      SpanState.ACCEPTED),
         Span(35, 42, "PLACE", Source.EDITOR, SpanState.ACCEPTED)],
        links=[Link(1, 0, "attacker"), Link(1, 2, "target")])])
    report = export(store, tmp_path / "out.spacy", fmt="spacy", tokenizer=tokenize)
    assert (report.spans, report.links) == (2, 1)
    assert report.dropped_links == {"a span of the link does not line up with the tokens": 1}
    store.close()


def test_brat_configuration_files_say_exactly_the_scheme(tmp_path):
    from annotator.core.labels import parse_scheme
    from annotator.formats.writers import BRAT_MARK, BratWriter

    scheme = parse_scheme({"name": "sports", "labels": {
        "MATCH": {"kind": "event", "colour": "#3cb44b", "roles": {
            "winner": {"fillers": ["TEAM"], "hotkey": "w"}, "venue": {"fillers": ["PLACE", "TEAM"], "hotkey": "v"}}},
        "RALLY": {"kind": "event", "colour": "#f58231"},
        "TEAM": {"kind": "argument", "colour": "#4363d8"},
        "PLACE": {"kind": "argument", "colour": "#911eb4"}}}, "test")
    writer = BratWriter(tmp_path / "out", scheme, "test")
    writer.close()
    assert (tmp_path / "out" / "annotation.conf").read_text(encoding="utf-8") == (
        f"{BRAT_MARK} from the label scheme 'sports'\n[entities]\nTEAM\nPLACE\n\n[relations]\n\n[events]\n"
        "MATCH\twinner*:TEAM, venue*:PLACE|TEAM\nRALLY\n\n[attributes]\n")
    assert (tmp_path / "out" / "visual.conf").read_text(encoding="utf-8") == (
        "[labels]\nMATCH | MATCH\nRALLY | RALLY\nTEAM | TEAM\nPLACE | PLACE\n\n[drawing]\nMATCH\tbgColor:#3cb44b\n"
        "RALLY\tbgColor:#f58231\nTEAM\tbgColor:#4363d8\nPLACE\tbgColor:#911eb4\n")


def test_an_events_line_field_by_field():
    import json

    from annotator.core.model import Answer, Document, Link, Record, Span
    from annotator.formats.events import export_line

    text = "Rebels attacked Kidal; talks began in Doha."
    spans = [Span(0, 6, "ACTOR"), Span(7, 15, "ATTACK"), Span(16, 21, "PLACE"), Span(23, 28, "TALKS"),
             Span(38, 42, "PLACE"), Span(29, 34, "ACTOR")]
    record = Record(Document(text, title="Two", meta={"source": "wire"}, external_id="w-1", answer=Answer.ACCEPT),
                    spans, links=[Link(1, 0, "attacker"), Link(1, 2, "place"), Link(5, 4, "place")])
    line = json.loads(export_line(record, {"ATTACK", "TALKS"}))
    assert line == {
        "text": text, "id": "w-1", "title": "Two", "meta": {"source": "wire"}, "answer": "accept",
        "events": [
            {"trigger": {"start": 7, "end": 15, "text": "attacked", "label": "ATTACK"},
             "arguments": [{"role": "attacker", "start": 0, "end": 6, "text": "Rebels", "label": "ACTOR"},
                           {"role": "place", "start": 16, "end": 21, "text": "Kidal", "label": "PLACE"}]},
            {"trigger": {"start": 23, "end": 28, "text": "talks", "label": "TALKS"}, "arguments": []},
            # a span of another label that has arguments is shown as a trigger too
            {"trigger": {"start": 29, "end": 34, "text": "began", "label": "ACTOR"},
             "arguments": [{"role": "place", "start": 38, "end": 42, "text": "Doha", "label": "PLACE"}]}],
        "spans": []}
    plain = json.loads(export_line(Record(Document("Talks.")), {"TALKS"}))
    assert plain == {"text": "Talks.", "answer": "pending", "events": [], "spans": []}  # a pending one says so


def test_an_event_span_without_arguments_is_still_an_event_and_other_spans_stay_free(tmp_path):
    from annotator.core.model import Document, Record, Source, Span, SpanState

    store = Store(tmp_path / "p.db")
    text = "Two people died in Gao."
    store.documents.add_records([Record(Document(text=text), [
        Span(11, 15, "DEATH", Source.EDITOR, SpanState.ACCEPTED), Span(19, 22, "PLACE", Source.EDITOR,
                                                                       SpanState.ACCEPTED)])])
    store.annotations.set_answer(1, "accept", "ana")
    export(store, tmp_path / "e.jsonl", fmt="events", tokenizer=tokenize)
    line = json.loads((tmp_path / "e.jsonl").read_text(encoding="utf-8"))
    assert line["events"] == [{"trigger": {"start": 11, "end": 15, "text": "died", "label": "DEATH"},
                               "arguments": []}]
    assert line["spans"] == [{"start": 19, "end": 22, "text": "Gao", "label": "PLACE"}]
