"""Peak RSS of the corpus-wide dedup step (corpus_dedup alone, fresh subprocess) at two corpus sizes.

    python benchmarks/dedup_memory.py [--sizes 200000 2000000] [--memory-limit 128MB] [--threads 2]

Keys tables are generated directly (no text), in files of 50k rows, with realistic structure: documents of
10 blocks (2 removed chrome lines, 1 kept short line from a per-site pool of 300 teaser lines -> template
lines, 7 kept body paragraphs of ~30 shingles), 4% exact duplicate paragraphs, 3% near duplicates (most
shingles and 12 of 16 band keys shared with an earlier paragraph), 1% whole-document copies. Peak RSS is
`ru_maxrss` of the child (resource.getrusage(RUSAGE_CHILDREN)) that only imports corpusclean and runs
corpus_dedup.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, ROOT)
from corpusclean.dedup import KEYS_SCHEMA  # noqa: E402

BLOCKS_PER_DOC = 10
SH = 30


def gen_keys(n_rows: int, out_dir: str, seed: int = 7, rows_per_file: int = 50_000) -> list[str]:
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_docs = n_rows // BLOCKS_PER_DOC
    docs_per_file = rows_per_file // BLOCKS_PER_DOC
    files = []
    # a window of recent body paragraphs to copy from: (hash, band keys, shingles)
    win_n = 20000
    win_h = rng.integers(-(2**63), 2**63 - 1, win_n, dtype=np.int64)
    win_b = rng.integers(-(2**63), 2**63 - 1, (win_n, 16), dtype=np.int64)
    win_s = rng.integers(-(2**31), 2**31 - 1, (win_n, SH), dtype=np.int32)  # stored shingles are 32-bit
    tmpl = rng.integers(-(2**63), 2**63 - 1, (50, 300), dtype=np.int64)  # per site teaser lines
    chrome = rng.integers(-(2**63), 2**63 - 1, (50, 2), dtype=np.int64)
    prev_sha = None
    for f0 in range(0, n_docs, docs_per_file):
        nd = min(docs_per_file, n_docs - f0)
        d = np.arange(f0, f0 + nd)
        site = rng.integers(0, 50, nd)
        sha = np.array([f"{x:064x}" for x in rng.integers(0, 2**62, nd)], dtype=object)
        copy = rng.random(nd) < 0.01
        if prev_sha is not None:
            sha[copy] = rng.choice(prev_sha, copy.sum())
        prev_sha = sha[~copy][-200:] if (~copy).any() else prev_sha
        n = nd * BLOCKS_PER_DOC
        doc_of = np.repeat(np.arange(nd), BLOCKS_PER_DOC)
        pos = np.tile(np.arange(BLOCKS_PER_DOC, dtype=np.int32), nd)
        kind = np.tile(np.array([0, 0, 1] + [2] * 7), nd)  # 0 chrome removed, 1 teaser kept, 2 body
        kept = kind > 0
        h = rng.integers(-(2**63), 2**63 - 1, n, dtype=np.int64)
        s_site = site[doc_of]
        h[kind == 0] = chrome[s_site[kind == 0], pos[kind == 0] % 2]
        h[kind == 1] = tmpl[s_site[kind == 1], rng.integers(0, 300, (kind == 1).sum())]
        body = np.flatnonzero(kind == 2)
        bands = rng.integers(-(2**63), 2**63 - 1, (n, 16), dtype=np.int64)
        shing = rng.integers(-(2**31), 2**31 - 1, (n, SH), dtype=np.int32)
        u = rng.random(len(body))
        ex = body[u < 0.04]
        src = rng.integers(0, win_n, len(ex))
        h[ex], bands[ex], shing[ex] = win_h[src], win_b[src], win_s[src]
        nr = body[(u >= 0.04) & (u < 0.07)]
        src = rng.integers(0, win_n, len(nr))
        bands[nr, :12] = win_b[src, :12]
        shing[nr, :27] = win_s[src, :27]
        # refresh the window with this file's body paragraphs
        k = min(win_n // 4, len(body))
        pick = rng.choice(body, k, replace=False)
        slot = rng.integers(0, win_n, k)
        win_h[slot], win_b[slot], win_s[slot] = h[pick], bands[pick], shing[pick]
        n_words = np.where(kind == 2, 40, np.where(kind == 1, 12, 4)).astype(np.int32)
        has = kind == 2
        mask = pa.array(~has)
        off_b = np.arange(0, 16 * n + 1, 16, dtype=np.int32)
        off_s = np.arange(0, SH * n + 1, SH, dtype=np.int32)
        ids = np.array([f"d{x:09d}" for x in d], dtype=object)
        t = pa.table(
            {
                "doc_id": pa.array(ids[doc_of], pa.string()),
                "source": pa.array(np.array([f"site{s:02d}/{x:09d}.txt" for s, x in zip(site, d)], object)[doc_of]),
                "source_sha256": pa.array(sha[doc_of], pa.string()),
                "site": pa.array(np.array([f"site{s:02d}" for s in site], object)[doc_of]),
                "position": pa.array(pos),
                "kept": pa.array(kept),
                "label": pa.array(np.where(kept, "paragraph", "nav").astype(object)),
                "hash": pa.array(h),
                "n_chars": pa.array(n_words * 6),
                "n_words": pa.array(n_words),
                "band_keys": pa.ListArray.from_arrays(pa.array(off_b), pa.array(bands.reshape(-1)), mask=mask),
                "shingles": pa.ListArray.from_arrays(pa.array(off_s), pa.array(shing.reshape(-1)), mask=mask),
            },
            schema=KEYS_SCHEMA,
        )
        p = os.path.join(out_dir, f"keys-{f0 // docs_per_file:05d}.parquet")
        pq.write_table(t, p, compression="zstd", row_group_size=128_000)
        files.append(p)
    return files


CHILD = """
import json, sys, time, resource
sys.path.insert(0, {root!r})
from corpusclean.config import DedupConfig
from corpusclean.dedup import corpus_dedup
import glob
files = sorted(glob.glob({keys!r} + '/*.parquet'))
t = time.time(); c = time.process_time()
out = corpus_dedup(files, DedupConfig(), {work!r}, memory_limit={ml!r}, threads={th})
import pyarrow.parquet as pq
print(json.dumps({{"wall": time.time() - t, "cpu": time.process_time() - c, "decisions": pq.read_metadata(out).num_rows}}))
"""


def measure(keys_dir: str, work: str, ml: str, threads: int) -> dict:
    code = CHILD.format(root=os.path.abspath(ROOT), keys=keys_dir, work=work, ml=ml, th=threads)
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(p.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    r = json.loads(p.stdout.strip().splitlines()[-1])
    r["peak_rss_mb"] = round(peak / 1024, 1)
    r["peak_grew"] = peak > before  # RUSAGE_CHILDREN is the max over children: run sizes ascending
    return r


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[200_000, 2_000_000])
    ap.add_argument("--work", default="/tmp/dedup_memory")
    ap.add_argument("--memory-limit", default="128MB")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    res = {}
    for n in sorted(a.sizes):
        kd = os.path.join(a.work, f"keys_{n}")
        if not os.path.exists(os.path.join(kd, "DONE")):
            shutil.rmtree(kd, ignore_errors=True)
            t = time.time()
            gen_keys(n, kd)
            open(os.path.join(kd, "DONE"), "w").close()
            print(f"generated {n} rows in {time.time() - t:.1f}s", file=sys.stderr)
        r = measure(kd, os.path.join(a.work, f"work_{n}"), a.memory_limit, a.threads)
        res[n] = r
        print(json.dumps({"paragraphs": n, **r}), flush=True)
    if len(res) >= 2:
        lo, hi = min(res), max(res)
        ratio = res[hi]["peak_rss_mb"] / res[lo]["peak_rss_mb"]
        print(json.dumps({"ratio": round(ratio, 2), "target_met": res[hi]["peak_rss_mb"] <= 1536 and ratio <= 1.5}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
