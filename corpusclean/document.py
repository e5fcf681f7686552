"""The per-file front door: one decoded file in, one DocumentResult out.

It routes by format (text dump, HTML, wikitext) and by kind (Wikipedia articles have their
own structure); everything corpus-wide (dedup across documents) happens later.
"""

from __future__ import annotations

from .blocks import split_lines
from .config import PipelineConfig
from .language import detect_language
from .records import Decision, DocumentResult, Metadata, RawDocument


def process_document(raw: RawDocument, config: PipelineConfig) -> DocumentResult:
    citations = []
    if raw.format == "html":
        from .wikipedia_html import analyse_html, is_wikipedia_html

        if is_wikipedia_html(raw.text):
            blocks, decisions, citations, meta = analyse_html(raw.text)
        else:
            from .html import html_blocks

            blocks, decisions, meta = html_blocks(raw.text, config.html)
    elif raw.format == "wikitext":
        from .wikitext import parse_wikitext

        blocks, decisions, citations, meta = parse_wikitext(raw.text)
    else:
        from . import wikipedia

        blocks = split_lines(raw.text)
        if wikipedia.is_wikipedia_dump(blocks):
            decisions, citations, meta = wikipedia.analyse_dump(blocks)
        else:
            from .boilerplate import classify_dump

            decisions, meta = classify_dump(blocks)
    if len(decisions) != len(blocks):  # a broken stage must not silently lose lineage
        raise AssertionError(f"{len(decisions)} decisions for {len(blocks)} blocks")
    for d in decisions:
        if d.keep and d.text is not None and not d.text.strip():
            d.label, d.detail, d.text = "empty", "nothing left after inline cleanup", None
    language = None
    if config.detect_language:
        kept = [d.text if d.text is not None else b.text.strip() for b, d in zip(blocks, decisions) if d.keep]
        language = detect_language("\n".join(kept)) if kept else None
    return DocumentResult(raw=raw, blocks=blocks, decisions=decisions, citations=citations, meta=meta or Metadata(), language=language)


def kept_text(result: DocumentResult, i: int) -> str:
    d: Decision = result.decisions[i]
    return d.text if d.text is not None else result.blocks[i].text.strip()
