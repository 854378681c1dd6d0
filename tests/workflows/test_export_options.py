"""The export's options as an engineer uses them: --split into train and dev (by answer, with pending ones,
with the same seed), the names each part gets, and outputs refused before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.errors import ExportError
from annotator.core.model import Answer, Document, Link, Record, Source, Span, SpanState
from annotator.nlp.pipeline import tokenize
from annotator.store import Store
from annotator.workflows.exporting import export

ANSWERS = [Answer.ACCEPT] * 6 + [Answer.REJECT] * 2 + [Answer.IGNORE] * 2 + [Answer.PENDING] * 4


def _project(store: Store) -> None:
    records = []
    for i, answer in enumerate(ANSWERS):
        text = f"Rebels attacked town number {i} on Monday."
        records.append(Record(Document(text=text, answer=answer),
                              [Span(0, 6, "ACTOR", Source.EDITOR, SpanState.ACCEPTED),
                               Span(7, 15, "ATTACK", Source.EDITOR, SpanState.ACCEPTED)],
                              links=[Link(1, 0, "attacker")]))
    store.documents.add_records(records)


def _texts(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]


def _conll_articles(path: Path) -> int:
    return path.read_text(encoding="utf-8").count("-DOCSTART-")


def test_a_split_keeps_every_article_once_and_the_same_seed_gives_the_same_parts(store: Store, tmp_path: Path) -> None:
    _project(store)
    report = export(store, tmp_path / "news.jsonl", tokenizer=tokenize, split=0.5)
    train, dev = _texts(tmp_path / "news.train.jsonl"), _texts(tmp_path / "news.dev.jsonl")
    assert report.paths == [tmp_path / "news.train.jsonl", tmp_path / "news.dev.jsonl"]
    assert report.split == {"train": len(train), "dev": len(dev)} and train and dev
    assert (report.documents, report.spans, report.links) == (10, 20, 10)  # both parts counted
    # Prodigy files hold every answer: the 10 answered articles, each in one part
    assert sorted(train + dev) == sorted(f"Rebels attacked town number {i} on Monday." for i in range(10))
    export(store, tmp_path / "again.jsonl", tokenizer=tokenize, split=0.5, seed=0)
    assert (_texts(tmp_path / "again.train.jsonl"), _texts(tmp_path / "again.dev.jsonl")) == (train, dev)
    other = [export(store, tmp_path / f"s{seed}.jsonl", tokenizer=tokenize, split=0.5, seed=seed)
             for seed in (1, 2, 3)]
    assert any(_texts(tmp_path / f"s{seed}.train.jsonl") != train for seed in (1, 2, 3))
    assert all(sum(r.split.values()) == 10 for r in other)


def test_a_split_with_pending_articles_takes_them_in_and_every_article_keeps_its_side(
        store: Store, tmp_path: Path) -> None:
    _project(store)
    export(store, tmp_path / "answered.jsonl", tokenizer=tokenize, split=0.5)
    report = export(store, tmp_path / "all.jsonl", tokenizer=tokenize, split=0.5, include_pending=True)
    assert sum(report.split.values()) == 14 == report.documents
    train, dev = set(_texts(tmp_path / "all.train.jsonl")), set(_texts(tmp_path / "all.dev.jsonl"))
    assert set(_texts(tmp_path / "answered.train.jsonl")) <= train
    assert set(_texts(tmp_path / "answered.dev.jsonl")) <= dev
    pending = {f"Rebels attacked town number {i} on Monday." for i in range(10, 14)}
    assert pending & train and pending & dev  # the pending ones go by their own hash too


def test_rejected_and_ignored_articles_go_by_their_own_hash_in_formats_that_hold_answers(
        store: Store, tmp_path: Path) -> None:
    _project(store)
    export(store, tmp_path / "news.jsonl", tokenizer=tokenize, split=0.5)
    train = set(_texts(tmp_path / "news.train.jsonl"))
    answered_no = {f"Rebels attacked town number {i} on Monday." for i in range(6, 10)}
    assert answered_no & train and answered_no - train


def test_a_format_without_answers_splits_only_the_articles_it_writes(store: Store, tmp_path: Path) -> None:
    """CoNLL holds no answers: rejected and ignored articles are not written, and the parts are cut from the
    accepted ones, both parts non-empty."""
    _project(store)
    report = export(store, tmp_path / "news.conll", fmt="conll", tokenizer=tokenize, split=0.5)
    assert report.paths == [tmp_path / "news.train.conll", tmp_path / "news.dev.conll",
                            tmp_path / "news.train.conll.tokenizer.txt", tmp_path / "news.dev.conll.tokenizer.txt"]
    assert all(p.is_file() for p in report.paths)
    parts = [_conll_articles(p) for p in report.paths[:2]]
    assert sum(parts) == 6 and min(parts) >= 1
    assert report.spans == 12  # both parts' spans counted
    assert parts == [report.split["train"], report.split["dev"]]
    # with the pending ones: the accepted and the pending, still never the rejected or ignored
    report = export(store, tmp_path / "all.conll", fmt="conll", tokenizer=tokenize, split=0.5, include_pending=True)
    parts = [_conll_articles(p) for p in report.paths[:2]]
    assert sum(parts) == 10 == sum(report.split.values()) and min(parts) >= 1
    # each article on the side its hash gives it, as in a Prodigy export of the same articles
    export(store, tmp_path / "all.jsonl", tokenizer=tokenize, split=0.5, include_pending=True)
    written = {f"Rebels attacked town number {i} on Monday." for i in [*range(6), *range(10, 14)]}
    assert parts[0] == len(set(_texts(tmp_path / "all.train.jsonl")) & written)


@pytest.mark.parametrize("fraction", [0, 0.0, 1, 1.0, -0.5, 2])
def test_a_split_outside_zero_to_one_is_refused_before_anything_is_written(
        store: Store, tmp_path: Path, fraction: float) -> None:
    _project(store)
    with pytest.raises(ExportError) as caught:
        export(store, tmp_path / "news.jsonl", tokenizer=tokenize, split=fraction)
    assert str(caught.value) == f"--split must be between 0 and 1 (the train part), got {fraction}"
    assert list(tmp_path.glob("news*")) == []


@pytest.mark.parametrize(("part", "other"), [("train", "dev"), ("dev", "train")])
def test_an_output_that_is_the_project_or_a_part_of_it_is_refused(tmp_path: Path, part: str, other: str) -> None:
    with Store(tmp_path / f"news.{part}.jsonl") as store:  # a project file named like a part of the export
        _project(store)
        before = (tmp_path / f"news.{part}.jsonl").read_bytes()
        with pytest.raises(ExportError) as caught:
            export(store, tmp_path / "news.jsonl", tokenizer=tokenize, split=0.5)
        assert str(caught.value).startswith(f"{tmp_path / f'news.{part}.jsonl'}: is the project database itself")
        for name in (f"news.{part}.jsonl", f"news.{part}.jsonl-wal"):
            with pytest.raises(ExportError, match="is the project database itself"):
                export(store, tmp_path / name, tokenizer=tokenize)
    assert (tmp_path / f"news.{part}.jsonl").read_bytes()[:16] == before[:16]
    assert not (tmp_path / f"news.{other}.jsonl").exists()
    # nor may a file the export writes beside its output (CoNLL's tokenizer note) be the project
    with Store(tmp_path / "out.conll.tokenizer.txt") as store:
        _project(store)
        with pytest.raises(ExportError, match=r"out\.conll\.tokenizer\.txt: is the project database itself"):
            export(store, tmp_path / "out.conll", fmt="conll", tokenizer=tokenize)


@pytest.mark.parametrize("part", ["train", "dev"])
def test_a_folder_part_that_holds_other_files_is_refused(store: Store, tmp_path: Path, part: str) -> None:
    _project(store)
    (tmp_path / f"news.{part}").mkdir()
    (tmp_path / f"news.{part}" / "mine.txt").write_text("not an export\n", encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        export(store, tmp_path / "news", fmt="brat", tokenizer=tokenize, split=0.5)
    assert str(caught.value).startswith(f"{tmp_path / f'news.{part}'}: the folder holds other files")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("news")] == [f"news.{part}"]
    assert (tmp_path / f"news.{part}" / "mine.txt").exists()


def test_unknown_labels_are_named_with_the_projects_own(store: Store, tmp_path: Path) -> None:
    _project(store)
    with pytest.raises(ExportError) as caught:
        export(store, tmp_path / "x.jsonl", tokenizer=tokenize, labels=["ACTOR", "NOPE", "ALSO"])
    names = ", ".join(sorted(store.scheme.names))
    assert str(caught.value) == f"unknown label(s) ALSO, NOPE; the project has {names}"


def test_progress_counts_every_article_written_and_the_report_names_the_output(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as store:
        store.documents.add_records([Record(Document(text=f"Article {i}.", answer=Answer.ACCEPT))
                                     for i in range(1203)])
        steps: list[int] = []
        report = export(store, tmp_path / "x.jsonl", tokenizer=tokenize, on_progress=steps.append)
        assert steps == [500, 500, 203] and report.documents == 1203
        assert report.path == tmp_path / "x.jsonl" and report.paths == [tmp_path / "x.jsonl"]
        assert report.lines()[0] == f"wrote 1203 document(s) with 0 span(s) to {tmp_path / 'x.jsonl'}"
        steps.clear()
        export(store, tmp_path / "y.jsonl", tokenizer=tokenize, on_progress=steps.append, labels=["ACTOR"],
               split=0.5)
        assert sum(steps) == 1203 and all(0 < n <= 500 for n in steps)
    with Store(tmp_path / "thousand.db") as store:
        store.documents.add_records([Record(Document(text=f"Article {i}.", answer=Answer.ACCEPT))
                                     for i in range(1000)])
        steps.clear()
        export(store, tmp_path / "z.jsonl", tokenizer=tokenize, on_progress=steps.append)
        assert steps == [500, 500]


def test_each_parts_notes_are_kept(store: Store, tmp_path: Path) -> None:
    """A DocBin part with overlapping spans says so; with a split, both parts' notes reach the report."""
    records = [Record(Document(text=f"Rebels attacked town number {i} on Monday.", answer=Answer.ACCEPT),
                      [Span(0, 6, "ACTOR", Source.EDITOR, SpanState.ACCEPTED),
                       Span(0, 15, "ATTACK", Source.EDITOR, SpanState.ACCEPTED)]) for i in range(10)]
    store.documents.add_records(records)
    report = export(store, tmp_path / "news.spacy", fmt="spacy", tokenizer=tokenize, split=0.5)
    assert len(report.notes) == 2 and all("overlap a longer one" in n for n in report.notes)


def test_a_failure_after_the_first_part_is_in_place_is_said_and_leaves_no_temporary_files(
        store: Store, tmp_path: Path, monkeypatch) -> None:
    """The second part cannot be put in place (a full disk, say): the error says so (not that the first part's
    temporary file, already in place, is missing) and no temporary file is left beside the output."""
    from annotator.workflows import exporting

    _project(store)
    calls = []
    real_replace = exporting.replace

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(exporting, "replace", replace)
    with pytest.raises(ExportError) as caught:
        export(store, tmp_path / "news.jsonl", tokenizer=tokenize, split=0.5)
    assert str(caught.value) == f"{tmp_path / 'news.jsonl'}: cannot write: No space left on device"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("project.db")) == [
        "news.train.jsonl"]


@pytest.mark.parametrize(("fmt", "name"), [("brat", "brat"), ("prodigy", "news.jsonl")])
def test_a_failure_while_writing_closes_the_file_and_leaves_nothing(
        store: Store, tmp_path: Path, monkeypatch, fmt: str, name: str) -> None:
    """An article that cannot be written half-way: each writer's file is closed (Windows cannot remove an open
    file) and neither the output nor a temporary file or folder is left."""
    from annotator.workflows import exporting

    _project(store)
    opened = []
    real_cls = exporting.writer_class(fmt)

    class Recording(real_cls):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            opened.append(self)

    monkeypatch.setattr(exporting, "writer_class", lambda fmt: Recording)

    def tokenizer(text: str):
        if "number 3 " in text:
            raise OSError(5, "Input/output error")
        return tokenize(text)

    with pytest.raises(ExportError) as caught:
        export(store, tmp_path / name, fmt=fmt, tokenizer=tokenizer)
    assert str(caught.value) == f"{tmp_path / name}: cannot write: Input/output error"
    assert opened and all(w.fh.closed for w in opened if getattr(w, "fh", None) is not None)
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("project.db")] == []
