"""Pre-annotation: run the pipeline over the documents it has not seen, store its suggestions.

Documents are streamed through one `nlp.pipe` call (so `n_process` workers start once) and the results are
committed in groups: an interruption loses at most one group, and the next run carries on where it stopped.
A document is pre-annotated once per pipeline key, so running it twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from annotator.core.model import Span
from annotator.core.tokens import token_bounds
from annotator.nlp.pipeline import Annotator, packed_tokens
from annotator.store import Store


@dataclass
class PreannotateReport:
    documents: int = 0
    suggestions: int = 0
    pipeline: str = ""
    cancelled: bool = False


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

    def source() -> Iterator[tuple[str, tuple[int, bytes | None]]]:
        for rows in store.iter_unannotated(annotator.key, batch_size=commit_every, doc_ids=doc_ids,
                                           only_pending=only_pending):
            for doc_id, text, tokens in rows:
                yield text, (doc_id, tokens)

    pending: list[tuple[int, bytes | None, Sequence[Span]]] = []
    docs = annotator.nlp.pipe(source(), as_tuples=True, batch_size=batch_size, n_process=n_process)
    try:
        for doc, (doc_id, stored_tokens) in docs:
            spans = annotator.suggestions(doc)
            if stored_tokens:
                # the document already has tokens (from its input file): keep only suggestions that fit them
                starts, ends = (set(x) for x in token_bounds(stored_tokens))
                spans = [s for s in spans if s.start in starts and s.end in ends]
                pending.append((doc_id, None, spans))
            else:
                pending.append((doc_id, packed_tokens(doc), spans))
            if len(pending) >= commit_every:
                report.suggestions += store.save_suggestions(pending, annotator.key, who)
                report.documents += len(pending)
                if on_progress:
                    on_progress(len(pending))
                pending = []
            if should_stop is not None and should_stop():
                report.cancelled = True
                break
        if pending:
            report.suggestions += store.save_suggestions(pending, annotator.key, who)
            report.documents += len(pending)
            if on_progress:
                on_progress(len(pending))
    finally:
        close = getattr(docs, "close", None)
        if close is not None:
            close()
    return report
