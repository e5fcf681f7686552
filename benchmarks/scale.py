"""End-to-end speed and memory of the real flow on a generated corpus, against a bare floor.

    python benchmarks/scale.py --docs 100000 [--mode mixed|text|html] [--processes 2] [--change 0.01]
                               [--verify] [--keep] [--workdir DIR]

1. Generates a corpus with benchmarks/gen_corpus.py (mixed: 70% dumps, 20% HTML, 10% gzipped dumps;
   `--mode text`: dumps only; `--mode html`: HTML only).
   The files are read once, untimed, before anything is measured, so every timed step reads them
   from the page cache (otherwise the first full run alone pays for the disk).
2. Starts one Prefect server for the benchmark (a scheduled deployment would have one too), then runs
   `python -m flows.ingest` on it as a subprocess, measuring wall time and the peak RSS of the whole
   process tree (the flow, its worker processes and DuckDB; the Prefect server is reported apart).
3. Changes `--change` of the files and runs again (incremental run), same measurements.
4. Times a bare floor over the same files with the same number of processes: read, gunzip, decode,
   split lines, normalise (NFKC + casefold + whitespace), xxh3 hash, write Parquet. For `--mode html`
   the floor is trafilatura.extract alone on the same pages. Prints our throughput as a ratio to it,
   so the figure holds on a noisy machine.
5. `--verify`: a full rebuild in a fresh output folder must give the same rows as the incremental run.

`--rounds N` alternates steps 2 and 4 N times (full run, floor, full run, floor, ...) and reports each
round's ratio and their median: on a shared machine the speed of both drifts by 20-30 % over minutes,
and a ratio of two runs made next to each other is the figure that holds.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# ----------------------------------------------------------------------------- process-tree RSS


def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by one process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_pids(pid: int, exclude: set[int]) -> list[int]:
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        if p in exclude:
            continue
        out.append(p)
        stack += _children(p)
    return out


def tree_rss(pid: int, exclude: set[int]) -> int:
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        if p in exclude:
            continue
        total += _rss(p)
        stack += _children(p)
    return total


LAST_CPU: dict[str, float] = {}


def run_measured(cmd: list[str], env: dict, exclude: set[int]) -> tuple[float, int, int]:
    """Wall time, peak RSS of the process tree and exit code; the tree's CPU seconds (user + system,
    sampled every 0.3 s per process: a process's last < 0.3 s may be missed) go to LAST_CPU["cpu"]."""
    t0 = time.perf_counter()
    server_cpu0 = sum(_cpu(p) for x in exclude for p in tree_pids(x, set()))
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    cpu_by_pid: dict[int, float] = {}
    stop = threading.Event()

    def poll():
        nonlocal peak
        while not stop.is_set():
            total = 0
            for p in tree_pids(proc.pid, exclude):
                total += _rss(p)
                c = _cpu(p)
                if c > cpu_by_pid.get(p, 0.0):
                    cpu_by_pid[p] = c
            peak = max(peak, total)
            time.sleep(0.3)  # every 0.1 s cost ~15 % of a core over a 100k run

    th = threading.Thread(target=poll, daemon=True)
    th.start()
    out, _ = proc.communicate()
    stop.set()
    th.join()
    wall = time.perf_counter() - t0
    LAST_CPU["cpu"] = sum(cpu_by_pid.values())
    LAST_CPU["server"] = sum(_cpu(p) for x in exclude for p in tree_pids(x, set())) - server_cpu0
    if proc.returncode != 0:
        print(out[-4000:])
        raise SystemExit(f"flow failed with exit code {proc.returncode}")
    return wall, peak, proc.returncode


# ----------------------------------------------------------------------------- Prefect server


def start_server(home: Path) -> tuple[subprocess.Popen, str]:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_SERVER_LOGGING_LEVEL="WARNING")
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(1)
    os.killpg(proc.pid, signal.SIGTERM)
    raise SystemExit("Prefect server did not start in 180 s")


# ----------------------------------------------------------------------------- floors


def _floor_shard(paths: list[str], out: str) -> int:
    import gzip

    import pyarrow as pa
    import pyarrow.parquet as pq
    import xxhash

    c0 = time.process_time()
    hashes, texts = [], []
    for p in paths:
        data = open(p, "rb").read()
        if p.endswith(".gz"):
            data = gzip.decompress(data)
        text = data.decode("utf-8", "replace")
        for line in text.split("\n"):
            if line.strip():
                norm = " ".join(unicodedata.normalize("NFKC", line).casefold().split())
                texts.append(line)
                hashes.append(xxhash.xxh3_64_intdigest(norm.encode()) - (1 << 63))
    pq.write_table(pa.table({"text": texts, "hash": pa.array(hashes, pa.int64())}), out, compression="zstd")
    return time.process_time() - c0


def _traf_shard(paths: list[str], out: str) -> int:
    import gzip

    import trafilatura

    c0 = time.process_time()
    for p in paths:
        data = open(p, "rb").read()
        if p.endswith(".gz"):
            data = gzip.decompress(data)
        trafilatura.extract(data.decode("utf-8", "replace"), include_comments=False)
    return time.process_time() - c0


def run_floor(files: list[str], processes: int, html: bool) -> float:
    chunks = [files[i : i + 500] for i in range(0, len(files), 500)]
    tmp = tempfile.mkdtemp(prefix="floor-")
    fn = _traf_shard if html else _floor_shard
    t0 = time.perf_counter()
    with mp.get_context("spawn").Pool(processes) as pool:
        cpus = pool.starmap(fn, [(c, os.path.join(tmp, f"{i}.parquet")) for i, c in enumerate(chunks)])
    wall = time.perf_counter() - t0
    LAST_CPU["floor"] = sum(cpus)  # CPU of the floor's work itself (worker start-up not counted)
    shutil.rmtree(tmp, ignore_errors=True)
    return wall


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mode", choices=("mixed", "text", "html"), default="mixed")
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--change", type=float, default=0.01, help="share of files changed before the re-run")
    ap.add_argument("--verify", action="store_true", help="compare the re-run with a full rebuild")
    ap.add_argument("--no-floor", action="store_true")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--json", default=None, help="write the results here")
    ap.add_argument("--flow-args", default="", help="extra arguments for flows.ingest, e.g. '--shard-files 512'")
    ap.add_argument("--rounds", type=int, default=1, help="alternate full run and floor this many times")
    a = ap.parse_args(argv)

    work = Path(a.workdir or tempfile.mkdtemp(prefix="scale-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "raw"
    if not corpus.exists():
        from benchmarks import gen_corpus

        share = {"mixed": ("0.2", "0.1"), "text": ("0", "0.1"), "html": ("1", "0")}[a.mode]
        t = time.perf_counter()
        gen_corpus.main([str(corpus), "--docs", str(a.docs), "--seed", str(a.seed), "--html-share", share[0],
                         "--gz-share", share[1]])
        print(f"generated {a.docs} documents in {time.perf_counter() - t:.1f}s")
    files = sorted(str(p) for p in corpus.rglob("*") if p.is_file())
    mb = sum(os.path.getsize(f) for f in files) / 1e6
    print(f"corpus: {len(files)} files, {mb:.1f} MB, mode {a.mode}, {a.processes} processes")
    # Warm the page cache (untimed): the floor always runs after a full run and so reads the files
    # from memory; without this the first full run alone paid for the disk (shard:read 24.6 s
    # instead of ~4 s on 30,000 HTML pages), which is a property of the benchmark's order, not of us.
    t = time.perf_counter()
    for f in files:
        with open(f, "rb") as fh:
            while fh.read(1 << 20):
                pass
    print(f"page cache warmed: read {len(files)} files in {time.perf_counter() - t:.1f}s (not timed)")

    server, url = start_server(work / "prefect-home")
    env = dict(os.environ, PREFECT_API_URL=url, PREFECT_HOME=str(work / "prefect-home"),
               PREFECT_LOGGING_LEVEL="WARNING")
    results: dict = {"docs": len(files), "mb": mb, "mode": a.mode, "processes": a.processes}
    fname = "trafilatura.extract alone" if a.mode == "html" else "bare floor (read/decode/split/normalise/hash/Parquet)"
    rounds: list[dict] = []
    try:
        out = work / "out"
        cmd = [sys.executable, "-m", "flows.ingest", "--raw", str(corpus), "--out", str(out), "--quiet",
               "--processes", str(a.processes), *a.flow_args.split()]
        for r in range(max(1, a.rounds)):
            shutil.rmtree(out, ignore_errors=True)
            wall, peak, _ = run_measured(cmd, env, {server.pid})
            results["full"] = _report(f"full run (round {r + 1})", wall, peak, mb, len(files), out)
            if a.no_floor:
                continue
            floor = run_floor(files, a.processes, html=a.mode == "html")
            fcpu = LAST_CPU.get("floor", 0.0)
            rnd = {"seconds": wall, "cpu_seconds": results["full"]["cpu_seconds"], "floor_seconds": floor,
                   "floor_cpu_seconds": fcpu, "ratio": floor / wall,
                   "cpu_ratio": fcpu / results["full"]["cpu_seconds"] if results["full"]["cpu_seconds"] else 0.0}
            rounds.append(rnd)
            print(f"  {fname}: {floor:.1f}s wall, {fcpu:.1f}s CPU, {mb / floor:.2f} MB/s; our throughput / floor = "
                  f"{rnd['ratio']:.3f} (wall), {rnd['cpu_ratio']:.3f} (CPU: floor work / whole flow tree)")
        # incremental: change a share of the files (append a sentence) and run again
        step = max(1, round(1 / a.change)) if a.change > 0 else 0
        changed = files[::step] if step else []
        for f in changed:
            if f.endswith(".gz"):
                continue
            with open(f, "a", encoding="utf-8") as fh:
                fh.write("\nAn added closing sentence that makes this file new again for the benchmark.\n")
        wall2, peak2, _ = run_measured(cmd, env, {server.pid})
        results["rerun"] = _report(f"re-run, {len(changed)} files changed", wall2, peak2, mb, len(files), out)
        results["rerun"]["ratio_to_full"] = wall2 / wall
        print(f"re-run / full wall time: {wall2 / wall:.3f}")
        if a.verify:
            out3 = work / "rebuild"
            shutil.rmtree(out3, ignore_errors=True)
            cmd3 = [*cmd[:6], str(out3), *cmd[7:]]
            run_measured(cmd3, env, {server.pid})
            same = _same_rows(out, out3)
            results["rerun"]["equals_full_rebuild"] = same
            print(f"incremental output equals a full rebuild: {same}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if rounds:
        import statistics

        last = rounds[-1]
        results["floor"] = {"name": fname, "seconds": last["floor_seconds"], "cpu_seconds": last["floor_cpu_seconds"],
                            "mb_per_s": mb / last["floor_seconds"]}
        results["rounds"] = rounds
        ratio = statistics.median(x["ratio"] for x in rounds)
        cpu_ratio = statistics.median(x["cpu_ratio"] for x in rounds)
        results["full"]["throughput_ratio_to_floor"] = ratio
        results["full"]["cpu_ratio_to_floor"] = cpu_ratio
        print(f"{fname}: our throughput / floor, median of {len(rounds)} round(s): {ratio:.3f} (wall), "
              f"{cpu_ratio:.3f} (CPU); per round: " + ", ".join(f"{x['ratio']:.3f}" for x in rounds))
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=2))
    if not a.keep and not a.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _report(name: str, wall: float, peak: int, mb: float, n: int, out: Path) -> dict:
    import pyarrow.parquet as pq

    run = pq.read_table(out / "runs").to_pylist()[-1]
    stages = {s["stage"]: round(s["seconds"], 2) for s in run["stage_seconds"]}
    cpu = LAST_CPU.get("cpu", 0.0)
    print(f"{name}: {wall:.1f}s wall, {cpu:.1f}s CPU, {mb / wall:.2f} MB/s, {n / wall:.0f} docs/s, peak RSS {peak / 1e9:.2f} GB "
          f"(tree, server excluded); shards {run['shards_processed']} computed / {run['shards_cached']} cached; "
          f"Prefect server meanwhile {LAST_CPU.get('server', 0.0):.1f}s CPU")
    print("  stages: " + ", ".join(f"{k} {v}s" for k, v in stages.items()))
    return {"seconds": wall, "cpu_seconds": cpu, "server_cpu_seconds": LAST_CPU.get("server", 0.0), "mb_per_s": mb / wall, "docs_per_s": n / wall, "peak_rss": peak, "stages": stages,
            "shards_processed": run["shards_processed"], "shards_cached": run["shards_cached"]}


def _same_rows(a: Path, b: Path) -> bool:
    import pyarrow.parquet as pq

    for name in ("documents", "paragraphs", "removed", "citations", "rejects"):
        ta, tb = pq.read_table(a / name), pq.read_table(b / name)
        drop = [c for c in ("run_id",) if c in ta.column_names]
        ta, tb = ta.drop_columns(drop), tb.drop_columns(drop)
        keys = [c for c in ("doc_id", "position", "ref_number", "source") if c in ta.column_names][:2]
        ta = ta.sort_by([(k, "ascending") for k in keys])
        tb = tb.sort_by([(k, "ascending") for k in keys])
        if not ta.equals(tb):
            print(f"  {name} differs")
            return False
    return True


if __name__ == "__main__":
    sys.exit(main())
