"""`annotator pretrain` and `annotator train`: the model that learns from the project's articles."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.cli_shared import DB_OPTION, open_store
from annotator.workflows.pretraining import WORDS_READ


@click.command()
@DB_OPTION
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file of the weights, e.g. models/tok2vec.bin (use it with train --init-tok2vec).")
@click.option("--epochs", default=None, type=click.IntRange(1, 10000),
              help=f"Passes over the articles (about 20 s each per 100,000 words on one core). Default: as many as "
                   f"read about {WORDS_READ:,} words (half an hour), at most 1,000.")
@click.option("--seed", default=0, show_default=True, type=int, help="spaCy's random seed.")
@click.option("--force", is_flag=True, help="Replace an existing file of weights.")
def pretrain(db_path: Path, output: Path, epochs: int | None, seed: int, force: bool) -> None:
    """Pre-train the model's token vectors on every article in the database, annotated or not (spaCy pretrain)."""
    from annotator.workflows.pretraining import pretrain as run
    from annotator.workflows.training import progress_wanted

    with open_store(db_path, reading=True) as store:
        report = run(store, output, epochs=epochs, seed=seed, force=force, log=click.echo,
                     show_table=progress_wanted())
    click.echo(f"saved to {output} ({report.articles:,} articles, {report.words:,} words, {report.epochs} epochs, "
               f"{report.seconds:.0f} s); train with: annotator train --db {db_path} --output models/NAME "
               f"--init-tok2vec {output}")


@click.command()
@DB_OPTION
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The folder of the trained pipeline, e.g. models/news (use it with preannotate --model).")
@click.option("--epochs", default=30, show_default=True, type=click.IntRange(1, 1000),
              help="At most this many passes over the training articles.")
@click.option("--patience", default=5, show_default=True, type=click.IntRange(1, 1000),
              help="Stop when the dev score has not improved for this many epochs.")
@click.option("--split", default=0.8, show_default=True, type=click.FloatRange(0, 1, min_open=True, max_open=True),
              help="The fraction of the accepted articles to train on; the rest is the dev set.")
@click.option("--seed", default=0, show_default=True, type=int, help="Which articles go to dev, and spaCy's seed.")
@click.option("--labels", default=None, help="Only these labels (comma-separated).")
@click.option("--examples", type=click.Choice(["sentences", "articles"]), default="sentences", show_default=True,
              help="Train on each sentence of the articles, or on whole articles (dev articles stay whole).")
@click.option("--init-tok2vec", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Start from the weights `annotator pretrain` wrote (learned from all the project's articles).")
def train(db_path: Path, output: Path, epochs: int, patience: int, split: float, seed: int,
          labels: str | None, examples: str, init_tok2vec: Path | None) -> None:
    """Train a spaCy span categoriser on the accepted articles; prints P/R/F1 per label (Ctrl+C stops early)."""
    from annotator.nlp.pipeline import tokenize
    from annotator.workflows.training import progress_wanted
    from annotator.workflows.training import train as run

    label_list = [x.strip() for x in labels.split(",") if x.strip()] if labels else None
    with open_store(db_path, reading=True) as store:
        report = run(store, output, tokenizer=tokenize, epochs=epochs, patience=patience, split=split, seed=seed,
                     labels=label_list, progress_bar=progress_wanted(), log=click.echo, examples=examples,
                     init_tok2vec=init_tok2vec)
    click.echo(f"dev articles: {report.dev_articles}; precision, recall and F1 per label (threshold "
               f"{report.threshold:g}, the best on them):")
    for line in report.table():
        click.echo("  " + line)
    click.echo("the rules, the model and both on the dev articles (F1), and what pre-annotation will use:")
    for line in report.choice_table():
        click.echo("  " + line)
    if report.worse_than_rules:
        click.echo("the model scored below the rules on every label: pre-annotation keeps to the rules "
                   "(preannotate --model-anyway uses it all the same)")
    click.echo(f"saved to {output} ({report.seconds:.0f} s); pre-annotate with: "
               f"annotator preannotate --db {db_path} --model {output}")
