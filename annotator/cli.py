"""The command line: a thin layer over the same functions the window uses."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from annotator import __version__
from annotator.cli_queue import queue
from annotator.cli_shared import _CURRENT_DB, DB_OPTION, EDITOR_OPTION, editor_name, open_store, progress_bar
from annotator.cli_training import pretrain, train
from annotator.core.effort import effort_lines
from annotator.core.errors import AnnotatorError
from annotator.core.formats import EFFORT_FORMAT, EXPORT_FORMATS, IMPORT_FORMATS
from annotator.core.labels import load_scheme
from annotator.core.model import Answer

SHOW_REJECTIONS = 10  # per file; the rest are counted
class Group(click.Group):
    """Turns the project's own errors into one clear line and exit status 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AnnotatorError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except sqlite3.Error as exc:  # met while reading: the same words as the store's own errors
            from annotator.store import sqlite_error

            where = _CURRENT_DB[0] if _CURRENT_DB else Path("the project database")
            click.echo(f"error: {sqlite_error(where, exc)}", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("\ninterrupted: everything saved before the interruption is kept", err=True)
            ctx.exit(130)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="annotator")
def cli() -> None:
    """annotator: spaCy suggests event spans in news articles, editors correct them, exports train models."""


@cli.command()
@DB_OPTION
@click.option("--scheme", default=None, help="A label scheme: a name from resources/schemas or a TOML file.")
def init(db_path: Path, scheme: str | None) -> None:
    """Create a project database (with the default scheme, or --scheme), or update its labels."""
    existed = db_path.exists()
    with open_store(db_path, scheme=scheme) as store:
        if existed and scheme:
            store.set_scheme(load_scheme(scheme))
        s = store.scheme
        click.echo(f"{db_path}: scheme {s.name} with {len(s.labels)} labels "
                   f"({len(s.of_kind('event'))} event, {len(s.of_kind('argument'))} argument)")


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@DB_OPTION
@click.option("--format", "fmt", default=None,
              type=click.Choice(IMPORT_FORMATS),
              help="The input format (detected when not given).")
@click.option("--text-column", default="text", show_default=True, help="The field or column holding the text.")
@click.option("--label-column", default="label", show_default=True, help="doccano: the field holding the spans.")
@click.option("--strict", is_flag=True, help="Import all or nothing: any bad record rolls the whole import back.")
@click.option("--add-labels", is_flag=True, help="Add labels the scheme does not know instead of rejecting them.")
@click.option("--snap-to-tokens", is_flag=True,
              help="Widen spans that cut through a token to whole tokens instead of rejecting the record.")
@click.option("--answer", type=click.Choice(["accept", "reject", "ignore"]), default=None,
              help="Mark every imported document with this answer (its spans become accepted with 'accept').")
@click.option("--scheme", default=None, help="The label scheme of a new database.")
@EDITOR_OPTION
def import_cmd(paths: tuple[Path, ...], db_path: Path, fmt: str | None, text_column: str, label_column: str,
               strict: bool, add_labels: bool, snap_to_tokens: bool, answer: str | None,
               scheme: str | None, editor: str | None) -> None:
    """Import articles: text files, folders, JSONL, CSV, Prodigy, doccano, Label Studio, brat, CoNLL, spaCy."""
    from annotator.formats import ReadOptions
    from annotator.nlp.pipeline import tokenize
    from annotator.workflows.importing import import_paths

    shown: Counter[str] = Counter()  # rejections told per file: the first few, then a count

    def show(error: Any) -> None:
        where = str(getattr(error, "path", "") or "")
        shown[where] += 1
        if shown[where] <= SHOW_REJECTIONS:
            click.echo(f"rejected: {error}", err=True)

    with open_store(db_path, scheme=scheme, writing=True) as store, progress_bar("importing") as update:
        report = import_paths(
            store, list(paths), fmt, ReadOptions(text_column=text_column, label_column=label_column),
            strict=strict, add_labels=add_labels, answer=Answer(answer) if answer else None,
            snap_to_tokens=snap_to_tokens,
            who=editor_name(editor), tokenizer=tokenize, on_error=show, on_progress=update,
        )
    for where, n in shown.items():
        if n > SHOW_REJECTIONS:
            click.echo(f"rejected: … and {n - SHOW_REJECTIONS} more in {where or 'the input'}", err=True)
    if report.new_labels:
        click.echo(f"added labels: {', '.join(report.new_labels)}")
    if report.new_roles:
        click.echo(f"added roles: {', '.join(report.new_roles)}")
    if report.snapped:
        click.echo(f"widened {report.snapped} span(s) to whole tokens")
    if report.trimmed:
        click.echo(f"note: {report.trimmed} span(s) started or ended on whitespace; narrowed to their words")
    for what, n in sorted(report.kept_aside.items()):
        click.echo(f"note: {n} {what}")
    if report.rolled_back:
        click.echo(f"--strict: {report.rejected} record(s) rejected, so nothing was imported", err=True)
        sys.exit(1)
    click.echo(
        f"imported {report.added} document(s) with {report.spans} span(s)"
        + (f" and {report.links} link(s)" if report.links else "") + f" from {report.files} file(s); "
        f"{report.duplicates} duplicate(s) skipped; {report.rejected} rejected"
    )
    if report.rejected:
        sys.exit(1)


@cli.command()
@click.option("--db", "db_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="The project database (not needed with --input and --output).")
@click.option("--model", default=None, help="An installed spaCy pipeline (package name or path) to add.")
@click.option("--patterns", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="A pattern file (JSONL of {label, pattern}); default: resources/patterns/conflict-news.jsonl.")
@click.option("--no-rules", is_flag=True, help="Use only --model, not the rule patterns.")
@click.option("--model-anyway", is_flag=True,
              help="With --model and the rules: the model's suggestions for every label, even where it scored "
                   "below the rules on its dev articles.")
@click.option("--n-process", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes for spaCy.")
@click.option("--batch-size", default=64, show_default=True, type=click.IntRange(1, 10000))
@click.option("--all", "all_docs", is_flag=True, help="Also the documents already answered.")
@EDITOR_OPTION
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: this machine (--n-process); ray: a Ray cluster (pip install 'annotator[ray]').")
@click.option("--address", default=None,
              help="--engine ray: the cluster (auto, HOST:PORT or ray://HOST:PORT); default: a local Ray.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 100000),
              help="--engine ray: how many workers run the pipeline (one CPU each).")
@click.option("--input", "inputs", multiple=True,
              help="--engine ray without a project: shards to read (files, folders or a quoted pattern such as "
                   "'corpus/*.jsonl'); needs --output.")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --input: the folder of suggestions, one Prodigy JSONL file per shard.")
def preannotate(db_path: Path | None, model: str | None, patterns: Path | None, no_rules: bool,
                model_anyway: bool, n_process: int,
                batch_size: int, all_docs: bool, editor: str | None, engine: str, address: str | None,
                workers: int, inputs: tuple[str, ...], output: Path | None) -> None:
    """Suggest spans with spaCy for every document the pipeline has not seen yet (resumable)."""
    from annotator.nlp import build_annotator
    from annotator.workflows.preannotating import preannotate as run

    if inputs or output:
        if not (inputs and output) or engine != "ray" or db_path:
            raise click.UsageError("--input and --output go together, with --engine ray and without --db")
        _preannotate_files([Path(p) for p in inputs], output, model, patterns, no_rules, address, workers,
                           batch_size, model_anyway)
        return
    if db_path is None:
        raise click.UsageError("Missing option '--db' (or --input and --output with --engine ray).")
    if engine == "local" and (address or workers != 2):
        raise click.UsageError("--address and --workers go with --engine ray (the local engine has --n-process)")
    with open_store(db_path, create=False, writing=True) as store:
        annotator = build_annotator(store.scheme, model=model, patterns=patterns, use_rules=not no_rules,
                                    model_anyway=model_anyway)
        if annotator.use_model:
            click.echo(f"suggestions from {annotator.choice()}")
        total = store.suggestions.count_unannotated(annotator.key, only_pending=not all_docs)
        with progress_bar("pre-annotating", total=total) as update:
            if engine == "ray":
                from annotator.workflows.on_ray import preannotate_on_ray

                report = preannotate_on_ray(store, annotator, address=address, workers=workers,
                                            batch_size=batch_size, only_pending=not all_docs,
                                            who=editor_name(editor), on_progress=update)
            else:
                report = run(store, annotator, n_process=n_process, batch_size=batch_size,
                             only_pending=not all_docs, who=editor_name(editor), on_progress=update)
    click.echo(f"pre-annotated {report.documents} document(s) with {annotator.key}: "
               f"{report.suggestions} new suggestion(s)")
    _say_failures([(f"document {doc_id}", reason) for doc_id, reason in report.failed])


def _say_failures(failed: list[tuple[str, str]], after: str = "a later run tries these again") -> None:
    if not failed:
        return
    click.echo(f"could not pre-annotate {len(failed)} document(s) (the others went on; {after}):", err=True)
    for where, reason in failed[:10]:
        click.echo(f"  {where}: {reason}", err=True)
    if len(failed) > 10:
        click.echo(f"  … and {len(failed) - 10} more", err=True)
    sys.exit(1)


def _preannotate_files(inputs: list[Path], output: Path, model: str | None, patterns: Path | None,
                       no_rules: bool, address: str | None, workers: int, batch_size: int,
                       model_anyway: bool = False) -> None:
    from annotator.workflows.on_ray import preannotate_files

    spec = {"scheme": load_scheme(), "model": model, "patterns": patterns, "use_rules": not no_rules,
            "model_anyway": model_anyway}
    with progress_bar("pre-annotating") as update:
        report = preannotate_files(inputs, output, spec, address=address, workers=workers,
                                   batch_size=batch_size, on_progress=update)
    click.echo(f"{report.shards} shard(s): {report.skipped} already done, {len(report.written)} written to "
               f"{output} ({report.documents} article(s), {report.suggestions} suggestion(s) with "
               f"{report.pipeline}); bring them into a project with: annotator import {output} --db DB")
    for error in report.errors[:SHOW_REJECTIONS]:
        click.echo(f"  {error}", err=True)
    if len(report.errors) > SHOW_REJECTIONS:
        click.echo(f"  … and {len(report.errors) - SHOW_REJECTIONS} more record(s) that could not be read", err=True)
    _say_failures(report.failed, "they are left out of their shard's output")
    if report.errors:
        sys.exit(1)


@cli.command()
@DB_OPTION
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="The file (brat: folder) to write (default: exports/<database name> and the format's ending).")
@click.option("--format", "fmt", type=click.Choice([*EXPORT_FORMATS, EFFORT_FORMAT]), default="prodigy",
              show_default=True, help="prodigy JSONL, doccano JSONL (label triples or entities/relations), "
              "label-studio JSON, brat standoff folder, conll IOB2, spacy DocBin; or effort: the editors' work per "
              "article (JSONL), no annotations.")
@click.option("--include-pending", is_flag=True, help="Also the unanswered documents, with their suggestions.")
@click.option("--labels", default=None, help="Only these labels (comma-separated).")
@click.option("--split", type=float, default=None,
              help="Write train and dev files, this fraction of the articles in train (e.g. 0.8).")
@click.option("--seed", type=int, default=0, show_default=True, help="Which articles --split puts where.")
@click.option("--layer", type=click.Choice(["gold"]), default=None,
              help="The project's own annotations (the default; in a team's project, the reviewed gold layer).")
@click.option("--editor", "layer_editor", default=None,
              help="A team's project: this editor's merged work instead of the gold layer.")
@click.option("--force", is_flag=True, help="Replace the output if it exists (never a database, device or pipe).")
def export(db_path: Path, output: Path | None, fmt: str, include_pending: bool, labels: str | None,
           split: float | None, seed: int, layer: str | None, layer_editor: str | None, force: bool) -> None:
    """Export answered documents with their accepted spans (Prodigy JSONL by default, or --format)."""
    from annotator.nlp.pipeline import tokenize
    from annotator.workflows.exporting import export as run

    label_list = [x.strip() for x in labels.split(",") if x.strip()] if labels else None
    if layer and layer_editor:
        raise click.UsageError("--layer gold and --editor name two different layers; choose one")
    with open_store(db_path, reading=True) as store:
        with progress_bar("exporting") as update:
            report = run(store, output, fmt=fmt, include_pending=include_pending, labels=label_list,
                         tokenizer=tokenize, split=split, seed=seed, on_progress=update, editor=layer_editor,
                         overwrite=force)
    for line in report.lines():
        click.echo(line)


@cli.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON (the effort figures included).")
@click.option("--effort", is_flag=True, help="Where the work goes: each editor's active time and pace, what the "
              "suggestions saved per label, rule pattern and model, the articles flagged for a look, and the work "
              "with and without suggestions.")
def stats(db_path: Path, as_json: bool, effort: bool) -> None:
    """Documents by answer, spans by label and state, work per editor (--effort: where the work goes)."""
    with open_store(db_path, reading=True) as store:
        figures = store.exports.stats()
        figures["effort"] = store.effort.figures()
        flagged = store.effort.flagged(limit=20) if effort else []
        scheme = store.scheme
    if as_json:
        click.echo(json.dumps(figures, indent=2, ensure_ascii=False))
        return
    if effort:
        for line in effort_lines(figures["effort"], flagged):
            click.echo(line)
        return
    click.echo(f"{db_path}: {figures['documents']} document(s)")
    answered = figures["documents"] - figures["by_answer"]["pending"]
    click.echo(f"  answered {answered}: " + ", ".join(
        f"{name} {figures['by_answer'][a]}" for a, name in
        (("accept", "accepted"), ("reject", "rejected"), ("ignore", "skipped"), ("pending", "pending"))))
    click.echo("spans by label (suggested / accepted / rejected):")
    for label in scheme.labels:
        counts = figures["spans"].get(label.name, {})
        click.echo(f"  {label.name:<12} {counts.get('suggested', 0):>7} {counts.get('accepted', 0):>7} "
                   f"{counts.get('rejected', 0):>7}")
    if figures["editors"]:
        click.echo("editors:")
        for who, counts in sorted(figures["editors"].items()):
            parts = [f"{k} {v}" for k, v in sorted(counts.items())]
            click.echo(f"  {who}: {', '.join(parts)}")
    for key, n in figures["preannotated"].items():
        click.echo(f"pre-annotated by {key}: {n}")


@cli.command()
@DB_OPTION
@click.option("--hide-suggestions", "share", type=click.FloatRange(0, 0.5), default=None,
              help="Show this share of the articles (0 to 0.5, e.g. 0.1) without suggestions, to measure the work "
                   "with and without them (`annotator stats --effort`); 0 shows them everywhere.")
@click.option("--seed", default=None, help="Which articles --hide-suggestions chooses (every editor's file hides the "
                                            "same ones).")
@EDITOR_OPTION
def settings(db_path: Path, share: float | None, seed: str | None, editor: str | None) -> None:
    """The project's settings: the share of articles shown without suggestions."""
    changing = share is not None or seed is not None
    with open_store(db_path, create=False, reading=not changing, writing=changing) as store:
        old_share, old_seed = store.effort.hide_setting()
        if changing:
            store.effort.set_hide(old_share if share is None else share, old_seed if seed is None else seed,
                                  who=editor_name(editor))
        share, seed = store.effort.hide_setting()
    click.echo(f"{db_path}: suggestions hidden on {share:.0%} of the articles (seed {seed})")


def _names(value: str | None) -> list[str] | None:
    return [x.strip() for x in value.split(",") if x.strip()] if value else None


@cli.command()
@DB_OPTION
@click.option("--editors", required=True, help="The editors, comma-separated (e.g. ana,ben,chen).")
@click.option("--overlap", default=1, show_default=True, type=int, help="How many editors each article goes to.")
@click.option("--seed", default=0, show_default=True, type=int, help="How ties between equally busy editors fall.")
@EDITOR_OPTION
def assign(db_path: Path, editors: str, overlap: int, seed: int, editor: str | None) -> None:
    """Assign every article not yet assigned to --overlap of the editors, balanced."""
    with open_store(db_path, create=False, writing=True) as store:
        given = store.team.assign(_names(editors) or [], overlap, seed, editor_name(editor))
        total = store.team.assignments()
    if not any(given.values()):
        click.echo("every article is assigned already; nothing changed")
    for name, n in given.items():
        click.echo(f"{name}: {n} article(s) now, {total.get(name, 0)} in all")


@cli.command()
@DB_OPTION
@click.option("--editor", required=True, help="The editor whose articles to pack.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The project file to write for them (must not exist).")
def pack(db_path: Path, editor: str, output: Path) -> None:
    """Write an editor's project file: their assigned articles, the labels and the suggestions, to carry to
    their desktop (open it there with annotator gui)."""
    from annotator.workflows.team import pack as run

    with open_store(db_path, create=False, reading=True) as store:
        n = run(store, editor, output, editor_name(None))
    click.echo(f"{output}: {n} article(s) for {editor}; merge it back with: "
               f"annotator merge {output} --into {db_path}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--into", "db_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The team's project database.")
@click.option("--editor", default=None,
              help="Whose work the files hold (default: the editor each was packed for, else each article's "
                   "answerer).")
@click.option("--add-labels", is_flag=True,
              help="Add the labels and roles the files use that the team's scheme lacks (else they are refused).")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
def merge(paths: tuple[Path, ...], db_path: Path, editor: str | None, add_labels: bool, as_json: bool) -> None:
    """Merge editors' project files into the team's project, each editor's work as their own layer."""
    from annotator.nlp.pipeline import tokenize
    from annotator.workflows.team import merge as run

    done: list[dict] = []

    def said(r: Any) -> None:
        if as_json:
            done.append(r.as_dict())
            return
        _say_merge(r)

    try:
        with open_store(db_path, create=False, writing=True) as store:
            run(store, list(paths), editor, editor_name(None), tokenizer=tokenize, add_labels=add_labels,
                on_report=said)
    finally:
        if as_json:
            click.echo(json.dumps(done, indent=2, ensure_ascii=False))


def _say_merge(r: Any) -> None:
    figures = r.as_dict()["editors"]
    if not any(any(v.values()) for v in figures.values()):
        click.echo(f"{r.path}: nothing new")
        return
    for name, f in figures.items():
        gone = f", {f['removed']} taken out (no longer in the file)" if f["removed"] else ""
        click.echo(f"{r.path}: {name}: {f['articles']} article(s) ({f['new_articles']} new to the team), "
                   f"{f['answers']} answer(s), {f['spans']} span(s), {f['links']} link(s), "
                   f"{f['changes']} change(s){gone}")
    if r.labels_added:
        click.echo(f"  labels added from the file: {', '.join(r.labels_added)}")
    if r.conflicts:
        click.echo(f"  {len(r.conflicts)} conflict(s): changed differently in two files of one editor, the "
                   "later change kept:")
        for c in r.conflicts[:50]:
            click.echo(f"    {c.editor}, article {c.doc_id}, {c.what} {c.item}: kept {c.kept}, set aside "
                       f"{c.other}")
        if len(r.conflicts) > 50:
            click.echo(f"    ... and {len(r.conflicts) - 50} more (--json lists all)")


@cli.command()
@DB_OPTION
@click.option("--threshold", default=1.0, show_default=True, type=float,
              help="The share of an article's editors that must agree for a span or link to go into gold at once.")
@click.option("--article", "doc_id", type=int, default=None, help="Decide one article (with --take or --answer).")
@click.option("--take", "take_editor", default=None, help="With --article: take this editor's version of what is "
              "left to decide.")
@click.option("--answer", type=click.Choice(["accept", "reject", "ignore"]), default=None,
              help="With --article: answer it in gold (accept takes the spans and links accepted).")
@EDITOR_OPTION
def review(db_path: Path, threshold: float, doc_id: int | None, take_editor: str | None, answer: str | None,
           editor: str | None) -> None:
    """Prepare the gold layer from the merged editors' work (what they agree on goes in at once, the rest is
    left to decide, worst agreement first in the window), or decide an article (--article with --take, --answer)."""
    who = editor_name(editor)
    with open_store(db_path, create=False, writing=True) as store:
        if doc_id is None:
            if take_editor or answer:
                raise click.UsageError("--take and --answer decide one article: name it with --article")
            r = store.team.prepare_review(threshold, who)
            click.echo(f"{r.articles} article(s) prepared: {r.settled} settled (every editor agreed), {r.disputed} "
                       f"left to decide; spans {r.spans_accepted} agreed, {r.spans_disputed} to decide; links "
                       f"{r.links_accepted} agreed, {r.links_disputed} to decide")
            if r.reopened:
                click.echo(f"{r.reopened} article(s) prepared earlier were prepared again: a later merge changed "
                           "their editors' work and the reviewer had not decided them yet")
            if r.waiting:
                who_ = ", ".join(f"{e} {n}" for e, n in sorted(r.waiting.items()))
                click.echo(f"{r.waiting_articles} article(s) wait for an assigned editor's answer and are not "
                           f"settled (missing: {who_}); merge their files, then review again")
            if r.changed_since:
                click.echo(f"{r.changed_since} article(s) prepared earlier have new work from their editors since; "
                           "they were left as they are (the reviewer's decisions stand)")
            return
        if not take_editor and not answer:
            raise click.UsageError(f"--article {doc_id}: say what to decide with --take EDITOR or --answer")
        if store.team.review_of(doc_id) is None:
            raise click.UsageError(f"article {doc_id} was not prepared for review (run annotator review first)")
        if take_editor:
            n = store.team.take(doc_id, take_editor, who)
            click.echo(f"article {doc_id}: {n} span(s) and link(s) decided as {take_editor} had them")
        if answer:
            store.annotations.set_answer(doc_id, answer, who, accept_suggested=False)
            click.echo(f"article {doc_id}: answered {answer} in gold")


def _figure(x: float | None) -> str:
    return "   -  " if x is None else f"{x:6.3f}"


@cli.command()
@DB_OPTION
@click.option("--labels", default=None, help="Only these labels (comma-separated).")
@click.option("--editors", default=None, help="Only these editors (comma-separated).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--worst", default=10, show_default=True, type=click.IntRange(0, 1_000_000),
              help="List this many articles, worst agreement first.")
def agreement(db_path: Path, labels: str | None, editors: str | None, as_json: bool, worst: int) -> None:
    """Agreement between the editors' merged work: span F1, Cohen's/Fleiss' kappa on tokens, Krippendorff's
    alpha, link F1; per pair, overall and per article."""
    from annotator.workflows.team import agreement as run

    with open_store(db_path, create=False, reading=True) as store:
        figures = run(store, _names(labels), _names(editors))
    if as_json:
        click.echo(json.dumps(figures, indent=2, ensure_ascii=False))
        return
    if not figures["articles_compared"]:
        click.echo(f"{db_path}: no article was accepted by two editors yet; nothing to compare "
                   f"(editors: {', '.join(figures['editors']) or 'none'})")
        return
    click.echo(f"{db_path}: {figures['articles_compared']} article(s) accepted by two editors or more")
    head = f"  {'label':<14} {'spans':>11} {'exact F1':>8} {'overl. F1':>9} {'kappa':>6} {'alpha':>6}"
    for pair in figures["pairs"]:
        a, b = pair["editors"]
        ans = pair["answers"]
        click.echo(f"{a} and {b}: {pair['articles']} article(s) both accepted; answers agree on {ans['agree']} of "
                   f"{ans['both_answered']} (kappa {_figure(ans['cohen_kappa']).strip()})")
        if pair["labels"]:
            click.echo(head)
        for name, f in pair["labels"].items():
            click.echo(f"  {name:<14} {f['spans'][0]:>5}/{f['spans'][1]:<5} {_figure(f['exact_f1']):>8} "
                       f"{_figure(f['overlap_f1']):>9} {_figure(f['cohen_kappa'])} {_figure(f['krippendorff_alpha'])}")
        click.echo(f"  links (event, argument, role): {pair['links']['triples'][0]}/{pair['links']['triples'][1]}, "
                   f"F1 {_figure(pair['links']['f1']).strip()}")
    overall = figures["overall"]
    click.echo(f"all editors: {'label':<10} {'exact F1':>8} {'Fleiss k':>8} {'alpha':>6}")
    for name, f in overall["labels"].items():
        click.echo(f"  {name:<22} {_figure(f['exact_f1']):>8} {_figure(f['fleiss_kappa']):>8} "
                   f"{_figure(f['krippendorff_alpha'])}")
    click.echo(f"  links F1 {_figure(overall['links']['f1']).strip()}")
    if worst:
        click.echo("worst agreement first (mean exact span F1 of its pairs, token kappa):")
        for art in figures["articles"][:worst]:
            click.echo(f"  article {art['doc_id']} {_figure(art['span_f1'])} {_figure(art['token_kappa'])}  "
                       f"{', '.join(art['editors'])}  {art['title'][:60]!r}")


@cli.command()
@DB_OPTION
@click.option("--samples", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of sample articles (default: resources/samples and resources/samples-long).")
def demo(db_path: Path, samples: Path | None) -> None:
    """Build a demo database from the sample articles (if it does not exist yet) and pre-annotate it: the twelve
    short ones, then two long wire reports of a war (many events, nested arguments, numbers)."""
    from annotator.nlp import build_annotator
    from annotator.nlp.pipeline import RESOURCES, tokenize
    from annotator.workflows.importing import import_paths
    from annotator.workflows.preannotating import preannotate as run

    if db_path.exists():
        click.echo(f"{db_path} exists; using it")
    with open_store(db_path) as store:
        if store.documents.count_documents() == 0:
            folders = [samples] if samples else [p for p in (RESOURCES / "samples", RESOURCES / "samples-long")
                                                 if p.is_dir()]
            report = import_paths(store, folders, tokenizer=tokenize, who="demo")
            click.echo(f"imported {report.added} sample article(s)")
            result = run(store, build_annotator(store.scheme), who="demo")
            click.echo(f"pre-annotated them: {result.suggestions} suggestion(s)")
    ctx = click.get_current_context()
    ctx.invoke(stats, db_path=db_path, as_json=False)


@cli.command()
@click.argument("db_path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def gui(db_path: Path | None) -> None:
    """Open the annotation window on a project (default: the last one, or the demo database)."""
    from annotator.gui.app import run

    sys.exit(run(str(db_path) if db_path else None, demo=Path("demo.db")))


cli.add_command(queue)
cli.add_command(pretrain)
cli.add_command(train)


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="annotator")


if __name__ == "__main__":  # pragma: no cover
    main()
