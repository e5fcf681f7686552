"""Text normalisation and 64-bit hashing used for every paragraph hash.

Normalisation (documented in README): Unicode NFKC, then casefold, then every run of
whitespace collapsed to one space and the ends stripped. Hash: xxh3_64 of the UTF-8 bytes,
reinterpreted as a signed int64 (Spark/Java have no unsigned 64-bit type).
"""

from __future__ import annotations

import unicodedata

import xxhash

_MASK = (1 << 64) - 1
_SIGN = 1 << 63


def normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def to_signed64(u: int) -> int:
    u &= _MASK
    return u - (1 << 64) if u & _SIGN else u


def hash64(normalized: str) -> int:
    """Signed xxh3_64 of an already-normalised string."""
    return to_signed64(xxhash.xxh3_64_intdigest(normalized.encode("utf-8")))


def text_hash(text: str) -> int:
    return hash64(normalize(text))
