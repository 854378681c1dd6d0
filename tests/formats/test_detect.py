"""Which reader a file or a folder goes to when the editor names no format: each ending and each tool's first
records, and what a folder hands to which reader (`annotator import FOLDER` with and without --format)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.formats import detect
from annotator.workflows.importing import _expand

CONLL = "Rebels\tB-ACTOR\nattacked\tO\n\n"
CASES = {  # file name: (content, format detected)
    "a.txt": ("Rebels attacked the town.\n", "text"),
    "a.text": ("Rebels attacked the town.\n", "text"),
    "conll.text": (CONLL, "conll"),
    "UPPER.TXT": ("Rebels attacked the town.\n", "text"),
    "columns.txt": (CONLL, "conll"),  # CoNLL written with a .txt ending is told by its columns
    "noending": (CONLL, "conll"),
    "plain-noending": ("Rebels attacked the town.\n", None),  # no ending, not CoNLL, not JSON: ask
    "tab.tsv": ("text\tid\nRebels attacked.\t1\n", "csv"),
    "conll.tsv": (CONLL, "conll"),
    "a.csv": ("text,id\nRebels attacked.,1\n", "csv"),
    "a.CSV": ("text,id\nRebels attacked.,1\n", "csv"),
    "a.conll": ("Rebels\tB-ACTOR\n", "conll"),
    "a.iob": ("Rebels\tB-ACTOR\n", "conll"),
    "a.bio": ("Rebels\tB-ACTOR\n", "conll"),
    "a.spacy": ("", "spacy"),
    "plain.jsonl": ('{"text": "Rebels attacked."}\n', "jsonl"),
    "plain.json": ('[{"text": "Rebels attacked."}]', "jsonl"),
    "empty.jsonl": ("", "jsonl"),
    "empty.ndjson": ("", "jsonl"),
    "empty.json": ("", "jsonl"),
    "prodigy.jsonl": ('{"text": "Rebels attacked.", "answer": "accept"}\n', "prodigy"),
    "prodigy-spans.jsonl": ('{"text": "Rebels attacked.", "spans": [{"start": 0, "end": 6, "label": "ACTOR"}]}\n',
                            "prodigy"),
    "doccano.jsonl": ('{"text": "Rebels attacked.", "label": [[0, 6, "ACTOR"]]}\n', "doccano"),
    # doccano's parser also takes a span as an object; one without its label or start is no doccano span
    "doccano-objects.jsonl": ('{"text": "Rebels attacked.", "label": [{"start_offset": 0, "end_offset": 6, '
                              '"label": "ACTOR"}]}\n', "doccano"),
    "not-doccano.jsonl": ('{"text": "Rebels attacked.", "label": [{"end_offset": 6, "label": "ACTOR"}]}\n', "jsonl"),
    "not-doccano-either.jsonl": ('{"text": "Rebels attacked.", "label": [{"start_offset": 0, "end_offset": 6}]}\n',
                                 "jsonl"),
    "events.jsonl": ('{"text": "Rebels attacked.", "events": [{"trigger": {"start": 7, "end": 15, '
                     '"label": "ATTACK"}, "arguments": []}]}\n', "events"),
    # events without a trigger, spans without a start: neither tool's, plain JSON lines
    "no-trigger.jsonl": ('{"text": "Rebels attacked.", "events": [{"arguments": []}]}\n', "jsonl"),
    "no-start.jsonl": ('{"text": "Rebels attacked.", "spans": [{"end": 6, "label": "ACTOR"}]}\n', "jsonl"),
    "ls.json": ('[{"data": {"text": "Rebels attacked."}, "annotations": []}]', "label-studio"),
    # the first records decide only when they show a format: the plain ones before do not
    "late-doccano.jsonl": ('{"text": "Calm."}\n' * 3 + '{"text": "Rebels attacked.", "label": [[0, 6, "ACTOR"]]}\n',
                           "doccano"),
    "a.ann": ("T1\tACTOR 0 6\tRebels\n", "brat"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_file_goes_to_its_reader(tmp_path: Path, name: str) -> None:
    content, expected = CASES[name]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    if expected is None:
        with pytest.raises(InputError, match="cannot tell the format"):
            detect(path)
    else:
        assert detect(path) == expected


def test_a_text_file_beside_its_ann_is_a_brat_pair_and_folders_are_brat_or_text(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("Rebels attacked.\n", encoding="utf-8")
    assert detect(tmp_path / "one.txt") == "text"
    assert detect(tmp_path) == "text"
    (tmp_path / "deep").mkdir()
    (tmp_path / "deep" / "one.ann").write_text("T1\tACTOR 0 6\tRebels\n", encoding="utf-8")
    assert detect(tmp_path) == "brat"  # an .ann anywhere below makes the folder brat's
    (tmp_path / "one.ann").write_text("T1\tACTOR 0 6\tRebels\n", encoding="utf-8")
    assert detect(tmp_path / "one.txt") == "brat"


def test_a_file_that_shows_no_format_is_named_with_the_way_out(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Notes\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        detect(path)
    assert str(caught.value) == f"{path}: cannot tell the format (name it with --format)"


def _tree(root: Path) -> Path:
    files = {
        "a.txt": "Rebels attacked.\n",
        "b.TXT": "Troops withdrew.\n",
        "README": "no ending: read as text with the others\n",
        ".hidden.jsonl": '{"text": "never read"}\n',
        "sub/c.jsonl": '{"text": "Talks began.", "answer": "accept"}\n',
        "sub/d.csv": "text\nA town fell.\n",
        "sub/e.tsv": "text\nA town fell.\n",
        "f.xyz": "an unknown ending: left alone\n",
        "team.jsonl": '{"text": "the project itself"}\n',
    }
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    return root


def _yields(root: Path, paths: list[Path], fmt: str | None) -> list:
    out = []
    for item in _expand(paths, fmt, is_project=lambda p: p.name == "team.jsonl"):
        out.append(str(item) if isinstance(item, InputError) else (item[0].relative_to(root).as_posix(), item[1]))
    return out


@pytest.mark.parametrize(("fmt", "expected"), [
    (None, [(".", "text"), ("sub/c.jsonl", "prodigy"), ("sub/d.csv", "csv"), ("sub/e.tsv", "csv")]),
    ("text", [(".", "text")]),
    ("csv", [("sub/d.csv", "csv"), ("sub/e.tsv", "csv")]),
    ("prodigy", [("sub/c.jsonl", "prodigy")]),
    ("brat", [(".", "brat")]),
])
def test_a_folder_hands_each_file_to_one_reader_and_never_the_project_or_hidden_files(
        tmp_path: Path, fmt: str | None, expected: list) -> None:
    root = _tree(tmp_path)
    assert _yields(root, [root], fmt) == expected


def test_a_folder_with_an_ann_file_is_read_as_brat_pairs(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "sub" / "a.ann").write_text("T1\tACTOR 0 6\tRebels\n", encoding="utf-8")
    assert _yields(root, [root, root / "a.txt"], None) == [(".", "brat"), ("a.txt", "text")]


def test_what_cannot_be_read_is_named_and_the_rest_still_comes(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "empty").mkdir()
    (root / "odd").mkdir()
    (root / "odd" / "g.xyz").write_text("?\n", encoding="utf-8")
    (root / "notes.md").write_text("# Notes\n", encoding="utf-8")
    paths = [root / "missing.jsonl", root / "team.jsonl", root / "empty", root / "odd", root / "notes.md",
             root / "a.txt", root / "sub" / "c.jsonl"]
    assert _yields(root, paths, None) == [
        f"{root / 'missing.jsonl'}: no such file or folder",
        f"{root / 'team.jsonl'}: is the project database itself (or one of SQLite's files beside it), not an "
        "input file",
        f"{root / 'empty'}: the folder holds no articles (.txt, .jsonl, .json, .csv or .tsv files)",
        f"{root / 'odd'}: the folder holds no articles (.txt, .jsonl, .json, .csv or .tsv files)",
        f"{root / 'notes.md'}: cannot tell the format (name it with --format)",
        ("a.txt", "text"),
        ("sub/c.jsonl", "prodigy"),
    ]
    # a format named is taken at its word for a file, and a folder's files of that format are read with it;
    # a folder with none of them is named, not passed over in silence
    assert _yields(root, [root / "odd", root / "sub"], "csv") == [
        f"{root / 'odd'}: the folder holds no csv files (.csv, .tsv)", ("sub/d.csv", "csv"), ("sub/e.tsv", "csv")]
    assert _yields(root, [root / "notes.md", root / "sub"], "jsonl") == [("notes.md", "jsonl"),
                                                                          ("sub/c.jsonl", "jsonl")]


def test_a_pipe_is_refused_as_input(tmp_path: Path) -> None:
    import os
    import signal

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    class Stuck(BaseException):  # not an OSError, which the readers catch
        pass

    def stuck(signum, frame):
        raise Stuck("the import opened the pipe and waited for a writer")

    # reading a pipe nobody writes waits for ever: the test says so instead of hanging
    old = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(10)
    try:
        (tmp_path / "a.txt").write_text("Rebels attacked.\n", encoding="utf-8")
        assert _yields(tmp_path, [fifo, tmp_path / "a.txt"], None) == [
            f"{fifo}: not a regular file or folder (a pipe, device or socket): give a file", ("a.txt", "text")]
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_json_detection_reads_only_the_first_records(tmp_path: Path) -> None:
    path = tmp_path / "late.jsonl"
    path.write_text('{"text": "Calm."}\n' * 200 + json.dumps({"text": "x", "label": [[0, 1, "A"]]}) + "\n",
                    encoding="utf-8")
    assert detect(path) == "jsonl"  # a claim after the first 200 records is not looked for
