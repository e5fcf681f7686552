"""Per-line features for text-dump boilerplate detection.

`doc_features(texts)` computes one feature row per line of a document at once: a cheap per-line pass
(lengths, stop-word density, punctuation, capitalisation, digits/dates, vocabulary hits) followed by
vectorised numpy context features (neighbours, windows, runs of short lines, the densest region of
prose lines, repetition inside the document).

Vocabularies live in `corpusclean/data/boilerplate_*.txt`; stop-word lists come from jusText.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

# ----------------------------------------------------------------------------------------------
# vocabularies


def _load_vocab(name: str) -> list[str]:
    text = resources.files("corpusclean").joinpath("data", name).read_text("utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


SHARE_WORDS = frozenset(_load_vocab("boilerplate_share.txt"))
RELATED_HEADERS = frozenset(_load_vocab("boilerplate_related.txt"))
PROMO_PHRASES = tuple(_load_vocab("boilerplate_promo.txt"))

# Languages whose jusText stop-word list is considered when guessing the document language.
_STOP_LANGS = (
    "English", "German", "French", "Spanish", "Italian", "Portuguese", "Dutch", "Czech", "Polish",
    "Russian", "Swedish", "Danish", "Norwegian_Bokmal", "Finnish", "Hungarian", "Romanian",
    "Turkish", "Vietnamese", "Indonesian", "Ukrainian", "Greek", "Catalan", "Slovak", "Croatian",
    "Bulgarian", "Slovenian", "Estonian", "Latvian", "Lithuanian", "Serbian", "Malay", "Tagalog",
)


@lru_cache(maxsize=1)
def _stop_index() -> tuple[dict[str, int], tuple[frozenset[str], ...]]:
    import justext

    sets = []
    index: dict[str, int] = {}
    for bit, lang in enumerate(_STOP_LANGS):
        try:
            s = frozenset(w.lower() for w in justext.get_stoplist(lang))
        except Exception:  # pragma: no cover - list missing in some justext build
            s = frozenset()
        sets.append(s)
        for w in s:
            index[w] = index.get(w, 0) | (1 << bit)
    return index, tuple(sets)


def guess_stoplist(token_lists: list[list[str]], max_tokens: int = 2000) -> tuple[str, frozenset[str]]:
    """Pick the stop-word list with the best coverage of the document's tokens."""
    index, sets = _stop_index()
    from collections import Counter
    from itertools import chain, islice

    tc = Counter(islice(chain.from_iterable(token_lists), max_tokens))
    counts: dict[int, int] = {}
    for w, c in tc.items():
        m = index.get(w)
        if m:
            counts[m] = counts.get(m, 0) + c
    if counts:
        ms = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        cs = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
        bits = (ms[:, None] >> np.arange(len(_STOP_LANGS), dtype=np.int64)[None, :]) & 1
        per_lang = (bits * cs[:, None]).sum(axis=0).tolist()
    else:
        per_lang = [0] * len(_STOP_LANGS)
    best = max(range(len(per_lang)), key=lambda i: (per_lang[i], -i)) if per_lang else 0
    return _STOP_LANGS[best], sets[best]


# ----------------------------------------------------------------------------------------------
# patterns (generic: dates, times, credits, copyright)

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
RE_TIME = re.compile(r"\b\d{1,2}[:.h]\d{2}(?:\s*[ap]\.?m\.?)?\b|\b\d{1,2}\s*[ap]\.?m\.?\b", re.I)
RE_DATE = re.compile(
    r"\b\d{4}[/.-]\d{1,2}[/.-]\d{1,2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|"
    rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\s+\d{{4}}\b",
    re.I,
)
RE_REL_TIME = re.compile(r"\b\d+\s*(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?)\s+ago\b", re.I)
RE_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
RE_CREDIT = re.compile(
    r"(?:^|[ \t(\[|/.–—-])(?:photo(?:graph)?s?|image|picture|pic|credit|illustration|graphic|"
    r"foto|bild)\s*(?:credit)?\s*:|\((?:photo|image|credit)[^)]*\)|\b(?:photo|image|picture)s?\s+(?:by|courtesy)\b",
    re.I | re.M,
)
RE_COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|\bcopyright\b|\ball rights reserved\b", re.I)
RE_PRINT_ED = re.compile(r"\b(?:appeared|appears|published)\s+in\b.{0,80}\b(?:print|edition|issue)\b", re.I)
RE_BYLINE_START = re.compile(r"^(?:by|von|par|por|di|door|av|af)[ \t]+\S", re.I | re.M)
RE_BULLET = re.compile(r"^[ \t]*(?:[•●▪■◦‣·*–—-]|\d{1,2}[.)])[ \t]+", re.M)
RE_WORD = re.compile(r"\w+", re.U)
RE_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
RE_PROMO = re.compile("|".join(re.escape(p) for p in PROMO_PHRASES))
RE_URL = re.compile(r"https?://|www\.|\S+@\S+\.\w", re.I)
RE_SEP = re.compile(r"\s[|/»>·•]\s|\s[-–—]\s")

_END_SENT = frozenset('.!?…。！？')
_CLOSERS = '"\'”’»)]'

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


@dataclass(slots=True)
class DocFeatures:
    X: np.ndarray  # (n, n_features) float32
    names: list[str]
    base: np.ndarray  # (n, N_BASE) per-line features
    stripped: list[str]
    norms: list[str]  # lowercase, punctuation-free token strings
    region: tuple[int, int]  # densest prose region [start, end) in line indices
    language: str


def _norm_tokens(low: str) -> list[str]:
    return RE_WORD.findall(low)


def _char_lut() -> np.ndarray:
    lut = np.zeros(0x10000, dtype=np.uint8)
    for c in range(0x10000):
        ch = chr(c)
        f = 0
        if ch.isupper():
            f |= 1
        if ch.isdigit():
            f |= 4
        if ch.isalpha():
            f |= 8
        if ch.isspace():
            f |= 16
        if 0x3040 <= c <= 0x30FF or 0x3400 <= c <= 0x4DBF or 0x4E00 <= c <= 0x9FFF or 0xAC00 <= c <= 0xD7AF:
            f |= 32
        lut[c] = f
    return lut


_LUT: np.ndarray | None = None
_RE_NONWORD = re.compile(r"[^\w\n]+")
_UNI_PUNCT = ("’", "‘", "“", "”", "—", "–", "…", "«", "»", "•", "·", "©", "|")
_ASCII_PUNCT = bytes(
    32 if (chr(b) in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t") else b for b in range(256)
)


def _line_hits(pattern: re.Pattern, text: str, starts: np.ndarray, n: int) -> np.ndarray:
    """1.0 for each line (given the sorted start offsets of lines in `text`) where `pattern` matches."""
    out = np.zeros(n, dtype=np.float32)
    pos = [m.start() for m in pattern.finditer(text)]
    if pos:
        out[np.searchsorted(starts, np.asarray(pos), side="right") - 1] = 1.0
    return out


def _lit_lines(low: str, starts: np.ndarray, literals) -> np.ndarray:
    """Sorted unique indices of lines containing any of the literal substrings (C-speed str.find)."""
    pos = []
    for lit in literals:
        i = low.find(lit)
        while i >= 0:
            pos.append(i)
            i = low.find(lit, i + 1)
    if not pos:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.searchsorted(starts, np.asarray(pos), side="right") - 1)


def _lit_lines_mask(low: str, starts: np.ndarray, literals, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=np.float32)
    out[_lit_lines(low, starts, literals)] = 1.0
    return out


def _checked(pattern: re.Pattern, lines: list[str], cand: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=np.float32)
    for i in cand.tolist():
        if pattern.search(lines[i]):
            out[i] = 1.0
    return out


_MONTH_WORDS = frozenset(
    "jan january feb february mar march apr april may jun june jul july aug august sep sept september "
    "oct october nov november dec december".split()
)
_CREDIT_LITS = ("photo", "image", "picture", "pic", "credit", "illustration", "graphic", "foto", "bild")
_COPY_LITS = ("©", "copyright", "all rights reserved", "(c)")
_PRINT_LITS = ("appeared in", "appears in", "published in")
_URL_LITS = ("http", "www.", "@")
_BYLINE_PREFIX = ("by ", "von ", "par ", "por ", "di ", "door ", "av ", "af ")
_RE_NUMDATE = re.compile(r"\d{4}[/.-]\d{1,2}[/.-]\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
_RE_TIME_FAST = re.compile(r"\d{1,2}[:h.]\d{2}(?!\d)|\d{1,2} ?[ap]\.?m\b")
_RE_YEAR_FAST = re.compile(r"(?:19|20)\d\d")


def line_base(texts: list[str]) -> tuple[np.ndarray, list[str], list[str], str]:
    global _LUT
    if _LUT is None:
        _LUT = _char_lut()
    n = len(texts)
    stripped = [" ".join(t.split()) for t in texts]
    if n == 0:
        return np.zeros((0, N_BASE), dtype=np.float32), [], [], "English"
    joined = "\n".join(stripped)
    low = joined.lower()
    lens = np.fromiter((len(x) for x in stripped), dtype=np.int64, count=n)
    starts = np.concatenate([[0], np.cumsum(lens + 1)[:-1]])
    ends = starts + lens
    lw = low
    for a in _UNI_PUNCT:
        if a in lw:
            lw = lw.replace(a, " ")
    lw = lw.encode("utf-8").translate(_ASCII_PUNCT).decode("utf-8")
    norms = [" ".join(x.split()) for x in lw.split("\n")]
    toks = [x.split() for x in norms]
    lang, stop = guess_stoplist(toks)
    # character classes, vectorised
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    fl = _LUT[np.minimum(cp, 0xFFFF)]
    fl[cp > 0xFFFF] = 0
    sp = (fl & 16) > 0
    sp[starts[1:] - 1] = True  # the joining newlines
    prev_sp = np.concatenate([[True], sp[:-1]])
    wstart = ~sp & prev_sp

    def seg(mask):
        c = np.concatenate([[0], np.cumsum(mask, dtype=np.int64)])
        return (c[ends] - c[starts]).astype(np.float32)

    nw = seg(wstart)
    caps = seg(wstart & ((fl & 1) > 0))
    upper = seg((fl & 1) > 0)
    alpha = seg((fl & 8) > 0)
    digits = seg((fl & 4) > 0)
    cjk = seg((fl & 32) > 0)
    nc = lens.astype(np.float32)
    ntk = np.fromiter((len(t) for t in toks), dtype=np.float32, count=n)
    stopc = np.fromiter((sum(map(stop.__contains__, t)) for t in toks), dtype=np.float32, count=n)
    last = [x.rstrip(_CLOSERS)[-1:] for x in stripped]
    weff = nw + cjk / 2.0
    F = np.zeros((n, N_BASE), dtype=np.float32)
    F[:, 0] = np.log1p(nc)
    F[:, 1] = weff
    F[:, 2] = np.log1p(weff)
    F[:, 3] = stopc / np.maximum(ntk, 1)
    F[:, 4] = stopc
    F[:, 5] = [c in _END_SENT and c not in "?？" for c in last]
    F[:, 6] = [c in "?？" for c in last]
    F[:, 7] = [c == ":" for c in last]
    F[:, 8] = [c in ",;" for c in last]
    F[:, 9] = [(not c) or c.isalnum() for c in last]
    F[:, 10] = [x.count(". ") + x.count("? ") + x.count("。") for x in stripped]
    F[:, 11] = np.fromiter((x.count(",") for x in stripped), dtype=np.float32, count=n) / np.maximum(ntk, 1)
    F[:, 12] = caps / np.maximum(nw, 1)
    F[:, 13] = upper / np.maximum(alpha, 1)
    F[:, 14] = digits / np.maximum(nc, 1)
    dcand = np.flatnonzero((digits > 0) & (nc < 300))
    F[:, 15] = _checked(_RE_TIME_FAST, stripped, dcand, n)
    F[:, 17] = _checked(_RE_YEAR_FAST, stripped, dcand, n)
    numdate = _checked(_RE_NUMDATE, stripped, dcand, n)
    mdate = np.zeros(n, dtype=np.float32)
    for i in np.flatnonzero((digits > 0) & (nw <= 25)).tolist():
        if not _MONTH_WORDS.isdisjoint(toks[i]):
            mdate[i] = 1.0
    F[:, 16] = np.maximum(numdate, mdate)
    F[:, 18] = _checked(RE_REL_TIME, stripped, _lit_lines(low, starts, (" ago",)), n)
    F[:, 19] = [x[:1] in "•●▪■◦‣·*–—-" or (x[:1].isdigit() and RE_BULLET.match(x) is not None) for x in stripped]
    share = SHARE_WORDS
    F[:, 20] = [
        (sum(map(share.__contains__, t)) / len(t)) if (t and len(t) <= 12) else 0.0 for t in toks
    ]
    F[:, 21] = [len(t) <= 6 and nm in RELATED_HEADERS for t, nm in zip(toks, norms)]
    F[:, 22] = _lit_lines_mask(low, starts, PROMO_PHRASES, n) * (nw <= 40)
    F[:, 23] = _checked(RE_CREDIT, stripped, _lit_lines(low, starts, _CREDIT_LITS), n)
    F[:, 24] = _lit_lines_mask(low, starts, _COPY_LITS, n)
    F[:, 25] = _checked(RE_PRINT_ED, stripped, _lit_lines(low, starts, _PRINT_LITS), n)
    F[:, 26] = [x[:6].lower().startswith(_BYLINE_PREFIX) for x in stripped]
    F[:, 27] = [x.count(" | ") + x.count(" / ") + x.count(" » ") + x.count(" > ") + x.count(" · ") for x in stripped]
    F[:, 28] = (nc - nw + 1) / np.maximum(nw, 1)
    F[:, 29] = alpha / np.maximum(nc, 1)
    F[:, 30] = _lit_lines_mask(low, starts, _URL_LITS, n)
    F[:, 31] = [x[:1].islower() for x in stripped]
    F[:, 32] = cjk / np.maximum(nc, 1)
    counts: dict[str, int] = {}
    for nm in norms:
        counts[nm] = counts.get(nm, 0) + 1
    seen: set[str] = set()
    later = np.zeros(n, dtype=np.float32)
    for i, nm in enumerate(norms):
        if nm in seen:
            later[i] = 1
        else:
            seen.add(nm)
    F[:, 33] = [counts[nm] if nm else 1 for nm in norms]
    F[:, 34] = later
    F[:, 35] = ((F[:, 1] >= 8) & ((F[:, 5] > 0) | (F[:, 10] > 0)) & ((F[:, 3] >= 0.18) | (F[:, 32] > 0.3))).astype(
        np.float32
    )
    return F, stripped, norms, lang


def densest_region(base: np.ndarray) -> tuple[int, int]:
    """Maximum-sum contiguous run: prose lines score by length, other lines cost a little."""
    n = base.shape[0]
    if n == 0:
        return (0, 0)
    prose = base[:, 35] > 0
    lw = base[:, 1]
    score = np.where(prose, np.minimum(lw / 15.0, 4.0), np.where(lw >= 8, -0.3, -0.6)).astype(np.float64)
    best, best_s, best_e = -1e9, 0, 0
    cur, cur_s = 0.0, 0
    for i, v in enumerate(score.tolist()):
        if cur <= 0:
            cur, cur_s = v, i
        else:
            cur += v
        if cur > best:
            best, best_s, best_e = cur, cur_s, i + 1
    return (best_s, best_e)


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
    c = np.concatenate([[0.0], np.cumsum(a, dtype=np.float64)])
    idx = np.arange(n)
    lo = np.maximum(idx - half, 0)
    hi = np.minimum(idx + half + 1, n)
    return ((c[hi] - c[lo]) / (hi - lo)).astype(np.float32)


def _run_lengths(mask: np.ndarray) -> np.ndarray:
    """For each position, length of the run of True values it belongs to (0 where False)."""
    n = mask.shape[0]
    out = np.zeros(n, dtype=np.float32)
    if n == 0:
        return out
    m = mask.astype(np.int8)
    d = np.diff(np.concatenate([[0], m, [0]]))
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1)
    for s, e in zip(starts.tolist(), ends.tolist()):
        out[s:e] = e - s
    return out


def doc_features(texts: list[str]) -> DocFeatures:
    base, stripped, norms, lang = line_base(texts)
    n = base.shape[0]
    names = list(FEATURE_NAMES)
    cols = [base]
    ci = {nm: FEATURE_NAMES.index(nm) for nm in CTX_COLS}
    for k in (1, 2, -1, -2):
        for nm in CTX_COLS:
            cols.append(_shift(base[:, ci[nm]], k)[:, None])
            names.append(f"{nm}@{k:+d}")
    for half in (2, 5):
        for nm in ("prose", "log_words", "stop_ratio"):
            cols.append(_window_mean(base[:, ci[nm]], half)[:, None])
            names.append(f"{nm}~{half}")
    short = (base[:, 1] < 8) & (base[:, 5] == 0)
    cols.append(_run_lengths(short)[:, None])
    names.append("short_run")
    rs, re_ = densest_region(base)
    idx = np.arange(n, dtype=np.float32)
    inreg = ((idx >= rs) & (idx < re_)).astype(np.float32)
    dist = np.where(idx < rs, rs - idx, np.where(idx >= re_, idx - re_ + 1, 0)).astype(np.float32)
    chars = np.expm1(base[:, 0])
    tot = float(chars.sum()) or 1.0
    cum = np.cumsum(chars) / tot
    reg_chars = float(chars[rs:re_].sum()) / tot if n else 0.0
    pos = idx / max(n - 1, 1)
    prose_idx = np.flatnonzero(base[:, 35] > 0)
    doc_stop = float(np.median(base[prose_idx, 3])) if prose_idx.size else float(np.median(base[:, 3]) if n else 0)
    extra = np.stack(
        [
            inreg,
            np.minimum(dist, 50),
            np.full(n, reg_chars, dtype=np.float32),
            pos.astype(np.float32),
            cum.astype(np.float32),
            np.full(n, np.log1p(n), dtype=np.float32),
            np.full(n, doc_stop, dtype=np.float32),
            base[:, 3] - doc_stop,
            np.full(n, (re_ - rs) / max(n, 1), dtype=np.float32),
        ],
        axis=1,
    ) if n else np.zeros((0, 9), dtype=np.float32)
    cols.append(extra)
    names += ["in_region", "region_dist", "region_chars", "pos", "cum_chars", "log_n", "doc_stop", "rel_stop",
              "region_frac"]
    X = np.concatenate(cols, axis=1).astype(np.float32) if n else np.zeros((0, len(names)), dtype=np.float32)
    return DocFeatures(X=X, names=names, base=base, stripped=stripped, norms=norms, region=(rs, re_), language=lang)
