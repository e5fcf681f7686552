"""The dataset card (`processed/README.md`), written with every run from the schema module."""

from __future__ import annotations

from . import PIPELINE_VERSION
from . import schema as S

COLUMN_DOCS: dict[str, dict[str, str]] = {
    "documents": {
        "doc_id": "stable id: xxh3_64 (hex) of `source`, so an edited file keeps its id",
        "source": "path relative to the raw root, `/`-separated (bytes of a name that are not UTF-8 as `\\xNN`)",
        "source_sha256": "SHA-256 of the raw file bytes (the content version)",
        "format": "text | html | wikitext",
        "compression": "'' or gzip / bzip2 / xz",
        "encoding": "detected text encoding (Python codec name); utf-8+replace: UTF-8 with some bad bytes, each now its Windows-1252 character or U+FFFD",
        "kind": "news | wikipedia | other",
        "url": "canonical URL when the page states one",
        "site": "host name, or the raw sub-folder for text dumps (the key for template-line detection)",
        "title": "headline (moved out of the body)",
        "authors": "list of author names from the byline / metadata",
        "published": "publication time (UTC by convention; dumps store local time as printed)",
        "language": "ISO 639-1 code from CLD2 (pycld2) over the clean text, null if unsure",
        "text": "the clean body: kept paragraphs joined by blank lines",
        "n_blocks": "non-blank lines (dumps) or visible blocks (HTML) read",
        "n_paragraphs": "rows in `paragraphs`",
        "n_removed": "rows in `removed`",
        "n_duplicates": "rows in `removed` with reason `duplicate`",
        "n_citations": "rows in `citations`",
        "run_id": "run that computed this row (an unchanged shard reused from the previous snapshot keeps its id)",
        "pipeline_version": "version of the code that wrote it",
    },
    "paragraphs": {
        "doc_id": "joins `documents`",
        "position": "0-based ordinal of the block in its document (shared numbering with `removed`)",
        "kind": "paragraph | heading | list_item",
        "text": "clean text (inline Wikipedia markers removed)",
        "hash": "xxh3_64 of the normalised text as signed int64",
        "raw_start": "first raw line (dumps/wikitext) or block ordinal (HTML), 1-based",
        "raw_end": "last raw line / block, inclusive",
        "cites": "reference numbers cited by `[n]` markers in this paragraph",
    },
    "removed": {
        "doc_id": "joins `documents`",
        "position": "0-based block ordinal (same numbering as `paragraphs`)",
        "raw_start": "first raw line / block",
        "raw_end": "last raw line / block",
        "text": "the raw line or block text, unchanged",
        "reason": "removal reason (table below)",
        "detail": "the rule or score that decided it",
        "duplicate_of_doc": "for `duplicate`: doc_id of the surviving copy",
        "duplicate_of_position": "for `duplicate`: position of the surviving copy in `paragraphs` (for a whole-document copy's boilerplate line: of the original's line in `removed`)",
    },
    "citations": {
        "doc_id": "joins `documents`",
        "ref_number": "number in the reference list",
        "backlinks": "how many times the article cites it (`^ a b c` = 3)",
        "raw": "the reference line as printed",
        "raw_start": "raw line / block of the entry",
        "raw_end": "raw line / block of the entry",
        "authors": "list, each as rendered",
        "authors_etal": "true when the list ends in et al.",
        "title": "title without quotes",
        "work": "container: website, newspaper, journal, book",
        "publisher": "publisher without place",
        "date": "ISO YYYY[-MM[-DD]]; null for ranges, seasons, n.d.",
        "date_raw": "date as printed",
        "url": "URL shown in the entry",
        "access_date": "ISO date from 'Retrieved ...'",
        "access_date_raw": "as printed",
        "via": "name after '– via'",
        "language": "language name, e.g. French",
        "identifiers": "struct of doi, isbn, issn, pmid, pmc, oclc, jstor, arxiv, bibcode (strings)",
        "cited_in": "positions of the blocks that cite it: `paragraphs` rows, or `removed` rows where dedup removed the citing paragraph",
        "duplicate_of": "ref_number of an identical earlier entry",
        "style": "parser branch: cs1, short, bare_url, hand, template, ...",
    },
    "rejects": {
        "doc_id": "the id a document of this source has (joins an earlier documents row of a file that became unreadable)",
        "source": "path relative to the raw root",
        "source_sha256": "SHA-256 of the bytes, when they could be read",
        "error_type": "empty | binary/undecodable | corrupt_compression | too_large | unreadable | symlink | not_a_file | processing_error | ...",
        "message": "what went wrong, in words",
        "run_id": "run that computed this row (as in documents)",
    },
    "runs": {
        "run_id": "id of the run",
        "started_at": "UTC", "finished_at": "UTC",
        "pipeline_version": "code version", "schema_version": "schema version",
        "config": "the full configuration as JSON", "config_fingerprint": "hash of the output-relevant config",
        "raw_dir": "input folder", "executor": "local (run_pipeline), processes:N (the flow's worker processes) or dask",
        "n_files": "files seen", "bytes_in": "bytes read",
        "table_rows": "list of {name, count}: rows per table",
        "removed_by_reason": "list of {name, count}",
        "docs_new": "documents new since the previous run", "docs_changed": "documents whose bytes changed",
        "docs_deleted": "documents gone since the previous run", "docs_unchanged": "documents unchanged",
        "shards_total": "shards in the run", "shards_processed": "shards computed in this run",
        "shards_cached": "shards reused from the cache",
        "seconds": "wall time", "mb_per_s": "input MB per second", "docs_per_s": "documents per second",
        "stage_seconds": "list of {stage, seconds}",
    },
}

REASON_DOCS = {
    "nav": "menus, tickers, breadcrumbs, section labels, and template lines repeated across a site",
    "title": "the headline (stored in documents.title)",
    "byline": "author / time line or dateline (stored in documents.authors / published)",
    "caption": "photo captions and credits, a truncated repeat of a caption, image captions",
    "related": "related-article headlines, 'Other news' teaser blocks",
    "promo": "newsletter, subscription and personalisation promos",
    "pull_quote": "a quote repeated out of the body for display, with its attribution",
    "footer": "'This article appeared in ...', copyright and site footers",
    "wiki_chrome": "Wikipedia chrome: 'From Wikipedia...', 'Jump to navigation', empty sections, See also lists, categories",
    "infobox": "the infobox of a Wikipedia article",
    "references": "Wikipedia reference-list entries (each is a row of `citations`)",
    "duplicate": "exact or near duplicate of an earlier paragraph (survivor in duplicate_of_doc/position)",
    "not_main_content": "HTML blocks the extractor left out, or text-dump lines the model scored as not article text, where no finer reason is known",
    "empty": "a block with nothing left after inline cleanup",
}


def render_card(run_summary: dict) -> str:
    lines = [
        "# Clean corpus (written by corpusclean)",
        "",
        f"Pipeline version {PIPELINE_VERSION}, schema version {S.SCHEMA_VERSION}, run `{run_summary.get('run_id', '')}`.",
        "This file is rewritten by every run. Each table is a folder of zstd Parquet files;",
        "every table but `runs` carries `doc_id`, so tables join.",
        "",
        "## Tables",
        "",
        "| table | rows | one row per |",
        "| --- | ---: | --- |",
    ]
    per = {"documents": "ingested document", "paragraphs": "kept block of the clean body",
           "removed": "raw line or block moved out of the body", "citations": "entry of a reference list",
           "rejects": "raw file that could not be ingested", "runs": "flow run"}
    rows = run_summary.get("table_rows", {})
    for t in S.TABLES:
        lines.append(f"| `{t}` | {rows.get(t, '')} | {per[t]} |")
    for t, schema in S.TABLES.items():
        lines += ["", f"### `{t}`", "", "| column | type | meaning |", "| --- | --- | --- |"]
        for f in schema:
            lines.append(f"| `{f.name}` | `{f.type}` | {COLUMN_DOCS[t].get(f.name, '')} |")
    lines += ["", "## Removal reasons", "", "| reason | meaning | rows |", "| --- | --- | ---: |"]
    by_reason = run_summary.get("removed_by_reason", {})
    for r, text in REASON_DOCS.items():
        lines.append(f"| `{r}` | {text} | {by_reason.get(r, 0)} |")
    lines += [
        "",
        "## Loading",
        "",
        "```python",
        "import pandas as pd; docs = pd.read_parquet('processed/documents')",
        "import polars as pl; paras = pl.read_parquet('processed/paragraphs/*.parquet')",
        "import duckdb; duckdb.sql(\"SELECT reason, count(*) FROM 'processed/removed/*.parquet' GROUP BY 1\").show()",
        "from datasets import load_dataset; ds = load_dataset('parquet', data_files='processed/documents/*.parquet')",
        "# one snapshot for a whole read while another run may publish:",
        "import os; root = os.path.realpath('processed/current'); docs = pd.read_parquet(f'{root}/documents')",
        "```",
        "",
        "(`processed` is the output folder the run was given.)",
        "",
    ]
    return "\n".join(lines)
