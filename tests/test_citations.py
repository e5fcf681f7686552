"""Reference-line parsing on invented lines, one per rendered style."""

import pytest

from corpusclean.citations import parse_reference_line, parse_reference_lines, parse_reference_text, split_backlinks
from corpusclean.dates import parse_date


def test_backlinks_and_number():
    c = parse_reference_line('7. ^ a b c "Otters learn to juggle". Riverside Gazette. Retrieved 3 March 2020.')
    assert (c.ref_number, c.backlinks) == (7, 3)
    assert c.title == "Otters learn to juggle"
    assert c.access_date == "2020-03-03" and c.access_date_raw == "3 March 2020"


def test_not_a_reference_line():
    assert parse_reference_line("An ordinary sentence about otters.") is None


def test_lone_a_is_a_word_not_a_backlink():
    assert split_backlinks("a history of otters") == (1, "a history of otters")


def test_cs1_web_with_authors_and_work():
    c = parse_reference_line('3. ^ Fennick, Arla; Moss, Tobias J. (June 4, 2021). "Canal otters return". '
                             'Daily Lantern. Retrieved June 5, 2021.')
    assert c.authors == ["Fennick, Arla", "Moss, Tobias J."]
    assert c.date == "2021-06-04" and c.date_raw == "June 4, 2021"
    assert c.work == "Daily Lantern" and c.publisher is None
    assert c.style == "cs1"


def test_news_via():
    c = parse_reference_line('9. ^ Quill, Bo (12 May 2019). "Harbour reopens" – via www.example-wire.com.')
    assert c.via == "www.example-wire.com" and c.work is None


def test_book_place_publisher_isbn():
    c = parse_reference_line("4. ^ Marlow, Ines (1999). The Quiet River. Springfield: Lantern Books. p. 12. "
                             "ISBN 978-0-00-000000-2.")
    assert c.title == "The Quiet River"
    assert c.publisher == "Lantern Books"
    assert c.identifiers == {"isbn": "978-0-00-000000-2"}


def test_journal_etal_identifiers():
    c = parse_reference_line('2. ^ Alder, P.; Birch, Q.; et al. (2010). "Otter whisker mechanics". '
                             "Journal of Imaginary Zoology. 12 (3): 45–67. doi:10.9999/jiz.2010.001. PMID 12345678.")
    assert c.authors == ["Alder, P.", "Birch, Q."] and c.authors_etal
    assert c.work == "Journal of Imaginary Zoology"
    assert c.identifiers == {"doi": "10.9999/jiz.2010.001", "pmid": "12345678"}


def test_chapter_in_book_editors_are_not_authors():
    c = parse_reference_line('5. ^ Reed, Ann (2001). "Riverbanks". In Stone, B.; Clay, D. Wetland Essays. '
                             "Marsh Press. pp. 1–9.")
    assert c.authors == ["Reed, Ann"]
    assert c.title == "Riverbanks" and c.work == "Wetland Essays" and c.publisher == "Marsh Press"


def test_language_and_archive_insert():
    c = parse_reference_line('6. ^ "Les loutres" (in French). Journal du Lac. Archived from the original on '
                             "2 May 2015. Retrieved 1 May 2015.")
    assert c.language == "French"
    assert c.title == "Les loutres"
    assert c.access_date == "2015-05-01"


def test_hand_formatted_comma_list():
    c = parse_reference_line("8. ^ Otters seen near the mill, Valley Courier, 14 January 2019.")
    assert (c.title, c.work, c.date) == ("Otters seen near the mill", "Valley Courier", "2019-01-14")
    assert c.style == "hand"


def test_short_cite():
    c = parse_reference_line("11. ^ a b Marlow 1999, pp. 14–15.")
    assert c.authors == ["Marlow"] and c.date == "1999" and c.style == "short" and c.backlinks == 2


def test_bare_url():
    c = parse_reference_line("12. ^ http://www.example.org/otters/report.html")
    assert c.url == "http://www.example.org/otters/report.html" and c.style == "bare_url"
    assert c.title is None


def test_vancouver_authors_split():
    c = parse_reference_text('Alder P, Birch QR, van Dam S (2003). "Otters at dusk". Zool Notes. 4 (1): 1–2.')
    assert c.authors == ["Alder P", "Birch QR", "van Dam S"]


def test_title_keeps_inner_quotes():
    c = parse_reference_text('"Otter says "hello," then leaves". Pond Times. 2020.')
    assert c.title == 'Otter says "hello," then leaves'


def test_old_article_lone_container_is_publisher_new_is_work():
    old = ['1. ^ "Otters A". Pond Site. Retrieved May 1, 2009.', '2. ^ "Otters B". Lake Site. Retrieved May 2, 2009.']
    new = ['1. ^ "Otters A". Pond Site. Retrieved May 1, 2021.', '2. ^ "Otters B". Lake Site. Retrieved May 2, 2021.']
    assert [c.publisher for c in parse_reference_lines(old)] == ["Pond Site", "Lake Site"]
    assert [c.work for c in parse_reference_lines(new)] == ["Pond Site", "Lake Site"]


@pytest.mark.parametrize("raw,iso", [
    ("2018-09-11", "2018-09-11"), ("September 16, 2018", "2018-09-16"), ("16 September 2018", "2018-09-16"),
    ("Sept. 3, 2001", "2001-09-03"), ("Dec 2007", "2007-12"), ("July 1996", "1996-07"), ("2015", "2015"),
    ("17 Feb 2012", "2012-02-17"), ("Winter 1963", None), ("May/June 2003", None),
    ("October–December 2007", None), ("n.d.", None), ("2011-12-193", None), ("2019-02-30", None), ("", None),
])
def test_dates(raw, iso):
    assert parse_date(raw) == iso


def test_range_date_in_citation_is_none_but_kept_raw():
    c = parse_reference_text('Reed, Ann (Winter 1963). "Frozen ponds". Ice Quarterly. 2 (1): 3.')
    assert c.date is None and c.date_raw == "Winter 1963"


def test_pathological_long_line_is_fast():
    import time
    t = time.perf_counter()
    parse_reference_text('"' + "a, b. " * 3000 + '"')
    assert time.perf_counter() - t < 1.0


# --- hand-typed author-first forms and container details (invented entries) ---------------
def test_harvard_list_with_in_editor():
    c = parse_reference_text("Pell, A.B., Marsh, C., Reed-Cole, D.E., 2011. Herons on the flats: a survey. "
                             "In: Fenn, G.H. (Ed.), Shore Birds of the North. Riverbank Press, Leeds, pp. 10–20")
    assert c.authors == ["Pell, A.B.", "Marsh, C.", "Reed-Cole, D.E."]
    assert c.date == "2011" and c.title == "Herons on the flats: a survey"
    assert c.work == "Shore Birds of the North" and c.publisher == "Riverbank Press"


def test_vancouver_book_chapter():
    c = parse_reference_text("Pell AB, Marsh C. Herons and Egrets. In: Wading Birds of Cold Coasts. "
                             "Leeds, York: Riverbank; 2012")
    assert c.authors == ["Pell AB", "Marsh C"] and c.title == "Herons and Egrets"
    assert c.work == "Wading Birds of Cold Coasts" and c.publisher == "Riverbank" and c.date == "2012"


def test_semicolon_author_list_then_title():
    c = parse_reference_text("Pell, Anna; Marsh, Colin D.; Herons: Their Lives and Habits. "
                             "London: Riverbank Press, 2005, page 3")
    assert c.authors == ["Pell, Anna", "Marsh, Colin D."]
    assert c.title == "Herons: Their Lives and Habits" and c.publisher == "Riverbank Press"


def test_last_first_book_without_quotes_or_date():
    c = parse_reference_text("Pell, Anna. Herons, a natural history. Riverbank Press. p. 12.")
    assert c.authors == ["Pell, Anna"] and c.title == "Herons, a natural history"
    assert c.publisher == "Riverbank Press"


def test_edition_dropped_from_titles_and_works():
    c = parse_reference_text("Pell, Anna (1990). Herons of the world (second ed.). Riverbank Press. p. 4.")
    assert c.title == "Herons of the world" and c.publisher == "Riverbank Press"
    c = parse_reference_text('"heron". Big Bird Dictionary (3rd ed.). Riverbank Press. May 2001.')
    assert c.work == "Big Bird Dictionary" and c.publisher == "Riverbank Press"


def test_parenthesised_part_of_one_name():
    c = parse_reference_text('"Match report". Northern Football Union (NFU.org). 2 May 2008. Retrieved 3 May 2008.')
    assert "Northern Football Union (NFU.org)" in (c.work, c.publisher)
    c = parse_reference_text('"A story". Harbour (magazine). Retrieved 3 May 2018.')
    assert "Harbour (magazine)" in (c.work, c.publisher)
    c = parse_reference_text('Pell, A. (2003). "Herons". Birds of the Coast (Ed. Marsh C.). Leeds: Riverbank. ISBN 0-00-000000-0.')
    assert c.work == "Birds of the Coast (Ed. Marsh C.)" and c.publisher == "Riverbank"


def test_journal_issue_run_marks_a_work():
    c = parse_reference_text('Pell, A. (1999). "Heron counts". Boletín de aves (25): 129–152. ISSN 0000-0000.')
    assert c.work == "Boletín de aves" and c.publisher is None


def test_via_after_the_access_date_archive_note_and_a_two_word_language():
    from corpusclean.citations import parse_reference_line

    c = parse_reference_line('1. ^ "Mill Weirs". The Courier. Retrieved 2 May 2019 – via Newspapers.com.')
    assert (c.title, c.work, c.access_date, c.via) == ("Mill Weirs", "The Courier", "2019-05-02", "Newspapers.com")
    c = parse_reference_line('2. ^ "Aldfield Weir". Heritage Trust. Archived from the original (PDF) on 5 May 2017. '
                             'Retrieved 3 June 2018.')
    assert (c.work, c.publisher, c.access_date) == ("Heritage Trust", None, "2018-06-03")
    c = parse_reference_line("3. ^ \"Bru\". Norsk leksikon (in Norwegian Bokmål). Retrieved 1 March 2020.")
    assert (c.work, c.publisher, c.language) == ("Norsk leksikon", None, "Norwegian Bokmål")
    c = parse_reference_line('4. ^ "Mills". English Heritage (report). Retrieved 1 March 2020.')
    assert c.language is None
