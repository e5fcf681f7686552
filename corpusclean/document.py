"""The per-file front door: decoded files in, DocumentResults out.

It routes by format (text dump, HTML, wikitext) and by kind (Wikipedia articles have their own
structure). Plain text dumps are classified in batches, because the classifier's features are
computed with a fixed number of numpy calls per batch, not per document. Everything corpus-wide
(dedup across documents) happens later.
"""

from __future__ import annotations

from .blocks import split_lines
from .config import PipelineConfig
from .language import detect_language
from .records import Block, DocumentResult, Metadata, RawDocument

BATCH_DOCS = 64  # measured sweet spot of classify_dumps (benchmarks/boilerplate_speed.py --shard)


def process_document(raw: RawDocument, config: PipelineConfig) -> DocumentResult:
    result = process_documents([raw], config)[0]
    if isinstance(result, Exception):
        raise result
    return result


def process_documents(raws: list[RawDocument], config: PipelineConfig) -> list[DocumentResult | Exception]:
    """One result per input, in order; a file that fails yields its exception instead of a result."""
    out: list[DocumentResult | Exception | None] = [None] * len(raws)
    dumps: list[tuple[int, list[Block]]] = []
    for i, raw in enumerate(raws):
        try:
            routed = _route(raw, config)
        except Exception as e:  # noqa: BLE001 - reported by the caller as a reject
            out[i] = e
            continue
        if isinstance(routed, list):  # a plain text dump: classified in a batch below
            dumps.append((i, routed))
        else:
            out[i] = routed
    for start in range(0, len(dumps), BATCH_DOCS):
        _classify_batch(raws, dumps[start : start + BATCH_DOCS], out, config)
    return out  # type: ignore[return-value]


def _route(raw: RawDocument, config: PipelineConfig) -> DocumentResult | list[Block]:
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
        if not wikipedia.is_wikipedia_dump(blocks):
            return blocks
        decisions, citations, meta = wikipedia.analyse_dump(blocks)
    return _finish(raw, blocks, decisions, citations, meta, config)


def _classify_batch(raws, batch, out, config) -> None:
    from .boilerplate import classify_dump, classify_dumps

    try:
        results = classify_dumps([blocks for _, blocks in batch])
    except Exception:  # noqa: BLE001 - isolate the document that breaks the batch
        results = []
        for i, blocks in batch:
            try:
                results.append(classify_dump(blocks))
            except Exception as e:  # noqa: BLE001
                results.append(e)
    for (i, blocks), res in zip(batch, results):
        if isinstance(res, Exception):
            out[i] = res
            continue
        decisions, meta = res
        try:
            out[i] = _finish(raws[i], blocks, decisions, [], meta, config)
        except Exception as e:  # noqa: BLE001
            out[i] = e


def _finish(raw, blocks, decisions, citations, meta, config) -> DocumentResult:
    if len(decisions) != len(blocks):  # a broken stage must not silently lose lineage
        raise AssertionError(f"{len(decisions)} decisions for {len(blocks)} blocks")
    for d in decisions:
        if d.keep and d.text is not None and not d.text.strip():
            d.label, d.detail, d.text = "empty", "nothing left after inline cleanup", None
    language = None
    if config.detect_language:
        kept = [d.text if d.text is not None else b.text.strip() for b, d in zip(blocks, decisions) if d.keep]
        language = detect_language("\n".join(kept)) if kept else None
    return DocumentResult(raw=raw, blocks=blocks, decisions=decisions, citations=citations, meta=meta or Metadata(),
                          language=language)



def warm_up() -> None:
    """Import every stage and load its tables and model in this process, so that a worker process
    started ahead of time pays ~1 s while the run is still planning, not inside its first shard."""
    from .boilerplate import classify_dumps
    from .config import HtmlConfig
    from .dedup import build_keys  # noqa: F401
    from .html import html_blocks

    classify_dumps([split_lines("A page title\nBy A. Writer, 2 March 2024\n"
                                "The first sentence of the body is long enough to count as prose. It goes on.\n")])
    html_blocks("<html><head><title>t</title></head><body><p>Some text of a page, in a paragraph.</p></body></html>",
                HtmlConfig())
