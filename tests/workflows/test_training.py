"""Training: the exported DocBin trains with spaCy's own command, and `annotator train` makes a pipeline that
pre-annotates together with the rules."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.core.model import Answer, Source
from annotator.nlp import build_annotator
from annotator.nlp.pipeline import tokenize
from annotator.store import Store
from annotator.workflows.exporting import export
from annotator.workflows.importing import import_paths
from annotator.workflows.preannotating import preannotate
from annotator.workflows.training import TrainingError, train
from tests.conftest import SAMPLES

pytestmark = pytest.mark.training  # left out of mutation testing (pyproject.toml, [tool.mutmut])


@pytest.fixture(scope="module")
def accepted(tmp_path_factory) -> Path:
    """The twelve samples, pre-annotated by the rules and accepted as they are."""
    path = tmp_path_factory.mktemp("t") / "project.db"
    store = Store(path)
    import_paths(store, [SAMPLES], tokenizer=tokenize)
    preannotate(store, build_annotator(store.scheme))
    for (doc_id,) in store.conn.execute("SELECT id FROM documents").fetchall():
        store.annotations.accept_all(doc_id, "ed")
        store.annotations.set_answer(doc_id, Answer.ACCEPT, "ed")
    store.close()
    return path


def test_exported_docbin_trains_with_spacy_train(accepted, tmp_path):
    store = Store(accepted, readonly=True)
    export(store, tmp_path / "corpus.spacy", fmt="spacy", split=0.75, seed=0, tokenizer=tokenize)
    cfg = tmp_path / "config.cfg"
    run = [sys.executable, "-m", "spacy"]
    subprocess.run(run + ["init", "config", str(cfg), "--lang", "en", "--pipeline", "spancat", "--optimize",
                          "efficiency"], check=True, capture_output=True)
    result = subprocess.run(run + ["train", str(cfg), "--output", str(tmp_path / "out"),
                                   "--paths.train", str(tmp_path / "corpus.train.spacy"),
                                   "--paths.dev", str(tmp_path / "corpus.dev.spacy"),
                                   "--training.max_epochs", "2", "--training.max_steps", "0",
                                   "--training.eval_frequency", "5"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    meta = json.loads((tmp_path / "out" / "model-best" / "meta.json").read_text())
    assert meta["pipeline"] == ["tok2vec", "spancat"]
    assert set(meta["labels"]["spancat"]) == {lb.name for lb in store.scheme.labels}


def test_annotator_train_then_preannotate_with_model_and_rules(accepted, tmp_path):
    db = tmp_path / "p.db"
    shutil.copy(accepted, db)
    lines: list[str] = []
    with Store(db) as store:
        report = train(store, tmp_path / "models" / "news", tokenizer=tokenize, epochs=4, patience=3,
                       log=lines.append)
    assert report.train_articles + report.dev_articles == 12 and report.train_articles > report.dev_articles >= 1
    assert any("Ctrl+C stops" in line for line in lines)
    assert 1 <= report.epochs <= 4  # never more than --epochs
    meta = json.loads((tmp_path / "models" / "news" / "meta.json").read_text())
    per_label = meta["performance"]["spans_sc_per_type"]
    assert per_label.keys() == report.per_label.keys() == set(meta["labels"]["spancat"])
    for label, scores in report.per_label.items():
        assert per_label[label] == pytest.approx(scores) == meta["annotator"]["per_label"][label]
    assert set(next(iter(per_label.values()))) == {"p", "r", "f"}
    assert report.table()[0].split() == ["label", "P", "R", "F1"]
    assert not list((tmp_path / "models").glob(".*"))  # the work folder is gone
    with Store(db) as store:  # training again replaces the earlier model
        again = train(store, tmp_path / "models" / "news", tokenizer=tokenize, epochs=1, log=lines.append)
    assert json.loads((tmp_path / "models" / "news" / "meta.json").read_text())["annotator"]["epochs"] == again.epochs
    assert not list((tmp_path / "models").glob(".*"))
    # a new project: the trained model alone, then with the rules
    fresh = tmp_path / "fresh.db"
    with Store(fresh) as store:
        import_paths(store, [SAMPLES], tokenizer=tokenize)
        model_only = build_annotator(store.scheme, model=str(tmp_path / "models" / "news"), use_rules=False)
        assert model_only.nlp.pipe_names == ["sentencizer", "tok2vec", "spancat"]  # sentences for the links
        both = build_annotator(store.scheme, model=str(tmp_path / "models" / "news"))
        preannotate(store, both)
        rows = store.conn.execute("SELECT doc_id, start, \"end\", label, source FROM spans").fetchall()
        texts = [store.documents.document(doc_id).text for doc_id in (1, 2, 3)]
    sources = {r[4] for r in rows}
    assert sources == {"rule", "model"}
    # one suggestion per stretch and label, whichever found it: asked of the pipeline itself (the store's
    # unique index would hide repeats), where the model and the rules both find most of the same spans
    for text in texts:
        doc = both.nlp(text)
        model_found = {(sp.start_char, sp.end_char, sp.label_) for sp in doc.spans.get("sc", [])}
        rule_found = {(s, e, lb) for s, e, lb, _ in doc.user_data.get("annotator_rules", ())}
        assert model_found & rule_found
        keys = [sp.key for sp in both.suggestions(doc)]
        assert len(keys) == len(set(keys))
        assert all(sp.source is Source.RULE for sp in both.suggestions(doc) if sp.key in rule_found)


def test_ctrl_c_keeps_the_best_model_so_far(accepted, tmp_path, monkeypatch):
    import spacy.cli.train as spacy_train_module

    real = spacy_train_module.train

    def interrupted(config_path, output_path, **kw):
        real(config_path, output_path, overrides={"training.max_epochs": 1}, **kw)
        raise KeyboardInterrupt

    monkeypatch.setattr(spacy_train_module, "train", interrupted)
    db = tmp_path / "p.db"
    shutil.copy(accepted, db)
    with Store(db) as store:
        report = train(store, tmp_path / "m", tokenizer=tokenize, epochs=50, log=lambda s: None)
    assert report.stopped_by_user
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    assert meta["annotator"]["stopped_by_user"] is True


def test_training_needs_accepted_articles(tmp_path):
    db = tmp_path / "p.db"
    with Store(db) as store:
        import_paths(store, [SAMPLES], tokenizer=tokenize)
        with pytest.raises(TrainingError, match="0 accepted article"):
            train(store, tmp_path / "m", tokenizer=tokenize)
    r = CliRunner().invoke(cli, ["train", "--db", str(db), "--output", str(tmp_path / "m")])
    assert r.exit_code == 2 and "training needs at least 2" in r.output
    assert not (tmp_path / "m").exists()
    # a folder that is not an earlier model is never replaced
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    r = CliRunner().invoke(cli, ["train", "--db", str(db), "--output", str(tmp_path / "mine")])
    assert r.exit_code == 2 and "holds other files" in r.output
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
