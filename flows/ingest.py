"""Prefect flow `ingest`: raw/ -> cleaned, deduplicated Parquet tables in processed/.

    python -m flows.ingest [--raw DIR] [--out DIR] [options]

The flow only orchestrates: every step is a function of the `corpusclean` core. One task per
shard of files (paths in, a small summary out), then the corpus-wide dedup, then one finalize
task per shard, then an atomic publish.
"""

from __future__ import annotations

import os
import sys

# Project defaults for Prefect, set before it is imported (see README, "Prefect settings").
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL", "WARNING")
if __name__ == "__main__":  # logging settings must be in place before prefect is imported
    if "--quiet" in sys.argv or "-q" in sys.argv:
        os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
        os.environ["PREFECT_SERVER_LOGGING_LEVEL"] = "CRITICAL"
    if "--json-logs" in sys.argv:
        os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_FORMATTER"] = "json"

import argparse  # noqa: E402
import concurrent.futures as cf  # noqa: E402
from pathlib import Path  # noqa: E402

from corpusclean.config import DedupConfig, HtmlConfig, PipelineConfig  # noqa: E402
from corpusclean.publish import LockedError, OutputLock  # noqa: E402
from corpusclean.readers import RawDirError  # noqa: E402

_POOL: cf.ProcessPoolExecutor | None = None


def _run_shard(shard, cache_dir: str, config: PipelineConfig, refresh: bool):
    from corpusclean.shards import process_shard

    if _POOL is not None:  # CPU-bound: run in a worker process, the task thread just waits
        return _POOL.submit(process_shard, shard, cache_dir, config, refresh).result()
    return process_shard(shard, cache_dir, config, refresh)


def _finalize(shard, cache_dir: str, decisions: str, staged: str, run_id: str):
    from corpusclean.shards import finalize_shard

    if _POOL is not None:
        return _POOL.submit(finalize_shard, shard, cache_dir, decisions, staged, run_id).result()
    return finalize_shard(shard, cache_dir, decisions, staged, run_id)


from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NONE as NO_CACHE  # noqa: E402


@task(name="process-shard", cache_policy=NO_CACHE, retries=0)
def process_shard_task(shard, cache_dir: str, config: PipelineConfig, refresh: bool):
    """Read, clean and stage one shard (or find it cached by content)."""
    return _run_shard(shard, cache_dir, config, refresh)


@task(name="corpus-dedup", cache_policy=NO_CACHE)
def dedup_task(ctx):
    from corpusclean.pipeline import run_dedup

    return run_dedup(ctx)


@task(name="finalize-shard", cache_policy=NO_CACHE)
def finalize_task(shard, cache_dir: str, decisions: str, staged: str, run_id: str):
    return _finalize(shard, cache_dir, decisions, staged, run_id)


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(ctx, summaries, counts):
    from corpusclean.pipeline import finish_run

    return finish_run(ctx, summaries, counts)


@flow(name="ingest", log_prints=True)
def ingest(
    raw_dir: str = "raw",
    out_dir: str = "processed",
    config: PipelineConfig = PipelineConfig(),
    full_refresh: bool = False,
    processes: int = 0,
) -> dict:
    """Ingest every file under `raw_dir` and publish the six tables to `out_dir`."""
    import time

    from corpusclean.pipeline import start_run

    global _POOL
    n_proc = processes if processes > 0 else (os.cpu_count() or 1)
    with OutputLock(out_dir):
        ctx = start_run(raw_dir, out_dir, config)
        pool = None
        if n_proc > 1 and len(ctx.plan.shards) > 1:
            pool = _POOL = cf.ProcessPoolExecutor(max_workers=n_proc)
            ctx.executor = f"processes:{n_proc}"
        try:
            t = time.perf_counter()
            shard_futs = [process_shard_task.submit(s, ctx.cache_dir, config, full_refresh) for s in ctx.plan.shards]
            summaries = [f.result() for f in shard_futs]
            ctx.stage_seconds["shards"] = time.perf_counter() - t
            decisions = dedup_task(ctx)
            t = time.perf_counter()
            fin = [finalize_task.submit(s, ctx.cache_dir, decisions, str(ctx.staged), ctx.run_id) for s in ctx.plan.shards]
            counts = [f.result() for f in fin]
            ctx.stage_seconds["finalize"] = time.perf_counter() - t
        finally:
            if pool is not None:
                pool.shutdown()
                _POOL = None
        summary = publish_task(ctx, summaries, counts)
    return summary


def build_parser() -> argparse.ArgumentParser:
    d, h = DedupConfig(), HtmlConfig()
    p = argparse.ArgumentParser(prog="python -m flows.ingest", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--raw", default="raw", help="folder of raw files to ingest")
    p.add_argument("--out", default="processed", help="output folder for the Parquet tables")
    p.add_argument("--full-refresh", action="store_true", help="recompute every shard, ignoring the cache")
    p.add_argument("--processes", type=int, default=0, help="worker processes for shard work (0 = one per core)")
    p.add_argument("--quiet", "-q", action="store_true", help="only warnings and the final summary")
    p.add_argument("--json-logs", action="store_true", help="Prefect logs as JSON lines")
    g = p.add_argument_group("dedup")
    g.add_argument("--exact-min-chars", type=int, default=d.exact_min_chars)
    g.add_argument("--near-threshold", type=float, default=d.near_threshold)
    g.add_argument("--no-near", action="store_true", help="exact dedup only")
    g.add_argument("--shingle-words", type=int, default=d.shingle_words)
    g.add_argument("--near-min-words", type=int, default=d.near_min_words)
    g.add_argument("--template-min-docs", type=int, default=d.template_min_docs)
    g = p.add_argument_group("html")
    g.add_argument("--include-comments", action="store_true", default=h.include_comments)
    p.add_argument("--no-language", action="store_true", help="skip language identification")
    return p


def config_from_args(a: argparse.Namespace) -> PipelineConfig:
    if not 0.0 < a.near_threshold <= 1.0:
        raise ValueError("--near-threshold must be in (0, 1]")
    if a.shingle_words < 1 or a.exact_min_chars < 0 or a.near_min_words < 1 or a.template_min_docs < 2:
        raise ValueError("dedup sizes must be positive (template-min-docs >= 2)")
    dedup = DedupConfig(exact_min_chars=a.exact_min_chars, near_enabled=not a.no_near, near_threshold=a.near_threshold,
                        shingle_words=a.shingle_words, near_min_words=a.near_min_words,
                        template_min_docs=a.template_min_docs)
    return PipelineConfig(dedup=dedup, html=HtmlConfig(include_comments=a.include_comments),
                          detect_language=not a.no_language)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    a = parser.parse_args(argv)
    try:
        config = config_from_args(a)
    except ValueError as e:
        parser.error(str(e))
    raw = Path(a.raw)
    if not raw.is_dir():
        print(f"error: raw directory {'is not a directory' if raw.exists() else 'does not exist'}: {raw}", file=sys.stderr)
        return 2
    if not os.access(raw, os.R_OK | os.X_OK):
        print(f"error: raw directory is not readable: {raw}", file=sys.stderr)
        return 2
    try:
        with OutputLock(a.out):
            summary = ingest(raw_dir=str(raw), out_dir=a.out, config=config, full_refresh=a.full_refresh,
                             processes=a.processes)
    except LockedError as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    except RawDirError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    rows = summary["table_rows"]
    print(f"run {summary['run_id']}: {rows['documents']} documents, {rows['paragraphs']} paragraphs, "
          f"{rows['removed']} removed, {rows['citations']} citations, {rows['rejects']} rejects "
          f"in {summary['seconds']:.1f}s -> {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
