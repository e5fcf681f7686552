"""Score the WHOLE pipeline (classification, Wikipedia handling, dedup) on the five seeds.

    python benchmarks/pipeline_seeds.py [--gold ../shared/gold]

Runs `run_pipeline` over a copy of seeds/, maps every non-blank line to the row of `paragraphs`
(keep) or `removed` (reason) that holds it, and prints per-label precision/recall/F1, the
keep/remove accuracy over all seed lines, and the `documents` fields (kind, title, authors,
published, language) against seed_documents.jsonl. Gold `duplicate` lines must come out as
`duplicate` here: dedup is part of the pipeline.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.seeds import DEFAULT_GOLD, load_gold, score_lines  # noqa: E402
from corpusclean.pipeline import run_pipeline  # noqa: E402


def pipeline_labels(out: Path) -> tuple[dict[str, dict[int, tuple[str, bool]]], dict[str, dict]]:
    docs = {d["doc_id"]: d for d in pq.read_table(out / "documents").to_pylist()}
    by_line: dict[str, dict[int, tuple[str, bool]]] = {d["source"]: {} for d in docs.values()}
    for r in pq.read_table(out / "paragraphs").to_pylist():
        for ln in range(r["raw_start"], r["raw_end"] + 1):
            by_line[docs[r["doc_id"]]["source"]][ln] = (r["kind"], True)
    for r in pq.read_table(out / "removed").to_pylist():
        for ln in range(r["raw_start"], r["raw_end"] + 1):
            by_line[docs[r["doc_id"]]["source"]][ln] = (r["reason"], False)
    return by_line, {d["source"]: d for d in docs.values()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default=str(ROOT / "seeds"))
    ap.add_argument("--gold", default=str(DEFAULT_GOLD))
    a = ap.parse_args(argv)
    gold_lines, gold_docs = load_gold(Path(a.gold))
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        shutil.copytree(a.seeds, raw)
        run_pipeline(str(raw), str(Path(tmp) / "out"))
        by_line, docs = pipeline_labels(Path(tmp) / "out")
    pred = {src: [by_line[src].get(g["line"], ("<missing>", False)) for g in rows] for src, rows in gold_lines.items()}
    res = score_lines(pred, gold_lines, duplicate_is_keep=False)
    print(f"{'label':<12} {'support':>7} {'pred':>5} {'P':>6} {'R':>6} {'F1':>6}")
    for lab, m in sorted(res["labels"].items(), key=lambda kv: -kv[1]["support"]):
        print(f"{lab:<12} {m['support']:>7} {m['predicted']:>5} {m['p']:>6.3f} {m['r']:>6.3f} {m['f1']:>6.3f}")
    print(f"keep/remove accuracy over {res['lines']} non-blank seed lines: {res['keep_accuracy']:.4f}")
    ok = total = 0
    print("\ndocuments vs seed_documents.jsonl")
    for src, g in sorted(gold_docs.items()):
        d = docs[src]
        got = {"kind": d["kind"], "title": d["title"], "authors": list(d["authors"] or []),
               "published": d["published"].strftime("%Y-%m-%dT%H:%M") if d["published"] else None,
               "language": d["language"]}
        for k in ("kind", "title", "authors", "published", "language"):
            if k == "kind" and g[k] is None:
                continue
            total += 1
            same = got[k] == g[k]
            ok += same
            if not same:
                print(f"  {src} {k}: got {got[k]!r}, gold {g[k]!r}")
    print(f"  {ok}/{total} document fields agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
