"""Two runs (half the corpus, then all of it) against one run over all of it: same tables?

    python benchmarks/incremental.py [--docs 20000] [--seed 1] [--processes 2] [--workdir DIR]

Generates a corpus with benchmarks/gen_corpus.py, copies the first half of its files (in sorted
order) into a growing raw/ folder, runs the flow, copies the rest in, runs again into the same
output folder (the first run's shards come from the cache; cross-document dedup must still find
duplicates of paragraphs in files the second run did not reprocess), then runs once over the whole
corpus into a fresh folder, and compares every table row by row (`run_id` aside).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TABLES = ("documents", "paragraphs", "removed", "citations", "rejects")


def flow(raw: Path, out: Path, processes: int) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flows.ingest", "--raw", str(raw), "--out", str(out), "--quiet",
                    "--no-progress", "--processes", str(processes)], cwd=ROOT, check=True)
    return time.perf_counter() - t


def rows(out: Path, name: str):
    import pyarrow.parquet as pq

    t = pq.read_table(out / name)
    if "run_id" in t.column_names:
        t = t.drop_columns(["run_id"])
    keys = [k for k in ("doc_id", "position", "ref_number", "source") if k in t.column_names][:2]
    return t.sort_by([(k, "ascending") for k in keys])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--workdir")
    a = ap.parse_args(argv)
    work = Path(a.workdir or tempfile.mkdtemp(prefix="incremental-"))
    corpus = work / "corpus"
    if not corpus.exists():
        from benchmarks import gen_corpus

        gen_corpus.main([str(corpus), "--docs", str(a.docs), "--seed", str(a.seed)])
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    raw = work / "raw"
    shutil.rmtree(raw, ignore_errors=True)

    def copy(subset):
        for p in subset:
            dest = raw / p.relative_to(corpus)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, dest)

    half = len(files) // 2
    copy(files[:half])
    out, full = work / "out", work / "full"
    for d in (out, full):
        shutil.rmtree(d, ignore_errors=True)
    t1 = flow(raw, out, a.processes)
    copy(files[half:])
    t2 = flow(raw, out, a.processes)
    t3 = flow(corpus, full, a.processes)
    import pyarrow.parquet as pq

    run = pq.read_table(out / "runs").to_pylist()[-1]
    print(f"{len(files)} files: first run (half) {t1:.1f}s; second run (all) {t2:.1f}s with "
          f"{run['shards_cached']} of {run['shards_total']} shards from the cache; one run over all {t3:.1f}s")
    same = True
    for name in TABLES:
        eq = rows(out, name).equals(rows(full, name))
        same &= eq
        print(f"  {name:<10} {pq.read_table(out / name).num_rows:>9} rows  equal to one run: {eq}")
    dup = pq.read_table(out / "removed", filters=[("reason", "=", "duplicate")]).num_rows
    print(f"  duplicates found: {dup}")
    print("TWO RUNS EQUAL ONE RUN" if same else "DIFFERENT")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
