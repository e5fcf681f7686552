"""Per-line features for text-dump boilerplate detection, computed for all lines of many documents at once.

`batch_features(docs)` (or `batch_features_flat(lines, doc_lens)`) returns one feature row per line of a
whole shard; `doc_features(texts)` is a batch of one. Per-document quantities (language, repeats,
context windows and runs, densest prose region, document medians) never cross document boundaries, so a
document's rows do not depend on what else is in the batch. No per-line Python work: the shard is
joined once ("\n" between lines) and

* character classes come from one lookup table over the UTF-32 code points, in blocks of whole lines
  that keep the per-character arrays in cache; upper/letter/CJK counts are 16-bit lanes of one uint64
  per position summed by prefix sums; words (runs of non-space), tokens and digits are runs found from
  one transition scan each, and their per-line counts come from the runs; the whitespace-collapsed
  length is derived from them (no string collapse);
* punctuation events (sentence ends inside a line, commas, separators) are sparse positions mapped to
  lines with `np.searchsorted`;
* tokens (lowercased, punctuation -> space: the same tokens as `_norm_text`) are runs in a code point
  table, hashed in numpy (polynomial prefix sums mod 2^64 + a splitmix finalizer) and looked up in an
  open-addressing table of the vocabulary hashes (stop words of 32 jusText languages, month names,
  share/UI words, credit/copyright/print/url/"ago"/promo/byline cues); promo phrases and related-block
  headers are token-hash n-grams / line hashes;
* times, years and numeric dates come from the runs of digits (no regex scan); the few remaining
  regexes (credits, copyright, print edition, relative times, numbered bullets) run once over the
  joined text of candidate lines only, offsets mapped back with `np.searchsorted`;
* context features (neighbours, windows, runs) are numpy shifts and prefix sums clipped at document
  boundaries; the densest prose region is a few numpy calls per document.

Padded normalised line strings (`norms`) are computed lazily, only for the lines the rule pass reads.
Vocabularies live in `corpusclean/data/boilerplate_*.txt`; stop-word lists come from jusText.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import chain, repeat

import numpy as np

from .normalize import UNSPACED_CHAR

# ----------------------------------------------------------------------------------------------
# vocabularies


def _load_vocab(name: str) -> list[str]:
    text = resources.files("corpusclean").joinpath("data", name).read_text("utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def phrase_alternation(phrases) -> str:
    """A regex alternation of word phrases (any whitespace between their words), factored by shared
    leading words as a trie: sre tests the alternatives at every position of the text, and a flat list
    of 34 promo phrases cost ~1.2 us per line more than its 15 did; the trie costs about what 15 did.
    A longer phrase wins over its own prefix (the optional rest is greedy)."""
    trie: dict = {}
    for ph in phrases:
        node = trie
        for tok in ph.lower().split():
            node = node.setdefault(tok, {})
        node[""] = {}

    def build(node: dict) -> str | None:
        alts = []
        for tok, sub in sorted(((k, v) for k, v in node.items() if k), key=lambda kv: (-len(kv[0]), kv[0])):
            rest = build(sub)
            if rest is None:
                alts.append(re.escape(tok))
            else:
                alts.append(re.escape(tok) + (rf"(?:\s+{rest})?" if "" in sub else rf"\s+{rest}"))
        return "(?:" + "|".join(alts) + ")" if alts else None

    return build(trie) or "(?!)"


def load_keyed_words(name: str) -> dict[str, list[str]]:
    """A data file of "key: word word ..." lines (a key may repeat: its words add up)."""
    out: dict[str, list[str]] = {}
    for ln in _load_vocab(name):
        key, words = ln.split(":", 1)
        out.setdefault(key.strip(), []).extend(words.split())
    return out


SHARE_WORDS = frozenset(w for ln in _load_vocab("boilerplate_share.txt") for w in ln.split())
RELATED_HEADERS = frozenset(_load_vocab("boilerplate_related.txt"))
# (not model features: as a feature they cost 0.005 of cross-validated F1 on the text bench)
STRONG_PROMO_PHRASES = tuple(_load_vocab("boilerplate_promo_strong.txt"))
PROMO_PHRASES = tuple(_load_vocab("boilerplate_promo.txt"))

# Languages whose jusText stop-word list is considered when guessing the document language.
_STOP_LANGS = (
    "English", "German", "French", "Spanish", "Italian", "Portuguese", "Dutch", "Czech", "Polish",
    "Russian", "Swedish", "Danish", "Norwegian_Bokmal", "Finnish", "Hungarian", "Romanian",
    "Turkish", "Vietnamese", "Indonesian", "Ukrainian", "Greek", "Catalan", "Slovak", "Croatian",
    "Bulgarian", "Slovenian", "Estonian", "Latvian", "Lithuanian", "Serbian", "Malay", "Tagalog",
)

# token bits above the 32 language bits
B_MONTH, B_SHARE, B_BYLINE, B_CREDIT, B_COPY, B_PRINT, B_URL, B_AGO, B_PROMO, B_ATTRIB = range(40, 50)
B_SEP = 62
_SENT = "\x01"  # line sentinel token (the character is removed from the text first)

_MONTH_WORDS = (
    "jan january feb february mar march apr april may jun june jul july aug august sep sept september "
    "oct october nov november dec december"
).split() + [  # and the month names of other languages that bylines use (data/byline_words.txt)
    w for ln in _load_vocab("byline_words.txt") if ln.startswith("month_") for w in ln.split(":", 1)[1].split()]
_BYLINE_WORDS = ("by", "von", "par", "por", "di", "door", "av", "af")
_CREDIT_WORDS = ("photo", "photos", "photograph", "photographs", "image", "images", "picture", "pictures",
                 "pic", "pics", "credit", "credits", "illustration", "graphic", "foto", "fotos", "bild",
                 "фото", "світлина", "عکس", "صورة", "फोटो", "तस्वीर", "fotoğraf")
_COPY_WORDS = ("copyright", "reserved", "c")
_PRINT_WORDS = ("appeared", "appears", "published")
_URL_WORDS = ("http", "https", "www")
_ATTRIB_WORDS = ("additional", "reporting", "editing", "written", "with", "contributed")


@lru_cache(maxsize=1)
def _token_masks() -> tuple[dict[str, int], tuple[frozenset[str], ...], frozenset[str]]:
    """token -> bit mask; the per-language stop sets; the first tokens of promo phrases."""
    import justext

    index: dict[str, int] = {}
    sets = []
    for bit, lang in enumerate(_STOP_LANGS):
        try:
            # (jusText spells Turkish words with a capital dotted I as "i" + a combining dot: "i̇stanbul")
            s = frozenset(w.lower().replace("i\u0307", "i") for w in justext.get_stoplist(lang))
        except Exception:  # pragma: no cover - list missing in some justext build
            s = frozenset()
        sets.append(s)
        for w in s:
            index[w] = index.get(w, 0) | (1 << bit)

    def add(words, bit):
        for w in words:
            index[w] = index.get(w, 0) | (1 << bit)

    add(_MONTH_WORDS, B_MONTH)
    add(SHARE_WORDS, B_SHARE)
    add(_BYLINE_WORDS, B_BYLINE)
    add(_CREDIT_WORDS, B_CREDIT)
    add(_COPY_WORDS, B_COPY)
    add(_PRINT_WORDS, B_PRINT)
    add(_URL_WORDS, B_URL)
    add(("ago",), B_AGO)
    # each promo phrase is keyed by its longest token (rarer than its first), checked as a phrase later
    firsts = frozenset(max(_norm_text(p).split(), key=len) for p in PROMO_PHRASES if _norm_text(p).split())
    add(firsts, B_PROMO)
    add(_ATTRIB_WORDS, B_ATTRIB)
    index[_SENT] = 1 << B_SEP
    return index, tuple(sets), firsts


# ----------------------------------------------------------------------------------------------
# characters

_CLOSERS = '"\'”’»)]'
# (and the CJK brackets: "【関連記事】" is the header "関連記事")
_UNI_PUNCT = ("’", "‘", "“", "”", "—", "–", "…", "«", "»", "•", "·", "©", "|", "›", "‹", "\u00a0",
              "【", "】", "「", "」", "『", "』", "〈", "〉", "《", "》", "（", "）", "［", "］", "〔", "〕")
_ASCII_PUNCT = bytes(
    32 if (chr(b) in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t\x01") else b for b in range(256)
)
# char class bits
C_UPPER, C_LOWER, C_DIGIT, C_ALPHA, C_SPACE, C_CJK, C_CLOSE = 1, 2, 4, 8, 16, 32, 64


@lru_cache(maxsize=1)
def _char_lut() -> np.ndarray:
    cps = np.arange(0x10000)
    lut = np.zeros(0x10000, dtype=np.uint8)
    s = "".join(map(chr, range(0xD800))) + "\x00" * 0x800 + "".join(map(chr, range(0xE000, 0x10000)))
    # the str predicates are per character; this runs once per process
    lut |= np.fromiter(map(str.isupper, s), dtype=bool, count=0x10000) * np.uint8(C_UPPER)
    lut |= np.fromiter(map(str.islower, s), dtype=bool, count=0x10000) * np.uint8(C_LOWER)
    lut |= np.fromiter(map(str.isdigit, s), dtype=bool, count=0x10000) * np.uint8(C_DIGIT)
    lut |= np.fromiter(map(str.isalpha, s), dtype=bool, count=0x10000) * np.uint8(C_ALPHA)
    lut |= np.fromiter(map(str.isspace, s), dtype=bool, count=0x10000) * np.uint8(C_SPACE)
    # "CJK" here: the scripts written without spaces (normalize.UNSPACED_CHAR: Han, Kana, Thai, Lao,
    # Khmer, Myanmar; a Thai paragraph of 200 letters is no 5-word heading), and Hangul syllables
    cjk = np.fromiter((UNSPACED_CHAR.match(c) is not None for c in s), dtype=bool, count=0x10000) | \
        ((cps >= 0xAC00) & (cps <= 0xD7AF))
    lut |= cjk.astype(np.uint8) * np.uint8(C_CJK)
    for c in _CLOSERS:
        lut[ord(c)] |= C_CLOSE
    return lut



# punctuation classes (second lookup table)
P_END, P_Q, P_SEP, P_BULLET = 1, 2, 4, 8


@lru_cache(maxsize=1)
def _punct_lut() -> np.ndarray:
    lut = np.zeros(0x10000, dtype=np.uint8)
    for chars, bit in ((".!…。！।॥۔", P_END), ("?？؟", P_Q), ("|/»>·›•", P_SEP), ("•●▪■◦‣·*–—-", P_BULLET)):
        for c in chars:
            lut[ord(c)] |= bit
    return lut


# ----------------------------------------------------------------------------------------------
# patterns (generic: dates, times, credits, copyright), run on candidate lines only

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
RE_WORD = re.compile(r"\w+", re.U)
RE_REL_TIME = re.compile(r"\b\d+\s*(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?)\s+ago\b", re.I)
RE_CREDIT = re.compile(
    r"(?:^|[ \t(\[|/.–—-])(?:photo(?:graph)?s?|image|picture|pic|credit|illustration|graphic|"
    r"foto|bild|фото|світлина|عکس|صورة|फोटो|तस्वीर|fotoğraf)\s*(?:credit)?\s*:|\((?:photo|image|credit|foto|fotó|фото|zdjęcie|bild)[^)]*\)|\b(?:photo|image|picture)s?\s+(?:by|courtesy)\b",
    re.I | re.M,
)
RE_COPYRIGHT = re.compile(r"\(c\)\s*\d{4}|\bcopyright\b|\ball rights reserved\b", re.I)
RE_PRINT_ED = re.compile(r"\b(?:appeared|appears|published)\s+in\b.{0,80}\b(?:print|edition|issue)\b", re.I)
RE_URL = re.compile(r"https?://|www\.", re.I)
_RE_NUMDATE = re.compile(r"\d{4}[/.-]\d{1,2}[/.-]\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
_RE_TIME_FAST = re.compile(r"\d{1,2}[:h.]\d{2}(?!\d)|\d{1,2} ?[ap]\.?m\b")
_RE_YEAR_FAST = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")

FEATURE_NAMES = [
    "log_chars", "words", "log_words", "stop_ratio", "stop_count", "end_period", "end_question",
    "end_colon", "end_comma", "no_end_punct", "inner_sent", "comma_ratio", "cap_ratio", "allcaps_ratio",
    "digit_ratio", "has_time", "has_date", "has_year", "rel_time", "bullet", "share_frac",
    "related_header", "promo", "credit", "copyright", "print_ed", "byline_start", "sep_count",
    "mean_wlen", "alpha_frac", "has_url", "starts_lower", "cjk_frac", "repeat", "later_repeat",
    "prose",
]
N_BASE = len(FEATURE_NAMES)
CTX_COLS = ("log_words", "stop_ratio", "end_period", "cap_ratio", "prose", "share_frac")
_FI = {n: i for i, n in enumerate(FEATURE_NAMES)}


def _norm_text(s: str) -> str:
    # Turkish "İ" lowercases to "i" + a combining dot: "İlgili Haberler" is "ilgili haberler" (as in _low_lut)
    lw = (s.replace("\u0130", "i") if "\u0130" in s else s).lower()
    for a in _UNI_PUNCT:
        if a in lw:
            lw = lw.replace(a, " ")
    return " ".join(lw.encode("utf-8").translate(_ASCII_PUNCT).decode("utf-8").split())


@dataclass(slots=True)
class DocFeatures:
    X: np.ndarray  # (n, n_features) float32
    names: list[str]
    base: np.ndarray  # (n, N_BASE) per-line features
    stripped: list[str]  # whitespace-collapsed lines
    norms: list[str]  # " tok tok ... " lowercase punctuation-free tokens, padded with one space each side
    region: tuple[int, int]  # densest prose region [start, end) in line indices
    language: str
    first_tok_bits: np.ndarray  # (n,) int64 token mask of each line's first token (0 for none)


@dataclass(slots=True)
class BatchFeatures:
    """Features of every line of several documents (a shard), rows in document order."""

    X: np.ndarray  # (N, n_features) float32
    names: list[str]
    base: np.ndarray  # (N, N_BASE)
    texts: list[str]  # the raw lines (not whitespace-collapsed: see `stripped`)
    norms: list[str]  # " tok tok " per line
    offsets: np.ndarray  # (k + 1,) int64: document j has rows offsets[j]:offsets[j + 1]
    doc_id: np.ndarray  # (N,) int64
    regions: np.ndarray  # (k, 2) int64 densest prose region [start, end), absolute row indices
    languages: list[str]  # per document
    first_tok_bits: np.ndarray  # (N,) int64
    tokens: tuple = ()  # (hash (T,) uint64, line (T,), first token per line (N,), tokens per line (N,), mask (T,),
    #                    line hash (N,) int64: the order-sensitive hash of its tokens)
    ellipsis: np.ndarray | None = None  # (N,) bool: the raw line holds '…' or '...'

    def stripped(self, i: int) -> str:
        return " ".join(self.texts[i].split())

    def doc(self, j: int) -> DocFeatures:
        a, b = int(self.offsets[j]), int(self.offsets[j + 1])
        rs, re_ = (int(x) - a for x in self.regions[j]) if b > a else (0, 0)
        return DocFeatures(X=self.X[a:b], names=self.names, base=self.base[a:b],
                           stripped=[" ".join(t.split()) for t in self.texts[a:b]], norms=[self.norms[i] for i in range(a, b)],
                           region=(rs, re_), language=self.languages[j], first_tok_bits=self.first_tok_bits[a:b])


def collapse_lines(texts: list[str]) -> list[str]:
    """`" ".join(t.split())` for every line, done with two C-level calls on the whole document."""
    n = len(texts)
    j = " \x01 ".join(texts)
    if j.count("\x01") == n - 1:
        out = " ".join(j.split()).split(" \x01 ")
        if len(out) == n:
            return out
    return [" ".join(t.split()) for t in texts]


_CAND_SEP = "\n\x00\n"  # joins candidate lines: no pattern (\\s, ., ^) matches across it


def _cand_text(texts: list[str], cand: np.ndarray):
    k = cand.shape[0]
    sub = [texts[i] for i in cand.tolist()]
    lens = np.fromiter(map(len, sub), dtype=np.int64, count=k)
    st = np.zeros(k, dtype=np.int64)
    np.cumsum(lens[:-1] + len(_CAND_SEP), out=st[1:])
    return _CAND_SEP.join(sub), st


def _hits_in(pattern: re.Pattern, ct, cand: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=np.float32)
    if cand.shape[0] == 0:
        return out
    text, st = ct
    pos = [m.start() for m in pattern.finditer(text)]
    if pos:
        out[cand[np.searchsorted(st, np.asarray(pos), side="right") - 1]] = 1.0
    return out


def _cand_hits(pattern: re.Pattern, texts: list[str], cand: np.ndarray, n: int) -> np.ndarray:
    """1.0 for candidate lines where `pattern` matches: one finditer over the candidates joined."""
    if cand.shape[0] == 0:
        return np.zeros(n, dtype=np.float32)
    return _hits_in(pattern, _cand_text(texts, cand), cand, n)


_BYTE_BITS = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little").astype(np.int64)
_M16 = np.uint64(0xFFFF)


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    """np.unique by sorting (numpy's default unique of 64-bit ints is much slower here)."""
    s = np.sort(a)
    if s.size:
        keep = np.empty(s.size, dtype=bool)
        keep[0] = True
        np.not_equal(s[1:], s[:-1], out=keep[1:])
        s = s[keep]
    return s


def _in_sorted(x: np.ndarray, s: np.ndarray) -> np.ndarray:
    """np.isin(x, s) for a sorted, duplicate-free s."""
    if s.size == 0:
        return np.zeros(x.shape, dtype=bool)
    p = np.minimum(np.searchsorted(s, x), s.size - 1)
    return s[p] == x


def _first_per_doc(idx: np.ndarray, doc_of_idx: np.ndarray, k: int) -> np.ndarray:
    """idx sorted ascending; first idx per document (-1 where none)."""
    out = np.full(k, -1, dtype=np.int64)
    if idx.size:
        keep = np.ones(idx.size, dtype=bool)
        keep[1:] = doc_of_idx[1:] != doc_of_idx[:-1]
        out[doc_of_idx[keep]] = idx[keep]
    return out


def _last_per_doc(idx: np.ndarray, doc_of_idx: np.ndarray, k: int) -> np.ndarray:
    out = np.full(k, -1, dtype=np.int64)
    if idx.size:
        keep = np.ones(idx.size, dtype=bool)
        keep[:-1] = doc_of_idx[1:] != doc_of_idx[:-1]
        out[doc_of_idx[keep]] = idx[keep]
    return out


_RELATED_PADDED = frozenset(" " + h + " " for h in RELATED_HEADERS if _norm_text(h) == h)


def batch_line_base(texts: list[str], offsets: np.ndarray):
    """Per-line base features of all lines of k documents (rows offsets[j]:offsets[j+1] are document j;
    every document non-empty). Returns (F (N, N_BASE), norms, languages, first-token masks, doc_id)."""
    n = len(texts)
    k = offsets.shape[0] - 1
    dl = np.diff(offsets)
    doc_id = np.repeat(np.arange(k, dtype=np.int64), dl)
    if any(map(str.__contains__, texts, repeat("\n"))):  # a line with an embedded newline (not from split_lines)
        texts = [t.replace("\n", " ") for t in texts]
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=n)

    # ---- characters and tokens
    c, th = _char_pass_lines(texts, lens)
    upper, alpha, cjk, digits, caps, nw = (c[k].astype(np.float32) for k in ("upper", "alpha", "cjk", "digits", "caps", "nw"))
    spaces = (lens - c["nonspace"]).astype(np.float32)
    spaces[:-1][lens[:-1] == 0] = -1  # as the per-line counts always did (they counted the joining newline)
    nc = np.maximum(lens.astype(np.float32) - spaces + np.maximum(nw - 1, 0), 0)  # whitespace-collapsed length
    lastc, lastfl, lastp, firstfl, firstp = c["lastc"], c["lastfl"], c["lastp"], c["firstfl"], c["firstp"]
    second_sp = c["second_sp"] > 0
    inner = c["inner"].astype(np.float32)
    commas = c["commas"].astype(np.float32)
    ats, copysign = c["ats"], c["copysign"]
    seps = c["seps"].astype(np.float32)
    ntk_i = c["ntk"]
    tline = np.repeat(np.arange(n, dtype=np.int64), ntk_i)
    tok0 = np.zeros(n, dtype=np.int64)
    np.cumsum(ntk_i[:-1], out=tok0[1:])
    nt = th.shape[0]
    mw = _vocab_lookup(th)
    wl = tline
    ntk = ntk_i.astype(np.float32)
    has_tok = ntk_i > 0
    # language per document: the stop-word list with most hits among its first 1000 words
    wdoc = doc_id[wl]
    ntk_doc = np.bincount(wdoc, minlength=k)
    wstart = np.zeros(k, dtype=np.int64)
    np.cumsum(ntk_doc[:-1], out=wstart[1:])
    stop_any = (mw & 0xFFFFFFFF) != 0
    head_sel = stop_any & ((np.arange(nt) - wstart[wdoc]) < 1000)
    best = np.zeros(k, dtype=np.int64)
    if head_sel.any():
        hbytes = mw[head_sel].astype("<u8").view(np.uint8).reshape(-1, 8)
        hd = wdoc[head_sel] * 256
        per = np.concatenate([np.bincount(hd + hbytes[:, j], minlength=k * 256).reshape(k, 256) @ _BYTE_BITS
                              for j in range(4)], axis=1)
        best = np.argmax(per, axis=1)
    langs = [_STOP_LANGS[i] for i in best.tolist()]
    sw = np.flatnonzero(stop_any)
    stopc = np.bincount(wl[sw], weights=(mw[sw] >> best[wdoc[sw]]) & 1, minlength=n).astype(np.float32)
    cue_any = (mw & ((1 << B_MONTH) | (1 << B_SHARE) | (0x7F << B_CREDIT))) != 0
    cwl = wl[cue_any]
    cm = mw[cue_any]
    months = np.bincount(cwl, weights=(cm >> B_MONTH) & 1, minlength=n).astype(np.float32)
    sharec = np.bincount(cwl, weights=(cm >> B_SHARE) & 1, minlength=n).astype(np.float32)

    def cue_lines_of(bit):
        out = np.zeros(n, dtype=bool)
        out[cwl[((cm >> bit) & 1) > 0]] = True
        return out

    first_bits = np.where(has_tok, mw[np.minimum(tok0, max(nt - 1, 0))] if nt else 0, 0).astype(np.int64)
    lineh = _line_hashes(th, tline, tok0, ntk_i, n)
    norms = LazyNorms(texts)

    # ---- features
    F = np.zeros((n, N_BASE), dtype=np.float32)
    weff = nw + cjk / 2.0
    F[:, 0] = np.log1p(nc)
    F[:, 1] = weff
    F[:, 2] = np.log1p(weff)
    F[:, 3] = stopc / np.maximum(ntk, 1)
    F[:, 4] = stopc
    F[:, 5] = (lastp & P_END) > 0
    F[:, 6] = (lastp & P_Q) > 0
    F[:, 7] = lastc == 58
    F[:, 8] = (lastc == 44) | (lastc == 59)
    F[:, 9] = (lastc == 0) | ((lastfl & (C_ALPHA | C_DIGIT)) > 0)
    F[:, 10] = inner
    F[:, 11] = commas / np.maximum(ntk, 1)
    F[:, 12] = caps / np.maximum(nw, 1)
    F[:, 13] = upper / np.maximum(alpha, 1)
    F[:, 14] = digits / np.maximum(nc, 1)
    dcand_l = (digits > 0) & (nc < 200)
    t_hit, y_hit, d_hit = c["t_hit"] > 0, c["y_hit"] > 0, c["d_hit"] > 0
    F[:, 15] = t_hit & dcand_l
    F[:, 17] = y_hit & dcand_l
    numdate = d_hit & dcand_l
    mdate = (months > 0) & (digits > 0) & (nw <= 25)
    F[:, 16] = np.maximum(numdate, mdate)
    F[:, 18] = _cand_hits(RE_REL_TIME, texts, np.flatnonzero(cue_lines_of(B_AGO) & (digits > 0)), n)
    F[:, 19] = ((firstp & P_BULLET) > 0) & second_sp
    dig_first = ((firstfl & C_DIGIT) > 0) & (nc < 400)
    if dig_first.any():
        bc = np.flatnonzero(dig_first)
        F[bc, 19] = _hits_in(_RE_BULLET, _cand_text(texts, bc), bc, n)[bc]
    F[:, 20] = np.where((ntk > 0) & (ntk <= 12), sharec / np.maximum(ntk, 1), 0.0)
    h = lineh
    short = (ntk > 0) & (ntk <= 6)
    if short.any():
        F[:, 21] = short & _in_sorted(h, _related_hashes())
    pcand = np.flatnonzero(cue_lines_of(B_PROMO) & (nw <= 40))
    if pcand.size:
        sel = np.zeros(n, dtype=bool)
        sel[pcand] = True
        ts_ = np.flatnonzero(sel[tline])
        F[:, 22] = _phrase_lines(th[ts_], tline[ts_], _promo_grams(), n)
    F[:, 23] = _cand_hits(RE_CREDIT, texts, np.flatnonzero(cue_lines_of(B_CREDIT) & (nc < 600)), n)
    F[:, 24] = _cand_hits(RE_COPYRIGHT, texts, np.flatnonzero(cue_lines_of(B_COPY)), n)
    F[copysign > 0, 24] = 1.0
    F[:, 25] = _cand_hits(RE_PRINT_ED, texts, np.flatnonzero(cue_lines_of(B_PRINT)), n)
    F[:, 26] = (((first_bits >> B_BYLINE) & 1) > 0) & (ntk >= 2)
    F[:, 27] = seps
    F[:, 28] = (nc - nw + 1) / np.maximum(nw, 1)
    F[:, 29] = alpha / np.maximum(nc, 1)
    F[:, 30] = cue_lines_of(B_URL) | (ats > 0)
    F[:, 31] = (firstfl & C_LOWER) > 0
    F[:, 32] = cjk / np.maximum(nc, 1)
    # repeats inside each document: (document, norm hash) groups
    key = h + doc_id * np.int64(-7046029254386353131)
    _, first_idx, inv, counts = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
    F[:, 33] = np.where(has_tok, counts[inv], 1)
    F[:, 34] = first_idx[inv] != np.arange(n)
    F[:, 35] = (weff >= 8) & ((F[:, 5] > 0) | (F[:, 10] > 0)) & ((F[:, 3] >= 0.18) | (F[:, 32] > 0.3))
    return F, norms, langs, first_bits, doc_id, (th, tline, tok0, ntk_i, mw, lineh), c["ellipsis"] > 0


# ----------------------------------------------------------------------------------------------
# character pass

_BLOCK_CHARS = 1 << 16  # characters per block of the dense passes: their temporaries stay in cache
# bits 8..15 of the combined table: punctuation classes, then
P_EV, P_TOK = 16, 32  # ',' '@' '©' (counted per line); a token character (not space/punctuation after lowering)
C_SPARSE = 128  # char class bit: neither letter nor space, or upper-case, or CJK (about 1 character in 10)


@lru_cache(maxsize=1)
def _combined_lut() -> np.ndarray:
    """Code point -> char class | punctuation class << 8 | lowered code point << 16 (one gather per
    character instead of three). Index 0xFFFF (where np.take clips code points above the BMP) has no
    class and its own lowered value; `_char_pass` puts the real code point back for hashing."""
    low = _low_lut().astype(np.uint32)
    fl = _char_lut().astype(np.uint32)
    pc = _punct_lut().astype(np.uint32)
    for c in ",@\u00a9":
        pc[ord(c)] |= P_EV
    pc[low != 32] |= P_TOK
    fl[((fl & (C_ALPHA | C_SPACE)) == 0) | ((fl & (C_UPPER | C_CJK)) != 0)] |= C_SPARSE
    return fl | (pc << np.uint32(8)) | (low << np.uint32(16))


def _cumsum0(a: np.ndarray) -> np.ndarray:
    out = np.zeros(a.shape[0] + 1, dtype=np.int64)
    np.cumsum(a, out=out[1:])
    return out


_GROUP_CHARS = 1 << 22  # characters per call of _char_pass, which holds several arrays as long as its input


def _char_pass_lines(texts: list[str], lens: np.ndarray):
    """_char_pass over groups of whole lines of at most ~_GROUP_CHARS characters, concatenated.

    Every statistic of _char_pass is per line and its token hashes do not depend on positions, so the
    groups give the same result as one pass; memory then stays bounded on a huge text dump (one
    50 MB file held 1.8 GB at once, most of it per-character arrays of the whole document)."""
    n = len(texts)
    bounds = [0, n]
    if int(lens.sum()) + n > _GROUP_CHARS:
        ends = np.cumsum(lens + 1)
        bounds = [0]
        while bounds[-1] < n:
            a = bounds[-1]
            base = int(ends[a - 1]) if a else 0
            bounds.append(max(a + 1, int(np.searchsorted(ends, base + _GROUP_CHARS, side="right"))))
    parts = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        g = lens[a:b]
        starts = np.zeros(b - a, dtype=np.int64)
        np.cumsum(g[:-1] + 1, out=starts[1:])
        cp = np.frombuffer("\n".join(texts[a:b]).encode("utf-32-le"), dtype=np.uint32)
        parts.append(_char_pass(cp, starts, g))
        del cp
    if len(parts) == 1:
        return parts[0]
    return {k: np.concatenate([o[k] for o, _ in parts]) for k in parts[0][0]}, np.concatenate([t for _, t in parts])


def _char_pass(cp: np.ndarray, starts: np.ndarray, lens: np.ndarray):
    """Per-line character statistics and the tokens of the "\\n"-joined lines (code points `cp`).

    Only four passes read every character (one table gather; word, token and sparse-class scans) plus
    the token hash, and they run in blocks of whole lines (a block starts after a newline, so no run
    crosses it and block-local hash positions give the same hashes). Everything else is computed from
    the few `C_SPARSE` positions. Returns ({name: (n,) array}, token hashes (T,) uint64, token starts)."""
    n = starts.shape[0]
    L = cp.shape[0]
    ends = starts + lens
    lut = _combined_lut()
    V = np.empty(L, dtype=np.uint32)
    fl = np.empty(L, dtype=np.uint8)
    cuts = np.unique(starts[np.searchsorted(starts, np.arange(0, L, _BLOCK_CHARS), side="right") - 1]).tolist()
    cuts.append(L)
    bl = max(q - p for p, q in zip(cuts[:-1], cuts[1:])) if L else 0
    pad = np.zeros(bl + 2, dtype=bool)
    hbuf = np.zeros(bl + 1, dtype=np.int64)
    pw, ipw = _powers(bl + 1)
    wss, wes, sss, tss, ths = [], [], [], [], []
    for p, q in zip(cuts[:-1], cuts[1:]):
        m = q - p
        c, v, f = cp[p:q], V[p:q], fl[p:q]
        np.take(lut, c, mode="clip", out=v)
        np.copyto(f, v, casting="unsafe")  # the low byte: char class
        pb = pad[: m + 2]
        pb[m + 1] = False
        # words: maximal runs of non-space characters
        np.equal(f & C_SPACE, 0, out=pb[1:m + 1])
        tr = np.flatnonzero(pb[1:] != pb[:-1])
        tr += p
        wss.append(tr[0::2])
        wes.append(tr[1::2])
        s = np.flatnonzero(f >= C_SPARSE)
        s += p
        sss.append(s)
        # tokens: runs of token characters, hashed with polynomial prefix sums
        np.not_equal(v & np.uint32(P_TOK << 8), 0, out=pb[1:m + 1])
        tr = np.flatnonzero(pb[1:] != pb[:-1])
        ts, te = tr[0::2], tr[1::2]
        if ts.size:
            low = (v >> np.uint32(16)).astype(np.uint64)
            if int(c.max()) > 0xFFFF:
                big = np.flatnonzero(c > 0xFFFF)
                low[big] = c[big]
            H = hbuf[: m + 1]
            with np.errstate(over="ignore"):
                np.multiply(low, pw[:m], out=low)
                # int64 view: the same bits as uint64 arithmetic, and numpy's int64 cumsum is faster
                np.cumsum(low.view(np.int64), out=H[1:])
                Hu = H.view(np.uint64)
                ths.append(_mix64((Hu[te] - Hu[ts]) * ipw[ts]))
            tss.append(ts + p)
    cat = (lambda xs: np.concatenate(xs) if xs else np.zeros(0, dtype=np.int64))
    ws, we1, S, ts = cat(wss), cat(wes), cat(sss), cat(tss)
    th = np.concatenate(ths) if ths else np.zeros(0, dtype=np.uint64)
    o = {}

    def per_line(pos):  # first index into sorted positions of each line, and the count per line
        f0 = np.searchsorted(pos, starts)
        cnt = np.empty(n, dtype=np.int64)
        cnt[:-1] = f0[1:] - f0[:-1]
        cnt[-1] = pos.shape[0] - f0[-1]
        return f0, cnt

    def sp_at(pos):  # space at pos (positions past the end read as the newline)
        r = np.ones(pos.shape[0], dtype=bool)
        ok = (pos >= 0) & (pos < L)
        r[ok] = (fl[pos[ok]] & C_SPACE) > 0
        return r

    # words -> counts, first and last visible character (last: before trailing closers)
    fw, nw = per_line(ws)
    fwe = fw + nw
    nwords = ws.shape[0]
    cwl = _cumsum0(we1 - ws)
    cap = _cumsum0((fl[ws] & C_UPPER) > 0)
    nonspace = cwl[fwe] - cwl[fw]
    o["nonspace"], o["nw"], o["caps"] = nonspace, nw, cap[fwe] - cap[fw]
    firstok = nw > 0
    fi = np.where(firstok, ws[np.minimum(fw, max(nwords - 1, 0))] if nwords else 0, 0)
    ls = np.where(firstok, we1[np.maximum(fwe - 1, 0)] - 1 if nwords else 0, -1)
    li = ls.copy()
    cl = np.flatnonzero(firstok & ((fl[np.maximum(li, 0)] & C_CLOSE) > 0))
    while cl.size:  # step back over closing quotes/brackets (not over spaces)
        li[cl] -= 1
        cl = cl[(li[cl] >= starts[cl]) & ((fl[np.maximum(li[cl], 0)] & C_CLOSE) > 0)]
    lastok = firstok & (li >= starts)
    li = np.maximum(li, 0)
    o["lastc"] = np.where(lastok, cp[li], 0)
    o["lastfl"] = np.where(lastok, fl[li] & 0x7F, 0)
    o["lastp"] = np.where(lastok, (V[li] >> np.uint32(8)) & np.uint32(15), 0)
    fi = np.minimum(fi, max(L - 1, 0))
    o["firstfl"] = np.where(firstok, fl[fi] & 0x7F, 0)
    o["firstp"] = np.where(firstok, (V[fi] >> np.uint32(8)) & np.uint32(15), 0)
    o["second_sp"] = firstok & (fi + 1 < ends) & sp_at(fi + 1)
    # sparse positions: upper / CJK / non-letter counts, punctuation events, digit runs
    _, cnt = per_line(S)
    sl = np.repeat(np.arange(n, dtype=np.int64), cnt)
    fS = fl[S]
    pS = (V[S] >> np.uint32(8)).astype(np.uint8)
    o["alpha"] = nonspace - np.bincount(sl[(fS & (C_ALPHA | C_SPACE)) == 0], minlength=n)
    o["upper"] = np.bincount(sl[(fS & C_UPPER) > 0], minlength=n)
    o["cjk"] = np.bincount(sl[(fS & C_CJK) > 0], minlength=n)
    # sentence ends inside the line (not the line's last visible character)
    k = np.flatnonzero((pS & (P_END | P_Q)) > 0)
    e = S[k]
    keep = sp_at(e + 1) | (cp[e] == 0x3002)
    e, el = e[keep], sl[k[keep]]
    o["inner"] = np.bincount(el[e != ls[el]], minlength=n)
    # commas, '@', '©', and separators with a space on both sides
    k = np.flatnonzero((pS & (P_SEP | P_EV)) > 0)
    e = S[k]
    isev = (pS[k] & P_EV) > 0
    keep = isev | (sp_at(e - 1) & sp_at(e + 1))
    e, isev, el = e[keep], isev[keep], sl[k[keep]]
    evc = cp[e]
    o["commas"] = np.bincount(el[evc == 44], minlength=n)
    o["ats"] = np.bincount(el[evc == 64], minlength=n)
    o["copysign"] = np.bincount(el[evc == 0xA9], minlength=n)
    o["seps"] = np.bincount(el[~isev], minlength=n)
    # '…' or '...' (consecutive full stops never span lines: a newline sits between)
    cS = cp[S]
    k = np.flatnonzero(cS == 46)
    ell = np.zeros(n, dtype=bool)
    ell[sl[cS == 0x2026]] = True
    ell[sl[k[:-2][S[k[2:]] == S[k[:-2]] + 2]]] = True
    o["ellipsis"] = ell
    # digits: runs -> counts, times, years, numeric dates
    k = np.flatnonzero((fS & C_DIGIT) > 0)
    D, dl = S[k], sl[k]
    o["digits"] = np.bincount(dl, minlength=n)
    first = np.flatnonzero(np.diff(D, prepend=-2) != 1)
    last = np.empty_like(first)
    last[:-1] = first[1:] - 1
    last[-1:] = D.shape[0] - 1
    o["t_hit"], o["y_hit"], o["d_hit"] = _digit_runs(cp, fl, D[first], D[last] + 1, dl[first], n)
    # tokens per line
    _, o["ntk"] = per_line(ts)
    return o, th


_OTHER_WS = re.compile(r"[^\S \n]")  # whitespace other than ' ' and '\n' (what str.split() splits on)


class LazyNorms:
    """Padded normalised text " tok tok " of line i, computed on first use (rules need only a few lines)."""

    __slots__ = ("texts", "cache")

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.cache: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.texts)

    def fill(self, idx) -> list[str]:
        """Norms of many lines (one normalisation pass over their joined text); returns them in order."""
        cache, texts = self.cache, self.texts
        todo = [i for i in idx if i not in cache]
        if len(todo) > 2:
            lw = "\n".join([texts[i] for i in todo])
            lw = (lw.replace("\u0130", "i") if "\u0130" in lw else lw).lower()  # as in _norm_text
            for a in _UNI_PUNCT:
                if a in lw:
                    lw = lw.replace(a, " ")
            x = lw.encode("utf-8").translate(_ASCII_PUNCT).decode("utf-8")
            if x.count("\n") + 1 == len(todo):
                if _OTHER_WS.search(x) is None:
                    # only ' ' and the separating newlines are whitespace: collapsing runs of spaces on
                    # the whole text equals split/join per line without a string object per word
                    while "  " in x:
                        x = x.replace("  ", " ")
                    for i, s in zip(todo, x.replace(" \n", "\n").replace("\n ", "\n").strip(" ").split("\n")):
                        cache[i] = " " + s + " "
                else:
                    for i, s in zip(todo, x.split("\n")):
                        cache[i] = " " + " ".join(s.split()) + " "
        return [self[i] for i in idx]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self.texts)))]
        s = self.cache.get(i)
        if s is None:
            s = self.cache[i] = " " + _norm_text(self.texts[i]) + " "
        return s


_HP = 0x9E3779B97F4A7C15  # odd: invertible mod 2^64
_HPI = pow(_HP, -1, 1 << 64)
_POW: list[np.ndarray] = [np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64)]
_KMIX = np.random.default_rng(20240611).integers(1, 2**63, size=64, dtype=np.int64).astype(np.uint64) | np.uint64(1)


def _powers(L: int) -> tuple[np.ndarray, np.ndarray]:
    """P^i and P^-i mod 2^64 for i < L (cached, grown geometrically)."""
    if _POW[0].shape[0] < L:
        m = max(L, 2 * _POW[0].shape[0], 1 << 16)
        with np.errstate(over="ignore"):
            a = np.full(m, _HP, dtype=np.uint64)
            a[0] = 1
            b = np.full(m, _HPI, dtype=np.uint64)
            b[0] = 1
            _POW[0] = np.multiply.accumulate(a)
            _POW[1] = np.multiply.accumulate(b)
    return _POW[0], _POW[1]


@lru_cache(maxsize=1)
def _low_lut() -> np.ndarray:
    """Code point -> lowercase code point; whitespace and punctuation -> 32 (the `_norm_text` classes)."""
    s = "".join(map(chr, range(0xD800))) + "\x00" * 0x800 + "".join(map(chr, range(0xE000, 0x10000)))
    # one code point each; Turkish "İ" lowercases to "i" + a combining dot, here (as in _norm_text) "i"
    low = [x if len(x) == 1 else x[0] if x[1:] == "\u0307" else c for c, x in zip(s, map(str.lower, s))]
    lut = np.frombuffer("".join(low).encode("utf-32-le"), dtype=np.uint32).astype(np.uint16)  # BMP stays BMP
    lut[np.fromiter(map(str.isspace, s), dtype=bool, count=0x10000)] = 32
    for b in range(128):
        if _ASCII_PUNCT[b] == 32:
            lut[b] = 32
    for c in _UNI_PUNCT:
        lut[ord(c)] = 32
    lut[10] = 32
    return lut


def _mix64(th: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer, in place: spreads short tokens over all bits."""
    with np.errstate(over="ignore"):
        th ^= th >> np.uint64(30)
        th *= np.uint64(0xBF58476D1CE4E5B9)
        th ^= th >> np.uint64(27)
        th *= np.uint64(0x94D049BB133111EB)
        th ^= th >> np.uint64(31)
    return th


def _tokens(cp: np.ndarray, lens: np.ndarray, starts: np.ndarray, n: int, nl: np.ndarray | None = None):
    """Tokens of the "\\n"-joined lines: (hash (T,) uint64, line (T,), first token of each line (n,),
    tokens per line (n,))."""
    L = cp.shape[0]
    if L and int(cp.max()) > 0xFFFF:
        low = _low_lut()[np.minimum(cp, 0xFFFF)].astype(np.uint32)
        big = cp > 0xFFFF
        low[big] = cp[big]
    else:
        low = _low_lut()[cp]
    tc = (low != 32).view(np.int8)
    d = np.diff(tc, prepend=np.int8(0), append=np.int8(0))
    ts = np.flatnonzero(d == 1)  # token starts
    te = np.flatnonzero(d == -1)  # one past token ends
    pw, ipw = _powers(L + 1)
    H = np.zeros(L + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.cumsum(low.astype(np.uint64) * pw[:L], out=H[1:])
        th = _mix64((H[te] - H[ts]) * ipw[ts])
    if nl is None:
        nl = _newline_count(cp)
    tline = nl[ts].astype(np.int64)
    ntk = np.bincount(tline, minlength=n)
    tok0 = np.zeros(n, dtype=np.int64)
    np.cumsum(ntk[:-1], out=tok0[1:])
    return th, tline, tok0, ntk


def _line_hashes(th, tline, tok0, ntk, n) -> np.ndarray:
    """Order-sensitive hash of each line's token sequence (0 for lines without tokens), as int64."""
    out = np.zeros(n, dtype=np.uint64)
    if th.shape[0]:
        rank = np.minimum(np.arange(th.shape[0]) - tok0[tline], 63)
        with np.errstate(over="ignore"):
            contrib = th * _KMIX[rank]
        has = ntk > 0
        out[has] = np.add.reduceat(contrib, tok0[has])
    return out.view(np.int64)


def _hash_lines(lines: list[str]):
    joined = "\n".join(lines)
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    n = len(lines)
    lens = np.fromiter(map(len, lines), dtype=np.int64, count=n)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lens[:-1] + 1, out=starts[1:])
    th, tline, tok0, ntk = _tokens(cp, lens, starts, n)
    return th, tok0, ntk, _line_hashes(th, tline, tok0, ntk, n)


@lru_cache(maxsize=1)
def _vocab_table() -> tuple[np.ndarray, np.ndarray]:
    """Sorted token hashes of the vocabulary and their bit masks (single-token entries only: others
    can never equal a token)."""
    tokmask, _, _ = _token_masks()
    keys = [w for w in tokmask if w != _SENT and "\n" not in w and _norm_text(w) == w]
    th, tok0, ntk, _ = _hash_lines(keys)
    agg: dict[int, int] = {}
    for w, t0, c in zip(keys, tok0.tolist(), ntk.tolist()):
        if c == 1:
            h = int(th[t0])
            agg[h] = agg.get(h, 0) | tokmask[w]
    hs = np.array(sorted(agg), dtype=np.uint64)
    ms = np.array([agg[int(h)] for h in hs], dtype=np.int64)
    if hs.size == 0:  # pragma: no cover
        hs, ms = np.zeros(1, dtype=np.uint64), np.zeros(1, dtype=np.int64)
    return hs, ms


_TBITS = 17


@lru_cache(maxsize=1)
def _vocab_hash_table() -> tuple[np.ndarray, np.ndarray, int]:
    """Open-addressing table (linear probing) of the vocabulary hashes: keys, masks, longest probe."""
    hs, ms = _vocab_table()
    size = 1 << _TBITS
    keys = np.zeros(size, dtype=np.uint64)  # 0 = empty (a token hash of 0 is looked up and missed)
    vals = np.zeros(size, dtype=np.int64)
    used = np.zeros(size, dtype=bool)
    longest = 1
    for h, m in zip(hs.tolist(), ms.tolist()):
        b = h >> (64 - _TBITS)
        p = 1
        while used[b]:
            b = (b + 1) & (size - 1)
            p += 1
        used[b] = True
        keys[b] = h
        vals[b] = m
        longest = max(longest, p)
    keys[~used] = 0
    return keys, vals, longest


def _vocab_lookup(th: np.ndarray) -> np.ndarray:
    """Bit mask of each token hash (0 if not in the vocabulary)."""
    keys, vals, longest = _vocab_hash_table()
    b = (th >> np.uint64(64 - _TBITS)).astype(np.int64)
    k = keys[b]
    out = np.where(k == th, vals[b], 0)
    rest = np.flatnonzero((k != th) & (k != 0))
    mask = (1 << _TBITS) - 1
    for _ in range(longest - 1):
        if rest.size == 0:
            break
        b = (b[rest] + 1) & mask if b.shape[0] != rest.shape[0] else (b + 1) & mask
        t = th[rest]
        k = keys[b]
        hit = k == t
        out[rest[hit]] = vals[b[hit]]
        cont = (~hit) & (k != 0)
        rest, b = rest[cont], b[cont]
    return out


def _promo_grams() -> dict[int, np.ndarray]:
    return phrase_grams(PROMO_PHRASES)


def phrase_hits(tokens: tuple, rows: np.ndarray, phrases: tuple[str, ...], n: int, first: int = 0) -> np.ndarray:
    """Lines among `rows` (a bool mask over the n lines) that hold one of `phrases` as a run of tokens
    (BatchFeatures.tokens: the same normalisation as the features; no regex pass over the text); with
    `first`, only among each line's first `first` tokens (a phrase that opens a long line)."""
    if not tokens or not rows.any():
        return np.zeros(n, dtype=bool)
    th, tline = tokens[0], tokens[1]
    if first:  # the first tokens of the selected lines, built from their offsets (not a pass over all tokens)
        li = np.flatnonzero(rows)
        cnt = np.minimum(tokens[3][li], first)
        st = np.repeat(tokens[2][li], cnt)
        ts_ = st + (np.arange(st.shape[0]) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    else:
        ts_ = np.flatnonzero(rows[tline])
    return _phrase_lines(th[ts_], tline[ts_], phrase_grams(phrases), n)


@lru_cache(maxsize=8)
def phrase_grams(phrases: tuple[str, ...]) -> dict[int, np.ndarray]:
    """Phrases as token-hash n-gram keys, by phrase length in tokens."""
    ph = sorted({_norm_text(p) for p in phrases if _norm_text(p)})
    th, tok0, ntk, _ = _hash_lines(ph)
    out: dict[int, list[int]] = {}
    for t0, c in zip(tok0.tolist(), ntk.tolist()):
        if c:
            g = _gram_keys(th[t0:t0 + c], c)[:1]
            out.setdefault(c, []).append(int(g[0]))
    return {m: _sorted_unique(np.array(v, dtype=np.uint64)) for m, v in out.items()}


def _gram_keys(th: np.ndarray, m: int) -> np.ndarray:
    """Key of the m tokens starting at each position j <= T - m."""
    T = th.shape[0] - m + 1
    g = np.zeros(max(T, 0), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(m):
            g += th[i:i + T] * _KMIX[i]
    return g


def _phrase_lines(th: np.ndarray, tline: np.ndarray, grams: dict[int, np.ndarray], n: int) -> np.ndarray:
    """Lines containing one of the phrases as a contiguous token sequence."""
    out = np.zeros(n, dtype=bool)
    for m, keys in grams.items():
        if th.shape[0] < m:
            continue
        g = _gram_keys(th, m)
        same = tline[: g.shape[0]] == tline[m - 1:]
        hit = same & _in_sorted(g, keys)
        out[tline[: g.shape[0]][hit]] = True
    return out


@lru_cache(maxsize=1)
def _related_hashes() -> np.ndarray:
    heads = sorted(h for h in RELATED_HEADERS if _norm_text(h) == h and h)
    if not heads:
        return np.zeros(0, dtype=np.int64)
    return _sorted_unique(_hash_lines(heads)[3])


def _newline_count(cp: np.ndarray) -> np.ndarray:
    """nl[i] = number of newlines before position i (= the line of position i)."""
    nl = np.zeros(cp.shape[0] + 1, dtype=np.int32)
    np.cumsum(cp == 10, out=nl[1:])
    return nl


def _digit_patterns(cp: np.ndarray, fl: np.ndarray, starts: np.ndarray):
    """Per line: a time (`\\d{1,2}[:h.]\\d{2}(?!\\d)` or `\\d{1,2} ?[ap]\\.?m\\b`), a year
    (`(?<!\\d)(19|20)\\d\\d(?!\\d)`), a numeric date (`\\d{4}[/.-]\\d{1,2}[/.-]\\d{1,2}` or
    `\\d{1,2}[/.-]\\d{1,2}[/.-]\\d{2,4}`) in the "\\n"-joined lines starting at `starts`."""
    n = starts.shape[0]
    pad = np.zeros(cp.shape[0] + 2, dtype=bool)
    pad[1:-1] = (fl & C_DIGIT) > 0
    tr = np.flatnonzero(pad[1:] != pad[:-1])
    rs, re_ = tr[0::2], tr[1::2]
    return _digit_runs(cp, fl, rs, re_, np.searchsorted(starts, rs, side="right") - 1, n)


def _digit_runs(cp: np.ndarray, fl: np.ndarray, rs: np.ndarray, re_: np.ndarray, line: np.ndarray, n: int):
    """`_digit_patterns` from the runs of digits [rs, re_) and the line of each run: found from the runs
    instead of three regex scans. Nothing past a line's newline is read (the end reads as a newline)."""
    L = cp.shape[0]
    t_hit = np.zeros(n, dtype=bool)
    y_hit = np.zeros(n, dtype=bool)
    d_hit = np.zeros(n, dtype=bool)
    if rs.size == 0:
        return t_hit, y_hit, d_hit

    def at(p):  # code point at p (a newline past the end)
        return np.where(p < L, cp[np.minimum(p, L - 1)], 10)

    rl = re_ - rs
    c1 = at(re_)
    # year
    c0, c0b = at(rs), at(rs + 1)
    y = (rl == 4) & (((c0 == 49) & (c0b == 57)) | ((c0 == 50) & (c0b == 48)))
    y_hit[line[y]] = True
    # next run directly after one separator character
    nxt_adj = np.zeros(rs.size, dtype=bool)
    nxt_adj[:-1] = rs[1:] == re_[:-1] + 1
    rl_next = np.zeros(rs.size, dtype=np.int64)
    rl_next[:-1] = rl[1:]
    t1 = nxt_adj & ((c1 == 58) | (c1 == 104) | (c1 == 46)) & (rl_next == 2)
    pp = np.minimum(re_ + (c1 == 32), L)
    cpa = at(pp)
    q = np.minimum(pp + 1, L)
    q = np.minimum(q + (at(q) == 46), L)
    qn = np.minimum(q + 1, L)
    flq = np.where(qn < L, fl[np.minimum(qn, L - 1)], 0)
    wordc = ((flq & (C_ALPHA | C_DIGIT)) > 0) | (at(qn) == 95)
    t2 = ((cpa == 97) | (cpa == 112)) & (at(q) == 109) & ((qn >= L) | ~wordc)
    t_hit[line[t1 | t2]] = True
    # numeric dates: run, sep, run of 1-2, sep, run
    adj_sep = nxt_adj & ((c1 == 47) | (c1 == 46) | (c1 == 45))  # run, one of "/.-", run
    adj2 = np.zeros(rs.size, dtype=bool)
    adj2[:-1] = adj_sep[1:]
    rl3 = np.zeros(rs.size, dtype=np.int64)
    rl3[:-2] = rl[2:]
    dd = adj_sep & ((rl_next == 1) | (rl_next == 2)) & adj2 & ((rl >= 4) | (rl3 >= 2))
    d_hit[line[dd]] = True
    return t_hit, y_hit, d_hit


def line_base(texts: list[str]):
    """(features (n, N_BASE), stripped lines, padded norms, language, first-token masks) of one document."""
    n = len(texts)
    if n == 0:
        return np.zeros((0, N_BASE), dtype=np.float32), [], [], "English", np.zeros(0, dtype=np.int64)
    F, norms, langs, fb, _, _, _ = batch_line_base(list(texts), np.array([0, n], dtype=np.int64))
    return F, [" ".join(t.split()) for t in texts], norms[:], langs[0], fb


_RE_BULLET = re.compile(r"^[ \t]*\d{1,2}[.)][ \t]+", re.M)


_PROMO_PADDED = tuple(" " + _norm_text(p) + " " for p in PROMO_PHRASES if _norm_text(p))


def densest_region(base: np.ndarray) -> tuple[int, int]:
    """Maximum-sum contiguous run: prose lines score by length, other lines cost a little."""
    n = base.shape[0]
    if n == 0:
        return (0, 0)
    prose = base[:, 35] > 0
    lw = base[:, 1]
    score = np.where(prose, np.minimum(lw / 15.0, 4.0), np.where(lw >= 8, -0.3, -0.6))
    c = np.zeros(n + 1)
    np.cumsum(score, out=c[1:])
    cmin = np.minimum.accumulate(c[:-1])
    gain = c[1:] - cmin
    e = int(np.argmax(gain))
    s = int(np.argmin(c[: e + 1]))
    return (s, e + 1)


def _densest_regions(base: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """`densest_region` of every document, (k, 2) absolute rows. Documents of similar length are padded
    into one (documents, longest + 1) matrix per group, so each running sum restarts at 0 and adds in
    the same order as the per-document call (same floats, same ties)."""
    k = offsets.shape[0] - 1
    dl = np.diff(offsets)
    regions = np.repeat(offsets[:-1, None], 2, axis=1)
    prose = base[:, 35] > 0
    lw = base[:, 1]
    score = np.where(prose, np.minimum(lw / 15.0, 4.0), np.where(lw >= 8, -0.3, -0.6))
    order = np.argsort(dl, kind="stable")
    order = order[dl[order] > 0]
    i = 0
    while i < order.shape[0]:
        # grow the group while the padding stays below the rows it holds (+ a constant)
        j, rows = i, 0
        while j < order.shape[0] and (j - i + 1) * int(dl[order[j]]) <= 2 * (rows + int(dl[order[j]])) + 4096:
            rows += int(dl[order[j]])
            j += 1
        j = max(j, i + 1)
        docs = order[i:j]
        w = int(dl[docs].max())
        lens = dl[docs]
        col = np.arange(w)
        valid = col[None, :] < lens[:, None]
        sc = np.zeros((docs.shape[0], w))
        sc[valid] = score[(offsets[docs][:, None] + col[None, :])[valid]]
        c = np.zeros((docs.shape[0], w + 1))
        np.cumsum(sc, axis=1, out=c[:, 1:])
        cmin = np.minimum.accumulate(c[:, :-1], axis=1)
        gain = c[:, 1:] - cmin
        gain[~valid] = -np.inf
        e = np.argmax(gain, axis=1)
        cs = np.where(col[None, :] <= e[:, None], c[:, :-1], np.inf)
        st = np.argmin(cs, axis=1)
        regions[docs, 0] = offsets[docs] + st
        regions[docs, 1] = offsets[docs] + e + 1
        i = j
    return regions


def _shift(a: np.ndarray, k: int, fill: float = -1.0) -> np.ndarray:
    out = np.full_like(a, fill)
    if k > 0:
        out[k:] = a[:-k]
    elif k < 0:
        out[:k] = a[-k:]
    else:
        out[:] = a
    return out


def _window_mean(a: np.ndarray, half: int) -> np.ndarray:
    n = a.shape[0]
    c = np.zeros(n + 1)
    np.cumsum(a, out=c[1:])
    idx = np.arange(n)
    lo = np.maximum(idx - half, 0)
    hi = np.minimum(idx + half + 1, n)
    return (c[hi] - c[lo]) / (hi - lo)


def _run_lengths(mask: np.ndarray) -> np.ndarray:
    """For each position, length of the run of True values it belongs to (0 where False)."""
    n = mask.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    st = np.flatnonzero(d == 1)
    en = np.flatnonzero(d == -1)
    lens = en - st
    out = np.zeros(n + 1, dtype=np.float32)
    # +len at run start, -len at run end, prefix sum
    np.add.at(out, st, lens)
    np.add.at(out, en, -lens)
    return np.cumsum(out[:-1])


_CTX_IDX = [_FI[c] for c in CTX_COLS]
_WIN_IDX = [_FI[c] for c in ("prose", "log_words", "stop_ratio")]
FULL_NAMES = list(FEATURE_NAMES)
for _k in (1, 2, -1, -2):
    FULL_NAMES += [f"{nm}@{_k:+d}" for nm in CTX_COLS]
for _h in (2, 5):
    FULL_NAMES += [f"{nm}~{_h}" for nm in ("prose", "log_words", "stop_ratio")]
FULL_NAMES += ["short_run", "in_region", "region_dist", "region_chars", "pos", "cum_chars", "log_n", "doc_stop",
               "rel_stop", "region_frac"]


def batch_features(docs: list[list[str]]) -> BatchFeatures:
    """Features of every line of every document in `docs` (lists of raw lines) in one set of numpy calls;
    per-document quantities (language, repeats, context windows, prose region) never cross documents,
    so a document's rows are the same whatever else is in the batch."""
    k = len(docs)
    dl = np.fromiter(map(len, docs), dtype=np.int64, count=k)
    return batch_features_flat(list(chain.from_iterable(docs)), dl)


def batch_features_flat(texts: list[str], doc_lens: np.ndarray) -> BatchFeatures:
    """`batch_features` for the lines of all documents in one list; document j has doc_lens[j] lines."""
    names = list(FULL_NAMES)
    dl = np.asarray(doc_lens, dtype=np.int64)
    k = dl.shape[0]
    offsets = np.zeros(k + 1, dtype=np.int64)
    np.cumsum(dl, out=offsets[1:])
    n = int(offsets[-1])
    if len(texts) != n:
        raise ValueError(f"{len(texts)} lines for documents of {n} lines in all")
    if n == 0:
        return BatchFeatures(X=np.zeros((0, len(names)), dtype=np.float32), names=names,
                             base=np.zeros((0, N_BASE), dtype=np.float32), texts=[], norms=LazyNorms([]), offsets=offsets,
                             doc_id=np.zeros(0, dtype=np.int64), regions=np.zeros((k, 2), dtype=np.int64),
                             languages=["English"] * k, first_tok_bits=np.zeros(0, dtype=np.int64))
    nz = dl > 0
    if nz.all():
        base, norms, langs, first_bits, doc_id, toks, ell = batch_line_base(texts, offsets)
    else:  # empty documents take no rows
        nzo = np.zeros(int(nz.sum()) + 1, dtype=np.int64)
        np.cumsum(dl[nz], out=nzo[1:])
        base, norms, langs_nz, first_bits, did, toks, ell = batch_line_base(texts, nzo)
        doc_id = np.flatnonzero(nz)[did]
        langs = ["English"] * k
        for j, lg in zip(np.flatnonzero(nz).tolist(), langs_nz):
            langs[j] = lg
    X = np.empty((n, len(names)), dtype=np.float32)
    X[:, :N_BASE] = base
    col = N_BASE
    idx = np.arange(n, dtype=np.int64)
    ds = offsets[doc_id]  # first row of the line's document
    de = offsets[doc_id + 1]  # one past its last row
    pos = idx - ds
    rem = de - idx - 1
    ctx = base[:, _CTX_IDX]
    nctx = len(_CTX_IDX)
    for s in (1, 2, -1, -2):
        blk = X[:, col:col + nctx]
        blk[:] = -1.0
        if s > 0:
            if s < n:
                blk[s:] = ctx[:-s]
            blk[pos < s] = -1.0
        else:
            if -s < n:
                blk[:s] = ctx[-s:]
            blk[rem < -s] = -1.0
        col += nctx
    win = base[:, _WIN_IDX].astype(np.float64)
    c = np.zeros((n + 1, win.shape[1]))
    np.cumsum(win, axis=0, out=c[1:])
    for half in (2, 5):
        lo = np.maximum(idx - half, ds)
        hi = np.minimum(idx + half + 1, de)
        X[:, col:col + 3] = (c[hi] - c[lo]) / (hi - lo)[:, None]
        col += 3
    # runs of short non-sentence lines, broken at document starts
    short = (base[:, 1] < 8) & (base[:, 5] == 0)
    rstart = short.copy()
    rstart[1:] &= ~short[:-1] | (pos[1:] == 0)
    rid = np.cumsum(rstart)
    rlen = np.bincount(rid[short], minlength=int(rid[-1]) + 1)
    X[:, col] = np.where(short, rlen[rid], 0)
    col += 1
    regions = _densest_regions(base, offsets)
    rs = regions[doc_id, 0]
    re_ = regions[doc_id, 1]
    X[:, col] = (idx >= rs) & (idx < re_)
    X[:, col + 1] = np.minimum(np.where(idx < rs, rs - idx, np.where(idx >= re_, idx - re_ + 1, 0)), 50)
    chars = np.expm1(base[:, 0].astype(np.float64))
    cc = np.zeros(n + 1)
    np.cumsum(chars, out=cc[1:])
    tot = cc[de] - cc[ds]
    tot[tot == 0] = 1.0
    X[:, col + 2] = (cc[re_] - cc[rs]) / tot
    X[:, col + 3] = pos / np.maximum(de - ds - 1, 1)
    X[:, col + 4] = (cc[idx + 1] - cc[ds]) / tot
    X[:, col + 5] = np.log1p(de - ds)
    # median stop ratio of the prose lines (of all lines where a document has none)
    prose = base[:, 35] > 0
    has_prose = np.bincount(doc_id[prose], minlength=k) > 0
    sel = prose | ~has_prose[doc_id]
    sd = doc_id[sel]
    sv = base[sel, 3]
    o = np.lexsort((sv, sd))
    sv = sv[o]
    cnt = np.bincount(sd, minlength=k)
    so = np.zeros(k, dtype=np.int64)
    np.cumsum(cnt[:-1], out=so[1:])
    med = np.zeros(k, dtype=np.float32)
    ok = cnt > 0
    med[ok] = (sv[so[ok] + (cnt[ok] - 1) // 2] + sv[so[ok] + cnt[ok] // 2]) / np.float32(2)
    X[:, col + 6] = med[doc_id]
    X[:, col + 7] = base[:, 3] - med[doc_id]
    X[:, col + 8] = (re_ - rs) / (de - ds)
    return BatchFeatures(X=X, names=names, base=base, texts=texts, norms=norms, offsets=offsets, doc_id=doc_id,
                         regions=regions, languages=langs, first_tok_bits=first_bits, tokens=toks, ellipsis=ell)


def doc_features(texts: list[str]) -> DocFeatures:
    """Features of one document (a batch of one: identical to its rows in any `batch_features` call)."""
    n = len(texts)
    if n == 0:
        return DocFeatures(X=np.zeros((0, len(FULL_NAMES)), dtype=np.float32), names=list(FULL_NAMES),
                           base=np.zeros((0, N_BASE), dtype=np.float32), stripped=[], norms=[], region=(0, 0),
                           language="English", first_tok_bits=np.zeros(0, dtype=np.int64))
    return batch_features([list(texts)]).doc(0)
