"""Wikipedia HTML articles: detection, block labels, markers, COinS citations, robustness.

The fixture is an invented article written in MediaWiki's classic rendered markup."""

from corpusclean.wikipedia_html import analyse_html, is_wikipedia_html

COINS = ("ctx_ver=Z39.88-2004&amp;rft.atitle=Otters+of+the+Quiet+Lake&amp;rft.jtitle=Lake+Weekly"
         "&amp;rft.date=2015-03-04&amp;rft.aulast=Brook&amp;rft.aufirst=Anna&amp;rft.au=Brook%2C+Anna"
         "&amp;rft.au=Stone%2C+Ben&amp;rft_id=info%3Adoi%2F10.1234%2Fabc.5")
COINS_BOOK = ("ctx_ver=Z39.88-2004&amp;rft.btitle=A+Field+Guide+to+Small+Lakes&amp;rft.pub=Reedbank+Books"
              "&amp;rft.date=2001&amp;rft.isbn=978-0-00-000000-2&amp;rft.au=Fen%2C+Carl")

PAGE = f"""<!DOCTYPE html><html><head><title>Quiet Lake - Wikipedia</title>
<meta name="generator" content="MediaWiki 1.35.0-wmf.1">
<link rel="canonical" href="https://en.wikipedia.org/wiki/Quiet_Lake"></head>
<body><div id="mw-page-base"></div>
<div id="content" class="mw-body"><h1 id="firstHeading" class="firstHeading">Quiet Lake</h1>
<div id="bodyContent" class="mw-body-content"><div id="siteSub">From Wikipedia, the free encyclopedia</div>
<div id="mw-content-text"><div class="mw-parser-output">
<div role="note" class="hatnote navigation-not-searchable">For the song, see Quiet Lake (song).</div>
<table class="infobox geography vcard"><tr><th>Area</th><td>12 km2</td></tr></table>
<p><b>Quiet Lake</b> is a small lake known for its otters.<sup id="cite_ref-otters_1-0" class="reference"><a href="#cite_note-otters-1">[1]</a></sup> It freezes in winter.<sup id="cite_ref-2" class="reference"><a href="#cite_note-2">[2]</a></sup><sup class="noprint Inline-Template Template-Fact">[<i><a href="/wiki/Wikipedia:Citation_needed">citation needed</a></i>]</sup></p>
<div id="toc" class="toc"><div class="toctitle"><h2>Contents</h2></div><ul><li><a href="#Wildlife"><span class="tocnumber">1</span> <span class="toctext">Wildlife</span></a></li></ul></div>
<h2><span class="mw-headline" id="Wildlife">Wildlife</span><span class="mw-editsection"><span class="mw-editsection-bracket">[</span><a href="/w/index.php?title=Quiet_Lake&amp;action=edit&amp;section=1">edit</a><span class="mw-editsection-bracket">]</span></span></h2>
<div class="thumb tright"><div class="thumbinner"><a href="/wiki/File:Otter.jpg" class="image"><img src="x.jpg"></a><div class="thumbcaption">An otter on the shore</div></div></div>
<p>Otters hunt fish along the reeds.<sup id="cite_ref-otters_1-1" class="reference"><a href="#cite_note-otters-1">[1]</a></sup></p>
<ul><li>Fish: perch and pike<sup id="cite_ref-3" class="reference"><a href="#cite_note-3">[3]</a></sup></li><li>Birds: grebes</li></ul>
<h2><span class="mw-headline" id="See_also">See also</span></h2>
<ul><li><a href="/wiki/Other_Lake">Other Lake</a></li></ul>
<h2><span class="mw-headline" id="References">References</span></h2>
<div class="reflist"><ol class="references">
<li id="cite_note-otters-1"><span class="mw-cite-backlink">^ <a href="#cite_ref-otters_1-0"><sup><i><b>a</b></i></sup></a> <a href="#cite_ref-otters_1-1"><sup><i><b>b</b></i></sup></a></span> <span class="reference-text"><cite class="citation journal">Brook, Anna; Stone, Ben (4 March 2015). "Otters of the Quiet Lake". <i>Lake Weekly</i>. <a href="https://doi.org/10.1234/abc.5">doi</a>:10.1234/abc.5<span class="reference-accessdate">. Retrieved <span class="nowrap">6 May 2016</span></span>.</cite><span title="{COINS}" class="Z3988"><span style="display:none;">&#160;</span></span></span></li>
<li id="cite_note-2"><span class="mw-cite-backlink"><b><a href="#cite_ref-2">^</a></b></span> <span class="reference-text">Hill, Dora. Winters on small lakes. Shore Press, 1999.</span></li>
<li id="cite_note-3"><span class="mw-cite-backlink"><b><a href="#cite_ref-3">^</a></b></span> <span class="reference-text"><cite class="citation book">Fen, Carl (2001). <i>A Field Guide to Small Lakes</i>. Reedbank Books. ISBN 978-0-00-000000-2.</cite><span title="{COINS_BOOK}" class="Z3988"><span style="display:none;">&#160;</span></span></span></li>
</ol></div>
<div role="navigation" class="navbox"><table><tr><th>Lakes of the region</th><td>North Lake · South Lake</td></tr></table></div>
</div></div>
<div id="catlinks" class="catlinks"><div>Categories: Lakes</div></div></div></div>
<div id="mw-navigation"><div id="p-navigation"><ul><li>Main page</li><li>Contents</li></ul></div></div>
<div id="footer"><ul><li id="footer-info-lastmod"> This page was last edited on 3 June 2020, at 10:00.</li></ul></div>
</body></html>"""


def _by_text(blocks, decisions):
    return {b.text: d for b, d in zip(blocks, decisions)}


def test_detection():
    assert is_wikipedia_html(PAGE)
    assert not is_wikipedia_html("<html><body><p>Hello world, a plain page.</p></body></html>")
    assert not is_wikipedia_html("")


def test_every_block_has_one_decision_in_order():
    blocks, decisions, cits, meta = analyse_html(PAGE)
    assert len(blocks) == len(decisions) > 10
    assert [b.raw_start for b in blocks] == list(range(1, len(blocks) + 1))
    assert all(b.raw_start == b.raw_end for b in blocks)
    assert meta.title == "Quiet Lake" and meta.kind == "wikipedia"
    assert meta.url == "https://en.wikipedia.org/wiki/Quiet_Lake"
    assert meta.published == "2020-06-03"


def test_labels_and_markers():
    blocks, decisions, cits, meta = analyse_html(PAGE)
    d = _by_text(blocks, decisions)
    lead = next(x for b, x in zip(blocks, decisions) if b.text.startswith("Quiet Lake is"))
    assert lead.label == "paragraph"
    assert lead.text == "Quiet Lake is a small lake known for its otters. It freezes in winter."
    assert lead.cites == (1, 2)
    assert d["Wildlife"].label == "heading" and d["Wildlife"].text == "Wildlife"
    assert d["An otter on the shore"].label == "caption"
    assert d["Area 12 km2"].label == "infobox"
    assert d["From Wikipedia, the free encyclopedia"].label == "wiki_chrome"
    assert d["For the song, see Quiet Lake (song)."].label == "wiki_chrome"
    assert d["Other Lake"].label == "wiki_chrome"  # See also list
    assert d["Categories: Lakes"].label == "wiki_chrome"
    assert d["Main page"].label == "wiki_chrome"
    fish = d["Fish: perch and pike"]
    assert fish.label == "list_item" and fish.cites == (3,)
    assert d["Quiet Lake"].label == "title"
    assert sum(x.label == "references" for x in decisions) == 3
    assert not any("[edit]" in (x.text or "") for x in decisions if x.keep)


def test_citations_from_coins_and_fallback():
    blocks, decisions, cits, meta = analyse_html(PAGE)
    assert [c.ref_number for c in cits] == [1, 2, 3]
    a, b, c = cits
    assert a.backlinks == 2 and b.backlinks == 1
    assert a.authors == ["Brook, Anna", "Stone, Ben"]
    assert a.title == "Otters of the Quiet Lake" and a.work == "Lake Weekly" and a.publisher is None
    assert a.date == "2015-03-04" and a.access_date == "2016-05-06"
    assert a.identifiers["doi"] == "10.1234/abc.5"
    assert b.authors == ["Hill, Dora"] and b.title == "Winters on small lakes"  # text fallback
    assert c.title == "A Field Guide to Small Lakes" and c.publisher == "Reedbank Books" and c.work is None
    assert c.identifiers["isbn"] == "978-0-00-000000-2" and c.date == "2001"
    kept = [i for i, d in enumerate(decisions) if d.keep and 1 in d.cites]
    assert a.cited_in == kept and len(kept) == 2


def test_garbage_never_raises():
    for junk in ["", "   ", "<<<>>>", "<html><body><ol class='references'><li>", "\x00\x01binary",
                 "<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>", None]:
        out = analyse_html(junk)  # type: ignore[arg-type]
        assert len(out) == 4 and len(out[0]) == len(out[1])


def test_parsoid_markers():
    html = ('<html><body><section><p>Text.<sup class="mw-ref reference" id="cite_ref-a"><a href="./Page#cite_note-a">'
            '<span class="mw-reflink-text">[1]</span></a></sup></p></section>'
            '<ol class="mw-references references"><li id="cite_note-a"><span rel="mw:referencedBy">'
            '<a href="./Page#cite_ref-a">↑</a></span> <span class="mw-reference-text">Doe, Jan (2010). '
            '"A title". Some Site. Retrieved 1 May 2012.</span></li></ol></body></html>')
    blocks, decisions, cits, meta = analyse_html(html)
    p = next(d for b, d in zip(blocks, decisions) if b.text.startswith("Text"))
    assert p.cites == (1,) and p.text == "Text."
    assert cits[0].title == "A title" and cits[0].access_date == "2012-05-01"


NOTES_PAGE = """<html><head><meta name="generator" content="MediaWiki 1.42"></head><body>
<h1 id="firstHeading">Reed Canal</h1>
<div id="mw-content-text"><div class="mw-parser-output">
<p>The canal opened in 1794.<sup id="cite_ref-a" class="reference"><a href="#cite_note-a">[a]</a></sup> Barge traffic
peaked in 1830<sup class="noprint Inline-Template Template-Fact">[<i><a href="/wiki/Help">citation needed</a></i>]</sup>
but fell after the railway came.<sup id="cite_ref-r1" class="reference"><a href="#cite_note-r1">[1]</a></sup></p>
<p>It closed to traffic in 1921.<sup id="cite_ref-r2" class="reference"><a href="#cite_note-r2">[2]</a></sup></p>
<h2><span class="mw-headline">Notes</span></h2>
<div class="reflist"><ol class="references"><li id="cite_note-a"><span class="mw-cite-backlink"><a href="#cite_ref-a">^</a></span>
<span class="reference-text">Some locks opened later.</span></li></ol></div>
<h2><span class="mw-headline">References</span></h2>
<div class="reflist"><ol class="references">
<li id="cite_note-r1"><span class="mw-cite-backlink"><a href="#cite_ref-r1">^</a></span> <span class="reference-text">"Reed Canal". Canal Trust. Retrieved 8 May 2021.</span></li>
<li id="cite_note-r2"><span class="mw-cite-backlink"><a href="#cite_ref-r2">^</a></span> <span class="reference-text">Hale, Ann (2001). Waterways. Leeds: Dale Press.</span></li>
</ol></div></div></div></body></html>"""


def test_an_inline_maintenance_tag_does_not_split_a_sentence_and_lettered_notes_are_not_references():
    blocks, decisions, cits, _ = analyse_html(NOTES_PAGE)
    kept = [d for d in decisions if d.keep]
    assert [d.text for d in kept] == [
        "The canal opened in 1794. Barge traffic peaked in 1830 but fell after the railway came.",
        "It closed to traffic in 1921."]
    assert [d.cites for d in kept] == [(1,), (2,)]
    assert [(c.ref_number, c.title) for c in cits] == [(1, "Reed Canal"), (2, "Waterways")]
    note = next(d for b, d in zip(blocks, decisions) if "Some locks" in b.text)
    assert note.label == "references"


def test_an_inline_listen_link_is_left_out_and_an_unreferenced_note_goes_with_its_list():
    page = NOTES_PAGE.replace(
        '<span class="reference-text">Some locks opened later.</span></li></ol>',
        '<span class="reference-text">Some locks opened later.</span></li>'
        '<li id="cite_note-b"><span class="reference-text">A note no marker points at.</span></li></ol>')
    page = page.replace("<p>It closed", '<p>Reed (/riːd/<span class="noprint"> (<a href="/x">listen</a>)</span>) '
                                         "is its name. It closed")
    blocks, decisions, cits, _ = analyse_html(page)
    assert [d.text for d in decisions if d.keep][1] == "Reed (/riːd/) is its name. It closed to traffic in 1921."
    assert [(c.ref_number, c.title) for c in cits] == [(1, "Reed Canal"), (2, "Waterways")]


FAN_WIKI = """<!DOCTYPE html><html><head><title>Ilsa Marrow | Starfall Wiki | Fanverse</title>
<meta name="generator" content="MediaWiki 1.39.7"><meta property="og:site_name" content="Starfall Wiki">
<link rel="canonical" href="https://starfall.fanverse.example/wiki/Ilsa_Marrow"></head>
<body class="mediawiki"><div class="global-navigation"><a href="/">Fanverse</a> <a href="/games">Games</a></div>
<h1 id="firstHeading">Ilsa Marrow</h1>
<div id="mw-content-text"><div class="mw-parser-output">
<aside class="portable-infobox pi-background"><h2 class="pi-item pi-title">Ilsa Marrow</h2>
<div class="pi-item pi-data"><h3 class="pi-data-label">Rank</h3><div class="pi-data-value">Captain</div></div></aside>
<p><b>Ilsa Marrow</b> is the commanding officer of the survey ship Kestrel in the second season.<sup class="reference"><a href="#cite_note-1">[1]</a></sup></p>
<div class="ad-slot"><div class="ad-slot-label">Advertisement</div></div>
<h2><span class="mw-headline" id="Biography">Biography</span><span class="mw-editsection">[<a href="?action=edit">edit</a>]</span></h2>
<p>She was born on a mining station in the outer belt, to a family of ore haulers.</p>
<ol class="references"><li id="cite_note-1"><a href="#cite_ref-1">^</a> Season 2, episode 4.</li></ol>
</div></div></body></html>"""


def test_another_mediawiki_site_is_no_wikipedia_and_its_own_chrome_goes():
    assert is_wikipedia_html(FAN_WIKI)  # the same software: the same reader of its structure
    blocks, decisions, _cites, meta = analyse_html(FAN_WIKI)
    assert meta.kind == "other" and meta.title == "Ilsa Marrow"
    by = {b.text: d for b, d in zip(blocks, decisions)}
    assert by["Captain"].label == "infobox" or any(d.label == "infobox" for t, d in by.items() if "Captain" in t)
    assert not any(d.keep for t, d in by.items() if "Advertisement" in t or "Fanverse" in t), by
    kept = [t for t, d in by.items() if d.keep]
    assert any(t.startswith("Ilsa Marrow is the commanding officer") for t in kept)
    assert any(t.startswith("She was born") for t in kept)
    # Wikipedia itself, and a saved copy that names no site, stay Wikipedia
    assert analyse_html(PAGE)[3].kind == "wikipedia"
    no_site = FAN_WIKI.replace('<meta property="og:site_name" content="Starfall Wiki">', "")
    no_site = no_site.replace('<link rel="canonical" href="https://starfall.fanverse.example/wiki/Ilsa_Marrow">', "")
    assert analyse_html(no_site)[3].kind == "wikipedia"
