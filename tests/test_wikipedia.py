"""Text-dump articles: labels, inline cleanup, citations, lineage — on an invented article."""

from corpusclean.blocks import split_lines
from corpusclean.records import KEEP_KINDS, REASONS
from corpusclean.wikipedia import analyse_dump, clean_inline, is_wikipedia_dump

ARTICLE = """Lake Vomble Otter Colony

From Wikipedia, the free encyclopedia
Jump to navigation Jump to search

Lake Vomble Otter Colony
Founded1987
LocationLake Vomble

The Lake Vomble Otter Colony is an invented group of river otters living on the northern shore of an imaginary lake.[1] It was first described in 1987 and has been counted every spring since then.[2][1]

History[edit]

A keeper said "we fed [them] every morning" while the colony grew.[3][citation needed] The count rose in the 1990s.[when?]

An otter resting on a log near the boathouse

Counts rose again after the dam was removed in 2004, and the colony now numbers about forty animals.[3]

Diet[edit]

See also[edit]

References[edit]

  1. ^ a b Marsh, Edda (2 March 2019). "Otters of Vomble". Valley Courier. Retrieved 3 March 2019.
  2. ^ "Spring otter count". lakewatch.example. Retrieved 4 April 2019.
  3. ^ Marsh, Edda (2 March 2019). "Otters of Vomble". Valley Courier. Retrieved 3 March 2019.
"""


def _run():
    blocks = split_lines(ARTICLE)
    return blocks, *analyse_dump(blocks)


def test_recognised_and_plain_news_is_not():
    assert is_wikipedia_dump(split_lines(ARTICLE))
    assert not is_wikipedia_dump(split_lines("Otters win award\nBy A. Writer\nThe otters won an award today."))


def test_lineage_one_decision_per_block_with_known_labels():
    blocks, decisions, cits, meta = _run()
    assert len(decisions) == len(blocks)
    assert all(d.label in KEEP_KINDS or d.label in REASONS for d in decisions)


def test_labels():
    blocks, decisions, cits, meta = _run()
    lab = {b.text.strip()[:20]: d.label for b, d in zip(blocks, decisions)}
    assert meta.title == "Lake Vomble Otter Colony" and meta.kind == "wikipedia"
    assert decisions[0].label == "title"
    assert lab["From Wikipedia, the "] == "wiki_chrome"
    assert lab["Jump to navigation J"] == "wiki_chrome"
    assert lab["Founded1987"] == "infobox" and lab["LocationLake Vomble"] == "infobox"
    assert lab["The Lake Vomble Otte"] == "paragraph"
    assert lab["History[edit]"] == "heading"
    assert lab["An otter resting on "] == "caption"
    assert lab["Diet[edit]"] == "wiki_chrome"  # empty section
    assert lab["See also[edit]"] == "wiki_chrome"
    assert sum(d.label == "references" for d in decisions) == 3


def test_inline_cleanup_keeps_editorial_brackets():
    text, cites = clean_inline('A keeper said "we fed [them] every morning".[3][citation needed] Then.[when?][12]')
    assert text == 'A keeper said "we fed [them] every morning". Then.'
    assert cites == (3, 12)


def test_inline_cleanup_keeps_a_quote_s_letter_brackets_and_legal_citations():
    text, cites = clean_inline('He wrote that "[t]he arches were rebuilt" and "[i]t was [a] fine day".[4][b] '
                               'See Foo v Bar [1932] UKHL 100.[5]')
    assert text == 'He wrote that "[t]he arches were rebuilt" and "[i]t was [a] fine day". See Foo v Bar [1932] UKHL 100.'
    assert cites == (4, 5)


def test_heading_text_and_cites():
    blocks, decisions, cits, meta = _run()
    heading = next(d for d in decisions if d.label == "heading")
    assert heading.text == "History"
    first = next(d for d in decisions if d.label == "paragraph")
    assert first.cites == (1, 2)
    assert "[" not in first.text


def test_citations_cited_in_and_duplicates():
    blocks, decisions, cits, meta = _run()
    assert [c.ref_number for c in cits] == [1, 2, 3]
    c1, c2, c3 = cits
    assert c1.backlinks == 2 and c1.authors == ["Marsh, Edda"] and c1.work == "Valley Courier"
    assert c3.duplicate_of == 1 and c1.duplicate_of is None
    first_para = next(i for i, d in enumerate(decisions) if d.label == "paragraph")
    assert c1.cited_in == [first_para] and c2.cited_in == [first_para]
    assert c1.raw_start == blocks[next(i for i, d in enumerate(decisions) if d.label == "references")].raw_start


def test_a_reference_list_copied_without_its_numbers_is_numbered_in_order():
    # browsers copy an <ol> without its numbers: "^ a b ..." lines take the list's order
    from corpusclean.blocks import split_lines

    text = "\n".join([
        "Stone Weir", "From Wikipedia, the free encyclopedia", "Jump to navigation Jump to search",
        "The Stone Weir is a low masonry dam across the river Lenn near the village of Aldhurst, built in "
        "1784 to feed a mill race.[1] It was restored in 1991.[2]",
        "History[edit]",
        "The weir replaced a timber structure that had been washed away by a flood in the winter of 1781, "
        "according to the parish records.[3][1]",
        "References[edit]",
        '^ a b "Stone Weir". Historic England. Retrieved 12 March 2021.',
        "^ Smith, John (1999). Mills of the Lenn Valley. Aldhurst: Riverside Press. ISBN 978-0-00-000000-2.",
        '^ "Flood of 1781". The Aldhurst Gazette. 3 May 1982. Retrieved 2 May 2019.',
    ])
    blocks = split_lines(text)
    assert is_wikipedia_dump(blocks)
    decisions, cits, _ = analyse_dump(blocks)
    assert [d.label for d in decisions[-3:]] == ["references"] * 3
    assert [(c.ref_number, c.backlinks, c.title) for c in cits] == [
        (1, 2, "Stone Weir"), (2, 1, "Mills of the Lenn Valley"), (3, 1, "Flood of 1781")]
    assert [c.cited_in for c in cits] == [[3, 5], [3], [5]]
    assert cits[0].raw == blocks[7].text.strip() and cits[2].access_date == "2019-05-02"


def test_a_german_article_dump_is_recognised_with_its_own_chrome_contents_and_references():
    from corpusclean.blocks import split_lines

    lines = [
        "Mühle Talbach",
        "aus Wikipedia, der freien Enzyklopädie",
        "Zur Navigation springen Zur Suche springen",
        "Die Mühle Talbach ist eine ehemalige Wassermühle am Talbach im Landkreis Oberau, die bis 1962 "
        "Getreide mahlte und heute ein kleines Museum beherbergt.[1]",
        "Inhaltsverzeichnis",
        "1 Geschichte",
        "1.1 Wiederaufbau",
        "2 Einzelnachweise",
        "Geschichte[Bearbeiten | Quelltext bearbeiten]",
        "Die Mühle wurde 1688 erstmals erwähnt und nach einem Brand im Jahr 1841 in Stein wieder "
        "aufgebaut, wie die Gemeindechronik berichtet.[2][1]",
        "Einzelnachweise[Bearbeiten | Quelltext bearbeiten]",
        "1. ↑ a b Mühle Talbach. In: muehlen-oberau.de. Abgerufen am 3. Mai 2021.",
        "2. ↑ Anna Weiß: Mühlen im Oberland. Heimatverlag, Oberau 2004, ISBN 3-00-000000-0, S. 12.",
        "Kategorien: Wassermühle | Museum im Landkreis Oberau",
        "Diese Seite wurde zuletzt am 2. Februar 2024 um 10:15 Uhr bearbeitet.",
        "Der Text ist unter der Lizenz „Creative-Commons Namensnennung – Weitergabe unter gleichen "
        "Bedingungen“ verfügbar; Informationen zu den Urhebern und zum Lizenzstatus eingebundener "
        "Mediendateien (etwa Bilder oder Videos) können im Regelfall durch Anklicken dieser abgerufen "
        "werden. Möglicherweise unterliegen die Inhalte jeweils zusätzlichen Bedingungen.",
    ]
    blocks = split_lines("\n".join(lines))
    assert is_wikipedia_dump(blocks)
    decisions, cits, meta = analyse_dump(blocks)
    lab = {b.text.strip(): d for b, d in zip(blocks, decisions)}
    assert meta.title == "Mühle Talbach" and meta.kind == "wikipedia"
    assert [lab[x].label for x in lines[4:8]] == ["wiki_chrome"] * 4  # the table of contents
    assert (lab[lines[8]].label, lab[lines[8]].text) == ("heading", "Geschichte")
    assert lab[lines[3]].keep and lab[lines[9]].keep and lab[lines[9]].cites == (2, 1)
    assert len(lines[-1]) > 300 and all(lab[x].label == "wiki_chrome" for x in lines[-3:])
    assert [(c.ref_number, c.backlinks, c.cited_in) for c in cits] == [(1, 2, [3, 9]), (2, 1, [9])]


def test_back_link_labels_joined_by_a_word():
    from corpusclean.citations import split_backlinks

    assert split_backlinks("a b et c Jean Martin, Les moulins") == (3, "Jean Martin, Les moulins")
    assert split_backlinks("a y b Ana Ruiz") == (2, "Ana Ruiz")
    assert split_backlinks("a et al. wrote") == (1, "a et al. wrote")


def test_a_stub_s_short_lead_is_body_not_infobox():
    from corpusclean.blocks import split_lines

    lines = ["Perran Cove", "From Wikipedia, the free encyclopedia", "Jump to navigation Jump to search",
             "Perran Cove", "Perran Cove harbour in 2010.", "Country\tEngland", "County\tCornwall",
             "Perran Cove is a small fishing village in Cornwall, England.[1]", "Its pier dates from 1790.[1]",
             "References[edit]", '1. ^ "Perran Cove". Cornwall Council. Retrieved 12 March 2021.']
    blocks = split_lines("\n".join(lines))
    decisions, cits, _ = analyse_dump(blocks)
    lab = [d.label for d in decisions]
    assert lab[3:7] == ["infobox"] * 4
    assert lab[7:9] == ["paragraph"] * 2 and cits[0].cited_in == [7, 8]


def test_review_cases_chrome_prefixes_toc_notes_lists_and_quote_brackets():
    from corpusclean.blocks import split_lines
    from corpusclean.citations import split_backlinks
    from corpusclean.wikipedia import is_chrome_line

    # a chrome prefix at the start of a sentence: only the URL-bearing line is chrome
    assert not is_chrome_line("Retrieved from the wreck in 1985 by divers, the bell was restored in 1990.[3]")
    assert not is_chrome_line("Obtenido de la destilación del petróleo, el queroseno se usaba en lámparas.[2]")
    assert is_chrome_line('Retrieved from "https://en.wikipedia.org/w/index.php?title=Aldfield_Mill&oldid=1"')
    # a quote's opening "[a]" stays; a note marker after text goes
    assert clean_inline('He called it "[a] fine day".[b]')[0] == 'He called it "[a] fine day".'
    labels = [chr(97 + i) for i in range(26)] + [chr(97 + i) + chr(97 + j) for i in range(26) for j in range(26)]
    assert split_backlinks(" ".join(labels))[0] == 702  # no StopIteration past "zz"

    lines = ["Aldfield Mill", "From Wikipedia, the free encyclopedia", "Jump to navigation Jump to search",
             "Aldfield Mill and its weir on the river Skell, seen from the west bank.", "Built\t1820",
             "Use\tHouse",
             "Aldfield Mill is a former watermill on the river Skell near Aldfield, North Yorkshire.[a][1]",
             "Contents", "hide", "1 History", "2 Notes", "3 References",
             "12 of the village houses are listed buildings.",
             "History[edit]",
             "The mill was rebuilt in 1820 after a fire and worked until the 1950s, when it became a house.[2][1]",
             "Notes[edit]", "^ The date of the fire is uncertain.",
             "References[edit]", '^ a b "Aldfield Mill". Historic England. Retrieved 12 March 2021.',
             "^ Jones, Ann (2001). Mills of Yorkshire. Leeds: Dale Press."]
    blocks = split_lines("\n".join(lines))
    decisions, cits, _ = analyse_dump(blocks)
    lab = {b.text.strip(): d for b, d in zip(blocks, decisions)}
    assert [lab[x].label for x in lines[3:6]] == ["infobox"] * 3  # a long caption before tab rows
    assert [lab[x].label for x in lines[7:12]] == ["wiki_chrome"] * 5  # contents with "hide" on its own line
    assert lab["12 of the village houses are listed buildings."].keep
    assert lab["^ The date of the fire is uncertain."].label == "references"
    assert [(c.ref_number, c.title, c.cited_in) for c in cits] == [
        (1, "Aldfield Mill", [6, 14]), (2, "Mills of Yorkshire", [14])]
