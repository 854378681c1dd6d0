"""Shared fixtures. Qt must never look for a display in tests."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ANNOTATOR_EDITOR", "tester")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _shared() -> Path:
    """../shared beside the checkout (also from the copy mutation testing runs in, one folder deeper)."""
    for parent in ROOT.parents:
        if (parent / "shared" / "data").is_dir():
            return parent / "shared"
    return ROOT.parent / "shared"


SHARED = _shared()
WIKINEWS = SHARED / "data" / "wikinews" / "articles.jsonl"
FORMATS = SHARED / "fixtures" / "formats"
SAMPLES = ROOT / "resources" / "samples"


def dies_in_migration(name: str, check: str = "") -> str:
    """A program that opens the project named by its argv[1] and is killed with -9 right after migration `name`
    ran, before the upgrade is committed; `check`: Python run first on that migration's `db` (an assert that it
    wrote what it should)."""
    return ("import os, signal, sys\n"
            "from annotator.store import Store, schema\n"
            f"step = next(m for m in schema.migrations._migrations if m.name == {name!r})\n"
            "done = step.fn\n"
            "def dying(db):\n"
            "    done(db)\n"
            f"    {check or 'pass'}\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n"
            "step.fn = dying\n"
            "Store(sys.argv[1])\n")


def run_until_killed(script: str, *args: object) -> None:
    """Runs `script` in another interpreter, which must end killed with -9 (by its own hand, at the moment a test
    chose)."""
    import signal
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr


def json_from_another_process(script: str, *args: object):
    """What `script` (Python, run by another interpreter with `args` as its argv[1:]) prints as JSON: how a test
    reads a file as another program finds it, not through the handle or the cache that wrote it."""
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                         check=True, timeout=120)
    return json.loads(out.stdout)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "project.db"


@pytest.fixture
def store(db_path: Path):
    from annotator.store import Store

    s = Store(db_path)
    yield s
    s.close()


@pytest.fixture(scope="session")
def tokenize():
    from annotator.nlp.pipeline import tokenize as tok

    return tok


@pytest.fixture(scope="session")
def rules():
    from annotator.core.labels import load_scheme
    from annotator.nlp import build_annotator

    return build_annotator(load_scheme())


@pytest.fixture(scope="session")
def trained(tmp_path_factory) -> tuple[Path, Path]:
    """(the project, the model): the twelve samples pre-annotated by the rules and accepted as they are, and a
    span categoriser `annotator train` made from them (long enough to learn something: about 20 s). The
    editors' work is the rules' own, so on the dev articles the rules score best on every label."""
    from annotator.core.model import Answer
    from annotator.nlp import build_annotator
    from annotator.nlp.pipeline import tokenize
    from annotator.store import Store
    from annotator.workflows.importing import import_paths
    from annotator.workflows.preannotating import preannotate
    from annotator.workflows.training import train

    folder = tmp_path_factory.mktemp("trained")
    with Store(folder / "project.db") as store:
        import_paths(store, [SAMPLES], tokenizer=tokenize)
        preannotate(store, build_annotator(store.scheme))
        for (doc_id,) in store.conn.execute("SELECT id FROM documents").fetchall():
            store.annotations.accept_all(doc_id, "ed")
            store.annotations.set_answer(doc_id, Answer.ACCEPT, "ed")
        train(store, folder / "model", tokenizer=tokenize, epochs=30, patience=10, log=lambda s: None)
    return folder / "project.db", folder / "model"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


class FakeClock:
    """The editor's time in tests (an ActivityClock's `now`), moved by the test."""

    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def wait(self, seconds: float) -> None:
        self.t += seconds


def recording_session(store, who: str, tokenizer=None, clock: FakeClock | None = None):
    """An article session recording the editor's time as the window does, on a clock the test moves: (session,
    clock)."""
    from annotator.core.effort import ActivityClock
    from annotator.core.session import ArticleSession

    clock = clock or FakeClock()
    session = ArticleSession(store, who, tokenizer=tokenizer)
    session.clock = ActivityClock(clock)
    return session, clock


def undo_migration_0013(conn) -> None:
    """Takes out of a project what migration 0013 (where the work goes) made, as an older project lacks it."""
    for (trigger,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND (name LIKE 'effort%' "
                                   "OR name LIKE 'outcome%' OR name = 'first_of_suggestion')").fetchall():
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DROP TABLE effort")
    for column in ("origin", "first_label", "first_at"):
        conn.execute(f"ALTER TABLE spans DROP COLUMN {column}")
    conn.execute("ALTER TABLE links DROP COLUMN dropped")
    conn.execute("DELETE FROM tallies WHERE what NOT IN ('span', 'preannotated', 'answered', 'changes')")
    conn.execute("UPDATE changes SET detail = json_remove(detail, '$.work') WHERE json_valid(detail)")  # none then
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0013_effort'")
