"""Plan a run (discover, hash, shard), process one shard, and finalize it after corpus-wide dedup.

A shard is a group of files processed together by one orchestrator task: seconds of work, paths
in, a small summary out. Its staged results live in a directory keyed by content (file hashes +
pipeline version + config), which is what makes incremental runs cheap: an unchanged shard is
found by key and not reprocessed, and the corpus-wide dedup re-reads its keys file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import traceback
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import xxhash

from . import PIPELINE_VERSION
from . import schema as S
from .config import PipelineConfig
from .document import process_documents
from .readers import FileEntry, discover, read_document
from .records import KEEP_KINDS, Citation, DocumentResult, RawDocument, Reject, TooComplex, TooLarge

STAGE_FILES = ("docs", "blocks", "citations", "rejects", "keys")

BLOCKS_SCHEMA = S.STAGED_BLOCKS
DOCS_STAGE_SCHEMA = S.STAGED_DOCS


def doc_id_for(source: str) -> str:
    """Stable id derived from the source path only, so an edited file keeps its id."""
    return xxhash.xxh3_64_hexdigest(source.encode("utf-8", "surrogateescape"))


def reject_table(rejects: list[Reject], run_id: str | None = None) -> pa.Table:
    """`rejects` rows; `doc_id` is the id the file has (or would have) as a document, so a file that
    turns unreadable joins its earlier `documents` row."""
    return pa.Table.from_pylist(
        [dict(doc_id=doc_id_for(x.source), source=x.source, source_sha256=x.sha256, error_type=x.error_type,
              message=x.message, run_id=run_id) for x in rejects], schema=S.REJECTS)


@dataclass(frozen=True, slots=True)
class FilePlan:
    source: str
    path: str
    size: int
    sha256: str | None  # None: not known at planning time; the shard task reads and hashes the file
    mtime_ns: int = 0  # stat of the file at discovery (for the hash index)
    inode: int = 0
    hashed_at_ns: int = 0  # when `sha256` was computed (0 while unknown)
    ctime_ns: int = 0


@dataclass(slots=True)
class Shard:
    index: int
    key: str  # content key; provisional (starts with "?") while some file's sha256 is unknown
    files: list[FilePlan]
    # source -> {sha256: key of a staged shard (of an earlier run, same code and shard config) holding that
    # version of the file}: when the file's sha256 is there, its rows are copied from that shard
    # instead of recomputed (see process_shard: a hash unknown at planning is only known there)
    reuse: dict[str, dict[str, str]] = field(default_factory=dict)
    # keys of staged shards in `reuse` made with other MinHash settings (same code and clean config):
    # rows copied from them get their dedup keys computed again
    rekey: frozenset[str] = frozenset()

    @property
    def bytes(self) -> int:
        return sum(f.size for f in self.files)


@dataclass(slots=True)
class RunPlan:
    raw_dir: str
    files: list[FilePlan]
    rejects: list[Reject]
    shards: list[Shard]
    fingerprint: str


def plan_run(raw_dir: str | os.PathLike, config: PipelineConfig, cache_dir: str | os.PathLike | None = None,
             refresh: bool = False, out_dir: str | os.PathLike | None = None) -> RunPlan:
    """Discover every file, then cut the sorted list into content-defined shards.

    A shard boundary falls after a file whose path hash is 0 modulo `shard_files` (or when a
    shard reaches its byte or file cap), so adding or changing one file changes one shard's
    key, not every shard after it.

    No file is read here. A file whose size, mtime, inode and ctime equal those recorded in the hash index
    when it was last hashed keeps its recorded SHA-256 (as git's index and rsync do); any other file's
    hash is left unknown and computed by its shard task, which reads the file anyway (see
    `process_shard`). A first run thus reads each file once, in parallel, instead of once here to hash
    it and again in a worker to process it; a re-run reads only what changed. `refresh` trusts nothing.
    `out_dir` (the run's output folder) is not discovered when it sits inside `raw_dir`.
    """
    entries, rejects = discover(raw_dir, skip=(out_dir,) if out_dir is not None else ())
    known = _known_hashes(entries, cache_dir, refresh)
    files = [FilePlan(e.source, e.path, e.size, h[0] if h else None, e.mtime_ns, e.inode, h[1] if h else 0,
                      e.ctime_ns) for e, h in zip(entries, known)]
    fp = config.stage_fingerprint()
    shards: list[Shard] = []
    cur: list[FilePlan] = []
    cur_bytes = 0
    k = max(1, config.shard_files)
    for f in files:
        cur.append(f)
        cur_bytes += f.size
        boundary = xxhash.xxh3_64_intdigest(f.source.encode("utf-8", "surrogateescape")) % k == 0
        if boundary or cur_bytes >= config.shard_bytes or len(cur) >= config.shard_max_files:
            shards.append(_make_shard(len(shards), cur, fp))
            cur, cur_bytes = [], 0
    if cur:
        shards.append(_make_shard(len(shards), cur, fp))
    if cache_dir is not None:
        _plan_reuse(shards, Path(cache_dir), _stage_fingerprint(fp), _stage_fingerprint(config.clean_fingerprint()))
    return RunPlan(str(raw_dir), files, rejects, shards, config.fingerprint())


HASH_INDEX = "file_hashes.parquet"
_HASH_INDEX_SCHEMA = pa.schema([("source", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()),
                                ("inode", pa.int64()), ("hashed_at_ns", pa.int64()), ("sha256", pa.string()),
                                ("ctime_ns", pa.int64())])
_RACY_NS = 2_000_000_000  # a file modified within 2 s of being hashed could change without a new mtime


def _known_hashes(entries: list[FileEntry], cache_dir, refresh: bool) -> list[tuple[str, int] | None]:
    """(sha256, hashed_at_ns) recorded for each file whose stat still matches, else None. A file
    modified within 2 s of being hashed is not trusted ("racily clean", as in git)."""
    path = Path(cache_dir) / HASH_INDEX if cache_dir is not None else None
    if path is None or refresh or not path.is_file():
        return [None] * len(entries)
    try:
        t = pq.read_table(path, schema=_HASH_INDEX_SCHEMA).to_pydict()
        index = {src: row for src, *row in zip(*(t[c] for c in _HASH_INDEX_SCHEMA.names))}
    except (OSError, pa.ArrowInvalid):  # (an index written before it held ctime reads null there: all rehashed)
        return [None] * len(entries)
    out: list[tuple[str, int] | None] = []
    for e in entries:
        r = index.get(e.source)
        ok = (r is not None and (r[0], r[1], r[2], r[5]) == (e.size, e.mtime_ns, e.inode, e.ctime_ns)
              and e.mtime_ns < r[3] - _RACY_NS)
        out.append((r[4], r[3]) if ok else None)
    return out


def resolve_plan(plan: RunPlan, summaries: list["ShardSummary"], cache_dir: str | os.PathLike | None) -> None:
    """After the shard tasks: give every shard its content key and every file its SHA-256 (computed
    by the shard tasks for files unknown at planning), and record the hashes in the hash index."""
    by_index = {s.index: s for s in summaries}
    files: list[FilePlan] = []
    for shard in plan.shards:
        s = by_index.get(shard.index)
        if s is not None and s.hashed:
            shard.files = [replace(f, sha256=s.hashed[f.source], hashed_at_ns=s.hashed_at_ns)
                           if f.sha256 is None and f.source in s.hashed else f for f in shard.files]
        if s is not None:
            shard.key = s.key
        files += shard.files
    plan.files = files
    if cache_dir is None or not any(s.hashed for s in summaries):
        return
    ok = [f for f in files if f.sha256]  # "" or None: unreadable, hashed again next time
    t = pa.table({"source": [f.source for f in ok], "size": [f.size for f in ok],
                  "mtime_ns": [f.mtime_ns for f in ok], "inode": [f.inode for f in ok],
                  "hashed_at_ns": [f.hashed_at_ns for f in ok], "sha256": [f.sha256 for f in ok],
                  "ctime_ns": [f.ctime_ns for f in ok]},
                 schema=_HASH_INDEX_SCHEMA)
    path = Path(cache_dir) / HASH_INDEX
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
        pq.write_table(t, tmp)
        os.replace(tmp, path)
    except OSError:
        pass  # only a cache: the next run hashes again


def _stage_fingerprint(config_fp: str) -> str:
    return f"{code_fingerprint()}:{config_fp}"


def _plan_reuse(shards: list[Shard], cache_dir: Path, stage_fp: str, clean_fp: str) -> None:
    """For each shard not staged yet, find its unchanged files in staged shards of earlier runs.

    With 1 % of files edited at random nearly every shard changes, so shard-level caching alone
    recomputes nearly everything; per-file reuse makes a re-run cost what changed (plus copying rows).
    Results are per document (classify_dumps equals classify_dump per document, build_keys is per
    row), so copied rows equal recomputed ones. A staged shard made with other MinHash settings but
    the same clean config still gives its rows; only their keys are computed again (`Shard.rekey`).
    """
    root = cache_dir / "shards"
    todo = [s for s in shards if not (root / s.key / "_SUCCESS").exists()]
    if not todo or not root.is_dir():
        return
    where: dict[str, dict[str, str]] = {}
    rekey: set[str] = set()
    for exact in (True, False):  # same keys first: a copy whose keys need no recomputing wins
        for d in sorted(root.iterdir()):
            try:
                info = json.loads((d / "_SUCCESS").read_text())
            except (OSError, ValueError):
                continue
            if "sha256" not in info or (info.get("stage_fp") == stage_fp) != exact:
                continue
            if not exact:
                if info.get("clean_fp") != clean_fp:
                    continue
                rekey.add(d.name)
            for src, sha in zip(info["files"], info["sha256"]):
                if sha:
                    where.setdefault(src, {}).setdefault(sha, d.name)
    for s in todo:
        s.reuse = {f.source: ({f.sha256: c[f.sha256]} if f.sha256 is not None else c) for f in s.files
                   if (c := where.get(f.source)) is not None and (f.sha256 is None or f.sha256 in c)}
        used = {k for c in s.reuse.values() for k in c.values()}
        s.rekey = frozenset(used & rekey)


def code_fingerprint() -> str:
    """Hash of the core package's code, word lists and models: a new release or a local edit
    invalidates cached shard results, not only a version bump."""
    global _CODE_FP
    if _CODE_FP is None:
        h = hashlib.sha256(PIPELINE_VERSION.encode())
        root = Path(__file__).resolve().parent
        for p in sorted(root.rglob("*")):
            if p.is_file() and p.suffix in {".py", ".txt", ".npz", ".json"} and "__pycache__" not in p.parts:
                h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
        _CODE_FP = h.hexdigest()[:16]
    return _CODE_FP


_CODE_FP: str | None = None


def _make_shard(index: int, files: list[FilePlan], fingerprint: str) -> Shard:
    return Shard(index, shard_key(files, fingerprint), list(files))


def shard_key(files: list[FilePlan], fingerprint: str, hashes: dict[str, str] | None = None) -> str:
    """Content key of a shard: code, config, and each file's (source, sha256). With a file's hash
    unknown (None and not in `hashes`) the key is provisional: "?" + a key no staged shard has."""
    h = hashlib.sha256()
    h.update(f"{code_fingerprint()}\0{fingerprint}\0".encode())
    provisional = False
    for f in files:
        sha = f.sha256 if f.sha256 is not None else (hashes or {}).get(f.source)
        if sha is None:
            provisional, sha = True, "?"
        h.update(f.source.encode("utf-8", "surrogateescape") + b"\0" + sha.encode() + b"\n")
    return ("?" if provisional else "") + h.hexdigest()[:24]


# ---------------------------------------------------------------------------- shard processing


@dataclass(slots=True)
class ShardSummary:
    index: int
    key: str
    cached: bool
    n_files: int
    n_docs: int
    n_rejects: int
    n_blocks: int
    bytes_in: int
    seconds: float
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # SHA-256 of the files whose hash was unknown at planning ("" when unreadable), computed here
    # from the bytes read for processing, and when they were read (for the hash index)
    hashed: dict[str, str] = field(default_factory=dict)
    hashed_at_ns: int = 0


def _environment_errors() -> tuple[type[BaseException], ...]:
    from .boilerplate import ModelMissingError

    return (ImportError, MemoryError, ModelMissingError)


def shard_dir_for(cache_dir: str | os.PathLike, shard: Shard) -> Path:
    return Path(cache_dir) / "shards" / shard.key


_STAGED_TABLES = ("docs", "blocks", "citations", "rejects", "keys")


def _intact(d: Path) -> dict | None:
    """A staged shard's _SUCCESS record if the record and every Parquet footer it lists read back, else
    None. Staged files are not fsynced (a cache, rebuilt at will): after a power loss one may be
    truncated, and the dedup step failed on it in every later run ("No magic bytes found")."""
    try:
        info = json.loads((d / "_SUCCESS").read_text())
        for name in _STAGED_TABLES:  # every one is written (a missing keys file dropped the shard from dedup)
            pq.read_metadata(d / f"{name}.parquet")
        return info
    except (OSError, ValueError, pa.ArrowException):
        return None


def process_shard(shard: Shard, cache_dir: str | os.PathLike, config: PipelineConfig, refresh: bool = False) -> ShardSummary:
    """Process (or find cached) one shard; write its staged tables under the cache directory.

    Files whose hash was unknown at planning are read first: reading hashes them, which gives the
    shard its content key, and so a cache hit, before any processing."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {"read": 0.0, "clean": 0.0, "stage": 0.0, "keys": 0.0, "write": 0.0}
    pre: dict[str, RawDocument | Reject] = {}
    hashed: dict[str, str] = {}
    stamp = 0
    if shard.key.startswith("?"):
        stamp = time.time_ns()
        for f in shard.files:
            if f.sha256 is None:
                r = pre[f.source] = read_document(FileEntry(f.source, f.path, f.size), config.max_file_bytes)
                hashed[f.source] = r.sha256 or ""
        shard = Shard(shard.index, shard_key(shard.files, config.stage_fingerprint(), hashed), shard.files, shard.reuse,
                      shard.rekey)
        timings["read"] = time.perf_counter() - t0
    out = shard_dir_for(cache_dir, shard)
    done = out / "_SUCCESS"
    if done.exists() and not refresh:
        info = _intact(out)
        if info is not None:
            return ShardSummary(shard.index, shard.key, True, len(shard.files), info["n_docs"], info["n_rejects"],
                                info["n_blocks"], shard.bytes, time.perf_counter() - t0, {}, hashed, stamp)
        done.unlink(missing_ok=True)  # a damaged cached shard (a truncated file after a crash): recompute it
    results: list[DocumentResult] = []
    rejects: list[Reject] = []
    raws: list[RawDocument] = []
    reuse = {f.source: k for f in shard.files
             if (k := shard.reuse.get(f.source, {}).get(f.sha256 or hashed.get(f.source, ""))) is not None}
    if reuse and not refresh:
        tr = time.perf_counter()
        copied = _copy_staged(cache_dir, reuse, shard.rekey, config)
        if copied is None:  # an earlier shard vanished or is unreadable: compute everything
            reuse = {}
        # reading the reused rows back (and re-keying them when the MinHash settings changed): a 1 %
        # re-run spends more here than in cleaning its changed files
        timings["rekey" if shard.rekey else "copy"] = time.perf_counter() - tr
    for f in shard.files:
        if f.source in reuse and not refresh:
            continue
        ta = time.perf_counter()
        raw = pre.pop(f.source, None) or read_document(FileEntry(f.source, f.path, f.size), config.max_file_bytes)
        timings["read"] += time.perf_counter() - ta
        if isinstance(raw, Reject):
            rejects.append(raw)
        else:
            raws.append(raw)
    tb = time.perf_counter()
    _ENVIRONMENT_ERRORS = _environment_errors()
    for raw, res in zip(raws, process_documents(raws, config)):
        if isinstance(res, DocumentResult):
            results.append(res)
        elif isinstance(res, _ENVIRONMENT_ERRORS):  # a broken install, not a bad file: fail the run loudly
            raise res
        elif isinstance(res, TooComplex):
            rejects.append(Reject(raw.source, "too_complex", str(res), raw.sha256))
        elif isinstance(res, TooLarge):
            rejects.append(Reject(raw.source, "too_large", str(res), raw.sha256))
        elif isinstance(res, RecursionError):
            rejects.append(Reject(raw.source, "too_complex", "document nesting too deep to process", raw.sha256))
        else:
            tb_last = traceback.extract_tb(res.__traceback__)[-1] if res.__traceback__ else None
            where = f" (at {Path(tb_last.filename).name}:{tb_last.lineno})" if tb_last else ""
            rejects.append(Reject(raw.source, "processing_error", f"{type(res).__name__}: {res}{where}", raw.sha256))
    timings["clean"] += time.perf_counter() - tb
    rejects.sort(key=lambda r: r.source)
    ts = time.perf_counter()
    tables, keys_in = _stage_and_keys(results, rejects)
    tk = time.perf_counter()
    timings["stage"] = tk - ts  # records -> Arrow columns
    from .dedup import build_keys

    tables["keys"] = build_keys(keys_in, config.dedup)
    timings["keys"] = time.perf_counter() - tk
    if reuse and not refresh:
        tc = time.perf_counter()
        tables = _merge_staged(shard, tables, copied)
        timings["reuse"] = time.perf_counter() - tc
    tw = time.perf_counter()
    tmp = out.with_name(out.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name, table in tables.items():
        # lz4, not zstd: these are a cache read back by this machine, and lz4 writes them ~1.7x faster
        pq.write_table(table, tmp / f"{name}.parquet", compression="lz4", use_dictionary=_STAGE_DICT.get(name, True))
    n_docs, n_rejects, n_blocks = tables["docs"].num_rows, tables["rejects"].num_rows, tables["blocks"].num_rows
    (tmp / "_SUCCESS").write_text(json.dumps({"n_docs": n_docs, "n_rejects": n_rejects, "n_blocks": n_blocks,
                                              "files": [f.source for f in shard.files],
                                              "sha256": [f.sha256 or hashed.get(f.source, "") for f in shard.files],
                                              "stage_fp": _stage_fingerprint(config.stage_fingerprint()),
                                              "clean_fp": _stage_fingerprint(config.clean_fingerprint())}))
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    timings["write"] = time.perf_counter() - tw
    return ShardSummary(shard.index, shard.key, False, len(shard.files), n_docs, n_rejects, n_blocks,
                        shard.bytes, time.perf_counter() - t0, timings, hashed, stamp)


# Dictionary encoding only where values repeat: pyarrow tries it on every column by default, and on the
# keys' random hash lists (band keys, shingles) that attempt was a third of the keys file's write time.
_STAGE_DICT = {"keys": ["doc_id", "source", "source_sha256", "site", "label"]}


def _copy_staged(cache_dir, reuse: dict[str, str], rekey: frozenset[str] = frozenset(),
                 config: PipelineConfig | None = None) -> dict[str, list[pa.Table]] | None:
    """The staged rows of the reused files, read from the shards that hold them (filtered by source /
    doc_id with Arrow, no per-row Python). Rows from a shard in `rekey` get new dedup keys, built from
    the copied rows with `config`'s MinHash settings."""
    by_key: dict[str, list[str]] = {}
    for src, key in reuse.items():
        by_key.setdefault(key, []).append(src)
    out: dict[str, list[pa.Table]] = {name: [] for name in STAGE_FILES}
    root = Path(cache_dir) / "shards"
    try:
        for key, sources in sorted(by_key.items()):
            ids = pa.array([doc_id_for(x) for x in sources], pa.string())
            for name in STAGE_FILES:
                if name == "keys" and key in rekey:
                    from .dedup import build_keys

                    out[name].append(build_keys(_keys_input(out["blocks"][-1], out["docs"][-1]), config.dedup))
                    continue
                t = pq.read_table(root / key / f"{name}.parquet")
                col = "source" if name == "rejects" else "doc_id"
                want = pa.array(sources, pa.string()) if col == "source" else ids
                out[name].append(t.filter(pc.is_in(t.column(col), value_set=want)))
    except (OSError, pa.ArrowInvalid):
        return None
    return out


def _keys_input(blocks: pa.Table, docs: pa.Table) -> pa.Table:
    """The dedup keys input of staged rows, as `_stage_and_keys` builds it from fresh results: the
    keys text is the staged `text` when set (see STAGED_BLOCKS), else the raw text (stripped unless
    the block is kept, for which `text` is only left null when it equals the raw text)."""
    text, raw = blocks.column("text").to_pylist(), blocks.column("raw_text").to_pylist()
    kept = blocks.column("kept").to_pylist()
    keys_text = [t if t is not None else (r if k else r.strip()) for t, r, k in zip(text, raw, kept)]
    idx = pc.index_in(blocks.column("doc_id"), value_set=docs.column("doc_id"))
    return pa.table({
        "doc_id": blocks.column("doc_id"),
        "source": docs.column("source").take(idx),
        "source_sha256": docs.column("source_sha256").take(idx),
        "site": docs.column("site").take(idx),
        "position": blocks.column("position"),
        "kept": blocks.column("kept"),
        "label": blocks.column("label"),
        "text": pa.array(keys_text, pa.string()),
    }, schema=_KEYS_INPUT_SCHEMA)


def _merge_staged(shard: Shard, fresh: dict[str, pa.Table], copied: dict[str, list[pa.Table]]) -> dict[str, pa.Table]:
    """Fresh and copied rows in the order a full computation of the shard writes them: documents in
    file order (rows of one document keep their order), rejects by source."""
    # a row's rank is its document's index in file order (Arrow's index_in: no Python per row, which
    # cost ~15 us per row, ~2.5 s of a 1 % re-run at 100k documents)
    order = pa.array([doc_id_for(f.source) for f in shard.files], pa.string())
    out = {}
    for name in STAGE_FILES:
        t = pa.concat_tables([fresh[name], *copied[name]]).combine_chunks()
        if name == "rejects":
            t = t.take(pc.sort_indices(t, sort_keys=[("source", "ascending")]))
        elif t.num_rows:
            rank = pc.index_in(t.column("doc_id"), value_set=order)
            if rank.null_count:
                raise ValueError(f"staged {name} rows of a document that is not in shard {shard.index}")
            rank = rank.to_numpy(zero_copy_only=False)
            t = t.take(pa.array(np.argsort(rank, kind="stable")))
        out[name] = t.combine_chunks()
    return out


def _site_of(r: DocumentResult) -> str:
    if r.meta.url:
        from urllib.parse import urlsplit

        host = urlsplit(r.meta.url).hostname
        if host:
            return host.removeprefix("www.")
    src = r.raw.source
    return src.rsplit("/", 1)[0] if "/" in src else ""


def _published(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def _stage_and_keys(results: list[DocumentResult], rejects: list[Reject]) -> tuple[dict[str, pa.Table], pa.Table]:
    """The staged tables and the dedup keys input from one pass over the
    blocks: columns are built from flat lists, one comprehension per column and document (no per-row
    dicts), and the per-document key columns are expanded to blocks with one `take`."""
    docs: dict[str, list] = {f.name: [] for f in DOCS_STAGE_SCHEMA}
    doc_id, position, raw_start, raw_end, kept, label, detail = [], [], [], [], [], [], []
    raw_text, text, keys_text, cites, dup_doc, dup_pos = [], [], [], [], [], []
    doc_index: list[int] = []  # per block: its document's row
    cits: list[dict] = []
    for di, r in enumerate(results):
        did = doc_id_for(r.raw.source)
        m = r.meta
        row = dict(doc_id=did, source=r.raw.source, source_sha256=r.raw.sha256, format=r.raw.format,
                   compression=r.raw.compression, encoding=r.raw.encoding, kind=m.kind or "other", url=m.url,
                   site=_site_of(r), title=m.title, authors=list(m.authors or []), published=_published(m.published),
                   language=r.language, n_blocks=len(r.blocks), n_citations=len(r.citations))
        for k in docs:
            docs[k].append(row[k])
        blocks, decs = r.blocks, r.decisions
        nb = min(len(blocks), len(decs))
        if len(blocks) != nb or len(decs) != nb:
            blocks, decs = blocks[:nb], decs[:nb]
        doc_id += [did] * nb
        doc_index += [di] * nb
        position += range(nb)
        raw_start += [b.raw_start for b in blocks]
        raw_end += [b.raw_end for b in blocks]
        lab = [d.label for d in decs]
        keep = [x in KEEP_KINDS for x in lab]  # Decision.keep, without a property call per block
        kept += keep
        label += lab
        detail += [d.detail or "" for d in decs]
        rt = [b.text for b in blocks]
        raw_text += rt
        kt = [x if k and (x := d.text) is not None else t.strip() for t, d, k in zip(rt, decs, keep)]
        keys_text += kt
        text += [x if k and x != r else None for x, r, k in zip(kt, rt, keep)]  # see STAGED_BLOCKS
        cites += [d.cites if k else () for d, k in zip(decs, keep)]  # tuples: Arrow takes any sequence
        dup_doc += [d.duplicate_of_doc for d in decs]
        dup_pos += [d.duplicate_of_position for d in decs]
        for c in r.citations:
            cits.append(_citation_row(did, c))
    cit_table = pa.Table.from_pylist(cits, schema=_CIT_STAGE) if cits else _CIT_STAGE.empty_table()
    rej = reject_table(rejects)
    blocks_cols = dict(doc_id=doc_id, position=position, raw_start=raw_start, raw_end=raw_end, kept=kept, label=label,
                       detail=detail, raw_text=raw_text, text=text, cites=cites, duplicate_of_doc=dup_doc,
                       duplicate_of_position=dup_pos)
    tables = {
        "docs": pa.table(docs, schema=DOCS_STAGE_SCHEMA),
        "blocks": pa.table(blocks_cols, schema=BLOCKS_SCHEMA),
        "citations": cit_table,
        "rejects": rej,
    }
    # keys input: per-document columns expanded to blocks with one take (no per-block Python)
    idx = pa.array(doc_index, pa.int64())
    dt = tables["docs"]
    keys_in = pa.table({
        "doc_id": tables["blocks"].column("doc_id"),
        "source": dt.column("source").take(idx),
        "source_sha256": dt.column("source_sha256").take(idx),
        "site": dt.column("site").take(idx),
        "position": tables["blocks"].column("position"),
        "kept": tables["blocks"].column("kept"),
        "label": tables["blocks"].column("label"),
        "text": pa.array(keys_text, pa.string()),
    }, schema=_KEYS_INPUT_SCHEMA)
    return tables, keys_in


_KEYS_INPUT_SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("source", pa.string()), ("source_sha256", pa.string()), ("site", pa.string()),
    ("position", pa.int32()), ("kept", pa.bool_()), ("label", pa.string()), ("text", pa.string())])


_CIT_STAGE = S.CITATIONS


def _citation_row(doc_id: str, c: Citation) -> dict:
    ids = {k: None for k in S.IDENTIFIER_FIELDS}
    for k, v in (c.identifiers or {}).items():
        if k in ids and v is not None:
            ids[k] = str(v)
    return dict(doc_id=doc_id, ref_number=c.ref_number, backlinks=c.backlinks, raw=c.raw, raw_start=c.raw_start,
                raw_end=c.raw_end, authors=list(c.authors or []), authors_etal=bool(c.authors_etal), title=c.title,
                work=c.work, publisher=c.publisher, date=c.date, date_raw=c.date_raw, url=c.url,
                access_date=c.access_date, access_date_raw=c.access_date_raw, via=c.via, language=c.language,
                identifiers=ids, cited_in=sorted(set(c.cited_in or [])), duplicate_of=c.duplicate_of, style=c.style or "")


# ---------------------------------------------------------------------------- finalize


def finalize_shard(shard: Shard, cache_dir: str | os.PathLike, decisions_dir: str | None, snapshot_dir: str | os.PathLike,
                   run_id: str) -> dict[str, int]:
    """Apply corpus-wide dedup decisions to one staged shard and write its final part files.

    When the previous snapshot holds this shard's parts computed from the same staged results and
    the same decisions, they are hard-linked instead of recomputed (an unchanged shard of an
    incremental run costs a lookup); their rows keep the `run_id` of the run that computed them.
    Returns row counts per table and per removal reason (small, so it can travel back to the flow).
    """
    snapshot_dir = Path(snapshot_dir)
    dec = _shard_decisions(decisions_dir, shard.key)
    digest = hashlib.sha256(repr(dec.to_pydict()).encode()).hexdigest()
    final_key = hashlib.sha256(f"{shard.key}:{digest}:{S.SCHEMA_VERSION}".encode()).hexdigest()[:24]
    reused = _reuse_parts(shard, final_key, snapshot_dir)
    if reused is not None:
        return reused
    src = shard_dir_for(cache_dir, shard)
    blocks = pq.read_table(src / "blocks.parquet").combine_chunks()
    docs = pq.read_table(src / "docs.parquet")
    n, n_docs = blocks.num_rows, docs.num_rows
    # Vectorised over the shard's blocks (Arrow / numpy, no per-row Python): blocks are stored by
    # document (docs-table order) then position, so (document index, position) keys are sorted and a
    # decision finds its block by binary search. A block stays a paragraph when kept and no dedup
    # decision changes it; every other block is a removed row (the decision's reason when there is one).
    doc_ids = docs.column("doc_id")
    b_doc = pc.index_in(blocks.column("doc_id"), value_set=doc_ids).to_numpy(zero_copy_only=False).astype(np.int64) \
        if n else np.zeros(0, np.int64)
    kept = blocks.column("kept").to_numpy(zero_copy_only=False).astype(bool) if n else np.zeros(0, bool)
    changed = np.zeros(0, np.int64)
    if dec.num_rows and n:
        bkey = (b_doc << 32) | blocks.column("position").to_numpy(zero_copy_only=False).astype(np.int64)
        d_doc = pc.index_in(dec.column("doc_id"), value_set=doc_ids).to_numpy(zero_copy_only=False)
        ok = ~np.isnan(d_doc.astype(np.float64))  # decisions for documents of this shard only
        dkey = (np.nan_to_num(d_doc.astype(np.float64), nan=0).astype(np.int64) << 32) \
            | dec.column("position").to_numpy(zero_copy_only=False).astype(np.int64)
        at = np.minimum(np.searchsorted(bkey, dkey), max(n - 1, 0))
        ok &= bkey[at] == dkey
        order = np.argsort(at[ok], kind="stable")
        changed = at[ok][order]
        dec = dec.take(pa.array(np.flatnonzero(ok)[order])).combine_chunks()
    is_para = kept.copy()
    is_para[changed] = False
    p_sel = np.flatnonzero(is_para)
    r_sel = np.flatnonzero(~is_para)
    p_idx, r_idx = pa.array(p_sel), pa.array(r_sel)
    # a kept block's text is staged only where it differs from its raw text (schema.STAGED_BLOCKS)
    ptext = pc.coalesce(blocks.column("text").take(p_idx), blocks.column("raw_text").take(p_idx))
    para_tbl = pa.table({
        "doc_id": blocks.column("doc_id").take(p_idx),
        "position": blocks.column("position").take(p_idx),
        "kind": blocks.column("label").take(p_idx),
        "text": ptext,
        "hash": _paragraph_hashes(src, blocks, p_idx, ptext),
        "raw_start": blocks.column("raw_start").take(p_idx),
        "raw_end": blocks.column("raw_end").take(p_idx),
        "cites": blocks.column("cites").take(p_idx),
    })
    reason_col = blocks.column("label").take(r_idx)
    detail_col = blocks.column("detail").take(r_idx)
    dupd_col = blocks.column("duplicate_of_doc").take(r_idx)
    dupp_col = blocks.column("duplicate_of_position").take(r_idx)
    if changed.size:  # patch the rows whose fate the corpus-wide dedup decided (changed is ascending)
        mask = pa.array(np.isin(r_sel, changed))
        reason_col, detail_col, dupd_col, dupp_col = (
            c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in (reason_col, detail_col, dupd_col, dupp_col))
        dc = {k: v.chunk(0) if v.num_chunks == 1 else v.combine_chunks() for k, v in zip(dec.column_names, dec.columns)}
        reason_col = pc.replace_with_mask(reason_col, mask, dc["reason"].cast(pa.string()))
        detail_col = pc.replace_with_mask(detail_col, mask, dc["detail"].cast(pa.string()))
        dupd_col = pc.replace_with_mask(dupd_col, mask, dc["duplicate_of_doc"].cast(pa.string()))
        dupp_col = pc.replace_with_mask(dupp_col, mask, dc["duplicate_of_position"].cast(pa.int32()))
    rem_tbl = pa.table({
        "doc_id": blocks.column("doc_id").take(r_idx),
        "position": blocks.column("position").take(r_idx),
        "raw_start": blocks.column("raw_start").take(r_idx),
        "raw_end": blocks.column("raw_end").take(r_idx),
        "text": blocks.column("raw_text").take(r_idx),
        "reason": reason_col,
        "detail": detail_col,
        "duplicate_of_doc": dupd_col,
        "duplicate_of_position": dupp_col,
    })
    p_doc, r_doc = b_doc[p_sel], b_doc[r_sel]
    n_par = np.bincount(p_doc, minlength=n_docs)
    n_rem = np.bincount(r_doc, minlength=n_docs)
    is_dup = pc.equal(reason_col, "duplicate").to_numpy(zero_copy_only=False) if r_sel.size else np.zeros(0, bool)
    n_dup = np.bincount(r_doc[is_dup.astype(bool)], minlength=n_docs)
    reasons = {}
    if r_sel.size:
        vc = pc.value_counts(reason_col)
        reasons = dict(zip(vc.field("values").to_pylist(), vc.field("counts").to_pylist()))
    # each document's text: its kept paragraphs (already in order) joined by blank lines
    p_off = np.zeros(n_docs + 1, dtype=np.int32)
    np.cumsum(n_par, out=p_off[1:])
    doc_text = pc.binary_join(pa.ListArray.from_arrays(pa.array(p_off), ptext.combine_chunks()
                                                       if isinstance(ptext, pa.ChunkedArray) else ptext), "\n\n")
    cols = {f.name: docs.column(f.name) for f in docs.schema}
    cols["text"] = doc_text
    cols["n_paragraphs"] = pa.array(n_par, pa.int64())
    cols["n_removed"] = pa.array(n_rem, pa.int64())
    cols["n_duplicates"] = pa.array(n_dup, pa.int64())
    cols["run_id"] = pa.array([run_id] * n_docs, pa.string())
    cols["pipeline_version"] = pa.array([PIPELINE_VERSION] * n_docs, pa.string())
    cits = pq.read_table(src / "citations.parquet")
    rejects = pq.read_table(src / "rejects.parquet")
    rejects = rejects.set_column(rejects.schema.get_field_index("run_id"), "run_id",
                                 pa.array([run_id] * rejects.num_rows, pa.string()))
    out = {
        "documents": pa.table([cols[f.name] for f in S.DOCUMENTS], names=S.DOCUMENTS.names).cast(S.DOCUMENTS),
        "paragraphs": para_tbl.cast(S.PARAGRAPHS),
        "removed": rem_tbl.cast(S.REMOVED),
        "citations": cits.cast(S.CITATIONS),
        "rejects": rejects.cast(S.REJECTS),
    }
    counts: dict[str, int] = {}
    parts: dict[str, str] = {}
    for name, table in out.items():
        counts[name] = table.num_rows
        if table.num_rows:
            parts[name] = f"part-{shard.index:05d}.parquet"
            write_part(table, snapshot_dir / name / parts[name], name)
    counts.update({f"reason:{k}": v for k, v in reasons.items()})
    _write_manifest(snapshot_dir, shard.key, {"final_key": final_key, "parts": parts, "counts": counts})
    return counts


def _paragraph_hashes(src: Path, blocks: pa.Table, p_idx: pa.Array, ptext) -> pa.Array:
    """text_hash of each kept paragraph: read from the shard's keys table, whose `hash` column is
    hash64(normalize(text)) of the same rows in the same order (for a kept block, the keys text is
    the block's kept text), so nothing is normalised twice. Recomputed if the keys do not line up."""
    try:
        keys = pq.read_table(src / "keys.parquet", columns=["doc_id", "position", "hash"])
        if keys.num_rows == blocks.num_rows and keys.column("position").equals(blocks.column("position")) \
                and keys.column("doc_id").equals(blocks.column("doc_id")):
            return keys.column("hash").take(p_idx)
    except (OSError, KeyError, pa.ArrowInvalid):
        pass
    from .normalize import text_hash

    return pa.array([text_hash(t) for t in ptext.to_pylist()], pa.int64())


MANIFEST = ".manifest"


def _shard_decisions(decisions_dir: str | None, shard_key: str) -> pa.Table:
    """This shard's partition of the dedup decisions (written by pipeline.run_dedup), sorted by
    (doc_id, position)."""
    files = []
    if decisions_dir:
        part = Path(decisions_dir) / f"shard={shard_key}"
        files = sorted(part.glob("*.parquet")) if part.is_dir() else []
    if not files:
        return S.DECISIONS.empty_table()
    t = pa.concat_tables([pq.read_table(f).select(S.DECISIONS.names).cast(S.DECISIONS) for f in files])
    return t.take(pc.sort_indices(t, sort_keys=[("doc_id", "ascending"), ("position", "ascending")]))


def _write_manifest(snapshot_dir: Path, shard_key: str, entry: dict) -> None:
    d = snapshot_dir / MANIFEST
    d.mkdir(exist_ok=True)
    (d / f"{shard_key}.json").write_text(json.dumps(entry, sort_keys=True))


def _reuse_parts(shard: Shard, final_key: str, snapshot_dir: Path) -> dict[str, int] | None:
    from .publish import current_snapshot

    prev = current_snapshot(snapshot_dir.parent.parent)
    if prev is None:
        return None
    try:
        entry = json.loads((prev / MANIFEST / f"{shard.key}.json").read_text())
    except (OSError, ValueError):
        return None
    if entry.get("final_key") != final_key:
        return None
    new_parts = {}
    for name, fname in entry["parts"].items():
        if not (prev / name / fname).is_file():
            return None
    for name, fname in entry["parts"].items():
        dst = snapshot_dir / name / f"part-{shard.index:05d}.parquet"
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(prev / name / fname, dst)
        except OSError:
            shutil.copyfile(prev / name / fname, dst)
        new_parts[name] = dst.name
    _write_manifest(snapshot_dir, shard.key, {"final_key": final_key, "parts": new_parts, "counts": entry["counts"]})
    return dict(entry["counts"])


def write_part(table: pa.Table, path: Path, name: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = table.cast(S.with_metadata(S.TABLES[name], name))
    pq.write_table(table, path, compression="zstd", compression_level=3, row_group_size=128 * 1024,
                   write_statistics=True)
