"""Cost of the text-dump boilerplate classifier per line, over every bench text dump.

    python benchmarks/boilerplate_speed.py [--bench ../shared/bench/boilerplate] [--repeats 3] [--shard 0]
                                           [--per-doc] [--json out.json]

Reads and splits all dumps first (not timed), then times, in CPU seconds of this process
(`time.process_time`, one thread), the median of `--repeats` rounds of the batch API the pipeline's
shard code calls (`classify_dumps`, shards of `--shard` documents; 0 = all bench documents in one shard):

* features: `batch_features` for every shard;
* model:    the shipped numpy tree ensemble on those feature matrices;
* total:    `classify_dumps` end to end (features + model + rule pass + Decision objects);
* rules:    total - features - model.

`--per-doc` also times `classify_dump` one document at a time (a batch of one each).
Rounds run round-robin (features, model, total, features, ...) so a neighbour's load spreads evenly.
Also checks that lightgbm and scikit-learn were not imported by the runtime.
"""


from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from pathlib import Path

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpusclean.blocks import split_lines  # noqa: E402
from corpusclean.boilerplate import _default_model, classify_dump, classify_dumps  # noqa: E402
from corpusclean.features import batch_features  # noqa: E402

DEFAULT_BENCH = ROOT.parent / "shared" / "bench" / "boilerplate"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=str(DEFAULT_BENCH))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json")
    ap.add_argument("--shard", type=int, default=0, help="documents per classify_dumps call (0: all)")
    ap.add_argument("--per-doc", action="store_true", help="also time classify_dump per document")
    a = ap.parse_args(argv)
    bench = Path(a.bench)
    with open(bench / "manifest.csv", newline="", encoding="utf-8") as fh:
        ids = [r["id"] for r in csv.DictReader(fh)]
    docs = [split_lines((bench / "text" / f"{i}.txt").read_text("utf-8")) for i in ids]
    texts = [[b.text for b in d] for d in docs]
    n_lines = sum(len(d) for d in docs)
    n_chars = sum(len(t) for d in texts for t in d)
    model = _default_model()
    classify_dump(docs[0])  # warm-up: lookup tables, stop lists, model file
    sz = a.shard if a.shard > 0 else len(docs)
    shards = [docs[i:i + sz] for i in range(0, len(docs), sz)]
    tshards = [texts[i:i + sz] for i in range(0, len(texts), sz)]
    feats = [batch_features(t) for t in tshards]

    def t_features():
        for t in tshards:
            batch_features(t)

    def t_model():
        for f in feats:
            if f.X.shape[0]:
                model.predict(f.X)

    def t_total():
        for s in shards:
            classify_dumps(s)

    def t_per_doc():
        for d in docs:
            classify_dump(d)

    cases = [("features", t_features), ("model", t_model), ("total", t_total)]
    if a.per_doc:
        cases.append(("per_doc", t_per_doc))
    res: dict[str, list[float]] = {name: [] for name, _ in cases}
    for _ in range(a.repeats):
        for name, fn in cases:
            t0 = time.process_time()
            fn()
            res[name].append(time.process_time() - t0)
    med = {k: statistics.median(v) for k, v in res.items()}
    med["rules"] = max(med["total"] - med["features"] - med["model"], 0.0)
    us = {k: v / n_lines * 1e6 for k, v in med.items()}
    print(f"{len(docs)} documents, {n_lines} lines, {n_chars / 1e6:.2f} M chars; CPU time, median of {a.repeats}; "
          f"classify_dumps shards of {sz} documents ({len(shards)} calls)")
    for k in ("features", "model", "rules", "total") + (("per_doc",) if a.per_doc else ()):
        spread = ""
        if k in res:
            spread = f"  (rounds: {', '.join(f'{x / n_lines * 1e6:.1f}' for x in res[k])})"
        print(f"  {k:<9} {us[k]:6.2f} us/line{spread}")
    print(f"  model: {model.n_trees} trees, max depth {model.max_depth}")
    heavy = [m for m in ("lightgbm", "sklearn") if m in sys.modules]
    print("  runtime imported lightgbm/scikit-learn:", ", ".join(heavy) if heavy else "no")
    if a.json:
        Path(a.json).write_text(json.dumps({"us_per_line": us, "rounds_s": res, "lines": n_lines,
                                            "documents": len(docs), "heavy_imports": heavy}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
