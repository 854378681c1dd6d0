"""`annotator queue`: the articles to work on, as the window's queue lists them (by id, or most useful first)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from annotator.cli_shared import DB_OPTION, open_store


@click.command()
@DB_OPTION
@click.option("--answer", type=click.Choice(["pending", "accept", "reject", "ignore", "all"]), default="pending",
              show_default=True, help="Which articles: by their answer.")
@click.option("--label", default=None, help="Only articles showing a span of this label (rejected spans do not count).")
@click.option("--search", "words", default=None, help="Only articles holding these words.")
@click.option("--order", type=click.Choice(["id", "uncertain"]), default="id", show_default=True,
              help="id: as imported; uncertain: the pending articles a trained model judged most useful to correct "
                   "first (it is least sure of them, or disagrees most with the rules), then the others.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, None), help="How many to list.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def queue(db_path: Path, answer: str, label: str | None, words: str | None, order: str, limit: int,
          as_json: bool) -> None:
    """List the articles to work on, as the window's queue shows them."""
    from annotator.store.documents import USEFUL

    if order == "uncertain" and answer != "pending":
        raise click.UsageError("--order uncertain lists pending articles (the ones left to correct)")
    with open_store(db_path, reading=True) as store:
        if label is not None and label not in store.scheme.names:
            raise click.UsageError(f"unknown label {label!r}; the project's labels: "
                                   f"{', '.join(lb.name for lb in store.scheme.labels)}")
        which = USEFUL if order == "uncertain" else (None if answer == "all" else answer)
        ids = store.documents.document_ids(0, limit, which, words, label=label)
        rows = store.documents.document_rows(ids)
        useful = store.documents.usefulness(ids)
        judged = store.documents.judged() if order == "uncertain" else None
    if as_json:
        for i in ids:
            r = rows[i]
            click.echo(json.dumps({"id": r.id, "title": r.title, "answer": r.answer, "spans": r.n_spans,
                                   "usefulness": useful.get(i)}, ensure_ascii=False))
        return
    if judged == 0:
        click.echo("no pending article is judged yet: pre-annotate with a trained model (annotator preannotate "
                   "--model MODEL) to order them; listed in id order", err=True)
    for i in ids:
        r = rows[i]
        title = " ".join((r.title or f"Document {r.id}").split())  # one line each, whatever the title holds
        figure = f"{useful[i]:>7.2f}  " if i in useful else ("      -  " if order == "uncertain" else "")
        click.echo(f"{r.id:>8}  {figure}{r.answer:<8}{r.n_spans:>5}  {title}")
