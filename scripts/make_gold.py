"""The hand-annotated Wikinews gold standard, annotated in the tool itself.

scripts/gold_spec.txt holds the annotator's decisions, written by reading each article against the guidelines at
its top: a span a line (`LABEL | quoted words | which`), and under an event the arguments it links
(`  role > LABEL | quoted words | which`). This script imports the articles into a project of their own
(bench/out/gold.db, no suggestions), opens the real window and makes each decision there as an editor does:
it selects the words and presses the label's key, clicks the event, presses Shift and the role's key, Tabs to the
argument and presses Enter, and accepts the article with Ctrl+Enter. It then checks that the window stored
exactly what the spec says (a span the window snapped to other offsets, or a link it refused, stops it), and
writes the accepted spans and links, read back from the project, to tests/fixtures/wikinews-gold.jsonl.

`which` picks the occurrence of the quoted words (counted on whole words): a number (0 = the first), `*` for
every occurrence, or `~words around it` for the one inside those words; left out, the words must occur once.

The held-out articles (scripts/heldout_spec.txt: articles annotated after the rules were written) are made the
same way with --heldout, into bench/out/heldout.db and tests/fixtures/wikinews-heldout.jsonl, and the second set
(scripts/heldout2_spec.txt, the next 30 of the same draw) with --heldout 2, the third (scripts/heldout3_spec.txt,
the 30 after those) with --heldout 3, and the fourth (scripts/heldout4_spec.txt, the last 11 of the draw) with
--heldout 4; --draw prints the draw and which set holds each article.

Run: python scripts/make_gold.py [--heldout [1|2|3|4]] [--check] [--draw]
(--check: only parse the spec and compare it with the fixture)"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT.parent / "shared" / "data" / "wikinews" / "articles.jsonl"
SPEC = ROOT / "scripts" / "gold_spec.txt"
OUT = ROOT / "tests" / "fixtures" / "wikinews-gold.jsonl"
PROJECT = ROOT / "bench" / "out" / "gold.db"


def _heldout(n: int) -> tuple[Path, Path, Path]:
    """Held-out set n's spec, fixture and project (the first set's names carry no number)."""
    tag = "" if n == 1 else str(n)
    return (ROOT / "scripts" / f"heldout{tag}_spec.txt", ROOT / "tests" / "fixtures" / f"wikinews-heldout{tag}.jsonl",
            ROOT / "bench" / "out" / f"heldout{tag}.db")


# the held-out sets, in the order of the draw: each annotates the next stretch of it, none skipped
HELDOUT_SETS = {n: _heldout(n) for n in (1, 2, 3, 4)}
HELDOUT_SEED, HELDOUT_MAX_WORDS = 2027, 1500

Key = tuple[int, int, str]  # start, end, label


class SpecError(Exception):
    pass


@dataclass
class Article:
    id: str
    spans: list[Key] = field(default_factory=list)
    links: list[tuple[Key, str, Key]] = field(default_factory=list)  # event, role, argument


def occurrences(text: str, quote: str) -> list[int]:
    pattern = r"(?<!\w)" + re.escape(quote) + r"(?!\w)"
    return [m.start() for m in re.finditer(pattern, text)]


def locate(text: str, quote: str, which: str | None) -> list[int]:
    hits = occurrences(text, quote)
    if not hits:
        raise SpecError(f"{quote!r} is not in the article (as whole words)")
    if which is None:
        if len(hits) > 1:
            raise SpecError(f"{quote!r} occurs {len(hits)} times: say which (a number, * or ~words around it)")
        return hits
    if which == "*":
        return hits
    if which.startswith("~"):
        context = which[1:].strip()
        places = [m.start() for m in re.finditer(re.escape(context), text)]
        if len(places) != 1:
            raise SpecError(f"the words around {quote!r}, {context!r}, occur {len(places)} times (need once)")
        inside = [h for h in hits if places[0] <= h and h + len(quote) <= places[0] + len(context)]
        if len(inside) != 1:
            raise SpecError(f"{quote!r} occurs {len(inside)} times within {context!r}")
        return inside
    if not which.isdigit() or int(which) >= len(hits):
        raise SpecError(f"{quote!r}: occurrence {which!r} not found ({len(hits)} found, counted from 0)")
    return [hits[int(which)]]


def parse_spec(path: Path, texts: dict[str, str], labels: set[str]) -> list[Article]:
    articles: list[Article] = []
    event: Key | None = None
    listed: set[tuple[str, Key]] = set()  # spans given a line of their own (a link may mark one before)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith("@"):
                doc_id = line[1:].strip()
                if doc_id not in texts:
                    raise SpecError(f"no article {doc_id!r} in {ARTICLES.name}")
                articles.append(Article(doc_id))
                event = None
                continue
            if not articles:
                raise SpecError("a span before the first '@ article-id' line")
            article, text = articles[-1], texts[articles[-1].id]
            is_link = line.startswith((" ", "\t"))
            role = None
            body = line.strip()
            if is_link:
                if ">" not in body:
                    raise SpecError("an indented line is a link: '  role > LABEL | words | which'")
                role, body = (x.strip() for x in body.split(">", 1))
                if event is None:
                    raise SpecError("a link with no single event line above it")
            parts = [x.strip() for x in body.split("|")]
            if len(parts) not in (2, 3) or not parts[1]:
                raise SpecError("expected 'LABEL | words' or 'LABEL | words | which'")
            label, quote, which = parts[0], parts[1], parts[2] if len(parts) == 3 else None
            if label not in labels:
                raise SpecError(f"unknown label {label!r}")
            keys = [(s, s + len(quote), label) for s in locate(text, quote, which)]
            if is_link:
                if len(keys) != 1:
                    raise SpecError("a link's argument must be one occurrence, not *")
                if keys[0] not in article.spans:
                    article.spans.append(keys[0])
                if (event, role, keys[0]) in article.links:
                    raise SpecError("this link is listed twice")
                article.links.append((event, role, keys[0]))
                continue
            for key in keys:
                if (article.id, key) in listed and which != "*":
                    raise SpecError(f"{quote!r} ({label}) is listed twice")
                listed.add((article.id, key))
                if key not in article.spans:
                    article.spans.append(key)
            event = keys[0] if len(keys) == 1 else None
        except SpecError as exc:
            raise SpecError(f"{path.name}, line {number}: {exc}") from None
    return articles


def fixture_lines(articles: list[Article], texts: dict[str, str]) -> list[str]:
    out = []
    for a in articles:
        text = texts[a.id]
        record: dict = {"id": a.id, "spans": [{"start": s, "end": e, "label": lb, "text": text[s:e]}
                                              for s, e, lb in sorted(a.spans)]}
        if a.links:
            record["links"] = [{"event": list(ev), "argument": list(arg), "role": role}
                               for ev, role, arg in sorted(a.links, key=lambda x: (x[0], x[1], x[2]))]
        out.append(json.dumps(record, ensure_ascii=False))
    return out


def annotate_in_window(articles: list[Article], texts: dict[str, str], titles: dict[str, str],
                       project: Path) -> None:
    """Each decision made in the real window by keys and clicks; the project keeps them."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from annotator.gui.main_window import MainWindow
    from annotator.nlp.pipeline import tokenize
    from annotator.store import Store
    from annotator.workflows.importing import import_paths

    for suffix in ("", "-wal", "-shm"):
        Path(f"{project}{suffix}").unlink(missing_ok=True)
    project.parent.mkdir(parents=True, exist_ok=True)
    source = project.with_suffix(".jsonl")
    with source.open("w", encoding="utf-8") as fh:
        for a in articles:
            fh.write(json.dumps({"id": a.id, "title": titles[a.id], "text": texts[a.id]}, ensure_ascii=False) + "\n")
    store = Store(project)
    import_paths(store, [source], tokenizer=tokenize)
    store.close()
    source.unlink()

    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = QSettings(str(project.with_suffix(".ini")), QSettings.Format.IniFormat)
    settings.clear()
    window = MainWindow(settings, "gold")
    if not window.open_project(project):
        raise SystemExit(f"{project}: the window could not open it")
    window.show()
    scheme = window.store.scheme
    conn = sqlite3.connect(project)
    ids = dict(conn.execute("SELECT external_id, id FROM documents"))

    def press(key: str, mod=Qt.KeyboardModifier.NoModifier) -> None:
        code = getattr(Qt.Key, f"Key_{key.upper() if len(key) == 1 else key}")
        QTest.keyClick(window.view, code, mod)
        app.processEvents()

    def span_id(key: Key) -> int:
        match = [s.id for s in window.view.spans if (s.start, s.end, s.label) == key]
        if not match:
            raise SystemExit(f"{doc}: the window holds no span {key} ({texts[doc][key[0]:key[1]]!r})")
        return match[0]

    for article in articles:
        doc = article.id
        window.open_document(ids[doc])
        app.processEvents()
        if window.view.toPlainText() != texts[doc].replace("\r\n", "\n") and window.session.doc.text != texts[doc]:
            raise SystemExit(f"{doc}: the window shows another text than the article's")
        for start, end, label in sorted(article.spans):
            window.view.set_selection(start, end)
            press(scheme.get(label).hotkey)
            span_id((start, end, label))  # the window stored it at exactly these offsets
        for event, role, argument in article.links:
            target = span_id(argument)
            window.select_span(span_id(event))  # as a click on the event does
            hotkey = next(r.hotkey for r in scheme.roles(event[2]) if r.name == role)
            press(hotkey, Qt.KeyboardModifier.ShiftModifier)
            tool = window.link_tool
            for _ in range(len(tool.candidates)):
                if tool.candidates[tool.index].id == target:
                    break
                press("Tab")
            if not tool.active or tool.candidates[tool.index].id != target:
                raise SystemExit(f"{doc}: the window does not offer {argument} as the {role} of {event}")
            press("Return")
        press("Return", Qt.KeyboardModifier.ControlModifier)  # accept the article
        answer = conn.execute("SELECT answer FROM documents WHERE id = ?", (ids[doc],)).fetchone()[0]
        if answer != "accept":
            raise SystemExit(f"{doc}: the article was not accepted ({answer})")
        print(f"{doc}: {len(article.spans)} spans, {len(article.links)} links", file=sys.stderr)
    window.close()
    conn.close()


def read_project(project: Path, texts: dict[str, str]) -> list[Article]:
    """The accepted spans and links of the project, as the fixture holds them."""
    conn = sqlite3.connect(project)
    out = []
    for doc_id, external in conn.execute("SELECT id, external_id FROM documents WHERE answer = 'accept' ORDER BY id"):
        a = Article(external)
        spans = {sid: (s, e, lb) for sid, s, e, lb in conn.execute(
            "SELECT id, start, \"end\", label FROM spans WHERE doc_id = ? AND state = 'accepted'", (doc_id,))}
        a.spans = sorted(spans.values())
        a.links = [(spans[ev], role, spans[arg]) for ev, role, arg in conn.execute(
            "SELECT event_id, role, arg_id FROM links WHERE doc_id = ? AND state = 'accepted'", (doc_id,))]
        out.append(a)
    conn.close()
    return out


def heldout_draw(articles_jsonl: list[dict]) -> list[str]:
    """The held-out draw, in order: the Wikinews articles of at most 1,500 words not in the gold spec, sorted by
    id and shuffled with seed 2027 (the held-out spec annotates a prefix of it, none skipped)."""
    import random

    gold = {line[1:].strip() for line in SPEC.read_text(encoding="utf-8").splitlines() if line.startswith("@")}
    ids = sorted(a["id"] for a in articles_jsonl if a["id"] not in gold and len(a["text"].split()) <= HELDOUT_MAX_WORDS)
    random.Random(HELDOUT_SEED).shuffle(ids)
    return ids


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from annotator.core.labels import load_scheme

    spec, out, project = SPEC, OUT, PROJECT
    if "--heldout" in sys.argv:
        at = sys.argv.index("--heldout")
        which = sys.argv[at + 1] if at + 1 < len(sys.argv) and sys.argv[at + 1].isdigit() else "1"
        if int(which) not in HELDOUT_SETS:
            print(f"error: no held-out set {which} (there are {', '.join(map(str, HELDOUT_SETS))})", file=sys.stderr)
            return 2
        spec, out, project = HELDOUT_SETS[int(which)]
    articles_jsonl = [json.loads(line) for line in ARTICLES.open(encoding="utf-8")]
    texts = {a["id"]: a["text"] for a in articles_jsonl}
    titles = {a["id"]: a.get("title", "") for a in articles_jsonl}
    if "--draw" in sys.argv:
        annotated = {line[1:].strip(): n for n, (path, _, _) in HELDOUT_SETS.items()
                     for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("@")}
        for doc_id in heldout_draw(articles_jsonl):
            print(doc_id, f"(held-out set {annotated[doc_id]})" if doc_id in annotated else "")
        return 0
    try:
        articles = parse_spec(spec, texts, set(load_scheme().names))
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    wanted = fixture_lines(articles, texts)
    if "--check" in sys.argv:
        same = out.exists() and out.read_text(encoding="utf-8").splitlines() == wanted
        print(f"{out.name}: {'matches' if same else 'differs from'} {spec.name}", file=sys.stderr)
        return 0 if same else 1
    annotate_in_window(articles, texts, titles, project)
    stored = fixture_lines(read_project(project, texts), texts)
    if sorted(stored) != sorted(wanted):
        for line in sorted(set(wanted) ^ set(stored))[:5]:
            print(f"differs: {line[:300]}", file=sys.stderr)
        print(f"error: {project} does not hold what {spec.name} says", file=sys.stderr)
        return 1
    out.write_text("".join(line + "\n" for line in wanted), encoding="utf-8")
    print(f"wrote {sum(len(a.spans) for a in articles)} spans and {sum(len(a.links) for a in articles)} links "
          f"over {len(articles)} articles to {out}, annotated in {project}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
