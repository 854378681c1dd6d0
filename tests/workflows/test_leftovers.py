"""What a killed export leaves behind is cleaned by the next export to the same name, and nothing else is touched;
SQLite's own errors become errors an editor can act on, each naming the file."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator.core.errors import DamagedDatabaseError, NotAProjectError, ReadOnlyDatabaseError, UnavailableError
from annotator.store import sqlite_error
from annotator.workflows.exporting import clean_leftovers


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def age(path: Path, seconds: float) -> Path:
    t = time.time() - seconds
    os.utime(path, (t, t), follow_symlinks=False)
    return path


def test_only_the_leftovers_of_gone_or_stale_exports_to_that_name_are_removed(tmp_path):
    out = tmp_path / "news.jsonl"
    out.write_text("the last good export\n")
    dead, mine = dead_pid(), os.getpid()
    made = {}

    def file(name: str, seconds: float = 0) -> Path:
        path = tmp_path / name
        path.write_text("x")
        made[name] = age(path, seconds)
        return path

    file(f".news.jsonl.{dead}.a1.part")  # its process is gone: removed
    file(f".news.jsonl.{mine}.a2.part")  # a running export's, fresh: kept
    file(f".news.jsonl.{mine}.a3.part", 2 * 24 * 3600)  # running, but two days old: removed
    file(".news.jsonl.b1.part")  # no process id (an earlier version's), fresh: kept
    file(".news.jsonl.b2.part", 2 * 3600)  # no process id, two hours old: removed
    file(".news.jsonl.12.part", 2 * 3600)  # one number but no name after it: no process id, old: removed
    file(".news.jsonl.tmp.x.part", 2 * 3600)  # a name, not a number, first: no process id, old: removed
    file(".news.jsonl.other")  # not a temporary name: kept
    file(".news.jsonl.0-notes")  # another file of the user's, first in the folder's order: kept, and passed
    file(".news.jsonl.old-x12", 5 * 24 * 3600)  # not a process id: kept
    file(f".other.jsonl.{dead}.c1.part", 5 * 24 * 3600)  # another export's: kept
    old_dir = tmp_path / f".news.jsonl.old-{dead}"  # a folder set aside by a killed folder export: removed
    old_dir.mkdir()
    (old_dir / "a.ann").write_text("T1\tACTOR 0 5\tRebel\n")
    mine_dir = tmp_path / f".news.jsonl.old-{mine}"  # the running export's: kept
    mine_dir.mkdir()
    target = tmp_path / "keep-me"
    target.mkdir()
    (target / "data.txt").write_text("not a leftover")
    link = tmp_path / f".news.jsonl.{dead}.l1.part"
    link.symlink_to(target, target_is_directory=True)  # a link: the link goes, never what it points to

    assert clean_leftovers(out) == 7
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([
        "news.jsonl", f".news.jsonl.{mine}.a2.part", ".news.jsonl.b1.part", ".news.jsonl.other", ".news.jsonl.0-notes",
        ".news.jsonl.old-x12", f".other.jsonl.{dead}.c1.part", f".news.jsonl.old-{mine}", "keep-me"])
    assert (target / "data.txt").read_text() == "not a leftover" and out.read_text() == "the last good export\n"
    # nothing to clean (or a folder that cannot be read): nothing removed
    assert clean_leftovers(out) == 0
    assert clean_leftovers(tmp_path / "missing" / "x.jsonl") == 0
    assert clean_leftovers(out / "x.jsonl") == 0  # "beside" a file: its folder cannot be listed
    # a narrower age limit removes the running export's fresh files too, and only them
    assert clean_leftovers(out, max_age_s=-1, unnamed_age_s=-1) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([
        "news.jsonl", ".news.jsonl.other", ".news.jsonl.0-notes", ".news.jsonl.old-x12",
        f".other.jsonl.{dead}.c1.part", "keep-me"])


@pytest.mark.parametrize("said, kind, words", [
    ("database disk image is malformed", DamagedDatabaseError, "the database is damaged"),
    ("file is corrupt", DamagedDatabaseError, "sqlite3 DB.db .recover"),
    ("malformed database schema (x)", DamagedDatabaseError, "restore a backup"),
    ("file is not a database", NotAProjectError, "not an annotator project database (not an SQLite file)"),
    ("file is encrypted or is not a database", NotAProjectError, "not an SQLite file"),
    ("attempt to write a readonly database", ReadOnlyDatabaseError, "the file is read-only"),
    ("the folder is read-only", ReadOnlyDatabaseError, "copy it somewhere you may write"),
    ("database is locked", UnavailableError, "another program keeps the database busy; nothing was changed"),
    ("database table is busy", UnavailableError, "try again"),
    ("database or disk is full", UnavailableError, "the disk is full; the last change was not saved"),
    ("unable to open database file", UnavailableError, "is it on a removed disk or was it moved?"),
    ("disk I/O error", UnavailableError, "cannot read or write the file (disk I/O error)"),
    ("something else went wrong", UnavailableError, "DB.db: something else went wrong"),
])
def test_sqlite_errors_become_ones_the_editor_can_act_on(said, kind, words):
    error = sqlite_error(Path("DB.db"), sqlite3.OperationalError(said))
    assert type(error) is kind
    assert str(error).startswith("DB.db: ") and words in str(error)


@pytest.mark.parametrize("folder", [False, True])
def test_an_export_is_written_beside_its_target_under_a_name_that_says_whose_it_is(tmp_path, folder):
    from annotator.workflows.exporting import _temporary

    out = tmp_path / "deep" / "er" / ("news" if folder else "news.jsonl")
    old = os.umask(0o027)
    try:
        tmp = _temporary(out, folder)
    finally:
        os.umask(old)
    assert tmp.parent == out.parent  # the folders are made, and the rename stays on one file system
    assert tmp.name.startswith(f".{out.name}.{os.getpid()}.") and tmp.name.endswith(".part")
    assert tmp.is_dir() is folder and (folder or tmp.stat().st_size == 0)
    # the permissions a plain file or folder gets there (mkstemp's own are private)
    assert tmp.stat().st_mode & 0o777 == (0o750 if folder else 0o640)
    old = os.umask(0o022)  # the common mask: anyone may read, nobody may run a file
    try:
        other = _temporary(out, folder)
    finally:
        os.umask(old)
    assert other.stat().st_mode & 0o777 == (0o755 if folder else 0o644)
    shutil.rmtree(other) if folder else other.unlink()
    # a running export's file is not a leftover; once its process is gone, it is
    assert clean_leftovers(out) == 0 and tmp.exists()
    assert clean_leftovers(out, max_age_s=-1) == 1 and not tmp.exists()


def test_a_damaged_database_is_named_before_anything_is_written(tmp_path):
    from annotator.core.model import Document, Record
    from annotator.store import Store

    path = tmp_path / "p.db"
    with Store(path) as store:
        store.documents.add_records([Record(Document(text=f"Article {i}. " + "Rebels attacked Kidal. " * 40))
                           for i in range(300)])
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.check_integrity()  # a sound file passes
    size = path.stat().st_size
    with open(path, "r+b") as fh:  # pages in the middle overwritten, as a failing disk does
        fh.seek(size // 2)
        fh.write(b"\x13" * 8192)
    with pytest.raises(DamagedDatabaseError) as info:
        store = Store(path)
        try:
            store.check_integrity()
        finally:
            store.close()
    assert str(info.value).startswith(f"{path}: the database is damaged") and ".recover" in str(info.value)


def test_the_check_before_writing_stops_at_its_budget_and_sqlite_still_refuses_the_damage_it_meets(tmp_path):
    """On a project of several GiB the full check took minutes before every writing command: it stops at its
    budget, and a damaged page it did not reach is refused by SQLite when a command reads it."""
    from annotator.core.model import Document, Record
    from annotator.store import Store

    path = tmp_path / "p.db"
    with Store(path) as store:
        store.documents.add_records([Record(Document(text=f"Article {i}. " + "Rebels attacked Kidal. " * 40))
                                     for i in range(300)])
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        articles_end = path.stat().st_size
        # 200 MB more pages to read (a big project's), so that the check takes longer than its first interrupt
        store.conn.execute("CREATE TABLE filler(b BLOB)")
        store.conn.executemany("INSERT INTO filler VALUES (zeroblob(50000000))", [()] * 4)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert store.check_integrity() is True  # the whole file, within the budget
        assert store.check_integrity(budget_s=0) is False  # out of time: not checked to the end, not refused
    with open(path, "r+b") as fh:  # pages of the articles damaged
        fh.seek(articles_end // 2)
        fh.write(b"\x13" * 8192)
    store = Store(path)
    try:
        assert store.check_integrity(budget_s=0) is False
        with pytest.raises(DamagedDatabaseError):  # the articles' pages are read: SQLite names the damage
            try:
                store.conn.execute("SELECT count(*), sum(length(text)) FROM documents").fetchone()
            except sqlite3.DatabaseError as exc:
                raise sqlite_error(path, exc) from None
    finally:
        store.close()


def test_the_split_puts_the_nearest_article_on_a_side_left_empty(tmp_path):
    import hashlib

    from annotator.workflows.exporting import split_ids

    keys = [(i, f"hash-{i}", "accept") for i in range(1, 6)]

    def position(key):
        return int.from_bytes(hashlib.sha256(f"7:{key[1]}".encode()).digest()[:8], "big") / 2**64

    order = [k[0] for k in sorted(keys, key=position)]
    assert split_ids(keys, 0.0, 7) == {order[0]}  # no article below 0: the lowest goes to train
    assert split_ids(keys, 1.0, 7) == set(order[:-1])  # all below 1: the highest goes to dev
    ranked = sorted(keys, key=position)
    between = (position(ranked[1]) + position(ranked[2])) / 2
    assert split_ids(keys, between, 7) == {order[0], order[1]}  # those below the fraction, no more
    assert split_ids(keys[:1], 0.0, 7) == set() and split_ids(keys[:1], 1.0, 7) == {1}  # one article: as it falls


def test_whether_the_process_that_left_a_file_is_still_there(monkeypatch):
    import subprocess
    import sys

    from annotator.workflows import exporting
    from annotator.workflows.exporting import _alive

    assert _alive(os.getpid())
    # a process that any signal but 0 would end (even one started under nohup, which ignores SIGHUP)
    running = subprocess.Popen([sys.executable, "-c", (
        "import signal, time\n"
        "for s in signal.valid_signals():\n"
        "    try:\n"
        "        signal.signal(s, signal.SIG_DFL)\n"
        "    except (OSError, ValueError):\n"
        "        pass\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    assert running.stdout is not None and running.stdout.readline() == "ready\n"
    try:
        assert _alive(running.pid)
        with pytest.raises(subprocess.TimeoutExpired):
            running.wait(timeout=0.5)  # asked without disturbing it: still running
    finally:
        running.kill()
        running.communicate()
    assert not _alive(running.pid)  # ended and reaped

    def not_ours(pid, sig):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(exporting.os, "kill", not_ours)  # another user's process: there, though not ours to signal
    assert _alive(running.pid + 1)


def test_a_folder_export_replaces_the_last_one_and_leaves_nothing_beside_it(tmp_path):
    from annotator.workflows.files import replace

    out = tmp_path / "brat"
    for n in range(3):
        tmp = tmp_path / f".brat.{os.getpid()}.{n}.part"
        tmp.mkdir()
        (tmp / f"a{n}.txt").write_text(f"export {n}")
        replace(tmp, out)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["brat"]  # the last one set aside is removed
        assert [p.name for p in out.iterdir()] == [f"a{n}.txt"]
    single = tmp_path / ".one.part"
    single.write_text("a file")
    replace(single, tmp_path / "one.jsonl")
    assert (tmp_path / "one.jsonl").read_text() == "a file" and not single.exists()
    # a folder set aside by an earlier run of this process id (killed before it removed it) is in the way
    stale = tmp_path / f".brat.old-{os.getpid()}"
    stale.mkdir()
    (stale / "z.txt").write_text("from long ago")
    tmp = tmp_path / f".brat.{os.getpid()}.9.part"
    tmp.mkdir()
    (tmp / "a9.txt").write_text("export 9")
    replace(tmp, out)
    assert [p.name for p in out.iterdir()] == ["a9.txt"] and not stale.exists()
