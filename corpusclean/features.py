"""Per-line features for text-dump boilerplate detection, computed for all lines of a document at once.

`doc_features(texts)` returns one feature row per line. No per-line Python work beyond a few C-level
`map` calls: the document is joined once ("\\n" between lines) and

* character classes come from one lookup table over the UTF-32 code points and one `np.bincount` of
  (line, class byte) pairs, so every per-line class count (letters, capitals, digits, CJK, word starts)
  is a column of one histogram;
* punctuation events (sentence ends inside a line, commas, separators) are sparse positions mapped to
  lines with `np.bincount`;
* words are tokenised once for the whole document (`str.split` with a line sentinel); each token is
  looked up once in a dict giving a bit mask (stop word in each of 32 jusText languages, month name,
  share/UI word, credit/copyright/print/url/"ago"/promo/byline cues), and per-line counts are bincounts;
* the few regexes (times, dates, years, credits...) run once over the joined text of candidate lines
  only (short lines that contain a digit or a cue token), offsets mapped back with `np.searchsorted`;
* context features (neighbours, windows, runs, densest prose region) are numpy shifts and prefix sums.

Vocabularies live in `corpusclean/data/boilerplate_*.txt`; stop-word lists come from jusText.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import repeat

import numpy as np

# ----------------------------------------------------------------------------------------------
# vocabularies


def _load_vocab(name: str) -> list[str]:
    text = resources.files("corpusclean").joinpath("data", name).read_text("utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


SHARE_WORDS = frozenset(w for ln in _load_vocab("boilerplate_share.txt") for w in ln.split())
RELATED_HEADERS = frozenset(_load_vocab("boilerplate_related.txt"))
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
).split()
_BYLINE_WORDS = ("by", "von", "par", "por", "di", "door", "av", "af")
_CREDIT_WORDS = ("photo", "photos", "photograph", "photographs", "image", "images", "picture", "pictures",
                 "pic", "pics", "credit", "credits", "illustration", "graphic", "foto", "fotos", "bild")
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
            s = frozenset(w.lower() for w in justext.get_stoplist(lang))
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
_UNI_PUNCT = ("’", "‘", "“", "”", "—", "–", "…", "«", "»", "•", "·", "©", "|", "›", "‹", "\u00a0")
_ASCII_PUNCT = bytes(
    32 if (chr(b) in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t\x01") else b for b in range(256)
)
# char class bits
C_UPPER, C_LOWER, C_DIGIT, C_ALPHA, C_SPACE, C_CJK, C_CLOSE = 1, 2, 4, 8, 16, 32, 64
C_WSTART = 128  # added per position: first char of a word


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
    cjk = ((cps >= 0x3040) & (cps <= 0x30FF)) | ((cps >= 0x3400) & (cps <= 0x4DBF)) | \
          ((cps >= 0x4E00) & (cps <= 0x9FFF)) | ((cps >= 0xAC00) & (cps <= 0xD7AF))
    lut |= cjk.astype(np.uint8) * np.uint8(C_CJK)
    for c in _CLOSERS:
        lut[ord(c)] |= C_CLOSE
    return lut



# punctuation classes (second lookup table)
P_END, P_Q, P_SEP, P_BULLET = 1, 2, 4, 8


@lru_cache(maxsize=1)
def _punct_lut() -> np.ndarray:
    lut = np.zeros(0x10000, dtype=np.uint8)
    for chars, bit in ((".!…。！", P_END), ("?？", P_Q), ("|/»>·›•", P_SEP), ("•●▪■◦‣·*–—-", P_BULLET)):
        for c in chars:
            lut[ord(c)] |= bit
    return lut


_SENT_END = np.array([ord(c) for c in ".!…。！"], dtype=np.uint32)
_QMARK = np.array([ord(c) for c in "?？"], dtype=np.uint32)
_SEPS = np.array([ord(c) for c in "|/»>·›•"], dtype=np.uint32)
_BULLETS = np.array([ord(c) for c in "•●▪■◦‣·*–—-"], dtype=np.uint32)

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
    r"foto|bild)\s*(?:credit)?\s*:|\((?:photo|image|credit)[^)]*\)|\b(?:photo|image|picture)s?\s+(?:by|courtesy)\b",
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


def _norm_text(s: str) -> str:
    lw = s.lower()
    for a in _UNI_PUNCT:
        if a in lw:
            lw = lw.replace(a, " ")
    return " ".join(lw.encode("utf-8").translate(_ASCII_PUNCT).decode("utf-8").split())


def collapse_lines(texts: list[str]) -> list[str]:
    """`" ".join(t.split())` for every line, done with two C-level calls on the whole document."""
    n = len(texts)
    j = " \x01 ".join(texts)
    if j.count("\x01") == n - 1:
        out = " ".join(j.split()).split(" \x01 ")
        if len(out) == n:
            return out
    return [" ".join(t.split()) for t in texts]


def _cand_hits(pattern: re.Pattern, stripped: list[str], cand: np.ndarray, n: int) -> np.ndarray:
    """1.0 for candidate lines where `pattern` matches: one finditer over the candidates joined."""
    out = np.zeros(n, dtype=np.float32)
    k = cand.shape[0]
    if k == 0:
        return out
    sub = [stripped[i] for i in cand.tolist()]
    text = "\n".join(sub)
    pos = [m.start() for m in pattern.finditer(text)]
    if pos:
        lens = np.fromiter(map(len, sub), dtype=np.int64, count=k)
        st = np.zeros(k, dtype=np.int64)
        np.cumsum(lens[:-1] + 1, out=st[1:])
        out[cand[np.searchsorted(st, np.asarray(pos), side="right") - 1]] = 1.0
    return out


def line_base(texts: list[str]):
    """(features (n, N_BASE), stripped lines, padded norms, language, first-token masks)."""
    n = len(texts)
    if n == 0:
        return np.zeros((0, N_BASE), dtype=np.float32), [], [], "English", np.zeros(0, dtype=np.int64)
    lut = _char_lut()
    tokmask, _sets, _ = _token_masks()
    stripped = collapse_lines(texts)
    joined = "\n".join(stripped)
    lens = np.fromiter(map(len, stripped), dtype=np.int64, count=n)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lens[:-1] + 1, out=starts[1:])
    ends = starts + lens
    L = len(joined)

    # ---- characters: one class byte per position, one (line, byte) histogram
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    cp16 = np.minimum(cp, 0xFFFF)
    fl = lut[cp16]
    pc = _punct_lut()[cp16]
    if L and cp.max() > 0xFFFF:
        fl[cp > 0xFFFF] = 0
        pc[cp > 0xFFFF] = 0
    sp = (fl & C_SPACE) > 0
    sp[starts[1:] - 1] = True  # the joining newlines
    prev_sp = np.empty(L, dtype=bool)
    prev_sp[0] = True
    prev_sp[1:] = sp[:-1]
    wst = ~sp & prev_sp
    # class byte per position: bits 0-5 as in the table, 6 = capitalised word start, 7 = word start
    code = fl & np.uint8(0x3F)
    code[wst] |= np.uint8(C_WSTART)
    code[wst & ((fl & C_UPPER) > 0)] |= np.uint8(C_CLOSE)
    lid = np.repeat(np.arange(n, dtype=np.int64), lens + 1)[:L]
    bits = np.unpackbits(code[:, None], axis=1, bitorder="little")
    cnt = np.add.reduceat(bits, starts, axis=0, dtype=np.int32).astype(np.float32)  # (n, 8)
    upper, digits, alpha, cjk, caps, nw = cnt[:, 0], cnt[:, 2], cnt[:, 3], cnt[:, 5], cnt[:, 6], cnt[:, 7]
    nc = lens.astype(np.float32)

    # last character before trailing closers, first character
    nonclose = np.where((fl & C_CLOSE) > 0, -1, np.arange(L, dtype=np.int64))
    np.maximum.accumulate(nonclose, out=nonclose)
    li = nonclose[np.maximum(ends - 1, 0)]
    lastok = (lens > 0) & (li >= starts)
    lastc = np.where(lastok, cp[np.maximum(li, 0)], 0)
    lastfl = np.where(lastok, fl[np.maximum(li, 0)], 0)
    firstc = np.where(lens > 0, cp[np.minimum(starts, L - 1)], 0)
    firstfl = np.where(lens > 0, fl[np.minimum(starts, L - 1)], 0)
    secondc = np.where(lens > 1, cp[np.minimum(starts + 1, L - 1)], 0)

    # sparse punctuation events
    nxt_sp = np.empty(L, dtype=bool)
    nxt_sp[:-1] = sp[1:]
    nxt_sp[-1] = True
    is_end = (pc & (P_END | P_Q)) > 0
    inner_pos = np.flatnonzero((is_end & nxt_sp & (cp != 0x3002)) | (cp == 0x3002))
    inner = np.bincount(lid[inner_pos], minlength=n).astype(np.float32)
    # a sentence end right at the end of the line is not "inner"
    endpos = ends[lens > 0] - 1
    at_end = np.zeros(n, dtype=np.float32)
    inner_flag = np.zeros(L + 1, dtype=bool)
    inner_flag[inner_pos] = True
    at_end[lens > 0] = inner_flag[endpos]
    inner -= at_end
    commas = np.bincount(lid[cp == 44], minlength=n).astype(np.float32)
    sep_pos = np.flatnonzero(((pc & P_SEP) > 0) & prev_sp & nxt_sp)
    seps = np.bincount(lid[sep_pos], minlength=n).astype(np.float32)
    ats = np.bincount(lid[cp == 64], minlength=n)
    copysign = np.bincount(lid[cp == 0xA9], minlength=n)

    # ---- tokens: one split of the whole document, one dict lookup per token
    low = joined.lower()
    lw = low
    for a in _UNI_PUNCT:
        if a in lw:
            lw = lw.replace(a, " ")
    lw = lw.encode("utf-8").translate(_ASCII_PUNCT).decode("utf-8")
    toks = (lw.replace("\n", " \x01 ")).split()
    nt = len(toks)
    m = np.fromiter(map(tokmask.get, toks, repeat(0)), dtype=np.int64, count=nt)
    is_sep = (m >> B_SEP) & 1
    tlid = np.cumsum(is_sep)
    word = is_sep == 0
    wl = tlid[word]
    mw = m[word]
    ntk = np.bincount(wl, minlength=n).astype(np.float32)
    head = mw[:1000].astype("<u8").view(np.uint8).reshape(-1, 8)[:, :4]
    per_lang = np.unpackbits(head, axis=1, bitorder="little").sum(axis=0, dtype=np.int64)
    best = int(np.argmax(per_lang)) if head.size else 0
    lang = _STOP_LANGS[best]

    def tcount(bit):
        return np.bincount(wl, weights=((mw >> bit) & 1), minlength=n).astype(np.float32)

    stopc = tcount(best)
    months = tcount(B_MONTH)
    sharec = tcount(B_SHARE)
    cue = (mw >> B_CREDIT) & 0x7F  # credit, copy, print, url, ago, promo, attrib bits
    cue_lines = np.bincount(wl[cue > 0], minlength=n) > 0 if nt else np.zeros(n, dtype=bool)

    def cue_lines_of(bit):
        sel = ((mw >> bit) & 1) > 0
        out = np.zeros(n, dtype=bool)
        out[wl[sel]] = True
        return out

    # first token of each line
    sep_idx = np.flatnonzero(is_sep)
    ft = np.empty(n, dtype=np.int64)
    ft[0] = 0
    ft[1:] = sep_idx[: n - 1] + 1
    has_tok = ntk > 0
    first_bits = np.where(has_tok, m[np.minimum(ft, max(nt - 1, 0))] if nt else 0, 0).astype(np.int64)

    # padded norm strings: " tok tok " per line
    norms = ("\x01 " + " ".join(toks) + " \x01").split("\x01")[1:-1] if nt else [" "] * n
    if len(norms) != n:  # pragma: no cover - defensive
        norms = [" " + " ".join(x.split()) + " " for x in lw.split("\n")]

    # ---- lexical cues on candidate lines
    F = np.zeros((n, N_BASE), dtype=np.float32)
    weff = nw + cjk / 2.0
    F[:, 0] = np.log1p(nc)
    F[:, 1] = weff
    F[:, 2] = np.log1p(weff)
    F[:, 3] = stopc / np.maximum(ntk, 1)
    F[:, 4] = stopc
    lastp = np.where(lastok, pc[np.maximum(li, 0)], 0)
    firstp = np.where(lens > 0, pc[np.minimum(starts, L - 1)], 0)
    isq = (lastp & P_Q) > 0
    F[:, 5] = (lastp & P_END) > 0
    F[:, 6] = isq
    F[:, 7] = lastc == 58
    F[:, 8] = (lastc == 44) | (lastc == 59)
    F[:, 9] = (lastc == 0) | ((lastfl & (C_ALPHA | C_DIGIT)) > 0)
    F[:, 10] = np.maximum(inner, 0)
    F[:, 11] = commas / np.maximum(ntk, 1)
    F[:, 12] = caps / np.maximum(nw, 1)
    F[:, 13] = upper / np.maximum(alpha, 1)
    F[:, 14] = digits / np.maximum(nc, 1)
    dcand = np.flatnonzero((digits > 0) & (nc < 200))
    F[:, 15] = _cand_hits(_RE_TIME_FAST, stripped, dcand, n)
    F[:, 17] = _cand_hits(_RE_YEAR_FAST, stripped, dcand, n)
    numdate = _cand_hits(_RE_NUMDATE, stripped, dcand, n)
    mdate = (months > 0) & (digits > 0) & (nw <= 25)
    F[:, 16] = np.maximum(numdate, mdate)
    F[:, 18] = _cand_hits(RE_REL_TIME, stripped, np.flatnonzero(cue_lines_of(B_AGO) & (digits > 0)), n)
    F[:, 19] = ((firstp & P_BULLET) > 0) & (lens > 1) & (secondc == 32)
    dig_first = ((firstfl & C_DIGIT) > 0) & (nc < 400)
    if dig_first.any():
        bc = np.flatnonzero(dig_first)
        F[bc, 19] = [bool(_RE_BULLET.match(stripped[i])) for i in bc.tolist()]
    F[:, 20] = np.where((ntk > 0) & (ntk <= 12), sharec / np.maximum(ntk, 1), 0.0)
    short = (ntk > 0) & (ntk <= 6)
    if short.any():
        si = np.flatnonzero(short)
        F[si, 21] = [nm.strip() in RELATED_HEADERS for nm in (norms[i] for i in si.tolist())]
    pc = np.flatnonzero(cue_lines_of(B_PROMO) & (nw <= 40))
    if pc.size:
        F[pc, 22] = [any(p in norms[i] for p in _PROMO_PADDED) for i in pc.tolist()]
    F[:, 23] = _cand_hits(RE_CREDIT, stripped, np.flatnonzero(cue_lines_of(B_CREDIT) & (nc < 600)), n)
    cc = np.flatnonzero(cue_lines_of(B_COPY))
    F[:, 24] = _cand_hits(RE_COPYRIGHT, stripped, cc, n)
    F[copysign > 0, 24] = 1.0
    F[:, 25] = _cand_hits(RE_PRINT_ED, stripped, np.flatnonzero(cue_lines_of(B_PRINT)), n)
    F[:, 26] = (((first_bits >> B_BYLINE) & 1) > 0) & (ntk >= 2)
    F[:, 27] = seps
    F[:, 28] = (nc - nw + 1) / np.maximum(nw, 1)
    F[:, 29] = alpha / np.maximum(nc, 1)
    F[:, 30] = cue_lines_of(B_URL) | (ats > 0)
    F[:, 31] = (firstfl & C_LOWER) > 0
    F[:, 32] = cjk / np.maximum(nc, 1)
    h = np.fromiter(map(hash, norms), dtype=np.int64, count=n)
    _, first_idx, inv, counts = np.unique(h, return_index=True, return_inverse=True, return_counts=True)
    F[:, 33] = np.where(has_tok, counts[inv], 1)
    F[:, 34] = first_idx[inv] != np.arange(n)
    F[:, 35] = (weff >= 8) & ((F[:, 5] > 0) | (F[:, 10] > 0)) & ((F[:, 3] >= 0.18) | (F[:, 32] > 0.3))
    return F, stripped, norms, lang, first_bits


_RE_BULLET = re.compile(r"\d{1,2}[.)][ \t]+")


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


def doc_features(texts: list[str]) -> DocFeatures:
    base, stripped, norms, lang, first_bits = line_base(texts)
    n = base.shape[0]
    names = list(FULL_NAMES)
    X = np.zeros((n, len(names)), dtype=np.float32)
    if n == 0:
        return DocFeatures(X=X, names=names, base=base, stripped=stripped, norms=norms, region=(0, 0),
                           language=lang, first_tok_bits=first_bits)
    X[:, :N_BASE] = base
    col = N_BASE
    ctx = base[:, _CTX_IDX]
    nctx = len(_CTX_IDX)
    for k in (1, 2, -1, -2):
        blk = X[:, col:col + nctx]
        blk[:] = -1.0
        if k > 0:
            if k < n:
                blk[k:] = ctx[:-k]
        elif -k < n:
            blk[:k] = ctx[-k:]
        col += nctx
    win = base[:, _WIN_IDX].astype(np.float64)
    c = np.zeros((n + 1, win.shape[1]))
    np.cumsum(win, axis=0, out=c[1:])
    idx = np.arange(n)
    for half in (2, 5):
        lo = np.maximum(idx - half, 0)
        hi = np.minimum(idx + half + 1, n)
        X[:, col:col + 3] = (c[hi] - c[lo]) / (hi - lo)[:, None]
        col += 3
    short = (base[:, 1] < 8) & (base[:, 5] == 0)
    X[:, col] = _run_lengths(short)
    col += 1
    rs, re_ = densest_region(base)
    fidx = idx.astype(np.float32)
    X[rs:re_, col] = 1.0
    X[:, col + 1] = np.minimum(np.where(idx < rs, rs - idx, np.where(idx >= re_, idx - re_ + 1, 0)), 50)
    chars = np.expm1(base[:, 0].astype(np.float64))
    tot = float(chars.sum()) or 1.0
    X[:, col + 2] = float(chars[rs:re_].sum()) / tot
    X[:, col + 3] = fidx / max(n - 1, 1)
    X[:, col + 4] = np.cumsum(chars) / tot
    X[:, col + 5] = np.log1p(n)
    prose = base[:, 35] > 0
    doc_stop = float(np.median(base[prose, 3])) if prose.any() else float(np.median(base[:, 3]))
    X[:, col + 6] = doc_stop
    X[:, col + 7] = base[:, 3] - doc_stop
    X[:, col + 8] = (re_ - rs) / n
    return DocFeatures(X=X, names=names, base=base, stripped=stripped, norms=norms, region=(rs, re_),
                       language=lang, first_tok_bits=first_bits)
