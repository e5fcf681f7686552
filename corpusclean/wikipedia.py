"""Wikipedia articles copied as plain text: recognise them, label every line, split the references.

A text dump of an article has a fixed anatomy (title, chrome, infobox, lead, sections with
"[edit]" headings, back matter with a numbered reference list), so a small ordered set of
structural rules beats a generic boilerplate classifier here. Phrase lists live in
corpusclean/data/wiki_*.txt.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .citations import _wordlist, normalised_key, parse_reference_lines
from .records import Block, Citation, Decision, Metadata

# "[edit]" after a heading, in the languages of data/wiki_edit_markers.txt ("[Bearbeiten | Quelltext bearbeiten]")
_EDIT = re.compile(r"\[\s*(?:" + "|".join(
    r"\s*\|\s*".join(map(re.escape, m.split(" | "))) for m in sorted(_wordlist("wiki_edit_markers.txt"), key=len, reverse=True)
) + r")\s*\]\s*$", re.I)
_EDIT_WORDS = tuple(sorted({m.split()[0].casefold() for m in _wordlist("wiki_edit_markers.txt")}))
_LETTER_MARKER = re.compile(r"(?<=[^\s\[])\[[a-z]\](?![^\W\d_])")  # a lettered note marker: "in 1990.[a]"
_TOC_ENTRY = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.?\s+\S")  # "1 History", "1.1 Construction"
_REF = re.compile(r"\s*(?:\d{1,4}[.)]\s*[\^↑]|[\^↑]\s)")  # "12. ^ a b …"; browsers copy an <ol> without numbers: "^ a b …"
_REF_NUMBER = re.compile(r"\s*\d{1,4}[.)]")
# A citation or note marker is attached to the text before it ("in 1990.[12]"): a bracket after a space
# is the text's own ("Foo v Bar [1932] UKHL 100", a quote's "[a] fine day"), and so is a letter bracket
# followed by a letter (a quote's capitalisation change: "[t]he arches").
_MARKER = re.compile(r"(?<=\S)\[(\d{1,4})\](?::\s?\d+(?:[–-]\d+)?(?:,\s?\d+)*)?")
_NOTE_MARKER = re.compile(r"(?<=\S)(?<![“„«‘(\[])(?<!\s[\"'])(?<!^[\"'])"
                          r"\[(?:note|nb|n|lower-alpha|upper-alpha)?\s?[a-z]?\d{0,3}\](?![^\W\d_])")
_BRACKET = re.compile(r"\[([^\[\]]{1,80})\]")
_SENT_END = re.compile(r"[.!?:;…\"”’')\]]\s*$")
_BULLET = re.compile(r"\s*(?:[•·▪◦‣*\-–]|\d{1,3}[.)])\s+")
MAX_CHROME_LEN = 160  # chrome lines are short; longer lines skip the phrase tests
MAX_CHROME_PREFIX_LEN = 600  # ...except the prefix phrases: the licence footer is ~300 characters
# substrings of the page-top chrome that only a Wikipedia page has ("From Wikipedia, ...", "Jump to
# navigation", "Zur Navigation springen", "Aller à la navigation", "Ir a la navegación", ...)
_SIGNATURE = ("wikip", "jump to", "navigation", "navegación", "navegação", "navigazione", "navigatie")


@lru_cache(maxsize=1)
def _chrome() -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(exact lines, prefixes, prefixes of lines that hold a URL, prefixes also of long lines)."""
    exact, prefix, url, long = set(), [], [], []
    for x in _wordlist("wiki_chrome.txt"):
        x = x.casefold()
        if x.endswith("*//"):
            url.append(x[:-3])
        elif x.endswith("**"):
            long.append(x[:-2])
        elif x.endswith("*"):
            prefix.append(x[:-1])
        else:
            exact.add(x)
    return frozenset(exact), tuple(prefix), tuple(url), tuple(long)


@lru_cache(maxsize=1)
def _sections() -> dict[str, str]:
    out = {}
    for row in _wordlist("wiki_sections.txt"):
        kind, _, name = row.partition(" ")
        out[name.strip().casefold()] = kind
    return out


@lru_cache(maxsize=1)
def _maintenance() -> frozenset[str]:
    return frozenset(x.casefold() for x in _wordlist("wiki_maintenance.txt"))


def _norm(s: str) -> str:
    return " ".join(s.split()).casefold()


def is_chrome_line(text: str) -> bool:
    if len(text) > 2 * MAX_CHROME_PREFIX_LEN:
        return False
    t = _norm(text)
    if not t or len(t) > MAX_CHROME_PREFIX_LEN:
        return False
    exact, prefix, url, long = _chrome()
    if len(t) > MAX_CHROME_LEN:
        return t.startswith(long)
    return t in exact or t.startswith(prefix) or t.startswith(long) or (t.startswith(url) and "://" in t)


def is_maintenance_tag(inner: str) -> bool:
    """'citation needed', 'when?', 'clarification needed' … but not a quote's editorial '[he]'."""
    t = inner.strip()
    if not t or not t[0].islower():
        return False
    tl = t.casefold().rstrip("?").strip()
    if tl in _maintenance():
        return True
    return t.endswith("?") or tl.endswith("needed") or tl.split(" – ")[0] in _maintenance()


def clean_inline(text: str) -> tuple[str, tuple[int, ...]]:
    """Remove citation markers (recorded, in order, deduplicated), note markers and maintenance
    tags; keep every other bracket (editorial insertions in quotes)."""
    cites: list[int] = []

    def _cite(m: re.Match) -> str:
        n = int(m.group(1))
        if n not in cites:
            cites.append(n)
        return ""

    if "[" not in text:
        return text.strip(), ()
    s = _EDIT.sub("", text)
    s = _MARKER.sub(_cite, s)
    s = _NOTE_MARKER.sub("", s)
    s = _BRACKET.sub(lambda m: "" if is_maintenance_tag(m.group(1)) else m.group(0), s)
    s = re.sub(r"\s+([.,;:!?])", r"\1", s) if s != text else s
    return " ".join(s.split()), tuple(cites)


def is_wikipedia_dump(blocks: list[Block]) -> bool:
    """Generic anatomy test: chrome lines, '[edit]' headings, '^' reference lines."""
    head = blocks[:4000]
    low = "\n".join([b.text for b in head]).casefold()
    if not any(x in low for x in _SIGNATURE) and not any(x in low for x in _EDIT_WORDS):
        return False  # cheap gate: a score >= 4 needs a chrome line or an [edit] heading
    chrome = edits = refs = retrieved = 0
    for b in head:
        t = b.text
        if len(t) <= MAX_CHROME_LEN:
            if is_chrome_line(t) and any(x in t.casefold() for x in _SIGNATURE):
                chrome += 1
            if _EDIT.search(t):
                edits += 1
        if _REF.match(t):
            refs += 1
            retrieved += "Retrieved" in t
    score = 2 * min(chrome, 2) + min(edits, 3) + (2 if refs >= 3 else refs >= 1) + (retrieved >= 2)
    return score >= 4


def _is_lead(t: str, title: str | None) -> bool:
    """A stub's short lead sentence ("Kellow is a fishing village in Cornwall, England.[1]"): it names
    the article (its title without a parenthetical) and is a sentence of 8+ words or cites a source;
    an infobox caption ("Kellow harbour in 2010.") is shorter and cites nothing, and a longer one has
    the infobox's tab rows after it (checked by the caller)."""
    if not title or "\t" in t or not _SENT_END.search(t):
        return False
    name = re.sub(r"\s*\([^)]*\)\s*$", "", title).strip().casefold()
    if len(name) < 3 or name not in t.casefold():
        return False
    return len(t.split()) >= 8 or bool(_MARKER.search(t))


def _is_prose(t: str) -> bool:
    t = t.strip()
    return len(t) >= 80 and bool(_SENT_END.search(t)) and t.count(" ") >= 10


def analyse_dump(blocks: list[Block]) -> tuple[list[Decision], list[Citation], Metadata]:
    """Label every block of a Wikipedia text dump (same order), split the reference list into
    citations, and return the metadata (title, kind='wikipedia')."""
    n = len(blocks)
    dec: list[Decision | None] = [None] * n
    meta = Metadata(kind="wikipedia")
    if not n:
        return [], [], meta
    texts = [b.text.strip() for b in blocks]

    # 1. title: the first line, when it looks like one
    i0 = 0
    if len(texts[0]) <= 250 and not _REF.match(texts[0]) and not is_chrome_line(texts[0]):
        meta.title = _EDIT.sub("", texts[0]).strip()
        dec[0] = Decision("title", "first line of the article")
        i0 = 1
    # 2. chrome lines anywhere; the table of contents under its header ("Contents", "Sommaire")
    toc = False
    for i in range(n):
        if dec[i] is None and is_chrome_line(texts[i]):
            dec[i] = Decision("wiki_chrome", "page chrome phrase")
            if _norm(texts[i]) not in ("hide", "show", "[hide]", "[show]"):
                toc = _sections().get(_norm(texts[i]).removesuffix(" hide"), "") == "toc"
        elif toc and dec[i] is None and len(texts[i]) <= 120 and _TOC_ENTRY.match(texts[i]) \
                and not _SENT_END.search(texts[i]):
            dec[i] = Decision("wiki_chrome", "table of contents")
        else:
            toc = False
    # 3. infobox: between the chrome at the top and the first prose paragraph
    first_prose = next((i for i in range(i0, n) if dec[i] is None and (
        _is_prose(texts[i]) or _is_lead(texts[i], meta.title) and not any("\t" in x for x in texts[i + 1:i + 6]))), n)
    top_chrome = any(dec[i] is not None and dec[i].label == "wiki_chrome" for i in range(i0, min(first_prose, i0 + 6)))
    if top_chrome:
        for i in range(i0, first_prose):
            if dec[i] is None and not _EDIT.search(texts[i]):
                dec[i] = Decision("infobox", "block between page chrome and the first prose paragraph")
    # 4. sections, references, captions, lists
    ref_idx: list[int] = []
    ref_list: list[int] = []  # per reference line: the section (list) it is in
    section, list_no = "body", 0
    for i in range(i0, n):
        if dec[i] is not None:
            continue
        t = texts[i]
        if _REF.match(t):
            dec[i] = Decision("references", "numbered reference line")
            ref_idx.append(i)
            ref_list.append(list_no)
            continue
        if _EDIT.search(t):
            list_no += 1
            name = _EDIT.sub("", t).strip()
            section = _sections().get(name.casefold(), "body")
            nxt = next((j for j in range(i + 1, n) if dec[j] is None or dec[j].label != "wiki_chrome"), n)
            empty = nxt >= n or bool(_EDIT.search(texts[nxt])) or bool(_REF.match(texts[nxt]))
            if section == "links":
                dec[i] = Decision("wiki_chrome", f"back-matter section heading ({name})")
            elif section == "refs":
                dec[i] = Decision("wiki_chrome", "reference section heading")
            elif empty and (nxt >= n or _REF.match(texts[nxt])
                            or _sections().get(_EDIT.sub("", texts[nxt]).strip().casefold(), "body") != "body"):
                dec[i] = Decision("wiki_chrome", "empty section")
            else:
                dec[i] = Decision("heading", "[edit] heading", text=name)
            continue
        if section == "links":
            dec[i] = Decision("wiki_chrome", "back-matter link list")
            continue
        dec[i] = _body_decision(i, texts, dec)
    # 5. citations. A reference line copied without its number takes the next one in its list. When
    # several such lists exist and the text has lettered note markers ("[a]"), the lists before the
    # last are explanatory notes (lettered, numbered from 1 again on the page), not references.
    unnumbered = [k for k, i in zip(ref_list, ref_idx) if not _REF_NUMBER.match(texts[i])]
    notes_lists: set[int] = set()
    if len(set(unnumbered)) > 1 and any(_LETTER_MARKER.search(texts[i]) for i in range(i0, n)
                                        if dec[i] is not None and dec[i].keep):
        notes_lists = set(unnumbered) - {max(unnumbered)}
    lines, last, prev, keep_idx = [], 0, None, []
    for i, k in zip(ref_idx, ref_list):
        if k in notes_lists:
            dec[i] = Decision("references", "explanatory note (lettered list, not a reference)")
            continue
        m = _REF_NUMBER.match(texts[i])
        last = int(texts[i][: m.end()].strip()[:-1]) if m else (last + 1 if k == prev or not notes_lists else 1)
        prev = k
        lines.append(texts[i] if m else f"{last}. {texts[i]}")
        keep_idx.append(i)
    ref_idx = keep_idx
    parsed = parse_reference_lines(lines)
    cits: list[Citation] = []
    by_num: dict[int, Citation] = {}
    seen: dict[str, int] = {}
    for i, c in zip(ref_idx, parsed):
        if c is None:
            continue
        c.raw = texts[i]
        c.raw_start, c.raw_end = blocks[i].raw_start, blocks[i].raw_end
        for key in _dup_keys(c):
            if key in seen and c.duplicate_of is None:
                c.duplicate_of = seen[key]
        for key in _dup_keys(c):
            seen.setdefault(key, c.ref_number)
        cits.append(c)
        by_num.setdefault(c.ref_number, c)
    for i, d in enumerate(dec):
        if d is not None and d.keep:
            for num in d.cites:
                if num in by_num and i not in by_num[num].cited_in:
                    by_num[num].cited_in.append(i)
    return [d if d is not None else Decision("paragraph") for d in dec], cits, meta


def _dup_keys(c: Citation) -> list[str]:
    keys = ["raw:" + normalised_key(Citation(ref_number=0, raw=c.raw))]
    if c.title:
        keys.append("tw:" + _norm(f"{c.title}|{c.work or c.publisher or ''}|{c.date or ''}|{';'.join(c.authors)}"))
    return keys


def _body_decision(i: int, texts: list[str], dec: list[Decision | None]) -> Decision:
    t = texts[i]
    clean, cites = clean_inline(t)
    m = _BULLET.match(clean)
    if m and len(clean) > m.end():
        return Decision("list_item", "bulleted line", text=clean[m.end():].strip(), cites=cites)
    short = len(t) < 200 and not cites and not _SENT_END.search(t)
    if short:
        # a run of short unpunctuated lines is a list; a lone one inside prose is a caption
        def _short(j: int) -> bool:
            return 0 <= j < len(texts) and (dec[j] is None or dec[j].label == "list_item") \
                and len(texts[j]) < 200 and not _SENT_END.search(texts[j]) and not _EDIT.search(texts[j]) \
                and not _REF.match(texts[j])
        if _short(i - 1) or _short(i + 1):
            return Decision("list_item", "run of short lines", text=clean, cites=cites)
        return Decision("caption", "short line without sentence punctuation inside the article")
    return Decision("paragraph", "", text=clean, cites=cites)
