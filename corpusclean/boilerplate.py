"""Text-dump boilerplate classifier: which raw lines of a copied web page are the article.

`classify_dump(blocks)` returns one Decision per block plus the page Metadata. Two layers:

1. a learned keep score (LightGBM over `corpusclean.features`, model file in `corpusclean/models/`),
   falling back to a hand-written score when the model or lightgbm is unavailable;
2. a rule pass that assigns the fine-grained SPEC reason (nav, title, byline, caption, related, promo,
   pull_quote, footer) and overrides the score where a generic pattern is certain.

Every Decision.detail names the rule ("rule:photo_credit") or the score ("model:0.83").
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import numpy as np

from .features import FEATURE_NAMES, DocFeatures, doc_features
from .records import Block, Decision, Metadata

_I = {n: i for i, n in enumerate(FEATURE_NAMES)}
KEEP_THRESHOLD = 0.5
MODEL_FILE = "boilerplate_lgbm.txt"

# ----------------------------------------------------------------------------------------------
# model


@lru_cache(maxsize=1)
def _default_model():
    try:
        import lightgbm as lgb

        path = resources.files("corpusclean").joinpath("models", MODEL_FILE)
        if not path.is_file():
            return None
        return lgb.Booster(model_str=path.read_text("utf-8"))
    except Exception:  # pragma: no cover - lightgbm missing
        return None


def _heuristic_score(f: DocFeatures) -> np.ndarray:
    b = f.base
    rs, re_ = f.region
    n = b.shape[0]
    idx = np.arange(n)
    inreg = (idx >= rs) & (idx < re_)
    s = 0.2 + 0.5 * b[:, _I["prose"]] + 0.3 * inreg - 0.3 * (b[:, _I["share_frac"]] > 0.5)
    return np.clip(s, 0, 1)


def keep_scores(f: DocFeatures, model=None) -> tuple[np.ndarray, str]:
    m = model if model is not None else _default_model()
    if m is None or f.X.shape[0] == 0:
        return _heuristic_score(f), "heuristic"
    return np.asarray(m.predict(f.X, num_threads=1), dtype=np.float64), "model"


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


def classify_dump(blocks: list[Block], model=None, threshold: float = KEEP_THRESHOLD) -> tuple[list[Decision], Metadata]:
    """One Decision per block (same order) and the page Metadata. `model`: a LightGBM Booster to use
    instead of the shipped one (cross-validation)."""
    n = len(blocks)
    meta = Metadata()
    if n == 0:
        return [], meta
    texts = [b.text for b in blocks]
    f = doc_features(texts)
    b = f.base
    p, src = keep_scores(f, model)
    S = f.stripped
    label: list[str | None] = [None] * n
    detail = [""] * n
    rs, re_ = f.region

    def setl(i, lab, det):
        label[i] = lab
        detail[i] = det

    words = b[:, _I["words"]]
    prose = b[:, _I["prose"]] > 0

    # footer / copyright
    for i in np.flatnonzero((b[:, _I["print_ed"]] > 0) | ((b[:, _I["copyright"]] > 0) & (words <= 30))).tolist():
        setl(i, "footer", "rule:print_edition" if b[i, _I["print_ed"]] > 0 else "rule:copyright")

    # photo captions / credits, and truncated repeats of a caption
    for i in np.flatnonzero((b[:, _I["credit"]] > 0) & (words <= 60)).tolist():
        if label[i] is None:
            setl(i, "caption", "rule:photo_credit")
    for i in range(n):
        if label[i] is not None or words[i] < 3:
            continue
        for j in (i + 1, i - 1):
            if 0 <= j < n and label[j] == "caption" and len(f.norms[j]) > len(f.norms[i]) and f.norms[j].startswith(f.norms[i]):
                setl(i, "caption", "rule:truncated_caption")
                break

    # share / follow chrome
    for i in np.flatnonzero((b[:, _I["share_frac"]] >= 0.99) & (words <= 6)).tolist():
        if label[i] is None:
            setl(i, "nav", "rule:share_words")

    # promos: short lines with promo vocabulary, plus short non-prose neighbours in the same run
    promo = np.flatnonzero((b[:, _I["promo"]] > 0) & (words <= 25) & ~prose).tolist()
    for i in promo:
        if label[i] is None:
            setl(i, "promo", "rule:promo_vocab")
    for i in promo:
        for step in (-1, 1):
            j = i + step
            while 0 <= j < n and label[j] is None and words[j] <= 12 and b[j, _I["end_period"]] == 0 and abs(j - i) <= 1:
                setl(j, "promo", "rule:promo_run")
                j += step

    # breadcrumbs and tickers
    for i in range(n):
        if label[i] is not None:
            continue
        s = S[i]
        if len(s) <= 120 and _BREADCRUMB.match(s) and b[i, _I["end_period"]] == 0 and b[i, _I["has_date"]] == 0 and b[i, _I["has_time"]] == 0:
            setl(i, "nav", "rule:breadcrumb")
        elif words[i] >= 25 and b[i, _I["end_period"]] == 0 and b[i, _I["inner_sent"]] == 0 and b[i, _I["cap_ratio"]] >= 0.35 and b[i, _I["comma_ratio"]] == 0 and b[i, _I["stop_ratio"]] < 0.25:
            setl(i, "nav", "rule:ticker")

    # related-article block headed by "Other news"-type label: runs until body prose resumes
    for i in np.flatnonzero(b[:, _I["related_header"]] > 0).tolist():
        if label[i] is not None and label[i] != "nav":
            continue
        setl(i, "related", "rule:related_header")
        j = i + 1
        while j < n:
            if prose[j] and j + 1 < n and prose[j + 1] and p[j] >= threshold and p[j + 1] >= threshold:
                break
            if label[j] is None:
                setl(j, "related", "rule:related_block")
            j += 1

    # pull quotes: a short display line whose text (split at elisions) occurs in a longer body line
    long_idx = [k for k in range(n) if words[k] >= 15 and label[k] is None]
    long_norms = [_norm(S[k]) for k in long_idx]
    long_set = set(long_norms)
    body_norm = "\n".join(long_norms)
    for i in range(n):
        if label[i] is not None or not (4 <= words[i] <= 35) or b[i, _I["end_period"]] > 0 and not _ELLIPSIS.search(S[i]):
            continue
        frags = [_norm(x) for x in _ELLIPSIS.split(S[i].strip("“”\"'‘’ ")) if x.strip()]
        frags = [x for x in frags if x]
        if not frags or sum(len(x.split()) for x in frags) < 4:
            continue
        if all(x in body_norm for x in frags) and body_norm.count(_norm(S[i])) <= 1:
            own = _norm(S[i])
            if own and own in long_set:
                continue
            setl(i, "pull_quote", "rule:quote_in_body")
            j = i + 1
            if j < n and label[j] is None and 2 <= words[j] <= 12 and b[j, _I["end_period"]] == 0 and b[j, _I["stop_ratio"]] <= 0.34:
                setl(j, "pull_quote", "rule:quote_attribution")

    # byline / dateline: the first short date line before or at the start of the main region
    first_body = rs
    byline_i = None
    lim = min(n, max(first_body + 3, 8))
    for i in range(lim):
        if label[i] is None and _is_dateline(b, i) and words[i] <= 14:
            byline_i = i
            break
    if byline_i is None:
        for i in range(lim):
            if label[i] is None and b[i, _I["byline_start"]] > 0 and words[i] <= 12:
                byline_i = i
                break
    if byline_i is not None:
        setl(byline_i, "byline", "rule:dateline")
        meta.published = parse_datetime(S[byline_i])
        meta.authors = parse_authors(S[byline_i])
        # an author line right above/below a bare dateline
        if not meta.authors:
            for j in (byline_i - 1, byline_i + 1):
                if 0 <= j < n and label[j] is None and b[j, _I["byline_start"]] > 0 and words[j] <= 10:
                    setl(j, "byline", "rule:author_line")
                    meta.authors = parse_authors(S[j])

    # title: headline-like line next to the byline, else the last headline-like line before the body
    title_i = None
    if byline_i is not None:
        for j in (byline_i - 1, byline_i + 1, byline_i - 2, byline_i + 2):
            if 0 <= j < n and label[j] is None and _is_headline_like(b, j) and words[j] >= 4 and j <= max(rs, byline_i + 2):
                title_i = j
                break
    if title_i is None:
        first_body = next((k for k in range(n) if label[k] is None and prose[k] and b[k, _I["end_period"]] > 0), rs)
        cands = [j for j in range(0, min(first_body, n)) if label[j] is None and _is_headline_like(b, j) and 4 <= words[j] <= 25]
        # prefer the line just before the first kept body line
        if cands:
            title_i = cands[-1]
            # skip standfirst-like bullets
            while title_i is not None and b[title_i, _I["bullet"]] > 0:
                k = cands.index(title_i)
                title_i = cands[k - 1] if k > 0 else None
    if title_i is not None:
        setl(title_i, "title", "rule:headline")
        meta.title = S[title_i]
    if title_i is not None or (byline_i is not None and meta.published):
        meta.kind = "news"

    # short section labels above the title
    if title_i is not None:
        for j in range(0, title_i):
            if label[j] is None and words[j] <= 4 and b[j, _I["end_period"]] == 0:
                setl(j, "nav", "rule:section_label")
    # repeated short label lines (section labels shown twice)
    for i in range(n):
        if label[i] is None and b[i, _I["repeat"]] > 1 and words[i] <= 4 and b[i, _I["end_period"]] == 0:
            setl(i, "nav", "rule:repeated_label")

    # related headlines between body paragraphs
    for i in range(max(rs, 0), min(re_, n)):
        if label[i] is not None or _ATTRIB_KEEP.match(S[i]):
            continue
        if _is_headline_like(b, i) and words[i] >= 8 and b[i, _I["bullet"]] == 0:
            prev_body = i > 0 and prose[i - 1]
            next_body = i + 1 < n and prose[i + 1]
            if prev_body and next_body:
                setl(i, "related", "rule:headline_between_paragraphs")

    # remaining lines: learned keep score
    for i in range(n):
        if label[i] is not None:
            continue
        if _ATTRIB_KEEP.match(S[i]) and rs <= i <= re_:
            setl(i, "paragraph", "rule:reporting_credit")
            continue
        sc = float(p[i])
        det = f"{src}:{sc:.2f}"
        if sc >= threshold:
            if b[i, _I["bullet"]] > 0:
                setl(i, "list_item", det)
            elif words[i] <= 12 and b[i, _I["end_period"]] == 0 and b[i, _I["inner_sent"]] == 0 and not prose[i]:
                setl(i, "heading", det)
            else:
                setl(i, "paragraph", det)
        else:
            if i < rs:
                lab = "nav"
            elif i >= re_ and _is_headline_like(b, i) and words[i] >= 4:
                lab = "related"
            elif b[i, _I["has_time"]] > 0 and words[i] <= 6:
                lab = "related" if i >= re_ else "nav"
            elif words[i] <= 6:
                lab = "nav"
            else:
                lab = "not_main_content"
            setl(i, lab, det)

    decisions = []
    for i, blk in enumerate(blocks):
        lab = label[i] or "not_main_content"
        decisions.append(Decision(label=lab, detail=detail[i], text=blk.text.strip()))
    return decisions, meta
