"""The readers, field by field and error by error, on files shaped the way people write them: every value a
record carries and every message a bad one gets, exactly."""

from __future__ import annotations

from pathlib import Path


def test_csv_rows_field_by_field_and_every_bad_row_named_with_its_line(tmp_path):
    from annotator.core.errors import InputError
    from annotator.formats import READERS, ReadOptions

    read = READERS["csv"].read
    path = tmp_path / "news.csv"
    path.write_bytes(
        "\ufeffid, text ,title,source,\r\n"                         # a BOM, spaces round a name, a nameless column
        "7,\"Rebels attacked Kidal.\r\nTwo died.\",Kidal,wire,x\r\n"  # a cell over two lines (line 2-3)
        ",,,,\r\n"                                                  # a blank row: skipped, not an error
        "8,Talks resumed.,Geneva\r\n"                               # too few columns (line 5)
        "9,   ,Empty,wire,\r\n".encode()                            # no text (line 6)
        + b"10,Caf\xe9 attacked.,Paris,wire,\r\n"                   # not UTF-8 (line 7)
        + b"11,Troops left.,Gao,radio,\r\n")                # after the errors, read on (line 8)
    items = list(read(path, ReadOptions()))
    shown = [str(i) if isinstance(i, InputError) else
             (i.document.text, i.document.title, i.document.external_id, i.document.meta, i.path, i.line)
             for i in items]
    assert shown == [
        ("Rebels attacked Kidal.\nTwo died.", "Kidal", "7", {"source": "wire"}, str(path), 3),
        f"{path}:5: has 3 columns, the header has 5",
        f"{path}:6: column 'text' is empty",
        f"{path}:7: not UTF-8 text",
        ("Troops left.", "Gao", "11", {"source": "radio"}, str(path), 8),
    ]
    # without id and title columns: no id, no title; a TSV by its ending; another text column by name
    tsv = tmp_path / "b.tsv"
    tsv.write_text("body\tdesk\nShelling in Kharan.\tnews\n", encoding="utf-8")
    (rec,) = read(tsv, ReadOptions(text_column="body"))
    assert (rec.document.text, rec.document.title, rec.document.external_id, rec.document.meta) == (
        "Shelling in Kharan.", "", None, {"desk": "news"})
    assert [str(e) for e in read(tsv, ReadOptions())] == [
        f"{tsv}:1: no column 'text' (columns: body, desk); choose one with --text-column"]
    empty = tmp_path / "e.csv"
    empty.write_text("", encoding="utf-8")
    assert [str(e) for e in read(empty, ReadOptions())] == [f"{empty}: the file is empty"]
    assert [str(e) for e in read(tmp_path / "none.csv", ReadOptions())] == [
        f"{tmp_path / 'none.csv'}: cannot read: No such file or directory"]


def test_text_files_field_by_field_and_each_bad_file_named(tmp_path):
    from annotator.core.errors import InputError
    from annotator.formats import READERS, ReadOptions

    read = READERS["text"].read
    folder = tmp_path / "wire"
    (folder / "2019" / "jan").mkdir(parents=True)
    a_text = "\ufeff\r\n  Shelling in Kharan  \r\nRebels fired.\rTwo died."
    (folder / "2019" / "jan" / "a.txt").write_bytes(a_text.encode())
    (folder / "b.TXT").write_text("x" * 250 + "\nbody", encoding="utf-8")
    (folder / "c").write_text("No ending at all.", encoding="utf-8")
    (folder / ".hidden.txt").write_text("never read", encoding="utf-8")
    (folder / "notes.md").write_text("not an article", encoding="utf-8")
    (folder / "d.txt").write_bytes(b"line one\nline two \xff\n")
    (folder / "e.txt").write_text(" \n\t\n", encoding="utf-8")
    (folder / "f.txt").write_text("After the empty one.", encoding="utf-8")
    (folder / "skip.txt").write_text("the project's own", encoding="utf-8")
    items = list(read(folder, ReadOptions(skip=lambda p: p.name == "skip.txt")))
    shown = [str(i) if isinstance(i, InputError) else
             (i.document.text, i.document.title, i.document.external_id, i.document.meta, i.path, i.line)
             for i in items]
    a = folder / "2019" / "jan" / "a.txt"
    assert shown == [
        ("\n  Shelling in Kharan  \nRebels fired.\nTwo died.", "Shelling in Kharan", str(Path("2019/jan/a.txt")),
         {"file": "a.txt"}, str(a), None),
        ("x" * 250 + "\nbody", "x" * 200, "b.TXT", {"file": "b.TXT"}, str(folder / "b.TXT"), None),
        ("No ending at all.", "No ending at all.", "c", {"file": "c"}, str(folder / "c"), None),
        f"{folder / 'd.txt'}:2: not UTF-8 text (byte 19 of the file)",
        f"{folder / 'e.txt'}: the file is empty",
        ("After the empty one.", "After the empty one.", "f.txt", {"file": "f.txt"}, str(folder / "f.txt"), None),
    ]
    # one file: its name is its id
    (rec,) = read(folder / "c", ReadOptions())
    assert rec.document.external_id == "c" and rec.path == str(folder / "c")
    # a folder with nothing to read, and a file that cannot be read, are named
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "sub" / "x.csv").write_text("text\nhello\n", encoding="utf-8")
    assert [str(e) for e in read(empty, ReadOptions())] == [f"{empty}: the folder holds no .txt files"]
    assert [str(e) for e in read(tmp_path / "gone.txt", ReadOptions())] == [
        f"{tmp_path / 'gone.txt'}: cannot read: No such file or directory"]


def test_json_lines_record_by_record_with_every_bad_line_named(tmp_path, monkeypatch):
    from annotator.formats import base
    from annotator.formats.base import TOO_DEEP, iter_json_records

    def shown(path):
        return [item if isinstance(item, tuple) else str(item) for item in iter_json_records(path)]

    bom = tmp_path / "bom.jsonl"
    bom.write_bytes('\ufeff{"a": 1}\n\n   \n{"b": 2}\n'.encode())  # a BOM, blank lines
    assert shown(bom) == [(1, {"a": 1}), (4, {"b": 2})]
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(b'{"a": 1}\n\xff{}\n{"a": }\n' + b"[" * 5000 + b"]" * 5000 + b'\n{"b": 2\n'
                      b'[{"c": 3}, {"d": 4}]\n{"e": 5}\n')
    assert shown(mixed) == [
        (1, {"a": 1}), f"{mixed}:2: not UTF-8 text (byte 1 of the line)",
        f"{mixed}:3: not valid JSON: Expecting value (column 7)", f"{mixed}:4: {TOO_DEEP}",
        # an unfinished object after the first line is a bad line, not the start of a pretty-printed file
        f"{mixed}:5: not valid JSON: Expecting ',' delimiter (column 8)",
        (6, [{"c": 3}, {"d": 4}]),  # an array after the first line is one (bad) record for the reader to refuse
        (7, {"e": 5})]
    array = tmp_path / "array.jsonl"
    array.write_text('[{"a": 1}, {"b": 2}]\n{"c": 3}\n', encoding="utf-8")  # an array of records on line 1
    assert shown(array) == [(None, {"__record__": 1, "a": 1}), (None, {"__record__": 2, "b": 2}), (2, {"c": 3})]
    pretty = tmp_path / "pretty.json"
    pretty.write_text('{\n  "text": "Rebels attacked Kidal."\n}\n', encoding="utf-8")
    assert shown(pretty) == [(None, {"__record__": 1, "text": "Rebels attacked Kidal."})]
    pretty.write_text('{"text": "Rebels attacked Kidal.",\n "title": "Kidal"}\n', encoding="utf-8")  # wrapped
    assert shown(pretty) == [(None, {"__record__": 1, "text": "Rebels attacked Kidal.", "title": "Kidal"})]
    # after a bad first line, an unfinished line is a bad line too, not the start of a pretty-printed file
    for first, said in ((b"\xff{}", "not UTF-8 text (byte 1 of the line)"), (b"[" * 5000 + b"]" * 5000, TOO_DEEP),
                        (b'{"a": x, "b": 1}', "not valid JSON: Expecting value (column 7)")):
        after = tmp_path / "after.jsonl"
        after.write_bytes(first + b'\n{"text": "Rebels",\n "title": "x"}\n')
        assert shown(after) == [f"{after}:1: {said}",
                                f"{after}:2: not valid JSON: Expecting property name enclosed in double quotes "
                                f"(column 19)", f"{after}:3: not valid JSON: Extra data (column 8)"]
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"a": x}\n{"b": 2}\n', encoding="utf-8")  # bad in its middle: a bad line, not a big value
    assert shown(broken) == [f"{broken}:1: not valid JSON: Expecting value (column 7)", (2, {"b": 2})]
    monkeypatch.setattr(base, "WHOLE_FILE_JSON_LIMIT", 2**20)
    big = tmp_path / "big.json"
    big.write_text("[\n" + ",\n".join('{"text": "Rebels attacked Kidal."}' for _ in range(40_000)) + "\n]\n")
    assert shown(big) == [f"{big}: one JSON value spread over many lines, larger than 1 MB: too large to read "
                          f"whole; write it as JSON lines (one record a line), e.g. with `jq -c '.[]'`"]
    assert shown(tmp_path / "none.jsonl") == [f"{tmp_path / 'none.jsonl'}: cannot read: No such file or directory"]



def test_conll_is_told_from_its_first_lines_only(tmp_path):
    from annotator.formats.conll import looks_like_conll

    def file(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    assert looks_like_conll(file("a.txt", "-DOCSTART- -X- O O\n\nJohn\tB-ACTOR\nran\tO\n"))
    assert looks_like_conll(file("b.txt", "John NNP B-ACTOR\r\nran VBD O\r\n"))  # spaces, CRLF, a POS column
    assert not looks_like_conll(file("c.txt", "John\tB-ACTOR\nRebels attacked Kidal on Monday.\n"))
    assert not looks_like_conll(file("d.txt", "B-ACTOR John\n"))  # the tag comes last
    assert not looks_like_conll(file("e.txt", "\n\n-DOCSTART- -X- O O\n\n"))  # nothing but separators
    assert not looks_like_conll(file("f.txt", b"Jos\xe9\tB-ACTOR\n"))  # not UTF-8
    assert not looks_like_conll(tmp_path / "missing.txt")
    # only the first lines are read: prose after twenty tagged lines does not matter, within them it does
    tagged = "".join(f"w{i}\tO\n" for i in range(20))
    assert looks_like_conll(file("g.txt", tagged + "Then prose.\n"))
    assert not looks_like_conll(file("h.txt", tagged[: -len("w19\tO\n")] + "Then prose.\n"))
    assert looks_like_conll(file("i.txt", "w0\tO\nw1\tO\nprose here\n"), lines=2)
    assert not looks_like_conll(file("j.txt", "w0\tO\nprose here\n"), lines=2)


def test_prodigy_tokens_are_checked_and_their_spacing_kept(tmp_path):
    from annotator.core.errors import InputError
    from annotator.formats.prodigy import parse_tokens

    text = "Rebels attacked Kidal."
    tokens = [{"start": 0, "end": 6}, {"start": 7, "end": 15, "ws": True}, {"start": 16, "end": 21, "ws": False},
              {"start": 21, "end": 22}]
    assert [(t.start, t.end, t.ws) for t in parse_tokens(tokens, text)] == [
        (0, 6, True), (7, 15, True), (16, 21, False), (21, 22, False)]  # no "ws": the text says
    # the file's own "ws" wins over the text's (a tokenizer that sees no space after a word keeps it so)
    assert [t.ws for t in parse_tokens([{"start": 0, "end": 6, "ws": False}, {"start": 7, "end": 15, "ws": 1}],
                                       text)] == [False, True]
    for bad, message in [
        ([{"start": 0, "end": 6}, {"start": 3, "end": 9}], "token 1 (3..9) is out of order or outside the text"),
        ([{"start": 5, "end": 4}], "token 0 (5..4) is out of order or outside the text"),
        ([{"start": 16, "end": 30}], "token 0 (16..30) is out of order or outside the text"),
        ([{"start": "a", "end": 4}], "token 0 start"),
        ([{"start": 0}], "token 0 end"),
        ([[0, 6]], "token 0 must be an object"),
        ({"start": 0}, "'tokens' must be a list"),
    ]:
        try:
            parse_tokens(bad, text)
        except InputError as exc:
            assert message in str(exc), (bad, str(exc))
        else:
            raise AssertionError(f"{bad} was accepted")
    # an empty token (start == end) is allowed: a zero-width token some tokenizers make
    assert [(t.start, t.end) for t in parse_tokens([{"start": 6, "end": 6}], text)] == [(6, 6)]


def test_label_studio_tasks_field_by_field(tmp_path):
    import json

    from annotator.core.model import Answer, Source, SpanState
    from annotator.formats import READERS, ReadOptions

    text = "Rebels attacked Kidal on Monday."
    label = {"from_name": "label", "to_name": "text", "type": "labels"}
    tasks = [
        {"id": 41, "data": {"text": text, "title": "Kidal", "external_id": "wire-7", "desk": "africa"},
         "meta": {"source": "wire"},
         "annotations": [
             {"id": 1, "created_at": "2026-01-01T10:00:00Z", "result": [
                 {"id": "old", **label, "value": {"start": 0, "end": 6, "labels": ["TARGET"]}}]},
             {"id": 3, "created_at": "2026-01-03T10:00:00Z", "completed_by": {"email": "ana@news"}, "result": [
                 {"id": "a", **label, "value": {"start": 0, "end": 6, "labels": ["ACTOR"]}},
                 {"id": "b", **label, "value": {"start": 7, "end": 15, "labels": ["ATTACK"]}},
                 {"from_id": "b", "to_id": "a", "type": "relation", "direction": "right", "labels": ["attacker"]},
                 {"id": "c", "from_name": "ok", "to_name": "text", "type": "choices", "value": {"choices": ["yes"]}},
             ]},
             {"id": 2, "created_at": "2026-01-02T10:00:00Z", "updated_at": "2026-01-02T11:00:00Z", "result": []},
         ],
         "predictions": [{"score": 0.25, "result": [
             {"id": "p1", **label, "value": {"start": 16, "end": 21, "labels": ["PLACE"]}},
             {"id": "p2", **label, "value": {"start": 7, "end": 15, "labels": ["ATTACK"]}},
             {"from_id": "p2", "to_id": "p1", "type": "relation", "labels": ["place"]}]}]},
        {"data": {"text": text, "title": 7}, "completions": [  # Label Studio 0.x: completions, a user id
            {"completed_by": 12, "was_cancelled": True, "annotator_answer": "reject", "result": []},
            {"completed_by": 13, "was_cancelled": True, "result": []}]},  # equal times: the later one wins
        {"data": {"text": text}, "annotations": [  # one with a time is later than one without
            {"completed_by": 14, "created_at": "2026-01-01T10:00:00Z", "result": []},
            {"completed_by": 15, "result": []}]},
    ]
    path = tmp_path / "ls.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    first, second, third = list(READERS["label-studio"].read(path, ReadOptions()))
    d = first.document
    assert (d.title, d.external_id, d.answer, d.answered_by, d.answered_at) == (
        "Kidal", "wire-7", Answer.ACCEPT, "ana@news", "2026-01-03T10:00:00Z")
    assert d.meta == {"source": "wire", "desk": "africa", "label_studio_other_annotations": 2,
                      "label_studio_results": [tasks[0]["annotations"][1]["result"][3]]}
    assert [(s.start, s.end, s.label, s.state, s.source, s.score) for s in first.spans] == [
        (0, 6, "ACTOR", SpanState.ACCEPTED, Source.EDITOR, None),
        (7, 15, "ATTACK", SpanState.ACCEPTED, Source.EDITOR, None),
        (16, 21, "PLACE", SpanState.SUGGESTED, Source.MODEL, 0.25),
        (7, 15, "ATTACK", SpanState.SUGGESTED, Source.MODEL, 0.25)]
    assert [(lk.event, lk.argument, lk.role, lk.state, lk.source) for lk in first.links] == [
        (1, 0, "attacker", SpanState.ACCEPTED, Source.EDITOR), (3, 2, "place", SpanState.SUGGESTED, Source.MODEL)]
    d = second.document
    assert (d.title, d.external_id, d.answer, d.answered_by, d.answered_at, d.meta) == (
        "", None, Answer.IGNORE, "13", None, {"title": 7, "label_studio_other_annotations": 1})
    assert third.document.answered_by == "14"


def test_label_studio_results_each_checked_and_named(tmp_path):
    import json

    from annotator.core.errors import InputError
    from annotator.formats import READERS, ReadOptions

    text = "Rebels attacked Kidal on Monday."

    def task(*results, score=None):
        pred = {"result": list(results)}
        if score is not None:
            pred["score"] = score
        return {"data": {"text": text}, "predictions": [pred]}

    def lab(i, s, e, labels, **extra):
        return {"id": i, "from_name": "label", "to_name": "text", "type": "labels",
                "value": {"start": s, "end": e, "labels": labels}, **extra}

    tasks = [
        task(lab("a", 0, 6, ["ACTOR", "TARGET"], score=0.75), lab("b", 7, 15, ["ATTACK"]),  # per-result scores
             {"id": "c", "from_name": "x", "type": "choices", "value": {"choices": ["y"]}},  # kept in meta
             lab("d", 16, 21, ["PLACE"], score=True), score=0.5),  # a boolean is no score: the task's is not used
        task({"id": "e", "type": "labels", "value": {"start": 0, "labels": ["ACTOR"]}}),
        task(lab("f", 0, 6, "ACTOR")),
        task(lab("g", 0, 6, ["ACTOR"]), {"from_id": "g", "to_id": "zz", "type": "relation", "labels": ["x"]}),
        task(lab("h", 0, 6, ["ACTOR"]), {"from_id": "h", "to_id": "h", "type": "relation", "labels": "x"}),
        task(lab("i", "a", 6, ["ACTOR"])),
        task({"id": "j", "type": "choices", "value": {"start": 0, "end": 6, "labels": ["ACTOR"]}},
             {"id": "k", "type": "labels", "value": {"start": 0, "end": 6}}),  # neither is a labelled span
    ]
    path = tmp_path / "ls.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    items = list(READERS["label-studio"].read(path, ReadOptions()))
    first = items[0]
    assert [(s.start, s.end, s.label, s.score) for s in first.spans] == [
        (0, 6, "ACTOR", 0.75), (0, 6, "TARGET", 0.75), (7, 15, "ATTACK", 0.5), (16, 21, "PLACE", None)]
    assert first.document.meta == {"label_studio_results": [tasks[0]["predictions"][0]["result"][2]]}
    assert [str(e).split(": ", 1)[1] for e in items[1:] if isinstance(e, InputError)] == [
        "record 2: prediction 0, result 0: labels without character 'start' and 'end'",
        "record 3: prediction 0, result 0: 'labels' must be a list of label names",
        "record 4: prediction 0, result 1: the relation's to_id 'zz' names no labelled span of this prediction",
        "record 5: prediction 0, result 1: a relation's 'labels' must be a list of names",
        "record 6: prediction 0, result 0 start must be a whole number, got 'a'",
    ]
    kept = items[-1]
    assert kept.spans == [] and kept.document.meta == {"label_studio_results": tasks[-1]["predictions"][0]["result"]}


def test_doccano_records_field_by_field(tmp_path):
    import json

    from annotator.core.errors import InputError
    from annotator.core.model import Answer, Source, SpanState
    from annotator.formats import READERS, ReadOptions

    text = "Rebels attacked Kidal."
    records = [
        {"id": 12, "text": text, "title": "Kidal", "answer": "reject", "desk": "africa", "Comments": ["check"],
         "entities": [{"id": 1, "start_offset": 0, "end_offset": 6, "label": "ACTOR"},
                      {"id": 2, "start_offset": 7, "end_offset": 15, "label": "ATTACK"}],
         "relations": [{"id": 1, "from_id": 2, "to_id": 1, "type": "attacker"}], "meta": {"source": "wire"}},
        {"body": text, "tags": [[16, 21, "PLACE"]], "title": 3, "label": "not ours"},  # custom columns
        {"text": text, "label": None},  # doccano's unlabelled line
        {"text": text, "entities": [{"start_offset": 0, "end_offset": 6}]},
        {"text": text, "label": [[0, 6]]},
        {"text": text, "entities": [{"id": 1, "start_offset": "a", "end_offset": 6, "label": "ACTOR"}]},
        {"text": text, "label": [[0, 6, "ACTOR"]], "answer": "maybe"},
        {"text": text, "entities": {"id": 1}},
        {"text": text, "entities": [{"id": 1, "start_offset": 0, "end_offset": None, "label": "ACTOR"}]},
        {"text": text, "label": [{"label": "ACTOR", "start_offset": 0.5, "end_offset": 6}]},
        {"text": text, "label": [{"label": "ACTOR", "start_offset": 0, "end_offset": "6"}]},
        {"text": text, "label": [["0", 6, "ACTOR"]]},
        {"text": text, "label": [[0, [6], "ACTOR"]]},
        {"text": text, "label": "ACTOR"},
        {"text": text, "label": [{"label": "ACTOR", "end_offset": 6}, [0, 6], [0, 6, "ACTOR"]]},
        {"text": text},  # no labels at all
        {"text": text, "id": 0, "label": [{"label": "ACTOR", "start_offset": 0, "end_offset": 6}]},
    ]
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    items = list(READERS["doccano"].read(path, ReadOptions()))
    first = items[0]
    d = first.document
    assert (d.title, d.external_id, d.answer) == ("Kidal", "12", Answer.REJECT)
    assert d.meta == {"source": "wire", "desk": "africa", "doccano_comments": ["check"]}
    assert [(s.start, s.end, s.label, s.source, s.state) for s in first.spans] == [
        (0, 6, "ACTOR", Source.EDITOR, SpanState.ACCEPTED), (7, 15, "ATTACK", Source.EDITOR, SpanState.ACCEPTED)]
    assert [(lk.event, lk.argument, lk.role) for lk in first.links] == [(1, 0, "attacker")]
    custom = list(READERS["doccano"].read(path, ReadOptions(text_column="body", label_column="tags")))[1]
    assert (custom.document.text, custom.document.title, custom.document.meta) == (text, "", {"title": 3, "label":
                                                                                               "not ours"})
    assert [(s.start, s.end, s.label) for s in custom.spans] == [(16, 21, "PLACE")]
    unlabelled = items[2]
    assert unlabelled.spans == [] and unlabelled.document.meta == {} and unlabelled.document.answer is Answer.PENDING
    assert [str(e).split(": ", 1)[1] for e in items[3:-2]] == [
        "entity 0 must be an object with start_offset, end_offset and label",
        "'label' item 0 must be [start, end, \"LABEL\"] or {\"label\", \"start_offset\", \"end_offset\"}, got [0, 6]",
        "entity 0 start_offset must be a whole number, got 'a'",
        "unknown answer 'maybe' (expected one of pending, accept, reject, ignore)",
        "'entities' must be a list",
        "entity 0 end_offset must be a whole number, got None",
        "label 0 start_offset must be a whole number, got 0.5",
        "label 0 end_offset must be a whole number, got '6'",
        "label 0 start must be a whole number, got '0'",
        "label 0 end must be a whole number, got [6]",
        "'label' must be a list of [start, end, label]",
        "'label' item 0 must be [start, end, \"LABEL\"] or {\"label\", \"start_offset\", \"end_offset\"}, got "
        "{'label': 'ACTOR', 'end_offset': 6}; 'label' item 1 must be [start, end, \"LABEL\"] or {\"label\", "
        "\"start_offset\", \"end_offset\"}, got [0, 6]",
    ]
    assert all(isinstance(e, InputError) for e in items[3:-2])
    plain, zero = items[-2:]
    assert (plain.spans, plain.document.external_id) == ([], None)
    assert [(s.start, s.end, s.label, s.source, s.state) for s in zero.spans] == [
        (0, 6, "ACTOR", Source.EDITOR, SpanState.ACCEPTED)]  # doccano's parser's own form of a span
    assert zero.document.external_id == "0"


def test_prodigy_relations_find_their_spans_or_bring_them(tmp_path):
    import json

    from annotator.core.errors import InputError
    from annotator.core.model import Source, SpanState
    from annotator.formats import READERS, ReadOptions

    text = "Rebels attacked Kidal."
    tokens = [{"text": "Rebels", "start": 0, "end": 6, "id": 0}, {"text": "attacked", "start": 7, "end": 15, "id": 1},
              {"text": "Kidal", "start": 16, "end": 21, "id": 2}, {"text": ".", "start": 21, "end": 22, "id": 3}]
    spans = [{"start": 0, "end": 6, "label": "ACTOR"}, {"start": 7, "end": 15, "label": "ATTACK"}]
    records = [
        {"text": text, "tokens": tokens, "spans": spans, "answer": "accept", "relations": [
            {"head": 1, "child": 0, "label": "attacker"},  # by first tokens
            {"head": 1, "child": 2, "label": "place", "head_span": {"start": 7, "end": 15, "label": "ATTACK"},
             "child_span": {"start": 16, "end": 21, "label": "PLACE"}}]},  # a span the record lacks: brought in
        {"text": text, "tokens": tokens, "spans": spans, "relations": [{"head": 1, "child": 9, "label": "x"}]},
        {"text": text, "tokens": tokens, "spans": spans, "relations": [{"head": 1, "child": 3, "label": "x"}]},
        {"text": text, "tokens": tokens, "spans": spans, "relations": [{"head": 1, "child": 0}]},
        {"text": text, "tokens": tokens, "spans": spans, "relations": {"head": 1}},
        {"text": text, "tokens": tokens, "spans": spans, "relations": [{"head": 1, "child": 0, "label": "x",
                                                                        "child_span": {"start": "a", "label": "X"}}]},
        {"text": text, "tokens": tokens, "spans": spans, "relations": [{"head": 4, "child": 0, "label": "x"}]},
        {"text": text, "tokens": tokens, "spans": spans, "relations": [{"head": "1", "child": 0, "label": "x"}]},
        {"text": text, "tokens": tokens, "spans": spans, "relations": [{"head": 1, "child": 0, "label": "x",
                                                                        "head_span": {"start": 7, "end": None,
                                                                                      "label": "ATTACK"}}]},
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    items = list(READERS["prodigy"].read(path, ReadOptions()))
    first = items[0]
    assert [(s.start, s.end, s.label, s.source, s.state) for s in first.spans] == [
        (0, 6, "ACTOR", Source.EDITOR, SpanState.ACCEPTED), (7, 15, "ATTACK", Source.EDITOR, SpanState.ACCEPTED),
        (16, 21, "PLACE", Source.EDITOR, SpanState.ACCEPTED)]
    assert [(lk.event, lk.argument, lk.role, lk.state) for lk in first.links] == [
        (1, 0, "attacker", SpanState.ACCEPTED), (1, 2, "place", SpanState.ACCEPTED)]
    assert [str(e).split(": ", 1)[1] for e in items[1:]] == [
        "relation 0: child token 9 is not a token of this record",
        "relation 0: no span starts at its child token 3",
        "relation 0 must be an object with head, child and label",
        "'relations' must be a list",
        "relation 0 child_span start must be a whole number, got 'a'",
        "relation 0: head token 4 is not a token of this record",  # one past the last token
        "relation 0 head must be a whole number, got '1'",
        "relation 0 head_span end must be a whole number, got None",
    ]
    assert all(isinstance(e, InputError) for e in items[1:])


def test_a_prodigy_line_as_prodigy_writes_it(tmp_path):
    import json

    import pytest

    from annotator.core.errors import ExportError
    from annotator.core.hashing import prodigy_input_hash, prodigy_task_hash
    from annotator.core.model import Answer, Document, Link, Record, Span, Token
    from annotator.core.tokens import pack_tokens
    from annotator.formats.prodigy import export_line

    text = "Rebels attacked Kidal."
    tokens = pack_tokens([Token(0, 6, True), Token(7, 15, True), Token(16, 21, False), Token(21, 22, False)])
    doc = Document(text, title="Kidal", meta={"source": "wire"}, external_id="wire-7", input_hash="ab" * 16, id=4,
                   answer=Answer.ACCEPT, answered_by="ana", answered_at="2026-01-01T00:00:00+00:00")
    spans = [Span(0, 6, "ACTOR"), Span(7, 15, "ATTACK")]
    line = export_line(Record(doc, spans, links=[Link(1, 0, "attacker")]), tokens)
    actor = {"start": 0, "end": 6, "token_start": 0, "token_end": 0, "label": "ACTOR"}
    attack = {"start": 7, "end": 15, "token_start": 1, "token_end": 1, "label": "ATTACK"}
    assert json.loads(line) == {
        "text": text, "meta": {"id": "wire-7", "title": "Kidal", "source": "wire"},
        "_input_hash": prodigy_input_hash("ab" * 16),
        "_task_hash": prodigy_task_hash("ab" * 16, [sp.key for sp in spans]),
        "tokens": [{"text": "Rebels", "start": 0, "end": 6, "id": 0, "ws": True},
                   {"text": "attacked", "start": 7, "end": 15, "id": 1, "ws": True},
                   {"text": "Kidal", "start": 16, "end": 21, "id": 2, "ws": False},
                   {"text": ".", "start": 21, "end": 22, "id": 3, "ws": False}],
        "spans": [actor, attack], "_view_id": "relations",
        "relations": [{"head": 1, "child": 0, "head_span": attack, "child_span": actor, "label": "attacker"}],
        "answer": "accept", "_annotator_id": "ana", "_timestamp": 1767225600}
    assert line.index('"tokens"') < line.index('"spans"')  # Prodigy's own order: text, meta, hashes, tokens, spans
    # pending, no id, no title, no links, a time it cannot read: only what there is
    plain = json.loads(export_line(Record(Document(text, input_hash="ab" * 16, id=4, answered_at="yesterday")),
                                   tokens))
    assert plain["meta"] == {} and plain["_view_id"] == "spans_manual" and plain["spans"] == []
    assert not {"answer", "_annotator_id", "_timestamp", "relations"} & plain.keys()
    with pytest.raises(ExportError, match="span 1..6 does not line up with the tokens of document 4"):
        export_line(Record(doc, [Span(1, 6, "ACTOR")]), tokens)
    # suggestions marked with where they came from, as Prodigy marks them: a rule's with "pattern", a model's
    # with "source", the editor's with neither; read back, each keeps its source
    from annotator.core.model import Source, SpanState
    from annotator.formats.base import ReadOptions
    from annotator.formats.prodigy import convert

    mixed = [Span(0, 6, "ACTOR", Source.RULE), Span(7, 15, "ATTACK", Source.MODEL), Span(16, 21, "PLACE")]
    links = [Link(1, 0, "attacker", Source.MODEL), Link(1, 2, "place", Source.RULE), Link(1, 2, "target")]
    marked = json.loads(export_line(Record(Document(text, input_hash="ab" * 16, id=4), mixed, links=links), tokens,
                                    origin="rules+model"))
    assert [{k: sp.get(k) for k in ("pattern", "source")} for sp in marked["spans"]] == [
        {"pattern": "rules+model", "source": None}, {"pattern": None, "source": "rules+model"},
        {"pattern": None, "source": None}]
    assert [{k: r.get(k) for k in ("pattern", "source")} for r in marked["relations"]] == [
        {"pattern": None, "source": "rules+model"}, {"pattern": "rules+model", "source": None},
        {"pattern": None, "source": None}]
    back = convert(marked, ReadOptions())
    assert [sp.source for sp in back.spans] == [Source.RULE, Source.MODEL, Source.EDITOR]
    assert [(lk.source, lk.state) for lk in back.links] == [(Source.MODEL, SpanState.SUGGESTED),
                                                            (Source.RULE, SpanState.SUGGESTED),
                                                            (Source.EDITOR, SpanState.SUGGESTED)]  # pending
    unmarked = json.loads(export_line(Record(Document(text, input_hash="ab" * 16, id=4), mixed), tokens))
    assert not any({"pattern", "source"} & sp.keys() for sp in unmarked["spans"])  # no origin given: no marks


def test_conll_reads_every_tag_scheme_span_by_span(tmp_path):
    """IOB2, IOB1 (I- opening a span), BIOES (S-, E-) and BILOU (U-, L-), as spaCy's converters write them."""
    from annotator.core.errors import InputError
    from annotator.core.model import Source, SpanState
    from annotator.formats import READERS, ReadOptions

    lines = [
        "Rebels\tB-ACTOR", "from\tI-ACTOR", "Gao\tE-ACTOR", "attacked\tS-ATTACK", "Kidal\tU-PLACE",
        "town\tB-PLACE", "hall\tL-PLACE", "and\tO", "Mopti\tB-PLACE", "Segou\tB-PLACE", "today\tI-TIME", ".\tO",
    ]
    path = tmp_path / "tags.conll"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (record,) = READERS["conll"].read(path, ReadOptions())
    text = record.document.text
    assert text == "Rebels from Gao attacked Kidal town hall and Mopti Segou today ."
    assert [(text[s.start:s.end], s.label) for s in record.spans] == [
        ("Rebels from Gao", "ACTOR"), ("attacked", "ATTACK"), ("Kidal", "PLACE"), ("town hall", "PLACE"),
        ("Mopti", "PLACE"), ("Segou", "PLACE"), ("today", "TIME")]  # B after B of one label: two spans
    assert {(s.source, s.state) for s in record.spans} == {(Source.EDITOR, SpanState.ACCEPTED)}
    # careless files: a span's end tag, or a single-token tag, always ends it; a single-token tag always starts
    # its own span
    careless = ["a\tB-X", "b\tS-X", "c\tI-X", "d\tB-X", "e\tU-X", "f\tI-X", "g\tB-X", "h\tE-X", "i\tI-X",
                "j\tB-X", "k\tL-X", "l\tI-X"]
    path.write_text("\n".join(careless) + "\n", encoding="utf-8")
    (record,) = READERS["conll"].read(path, ReadOptions())
    text = record.document.text
    assert [text[s.start:s.end] for s in record.spans] == ["a", "b", "c", "d", "e", "f", "g h", "i", "j k", "l"]
    bad = tmp_path / "bad.conll"
    bad.write_text("Rebels\tB-ACTOR\nattacked\tX-ATTACK\n", encoding="utf-8")
    (error,) = READERS["conll"].read(bad, ReadOptions())
    assert isinstance(error, InputError)
    assert str(error) == f"{bad}:2: 'X-ATTACK' is not an IOB tag (O, B-LABEL or I-LABEL)"


def test_prodigy_records_field_by_field(tmp_path):
    import json

    import pytest

    from annotator.core.errors import InputError
    from annotator.core.model import Answer, Source, SpanState
    from annotator.formats import ReadOptions
    from annotator.formats.prodigy import convert

    tokens = [{"text": "Rebels", "start": 0, "end": 6, "id": 0, "ws": True},
              {"text": "attacked", "start": 7, "end": 15, "id": 1, "ws": True},
              {"text": "Kidal", "start": 16, "end": 21, "id": 2, "ws": False}]
    text = "Rebels attacked Kidal"
    base = {"text": text, "tokens": tokens}
    rec = convert({**base, "answer": "accept", "_annotator_id": "ana", "_timestamp": 1767225600,
                   "meta": {"title": "Kidal", "id": 7, "source": "wire"},
                   "spans": [{"start": 0, "end": 6, "label": "ACTOR"},
                             {"token_start": 2, "token_end": 2, "label": "PLACE", "pattern": 3},
                             {"start": 7, "end": 15, "label": "ATTACK", "source": "ner", "score": 0.5}]},
                  ReadOptions())
    doc = rec.document
    assert (doc.title, doc.external_id, doc.meta) == ("Kidal", "7", {"source": "wire"})
    assert (doc.answer, doc.answered_by, doc.answered_at) == (Answer.ACCEPT, "ana", "2026-01-01T00:00:00.000+00:00")
    assert [(s.start, s.end, s.label, s.source, s.state, s.score) for s in rec.spans] == [
        (0, 6, "ACTOR", Source.EDITOR, SpanState.ACCEPTED, None),
        (16, 21, "PLACE", Source.RULE, SpanState.ACCEPTED, None),
        (7, 15, "ATTACK", Source.MODEL, SpanState.ACCEPTED, 0.5)]
    # pending: suggestions, and nobody answered it; a title or an annotator that is not text is not one
    rec = convert({**base, "_annotator_id": 7, "meta": {"title": 5}, "spans": [{"start": 0, "end": 6,
                                                                                "label": "ACTOR"}]}, ReadOptions())
    assert (rec.document.title, rec.document.meta, rec.document.answered_by) == ("", {"title": 5}, None)
    assert rec.spans[0].state is SpanState.SUGGESTED
    assert convert({**base, "answer": "accept", "_annotator_id": 7}, ReadOptions()).document.answered_by is None
    assert convert({**base, "_annotator_id": "ana"}, ReadOptions()).document.answered_by is None
    assert convert({"text": text}, ReadOptions()).document.title == ""
    assert convert({"text": text}, ReadOptions()).document.external_id is None  # no id: none, not "None"
    floats = convert({"text": text, "spans": [{"start": 0.0, "end": 6.0, "label": "ACTOR"}]}, ReadOptions())
    assert [(s.start, s.end) for s in floats.spans] == [(0, 6)]  # whole numbers written as floats, as JS writes them
    assert all(type(v) is int for s in floats.spans for v in (s.start, s.end))
    with pytest.raises(InputError, match="span 0 has no character offsets"):  # token offsets need the tokens
        convert({"text": text, "spans": [{"token_start": 0, "token_end": 0, "label": "ACTOR"}]}, ReadOptions())
    # a binary reject says the span is wrong; a manual reject keeps what was left
    binary = convert({**base, "answer": "reject", "_is_binary": True, "spans": [{"start": 0, "end": 6,
                                                                                 "label": "ACTOR"}]}, ReadOptions())
    assert binary.spans[0].state is SpanState.REJECTED
    for span, message in [
        ({"start": 0, "label": "ACTOR"}, "span 0 has no character offsets"),
        ({"end": 6, "label": "ACTOR"}, "span 0 has no character offsets"),
        ({"token_end": 2, "label": "ACTOR"}, "span 0 has no character offsets"),  # half a token range
        ({"token_start": 0, "token_end": 3, "label": "ACTOR"}, "span 0: tokens 0..3 outside the 3 tokens"),
        ({"token_start": 2, "token_end": 1, "label": "ACTOR"}, "span 0: tokens 2..1 outside the 3 tokens"),
        ({"token_start": "a", "token_end": 1, "label": "ACTOR"}, "token_start must be a whole number, got 'a'"),
        ({"token_start": 0, "token_end": "b", "label": "ACTOR"}, "token_end must be a whole number, got 'b'"),
        ({"start": "x", "end": 6, "label": "ACTOR"}, "span 0 start must be a whole number, got 'x'"),
        ({"start": 0, "end": "y", "label": "ACTOR"}, "span 0 end must be a whole number, got 'y'"),
    ]:
        with pytest.raises(InputError) as err:
            convert({**base, "spans": [span]}, ReadOptions())
        assert err.value.reason == message, json.dumps(span)


def test_label_studio_tasks_with_little_in_them(tmp_path):
    from annotator.core.model import Answer
    from annotator.formats import ReadOptions
    from annotator.formats.labelstudio import convert

    text = "Rebels attacked Kidal."
    one = convert({"data": {"text": text}, "annotations": [{"created_at": 20260101}]}, ReadOptions())
    # one annotation, no result, no one named, a time that is not text: accepted with nothing more
    assert (one.spans, one.links, one.document.meta) == ([], [], {})
    assert (one.document.answer, one.document.answered_by, one.document.answered_at) == (Answer.ACCEPT, None, None)
    assert (one.document.title, one.document.external_id) == ("", None)
    pending = convert({"data": {"text": text}, "predictions": [{"model_version": "x"}]}, ReadOptions())
    assert (pending.spans, pending.document.answer) == ([], Answer.PENDING)


def test_csv_that_the_csv_module_refuses_is_named_with_its_line_and_the_rest_read(tmp_path):
    import csv

    from annotator.core.errors import InputError
    from annotator.formats import READERS, ReadOptions

    limit = csv.field_size_limit(131072)  # the reader raises it for long articles; lowered to make csv refuse
    try:
        huge = "x" * 131073
        path = tmp_path / "wire.csv"
        path.write_bytes(("text,id\nRebels attacked Kidal.,1\n" + huge + ",2\n\"Talks\rresumed.\",3\n").encode())
        first, error, last = READERS["csv"].read(path, ReadOptions())
        assert (first.document.text, first.document.external_id, first.line) == ("Rebels attacked Kidal.", "1", 2)
        assert isinstance(error, InputError)
        assert str(error) == f"{path}:3: not valid CSV: field larger than field limit (131072)"
        # the rows after it are read; a lone carriage return inside quotes is kept (csv counts it as a line)
        assert (last.document.text, last.document.external_id, last.line) == ("Talks\rresumed.", "3", 5)
        header = tmp_path / "header.csv"
        header.write_text(huge + ",id\n", encoding="utf-8")
        (error,) = READERS["csv"].read(header, ReadOptions())
        assert str(error) == f"{header}:1: not a valid CSV header: field larger than field limit (131072)"
    finally:
        csv.field_size_limit(limit)


def test_a_brat_pair_field_by_field(tmp_path):
    import pytest

    from annotator.core.errors import InputError
    from annotator.core.model import Link, Source, Span, SpanState
    from annotator.formats.brat import read_pair

    headline = "H" * 250
    text = f"\n  {headline}  \nShelling hit Kabul  city.\n"
    txt, ann = tmp_path / "a.txt", tmp_path / "a.ann"
    txt.write_text(text, encoding="utf-8")
    start = text.index("Kabul")
    ann.write_text(f"T1\tATTACK {text.index('Shelling')} {text.index('Shelling') + 8}\tShelling\n"
                   # a discontinuous span whose text is written whole, as some tools do
                   f"T2\tPLACE {start} {start + 5};{start + 7} {start + 11}\tKabul  city\n"
                   "E1\tATTACK:T1 Place:T2\n", encoding="utf-8")
    rec = read_pair(txt, ann, tmp_path)
    assert rec.document.title == "H" * 200  # its first line that holds anything, at most 200 characters
    assert (rec.document.external_id, rec.document.meta, rec.path) == ("a", {"file": "a.txt"}, str(ann))
    assert rec.spans == [Span(text.index("Shelling"), text.index("Shelling") + 8, "ATTACK", Source.EDITOR,
                              SpanState.ACCEPTED), Span(start, start + 11, "PLACE", Source.EDITOR, SpanState.ACCEPTED)]
    assert rec.links == [Link(0, 1, "Place")]  # the role as the file names it
    ann.write_text(f"T1\tATTACK {text.index('Shelling')} {text.index('Shelling') + 8}\tShelling\n"
                   f"T2\tPLACE {start} {start + 5}\tKabul\n"
                   "E1\tATTACK:T1 Place:Site2:T2\n", encoding="utf-8")  # a role with a colon in its name
    assert read_pair(txt, ann, tmp_path).links == [Link(0, 1, "Place:Site")]
    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "a.txt").write_text("Troops left Gao.", encoding="utf-8")
    (lone / "a.ann").write_text("T1\tPLACE 12 15\tGao\n", encoding="utf-8")
    (lone / "b.txt").write_text("Talks resumed.", encoding="utf-8")  # not annotated yet: no .ann beside it
    from annotator.formats import ReadOptions
    from annotator.formats.brat import read_brat

    for path in (lone, lone / "b.txt"):
        read = [(r.document.text, r.spans, r.links) for r in read_brat(path, ReadOptions())]
        assert read[-1] == ("Talks resumed.", [], [])
    assert len(list(read_brat(lone, ReadOptions()))) == 2
    folder = tmp_path / "b.txt"
    folder.mkdir()
    with pytest.raises(InputError, match=r"b\.txt: cannot read the text file: Is a directory$"):
        read_pair(folder, None, tmp_path)
    bad = tmp_path / "c.txt"
    bad.write_text("Kabul", encoding="utf-8")
    (tmp_path / "c.ann").mkdir()
    with pytest.raises(InputError, match=r"c\.ann: cannot read the annotation file: Is a directory$"):
        read_pair(bad, tmp_path / "c.ann", tmp_path)


def test_every_label_studio_task_error_word_for_word():
    import pytest

    from annotator.core.errors import InputError
    from annotator.formats import ReadOptions
    from annotator.formats.labelstudio import convert

    label = {"from_name": "label", "to_name": "text", "type": "labels"}
    ok = {"text": "Rebels attacked Kidal."}
    for task, message in [
        ({"data": "x"}, "a Label Studio task needs a 'data' object"),
        ({"data": {"body": "a", "title": "b"}}, "'data' has no 'text' field (name the text field with --text-column)"),
        ({"data": {"text": "  "}}, "'data.text' must be a non-empty string"),
        ({"data": {"text": 5}}, "'data.text' must be a non-empty string"),
        ({"data": {"body": 5}}, "'data' has no 'text' field (name the text field with --text-column)"),
        ({"data": ok, "annotations": "x"}, "'annotations' must be a list"),
        ({"data": ok, "annotations": ["x"]}, "an annotation must be an object"),
        ({"data": ok, "annotations": ["x", {"created_at": "2026-01-01", "result": []}]},
         "an annotation must be an object"),  # whichever is the latest
        ({"data": ok, "predictions": "x"}, "'predictions' must be a list"),
        ({"data": ok, "predictions": [{}, "x"]}, "prediction 1: expected an object"),
        ({"data": ok, "annotations": [{"result": "x"}]}, "annotation: 'result' must be a list"),
        ({"data": ok, "annotations": [{"result": ["x"]}]}, "annotation, result 0: expected an object"),
        ({"data": ok, "predictions": [{"result": [{**label, "value": {"labels": ["ACTOR"]}}]}]},
         "prediction 0, result 0: labels without character 'start' and 'end'"),
        ({"data": ok, "annotations": [{"result": [{**label, "value": {"start": 0, "end": 6, "labels": "ACTOR"}}]}]},
         "annotation, result 0: 'labels' must be a list of label names"),
        ({"data": ok, "annotations": [{"result": [{"type": "relation", "from_id": "a", "to_id": "b",
                                                   "labels": "x"}]}]},
         "annotation, result 0: a relation's 'labels' must be a list of names"),
    ]:
        with pytest.raises(InputError) as err:
            convert(task, ReadOptions())
        assert err.value.reason == message, task
    # one string field other than "text": it is the text
    assert convert({"data": {"body": "Talks resumed."}}, ReadOptions()).document.text == "Talks resumed."


def test_plain_json_lines_field_by_field_and_another_tools_spans_refused(tmp_path):
    import json

    from annotator.formats import READERS, ReadOptions

    records = [
        {"text": "Rebels attacked Kidal.", "id": 0, "title": "Kidal", "desk": "world", "_seen": 3},
        {"text": "Talks resumed."},
        {"text": "Rebels attacked Kidal.", "spans": [{"start": 0, "end": 6, "label": "ACTOR"}]},
        {"text": "Talks resumed.", "title": 5},
    ]
    path = tmp_path / "plain.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    first, second, spans, title = READERS["jsonl"].read(path, ReadOptions())
    assert (first.document.external_id, first.document.title, first.document.meta) == ("0", "Kidal",
                                                                                       {"desk": "world"})
    assert (second.document.external_id, second.document.title, second.document.meta) == (None, "", {})
    assert str(spans) == (f"{path}:3: the record carries spans as prodigy writes them, which plain JSON lines "
                          "would keep only as meta; import the file with --format prodigy")
    assert str(title) == f"{path}:4: 'title' must be a string"
