"""The one typed configuration object. The flow takes it as a parameter; every stage reads it.

Its fingerprint goes into the `runs` table and the dedup cache key; `stage_fingerprint` (the fields
the shard work reads) goes into shard cache keys. A change of any field that affects output thus
recomputes what depends on it, and no more.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DedupConfig:
    # Exact dedup: paragraphs whose normalised text is shorter than this are never content-deduplicated
    # (short headings such as "Background" legitimately repeat across documents).
    exact_min_chars: int = 20
    # Near-duplicate detection (MinHash over word shingles, LSH banding, verified by Jaccard).
    near_enabled: bool = True
    near_threshold: float = 0.8
    shingle_words: int = 5
    num_perm: int = 128
    bands: int = 16  # rows per band = num_perm // bands
    near_min_words: int = 12  # shorter paragraphs are left to exact dedup
    # Template lines: a short line seen in at least this many documents of one site/batch leaves every copy.
    template_min_docs: int = 3
    template_max_words: int = 25
    # DuckDB memory budget of the corpus-wide step (does not change output). Peak RSS is about
    # 140 MB plus this budget; DuckDB spills to disk beyond it (benchmarks/dedup_memory.py).
    memory_limit: str = "128MB"

    def __post_init__(self) -> None:
        # checked here, not only by the CLI: a deployment's `config` parameter (JSON) builds this too,
        # and `template_min_docs: 1` there removed every short paragraph as a template line
        problems = [msg for bad, msg in (
            (not 0.0 < self.near_threshold <= 1.0, "near_threshold must be in (0, 1]"),
            (self.shingle_words < 1, "shingle_words must be >= 1"),
            (self.exact_min_chars < 0, "exact_min_chars must be >= 0"),
            (self.near_min_words < 1, "near_min_words must be >= 1"),
            (self.template_min_docs < 2, "template_min_docs must be >= 2"),
            (self.template_max_words < 0, "template_max_words must be >= 0"),
            (self.bands < 1 or self.num_perm < self.bands or self.num_perm % self.bands,
             "bands must divide num_perm"),
        ) if bad]
        if problems:
            raise ValueError("invalid dedup config: " + "; ".join(problems))

    def candidate_probability(self, jaccard: float, bands: int | None = None) -> float:
        """Chance that LSH banding makes a pair of this Jaccard similarity a candidate:
        1 - (1 - J^r)^b with b bands of r rows. Pairs that never become candidates are never verified."""
        b = bands or self.bands
        return 1.0 - (1.0 - jaccard ** (self.num_perm // b)) ** b

    def banding_warning(self) -> str | None:
        """A warning when the banding would miss most pairs right at `near_threshold` (the default
        16 bands of 8 rows find 0.95 of pairs at 0.8 but 0.06 at 0.5), with the `bands` that finds
        at least 0.9 of them with the fewest candidates; None when the banding is adequate."""
        if not self.near_enabled or self.candidate_probability(self.near_threshold) >= 0.5:
            return None
        t = self.near_threshold
        fits = [b for b in range(1, self.num_perm + 1) if self.num_perm % b == 0
                and self.candidate_probability(t, b) >= 0.9]
        hint = (f"set dedup.bands={fits[0]} (--bands {fits[0]}; {self.num_perm // fits[0]} rows per band: "
                f"{self.candidate_probability(t, fits[0]):.2f}, at more candidate pairs to verify)"
                if fits else "raise dedup.num_perm and dedup.bands")
        return (f"near_threshold {t:g} with {self.bands} bands of {self.num_perm // self.bands} rows: only "
                f"{self.candidate_probability(t):.2f} of the pairs at the threshold become candidates; {hint}")


# DedupConfig fields read only by the corpus-wide step (dedup.corpus_dedup), never by the shard
# tasks: the staged shards do not depend on them (see PipelineConfig.stage_fingerprint).
CORPUS_STEP_FIELDS = ("exact_min_chars", "near_threshold", "template_min_docs", "template_max_words")


@dataclass(frozen=True)
class HtmlConfig:
    include_comments: bool = False  # user comments are not article text (documented default)
    include_tables: bool = True
    # trafilatura fast mode: no readability/jusText comparison (~30% of its time). Measured on the
    # boilerplate bench (benchmarks/boilerplate.py --mode html, ROUGE-LSum F1 readability /
    # scrapinghub / mean) and html_speed.py (html_blocks CPU / trafilatura.extract CPU):
    #   fast=True   0.948 / 0.967 / 0.957   ~0.72-0.73x   (default: meets the throughput goal)
    #   fast=False  0.954 / 0.966 / 0.960   ~0.95-0.97x
    fast: bool = True


@dataclass(frozen=True)
class PipelineConfig:
    """Everything that changes what lands in `processed/`."""

    dedup: DedupConfig = field(default_factory=DedupConfig)
    html: HtmlConfig = field(default_factory=HtmlConfig)
    # Sharding (does not change output): content-defined shards of about `shard_files` files, cut early
    # at `shard_bytes` input bytes or `shard_max_files` files, so one task is seconds of work.
    shard_files: int = 512  # ~2 s of work; 256 doubled the tasks and the Prefect server load (60 s CPU at 100k)
    shard_bytes: int = 16_000_000
    shard_max_files: int = 2000
    # Files above this size are rejected rather than risk memory blow-ups (decompressed size for .gz).
    max_file_bytes: int = 64_000_000
    detect_language: bool = True

    def __post_init__(self) -> None:
        if min(self.shard_files, self.shard_bytes, self.shard_max_files, self.max_file_bytes) < 1:
            raise ValueError("invalid config: shard_files, shard_bytes, shard_max_files and max_file_bytes must be >= 1")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def fingerprint(self) -> str:
        """Stable hash of the fields that affect output (sharding knobs excluded: they do not)."""
        return self._hash(("memory_limit",))

    def stage_fingerprint(self) -> str:
        """Hash of the fields the per-shard work (read, clean, dedup keys) depends on: `fingerprint`
        without the fields only the corpus-wide dedup reads. Staged shards are keyed by this, so
        tuning a dedup threshold re-runs the dedup and rewrites the output, not the whole clean."""
        return self._hash((*CORPUS_STEP_FIELDS, "memory_limit"))

    def clean_fingerprint(self) -> str:
        """Hash of the fields reading and cleaning depend on (no dedup field at all): staged rows of
        an earlier run with the same value are reused when only the MinHash fields changed, and
        only their dedup keys are computed again."""
        return self._hash(None)

    def _hash(self, dedup_drop: tuple[str, ...] | None) -> str:
        d = self.to_dict()
        for k in ("shard_files", "shard_bytes", "shard_max_files"):
            d.pop(k, None)
        if dedup_drop is None:
            d.pop("dedup")
        else:
            for k in dedup_drop:
                d["dedup"].pop(k, None)
        blob = json.dumps(d, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    @classmethod
    def from_dict(cls, d: dict | None) -> "PipelineConfig":
        d = dict(d or {})
        dedup = DedupConfig(**d.pop("dedup", {}) or {})
        html = HtmlConfig(**d.pop("html", {}) or {})
        return cls(dedup=dedup, html=html, **d)
