"""Pre-annotation on Ray (a local Ray with 2 CPUs): the same suggestions as the local engine, saved the same way,
and shards in, one suggestions file per shard out, finished shards skipped."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path

import pytest

from annotator.core.labels import load_scheme
from annotator.nlp import build_annotator
from annotator.store import Store
from annotator.workflows.importing import import_paths
from annotator.workflows.on_ray import preannotate_files, preannotate_on_ray
from annotator.workflows.preannotating import preannotate
from tests.conftest import SHARED

ARTICLES = SHARED / "data" / "wikinews" / "articles.jsonl"
pytestmark = pytest.mark.ray  # left out of mutation testing (pyproject.toml, [tool.mutmut])


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray of 2 CPUs for the tests that call the engine in this process (`ray_running` uses a Ray the
    caller set up): starting one takes about 5 s. The tests of how a run starts, reaches or leaves its own Ray
    run the command line, each with the Ray it is about."""
    import ray

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


def _suggestions(store: Store) -> tuple:
    spans = store.conn.execute("SELECT doc_id, start, end, label, source, state, score FROM spans "
                               "ORDER BY 1, 2, 3, 4").fetchall()
    links = store.conn.execute(
        "SELECT l.doc_id, e.start, e.end, e.label, a.start, a.end, a.label, l.role, l.source, l.state FROM links l "
        "JOIN spans e ON e.id = l.event_id JOIN spans a ON a.id = l.arg_id ORDER BY 1, 2, 3, 4, 5, 6, 7, 8").fetchall()
    tokens = store.conn.execute("SELECT doc_id, data FROM tokens ORDER BY 1").fetchall()
    done = store.conn.execute("SELECT doc_id, pipeline FROM preannotated ORDER BY 1").fetchall()
    return spans, links, tokens, done


def test_ray_gives_exactly_the_local_suggestions_and_a_second_run_adds_nothing(tmp_path: Path, local_ray) -> None:
    scheme = load_scheme()
    local, on_ray = Store(tmp_path / "local.db"), Store(tmp_path / "ray.db")
    for s in (local, on_ray):
        import_paths(s, [ARTICLES])
    preannotate(local, build_annotator(scheme))
    report = preannotate_on_ray(on_ray, build_annotator(scheme), workers=2, batch_size=16)
    assert report.documents == 150 and not report.failed
    expected = _suggestions(local)
    assert len(expected[0]) > 1000 and len(expected[1]) > 100  # rules' spans and links on real articles
    assert _suggestions(on_ray) == expected
    again = preannotate_on_ray(on_ray, build_annotator(scheme), workers=2)
    assert (again.documents, again.suggestions) == (0, 0)
    assert _suggestions(on_ray) == expected


def test_shards_in_suggestion_files_out_and_finished_shards_skipped(tmp_path: Path, local_ray) -> None:
    lines = ARTICLES.read_text(encoding="utf-8").splitlines()[:30]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"part-{i}.jsonl").write_text("\n".join(lines[i * 10:(i + 1) * 10]) + "\n", encoding="utf-8")
    out = tmp_path / "suggestions"
    spec = build_annotator(load_scheme()).spec
    first = preannotate_files([Path(str(corpus / "*.jsonl"))], out, spec, workers=2)
    assert (first.shards, first.skipped, len(first.written), first.documents) == (3, 0, 3, 30)
    assert sorted(p.name for p in out.iterdir()) == ["part-0.jsonl", "part-1.jsonl", "part-2.jsonl"]
    # brought into a project, they are the suggestions the local engine makes on the same articles
    imported, local = Store(tmp_path / "imported.db"), Store(tmp_path / "local.db")
    import_paths(imported, [out])
    import_paths(local, [corpus])
    preannotate(local, build_annotator(load_scheme()))
    spans = "SELECT d.input_hash, s.start, s.end, s.label, s.source, s.state FROM spans s JOIN documents d ON " \
            "d.id = s.doc_id ORDER BY 1, 2, 3, 4"
    assert imported.conn.execute(spans).fetchall() == local.conn.execute(spans).fetchall()
    assert imported.conn.execute("SELECT count(*) FROM links WHERE source = 'rule'").fetchone()[0] == \
        local.conn.execute("SELECT count(*) FROM links").fetchone()[0] > 0
    # a second run skips every finished shard and leaves its file as it was; a missing output is made again
    kept = (out / "part-0.jsonl").read_bytes()
    (out / "part-1.jsonl").unlink()
    second = preannotate_files([corpus], out, spec, workers=2)
    assert (second.skipped, [p.name for p in second.written]) == (2, ["part-1.jsonl"])
    assert (out / "part-0.jsonl").read_bytes() == kept
    record = json.loads((out / "part-1.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert record["spans"] and all(sp.get("pattern") for sp in record["spans"])


def test_without_ray_the_engine_says_in_one_line_how_to_install_it(tmp_path: Path) -> None:
    import subprocess
    import sys

    db = tmp_path / "p.db"
    with Store(db) as store:
        import_paths(store, [ARTICLES])
    code = ("import sys; sys.modules['ray'] = None; from annotator.cli import main; "
            f"sys.argv = ['annotator', 'preannotate', '--db', {str(db)!r}, '--engine', 'ray']; main()")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2  # the command line's status for a user's problem
    assert run.stderr.strip().splitlines() == [
        "error: the Ray engine needs Ray, an optional extra: pip install 'annotator[ray]'"]
    with Store(db) as store:  # nothing was written
        assert store.conn.execute("SELECT count(*) FROM preannotated").fetchone()[0] == 0


def _descendants(pid: int) -> set[int]:
    import subprocess

    found: set[int] = set()
    todo = [pid]
    while todo:
        out = subprocess.run(["pgrep", "-P", str(todo.pop())], capture_output=True, text=True).stdout.split()
        for child in map(int, out):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_ray_run_killed_half_way_resumes_to_the_local_result_and_leaves_no_ray_behind(tmp_path: Path) -> None:
    import signal
    import subprocess
    import time

    from tests.conftest import ROOT
    from tests.test_between_programs import read_only
    from tests.test_durability import annotator_cmd, make_input

    src = make_input(tmp_path / "in.jsonl", 600)  # 600 articles, each different (a copy number in its text)
    db, reference = tmp_path / "p.db", tmp_path / "ref.db"
    for target in (db, reference):
        subprocess.run(annotator_cmd("import", src, "--db", target), cwd=ROOT, check=True, capture_output=True)
    subprocess.run(annotator_cmd("preannotate", "--db", reference), cwd=ROOT, check=True, capture_output=True)
    proc = subprocess.Popen(annotator_cmd("preannotate", "--db", db, "--engine", "ray", "--batch-size", "4"),
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    done = 0
    while done < 60 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        try:
            done = read_only(db, "SELECT count(*) FROM preannotated")[0][0]
        except sqlite3.Error:
            continue
    ray_processes = _descendants(proc.pid)  # the local Ray this run started: its raylet, GCS and workers
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = read_only(db, "SELECT count(*) FROM preannotated")[0][0]
    assert 0 < partial < 600, "the Ray run was not interrupted half-way"
    assert ray_processes, "the run had started no Ray of its own"
    assert read_only(db, "PRAGMA integrity_check") == [("ok",)]
    again = subprocess.run(annotator_cmd("preannotate", "--db", db, "--engine", "ray"), cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"pre-annotated {600 - partial} document(s)" in again.stdout
    spans = ('SELECT d.input_hash, s.start, s."end", s.label, s.source, s.state FROM spans s JOIN documents d '
             "ON d.id = s.doc_id ORDER BY 1, 2, 3, 4")
    links = ("SELECT d.input_hash, e.start, e.label, a.start, a.label, l.role, l.state FROM links l "
             "JOIN documents d ON d.id = l.doc_id JOIN spans e ON e.id = l.event_id JOIN spans a ON a.id = l.arg_id "
             "ORDER BY 1, 2, 3, 4, 5, 6")
    for query in (spans, links):
        assert read_only(db, query) == read_only(reference, query)
    assert len(read_only(reference, links)) > 600
    # the killed run's Ray (its raylet, GCS, workers) goes away by itself: nothing left using the CPUs
    gone_by = time.monotonic() + 120
    while any(_alive(pid) for pid in ray_processes) and time.monotonic() < gone_by:
        time.sleep(1)
    assert not [pid for pid in ray_processes if _alive(pid)]


def test_an_address_where_no_ray_answers_is_said_in_one_line_at_once(tmp_path: Path) -> None:
    import subprocess

    from tests.conftest import ROOT
    from tests.test_durability import annotator_cmd

    db = tmp_path / "p.db"
    with Store(db) as store:
        import_paths(store, [ARTICLES])
    port = _free_port()  # a port nothing listens on
    for address, reason in ((f"127.0.0.1:{port}", "Connection refused"),
                            ("ray://no-such-host.invalid:10001", "is `ray start --head` running there?"),
                            ("head-node", "give it as auto, HOST:PORT or ray://HOST:PORT")):
        run = subprocess.run(annotator_cmd("preannotate", "--db", db, "--engine", "ray", "--address", address),
                             cwd=ROOT, capture_output=True, text=True, timeout=60)  # Ray alone retries minutes
        assert run.returncode == 2
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: cannot reach Ray at {address}: ") and reason in lines[0]
    with Store(db) as store:
        assert store.conn.execute("SELECT count(*) FROM preannotated").fetchone()[0] == 0


def _free_port() -> int:
    import socket

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        return free.getsockname()[1]


def test_a_cluster_started_with_ray_start_is_reached_by_its_address_and_through_ray_client(tmp_path: Path) -> None:
    """The README's walk-through: `ray start --head` here, then --address HOST:PORT and ray://HOST:PORT (Ray
    Client, where Ray Data cannot run: the same actors through Ray Core) give exactly the local engine's result."""
    import os
    import secrets
    import shutil
    import signal
    import socket
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT
    from tests.test_durability import annotator_cmd

    lines = ARTICLES.read_text(encoding="utf-8").splitlines()[:40]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name in ("local", "gcs", "client"):
        with Store(tmp_path / f"{name}.db") as store:
            import_paths(store, [tmp_path / "a.jsonl"])
    with Store(tmp_path / "local.db") as store:
        preannotate(store, build_annotator(load_scheme()))
    gcs, client = _free_port(), _free_port()
    ray_cli = str(Path(sys.executable).with_name("ray"))
    assert shutil.which(ray_cli), "the ray extra installs the `ray` command"
    # Ray's own folder for this cluster (its record of the last `ray start` goes there, not in /tmp/ray); short,
    # as Ray's sockets need
    ray_tmp = tempfile.mkdtemp(prefix="r", dir="/tmp")
    # token authentication on, as Ray has it by default once a token exists; its token given to both sides
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16)}
    head = subprocess.Popen([ray_cli, "start", "--head", "--block", f"--port={gcs}",
                             f"--ray-client-server-port={client}", "--num-cpus=2", "--include-dashboard=false",
                             "--disable-usage-stats"], env={**os.environ, "RAY_TMPDIR": ray_tmp, **auth},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        up_by = time.monotonic() + 120
        while True:  # the client server is the last to listen
            try:
                socket.create_connection(("127.0.0.1", client), timeout=1).close()
                break
            except OSError:
                assert head.poll() is None and time.monotonic() < up_by, "ray start --head did not come up"
                time.sleep(0.5)
        for name, address in (("gcs", f"127.0.0.1:{gcs}"), ("client", f"ray://127.0.0.1:{client}")):
            run = subprocess.run(annotator_cmd("preannotate", "--db", tmp_path / f"{name}.db", "--engine", "ray",
                                               "--address", address),
                                 cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, **auth})
            assert run.returncode == 0, run.stderr
            assert "pre-annotated 40 document(s)" in run.stdout
            assert "Traceback" not in run.stderr
        got = {}
        for name in ("local", "gcs", "client"):
            with Store(tmp_path / f"{name}.db") as store:
                got[name] = _suggestions(store)
        assert len(got["local"][0]) > 200
        assert got["gcs"] == got["local"] and got["client"] == got["local"]
    finally:
        os.killpg(head.pid, signal.SIGTERM)  # `ray start --block` stops its cluster when told to
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
        shutil.rmtree(ray_tmp, ignore_errors=True)


def test_without_an_address_a_new_local_ray_even_where_ray_start_left_its_record(tmp_path: Path) -> None:
    """A `ray start --head` stopped without `ray stop` leaves its address in Ray's folder; Ray alone would join
    that (dead) cluster and refuse the worker count. Without --address the run starts its own Ray, as promised."""
    import os
    import shutil
    import subprocess

    from tests.conftest import ROOT
    from tests.test_durability import annotator_cmd

    lines = ARTICLES.read_text(encoding="utf-8").splitlines()[:5]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Store(tmp_path / "p.db") as store:
        import_paths(store, [tmp_path / "a.jsonl"])
    ray_tmp = tempfile.mkdtemp(prefix="r", dir="/tmp")
    try:
        Path(ray_tmp, "ray").mkdir()
        Path(ray_tmp, "ray", "ray_current_cluster").write_text(f"127.0.0.1:{_free_port()}", encoding="utf-8")
        run = subprocess.run(annotator_cmd("preannotate", "--db", tmp_path / "p.db", "--engine", "ray"),
                             cwd=ROOT, capture_output=True, text=True, timeout=300,
                             env={**os.environ, "RAY_TMPDIR": ray_tmp})
        assert run.returncode == 0, run.stderr
        assert "pre-annotated 5 document(s)" in run.stdout
    finally:
        shutil.rmtree(ray_tmp, ignore_errors=True)
