"""Compare our text-dump decisions on the seed documents with the gold labels.

    python benchmarks/seeds.py [--seeds seeds] [--gold ../shared/gold]

Runs split_lines + classify_dump on seeds 000, 001, 002, 004 (003 is Wikipedia, routed elsewhere) and
prints per-label precision/recall/F1, keep-decision accuracy and the Metadata against
seed_documents.jsonl. Gold "duplicate" lines count as keep=True here, because paragraph dedup happens in a
later stage. `score_lines({source: [(label, keep), ...]}, gold)` is importable so the full pipeline can be
scored the same way.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_SEEDS = ROOT / "seeds"
DEFAULT_GOLD = ROOT.parent / "shared" / "gold"
TEXT_SEEDS = ("000", "001", "002", "004")
KEEP_GOLD = {"body", "heading"}


def load_gold(gold_dir: Path) -> tuple[dict[str, list[dict]], dict[str, dict]]:
    lines: dict[str, list[dict]] = {}
    for ln in open(gold_dir / "seed_lines.jsonl", encoding="utf-8"):
        r = json.loads(ln)
        lines.setdefault(r["source"], []).append(r)
    docs = {}
    for ln in open(gold_dir / "seed_documents.jsonl", encoding="utf-8"):
        r = json.loads(ln)
        docs[r["source"]] = r
    return lines, docs


def _map_label(ours: str) -> str:
    """Our kept kinds map to the gold's body/heading vocabulary."""
    return {"paragraph": "body", "list_item": "body"}.get(ours, ours)


def score_lines(pred: dict[str, list[tuple[str, bool]]], gold_lines: dict[str, list[dict]],
                duplicate_is_keep: bool = True) -> dict:
    """pred: {source: [(label, keep), ...]} parallel to the gold rows of that source (non-blank lines).
    Returns per-label precision/recall/F1/support and keep accuracy."""
    tp, fp, fn, support = Counter(), Counter(), Counter(), Counter()
    keep_ok = keep_n = 0
    for src, rows in pred.items():
        g = gold_lines[src]
        if len(g) != len(rows):
            raise ValueError(f"{src}: {len(rows)} predictions for {len(g)} gold lines")
        for (lab, keep), gr in zip(rows, g):
            gl = gr["label"]
            gkeep = gr["keep"] or (duplicate_is_keep and gl == "duplicate")
            keep_n += 1
            keep_ok += bool(keep) == bool(gkeep)
            pl = _map_label(lab)
            if gl == "heading" and pl == "body":  # kept either way; count as body/heading agreement
                pl = "heading"
            if gl == "duplicate" and duplicate_is_keep and keep:
                pl = "duplicate"
            support[gl] += 1
            if pl == gl:
                tp[gl] += 1
            else:
                fp[pl] += 1
                fn[gl] += 1
    per = {}
    for lab in sorted(set(support) | set(fp)):
        p = tp[lab] / (tp[lab] + fp[lab]) if tp[lab] + fp[lab] else 0.0
        r = tp[lab] / support[lab] if support[lab] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per[lab] = {"p": p, "r": r, "f1": f, "support": support[lab], "predicted": tp[lab] + fp[lab]}
    return {"labels": per, "keep_accuracy": keep_ok / keep_n if keep_n else 0.0, "lines": keep_n}


def run_text_seeds(seeds_dir: Path, gold_lines: dict[str, list[dict]]):
    from corpusclean.blocks import split_lines
    from corpusclean.boilerplate import classify_dump

    pred, metas, details = {}, {}, {}
    for src in sorted(gold_lines):
        if src[:3] not in TEXT_SEEDS:
            continue
        blocks = split_lines((seeds_dir / src).read_text("utf-8"))
        decisions, meta = classify_dump(blocks)
        pred[src] = [(d.label, d.keep) for d in decisions]
        metas[src] = meta
        details[src] = [(b.raw_start, d.label, d.detail, b.text.strip()) for b, d in zip(blocks, decisions)]
    return pred, metas, details


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default=str(DEFAULT_SEEDS))
    ap.add_argument("--gold", default=str(DEFAULT_GOLD))
    ap.add_argument("-v", "--verbose", action="store_true", help="list the lines we got wrong")
    a = ap.parse_args(argv)
    gold_lines, gold_docs = load_gold(Path(a.gold))
    pred, metas, details = run_text_seeds(Path(a.seeds), gold_lines)
    res = score_lines(pred, gold_lines)
    print("seeds", ", ".join(sorted(pred)), "(003 = Wikipedia, skipped)")
    print("note: gold 'duplicate' lines count as keep=True (dedup is a later stage)\n")
    print(f"{'label':<12} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5} {'pred':>5}")
    for lab, v in res["labels"].items():
        print(f"{lab:<12} {v['p']:6.3f} {v['r']:6.3f} {v['f1']:6.3f} {v['support']:5d} {v['predicted']:5d}")
    print(f"\nkeep-decision accuracy: {res['keep_accuracy']:.4f} over {res['lines']} lines")
    print("\nmetadata (ours vs gold):")
    ok = tot = 0
    for src, m in metas.items():
        g = gold_docs.get(src, {})
        for fld in ("title", "authors", "published", "kind"):
            gv, ov = g.get(fld), getattr(m, fld)
            if fld == "kind" and gv is None:
                continue
            if fld == "authors":
                gv = gv or []
            tot += 1
            ok += gv == ov
            mark = "ok " if gv == ov else "BAD"
            print(f"  {mark} {src[:3]} {fld:<9} ours={ov!r} gold={gv!r}")
    print(f"metadata fields correct: {ok}/{tot}")
    if a.verbose:
        print("\nwrong lines:")
        for src, rows in details.items():
            for (ln, lab, det, text), gr in zip(rows, gold_lines[src]):
                gl = gr["label"]
                pl = _map_label(lab)
                good = pl == gl or (gl in ("body", "heading", "duplicate") and lab in ("paragraph", "heading", "list_item"))
                if not good:
                    print(f"  {src[:3]}:{ln} gold={gl} ours={lab} ({det}) {text[:70]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
