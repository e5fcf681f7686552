"""HTML path: visible text blocks of a page, which of them are main content, and page metadata.

    html_blocks(html: str, config: HtmlConfig | None = None) -> (list[Block], list[Decision], Metadata)

Blocks
    Every visible text block of ``<body>`` in document order, from an innerText-like walk of
    the lxml tree: one block per block-level element's own text run (``<div>a<p>b</p>c</div>``
    gives "a", "b", "c"), ``<tr>`` rows with their cells joined by spaces, ``<br>`` as a space but
    two in a row as a paragraph break (old pages and forum posts separate paragraphs so), a
    ``<pre>`` split at its blank lines, inline whitespace collapsed. Never blocks: script/style/noscript/template/head, svg/math,
    iframe/object/embed/media, form widgets, elements with ``hidden``, ``aria-hidden`` = true or
    an inline ``display:none`` / ``visibility:hidden`` style. ``raw_start == raw_end`` = the
    1-based block ordinal; ``tag`` = the element; ``main`` = trafilatura kept it.

Main content
    trafilatura (``bare_extraction`` with the config's include_comments / include_tables / fast,
    fast by default: see HtmlConfig) decides; its text lines are mapped back onto the blocks by
    substring search in document order over the blocks' joined text (6-word pieces when a line
    is not verbatim); a block is ``main`` when at least half of its characters are covered.
    Then, measured on the
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

Safety (HTML bombs): ``ValueError`` (the caller writes a reject row) for a non-str input or
input longer than ``MAX_HTML_CHARS`` characters; ``TooComplex`` (a ``ValueError``: a ``too_complex``
reject) for a tree of more than ``MAX_ELEMENTS`` elements or nesting that reaches
``PARSER_MAX_DEPTH`` (2048: libxml2 silently drops what is nested deeper, so such pages are rejected
rather than losing text). The parser runs with
``huge_tree`` so text nodes over 10 MB are not truncated; the walk is iterative. Empty or
text-less input returns ``([], [], Metadata())``; garbage parses to whatever text it holds.

Cost: the page is parsed once, repaired and parsed as trafilatura's load_html would, and the
tree goes to our walk, htmldate (which copies it) and last to trafilatura's extraction cascade
(which prunes it in place); fragments and trees deeper than trafilatura's parser keeps (255
levels) give trafilatura the source instead, as before.
With the default ``HtmlConfig.fast`` (trafilatura without its readability/jusText comparison)
html_blocks costs ~0.72-0.73x of ``trafilatura.extract`` alone (benchmarks/html_speed.py).
"""

from __future__ import annotations

import json
import logging
import re
import textwrap
from bisect import bisect_right
from itertools import accumulate
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from .boilerplate import _STRONG_PROMO, not_a_person, strip_contacts, ui_label
from .config import HtmlConfig
from .dates import gregorian_iso
from .features import RELATED_HEADERS, _norm_text
from .records import Block, Decision, Metadata, TooComplex, TooLarge

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
    ("not_main_content", frozenset("comment comments disqus respond sidebar widget postprofile signature".split())),
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
                         "class:signup", "class:outbrain", "class:taboola", "class:recommended",
                         "class:recommendations", "class:postprofile"))
# Strong only when two or more elements of the page carry it: one per post in a forum thread (a user's
# signature under each post), where news sites use a single "signature" box for the byline (measured:
# strong everywhere cost recall on the benchmark)
_REPEATED_CTX = frozenset(("class:signature",))
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
# every _SHARE_INLINE match contains one of these (lower case)
_SHARE_INLINE_WORDS = ("share", "follow", "sign up", "subscribe", "newsletter", "rights reserved", "cookie",
                       "click here", "related", "more from", "may also like", "recommended")
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:\d{4}|[A-Z])", re.I)
_BYLINE = re.compile(r"^(?:by|von|par|por|door|di|av)\s+\S", re.I)
_END_CHARS = tuple(".!?:;…\"'”’)]")  # sentence-final characters (str.endswith: no regex scan of the line)


# --------------------------------------------------------------------------------------------
# Parsing and the visible-block walk
# --------------------------------------------------------------------------------------------


# huge_tree: no 10 MB cap on one text node and 2048 nesting levels instead of 256 (libxml2 drops
# what lies beyond either silently); our own caps (MAX_HTML_CHARS, MAX_ELEMENTS) bound the work.
# Elements are lxml.html HtmlElement (trafilatura and htmldate need its methods) through a C-level
# class lookup: lxml.html's own parser calls a Python lookup for every element proxy (~2x slower walks).
_PARSER = etree.HTMLParser(
    collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True, huge_tree=True, encoding="utf-8"
)
_PARSER_STR = etree.HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True, huge_tree=True)
for _p in (_PARSER, _PARSER_STR):
    _p.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, entity=lxml.html.HtmlEntity))

# trafilatura.utils.repair_faulty_html, with a C-speed test for control characters first (its regex
# scan of the whole page costs ~3% of an extraction); test_html checks the two agree.
_CTRL_BYTES = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20))
_INVALID_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DOCTYPE_TAG = re.compile("^< ?! ?DOCTYPE[^>]*/[^<>]*>", re.IGNORECASE)
_FAULTY_HTML = re.compile(r"(<html.*?)\s*/>", re.IGNORECASE)
_FULL_HTML = re.compile(r"^\s*<(?:html|!doctype)", re.I)  # lxml.html.fromstring: a document, not a fragment
_TRAF_MAX_DEPTH = 255  # trafilatura's parser (no huge_tree) keeps 255 levels; deeper trees: it parses itself


def _repair(html: str, data: bytes, beginning: str) -> tuple[str, bytes]:
    """(repaired str, its UTF-8 bytes); `data` is reused when nothing changed."""
    orig = html
    if len(data.translate(None, _CTRL_BYTES)) != len(data) or b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data:
        html = _INVALID_XML_CHARS.sub("", html)
    if "doctype" in beginning:
        nl = html.find("\n")
        if nl < 0 or _DOCTYPE_TAG.match(html, 0, nl):
            firstline, _, rest = html.partition("\n")
            html = _DOCTYPE_TAG.sub("", firstline, count=1) + "\n" + rest
    if html.find("<html", 0, 4096) >= 0 and html.find("/>", 0, 4096) >= 0:  # (splitlines is the costly part)
        for line in html[:4096].splitlines()[:4]:
            if "<html" in line and line.endswith("/>"):
                html = _FAULTY_HTML.sub(r"\1>", html, count=1)
                break
    if html is not orig:
        data = html.encode("utf-8", "surrogatepass")
    return html, data


def _parse(html: str):
    """The page's tree, parsed once for our walk, trafilatura and htmldate, exactly as trafilatura's
    load_html would (same repairs, same parser options plus huge_tree), from UTF-8 bytes (cheaper
    than a str). Returns (root, shareable): shareable = trafilatura may take this tree instead of
    parsing the string itself (a full document that its own checks would accept)."""
    if not isinstance(html, str):
        raise ValueError(f"html_blocks expects a decoded str, got {type(html).__name__}")
    if len(html) > MAX_HTML_CHARS:
        raise TooLarge(f"HTML too large: {len(html)} characters > {MAX_HTML_CHARS}")
    if not html.strip():
        return None, False
    beginning = html[:50].lower()
    src, data = _repair(html, html.encode("utf-8", "surrogatepass"), beginning)
    try:
        try:
            tree = etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError:
            raise
        except Exception:  # bytes libxml2 will not take (lone surrogates): parse the str
            tree = etree.fromstring(src, _PARSER_STR)
    except etree.XMLSyntaxError:
        return None, False  # nothing parseable (e.g. only a comment): no blocks
    except Exception as err:
        raise ValueError(f"HTML could not be parsed: {err}") from err
    if tree is None:
        return None, False
    # cheap upper bound first: every element needs a '<'
    if html.count("<") > MAX_ELEMENTS:
        n = int(tree.xpath("count(//*)"))
        if n > MAX_ELEMENTS:
            raise TooComplex(f"HTML has {n} elements, more than {MAX_ELEMENTS} (cap against HTML bombs)")
    shareable = bool(_FULL_HTML.match(src)) and "html" in beginning and len(tree) >= 1
    return tree, shareable


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
    if "-" in tag:  # a custom element's name says what it is: <related-posts>, <cookie-banner>
        ci = ci + " " + tag if ci else tag
    if not ci:
        return None
    r = _CLASS_CACHE.get(ci, _MISS)
    if r is _MISS:
        if len(_CLASS_CACHE) >= 100_000:
            _CLASS_CACHE.clear()
        r = _CLASS_CACHE[ci] = _class_reason(ci)
    return r


# class/id strings repeat within a page and across a site's pages: the word search runs once per string
_CLASS_CACHE: dict[str, tuple[str, str] | None] = {}
_MISS = object()


def _class_reason(ci: str) -> tuple[str, str] | None:
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


_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_CELL = "\x1f"  # the start of a table cell in a row's pieces (str.split() takes it for whitespace)
# the glyph of a heading's permalink anchor (Sphinx, MkDocs: "¶"; some themes a zero-width space)
_PERMALINK = "¶\u200b"

# walk dispatch per (lower-case) tag: 1 block, 2 link, 3 cell, 4 never rendered, 5 <br>; others inline (0)
_KIND = {**{t: 1 for t in _BLOCK}, "a": 2, "td": 3, "th": 3, "br": 5, **{t: 4 for t in _INVISIBLE}}


def _depth_of(el) -> int:
    d = 0
    p = el.getparent()
    while p is not None:
        d += 1
        p = p.getparent()
    return d


def _verbatim(text: str) -> str:
    """A <pre> block as shown: its lines and their indentation (code, poems, ASCII tables), trailing
    spaces and the blank lines around it removed."""
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    # without the indentation all lines share (a chunk after a blank line starts indented), and without
    # blank lines: documents.text separates blocks by one (a <br><br> or a highlighter's per-line spans
    # can leave one inside a block)
    return textwrap.dedent("\n".join(ln for ln in lines if ln.strip()))


def _walk(root) -> tuple[list[tuple[str, str, int, tuple | None, int]], bool, dict[int, str]]:
    """Visible blocks under `root` as (tag, text, link_chars, boilerplate ctx, depth), in order,
    and whether the tree nests deeper than trafilatura's own parser would keep, and the shown text of
    <pre> blocks (see _verbatim) and table rows (cells split by tabs) by index, where it differs.

    ctx is the (reason, detail) of the nearest boilerplate ancestor block (or None). Iterative
    (lxml iterwalk), so nesting depth never touches the Python stack. Hidden elements are tested
    here (three attribute reads) rather than by an XPath over the tree: that scan cost 3x more.
    The element count is bounded by _parse. A block being collected is a list
    [tag, text pieces, link characters, ctx] (cheaper to make than an object)."""
    out: list[tuple[str, str, int, tuple | None, int]] = []
    top: list = ["body", [], 0, None]
    pieces: list[str] = top[1]  # the open block's pieces, cleared in place by flush
    stack: list[list] = [top]
    kinds: list[int] = []  # per open element: 0 inline, 1 block, 2 link, 3 cell, 4 skipped
    push, pop = kinds.append, kinds.pop
    link_depth = 0
    base = _depth_of(root)
    max_depth = PARSER_MAX_DEPTH - base - 1
    deep_mark = min(max_depth, _TRAF_MAX_DEPTH - 5 - base)
    deep = False
    kind_of = _KIND.get
    hidden_style = _HIDDEN_STYLE.search
    layout: list[bool] = []  # per open <tr>: a layout row (its cells are blocks), see below
    walker = etree.iterwalk(root, events=("start", "end"))
    skip = walker.skip_subtree
    pre_text: dict[int, str] = {}  # block index -> shown text: a <pre> block laid out, a table row's cells

    def flush(seg: list) -> None:
        nonlocal br_at
        br_at = None
        p = seg[1]
        joined = p[0] if len(p) == 1 else "".join(p)
        text = " ".join(joined.split())
        if text:
            n = seg[2]
            if seg[0] == "pre":
                pre_text[len(out)] = _verbatim(joined)
            elif _CELL in joined:  # a table row: its cells set apart by tabs, as a copied table reads
                cells = [c for c in (" ".join(x.split()) for x in joined.split(_CELL)) if c]
                if len(cells) > 1:
                    pre_text[len(out)] = "\t".join(cells)
            out.append((seg[0], text, n if n < len(text) else len(text), seg[3], len(stack)))
        p.clear()
        seg[2] = 0

    def add(t: str) -> None:
        """Text into the open block; in a <pre>, a blank line ends a paragraph (a block of its own)."""
        if top[0] == "pre" and "\n" in t and _BLANK_LINE.search(t):
            for i, part in enumerate(_BLANK_LINE.split(t)):
                if i:
                    flush(top)
                pieces.append(part)
                if link_depth:
                    top[2] += len(part.strip())
            return
        pieces.append(t)
        if link_depth:
            top[2] += len(t.strip())

    # the open block and len(its pieces) just after the last <br>: a second <br> with only whitespace
    # since then is a paragraph break (not inside a table cell, whose row is one block)
    br_at: tuple[list, int] | None = None

    for event, el in walker:
        if event == "start":
            tag = el.tag
            k = kind_of(tag)
            if k is None:
                if not isinstance(tag, str):  # entity or the like
                    skip()
                    push(4)
                    continue
                if not tag.islower():
                    tag = tag.lower()
                k = kind_of(tag, 0)
                # a custom element whose name or class names chrome (<product-recommendations>,
                # <amp-sidebar>, <cookie-banner>) is a container: a block with that reason. Others stay
                # inline (<mjx-container> math, <relative-time>: a block would cut their sentence apart)
                if k == 0 and "-" in tag and _element_reason(el, tag) is not None:
                    k = 1
            get = el.get
            if k == 4 or get("hidden") is not None or get("aria-hidden") == "true" or (
                (st := get("style")) and hidden_style(st)
            ):
                skip()
                push(4)
                continue
            if len(kinds) >= deep_mark:
                deep = True
                if len(kinds) >= max_depth:
                    raise TooComplex(
                        f"HTML nested {PARSER_MAX_DEPTH} levels deep: the HTML parser drops content below that depth"
                    )
            if k == 3 and layout and layout[-1]:
                k = 1  # a cell of a layout row is a block of its own (menu, article, footer side by side)
            if k == 1:
                if tag == "tr":
                    # A row is one block (a data table's row reads as one line), unless it lays out a
                    # page: a row with a cell of 200+ characters holds running text, and one block for
                    # the whole row kept the menu and footer cells with the article.
                    # (measured for the outer three levels of nested tables only, deeper rows take their
                    # parent's answer: measuring each level again is quadratic in the nesting depth)
                    layout.append(any(len(c.text_content()) >= 200 for c in el if c.tag in _CELLS)
                                  if len(layout) < 3 else layout[-1])
                br_at = None
                if pieces:
                    if len(pieces) == 1 and pieces[0].isspace():  # layout whitespace only: no block
                        pieces.clear()
                    else:
                        flush(top)
                pieces = []
                r = _element_reason(el, tag)
                # the nearest boilerplate ancestor names the reason (a layout class on <body> or a page
                # wrapper must not hide a newsletter box inside it); a new tuple per element, so that
                # html_blocks can tell which blocks sit under the same element (see _layout_wrappers)
                top = [tag, pieces, 0, (r[0], r[1]) if r else top[3]]
                stack.append(top)
                push(1)
            elif k == 0:
                push(0)
            elif k == 2:
                link_depth += 1
                push(2)
            elif k == 5 and top[0] == "pre":  # a line break in preformatted text
                pieces.append("\n")
                push(0)
            elif k == 5:  # <br>: a space; two in a row (only whitespace between): a paragraph break
                if br_at is not None and br_at[0] is top and br_at[1] <= len(pieces) \
                        and all(x.isspace() for x in pieces[br_at[1]:]) and 3 not in kinds:
                    flush(top)
                else:
                    pieces.append(" ")
                    br_at = (top, len(pieces))
                push(0)
            else:  # 3 cell: a space, and a cell mark (whitespace to str.split) for the row's shown text
                pieces.append(_CELL)
                push(3)
            t = el.text
            if t:
                if top[0] == "pre":
                    add(t)
                else:  # inline: the walk's hot path (a call per text node cost ~3 % of the HTML clean)
                    pieces.append(t)
                    if link_depth:
                        top[2] += len(t.strip())
        else:  # end
            k = pop() if kinds else 0
            if k == 1:
                if layout and el.tag == "tr":
                    layout.pop()
                br_at = None
                seg = stack.pop()
                if pieces:
                    flush(seg)
                top = stack[-1]
                pieces = top[1]
            elif k == 2:
                link_depth -= 1
            elif k == 3:
                pieces.append(" ")
            t = el.tail
            if t and kinds:  # the root's tail is outside the walk
                if top[0] == "pre":
                    add(t)
                else:
                    pieces.append(t)
                    if link_depth:
                        top[2] += len(t.strip())
    while stack:
        seg = stack.pop()
        if seg[1]:
            flush(seg)
    return out, deep, pre_text


# --------------------------------------------------------------------------------------------
# Mapping trafilatura's output back onto the blocks
# --------------------------------------------------------------------------------------------


def _coverage(texts: list[str], extracted: str) -> list[int]:
    """Characters of each block covered by the extractor's text, found in document order."""
    cov = [0] * len(texts)
    if not texts or not extracted:
        return cov
    page = " ".join(texts)
    lens = [len(t) for t in texts]
    starts = list(accumulate([n + 1 for n in lens[:-1]], initial=0))
    ends = [s + n for s, n in zip(starts, lens)]
    nb = len(texts)
    cursor = 0

    def place(s: str) -> bool:
        """Mark `s` where it occurs next (else anywhere) in the page text; advance the cursor."""
        nonlocal cursor
        a = page.find(s, cursor)
        if a < 0:
            a = page.find(s)
            if a < 0:
                return False
        b = a + len(s)
        i = bisect_right(starts, a) - 1
        if b <= ends[i]:  # the usual case: inside one block
            cov[i] += b - a
        else:
            while i < nb and starts[i] < b:
                lo = a if a > starts[i] else starts[i]
                hi = b if b < ends[i] else ends[i]
                if hi > lo:
                    cov[i] += hi - lo
                i += 1
        if a >= cursor:
            cursor = b
        return True

    for line in extracted.split("\n"):
        # fast path: a found stripped line has single spaces only (like the page), so it equals
        # the normalised query below; a miss has no side effect
        s = line.strip()
        if s and s[0] != "-" and "|" not in s and place(s):
            continue
        toks = s.split()
        if "|" in toks:  # table cell separators
            toks = [t for t in toks if t != "|"]
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


_EXTRACTORS: dict[tuple, object] = {}


def _extractor(config: HtmlConfig):
    """trafilatura's option object, built once per config (building it reads its ConfigParser:
    ~5% of an extraction on small pages); bare_extraction does not mutate it."""
    key = (config.include_comments, config.include_tables, config.fast)
    ex = _EXTRACTORS.get(key)
    if ex is None:
        from trafilatura.settings import Extractor

        ex = _EXTRACTORS[key] = Extractor(output_format="python", comments=config.include_comments,
                                          tables=config.include_tables, fast=config.fast)
    return ex


def _extract_main(page, config: HtmlConfig) -> str:
    """trafilatura's main text; `page` is our parsed tree (consumed: trafilatura prunes it in
    place) or the page source."""
    import trafilatura

    options = _extractor(config)
    try:
        if not isinstance(page, str) and _plain_options(options):
            return _extract_tree(page, options)
        doc = trafilatura.bare_extraction(page, options=options)
    except (ValueError, TypeError, RecursionError, AssertionError) as err:
        LOGGER.debug("trafilatura failed: %s", err)
        return ""
    if doc is None:
        return ""
    text = doc.text or ""
    if config.include_comments and getattr(doc, "comments", None):
        text = text + "\n" + doc.comments
    return text


def _plain_options(options) -> bool:
    """Options under which bare_extraction is only: copy the tree, trafilatura_sequence, the
    output size check, xmltotxt (no metadata, language, dedup, tree-size or URL steps)."""
    return (options.format == "python" and not options.with_metadata and not options.lang and not options.dedup
            and not options.max_tree_size and not options.url)


def _extract_tree(tree, options) -> str:
    """bare_extraction's steps for _plain_options, without its defensive copy of the input tree
    (a full copy of the page: ~2% of an extraction); test_html checks both give the same text."""
    from trafilatura.core import trafilatura_sequence
    from trafilatura.xml import xmltotxt

    postbody, text, commentsbody, comments = trafilatura_sequence(tree, options, None)
    if len(text) < options.min_output_size and len(comments) < options.min_output_comm_size:
        return ""
    out = xmltotxt(postbody, options.formatting) or ""
    if options.comments:
        c = xmltotxt(commentsbody, options.formatting)
        if c:
            out = out + "\n" + c
    return out


# --------------------------------------------------------------------------------------------
# Metadata (cheap: <meta>, JSON-LD, canonical link; htmldate only when no date was found)
# --------------------------------------------------------------------------------------------

_DATE_RE = re.compile(r"(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?)?")
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
    y, mo, d, hh, mm, ss, tz = m.groups()
    if not (1990 <= int(y) <= 2100):  # a year of another calendar (Iranian and Thai sites put theirs in <meta>)
        g = gregorian_iso(int(y), int(mo), int(d)) if 1 <= int(mo) <= 12 and 1 <= int(d) <= 31 else None
        if g is None:
            return None
        y, mo, d = g.split("-")
    if not (1990 <= int(y) <= 2100 and 1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
        return None
    if hh is None:
        return f"{y}-{mo}-{d}"
    if tz and tz != "Z":  # "2024-03-05T19:00:00+04:00" is 15:00 UTC, the time `published` holds
        from datetime import datetime, timedelta

        sign = 1 if tz[0] == "+" else -1
        off = timedelta(hours=int(tz[1:3]), minutes=int(tz[-2:]))
        try:
            t = datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0)) - sign * off
        except ValueError:
            return f"{y}-{mo}-{d}"
        return t.strftime("%Y-%m-%dT%H:%M:%S")
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
    a = strip_contacts(a) if "@" in a else " ".join(a.split())
    a = re.sub(r"^(?:by|written by|von|par|por)\s+", "", a, flags=re.I).strip(" ,;|")
    if not a or len(a) > 80 or "://" in a or "@" in a:
        return None
    return a


_TITLE_SEP = re.compile(r"(\s+[|–—-]\s+)")


def _strip_site(title: str) -> str:
    """A <title> without the site's name (and section): "Headline - Part 3 | Site" -> "Headline - Part 3",
    "Headline | News | Site" -> "Headline". The site is the first or the last part, whichever is shorter
    (a headline may hold a dash itself); after it, parts of one or two words (a section) go too."""
    parts = _TITLE_SEP.split(title)  # text, separator, text, ...
    if len(parts) < 3:
        return title
    end = len(parts[0]) >= len(parts[-1])  # the site's part is at the end
    parts = parts[:-2] if end else parts[2:]
    while len(parts) >= 3 and len((parts[-1] if end else parts[0]).split()) <= 2:
        parts = parts[:-2] if end else parts[2:]
    return "".join(parts)


def _page_kinds() -> dict[str, frozenset[str]]:
    from .features import load_keyed_words

    return {k: frozenset(ws) for k, ws in load_keyed_words("page_kinds.txt").items()}


_KINDS = _page_kinds()


def _ld_types(o: dict) -> list[str]:
    t = o.get("@type")
    return [x.lower() for x in (t if isinstance(t, list) else [t]) if isinstance(x, str)]


def _page_kind(meta: dict[str, str], og_type: str, ld: list[dict], ld_article: dict | None,
               published, url: str | None) -> str:
    """news for an article page, other for the rest. A date alone used to make any page news: docs
    ("last updated"), forum threads and paper abstracts have one too. An article's own type first
    (any JSON-LD object of a news/blog type, og:type article), then signs of another kind of page (the
    page's main schema.org type: docs, product, Q&A, forum post, paper; a docs/forum/wiki generator;
    scholarly meta tags; a product/profile/media og:type; a docs/forum/shop first URL segment or host
    label), then the date. The word lists are data (data/page_kinds.txt)."""
    k = _KINDS
    types = [t for o in ([ld_article] if ld_article else []) + ld for t in _ld_types(o)]
    if og_type in k["news_og"] or any(t in k["news_types"] for t in types):
        return "news"
    main = next((t for t in types if t in k["other_types"]), None)  # no article type: another page type
    gen = (meta.get("generator") or "").lower().split()
    if main is not None or (gen and gen[0].split("-")[0].rstrip(",") in k["other_generators"]) \
            or any(meta.get(m) for m in k["other_meta"]) or og_type in k["other_og"] \
            or og_type.startswith(tuple(k["other_og_prefix"])):
        return "other"
    if url:
        u = urlsplit(url)
        first = u.path.lower().strip("/").split("/", 1)[0]
        host = (u.hostname or "").split(".", 1)[0]
        if first in k["other_url_parts"] or host in k["other_url_parts"]:
            return "other"
    return "news" if published else "other"


def _metadata(tree, blocks: list[tuple], extract_date) -> Metadata:
    """Page metadata; `extract_date` is what the htmldate fallback reads: our tree (it copies it:
    cheaper than a parse) or the page source (None: skip it)."""
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
    meta_authors: dict[str, list[str]] = {}  # every value of an author key (scholarly pages repeat the tag)
    for m in metas:
        key = m.get("property") or m.get("name") or m.get("itemprop")
        content = m.get("content")
        if key and content:
            k = key.strip().lower()
            if k not in meta:
                meta[k] = content.strip()
            if k in _AUTHOR_KEYS:
                meta_authors.setdefault(k, []).append(content.strip())
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
            tt = " ".join(tt.split())
            title = _strip_site(tt)
            # the part of the <title> that an <h1> of the page repeats, when the site's part is not the
            # shorter one ("Release notes — Tessellate 4.2.0 documentation"); not a logo's <h1> (a link,
            # in a header or nav, or the site's name)
            site = meta.get("og:site_name") or meta.get("application-name")
            h1s = {b[1].rstrip(_PERMALINK + "# ") for b in blocks  # (without a permalink glyph: "¶", "#")
                   if b[0] == "h1" and b[3] is None and b[2] * 2 < len(b[1]) and b[1] != site}
            if h1s and title not in h1s:
                title = max((h for h in h1s if h in _TITLE_SEP.split(tt)[::2]), key=len, default=title)
    if not title:
        h1 = next((b[1] for b in blocks if b[0] == "h1"), None)
        title = (h1.rstrip(_PERMALINK + " ") or h1) if h1 else h1
    title = " ".join(title.split()) if title else None

    authors: list[str] = []
    for k in _AUTHOR_KEYS:
        if meta.get(k):
            vals = meta_authors[k]
            if k == "citation_author":  # Highwire Press tags: one per author, "Last, First"
                vals = [" ".join(reversed(v.split(",", 1))) if v.count(",") == 1 else v for v in vals]
            authors = [" ".join(v.split()) for v in vals]
            break
    ld_authors = _names(ld_article.get("author")) if ld_article else []
    if len(authors) == 1 and len(ld_authors) > 1:  # a meta tag naming one of the article's authors
        authors = ld_authors
    if not authors:
        authors = ld_authors
        for o in ld if not authors else ():  # any other object (a page without an article object)
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
    # a second value that is a job title, an outlet, a credential ("TOM KRISHER, AP Auto Writer", "Ana Lind,
    # MS, RDN", split at their commas) or the site itself names no second author; a first one stays (a
    # page credited only to its newsroom)
    site_name = (meta.get("og:site_name") or "").casefold()
    clean = clean[:1] + [a for a in clean[1:] if not not_a_person(a) and a.casefold() != site_name]

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
    # htmldate (a deep copy or a parse of the page, then its search) only for pages that look like articles
    looks_article = og_type == "article" or ld_news or bool(clean) or article_el is not None
    if not published and looks_article and extract_date is not None and len(extract_date):
        try:
            from htmldate import find_date

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
    kind = _page_kind(meta, og_type, ld, ld_article, published, url)
    return Metadata(title=title, authors=clean, published=published, url=url, site=site, kind=kind)


# --------------------------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------------------------


def _norm(s: str) -> str:
    return " ".join(s.casefold().split())


# reply prefixes of mail and forum subjects (English, German "Aw", Scandinavian "Sv", Polish "Odp"), "Re[2]:"
_REPLY = re.compile(r"^\s*(?:re|aw|sv|odp)(?:\[\d+\])?\s*:\s*", re.I)


def _title_match(text: str, title_n: str | None) -> bool:
    if not title_n:
        return False
    t = _norm(text)
    if not t:
        return False
    if t == title_n or (len(t) >= 15 and (t in title_n or title_n in t)):
        return True
    # a heading with its permalink glyph ("Release notes#", "Installation¶") and the title without it
    bare = text.rstrip(_PERMALINK + "# ")
    return len(bare) < len(text.rstrip()) and _norm(bare) == title_n


def html_blocks(html: str, config: HtmlConfig | None = None) -> tuple[list[Block], list[Decision], Metadata]:
    """Visible blocks of an HTML page, one Decision per block (parallel lists), and page metadata.

    Raises ValueError for input that must be rejected (not a str, over the size/element caps,
    unparseable); returns ([], [], Metadata()) for empty or text-less pages."""
    config = config or HtmlConfig()
    tree, shareable = _parse(html)
    if tree is None:
        return [], [], Metadata()
    body = tree.find("body")
    raw, deep, pre_text = _walk(body if body is not None else tree)
    texts = [r[1] for r in raw]
    page = tree if shareable and not deep else html
    meta = _metadata(tree, raw, extract_date=page)
    extracted = _extract_main(page, config) if raw else ""
    cov = _coverage(texts, extracted)
    main = [c * 2 >= len(t) for c, t in zip(cov, texts)]
    raw = _layout_wrappers(raw, main)
    decisions = _decide(raw, main, meta)
    # matched and classified as walked above; shown as laid out (<pre>) and without the glyph of a
    # heading's permalink anchor ("Installation¶": Sphinx, MkDocs), which trafilatura's text still has
    if pre_text:
        texts = [pre_text.get(i, t) for i, t in enumerate(texts)]
    texts = [(t.rstrip(_PERMALINK + " ") or t) if t[-1] in _PERMALINK and r[0] in _HEADINGS else t
             for r, t in zip(raw, texts)]
    if not meta.authors or not meta.published:
        _byline_meta(meta, texts, decisions)
    blocks = [Block(t, i, i, r[0], m) for i, (r, t, m) in enumerate(zip(raw, texts, main), start=1)]
    return blocks, decisions, meta


def _related_lead(text: str, link_chars: int) -> bool:
    """A teaser inside the article: a related-block label and a colon, then mostly link text
    ("RELATED: <a>…</a>", "Lesen Sie auch: <a>…</a>"); the labels are the text dumps' related headers."""
    head, sep, rest = text.partition(":")
    if not sep or len(head) > 40 or link_chars * 2 < len(rest.strip()):
        return False
    return _norm_text(head) in RELATED_HEADERS


def _layout_wrappers(raw: list[tuple], main: list[bool]) -> list[tuple]:
    """Drop the boilerplate context of an element that holds half or more of the main content: its
    class names the page layout ("ast-right-sidebar" on <body>, "flex-wrap-footer" around the whole
    page), not a box of chrome, and as a context it labelled every block of the page with its reason,
    removed the short blocks of the article under a "share" class and kept rule:recovered_prose off."""
    total = 0
    under: dict[int, int] = {}
    for (_tag, text, _lc, ctx, _d), m in zip(raw, main):
        if m:
            total += len(text)
            if ctx is not None:
                under[id(ctx)] = under.get(id(ctx), 0) + len(text)
    wrappers = {k for k, c in under.items() if c * 2 >= total}
    if not wrappers:
        return raw
    return [(r[0], r[1], r[2], None, r[4]) if r[3] is not None and id(r[3]) in wrappers else r for r in raw]


def _byline_meta(meta: Metadata, texts: list[str], decisions: list[Decision]) -> None:
    """Authors and date from the page's first byline block ("By Jane Doe · posted 14 September 2003")
    when its <meta> tags and JSON-LD gave none: pages without metadata (older sites, forums) have them
    only in the text. Read as the text-dump path reads its byline line."""
    from .boilerplate import parse_authors, parse_datetime, person_names

    for t, d in zip(texts, decisions):
        if d.detail == "rule:by_line":
            s = " ".join(t.split())
            if not meta.authors:
                meta.authors = person_names(parse_authors(s), s)
            if not meta.published:
                meta.published = parse_datetime(s)
            if meta.authors and meta.published:
                return


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
    # ASCII lines: substring tests (C speed) rule out most lines before the case-insensitive regexes
    low = text.lower() if text.isascii() else None
    if n < 100 and (low is None or "(c)" in low or "copyright" in low) and _COPYRIGHT.search(text):
        return "footer", "rule:copyright"
    if n < 160 and not text.endswith(_END_CHARS):
        if low is not None:
            for w in _SHARE_INLINE_WORDS:  # (a loop: 3x cheaper than any() over a generator)
                if w in low:
                    break
            else:
                return None
        if _SHARE_INLINE.search(text):
            return "promo", "rule:promo_words"
    return None




def _recover(raw: list[tuple], main: list[bool]) -> list[bool]:
    """Blocks trafilatura dropped that sit next to its main content and read like prose:
    >= 100 characters, link density < 0.3, no boilerplate ancestor, a kept block within two
    blocks, and either sentence-final punctuation or a kept block on both sides."""
    if True not in main:
        return main
    nb = len(main)
    lo, hi = main.index(True), nb - 1 - main[::-1].index(True)
    out = list(main)
    for k, ((tag, text, link_chars, ctx, _d), m) in enumerate(zip(raw, main)):
        if m or ctx or tag in _HEADINGS or tag == "figcaption":
            continue
        n = len(text)
        if n < 100 or link_chars > 0.3 * n:
            continue
        if not any(main[j] for j in range(max(0, k - 2), min(nb, k + 3)) if j != k):
            continue
        if "©" in text:
            continue
        if lo < k < hi or text.endswith(_END_CHARS):
            out[k] = True
    return out


def _decide(raw: list[tuple], main: list[bool], meta: Metadata) -> list[Decision]:
    title_n = _norm(meta.title) if meta.title else None
    recovered = _recover(raw, main)
    decisions: list[Decision] = []
    title_done = False
    seen: dict[str, set[int]] = {}
    for r in raw:
        if r[3] is not None and r[3][1] in _REPEATED_CTX:
            seen.setdefault(r[3][1], set()).add(id(r[3]))
    strong = _STRONG_CTX | {k for k, v in seen.items() if len(v) >= 2} if seen else _STRONG_CTX
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
        if title_n and n < 300 and (rp := _REPLY.match(text)) and _title_match(text[rp.end():], title_n):
            # "Re: <the thread's title>" over each reply of a forum thread or mail archive
            decisions.append(Decision("not_main_content", "rule:reply_subject"))
            continue
        if not m and not rm and ctx:  # dropped under a boilerplate ancestor: the common case
            decisions.append(Decision(ctx[0], ctx[1]))
            continue
        lr = _line_reason(tag, text, link_chars) if n < 200 else None
        if m:
            if lr:
                decisions.append(Decision(*lr))
                continue
            if n < 60 and (r := ui_label(text)) is not None:  # a widget's label: "Click to enlarge"
                decisions.append(Decision(r, "rule:ui_label"))
                continue
            if n <= 400 and _STRONG_PROMO.search(text):  # as in text dumps: disclosures, paywall notices
                decisions.append(Decision("promo", "rule:promo_disclosure"))
                continue
            if link_chars and _related_lead(text, link_chars):
                decisions.append(Decision("related", "rule:related_header"))
                continue
            if ctx and ctx[1] in strong and (n < 100 or ld > 0.5):
                decisions.append(Decision(ctx[0], ctx[1]))
                continue
            if n < 60 and _BYLINE.match(text) and not text.endswith(_END_CHARS):
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
