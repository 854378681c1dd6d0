"""Bad input and hostile files, as a user meets them on the command line: each gets a named error (never a
traceback) or the right result, and nothing saved is lost or half-written."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES, WIKINEWS, write
from tests.test_durability import annotator_cmd


def run(*args: object, timeout: float = 120, bound: bool = False, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The command line as a user runs it. `bound`: as root without the capabilities that bypass file
    permissions (the uid unchanged, so the checkout and its virtual environment stay readable wherever they
    live, even in a folder only root may enter): file modes then hold for it as for any user."""
    cmd = annotator_cmd(*args)
    env = {**os.environ, "HOME": "/tmp"}
    if bound:
        cmd = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps",
               "-dac_override,-dac_read_search", *cmd]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def content(db: Path) -> list[str]:
    """Everything the project holds, as SQL (the file's bytes move when SQLite checkpoints its WAL)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def project(tmp_path) -> Path:
    db = tmp_path / "p.db"
    result = run("import", SAMPLES, "--db", db, "--answer", "accept")
    assert result.returncode == 0, result.stderr
    return db


def test_export_refuses_to_write_over_the_project_or_its_sqlite_files(project, tmp_path):
    before = content(project)
    for target in (project, Path(f"{project}-wal"), Path(f"{project}-shm"), tmp_path / "." / "p.db"):
        result = run("export", "--db", project, "--output", target)
        assert result.returncode == 2, result.stdout
        assert "is the project database itself" in result.stderr
        no_traceback(result)
    assert content(project) == before
    stats = run("stats", "--db", project)
    assert "12 document(s)" in stats.stdout


def test_import_refuses_the_project_itself_as_input(project):
    result = run("import", project, "--db", project)
    assert result.returncode == 1 and "is the project database itself" in result.stderr
    no_traceback(result)


def test_doccano_file_whose_first_record_is_unlabelled(tmp_path):
    src = write(tmp_path / "doccano.jsonl", "\n".join(json.dumps(r) for r in [
        {"text": "Nothing happened here today.", "label": []},
        {"text": "Rebels attacked Kidal on Monday.", "label": [[0, 6, "ACTOR"], [7, 15, "ATTACK"]]},
        {"text": "Police arrested two men.", "label": [[7, 15, "ARREST"]]},
    ]) + "\n")
    db = tmp_path / "p.db"
    result = run("import", src, "--db", db)
    assert result.returncode == 0, result.stderr
    assert "imported 3 document(s) with 3 span(s)" in result.stdout
    meta = [json.loads(m) for (m,) in sqlite3.connect(db).execute("SELECT meta FROM documents")]
    assert not any("label" in m for m in meta), "span fields were put into meta"


def test_plain_jsonl_never_hides_spans_in_meta(tmp_path):
    src = write(tmp_path / "mixed.jsonl", json.dumps({"text": "Rebels attacked Kidal.", "label": [[0, 6, "ACTOR"]]})
                + "\n")
    result = run("import", src, "--db", tmp_path / "p.db", "--format", "jsonl")
    assert result.returncode == 1
    assert "mixed.jsonl:1:" in result.stderr and "--format doccano" in result.stderr


def test_deeply_nested_json_is_one_named_error_and_the_rest_goes_in(tmp_path):
    good = [json.dumps({"text": f"Article number {i} about an attack."}) for i in range(1500)]
    deep = '{"text": "deep", "meta": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    src = write(tmp_path / "in.jsonl", "\n".join(good[:1000] + [deep] + good[1000:]) + "\n")
    db = tmp_path / "p.db"
    result = run("import", src, "--db", db)
    no_traceback(result)
    assert result.returncode == 1
    assert "in.jsonl:1001: nested too deeply" in result.stderr
    assert "imported 1500 document(s)" in result.stdout
    # a pretty-printed file nested as deep: one error for the file
    pretty = write(tmp_path / "pretty.json", "[\n" + "[" * 100_000 + "]" * 100_000 + "\n]\n")
    result = run("import", pretty, "--db", db, "--format", "jsonl")
    no_traceback(result)
    assert result.returncode == 1 and "nested too deeply" in result.stderr


def test_many_bad_lines_are_summarised(tmp_path):
    src = write(tmp_path / "bad.jsonl", "".join(f"not json {i}\n" for i in range(5000)))
    result = run("import", src, "--db", tmp_path / "p.db", "--format", "jsonl")
    lines = result.stderr.strip().splitlines()
    assert len(lines) <= 12, lines[:20]
    assert lines[0].startswith("rejected: ") and "bad.jsonl:1: not valid JSON" in lines[0]
    assert "… and 4990 more in" in result.stderr and "5000 rejected" in result.stdout


def test_a_pretty_printed_file_over_the_size_limit_is_one_error(tmp_path, monkeypatch):
    from annotator.core.errors import InputError
    from annotator.formats import base

    monkeypatch.setattr(base, "WHOLE_FILE_JSON_LIMIT", 1000)
    src = write(tmp_path / "big.json", json.dumps([{"text": f"article {i}"} for i in range(200)], indent=2))
    items = list(base.iter_json_records(src))
    assert len(items) == 1 and isinstance(items[0], InputError)
    assert "too large to read whole" in items[0].reason and "JSON lines" in items[0].reason


def test_an_article_over_spacys_max_length_is_preannotated(tmp_path):
    para = "Rebels attacked the town of Kidal on Monday, killing 12 soldiers.\n"
    long = para * (1_050_000 // len(para) + 1)
    src = write(tmp_path / "in.jsonl", "\n".join(json.dumps({"id": i, "text": t}) for i, t in enumerate(
        ["Police arrested three men in Paris.", long, "Troops seized the city."])) + "\n")
    db = tmp_path / "p.db"
    assert run("import", src, "--db", db).returncode == 0
    result = run("preannotate", "--db", db)
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(db)
    per_doc = dict(conn.execute("SELECT doc_id, count(*) FROM spans GROUP BY doc_id"))
    assert set(per_doc) == {1, 2, 3}
    # suggestions all along the long article, past the first million characters, on the right words
    text = conn.execute("SELECT text FROM documents WHERE id = 2").fetchone()[0]
    spans = conn.execute('SELECT start, "end", label FROM spans WHERE doc_id = 2 AND start > 1000000').fetchall()
    assert spans and {text[s:e] for s, e, lb in spans if lb == "ATTACK"} == {"attacked"}
    assert len(text) > 1_000_000


def test_one_failing_article_never_blocks_the_others(rules, store):
    from annotator.core.model import Document, Record
    from annotator.workflows.preannotating import preannotate

    texts = ["Rebels attacked Kidal.", "BOOM goes the pipeline.", "Police arrested two men."]
    store.documents.add_records([Record(Document(text=t)) for t in texts])

    def boom(doc):
        if "BOOM" in doc.text:
            raise RuntimeError("the model broke on this article")
        return doc

    rules.nlp.add_pipe("fails_on_boom") if "fails_on_boom" in rules.nlp.pipe_names else None
    from spacy.language import Language

    if not Language.has_factory("fails_on_boom"):
        Language.component("fails_on_boom", func=boom)
    rules.nlp.add_pipe("fails_on_boom", first=True)
    try:
        report = preannotate(store, rules)
    finally:
        rules.nlp.remove_pipe("fails_on_boom")
    assert report.documents == 2
    assert report.failed == [(2, "RuntimeError: the model broke on this article")]
    labels = {doc_id: {s.label for s in store.annotations.spans(doc_id)} for doc_id in (1, 2, 3)}
    assert "ATTACK" in labels[1] and "ARREST" in labels[3] and labels[2] == set()


def test_brat_export_gives_every_article_its_own_files(tmp_path):
    src = write(tmp_path / "in.jsonl", "\n".join(json.dumps(r) for r in [
        {"id": "a-3", "text": "First article, about an attack."},
        {"id": "a", "text": "Second article, about a protest."},
        {"id": "a", "text": "Third article, about talks."},
        {"id": "A", "text": "Fourth article, in capitals."},
    ]) + "\n")
    db = tmp_path / "p.db"
    assert run("import", src, "--db", db, "--answer", "accept").returncode == 0
    out = tmp_path / "brat"
    result = run("export", "--db", db, "--format", "brat", "--output", out)
    assert result.returncode == 0, result.stderr
    texts = sorted(p.read_text(encoding="utf-8") for p in out.glob("*.txt"))
    assert texts == sorted(json.loads(line)["text"] for line in src.read_text().splitlines())
    names = [p.stem.lower() for p in out.glob("*.txt")]
    assert len(names) == len(set(names)) == 4  # distinct even where case does not count (macOS, Windows)


def test_a_conll_block_of_bad_lines_does_not_swallow_the_next_article(tmp_path):
    src = write(tmp_path / "in.conll", "oops\nnope\n\nRebels\tB-ACTOR\nattacked\tB-ATTACK\n\nPolice\tB-ACTOR\n")
    db = tmp_path / "p.db"
    result = run("import", src, "--db", db)
    assert result.returncode == 1
    assert "in.conll:1: expected a token and its tag" in result.stderr
    assert "imported 2 document(s) with 3 span(s)" in result.stdout


@pytest.mark.parametrize("label", ["", " ", "\t", "TWO\nLINES", "SP ACE", "X" * 101])
def test_bad_label_names_are_refused_with_add_labels(tmp_path, label):
    src = write(tmp_path / "in.jsonl", json.dumps(
        {"text": "Rebels attacked Kidal.", "spans": [{"start": 0, "end": 6, "label": label}]}) + "\n")
    db = tmp_path / "p.db"
    result = run("import", src, "--db", db, "--format", "prodigy", "--add-labels")
    no_traceback(result)
    assert result.returncode == 1 and "in.jsonl:1:" in result.stderr
    assert "label name" in result.stderr
    labels = {n for (n,) in sqlite3.connect(db).execute("SELECT name FROM labels")}
    assert label not in labels


def test_the_scheme_loader_refuses_bad_label_names(tmp_path):
    from annotator.core.errors import SchemeError
    from annotator.core.labels import load_scheme

    scheme = write(tmp_path / "s.toml", '[labels."BAD NAME"]\nkind = "event"\ncolour = "#123456"\n')
    with pytest.raises(SchemeError, match="BAD NAME"):
        load_scheme(scheme)
    result = run("init", "--db", tmp_path / "p.db", "--scheme", scheme)
    assert result.returncode == 2 and "BAD NAME" in result.stderr
    no_traceback(result)


def foreign_sqlite(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts(name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Ana', '555')")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("command", [["stats"], ["export"], ["import", "SAMPLE"], ["preannotate"], ["init"]])
def test_another_applications_file_is_refused_and_left_byte_for_byte(tmp_path, command):
    other = foreign_sqlite(tmp_path / "contacts.db")
    before = other.read_bytes()
    assert before[18:20] == b"\x01\x01"
    args = [SAMPLES if a == "SAMPLE" else a for a in command]
    result = run(*args, "--db", other, "--output", tmp_path / "o.jsonl") if command == ["export"] else \
        run(*args, "--db", other)
    assert result.returncode == 2 and "not an annotator project" in result.stderr and "contacts" in result.stderr
    no_traceback(result)
    assert other.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.db"]


def test_a_file_that_is_not_sqlite_is_refused_and_left_as_it_was(tmp_path):
    other = write(tmp_path / "notes.db", "my notes, not a database\n" * 10)
    before = other.read_bytes()
    result = run("import", SAMPLES, "--db", other)
    assert result.returncode == 2 and "not an SQLite file" in result.stderr
    assert other.read_bytes() == before


def damage(db: Path) -> None:
    """Overwrites pages in the middle of the file, as a failing disk does."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    size = db.stat().st_size
    with open(db, "r+b") as fh:  # noqa: PTH123 - no connection is open in this process
        for n in range(2, size // page, 3):
            fh.seek(n * page)
            fh.write(b"\xde\xad\xbe\xef" * (page // 4))


def test_a_damaged_database_gets_a_named_error_and_no_writes(tmp_path):
    db = tmp_path / "p.db"
    assert run("import", WIKINEWS, "--db", db).returncode == 0
    damage(db)
    before = digest(db)
    for args in (["stats", "--db", db], ["export", "--db", db, "--output", tmp_path / "o.jsonl"],
                 ["preannotate", "--db", db], ["import", SAMPLES, "--db", db]):
        result = run(*args)
        no_traceback(result)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "the database is damaged" in result.stderr and ".recover" in result.stderr, result.stderr
    assert digest(db) == before
    assert not (tmp_path / "o.jsonl").exists()


needs_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("setpriv"),
                                reason="runs the commands as an unprivileged user (root may write anything)")


@needs_root
def test_reading_commands_work_on_a_read_only_database_and_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    try:
        db = folder / "p.db"
        assert run("import", SAMPLES, "--db", db, "--answer", "accept").returncode == 0
        out = folder / "out"
        out.mkdir()
        out.chmod(0o777)
        db.chmod(0o444)
        folder.chmod(0o555)  # neither the file nor its folder may be written: no -wal or -shm can be made
        before = digest(db)
        stats = run("stats", "--db", db, bound=True)
        assert stats.returncode == 0, stats.stderr
        assert "12 document(s)" in stats.stdout
        export = run("export", "--db", db, "--output", out / "e.jsonl", bound=True)
        assert export.returncode == 0, export.stderr
        assert len((out / "e.jsonl").read_text(encoding="utf-8").splitlines()) == 12
        # a writing command says plainly why it cannot
        imp = run("import", SAMPLES, "--db", db, bound=True)
        no_traceback(imp)
        assert imp.returncode == 2 and "read-only" in imp.stderr
        assert digest(db) == before
    finally:
        folder.chmod(0o755)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_fifo_as_input_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    result = run("import", fifo, "--db", tmp_path / "p.db", timeout=60)
    assert result.returncode == 1 and "not a regular file" in result.stderr
    folder = tmp_path / "folder"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    write(folder / "a.txt", "Rebels attacked Kidal.\n")
    result = run("import", folder, "--db", tmp_path / "p.db", timeout=60)
    assert "imported 1 document(s)" in result.stdout and "1 rejected" in result.stdout
    assert f"rejected: {folder / 'pipe.txt'}: not a regular file" in result.stderr and result.returncode == 1
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_nan_and_infinity_in_meta_never_reach_a_json_export(tmp_path):
    src = write(tmp_path / "in.jsonl", '{"text": "Rebels attacked Kidal.", "meta": {"score": NaN, "max": '
                                       'Infinity, "min": -Infinity, "ok": 1.5}}\n')
    db = tmp_path / "p.db"
    assert run("import", src, "--db", db, "--answer", "accept").returncode == 0

    def strict(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    for fmt in ("prodigy", "doccano", "label-studio"):
        out = tmp_path / f"out-{fmt}.json"
        result = run("export", "--db", db, "--format", fmt, "--output", out)
        assert result.returncode == 0, result.stderr
        content = out.read_text(encoding="utf-8")
        values = [json.loads(content, parse_constant=strict)] if fmt == "label-studio" else [
            json.loads(line, parse_constant=strict) for line in content.splitlines()]
        assert values and "1.5" in content


def test_gui_without_a_display_says_so(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "annotator", "gui", str(tmp_path / "p.db")], cwd=ROOT,
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "no display found" in result.stderr and "annotator import" in result.stderr
    assert "xcb" not in result.stderr
