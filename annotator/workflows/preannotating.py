"""Pre-annotation: run the pipeline over the documents it has not seen, store its suggestions.

Documents are read in id order and the results committed in groups: an interruption loses at most one group,
and the next run carries on where it stopped. A document is pre-annotated once per pipeline key, so running it
twice changes nothing. With `n_process` > 1, worker processes each build the pipeline once, read their chunk of
documents and save its results themselves (one transaction a chunk; SQLite queues the writers); this process
only hands out document ids."""

from __future__ import annotations

import gc
import multiprocessing
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.core.edits import AddSuggestions, apply
from annotator.core.model import Link, Span, Token
from annotator.core.tokens import pack_tokens, token_bounds, unpack_tokens
from annotator.nlp.pipeline import Annotator, build_annotator, packed_tokens
from annotator.store import Store

Row = tuple[int, str, bytes | None]
# doc id, tokens (None if it has some), suggested spans, suggested links (naming the spans by position), how
# useful the article is to correct next (None without a model: `Annotator.usefulness`)
Result = tuple[int, bytes | None, list[Span], list[Link], float | None]


@dataclass
class PreannotateReport:
    documents: int = 0
    suggestions: int = 0
    pipeline: str = ""
    cancelled: bool = False
    # articles the pipeline failed on: (document id, reason); the others went on, and a later run tries
    # these again
    failed: list[tuple[int, str]] = field(default_factory=list)


def pieces(text: str, limit: int) -> list[tuple[int, int]]:
    """(start, end) stretches of at most `limit` characters that cover the text, cut after a line break
    where there is one in the second half of a stretch, else after a space, else anywhere."""
    out, start, n = [], 0, len(text)
    while n - start > limit:
        end = start + limit
        cut = text.rfind("\n", start + limit // 2, end)
        if cut < 0:
            cut = text.rfind(" ", start + limit // 2, end)
        end = cut + 1 if cut >= 0 else end
        out.append((start, end))
        start = end
    out.append((start, n))
    return out


def _annotate_long(annotator: Annotator, text: str) -> tuple[bytes, list[Span], list[Link], float | None]:
    """Tokens and suggestions of a text longer than the pipeline's `max_length` (spaCy refuses those: a
    model's memory grows with the text), made piece by piece."""
    tokens: list[Token] = []
    spans: list[Span] = []
    links: list[Link] = []
    useful: list[tuple[float, int]] = []
    for start, end in pieces(text, annotator.nlp.max_length):
        doc = annotator.nlp(text[start:end])
        tokens += [Token(t.start + start, t.end + start, t.ws) for t in unpack_tokens(packed_tokens(doc))]
        found = annotator.suggestions(doc)
        for lk in annotator.link_suggestions(doc, found, text[start:end]):  # positions in the piece's spans, then
            # in all of them
            lk.event += len(spans)
            lk.argument += len(spans)
            links.append(lk)
        for sp in found:
            sp.start += start
            sp.end += start
        spans += found
        if (u := annotator.usefulness(doc)) is not None:
            useful.append((u, len(doc)))
    n = sum(size for _, size in useful)
    return pack_tokens(tokens), spans, links, (sum(u * size for u, size in useful) / n if n else None)


def _one(annotator: Annotator, text: str, doc: Any = None) -> tuple[bytes, list[Span], list[Link], float | None]:
    if doc is None:
        if len(text) > annotator.nlp.max_length:
            return _annotate_long(annotator, text)
        doc = annotator.nlp(text)
    spans = annotator.suggestions(doc)
    return packed_tokens(doc), spans, annotator.link_suggestions(doc, spans, text), annotator.usefulness(doc)


def annotate_rows(annotator: Annotator, rows: Sequence[Row], batch_size: int = 64,
                  failed: list[tuple[int, str]] | None = None) -> list[Result]:
    """Suggestions and tokens for (id, text, stored tokens) rows. A document that already has tokens (from its
    input file) keeps them, and only suggestions that fit them are kept. An article the pipeline fails on is
    left out (and named in `failed`): it never holds up the others."""
    limit = annotator.nlp.max_length
    made: dict[int, tuple[bytes, list[Span], list[Link], float | None]] = {}
    short = [(doc_id, text) for doc_id, text, _ in rows if len(text) <= limit]
    try:
        docs = list(annotator.nlp.pipe((text for _, text in short), batch_size=batch_size))
        for (doc_id, text), doc in zip(short, docs):
            made[doc_id] = _one(annotator, text, doc)
    except Exception:  # one article broke the batch: the articles one at a time, so the others go on
        made.clear()
    for doc_id, text, _ in rows:
        if doc_id in made:
            continue
        try:
            made[doc_id] = _one(annotator, text)
        except Exception as exc:  # noqa: BLE001 - any failure of the pipeline on this one article
            if failed is not None:
                failed.append((doc_id, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"))
    out: list[Result] = []
    for doc_id, _, stored in rows:
        if doc_id not in made:
            continue
        tokens, spans, links, useful = made[doc_id]
        if stored:
            starts, ends = (set(x) for x in token_bounds(stored))
            kept = {old: new for new, old in enumerate(
                i for i, sp in enumerate(spans) if sp.start in starts and sp.end in ends)}
            for lk in links:  # positions among the spans kept
                lk.event, lk.argument = kept.get(lk.event, -1), kept.get(lk.argument, -1)
            out.append((doc_id, None, [spans[i] for i in kept],
                        [lk for lk in links if lk.event >= 0 and lk.argument >= 0], useful))
        else:
            out.append((doc_id, tokens, spans, links, useful))
    return out


_WORKER: Annotator | None = None
_WORKER_STORE: Store | None = None


def _init_worker(spec: dict | None, db_path: str) -> None:
    """Each worker builds the pipeline (unless forked with it) and opens its own connection: it reads the texts
    and writes the results itself, each chunk in one transaction, so the main process only hands out ids."""
    global _WORKER, _WORKER_STORE
    _WORKER_STORE = Store(db_path, create=False)
    if spec is None:  # forked: the pipeline came with the process
        gc.freeze()
        return
    _WORKER = build_annotator(**spec)
    gc.freeze()  # see preannotate()


def _pool_context(annotator: Annotator) -> tuple[multiprocessing.context.BaseContext, dict | None]:
    """Fork where it is safe (Linux, no other threads: the command line), so workers start at once with the
    pipeline already built; otherwise spawn, and each worker builds the pipeline again (the window, macOS,
    Windows)."""
    global _WORKER
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        _WORKER = annotator
        return multiprocessing.get_context("fork"), None
    return multiprocessing.get_context("spawn"), annotator.spec


def _work(args: tuple[Sequence[int], int, str | None]) -> tuple[int, int, list[tuple[int, str]]]:
    """In a worker: pre-annotates and saves a chunk of documents; returns (documents, suggestions added,
    failures)."""
    assert _WORKER is not None and _WORKER_STORE is not None
    ids, batch_size, who = args
    failed: list[tuple[int, str]] = []
    results = annotate_rows(_WORKER, _WORKER_STORE.suggestions.rows_for(ids), batch_size, failed)
    return len(results), apply(_WORKER_STORE, AddSuggestions(tuple(results), _WORKER.key), who).result, failed


def preannotate(
    store: Store,
    annotator: Annotator,
    *,
    n_process: int = 1,
    batch_size: int = 64,
    commit_every: int = 256,
    doc_ids: Sequence[int] | None = None,
    only_pending: bool = True,
    who: str | None = None,
    on_progress: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> PreannotateReport:
    report = PreannotateReport(pipeline=annotator.key)

    def save(results: list[Result]) -> None:
        report.suggestions += apply(store, AddSuggestions(tuple(results), annotator.key), who).result
        report.documents += len(results)
        if on_progress:
            on_progress(len(results))

    def stop() -> bool:
        if should_stop is not None and should_stop():
            report.cancelled = True
            return True
        return False

    if n_process <= 1 or annotator.spec is None:
        # The pipeline's hundreds of thousands of objects live as long as the run: frozen, the garbage
        # collector stops walking them again and again while the matches' tuples come and go (5% faster).
        gc.freeze()
        try:
            for rows in store.suggestions.iter_unannotated(annotator.key, batch_size=commit_every,
                                                           doc_ids=doc_ids, only_pending=only_pending):
                save(annotate_rows(annotator, rows, batch_size, report.failed))
                if stop():
                    break
        finally:
            gc.unfreeze()
        return report

    ctx, spec = _pool_context(annotator)
    # workers get small chunks (each saved in one transaction), so that none idles at the end while another
    # finishes a large one
    chunk = max(8, commit_every // (n_process * 4))

    def account(job: Any) -> None:
        documents, added, failed = job.get()
        report.documents += documents
        report.suggestions += added
        report.failed += failed
        if on_progress:
            on_progress(documents)

    def chunks() -> Iterator[list[int]]:
        for ids in store.suggestions.iter_unannotated_ids(annotator.key, batch_size=commit_every,
                                                          doc_ids=doc_ids, only_pending=only_pending):
            for i in range(0, len(ids), chunk):
                yield ids[i : i + chunk]

    source = chunks()
    with ctx.Pool(n_process, initializer=_init_worker, initargs=(spec, str(store.path))) as pool:
        in_flight: deque = deque()

        def submit() -> bool:
            ids = next(source, None)
            if ids is None:
                return False
            in_flight.append(pool.apply_async(_work, ((ids, batch_size, who),)))
            return True

        for _ in range(n_process * 3):
            if not submit():
                break
        while in_flight:
            account(in_flight.popleft())
            if stop():
                for job in in_flight:  # the chunks under way finish and are saved: nothing half-written
                    account(job)
                break
            submit()
        pool.close()
        pool.join()
    return report
