"""Run-level steps shared by the Prefect flow and plain Python callers.

`run_pipeline` is the whole job in one process (tests, benchmarks, notebooks); the flow in
`flows/ingest.py` calls the same steps, with one task per shard.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
import uuid
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import PIPELINE_VERSION
from . import schema as S
from .card import render_card
from .config import PipelineConfig
from .publish import check_output_dir, current_snapshot, publish, staging_dir
from .readers import RawDirError, utf8_name
from .shards import (RunPlan, ShardSummary, finalize_shard, plan_run, process_shard, reject_table, resolve_plan,
                     shard_dir_for, write_part)


@dataclass(slots=True)
class RunContext:
    run_id: str
    raw_dir: str
    out_dir: str
    cache_dir: str
    config: PipelineConfig
    plan: RunPlan
    staged: Path
    started_at: datetime
    t0: float
    executor: str = "local"
    stage_seconds: dict[str, float] = field(default_factory=dict)
    refresh: bool = False  # --full-refresh: recompute, reuse nothing cached (shards nor dedup decisions)


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


def start_run(raw_dir: str, out_dir: str, config: PipelineConfig, cache_dir: str | None = None,
              executor: str = "local", refresh: bool = False, allow_empty: bool = False) -> RunContext:
    """Plan the run (no file is read here: see `shards.plan_run`)."""
    t0 = time.perf_counter()
    started = datetime.now(timezone.utc)
    out = Path(out_dir)
    check_output_dir(out, raw_dir)
    out.mkdir(parents=True, exist_ok=True)
    cache = cache_dir or str(out / ".cache")
    plan = plan_run(raw_dir, config, cache, refresh, out_dir=out)
    if not plan.files and not plan.rejects and not allow_empty:
        n = published_documents(out)
        if n:  # an unmounted share or an emptied folder must not wipe the corpus (and the cache)
            raise RawDirError(f"the raw folder {raw_dir} holds no files and the published snapshot has {n} "
                              "documents: not replacing it with an empty corpus (pass --allow-empty to do so)")
    run_id = new_run_id()
    ctx = RunContext(run_id, str(raw_dir), str(out), cache, config, plan, staging_dir(out, run_id), started, t0, executor,
                     refresh=refresh)
    ctx.stage_seconds["plan"] = time.perf_counter() - t0
    return ctx


def published_documents(out: Path) -> int:
    """Rows of the published `documents` table (0 when nothing is published), from the Parquet footers."""
    snap = current_snapshot(out)
    if snap is None or not (snap / "documents").is_dir():
        return 0
    try:
        return sum(pq.read_metadata(f).num_rows for f in (snap / "documents").glob("*.parquet"))
    except Exception:  # noqa: BLE001 - an unreadable snapshot is not one to protect
        return 0


def record_shards(ctx: RunContext, summaries: list[ShardSummary]) -> None:
    """After the shard stage: each shard's content key and each file's hash, as the shard tasks found
    them (files not hashed at planning), into the plan and the hash index."""
    resolve_plan(ctx.plan, summaries, ctx.cache_dir)


def dedup_dir(ctx: RunContext) -> Path:
    """Where this run's dedup decisions live, keyed by the set of staged shards and the whole config. A
    shard key covers its files' contents, the code and the configuration the shard work reads; the
    config fingerprint adds the dedup thresholds. The same key gives the same decisions: a run in
    which nothing changed (a scheduled run on a quiet day) reuses them instead of recomputing."""
    blob = "\n".join([ctx.plan.fingerprint, *sorted(s.key for s in ctx.plan.shards)])
    h = hashlib.sha256(blob.encode()).hexdigest()[:24]
    return Path(ctx.cache_dir) / "dedup" / h


def run_dedup(ctx: RunContext) -> str:
    from .dedup import corpus_dedup

    t = time.perf_counter()
    work = dedup_dir(ctx)
    if (work / "_SUCCESS").exists() and not ctx.refresh:
        ctx.stage_seconds["dedup"] = time.perf_counter() - t
        return str(work / "by_shard")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    keys = [str(shard_dir_for(ctx.cache_dir, s) / "keys.parquet") for s in ctx.plan.shards]
    keys = [k for k in keys if Path(k).exists()]
    if not keys:
        return ""
    path = corpus_dedup(keys, ctx.config.dedup, str(work), memory_limit=ctx.config.dedup.memory_limit)
    by_shard = _partition_by_shard(path, keys, work / "by_shard", ctx.config.dedup.memory_limit)
    (work / "_SUCCESS").write_text("")
    ctx.stage_seconds["dedup"] = time.perf_counter() - t
    return by_shard


def _partition_by_shard(decisions: str, keys: list[str], dest: Path, memory_limit: str) -> str:
    """Split the decisions by the shard that holds each document, so a shard finds its own in O(1)."""
    import duckdb

    from .dedup import local_temp_dir, sql_str

    con = duckdb.connect()
    # DuckDB reads a backslash in the folder it creates partitions under as a separator ("a\\b" makes
    # "a/b"): such a folder is written in the system temp folder and moved (reading such paths works)
    target, elsewhere = dest, None
    if "\\" in str(dest):
        elsewhere = Path(local_temp_dir("corpusclean-partition-"))
        target = elsewhere / dest.name
    try:
        con.execute("SET threads=2")
        con.execute(f"SET memory_limit={sql_str(memory_limit)}")
        flist = "[" + ", ".join(sql_str(k) for k in keys) + "]"
        dest.mkdir(parents=True, exist_ok=True)
        n = con.execute(f"SELECT count(*) FROM read_parquet({sql_str(decisions)})").fetchone()[0]
        if n:
            con.execute(f"""
                COPY (
                  SELECT d.*, s.shard FROM read_parquet({sql_str(decisions)}) d
                  JOIN (SELECT DISTINCT doc_id,
                               regexp_extract(filename, '([^/]+)/keys[.]parquet$', 1) AS shard
                        FROM read_parquet({flist}, filename=true)) s USING (doc_id)
                  ORDER BY shard, doc_id, position
                ) TO {sql_str(str(target))} (FORMAT parquet, PARTITION_BY (shard), OVERWRITE_OR_IGNORE)""")
            if elsewhere is not None:
                shutil.copytree(target, dest, dirs_exist_ok=True)
    finally:
        con.close()
        if elsewhere is not None:
            shutil.rmtree(elsewhere, ignore_errors=True)
    return str(dest)


def finish_run(ctx: RunContext, summaries: list[ShardSummary], counts: list[dict[str, int]]) -> dict:
    """Write discovery rejects, the runs table and the card; publish; prune stale cache entries."""
    t = time.perf_counter()
    total: Counter = Counter()
    for c in counts:
        total.update(c)
    if ctx.plan.rejects:
        rej = reject_table(ctx.plan.rejects, ctx.run_id)
        write_part(rej, ctx.staged / "rejects" / "part-discovery.parquet", "rejects")
        total["rejects"] += rej.num_rows
    prev = current_snapshot(ctx.out_dir)
    diff = _doc_changes(prev, ctx.staged)
    finished = datetime.now(timezone.utc)
    seconds = time.perf_counter() - ctx.t0
    bytes_in = sum(f.size for f in ctx.plan.files)
    tables = {k: int(total.get(k, 0)) for k in ("documents", "paragraphs", "removed", "citations", "rejects")}
    reasons = {k.split(":", 1)[1]: int(v) for k, v in sorted(total.items()) if k.startswith("reason:")}
    shard_stage: Counter = Counter()
    for s in summaries:
        shard_stage.update(s.stage_seconds)
    stage_seconds = dict(ctx.stage_seconds)
    stage_seconds.update({f"shard:{k}": round(v, 4) for k, v in shard_stage.items()})
    row = dict(
        run_id=ctx.run_id, started_at=ctx.started_at, finished_at=finished, pipeline_version=PIPELINE_VERSION,
        schema_version=S.SCHEMA_VERSION, config=json.dumps(ctx.config.to_dict(), sort_keys=True),
        config_fingerprint=ctx.plan.fingerprint, raw_dir=utf8_name(ctx.raw_dir), executor=ctx.executor,
        n_files=len(ctx.plan.files) + len(ctx.plan.rejects), bytes_in=bytes_in,
        table_rows=[{"name": k, "count": v} for k, v in tables.items()],
        removed_by_reason=[{"name": k, "count": v} for k, v in reasons.items()],
        docs_new=diff["new"], docs_changed=diff["changed"], docs_deleted=diff["deleted"], docs_unchanged=diff["unchanged"],
        shards_total=len(ctx.plan.shards), shards_processed=sum(not s.cached for s in summaries),
        shards_cached=sum(s.cached for s in summaries), seconds=seconds,
        mb_per_s=(bytes_in / 1e6) / seconds if seconds else 0.0, docs_per_s=tables["documents"] / seconds if seconds else 0.0,
        stage_seconds=[{"stage": k, "seconds": float(v)} for k, v in stage_seconds.items()],
    )
    runs = pa.Table.from_pylist([row], schema=S.RUNS)
    if prev is not None and (prev / "runs").is_dir():
        try:
            old = pq.read_table(prev / "runs").cast(S.RUNS)
            runs = pa.concat_tables([old, runs])
        except Exception:  # noqa: BLE001 - an unreadable history must not block publishing
            pass
    write_part(runs, ctx.staged / "runs" / "part-00000.parquet", "runs")
    summary = dict(row, table_rows=dict(tables, runs=runs.num_rows), removed_by_reason=reasons,
                   started_at=ctx.started_at.isoformat(), finished_at=finished.isoformat(),
                   stage_seconds=stage_seconds, config=ctx.config.to_dict())
    (ctx.staged / "README.md").write_text(render_card(summary), encoding="utf-8")
    publish(ctx.out_dir, ctx.staged, ctx.run_id)
    prune_cache(ctx)
    summary["stage_seconds"]["publish"] = time.perf_counter() - t
    return summary


def prune_cache(ctx: RunContext) -> int:
    """Remove staged shard results no shard of this run uses, and dedup decisions other than this run's."""
    live = {s.key for s in ctx.plan.shards}
    root = Path(ctx.cache_dir) / "shards"
    removed = 0
    if root.is_dir():
        for p in root.iterdir():
            if p.name not in live:
                shutil.rmtree(p, ignore_errors=True)
                removed += 1
    keep = dedup_dir(ctx)
    if keep.parent.is_dir():
        for p in keep.parent.iterdir():
            if p != keep:
                shutil.rmtree(p, ignore_errors=True)
    return removed


def _doc_changes(prev: Path | None, staged: Path) -> dict[str, int]:
    """New / changed / unchanged / deleted documents: the new snapshot's `documents` against the
    previous one's (so a rejected file is no document, and a document whose file became unreadable
    counts as deleted)."""
    def sources(snap: Path | None) -> dict[str, str]:
        if snap is None or not (snap / "documents").is_dir():
            return {}
        try:
            t = pq.read_table(snap / "documents", columns=["source", "source_sha256"])
        except Exception:  # noqa: BLE001 - a damaged previous snapshot: every document counts as new
            return {}
        return dict(zip(t.column("source").to_pylist(), t.column("source_sha256").to_pylist()))

    now, before = sources(staged), sources(prev)
    new = sum(1 for s in now if s not in before)
    changed = sum(1 for s, h in now.items() if s in before and before[s] != h)
    unchanged = sum(1 for s, h in now.items() if before.get(s) == h)
    deleted = sum(1 for s in before if s not in now)
    return {"new": new, "changed": changed, "unchanged": unchanged, "deleted": deleted}


def run_pipeline(raw_dir: str, out_dir: str, config: PipelineConfig | None = None, *, refresh: bool = False,
                 cache_dir: str | None = None, allow_empty: bool = False) -> dict:
    """The whole job, sequentially, in this process. Returns the run summary."""
    from .publish import OutputLock

    config = config or PipelineConfig()
    if (msg := config.dedup.banding_warning()) is not None:
        warnings.warn(msg, UserWarning, stacklevel=2)
    with OutputLock(out_dir):
        ctx = start_run(raw_dir, out_dir, config, cache_dir, refresh=refresh, allow_empty=allow_empty)
        t = time.perf_counter()
        summaries = [process_shard(s, ctx.cache_dir, config, refresh) for s in ctx.plan.shards]
        ctx.stage_seconds["shards"] = time.perf_counter() - t
        record_shards(ctx, summaries)
        decisions = run_dedup(ctx)
        t = time.perf_counter()
        counts = [finalize_shard(s, ctx.cache_dir, decisions, ctx.staged, ctx.run_id) for s in ctx.plan.shards]
        ctx.stage_seconds["finalize"] = time.perf_counter() - t
        return finish_run(ctx, summaries, counts)
