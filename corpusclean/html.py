"""HTML path: visible text blocks of a page, which of them are main content, and page metadata.

    html_blocks(html: str, config: HtmlConfig | None = None) -> (list[Block], list[Decision], Metadata)

Blocks
    Every visible text block of ``<body>`` in document order, from an innerText-like walk of
    the lxml tree: one block per block-level element's own text run (``<div>a<p>b</p>c</div>``
    gives "a", "b", "c"), ``<tr>`` rows with their cells joined by spaces, ``<br>`` as a space,
    inline whitespace collapsed. Never blocks: script/style/noscript/template/head, svg/math,
    iframe/object/embed/media, form widgets, elements with ``hidden``, ``aria-hidden`` = true or
    an inline ``display:none`` / ``visibility:hidden`` style. ``raw_start == raw_end`` = the
    1-based block ordinal; ``tag`` = the element; ``main`` = trafilatura kept it.

Main content
    trafilatura (``bare_extraction`` with the config's include_comments / include_tables / fast)
    decides; its text lines are mapped back onto the blocks by substring search in document
    order over the blocks' joined text (6-word pieces when a line is not verbatim); a block is
    ``main`` when at least half of its characters are covered. Then, measured on the
    boilerplate bench (see the report in benchmarks/html_speed.py --score):
      * kept blocks are removed for: the page headline (h1/h2 equal to the metadata title ->
        "title"), <figcaption> ("caption"), short share/follow/print lines ("promo",
        rule:share_words / rule:promo_words), short copyright lines ("footer"), short "By ..."
        lines ("byline"), short or link-heavy text under a strong boilerplate ancestor
        (<nav>, share/promo/newsletter/related/byline class tokens), loose container text that
        is > 60% links ("related", rule:link_density_container);
      * dropped blocks are recovered (rule:recovered_prose) when they read like prose next to
        the main content: >= 100 characters, < 30% link text, no boilerplate ancestor, not a
        heading/caption/credit, a kept block within two blocks, and sentence-final punctuation
        or kept blocks on both sides.
    Removed blocks get the finest reason known (ancestor tag/role/class token, line rule),
    else "not_main_content"; ``Decision.detail`` names the rule ("trafilatura:kept",
    "tag:nav", "class:share", "rule:share_words", "trafilatura:dropped", ...).
    Share/follow/newsletter/ad chrome is reported as "promo".

Lineage
    ``decisions[i]`` belongs to ``blocks[i]``; every visible block has exactly one decision.

Metadata (cheap)
    title / authors / published / url / site from ``<meta>`` tags (OpenGraph, Dublin Core,
    parsely, ...), JSON-LD (``@graph`` too), ``<link rel=canonical>``, ``<time datetime>``,
    ``<title>`` (site suffix cut) and the first h1; htmldate (``extensive_search=False``) only
    when none of those gave a date and the page looks like an article (og:type article, JSON-LD
    Article, an author, or an ``<article>`` element). kind = "news" when there is a publication date,
    ``og:type=article`` or a JSON-LD Article/BlogPosting/Report, else "other".

Safety (HTML bombs): ``ValueError`` (the caller writes a reject row) for a non-str input,
input longer than ``MAX_HTML_CHARS`` characters, a tree of more than ``MAX_ELEMENTS``
elements, or nesting that reaches ``PARSER_MAX_DEPTH`` (2048: libxml2 silently drops what is
nested deeper, so such pages are rejected rather than losing text). The parser runs with
``huge_tree`` so text nodes over 10 MB are not truncated; the walk is iterative. Empty or
text-less input returns ``([], [], Metadata())``; garbage parses to whatever text it holds.
Parsing uses lxml's plain HTML parser (C element proxies keep the walk cheap); trafilatura
parses the string itself, so its view and ours may differ slightly (the mapping is by text).
"""

from __future__ import annotations

import json
import logging
import re
from bisect import bisect_right
from urllib.parse import urlsplit

from lxml import etree

from .config import HtmlConfig
from .records import Block, Decision, Metadata

__all__ = ["html_blocks", "MAX_HTML_CHARS", "MAX_ELEMENTS", "PARSER_MAX_DEPTH"]

LOGGER = logging.getLogger(__name__)

MAX_HTML_CHARS = 50_000_000  # characters of decoded HTML
MAX_ELEMENTS = 300_000  # elements in the parsed tree
PARSER_MAX_DEPTH = 2048  # libxml2 (huge_tree) stops nesting at 2048 levels and drops what lies below: rejected

# trafilatura logs a warning for every page it finds too short; that is not our error.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)

# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

# Subtrees that are never rendered as text.
_INVISIBLE = frozenset(
    """script style noscript template head title meta link svg math iframe object embed video
    audio canvas map area source track picture img input select option optgroup textarea button
    datalist dialog frameset frame noframes""".split()
)
# Elements that start a new text block (everything else is inline).
_BLOCK = frozenset(
    """html body address article aside blockquote center details dialog dd dir div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p pre
    section summary table thead tbody tfoot tr caption ul legend""".split()
)
_CELLS = frozenset(("td", "th"))
_PROSE_TAGS = frozenset("p li h1 h2 h3 h4 h5 h6 blockquote pre dd dt tr caption summary".split())
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# class/id tokens of boilerplate containers -> removal reason (generic web vocabulary). A class
# or id is split into tokens; a token matches when one of its '-'/'_' parts is the word. Tokens
# that merely label a post (WordPress-style "tag-x", "author-x", "category-x", "has-x") are skipped.
_CLASS_RULES: tuple[tuple[str, frozenset[str]], ...] = (
    ("nav", frozenset("nav navbar navigation menu breadcrumb breadcrumbs masthead skiplink pagination pager toolbar".split())),
    ("footer", frozenset("footer copyright colophon".split())),
    ("related", frozenset("related recommended recommendations popular trending mostread outbrain taboola".split())),
    ("promo", frozenset("share sharing sharebar social follow newsletter subscribe subscription signup promo advert advertisement ad ads sponsor sponsored banner cookie consent paywall".split())),
    ("caption", frozenset("caption figcaption credit credits".split())),
    ("byline", frozenset("byline byl dateline".split())),
    ("not_main_content", frozenset("comment comments disqus respond sidebar widget".split())),
)
_CLASS_WORD = {w: r for r, ws in _CLASS_RULES for w in ws}
# one pass over a class/id string: does it contain any word we look for at all? (most do not)
# words distinctive enough to count inside a camelCase or run-together token ("imageCaption")
_CLASS_SUBSTR = (("caption", "caption"), ("breadcrumb", "nav"), ("newsletter", "promo"), ("sidebar", "not_main_content"),
                 ("footer", "footer"), ("navbar", "nav"), ("byline", "byline"), ("paywall", "promo"),
                 ("advert", "promo"), ("sponsor", "promo"), ("outbrain", "related"), ("taboola", "related"),
                 ("related", "related"), ("share", "promo"), ("social", "promo"))
_ALL_WORDS = {w for _, ws in _CLASS_RULES for w in ws} | {w for w, _ in _CLASS_SUBSTR}
_PREFILTER = tuple(sorted(_ALL_WORDS))  # substring checks on the lowered class string: cheaper than a regex
_LABEL_PREFIXES = ("tag-", "tag_", "tags-", "author-", "author_", "category-", "categories-", "has-", "is-", "no-",
                   "with-", "post-", "page-", "single-", "format-", "type-", "status-", "term-", "topic-", "section-",
                   "template-", "parent-", "hentry")
# Reasons strong enough to remove a block trafilatura kept (measured: the others cost recall).
_STRONG_CTX = frozenset(("tag:nav", "class:share", "class:sharebar", "class:promo", "class:newsletter",
                         "class:related", "class:byline", "class:byl", "class:subscribe",
                         "class:signup", "class:outbrain", "class:taboola", "class:recommended"))
_TAG_REASON = {"nav": "nav", "footer": "footer", "aside": "related", "figcaption": "caption", "menu": "nav"}
_ROLE_REASON = {"navigation": "nav", "contentinfo": "footer", "complementary": "related", "banner": "nav", "menu": "nav", "menubar": "nav"}

_SOCIAL = r"(?:facebook|twitter|x|linkedin|pinterest|whatsapp|reddit|email|e-mail|messenger|flipboard|tumblr|telegram|instagram|youtube|mail)"
_SHARE_WORDS = re.compile(
    r"^(?:(?:share|tweet|post|pin|send|email|e-mail|print)(?: (?:this|it|the|story|article|page|on|via|to|with|by))*"
    rf"(?: {_SOCIAL})?|{_SOCIAL}|copy link|follow(?: us)?(?: on {_SOCIAL})?|subscribe|sign up|log ?in|sign in|comments?|reply|"
    r"advertisement|sponsored|read more|show more|load more|continue reading|skip to (?:main )?content|"
    r"back to top|menu|close|search|home|next|previous|prev)\b[\s\W]*$",
    re.I,
)
_SHARE_INLINE = re.compile(
    r"\b(?:share (?:this|on)|follow us|sign up for|subscribe to (?:our|the)|newsletter|"
    r"all rights reserved|cookie|click here|related (?:articles?|stories|posts?|coverage)|"
    r"more from|you may also like|recommended for you)\b",
    re.I,
)
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:\d{4}|[A-Z])", re.I)
_BYLINE = re.compile(r"^(?:by|von|par|por|door|di|av)\s+\S", re.I)
_END_PUNCT = re.compile(r"[.!?:;…\"'”’)\]]$")


# --------------------------------------------------------------------------------------------
# Parsing and the visible-block walk
# --------------------------------------------------------------------------------------------


# huge_tree: no 10 MB cap on one text node and 2048 nesting levels instead of 256 (libxml2 drops
# what lies beyond either silently); our own caps (MAX_HTML_CHARS, MAX_ELEMENTS) bound the work.
_PARSER = etree.HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True, huge_tree=True)
_PARSER_BYTES = etree.HTMLParser(
    collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True, huge_tree=True, encoding="utf-8"
)


def _parse(html: str):
    """Parse with lxml's plain HTML parser (C element proxies: the walk is ~40% cheaper than on
    lxml.html trees). trafilatura gets the string and parses it itself."""
    if not isinstance(html, str):
        raise ValueError(f"html_blocks expects a decoded str, got {type(html).__name__}")
    if len(html) > MAX_HTML_CHARS:
        raise ValueError(f"HTML too large: {len(html)} characters > {MAX_HTML_CHARS}")
    if not html.strip():
        return None
    try:
        try:
            tree = etree.fromstring(html, _PARSER)
        except ValueError:  # "Unicode strings with encoding declaration are not supported"
            tree = etree.fromstring(html.encode("utf-8", "surrogatepass"), _PARSER_BYTES)
    except etree.XMLSyntaxError:
        return None  # nothing parseable (e.g. only a comment): no blocks
    except Exception as err:
        raise ValueError(f"HTML could not be parsed: {err}") from err
    if tree is None:
        return None
    # cheap upper bound first: every element needs a '<'
    if html.count("<") > MAX_ELEMENTS:
        n = int(tree.xpath("count(//*)"))
        if n > MAX_ELEMENTS:
            raise ValueError(f"HTML has {n} elements, more than {MAX_ELEMENTS} (cap against HTML bombs)")
    return tree


class _Seg:
    """A visible block being collected (one per block-level element's text run)."""

    __slots__ = ("tag", "pieces", "link_chars", "ctx", "elem")

    def __init__(self, tag: str, ctx: tuple, elem):
        self.tag = tag
        self.pieces: list[str] = []
        self.link_chars = 0
        self.ctx = ctx
        self.elem = elem


def _element_reason(el, tag: str) -> tuple[str, str] | None:
    """Boilerplate (reason, detail) an element's own tag/role/class/id suggests, or None."""
    r = _TAG_REASON.get(tag)
    if r:
        return r, "tag:" + tag
    get = el.get
    role = get("role")
    if role:
        r = _ROLE_REASON.get(role.lower())
        if r:
            return r, "role:" + role.lower()
    ci = get("class")
    i = get("id")
    if i:
        ci = ci + " " + i if ci else i
    if ci:
        low = ci.lower()
        for w in _PREFILTER:
            if w in low:
                break
        else:
            return None
        for tok in low.split():
            if tok.startswith(_LABEL_PREFIXES):
                continue
            for part in tok.replace("_", "-").split("-"):
                r = _CLASS_WORD.get(part)
                if r:
                    return r, "class:" + part
            for word, r in _CLASS_SUBSTR:
                if word in tok:
                    return r, "class:" + word
    return None


_HIDDEN_XPATH = etree.XPath("descendant-or-self::*[@hidden or @aria-hidden or @style]")


def _is_hidden(el) -> bool:
    get = el.get
    if get("hidden") is not None or get("aria-hidden") == "true":
        return True
    st = get("style")
    return bool(st and _HIDDEN_STYLE.search(st))


def _depth_of(el) -> int:
    d = 0
    p = el.getparent()
    while p is not None:
        d += 1
        p = p.getparent()
    return d


def _walk(root) -> list[tuple[str, str, int, tuple | None, int]]:
    """Visible blocks under `root` as (tag, text, link_chars, boilerplate ctx, depth), in order.

    ctx is the (reason, detail) of the nearest boilerplate ancestor block (or None). Iterative
    (lxml iterwalk), so nesting depth never touches the Python stack."""
    out: list[tuple[str, str, int, tuple | None, int]] = []
    root_seg = _Seg("body", None, root)
    stack: list[_Seg] = [root_seg]
    top = root_seg
    # hidden elements found once by XPath (C speed) instead of three attribute reads per element
    hidden = {el for el in _HIDDEN_XPATH(root) if _is_hidden(el)}
    kinds: list[int] = []  # per open element: 0 inline, 1 block, 2 link, 3 cell, 4 skipped
    link_depth = 0
    n = 0
    base = _depth_of(root)
    max_elements = MAX_ELEMENTS
    max_depth = PARSER_MAX_DEPTH - base - 1
    block_tags, invisible, cells = _BLOCK, _INVISIBLE, _CELLS
    walker = etree.iterwalk(root, events=("start", "end"))
    skip = walker.skip_subtree

    def flush(seg: _Seg) -> None:
        text = " ".join("".join(seg.pieces).split())
        if text:
            out.append((seg.tag, text, min(seg.link_chars, len(text)), seg.ctx, len(stack)))
        seg.pieces = []
        seg.link_chars = 0

    for event, el in walker:
        if event == "start":
            n += 1
            if n > max_elements:
                raise ValueError(f"HTML has more than {max_elements} elements (cap against HTML bombs)")
            tag = el.tag
            if not isinstance(tag, str) or tag in invisible or (hidden and el in hidden):
                skip()
                kinds.append(4)
                continue
            if not tag.islower():
                tag = tag.lower()
                if tag in invisible:
                    skip()
                    kinds.append(4)
                    continue
            if len(kinds) >= max_depth:
                raise ValueError(
                    f"HTML nested {PARSER_MAX_DEPTH} levels deep: the HTML parser drops content below that depth"
                )
            if tag in block_tags:
                if top.pieces:
                    flush(top)
                top = _Seg(tag, top.ctx or _element_reason(el, tag), el)
                stack.append(top)
                kinds.append(1)
            elif tag == "a":
                link_depth += 1
                kinds.append(2)
            elif tag in cells:
                top.pieces.append(" ")
                kinds.append(3)
            else:
                if tag == "br":
                    top.pieces.append(" ")
                kinds.append(0)
            t = el.text
            if t:
                top.pieces.append(t)
                if link_depth:
                    top.link_chars += len(t.strip())
        else:  # end
            k = kinds.pop() if kinds else 0
            if k == 1:
                seg = stack.pop()
                if seg.pieces:
                    flush(seg)
                top = stack[-1]
            elif k == 2:
                link_depth -= 1
            elif k == 3:
                top.pieces.append(" ")
            t = el.tail
            if t and kinds:  # the root's tail is outside the walk
                top.pieces.append(t)
                if link_depth:
                    top.link_chars += len(t.strip())
    while stack:
        seg = stack.pop()
        if seg.pieces:
            flush(seg)
    return out


# --------------------------------------------------------------------------------------------
# Mapping trafilatura's output back onto the blocks
# --------------------------------------------------------------------------------------------


def _coverage(texts: list[str], extracted: str) -> list[int]:
    """Characters of each block covered by the extractor's text, found in document order."""
    cov = [0] * len(texts)
    if not texts or not extracted:
        return cov
    page = " ".join(texts)
    starts: list[int] = []
    pos = 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + 1
    ends = [s + len(t) for s, t in zip(starts, texts)]

    def mark(a: int, b: int) -> None:
        i = bisect_right(starts, a) - 1
        while i < len(texts) and starts[i] < b:
            lo = max(a, starts[i])
            hi = min(b, ends[i])
            if hi > lo:
                cov[i] += hi - lo
            i += 1

    cursor = 0

    def place(s: str) -> bool:
        """Mark `s` where it occurs next (else anywhere) in the page text; advance the cursor."""
        nonlocal cursor
        k = page.find(s, cursor)
        if k < 0:
            k = page.find(s)
        if k < 0:
            return False
        mark(k, k + len(s))
        if k >= cursor:
            cursor = k + len(s)
        return True

    for line in extracted.split("\n"):
        toks = [t for t in line.split() if t != "|"]
        if toks and toks[0] == "-" and len(toks) > 1:
            toks = toks[1:]
        if not toks:
            continue
        if place(" ".join(toks)):
            continue
        # not verbatim (spacing or inline changes): look for 6-word pieces in order
        for j in range(0, len(toks), 6):
            piece = " ".join(toks[j : j + 6])
            if len(piece) >= 12:
                place(piece)
    return cov


def _extract_main(html: str, config: HtmlConfig) -> str:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html,
            include_comments=config.include_comments,
            include_tables=config.include_tables,
            fast=config.fast,
            with_metadata=False,
        )
    except (ValueError, TypeError, RecursionError, AssertionError) as err:
        LOGGER.debug("trafilatura failed: %s", err)
        return ""
    if doc is None:
        return ""
    text = doc.text or ""
    if config.include_comments and getattr(doc, "comments", None):
        text = text + "\n" + doc.comments
    return text


# --------------------------------------------------------------------------------------------
# Metadata (cheap: <meta>, JSON-LD, canonical link; htmldate only when no date was found)
# --------------------------------------------------------------------------------------------

_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")
_DATE_KEYS = (
    "article:published_time", "og:published_time", "datepublished", "date", "pubdate", "publishdate",
    "publish-date", "published_time", "dc.date", "dc.date.issued", "dcterms.date", "dcterms.created",
    "sailthru.date", "parsely-pub-date", "article.published", "originalpublicationdate", "citation_date",
    "citation_publication_date", "og:article:published_time", "release_date", "datecreated",
)
_AUTHOR_KEYS = ("author", "article:author", "dc.creator", "dcterms.creator", "parsely-author", "sailthru.author",
                "byl", "citation_author", "og:article:author", "twitter:creator")
_TITLE_KEYS = ("og:title", "twitter:title", "headline", "dc.title", "parsely-title", "sailthru.title", "citation_title")


def _iso(value: str | None) -> str | None:
    if not value:
        return None
    m = _DATE_RE.search(value)
    if not m:
        return None
    y, mo, d, hh, mm, ss = m.groups()
    if not (1990 <= int(y) <= 2100 and 1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
        return None
    if hh is None:
        return f"{y}-{mo}-{d}"
    return f"{y}-{mo}-{d}T{hh}:{mm}:{ss or '00'}"


def _ld_objects(tree, scripts: list | None = None) -> list[dict]:
    out: list[dict] = []
    if scripts is None:
        scripts = tree.iterfind('.//script[@type="application/ld+json"]')
    for s in scripts:
        raw = (s.text or "").strip()
        if not raw or len(raw) > 500_000:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        todo = [data]
        while todo and len(out) < 50:
            x = todo.pop(0)
            if isinstance(x, list):
                todo.extend(x)
            elif isinstance(x, dict):
                out.append(x)
                g = x.get("@graph")
                if isinstance(g, list):
                    todo.extend(g)
    return out


def _names(x) -> list[str]:
    if isinstance(x, str):
        return [x]
    if isinstance(x, dict):
        n = x.get("name")
        return [n] if isinstance(n, str) else []
    if isinstance(x, list):
        return [n for y in x for n in _names(y)]
    return []


def _clean_author(a: str) -> str | None:
    a = " ".join(a.split())
    a = re.sub(r"^(?:by|written by|von|par|por)\s+", "", a, flags=re.I).strip(" ,;|")
    if not a or len(a) > 80 or "://" in a or a.startswith("@") or "@" in a:
        return None
    return a


def _metadata(tree, blocks: list[tuple], extract_date: str | None) -> Metadata:
    """Page metadata; `extract_date` is the page source for the htmldate fallback (None: skip it)."""
    meta: dict[str, str] = {}
    # one pass over the tree for every element kind the rules below look at (was six traversals);
    # lists keep document order, so "first X" is unchanged. iter() includes `tree` itself, a
    # ".//x" search does not: the root is excluded from those kinds.
    metas, times, links, scripts = [], [], [], []
    title_el = article_el = None
    for el in tree.iter("meta", "time", "link", "script", "title", "article"):
        tg = el.tag
        if tg == "meta":
            metas.append(el)
        elif tg == "time":
            times.append(el)
        elif tg == "link":
            links.append(el)
        elif el is tree:
            continue
        elif tg == "script":
            if el.get("type") == "application/ld+json":
                scripts.append(el)
        elif tg == "title":
            if title_el is None:
                title_el = el
        elif article_el is None:
            article_el = el
    for m in metas:
        key = m.get("property") or m.get("name") or m.get("itemprop")
        content = m.get("content")
        if key and content:
            k = key.strip().lower()
            if k not in meta:
                meta[k] = content.strip()
    ld = _ld_objects(tree, scripts)
    ld_article = next((o for o in ld if isinstance(o.get("@type"), str) and (
        "Article" in o["@type"] or o["@type"] in ("BlogPosting", "Report", "WebPage"))), None)

    title = next((meta[k] for k in _TITLE_KEYS if meta.get(k)), None)
    if not title and ld_article and isinstance(ld_article.get("headline"), str):
        title = ld_article["headline"]
    if not title:
        t = title_el
        tt = "".join(t.itertext()) if t is not None else ""
        if tt.strip():
            title = " ".join(tt.split())
            parts = re.split(r"\s+[|–—-]\s+", title)
            if len(parts) > 1:
                title = max(parts, key=len)
    if not title:
        h1 = next((b[1] for b in blocks if b[0] == "h1"), None)
        title = h1
    title = " ".join(title.split()) if title else None

    authors: list[str] = []
    for k in _AUTHOR_KEYS:
        if meta.get(k):
            authors = [meta[k]]
            break
    if not authors and ld_article:
        authors = _names(ld_article.get("author"))
    if not authors:
        for o in ld:
            authors = _names(o.get("author"))
            if authors:
                break
    if len(authors) == 1 and re.search(r",| and | & ", authors[0]):
        authors = re.split(r"\s*,\s*|\s+and\s+|\s+&\s+", authors[0])
    clean: list[str] = []
    for a in authors:
        c = _clean_author(a)
        if c and c not in clean:
            clean.append(c)

    published = None
    for k in _DATE_KEYS:
        published = _iso(meta.get(k))
        if published:
            break
    if not published:
        for o in ([ld_article] if ld_article else []) + ld:
            v = o.get("datePublished") or o.get("dateCreated")
            published = _iso(v) if isinstance(v, str) else None
            if published:
                break
    if not published:
        for t in times:
            published = _iso(t.get("datetime"))
            if published:
                break
    og_type = (meta.get("og:type") or "").lower()
    ld_news = ld_article is not None and any(w in str(ld_article.get("@type")) for w in ("Article", "BlogPosting", "Report"))
    # htmldate (it parses the page again: ~3% of our time) only for pages that look like articles
    looks_article = og_type == "article" or ld_news or bool(clean) or article_el is not None
    if not published and looks_article and isinstance(extract_date, str) and extract_date:
        try:
            from htmldate import find_date

            # htmldate takes lxml.html trees or strings only: give it the page source
            published = _iso(find_date(extract_date, extensive_search=False, original_date=True))
        except Exception as err:  # htmldate is best effort
            LOGGER.debug("htmldate failed: %s", err)

    url = None
    for link in links:
        if (link.get("rel") or "").lower() == "canonical" and link.get("href", "").startswith("http"):
            url = link.get("href").strip()
            break
    if not url:
        u = meta.get("og:url") or meta.get("twitter:url")
        if u and u.startswith("http"):
            url = u
    site = meta.get("og:site_name") or meta.get("application-name") or meta.get("publisher")
    if not site and url:
        site = urlsplit(url).hostname
    kind = "news" if published or og_type == "article" or ld_news else "other"
    return Metadata(title=title, authors=clean, published=published, url=url, site=site, kind=kind)


# --------------------------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------------------------


def _norm(s: str) -> str:
    return " ".join(s.casefold().split())


def _title_match(text: str, title_n: str | None) -> bool:
    if not title_n:
        return False
    t = _norm(text)
    if not t:
        return False
    return t == title_n or (len(t) >= 15 and (t in title_n or title_n in t))


def html_blocks(html: str, config: HtmlConfig | None = None) -> tuple[list[Block], list[Decision], Metadata]:
    """Visible blocks of an HTML page, one Decision per block (parallel lists), and page metadata.

    Raises ValueError for input that must be rejected (not a str, over the size/element caps,
    unparseable); returns ([], [], Metadata()) for empty or text-less pages."""
    config = config or HtmlConfig()
    tree = _parse(html)
    if tree is None:
        return [], [], Metadata()
    body = tree.find("body")
    raw = _walk(body if body is not None else tree)
    texts = [r[1] for r in raw]
    meta = _metadata(tree, raw, extract_date=html)
    extracted = _extract_main(html, config) if raw else ""
    cov = _coverage(texts, extracted)
    main = [c * 2 >= len(t) for c, t in zip(cov, texts)]
    decisions = _decide(raw, main, meta)
    blocks = [Block(text=t, raw_start=i, raw_end=i, tag=r[0], main=m)
              for i, (r, t, m) in enumerate(zip(raw, texts, main), start=1)]
    return blocks, decisions, meta


def _keep_label(tag: str) -> str:
    if tag in _HEADINGS:
        return "heading"
    if tag == "li":
        return "list_item"
    return "paragraph"


def _line_reason(tag: str, text: str, link_chars: int) -> tuple[str, str] | None:
    """Line-level boilerplate signals, for any block."""
    n = len(text)
    if n < 40 and _SHARE_WORDS.match(text):
        return "promo", "rule:share_words"
    if n < 100 and _COPYRIGHT.search(text):
        return "footer", "rule:copyright"
    if n < 160 and _SHARE_INLINE.search(text) and not _END_PUNCT.search(text):
        return "promo", "rule:promo_words"
    return None




def _recover(raw: list[tuple], main: list[bool]) -> list[bool]:
    """Blocks trafilatura dropped that sit next to its main content and read like prose:
    >= 100 characters, link density < 0.3, no boilerplate ancestor, a kept block within two
    blocks, and either sentence-final punctuation or a kept block on both sides."""
    idx = [k for k, m in enumerate(main) if m]
    if not idx:
        return main
    lo, hi = idx[0], idx[-1]
    out = list(main)
    nb = len(main)
    for k, (tag, text, link_chars, ctx, _d) in enumerate(raw):
        if main[k] or ctx or tag in _HEADINGS or tag == "figcaption":
            continue
        n = len(text)
        if n < 100 or link_chars > 0.3 * n:
            continue
        if not any(main[j] for j in range(max(0, k - 2), min(nb, k + 3)) if j != k):
            continue
        if "©" in text:
            continue
        if lo < k < hi or _END_PUNCT.search(text):
            out[k] = True
    return out


def _decide(raw: list[tuple], main: list[bool], meta: Metadata) -> list[Decision]:
    title_n = _norm(meta.title) if meta.title else None
    recovered = _recover(raw, main)
    decisions: list[Decision] = []
    title_done = False
    for (tag, text, link_chars, ctx, _depth), m, rm in zip(raw, main, recovered):
        n = len(text)
        ld = link_chars / n if n else 0.0
        # the page headline goes to metadata wherever it is
        if not title_done and tag in ("h1", "h2") and _title_match(text, title_n):
            title_done = True
            decisions.append(Decision("title", "meta:title"))
            continue
        if tag == "figcaption":
            decisions.append(Decision("caption", "tag:figcaption"))
            continue
        if not m and not rm and ctx:  # dropped under a boilerplate ancestor: the common case
            decisions.append(Decision(ctx[0], ctx[1]))
            continue
        lr = _line_reason(tag, text, link_chars) if n < 200 else None
        if m:
            if lr:
                decisions.append(Decision(*lr))
                continue
            if ctx and ctx[1] in _STRONG_CTX and (n < 100 or ld > 0.5):
                decisions.append(Decision(ctx[0], ctx[1]))
                continue
            if n < 60 and _BYLINE.match(text) and not _END_PUNCT.search(text):
                decisions.append(Decision("byline", "rule:by_line"))
                continue
            if ld > 0.6 and n >= 30 and tag not in _PROSE_TAGS:
                # loose text in a container (not a <p>/<li>/heading) that is mostly links: teasers
                decisions.append(Decision("related", "rule:link_density_container"))
                continue
            decisions.append(Decision(_keep_label(tag), "trafilatura:kept"))
            continue
        if rm and not lr:
            decisions.append(Decision(_keep_label(tag), "rule:recovered_prose"))
            continue
        # dropped by trafilatura: finest reason known
        if ctx:
            decisions.append(Decision(ctx[0], ctx[1]))
        elif lr:
            decisions.append(Decision(*lr))
        elif ld > 0.5:
            decisions.append(Decision("nav", "rule:link_density"))
        elif n < 60 and _BYLINE.match(text):
            decisions.append(Decision("byline", "rule:by_line"))
        else:
            decisions.append(Decision("not_main_content", "trafilatura:dropped"))
    return decisions
