"""Tests for the text-dump boilerplate classifier. Fixtures are small, invented pages."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corpusclean.blocks import split_lines
from corpusclean.boilerplate import classify_dump, parse_authors, parse_datetime
from corpusclean.records import KEEP_KINDS, REASONS

P1 = ("The council voted on Tuesday to extend the river walk by another two kilometres, "
      "a project that residents have asked for since the floods of last spring.")
P2 = ("Engineers said the new section would be built in stages so that the existing path "
      "stays open for cyclists and walkers during most of the work.")
P3 = ("Funding will come from the regional budget and a small levy on new buildings near the "
      "water, according to a statement published by the council after the vote.")
P4 = ("Local shop owners welcomed the plan, saying that more visitors along the river would "
      "help them recover from a difficult year with fewer customers than usual.")
P5 = ("The first stage is expected to be finished before the end of the summer, when the "
      "council will also open a consultation on lighting and benches along the route.")

NEWS_PAGE = "\n".join([
    "Sports Weather Culture Business Science Travel Opinion Local Politics Health Education Markets Jobs Cars Homes Food Music Film Books Theatre Gardening Pets Family Style Technology",
    "Home / News",
    "Council approves longer river walk after years of requests",
    "Maria Gonzalez 14:05, 2021/03/09",
    P1,
    P2,
    "The river path near the old mill. Photo: Jan Novak",
    P3,
    "A walk that people will use for decades",
    "Deputy mayor Tom Weller",
    "Officials said \"a walk that people will use for decades\" was worth the wait, and they added that the plan was simple.",
    "Why bus fares could rise again this autumn in three districts",
    P4,
    "Sign up for our morning newsletter",
    "Get the top stories delivered to your inbox every day",
    P5,
    "Other news",
    "09:12, 2021/03/08",
    "Library extends opening hours on weekends",
    "18:40, 2021/03/07",
    "New playground opens in the northern park",
    "This article appeared in the Weekly Courier print edition as: River walk to grow",
    "© 2021 Example Media. All rights reserved.",
])


def _run(text):
    blocks = split_lines(text)
    decisions, meta = classify_dump(blocks)
    return {b.text.strip(): d for b, d in zip(blocks, decisions)}, meta, decisions


def test_news_page_reasons_and_metadata():
    by, meta, decisions = _run(NEWS_PAGE)
    assert by["Home / News"].label == "nav"
    assert by["Sports Weather Culture Business Science Travel Opinion Local Politics Health Education Markets Jobs Cars Homes Food Music Film Books Theatre Gardening Pets Family Style Technology"].label == "nav"
    assert by["Council approves longer river walk after years of requests"].label == "title"
    assert by["Maria Gonzalez 14:05, 2021/03/09"].label == "byline"
    assert meta.title == "Council approves longer river walk after years of requests"
    assert meta.authors == ["Maria Gonzalez"]
    assert meta.published == "2021-03-09T14:05"
    assert meta.kind == "news"
    for p in (P1, P2, P3, P4, P5):
        assert by[p].keep, by[p]
        assert by[p].label == "paragraph"
    assert by["The river path near the old mill. Photo: Jan Novak"].label == "caption"
    assert by["A walk that people will use for decades"].label == "pull_quote"
    assert by["Deputy mayor Tom Weller"].label == "pull_quote"
    assert by["Why bus fares could rise again this autumn in three districts"].label == "related"
    assert by["Sign up for our morning newsletter"].label == "promo"
    assert by["Get the top stories delivered to your inbox every day"].label == "promo"
    for line in ("Other news", "09:12, 2021/03/08", "Library extends opening hours on weekends",
                 "18:40, 2021/03/07", "New playground opens in the northern park"):
        assert by[line].label == "related", (line, by[line])
    assert by["This article appeared in the Weekly Courier print edition as: River walk to grow"].label == "footer"
    assert by["© 2021 Example Media. All rights reserved."].label == "footer"
    assert all(d.detail for d in decisions)
    assert all(d.detail.startswith(("rule:", "model:", "heuristic:")) for d in decisions)


def test_dateline_without_author_and_truncated_caption():
    text = "\n".join([
        "Markets",
        "Mar 3, 2020 / 07:45",
        "Harbour cranes return to work after a week of repairs",
        P1,
        "Workers inspect a crane at the eastern dock on Monday",
        "Workers inspect a crane at the eastern dock on Monday morning. Photo: Harbour Authority",
        P2,
        P3,
    ])
    by, meta, _ = _run(text)
    assert by["Mar 3, 2020 / 07:45"].label == "byline"
    assert meta.authors == []
    assert meta.published == "2020-03-03T07:45"
    assert by["Harbour cranes return to work after a week of repairs"].label == "title"
    assert by["Workers inspect a crane at the eastern dock on Monday"].label == "caption"
    assert by["Workers inspect a crane at the eastern dock on Monday morning. Photo: Harbour Authority"].label == "caption"
    assert by[P1].keep and by[P2].keep and by[P3].keep


def test_caption_repeated_twice_is_caption_not_duplicate():
    cap = "Volunteers plant trees along the new path. Photo: City archive"
    text = "\n".join([P1, cap, P2, cap, P3])
    _, _, decisions = _run(text)
    assert [d.label for d in decisions][1] == "caption"
    assert [d.label for d in decisions][3] == "caption"


def test_bullets_are_list_items_and_reporting_credit_kept():
    text = "\n".join([
        "Budget plan passes first reading in the assembly",
        "  • The plan raises spending on schools and clinics over the next three years",
        "  • Opposition members said they would propose changes at the second reading",
        P1, P2, P3,
        "Additional reporting by Sam Ortiz",
        P4, P5,
    ])
    by, meta, _ = _run(text)
    assert by["Budget plan passes first reading in the assembly"].label == "title"
    assert by["• The plan raises spending on schools and clinics over the next three years"].label == "list_item"
    assert by["Additional reporting by Sam Ortiz"].keep


def test_share_line_is_nav():
    text = "\n".join(["Share Tweet Email Print", P1, P2, P3])
    by, _, _ = _run(text)
    assert by["Share Tweet Email Print"].label == "nav"


def test_parse_helpers():
    assert parse_datetime("Jane Doe 09:58, 2019/02/12") == "2019-02-12T09:58"
    assert parse_datetime("Feb 14, 2019 / 09:20") == "2019-02-14T09:20"
    assert parse_datetime("Updated 3 March 2018") == "2018-03-03"
    assert parse_datetime("no date here") is None
    assert parse_authors("Jane Doe 09:58, 2019/02/12") == ["Jane Doe"]
    assert parse_authors("By Ann Lee and Bo Kim, March 3, 2018") == ["Ann Lee", "Bo Kim"]
    assert parse_authors("Feb 14, 2019 / 09:20") == []


def test_empty_and_plain_document():
    assert classify_dump([]) == ([], classify_dump([])[1])
    by, meta, _ = _run("\n".join([P1, P2, P3, P4]))
    assert all(d.keep for d in by.values())
    assert meta.kind == "other"
    assert meta.title is None


_line = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
                min_size=1, max_size=120)


@settings(max_examples=60, deadline=None)
@given(st.lists(_line, min_size=0, max_size=40))
def test_property_one_decision_per_block(lines):
    blocks = split_lines("\n".join(lines))
    decisions, meta = classify_dump(blocks)
    assert len(decisions) == len(blocks)
    for d in decisions:
        assert d.label in KEEP_KINDS or d.label in REASONS
        assert d.detail
    assert meta.kind in ("news", "other")


# Small labelled documents (line, keep) the trainer may add to every fold (benchmarks/train_boilerplate.py).
TRAIN_FIXTURES = [
    [(ln, ln in (P1, P2, P3, P4, P5)) for ln in NEWS_PAGE.split("\n")],
]
