"""Shared by the benchmarks: the datasets, timing, and how figures are printed.

Every figure is printed beside a baseline measured in the same run on the same data, because machines here are
shared and absolute times drift. Datasets are built once into bench/out/ (ignored by git)."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
WIKINEWS = ROOT.parent / "shared" / "data" / "wikinews" / "articles.jsonl"
sys.path.insert(0, str(ROOT))

TARGET_WORDS = 1_000_000
GENERATED_ARTICLES = 100_000


def wikinews_million(target_words: int = TARGET_WORDS) -> Path:
    """The 150 Wikinews articles repeated (each copy made unique) to about a million words."""
    path = OUT / "wikinews-1m.jsonl"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    articles = [json.loads(line) for line in WIKINEWS.open(encoding="utf-8")]
    words = 0
    with path.open("w", encoding="utf-8") as fh:
        copy = 0
        while words < target_words:
            for a in articles:
                text = f"{a['text']}\n\n(copy {copy})"
                fh.write(json.dumps({"id": f"{a['id']}#{copy}", "title": a["title"], "text": text,
                                     "meta": {"url": a["url"], "date": a["date"]}}) + "\n")
                words += len(text.split())
            copy += 1
    return path


def generated(n: int = GENERATED_ARTICLES, seed: int = 7) -> Path:
    """n generated news articles, reproducible from the seed: each a headline and 4 to 12 sentences drawn from
    the Wikinews articles, with their numbers changed, so that vocabulary, sentence shapes and the density of
    events are those of real news (about six suggestions per hundred words) while every article differs."""
    path = OUT / f"generated-{n}.jsonl"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    sentences = []
    for line in WIKINEWS.open(encoding="utf-8"):
        text = json.loads(line)["text"]
        for part in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
            if 5 <= len(part.split()) <= 60:
                sentences.append(part)
    titles = [json.loads(line)["title"] for line in WIKINEWS.open(encoding="utf-8")]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            body = " ".join(rng.choice(sentences) for _ in range(rng.randint(4, 12)))
            body = re.sub(r"\b\d+\b", lambda m: str(rng.randint(2, 5000)), body)
            paragraphs = body.replace(". ", ".\n\n", rng.randint(0, 2))
            fh.write(json.dumps({"id": f"gen-{i}", "title": rng.choice(titles), "text": paragraphs}) + "\n")
    return path


def texts_of(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.open(encoding="utf-8")]


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def best_of(n: int, fn: Callable[[], object], setup: Callable[[], object] | None = None) -> float:
    """The fastest of n runs: the least disturbed by other work on a shared machine."""
    times = []
    for _ in range(n):
        if setup:
            setup()
        times.append(timed(fn)[0])
    return min(times)


def peak_rss_mb(cmd: list[str]) -> tuple[float, float]:
    """(peak resident memory in MB, seconds) of a command. It runs as the only child of a fresh interpreter,
    whose RUSAGE_CHILDREN maximum is then that command's own peak."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.perf_counter() - t)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, *cmd], check=True, capture_output=True, text=True,
                         cwd=ROOT).stdout.split()
    return int(out[0]) / 1024, float(out[1])


def report(name: str, ours: float, baseline: float, unit: str, baseline_name: str, need: float) -> bool:
    ratio = ours / baseline if baseline else float("inf")
    ok = ratio >= need
    print(f"{name}: {ours:,.0f} {unit} vs {baseline_name} {baseline:,.0f} {unit} = {ratio:.2f}x "
          f"(need >= {need}x) {'OK' if ok else 'BELOW TARGET'}")
    return ok


def run_on_datasets(bench: Callable[[str, Path], bool]) -> int:
    """Runs a benchmark on the Wikinews articles repeated to a million words and (without --quick) on the
    100,000 generated articles; the exit status says whether every figure met its target."""
    ok = bench("wikinews x N (~1M words)", wikinews_million())
    if "--quick" not in sys.argv:
        ok &= bench("generated (100,000 articles)", generated())
    return 0 if ok else 1
