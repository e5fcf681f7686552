"""Labelled synthetic corpus with injected duplicates, deterministic from the seed.

    python benchmarks/gen_corpus.py OUT_DIR --docs N --seed S [--html-share 0.2 --gz-share 0.1]

Writes N documents into OUT_DIR/<site>/<number>.{txt,html,txt.gz}: whole-page text dumps, HTML pages
and gzipped dumps of several fake sites, each site with its own chrome (menu and ticker lines, an
"Other news" teaser block with time stamps, footer lines), a title and byline, photo captions and body
paragraphs (15-120 words of seeded pseudo-prose: built-in stop words plus syllable-made words; no
fetched data). Documents are generated in dedup order (source ascending) so every injected copy is
later than its original.

Truth goes to OUT_DIR.truth.jsonl (beside OUT_DIR, not inside it), one JSON object per line:
  {"type": "doc", "source", "format", "labels"}   labels: one character per block (non-blank line of a
      dump / leaf element of an HTML page), in order: n nav, t title, b byline, c caption, r related
      (teaser time stamp), h teaser headline/summary, f footer, p paragraph, H heading
  {"type": "dup", "class", "source", "position", "line", "hash", "orig_source", "orig_position",
      "jaccard"}  class: exact | normalized | near | near_negative | intra | wholedoc
      (wholedoc: position/line/hash are null; near_negative: a near copy with true J < 0.8 that must
      stay; jaccard: true word-5-shingle Jaccard against the original).
Exact/normalised/intra originals have > 25 words so that a copy in 3 documents of one site is not a
template line (those are removed in every copy by design).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from corpusclean.normalize import hash64, normalize  # noqa: E402

STOP = (
    "the of and to in a is that for it as was with be by on not he i this are or his from at which but "
    "have an they you were her she there been one all we their has would when if more no out so said what "
    "up its about into than them can only other new some could time these two may then do first any my now "
    "such like our over man me even most made after also did many before must through back years where much "
    "your way well down should because each just those people how too little state good very make world "
    "still own see men work long get here between both life being under never day same another know while "
    "last might us great old year off come since against go came right used take three"
).split()

SYL = (
    "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge go gu ha he hi ho ka ke ki ko la le li "
    "lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve "
    "vi vo za ze zo an en in on ar er ir or al el il ol as es is os ant ent ist ion ter ver str pl tr gr"
).split()


def make_vocab(n: int = 4000) -> list[str]:
    r = random.Random(424242)
    seen: set[str] = set(STOP)
    out: list[str] = []
    while len(out) < n:
        w = "".join(r.choice(SYL) for _ in range(r.choice((2, 2, 3, 3, 3, 4))))
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


VOCAB = make_vocab()
NV = len(VOCAB)
# Zipf-ish content-word weights
_W = 1.0 / (np.arange(1, NV + 1) ** 0.8)
_CDF = np.cumsum(_W / _W.sum())

MONTHS = "January February March April May June July August September October November December".split()


class Gen:
    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.r = random.Random(seed)
        self._buf: list[str] = []
        self._cur = 0

    def _refill(self) -> None:
        n = 1 << 20
        stop = self.rng.random(n) < 0.42
        si = self.rng.integers(0, len(STOP), n)
        ci = np.minimum(np.searchsorted(_CDF, self.rng.random(n)), NV - 1)
        sw = np.array(STOP, dtype=object)[si]
        cw = np.array(VOCAB, dtype=object)[ci]
        self._buf = np.where(stop, sw, cw).tolist()
        self._cur = 0

    def words(self, n: int) -> list[str]:
        if self._cur + n > len(self._buf):
            self._refill()
        out = self._buf[self._cur : self._cur + n]
        self._cur += n
        return out

    def randint(self, a: int, b: int) -> int:
        return a + int(self.r.random() * (b - a + 1))

    def prose(self, n: int) -> str:
        w = self.words(n)
        rnd = self.r.random
        i = 0
        while i < n:
            w[i] = w[i].capitalize()
            j = min(n, i + 5 + int(rnd() * 18)) - 1
            w[j] = w[j] + ("," if rnd() < 0.05 and j < n - 1 else ".")
            i = j + 1
        return " ".join(w)

    def title(self, lo: int = 5, hi: int = 11) -> str:
        w = self.words(self.randint(lo, hi))
        return " ".join(x.capitalize() if k == 0 or len(x) > 3 else x for k, x in enumerate(w))

    def stamp(self) -> str:
        ri = self.randint
        return f"{ri(0, 23):02d}:{ri(0, 59):02d}, {ri(2015, 2025)}/{ri(1, 12):02d}/{ri(1, 28):02d}"


def shingles(text: str, k: int = 5) -> set:
    w = normalize(text).split()
    if len(w) < k:
        return {tuple(w)}
    return {tuple(w[i : i + k]) for i in range(len(w) - k + 1)}


def jaccard(a: str, b: str) -> float:
    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y) if x or y else 1.0


FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def normal_variant(g: Gen, text: str) -> str:
    """A text that normalises (NFKC + casefold + whitespace) to the same string but differs in bytes."""
    r = g.r
    kind = r.randrange(5)
    if kind == 0:
        out = text.upper()
    elif kind == 1:
        out = text.replace(" ", "  ", r.randint(1, 4)).replace(". ", ".\t ", 1)
    elif kind == 2:
        w = text.split(" ")
        k = r.randrange(len(w))
        w[k] = "".join(FULLWIDTH.get(c, c) for c in w[k])
        out = " ".join(w)
    elif kind == 3:
        out = text.replace("fi", "\ufb01", 2) if "fi" in text else text.replace(" ", "\u00a0", 2)
    else:
        out = text.lower().replace(" ", " \u2009", 1)
    if out == text:
        out = text.upper() if text.upper() != text else text + " "
    return out


def near_variant(g: Gen, text: str, target: float) -> tuple[str, float]:
    """Substitute words until the shingle Jaccard is about `target`; returns (text, true Jaccard).

    m substitutions at least 5 words apart each remove 5 of S shingles and add 5 new ones:
    J = (S - 5m) / (S + 5m), so m = S (1 - t) / (5 (1 + t)); one exact Jaccard check at the end.
    """
    w = text.split(" ")
    n = len(w)
    r = g.r
    S = max(n - 4, 1)
    m = max(1, round(S * (1 - target) / (5 * (1 + target))))
    step = n / m
    if step >= 5:
        pos = [min(n - 1, int(i * step + r.random() * (step - 4))) for i in range(m)]
    else:
        pos = r.sample(range(n), min(n, m))
    new = g.words(len(pos))
    for k, x in zip(pos, new):
        w[k] = x if x != w[k] else x + "s"
    if r.random() < 0.2:  # an insertion now and then
        w.insert(r.randrange(n), g.words(1)[0])
    cand = " ".join(w)
    return cand, jaccard(text, cand)


class Site:
    def __init__(self, g: Gen, idx: int):
        self.name = f"site{idx:02d}"
        self.brand = g.title(1, 2) + " Times"
        self.menu = " / ".join(w.capitalize() for w in g.words(8))
        self.tickers = [g.title(12, 24) for _ in range(3)]
        self.teasers = [(g.title(6, 12), g.prose(g.r.randint(10, 20))) for _ in range(40)]
        self.footer = [f"Copyright {self.brand}. All rights reserved.", g.prose(g.r.randint(8, 14))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--html-share", type=float, default=0.2)
    ap.add_argument("--gz-share", type=float, default=0.1)
    ap.add_argument("--sites", type=int, default=0, help="default: about one site per 500 docs, 4..40")
    a = ap.parse_args(argv)

    g = Gen(a.seed)
    nsites = a.sites or max(4, min(40, a.docs // 500))
    sites = [Site(g, i) for i in range(nsites)]
    # Assign site + format, then generate in source order (the dedup order).
    plan = []
    for i in range(a.docs):
        s = g.r.randrange(nsites)
        u = g.r.random()
        fmt = "html" if u < a.html_share else ("gz" if u < a.html_share + a.gz_share else "txt")
        ext = {"html": ".html", "gz": ".txt.gz", "txt": ".txt"}[fmt]
        plan.append((f"{sites[s].name}/{i:07d}{ext}", s, fmt))
    plan.sort(key=lambda p: p[0].encode())

    out_dir = a.out_dir.rstrip("/")
    for s in sites:
        os.makedirs(os.path.join(out_dir, s.name), exist_ok=True)
    truth = open(out_dir + ".truth.jsonl", "w", encoding="utf-8")

    pool: list[tuple[str, str, int]] = []  # fresh long body paragraphs: (text, source, position)
    near_pool: list[tuple[str, str, int]] = []  # fresh paragraphs never used as a near original
    written: list[tuple[str, str, bytes]] = []  # (source, fmt, bytes) for whole-document copies
    counts: dict[str, int] = {}

    def dup(cls, src, pos, line, text, osrc, opos, jac):
        counts[cls] = counts.get(cls, 0) + 1
        truth.write(json.dumps({"type": "dup", "class": cls, "source": src, "position": pos, "line": line,
                                "hash": hash64(normalize(text)) if text is not None else None,
                                "orig_source": osrc, "orig_position": opos, "jaccard": jac}) + "\n")

    for src, si, fmt in plan:
        site = sites[si]
        r = g.r
        if written and r.random() < 0.01:
            osrc, ofmt, data = written[r.randrange(max(0, len(written) - 2000), len(written))]
            ext = {"html": ".html", "gz": ".txt.gz", "txt": ".txt"}[ofmt]
            src2 = src.rsplit(".", 2 if src.endswith(".txt.gz") else 1)[0] + ext
            with open(os.path.join(out_dir, src2), "wb") as f:
                f.write(data)
            truth.write(json.dumps({"type": "doc", "source": src2, "format": ofmt, "copy_of": osrc}) + "\n")
            dup("wholedoc", src2, None, None, None, osrc, None, 1.0)
            continue

        blocks: list[tuple[str, str]] = []  # (label code, text)
        blocks.append(("n", site.menu))
        blocks.append(("n", r.choice(site.tickers)))
        blocks.append(("t", g.title()))
        blocks.append(("b", f"{g.title(2, 2)} {g.stamp()}"))
        pending: list[tuple[int, object]] = []  # (block index, info) of injected duplicates
        body_idx: list[int] = []
        nwords: dict[int, int] = {}
        npar = g.randint(3, 10)
        for pi in range(npar):
            if pi > 0 and r.random() < 0.12:
                blocks.append(("H", g.title(2, 6)))
            if r.random() < 0.1:
                blocks.append(("c", f"{g.title(4, 9)}. Photo: {g.title(1, 2)}"))
            u = r.random()
            text = None
            info = None
            if u < 0.03 and pool:
                o = pool[r.randrange(len(pool))]
                text, info = o[0], ("exact", o, 1.0)
            elif u < 0.05 and pool:
                o = pool[r.randrange(len(pool))]
                text, info = normal_variant(g, o[0]), ("normalized", o, 1.0)
            elif u < 0.075 and near_pool:
                o = near_pool.pop(r.randrange(len(near_pool)))
                text, jac = near_variant(g, o[0], r.uniform(0.8, 0.97))
                info = ("near" if jac >= 0.8 else "near_negative", o, jac)
            elif u < 0.10 and near_pool:
                o = near_pool.pop(r.randrange(len(near_pool)))
                text, jac = near_variant(g, o[0], r.uniform(0.5, 0.78))
                info = ("near" if jac >= 0.8 else "near_negative", o, jac)
            elif u < 0.115 and body_idx:
                cands = [k for k in body_idx if nwords[k] > 25]
                if cands:
                    k = r.choice(cands)
                    text, info = blocks[k][1], ("intra", k, 1.0)
            if text is None:
                text = g.prose(g.randint(15, 120))
            body_idx.append(len(blocks))
            nwords[len(blocks)] = text.count(" ") + 1
            if info is not None:
                pending.append((len(blocks), info))
            blocks.append(("p", text))
        blocks.append(("h", "Other news"))
        for _ in range(r.randint(2, 4)):
            hl, summ = r.choice(site.teasers)
            blocks.append(("r", g.stamp()))
            blocks.append(("h", hl))
            blocks.append(("h", summ))
        for ft in site.footer:
            blocks.append(("f", ft))

        # Render; position = block ordinal, line = 1-based raw line (dumps) or block ordinal (HTML).
        if fmt == "html":
            parts = ["<!DOCTYPE html>", f"<html><head><meta charset=\"utf-8\"><title>{blocks[2][1]}</title></head><body>", "<div class=\"page\">"]
            tagmap = {"n": "div", "t": "h1", "b": "p", "c": "figcaption", "r": "span", "h": "p", "f": "p",
                      "p": "p", "H": "h2"}
            for code, text in blocks:
                parts.append(f"<{tagmap[code]}>{text}</{tagmap[code]}>")
            parts.append("</div></body></html>")
            data = "\n".join(parts).encode("utf-8")
            lines = list(range(1, len(blocks) + 1))
        else:
            out_lines: list[str] = []
            lines = []
            for code, text in blocks:
                if code in "pH" and out_lines:
                    out_lines.append("")
                out_lines.append(text)
                lines.append(len(out_lines))
            raw = ("\n".join(out_lines) + "\n").encode("utf-8")
            data = gzip.compress(raw, compresslevel=6, mtime=0) if fmt == "gz" else raw
        with open(os.path.join(out_dir, src), "wb") as f:
            f.write(data)
        written.append((src, fmt, data))
        if len(written) > 4000:
            del written[:2000]
        truth.write(json.dumps({"type": "doc", "source": src, "format": fmt,
                                "labels": "".join(c for c, _ in blocks)}) + "\n")
        for k, info in pending:
            cls, o, jac = info
            if cls == "intra":
                dup("intra", src, k, lines[k], blocks[k][1], src, o, 1.0)
            else:
                dup(cls, src, k, lines[k], blocks[k][1], o[1], o[2], round(jac, 4))
        injected = {k for k, _ in pending}
        for k in body_idx:
            if k not in injected and nwords[k] > 25:
                item = (blocks[k][1], src, k)
                pool.append(item)
                near_pool.append(item)
        if len(pool) > 5000:
            del pool[:2500]
        if len(near_pool) > 5000:
            del near_pool[:2500]
    truth.close()
    print(json.dumps({"docs": a.docs, "sites": nsites, "truth": out_dir + ".truth.jsonl", "injected": counts}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
