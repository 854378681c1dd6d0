"""A million articles of real length, as a team's project holds them after months: every action of the window
and of the command line that reads the whole project, each beside the same work in bare SQLite from the same
run.

The database (built once into bench/out/, which git ignores; the build time is printed) holds articles made of
Wikinews sentences recombined (12 to 28 each, so about as long as the real ones), with the suggestions the
default rules make in those sentences (about 30 an article) and their links; a tenth are answered by one of
three editors, their suggestions accepted, and two editors' work on each of those is merged in as layers (the
second missed about a tenth of the spans); every article has its tokens, as after pre-annotation.

Run: python bench/bench_million.py [--quick] (--quick: 20,000 articles, to try the benchmark itself)."""

from __future__ import annotations

import json
import random
import re
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from common import OUT, WIKINEWS

from annotator.core.hashing import text_hash
from annotator.core.labels import load_scheme
from annotator.core.model import Token
from annotator.core.tokens import pack_tokens, unpack_tokens
from annotator.nlp import build_annotator
from annotator.store import Store
from annotator.workflows.preannotating import annotate_rows

EDITORS = ("ana", "ben", "chen")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentence_bank() -> tuple[str, list[tuple[str, list[Token], list[tuple], list[tuple]]]]:
    """Each Wikinews sentence with its tokens, the rules' suggestions in it and their links (offsets from the
    sentence's start; links name spans by position), and the pipeline's key."""
    annotator = build_annotator(load_scheme())
    articles = [json.loads(line) for line in WIKINEWS.open(encoding="utf-8")]
    rows = [(n, " ".join(a["text"].split()), None) for n, a in enumerate(articles)]
    bank = []
    for (_, text, _), (_, packed, spans, links, _) in zip(rows, annotate_rows(annotator, rows)):
        tokens = unpack_tokens(packed)
        start = 0
        for part in SENTENCE_END.split(text):
            begin = text.index(part, start)
            end = begin + len(part)
            start = end
            inside = [i for i, sp in enumerate(spans) if begin <= sp.start and sp.end <= end]
            if len(part.split()) < 5:
                continue
            position = {i: k for k, i in enumerate(inside)}
            bank.append((part,
                         [Token(t.start - begin, t.end - begin, t.ws) for t in tokens if begin <= t.start < end],
                         [(spans[i].start - begin, spans[i].end - begin, spans[i].label, spans[i].source.value)
                          for i in inside],
                         [(position[lk.event], position[lk.argument], lk.role) for lk in links
                          if lk.event in position and lk.argument in position]))
    return annotator.key, bank


def build(n: int) -> Path:
    path = OUT / f"realistic-{n}.db"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    key, bank = sentence_bank()
    tmp = path.with_suffix(".part")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    Store(tmp).close()
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    rng = random.Random(15)
    next_span = 1
    stamp = "2026-12-05T00:00:00.000+00:00"
    for first in range(1, n + 1, 10_000):
        docs, tokens, spans, links, done, changes = [], [], [], [], [], []
        assigned, layer_answers, layer_spans = [], [], []
        for doc_id in range(first, min(n, first + 9_999) + 1):
            parts = [bank[rng.randrange(len(bank))] for _ in range(rng.randint(12, 28))]
            text_parts, toks, offset, ids = [], [], 0, []
            answered = rng.random() < 0.1
            editor = rng.choice(EDITORS) if answered else None
            for k, (sentence, stoks, sspans, slinks) in enumerate(parts):
                if k:
                    text_parts.append(" ")
                    toks[-1] = Token(toks[-1].start, toks[-1].end, True)
                    offset += 1
                text_parts.append(sentence)
                toks += [Token(t.start + offset, t.end + offset, t.ws) for t in stoks]
                mine = {}
                for i, (s, e, label, source) in enumerate(sspans):
                    key_ = (s + offset, e + offset, label)
                    if key_ in ids:
                        continue
                    ids.append(key_)
                    mine[i] = next_span
                    spans.append((next_span, doc_id, s + offset, e + offset, label, source,
                                  "accepted" if answered else "suggested", key, stamp))
                    next_span += 1
                links += [(doc_id, mine[a], mine[b], role, "rule", "accepted" if answered else "suggested", key,
                           stamp) for a, b, role in slinks if a in mine and b in mine]
                offset += len(sentence)
            text = "".join(text_parts)
            docs.append((doc_id, f"Article {doc_id}: {parts[0][0][:60]}", text, text_hash(text),
                         "accept" if answered else "pending", editor, stamp if answered else None))
            tokens.append((doc_id, pack_tokens(toks)))
            done.append((doc_id, key, stamp, len(ids)))
            if answered:  # as the window records it: the opening, then the answer with its active time
                changes.append((doc_id, "opened", editor, stamp, json.dumps(
                    {"work": {"kind": "opened", "ms": 0, "words": len(text.split()), "hidden": 0}})))
                changes.append((doc_id, "answer", editor, stamp, json.dumps(
                    {"before": "pending", "after": "accept",
                     "work": {"kind": "answer", "ms": rng.randint(20_000, 600_000), "answer": "accept"}})))
                # two editors' merged work, as `annotator merge` leaves it: the answerer's spans, and a second
                # editor's who missed about one in ten
                other = rng.choice([e for e in EDITORS if e != editor])
                for who in (editor, other):
                    assigned.append((doc_id, who))
                    layer_answers.append((doc_id, who, "accept", stamp))
                    layer_spans += [(doc_id, who, s, e, label, "accepted", "rule", stamp) for s, e, label in ids
                                    if who == editor or rng.random() >= 0.1]
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO documents(id, title, text, input_hash, answer, answered_by, answered_at, "
                         "revision, meta) VALUES (?, ?, ?, ?, ?, ?, ?, 0, '{}')", docs)
        conn.executemany("INSERT INTO tokens(doc_id, data) VALUES (?, ?)", tokens)
        conn.executemany('INSERT INTO spans(id, doc_id, start, "end", label, source, state, created_by, updated_at) '
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", spans)
        conn.executemany("INSERT OR IGNORE INTO links(doc_id, event_id, arg_id, role, source, state, created_by, "
                         "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", links)
        conn.executemany("INSERT INTO preannotated(doc_id, pipeline, at, suggestions) VALUES (?, ?, ?, ?)", done)
        conn.executemany("INSERT INTO changes(doc_id, action, who, at, detail) VALUES (?, ?, ?, ?, ?)", changes)
        conn.executemany("INSERT INTO assignments(doc_id, editor) VALUES (?, ?)", assigned)
        conn.executemany("INSERT INTO layer_answers(doc_id, editor, answer, at) VALUES (?, ?, ?, ?)", layer_answers)
        conn.executemany('INSERT INTO layer_spans(doc_id, editor, start, "end", label, state, source, at) '
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", layer_spans)
        conn.execute("COMMIT")
        if first % 100_000 == 1:
            print(f"  built {first + len(docs) - 1:,} articles in {time.perf_counter() - started:.0f} s", flush=True)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    tmp.rename(path)
    size = path.stat().st_size / 2**30
    print(f"built {path.name}: {n:,} articles in {time.perf_counter() - started:.0f} s ({size:.1f} GiB)")
    return path


def median_ms(fn, runs: int = 10, before=None) -> float:
    """The median time of `fn` in ms; `before` (untimed) runs ahead of each, to start each run alike."""
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def line(name: str, ms: float, base_ms: float, base_name: str, target_ms: float, ratio: float | None = None) -> bool:
    ok = ms < target_ms and (ratio is None or ms <= ratio * max(base_ms, 0.001))
    need = f"need < {target_ms:g} ms" + (f" and <= {ratio:g}x" if ratio else "")
    print(f"{name}: {ms:.1f} ms vs {base_name} {base_ms:.2f} ms ({need}) {'OK' if ok else 'BELOW TARGET'}")
    return ok


def bench_window(path: Path) -> bool:
    """The window on the big project, offscreen: each action as the keys do it, the widgets painted."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from bench_gui import open_window

    from annotator.core.model import Answer

    app, window = open_window(path, "million-window.ini")
    bare = sqlite3.connect(path)
    ok = True

    def answer() -> None:
        window.answer(Answer.ACCEPT)
        app.processEvents()

    ours = median_ms(answer)
    for _ in range(10):  # the window's own undo puts the project back as it was, for the next run
        window.undo_stack.undo()
    app.processEvents()
    answered = []

    def bare_answer() -> None:
        doc = bare.execute("SELECT id FROM documents WHERE answer = 'pending' ORDER BY id LIMIT 1").fetchone()[0]
        with bare:
            bare.execute("UPDATE documents SET answer = 'accept' WHERE id = ?", (doc,))
        answered.append(doc)
        bare.execute("SELECT id FROM documents WHERE answer = 'pending' AND id > ? ORDER BY id LIMIT 1", (doc,))
        bare.execute("SELECT text FROM documents WHERE id = ?", (doc + 1,)).fetchone()
        bare.execute('SELECT id, start, "end", label, state FROM spans WHERE doc_id = ?', (doc + 1,)).fetchall()

    base = median_ms(bare_answer)
    with bare:
        bare.executemany("UPDATE documents SET answer = 'pending' WHERE id = ?", [(d,) for d in answered])
    ok &= line("answer an article and move to the next (median of 10)", ours, base,
               "bare SQLite: the UPDATE and the next article's text and spans", 50)

    def step() -> None:
        window.go_to_article(1)
        app.processEvents()

    doc = [window.session.doc_id]

    def bare_step() -> None:
        doc[0] += 1
        bare.execute("SELECT text FROM documents WHERE id = ?", (doc[0],)).fetchone()
        bare.execute('SELECT id, start, "end", label, state FROM spans WHERE doc_id = ?', (doc[0],)).fetchall()

    ok &= line("next article (median of 10)", median_ms(step), median_ms(bare_step),
               "bare SQLite: its text and spans", 50)

    word = "police"

    def search() -> None:
        window.search.setText(word)
        window.apply_filter()
        app.processEvents()

    def clear() -> None:
        window.search.setText("")
        window.apply_filter()
        app.processEvents()

    first_page = median_ms(search, 5, before=clear)
    fts = f'"{word}"*'
    base = median_ms(lambda: bare.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rowid "
                                          "LIMIT 200", (fts,)).fetchall())
    ok &= line(f"search '{word}': the first page shown (median of 5)", first_page, base,
               "bare FTS5, the same page", 50)
    documents = window.store.documents
    ok &= line(f"search '{word}': the store's query for that page (median of 10)",
               median_ms(lambda: documents.document_ids(0, 200, query=word)), base,
               "bare FTS5, the same page", 50, 5)

    def next_page() -> None:
        window.queue.fetchMore()
        app.processEvents()

    last = [0]

    def bare_next() -> None:
        rows = bare.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? AND rowid > ? ORDER BY rowid "
                            "LIMIT 200", (fts, last[0])).fetchall()
        last[0] = rows[-1][0]

    base = median_ms(bare_next)
    ok &= line(f"search '{word}': the next page shown (median of 10)", median_ms(next_page), base,
               "bare FTS5, the next page", 50)
    after = [0]

    def our_next() -> None:
        after[0] = documents.document_ids(after[0], 200, query=word)[-1]

    ok &= line(f"search '{word}': the store's query for the next page (median of 10)", median_ms(our_next), base,
               "bare FTS5, the next page", 50, 5)
    clear()

    def answered() -> None:
        window.filter_box.setCurrentIndex(next(i for i in range(window.filter_box.count())
                                               if "accept" in window.filter_box.itemText(i).lower()))
        window.apply_filter()
        app.processEvents()

    def all_() -> None:
        window.filter_box.setCurrentIndex(0)
        window.apply_filter()
        app.processEvents()

    filtered = median_ms(answered, 5, before=all_)
    base = median_ms(lambda: bare.execute("SELECT id FROM documents WHERE answer = 'accept' ORDER BY id LIMIT 200")
                     .fetchall())
    ok &= line("filter the queue to accepted articles (median of 5)", filtered, base,
               "bare SQLite, the same page", 50)
    all_()

    for label in ("PLACE", "TERRITORY"):  # the commonest label, and the rarest the rules suggest

        def by_label(label=label) -> None:
            window.label_filter.setCurrentIndex(window.label_filter.findData(label))
            app.processEvents()

        def all_labels() -> None:
            window.label_filter.setCurrentIndex(0)
            app.processEvents()

        filtered = median_ms(by_label, 5, before=all_labels)
        base = median_ms(lambda label=label: bare.execute(
            "SELECT DISTINCT doc_id FROM spans WHERE label = ? ORDER BY doc_id LIMIT 200", (label,)).fetchall())
        ok &= line(f"filter the queue to articles with a {label} span (median of 5)", filtered, base,
                   "bare SQLite, the same page", 50)
    all_labels()
    window.close()
    bare.close()
    return ok


def bench_reading(path: Path) -> bool:
    """What reads the whole project: the statistics, an export's stream of articles, the agreement's stream of
    the editors' work."""
    ok = True
    store = Store(path, readonly=True)
    bare = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    t = time.perf_counter()
    store.exports.stats()
    effort = store.effort.figures()
    stats_ms = (time.perf_counter() - t) * 1000
    answered = sum(e["articles"] for e in effort["editors"].values())
    print(f"  (the effort figures among them: {answered:,} articles answered by {len(effort['editors'])} editors, "
          f"{sum(e['active_hours'] for e in effort['editors'].values()):,.0f} active hours)")
    t = time.perf_counter()
    bare.execute("SELECT answer, count(*) FROM documents GROUP BY answer").fetchall()
    bare.execute("SELECT label, state, count(*) FROM spans GROUP BY label, state").fetchall()
    base_ms = (time.perf_counter() - t) * 1000
    ok &= line("the statistics with the effort figures (annotator stats --json)", stats_ms, base_ms,
               "bare SQLite: answers and spans grouped", 200)

    limit = 50_000
    t = time.perf_counter()
    n = 0
    for _ in store.exports.iter_for_export(include_pending=True):
        n += 1
        if n == limit:
            break
    ours = n / (time.perf_counter() - t)
    t = time.perf_counter()
    m = 0
    for _ in bare.execute("SELECT d.id, d.text, (SELECT data FROM tokens t WHERE t.doc_id = d.id), "
                          "(SELECT json_group_array(start) FROM spans s WHERE s.doc_id = d.id) FROM documents d "
                          "ORDER BY d.id LIMIT ?", (limit,)):
        m += 1
    base = m / (time.perf_counter() - t)
    print(f"export stream: {ours:,.0f} articles/s vs bare SELECT of their text, tokens and spans {base:,.0f} "
          f"articles/s = {ours / base:.2f}x (first {limit:,} articles)")

    from annotator.core.agreement import Agreement

    limit = 20_000
    acc = Agreement([lb.name for lb in store.scheme.labels])
    t = time.perf_counter()
    n = 0
    for work in store.team.work():
        acc.add(work)
        n += 1
        if n == limit:
            break
    acc.result()
    ours = n / (time.perf_counter() - t)
    t = time.perf_counter()
    rows = bare.execute("SELECT d.id, d.text, (SELECT data FROM tokens t WHERE t.doc_id = d.id), (SELECT "
                        "json_group_array(json_array(editor, start, \"end\", label)) FROM layer_spans s WHERE "
                        "s.doc_id = d.id AND s.state = 'accepted') FROM documents d WHERE d.id IN (SELECT doc_id "
                        "FROM layer_answers) ORDER BY d.id LIMIT ?", (limit,)).fetchall()
    base = len(rows) / (time.perf_counter() - t)
    print(f"agreement stream: {ours:,.0f} articles/s vs bare SELECT of their text, tokens and editors' spans "
          f"{base:,.0f} articles/s = {ours / base:.2f}x (first {n:,} articles two editors answered)")
    store.close()
    bare.close()
    return ok


def bench_resume(path: Path) -> bool:
    """A pre-annotation killed near the end of the project (its last 2,000 articles left): `annotator
    preannotate` started again, the time until it has saved its first article (it must find where it stopped
    among a million), beside the same command with nothing left to do.

    The project is brought to that state by marking: every article but the last 2,000 is recorded as done by
    the current pipeline (its key changes with the pattern file, and running the new rules over a million
    articles would take hours), then those 2,000 are pre-annotated for real, by the command measured."""
    import os
    import signal
    import subprocess

    from annotator.nlp import build_annotator
    from annotator.store import Store

    with Store(path, create=False) as store:
        key = build_annotator(store.scheme).key
    conn = sqlite3.connect(path, isolation_level=None)
    n = conn.execute("SELECT max(id) FROM documents").fetchone()[0]
    left = min(2_000, max(1, n // 10))
    cmd = [sys.executable, "-m", "annotator", "preannotate", "--db", str(path)]  # pending articles, as editors run it

    def first_saved(check) -> float:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while not check():
                if proc.poll() is not None:
                    break
                time.sleep(0.01)
            return (time.perf_counter() - t) * 1000
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)  # killed as a power cut would: the next run goes on from there
            proc.wait()

    stamp = "bench"
    conn.execute("INSERT OR IGNORE INTO preannotated(doc_id, pipeline, at) SELECT id, ?, ? FROM documents",
                 (key, stamp))  # every article done: the command starts, finds nothing, ends
    base = first_saved(lambda: False)
    conn.execute("DELETE FROM preannotated WHERE doc_id > ? AND pipeline = ?", (n - left, key))
    ours = first_saved(lambda: conn.execute("SELECT count(*) FROM preannotated WHERE doc_id > ? AND pipeline = ?",
                                            (n - left, key)).fetchone()[0] > 0)  # answered ones are not done again
    print(f"pre-annotation resumed after a kill with {left:,} articles left: first article saved after {ours:,.0f} ms "
          f"vs the same command with nothing left to do {base:,.0f} ms")
    t = time.perf_counter()  # the rest done again, so that the next run starts alike
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    print(f"  (the rest of those {left:,} articles then took {time.perf_counter() - t:,.1f} s)")
    conn.close()
    return True


def main() -> int:
    n = 20_000 if "--quick" in sys.argv else 1_000_000
    path = build(n)
    from bench_gui import bench_million as start_and_scroll

    ok = start_and_scroll(str(path))
    ok &= bench_reading(path)
    ok &= bench_window(path)
    ok &= bench_resume(path)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
