"""Pre-annotation on Ray (the optional extra `annotator[ray]`): the same pipeline as the local engine, run by
Ray Data's `map_batches` with an actor class, so that each worker loads spaCy and the pipeline once and is then
handed batches of plain data (ids, texts, tokens) and gives plain data back (tokens, spans and links as JSON).
Through Ray Client (`ray://`), where Ray Data does not run, the same actor class runs in a Ray Core actor pool.

Two ways in:

- `preannotate_on_ray(store, annotator, ...)`: the project's pending articles go to Ray in windows (read here,
  so the workers need no access to the project file: a cluster reached with `ray://` works too); each batch of
  results comes back as it is finished and is saved here exactly as the local engine saves it
  (`AddSuggestions`, one transaction a batch). A killed run resumes with the articles not saved yet; a second run
  changes nothing.
- `preannotate_files(inputs, output, spec, ...)`: for corpora that do not fit in one project, shards (any file
  `annotator import` reads; JSONL in practice) in, one Prodigy JSONL file of suggestions out per shard, written
  whole or not at all; shards whose output exists are skipped, so a killed run is resumed by running it again,
  and `annotator import OUTPUT/` brings the suggestions into a project later.

Nothing here imports Ray until it is called: the base install and the window never need it."""

from __future__ import annotations

import glob
import json
import logging
import math
import os
import socket
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from annotator.core.edits import AddSuggestions, apply
from annotator.core.errors import InputError, MissingExtraError, PipelineError
from annotator.core.model import Link, Record, Source, Span, SpanState
from annotator.core.tokens import pack_tokens
from annotator.formats.base import ReadOptions, iter_files
from annotator.formats.prodigy import export_line
from annotator.nlp.pipeline import Annotator, build_annotator
from annotator.store import Store
from annotator.workflows.files import replace as put_in_place
from annotator.workflows.importing import ImportReport, read_all
from annotator.workflows.preannotating import PreannotateReport, Result, annotate_rows

RAY_MISSING = "the Ray engine needs Ray, an optional extra: pip install 'annotator[ray]'"
# Articles sent to Ray at a time: each window is one Ray Data run, whose actors load the pipeline once. Large
# enough that loading (a few seconds) is small beside the work; small enough to hold here in memory.
WINDOW_CHARS = 32_000_000
# How long to wait for a cluster's address to answer before saying it does not (Ray itself retries for minutes)
CONNECT_TIMEOUT_S = 10.0
RAY_CLIENT_PORT = 10001


def _ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401  (Ray Data needs the 'data' extra of ray: pyarrow, pandas)
    except ImportError:
        raise MissingExtraError(RAY_MISSING) from None
    return ray


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT_S, shown: str | None = None) -> str:
    """The address to give Ray ("ray://HOST" gets Ray Client's port, which Ray does not add), refused at once,
    in one line, where nothing answers: Ray would otherwise retry for minutes, printing its own warnings.
    "auto" is Ray's to find (it fails fast). `shown`: the address as the messages name it."""
    shown = shown or address
    if address == "auto":
        return address
    client = address.startswith("ray://")
    rest = address.removeprefix("ray://")
    if client and rest and (rest.endswith("]") or ":" not in rest):
        rest += f":{RAY_CLIENT_PORT}"  # Ray Client's server listens there unless told otherwise
    host, sep, port = rest.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise PipelineError(f"cannot reach Ray at {shown}: give it as auto, HOST:PORT or ray://HOST:PORT")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout) as sock:
            answered = _speaks_grpc(sock)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, TimeoutError) or reason == "timed out":
            reason = f"no answer within {timeout:g} s"
        raise PipelineError(f"cannot reach Ray at {shown}: {reason} (is `ray start --head` running there?)")\
            from None
    if not answered:
        raise PipelineError(f"cannot reach Ray at {shown}: something listens there but does not answer as Ray "
                            "does (is it Ray's port?)")
    return f"ray://{rest}" if client else rest


# HTTP/2's connection preface and an empty SETTINGS frame: a gRPC server (Ray's GCS and Ray Client's server are
# both) answers with a SETTINGS frame of its own at once; a listener that is not Ray answers nothing
_HTTP2_HELLO = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"


def _speaks_grpc(sock: socket.socket) -> bool:
    """Whether the server on `sock` answers an HTTP/2 greeting with a SETTINGS frame (its first frame), within
    the socket's timeout (which raises TimeoutError); False when it closes the connection or says something
    else."""
    sock.sendall(_HTTP2_HELLO)
    head = b""
    while len(head) < 9:
        chunk = sock.recv(9 - len(head))
        if not chunk:
            return False
        head += chunk
    return head[3] == 0x04  # the frame's type: SETTINGS


def _errors_only(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.ERROR


def _in_one_line(exc: BaseException) -> str:
    """Ray's words for a failure, in one line: its first, and the last too where the first only introduces what
    follows (Ray Client's "Initialization failure from server:" before the server's traceback, whose last line
    says what went wrong and where its logs are)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    said = lines[0][:300]
    if said.endswith(":") and len(lines) > 1:
        said = f"{said} {lines[-1][:300]}"
    return said


@contextmanager
def ray_running(address: str | None, workers: int) -> Iterator[Any]:
    """Ray, connected to the cluster at `address` ("auto", "HOST:PORT" or "ray://HOST:PORT"), or a local Ray of
    `workers` CPUs started here; shut down afterwards if it was started here. Without `address`, the environment's
    RAY_ADDRESS is the cluster, as for Ray's own tools ("local", or unset: a local Ray)."""
    ray = _ray()
    if ray.is_initialized():  # a caller (or a test) that set Ray up itself
        yield ray
        return
    shown = address  # an address the editor did not type is named as coming from the environment
    if not address:
        address = os.environ.get("RAY_ADDRESS", "").strip() or None
        shown = f"{address} (from RAY_ADDRESS)"
    if address == "local":
        address = None
    # Ray's own notices (its C++ workers' warnings, Ray Data's plan) go to its log files under /tmp/ray, not to
    # the editor's terminal; RAY_BACKEND_LOG_LEVEL set by the user wins
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    # Through Ray Client the head's server streams its own log records here while it connects (such as its notice
    # that it set no SIGTERM handler): like the workers' logs, all but its errors stay in the head's log files.
    # A filter, as Ray Client sets this logger's level itself.
    logging.getLogger("ray.util.client.logsclient").addFilter(_errors_only)
    kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.WARNING,
                              "configure_logging": True}
    tries = ""
    try:
        if address:
            reachable = check_reachable(address, shown=shown)
            try:
                ray.init(address=reachable, **kwargs)
            except ConnectionAbortedError:
                # Ray Client's head starts a server process for each session and gives it 30 s to answer (and a
                # port it saw free a moment before): on a busy head that fails now and then, and a new session
                # gets a new process and port. Ray has cleaned up the failed one.
                if not reachable.startswith("ray://"):
                    raise
                tries = " (tried twice)"
                ray.init(address=reachable, **kwargs)
        else:
            # "local": a new Ray here even when `ray start` ran on this machine (Ray would otherwise join the
            # cluster it last recorded, alive or not, and refuse num_cpus)
            ray.init(address="local", num_cpus=workers, **kwargs)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = shown if address else "a local Ray"
        # Ray sends its token to a cluster named by address only when told to (its token authentication)
        hint = (" (a cluster with token authentication needs RAY_AUTH_MODE=token and its token: "
                "`ray get-auth-token` on the head node)"
                if address and isinstance(exc, ConnectionError) and not isinstance(exc, ConnectionAbortedError)
                and not os.environ.get("RAY_AUTH_MODE") else "")
        raise PipelineError(f"cannot start or reach Ray at {where}{tries}: {_in_one_line(exc)}{hint}") from None
    try:
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # the command line shows its own
        yield ray
    finally:
        ray.shutdown()


class AnnotateBatch:
    """The Ray Data actor: builds the pipeline once from its spec, then turns batches of (id, text, tokens) into
    (id, tokens, spans, links, error), spans and links as JSON; an article the pipeline fails on gets an error
    and no result, and never holds up the others."""

    def __init__(self, spec: dict, batch_size: int) -> None:
        self.annotator = build_annotator(**spec)
        self.batch_size = batch_size

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        ids = [int(x) for x in batch["id"]]
        rows = [(doc_id, str(text), bytes(tok) or None)  # b"": no tokens (a column of None loses its type)
                for doc_id, text, tok in zip(ids, batch["text"], batch["tokens"])]
        failed: list[tuple[int, str]] = []
        made = {res[0]: res for res in annotate_rows(self.annotator, rows, self.batch_size, failed)}
        errors = dict(failed)
        out: dict[str, list] = {"id": ids, "tokens": [], "spans": [], "links": [], "useful": [], "error": []}
        for doc_id in ids:
            res = made.get(doc_id)
            out["tokens"].append((res[1] or b"") if res else b"")
            out["spans"].append(json.dumps([[s.start, s.end, s.label, s.source.value, s.score]
                                            for s in res[2]]) if res else "[]")
            out["links"].append(json.dumps([[k.event, k.argument, k.role, k.source.value, k.score]
                                            for k in res[3]]) if res else "[]")
            # NaN: no model judged the article (a column of None loses its type)
            out["useful"].append(float(res[4]) if res and res[4] is not None else math.nan)
            out["error"].append(errors.get(doc_id, "" if res else "no result"))
        return out


def _decode(batch: dict[str, Any]) -> Iterator[tuple[int, Result | None, str]]:
    """(id, result or None, error) for each row of a batch the actors gave back."""
    for doc_id, tokens, spans, links, useful, error in zip(batch["id"], batch["tokens"], batch["spans"],
                                                            batch["links"], batch["useful"], batch["error"]):
        if error:
            yield int(doc_id), None, str(error)
            continue
        result = (int(doc_id), bytes(tokens) or None,
                  [Span(s, e, label, Source(src), SpanState.SUGGESTED, score)
                   for s, e, label, src, score in json.loads(spans)],
                  [Link(ev, arg, role, Source(src), SpanState.SUGGESTED, score)
                   for ev, arg, role, src, score in json.loads(links)],
                  None if math.isnan(float(useful)) else float(useful))
        yield int(doc_id), result, ""


def _through_client(ray: Any) -> bool:
    """Whether this driver reached the cluster through Ray Client (ray://), where Ray Data cannot run."""
    from ray.util.client import ray as client

    return bool(client.is_connected())


def _on_actors(ray: Any, rows: list[dict[str, Any]], spec: dict, size: int, batch_size: int) -> Iterator[dict]:
    """The same work through Ray Client (ray://), which Ray Data does not support (its maintainers advise Ray
    Core there): a pool of the same actors, one pipeline each, fed batches of rows as each one finishes."""
    from ray.util import ActorPool

    actor = ray.remote(num_cpus=1)(AnnotateBatch)
    pool = ActorPool([actor.remote(spec, batch_size) for _ in range(size)])
    batches = ({key: [row[key] for row in rows[i:i + batch_size]] for key in ("id", "text", "tokens")}
               for i in range(0, len(rows), batch_size))
    yield from pool.map_unordered(lambda a, batch: a.__call__.remote(batch), batches)


def _run(ray: Any, rows: list[dict[str, Any]], spec: dict, workers: int, batch_size: int) -> Iterator[dict]:
    """One Ray Data run over `rows` (through Ray Client, an actor pool): batches of results as the actors finish
    them. A failure of Ray itself (a worker that cannot build the pipeline, a lost node) is said in one line;
    what was saved stays saved."""
    size = max(1, min(workers, len(rows)))  # actors, each loading the pipeline: no more than there are articles
    try:
        if _through_client(ray):
            yield from _on_actors(ray, rows, spec, size, batch_size)
            return
        dataset = ray.data.from_items(rows).map_batches(
            AnnotateBatch, fn_constructor_args=(spec, batch_size), batch_size=batch_size, num_cpus=1,
            compute=ray.data.ActorPoolStrategy(size=size), batch_format="numpy")
        yield from dataset.iter_batches(batch_size=None, batch_format="numpy")
    except ray.exceptions.RayError as exc:
        cause = exc.cause if isinstance(getattr(exc, "cause", None), BaseException) else exc
        while cause.__cause__ is not None:
            cause = cause.__cause__
        text = str(cause).strip().splitlines()
        raise PipelineError(f"Ray stopped: {type(cause).__name__}: {text[-1][:300] if text else ''} "
                            "(what was saved before stays saved; run it again to go on)") from None


def _spec(annotator: Annotator) -> dict:
    if annotator.spec is None:
        raise PipelineError("this pipeline cannot be rebuilt on Ray workers: build it with build_annotator")
    return annotator.spec


def _windows(rows: Iterator[list[tuple[int, str, bytes | None]]]) -> Iterator[list[dict[str, Any]]]:
    window: list[dict[str, Any]] = []
    size = 0
    for batch in rows:
        for doc_id, text, tokens in batch:
            window.append({"id": doc_id, "text": text, "tokens": tokens or b""})
            size += len(text)
        if size >= WINDOW_CHARS:
            yield window
            window, size = [], 0
    if window:
        yield window


def preannotate_on_ray(
    store: Store,
    annotator: Annotator,
    *,
    address: str | None = None,
    workers: int = 2,
    batch_size: int = 64,
    doc_ids: Sequence[int] | None = None,
    only_pending: bool = True,
    who: str | None = None,
    on_progress: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> PreannotateReport:
    """`preannotate` with Ray as the engine: the same articles, the same suggestions, saved the same way."""
    spec = _spec(annotator)
    report = PreannotateReport(pipeline=annotator.key)
    with ray_running(address, workers) as ray:
        rows = store.suggestions.iter_unannotated(annotator.key, batch_size=1024, doc_ids=doc_ids,
                                                   only_pending=only_pending)
        for window in _windows(rows):
            for batch in _run(ray, window, spec, workers, batch_size):
                results = []
                for doc_id, result, error in _decode(batch):
                    if result is None:
                        report.failed.append((doc_id, error))
                    else:
                        results.append(result)
                report.suggestions += apply(store, AddSuggestions(tuple(results), annotator.key), who).result
                report.documents += len(results)
                if on_progress:
                    on_progress(len(batch["id"]))
                if should_stop is not None and should_stop():
                    report.cancelled = True
                    return report
    return report


@dataclass
class FilesReport:
    shards: int = 0  # input shards found
    skipped: int = 0  # their output was already there
    written: list[Path] = field(default_factory=list)
    documents: int = 0
    suggestions: int = 0
    pipeline: str = ""
    errors: list[InputError] = field(default_factory=list)  # records of the shards that could not be read
    failed: list[tuple[str, str]] = field(default_factory=list)  # (where, reason): articles the pipeline failed on


def output_for(shard: Path, output: Path) -> Path:
    return output / f"{shard.stem}.jsonl"


def _shards(inputs: Sequence[Path], output: Path) -> list[Path]:
    """The input shards, each named once, and refused if two would write the same output file."""
    shards: list[Path] = []
    for path in inputs:
        # a pattern the shell left alone (quoted: 'corpus/*.jsonl')
        if not path.exists() and any(c in str(path) for c in "*?["):
            found = sorted(Path(p) for p in glob.glob(str(path)) if Path(p).is_file())
            if not found:
                raise InputError("no file matches this pattern", str(path))
            shards += found
        elif path.is_dir():
            shards += iter_files([path])  # as `annotator import` walks a folder: hidden files left alone
        elif path.is_file():
            shards.append(path)
        else:
            raise InputError("no such file or folder", str(path))
    seen: dict[Path, Path] = {}
    for shard in shards:
        target = output_for(shard, output)
        if target in seen and seen[target] != shard:
            raise InputError(f"{seen[target]} and {shard} would both write {target}: rename one", str(shard))
        seen[target] = shard
    return list(dict.fromkeys(shards))


def _write_shard(target: Path, records: list[Record], results: dict[int, Result], origin: str) -> int:
    """The shard's output, written to a temporary file beside it and put in place whole: a killed run leaves
    either no output (the shard is done again) or all of it."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    suggestions = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for n, rec in enumerate(records):
                result = results.get(n)
                if result is None:
                    continue
                _, made_tokens, spans, links, _ = result
                tokens = made_tokens if made_tokens is not None else pack_tokens(rec.document.tokens or [])
                out = Record(replace(rec.document, tokens=None), spans, links=links)
                fh.write(export_line(out, tokens, origin=origin))
                fh.write("\n")
                suggestions += len(spans)
        put_in_place(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return suggestions


def preannotate_files(
    inputs: Sequence[Path],
    output: Path,
    spec: dict,
    *,
    fmt: str | None = None,
    address: str | None = None,
    workers: int = 2,
    batch_size: int = 64,
    on_progress: Callable[[int], None] | None = None,
) -> FilesReport:
    """Each shard of `inputs` (files, or folders of them) not yet done: its articles pre-annotated on Ray, its
    output written to OUTPUT/<shard name>.jsonl."""
    output.mkdir(parents=True, exist_ok=True)
    shards = _shards(inputs, output)
    annotator_key = build_annotator(**spec).key
    report = FilesReport(shards=len(shards), pipeline=annotator_key)
    todo = [s for s in shards if not output_for(s, output).exists()]
    report.skipped = len(shards) - len(todo)
    if not todo:
        return report
    with ray_running(address, workers) as ray:
        for shard in todo:
            records: list[Record] = []
            read = ImportReport()
            for item in read_all([shard], fmt, ReadOptions(), read):
                if isinstance(item, InputError):
                    report.errors.append(item)
                else:
                    records.append(item)
            rows = [{"id": n, "text": rec.document.text,
                     "tokens": pack_tokens(rec.document.tokens) if rec.document.tokens else b""}
                    for n, rec in enumerate(records)]
            results: dict[int, Result] = {}
            if rows:
                for batch in _run(ray, rows, spec, workers, batch_size):
                    for n, result, error in _decode(batch):
                        if result is None:
                            where = records[n].path or str(shard)
                            line = records[n].line
                            report.failed.append((f"{where}:{line}" if line else where, error))
                        else:
                            results[n] = result
                    if on_progress:
                        on_progress(len(batch["id"]))
            report.suggestions += _write_shard(output_for(shard, output), records, results, annotator_key)
            report.documents += len(results)
            report.written.append(output_for(shard, output))
    return report
