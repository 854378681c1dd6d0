"""Turns scripts/gold_spec.txt (label | quote | occurrence) into tests/fixtures/wikinews-gold.jsonl (offsets).
Run: python scripts/make_gold.py"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT.parent / "shared" / "data" / "wikinews" / "articles.jsonl"
OUT = ROOT / "tests" / "fixtures" / "wikinews-gold.jsonl"


def find(text: str, quote: str, n: int) -> int:
    pattern = r"(?<!\w)" + re.escape(quote) + r"(?!\w)"
    hits = [m.start() for m in re.finditer(pattern, text)]
    if n >= len(hits):
        raise SystemExit(f"{quote!r}: occurrence {n} not found ({len(hits)} found)")
    return hits[n]


def main() -> None:
    texts = {a["id"]: a["text"] for a in map(json.loads, ARTICLES.open(encoding="utf-8"))}
    docs: dict[str, list] = {}
    current = None
    for line in (ROOT / "scripts" / "gold_spec.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@"):
            current = line[1:].strip()
            docs[current] = []
            continue
        label, quote, n = (x.strip() for x in line.split("|"))
        start = find(texts[current], quote, int(n))
        docs[current].append({"start": start, "end": start + len(quote), "label": label, "text": quote})
    with OUT.open("w", encoding="utf-8") as fh:
        for doc_id, spans in docs.items():
            spans.sort(key=lambda s: (s["start"], s["end"]))
            keys = [(s["start"], s["end"], s["label"]) for s in spans]
            if len(set(keys)) != len(keys):
                raise SystemExit(f"{doc_id}: a span is listed twice")
            fh.write(json.dumps({"id": doc_id, "spans": spans}, ensure_ascii=False) + "\n")
    print(f"wrote {sum(map(len, docs.values()))} spans over {len(docs)} articles to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
