"""Citation benchmarks: reference lines, wikitext templates, the seed article, whole articles.

    python benchmarks/citations.py [--only refs,wikitext,seed,articles] [--keep DIR]

Predictions are written as JSONL to a temp dir and scored by the official
../shared/bench/citations/score.py (subprocess), whose tables are printed as they come.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


SHARED = (ROOT / ".." / "shared").resolve()
if not SHARED.exists():
    SHARED = Path("/work/shared")
BENCH = SHARED / "bench" / "citations"
SCORE = BENCH / "score.py"
FIELDS_WT = "authors,title,work,publisher,date,access_date,via,language,identifiers"


def _row(c, **extra) -> dict:
    d = dataclasses.asdict(c)
    d.update(extra)
    return d


def _jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def _score(args: list[str]) -> None:
    out = subprocess.run([sys.executable, str(SCORE), *args], capture_output=True, text=True)
    print(out.stdout.rstrip())
    if out.returncode:
        print(out.stderr, file=sys.stderr)


def bench_refs(tmp: Path) -> None:
    from corpusclean.citations import parse_reference_lines

    rows = [json.loads(x) for x in open(BENCH / "references.jsonl", encoding="utf-8")]
    t0 = time.perf_counter()
    preds = []
    by_source: dict[str, list[str]] = {}
    for r in rows:  # whole reference lists, as analyse_dump sees them
        by_source.setdefault(r["source"], []).append(r["raw"])
    for lines in by_source.values():
        preds.extend(_row(c) for c in parse_reference_lines(lines) if c is not None)
    dt = time.perf_counter() - t0
    print(f"\n# (a) references.jsonl: parsed {len(preds)}/{len(rows)} lines in {dt * 1000:.0f} ms")
    p = tmp / "refs.jsonl"
    _jsonl(p, preds)
    _score(["--pred", str(p), "--by", "kind", "--json", str(tmp / "refs_summary.json")])


def bench_wikitext(tmp: Path) -> None:
    from corpusclean.wikitext import citation_from_template

    rows = [json.loads(x) for x in open(BENCH / "wikitext.jsonl", encoding="utf-8")]
    preds = []
    for r in rows:
        c = citation_from_template(r["wikitext"])
        if c is None:
            continue
        preds.append(_row(c, source=r["source"], ref_number=r["ref_number"]))
    print(f"\n# (b) wikitext.jsonl: mapped {len(preds)}/{len(rows)} templates")
    p = tmp / "wikitext.jsonl"
    _jsonl(p, preds)
    _score(["--gold", str(BENCH / "wikitext.jsonl"), "--pred", str(p), "--key", "source,ref_number",
            "--all-rows", "--fields", FIELDS_WT])


def bench_seed() -> None:
    from corpusclean.blocks import split_lines
    from corpusclean.wikipedia import analyse_dump

    seeds = ROOT / "seeds"
    if not seeds.exists():
        seeds = SHARED / "seeds"
    gold_c = [json.loads(x) for x in open(SHARED / "gold" / "seed_citations.jsonl", encoding="utf-8")]
    gold_l = [json.loads(x) for x in open(SHARED / "gold" / "seed_lines.jsonl", encoding="utf-8")]
    src = gold_c[0]["source"]
    blocks = split_lines((seeds / src).read_text(encoding="utf-8"))
    decisions, cits, meta = analyse_dump(blocks)
    by_num = {c.ref_number: c for c in cits}
    fields = [k for k in gold_c[0] if k not in ("source", "raw")]
    agree = {f: 0 for f in fields}
    full = 0
    for g in gold_c:
        c = by_num.get(g["ref_number"])
        ok = True
        for f in fields:
            v = getattr(c, f, None) if c else None
            if v == g[f]:
                agree[f] += 1
            else:
                ok = False
                print(f"  ref {g['ref_number']} {f}: got {v!r} want {g[f]!r}")
        full += ok
    print(f"\n# (c) seed {src}: {full}/{len(gold_c)} citations fully right")
    print("  per field: " + " ".join(f"{f}={agree[f]}/{len(gold_c)}" for f in fields))
    want = {"body": ("paragraph", "list_item"), "heading": ("heading",)}
    line_dec = {b.raw_start: d for b, d in zip(blocks, decisions)}
    rows = [g for g in gold_l if g["source"] == src]
    right = 0
    for g in rows:
        d = line_dec.get(g["line"])
        ok = d is not None and d.label in want.get(g["label"], (g["label"],))
        if ok and g["label"] == "heading":
            ok = "[edit]" not in (d.text or "")
        right += ok
        if not ok:
            print(f"  line {g['line']}: got {d.label if d else None} want {g['label']}: {g['text'][:60]}")
    print(f"  lines labelled right: {right}/{len(rows)}; title={meta.title!r} kind={meta.kind}")


def bench_articles() -> None:
    from corpusclean.blocks import split_lines
    from corpusclean.wikipedia import analyse_dump

    print("\n# (d) whole articles vs marker maps")
    for txt in sorted((BENCH / "articles").glob("*.txt")):
        markers = [json.loads(x) for x in open(txt.with_suffix(".markers.jsonl"), encoding="utf-8")]
        blocks = split_lines(txt.read_text(encoding="utf-8"))
        decisions, cits, meta = analyse_dump(blocks)
        by_line = {b.raw_start: d for b, d in zip(blocks, decisions)}
        tp = fp = fn = 0
        refs = landed = kept_refs = 0
        cited_nums = {c.ref_number for c in cits}
        for m in markers:
            d = by_line.get(m["line"])
            if m["kind"] == "reference":
                refs += 1
                landed += d is not None and d.label == "references" and m["ref_number"] in cited_nums
                kept_refs += d is not None and d.keep
                continue
            gold = set(m["cites"])
            pred = set(d.cites) if d is not None and d.keep else set()
            tp += len(gold & pred)
            fp += len(pred - gold)
            fn += len(gold - pred)
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        print(f"  {txt.stem}: cites P={p:.3f} R={r:.3f} (tp={tp} fp={fp} fn={fn}); "
              f"references in citations {landed}/{refs}, kept as text {kept_refs}; title={meta.title!r}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="refs,wikitext,seed,articles")
    ap.add_argument("--keep", type=Path, default=None, help="write predictions here instead of a temp dir")
    a = ap.parse_args(argv)
    parts = set(a.only.split(","))
    with tempfile.TemporaryDirectory() as td:
        tmp = a.keep or Path(td)
        tmp.mkdir(parents=True, exist_ok=True)
        if "refs" in parts:
            bench_refs(tmp)
        if "wikitext" in parts:
            bench_wikitext(tmp)
        if "seed" in parts:
            bench_seed()
        if "articles" in parts:
            bench_articles()
    return 0


if __name__ == "__main__":
    sys.exit(main())
