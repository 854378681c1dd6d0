"""Shared by the benchmarks: the datasets, timing, and how figures are printed.

Every figure is printed beside a baseline measured in the same run on the same data, because machines here are
shared and absolute times drift. Datasets are built once into bench/out/ (ignored by git)."""

from __future__ import annotations

import json
import random
import resource
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


ACTORS = ["Government forces", "Rebels", "Police", "The army", "Militants", "Protesters", "Officials",
          "Security forces", "Gunmen", "Russian forces", "Ukrainian troops", "Houthi rebels", "Al-Shabaab fighters"]
PLACES = ["Kabul", "Aleppo", "Mogadishu", "Donetsk", "Gaza", "Tripoli", "Khartoum", "Sanaa", "Kyiv", "Mosul",
          "Maiduguri", "Idlib", "Benghazi", "Kharan", "Mopti", "the capital", "a village near the border"]
EVENTS = ["attacked", "shelled", "raided", "bombed", "seized", "evacuated", "arrested", "protested in",
          "held talks in", "signed a ceasefire in", "withdrew from", "threatened", "damaged", "marched through"]
TIMES = ["on Monday", "on Tuesday", "early on Friday", "last week", "on March 3", "overnight", "at dawn",
         "on Sunday evening", "yesterday", "in 2019"]
AFTER = ["killing {n} people", "wounding {n} civilians", "officials said", "according to witnesses",
         "using drones and artillery", "with mortars", "after talks collapsed", "and {n} soldiers were killed",
         "leaving {n} residents homeless", "local media reported"]
FILLER = ["The statement could not be independently verified.", "Aid agencies called for calm.",
          "The United Nations urged both sides to respect the ceasefire.", "Residents said the situation was tense.",
          "Negotiations are expected to resume next week.", "It was the third such incident this month."]


def generated(n: int = GENERATED_ARTICLES, seed: int = 7) -> Path:
    """n short generated wire briefs (about 100-150 words each), reproducible from the seed."""
    path = OUT / f"generated-{n}.jsonl"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            sentences = []
            for _ in range(rng.randint(5, 8)):
                s = f"{rng.choice(ACTORS)} {rng.choice(EVENTS)} {rng.choice(PLACES)} {rng.choice(TIMES)}, "
                s += rng.choice(AFTER).format(n=rng.randint(2, 300)) + "."
                sentences.append(s)
                if rng.random() < 0.4:
                    sentences.append(rng.choice(FILLER))
            text = f"Brief {i}: " + " ".join(sentences)
            fh.write(json.dumps({"id": f"gen-{i}", "title": f"Brief {i}", "text": text}) + "\n")
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
