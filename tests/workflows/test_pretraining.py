"""Pre-training: `annotator pretrain` learns the tok2vec's weights from every article of the project, annotated or
not, and `annotator train --init-tok2vec` starts from them; bad weights, a project without words and an output that
must not be replaced are refused by name, and a killed pre-training leaves the earlier weights."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.core.model import Answer
from annotator.nlp import build_annotator
from annotator.nlp.pipeline import tokenize
from annotator.store import Store
from annotator.workflows.importing import import_paths
from annotator.workflows.preannotating import preannotate
from annotator.workflows.pretraining import MIN_WORDS, base_config
from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.training  # left out of mutation testing (pyproject.toml, [tool.mutmut])
WIKINEWS = ROOT.parent / "shared" / "data" / "wikinews" / "articles.jsonl"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, Path]:
    """(a project of the twelve samples, accepted as the rules suggested them, and 20 Wikinews articles nobody
    annotated; weights pre-trained on all of them for one epoch)"""
    folder = tmp_path_factory.mktemp("pretrain")
    db = folder / "project.db"
    some = folder / "wikinews-20.jsonl"
    some.write_text("".join(WIKINEWS.read_text(encoding="utf-8").splitlines(keepends=True)[:20]), encoding="utf-8")
    with Store(db) as store:
        import_paths(store, [SAMPLES], tokenizer=tokenize)
        preannotate(store, build_annotator(store.scheme))
        for (doc_id,) in store.conn.execute("SELECT id FROM documents").fetchall():
            store.annotations.accept_all(doc_id, "ed")
            store.annotations.set_answer(doc_id, Answer.ACCEPT, "ed")
        import_paths(store, [some], tokenizer=tokenize)
    weights = folder / "models" / "tok2vec.bin"
    r = CliRunner().invoke(cli, ["pretrain", "--db", str(db), "--output", str(weights), "--epochs", "1"])
    assert r.exit_code == 0, r.output
    assert "32 articles" in r.output and f"--init-tok2vec {weights}" in r.output
    return db, weights


def _tok2vec(config=None):
    from spacy.util import registry

    config = config or base_config(pretraining=False)
    return registry.resolve({"model": config.interpolate()["components"]["tok2vec"]["model"]})["model"]


def test_pretraining_writes_weights_of_the_trainings_tok2vec_and_nothing_beside_them(project, tmp_path):
    db, weights = project
    assert sorted(p.name for p in weights.parent.iterdir()) == ["tok2vec.bin"]  # its work folder is gone
    model = _tok2vec().from_bytes(weights.read_bytes())  # the architecture `annotator train` builds
    embeddings = [n for n in model.walk() if n.has_param("E")]
    assert embeddings and all(n.get_param("E").any() for n in embeddings)
    # repeatable: the same seed gives the same weights, another seed others
    again = tmp_path / "again.bin"
    for seed, same in (("0", True), ("1", False)):
        r = CliRunner().invoke(cli, ["pretrain", "--db", str(db), "--output", str(again), "--epochs", "1",
                                     "--seed", seed, "--force"])
        assert r.exit_code == 0, r.output
        assert (again.read_bytes() == weights.read_bytes()) is same


def test_training_starts_from_the_pretrained_weights(project, tmp_path, monkeypatch):
    import spacy.language

    loaded = []
    real = spacy.language.init_tok2vec

    def recording(nlp, pretrain_config, init_config):
        done = real(nlp, pretrain_config, init_config)
        loaded.append((done, init_config["init_tok2vec"]))
        return done

    monkeypatch.setattr(spacy.language, "init_tok2vec", recording)
    db, weights = project
    model = tmp_path / "model"
    r = CliRunner().invoke(cli, ["train", "--db", str(db), "--output", str(model), "--init-tok2vec", str(weights),
                                 "--epochs", "12", "--patience", "12"])
    assert r.exit_code == 0, r.output
    assert f"starts from the pre-trained weights in {weights}" in r.output
    assert (True, str(weights)) in loaded
    meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
    assert meta["annotator"]["init_tok2vec"] == {
        "file": str(weights.resolve()), "sha256": hashlib.sha256(weights.read_bytes()).hexdigest()}
    # a normal model: pre-annotation with it runs, on a copy of the project
    copy = tmp_path / "copy.db"
    with Store(db, readonly=True) as source:
        source.backup(copy)
    r = CliRunner().invoke(cli, ["preannotate", "--db", str(copy), "--model", str(model), "--all"])
    assert r.exit_code == 0, r.output
    with Store(copy, readonly=True) as store:
        assert store.conn.execute("SELECT count(DISTINCT doc_id) FROM spans").fetchone()[0] == 32


def test_weights_that_are_not_ours_are_refused_by_name_before_training(project, tmp_path):
    import spacy

    db, _ = project
    other = base_config(pretraining=False)
    other["components"]["tok2vec"]["model"]["encode"]["width"] = 64  # another architecture's tok2vec
    wrong = {"missing.bin": None, "text.bin": b"not weights at all\n", "empty.bin": b"",
             "other-width.bin": _tok2vec(other).initialize().to_bytes(),
             "a-pipeline.bin": spacy.blank("en").to_bytes()}
    for name, content in wrong.items():
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        model = tmp_path / f"model-{name}"
        r = CliRunner().invoke(cli, ["train", "--db", str(db), "--output", str(model), "--init-tok2vec", str(path)])
        assert r.exit_code == 2, (name, r.output)
        assert r.output.count("\n") <= 3 and f"error: {path}: " in r.output, (name, r.output)
        assert "Traceback" not in r.output
        assert not model.exists() and not list(tmp_path.glob(f".model-{name}*")), name


def test_pretraining_refuses_what_it_must_not_write(project, tmp_path):
    db, weights = project
    before = weights.read_bytes()
    # an existing file without --force; the project itself, even with it; a project without words to learn
    empty = tmp_path / "empty.db"
    Store(empty).close()
    few = tmp_path / "few.db"
    with Store(few) as store:
        import_paths(store, [SAMPLES / "01-border-shelling.txt"], tokenizer=tokenize)
    for args, said in (
            (["--db", str(db), "--output", str(weights)], "already exists; pre-training does not replace a file"),
            (["--db", str(db), "--output", str(db), "--force"], "is an SQLite database"),
            (["--db", str(empty), "--output", str(tmp_path / "w.bin")], "0 article(s), 0 word(s)"),
            (["--db", str(few), "--output", str(tmp_path / "w.bin")], f"at least {MIN_WORDS:,} words")):
        r = CliRunner().invoke(cli, ["pretrain", *args, "--epochs", "1"])
        assert r.exit_code == 2 and said in r.output, r.output
    assert weights.read_bytes() == before
    assert not (tmp_path / "w.bin").exists() and not list(tmp_path.glob(".w.bin*"))
    with Store(db, readonly=True) as store:  # the project was only read
        assert store.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 32


KILLED = """
import os, signal, sys
import spacy.training.pretrain as pretraining
real = pretraining.make_update
def dying(*args):
    real(*args)
    os.kill(os.getpid(), signal.SIGKILL)
pretraining.make_update = dying
from annotator.cli import main
main(["pretrain", "--db", sys.argv[1], "--output", sys.argv[2], "--epochs", "3", "--force"])
"""


def test_a_pretraining_killed_half_way_keeps_the_earlier_weights_and_the_next_one_cleans_up(project, tmp_path):
    db, weights = project
    output = tmp_path / "tok2vec.bin"
    output.write_bytes(weights.read_bytes())
    done = subprocess.run([sys.executable, "-c", KILLED, str(db), str(output)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == -9, done.stderr
    assert output.read_bytes() == weights.read_bytes()
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith(".tok2vec.bin.")]
    assert left and all(name.endswith(".pretrain.part") for name in left)
    r = CliRunner().invoke(cli, ["pretrain", "--db", str(db), "--output", str(output), "--epochs", "1", "--seed",
                                 "1", "--force"])
    assert r.exit_code == 0 and "removed 1 folder(s) a killed pre-training" in r.output, r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tok2vec.bin"]
    assert output.read_bytes() != weights.read_bytes()
    assert os.path.getsize(output) > 0


def test_every_article_is_learned_from_the_long_ones_too(project, tmp_path, monkeypatch):
    """spaCy's pre-training corpus skips documents over 500 tokens unless told otherwise: a news article often is."""
    import spacy.training.pretrain as spacy_pretraining

    seen: list[int] = []
    real = spacy_pretraining.make_update

    def counting(model, docs, optimizer, objective):
        seen.extend(len(doc) for doc in docs)
        return real(model, docs, optimizer, objective)

    monkeypatch.setattr(spacy_pretraining, "make_update", counting)
    db, _ = project
    r = CliRunner().invoke(cli, ["pretrain", "--db", str(db), "--output", str(tmp_path / "w.bin"), "--epochs", "1"])
    assert r.exit_code == 0, r.output
    with Store(db, readonly=True) as store:
        lengths = sorted(len(tokenize(text)) for (text,) in store.conn.execute("SELECT text FROM documents"))
    assert max(lengths) > 500 and sorted(seen) == lengths


def test_pretraining_reads_the_project_while_another_handle_writes_and_loses_none_of_its_writes(project, tmp_path):
    """Another program (here a second handle) in the middle of saving an article: pre-training reads what was
    committed, does not wait for it or block it, and the article is there once it is saved."""
    db = tmp_path / "copy.db"
    with Store(project[0], readonly=True) as source:
        source.backup(db)
    writer = Store(db)
    try:
        writer.conn.execute("BEGIN IMMEDIATE")
        writer.conn.execute("INSERT INTO documents (text, external_id, input_hash) VALUES (?, ?, 'h')",
                            ("An article being saved. " * 60, "being-saved"))
        r = CliRunner().invoke(cli, ["pretrain", "--db", str(db), "--output", str(tmp_path / "w.bin"),
                                     "--epochs", "1"])
        assert r.exit_code == 0 and "on 32 article(s)" in r.output, r.output
        writer.conn.execute("COMMIT")
    finally:
        writer.close()
    with Store(db, readonly=True) as store:
        assert store.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 33
        assert store.conn.execute("SELECT count(*) FROM documents WHERE external_id = 'being-saved'").fetchone()[0]


def test_by_default_it_reads_about_ten_million_words_whatever_the_projects_size(project, tmp_path, monkeypatch):
    """The epochs the command runs without --epochs: ten million words' worth (120 of the 150 Wikinews articles,
    where 120 scored better than 60 and 60 better than 21), never fewer than one nor more than 1,000."""
    import spacy.training.pretrain as spacy_pretraining

    from annotator.workflows.pretraining import default_epochs

    assert [default_epochs(n) for n in (81_993, 2_000_000, 30_000_000, 1_000, 0)] == [122, 5, 1, 1000, 1000]
    db, weights = project
    asked = []

    def instead(config, output_dir, **kw):  # what spaCy is asked, without the minutes it takes
        asked.append(config["pretraining"]["max_epochs"])
        (output_dir / "model-last.bin").write_bytes(weights.read_bytes())

    monkeypatch.setattr(spacy_pretraining, "pretrain", instead)
    with Store(db, readonly=True) as store:
        words = sum(len(t.split()) for (t,) in store.conn.execute("SELECT text FROM documents"))
    r = CliRunner().invoke(cli, ["pretrain", "--db", str(db), "--output", str(tmp_path / "w.bin")])
    assert r.exit_code == 0, r.output
    assert asked == [min(1000, round(10_000_000 / words))] and f"{asked[0]} epochs" in r.output
    r = CliRunner().invoke(cli, ["pretrain", "--db", str(db), "--output", str(tmp_path / "w.bin"), "--force",
                                 "--epochs", "3"])
    assert r.exit_code == 0 and asked[-1] == 3, r.output


def test_the_progress_it_reports_leaves_the_weights_those_of_spacys_own_reader(project, tmp_path):
    """The window's progress bar and Cancel watch the articles spaCy reads: the weights are still byte for byte
    those `spacy pretrain` writes from the same articles with its own reader; Cancel writes nothing."""
    from spacy.training.pretrain import pretrain as spacy_pretrain

    from annotator.workflows.pretraining import PretrainingCancelled, pretrain

    db, weights = project
    raw = tmp_path / "articles.jsonl"
    with Store(db, readonly=True) as store:
        texts = [t for (t,) in store.conn.execute("SELECT text FROM documents ORDER BY id") if t.strip()]
        raw.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
        seen: list[tuple[int, int]] = []
        report = pretrain(store, tmp_path / "watched.bin", epochs=2, log=lambda line: None,
                          on_progress=lambda done, total: seen.append((done, total)))
        with pytest.raises(PretrainingCancelled, match="nothing was saved"):
            pretrain(store, tmp_path / "models" / "cancelled.bin", epochs=2, log=lambda line: None,
                     should_stop=lambda: len(seen) > 40)
    assert report.articles == len(texts) == 32
    assert seen == sorted(seen) and seen[0] == (1, 64) and seen[-1] == (64, 64)
    assert not (tmp_path / "models").exists()  # nor the folder made for the weights
    config = base_config(pretraining=True)
    config["paths"]["raw_text"] = str(raw)
    config["system"]["seed"] = 0
    config["corpora"]["pretrain"]["max_length"] = 0
    config["pretraining"]["max_epochs"] = config["pretraining"]["n_save_epoch"] = 2
    (tmp_path / "spacy").mkdir()
    spacy_pretrain(config.interpolate(), tmp_path / "spacy")
    assert (tmp_path / "spacy" / "model-last.bin").read_bytes() == (tmp_path / "watched.bin").read_bytes()


def test_the_weights_beside_a_project_newest_first(tmp_path):
    from annotator.workflows.pretraining import weights_beside

    project = tmp_path / "project.db"
    assert weights_beside(project) == []  # no models folder yet
    models = tmp_path / "models"
    models.mkdir()
    (models / "folder.bin").mkdir()  # a folder is not weights, nor a model's folder
    (models / "news").mkdir()
    for name, when in (("old.bin", 1_000_000), ("new.bin", 3_000_000), ("mid.bin", 2_000_000)):
        (models / name).write_bytes(b"x")
        os.utime(models / name, (when, when))
    assert [p.name for p in weights_beside(project)] == ["new.bin", "mid.bin", "old.bin"]
