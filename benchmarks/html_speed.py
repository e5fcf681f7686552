"""Throughput of corpusclean.html.html_blocks against bare trafilatura.extract on the bench pages.

    python benchmarks/html_speed.py [--bench /work/shared/bench/boilerplate] [--rounds 2] [--limit N]
    python benchmarks/html_speed.py --corpus /tmp/h2k   # every *.html / *.html.gz under a directory

Both run in this process, one page at a time, interleaved per page (so a neighbour's load hits
both alike), timed in CPU seconds (time.process_time). Cases:
  trafilatura   trafilatura.extract(html, include_comments=False)  (the reference)
  ours          html_blocks(html, HtmlConfig())  (one parse + block walk + extraction on that tree +
                mapping + rules + cheap metadata + htmldate when the page declares no date)
  ours-nodate   the same without the htmldate fallback
  ours-nometa   the same without any metadata (title rule then sees no title)
  ours-fast     html_blocks with HtmlConfig(fast=True)   (trafilatura without its fallback extractors)
  ours-nofast   html_blocks with HtmlConfig(fast=False)
Prints pages/s, MB/s (decoded HTML, UTF-8 bytes) and the ratio ours / trafilatura.

    python benchmarks/html_speed.py --score OUTDIR

instead writes OUTDIR/ours/<id>.txt (kept blocks joined by newlines) and
OUTDIR/trafilatura/<id>.txt (extract(html, include_comments=False)) and runs the bench's
score.py (ROUGE) on both, so quality is compared in one run.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura  # noqa: E402

from corpusclean import html as H  # noqa: E402
from corpusclean.config import HtmlConfig  # noqa: E402


def decode(b: bytes) -> str:
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = re.search(rb'<meta[^>]+charset=["\']?([A-Za-z0-9_-]+)', b[:4096], re.I)
    if m:
        try:
            return b.decode(m.group(1).decode())
        except (LookupError, UnicodeDecodeError):
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(b).best()
    return str(best) if best else b.decode("utf-8", "replace")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default="/work/shared/bench/boilerplate")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--corpus", metavar="DIR", help="time the *.html(.gz) files under DIR instead of the bench pages")
    ap.add_argument("--cases", default="trafilatura,ours,ours-nodate,ours-nometa")
    ap.add_argument("--score", metavar="OUTDIR", help="write predictions of both and score them instead")
    args = ap.parse_args()
    if args.corpus:
        files = sorted(p for p in Path(args.corpus).rglob("*") if p.name.endswith((".html", ".html.gz")))
    else:
        files = sorted(Path(args.bench, "html").glob("*.html.gz"))
    if args.limit:
        files = files[: args.limit]
    pages = [decode(gzip.decompress(f.read_bytes()) if f.name.endswith(".gz") else f.read_bytes()) for f in files]
    mb = sum(len(p.encode("utf-8")) for p in pages) / 1e6
    cfg = HtmlConfig()
    real_meta = H._metadata
    if args.score:
        score(args, files, pages, cfg)
        return

    def ours(h):
        H.html_blocks(h, cfg)

    def ours_nodate(h):
        H._metadata = lambda tree, raw, extract_date: real_meta(tree, raw, None)
        try:
            H.html_blocks(h, cfg)
        finally:
            H._metadata = real_meta

    def ours_nometa(h):
        H._metadata = lambda tree, raw, extract_date: H.Metadata()
        try:
            H.html_blocks(h, cfg)
        finally:
            H._metadata = real_meta

    funcs = {
        "trafilatura": lambda h: trafilatura.extract(h, include_comments=False),
        "ours": ours,
        "ours-nodate": ours_nodate,
        "ours-nometa": ours_nometa,
        "ours-fast": lambda h, c=dataclasses.replace(cfg, fast=True): H.html_blocks(h, c),
        "ours-nofast": lambda h, c=dataclasses.replace(cfg, fast=False): H.html_blocks(h, c),
    }
    cases = [c for c in args.cases.split(",") if c]
    tot = {c: 0.0 for c in cases}
    for _ in range(args.rounds):
        for h in pages:
            for c in cases:
                t0 = time.process_time()
                funcs[c](h)
                tot[c] += time.process_time() - t0
    n = len(pages) * args.rounds
    ref = tot.get("trafilatura")
    print(f"{len(pages)} pages, {mb:.1f} MB decoded HTML, {args.rounds} round(s), CPU seconds")
    print("| case | CPU s | pages/s | MB/s | throughput ratio vs trafilatura |")
    print("|---|---:|---:|---:|---:|")
    for c in cases:
        ratio = f"{ref / tot[c]:.3f}" if ref else "-"
        print(f"| {c} | {tot[c]:.2f} | {n / tot[c]:.1f} | {mb * args.rounds / tot[c]:.2f} | {ratio} |")


def score(args, files, pages, cfg) -> None:
    import subprocess

    out = Path(args.score)
    for sub in ("ours", "trafilatura"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    for f, h in zip(files, pages):
        pid = f.name.split(".", 1)[0]
        try:
            blocks, decisions, _ = H.html_blocks(h, cfg)
            text = "\n".join(d.text if d.text is not None else b.text for b, d in zip(blocks, decisions) if d.keep)
        except ValueError as err:  # would be a reject row in the pipeline
            print(f"{pid}: rejected: {err}", file=sys.stderr)
            text = ""
        (out / "ours" / f"{pid}.txt").write_text(text, encoding="utf-8")
        base = trafilatura.extract(h, include_comments=False) or ""
        (out / "trafilatura" / f"{pid}.txt").write_text(base, encoding="utf-8")
    scorer = Path(args.bench, "score.py")
    for sub in ("trafilatura", "ours"):
        print(f"## {sub}")
        r = subprocess.run([sys.executable, str(scorer), str(out / sub), "--mode", "html", "--metrics", "rouge",
                            "--per-page", str(out / f"{sub}-pages.csv")], capture_output=True, text=True)
        print(r.stdout + r.stderr)


if __name__ == "__main__":
    main()
