"""Training: the exported DocBin trains with spaCy's own command, and `annotator train` makes a pipeline that
pre-annotates together with the rules."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from click.testing import CliRunner

from annotator.cli import cli
from annotator.core.labels import load_scheme
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


def test_annotator_train_then_preannotate_never_worse_than_the_rules(trained, tmp_path):
    """The model is scored beside the rules and both on its dev articles, per label; pre-annotation uses, per
    label, whichever scored best. Here the editors accepted the rules' own suggestions, so the rules are best
    everywhere: the model is kept, reported below them, and used only when asked to anyway."""
    project, model = trained
    meta = json.loads((model / "meta.json").read_text())
    per_label = meta["performance"]["spans_sc_per_type"]
    assert per_label.keys() == meta["annotator"]["per_label"].keys() <= set(meta["labels"]["spancat"])
    assert set(next(iter(per_label.values()))) == {"p", "r", "f"}
    ours = meta["annotator"]
    assert ours["scores"]["f"] > 0  # never the untrained model
    assert ours["threshold"] in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    # calibrated, and kept (srsly reads 0.3 back as 0.30000000000000004)
    assert spacy.load(model).get_pipe("spancat").cfg["threshold"] == pytest.approx(ours["threshold"])
    compare = ours["compare"]
    assert compare["(all)"]["rules"]["f"] == 1.0 > compare["(all)"]["model"]["f"] > 0
    assert set(ours["sources"].values()) == {"rules"}
    assert set(ours["sources"]) == {lb.name for lb in load_scheme().labels}
    assert compare["(all)"]["chosen"]["f"] >= compare["(all)"]["rules"]["f"]
    assert not list(model.parent.glob(".*"))  # the work folder is gone
    # a new project: the model alone suggests; with the rules, by the choice: the rules alone here
    fresh = tmp_path / "fresh.db"
    with Store(fresh) as store:
        import_paths(store, [SAMPLES], tokenizer=tokenize)
        model_only = build_annotator(store.scheme, model=str(model), use_rules=False)
        # no sentencizer added: the links' sentences come from the token arrays (annotator.nlp.pipeline)
        assert model_only.nlp.pipe_names == ["tok2vec", "spancat"]
        chosen = build_annotator(store.scheme, model=str(model))
        assert chosen.choice().startswith("the rules alone: the model scored below them")
        preannotate(store, chosen)
        assert {r[0] for r in store.conn.execute("SELECT DISTINCT source FROM spans")} == {"rule"}
        # with --model-anyway the model's spans are suggested too. Its confident ones are a subset of the rules'
        # here (it learned from them), so the rules are given without their TIME patterns: the model's dates
        # are then its own
        from annotator.nlp.pipeline import DEFAULT_PATTERNS

        no_time = tmp_path / "no-time.jsonl"
        no_time.write_text("".join(line + "\n" for line in DEFAULT_PATTERNS.read_text(encoding="utf-8").splitlines()
                                   if line.strip() and json.loads(line)["label"] != "TIME"), encoding="utf-8")
        anyway = build_annotator(store.scheme, model=str(model), model_anyway=True, patterns=no_time)
        assert anyway.key != chosen.key and anyway.choice() == "the model and the rules for every label"
        texts = [store.documents.document(doc_id).text for doc_id in (1, 2, 3)]
    with Store(tmp_path / "anyway.db") as store:  # a project of its own: the rules' dates are not there first
        import_paths(store, [SAMPLES], tokenizer=tokenize)
        preannotate(store, anyway)
        sources = dict(store.conn.execute(
            "SELECT source, group_concat(DISTINCT label) FROM spans GROUP BY source").fetchall())
        assert set(sources) == {"rule", "model"} and "TIME" in sources["model"].split(","), sources
        assert "TIME" not in sources["rule"].split(","), sources
    # one suggestion per stretch and label, whichever found it: asked of the pipeline itself (the store's
    # unique index would hide repeats), where the model and the rules both find some of the same spans
    shared = 0
    for text in texts:
        doc = anyway.nlp(text)
        model_found = {(sp.start_char, sp.end_char, sp.label_) for sp in doc.spans.get("sc", [])}
        rule_found = {(s, e, lb) for s, e, lb, _ in doc.user_data.get("annotator_rules", ())}
        shared += len(model_found & rule_found)
        keys = [sp.key for sp in anyway.suggestions(doc)]
        assert len(keys) == len(set(keys))
        assert all(sp.source is Source.RULE for sp in anyway.suggestions(doc) if sp.key in rule_found)
    assert shared
    # the command line prints the comparison and the choice
    r = CliRunner().invoke(cli, ["preannotate", "--db", str(fresh), "--model", str(model), "--all"])
    assert r.exit_code == 0 and "suggestions from the rules alone" in r.output


def test_training_that_learns_nothing_keeps_nothing(tmp_path):
    """A model that finds nothing on its dev articles (here they hold only a label the training article does
    not) is never kept: spaCy would keep the model of its first step as "best", as it did on 30 real articles
    that scored 0.00 at every step. annotator says so and saves nothing."""
    from annotator.core.model import Document, Record

    db = tmp_path / "p.db"
    with Store(db) as store:
        store.documents.add_records([Record(Document("Rebels attacked the base. " * 20)),
                                     Record(Document("They met in Kyiv and Paris. " * 20))], who="ed")
        for doc_id, word, label in ((1, "attacked", "ATTACK"), (2, "Kyiv", "PLACE")):
            text = store.documents.document(doc_id).text
            at = 0
            while (at := text.find(word, at)) >= 0:
                store.annotations.add_span(doc_id, at, at + len(word), label, "ed")
                at += len(word)
            store.annotations.set_answer(doc_id, Answer.ACCEPT, "ed")
        with pytest.raises(TrainingError, match="learned nothing: F1 0.00"):
            train(store, tmp_path / "models" / "news", tokenizer=tokenize, epochs=5, split=0.5,
                  log=lambda s: None)
    assert not (tmp_path / "models" / "news").exists() and not list((tmp_path / "models").glob(".*"))


def test_each_label_goes_to_whichever_scored_best_on_dev():
    from annotator.workflows.training import choose_sources

    def ways(rules, model, both, gold=5.0):
        return {"rules": {"f": rules, "gold": gold}, "model": {"f": model, "gold": gold},
                "both": {"f": both, "gold": gold}}

    assert choose_sources({"ATTACK": ways(0.5, 0.7, 0.6), "PLACE": ways(0.5, 0.4, 0.6), "TIME": ways(0.9, 0.2, 0.8),
                           "DEATH": ways(0.5, 0.5, 0.5), "TALKS": ways(0.0, 0.3, 0.3, gold=0.0),
                           "(all)": ways(0, 0, 0)}) == {
        "ATTACK": "model", "PLACE": "both", "TIME": "rules", "DEATH": "rules", "TALKS": "rules"}



def test_a_label_goes_to_the_model_only_where_it_wins_by_more_than_one_dev_span():
    """On a team's few dev articles one span is chance: a win smaller than what one more right span would add to
    the rules' F1 (2 / (predicted + gold)) leaves the label to the rules. Measured by bench_quality.py --cv: the
    choices such wins made (PLACE by 0.006 on 57 dev spans, CASUALTIES by one span of 10) lost on held-out."""
    from annotator.workflows.training import _prf as scores  # the dev scores training itself makes
    from annotator.workflows.training import choose_sources, one_span

    rules = scores(43, 56, 57)  # F1 0.761; one more right span: 0.770
    assert one_span(rules) == pytest.approx(2 / (56 + 57))
    assert choose_sources({"PLACE": {"rules": rules, "both": scores(44, 58, 57), "model": scores(20, 40, 57)}}) == {
        "PLACE": "rules"}  # 0.765: by less than a span
    assert choose_sources({"PLACE": {"rules": rules, "both": scores(46, 57, 57), "model": scores(20, 40, 57)}}) == {
        "PLACE": "both"}  # 0.807: by more than a span
    # the rules suggesting nothing of a label: one right span is worth 2 / gold
    none = scores(0, 0, 10)
    assert one_span(none) == pytest.approx(0.2)
    assert choose_sources({"AMOUNT": {"rules": none, "both": scores(1, 1, 10), "model": scores(1, 1, 10)}}) == {
        "AMOUNT": "rules"}
    assert choose_sources({"AMOUNT": {"rules": none, "both": scores(2, 2, 10), "model": scores(2, 2, 10)}}) == {
        "AMOUNT": "both"}
    # rules that suggest ten of a label and get none right: one span is worth 2 / (10 + 10), not 2 / 10
    wrong = scores(0, 10, 10)
    assert one_span(wrong) == pytest.approx(0.1)
    assert choose_sources({"AMOUNT": {"rules": wrong, "both": scores(1, 12, 10), "model": scores(1, 12, 10)}}) == {
        "AMOUNT": "rules"}  # F1 0.09: by less than a span
    assert choose_sources({"AMOUNT": {"rules": wrong, "both": scores(1, 1, 10), "model": scores(1, 1, 10)}}) == {
        "AMOUNT": "both"}  # F1 0.18: by more than a span


def test_the_threshold_is_the_one_that_scores_best_on_dev(monkeypatch, tmp_path):
    """_calibrate tries each threshold on the dev articles, keeps the best F1 (of equal ones the nearest 0.5) and
    leaves it set on the span categoriser, which saves it with the model."""
    from annotator.workflows import training

    class Spancat:
        cfg = {"threshold": 0.5}

    class Pipeline:
        pipe_names = ["tok2vec", "spancat"]
        spancat = Spancat()

        def get_pipe(self, name):
            return self.spancat

        def evaluate(self, examples):  # F1 by threshold: best at 0.2 and 0.3 alike
            return {"spans_sc_f": {0.2: 0.6, 0.3: 0.6, 0.5: 0.4}.get(self.spancat.cfg["threshold"], 0.1)}

    monkeypatch.setattr("spacy.training.Corpus", lambda path: (lambda nlp: []))
    nlp = Pipeline()
    report = training.TrainReport(output=tmp_path)
    training._calibrate(nlp, tmp_path / "dev.spacy", report)
    assert report.threshold == 0.3 and nlp.spancat.cfg["threshold"] == 0.3


def test_retraining_replaces_the_earlier_model(accepted, trained, tmp_path):
    db = tmp_path / "p.db"
    shutil.copy(accepted, db)
    lines: list[str] = []
    out = tmp_path / "models" / "news"
    shutil.copytree(trained[1], out)  # a model `annotator train` made earlier, from another copy of the project
    earlier = json.loads((out / "meta.json").read_text())["annotator"]
    with Store(db) as store:
        again = train(store, out, tokenizer=tokenize, epochs=30, patience=5, log=lines.append)
    assert again.train_articles + again.dev_articles == 12 and again.train_articles > again.dev_articles >= 1
    assert any("Ctrl+C stops" in line for line in lines)
    assert 1 <= again.epochs <= 30  # never more than --epochs
    assert again.table()[0].split() == ["label", "P", "R", "F1"]
    assert again.choice_table()[0].split() == ["label", "gold", "rules", "model", "both", "used"]
    meta = json.loads((out / "meta.json").read_text())["annotator"]
    assert earlier["database"] != str(db) and meta["database"] == str(db)  # the new model, not the earlier one
    assert meta["epochs"] == again.epochs and meta["trained_at"] >= earlier["trained_at"]
    assert not list((tmp_path / "models").glob(".*"))  # nothing of the earlier model or the run left beside it


def test_ctrl_c_keeps_the_best_model_so_far(accepted, tmp_path, monkeypatch):
    import spacy.cli.train as spacy_train_module

    real = spacy_train_module.train

    def interrupted(config_path, output_path, **kw):
        real(config_path, output_path, overrides={"training.max_epochs": 20}, **kw)  # learns, then Ctrl+C
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


def test_sentence_examples_keep_each_span_in_its_sentence(tmp_path):
    """--examples sentences: the training articles become one example a sentence, each with the spans inside it;
    a span across two sentences keeps them together, and a paragraph break ends a sentence."""
    from spacy.tokens import DocBin, Span

    from annotator.workflows.training import _split_into_sentences

    nlp = spacy.blank("en")
    text = "Troops attacked the town. Five were killed. Smoke rose.\n\nTalks on Monday. Mr. A met B"
    doc = nlp(text)

    def span(words: str, label: str) -> Span:
        start = text.index(words)
        return doc.char_span(start, start + len(words), label=label)

    doc.spans["sc"] = [span("attacked", "ATTACK"), span("Five", "CASUALTIES"), span("killed", "DEATH"),
                       span("Monday", "TIME"), span("killed. Smoke", "DAMAGE")]  # across a full stop
    path = tmp_path / "train.spacy"
    DocBin(docs=[doc], store_user_data=False).to_disk(path)
    _split_into_sentences(path)
    parts = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    got = [(p.text.strip(), sorted((s.text, s.label_) for s in p.spans["sc"])) for p in parts]
    assert got == [
        ("Troops attacked the town.", [("attacked", "ATTACK")]),
        ("Five were killed. Smoke rose.", [("Five", "CASUALTIES"), ("killed", "DEATH"), ("killed. Smoke", "DAMAGE")]),
        ("Talks on Monday.", [("Monday", "TIME")]),
        ("Mr. A met B", []),
    ]


def test_patience_is_counted_in_epochs_of_the_batchers_steps(tmp_path):
    """Patience counts epochs: the steps of an epoch are the config's batcher's (long articles a batch each,
    short sentences a hundred words a batch), so a few dozen long articles get as many epochs to find their first
    spans as a pile of short texts (issue 11: counted in evaluations of 10 steps, it stopped after 2 epochs)."""
    from annotator.workflows.training import _steps_per_epoch, make_config

    config = make_config(tmp_path / "t.spacy", tmp_path / "d.spacy", 5, 30, 5, [500] * 26, 0, False)
    assert _steps_per_epoch(config, [500] * 26) == 26
    assert 95 <= _steps_per_epoch(config, [10] * 1000) <= 100
    # 26 long articles: evaluated every 13 steps, stopped after 5 epochs (130 steps) without progress
    assert (config["training"]["eval_frequency"], config["training"]["patience"]) == (13, 130)
    short = make_config(tmp_path / "t.spacy", tmp_path / "d.spacy", 5, 30, 5, [10] * 1000, 0, False)
    assert short["training"]["patience"] == 5 * _steps_per_epoch(short, [10] * 1000)


def test_rules_own_links_accepted_leave_no_link_model(trained):
    """The editors accepted the rule's links as they were: the rule is perfect on the dev articles, the link
    model cannot beat it, and none is saved (pre-annotation keeps the rule's links)."""
    _, model = trained
    assert not (model / "annotator_links.json").exists()
    assert "links" not in json.loads((model / "meta.json").read_text())["annotator"]
    assert build_annotator(load_scheme(), model=str(model)).link_model is None


def _team_project(db: Path) -> None:
    """Fifteen short reports whose editors link the town after "near" as the attack's place, where the rule
    takes the nearer dateline; accepted, with their spans and links."""
    from annotator.core.model import Document, Link, Record, Span, SpanState
    from tests.core.test_link_model import articles

    records = []
    for ex in articles() + articles(shift=9)[:1]:
        spans = [Span(s, e, lb, Source.EDITOR, SpanState.ACCEPTED) for s, e, lb in ex.spans]
        records.append(Record(Document(ex.text, answer=Answer.ACCEPT), spans,
                              links=[Link(e, a, role) for e, a, role in sorted(ex.links)]))
    with Store(db) as store:
        store.documents.add_records(records, who="ed")


def test_train_learns_the_teams_links_and_preannotate_suggests_them(tmp_path):
    """`annotator train` learns links from the accepted ones beside its span model, chooses per role on its dev
    articles, prints the choice and saves the link model in the model's folder; `preannotate --model` then
    suggests the team's place (the town after "near") on a new article, where the rules suggest no place (the
    shipped scheme has them link in other roles: their nearest span would be the dateline)."""
    db = tmp_path / "team.db"
    _team_project(db)
    r = CliRunner().invoke(cli, ["train", "--db", str(db), "--output", str(tmp_path / "m"), "--epochs", "8",
                                 "--patience", "8", "--split", "0.6"])
    assert r.exit_code == 0, r.output
    assert "link model: learned from" in r.output
    assert any(line.split()[:1] == ["place"] and line.split()[-1].startswith("model") for line in
               r.output.splitlines())
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())["annotator"]
    assert meta["links"]["roles"]["place"] == "model"
    assert (tmp_path / "m" / "annotator_links.json").is_file()

    (tmp_path / "new.txt").write_text("Baghdad — Gunmen attacked a checkpoint near Mosul on Monday.\n")
    runner = CliRunner()
    for n, model_args in enumerate(([], ["--model", str(tmp_path / "m")])):  # a new project each
        fresh = tmp_path / f"fresh{n}.db"
        assert runner.invoke(cli, ["import", "--db", str(fresh), str(tmp_path / "new.txt")]).exit_code == 0
        r = runner.invoke(cli, ["preannotate", "--db", str(fresh), "--all", *model_args])
        assert r.exit_code == 0, r.output
        with Store(fresh, readonly=True) as store:
            rows = store.conn.execute(
                "SELECT l.role, l.source, d.text, a.start, a.end FROM links l JOIN spans a ON a.id = l.arg_id "
                "JOIN documents d ON d.id = l.doc_id WHERE l.state = 'suggested' AND l.role = 'place'").fetchall()
        places = {(text[s:e], source) for _, source, text, s, e in rows}
        assert places == (set() if not model_args else {("Mosul", "model")})


def test_a_damaged_link_model_file_is_named_not_a_traceback(tmp_path):
    folder = tmp_path / "m"
    spacy.blank("en").to_disk(folder)
    (folder / "annotator_links.json").write_text('{"version": 1, "weights": {"a": "x"}, "roles": {}, '
                                                 '"threshold": 0.5}')
    db = tmp_path / "p.db"
    (tmp_path / "a.txt").write_text("Gunmen attacked a checkpoint near Mosul on Monday.\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["import", "--db", str(db), str(tmp_path / "a.txt")]).exit_code == 0
    r = runner.invoke(cli, ["preannotate", "--db", str(db), "--model", str(folder)])
    assert r.exit_code == 2 and "annotator_links.json: not a link model" in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    (folder / "annotator_links.json").unlink()  # without it: the rule's links, and no error
    assert runner.invoke(cli, ["preannotate", "--db", str(db), "--model", str(folder)]).exit_code == 0
