"""Arrow schemas of every output table, and of the internal per-shard staging files: the one place
they are defined.

Types are the ones every downstream reader takes without options (pandas, polars, DuckDB,
Hugging Face `datasets`, Spark): signed integers only (hashes as int64), UTC timestamps,
lists of strings/ints, structs with fixed fields, no map type.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = "1.0"

IDENTIFIER_FIELDS = ("doi", "isbn", "issn", "pmid", "pmc", "oclc", "jstor", "arxiv", "bibcode")

_ts = pa.timestamp("us", tz="UTC")

DOCUMENTS = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("source_sha256", pa.string(), nullable=False),
        pa.field("format", pa.string(), nullable=False),
        pa.field("compression", pa.string()),
        pa.field("encoding", pa.string()),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("site", pa.string()),
        pa.field("title", pa.string()),
        pa.field("authors", pa.list_(pa.string())),
        pa.field("published", _ts),
        pa.field("language", pa.string()),
        pa.field("text", pa.string(), nullable=False),
        pa.field("n_blocks", pa.int32()),
        pa.field("n_paragraphs", pa.int32()),
        pa.field("n_removed", pa.int32()),
        pa.field("n_duplicates", pa.int32()),
        pa.field("n_citations", pa.int32()),
        pa.field("run_id", pa.string()),
        pa.field("pipeline_version", pa.string()),
    ]
)

PARAGRAPHS = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("position", pa.int32(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("hash", pa.int64(), nullable=False),
        pa.field("raw_start", pa.int32(), nullable=False),
        pa.field("raw_end", pa.int32(), nullable=False),
        pa.field("cites", pa.list_(pa.int32())),
    ]
)

REMOVED = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("position", pa.int32(), nullable=False),
        pa.field("raw_start", pa.int32(), nullable=False),
        pa.field("raw_end", pa.int32(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("detail", pa.string()),
        pa.field("duplicate_of_doc", pa.string()),
        pa.field("duplicate_of_position", pa.int32()),
    ]
)

IDENTIFIERS = pa.struct([pa.field(name, pa.string()) for name in IDENTIFIER_FIELDS])

CITATIONS = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("ref_number", pa.int32(), nullable=False),
        pa.field("backlinks", pa.int32()),
        pa.field("raw", pa.string(), nullable=False),
        pa.field("raw_start", pa.int32()),
        pa.field("raw_end", pa.int32()),
        pa.field("authors", pa.list_(pa.string())),
        pa.field("authors_etal", pa.bool_()),
        pa.field("title", pa.string()),
        pa.field("work", pa.string()),
        pa.field("publisher", pa.string()),
        pa.field("date", pa.string()),
        pa.field("date_raw", pa.string()),
        pa.field("url", pa.string()),
        pa.field("access_date", pa.string()),
        pa.field("access_date_raw", pa.string()),
        pa.field("via", pa.string()),
        pa.field("language", pa.string()),
        pa.field("identifiers", IDENTIFIERS),
        pa.field("cited_in", pa.list_(pa.int32())),
        pa.field("duplicate_of", pa.int32()),
        pa.field("style", pa.string()),
    ]
)

REJECTS = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),  # as a document of this source would have
        pa.field("source", pa.string(), nullable=False),
        pa.field("source_sha256", pa.string()),
        pa.field("error_type", pa.string(), nullable=False),
        pa.field("message", pa.string(), nullable=False),
        pa.field("run_id", pa.string()),
    ]
)

_count = pa.struct([pa.field("name", pa.string()), pa.field("count", pa.int64())])
_stage = pa.struct([pa.field("stage", pa.string()), pa.field("seconds", pa.float64())])

RUNS = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("started_at", _ts),
        pa.field("finished_at", _ts),
        pa.field("pipeline_version", pa.string()),
        pa.field("schema_version", pa.string()),
        pa.field("config", pa.string()),  # JSON: maps are not portable, a JSON string is
        pa.field("config_fingerprint", pa.string()),
        pa.field("raw_dir", pa.string()),
        pa.field("executor", pa.string()),
        pa.field("n_files", pa.int64()),
        pa.field("bytes_in", pa.int64()),
        pa.field("table_rows", pa.list_(_count)),
        pa.field("removed_by_reason", pa.list_(_count)),
        pa.field("docs_new", pa.int64()),
        pa.field("docs_changed", pa.int64()),
        pa.field("docs_deleted", pa.int64()),
        pa.field("docs_unchanged", pa.int64()),
        pa.field("shards_total", pa.int64()),
        pa.field("shards_processed", pa.int64()),
        pa.field("shards_cached", pa.int64()),
        pa.field("seconds", pa.float64()),
        pa.field("mb_per_s", pa.float64()),
        pa.field("docs_per_s", pa.float64()),
        pa.field("stage_seconds", pa.list_(_stage)),
    ]
)

# --- internal schemas: the per-shard staging files under <out>/.cache (not published) ---------

KEYS = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("source_sha256", pa.string(), nullable=False),
        pa.field("site", pa.string()),
        pa.field("position", pa.int32(), nullable=False),
        pa.field("kept", pa.bool_(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("hash", pa.int64(), nullable=False),  # hash64(normalize(text))
        pa.field("n_chars", pa.int32(), nullable=False),  # len(normalize(text))
        pa.field("n_words", pa.int32(), nullable=False),
        # near-dup keys, null unless kept and n_words >= near_min_words (and near_enabled):
        pa.field("band_keys", pa.list_(pa.int64())),  # cfg.bands LSH band keys (band index mixed in)
        # word-shingle hashes (high 32 bits) in text order (a set: may repeat)
        pa.field("shingles", pa.list_(pa.int32())),
    ]
)

DECISIONS = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("position", pa.int32(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("detail", pa.string()),
        pa.field("duplicate_of_doc", pa.string()),
        pa.field("duplicate_of_position", pa.int32()),
    ]
)

STAGED_BLOCKS = pa.schema(
    [
        pa.field("doc_id", pa.string()),
        pa.field("position", pa.int32()),
        pa.field("raw_start", pa.int32()),
        pa.field("raw_end", pa.int32()),
        pa.field("kept", pa.bool_()),
        pa.field("label", pa.string()),
        pa.field("detail", pa.string()),
        pa.field("raw_text", pa.string()),
        # the kept text only where it differs from raw_text; null when not kept or equal to raw_text
        # (nearly always: stored once, the staged blocks are ~45 % smaller to write and read)
        pa.field("text", pa.string()),
        pa.field("cites", pa.list_(pa.int32())),
        pa.field("duplicate_of_doc", pa.string()),
        pa.field("duplicate_of_position", pa.int32()),
    ]
)

STAGED_DOCS = pa.schema([f for f in DOCUMENTS if f.name not in {
    "text", "n_paragraphs", "n_removed", "n_duplicates", "run_id", "pipeline_version"}])


TABLES: dict[str, pa.Schema] = {
    "documents": DOCUMENTS,
    "paragraphs": PARAGRAPHS,
    "removed": REMOVED,
    "citations": CITATIONS,
    "rejects": REJECTS,
    "runs": RUNS,
}


def with_metadata(schema: pa.Schema, table: str) -> pa.Schema:
    """Schema with the version stamp every written file carries."""
    return schema.with_metadata(
        {b"corpusclean.schema_version": SCHEMA_VERSION.encode(), b"corpusclean.table": table.encode()}
    )
