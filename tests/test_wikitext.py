"""Wikitext input: rendering, lineage over source lines, <ref> numbering, template mapping."""

from corpusclean.wikitext import citation_from_template, parse_wikitext

WIKI = """{{Short description|Invented otter colony}}
{{Infobox animal group
| name = Vomble otters
| founded = 1987
}}
The '''Vomble otters''' live on [[Lake Vomble|the lake]].<ref name="marsh">{{cite news |last=Marsh |first=Edda |date=2 March 2019 |title=Otters of ''Vomble'' |newspaper=[[Valley Courier]] |language=fr |access-date=3 March 2019}}</ref>
They were counted in spring.<ref>{{cite web |author=Lake Watch |title=Spring count |website=lakewatch.example |display-authors=etal}}</ref><ref name="marsh"/>

== History ==
* First seen in 1987.<ref name="marsh" />
[[File:Otter.jpg|thumb|An otter on a log]]

== References ==
{{Reflist}}

[[Category:Invented animals]]
"""


def test_lineage_every_nonblank_line_in_exactly_one_block():
    blocks, decisions, cits, meta = parse_wikitext(WIKI)
    assert len(blocks) == len(decisions)
    covered = [n for b in blocks for n in range(b.raw_start, b.raw_end + 1)]
    nonblank = [i for i, line in enumerate(WIKI.split("\n"), 1) if line.strip()]
    assert len(covered) == len(set(covered))
    assert set(nonblank) <= set(covered)


def test_labels_and_rendering():
    blocks, decisions, cits, meta = parse_wikitext(WIKI)
    labels = [d.label for d in decisions]
    assert labels[0] == "wiki_chrome" and labels[1] == "infobox"
    assert blocks[1].raw_start == 2 and blocks[1].raw_end == 5
    para = decisions[2]
    assert para.label == "paragraph"
    assert para.text.startswith("The Vomble otters live on the lake. They were counted in spring.")
    assert para.cites == (1, 2)
    assert "heading" in labels and "list_item" in labels and "caption" in labels
    assert decisions[-1].label == "wiki_chrome"  # category


def test_named_ref_reuse_numbering():
    blocks, decisions, cits, meta = parse_wikitext(WIKI)
    assert [c.ref_number for c in cits] == [1, 2]
    marsh = cits[0]
    assert marsh.backlinks == 3
    li = next(i for i, d in enumerate(decisions) if d.label == "list_item")
    assert decisions[li].cites == (1,) and li in marsh.cited_in


def test_template_mapping():
    c = citation_from_template("{{cite news |last=Marsh |first=Edda |date=2 March 2019 |title=Otters of ''Vomble'' "
                               "|newspaper=[[Valley Courier]] |language=fr |access-date=3 March 2019 |doi=10.1/x}}")
    assert c.authors == ["Marsh, Edda"] and c.title == "Otters of Vomble" and c.work == "Valley Courier"
    assert c.language == "French" and c.date == "2019-03-02" and c.access_date == "2019-03-03"
    assert c.identifiers == {"doi": "10.1/x"}


def test_display_authors_truncates():
    c = citation_from_template("{{cite journal |last1=A |first1=B |last2=C |first2=D |last3=E |first3=F "
                               "|display-authors=1 |title=T |journal=J}}")
    assert c.authors == ["A, B"] and c.authors_etal


def test_english_language_not_rendered():
    assert citation_from_template("{{cite web |title=T |language=en}}").language is None


def test_inline_templates_render_as_text_instead_of_vanishing():
    t = ("The lock is {{convert|40|m|ft}} long and {{convert|3|to|5|km}} from the sea; its motto is "
         "{{lang|la|Aqua vitae}} ({{lang-de|Wasserleben}}), built {{circa|1790}}{{snd}}{{nowrap|about "
         "{{convert|2|mi}}}} upstream.<ref>{{cite web|title=Lock|website=Canal Trust}}</ref> {{citation needed|date=May 2020}}")
    blocks, decisions, cits, _ = parse_wikitext(t)
    assert decisions[0].text == ("The lock is 40 m long and 3 to 5 km from the sea; its motto is Aqua vitae "
                                 "(Wasserleben), built c. 1790 – about 2 mi upstream.")
    assert decisions[0].cites == (1,) and cits[0].title == "Lock"


def test_inline_templates_inside_formatting_links_and_at_the_start_of_a_paragraph():
    t = ("{{nowrap|About {{convert|2|mi}}}} upstream stands the mill the monks called ''{{lang|la|Aqua vitae}}'', "
         "on the [[River Skell|{{lang|en|Skell}}]]; its wheel is {{convert|6|ft|2|in|m}} across, {{sic|the|ir}} pride.")
    _, decisions, _, _ = parse_wikitext(t)
    assert (decisions[0].label, decisions[0].text) == ("paragraph", (
        "About 2 mi upstream stands the mill the monks called Aqua vitae, on the Skell; its wheel is "
        "6 ft 2 in across, their pride."))


def test_cite_template_params_with_a_url_template_a_year_month_date_and_a_pmc_prefix():
    c = citation_from_template("{{cite web|title=Kellow|website={{URL|kellow.example}}|date=2019-05|"
                               "pmc=PMC123456|language=kw|url=https://kellow.example/h}}")
    assert (c.title, c.work, c.date, c.identifiers["pmc"], c.language) == (
        "Kellow", "kellow.example", "2019-05", "123456", "kw")
