"""Text-dump boilerplate classifier: which raw lines of a copied web page are the article.

`classify_dump(blocks)` returns one Decision per block plus the page Metadata. Two layers:

1. a learned keep score: a gradient-boosted tree ensemble over `corpusclean.features`, trained with
   LightGBM (benchmarks/train_boilerplate.py) and evaluated here in pure numpy (`corpusclean.treemodel`)
   from `corpusclean/models/boilerplate_trees.npz`; a missing model raises ModelMissingError;
2. a rule pass that assigns the fine-grained SPEC reason (nav, title, byline, caption, related, promo,
   pull_quote, footer) and overrides the score where a generic pattern is certain.

Every Decision.detail names the rule ("rule:photo_credit") or the score ("model:0.83").
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import numpy as np

from .features import B_ATTRIB, FEATURE_NAMES, FULL_NAMES, DocFeatures, doc_features
from .records import Block, Decision, Metadata
from .treemodel import TreeEnsemble

_I = {n: i for i, n in enumerate(FEATURE_NAMES)}
KEEP_THRESHOLD = 0.3  # chosen by 5-fold CV by page (recall matters more than precision for ROUGE F1)
MODEL_FILE = "boilerplate_trees.npz"

# ----------------------------------------------------------------------------------------------
# model


class ModelMissingError(RuntimeError):
    """The shipped keep-score model file is absent or unreadable: no silent fallback."""


@lru_cache(maxsize=1)
def _default_model() -> TreeEnsemble:
    path = resources.files("corpusclean").joinpath("models", MODEL_FILE)
    if not path.is_file():
        raise ModelMissingError(
            f"boilerplate model corpusclean/models/{MODEL_FILE} is missing; "
            "run benchmarks/train_boilerplate.py to build it"
        )
    try:
        with path.open("rb") as fh:
            m = TreeEnsemble.load(fh)
    except Exception as e:  # corrupt file: fail loudly too
        raise ModelMissingError(f"cannot read boilerplate model {MODEL_FILE}: {e}") from e
    if list(m.feature_names) != list(FULL_NAMES):
        raise ModelMissingError(
            f"boilerplate model {MODEL_FILE} was trained on other features; retrain with benchmarks/train_boilerplate.py"
        )
    return m


def keep_scores(f: DocFeatures, model=None) -> tuple[np.ndarray, str]:
    """Keep probability per line. `model`: a TreeEnsemble or anything with `predict(X)` (a LightGBM
    Booster in cross-validation); default: the shipped model (raises ModelMissingError if absent)."""
    m = model if model is not None else _default_model()
    if f.X.shape[0] == 0:
        return np.zeros(0, dtype=np.float64), "model"
    return np.asarray(m.predict(f.X), dtype=np.float64), "model"


# ----------------------------------------------------------------------------------------------
# metadata parsing

_MON = {
    m: i + 1
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
         ("nov", "november"), ("dec", "december")]
    )
    for m in names
}
_MONRE = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DATE_PATTERNS = [
    re.compile(r"(?P<y>\d{4})[/.-](?P<m>\d{1,2})[/.-](?P<d>\d{1,2})"),
    re.compile(r"(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4})"),
    re.compile(_MONRE + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})", re.I),
    re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONRE + r",?\s+(?P<y>\d{4})", re.I),
]
_TIME = re.compile(r"(?<![\d/.-])(?P<h>\d{1,2})[:h](?P<mi>\d{2})(?:\s*(?P<ap>[ap])\.?m\.?)?(?![\d/])", re.I)
_NAME_TOKEN = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’.-]*$")
_DATE_STRIP = re.compile(
    r"\b(?:updated|published|posted|last updated|on|at|am|pm|gmt|utc|et|edt|est|bst|cet|ict|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun)\b\.?",
    re.I,
)


def parse_datetime(s: str) -> str | None:
    """ISO 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM' from a byline/dateline, as printed."""
    date = None
    for p in _DATE_PATTERNS:
        m = p.search(s)
        if m:
            gd = m.groupdict()
            mon = int(gd["m"]) if gd.get("m") else _MON.get(gd["mon"].lower().rstrip("."), 0)
            y, d = int(gd["y"]), int(gd["d"])
            if 1 <= mon <= 12 and 1 <= d <= 31:
                date = f"{y:04d}-{mon:02d}-{d:02d}"
                span = m.span()
                break
    if date is None:
        return None
    rest = s[: span[0]] + " " + s[span[1] :]
    t = _TIME.search(rest)
    if t:
        h, mi = int(t["h"]), int(t["mi"])
        if t["ap"]:
            h = h % 12 + (12 if t["ap"].lower() == "p" else 0)
        if h < 24 and mi < 60:
            return f"{date}T{h:02d}:{mi:02d}"
    return date


def parse_authors(s: str) -> list[str]:
    """Names left in a byline once dates, times and 'By' are removed."""
    x = s
    for p in _DATE_PATTERNS:
        x = p.sub(" ", x)
    x = _TIME.sub(" ", x)
    x = _DATE_STRIP.sub(" ", x)
    x = re.sub(r"^\s*(?:by|von|par|por|door)\s+", "", x.strip(), flags=re.I)
    parts = re.split(r"\s*(?:,|\band\b|&|\||/|·|•|—|–|-(?=\s))\s*", x)
    out = []
    for p in parts:
        p = " ".join(p.split()).strip(" .,;:")
        toks = p.split()
        if 2 <= len(toks) <= 4 and all(_NAME_TOKEN.match(t) for t in toks):
            out.append(p)
        elif len(toks) == 1 and out == [] and _NAME_TOKEN.match(p or "-") and len(parts) == 1 and len(p) > 2:
            out.append(p)
    return out


# ----------------------------------------------------------------------------------------------
# rules

_ATTRIB_KEEP = re.compile(
    r"^(?:additional reporting|reporting by|editing by|written by|with reporting|contributed to this)", re.I
)
_BREADCRUMB = re.compile(r"^[^.!?]{1,40}(?:\s(?:/|>|»|›|\|)\s[^.!?]{1,40})+$")
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*")


def _norm(s: str) -> str:
    s = s.lower().replace(".", "").replace("’", "'").replace("‘", "'")
    return " ".join(re.findall(r"\w+", s))


def _is_headline_like(b, i) -> bool:
    """Short-to-medium line, no sentence-final period, starts upper-case."""
    w = b[i, _I["words"]]
    return 3 <= w <= 30 and b[i, _I["end_period"]] == 0 and b[i, _I["starts_lower"]] == 0 and b[i, _I["end_colon"]] == 0


def _is_dateline(b, i) -> bool:
    return (b[i, _I["has_date"]] > 0 or (b[i, _I["has_time"]] > 0 and b[i, _I["has_year"]] > 0)) and b[i, _I["words"]] <= 14


LABELS = ("", "footer", "caption", "nav", "promo", "related", "pull_quote", "byline", "title", "paragraph",
          "list_item", "heading", "not_main_content")
_L = {lab: i for i, lab in enumerate(LABELS)}
_LABEL_ARR = np.array(LABELS, dtype=object)
_SCORE_DETAILS = np.array([f"model:{k / 100:.2f}" for k in range(101)], dtype=object)
_C = {n: i for i, n in enumerate(FEATURE_NAMES)}


def classify_dump(blocks: list[Block], model=None, threshold: float = KEEP_THRESHOLD) -> tuple[list[Decision], Metadata]:
    """One Decision per block (same order) and the page Metadata. `model`: a TreeEnsemble or LightGBM
    Booster to use instead of the shipped model (cross-validation)."""
    n = len(blocks)
    meta = Metadata()
    if n == 0:
        return [], meta
    texts = [b.text for b in blocks]
    f = doc_features(texts)
    b = f.base
    p, _src = keep_scores(f, model)
    S = f.stripped
    lab = np.zeros(n, dtype=np.int8)
    det = np.empty(n, dtype=object)
    rs, re_ = f.region

    def col(name):
        return b[:, _C[name]]

    words = col("words")
    prose = col("prose") > 0
    endp = col("end_period") > 0
    free = lab == 0  # view helper is recomputed where needed

    def setm(mask, code, detail):
        """Label unlabelled lines where mask holds."""
        sel = mask & (lab == 0)
        lab[sel] = _L[code]
        det[sel] = detail
        return sel

    # footer / copyright
    pe = col("print_ed") > 0
    setm(pe, "footer", "rule:print_edition")
    setm((col("copyright") > 0) & (words <= 30), "footer", "rule:copyright")

    # photo captions / credits, and truncated repeats of a caption (neighbours of captions only)
    setm((col("credit") > 0) & (words <= 60), "caption", "rule:photo_credit")
    cap_idx = np.flatnonzero(lab == _L["caption"]).tolist()
    if cap_idx:
        norms = f.norms
        for j in cap_idx:
            nj = norms[j].strip()
            for i in (j - 1, j + 1):
                if 0 <= i < n and lab[i] == 0 and words[i] >= 3:
                    ni = norms[i].strip()
                    if len(nj) > len(ni) and nj.startswith(ni):
                        lab[i] = _L["caption"]
                        det[i] = "rule:truncated_caption"

    # share / follow chrome
    setm((col("share_frac") >= 0.99) & (words <= 6), "nav", "rule:share_words")

    # promos: short lines with promo vocabulary, plus adjacent short non-period lines
    pm = setm((col("promo") > 0) & (words <= 25) & ~prose, "promo", "rule:promo_vocab")
    if pm.any():
        nb = np.zeros(n, dtype=bool)
        nb[:-1] |= pm[1:]
        nb[1:] |= pm[:-1]
        setm(nb & (words <= 12) & ~endp, "promo", "rule:promo_run")

    # breadcrumbs (candidates: short lines with a spaced separator) and tickers
    lens = np.expm1(col("log_chars"))
    nodate = (col("has_date") == 0) & (col("has_time") == 0)
    for i in np.flatnonzero((lab == 0) & (col("sep_count") > 0) & (lens <= 120.5) & ~endp & nodate).tolist():
        if _BREADCRUMB.match(S[i]):
            lab[i] = _L["nav"]
            det[i] = "rule:breadcrumb"
    setm((words >= 25) & ~endp & (col("inner_sent") == 0) & (col("cap_ratio") >= 0.35) & (col("comma_ratio") == 0)
         & (col("stop_ratio") < 0.25), "nav", "rule:ticker")

    # related-article block headed by an "Other news"-type label: runs until two kept prose lines
    rh = np.flatnonzero(col("related_header") > 0)
    if rh.size:
        good = prose & (p >= threshold)
        pair = np.zeros(n, dtype=bool)
        pair[:-1] = good[:-1] & good[1:]
        pair_idx = np.flatnonzero(pair)
        for i in rh.tolist():
            if lab[i] != 0 and lab[i] != _L["nav"]:
                continue
            lab[i] = _L["related"]
            det[i] = "rule:related_header"
            k = np.searchsorted(pair_idx, i + 1)
            stop = int(pair_idx[k]) if k < pair_idx.size else n
            seg = np.zeros(n, dtype=bool)
            seg[i + 1:stop] = True
            setm(seg, "related", "rule:related_block")

    # pull quotes: a short display line whose text (split at elisions) occurs in a longer body line
    cand = np.flatnonzero((lab == 0) & (words >= 4) & (words <= 35))
    if cand.size:
        long_idx = np.flatnonzero((words >= 15) & (lab == 0))
        norms = f.norms
        long_norms = [norms[k] for k in long_idx.tolist()]
        long_set = set(long_norms)
        body_norm = "".join(long_norms)
        for i in cand.tolist():
            s = S[i]
            ell = "…" in s or "..." in s
            if endp[i] and not ell:
                continue
            own = norms[i]
            if ell:
                frags = [_norm(x) for x in _ELLIPSIS.split(s.strip("“”\"'‘’ ")) if x.strip()]
                frags = [" " + x + " " for x in frags if x]
            else:
                frags = [own]
            if not frags or sum(len(x.split()) for x in frags) < 4:
                continue
            if all(x in body_norm for x in frags) and body_norm.count(own) <= 1 and own not in long_set:
                lab[i] = _L["pull_quote"]
                det[i] = "rule:quote_in_body"
                j = i + 1
                if (j < n and lab[j] == 0 and 2 <= words[j] <= 12 and not endp[j]
                        and b[j, _C["stop_ratio"]] <= 0.34):
                    lab[j] = _L["pull_quote"]
                    det[j] = "rule:quote_attribution"

    # byline / dateline: the first short date line before or at the start of the main region
    lim = min(n, max(rs + 3, 8))
    dateline = ((col("has_date") > 0) | ((col("has_time") > 0) & (col("has_year") > 0))) & (words <= 14)
    byl = col("byline_start") > 0
    freel = (lab == 0)[:lim]
    c1 = np.flatnonzero(freel & dateline[:lim])
    byline_i = int(c1[0]) if c1.size else None
    if byline_i is None:
        c2 = np.flatnonzero(freel & byl[:lim] & (words[:lim] <= 12))
        byline_i = int(c2[0]) if c2.size else None
    if byline_i is not None:
        lab[byline_i] = _L["byline"]
        det[byline_i] = "rule:dateline"
        meta.published = parse_datetime(S[byline_i])
        meta.authors = parse_authors(S[byline_i])
        if not meta.authors:
            for j in (byline_i - 1, byline_i + 1):
                if 0 <= j < n and lab[j] == 0 and byl[j] and words[j] <= 10:
                    lab[j] = _L["byline"]
                    det[j] = "rule:author_line"
                    meta.authors = parse_authors(S[j])

    # title: headline-like line next to the byline, else the last headline-like line before the body
    headline = (words >= 3) & (words <= 30) & ~endp & (col("starts_lower") == 0) & (col("end_colon") == 0)
    title_i = None
    if byline_i is not None:
        for j in (byline_i - 1, byline_i + 1, byline_i - 2, byline_i + 2):
            if 0 <= j < n and lab[j] == 0 and headline[j] and words[j] >= 4 and j <= max(rs, byline_i + 2):
                title_i = j
                break
    if title_i is None:
        fb = np.flatnonzero((lab == 0) & prose & endp)
        first_body = int(fb[0]) if fb.size else rs
        cands = np.flatnonzero(((lab == 0) & headline & (words >= 4) & (words <= 25))[:first_body]).tolist()
        if cands:
            bullet = col("bullet")
            k = len(cands) - 1
            while k >= 0 and bullet[cands[k]] > 0:
                k -= 1
            title_i = cands[k] if k >= 0 else None
    if title_i is not None:
        lab[title_i] = _L["title"]
        det[title_i] = "rule:headline"
        meta.title = S[title_i]
    if title_i is not None or (byline_i is not None and meta.published):
        meta.kind = "news"

    # short section labels above the title; repeated short label lines
    if title_i is not None:
        m = np.zeros(n, dtype=bool)
        m[:title_i] = True
        setm(m & (words <= 4) & ~endp, "nav", "rule:section_label")
    setm((col("repeat") > 1) & (words <= 4) & ~endp, "nav", "rule:repeated_label")

    # reporting credits in the region are kept (first token gate, then the anchored pattern)
    attrib = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(((f.first_tok_bits >> B_ATTRIB) & 1) > 0).tolist():
        attrib[i] = _ATTRIB_KEEP.match(S[i]) is not None

    # related headlines between body paragraphs
    if re_ > rs:
        m = np.zeros(n, dtype=bool)
        m[rs:re_] = True
        pb = np.zeros(n, dtype=bool)
        pb[1:] = prose[:-1]
        nbd = np.zeros(n, dtype=bool)
        nbd[:-1] = prose[1:]
        setm(m & ~attrib & headline & (words >= 8) & (col("bullet") == 0) & pb & nbd, "related",
             "rule:headline_between_paragraphs")

    # remaining lines: learned keep score
    idx = np.arange(n)
    rest = lab == 0
    rc = rest & attrib & (idx >= rs) & (idx <= re_)
    lab[rc] = _L["paragraph"]
    det[rc] = "rule:reporting_credit"
    rest &= ~rc
    if rest.any():
        det[rest] = _SCORE_DETAILS[np.clip(np.rint(p[rest] * 100), 0, 100).astype(np.int64)]
        keep = rest & (p >= threshold)
        drop = rest & ~keep
        short_nop = (words <= 12) & ~endp & (col("inner_sent") == 0) & ~prose
        bul = col("bullet") > 0
        lab[keep & bul] = _L["list_item"]
        lab[keep & ~bul & short_nop] = _L["heading"]
        lab[keep & ~bul & ~short_nop] = _L["paragraph"]
        has_time = col("has_time") > 0
        dl = np.select(
            [idx < rs, (idx >= re_) & headline & (words >= 4), has_time & (words <= 6), words <= 6],
            [_L["nav"], _L["related"], np.where(idx >= re_, _L["related"], _L["nav"]), _L["nav"]],
            _L["not_main_content"],
        )
        lab[drop] = dl[drop]

    labels = _LABEL_ARR[lab]
    labels[lab == 0] = "not_main_content"
    return list(map(Decision, labels.tolist(), det.tolist(), map(str.strip, texts))), meta
