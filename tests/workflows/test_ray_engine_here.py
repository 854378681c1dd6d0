"""The Ray engine's own code, run in this process with Ray stood in for: what goes to the actors, what comes back
and is saved, a failing article, a stop, Ray failing half-way, the shards and their files, the addresses.

Ray itself runs in tests/workflows/test_on_ray.py (marker `ray`): a real local Ray and a `ray start` cluster give
exactly the local engine's suggestions. Those tests are left out of mutation testing (Ray started in mutmut's
forked test process crashes), so without these the engine's code would be reached by no test mutmut runs. The
stand-in does what Ray Data does with `map_batches(AnnotateBatch, ...)`: it builds the actor class from its
constructor arguments and hands it numpy batches, and gives back what the actor returns as numpy columns."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from annotator.core.errors import InputError, PipelineError
from annotator.core.labels import load_scheme
from annotator.nlp import build_annotator
from annotator.store import Store
from annotator.workflows import on_ray
from annotator.workflows.importing import import_paths
from annotator.workflows.preannotating import preannotate
from tests.conftest import WIKINEWS
from tests.workflows.test_on_ray import _free_port, _suggestions


class RayFailed(Exception):
    """Ray's own error class, as `ray.exceptions.RayError` is caught."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__("a task failed")
        self.cause = cause


def _numpy(columns: dict[str, list]) -> dict[str, np.ndarray]:
    """A batch as Ray Data's numpy format gives it: ints as an int64 column, the rest as object columns."""
    return {key: np.array(values, dtype=np.int64 if key == "id" else object) for key, values in columns.items()}


class StandIn:
    """Ray's surface as on_ray uses it. `fail_at`: the batch at which Ray itself fails (a lost worker)."""

    def __init__(self, initialized: bool = False, fail_at: int | None = None,
                 refuse: Exception | list[Exception | None] | None = None):
        self.initialized, self.fail_at, self.refuse = initialized, fail_at, refuse  # a list: one a call, in turn
        self.inits: list[dict[str, Any]] = []
        self.shutdowns = 0
        self.runs: list[dict[str, Any]] = []  # one a map_batches: its arguments, the rows and the batches' sizes
        self.actors: list[Any] = []  # made through the Ray Client path
        self.remote_options: dict[str, Any] = {}
        self.context = SimpleNamespace(enable_progress_bars=True)
        self.exceptions = SimpleNamespace(RayError=RayFailed)
        self.data = SimpleNamespace(
            DataContext=SimpleNamespace(get_current=lambda: self.context),
            ActorPoolStrategy=lambda size: ("actor pool", size),
            from_items=self._from_items)

    def is_initialized(self) -> bool:
        return self.initialized

    def init(self, **kwargs: Any) -> None:
        refuse = self.refuse.pop(0) if isinstance(self.refuse, list) else self.refuse
        if refuse is not None:
            raise refuse
        self.inits.append(kwargs)

    def shutdown(self) -> None:
        self.shutdowns += 1

    def remote(self, **options: Any) -> Any:
        """Ray Core's actors, as the Ray Client path makes them: each built once, called with a batch."""
        stand_in = self

        def wrap(cls: Any) -> Any:
            class Actor:
                def __init__(self, *args: Any) -> None:
                    self.made = cls(*args)
                    self.__call__ = SimpleNamespace(remote=self.made)  # a.__call__.remote(batch)

            return SimpleNamespace(remote=lambda *args: stand_in.actors.append(Actor(*args)) or stand_in.actors[-1])

        self.remote_options = options
        return wrap

    def _from_items(self, rows: list[dict[str, Any]]) -> Any:
        stand_in = self

        class Dataset:
            def map_batches(self, cls, *, fn_constructor_args, batch_size, **kwargs):
                run = {"rows": list(rows), "batch_size": batch_size, "batches": [], **kwargs}
                stand_in.runs.append(run)

                class Mapped:
                    def iter_batches(self, **how):
                        assert how == {"batch_size": None, "batch_format": "numpy"}
                        actor = cls(*fn_constructor_args)  # each actor builds the pipeline once
                        for i in range(0, len(rows), batch_size):
                            if stand_in.fail_at is not None and sum(len(r["batches"]) for r in stand_in.runs) \
                                    >= stand_in.fail_at:
                                # Ray's error carries the task's exception, itself raised from the first cause
                                lost = RuntimeError("the node was lost\nObjectLostError: worker 3 died")
                                wrapped = ValueError("in the actor")
                                wrapped.__cause__ = lost
                                raise RayFailed(wrapped)
                            part = rows[i:i + batch_size]
                            run["batches"].append(len(part))
                            given = _numpy({key: [row[key] for row in part] for key in ("id", "text", "tokens")})
                            yield _numpy(actor(given))

                return Mapped()

        return Dataset()


@pytest.fixture
def stand_in(monkeypatch) -> StandIn:
    ray = StandIn()
    monkeypatch.setattr(on_ray, "_ray", lambda: ray)
    monkeypatch.setattr(on_ray, "_through_client", lambda _: False)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    return ray


def _project(path: Path, articles: int) -> Store:
    lines = WIKINEWS.read_text(encoding="utf-8").splitlines()[:articles]
    source = path.with_suffix(".jsonl")
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = Store(path)
    import_paths(store, [source])
    return store


def _breaking_on(marker: str):
    """build_annotator, as the actors call it, giving a pipeline that fails on any text holding `marker` (the
    failing pipeline of tests/workflows/test_annotate_rows.py)."""
    import dataclasses

    from tests.workflows.test_annotate_rows import Counting

    def build(scheme, **kw):
        annotator = build_annotator(scheme, **kw)
        return dataclasses.replace(annotator, nlp=Counting(annotator.nlp, fail_on=marker))

    return build


SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"  # an empty HTTP/2 SETTINGS frame


@contextmanager
def _listening(host: str = "127.0.0.1", family: int = socket.AF_INET, answer: bytes | None = SETTINGS
               ) -> Iterator[int]:
    """A port something listens on, for the block's length, that answers each connection with `answer` (by
    default an HTTP/2 SETTINGS frame, as a gRPC server such as Ray's does; None: it never answers)."""
    import threading

    with socket.socket(family) as listening:
        listening.bind((host, 0))
        listening.listen()
        listening.settimeout(0.1)
        done = threading.Event()
        held = []

        def serve() -> None:
            while not done.is_set():
                try:
                    conn, _ = listening.accept()
                except OSError:
                    continue
                held.append(conn)
                if answer is not None:
                    conn.sendall(answer)

        thread = threading.Thread(target=serve, daemon=True)
        if answer is not None:
            thread.start()
        try:
            yield listening.getsockname()[1]
        finally:
            done.set()
            if answer is not None:
                thread.join()
            for conn in held:
                conn.close()


def test_a_listener_that_is_not_ray_is_refused_in_one_line_within_the_timeout():
    """Something accepts the connection but never answers (or answers something else): Ray would retry for
    minutes printing its warnings; the check says so in one line within its timeout."""
    import time

    with _listening(answer=None) as port:
        started = time.monotonic()
        with pytest.raises(PipelineError) as caught:
            on_ray.check_reachable(f"127.0.0.1:{port}", timeout=1.0)
        assert time.monotonic() - started < 5
    assert str(caught.value) == (f"cannot reach Ray at 127.0.0.1:{port}: no answer within 1 s (is `ray start "
                                 "--head` running there?)")
    with _listening(answer=b"HTTP/1.1 400 Bad Request\r\n\r\n") as port:
        with pytest.raises(PipelineError, match="something listens there but does not answer as Ray does"):
            on_ray.check_reachable(f"127.0.0.1:{port}", timeout=1.0)


def test_the_ray_engine_saves_exactly_the_local_suggestions_window_by_window(tmp_path, stand_in, monkeypatch):
    local, here = _project(tmp_path / "local.db", 24), _project(tmp_path / "ray.db", 24)
    preannotate(local, build_annotator(load_scheme()))
    monkeypatch.delenv("RAY_BACKEND_LOG_LEVEL", raising=False)
    progress: list[int] = []
    report = on_ray.preannotate_on_ray(here, build_annotator(load_scheme()), workers=3, batch_size=5,
                                       on_progress=progress.append)
    expected = _suggestions(local)
    assert _suggestions(here) == expected and len(expected[0]) > 200 and len(expected[1]) > 20
    assert (report.documents, report.suggestions, report.failed, report.cancelled) == (24, len(expected[0]), [],
                                                                                      False)
    assert sum(progress) == 24 and max(progress) == 5
    # a new local Ray of the workers asked for, quiet, shut down after; Ray Data's own progress bars off
    assert stand_in.inits == [{"address": "local", "num_cpus": 3, "include_dashboard": False, "log_to_driver": False,
                               "logging_level": 30, "configure_logging": True}]
    assert stand_in.shutdowns == 1 and stand_in.context.enable_progress_bars is False
    assert os.environ["RAY_BACKEND_LOG_LEVEL"] == "fatal"
    # one Ray Data run: every article once, in the project's order; batches of 5, one CPU an actor, 3 actors
    [run] = stand_in.runs
    assert [row["id"] for row in run["rows"]] == list(range(1, 25))
    assert (run["batch_size"], run["num_cpus"], run["batch_format"], run["compute"]) == (5, 1, "numpy",
                                                                                        ("actor pool", 3))
    assert all(row["tokens"] == b"" for row in run["rows"])  # none stored yet: the pipeline makes them
    again = on_ray.preannotate_on_ray(here, build_annotator(load_scheme()), workers=3)
    assert (again.documents, again.suggestions) == (0, 0) and _suggestions(here) == expected


def test_articles_go_to_ray_in_windows_of_about_window_chars(monkeypatch):
    """A window is one Ray Data run (its actors load the pipeline once): it closes between the project's
    batches, once it holds WINDOW_CHARS characters."""
    monkeypatch.setattr(on_ray, "WINDOW_CHARS", 10)
    batches = [[(1, "abcd", None), (2, "efgh", b"\x01")], [(3, "ij", None)], [(4, "l", None)],
               [(5, "mnopqrstuv", None)], [(6, "w", None)]]
    windows = [[(row["id"], row["text"], row["tokens"]) for row in w] for w in on_ray._windows(iter(batches))]
    assert windows == [[(1, "abcd", b""), (2, "efgh", b"\x01"), (3, "ij", b"")],  # 10 characters: full
                       [(4, "l", b""), (5, "mnopqrstuv", b"")], [(6, "w", b"")]]
    assert list(on_ray._windows(iter([]))) == []


def test_one_article_gets_one_actor_and_a_set_up_ray_is_used_and_left_running(tmp_path, stand_in):
    store = _project(tmp_path / "p.db", 1)
    on_ray.preannotate_on_ray(store, build_annotator(load_scheme()), workers=4)
    assert [run["compute"] for run in stand_in.runs] == [("actor pool", 1)]  # no more actors than articles
    stand_in.initialized = True  # a caller that started Ray itself keeps it
    with on_ray.ray_running(None, 2) as ray:
        assert ray is stand_in
    assert (len(stand_in.inits), stand_in.shutdowns) == (1, 1)


def test_an_article_the_pipeline_fails_on_is_named_and_tried_again_later(tmp_path, stand_in, monkeypatch):
    store = _project(tmp_path / "p.db", 6)
    texts = dict(store.conn.execute("SELECT id, text FROM documents"))
    broken = texts[3][:40]

    monkeypatch.setattr(on_ray, "build_annotator", _breaking_on(broken))
    report = on_ray.preannotate_on_ray(store, build_annotator(load_scheme()), workers=2, batch_size=4)
    assert report.failed == [(3, "RuntimeError: the model broke")]
    assert report.documents == 5
    done = [r[0] for r in store.conn.execute("SELECT doc_id FROM preannotated ORDER BY 1")]
    assert done == [1, 2, 4, 5, 6]
    assert store.conn.execute("SELECT count(*) FROM spans WHERE doc_id = 3").fetchone()[0] == 0
    monkeypatch.undo()
    monkeypatch.setattr(on_ray, "_ray", lambda: stand_in)
    monkeypatch.setattr(on_ray, "_through_client", lambda _: False)
    later = on_ray.preannotate_on_ray(store, build_annotator(load_scheme()), workers=2)
    assert (later.documents, later.failed) == (1, []) and stand_in.runs[-1]["rows"][0]["id"] == 3


def test_a_stop_keeps_the_batches_saved_and_the_next_run_goes_on(tmp_path, stand_in):
    store = _project(tmp_path / "p.db", 12)
    asked: list[int] = []
    report = on_ray.preannotate_on_ray(store, build_annotator(load_scheme()), batch_size=4,
                                       on_progress=asked.append, should_stop=lambda: len(asked) >= 2)
    assert (report.cancelled, report.documents, asked) == (True, 8, [4, 4])
    assert store.conn.execute("SELECT count(*) FROM preannotated").fetchone()[0] == 8
    assert stand_in.shutdowns == 1  # Ray shut down on the way out of a stopped run too
    rest = on_ray.preannotate_on_ray(store, build_annotator(load_scheme()), batch_size=4)
    assert (rest.documents, rest.cancelled) == (4, False)


def test_ray_failing_half_way_is_said_in_one_line_and_what_was_saved_stays(tmp_path, stand_in):
    store = _project(tmp_path / "p.db", 10)
    stand_in.fail_at = 2
    with pytest.raises(PipelineError) as caught:
        on_ray.preannotate_on_ray(store, build_annotator(load_scheme()), batch_size=3)
    assert str(caught.value) == ("Ray stopped: RuntimeError: ObjectLostError: worker 3 died (what was saved before "
                                 "stays saved; run it again to go on)")
    assert store.conn.execute("SELECT count(*) FROM preannotated").fetchone()[0] == 6
    assert stand_in.shutdowns == 1


def test_ray_errors_without_a_cause_are_named_by_their_own_class(tmp_path, stand_in, monkeypatch):
    store = _project(tmp_path / "p.db", 2)

    def lost(*args, **kwargs):
        raise RayFailed(None)  # type: ignore[arg-type]  # Ray's errors do not all carry a cause

    monkeypatch.setattr(stand_in.data, "from_items", lost)
    with pytest.raises(PipelineError) as caught:
        on_ray.preannotate_on_ray(store, build_annotator(load_scheme()))
    assert str(caught.value).startswith("Ray stopped: RayFailed: a task failed (what was saved")


def test_a_pipeline_ray_cannot_rebuild_is_refused_before_ray_starts(tmp_path, stand_in):
    import dataclasses

    store = _project(tmp_path / "p.db", 1)
    bare = dataclasses.replace(build_annotator(load_scheme()), spec=None)
    with pytest.raises(PipelineError, match="cannot be rebuilt on Ray workers"):
        on_ray.preannotate_on_ray(store, bare)
    assert stand_in.inits == [] and store.conn.execute("SELECT count(*) FROM preannotated").fetchone()[0] == 0


def test_a_local_ray_that_cannot_start_is_said_without_the_token_hint(stand_in):
    stand_in.refuse = ValueError("num_cpus must not be provided\nwhen connecting")
    with pytest.raises(PipelineError) as caught, on_ray.ray_running(None, 2):
        pass
    assert str(caught.value) == "cannot start or reach Ray at a local Ray: num_cpus must not be provided"


def test_addresses_are_checked_before_ray_is_asked(stand_in, monkeypatch):
    with _listening() as port:
        monkeypatch.setattr(on_ray, "RAY_CLIENT_PORT", port)
        assert on_ray.check_reachable("ray://127.0.0.1") == f"ray://127.0.0.1:{port}"
        assert on_ray.check_reachable(f"ray://127.0.0.1:{port}") == f"ray://127.0.0.1:{port}"
        assert on_ray.check_reachable(f"127.0.0.1:{port}") == f"127.0.0.1:{port}"
        with on_ray.ray_running(f"ray://127.0.0.1:{port}", 2):
            pass
        assert stand_in.inits[-1]["address"] == f"ray://127.0.0.1:{port}" and "num_cpus" not in stand_in.inits[-1]
        monkeypatch.setenv("RAY_ADDRESS", "local")  # Ray's own word for a new local Ray
        with on_ray.ray_running(None, 3):
            pass
        assert (stand_in.inits[-1]["address"], stand_in.inits[-1]["num_cpus"]) == ("local", 3)
    assert on_ray.check_reachable("auto") == "auto"
    dead = _free_port()  # a port nothing listens on
    for address, said in (
            (f"127.0.0.1:{dead}", f"cannot reach Ray at 127.0.0.1:{dead}: Connection refused (is `ray start --head` "
                                  "running there?)"),
            ("head-node", "cannot reach Ray at head-node: give it as auto, HOST:PORT or ray://HOST:PORT"),
            ("head-node:", "cannot reach Ray at head-node:: give it as auto, HOST:PORT or ray://HOST:PORT"),
            (":6379", "cannot reach Ray at :6379: give it as auto, HOST:PORT or ray://HOST:PORT"),
            ("ray://", "cannot reach Ray at ray://: give it as auto, HOST:PORT or ray://HOST:PORT"),
            ("head:port", "cannot reach Ray at head:port: give it as auto, HOST:PORT or ray://HOST:PORT")):
        with pytest.raises(PipelineError) as caught:
            on_ray.check_reachable(address)
        assert str(caught.value) == said
    assert len(stand_in.inits) == 2  # no bad address reached Ray


def test_ray_address_in_the_environment_is_the_cluster_and_named_as_such(tmp_path, stand_in, monkeypatch):
    dead = _free_port()  # a port nothing listens on
    monkeypatch.setenv("RAY_ADDRESS", f" 127.0.0.1:{dead} ")
    store = _project(tmp_path / "p.db", 2)
    with pytest.raises(PipelineError) as caught:
        on_ray.preannotate_on_ray(store, build_annotator(load_scheme()))
    assert str(caught.value) == (f"cannot reach Ray at 127.0.0.1:{dead} (from RAY_ADDRESS): Connection refused (is "
                                 "`ray start --head` running there?)")
    assert stand_in.inits == [] and store.conn.execute("SELECT count(*) FROM preannotated").fetchone()[0] == 0
    with pytest.raises(PipelineError) as caught:  # an address typed wins over the environment's
        on_ray.preannotate_on_ray(store, build_annotator(load_scheme()), address="head-node")
    assert str(caught.value).startswith("cannot reach Ray at head-node: give it as")


def test_a_cluster_that_refuses_the_connection_is_named_with_the_way_out_of_token_authentication(
        stand_in, monkeypatch) -> None:
    """Ray sends its token to an address only with RAY_AUTH_MODE=token: a cluster that answers but refuses us
    gets Ray's one line and what to set (a real refusal takes Ray 30 s of retries)."""
    monkeypatch.delenv("RAY_AUTH_MODE", raising=False)
    with _listening() as port:
        address = f"127.0.0.1:{port}"
        stand_in.refuse = ConnectionError(f"Failed to connect to Ray cluster at {address}\nmore of Ray's words")
        with pytest.raises(PipelineError) as caught, on_ray.ray_running(address, 2):
            pass
        assert str(caught.value) == (
            f"cannot start or reach Ray at {address}: Failed to connect to Ray cluster at {address} (a cluster with "
            "token authentication needs RAY_AUTH_MODE=token and its token: `ray get-auth-token` on the head node)")
        monkeypatch.setenv("RAY_AUTH_MODE", "token")  # already told: Ray's line alone
        monkeypatch.setenv("RAY_ADDRESS", address)
        with pytest.raises(PipelineError) as caught, on_ray.ray_running(None, 2):
            pass
        assert str(caught.value) == (f"cannot start or reach Ray at {address} (from RAY_ADDRESS): Failed to "
                                     f"connect to Ray cluster at {address}")
        stand_in.refuse = RuntimeError("Ray refused for another reason")  # not a connection: no hint either
        monkeypatch.delenv("RAY_AUTH_MODE")
        with pytest.raises(PipelineError) as caught, on_ray.ray_running(address, 2):
            pass
        assert str(caught.value) == f"cannot start or reach Ray at {address}: Ray refused for another reason"


def test_an_address_that_does_not_answer_in_time_says_how_long_it_waited(monkeypatch):
    asked = []

    def silent(address, timeout):
        asked.append((address, timeout))
        raise TimeoutError("timed out")

    monkeypatch.setattr(on_ray.socket, "create_connection", silent)
    with pytest.raises(PipelineError) as caught:
        on_ray.check_reachable("10.1.2.3:6379", timeout=2.5)
    assert str(caught.value) == ("cannot reach Ray at 10.1.2.3:6379: no answer within 2.5 s (is `ray start --head` "
                                 "running there?)")
    assert asked == [(("10.1.2.3", 6379), 2.5)]  # the wait is bounded, not the system's minutes

    def wordless(address, timeout):
        raise ConnectionResetError()  # an error without the system's words: its name

    monkeypatch.setattr(on_ray.socket, "create_connection", wordless)
    with pytest.raises(PipelineError) as caught:
        on_ray.check_reachable("10.1.2.3:6379")
    assert str(caught.value) == ("cannot reach Ray at 10.1.2.3:6379: ConnectionResetError (is `ray start --head` "
                                 "running there?)")


def test_an_ipv6_address_in_brackets_is_reached(monkeypatch):
    with _listening("::1", socket.AF_INET6) as port:
        monkeypatch.setattr(on_ray, "RAY_CLIENT_PORT", port)
        assert on_ray.check_reachable("ray://[::1]") == f"ray://[::1]:{port}"
        assert on_ray.check_reachable(f"[::1]:{port}") == f"[::1]:{port}"


def _corpus(folder: Path, shards: int, per: int) -> list[str]:
    lines = WIKINEWS.read_text(encoding="utf-8").splitlines()[: shards * per]
    folder.mkdir()
    for i in range(shards):
        (folder / f"part-{i}.jsonl").write_text("\n".join(lines[i * per:(i + 1) * per]) + "\n", encoding="utf-8")
    return lines


def test_shards_become_suggestion_files_the_local_engine_would_make(tmp_path, stand_in):
    _corpus(tmp_path / "corpus", 3, 4)
    out = tmp_path / "out"
    spec = build_annotator(load_scheme()).spec
    counted: list[int] = []
    report = on_ray.preannotate_files([tmp_path / "corpus"], out, spec, workers=2, batch_size=3,
                                      on_progress=counted.append)
    assert (report.shards, report.skipped, report.documents, report.errors, report.failed) == (3, 0, 12, [], [])
    assert [p.name for p in report.written] == ["part-0.jsonl", "part-1.jsonl", "part-2.jsonl"]
    assert sum(counted) == 12 and report.pipeline == build_annotator(load_scheme()).key
    assert sorted(p.name for p in out.iterdir()) == ["part-0.jsonl", "part-1.jsonl", "part-2.jsonl"]  # no leftovers
    imported, local = Store(tmp_path / "imported.db"), Store(tmp_path / "local.db")
    import_paths(imported, [out])
    import_paths(local, [tmp_path / "corpus"])
    preannotate(local, build_annotator(load_scheme()))
    spans = ("SELECT d.input_hash, s.start, s.end, s.label, s.source, s.state FROM spans s JOIN documents d ON "
             "d.id = s.doc_id ORDER BY 1, 2, 3, 4")
    assert imported.conn.execute(spans).fetchall() == local.conn.execute(spans).fetchall()
    assert report.suggestions == len(local.conn.execute(spans).fetchall())
    links = "SELECT count(*) FROM links"
    assert imported.conn.execute(links).fetchone()[0] == local.conn.execute(links).fetchone()[0] > 0
    tokens = "SELECT d.input_hash, t.data FROM tokens t JOIN documents d ON d.id = t.doc_id ORDER BY 1"
    assert imported.conn.execute(tokens).fetchall() == local.conn.execute(tokens).fetchall()
    # finished shards are skipped and not read again, and no Ray is started for nothing
    runs = len(stand_in.runs)
    again = on_ray.preannotate_files([tmp_path / "corpus"], out, spec)
    assert (again.shards, again.skipped, again.written, again.documents) == (3, 3, [], 0)
    assert len(stand_in.runs) == runs and len(stand_in.inits) == 1


def test_the_files_engine_uses_the_pipeline_format_workers_and_address_it_is_given(tmp_path, stand_in):
    """What `annotator preannotate --on-ray --input ... --output ...` passes on: the patterns file, the format
    named (over what the file's name suggests), the number of workers or the cluster's address; the output
    folder is made whole; the temporary file of a shard is hidden beside its output while it is written."""
    from annotator.formats.prodigy import export_line

    patterns = tmp_path / "mine.jsonl"
    patterns.write_text('{"label": "PLACE", "pattern": "Zorblat"}\n', encoding="utf-8")  # no shipped rule knows it
    news = tmp_path / "news.txt"  # JSON lines under a text file's name
    news.write_text(json.dumps({"text": "Mortars hit Zorblat."}) + "\n" + json.dumps({"text": "Quiet day."}) + "\n",
                    encoding="utf-8")
    spec = build_annotator(load_scheme(), patterns=patterns).spec
    out = tmp_path / "a" / "b"
    seen_beside: list[list[str]] = []

    def watching(record, tokens, origin):
        seen_beside.append(sorted(p.name for p in out.iterdir()))
        return export_line(record, tokens, origin=origin)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(on_ray, "export_line", watching)
        report = on_ray.preannotate_files([news], out, spec, fmt="jsonl", workers=3)
    assert report.pipeline == build_annotator(load_scheme(), patterns=patterns).key != build_annotator(
        load_scheme()).key
    assert stand_in.inits[-1]["num_cpus"] == 3 and report.documents == 2
    assert len(seen_beside) == 2 and all(len(names) == 1 and names[0].startswith(".news.jsonl.")
                                         and names[0].endswith(".tmp") for names in seen_beside)
    written = [json.loads(line) for line in (out / "news.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [[(sp["label"], rec["text"][sp["start"]:sp["end"]]) for sp in rec["spans"]] for rec in written] == [
        [("PLACE", "Zorblat")], []]  # the patterns replace the shipped rules, on every actor
    with _listening() as port:  # a cluster: its address, not a number of CPUs
        address = f"127.0.0.1:{port}"
        news.rename(tmp_path / "more.txt")
        on_ray.preannotate_files([tmp_path / "more.txt"], out, spec, fmt="jsonl", address=address)
    assert stand_in.inits[-1]["address"] == address and "num_cpus" not in stand_in.inits[-1]


def test_a_shard_with_tokens_of_its_own_keeps_them(tmp_path, stand_in):
    from tests.conftest import FORMATS

    shards = sorted((FORMATS / "prodigy").glob("*.jsonl"))
    with_tokens = next(p for p in shards if '"tokens"' in p.read_text(encoding="utf-8"))
    out = tmp_path / "out"
    report = on_ray.preannotate_files([with_tokens], out, build_annotator(load_scheme()).spec)
    assert report.documents > 0 and not report.errors
    written = [json.loads(line) for line in (out / f"{with_tokens.stem}.jsonl").read_text(encoding="utf-8")
               .splitlines()]
    given = [json.loads(line) for line in with_tokens.read_text(encoding="utf-8").splitlines() if line.strip()]
    given_tokens = {rec["text"]: [(t["start"], t["end"]) for t in rec["tokens"]] for rec in given if rec.get("tokens")}
    for rec in written:
        if rec["text"] in given_tokens:
            assert [(t["start"], t["end"]) for t in rec["tokens"]] == given_tokens[rec["text"]]
            bounds = {t["start"] for t in rec["tokens"]}, {t["end"] for t in rec["tokens"]}
            assert all(sp["token_start"] >= 0 and sp["start"] in bounds[0] and sp["end"] in bounds[1]
                       for sp in rec["spans"])


def test_bad_records_and_failing_articles_are_named_by_file_and_line(tmp_path, stand_in, monkeypatch):
    corpus = tmp_path / "corpus"
    lines = _corpus(corpus, 1, 3)
    bad = corpus / "bad.jsonl"
    bad.write_text(lines[0] + "\n{not json\n" + json.dumps({"text": "Rebels attacked Kidal. BREAK"}) + "\n"
                   + lines[1] + "\n", encoding="utf-8")

    monkeypatch.setattr(on_ray, "build_annotator", _breaking_on("BREAK"))
    out = tmp_path / "out"
    report = on_ray.preannotate_files([bad, corpus / "part-0.jsonl"], out, build_annotator(load_scheme()).spec)
    assert [(e.path, e.line) for e in report.errors] == [(str(bad), 2)]
    assert report.failed == [(f"{bad}:3", "RuntimeError: the model broke")]
    assert report.documents == 5
    assert [json.loads(x)["text"] for x in (out / "bad.jsonl").read_text(encoding="utf-8").splitlines()] == [
        json.loads(lines[0])["text"], json.loads(lines[1])["text"]]  # the one that failed is left out, to be done again


def test_shards_named_by_pattern_folder_or_file_each_once_and_clashes_refused(tmp_path):
    corpus = tmp_path / "corpus"
    _corpus(corpus, 2, 1)
    (corpus / ".hidden.jsonl").write_text("{}\n", encoding="utf-8")
    out = tmp_path / "out"
    part0, part1 = corpus / "part-0.jsonl", corpus / "part-1.jsonl"
    assert on_ray._shards([Path(f"{corpus}/part-*.jsonl"), corpus, part0], out) == [part0, part1]
    assert on_ray._shards([Path(f"{corpus}/part-[1].jsonl")], out) == [part1]
    assert on_ray._shards([part0, Path(f"{corpus}/part-[1].jsonl")], out) == [part0, part1]  # a pattern after a file
    with pytest.raises(InputError) as caught:
        on_ray._shards([Path(f"{corpus}/*.csv")], out)
    assert (caught.value.path, "no file matches this pattern" in str(caught.value)) == (f"{corpus}/*.csv", True)
    with pytest.raises(InputError) as caught:
        on_ray._shards([tmp_path / "missing-X.jsonl"], out)  # not a pattern: no *, ? or [ in it
    assert (caught.value.path, str(caught.value)) == (str(tmp_path / "missing-X.jsonl"),
                                                      f"{tmp_path / 'missing-X.jsonl'}: no such file or folder")
    other = tmp_path / "other"
    other.mkdir()
    (other / "part-0.jsonl").write_text("{}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        on_ray._shards([corpus, other / "part-0.jsonl"], out)
    assert str(caught.value) == (f"{other / 'part-0.jsonl'}: {part0} and {other / 'part-0.jsonl'} would both "
                                 f"write {out / 'part-0.jsonl'}: rename one")


def test_a_shard_output_cut_short_leaves_nothing_behind(tmp_path, stand_in, monkeypatch):
    _corpus(tmp_path / "corpus", 1, 3)
    out = tmp_path / "out"
    written: list[str] = []

    def cut(record, tokens, origin):
        if written:
            raise KeyboardInterrupt  # the editor's Ctrl+C, or a full disk, half-way through the file
        written.append(record.document.text)
        return json.dumps({"text": record.document.text})

    monkeypatch.setattr(on_ray, "export_line", cut)
    with pytest.raises(KeyboardInterrupt):
        on_ray.preannotate_files([tmp_path / "corpus"], out, build_annotator(load_scheme()).spec)
    assert list(out.iterdir()) == []  # neither the shard's output nor its temporary file


def test_the_ray_engine_takes_the_articles_asked_for_pending_or_all_and_signs_its_work(tmp_path, stand_in):
    store = _project(tmp_path / "p.db", 6)
    store.annotations.set_answer(1, "accept", "ana")
    annotator = build_annotator(load_scheme())

    def done() -> list[int]:
        return [r[0] for r in store.conn.execute("SELECT doc_id FROM preannotated ORDER BY doc_id")]

    report = on_ray.preannotate_on_ray(store, annotator, doc_ids=[2, 3], who="night-run")
    assert (report.documents, report.pipeline, done()) == (2, annotator.key, [2, 3])
    assert store.conn.execute("SELECT DISTINCT who FROM changes WHERE action = 'preannotate'").fetchall() == [
        ("night-run",)]
    assert on_ray.preannotate_on_ray(store, annotator).documents == 3 and done() == [2, 3, 4, 5, 6]  # not 1: answered
    assert on_ray.preannotate_on_ray(store, annotator, only_pending=False).documents == 1 and done() == [
        1, 2, 3, 4, 5, 6]


def test_through_ray_client_the_same_articles_are_done_by_a_pool_of_actors(tmp_path, stand_in, monkeypatch):
    """Ray Data cannot run through Ray Client (ray://): there the same actors work in a pool, fed batches; the
    suggestions saved are the local engine's."""
    from ray import util

    class Pool:  # Ray's ActorPool, in this process: each batch to the next actor, results as they come
        def __init__(self, actors):
            self.actors = actors

        def map_unordered(self, fn, values):
            for n, value in enumerate(values):
                yield _numpy(fn(self.actors[n % len(self.actors)], _numpy(value)))

    monkeypatch.setattr(on_ray, "_through_client", lambda ray: ray is stand_in)
    monkeypatch.setattr(util, "ActorPool", Pool)
    local, here = _project(tmp_path / "local.db", 7), _project(tmp_path / "client.db", 7)
    preannotate(local, build_annotator(load_scheme()))
    report = on_ray.preannotate_on_ray(here, build_annotator(load_scheme()), workers=2, batch_size=3)
    assert _suggestions(here) == _suggestions(local) and report.documents == 7
    assert len(stand_in.actors) == 2 and stand_in.remote_options == {"num_cpus": 1} and stand_in.runs == []


# Ray Client's words when the head could not start a session's server in time, as Ray 2.60 says them (seen by
# running `ray start --head` with RAY_CLIENT_SERVER_CHECK_CHANNEL_TIMEOUT_S=0 and connecting with ray://)
SESSION_FAILED = ("Initialization failure from server:\nTraceback (most recent call last):\n  File \"/x/ray/util/"
                  "client/server/proxier.py\", line 780, in Datapath\n    raise RuntimeError(\nRuntimeError: Proxy "
                  "failed to Connect to backend! Check `ray_client_server.err` and `ray_client_server_23001.err` "
                  "on the head node of the cluster for the relevant logs. By default these are located at "
                  "/tmp/ray/session_latest/logs.\n")


def test_a_ray_client_session_the_head_fails_to_start_is_tried_once_more_and_then_said_with_the_heads_reason(
        tmp_path, stand_in, monkeypatch) -> None:
    """A busy head fails to start a Ray Client session now and then (the project's CI saw it once): a second
    session, on a new server process, is asked for; if that fails too, the head's reason is said, not only Ray's
    'Initialization failure from server:'."""
    monkeypatch.delenv("RAY_AUTH_MODE", raising=False)
    store = _project(tmp_path / "p.db", 2)
    with _listening() as port:
        address = f"ray://127.0.0.1:{port}"
        stand_in.refuse = [ConnectionAbortedError(SESSION_FAILED), None]
        report = on_ray.preannotate_on_ray(store, build_annotator(load_scheme()), address=address)
        assert report.documents == 2 and stand_in.inits[-1]["address"] == address and stand_in.refuse == []
        stand_in.refuse = [ConnectionAbortedError(SESSION_FAILED), ConnectionAbortedError(SESSION_FAILED)]
        with pytest.raises(PipelineError) as caught, on_ray.ray_running(address, 2):
            pass
        assert str(caught.value) == (
            f"cannot start or reach Ray at {address} (tried twice): Initialization failure from server: "
            "RuntimeError: Proxy failed to Connect to backend! Check `ray_client_server.err` and "
            "`ray_client_server_23001.err` on the head node of the cluster for the relevant logs. By default these "
            "are located at /tmp/ray/session_latest/logs.")
        assert stand_in.refuse == []
        # by HOST:PORT, Ray does not start sessions: its errors are said at once
        stand_in.refuse = [ConnectionAbortedError("refused:\nwhy"), None]
        with pytest.raises(PipelineError) as caught, on_ray.ray_running(f"127.0.0.1:{port}", 2):
            pass
        assert str(caught.value) == f"cannot start or reach Ray at 127.0.0.1:{port}: refused: why"
    assert len(stand_in.inits) == 1


def test_the_heads_own_log_records_streamed_through_ray_client_stay_out_of_the_terminal_but_its_errors(
        stand_in, caplog) -> None:
    """Ray Client streams the head's server's log records to the driver as it connects (Ray 2.60 sends its
    "SIGTERM handler is not set because current thread is not the main thread." to the editor's terminal, seen
    running `annotator preannotate --address ray://...` against `ray start --head`). Ray Client sets that logger's
    level itself, so its level alone cannot keep them out."""
    import logging

    streamed = logging.getLogger("ray.util.client.logsclient")
    with on_ray.ray_running(None, 2):
        streamed.setLevel(logging.INFO)  # as Ray Client does once connected
        with caplog.at_level(logging.INFO, logger="ray.util.client.logsclient"):
            streamed.log(logging.WARNING, "SIGTERM handler is not set because current thread is not the main thread.")
            streamed.log(logging.INFO, "Connecting to existing Ray cluster")
            streamed.log(logging.ERROR, "the head failed")
    assert [record.getMessage() for record in caplog.records] == ["the head failed"]
