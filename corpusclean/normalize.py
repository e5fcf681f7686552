"""Text normalisation and 64-bit hashing used for every paragraph hash.

Normalisation (documented in README): Unicode NFKC, then casefold, then every run of
whitespace collapsed to one space and the ends stripped. Hash: xxh3_64 of the UTF-8 bytes,
reinterpreted as a signed int64 (Spark/Java have no unsigned 64-bit type).

Words (for dedup's word counts and shingles): the space-separated tokens of the normalised text,
except that in scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer,
Myanmar) every character is a word of its own. Without that a whole Chinese paragraph is one
"word": short enough to be taken for a template line, and never long enough for near-dup
detection. (Hangul is written with spaces and keeps its words.) A word segmenter (jieba, MeCab)
would give truer counts but per language and at many times the cost; per-character tokens are what
character n-gram dedup (e.g. CCNet/Dolma-style pipelines for CJK) uses, and shingles of
`shingle_words` characters are such n-grams.
"""

from __future__ import annotations

import re
import unicodedata

import xxhash

_MASK = (1 << 64) - 1
_SIGN = 1 << 63


def normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# Scripts without spaces between words (see the module doc). After NFKC, so half-width Katakana and
# compatibility ideographs are already folded into these ranges.
_UNSPACED = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs (+ extension A, compatibility)
    "\U00020000-\U0003134f"  # CJK extensions B-G
)
UNSPACED_CHAR = re.compile(f"[{_UNSPACED}]")


def words(normalized: str) -> str:
    """`normalized` with one space between words, every character of an unspaced script a word."""
    if normalized.isascii() or not UNSPACED_CHAR.search(normalized):
        return normalized
    return " ".join(UNSPACED_CHAR.sub(r" \g<0> ", normalized).split())


def to_signed64(u: int) -> int:
    u &= _MASK
    return u - (1 << 64) if u & _SIGN else u


def hash64(normalized: str) -> int:
    """Signed xxh3_64 of an already-normalised string."""
    return to_signed64(xxhash.xxh3_64_intdigest(normalized.encode("utf-8")))


def text_hash(text: str) -> int:
    return hash64(normalize(text))
