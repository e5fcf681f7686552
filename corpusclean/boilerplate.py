"""Text-dump boilerplate classifier: which raw lines of a copied web page are the article.

`classify_dumps(list_of_block_lists)` classifies a whole shard at once and returns [(decisions, metadata)]
per document; `classify_dump(blocks)` is a batch of one (same result, but the per-call numpy overhead
is paid per document, ~2-3x the per-line cost: the pipeline's shard code should call the batch API).
Two layers:

1. a learned keep score: a gradient-boosted tree ensemble over `corpusclean.features`, trained with
   LightGBM (benchmarks/train_boilerplate.py) and evaluated here in pure numpy (`corpusclean.treemodel`)
   from `corpusclean/models/boilerplate_trees.npz`; a missing model raises ModelMissingError;
2. a rule pass, vectorised over all lines of the batch (document boundaries handled with per-line
   document start/end arrays), that assigns the fine-grained SPEC reason (nav, title, byline, caption,
   related, promo, pull_quote, footer) and overrides the score where a generic pattern is certain.

Every Decision.detail names the rule ("rule:photo_credit") or the score ("model:0.83"); Decision.text is
None (= the block's stripped text).
"""

from __future__ import annotations

import gc
import re
import unicodedata
from functools import lru_cache
from itertools import chain
from operator import attrgetter
from importlib import resources

import numpy as np

from .features import (B_ATTRIB, B_CREDIT, FEATURE_NAMES, FULL_NAMES, RELATED_HEADERS, SHARE_WORDS, STRONG_PROMO_PHRASES,
                       BatchFeatures, DocFeatures, _KMIX, _first_per_doc, _gram_keys, _hash_lines, _in_sorted,
                       _last_per_doc, _load_vocab, _sorted_unique, batch_features, batch_features_flat, doc_features,
                       load_keyed_words, phrase_alternation, phrase_hits)
from .dates import SOLAR_HIJRI_YEARS, gregorian_iso, solar_hijri_to_iso
from .normalize import UNSPACED_CHAR
from .records import Block, Decision, Metadata
from .treemodel import TreeEnsemble

_I = {n: i for i, n in enumerate(FEATURE_NAMES)}


# A copyright line that reads like prose ("Copyright protects original expression, ...") is article
# text unless it has a notice's shape: a (c) sign, a year, or "all rights reserved" closing the line.
_COPYRIGHT_NOTICE = re.compile(r"©|\(c\)|(?<!\d)(?:19|20)\d\d(?!\d)|all rights reserved\W*$", re.I)
_TAG_LABELS = re.compile(r"^\s*(?:" + "|".join(
    re.escape(x) for x in sorted(_load_vocab("boilerplate_tag_labels.txt"), key=len, reverse=True)) + r")\s*[:：]\s*\S",
    re.I)
_STRONG_PROMO = re.compile(r"(?<!\w)" + phrase_alternation(STRONG_PROMO_PHRASES) + r"(?!\w)", re.I)
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

def _byline_words() -> dict[str, list[str]]:
    return {k: [w.replace("_", " ") for w in ws] for k, ws in load_keyed_words("byline_words.txt").items()}


_BW = _byline_words()
# month names: English abbreviations here, full names in many languages from the data file
_MON = {m: i + 1 for i, names in enumerate(
    [("jan",), ("feb",), ("mar",), ("apr",), (), ("jun",), ("jul",), ("aug",), ("sep", "sept"), ("oct",), ("nov",),
     ("dec",)]) for m in names}
_MON.update({w: int(k.split("_")[1]) for k, ws in _BW.items() if k.startswith("month_") for w in ws})
_MONRE = "(?P<mon>" + "|".join(map(re.escape, sorted(_MON, key=len, reverse=True))) + r")\.?"
_DATE_PATTERNS = [
    re.compile(r"(?P<y>\d{4})[/.-](?P<m>\d{1,2})[/.-](?P<d>\d{1,2})"),
    # day first; month first when the first number cannot be a month (see _match_date)
    re.compile(r"(?P<dmy>)(?P<d>\d{1,2})(?:[/.]|\.\s)(?P<m>\d{1,2})(?:[/.]|\.\s)(?P<y>\d{4})"),
    re.compile(r"(?P<y>\d{4})\s*[年년]\s*(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일]?"),  # CJK, Korean
    re.compile(r"(?<!\w)" + _MONRE + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})", re.I),
    # "3 March 2018", "14. März 2024", "14 de marzo de 2024", "14 марта 2024", "14 مارس 2024"
    re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th|\.)?\s+(?:de\s+)?" + _MONRE + r"(?!\w),?\s+(?:de\s+)?(?P<y>\d{4})",
               re.I),
]
_CJK_DATE = _DATE_PATTERNS[2]
# Solar Hijri month names (Iran, Afghanistan), each also with the Arabic letters ي / ك that some
# Persian text uses for ی / ک
_SOLAR_MON = {v: int(k.rsplit("_", 1)[1]) for k, ws in _BW.items() if k.startswith("solar_month_")
              for w in ws for v in (w, w.replace("ی", "ي").replace("ک", "ك"))}
# "۲۴ آبان ۱۴۰۲", "چهارشنبه ۲۴ آبان ۱۴۰۲ - ۱۰:۳۰" (Python's \d reads Persian and Arabic-Indic digits)
_SOLAR_DATE = re.compile(r"(?<!\d)(?P<d>\d{1,2})\s+(?P<smon>" + "|".join(map(re.escape, sorted(_SOLAR_MON, key=len, reverse=True)))
                         + r")(?!\w)\s*[,،]?\s*(?P<y>\d{4})(?!\d)")
_DATE_PATTERNS.append(_SOLAR_DATE)
_TIME = re.compile(r"(?<![\d/.-])(?P<h>\d{1,2})(?:[:h]|時)(?P<mi>\d{2})(?:\s*(?P<ap>[ap])\.?m\.?)?(?![\d/])",
                   re.I)
# a time with a dot, only beside the word that marks it as one ("kl. 07.30", "klo 7.30", "7.30 Uhr"): a bare
# "7.30" is as often a price or a score
_TIME_DOT = re.compile(r"(?:(?<!\w)(?:kl|klo|kello)\.?\s*(?P<h>\d{1,2})\.(?P<mi>\d{2})(?!\d)"
                       r"|(?<![\d.])(?P<h2>\d{1,2})\.(?P<mi2>\d{2})\s*(?:uhr|u\.|h)(?!\w))", re.I)
# "By Ana Lind", "Von: Ana Lind"; a field label only with a colon after it: "Author: Ana Lind"
_BYLINE_PREFIX = re.compile(
    r"^\s*(?:(?:" + "|".join(map(re.escape, sorted(_BW["prefix"], key=len, reverse=True)))
    + r")(?:\s*[:：/|｜]\s*|\s+)|(?:"
    + "|".join(map(re.escape, sorted(_BW["prefix_colon"], key=len, reverse=True))) + r")\s*[:：]\s*)",
    re.I)
_AUTHOR_SPLIT = re.compile(  # (a serial comma before the last name first: "Ana Lind, Staff Writer, and Eyal Press")
    r"\s*(?:,\s*(?:" + "|".join(map(re.escape, _BW["join"])) + r")\s|[,،、&|/·•—–]|-(?=\s)|\s(?:" + "|".join(map(re.escape, _BW["join"])) + r")\s|(?<=\w)(?:和|与|與|と)(?=\w))\s*")
_PARTICLES = frozenset(_BW["particle"])
_PAREN = re.compile(r"\s*\([^()]*\)")
_PAREN_CREDIT = re.compile(r"\(\s*(?:images?|photos?|pictures?|photographs?|fotos?|bild|credits?)(?:\s+credits?)?\s*[:：]", re.I)
_WITH_PAREN = re.compile(r"\s*\(\s*(?:" + "|".join(map(re.escape, _BW["with"])) + r")\s+([^()]+)\)", re.I)
_GLUED_TITLE = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")  # the first lower-upper seam: "LindStaff"
_PIPE_SEG = re.compile(r"\s+[|｜]\s+")
# an e-mail address, a social handle, also one glued to the name ("Ana Lind@analind")
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\d_@])@\w+(?:\.\w+)*")
# a line opened by a dash attributes a quote: an embedded post's "— Ana Lind (@analind) May 2, 2024", an
# epigraph's "— Ana Lind, 1923"; its name and date are not the page's
_QUOTE_ATTRIBUTION = re.compile(r"^\s*[—―–]\s*\S")
_EMPTY_PARENS = re.compile(r"[(\[]\s*[)\]]")
_UNCASED_NAME = re.compile(r"^[\u3400-\u9fff]{2,4}$|^[\u0600-\u06ff]+(?: [\u0600-\u06ff]+){1,3}$")  # Han; Arabic


def _name_token(t: str) -> bool:
    return t[0].isupper() and all(c.isalpha() or c in "'’.-" for c in t)


def _is_name(toks: list[str]) -> bool:
    """2-4 capitalised words (any cased script), lowercase particles allowed inside: "Jan van Dijk"."""
    if not 2 <= len(toks) <= 5 or not (_name_token(toks[0]) and _name_token(toks[-1])):
        return False
    inner = toks[1:-1]
    return all(_name_token(t) or t.lower() in _PARTICLES for t in inner) and sum(_name_token(t) for t in toks) <= 4
_DATE_STRIP = re.compile(
    r"\b(?:updated|published|posted|last updated|on|at|am|pm|gmt|utc|et|edt|est|bst|cet|ict|"
    # time zone abbreviations that are no name or word ("West", "Ist" and "Wet" are)
    r"pst|pdt|cst|cdt|mst|mdt|akst|akdt|hst|aest|aedt|acst|acdt|awst|nzst|nzdt|jst|kst|sgt|hkt|msk|cest|eest|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun|"
    + "|".join(map(re.escape, sorted(_BW["date_label"], key=len, reverse=True))) + r")\b\.?",
    re.I,
)


# every date pattern needs four digits in a row, every time pattern a digit: cheap exact gates
_D4 = re.compile(r"\d{4}")
_D1 = re.compile(r"\d")


# North American time zones, upper-case as printed ("10:30 AM EDT"): a numeric date beside one is month first
_US_ZONE = re.compile(r"\b(?:[ECMP][SD]T|AK[SD]T|HST|ET|PT)\b")


def _match_date(gd: dict, month_first: bool = False) -> str | None:
    """ISO date of one date pattern's match, Gregorian; None when it is no valid date of a web page
    (a lunar Hijri year: a dateline printing both calendars gives its Gregorian date next).
    `month_first`: an all-numeric date that could be either is read month first ("11/05/2023 10:30 AM
    EDT" is November 5), else day first."""
    y, d = int(gd["y"]), int(gd["d"])
    if gd.get("smon"):  # a Solar Hijri month name: its year must be one
        return solar_hijri_to_iso(y, _SOLAR_MON[gd["smon"]], d) if y in SOLAR_HIJRI_YEARS else None
    mon = int(gd["m"]) if gd.get("m") else _MON.get(gd["mon"].lower().rstrip("."), 0)
    if gd.get("dmy") is not None and 1 <= d <= 12 and (mon > 12 or month_first):  # "11/15/2023": month first (US)
        mon, d = d, mon
    if not (1 <= mon <= 12 and 1 <= d <= 31):
        return None
    return gregorian_iso(y, mon, d)  # "۱۴۰۲/۰۸/۲۴" Solar Hijri, "15 พฤศจิกายน 2566" Thai, "1445/05/10" None


def parse_datetime(s: str) -> str | None:
    """ISO 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM' from a byline/dateline, as printed."""
    if _D4.search(s) is None:
        return None
    date = None
    us = None
    for p in _DATE_PATTERNS:
        for m in p.finditer(s):
            gd = m.groupdict()
            if gd.get("dmy") is not None and us is None:
                us = _US_ZONE.search(s) is not None
            date = _match_date(gd, bool(us))
            if date is not None:
                span = m.span()
                break
        if date is not None:
            break
    if date is None:
        return None
    rest = s[: span[0]] + " " + s[span[1] :]
    t = _TIME.search(rest) or _TIME_DOT.search(rest)
    if t:
        gt = t.groupdict()
        h, mi = int(gt["h"] or gt["h2"]), int(gt["mi"] or gt["mi2"])
        if gt.get("ap"):
            h = h % 12 + (12 if t["ap"].lower() == "p" else 0)
        if h < 24 and mi < 60:
            return f"{date}T{h:02d}:{mi:02d}"
    return date


def strip_contacts(s: str) -> str:
    """"Ana Lind ana.lind@example.com", "Ana Lind (@analind)": the name without its contacts."""
    return " ".join(_EMPTY_PARENS.sub(" ", _CONTACT.sub(" ", s)).split())


# a name glued to an outlet set in capitals ("Jonathan GarberFOXBusiness"): 3+ lowercase letters, then 2+
# capitals ("McDONALD" and "MacLEOD" are names, not seams)
_GLUED_OUTLET = re.compile(r"(?<=[a-z]{3})(?=[A-Z]{2})")


def _caps(t: str) -> bool:
    letters = [c for c in t if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _strip_outlet(name: str) -> str:
    """The person without the outlet that a byline sets in the other case after the name: "Kevin McCoy USA
    TODAY" (two or more words in capitals after two or more that are not), "EYAL PRESS Associated Press" (words
    not in capitals after two or more that are), "Jonathan GarberFOXBusiness" (glued). A name in one case, or
    with a single word in the other ("Jean DUPONT", "Ana Lind MD"), is left as it is."""
    toks = name.split()
    if toks and (g := _GLUED_OUTLET.search(toks[-1])) is not None and len(toks) >= 2:
        return " ".join(toks[:-1] + [toks[-1][:g.start()]])
    if len(toks) >= 4 or (len(toks) == 3 and _caps(toks[0]) and _caps(toks[1])):
        caps = [_caps(t) for t in toks]
        cut = next((i for i in range(2, len(toks)) if caps[i] != caps[i - 1]), None)
        if cut is not None and all(c == caps[0] for c in caps[:cut]) and all(c != caps[0] for c in caps[cut:]) \
                and (caps[0] or len(toks) - cut >= 2):
            return " ".join(toks[:cut])
    return name


def parse_authors(s: str) -> list[str]:
    """Names left in a byline once dates, times and 'By' are removed."""
    x = s
    if "|" in x or "｜" in x:
        # "By Ana Lind | Lake Gazette": the segment with the prefix names the authors, the others are
        # the outlet, a section or the date
        segs = _PIPE_SEG.split(x)
        pre = [g for g in segs if _BYLINE_PREFIX.match(g)] if len(segs) > 1 else []
        if pre:
            x = pre[0]
    x0 = x
    if _D4.search(x) is not None:
        for p in _DATE_PATTERNS:
            x = p.sub(" ", x)
    if _D1.search(x) is not None:
        x = _TIME.sub(" ", x)
    if "@" in x:
        x = strip_contacts(x)
    x, n_prefix = _BYLINE_PREFIX.subn("", x.strip())
    if "(" in x:  # co-authors in parentheses ("Ana Lind (with Eyal Press and Mei Tan)") are authors too; an
        # outlet or a role there ("Ana Lind (Reuters)") is not
        x = _PAREN.sub(" ", _WITH_PAREN.sub(r", \1", x))
    parts = _AUTHOR_SPLIT.split(x)  # before the date words go: "et" is a time zone and French "and"
    out = []
    for p in parts:
        p = " ".join(_DATE_STRIP.sub(" ", p).split()).strip(" .,;:-–—|")
        if not n_prefix:  # "Posted on March 3, 2024 by Ana Lind": the prefix follows the date words
            p, k = _BYLINE_PREFIX.subn("", p)
            n_prefix += k
        toks = p.split()
        if len(toks) >= 2 and (g := _GLUED_TITLE.search(p)) is not None and not_a_person(p[g.start():]) \
                and _is_name(p[:g.start()].split()):
            # a name glued to its job title where the page set them in two elements ("By Meg LindStaff Writer")
            out.append(p[:g.start()])
        elif _is_name(toks):
            out.append(_strip_outlet(p))
        elif n_prefix and toks and _UNCASED_NAME.match(p if len(toks) > 1 and not _UNCASED_NAME.match(toks[0])
                                                       else toks[0]):
            # a Chinese or Arabic name after "记者", "بقلم", ... (a Chinese one is the first word)
            out.append(p if len(toks) > 1 and not _UNCASED_NAME.match(toks[0]) else toks[0])
        elif len(toks) == 1 and out == [] and len(parts) == 1 and len(p) > 2 and _name_token(p) \
                and p.lower() not in _MON \
                and not re.search(r"(?<!\w)" + re.escape(p) + r"\s*[:：]", s):  # a label ("Issued: May 2, 2024")
            out.append(p)
    if not out and (m := _BYLINE_PREFIX.match(x0.strip())) is not None:
        lead = _leading_name(x0.strip()[m.end():])
        if lead:
            out.append(lead)
    return out


# words that end the name in a byline line run on into its date or a widget ("By Ana Lind On 11/13/19 at ...",
# "Von Ana Lind publiziert am ...", "By Ana Lind Follow @analind")
_NAME_STOP = frozenset(("on", "at", "updated", "published", "posted", "follow", "am", "um", "le", "el", "il", "den",
                        "der", "the", "share", "email"))


def _leading_name(rest: str) -> str | None:
    """The name that opens a byline's text after its prefix when the whole line does not parse: the run of 2-4
    capitalised words up to the first word that is none (a date, a month after the first name, "On", "Updated", a
    handle, a lowercase word). "By Mike Lind 2019-11-18T20:51:19Z Science & Astronomy" gives "Mike Lind"; "By
    April Lind March 18" gives "April Lind"."""
    run: list[str] = []
    for t in strip_contacts(rest).split():  # (a handle or a mail address glued on: "Ana Lind@analind")
        w = t.rstrip(",.;:")
        low = w.lower()
        if not w or (run and low in _MON) or low in _NAME_STOP or not (_name_token(w) or (run and low in _PARTICLES)):
            break
        run.append(w)
        if w != t:  # a comma or a full stop ends it
            break
    while run and run[-1].lower() in _PARTICLES:
        run.pop()
    return " ".join(run) if 2 <= len(run) <= 4 else None


_NOT_NAME = frozenset(_BW["not_name"])
_COLLECTIVE = frozenset(_BW["collective"])
_CREDENTIALS = frozenset(_BW["credential"])


def _collective(name: str) -> bool:
    """"Gazette Staff", "Metro Desk": a newsroom, not a person (its last word says so)."""
    toks = name.split()
    return len(toks) > 0 and toks[-1].strip(".,;:()").lower() in _COLLECTIVE


def not_a_person(segment: str) -> bool:
    """A job title, an outlet, a newsroom or a credential where a byline's second author would stand: "Staff
    Writer", "The Associated Press", "Lake Gazette", "RDN" (for a segment after a comma or a second author value)."""
    toks = [t.strip(".,;:()").lower() for t in segment.split()]
    return bool(toks) and (toks[0] == "the" or any(t in _NOT_NAME for t in toks) or _collective(segment)
                           or (len(toks) == 1 and toks[0].replace(".", "") in _CREDENTIALS))


def person_names(names: list[str], byline: str) -> list[str]:
    """The names of people among a byline's name segments: "By Ana Lind, Lake Gazette" and "By Ana
    Lind, Staff Writer" split into two capitalised segments, of which only the first is an author. A
    segment is dropped only after a comma (the place of a job title or outlet), never the first, and
    only when `not_a_person` says so; names joined by "and" are co-authors ("By Ana Lind and Eyal
    Press"), unless the second names a newsroom ("and Metro Desk")."""
    out = names[:1]  # a byline naming only its newsroom ("By Gazette Staff") keeps it as the credit
    # past a job title a comma leads to the employer, and the rest of the line is about it ("Ana Lind, Senior
    # Counsel, Harbour Rights Project, Privacy, and Technology"), but ", and" to a co-author ("Ana Lind, Staff
    # Writer, and Eyal Press")
    state = "names"
    for a in names[1:]:
        if _collective(a):  # "By Ana Lind and Metro Desk": the person only
            continue
        # (by its first word: the date words inside a segment are gone, "Engineer on Google Play")
        after_comma = re.search(r"[,،、]\s*" + re.escape(a.split()[0]), byline) is not None
        if state == "employer" or (state == "title" and after_comma):
            state = "employer"
            continue
        if after_comma and not_a_person(a):
            state = "title"
            continue
        state = "names"
        out.append(a)
    return out


# A dateline may run longer than a plain date line when a label opens it ("PUBLISHED: June 3, 2023 at
# 2:05 PM EDT | UPDATED: June 4, 2023 at 9:10 AM EDT") or a short '|' segment with the date comes first.
_DATE_LABEL = re.compile(
    r"^\W*(?:" + "|".join(map(re.escape, sorted(_BW["date_label"], key=len, reverse=True))) + r")(?!\w)", re.I)
_LONG_DATELINE_WORDS = 24
# source code is not a dateline: an assignment, a brace, a statement end, or a date inside quotes
# ('s = "2021-01-01 10:00"'); a ';' inside the line joins two datelines ("Updated Nov 19, 6:55 AM;Posted
# Nov 19, 6:51 AM")
_CODE_LIKE = re.compile(r"[={}]|;\s*$|[\"'`]\s*\d{4}[/.-]\d")
_RANGE_SEP = re.compile(r"\s*(?:[-–—]|to|until|bis)\s*", re.I)


# a label that credits a sponsor or a partner and runs on into its logo ("Seascape: the state of our oceans is
# supported by", "Presented in partnership with"): no headline
_SPONSOR_END = re.compile(r"\b(?:by|with)\s*[:：]?\s*$", re.I)
# the fields of a post's meta line: "By Ana Lind | March 3, 2024 at 2:26 PM - Updated ...", "05/10/2018 -
# Posted by: Ana Lind - Category: Health"
_META_SEG = re.compile(r"\s+[|｜•·]\s+|\s+[-–—]\s+")
# a blog archive's month with its post count ("November 2019 (12)", "Novembro (113)"): no dateline
_ARCHIVE_MONTH = re.compile(r"^\W*[^\W\d]+(?:\s+\d{4})?\s*\(\d+\)\W*$")


def _long_dateline(s: str) -> bool:
    if _DATE_LABEL.match(s):
        return True
    segs = _PIPE_SEG.split(s)
    if len(segs) > 1 and len(segs[0].split()) <= 10 and parse_datetime(segs[0]) is not None:
        return True
    # a meta line whose fields include the byline and the date, in any order
    segs = _META_SEG.split(s)
    if (len(segs) > 1 and any(_BYLINE_PREFIX.match(g) for g in segs)
            and any(len(g.split()) <= 10 and parse_datetime(g) is not None for g in segs)):
        return True
    # hardly a word besides two dates and their times ("Mon 18 Nov 2019 18.54 GMT Last modified on Mon 18 Nov
    # 2019 18.56 GMT"; two years, 14+ digits and at most 10 words first: the test rewrites the line with every
    # date pattern)
    return (len(_D4.findall(s)) >= 2 and len(_DIGIT.findall(s)) >= 14 and len(_ALPHA3.findall(s)) <= 10
            and _datelike(s))


# a reading-time line: a reading word before the number ("Tempo di lettura: 4 minuti") or after it ("8 min read")
_RT_MIN = "|".join(map(re.escape, sorted(_BW["reading_minutes"], key=len, reverse=True)))
_RT_READ = "|".join(map(re.escape, sorted(_BW["reading_words"], key=len, reverse=True)))
_READING_TIME = re.compile(
    rf"^\W*(?:(?:[^\W\d]+\s+){{0,2}}(?:{_RT_READ})(?:\s+[^\W\d]+)?\s*[:：]?\s*\d{{1,3}}\s*(?:{_RT_MIN})\.?"
    rf"|\d{{1,3}}\s*(?:{_RT_MIN})\.?\s+(?:{_RT_READ}))\W*$", re.I)
# a slideshow counter opening a line: "1/50 <slide title>", "Image 3 of 5", "Foto 2 di 8" (never a date:
# "11/20/2019" has a third part, "3/09/15 8:00am" too)
_SLIDE_COUNTER = re.compile(
    r"^\W*(?:(?:photo|image|picture|slide|foto|bild|imagen|immagine|afbeelding|zdjęcie|фото)s?\s*:?\s*)?"
    r"(\d{1,3})\s*(?:/|of|von|de|di|sur|van|av|af|z|из)\s*(\d{1,3})(?![\d/.:,])", re.I)
# a teaser's excerpt, cut off with a bracketed ellipsis (WordPress's "[…]", "[...]")
_EXCERPT_END = re.compile(r"\[\s*(?:…|\.\.\.)\s*\]\W{0,2}$")
# "Read also: <headline>", "Related: <headline>": a related header with its one teaser on the same line
_INLINE_RELATED = re.compile(r"^\W*" + phrase_alternation(RELATED_HEADERS) + r"\s*[:：|»›>]\s*\S", re.I)
# the separator follows the label or header: it lies within the longest one (plus spaces) of the start
_LABEL_SEP = re.compile(r"[:：|»›>]")
_LABEL_REACH = max(max(map(len, RELATED_HEADERS)), max(map(len, _load_vocab("boilerplate_tag_labels.txt")))) + 12
_PHOTO_BY = re.compile(r"^\W*(?:photo(?:graph)?|image|picture)s?\s+(?:by|courtesy)\b", re.I)
# an agency credit with no "Photo:" label: photographer and agencies set apart by '/' or "via", ending in
# the agency's "Images" / "Photo(s)" / "Pictures" ("Ana Lind/Harbour Times/Stock Images", "ANA LIND/AFP
# via Stock Images", "Harbour Photo/Ana Lind" has the word first), or a two-word "<Agency> Images" line
_W = r"[\w.'’&-]+"
_CW = r"[A-Z][\w.'’&-]*"  # the photographer's name is capitalised
_AGENCY_CREDIT = re.compile(
    rf"^\(?(?:{_CW} ){{0,3}}{_CW}(?: ?/ ?(?:{_W} ){{0,3}}{_W}){{0,2}}(?: ?/ ?| via )(?:{_W} ){{0,3}}(?:Images|Photos?|Pictures)\)?$"
    rf"|^\(?(?:{_CW} ){{0,2}}Photo ?/ ?(?:{_W} ){{0,3}}{_W}\)?$"
    r"|^[A-Z][\w&-]+ Images$"
    # a photographer's name in capitals and the agency, the wire services' form: "ANA LIND/AFP"
    r"|^\(?[A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){1,3} ?/ ?[A-Z][\w.&-]*(?: [A-Z][\w.&-]*){0,3}\)?$")
_HEAD_START = re.compile(r"^\s*[\w\"'‘“«„¿¡(]")  # a headline starts with a word or a quote, not "// ..."
_WORD2 = re.compile(r"[^\W\d_]{2,}")


def _datelike(s: str) -> bool:
    """A date label, or hardly a word besides dates, times and date words: a dateline, not a headline."""
    if _DATE_LABEL.match(s):
        return True
    x = s
    for p in _DATE_PATTERNS:
        x = p.sub(" ", x)
    return len(_WORD2.findall(_DATE_STRIP.sub(" ", _TIME.sub(" ", x)))) < 2


# a release's heading: a dotted version number first, its date after ("4.2.0 (2024-05-14)", "v2.1 - 3 May 2024")
_VERSION = re.compile(r"\s*(?:v|version\s+|release\s+)?\d+(?:\.\d+)+(?:[-.]?(?:rc|a|b|alpha|beta|post|dev)\d*)?\b", re.I)
# a heading's permalink glyph right after its text ("New features#", "Installation¶"; not "C#")
_PERMALINK_HEAD = re.compile(r"[^\s#¶](?<!\b[A-Z])[#¶]\s*$")


def _version_heading(s: str) -> bool:
    """A version number before the line's date (itself not a date: "14.03.2024" is one): the heading of a
    changelog entry, not the page's dateline."""
    m = _VERSION.match(s)
    return m is not None and any(p.search(s, m.end()) for p in _DATE_PATTERNS)


# days of one month joined by a dash ("December 6-8", "6–8 décembre"): an event's dates
_MON_ANY = _MONRE.replace("(?P<mon>", "(?:")  # the month names of the date patterns, without their group name
_DIGIT = re.compile(r"\d")
_ALPHA3 = re.compile(r"[^\W\d_]{3,}")
_DIGIT_DASH = re.compile(r"(?<![\d./-])\d{1,2}\.?\s*[-–—]\s*\d{1,2}(?![\d./-])")  # "6-8", not "2019-11-18"
_DAY_RANGE = re.compile(rf"(?<!\w){_MON_ANY}\s+\d{{1,2}}\s*[-–—]\s*\d{{1,2}}(?!\d)"
                        rf"|(?<!\d)\d{{1,2}}\.?\s*[-–—]\s*\d{{1,2}}\.?\s+{_MON_ANY}(?!\w)", re.I)


def _date_range(s: str) -> bool:
    """Two full dates joined by a dash or 'to' ("May 1, 1931 - May 30, 2023"): a life span or a period,
    not the date a page was published; nor are days of a month joined by a dash ("Show is December 6-8")."""
    if _DIGIT_DASH.search(s) and _DAY_RANGE.search(s):  # (a dash between digits first: the months are many)
        return True
    if len(_D4.findall(s)) < 2:  # each date pattern holds a 4-digit year (a cheap gate: most lines have one)
        return False
    for p in _DATE_PATTERNS:
        for m in p.finditer(s):
            r = _RANGE_SEP.match(s, m.end())
            if r and any(q.match(s, r.end()) for q in _DATE_PATTERNS):
                return True
    return False


# ----------------------------------------------------------------------------------------------
# rules

_ATTRIB_KEEP = re.compile(
    r"^(?:additional reporting|reporting by|editing by|written by|with reporting|contributed to this)", re.I
)
_BREADCRUMB = re.compile(r"^[^.!?]{1,40}(?:\s(?:/|>|»|›|\|)\s[^.!?]{1,40})+$")
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*")
# A menu copied as one line: items set apart by runs of spaces (or a tab), as a page's nav bar comes out
# of copy-and-paste. Every item short, no sentence punctuation: "Home  World  Business  Sport  Tech".
# Only near the top or bottom of a document (see classify_dumps).
_MENU_GAP = re.compile(r"\s{2,}|\t")
_SENTENCE_END = re.compile(r"[.!?。！？]")


def _menu_line(text: str, unspaced: bool = False) -> bool:
    """`unspaced`: the line is written in a script without spaces between words (Chinese, Japanese,
    Thai), where one space already separates items ("首页 新闻 体育 娱乐 财经"), as two do in other
    scripts; then at least 5 items of up to 8 characters (a headline in those scripts may have a few
    short space-separated phrases)."""
    items = text.split() if unspaced else _MENU_GAP.split(text.strip())
    if len(items) < (5 if unspaced else 4) or _SENTENCE_END.search(text):
        return False
    if unspaced and any(_visible_len(it) > 8 for it in items):
        return False
    # short items: up to 3 words, and up to 12 characters (a CJK menu item is 2-4 characters) not
    # counting combining marks (Devanagari vowel signs: "गोपनीयता नीति" is 13 code points), each with
    # letters (a row of a plain-text table has numbers: "2019   1204   355")
    return all(len(it.split()) <= 3 and _visible_len(it) <= 12 and any(c.isalpha() for c in it) for it in items)


def _mostly_unspaced(text: str) -> bool:
    """At least half of the line's non-space characters are of a script written without spaces
    (normalize's list: Hangul, which has spaces, is not one)."""
    if text.isascii():
        return False
    return 2 * len(UNSPACED_CHAR.findall(text)) >= len(text) - text.count(" ")


def _visible_len(s: str) -> int:
    if s.isascii():
        return len(s)
    return sum(1 for c in s if unicodedata.category(c) not in ("Mn", "Mc"))


def _norm(s: str) -> str:
    s = s.lower().replace(".", "").replace("’", "'").replace("‘", "'")
    return " ".join(re.findall(r"\w+", s))


_COMMENT_WORDS = load_keyed_words("boilerplate_comments.txt")
_COMMENT_HEADERS = tuple(w.replace("_", " ") for w in _COMMENT_WORDS["header"])
# (a count may follow a few words: "There are 7 comments")
_COMMENT_HEADER = re.compile(r"^\W*(?:(?:\w+\s+){0,3}?\d+\s+)?" + phrase_alternation(_COMMENT_HEADERS)
                             + r"\b(?:\s*\(\d+\)|\s*:|(?:\s+(?:on|to))?\s+[“\"'«„‘].*)?\W*$", re.I)
_COMMENT_KEYS = tuple(sorted({h.split()[0] for h in _COMMENT_HEADERS}))  # one-token gate (one n-gram pass)
_SAID = frozenset(_COMMENT_WORDS["said"])


def _byline_teasers(rep_by, texts, lab, det, after_title, words, endp, hasd, same_next, doc_id) -> None:
    """A list of teaser cards that each carry a byline ("Gantz meets Netanyahu / By Post Staff / 11/20/2019
    01:14 PM", "Senate passes bill / By Reuters"): the byline repeats, so it is already chrome, but the
    headline above it reads like a heading of the text. A short line without a full stop right above a
    repeated byline that names someone, after the page's title, is the card's headline, and a short date
    line right under the byline its date, when the next or the previous card starts at most two lines
    after the other ends: cards follow each other, while the articles of a weekly edition, each with its
    title and the same author's byline, have their text between them."""
    j = np.flatnonzero(rep_by)
    j = j[j > 0]
    if j.size == 0:
        return
    h = j - 1
    ok = (lab[h] == 0) & same_next[h] & after_title[h] & (words[h] <= 20) & ~endp[h]
    h, j = h[ok], j[ok]
    if h.size < 2:
        return
    named = np.array([bool(parse_authors(" ".join(texts[i].split()))) for i in j.tolist()], dtype=bool)
    h, j = h[named], j[named]
    close = (np.diff(j) <= 4) & (doc_id[j[1:]] == doc_id[j[:-1]])
    near = np.zeros(j.size, dtype=bool)
    near[1:] |= close
    near[:-1] |= close
    h, j = h[near], j[near]
    lab[h] = _L["related"]
    det[h] = "rule:byline_teaser"
    d = j + 1
    d = d[(d < lab.shape[0]) & same_next[j]]
    d = d[(lab[d] == 0) & hasd[d] & (words[d] <= 6)]
    lab[d] = _L["related"]
    det[d] = "rule:byline_teaser"


_CONTENT_WORD = re.compile(r"[^\W\d_]{4,}")


def _title_by_lede(tm, last, fb, texts, doc_id, lab, prose, de) -> np.ndarray:
    """With no byline to anchor it, the headline is the headline-like line before the body that shares the most
    words of 4+ letters with the body's first three paragraphs (a headline names what its lede tells; a section
    label such as the show's name shares fewer), when one shares three or more and a third of its own; else, as
    before, the last such line (teasers, section labels and promos above the body share little with it)."""
    out = last.copy()
    if tm.size == 0:
        return out
    by_doc: dict[int, list[int]] = {}
    for i in tm.tolist():
        by_doc.setdefault(int(doc_id[i]), []).append(i)
    for d, cands in by_doc.items():
        b = int(fb[d])
        body: set[str] = set()
        seen = 0
        for i in range(max(b, 0), int(de[b]) if b >= 0 else 0):
            if lab[i] == 0 and prose[i]:
                body.update(w.lower() for w in _CONTENT_WORD.findall(texts[i]))
                seen += 1
                if seen == 3:
                    break
        if not body:
            continue
        best, best_score = -1, (0, 0.0)
        for i in cands[-12:]:
            words = {w.lower() for w in _CONTENT_WORD.findall(texts[i])}
            shared = len(words & body)
            if shared >= 3 and shared * 3 >= len(words):
                score = (shared, shared / len(words))  # most shared words, then the larger share of its own
                if score > best_score or (score == best_score and i > best):
                    best, best_score = i, score
        if best >= 0:
            out[d] = best
    return out


# An empty document: its best sentences are kept when at least this many score within this share of its best
_RESCUE_MIN_LINES = 2
_RESCUE_SHARE = 0.5
_RESCUE_MIN_WORDS = 8


def _rescue_empty(lab, det, p, doc_id, k, words, endp, model_drop) -> None:
    """A page of prose whose every line the model scored under the threshold (an unusual layout: a product
    tour, a docs landing page) would leave an empty document and lose the page whole. Like trafilatura's
    fallback when its main pass finds too little, such a document keeps its sentences (8+ words, ending in
    a full stop) that the model dropped and that score within half of the document's best one; lines a
    rule removed stay removed, and a lone sentence (a cookie notice on a page of links) is not rescued."""
    kept = np.isin(lab, _CONTENT)
    empty = np.bincount(doc_id[kept], minlength=k) == 0
    cand = model_drop & endp & (words >= _RESCUE_MIN_WORDS) & empty[doc_id]
    if not cand.any():
        return
    best = np.zeros(k)
    np.maximum.at(best, doc_id[cand], p[cand])
    sel = cand & (p >= _RESCUE_SHARE * best[doc_id])
    sel &= (np.bincount(doc_id[sel], minlength=k) >= _RESCUE_MIN_LINES)[doc_id]
    lab[sel] = _L["paragraph"]
    det[sel] = "rule:rescue"


def _author_bios(texts, words, lab, det, off, metas) -> None:
    """The author's bio under the article ("Ana Lind covers the harbour for the Times. Reach her at ..."):
    one of the document's last two kept lines that opens with a byline author's full name, in place."""
    content = set(_CONTENT.tolist())
    for d, meta in enumerate(metas):
        names = tuple(a + " " for a in meta.authors if " " in a)
        if not names:
            continue
        seen = 0
        for i in range(int(off[d + 1]) - 1, int(off[d]) - 1, -1):
            if lab[i] not in content:
                continue
            if words[i] <= 60 and texts[i].lstrip().startswith(names):
                lab[i] = _L["byline"]
                det[i] = "rule:author_bio"
            seen += 1
            if seen == 2:
                break


def _comment_sections(texts, f, words, endp, col, lab, det, off, doc_id) -> None:
    """Labels each document's first comment section (see the call in classify_dumps), in place."""
    n = len(texts)
    hc = phrase_hits(f.tokens, (words <= 12) & ~endp, _COMMENT_KEYS, n)  # (a bare "Comments" is nav already)
    hi = np.flatnonzero(hc)
    if not hi.size:
        return
    dated = (col("has_time") > 0) & ((col("has_date") > 0) | (col("rel_time") > 0)) & (words <= 16)
    colon = (col("end_colon") > 0) & (words <= 16)
    done = set()
    for h in hi.tolist():
        d = int(doc_id[h])
        if d in done or h - int(off[d]) < 5 or _COMMENT_HEADER.match(texts[h]) is None:
            continue
        a1 = int(off[d + 1])

        def attribution(i: int) -> bool:
            if dated[i]:
                return True
            if colon[i]:
                w = texts[i].rstrip().rstrip(":").split()
                return bool(w) and w[-1].casefold() in _SAID
            return False

        att = [i for i in range(h + 1, a1) if attribution(i)]
        if len(att) < 2 or att[0] > h + 5:
            continue
        # the last comment's text: prose lines after its attribution (and a short greeting before one: "Hi
        # Ana,"), up to the next line another rule took
        def body(i: int) -> bool:
            return i < a1 and lab[i] == 0 and (words[i] >= 4 or endp[i])

        end = att[-1] + 1
        while end - att[-1] <= 30 and (body(end) or (end < a1 and lab[end] == 0 and words[end] <= 3
                                                      and body(end + 1))):
            end += 1
        rows = np.arange(h, end)
        rows = rows[lab[rows] == 0]
        lab[rows] = _L["not_main_content"]
        det[rows] = "rule:comment_section"
        done.add(d)


_GLUE = re.compile(r"[a-z0-9’'”)?!%][A-Z][a-z]*\s")


# a headline, then its lede's dateline in capitals: "... ferry crews return to the island PORT ELLEN: Their ..."
_LEDE_DATELINE = re.compile(r"[^.!?]{20,160}?\s\(?([A-Z][A-Z.'’-]+(?:\s[A-Z][A-Z.'’-]+){0,3})\)?\s?[:—–-]\s+[A-Z]")


def _glued_teaser(text: str) -> bool:
    """A headline run into its summary: a glue point (lowercase, digit or closing mark, then a capital)
    after 3+ words whose longer words (4+ letters) all start with a capital or digit, 4+ words after it;
    or a headline of 4+ words followed by a dateline in capitals."""
    if ":" in text[:200] or "—" in text[:200] or " - " in text[:200]:
        m = _LEDE_DATELINE.match(text)
        if m is not None and len(m.group(1)) >= 3 and text.count(" ", 0, m.start(1)) >= 4:
            return True
    for m in _GLUE.finditer(text, 14, 160):  # (a headline's length: the summary follows)
        head = text[: m.start() + 1].split()
        if len(head) < 3 or len(head[-1]) < 3:
            continue
        long = [w for w in head if sum(c.isalpha() for c in w) >= 4]
        if len(long) >= 2 and all(not w[0].isalpha() or w[0].isupper() for w in long) \
                and text.count(" ", m.start() + 1) >= 3:
            return True
    return False


_CLICK_SHARE = re.compile(r"^\W*\d*(?:click|tap|press)\s+(?:here\s+)?to\s+(" + "|".join(
    sorted(re.escape(w) for w in SHARE_WORDS if w.isalpha() and len(w) > 2)) + r")\b", re.I)


_UI_LABELS = {w: reason for reason, ws in load_keyed_words("boilerplate_ui.txt").items() for w in
              (x.replace("_", " ") for x in ws)}
_TEASER_WORDS = ("watch", "video", "listen", "podcast", "audio", "gallery")


@lru_cache(maxsize=1)
def _ui_hash_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted line hashes of the widget labels without numbers with each one's label, and the token
    hashes of the teaser words."""
    labels = sorted((w, r) for w, r in _UI_LABELS.items() if "#" not in w)
    h = _hash_lines([w for w, _ in labels])[3]
    order = np.argsort(h, kind="stable")
    reasons = np.array([_L[r] for _, r in labels], dtype=np.int8)[order]
    return h[order], reasons, _hash_lines(list(_TEASER_WORDS))[0]


_UI_DROP = re.compile(r"[^\w\s#']+")
_MEDIA_CLOCK = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?\s*/\s*\d{1,2}:\d{2}(?::\d{2})?$")
_MEDIA_TEASER = re.compile(r"^(?:" + "|".join(_TEASER_WORDS) + r")\s*:\s*\w", re.I)


_DIGITS = re.compile(r"\d+")
_UI_MAXLEN = max(map(len, _UI_LABELS)) + 12  # ("Comments (1234)", "Link copied!")


def _ui_norm(text: str) -> str:
    """"Comments (12)" -> "comments #", "Link copied!" -> "link copied": a widget label's lookup key."""
    return " ".join(_UI_DROP.sub(" ", _DIGITS.sub("#", text.lower())).split())


def ui_label(text: str) -> str | None:
    """The removal reason of a widget's label ("nav", "caption"), None for any other text."""
    if len(text) > _UI_MAXLEN or text.count(" ") > 8:
        return None
    low = text.lower()
    r = _UI_LABELS.get(low)  # (most labels are plain words: no regex for them)
    # a number or a mark at an end: "Comments (12)", "12 comments", "Link copied!", "Loading..."; not a
    # sentence's full stop, nor a date or time ("09:25, 2023/08/14"): most short lines are one of those
    if r is None and low and (low[0].isdigit() or not (low[-1].isalpha() or (low[-1] == "." and low[-2:-1] != "."))) \
            and "/" not in low and "," not in low and ":" not in low[:-1]:
        r = _UI_LABELS.get(_ui_norm(text))
    return r


def _share_ends(text: str) -> bool:
    t = text.casefold().split()
    return len(t) >= 2 and t[0].strip(":") in SHARE_WORDS and t[-1].strip(".:!") in SHARE_WORDS


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
_TEXT = attrgetter("text")


def classify_dump(blocks: list[Block], model=None, threshold: float = KEEP_THRESHOLD) -> tuple[list[Decision], Metadata]:
    """One Decision per block (same order) and the page Metadata. `model`: a TreeEnsemble or LightGBM
    Booster to use instead of the shipped model (cross-validation). A batch of one `classify_dumps`."""
    return classify_dumps([blocks], model=model, threshold=threshold)[0]


_DOCMIX = np.uint64(0x9E3779B97F4A7C15)


def _gram_at(th: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Key of the 4 tokens from each start (same key as `_gram_keys(th, 4)`)."""
    g = np.zeros(start.shape[0], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(4):
            g += th[start + i] * _KMIX[i]
    return g


def _long_grams(f: BatchFeatures, long_line: np.ndarray):
    """Sorted keys of the (document, 4-token gram)s of the long lines, each with its line index in the
    low bits (the gram hash keeps the high bits: a collision only lets a candidate through to the exact
    check). Returns (sorted keys, line mask) or None."""
    th, tline, _tok0, _ntk, *_ = f.tokens
    ti = np.flatnonzero(long_line[tline])
    if ti.shape[0] < 4:
        return None
    sth, stl = th[ti], tline[ti]
    g = _gram_keys(sth, 4)
    gl = stl[: g.shape[0]]
    ok = np.flatnonzero(gl == stl[3:])
    if ok.size == 0:
        return None
    g, gl = g[ok], gl[ok]
    mask = np.uint64((1 << max(1, int(long_line.shape[0] - 1).bit_length())) - 1)
    with np.errstate(over="ignore"):
        g += f.doc_id[gl].astype(np.uint64) * _DOCMIX
    g &= ~mask
    g |= gl.astype(np.uint64)
    g.sort()
    return g, mask


def _gram_present(index, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(present, first position in the sorted index) of each gram key."""
    sk, mask = index
    hk = keys & ~mask
    lo = np.minimum(np.searchsorted(sk, hk), sk.shape[0] - 1)
    return (sk[lo] & ~mask) == hk, lo


def _pull_quote_candidates(f: BatchFeatures, index, cand: np.ndarray) -> dict[int, list[int]]:
    """Prefilter for the pull-quote rule, in numpy: a candidate line (>= 4 tokens) can occur in its
    document's long unlabelled lines only if its first and last 4-token grams occur there. Returns
    {candidate: the long lines holding its first 4-gram} (every occurrence of the candidate is in them)."""
    th, _tline, tok0, ntk, *_ = f.tokens
    c = cand[ntk[cand] >= 4]
    if index is None or c.size == 0:
        return {}
    sk, mask = index
    dk = f.doc_id[c].astype(np.uint64) * _DOCMIX
    with np.errstate(over="ignore"):
        kf = _gram_at(th, tok0[c]) + dk
        kl = _gram_at(th, tok0[c] + ntk[c] - 4) + dk
    okf, lo = _gram_present(index, kf)
    ok = okf & _gram_present(index, kl)[0]
    if not ok.any():
        return {}
    c, kf, lo = c[ok], kf[ok], lo[ok]
    hi = np.searchsorted(sk, (kf & ~mask) | mask, side="right")
    lines = (sk & mask).astype(np.int64)
    return {i: sorted(set(lines[a_:b_].tolist())) for i, a_, b_ in zip(c.tolist(), lo.tolist(), hi.tolist())}


def _ellipsis_frags(s: str) -> list[str]:
    frags = [_norm(x) for x in _ELLIPSIS.split(" ".join(s.split()).strip("“”\"'‘’ ")) if x.strip()]
    return [" " + x + " " for x in frags if x]


def _frags_may_match(f: BatchFeatures, index, items: list[tuple[int, list[str]]]) -> list[bool]:
    """Prefilter for elided pull quotes: the longest fragment, if it has >= 4 tokens, needs its first
    4-token gram in the document's long lines (shorter fragments: no prefilter)."""
    if not items:
        return []
    if index is None:
        return [False] * len(items)
    longest = [max(fr, key=lambda x: x.count(" ")) for _, fr in items]
    th, tok0, ntk, _ = _hash_lines([x.strip() for x in longest])
    big = ntk >= 4
    res = [True] * len(items)
    if big.any():
        bi = np.flatnonzero(big)
        dk = f.doc_id[np.array([items[j][0] for j in bi.tolist()], dtype=np.int64)].astype(np.uint64) * _DOCMIX
        with np.errstate(over="ignore"):
            key = _gram_at(th, tok0[bi]) + dk
        ok = _gram_present(index, key)[0]
        for j, o in zip(bi.tolist(), ok.tolist()):
            res[j] = o
    return res


_QUOTE_OPEN = frozenset("\"“„«‘'‹「『")
_BLOCK_DETAILS = ("rule:author_line", "rule:photo_credit", "rule:credit_line")
# "Edited by Bo Kim": a credit beside the byline that names no author (byline_words.txt "credit")
_CREDIT_LINE = re.compile(r"^\W*(?:" + "|".join(
    r"\s+".join(map(re.escape, w.split("_"))) for w in sorted(_BW["credit"], key=len, reverse=True)) + r")\s*:?\s+\w", re.I)


def _byline_block(det, bi: int, a0: int, a1: int) -> tuple[int, int]:
    """First and last line of the byline block around dateline `bi`: the author lines beside it, over
    photo credits between them ("By Ana Lind / Photographs by Bo Kim / June 3, 2023")."""
    ends = []
    for step in (-1, 1):
        e, j = bi, bi + step
        while a0 <= j < a1 and abs(j - bi) <= 2 and det[j] in _BLOCK_DETAILS:
            if det[j] == "rule:author_line":
                e = j
            j += step
        ends.append(e)
    return ends[0], ends[1]


def _is_byline_text(t: str) -> bool:
    """A byline: a byline prefix, at most 8 words, and a name after it ("By Ana Lind | Lake Gazette")."""
    t = " ".join(t.split())
    return _BYLINE_PREFIX.match(t) is not None and len(t.split()) <= 8 and bool(parse_authors(t))


_CONTENT = np.array([_L["paragraph"], _L["heading"], _L["list_item"]], dtype=np.int8)
# Longest run of model-dropped lines taken back between kept lines, and the least keep score in it
# (text bench, 5-fold CV: runs of up to 6, 8, 12 or 20 lines all leave F1 at 0.902; the text probe's
# content lines lost go 22 -> 13 at 6, -> 6 from 8 on, with no boilerplate line more kept)
_SANDWICH_MAX = 8
_SANDWICH_MIN_P = 0.05


def _kept_between(texts, lab, det, drop, same_next, after_start, p, bul, short_nop) -> None:
    """A short run of lines the model dropped, after the body's start, with kept body lines right
    before and after it (same document), is body: the sub-headings and list items of a job post, a
    match report's line-ups, short structured lines the model scores as chrome when alone. Teaser
    headlines, bylines, promos and tags between paragraphs were labelled by the rules before; menus
    and footers have no kept line after them. Written here, not learned: the model scores each line
    from its own text and a small window, not from where the kept text resumes."""
    n = len(lab)
    cand = drop & after_start & (p >= _SANDWICH_MIN_P) & ~np.isin(lab, _CONTENT)  # (table rows kept meanwhile)
    if not cand.any():
        return
    # runs of consecutive candidates in one document
    start = cand.copy()
    start[1:] &= ~(cand[:-1] & same_next[:-1])
    rid = np.cumsum(start) - 1
    ci = np.flatnonzero(cand)
    r = rid[ci]
    first = ci[np.r_[True, r[1:] != r[:-1]]]
    last = ci[np.r_[r[1:] != r[:-1], True]]
    ok = (last - first + 1 <= _SANDWICH_MAX) & (first > 0) & (last < n - 1)
    first, last = first[ok], last[ok]
    ok = same_next[first - 1] & same_next[last] & np.isin(lab[first - 1], _CONTENT) & np.isin(lab[last + 1], _CONTENT)
    for a, b in zip(first[ok].tolist(), last[ok].tolist()):
        if any("\t" in texts[i] for i in range(a, b + 1)):  # a copied table is kept or removed whole
            continue
        rows = np.arange(a, b + 1)
        lab[rows] = np.where(bul[rows], _L["list_item"], np.where(short_nop[rows], _L["heading"], _L["paragraph"]))
        det[rows] = "rule:between_kept"


def _table_rows(texts: list[str], doc_id: np.ndarray, scored: np.ndarray, kept: np.ndarray, lab: np.ndarray,
                det: np.ndarray) -> None:
    """A table copied from a page (3+ consecutive lines with the same number of tab-separated cells) is
    one unit: the model scores each row alone and kept "Possession 58% 42%" but dropped "Shots 16 9",
    leaving half a table. When it kept at least a third of the rows it scored, every scored row is kept."""
    tab = [i for i, t in enumerate(texts) if "\t" in t]
    if len(tab) < 3:
        return

    def close(run: list[int]) -> None:
        rows = [i for i in run if scored[i]]
        if len(rows) >= 3 and sum(bool(kept[i]) for i in rows) * 3 >= len(rows):
            lab[rows] = _L["paragraph"]
            det[rows] = "rule:table_row"

    run: list[int] = []
    cells = -1
    for i in tab:
        t = texts[i].rstrip()
        c = t.count("\t")  # a row: 2+ cells with text set apart by tabs ("\tHome\tAway" is a header row)
        if c == 0 or sum(1 for x in t.split("\t") if x.strip()) < 2:
            close(run)
            run, cells = [], -1
            continue
        if run and i == run[-1] + 1 and doc_id[i] == doc_id[run[-1]] and c == cells:
            run.append(i)
        else:
            close(run)
            run, cells = [i], c
    close(run)


def _excerpts(texts: list[str], words, endp, ellipsis, lab, same_next, setm) -> None:
    """Teaser excerpts: a sentence of 6+ words cut off with a bracketed ellipsis ("... why this or that
    location become […]") is a blog's post list, never its article (which cuts a quote with "[…]" inside a
    sentence, not at its end); with it goes the teaser's title right above it (a short line, no period).
    A line that is only "[...]" (code or a quote shortened in the body) is left alone."""
    n = len(texts)
    hit = np.zeros(n, dtype=bool)
    for i in np.flatnonzero((words >= 6) & (lab == 0) & ellipsis).tolist():  # the features' ellipsis flag
        t = texts[i]
        if "]" in t[-4:] and _EXCERPT_END.search(t):
            hit[i] = True
    if not hit.any():
        return
    title = np.zeros(n, dtype=bool)
    title[:-1] = hit[1:] & same_next[:-1] & (words[:-1] <= 12) & ~endp[:-1]
    setm(hit | title, "related", "rule:excerpt")


def _galleries(texts: list[str], words, digit, ds, de, setm) -> None:
    """A slideshow copied into the dump: 3+ slide counters of one total in a row ("1/50", "2/50", ...,
    or "Image 1 of 5"), each a few lines from the last. The lines from the first counter on, and the
    typical slide's length after the last, are the gallery's captions and credits, however much they read
    like prose (a business-news gallery of 50 slides kept half its captions as body text)."""
    cand = np.flatnonzero(digit & (words <= 14))
    hits: list[tuple[int, int, int]] = []
    for i in cand.tolist():
        m = _SLIDE_COUNTER.match(texts[i])
        if m is not None:
            k, tot = int(m.group(1)), int(m.group(2))
            if 1 <= k <= tot and tot >= 3:
                hits.append((i, k, tot))
    if len(hits) < 3:
        return
    mask = np.zeros(len(texts), dtype=bool)
    run = [hits[0]]
    for h in hits[1:] + [(-10, 0, 0)]:
        last = run[-1]
        if h[2] == last[2] and h[1] == last[1] + 1 and 0 < h[0] - last[0] <= 5 and ds[h[0]] == ds[last[0]]:
            run.append(h)
            continue
        if len(run) >= 3:
            gaps = sorted(b[0] - a[0] for a, b in zip(run, run[1:]))
            tail = gaps[len(gaps) // 2] - 1  # the median slide: counter, caption, credit
            mask[run[0][0]:min(run[-1][0] + 1 + tail, int(de[run[-1][0]]))] = True
        run = [h]
    setm(mask, "caption", "rule:gallery")

def classify_dumps(docs: list[list[Block]], model=None, threshold: float = KEEP_THRESHOLD
                   ) -> list[tuple[list[Decision], Metadata]]:
    """`classify_dump` for many documents (a shard) at once: one feature pass, one model pass and one
    vectorised rule pass over all their lines; per-document quantities never cross documents, so each
    result equals `classify_dump` of that document alone. Returns [(decisions, metadata)] in order."""
    k = len(docs)
    if k == 0:
        return []
    f = batch_features_flat(list(map(_TEXT, chain.from_iterable(docs))),
                            np.fromiter(map(len, docs), dtype=np.int64, count=k))
    n = f.X.shape[0]
    metas = [Metadata() for _ in range(k)]
    if n == 0:
        return [([], m) for m in metas]
    b = f.base
    mdl = model if model is not None else _default_model()
    p = np.asarray(mdl.predict(f.X), dtype=np.float64)
    texts = f.texts
    doc_id = f.doc_id
    off = f.offsets
    idx = np.arange(n, dtype=np.int64)
    ds = off[doc_id]
    de = off[doc_id + 1]
    rs = f.regions[doc_id, 0]
    re_ = f.regions[doc_id, 1]
    same_next = np.zeros(n, dtype=bool)  # line i+1 is in the same document as line i
    same_next[:-1] = doc_id[1:] == doc_id[:-1]
    lab = np.zeros(n, dtype=np.int8)
    det = np.empty(n, dtype=object)

    def col(name):
        return b[:, _C[name]]

    words = col("words")
    prose = col("prose") > 0
    endp = col("end_period") > 0

    def setm(mask, code, detail):
        sel = mask & (lab == 0)
        lab[sel] = _L[code]
        det[sel] = detail
        return sel

    # a photo credit in parentheses on its own line ("(Image: © Lake Photos)", "(Image credit: Ana Lind)", "(Bild:
    # Hersteller)"): the caption right above it, of up to 40 words and two sentences, goes with it (before the
    # copyright rule, which would take a credit with a © for the site's footer)
    pcl = np.flatnonzero((lab == 0) & (words <= 15) & (((f.first_tok_bits >> B_CREDIT) & 1) > 0))
    if pcl.size:  # (the first token is a credit word: few lines to look at)
        pcl = pcl[[texts[i].lstrip().startswith("(") and _PAREN_CREDIT.match(texts[i].lstrip()) is not None
                   for i in pcl.tolist()]]
        setm(np.isin(idx, pcl), "caption", "rule:photo_credit")
        above = pcl[(pcl > ds[pcl])] - 1
        above = above[(words[above] <= 40) & (col("inner_sent")[above] <= 1) & (col("has_date")[above] == 0)
                      & (col("byline_start")[above] == 0)]  # (not the byline or dateline above a lead image)
        setm(np.isin(idx, above), "caption", "rule:credit_caption")

    # footer / copyright
    setm(col("print_ed") > 0, "footer", "rule:print_edition")
    cr = np.flatnonzero((col("copyright") > 0) & (words <= 30) & (lab == 0))
    if cr.size:
        notice = np.zeros(n, dtype=bool)
        notice[cr] = [not prose[i] or _COPYRIGHT_NOTICE.search(texts[i].strip()) is not None for i in cr.tolist()]
        setm(notice, "footer", "rule:copyright")

    # photo captions / credits, and truncated repeats of a caption (neighbours of captions only); a
    # photographer's credit in a byline block ("Photographs by Ana Lind") is one too (a rule, not the
    # model's credit feature: changing that feature costs text CV F1)
    credit = col("credit") > 0
    pc = np.flatnonzero((((f.first_tok_bits >> B_CREDIT) & 1) > 0) & ~credit & (words <= 12))
    if pc.size:
        credit[pc] = [_PHOTO_BY.match(texts[i]) is not None for i in pc.tolist()]
    # (an agency credit holds a credit word, "Images" / "Photo": the tokens' word bits find its lines)
    _th, tline, _tok0, _ntk, mw, _lh = f.tokens
    has_cw = np.zeros(n, dtype=bool)
    has_cw[tline[((mw >> B_CREDIT) & 1) > 0]] = True
    caps_slash = (col("allcaps_ratio") >= 0.3) & (words <= 8)  # "ANA LIND/AFP", "(BO KIM/Harbour Times)"
    ac = np.flatnonzero((has_cw | caps_slash) & ~credit & (lab == 0) & (words <= 10) & ~endp)
    if ac.size:
        credit[ac] = [("/" in texts[i] or " via " in texts[i] or texts[i].endswith(" Images"))
                      and _AGENCY_CREDIT.match(texts[i].strip()) is not None for i in ac.tolist()]
    cap = setm(credit & (words <= 60), "caption", "rule:photo_credit")
    cap_idx = np.flatnonzero(cap).tolist()
    if cap_idx:
        norms = f.norms
        for j in cap_idx:
            nj = norms[j].strip()
            for i in (j - 1, j + 1):
                if ds[j] <= i < de[j] and lab[i] == 0 and words[i] >= 3:
                    ni = norms[i].strip()
                    if len(nj) > len(ni) and nj.startswith(ni):
                        lab[i] = _L["caption"]
                        det[i] = "rule:truncated_caption"

    # a widget's label on a line of its own ("Click to enlarge", "Comments (12)", "Listen to this article"),
    # a media player's clock ("00:00 / 03:15"), a video or audio teaser ("Watch: Harbour cranes return")
    # (labels without numbers by their token hash, as the related headers; the rest, few lines, in Python)
    th, _tline, tok0, ntk, _mw, lh = f.tokens
    uh, ur, teaser_h = _ui_hash_table()
    at = np.minimum(np.searchsorted(uh, lh), uh.size - 1)
    hit = (lab == 0) & (ntk > 0) & (ntk <= 8) & (uh[at] == lh)
    lab[hit] = ur[at[hit]]
    det[hit] = "rule:ui_label"
    first = np.where(ntk > 0, th[np.minimum(tok0, max(th.shape[0] - 1, 0))], 0) if th.shape[0] else np.zeros(n, np.uint64)
    short = (lab == 0) & (ntk > 0) & (col("log_chars") <= 4.8)  # up to ~120 characters
    numbered = short & (ntk <= 8) & (col("digit_ratio") > 0)
    teaser = short & (ntk <= 16) & ~endp & np.isin(first, teaser_h)
    for i in np.flatnonzero(numbered | teaser).tolist():
        t = texts[i].strip()
        reason = ui_label(t) if numbered[i] else None
        if reason is not None:
            lab[i] = _L[reason]
            det[i] = "rule:ui_label"
        elif _MEDIA_CLOCK.match(t) or (teaser[i] and _MEDIA_TEASER.match(t)):
            lab[i] = _L["nav"] if t[0].isdigit() else _L["related"]
            det[i] = "rule:ui_label"

    # share / follow chrome
    setm((col("share_frac") >= 0.99) & (words <= 6), "nav", "rule:share_words")
    # a share button with its target: "Share this on Facebook", "Follow us on Twitter" (first and last
    # words share words, at least half of them; "Sign up for our newsletter" is a promo)
    # and a share button's label "Click to share on Twitter (Opens in new window)"
    sf_ = col("share_frac")
    sw = np.flatnonzero((lab == 0) & (sf_ >= 0.3) & (words <= 10) & ~endp & (col("promo") == 0))
    if sw.size:
        sw = sw[[(sf_[i] >= 0.5 and words[i] <= 6 and _share_ends(texts[i])) or _CLICK_SHARE.match(texts[i]) is not None
                 for i in sw.tolist()]]
        lab[sw] = _L["nav"]
        det[sw] = "rule:share_words"

    # promos: short lines with promo vocabulary, plus adjacent short non-period lines
    pm = setm((col("promo") > 0) & (words <= 25) & ~prose, "promo", "rule:promo_vocab")
    # a tag / topic line: "Tags: bridge, river, council" (the model scores it as a heading), and a related
    # header with its teaser on one line: "Read also: <headline>". Both need a separator near the start,
    # a C-speed gate before the regexes (they cost ~1.5 us on every short line)
    ic = np.flatnonzero((lab == 0) & (words <= 30))
    if ic.size:
        srch = _LABEL_SEP.search
        ic = ic[np.array([srch(texts[i], 0, _LABEL_REACH) is not None for i in ic.tolist()], dtype=bool)]
    if ic.size:
        tg = ic[~endp[ic]]
        tags = np.zeros(n, dtype=bool)
        tags[tg] = [_TAG_LABELS.match(texts[i]) is not None for i in tg.tolist()]
        setm(tags, "nav", "rule:tags")
    # a reading-time line ("8 min read"): it has a digit
    sc = np.flatnonzero((lab == 0) & (words <= 8) & ~endp & (col("digit_ratio") > 0))
    if sc.size:
        rt = np.zeros(n, dtype=bool)
        rt[sc] = [_READING_TIME.match(texts[i]) is not None for i in sc.tolist()]
        setm(rt, "nav", "rule:reading_time")
    _excerpts(texts, words, endp, f.ellipsis, lab, same_next, setm)
    if ic.size:
        ic = ic[lab[ic] == 0]
        ir = np.zeros(n, dtype=bool)
        ir[ic] = [_INLINE_RELATED.match(texts[i]) is not None for i in ic.tolist()]
        setm(ir, "related", "rule:inline_related")
    # disclosures and paywall notices read like prose but are never article text (matched on the feature
    # tokens: a regex pass over every line cost ~2.5 us per line with 34 phrases)
    strong = phrase_hits(f.tokens, (words <= 40) & (lab == 0), STRONG_PROMO_PHRASES, n)
    # a longer line only when it opens with one ("We use cookies and other tracking technologies to ...")
    strong |= phrase_hits(f.tokens, (words > 40) & (lab == 0), STRONG_PROMO_PHRASES, n, first=8)
    pm = pm | setm(strong, "promo", "rule:promo_disclosure")
    pm &= words >= 2  # a run spreads from a promo phrase, not from a one-word ad label ("Anzeige")
    if pm.any():
        nb = np.zeros(n, dtype=bool)
        nb[:-1] |= pm[1:] & same_next[:-1]
        nb[1:] |= pm[:-1] & same_next[:-1]
        # (never a dated line: "Updated 3 June 2024" above an affiliate disclosure is the dateline; nor a line
        # one or two above a short dated line: the headline over its byline block, under a "Learn More" button)
        dl_ = ((col("has_date") > 0) | ((col("has_time") > 0) & (col("has_year") > 0))) & (words <= 14)
        over = np.zeros(n, dtype=bool)
        over[:-1] |= dl_[1:] & same_next[:-1]
        over[:-2] |= dl_[2:] & same_next[:-2] & same_next[1:-1]
        setm(nb & (words <= 12) & ~endp & (col("has_date") == 0) & ~(over & (words >= 4)), "promo", "rule:promo_run")

    # breadcrumbs (candidates: short lines with a spaced separator) and tickers
    lens = np.expm1(col("log_chars"))
    nodate = (col("has_date") == 0) & (col("has_time") == 0)
    for i in np.flatnonzero((lab == 0) & (col("sep_count") > 0) & (lens <= 120.5) & ~endp & nodate).tolist():
        t = " ".join(texts[i].split())
        # "By Ana Lind | Lake Gazette" has the shape of a breadcrumb but is the byline
        if _BREADCRUMB.match(t) and not _BYLINE_PREFIX.match(t):
            lab[i] = _L["nav"]
            det[i] = "rule:breadcrumb"
    setm((words >= 25) & ~endp & (col("inner_sent") == 0) & (col("cap_ratio") >= 0.35) & (col("comma_ratio") == 0)
         & (col("stop_ratio") < 0.25), "nav", "rule:ticker")
    # a page's menu bar is at its top or bottom: the first 3 or the last 5 lines (not a table or a poem
    # in the body, whose lines can look the same)
    edge = (idx - ds < 3) | (de - idx <= 5)
    for i in np.flatnonzero((lab == 0) & ~endp & (lens <= 160.5) & edge).tolist():  # the model misses CJK menus
        t = texts[i]
        if (("  " in t or "\t" in t) and _menu_line(t)) or (_mostly_unspaced(t) and _menu_line(t, True)):
            lab[i] = _L["nav"]
            det[i] = "rule:menu"

    _galleries(texts, words, col("digit_ratio") > 0, ds, de, setm)

    # related-article block headed by an "Other news"-type label: runs until two kept prose lines
    rh = np.flatnonzero(col("related_header") > 0)
    if rh.size:
        # body text again: a kept prose line, or, in a language without a stop-word list (Arabic,
        # Persian, Hindi: no line there looks like "prose"), a kept sentence of 12+ words; a "read
        # also" block in the middle of such an article took the rest of the article with it
        good = (prose | (endp & (words >= 12) & (col("stop_ratio") == 0))) & (p >= threshold)
        pair = np.zeros(n, dtype=bool)
        # A kept sentence right after a good line ends the block too: a teaser list alternates a headline
        # (no final period) with at most one dek sentence, body text runs sentence after sentence (a
        # truncated teaser "... announced only in Ma..." is no sentence; a list intro ending in ':' is).
        # One rule-labelled chrome line of 1-2 words (an ad label) between the two does not part them.
        skip = (lab != 0) & (words <= 2)
        after_good = np.zeros(n, dtype=bool)  # the lines a pair could end at (the text test is per line)
        after_good[1:] = good[:-1]
        after_good[2:] |= good[:-2] & skip[1:-1]
        sent = (endp | (col("end_colon") > 0)) & (words >= 5) & (p >= threshold) & after_good
        for i in np.flatnonzero(sent).tolist():
            sent[i] = not texts[i].rstrip().endswith(("...", "\u2026"))
        pair[:-1] = good[:-1] & (good[1:] | sent[1:]) & same_next[:-1]
        if n > 2:
            pair[:-2] |= (good[:-2] & skip[1:-1] & (good[2:] | sent[2:]) & same_next[:-2] & same_next[1:-1])
        # A body paragraph (40+ words, several sentences) ends the block alone: a dek is one sentence or an
        # excerpt cut off with an ellipsis ("... biased against devs…"). Else a listicle whose paragraphs
        # are parted by product names and shop links went with a "Read More" button above its lead.
        solo = good & (words >= 40) & (col("inner_sent") >= 1)
        for i in np.flatnonzero(solo & f.ellipsis).tolist():  # (only a line with an ellipsis can end in one)
            solo[i] = not texts[i].rstrip().rstrip("]\"”’»").endswith(("...", "\u2026", "[…"))
        pair |= solo
        pair_idx = np.flatnonzero(pair)
        # a notice paragraph (a disclosure, a cookie or sign-up text: promo, 12+ words) is site chrome that
        # parts the teasers above it from the article's header below it, which the block took before
        brk_idx = np.flatnonzero((lab == _L["promo"]) & (words >= 12))
        for i in rh.tolist():
            if lab[i] != 0 and lab[i] != _L["nav"]:
                continue
            # a menu item ("Featured / Popular / Latest"): short lines on both sides head no block
            if (i > ds[i] and i + 1 < de[i] and words[i - 1] <= 2 and words[i + 1] <= 2 and not endp[i - 1]
                    and not endp[i + 1]):
                continue
            lab[i] = _L["related"]
            det[i] = "rule:related_header"
            j = np.searchsorted(pair_idx, i + 1)
            jb = np.searchsorted(brk_idx, i + 1)
            stop = min(int(pair_idx[j]) if j < pair_idx.size else n, int(brk_idx[jb]) if jb < brk_idx.size else n,
                       int(de[i]))
            seg = lab[i + 1:stop] == 0
            lab[i + 1:stop][seg] = _L["related"]
            det[i + 1:stop][seg] = "rule:related_block"

    # pull quotes: a short display line whose text (split at elisions) occurs in a longer body line
    cand = np.flatnonzero((lab == 0) & (words >= 4) & (words <= 35))
    if cand.size:
        ell = np.zeros(n, dtype=bool)
        ell[cand] = f.ellipsis[cand]
        # a display line, or a quotation with its final period ("“A light is a promise.”"): a line of
        # prose that is part of a longer body line is not flagged (a lead repeated as a paragraph)
        disp = ~endp[cand]
        ce = np.flatnonzero(~disp)
        if ce.size:
            disp[ce] = [texts[i].lstrip()[:1] in _QUOTE_OPEN for i in cand[ce].tolist()]
        # a display line of under 6 words is a pull quote only in quote marks: else a subheading that the
        # next paragraph repeats ("Shares for 500 kronor")
        sel = disp & ~ell[cand]
        short = np.flatnonzero(sel & (words[cand] < 6))
        if short.size:
            sel[short] = [texts[i].lstrip()[:1] in _QUOTE_OPEN for i in cand[short].tolist()]
        plain = cand[sel]
        long_ok = (words >= 15) & (lab == 0)
        index = _long_grams(f, long_ok)
        pre = _pull_quote_candidates(f, index, plain)
        ell_items = [(i, _ellipsis_frags(texts[i])) for i in np.flatnonzero(ell).tolist()]
        ell_items = [(i, fr) for i, fr in ell_items if fr and sum(len(x.split()) for x in fr) >= 4]
        frags_of = {i: fr for (i, fr), ok in zip(ell_items, _frags_may_match(f, index, ell_items)) if ok}
        todo = sorted(set(pre) | set(frags_of))
        if todo:
            norms = f.norms
            need = set(todo)
            for i in pre:
                need.update(pre[i])
            body_lines: dict[int, list[int]] = {}  # documents of the elided candidates: all long lines
            for i in frags_of:
                d = int(doc_id[i])
                if d not in body_lines:
                    body_lines[d] = (np.flatnonzero(long_ok[off[d]:off[d + 1]]) + off[d]).tolist()
                    need.update(body_lines[d])
            norms.fill(sorted(need))  # one normalisation pass for every line the checks read
            get = norms.__getitem__
            bodies: dict[int, tuple[str, set]] = {}
            for i in todo:
                if i in pre:  # exact check against the long lines that hold its first 4-gram
                    ln = list(map(get, pre[i]))
                    body_norm, long_set = "".join(ln), set(ln)
                else:
                    d = int(doc_id[i])
                    if d not in bodies:
                        ln = list(map(get, body_lines[d]))
                        bodies[d] = ("".join(ln), set(ln))
                    body_norm, long_set = bodies[d]
                own = get(i)
                frags = frags_of[i] if i in frags_of else [own]
                if all(x in body_norm for x in frags) and body_norm.count(own) <= 1 and own not in long_set:
                    lab[i] = _L["pull_quote"]
                    det[i] = "rule:quote_in_body"
                    j = i + 1
                    if (j < de[i] and lab[j] == 0 and 2 <= words[j] <= 12 and not endp[j]
                            and b[j, _C["stop_ratio"]] <= 0.34):
                        lab[j] = _L["pull_quote"]
                        det[j] = "rule:quote_attribution"

    # credit lines in the header ("Edited by Bo Kim"): with the byline, not a headline nor an author
    cl = np.flatnonzero((lab == 0) & (idx - ds < np.maximum(rs - ds + 3, 8)) & (words <= 12) & ~endp)
    if cl.size:
        cred = np.zeros(n, dtype=bool)
        cred[cl] = [_CREDIT_LINE.match(texts[i]) is not None for i in cl.tolist()]
        setm(cred, "byline", "rule:credit_line")
    # byline / dateline: the first short date line before or at the start of the main region
    pos = idx - ds
    lim = np.minimum(de - ds, np.maximum(rs - ds + 3, 8))  # per line: its document's limit
    inlim = pos < lim
    hasd = (col("has_date") > 0) | ((col("has_time") > 0) & (col("has_year") > 0))
    dateline = hasd & (words <= 14)
    # a longer date line with a label or a short first '|' segment (candidates only: few lines)
    lc = np.flatnonzero(hasd & (words > 14) & (words <= _LONG_DATELINE_WORDS) & (lab == 0))
    if lc.size:
        dateline[lc] = [_long_dateline(" ".join(texts[i].split())) for i in lc.tolist()]
    byl = col("byline_start") > 0

    def datelines_only(m: np.ndarray) -> np.ndarray:
        # a line of code with a date, or a date range, is not a dateline, nor a sentence that mentions a
        # date ("The next meeting is planned for 25 April, the mayor said.") without a label
        if m.size == 0:
            return m
        return m[[_CODE_LIKE.search(texts[i]) is None and not _date_range(texts[i]) and not _version_heading(texts[i])
                  and _ARCHIVE_MONTH.match(texts[i]) is None
                  and _QUOTE_ATTRIBUTION.match(texts[i]) is None
                  and not (endp[i] and words[i] >= 8 and not byl[i] and not _BYLINE_PREFIX.match(texts[i])
                           and not _datelike(texts[i]))
                  for i in m.tolist()]]

    m1 = datelines_only(np.flatnonzero((lab == 0) & inlim & dateline))
    by_doc = _first_per_doc(m1, doc_id[m1], k)
    nob = by_doc < 0
    if nob.any():
        m2 = np.flatnonzero((lab == 0) & inlim & byl & (words <= 12) & nob[doc_id])
        by2 = _first_per_doc(m2, doc_id[m2], k)
        by_doc = np.where(nob, by2, by_doc)
    nob = by_doc < 0
    if nob.any():  # a short line with a CJK date ("山田太郎 2024年3月14日"), which the features do not see
        for i in np.flatnonzero((lab == 0) & inlim & nob[doc_id] & (lens <= 40.5)).tolist():
            d = int(doc_id[i])
            if by_doc[d] < 0 and "年" in texts[i] and _CJK_DATE.search(texts[i]):
                by_doc[d] = i
    nob = by_doc < 0
    if nob.any():  # a Solar Hijri date line ("چهارشنبه ۲۴ آبان ۱۴۰۲ - ۱۰:۳۰"), whose month names the features
        # do not hold either: short, and hardly a word besides the date, or opened by a date label
        for i in np.flatnonzero((lab == 0) & inlim & nob[doc_id] & (lens <= 80.5) & (words <= 14)
                                     & (col("digit_ratio") > 0)).tolist():
            d = int(doc_id[i])
            if by_doc[d] < 0 and _SOLAR_DATE.search(texts[i]) and _datelike(texts[i]):
                by_doc[d] = i
    nob = by_doc < 0
    if nob.any():  # the prose region's estimate can start early, at a long cookie notice or sign-up text above
        # the header: a dateline after the limit still counts up to the first body paragraph
        body = np.flatnonzero(nob[doc_id] & (idx >= rs) & prose & (p >= threshold))
        first_body = _first_per_doc(body, doc_id[body], k)
        m3 = np.flatnonzero((lab == 0) & ~inlim & dateline & nob[doc_id] & (idx < first_body[doc_id]))
        m3 = datelines_only(m3)
        by3 = _first_per_doc(m3, doc_id[m3], k)
        by_doc = np.where(nob, by3, by_doc)
    for d, bi in enumerate(by_doc.tolist()):
        if bi < 0:
            continue
        lab[bi] = _L["byline"]
        det[bi] = "rule:dateline"
        s = " ".join(texts[bi].split())
        meta = metas[d]
        meta.published = parse_datetime(s)
        meta.authors = person_names(parse_authors(s), s)
        if meta.authors and not _BYLINE_PREFIX.match(s):
            # names read from an unprefixed dateline ("November 20, 2019 / 1:07 AM / Harbour News") yield to a
            # "By ..." line right beside it, which names the authors
            for j in (bi - 1, bi + 1):
                if off[d] <= j < off[d + 1] and lab[j] == 0 and words[j] <= 12 and _BYLINE_PREFIX.match(texts[j]):
                    t = " ".join(texts[j].split())
                    if au := person_names(parse_authors(t), t):
                        lab[j] = _L["byline"]
                        det[j] = "rule:author_line"
                        meta.authors = au
                        break
        j = bi - 1
        # a bare name (or names) between the headline and the dateline, with no "By" ("Headline / Ana
        # Lind / 12 March 2024"); the headline right above it, and longer (on the bench pages, a name
        # two lines above the dateline was as often a menu or account line as an author)
        if (not meta.authors and off[d] < j and lab[j] == 0 and words[j] <= 8 and not endp[j]
                and lab[j - 1] in (0, _L["title"]) and words[j - 1] > max(words[j], 3) and not endp[j - 1]):
            t = " ".join(texts[j].split())
            segs = [x for x in _AUTHOR_SPLIT.split(t) if x]
            # (a separator at an end is a breadcrumb's: "NATIONAL /", "› Local")
            if segs and not _BYLINE_PREFIX.match(t) and t[0] not in "/|>»›" and t[-1] not in "/|>»›" \
                    and all(_is_name(x.split()) for x in segs):
                lab[j] = _L["byline"]
                det[j] = "rule:author_line"
                meta.authors = person_names([_strip_outlet(x) for x in segs], t)  # "Ana Lind, Staff Writer": the person
        if not meta.authors:
            for step in (-1, 1):
                j = bi + step
                # a photo credit between the author line and the dateline ("By Ana Lind / Photographs
                # by Bo Kim / June 3, 2023") is stepped over
                while off[d] <= j < off[d + 1] and det[j] == "rule:photo_credit" and abs(j - bi) < 3:
                    j += step
                if not (off[d] <= j < off[d + 1] and lab[j] == 0 and words[j] <= 10):
                    continue
                t = " ".join(texts[j].split())
                # "Author: Ana Lind": a prefix the first-token feature does not know, if a name follows
                au = parse_authors(t) if byl[j] or _BYLINE_PREFIX.match(t) else None
                if byl[j] or au:
                    lab[j] = _L["byline"]
                    det[j] = "rule:author_line"
                    meta.authors = person_names(au or [], t)
        if not meta.authors:
            # a labelled author line further off, still in the page's header: the title between it and
            # the dateline ("[Submitted on 19 Feb 2024] / <title> / Authors: Ana Lind, Bo Kim"); the
            # nearest one to the dateline (a menu item "By Any Means Necessary" sits higher up)
            cand = np.flatnonzero((lab[off[d]:off[d + 1]] == 0) & inlim[off[d]:off[d + 1]]
                                  & (words[off[d]:off[d + 1]] <= 16)) + off[d]
            for j in sorted(cand.tolist(), key=lambda j: (abs(j - bi), j)):
                t = " ".join(texts[j].split())
                if (byl[j] or _BYLINE_PREFIX.match(t)) and (au := person_names(parse_authors(t), t)):
                    lab[j] = _L["byline"]
                    det[j] = "rule:author_line"
                    meta.authors = au
                    break

    # title: headline-like line next to the byline, else the last headline-like line before the body
    headline = (words >= 3) & (words <= 30) & ~endp & (col("starts_lower") == 0) & (col("end_colon") == 0)
    title_doc = np.full(k, -1, dtype=np.int64)
    h4 = headline & (words >= 4)
    # next to the byline block (the dateline and an author line beside it): a line that is itself a
    # date or time ("Updated 3 June 2024, 10:45") is a second dateline, not the headline
    # a "By ..." line is the byline, never the headline ("By Ana Lind | Lake Gazette" is no breadcrumb)
    # (a line that only starts with a byline word is a headline: "Von der Leyen visits ...", "By the
    # numbers: ..."; a byline is short and names someone)
    is_byline = np.zeros(n, dtype=bool)
    bc = np.flatnonzero(byl & headline & (words <= 8))
    if bc.size:
        is_byline[bc] = [bool(parse_authors(" ".join(texts[i].split()))) for i in bc.tolist()]
    h3t = headline & (col("has_date") == 0) & (col("has_time") == 0) & ~is_byline
    h4t = h3t & (words >= 4)
    stop = col("stop_ratio")
    digit = col("digit_ratio")
    plain = col("sep_count") == 0  # no '|', '/', '»', '›', ... (menus, breadcrumbs, "// Press enter")
    for d, bi in enumerate(by_doc.tolist()):
        if bi < 0:
            continue
        a0, a1 = int(off[d]), int(off[d + 1])
        s0, s1 = _byline_block(det, bi, a0, a1)
        lim_t = max(int(f.regions[d, 0]), s1 + 2)
        # a standfirst sentence right above the byline: the headline is above it, before any line below
        # (its full stop: a headline may end in "!" or "?")
        sf = (s0 - 2 >= a0 and lab[s0 - 1] == 0 and endp[s0 - 1] and words[s0 - 1] >= max(8, words[s0 - 2] + 1)
              and h4t[s0 - 2] and plain[s0 - 2] and texts[s0 - 1].rstrip().endswith("."))
        # else lines above the byline before lines below it ("Headline / Section label / By Ana Lind / Share
        # this page"), unless the upper one is a breadcrumb ("News > 2015 > Headline")
        for j in ((s0 - 2, s1 + 1, s1 + 2) if sf else (s0 - 1, s0 - 2, s1 + 1, s1 + 2) if plain[max(s0 - 2, a0)]
                  else (s0 - 1, s1 + 1, s0 - 2, s1 + 2)):
            # a 3-word headline ("Pier Rebuilt Quickly") only directly above an author line: 3-word
            # lines above a bare dateline are mostly labels ("Back to overview", "Staff Reporter")
            if a0 <= j < a1 and lab[j] == 0 and j <= lim_t and (
                    h4t[j] or (j == s0 - 1 and s0 < bi and h3t[j] and plain[j])) and not _SPONSOR_END.search(texts[j]):
                # headline, then a standfirst without a final period, then the byline: the headline
                # comes first and is not longer than its standfirst, which reads like a sentence (more
                # stop words than headlinese: not a score line over a headline), and the headline starts
                # the header (a headline-like line above it too makes a list of links); a 3-word line
                # yields to such a headline above it
                u = j - 1
                if (j == s0 - 1 and u >= a0 and lab[u] == 0 and h4t[u] and plain[u]
                        and _HEAD_START.match(texts[u]) is not None
                        and (words[j] < 4 or (words[u] <= words[j] and stop[j] >= 0.5 and stop[j] > stop[u])
                             or (words[j] >= 12 and 2 * words[j] >= 3 * words[u] and (words[u] >= 6 or digit[u] == 0)))
                        and not (u - 1 >= a0 and lab[u - 1] == 0 and h4t[u - 1])):
                    j = u
                title_doc[d] = j
                break
    need = title_doc < 0
    if need.any():
        fbm = np.flatnonzero((lab == 0) & prose & endp)
        fb = _first_per_doc(fbm, doc_id[fbm], k)
        fb = np.where(fb >= 0, fb, f.regions[:, 0])
        tm = np.flatnonzero((lab == 0) & headline & (words >= 4) & (words <= 25) & (col("bullet") == 0)
                            & (idx < fb[doc_id]) & need[doc_id])
        if tm.size:  # never a dateline ("PUBLISHED: June 3, 2023 at 2:05 PM | UPDATED: ...", a date range)
            tm = tm[[not (dateline[i] and _datelike(texts[i])) and not _is_byline_text(texts[i])
                     and not _SPONSOR_END.search(texts[i]) for i in tm.tolist()]]
        t2 = _last_per_doc(tm, doc_id[tm], k)
        t2 = _title_by_lede(tm, t2, fb, texts, doc_id, lab, prose, de)
        title_doc = np.where(need, t2, title_doc)
    for d, ti in enumerate(title_doc.tolist()):
        meta = metas[d]
        if ti >= 0:
            lab[ti] = _L["title"]
            det[ti] = "rule:headline"
            meta.title = " ".join(texts[ti].split())
            meta.kind = "news"
        elif by_doc[d] >= 0 and meta.published:
            meta.kind = "news"

    # headings with a permalink glyph ("New features#", "Installation¶": a documentation page copied as
    # text), two or more in a document and not a language's name ("C#"): content headings, whatever the
    # model makes of lines far from the densest prose
    gl = np.flatnonzero((lab == 0) & (words <= 12))
    if gl.size:
        gl = gl[[texts[i].rstrip().endswith(("#", "¶")) for i in gl.tolist()]]  # a cheap gate, then the pattern
        gl = gl[[_PERMALINK_HEAD.search(texts[i]) is not None for i in gl.tolist()]]
        gl = gl[np.bincount(doc_id[gl], minlength=k)[doc_id[gl]] >= 2]
        lab[gl] = _L["heading"]
        det[gl] = "rule:permalink_heading"
        # with no headline found, the first of them is the page's title (its <h1>)
        for i in _first_per_doc(gl, doc_id[gl], k).tolist():
            if i >= 0 and title_doc[doc_id[i]] < 0:
                title_doc[doc_id[i]] = i
                lab[i] = _L["title"]
                det[i] = "rule:headline"
                metas[int(doc_id[i])].title = " ".join(texts[i].split()).rstrip("#¶ ")

    # short section labels above the title; repeated short label lines
    tl = title_doc[doc_id]
    setm((idx < tl) & (words <= 4) & ~endp, "nav", "rule:section_label")
    # (but not the headings of a page with an on-page table of contents: it repeats every section heading,
    # and the copies after the title with body text right under them, two or more in a document, are the
    # headings; one such line is a topic label repeated above the body)
    rep = (col("repeat") > 1) & (words <= 4) & ~endp & (lab == 0)
    heads_body = np.zeros(n, dtype=bool)
    heads_body[:-1] = rep[:-1] & (idx[:-1] > tl[:-1]) & prose[1:] & (p[1:] >= threshold) & same_next[:-1]
    hb = np.flatnonzero(heads_body)
    if hb.size:
        heads_body[hb] = np.bincount(doc_id[hb], minlength=k)[doc_id[hb]] >= 2
    setm(rep & ~heads_body, "nav", "rule:repeated_label")
    _byline_teasers(rep & ~heads_body & byl, texts, lab, det, idx > tl, words, endp, hasd, same_next, doc_id)

    # reporting credits in the region are kept (first token gate, then the anchored pattern)
    attrib = np.zeros(n, dtype=bool)
    ac = np.flatnonzero(((f.first_tok_bits >> B_ATTRIB) & 1) > 0)
    if ac.size:
        attrib[ac] = [_ATTRIB_KEEP.match(texts[i].lstrip()) is not None for i in ac.tolist()]

    # related headlines between body paragraphs
    inreg = (idx >= rs) & (idx < re_)
    pb = np.zeros(n, dtype=bool)
    pb[1:] = prose[:-1] & same_next[:-1]
    nbd = np.zeros(n, dtype=bool)
    nbd[:-1] = prose[1:] & same_next[:-1]
    setm(inreg & ~attrib & headline & (words >= 8) & (col("bullet") == 0) & pb & nbd, "related",
         "rule:headline_between_paragraphs")

    # a comment section after the article: its heading ("34 responses to ...", "Comments", "Leave a Reply")
    # and, from there, two or more commenter lines ("Ana Lind on March 3, 2019 at 4:47 pm said:") with the
    # text under each (the HTML path drops comment boxes by their class)
    _comment_sections(texts, f, words, endp, col, lab, det, off, doc_id)

    # teaser cards copied as text: a Title Case headline glued to its summary with no break between them
    # ("Mill Street Bakery Wins The Regional Bread PrizeThe judges praised ..."), two or more near each
    # other (one such line may be a product name: "MacBook")
    gc_ = np.flatnonzero((lab == 0) & (words >= 7) & (p >= threshold))
    if gc_.size > 1:
        gc_ = gc_[[_glued_teaser(texts[i]) for i in gc_.tolist()]]
        if gc_.size > 1:
            near = np.zeros(gc_.size, dtype=bool)
            close = (np.diff(gc_) <= 2) & (doc_id[gc_[1:]] == doc_id[gc_[:-1]])
            near[1:] |= close
            near[:-1] |= close
            gc_ = gc_[near]
            lab[gc_] = _L["related"]
            det[gc_] = "rule:glued_teaser"

    # remaining lines: learned keep score
    rest = lab == 0
    model_drop = np.zeros(n, dtype=bool)
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
        after = idx >= re_
        dl = np.select(
            [idx < rs, after & headline & (words >= 4), has_time & (words <= 6), words <= 6],
            [_L["nav"], _L["related"], np.where(after, _L["related"], _L["nav"]), _L["nav"]],
            _L["not_main_content"],
        )
        lab[drop] = dl[drop]
        model_drop = drop
        _table_rows(texts, doc_id, rest, keep, lab, det)
        # a bare time or date between two entries (a live blog's "16:20") stays chrome
        stamp = ((col("has_time") > 0) | (col("has_date") > 0)) & (words <= 6)
        _kept_between(texts, lab, det, drop & ~stamp, same_next, idx >= rs, p, bul, short_nop)

    lab[lab == 0] = _L["not_main_content"]
    _rescue_empty(lab, det, p, doc_id, k, words, endp, model_drop & ~np.isin(lab, _CONTENT))
    _author_bios(texts, words, lab, det, off, metas)
    labels, details = _LABEL_ARR[lab].tolist(), det.tolist()
    # One object per line and no reference cycles: with the cyclic GC on, allocating them triggers
    # collections that scan every live object (the shard's blocks) and costs more than building them.
    gc_on = gc.isenabled()
    gc.disable()
    try:
        decisions = list(map(Decision, labels, details))
    finally:
        if gc_on:
            gc.enable()
    bounds = off.tolist()
    return [(decisions[bounds[d]:bounds[d + 1]], metas[d]) for d in range(k)]
