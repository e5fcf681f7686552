"""Tests of the HTML path (corpusclean.html). Fixtures are small pages written for these tests."""

from __future__ import annotations

import time

import pytest

from corpusclean import html as H
from corpusclean.config import HtmlConfig
from corpusclean.html import html_blocks
from corpusclean.records import KEEP_KINDS, REASONS, TooComplex

PARAS = [
    "The river authority said on Tuesday that water levels had fallen for the third week in a row, "
    "leaving several ferry crossings closed and farmers along the valley worried about the harvest.",
    "Engineers have been measuring the flow at four stations since the spring, and their figures show "
    "the lowest readings since records began more than eighty years ago, according to the report.",
    "Local officials asked residents to limit their use of garden hoses and to report leaking pipes, "
    "while the regional government promised an emergency fund for the worst affected villages.",
    "A spokesperson for the farmers' union said the measures came too late for many growers, who had "
    "already lost most of their early crops to the heat and the lack of rain during the summer months.",
]

ARTICLE = f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>River levels fall to a record low | Valley Courier</title>
<meta property="og:title" content="River levels fall to a record low">
<meta property="og:type" content="article">
<meta property="og:site_name" content="Valley Courier">
<meta name="author" content="Jane Example">
<meta property="article:published_time" content="2021-08-14T09:30:00+00:00">
<link rel="canonical" href="https://news.example.org/2021/08/river-levels">
<style>.x {{ color: red }} STYLETEXT</style>
<script>var SCRIPTTEXT = 1;</script>
</head><body>
<nav class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li></ul></nav>
<div class="content">
<article>
<h1>River levels fall to a record low</h1>
<p class="byline">By Jane Example</p>
<figure><img src="river.jpg" alt="a dry river"><figcaption>The riverbed near the old mill in August.</figcaption></figure>
<p>{PARAS[0]}</p>
<p>{PARAS[1]}</p>
<h2>Emergency measures for the valley</h2>
<p>{PARAS[2]}</p>
<p>{PARAS[3]}</p>
<div hidden>HIDDENTEXT should never be a block</div>
<p style="display: none">INLINEHIDDEN text</p>
<noscript>NOSCRIPTTEXT</noscript>
<div class="share-tools"><a href="#">Share</a> <a href="#">Tweet</a></div>
</article>
<aside class="related-stories"><h3>Related</h3><ul>
<li><a href="/a">Ferry services suspended along the upper valley</a></li>
<li><a href="/b">Farmers count the cost of the hottest summer on record</a></li></ul></aside>
</div>
<footer><p>© 2021 Valley Courier. All rights reserved.</p><p><a href="/privacy">Privacy</a></p></footer>
</body></html>
"""


def _by_text(blocks, decisions):
    return {b.text: d for b, d in zip(blocks, decisions)}


@pytest.fixture(scope="module")
def article():
    return html_blocks(ARTICLE, HtmlConfig())


def test_main_paragraphs_kept(article):
    blocks, decisions, _ = article
    d = _by_text(blocks, decisions)
    for p in PARAS:
        assert d[p].keep and d[p].label == "paragraph", (p, d[p])
    kept = [b.text for b, x in zip(blocks, decisions) if x.keep]
    # in document order, article paragraphs only (+ the sub-heading)
    assert [t for t in kept if t in PARAS] == PARAS
    assert set(kept) <= set(PARAS) | {"Emergency measures for the valley"}


def test_subheading_kept_as_heading(article):
    blocks, decisions, _ = article
    d = _by_text(blocks, decisions)
    assert d["Emergency measures for the valley"].label == "heading"


def test_boilerplate_removed_with_reasons(article):
    blocks, decisions, _ = article
    d = _by_text(blocks, decisions)
    assert d["River levels fall to a record low"].label == "title"
    assert d["The riverbed near the old mill in August."].label == "caption"
    assert d["By Jane Example"].label == "byline"
    assert d["Home"].label == "nav" and d["Home"].detail == "tag:nav"
    assert d["Share Tweet"].label == "promo"
    assert d["Ferry services suspended along the upper valley"].label == "related"
    assert d["© 2021 Valley Courier. All rights reserved."].label == "footer"
    assert d["Privacy"].label == "footer"
    for x in decisions:
        assert x.label in KEEP_KINDS or x.label in REASONS
        assert x.detail


def test_lineage_every_visible_block_once(article):
    blocks, decisions, _ = article
    assert len(blocks) == len(decisions) > 0
    assert [b.raw_start for b in blocks] == list(range(1, len(blocks) + 1))
    assert all(b.raw_start == b.raw_end for b in blocks)
    # the words of the blocks are exactly the visible words of the page, in order
    from lxml import html as lh

    tree = lh.fromstring(ARTICLE)
    for bad in tree.xpath("//script|//style|//noscript|//head|//*[@hidden]|//*[contains(@style,'none')]"):
        bad.drop_tree()
    visible = "".join(tree.find("body").text_content().split())
    assert "".join("".join(b.text for b in blocks).split()) == visible
    # main flag follows the extractor
    for b in blocks:
        if b.text in PARAS:
            assert b.main


def test_hidden_and_script_text_not_counted(article):
    blocks, _, _ = article
    alltext = " ".join(b.text for b in blocks)
    for marker in ("SCRIPTTEXT", "STYLETEXT", "HIDDENTEXT", "INLINEHIDDEN", "NOSCRIPTTEXT", "Valley Courier</title>"):
        assert marker not in alltext


def test_metadata(article):
    _, _, meta = article
    assert meta.title == "River levels fall to a record low"
    assert meta.authors == ["Jane Example"]
    assert meta.published == "2021-08-14T09:30:00"
    assert meta.url == "https://news.example.org/2021/08/river-levels"
    assert meta.site == "Valley Courier"
    assert meta.kind == "news"


def test_metadata_fallbacks_json_ld_and_title_tag():
    page = """<html><head><title>Quiet streets - Town Paper</title>
    <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
      {"@type": "NewsArticle", "datePublished": "2020-02-03", "author": [{"@type": "Person", "name": "Ann One"},
       {"@type": "Person", "name": "Bo Two"}]}]}</script></head>
    <body><p>Short page.</p></body></html>"""
    _, _, meta = html_blocks(page, HtmlConfig())
    assert meta.title == "Quiet streets"
    assert meta.authors == ["Ann One", "Bo Two"]
    assert meta.published == "2020-02-03"
    assert meta.kind == "news"


def test_page_without_article_signals_is_other():
    _, _, meta = html_blocks("<html><head><title>Index</title></head><body><p>Welcome</p></body></html>", HtmlConfig())
    assert meta.kind == "other" and meta.published is None


_DATED = ('<meta property="article:published_time" content="2024-01-17T10:00:00Z">'
          '<link rel="canonical" href="https://example.org{path}">{extra}')


def _kind(extra: str = "", path: str = "/2024/01/a-page") -> tuple[str, str | None]:
    page = (f"<html><head><title>A page</title>{_DATED.format(path=path, extra=extra)}</head>"
            "<body><p>Some text of the page, written as a few plain sentences of prose.</p></body></html>")
    _, _, meta = html_blocks(page, HtmlConfig())
    return meta.kind, meta.published


@pytest.mark.parametrize("extra, path", [
    ('<meta name="generator" content="mkdocs-1.5.3, mkdocs-material-9.4.14">', "/en/latest/guide/retries/"),
    ('<script type="application/ld+json">{"@type": "TechArticle", "headline": "Retries"}</script>', "/2024/01/a"),
    ('<script type="application/ld+json">{"@type": ["QAPage"], "name": "How?"}</script>', "/2024/01/a"),
    ('<meta name="citation_title" content="A paper">', "/abs/2403.05512"),
    ('<meta property="og:type" content="product">', "/2024/01/a"),
    ("", "/viewtopic.php"),
    ("", "/forum/bikes/ghost-shifting"),
])
def test_a_dated_page_of_another_kind_is_other(extra, path):
    # docs, Q&A, papers, products and forum threads carry dates too: a date alone does not make news
    kind, published = _kind(extra, path)
    assert published is not None and kind == "other"


_LD = '<script type="application/ld+json">{}</script>'


@pytest.mark.parametrize("extra, path", [
    ("", "/2024/01/a-page"),
    ('<meta property="og:type" content="article">', "/forum/letters-to-the-editor"),  # an article's own type wins
    (_LD.format('{"@type": "NewsArticle", "headline": "A"}') + '<meta property="og:type" content="website">',
     "/2024/01/a"),
    # a product box or a review's object beside the article; a list-typed article after it
    ('<meta property="og:type" content="article">' + _LD.format('{"@type": "Product", "name": "P"}'), "/2024/01/a"),
    (_LD.format('[{"@type": "Product", "name": "P"}, {"@type": ["NewsArticle"], "headline": "A"}]'), "/2024/01/a"),
    ('<meta name="generator" content="Docusaurus v3.5.2">' + _LD.format('{"@type": "BlogPosting"}'), "/blog/a"),
    ('<meta property="og:type" content="blog">', "/2024/01/a"),
    ("", "/business/api/2024/01/17/a"),  # a docs/forum word deeper in a news path says nothing
    ("", "/opinion/forum/2024/a"),
])
def test_a_dated_article_is_news(extra, path):
    assert _kind(extra, path) == ("news", "2024-01-17T10:00:00")


def test_block_text_and_segmentation():
    page = """<html><body><div>Intro   text <b>bold</b>part<br>after break
    <p>Inner   <i>para</i>graph</p>tail of div</div>
    <table><tr><td>a1</td><td>b1</td></tr><tr><th>a2</th><td> b2 </td></tr></table>
    <ul><li>one</li><li>two <span>more</span></li></ul></body></html>"""
    blocks, decisions, _ = html_blocks(page, HtmlConfig())
    assert [(b.tag, b.text) for b in blocks] == [
        ("div", "Intro text boldpart after break"),
        ("p", "Inner paragraph"),
        ("div", "tail of div"),
        ("tr", "a1\tb1"),  # a row's cells set apart by tabs
        ("tr", "a2\tb2"),
        ("li", "one"),
        ("li", "two more"),
    ]
    assert len(decisions) == len(blocks)


def test_two_line_breaks_and_blank_lines_in_pre_end_a_block():
    page = """<html><body><div><b>Headline</b><br><br>First para, line one<br>line two<br> <br>
    Second para<br><br><br>Third para</div>
    <pre>code one
    code two

    after a blank line</pre></body></html>"""
    blocks, decisions, _ = html_blocks(page, HtmlConfig())
    assert [(b.tag, b.text) for b in blocks] == [
        ("div", "Headline"),
        ("div", "First para, line one line two"),  # one <br> stays a space
        ("div", "Second para"),
        ("div", "Third para"),
        ("pre", "code one\n    code two"),  # a <pre> keeps its lines and their indentation
        ("pre", "after a blank line"),
    ]
    assert [b.raw_start for b in blocks] == list(range(1, 7)) and len(decisions) == len(blocks)
    # a single <br> after a nested block is still a space; a cell's row stays one block
    page = "<html><body><div>Intro<br><h3>Title</h3><b>Posted by</b> <br>bob on Monday</div>" \
           "<table><tr><td>a<br><br>b</td><td>c</td></tr></table></body></html>"
    assert [b.text for b in html_blocks(page, HtmlConfig())[0]] == ["Intro", "Title", "Posted by bob on Monday", "a b\tc"]  # a row's cells set apart


def test_link_text_of_a_pre_is_counted_in_the_paragraph_that_holds_it():
    root = H.lxml.html.fromstring('<html><body><pre>home <a href="/">link one</a> <a href="/">link two</a>'
                                  '\n\nA long paragraph of prose with no links in it at all.</pre></body></html>')
    assert [(t, n) for _, t, n, _, _ in H._walk(root)[0]] == [
        ("home link one link two", 16), ("A long paragraph of prose with no links in it at all.", 0)]


def test_kept_list_items_are_list_items():
    items = "".join(f"<li>{p}</li>" for p in PARAS)
    page = f"<html><head><title>Notes</title></head><body><article><p>{PARAS[0]}</p><ul>{items}</ul></article></body></html>"
    blocks, decisions, _ = html_blocks(page, HtmlConfig())
    labels = {d.label for b, d in zip(blocks, decisions) if b.tag == "li" and d.keep}
    assert labels == {"list_item"}


def test_recovers_prose_next_to_main_content(monkeypatch):
    """A long, link-poor paragraph the extractor dropped next to kept ones comes back."""
    blocks_page = f"<html><body><article><p>{PARAS[0]}</p><div>{PARAS[1]}</div><p>{PARAS[2]}</p></article></body></html>"
    monkeypatch.setattr(H, "_extract_main", lambda tree, config: PARAS[0] + "\n" + PARAS[2])
    blocks, decisions, _ = html_blocks(blocks_page, HtmlConfig())
    d = _by_text(blocks, decisions)
    assert not blocks[1].main
    assert d[PARAS[1]].keep and d[PARAS[1]].detail == "rule:recovered_prose"


def test_share_line_removed_even_if_extractor_kept_it(monkeypatch):
    page = f"<html><body><article><p>{PARAS[0]}</p><p>Share on Facebook</p><p>{PARAS[1]}</p></article></body></html>"
    monkeypatch.setattr(H, "_extract_main", lambda tree, config: "\n".join([PARAS[0], "Share on Facebook", PARAS[1]]))
    blocks, decisions, _ = html_blocks(page, HtmlConfig())
    d = _by_text(blocks, decisions)
    assert d["Share on Facebook"].label == "promo" and d["Share on Facebook"].detail == "rule:share_words"
    assert d[PARAS[0]].keep and d[PARAS[1]].keep


def test_coverage_maps_extractor_lines_to_blocks():
    texts = ["alpha beta gamma", "delta epsilon", "zeta eta theta iota"]
    cov = H._coverage(texts, "- alpha beta gamma\n| zeta | eta theta iota |")
    assert cov[0] == len(texts[0]) and cov[1] == 0 and cov[2] == len(texts[2])


@pytest.mark.parametrize("junk", ["", "   \n ", "\x00\x01\x02 binary \ufffd junk", "just some text, no tags",
                                  "<<<>>><</\\>>", "<html><body></body></html>", "<p>"])
def test_garbage_input_never_raises(junk):
    blocks, decisions, meta = html_blocks(junk, HtmlConfig())
    assert len(blocks) == len(decisions)


def test_not_a_string_is_a_clear_value_error():
    with pytest.raises(ValueError, match="decoded str"):
        html_blocks(b"<html></html>", HtmlConfig())  # type: ignore[arg-type]


def test_deep_but_parseable_nesting_keeps_text():
    page = "<html><body>" + "<div>" * 1000 + "deep text" + "</div>" * 1000 + "<p>after</p></body></html>"
    blocks, decisions, _ = html_blocks(page, HtmlConfig())
    assert [b.text for b in blocks] == ["deep text", "after"]
    assert len(decisions) == 2


def test_too_deep_nesting_is_too_complex_and_fails_fast():
    """libxml2 silently drops content nested deeper than its limit: reject instead of losing it."""
    page = "<html><body>" + "<div>" * 20_000 + "deep text" + "</div>" * 20_000 + "</body></html>"
    t0 = time.perf_counter()
    with pytest.raises(TooComplex, match="nested"):
        html_blocks(page, HtmlConfig())
    assert time.perf_counter() - t0 < 10


def test_element_cap_is_too_complex(monkeypatch):
    monkeypatch.setattr(H, "MAX_ELEMENTS", 500)
    page = "<html><body>" + "<p>x</p>" * 1000 + "</body></html>"
    with pytest.raises(TooComplex, match="elements"):
        html_blocks(page, HtmlConfig())


def test_one_huge_text_node_is_kept():
    page = "<html><body><p>" + "word " * 2_200_000 + "</p></body></html>"  # > libxml2's 10 MB text cap
    blocks, decisions, _ = html_blocks(page, HtmlConfig())
    assert len(blocks) == 1 and len(blocks[0].text) == len("word " * 2_200_000) - 1
    assert len(decisions) == 1


def test_size_cap_raises_too_large(monkeypatch):
    from corpusclean.records import TooLarge

    monkeypatch.setattr(H, "MAX_HTML_CHARS", 1000)
    with pytest.raises(TooLarge, match="too large"):  # a `too_large` reject, not a processing_error
        html_blocks("<html><body>" + "a" * 2000 + "</body></html>", HtmlConfig())


def test_date_from_page_text_via_htmldate_when_no_meta_date():
    page = f"""<html><head><title>Harvest report</title></head><body><article>
    <p class="date">Published March 4, 2019</p><p>{PARAS[0]}</p><p>{PARAS[1]}</p></article></body></html>"""
    _, _, meta = html_blocks(page, HtmlConfig())
    assert meta.published == "2019-03-04"
    assert meta.kind == "news"


def test_aria_hidden_and_case_insensitive_hidden_style_are_not_blocks():
    page = """<html><body><p>visible one</p><div aria-hidden="true">ARIAHIDDEN</div>
    <div aria-hidden="false">aria shown</div><span style="VISIBILITY: Hidden">STYLEHIDDEN</span>
    <DIV>upper case tag</DIV></body></html>"""
    blocks, _, _ = html_blocks(page, HtmlConfig())
    assert [(b.tag, b.text) for b in blocks] == [("p", "visible one"), ("div", "aria shown"), ("div", "upper case tag")]


@pytest.mark.parametrize("page", [
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n"
    "<html><body><p>x</p></body></html>",
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\" \"http://x/y.dtd\"><html><body>no newline</body></html>",
    "<!doctype html>\n<html><body>plain</body></html>",
    "\x00\x01<html>\n<p>control \x0b chars \ufffe</p></html>",
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" />\n<body>self-closed html</body>",
])
def test_repair_matches_trafilatura(page):
    """We parse once for trafilatura too, so the page must be repaired exactly as its load_html does."""
    from trafilatura.utils import repair_faulty_html

    fixed, data = H._repair(page, page.encode("utf-8"), page[:50].lower())
    assert fixed == repair_faulty_html(page, page[:50].lower())
    assert data == fixed.encode("utf-8")


COMMENTED = ARTICLE.replace("</article>", f"""</article><section id="comments" class="comments">
<div class="comment"><p>{PARAS[3]}</p></div><div class="comment"><p>{PARAS[1]}</p></div></section>""")


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("comments", [False, True])
@pytest.mark.parametrize("page", [ARTICLE, COMMENTED])
def test_shared_tree_gives_trafilatura_its_own_result(fast, comments, page):
    """trafilatura on our parsed tree (without bare_extraction's copy) extracts what it extracts
    from the page source; a trafilatura upgrade that breaks this fails here."""
    import trafilatura

    cfg = HtmlConfig(fast=fast, include_comments=comments)
    tree, shareable = H._parse(page)
    assert shareable and H._plain_options(H._extractor(cfg))
    doc = trafilatura.bare_extraction(H._parse(page)[0], options=H._extractor(cfg))
    expected = doc.text + ("\n" + doc.comments if comments and doc.comments else "")
    assert H._extract_main(tree, cfg) == H._extract_main(page, cfg) == expected != ""
    assert H._extractor(cfg) is H._extractor(HtmlConfig(fast=fast, include_comments=comments))  # built once


def test_fragments_and_deep_trees_go_to_trafilatura_as_source(monkeypatch):
    """Where trafilatura's own parse would differ (a fragment; nesting beyond its 255 levels) it
    gets the page source, as before."""
    seen = []
    monkeypatch.setattr(H, "_extract_main", lambda page, config: seen.append(type(page)) or "")
    html_blocks(f"<html><body><p>{PARAS[0]}</p></body></html>", HtmlConfig())
    html_blocks(f"<div><p>{PARAS[0]}</p></div>", HtmlConfig())
    html_blocks("<html><body>" + "<div>" * 300 + "deep" + "</div>" * 300 + "</body></html>", HtmlConfig())
    assert seen[0] is not str and seen[1:] == [str, str]


def test_a_page_laid_out_in_a_table_row_is_split_into_its_cells_and_paragraphs():
    body = ("The mill was built in 1816 by a millwright for a local farmer and ground corn for the village "
            "until 1931, when the last miller retired and the sails were taken down.")
    page = ("<html><body><table><tr><td><a href='/'>Home</a><br><a href='/m'>Mills</a></td>"
            f"<td><b>The Old Mill</b><br><br>{body}<br><br>Volunteers restored it in 1990.</td>"
            "<td>Text © 2004 Mill Society</td></tr></table>"
            "<table><tr><td>Built</td><td>1816</td></tr><tr><td>Restored</td><td>1990</td></tr></table></body></html>")
    blocks, decisions, _ = html_blocks(page, HtmlConfig())
    assert [(b.tag, b.text) for b in blocks] == [
        ("td", "Home Mills"), ("td", "The Old Mill"), ("td", body), ("td", "Volunteers restored it in 1990."),
        ("td", "Text © 2004 Mill Society"), ("tr", "Built\t1816"), ("tr", "Restored\t1990")]
    assert len(decisions) == len(blocks)


def test_a_solar_hijri_published_time_is_stored_as_its_gregorian_date():
    # Iranian sites put Solar Hijri dates in their <meta> too; a lunar Hijri year is no date
    assert H._iso("1402-08-24T10:30:00+03:30") == "2023-11-15T07:00:00" and H._iso("1402-08-24") == "2023-11-15"
    assert H._iso("1402-07-31") is None and H._iso("1445-05-10") is None
    assert H._iso("2566-11-15T10:30:00") == "2023-11-15T10:30:00"  # Thai Buddhist Era
    page = ('<html><head><meta property="article:published_time" content="1403-02-24T09:15:00"></head><body>'
            "<article><h1>Bridge opens</h1><p>" + "The new bridge over the river opened on Tuesday evening. " * 3
            + "</p></article></body></html>")
    assert html_blocks(page, HtmlConfig())[2].published == "2024-05-13T09:15:00"


def test_a_published_time_with_an_offset_is_stored_in_utc():
    assert H._iso("2024-03-05T19:00:00+04:00") == "2024-03-05T15:00:00"
    assert H._iso("2024-03-05T01:30:00-05:00") == "2024-03-05T06:30:00"
    assert H._iso("2024-03-05T19:00:00Z") == "2024-03-05T19:00:00" and H._iso("2024-03-05") == "2024-03-05"
    page = ('<html><body><article><h1>Bridge opens</h1><time datetime="2024-03-05T19:00:00+03:00">5 March</time>'
            "<p>" + "The new bridge over the river opened to walkers and cyclists on Tuesday evening. " * 3 + "</p>"
            "</article></body></html>")
    assert html_blocks(page, HtmlConfig())[2].published == "2024-03-05T16:00:00"


def _page(body_attrs: str, inner_box: str) -> str:
    paras = "\n".join(f"<p>{p}</p>" for p in PARAS)
    return (f'<!DOCTYPE html><html lang="en"><head><title>River levels</title></head><body {body_attrs}>'
            '<nav><a href="/">Home</a> <a href="/world">World</a></nav>'
            f'<div class="site-content"><article><h1>River levels fall</h1><h2>The harvest</h2>{paras}'
            f'{inner_box}</article></div></body></html>')


def test_a_layout_class_on_the_page_wrapper_neither_hides_inner_boxes_nor_labels_the_article():
    box = ('<div class="newsletter-box"><h3>Never miss a story</h3>'
           '<p>Sign up for our weekly newsletter and get the best stories in your inbox.</p></div>')
    plain = {b.text: d for b, d in zip(*html_blocks(_page("", box))[:2])}
    for attrs in ('class="theme-right-sidebar"', 'class="sticky-share-bar"'):
        got = {b.text: d for b, d in zip(*html_blocks(_page(attrs, box))[:2])}
        # the short heading of the article stays (a "share" class on <body> removed every short block)
        assert got["The harvest"].label in KEEP_KINDS, attrs
        # the box inside is found by its own class, as on the page without the wrapper class
        assert got["Never miss a story"] == plain["Never miss a story"]
        assert got["Never miss a story"].detail == "class:newsletter"
        assert all(d.detail not in ("class:sidebar", "class:share") for d in got.values())


def test_code_keeps_its_lines_and_indentation_and_headings_lose_their_permalink_glyph():
    code = 'def f(x):\n    if x:\n        return 1<br>    return 0'
    page = (f'<html><head><title>Docs</title></head><body><article><h2>Retry policies<a class="headerlink" '
            f'href="#retry">¶</a></h2><p>{PARAS[0]}</p><pre><code><span class="k">{code}</span></code></pre>'
            f'<p>{PARAS[1]}</p></article></body></html>')
    blocks, decisions, _ = html_blocks(page)
    texts = [b.text for b in blocks]
    assert "Retry policies" in texts
    assert "def f(x):\n    if x:\n        return 1\n    return 0" in texts
    # matched and kept like any other block of the article
    assert all(d.keep for d in decisions)


@pytest.mark.parametrize("author,site,authors", [
    ("Ana Lind, Staff Writer", "", ["Ana Lind"]),  # a job title after the comma
    ("ANA LIND, BO KIM, Harbour Press", "", ["ANA LIND", "BO KIM"]),  # an outlet
    ("Ana Lind, MS, RDN", "", ["Ana Lind"]),  # credentials
    ("Ana Lind, Lakeview Daily", "Lakeview Daily", ["Ana Lind"]),  # the site itself
    ("Ana Lind, Bo Kim", "", ["Ana Lind", "Bo Kim"]),
    ("Gazette Staff", "", ["Gazette Staff"]),  # a page credited only to its newsroom keeps it
    ("Ana Lind (@analind)", "", ["Ana Lind"]),  # contacts beside the name
    ("Ana Lind ana.lind@example.com", "", ["Ana Lind"]),
    ("@Lakeview.org", "", []),  # a handle alone names no one
])
def test_a_meta_author_list_keeps_the_people(author, site, authors):
    head = f'<meta name="author" content="{author}">' + (f'<meta property="og:site_name" content="{site}">' if site else "")
    page = f"<html><head>{head}</head><body><p>{PARAS[0]}</p></body></html>"
    assert html_blocks(page)[2].authors == authors


def test_title_from_the_title_element_drops_only_the_site_part():
    def title(t: str) -> str | None:
        return html_blocks(f"<html><head><title>{t}</title></head><body><p>{PARAS[0]}</p></body></html>")[2].title

    assert title("Restoring a scooter - Part 3: The engine - Garage Blog") == "Restoring a scooter - Part 3: The engine"
    assert title("Review: a camera – the best all-rounder | Camera Blog") == "Review: a camera – the best all-rounder"
    assert title("Valley Courier | River levels fall to a record low") == "River levels fall to a record low"
    assert title("River levels fall to a record low") == "River levels fall to a record low"
    assert title("Harbour cranes return to work | News | Lake Gazette") == "Harbour cranes return to work"


def test_authors_from_repeated_meta_tags_and_a_longer_json_ld_list_and_slashed_dates():
    def meta(head: str):
        return html_blocks(f"<html><head>{head}</head><body><article><p>{PARAS[0]}</p></article></body></html>")[2]

    m = meta('<meta name="citation_author" content="Doe, Jane"><meta name="citation_author" content="Roe, Richard">'
             '<meta name="citation_date" content="2024/03/08">')
    assert m.authors == ["Jane Doe", "Richard Roe"] and m.published == "2024-03-08"
    ld = '{"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Ann Lee"}, {"name": "Bo Park"}]}'
    m = meta(f'<meta name="parsely-author" content="Ann Lee"><script type="application/ld+json">{ld}</script>')
    assert m.authors == ["Ann Lee", "Bo Park"]


def test_a_page_without_metadata_takes_authors_and_date_from_its_byline_block():
    page = (f"<html><head><title>Old page</title></head><body><div><h1>Restoring an engine</h1>"
            f"<p>By Jane Doe · posted 14 September 2003</p><p>{PARAS[0]}</p><p>{PARAS[1]}</p></div></body></html>")
    blocks, decisions, meta = html_blocks(page)
    assert meta.authors == ["Jane Doe"] and meta.published == "2003-09-14"
    # metadata on the page wins over the byline text
    page = page.replace("<head>", '<head><meta name="author" content="Ann Lee">')
    assert html_blocks(page)[2].authors == ["Ann Lee"]


def test_disclosures_related_leads_and_custom_elements_inside_the_article():
    page = (f'<html><head><title>T</title></head><body><article><h1>Spring recipes</h1>'
            f'<p><em>This post contains affiliate links, which means we may earn a commission.</em></p>'
            f'<p>{PARAS[0]}</p><p><strong>RELATED:</strong> <a href="/x">Ten quick soups for cold evenings</a></p>'
            f'<p>{PARAS[1]}</p><p>Lesen Sie auch: <a href="/y">Die besten Suppen des Winters im Test</a></p>'
            f'<p>{PARAS[2]}</p><related-products><h2>Customers also bought</h2><ul><li>Blue pot, large</li>'
            f'<li>Wooden spoon set</li></ul></related-products><p>{PARAS[3]}</p></article></body></html>')
    got = {b.text: d for b, d in zip(*html_blocks(page)[:2])}
    assert got["This post contains affiliate links, which means we may earn a commission."].label == "promo"
    assert got["RELATED: Ten quick soups for cold evenings"].label == "related"
    assert got["Lesen Sie auch: Die besten Suppen des Winters im Test"].label == "related"
    assert not got["Customers also bought"].keep and not got["Wooden spoon set"].keep
    assert all(got[p].keep for p in PARAS)


def test_a_forum_posters_profile_box_is_not_kept_with_the_post():
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    page = ("<html><head><title>Chain skips</title></head><body><article class='post'><h3>Re: Chain skips</h3>"
            f"<div class='content'>{paras}</div><dl class='postprofile'><dt><a href='/u/1'>rider</a></dt>"
            "<dd>Posts: 214</dd><dd>Joined: Sat Apr 18, 2020 3:02 pm</dd></dl></article></body></html>")
    got = {b.text: d for b, d in zip(*html_blocks(page)[:2])}
    assert all(got[p].keep for p in PARAS)
    assert not got["Posts: 214"].keep and not got["Joined: Sat Apr 18, 2020 3:02 pm"].keep


def test_signatures_repeated_under_forum_posts_go_a_single_signature_box_stays():
    sig1, sig2 = "Ride more, worry less.", "Two bikes, one garage, no regrets."
    posts = "".join(f"<div class='postbody'><div class='content'>{p}</div><div class='signature'>{s}</div></div>"
                    for p, s in zip(PARAS, (sig1, sig2, sig1, sig2)))  # trafilatura keeps these signatures
    page = f"<html><head><title>Chain skips</title></head><body><div class='topic'>{posts}</div></body></html>"
    got = {b.text: d for b, d in zip(*html_blocks(page)[:2])}
    assert all(got[p].keep for p in PARAS)
    assert not got[sig1].keep and not got[sig2].keep and got[sig1].detail == "class:signature"
    # one such box on a page (news sites name their author box so) is left to the other rules
    one = (f"<html><head><title>T</title></head><body><article><p>{PARAS[0]}</p><p>{PARAS[1]}</p>"
           f"<div class='signature'>{PARAS[2]}</div></article></body></html>")
    got = {b.text: d for b, d in zip(*html_blocks(one)[:2])}
    assert got[PARAS[2]].keep


def test_reply_subjects_repeating_the_threads_title_are_removed():
    title = "Rear derailleur ghost shifting after a new chain"
    posts = "".join(f"<div class='postbody'><h3>{h}</h3><div class='content'>{p}</div></div>"
                    for h, p in zip((title, f"Re: {title}", f"RE: {title}", "Re: tubeless tyres in winter"), PARAS))
    page = f"<html><head><title>{title}</title></head><body><div class='topic'>{posts}</div></body></html>"
    got = {b.text: d for b, d in zip(*html_blocks(page)[:2])}
    assert got[title].keep and all(got[p].keep for p in PARAS)
    assert got[f"Re: {title}"].detail == got[f"RE: {title}"].detail == "rule:reply_subject"
    assert got["Re: tubeless tyres in winter"].detail != "rule:reply_subject"  # another subject: not the title


def test_inline_custom_elements_stay_inside_their_sentence_and_pre_blocks_hold_no_blank_line():
    page = (f"<html><head><title>T</title></head><body><article><p>{PARAS[0]}</p><p>The value "
            f"<mjx-container>x+1</mjx-container> is positive, as the engineers noted on "
            f"<relative-time datetime='2024-01-01'>Monday</relative-time> in their report.</p>"
            f"<pre>line one<br><br>line two</pre><p>{PARAS[1]}</p></article></body></html>")
    texts = [b.text for b in html_blocks(page)[0]]
    assert "The value x+1 is positive, as the engineers noted on Monday in their report." in texts
    assert all("\n\n" not in t for t in texts) and "line one\nline two" in texts


def test_an_unrelated_json_ld_object_does_not_replace_the_pages_author():
    ld = '{"@type": "Book", "author": [{"name": "Ann Other"}, {"name": "Bo Second"}]}'
    page = (f'<html><head><meta name="author" content="Ann Lee"><script type="application/ld+json">{ld}</script>'
            f'</head><body><article><p>{PARAS[0]}</p></article></body></html>')
    assert html_blocks(page)[2].authors == ["Ann Lee"]


def test_the_title_is_the_part_of_the_title_tag_that_the_h1_repeats():
    body = "<p>This release adds a new solver for sparse grids and fixes several bugs in the tiling code.</p>"
    page = ("<html><head><title>Release notes — Tessellate 4.2.0 documentation</title></head><body><main>"
            '<h1>Release notes<a class="headerlink" href="#r">#</a></h1>' + body + "</main></body></html>")
    blocks, decisions, meta = html_blocks(page)
    assert meta.title == "Release notes"
    # and its <h1> (with the glyph) is the title's block, not a kept heading
    assert [d.label for b, d in zip(blocks, decisions) if b.text.startswith("Release notes")] == ["title"]
    # a logo's <h1> (a link in the header, or the site's name) is not the headline
    logo = ('<html><head><title>Council approves river walk | Lake Gazette</title></head><body><header><h1>'
            '<a href="/">Lake Gazette</a></h1></header>' + body + "</body></html>")
    assert html_blocks(logo)[2].title == "Council approves river walk"
    named = logo.replace("<header><h1><a href=\"/\">Lake Gazette</a></h1></header>", "<h1>Lake Gazette</h1>").replace(
        "</title>", '</title><meta property="og:site_name" content="Lake Gazette">')
    assert html_blocks(named)[2].title == "Council approves river walk"


def test_a_widgets_label_that_trafilatura_kept_is_removed():
    page = (f"<html><body><article><h1>Harbour cranes return</h1><p>{PARAS[0]}</p><p>Listen to this article</p>"
            f"<p>{PARAS[1]}</p><p>Comments (12)</p><p>{PARAS[2]}</p></article></body></html>")
    by = _by_text(*html_blocks(page)[:2])
    assert (by["Listen to this article"].label, by["Listen to this article"].detail) == ("nav", "rule:ui_label")
    assert by["Comments (12)"].detail == "rule:ui_label" and all(by[p].keep for p in PARAS[:3])
