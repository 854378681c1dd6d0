"""CoNLL token-per-line files with IOB tags (IOB2, also IOB1 and BILOU/IOBES): the token in the first
column, the tag in the last, columns separated by tabs or spaces.

`-DOCSTART-` lines separate articles and blank lines sentences; a file without `-DOCSTART-` lines holds one
article per blank-line-separated block (as doccano reads it). An article's text is its tokens joined by
spaces, its sentences by line breaks (whitespace tokens), and the file's tokens are kept as the article's tokens.
A line that is not `token tag`, or a tag that is not O / B-X / I-X (E-, S-, L-, U- too), rejects its article, naming the
line; the other articles go in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from annotator.core.errors import InputError
from annotator.core.model import Document, Record, Source, Span, SpanState, Token
from annotator.formats.base import Item, Reader, ReadOptions, register

TAG = re.compile(r"^(?:O|([BIESLU])-(.+))$")
DOCSTART = "-DOCSTART-"
_LINES = re.compile(r"\r\n|\r|\n")


def looks_like_conll(path: Path, lines: int = 20) -> bool:
    """Do the first non-blank lines of a file all read as `token ... TAG`?"""
    seen = 0
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            for line in fh:
                parts = line.split()
                if not parts or parts[0] == DOCSTART:
                    continue
                if len(parts) < 2 or not TAG.match(parts[-1]):
                    return False
                seen += 1
                if seen >= lines:
                    break
    except (OSError, UnicodeDecodeError):
        return False
    return seen > 0


def _article(sentences: list[list[tuple[str, str, int]]], path: str) -> Record:
    text_parts: list[str] = []
    tokens: list[Token] = []
    spans: list[Span] = []
    pos = 0
    open_span: list | None = None  # [start, end, label]

    def close() -> None:
        nonlocal open_span
        if open_span is not None:
            spans.append(Span(open_span[0], open_span[1], open_span[2], Source.EDITOR, SpanState.ACCEPTED))
            open_span = None

    for si, sentence in enumerate(sentences):
        if si:
            close()
            # a line break between sentences, as a whitespace token (as spaCy makes them): exported again,
            # it ends the sentence in the same place
            text_parts.append("\n")
            tokens.append(Token(pos, pos + 1, False))
            pos += 1
        for ti, (word, tag, lineno) in enumerate(sentence):
            if ti:
                text_parts.append(" ")
                pos += 1
            start, end = pos, pos + len(word)
            text_parts.append(word)
            pos = end
            last = ti == len(sentence) - 1
            tokens.append(Token(start, end, not last))  # the last is followed by the line break token
            m = TAG.match(tag)
            if m is None:
                raise InputError(f"{tag!r} is not an IOB tag (O, B-LABEL or I-LABEL)", path, lineno)
            kind, label = m.groups()
            if kind is None:
                close()
            elif kind in ("B", "S", "U") or open_span is None or open_span[2] != label:
                close()  # an I- after O or after another label starts a span (IOB1 and careless files)
                open_span = [start, end, label]
            else:
                open_span[1] = end
            if kind in ("E", "L", "S", "U"):
                close()
    close()
    text = "".join(text_parts)
    first = sentences[0][0][2]  # the line of its first token (the reader passes no empty sentence or article)
    rec = Record(Document(text=text, tokens=tokens, meta={"format": "conll"}), spans, path=path, line=first)
    return rec


def read_conll(path: Path, options: ReadOptions) -> Iterator[Item]:
    spath = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        yield InputError(f"cannot read: {exc.strerror or exc}", spath)
        return
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield InputError(f"not UTF-8 text (byte {exc.start + 1})", spath, raw[: exc.start].count(b"\n") + 1)
        return
    # lines as an editor counts them: str.splitlines() also breaks at \x1c-\x1e, \x85 and \u2028, which
    # would put every later error on the wrong line
    lines = _LINES.split(content)
    by_docstart = any(line.split()[:1] == [DOCSTART] for line in lines)
    article: list[list[tuple[str, str, int]]] = []
    sentence: list[tuple[str, str, int]] = []
    bad: InputError | None = None

    def finish() -> Iterator[Item]:
        nonlocal article, sentence, bad
        if sentence:
            article.append(sentence)
        if bad is not None:
            yield bad
        elif article:
            try:
                yield _article(article, spath)
            except InputError as exc:
                yield exc
        article, sentence, bad = [], [], None

    for lineno, line in enumerate(lines, start=1):
        parts = line.split()
        if parts[:1] == [DOCSTART]:
            yield from finish()
            continue
        if not parts:
            if sentence:
                article.append(sentence)
                sentence = []
            if not by_docstart and (article or bad is not None):
                # a block ends here, even one made only of bad lines: its error must not fall on the next
                yield from finish()
            continue
        if len(parts) < 2:
            if bad is None:
                bad = InputError(f"expected a token and its tag, got {line.strip()[:60]!r}", spath, lineno)
            continue
        if bad is None and not TAG.match(parts[-1]):
            bad = InputError(f"{parts[-1]!r} is not an IOB tag (O, B-LABEL or I-LABEL)", spath, lineno)
        sentence.append((parts[0], parts[-1], lineno))
    yield from finish()


register(Reader("conll", "CoNLL token-per-line IOB2 (token ... tag; -DOCSTART- between articles)", read_conll,
                extensions=(".conll", ".iob", ".iob2", ".bio", ".conll03"), sniff=looks_like_conll))
