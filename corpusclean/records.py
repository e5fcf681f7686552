"""Plain data passed between stages: raw file -> blocks -> decisions -> document records.

Every stage takes and returns these dataclasses (or Arrow tables); none keeps hidden state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Labels that keep a block in the clean body (they become `paragraphs.kind`).
KEEP_KINDS = ("paragraph", "heading", "list_item")

# Removal reasons (`removed.reason`). Documented one by one in README.md and the dataset card.
REASONS = (
    "nav",
    "title",
    "byline",
    "caption",
    "related",
    "promo",
    "pull_quote",
    "footer",
    "wiki_chrome",
    "infobox",
    "references",
    "duplicate",
    "not_main_content",
    "empty",
)


@dataclass(slots=True)
class RawDocument:
    """A decoded input file. `text` is the whole decoded content."""

    source: str  # path relative to the raw root, '/'-separated
    sha256: str  # of the raw bytes as stored (before gunzip)
    format: str  # "text" | "html" | "wikitext"
    compression: str  # "" | "gzip"
    encoding: str
    text: str
    size: int  # bytes on disk


class TooLarge(ValueError):
    """Decoded input over a stage's size cap (HTML over `html.MAX_HTML_CHARS` characters): a `too_large`
    reject, as a file over `max_file_bytes` is."""


class TooComplex(ValueError):
    """An input a stage refuses because processing it would lose text or blow up (an HTML bomb, nesting
    deeper than the parser keeps): the file becomes a `too_complex` reject, not a `processing_error`."""


@dataclass(slots=True)
class Reject:
    source: str
    error_type: str
    message: str
    sha256: str | None = None


@dataclass(slots=True)
class Block:
    """One unit of lineage: a non-blank raw line (dumps) or a visible text block (HTML/wikitext).

    `raw_start`/`raw_end` are 1-based, inclusive: line numbers for dumps and wikitext, block
    ordinals for HTML.
    """

    text: str
    raw_start: int
    raw_end: int
    tag: str = ""  # HTML element ('p', 'h2', 'li', ...) or wikitext node kind; '' for dumps
    main: bool = True  # HTML: inside the extractor's main content


@dataclass(slots=True)
class Decision:
    """What happens to one block: kept as `label` in KEEP_KINDS, or removed for reason `label`."""

    label: str
    detail: str = ""
    text: str | None = None  # kept text after inline cleanup; None = the block's stripped text
    cites: tuple[int, ...] = ()
    duplicate_of_doc: str | None = None
    duplicate_of_position: int | None = None

    @property
    def keep(self) -> bool:
        return self.label in KEEP_KINDS


@dataclass(slots=True)
class Citation:
    """One entry of a Wikipedia reference list."""

    ref_number: int
    raw: str
    backlinks: int = 1
    authors: list[str] = field(default_factory=list)
    authors_etal: bool = False
    title: str | None = None
    work: str | None = None
    publisher: str | None = None
    date: str | None = None
    date_raw: str | None = None
    url: str | None = None
    access_date: str | None = None
    access_date_raw: str | None = None
    via: str | None = None
    language: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)
    duplicate_of: int | None = None
    cited_in: list[int] = field(default_factory=list)
    raw_start: int | None = None
    raw_end: int | None = None
    style: str = ""  # parser branch that produced it: cs1, short, bare_url, hand, template, html


@dataclass(slots=True)
class Metadata:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # ISO 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM[:SS]' (UTC by convention)
    url: str | None = None
    site: str | None = None
    kind: str = "other"  # news | wikipedia | other


@dataclass(slots=True)
class DocumentResult:
    """Everything the per-file stage learned about one document, before corpus-wide dedup."""

    raw: RawDocument
    blocks: list[Block]
    decisions: list[Decision]  # parallel to blocks
    citations: list[Citation]
    meta: Metadata
    language: str | None = None
