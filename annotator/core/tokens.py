"""Token offsets in a compact form for storage.

spaCy's tokens tile the text: each starts where the previous one ended, plus one space if that token had
trailing whitespace (longer runs of whitespace are tokens themselves). So a token is stored as its length, with
the top bit saying whether a space follows: two bytes a token, 360 bytes for a 150-word article. Tokens that do
not tile the text that way (another tool's, a very long token) are stored as int32 (start, end, whitespace)
triples instead. The first byte says which."""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from itertools import accumulate
from json.encoder import encode_basestring  # type: ignore[attr-defined]  # the C implementation

from annotator.core.model import Token

_BIG_ENDIAN = sys.byteorder == "big"
LENGTHS, TRIPLES = 1, 2
WS_BIT = 0x8000


def _bytes(values: array) -> bytes:
    if _BIG_ENDIAN:  # pragma: no cover
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _array(typecode: str, blob: bytes) -> array:
    values = array(typecode)
    values.frombytes(blob)
    if _BIG_ENDIAN:  # pragma: no cover
        values.byteswap()
    return values


def pack_tokens(tokens: Sequence[Token]) -> bytes:
    if not tokens:
        return b""
    tiles = all(t.end - t.start < WS_BIT for t in tokens) and (not tokens or tokens[0].start == 0) and all(
        b.start == a.end + (1 if a.ws else 0) for a, b in zip(tokens, tokens[1:]))
    if tiles:
        return bytes([LENGTHS]) + _bytes(array("H", [(t.end - t.start) | (WS_BIT if t.ws else 0) for t in tokens]))
    triples = array("i")
    for t in tokens:
        triples.extend((t.start, t.end, 1 if t.ws else 0))
    return bytes([TRIPLES]) + _bytes(triples)


def token_columns(blob: bytes) -> tuple[Sequence[int], Sequence[int], Sequence[int]]:
    """(starts, ends, whitespace flags) of the packed tokens."""
    if not blob:
        return [], [], []
    if blob[0] == LENGTHS:
        values = _array("H", blob[1:])
        lengths = [v & 0x7FFF for v in values]
        ws = [1 if v & WS_BIT else 0 for v in values]
        steps = [n + w for n, w in zip(lengths, ws)]
        starts = list(accumulate(steps, initial=0))[:-1]
        ends = [s + n for s, n in zip(starts, lengths)]
        return starts, ends, ws
    if blob[0] == TRIPLES:
        v = _array("i", blob[1:])
        return v[0::3], v[1::3], v[2::3]
    raise ValueError(f"unknown token format {blob[0]}")


def unpack_tokens(blob: bytes) -> list[Token]:
    starts, ends, ws = token_columns(blob)
    return [Token(s, e, bool(w)) for s, e, w in zip(starts, ends, ws)]


def token_bounds(blob: bytes) -> tuple[Sequence[int], Sequence[int]]:
    """(starts, ends) of the packed tokens."""
    starts, ends, _ = token_columns(blob)
    return starts, ends


def prodigy_tokens_json(text: str, blob: bytes) -> str:
    """The tokens as Prodigy's JSON list of {text, start, end, id, ws}, written directly (this is the hot loop of
    an export, and it is several times faster than building dicts for json.dumps)."""
    starts, ends, ws = token_columns(blob)
    parts = [
        f'{{"text": {encode_basestring(text[s:e])}, "start": {s}, "end": {e}, "id": {i}, "ws": '
        f'{"true" if w else "false"}}}'
        for i, (s, e, w) in enumerate(zip(starts, ends, ws))
    ]
    return "[" + ", ".join(parts) + "]"
