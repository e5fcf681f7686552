"""Wikipedia articles saved as HTML (classic MediaWiki and Parsoid markup) -> blocks, decisions,
citations, metadata.

A saved article page carries its structure in class names, so nothing here guesses from the
text: MediaWiki marks chrome (navigation, sidebars, navboxes, edit links, categories, footer),
infoboxes, thumbnail captions, the reference list (`ol.references` / `ol.mw-references`), the
citation markers (`sup.reference` linking to `#cite_note-…`), CS1 citations (`cite.citation`)
and their COinS metadata (`span.Z3988`, an OpenURL query in the title attribute). lxml parses
(libxml2's HTML parser recovers from any tag soup); the walk below is plain Python over it.

Lineage: a block is a run of visible text inside one block-level element (children that are
themselves block-level start new blocks), numbered 1, 2, … in document order
(raw_start = raw_end = ordinal). Every block gets exactly one Decision.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote

from .citations import parse_reference_text
from .dates import parse_date
from .records import Block, Citation, Decision, Metadata
from .wikipedia import _sections, clean_inline, is_chrome_line

MAX_HTML = 20_000_000  # characters; larger inputs are not Wikipedia articles

_BLOCK_TAGS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "dl", "ul", "ol", "table", "tbody",
    "thead", "tfoot", "tr", "caption", "blockquote", "pre", "section", "article", "aside", "nav", "header",
    "footer", "main", "figure", "figcaption", "body", "html", "center", "form", "fieldset", "address",
    "details", "summary", "hr", "menu",
})
_ATOMIC = frozenset({"tr"})  # a table row is one block (cells joined)
_INVISIBLE = frozenset({"script", "style", "noscript", "template", "head", "meta", "link", "title", "iframe",
                        "object", "svg", "math", "input", "select", "button", "textarea"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

# Regions, by id and by class token.
_CHROME_IDS = frozenset({
    "mw-navigation", "mw-head", "mw-panel", "mw-head-base", "mw-page-base", "footer", "sitesub", "contentsub",
    "jump-to-nav", "toc", "catlinks", "mw-hidden-catlinks", "siteNotice", "centralnotice", "mw-indicators",
    "p-lang", "p-tb", "p-navigation", "p-personal", "left-navigation", "right-navigation", "mw-data-after-content",
    "vector-toc", "mw-normal-catlinks", "printfooter", "p-search", "mw-sidebar", "jump-to-content",
})
_CHROME_CLASSES = frozenset({
    "navbox", "vertical-navbox", "navbox-inner", "sidebar", "mw-jump-link", "noprint", "hatnote", "toc",
    "catlinks", "printfooter", "mw-editsection", "portal", "portalbox", "sistersitebox", "metadata", "ambox",
    "mbox-small", "authority-control", "navigation-not-searchable", "mw-indicators", "mw-footer",
    "vector-menu", "mw-portlet", "shortdescription", "mw-empty-elt", "mw-authority-control", "side-box",
    "plainlinks-print", "dablink", "rellink", "toclimit-2", "toclimit-3", "mw-kartographer-maplink",
    "reference-tooltip", "mw-hidden-catlinks", "mw-normal-catlinks",
})
_INFOBOX_CLASSES = frozenset({"infobox", "vcard", "biota", "geography", "infobox_v2", "taxobox"})
_CAPTION_CLASSES = frozenset({"thumb", "thumbcaption", "thumbinner", "gallerytext", "gallery", "tmulti", "tsingle"})
_REFLIST_CLASSES = frozenset({"references", "mw-references", "reflist", "refbegin", "mw-references-wrap",
                              "mw-references-columns"})
_CONTENT_IDS = ("mw-content-text", "bodyContent", "content")
_CONTENT_CLASSES = ("mw-parser-output", "mw-body-content")

_RETRIEVED = re.compile(r"(?:Retrieved|Accessed|accessed)\s+(?:on\s+)?(.{4,40}?)\s*\.?\s*$")
_LAST_EDIT = re.compile(r"last (?:edited|modified) on (\d{1,2} \w+ \d{4}|\w+ \d{1,2}, \d{4})")


# --------------------------------------------------------------------------- detection
def is_wikipedia_html(html: str) -> bool:
    """Generic MediaWiki signals, each cheap substring tests on the first 2 MB."""
    if not html or not isinstance(html, str):
        return False
    h = html[:2_000_000]
    score = 0
    score += 2 * ("mw-parser-output" in h or 'id="mw-content-text"' in h)
    score += 2 * bool(re.search(r"<meta[^>]+generator[^>]+MediaWiki", h[:20_000], re.I))
    score += '<cite class="citation' in h
    score += bool(re.search(r"<ol class=\"(?:mw-)?references", h))
    score += "mw-editsection" in h
    score += "Z3988" in h
    score += "cite_note-" in h
    return score >= 3


# --------------------------------------------------------------------------- helpers
def _classes(el) -> set[str]:
    c = el.get("class")
    return set(c.split()) if c else set()


def _hidden(el) -> bool:
    st = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in st or el.get("hidden") is not None or "Z3988" in _classes(el)


def _region_of(el, region: str) -> str:
    """Region an element opens, given its parent's region."""
    if region in ("chrome", "references"):
        return region
    eid = el.get("id") or ""
    cls = _classes(el)
    tag = el.tag
    if eid in _CHROME_IDS or eid.lower() in _CHROME_IDS or cls & _CHROME_CLASSES or tag in ("nav", "footer") \
            or el.get("role") == "navigation":
        return "chrome"
    if region == "outside" and (eid in _CONTENT_IDS or cls & set(_CONTENT_CLASSES)):
        return "body"
    if cls & _REFLIST_CLASSES:
        return "references"
    if region == "body":
        if tag == "table" and cls & _INFOBOX_CLASSES or tag == "table" and any(c.startswith("infobox") for c in cls) \
                or "portable-infobox" in cls:  # other MediaWiki sites' infobox: <aside class="portable-infobox">
            return "infobox"
        if cls & _CAPTION_CLASSES or tag in ("figcaption", "figure"):
            return "caption"
    return region


def _ref_target(href: str | None) -> str | None:
    if not href or "#" not in href:
        return None
    frag = unquote(href.split("#", 1)[1])
    return frag if frag.startswith("cite_note") else None


class _Walker:
    def __init__(self, note_numbers: dict[str, int], site_classes: bool = False):
        self.notes = note_numbers
        # another MediaWiki site (a fan wiki): its own ad slots, rails and navigation carry the generic
        # class names html.py reads ("ad-slot", "global-navigation"), not Wikipedia's
        self.site_classes = site_classes
        self.blocks: list[tuple[str, str, str, tuple[int, ...], object]] = []  # text, tag, region, cites, element

    # inline text of an element (no block children expected); markers become cites
    def inline(self, el, out: list[str], cites: list[int]) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag and (tag in _INVISIBLE or _hidden(el)):
            return
        cls = _classes(el) if tag else set()
        if "mw-editsection" in cls:
            return
        if tag == "sup" and ("reference" in cls or "mw-ref" in cls):
            for a in el.iter("a"):
                t = _ref_target(a.get("href"))
                if t and t in self.notes:
                    n = self.notes[t]
                    if n not in cites:
                        cites.append(n)
            return
        if tag == "br":
            out.append(" ")
        if tag and el.text:
            out.append(el.text)
        for ch in el:
            self.inline(ch, out, cites)
            if ch.tail:
                out.append(ch.tail)
        if tag in ("td", "th", "dd", "dt", "li"):
            out.append(" ")

    def region(self, el, region: str) -> str:
        r = _region_of(el, region)
        if self.site_classes and r in ("body", "outside") and r == region:
            from .html import _class_reason

            ci = " ".join(x for x in (el.get("class"), el.get("id")) if x)
            hit = _class_reason(ci) if ci else None
            if hit is not None and hit[0] in ("promo", "nav", "related", "footer", "not_main_content"):
                return "chrome"
        return r

    def walk(self, el, region: str) -> None:
        buf: list[str] = []
        cites: list[int] = []
        tag = el.tag

        def flush():
            text = " ".join("".join(buf).split())
            if text:
                self.blocks.append((text, tag, region, tuple(cites), el))
            buf.clear()
            cites.clear()

        if region == "references" and tag == "li" or tag in _ATOMIC:
            self.inline(el, buf, cites)
            flush()
            return
        if el.text:
            buf.append(el.text)
        for ch in el:
            if not isinstance(ch.tag, str):  # comment / processing instruction
                if ch.tail:
                    buf.append(ch.tail)
                continue
            if ch.tag in _INVISIBLE or _hidden(ch):
                pass
            elif ch.tag not in _BLOCK_TAGS and self.region(ch, region) == "chrome" != region and "".join(buf).strip() \
                    and "mw-editsection" not in _classes(ch):
                # an inline chrome element inside running text ("[citation needed]", a "(listen)" link
                # in a <sup>/<span class="noprint">) is left out of the text, like a maintenance tag in
                # a dump; making it a block of its own cut the sentence in two
                pass
            elif ch.tag in _BLOCK_TAGS or ch.tag in ("td", "th") and tag != "tr":
                flush()
                self.walk(ch, self.region(ch, region))
            elif self.region(ch, region) != region and self.region(ch, region) in ("chrome", "caption", "infobox") \
                    and "mw-editsection" not in _classes(ch):
                flush()
                self.walk(ch, self.region(ch, region))
            else:
                self.inline(ch, buf, cites)
            if ch.tail:
                buf.append(ch.tail)
        flush()


def _lettered_notes(root) -> frozenset[str]:
    """'cite_note-…' ids of the items of explanatory-notes lists: lists whose items the text points at
    only with lettered markers ("[a]", "[note 1]"), numbered from 1 like the reference list beside them.
    A list is judged by the items the text points at; its other items go with it."""
    labels: dict[str, set[bool]] = {}
    for sup in root.iter("sup"):
        if not _classes(sup) & {"reference", "mw-ref"}:
            continue
        for a in sup.iter("a"):
            t = _ref_target(a.get("href"))
            if t:
                labels.setdefault(t, set()).add(a.text_content().strip("[] \u00a0").isdigit())
    out: set[str] = set()
    for ol in root.iter("ol"):
        if not _classes(ol) & {"references", "mw-references"}:
            continue
        ids = [li.get("id") for li in ol if getattr(li, "tag", None) == "li" and li.get("id")]
        pointed = [labels[i] for i in ids if i in labels]
        if pointed and all(k == {False} for k in pointed):
            out.update(ids)
    return frozenset(out)


def _note_numbers(root, lettered: frozenset[str] = frozenset()) -> dict[str, int]:
    """'cite_note-…' id -> reference number (position in its list, honouring <ol start>). A list whose
    items are all lettered notes is not a reference list: its items get no number."""
    out: dict[str, int] = {}
    for ol in root.iter("ol"):
        if not _classes(ol) & {"references", "mw-references"}:
            continue
        ids = [li.get("id") for li in ol if getattr(li, "tag", None) == "li" and li.get("id")]
        if ids and all(i in lettered for i in ids):
            continue
        try:
            n = int(ol.get("start") or 1)
        except ValueError:
            n = 1
        for li in ol:
            if getattr(li, "tag", None) != "li":
                continue
            lid = li.get("id")
            if lid:
                out.setdefault(lid, n)
            n += 1
    return out


# --------------------------------------------------------------------------- citations
def _coins(li) -> dict[str, list[str]]:
    for sp in li.iter("span"):
        if "Z3988" in _classes(sp) and sp.get("title"):
            try:
                return parse_qs(sp.get("title"), keep_blank_values=False)
            except Exception:  # noqa: BLE001 - malformed COinS: ignore
                return {}
    return {}


_ID_INFO = {"doi": "doi", "pmid": "pmid", "pmc": "pmc", "oclcnum": "oclc", "bibcode": "bibcode", "arxiv": "arxiv"}


def _citation_from_li(li, number: int, walker: _Walker) -> Citation:
    backlinks = 0
    text_parts: list[str] = []
    for a in li.iter("a"):
        href = a.get("href") or ""
        if "#cite_ref" in href:
            backlinks += 1
    # item text without the back-link run
    body = [x for x in li.iter() if isinstance(x.tag, str) and _classes(x) & {"reference-text", "mw-reference-text"}]
    src = body[0] if body else li
    cites: list[int] = []
    if src is li:
        for ch in li:
            if isinstance(ch.tag, str) and (_classes(ch) & {"mw-cite-backlink", "mw-linkback-text"}
                                            or ch.get("rel") == "mw:referencedBy"):
                if ch.tail:
                    text_parts.append(ch.tail)
                continue
            walker.inline(ch, text_parts, cites)
            if ch.tail:
                text_parts.append(ch.tail)
        if li.text:
            text_parts.insert(0, li.text)
    else:
        walker.inline(src, text_parts, cites)
    text = " ".join("".join(text_parts).split()).lstrip("^↑ ").strip()
    c = parse_reference_text(text)
    c.ref_number, c.backlinks, c.raw, c.style = number, max(1, backlinks), text, "html"
    q = _coins(li)
    if q:
        _apply_coins(c, q, li)
    for sp in li.iter("span"):
        if "reference-accessdate" in _classes(sp):
            m = _RETRIEVED.search(" ".join(sp.text_content().split()))
            if m:
                c.access_date_raw = m.group(1).strip(" .")
                c.access_date = parse_date(c.access_date_raw) or c.access_date
    if c.url is None:  # visible URL only (a link whose text is the address)
        for a in li.iter("a"):
            t = (a.text_content() or "").strip()
            if re.match(r"https?://", t):
                c.url = t
                break
    return c


def _apply_coins(c: Citation, q: dict[str, list[str]], li) -> None:
    def one(k):
        v = q.get(k)
        return " ".join(v[0].split()) if v else None

    atitle, btitle, jtitle = one("rft.atitle"), one("rft.btitle") or one("rft.title"), one("rft.jtitle")
    cite_text = " ".join((li.text_content() or "").split())
    text_pub = c.publisher
    # COinS says which parameter held which name: it decides work vs publisher outright.
    work = None
    if atitle:
        c.title = atitle
        work = jtitle or btitle
    elif btitle:
        c.title = btitle
        work = jtitle
    elif jtitle:
        c.title = c.title or jtitle
    c.work = work
    pub = one("rft.pub")
    if pub:
        c.publisher = pub
    elif work and text_pub and text_pub != work and f"{work} ({text_pub})" in cite_text:
        c.publisher = text_pub  # periodical publisher, rendered but left out of newer COinS
    else:
        c.publisher = None
    aus = [" ".join(a.split()) for a in q.get("rft.au", [])]
    last, first = one("rft.aulast"), one("rft.aufirst")
    if last:
        lead = f"{last}, {first}" if first else last
        if lead not in aus and not any(a.startswith(last) for a in aus):
            aus.insert(0, lead)
    if aus:
        c.authors = [a for a in aus if a] or c.authors
    d = one("rft.date")
    if d:
        if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", d):
            c.date = d
        else:
            c.date = parse_date(d) or c.date
        if c.date_raw is None:
            c.date_raw = d
    for k in ("isbn", "issn", "eissn"):
        v = one(f"rft.{k}")
        if v:
            c.identifiers["issn" if k == "eissn" else k] = v
    for rid in q.get("rft_id", []):
        m = re.match(r"info:(\w+)/(.+)", rid)
        if m and m.group(1) in _ID_INFO:
            c.identifiers[_ID_INFO[m.group(1)]] = m.group(2)
        elif "jstor.org/stable/" in rid:
            c.identifiers["jstor"] = rid.rsplit("/", 1)[-1]
        elif rid.startswith("http") and rid in cite_text and c.url is None:
            c.url = rid


def _is_wikipedia_site(root, url: str | None) -> bool:
    """A MediaWiki page is Wikipedia's unless it names another site: its canonical or og:url host, or
    its og:site_name (a saved page without either is taken for Wikipedia, as before)."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "") if url else ""
    if host and not (host == "wikipedia.org" or host.endswith(".wikipedia.org")):
        return False
    for m in root.iter("meta"):
        if m.get("property") == "og:site_name" and m.get("content"):
            return "wikipedia" in m.get("content").lower()
    return True


# --------------------------------------------------------------------------- main entry
def analyse_html(html: str) -> tuple[list[Block], list[Decision], list[Citation], Metadata]:
    """Blocks (document order), one Decision per block, the reference list as Citations, and
    metadata (kind='wikipedia'). Never raises: unparsable input gives empty lists."""
    meta = Metadata(kind="wikipedia", site="Wikipedia")
    try:
        return _analyse(html, meta)
    except Exception:  # noqa: BLE001 - garbage in: nothing out, the caller records no blocks
        return [], [], [], meta


def _analyse(html: str, meta: Metadata):
    if not html or not isinstance(html, str) or len(html) > MAX_HTML or not html.strip():
        return [], [], [], meta
    import lxml.html

    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)  # lxml refuses str input with an encoding declaration
    root = lxml.html.document_fromstring(html)
    t = root.find(".//title")
    h1 = root.get_element_by_id("firstHeading", None) if hasattr(root, "get_element_by_id") else None
    if h1 is not None:
        meta.title = " ".join(h1.text_content().split()) or None
    elif t is not None and t.text:
        meta.title = re.sub(r"\s+[-–—]\s+Wikipedia.*$", "", " ".join(t.text.split())) or None
    for ln in root.iter("link"):
        if (ln.get("rel") or "").lower() == "canonical" and ln.get("href"):
            meta.url = ln.get("href")
    if meta.url is None:
        for m in root.iter("meta"):
            if m.get("property") == "og:url" and m.get("content"):
                meta.url = m.get("content")

    wikipedia = _is_wikipedia_site(root, meta.url)
    if not wikipedia:  # the same software, another site (a fan wiki, a company wiki)
        meta.kind, meta.site = "other", None
    lettered = _lettered_notes(root)
    notes = _note_numbers(root, lettered)
    walker = _Walker(notes, site_classes=not wikipedia)
    body = root.find("body")
    if body is None:
        body = root
    has_content = any((el.get("id") in _CONTENT_IDS) or (_classes(el) & set(_CONTENT_CLASSES))
                      for el in body.iter() if isinstance(el.tag, str))
    walker.walk(body, "outside" if has_content else "body")

    blocks: list[Block] = []
    decisions: list[Decision] = []
    citations: list[Citation] = []
    section = "body"
    seen_li: set[int] = set()
    heading_idx: int | None = None  # last kept heading with nothing under it yet
    for i, (text, tag, region, cites, el) in enumerate(walker.blocks, start=1):
        blocks.append(Block(text=text, raw_start=i, raw_end=i, tag=tag, main=region in ("body", "references")))
        if tag == "h1" and (el.get("id") == "firstHeading" or (meta.title and text == meta.title)):
            decisions.append(Decision("title", "article title (h1)"))
            continue
        if region == "outside":
            if _LAST_EDIT.search(text) and meta.published is None:
                meta.published = parse_date(_LAST_EDIT.search(text).group(1))
            decisions.append(Decision("wiki_chrome", "outside the article content"))
            continue
        if region == "chrome":
            if _LAST_EDIT.search(text) and meta.published is None:
                meta.published = parse_date(_LAST_EDIT.search(text).group(1))
            decisions.append(Decision("wiki_chrome", "MediaWiki chrome element"))
            continue
        if region == "infobox":
            decisions.append(Decision("infobox", "infobox table"))
            continue
        if region == "caption":
            decisions.append(Decision("caption", "thumbnail/figure caption"))
            continue
        if tag in _HEADINGS:
            clean, _ = clean_inline(text)
            name = clean.strip()
            kind = _sections().get(name.casefold(), "body")
            section = kind
            if kind in ("links", "refs"):
                decisions.append(Decision("wiki_chrome", f"back-matter section heading ({name})"))
            else:
                decisions.append(Decision("heading", "heading element", text=name))
                heading_idx = len(decisions) - 1
            continue
        if region == "references":
            if tag == "li" and id(el) not in seen_li and el.getparent() is not None \
                    and _classes(el.getparent()) & {"references", "mw-references"}:
                seen_li.add(id(el))
                if (el.get("id") or "") in lettered and (el.get("id") or "") not in notes:
                    decisions.append(Decision("references", "explanatory note (lettered, not a reference)"))
                    continue
                num = notes.get(el.get("id") or "", None)
                if num is None:
                    num = sum(1 for _ in el.itersiblings(preceding=True)) + 1
                c = _citation_from_li(el, num, walker)
                c.raw_start = c.raw_end = i
                citations.append(c)
                decisions.append(Decision("references", "reference list item"))
            else:
                decisions.append(Decision("references", "bibliography/reference section text"))
            continue
        if section == "links" or is_chrome_line(text):
            decisions.append(Decision("wiki_chrome", "back-matter link list" if section == "links" else "chrome phrase"))
            continue
        clean, text_cites = clean_inline(text)
        all_cites = tuple(dict.fromkeys(cites + text_cites))
        label = "list_item" if tag in ("li", "dd", "dt") else "paragraph"
        decisions.append(Decision(label, f"<{tag}> in article content", text=clean, cites=all_cites))
        heading_idx = None
    _mark_empty_sections(decisions)
    by_num = {c.ref_number: c for c in citations}
    for pos, d in enumerate(decisions):
        if d.keep:
            for n in d.cites:
                if n in by_num and pos not in by_num[n].cited_in:
                    by_num[n].cited_in.append(pos)
    return blocks, decisions, citations, meta


def _mark_empty_sections(decisions: list[Decision]) -> None:
    """A heading followed directly by another heading of the same or higher rank, or by nothing
    kept, introduces an empty section: chrome."""
    kept = [i for i, d in enumerate(decisions) if d.keep]
    for a, b in zip(kept, kept[1:] + [None]):
        if decisions[a].label == "heading" and (b is None):
            decisions[a] = Decision("wiki_chrome", "empty section")
