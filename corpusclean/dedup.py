"""Corpus-wide deduplication: per-shard dedup keys, one global decision step, and a reader for its decisions.

Two halves, so that cached shard work is reused:

* ``build_keys`` runs per shard (any process/machine). It turns the shard's labelled blocks into a
  *keys* table: every block without its text, plus the 64-bit hash of its normalised text, its
  normalised length in characters and words (``normalize.words``: in CJK and other unspaced scripts
  a character is a word), and for kept blocks of at least ``near_min_words`` words
  the near-duplicate keys: LSH band keys of a MinHash signature (numpy 32-bit multiply-add over the
  stored shingle hashes; fixed constants, no RNG) and the word-shingle hashes themselves, used to verify
  candidate pairs by their *exact* shingle Jaccard (not the signature estimate: no estimation error
  around the threshold). The stored shingles are the high 32 bits of 64-bit xxh3-based hashes, and the
  signature is computed from those same 32 bits: 4 bytes per shingle instead of 8 (they were the
  largest staged column, written per shard and read back by the dedup); a chance collision between two
  different shingles of one candidate pair (~n^2 / 2^32 for n shingles, about 1e-6 for a 60-word
  paragraph) would count one shingle as shared.
* ``corpus_dedup`` reads ONLY the keys Parquet files of all shards (DuckDB, disk-backed database and
  temp directory in ``work_dir`` (the database in TMPDIR when that path holds a '?'), ``memory_limit``)
  and writes one Parquet file of decisions: the blocks whose fate changes. The corpus is never held in
  Python objects; Python sees only the verified near-duplicate edges.

Dedup order ("first occurrence"): documents by ``source`` ascending (bytewise, i.e. DuckDB's binary
collation; ``doc_id`` breaks ties), blocks by ``position``. Rules, applied in this order:

a. template lines: a block of <= ``template_max_words`` words whose hash occurs in >=
   ``template_min_docs`` distinct documents of one site (distinct by content: documents whose kept
   blocks of more than ``template_max_words`` words are the same set count once, as do byte-identical
   copies of a page without such blocks; a null site is one batch of its own) leaves every copy. Kept
   copies get the most common removal label among the removed copies (ties: alphabetical), else ``nav``.
b. whole-document copies: a document whose ``source_sha256`` equals an earlier document's has EVERY
   block (as the SPEC asks: boilerplate and template lines too) marked ``duplicate`` of the earliest
   such document, same position (re-pointed to that block's own survivor if the original block is
   itself a duplicate). Where the original removed the block (boilerplate, template line), the copy
   points at that removed block and ``detail`` names its reason: the one case where a
   ``duplicate`` does not point at a kept block.
c. exact: still-kept blocks with ``n_chars >= exact_min_chars``: every later occurrence of a hash is a
   ``duplicate`` of the first occurrence.
d. near: still-kept blocks with near keys; band-key collisions (on-disk band join, one band per pass)
   give candidate pairs (in a bucket of g items an item is paired with the first and the previous
   ``pair_window`` items, so a huge bucket cannot explode), verified by shingle Jaccard >= ``near_threshold``; a later block is a duplicate
   of the EARLIEST matching block that itself survives (greedy in dedup order). Exact duplicates whose
   first occurrence became a near duplicate are re-pointed to that survivor, so every ``duplicate``
   names a block that stays kept.
"""

from __future__ import annotations

import os
import shutil
import unicodedata
import uuid
from itertools import repeat

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import xxhash

from . import schema as S
from .config import DedupConfig
from .normalize import normalize  # noqa: F401 - build_keys inlines it (one comprehension); keep in sync
from .normalize import words

__all__ = [
    "KEYS_SCHEMA",
    "DECISIONS_SCHEMA",
    "build_keys",
    "corpus_dedup",
    "load_decisions",
    "shingle_hashes",
    "local_temp_dir",
    "sql_str",
]

INPUT_COLUMNS = ("doc_id", "source", "source_sha256", "site", "position", "kept", "label")

KEYS_SCHEMA = S.KEYS
DECISIONS_SCHEMA = S.DECISIONS

# ---------------------------------------------------------------------------------------------
# Hashing primitives (pure uint64 numpy arithmetic, wrapping; fixed constants => deterministic
# across runs, machines and numpy versions; no numpy RNG involved).

_U = np.uint64
_M1 = _U(0xBF58476D1CE4E5B9)
_M2 = _U(0x94D049BB133111EB)
_GOLD = _U(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, vectorised (uint64 -> uint64)."""
    x = x ^ (x >> _U(30))
    x = x * _M1
    x = x ^ (x >> _U(27))
    x = x * _M2
    return x ^ (x >> _U(31))


def _constants(seed: int, n: int) -> np.ndarray:
    """n pseudo-random uint64 constants from a splitmix64 sequence."""
    with np.errstate(over="ignore"):
        return _mix((np.arange(1, n + 1, dtype=np.uint64) + _U(seed)) * _GOLD)


def _perm_params(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    a = _constants(0x5EED0003, num_perm) | _U(1)
    b = _constants(0x5EED0004, num_perm)
    return a, b


def shingle_hashes(normalized: list[str], k: int, n_words: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """k-word-shingle hashes of each (already normalised and `words`-split, non-empty) text, in text order (a repeated
    shingle appears again: consumers treat the list as a set).

    Returns (values uint64, offsets int64 of len(normalized)+1). A text of fewer than k words has one
    shingle of all its words. Words are hashed with xxh3_64 (one C-level map over all words); shingles
    are combined with numpy (no Python loop per word).
    """
    n = len(normalized)
    if n == 0:
        return np.zeros(0, np.uint64), np.zeros(1, np.int64)
    words = " ".join(normalized).encode("utf-8").split(b" ")
    wh = np.fromiter(map(xxhash.xxh3_64_intdigest, words), dtype=np.uint64, count=len(words))
    if n_words is not None:  # the caller counted them already
        nwr = n_words.astype(np.int64)
    else:
        nwr = np.fromiter(map(str.count, normalized, repeat(" ")), dtype=np.int64, count=n) + 1
    w_off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(nwr, out=w_off[1:])
    cst = _constants(0x5EED0005, k) | _U(1)
    # shingle starts: every word with k-1 words after it in its row; rows shorter than k: their first word
    nsh = np.maximum(nwr - k + 1, 1)
    sh_off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(nsh, out=sh_off[1:])
    srow = np.repeat(np.arange(n, dtype=np.int64), nsh)
    start = np.arange(int(sh_off[-1]), dtype=np.int64) - sh_off[srow] + w_off[srow]
    padded = np.concatenate([wh, np.zeros(k, np.uint64)])
    with np.errstate(over="ignore"):
        acc = padded[start] * cst[0]
        short = np.flatnonzero(nwr < k)
        for t in range(1, k):
            acc += padded[start + t] * cst[t]
        if len(short):  # one shingle of all the words: recompute those few without the overrun
            for r in short.tolist():
                j = int(sh_off[r])
                ws = wh[w_off[r] : w_off[r + 1]]
                acc[j] = (ws * cst[: len(ws)]).sum(dtype=np.uint64)
        sh = _mix(acc + _U(k))
    return sh, sh_off


_SIG_BLOCK = 131072  # shingles per block of the signature loop (512 KB of uint32: stays in cache)


def _band_keys(x: np.ndarray, s_off: np.ndarray, num_perm: int, bands: int) -> np.ndarray:
    """MinHash over each row's shingles (32-bit, multiply-add mod 2^32), then one 64-bit key per band.

    `x` holds the rows' stored 32-bit shingles (uint32: the high half of each 64-bit shingle hash,
    which splitmix64 has already mixed), `s_off` the row offsets into it. Per permutation p a row's
    value is min over its shingles of (x * a[p] + b[p]) mod 2^32, a bijection for odd a[p]. 32-bit
    lanes, not 64: numpy vectorises a uint32 multiply but emulates a uint64 one (44 % faster here).
    No library does it from a flat buffer of given hashes and returns an array: rensa's digest matrix
    is ~6x faster, but its only output is Python lists, whose conversion costs more than the loop.
    The products go to one reused buffer, over blocks of rows of about `_SIG_BLOCK` shingles."""
    n = len(s_off) - 1
    a, b = _perm_params(num_perm)
    a = (a >> _U(32)).astype(np.uint32) | np.uint32(1)
    b = (b >> _U(32)).astype(np.uint32)
    sig = np.empty((n, num_perm), dtype=np.uint32)
    if n:
        longest = int(np.diff(s_off).max())
        buf = np.empty(min(len(x), _SIG_BLOCK + longest), dtype=np.uint32)
        r0 = 0
        while r0 < n:
            r1 = int(np.searchsorted(s_off, s_off[r0] + _SIG_BLOCK, side="right")) - 1
            r1 = min(max(r1, r0 + 1), n)
            lo, hi = int(s_off[r0]), int(s_off[r1])
            xx, bb = x[lo:hi], buf[: hi - lo]
            starts = s_off[r0:r1] - lo
            out = sig[r0:r1]
            for p in range(num_perm):
                np.multiply(xx, a[p], out=bb)
                np.add(bb, b[p], out=bb)
                np.minimum.reduceat(bb, starts, out=out[:, p])
            r0 = r1
    sig = sig.astype(np.uint64)
    rows = num_perm // bands
    rc = _constants(0x5EED0006, rows) | _U(1)
    bc = _constants(0x5EED0007, bands)
    keys = np.empty((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for bi in range(bands):
            blk = sig[:, bi * rows : (bi + 1) * rows]
            keys[:, bi] = _mix((blk * rc[None, :]).sum(axis=1, dtype=np.uint64) + bc[bi])
    return keys


# ---------------------------------------------------------------------------------------------


def build_keys(rows: pa.Table, cfg: DedupConfig) -> pa.Table:
    """Per-shard dedup keys (see module doc and KEYS_SCHEMA). Deterministic; drops the text."""
    texts = rows.column("text").to_pylist()
    kept = rows.column("kept").to_numpy(zero_copy_only=False).astype(bool)
    nfkc = unicodedata.normalize  # normalize() inlined: one comprehension, no call per row
    norm = [" ".join(nfkc("NFKC", t).casefold().split()) if t else "" for t in texts]
    hashes = np.fromiter(
        map(xxhash.xxh3_64_intdigest, map(str.encode, norm)), dtype=np.uint64, count=len(norm)
    ).view(np.int64)
    n_chars = np.fromiter(map(len, norm), dtype=np.int32, count=len(norm))
    seg = list(map(words, norm))  # = norm except in unspaced scripts (CJK, Thai): a word per character
    n_words = np.fromiter(map(str.count, seg, repeat(" ")), dtype=np.int32, count=len(seg)) + 1
    n_words[n_chars == 0] = 0

    n = len(norm)
    elig = kept & (n_words >= max(cfg.near_min_words, 1)) if cfg.near_enabled else np.zeros(n, bool)
    eidx = np.flatnonzero(elig)
    # near keys once per distinct text (by its hash, as the exact rule compares texts): repeated
    # paragraphs in a shard (syndicated copies, templates) take their first copy's keys
    _, first, inverse = np.unique(hashes[eidx], return_index=True, return_inverse=True)
    uidx = eidx[np.sort(first)]  # distinct rows in row order
    rank = np.empty(len(first), np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    urow = rank[inverse.reshape(-1)]  # for each eligible row, its distinct row's index in uidx
    band_vals: list[np.ndarray] = []
    sh_vals: list[np.ndarray] = []
    u_sh_len = np.zeros(len(uidx), dtype=np.int64)
    chunk = 20000
    for c0 in range(0, len(uidx), chunk):
        ci = uidx[c0 : c0 + chunk]
        sh, s_off = shingle_hashes([seg[i] for i in ci], cfg.shingle_words, n_words[ci])
        s32 = (sh >> _U(32)).astype(np.uint32)  # the stored shingles: the high 32 bits (see the module doc)
        band_vals.append(_band_keys(s32, s_off, cfg.num_perm, cfg.bands))
        sh_vals.append(s32)
        u_sh_len[c0 : c0 + len(ci)] = np.diff(s_off)
    band_offsets = np.zeros(n + 1, dtype=np.int32)
    sh_offsets = np.zeros(n + 1, dtype=np.int64)
    band_len = np.zeros(n, dtype=np.int64)
    sh_len = np.zeros(n, dtype=np.int64)
    band_len[eidx] = cfg.bands
    sh_len[eidx] = u_sh_len[urow]
    if n:
        np.cumsum(band_len, out=band_offsets[1:], dtype=np.int32)
        np.cumsum(sh_len, out=sh_offsets[1:])
    mask = pa.array(~elig)
    if band_vals:
        ub = np.concatenate(band_vals)  # (distinct rows, bands)
        bv = ub[urow].reshape(-1).view(np.int64)
        us = np.concatenate(sh_vals).view(np.int32)
        u_off = np.zeros(len(uidx) + 1, dtype=np.int64)
        np.cumsum(u_sh_len, out=u_off[1:])
        if len(urow) == len(uidx):  # no repeats: already in row order
            sv = us
        else:  # each eligible row's shingles, gathered from its distinct row (ranges -> one take)
            lens = u_sh_len[urow]
            starts = np.repeat(u_off[urow] - np.cumsum(lens) + lens, lens)
            sv = us[starts + np.arange(int(lens.sum()), dtype=np.int64)]
    else:
        bv, sv = np.zeros(0, np.int64), np.zeros(0, np.int32)
    band_col = pa.ListArray.from_arrays(pa.array(band_offsets), pa.array(bv), mask=mask)
    sh_col = pa.LargeListArray.from_arrays(pa.array(sh_offsets), pa.array(sv), mask=mask).cast(
        pa.list_(pa.int32())
    )

    cols = {}
    for name in INPUT_COLUMNS:
        cols[name] = rows.column(name).cast(KEYS_SCHEMA.field(name).type)
    cols["hash"] = pa.array(hashes)
    cols["n_chars"] = pa.array(n_chars)
    cols["n_words"] = pa.array(n_words)
    cols["band_keys"] = band_col
    cols["shingles"] = sh_col
    return pa.table(cols, schema=KEYS_SCHEMA)


def write_keys(table: pa.Table, path: str) -> None:
    pq.write_table(table, path, compression="zstd", row_group_size=128_000,
                   use_dictionary=["doc_id", "source", "source_sha256", "site", "label"])


# ---------------------------------------------------------------------------------------------


def local_temp_dir(prefix: str) -> str:
    """A new folder in the system temp folder, for DuckDB files whose own path it cannot open."""
    import tempfile

    return tempfile.mkdtemp(prefix=prefix)


def sql_str(s: str) -> str:
    """A SQL string literal for DuckDB: paths may hold quotes (an output folder named after a person)."""
    return "'" + s.replace("'", "''") + "'"


def corpus_dedup(
    keys_files: list[str],
    cfg: DedupConfig,
    work_dir: str,
    memory_limit: str = "1GB",
    threads: int | None = None,
    pair_window: int = 32,
) -> str:
    """Decide duplicates over all keys files; returns the path of the decisions Parquet file.

    Only blocks that change are listed (DECISIONS_SCHEMA), sorted by (doc_id, position) in row groups of 64k
    rows (so a reader filtering on doc_id skips row groups). The result is
    a pure function of the set of key rows: file order, file split and thread count do not matter.
    `pair_window`: inside one LSH bucket of g items, an item is paired with the bucket's first
    `pair_window` items and its `pair_window` predecessors (all pairs when g <= pair_window + 1),
    which bounds the candidate count for huge buckets.
    """
    import duckdb

    os.makedirs(work_dir, exist_ok=True)
    tag = uuid.uuid4().hex[:12]
    db_path = os.path.join(work_dir, f"dedup-{tag}.duckdb")
    tmp_dir = os.path.join(work_dir, f"dedup-{tag}.tmp")
    out_path = os.path.join(work_dir, "decisions.parquet")
    files = sorted(os.path.abspath(f) for f in keys_files)
    if not files:
        pq.write_table(DECISIONS_SCHEMA.empty_table(), out_path + ".part")
        os.replace(out_path + ".part", out_path)
        return out_path
    elsewhere = None
    if "?" in db_path or "\\" in db_path:
        # DuckDB reads a '?' in a database path as the start of parameters ("file.db?param=value", see
        # duckdb PR #21527), so the WAL of "a?b/x.duckdb" goes to "a.wal?b/x.duckdb" and the first commit
        # fails; and it reads a backslash in a database or spill path as a separator ("a\\b" opens
        # "a/b"). A symlink does not help: it is resolved. Such a run keeps its dedup database and spill
        # folder in the system temp folder (TMPDIR) instead
        elsewhere = local_temp_dir("corpusclean-dedup-")
        db_path = os.path.join(elsewhere, os.path.basename(db_path))
        tmp_dir = os.path.join(elsewhere, os.path.basename(tmp_dir))
    con = duckdb.connect(db_path)
    try:
        con.execute(f"SET memory_limit={sql_str(memory_limit)}")
        con.execute(f"SET temp_directory={sql_str(tmp_dir)}")
        con.execute(f"SET threads={int(threads or min(2, os.cpu_count() or 1))}")
        con.execute("SET preserve_insertion_order=false")
        con.execute("SET enable_progress_bar=false")
        # return freed memory to the OS early: peak RSS then tracks memory_limit, not the allocator's cache
        con.execute("SET allocator_flush_threshold='16MB'")
        con.execute("SET allocator_bulk_deallocation_flush_threshold='16MB'")
        _run(con, files, cfg, out_path + ".part", pair_window)
    finally:
        con.close()
        for p in (db_path, db_path + ".wal"):
            if os.path.exists(p):
                os.remove(p)
        shutil.rmtree(tmp_dir, ignore_errors=True)
        if elsewhere is not None:
            shutil.rmtree(elsewhere, ignore_errors=True)
    os.replace(out_path + ".part", out_path)
    return out_path


def _run(con, files: list[str], cfg: DedupConfig, out_path: str, pair_window: int) -> None:
    flist = "[" + ", ".join(sql_str(f) for f in files) + "]"
    src = f"read_parquet({flist})"
    POS = 2147483648  # ord = doc_ord * 2^31 + position: the global dedup order as one BIGINT
    trace = os.environ.get("CORPUSCLEAN_DEDUP_TRACE")

    def q(sql, *args):
        if not trace:
            return con.execute(sql, *args)
        import resource
        import sys
        import time

        t = time.time()
        r = con.execute(sql, *args)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"[dedup] {time.time() - t:6.2f}s maxrss={rss:.0f}MB  {' '.join(sql.split())[:70]}", file=sys.stderr)
        return r

    # Documents in dedup order. Document-level columns are read from each document's block 0 (every
    # non-empty document has one; far less to aggregate); if any document lacks it, from all rows.
    def make_docs(where: str) -> None:
        q(f"""
            CREATE OR REPLACE TABLE docs AS
            SELECT doc_id, source, source_sha256, site,
                   row_number() OVER (ORDER BY source, doc_id) AS doc_ord,
                   dense_rank() OVER (ORDER BY site) AS site_id,
                   dense_rank() OVER (ORDER BY source_sha256) AS sha_id
            FROM (SELECT doc_id, min(source) AS source, min(source_sha256) AS source_sha256, min(site) AS site
                  FROM {src} {where} GROUP BY doc_id)
        """)

    make_docs("WHERE position = 0")
    n_rows = q(f"SELECT count(*) FROM {src}").fetchone()[0]
    n_joined = q(f"SELECT count(*) FROM {src} k SEMI JOIN docs USING (doc_id)").fetchone()[0]
    if n_joined != n_rows:
        make_docs("")
    # Whole-document copies: first document per sha256.
    q("""
        CREATE TABLE wd AS
        SELECT d.doc_ord, f.first_ord
        FROM docs d JOIN (SELECT source_sha256, min(doc_ord) AS first_ord FROM docs GROUP BY source_sha256) f
          USING (source_sha256)
        WHERE d.doc_ord > f.first_ord
    """)
    # Items: every block, text-free; strings only in the label (dictionary-compressed by DuckDB).
    q(f"""
        CREATE TABLE items AS
        SELECT d.doc_ord * {POS} + k.position AS ord, d.doc_ord, d.site_id,
               k.kept, k.label, k.hash, k.n_chars, k.n_words, k.band_keys IS NOT NULL AS has_keys
        FROM {src} k JOIN docs d USING (doc_id)
    """)

    # a. template lines. Documents are counted by content: a document's body is the set of its kept
    #    blocks longer than a template line, and documents with the same body count once (by their bytes
    #    when they have none). One article fetched three times with different chrome (a timestamp, a
    #    tracking parameter) is then one document, and its short paragraphs are not a template of its
    #    site: they go to rule c, which keeps the first copy.
    tmax = int(cfg.template_max_words)
    q(f"""
        CREATE TABLE dbody AS
        WITH b AS (SELECT doc_ord, hash(list_sort(list(DISTINCT hash))) AS body
                   FROM items WHERE kept AND n_words > {tmax} GROUP BY doc_ord)
        SELECT d.doc_ord,
               dense_rank() OVER (ORDER BY b.body, CASE WHEN b.body IS NULL THEN d.sha_id END) AS body_id
        FROM docs d LEFT JOIN b USING (doc_ord)
    """)
    q(f"""
        CREATE TABLE tmpl AS
        WITH s AS (
            SELECT site_id, hash, count(DISTINCT body_id) AS n_docs
            FROM items JOIN dbody USING (doc_ord) WHERE n_words <= {tmax}
            GROUP BY site_id, hash HAVING count(DISTINCT body_id) >= {int(cfg.template_min_docs)}
        ), lab AS (
            SELECT site_id, hash, label, count(*) AS c FROM items SEMI JOIN s USING (site_id, hash)
            WHERE NOT kept GROUP BY site_id, hash, label
        ), best AS (
            SELECT site_id, hash, first(label ORDER BY c DESC, label) AS label FROM lab GROUP BY site_id, hash
        ), sites AS (SELECT DISTINCT site_id, site FROM docs)
        SELECT i.ord, coalesce(b.label, 'nav') AS reason,
               'template: in ' || s.n_docs || ' documents of site ' || coalesce(st.site, '') AS detail
        FROM items i JOIN s USING (site_id, hash) LEFT JOIN best b USING (site_id, hash)
        JOIN sites st USING (site_id)
        WHERE i.kept
    """)
    # Still kept after rule a.
    q("""
        CREATE TABLE live AS
        SELECT i.ord, i.doc_ord, i.hash, i.n_chars, i.has_keys
        FROM items i ANTI JOIN tmpl USING (ord) WHERE i.kept
    """)
    # b. whole-document copies: EVERY block (kept or not, template lines too) matched to the original's
    #    block at the same position (an unmatched block, which identical bytes should never produce,
    #    keeps its fate and is left to rules c and d).
    q(f"""
        CREATE TABLE wdb AS
        SELECT i.ord, wd.first_ord * {POS} + (i.ord - i.doc_ord * {POS}) AS orig
        FROM items i JOIN wd USING (doc_ord)
        SEMI JOIN items o ON o.ord = wd.first_ord * {POS} + (i.ord - i.doc_ord * {POS})
    """)
    # c. exact duplicates among the rest.
    q("""
        CREATE TABLE pool AS SELECT ord, hash, n_chars, has_keys FROM live ANTI JOIN wdb USING (ord)
    """)
    q(f"""
        CREATE TABLE ex AS
        WITH e AS (SELECT ord, hash FROM pool WHERE n_chars >= {int(cfg.exact_min_chars)}),
        f AS (SELECT hash, min(ord) AS first FROM e GROUP BY hash HAVING count(*) > 1)
        SELECT e.ord, f.first AS target FROM e JOIN f USING (hash) WHERE e.ord > f.first
    """)

    # d. near duplicates: band join, one band per pass.
    near_rows = np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)
    if cfg.near_enabled:
        q(f"""
            CREATE TABLE nb AS
            SELECT d.doc_ord * {POS} + k.position AS ord, k.band_keys
            FROM {src} k JOIN docs d USING (doc_id)
            SEMI JOIN (SELECT ord FROM pool ANTI JOIN ex USING (ord) WHERE has_keys) e
              ON e.ord = d.doc_ord * {POS} + k.position
        """)
        q("CREATE TABLE cand (i BIGINT, j BIGINT)")
        W = int(pair_window)
        for b in range(1, cfg.bands + 1):
            q(f"""
                INSERT INTO cand
                WITH x AS (SELECT ord, band_keys[{b}] AS key FROM nb),
                d AS (SELECT key FROM x GROUP BY key HAVING count(*) > 1),
                m AS (SELECT key, ord, row_number() OVER (PARTITION BY key ORDER BY ord) AS rn
                      FROM x SEMI JOIN d USING (key))
                SELECT a.ord, c.ord FROM m a JOIN m c
                  ON a.key = c.key AND a.rn < c.rn AND (a.rn <= {W} OR c.rn - a.rn <= {W})
            """)
        q("CREATE TABLE cpairs AS SELECT DISTINCT i, j FROM cand")
        q("DROP TABLE cand")
        # the candidates (few) are resolved to (doc_id, position) first and joined once with the keys
        # rows: the shingle lists go through one join instead of two (~3x faster at 100k documents)
        q(f"""
            CREATE TABLE csh AS
            WITH c AS (SELECT i AS ord FROM cpairs UNION SELECT j FROM cpairs),
            cd AS (SELECT c.ord, d.doc_id, CAST(c.ord - d.doc_ord * {POS} AS INTEGER) AS position
                   FROM c JOIN docs d ON d.doc_ord = c.ord // {POS})
            SELECT cd.ord, list_distinct(k.shingles) AS shingles
            FROM (SELECT doc_id, position, shingles FROM {src} WHERE shingles IS NOT NULL) k
            JOIN cd USING (doc_id, position)
        """)
        thr = float(cfg.near_threshold)
        # shared shingles per pair by one hash join of the unnested lists (csh holds each item's distinct
        # shingles), not list_intersect per pair: ~4-6x faster (0.40 vs 1.49 s at 100k documents) with
        # the same result; a pair sharing none has no row and could not pass a threshold > 0 anyway
        res = q(f"""
            WITH u AS (SELECT ord, unnest(shingles) AS s FROM csh),
            x AS (SELECT p.i, p.j, count(*) AS inter FROM cpairs p JOIN u a ON a.ord = p.i
                  JOIN u b ON b.ord = p.j AND b.s = a.s GROUP BY p.i, p.j),
            v AS (SELECT x.i, x.j, x.inter, len(a.shingles) + len(b.shingles) AS tot
                  FROM x JOIN csh a ON a.ord = x.i JOIN csh b ON b.ord = x.j)
            SELECT i, j, inter / (tot - inter) AS jac FROM v
            WHERE tot > inter AND inter >= {thr} * (tot - inter) - 1e-9
            ORDER BY j, i
        """).fetchnumpy()
        near_rows = (
            np.asarray(res["i"], dtype=np.int64),
            np.asarray(res["j"], dtype=np.int64),
            np.asarray(res["jac"], dtype=np.float64),
        )
    ni, nj, nJ = near_rows
    # Greedy: in dedup order, a block is removed by its earliest matching block that survives.
    # Edges are sorted by (j, i); all edges into i are seen before those out of i (i < j).
    removed: dict[int, tuple[int, float]] = {}
    for i, j, jac in zip(ni.tolist(), nj.tolist(), nJ.tolist()):
        if j in removed or i in removed:
            continue
        removed[j] = (i, jac)
    if removed:
        ks = np.fromiter(removed.keys(), dtype=np.int64, count=len(removed))
        vs = np.array([v[0] for v in removed.values()], dtype=np.int64)
        js = np.array([v[1] for v in removed.values()], dtype=np.float64)
    else:
        ks = vs = np.zeros(0, np.int64)
        js = np.zeros(0, np.float64)
    near_tbl = pa.table({"ord": ks, "target": vs, "jac": js})
    con.register("near_arrow", near_tbl)
    q("CREATE TABLE near AS SELECT * FROM near_arrow")
    con.unregister("near_arrow")

    # Final pointers: exact targets that became near duplicates are re-pointed (one hop suffices:
    # near targets always survive). Whole-document copies take their original block's fate.
    q("""
        CREATE TABLE dup AS
        SELECT e.ord, coalesce(n.target, e.target) AS target,
               CASE WHEN n.ord IS NULL THEN 'exact'
                    ELSE 'exact (first copy is a near duplicate: jaccard=' || printf('%.2f', n.jac) || ')' END AS detail
        FROM ex e LEFT JOIN near n ON n.ord = e.target
        UNION ALL
        SELECT ord, target, 'near: jaccard=' || printf('%.2f', jac) FROM near
    """)
    #    A copy's block points at the original's survivor when the original block stays a paragraph
    #    or is a duplicate itself; else (the original removed it as boilerplate or a template line) at
    #    the original block, a `removed` row, and `detail` names the original's reason.
    q("""
        CREATE TABLE wdf AS
        SELECT w.ord, 'duplicate' AS reason,
               CASE WHEN o.kept AND t.ord IS NULL THEN 'whole-document copy'
                    ELSE 'whole-document copy; removed in original: ' || coalesce(t.reason, o.label) END AS detail,
               CASE WHEN o.kept AND t.ord IS NULL THEN coalesce(dp.target, w.orig) ELSE w.orig END AS target
        FROM wdb w JOIN items o ON o.ord = w.orig LEFT JOIN tmpl t ON t.ord = w.orig LEFT JOIN dup dp ON dp.ord = w.orig
    """)
    q(f"""
        CREATE TABLE fin AS
        WITH allr AS (
            SELECT ord, reason, detail, NULL::BIGINT AS target FROM tmpl ANTI JOIN wdb USING (ord)
            UNION ALL SELECT ord, reason, detail, target FROM wdf
            UNION ALL SELECT ord, 'duplicate', detail, target FROM dup
        )
        SELECT a.ord, d.doc_id, CAST(a.ord - d.doc_ord * {POS} AS INTEGER) AS position, a.reason, a.detail,
               t.doc_id AS duplicate_of_doc,
               CAST(a.target - t.doc_ord * {POS} AS INTEGER) AS duplicate_of_position
        FROM allr a JOIN docs d ON d.doc_ord = a.ord // {POS}
        LEFT JOIN docs t ON t.doc_ord = a.target // {POS}
    """)
    q(f"""
        COPY (SELECT doc_id, position, reason, detail, duplicate_of_doc, duplicate_of_position FROM fin ORDER BY doc_id, position)
        TO {sql_str(out_path)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 65536)
    """)


def load_decisions(path: str, doc_ids: list[str]) -> dict[tuple[str, int], tuple]:
    """{(doc_id, position): (reason, detail, duplicate_of_doc, duplicate_of_position)} for these docs only."""
    import duckdb

    if not doc_ids:
        return {}
    con = duckdb.connect()
    try:
        con.execute("SET threads=1")
        ids = sorted(set(doc_ids))
        rows = []
        for i in range(0, len(ids), 5000):  # IN-lists are pushed into the Parquet scan (row-group stats)
            lst = ", ".join(sql_str(x) for x in ids[i : i + 5000])
            rows += con.execute(
                f"""SELECT doc_id, position, reason, detail, duplicate_of_doc, duplicate_of_position
                    FROM read_parquet({sql_str(path)}) WHERE doc_id IN ({lst})"""
            ).fetchall()
    finally:
        con.close()
    return {(r[0], r[1]): (r[2], r[3], r[4], r[5]) for r in rows}
