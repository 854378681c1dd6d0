"""The command line, as a user runs it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from click.testing import CliRunner

from annotator.cli import cli
from tests.conftest import ROOT, SAMPLES, WIKINEWS, write


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result


def test_import_preannotate_stats_export(tmp_path):
    db = tmp_path / "p.db"
    r = invoke("import", WIKINEWS, "--db", db)
    assert r.exit_code == 0, r.output
    assert "imported 150 document(s)" in r.output and "0 rejected" in r.output
    r = invoke("import", WIKINEWS, "--db", db)
    assert "imported 0 document(s)" in r.output and "150 duplicate(s) skipped" in r.output
    r = invoke("preannotate", "--db", db)
    assert r.exit_code == 0 and "pre-annotated 150 document(s)" in r.output
    r = invoke("preannotate", "--db", db)
    assert "pre-annotated 0 document(s)" in r.output and "0 new suggestion(s)" in r.output
    r = invoke("stats", "--db", db)
    assert "150 document(s)" in r.output and re.search(r"PLACE\s+\d+", r.output)
    figures = json.loads(invoke("stats", "--db", db, "--json").output)
    assert figures["by_answer"]["pending"] == 150
    out = tmp_path / "out.jsonl"
    r = invoke("export", "--db", db, "--output", out)
    assert r.exit_code == 0 and "wrote 0 document(s)" in r.output  # nothing answered yet
    r = invoke("export", "--db", db, "--output", out, "--include-pending", "--labels", "PLACE,TIME")
    assert r.exit_code == 2 and "out.jsonl: already exists" in r.output and "--force" in r.output
    assert out.read_text() == ""  # the first export's file, untouched
    r = invoke("export", "--db", db, "--output", out, "--include-pending", "--labels", "PLACE,TIME", "--force")
    assert "wrote 150 document(s)" in r.output
    assert {s["label"] for line in out.open() for s in json.loads(line)["spans"]} == {"PLACE", "TIME"}


def test_bad_input_exit_status_and_messages(tmp_path):
    db = tmp_path / "p.db"
    bad = write(tmp_path / "bad.jsonl", '{"text": "fine"}\n{oops\n')
    r = invoke("import", bad, "--db", db)
    assert r.exit_code == 1
    assert f"rejected: {bad}:2: not valid JSON" in r.output
    assert "imported 1 document(s)" in r.output and "1 rejected" in r.output
    r = invoke("import", bad, "--db", db, "--strict")
    assert r.exit_code == 1 and "nothing was imported" in r.output


def test_user_mistakes_get_one_line_not_a_traceback(tmp_path):
    notdb = write(tmp_path / "notes.txt", "hello")
    for args in (
        ("stats", "--db", notdb),
        ("stats", "--db", tmp_path / "missing.db"),
        ("export", "--db", notdb),
        ("preannotate", "--db", tmp_path / "missing.db"),
    ):
        r = invoke(*args)
        assert r.exit_code == 2, (args, r.output)
        assert r.output.startswith("error: ") and "Traceback" not in r.output
    db = tmp_path / "p.db"
    invoke("import", SAMPLES, "--db", db)
    r = invoke("preannotate", "--db", db, "--model", "no_such_model")
    assert r.exit_code == 2 and "cannot load the spaCy pipeline 'no_such_model'" in r.output
    r = invoke("export", "--db", db, "--labels", "NOPE")
    assert r.exit_code == 2 and "unknown label" in r.output
    r = invoke("init", "--db", tmp_path / "q.db", "--scheme", "nope")
    assert r.exit_code == 2 and "no label scheme 'nope'" in r.output


def test_default_export_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    invoke("import", SAMPLES, "--db", "p.db", "--answer", "accept")
    r = invoke("export", "--db", "p.db")
    assert r.exit_code == 0 and (tmp_path / "exports" / "p.jsonl").exists()
    assert len((tmp_path / "exports" / "p.jsonl").read_text().splitlines()) == 12


def test_init_with_a_custom_scheme(tmp_path):
    scheme = write(tmp_path / "fires.toml", 'name = "fires"\n[labels.FIRE]\nkind = "event"\ncolour = "#ff0000"\n'
                   'hotkey = "f"\ndescription = "A fire"\n')
    r = invoke("init", "--db", tmp_path / "f.db", "--scheme", scheme)
    assert r.exit_code == 0 and "scheme fires with 1 labels" in r.output


def test_python_dash_m_and_console_script(tmp_path):
    r = subprocess.run([sys.executable, "-m", "annotator", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "import" in r.stdout and "preannotate" in r.stdout


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert f"annotator {name}" in readme, f"README does not document `annotator {name}`"
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt not in ("--help",):
                    assert opt in readme, f"README does not mention {opt} of `annotator {name}`"


def test_export_formats_and_split_from_the_command_line(tmp_path):
    db = tmp_path / "p.db"
    assert invoke("import", SAMPLES, "--db", db, "--answer", "accept").exit_code == 0
    assert invoke("preannotate", "--db", db, "--all").exit_code == 0
    r = invoke("export", "--db", db, "--format", "conll", "--output", tmp_path / "n.conll", "--split", "0.75",
               "--seed", "4")
    assert r.exit_code == 0, r.output
    parts = re.search(r"wrote 12 document\(s\) \(train (\d+), dev (\d+)\)", r.output)
    assert parts and int(parts[1]) + int(parts[2]) == 12 and int(parts[1]) > int(parts[2]) > 0
    assert (tmp_path / "n.train.conll").exists() and (tmp_path / "n.dev.conll").exists()
    r = invoke("export", "--db", db, "--format", "brat", "--output", tmp_path / "n.train.conll")
    assert r.exit_code == 2 and "is a file; this format writes a folder" in r.output
    r = invoke("export", "--db", db, "--format", "conll", "--split", "2", "--output", tmp_path / "x.conll")
    assert r.exit_code == 2 and "--split must be between 0 and 1" in r.output
    r = invoke("import", tmp_path / "n.dev.conll", "--db", tmp_path / "q.db")
    assert r.exit_code == 0 and f"imported {parts[2]} document(s)" in r.output


def test_the_format_names_the_command_line_offers_are_the_readers_and_writers():
    from annotator.core.formats import EXPORT_FORMATS, IMPORT_FORMATS
    from annotator.formats import READERS, WRITERS
    from annotator.workflows import importing  # noqa: F401  (registers the spaCy reader)

    assert set(IMPORT_FORMATS) == set(READERS)
    assert set(EXPORT_FORMATS) == set(WRITERS)
