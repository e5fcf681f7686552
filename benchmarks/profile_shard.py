"""CPU profile of the whole pipeline in one process, by stage, and an output-identity check.

    python benchmarks/profile_shard.py CORPUS [--repeats 3] [--cprofile 25] [--against ROOT]

Runs `run_pipeline(CORPUS, tmp)` `--repeats` times in this process and prints the median CPU
seconds (time.process_time) of the run and of its stages (shard read / clean / keys / write,
dedup, finalize), plus one breakdown of `_stage_and_keys` and `build_keys`, which the run's own
stage timings do not separate. `--cprofile N` adds a cProfile of one run (top N by own time).

`--against ROOT` runs the same pipeline with the corpusclean package found under ROOT (e.g. an
unmodified copy) in a subprocess and compares: the staged shard tables by value, the final
`paragraphs` / `removed` / `citations` files byte for byte, and `documents` / `rejects` by value
(their `run_id` differs per run). A speed change must print "identical".

CORPUS: e.g. `python benchmarks/gen_corpus.py /tmp/c2k --docs 2000 --seed 3`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def digests(out: Path) -> dict[str, str]:
    """Per-file digests of a finished run's staged shards and final tables (see module doc)."""
    import pyarrow.parquet as pq

    d: dict[str, str] = {}
    for s in sorted((out / ".cache" / "shards").iterdir()):
        files = json.loads((s / "_SUCCESS").read_text())["files"]
        k = hashlib.sha256("\n".join(files).encode()).hexdigest()[:10]  # shard keys differ with the code
        for f in sorted(s.glob("*.parquet")):  # by value: the cache's compression may change
            d[f"staged/{k}/{f.name}"] = hashlib.sha256(repr(pq.read_table(f).to_pydict()).encode()).hexdigest()[:16]
    for name in ("documents", "paragraphs", "removed", "citations", "rejects"):
        for f in sorted((out / name).glob("*.parquet")) if (out / name).is_dir() else []:
            t = pq.read_table(f)
            if "run_id" in t.column_names:
                t = t.drop_columns(["run_id"])
                d[f"final/{name}/{f.name}"] = hashlib.sha256(repr(t.to_pydict()).encode()).hexdigest()[:16]
            else:
                d[f"final/{name}/{f.name}"] = hashlib.sha256(f.read_bytes()).hexdigest()[:16]
    return d


def one_run(corpus: str, out: Path) -> tuple[float, dict]:
    from corpusclean.pipeline import run_pipeline

    shutil.rmtree(out, ignore_errors=True)
    t = time.process_time()
    s = run_pipeline(corpus, str(out))
    return time.process_time() - t, s["stage_seconds"]


def child(root: str, corpus: str, out: str) -> None:
    """--_child: run with the package under `root`, print the digests as JSON."""
    sys.path.insert(0, root)
    import corpusclean

    assert corpusclean.__file__.startswith(root), corpusclean.__file__
    one_run(corpus, Path(out))
    print(json.dumps(digests(Path(out))))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cprofile", type=int, default=0, metavar="N")
    ap.add_argument("--against", metavar="ROOT", help="compare outputs with the corpusclean under ROOT")
    ap.add_argument("--_child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a._child:
        child(*a._child)
        return 0
    if not a.corpus:
        ap.error("CORPUS is required")
    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="profile-shard-"))
    try:
        totals, stages = [], {}
        for _ in range(a.repeats):
            cpu, st = one_run(a.corpus, tmp / "out")
            totals.append(cpu)
            for k, v in st.items():
                stages.setdefault(k, []).append(v)
        print(f"run_pipeline CPU: median {statistics.median(totals):.2f}s of {a.repeats} ({', '.join(f'{x:.2f}' for x in totals)})")
        print("stages (median, wall seconds of this single-threaded process): " + ", ".join(
            f"{k} {statistics.median(v):.2f}" for k, v in stages.items()))
        _breakdown(tmp / "out")
        if a.cprofile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            one_run(a.corpus, tmp / "out")
            prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(a.cprofile)
        if a.against:
            mine = digests(tmp / "out")
            res = subprocess.run([sys.executable, __file__, "--_child", os.path.abspath(a.against), a.corpus,
                                  str(tmp / "against")], capture_output=True, text=True, check=True)
            theirs = json.loads(res.stdout.strip().splitlines()[-1])
            diff = sorted(k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k))
            print(f"outputs vs {a.against}: " + ("identical" if not diff else f"{len(diff)} files differ: {diff[:10]}")
                  + f" ({len(mine)} files)")
            return 1 if diff else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _breakdown(out: Path) -> None:
    """CPU of the staging pass and of build_keys, re-run on the staged shards of `out`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from corpusclean.config import DedupConfig
    from corpusclean.dedup import build_keys

    ins = []
    for s in sorted((out / ".cache" / "shards").iterdir()):
        b = pq.read_table(s / "blocks.parquet")
        k = pq.read_table(s / "keys.parquet")
        text = [(rt if t is None else t) if kept else rt.strip() for t, rt, kept in zip(b.column("text").to_pylist(),
                                                                  b.column("raw_text").to_pylist(),
                                                                  b.column("kept").to_pylist())]
        ins.append(k.select(["doc_id", "source", "source_sha256", "site", "position", "kept", "label"])
                   .append_column("text", pa.array(text, pa.string())))
    cfg = DedupConfig()
    runs = []
    for _ in range(3):
        t = time.process_time()
        for x in ins:
            build_keys(x, cfg)
        runs.append(time.process_time() - t)
    print(f"build_keys CPU over the staged shards: median {statistics.median(runs):.3f}s "
          f"({sum(x.num_rows for x in ins)} blocks)")


if __name__ == "__main__":
    sys.exit(main())
