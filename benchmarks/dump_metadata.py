"""How well text-dump metadata agrees with the same page's HTML metadata, over the boilerplate bench.

    python benchmarks/dump_metadata.py [--bench ../shared/bench/boilerplate] [--list]

The bench has no metadata truth. Each page is there twice, though: as HTML, whose title, authors and date
come from the page's own markup (`<meta>`, JSON-LD, `<title>`, its byline block: `html_blocks`), and as a
whole-page text dump, where `classify_dump` must find them among the lines. The HTML side is taken as the
reference, which makes this a proxy: the HTML title can carry the site's name, and its tags can be missing
or wrong. Per field, over the pages where the HTML side has a value:

* title:     agrees when the word sets overlap by half (Jaccard >= 0.5) or the dump's words are all in the
             HTML title; "none" when the dump found no title;
* authors:   agrees when a dump author shares a word of 3+ letters with an HTML author;
* published: agrees when the day is the same.

`--list` prints every page where a field disagrees.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpusclean.blocks import split_lines  # noqa: E402
from corpusclean.boilerplate import classify_dumps  # noqa: E402
from corpusclean.html import html_blocks  # noqa: E402

_WORD = re.compile(r"\w+")


def _words(s: str | None) -> set[str]:
    return set(_WORD.findall((s or "").lower()))


def _title_ok(dump: str | None, html: str) -> bool:
    a, b = _words(html), _words(dump)
    return bool(b) and (len(a & b) / len(a | b) >= 0.5 or b <= a)


def _authors_ok(dump: list[str], html: list[str]) -> bool:
    hw = {w for a in html for w in _words(a) if len(w) >= 3}
    return any(w in hw for a in dump for w in _words(a) if len(w) >= 3)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench", default=str(ROOT.parent / "shared" / "bench" / "boilerplate"))
    ap.add_argument("--list", action="store_true", help="print the pages where a field disagrees")
    a = ap.parse_args(argv)
    bench = Path(a.bench)
    ids = sorted(p.stem for p in (bench / "text").glob("*.txt"))
    docs = [split_lines((bench / "text" / f"{i}.txt").read_text(encoding="utf-8")) for i in ids]
    dump_meta = [m for _, m in classify_dumps(docs)]
    counts = {f: {"agree": 0, "disagree": 0, "none": 0} for f in ("title", "authors", "published")}
    for pid, dm in zip(ids, dump_meta):
        raw = gzip.decompress((bench / "html" / f"{pid}.html.gz").read_bytes())
        try:
            _, _, hm = html_blocks(raw.decode("utf-8", "replace"))
        except ValueError:
            continue
        pairs = (("title", dm.title, hm.title, _title_ok),
                 ("authors", dm.authors, hm.authors, _authors_ok),
                 ("published", dm.published, hm.published, lambda d, h: d[:10] == h[:10]))
        for field, d, h, ok in pairs:
            if not h:
                continue
            verdict = "none" if not d else "agree" if ok(d, h) else "disagree"
            counts[field][verdict] += 1
            if a.list and verdict != "agree":
                print(f"{pid[:48]:48s} {field:9s} {verdict:8s} dump={d!r:.70} html={h!r:.70}")
    print("| field | pages with an HTML value | dump agrees | dump disagrees | dump has none |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for field, c in counts.items():
        n = sum(c.values())
        print(f"| {field} | {n} | {c['agree']} ({c['agree'] / max(n, 1):.0%}) | {c['disagree']} | {c['none']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
