"""MediaWiki source (.wiki/.wikitext/.mediawiki) -> blocks, decisions, citations, metadata.

mwparserfromhell does the parsing (templates, links, tags, markup); what it does not do is
map source lines to rendered blocks, so the line grouping below is hand-written: lineage
needs every non-blank source line in exactly one block, which a whole-document AST walk
does not give.
"""

from __future__ import annotations

import re

import mwparserfromhell as mwp

from .citations import iso639_names, parse_reference_text, split_authors
from .dates import parse_date
from .records import Block, Citation, Decision, Metadata
from .wikipedia import _sections

_HEADING = re.compile(r"^(={1,6})\s*(.+?)\s*\1\s*$")
_FILE = re.compile(r"^\[\[\s*(?:File|Image|Media)\s*:", re.I)
_CATEGORY = re.compile(r"^\[\[\s*Category\s*:", re.I)
_LIST = re.compile(r"^[*#:;]+\s*")
_CHROME_TEMPLATES = re.compile(
    r"^(?:navbox|.*navbox|authority control|portal|reflist|refbegin|refend|commons|short description|"
    r"use (?:dmy|mdy) dates|use \w+ english|good article|featured article|pp-|sister|wikiquote|"
    r"coord|defaultsort|toc|clear|notelist|stub|.*-stub|italic title|redirect|about|for|other uses|"
    r"distinguish|see also|main|further|hatnote|citation needed|cn|when|dead link)", re.I)
_INFOBOX = re.compile(r"^(?:infobox|taxobox|automatic taxobox|speciesbox|chembox|drugbox|geobox)", re.I)

WORK_PARAMS = ("website", "work", "newspaper", "journal", "magazine", "periodical", "encyclopedia",
               "encyclopaedia", "dictionary")
ID_PARAMS = ("doi", "isbn", "issn", "pmid", "pmc", "oclc", "jstor", "arxiv", "bibcode")


def _plain(value) -> str:
    """Template parameter value -> rendered plain text (links to text, markup and comments gone,
    inline templates such as {{URL|example.org}} rendered)."""
    code = mwp.parse(str(value))
    return _render(code, _RefBook())[0].strip()


def _params(tpl) -> dict[str, str]:
    out = {}
    for p in tpl.params:
        key = str(p.name).strip().lower().replace("_", "-")
        val = _plain(p.value)
        if val:
            out[key] = val
    return out


def _numbered(prm: dict[str, str], base: str) -> dict[int, str]:
    out = {}
    for k, v in prm.items():
        m = re.fullmatch(rf"{base}(\d*)", k)
        if m:
            out[int(m.group(1) or 1)] = v
    return out


def _authors(prm: dict[str, str]) -> tuple[list[str], bool]:
    lasts = {}
    for base in ("last", "surname", "author", "authors", "author-last", "last-author"):
        for i, v in _numbered(prm, base).items():
            lasts.setdefault(i, v)
    firsts = {}
    for base in ("first", "given", "author-first"):
        for i, v in _numbered(prm, base).items():
            firsts.setdefault(i, v)
    names = [f"{lasts[i]}, {firsts[i]}" if i in firsts else lasts[i] for i in sorted(lasts)]
    etal = False
    if not names and "vauthors" in prm:
        names, etal = split_authors(prm["vauthors"].replace(", ", "; "))
    kept = []
    for n in names:
        if re.fullmatch(r"et al\.?", n.strip()):
            etal = True
        else:
            kept.append(n)
    names = kept
    disp = prm.get("display-authors", prm.get("displayauthors"))
    if disp:
        if disp.strip().lower() in ("etal", "et al", "et al."):
            etal = True
        elif disp.strip().isdigit():
            k = int(disp)
            if k < len(names):
                names, etal = names[:k], True
    return names, etal


def _language(code: str) -> str | None:
    names = []
    for part in re.split(r"\s*,\s*", code.strip()):
        name = iso639_names().get(part.lower(), part if part[:1].isupper() else part or None)  # an unknown code as given
        if name and name != "English":
            names.append(name)
    return ", ".join(names) or None


def citation_from_template(wikitext: str) -> Citation | None:
    """The first {{cite …}}/{{citation}} template in `wikitext` -> Citation (style 'template')."""
    code = mwp.parse(wikitext)
    for tpl in code.filter_templates(recursive=True):
        name = str(tpl.name).strip().lower()
        if name.startswith("cite") or name.startswith("citation"):
            return _from_params(_params(tpl), raw=str(tpl))
    return None


def _from_params(prm: dict[str, str], raw: str) -> Citation:
    c = Citation(ref_number=0, raw=raw, style="template")
    c.authors, c.authors_etal = _authors(prm)
    title = prm.get("title")
    chapter = prm.get("chapter") or prm.get("contribution") or prm.get("entry") or prm.get("article")
    work = next((prm[k] for k in WORK_PARAMS if k in prm), None)
    if chapter:
        c.title, c.work = chapter, work or title
    else:
        c.title, c.work = title, work
    c.publisher = prm.get("publisher")
    raw_date = prm.get("date")
    if not raw_date and "year" in prm:
        raw_date = f"{prm['month']} {prm['year']}" if "month" in prm else prm["year"]
    if raw_date:
        c.date_raw, c.date = raw_date, parse_date(raw_date)
    acc = prm.get("access-date") or prm.get("accessdate")
    if acc:
        c.access_date_raw, c.access_date = acc, parse_date(acc)
    c.via = prm.get("via")
    if "language" in prm:
        c.language = _language(prm["language"])
    c.url = prm.get("url")
    for k in ID_PARAMS:
        if k in prm:
            c.identifiers[k] = prm[k].removeprefix("PMC") if k == "pmc" else prm[k]  # as the text path stores it
    return c


# --------------------------------------------------------------------------- documents
def _balance(line: str) -> int:
    return line.count("{{") - line.count("}}") + line.count("{|") - line.count("|}")


def _ref_open(line: str) -> int:
    opens = len(re.findall(r"<ref\b[^>/]*>", line, re.I))
    closes = len(re.findall(r"</ref\s*>", line, re.I))
    return opens - closes


def _group_lines(text: str) -> list[tuple[int, int, str]]:
    """Source lines -> (start, end, text) groups: balanced templates/tables/refs stay together,
    consecutive prose lines form one paragraph, every other line stands alone."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    groups: list[tuple[int, int, str]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        start = i
        depth, refs = _balance(line), _ref_open(line)
        buf = [line]
        prose = not (_HEADING.match(line.strip()) or _LIST.match(line) or line.lstrip().startswith(("{{", "{|", "[[")))
        while i + 1 < len(lines) and (depth > 0 or refs > 0 or (
                prose and lines[i + 1].strip() and not _HEADING.match(lines[i + 1].strip())
                and not _LIST.match(lines[i + 1]) and not lines[i + 1].lstrip().startswith(("{{", "{|", "[[")))):
            i += 1
            buf.append(lines[i])
            depth += _balance(lines[i])
            refs += _ref_open(lines[i])
        groups.append((start + 1, i + 1, "\n".join(buf)))
        i += 1
    return groups


class _RefBook:
    """Reference numbering in order of first use, with <ref name=…> reuse, as MediaWiki does."""

    def __init__(self) -> None:
        self.by_name: dict[str, int] = {}
        self.content: dict[int, str] = {}
        self.uses: dict[int, int] = {}
        self.next = 1

    def use(self, name: str | None, body: str | None) -> int:
        if name and name in self.by_name:
            n = self.by_name[name]
        else:
            n = self.next
            self.next += 1
            if name:
                self.by_name[name] = n
        if body and body.strip() and n not in self.content:
            self.content[n] = body
        self.uses[n] = self.uses.get(n, 0) + 1
        return n


# Inline templates whose output is sentence text. mwparserfromhell's strip_code drops every template,
# so "is {{convert|40|m|ft}} long" became "is long"; expanding templates for real needs MediaWiki and
# the template pages, so the common inline ones are rendered here by hand, by rule:
#   first/last positional parameter, a measurement ("40 m", "3 to 5 km"), a fixed string, or a prefix.
_TPL_FIRST = frozenset(("nowrap", "nobr", "nobreak", "small", "big", "smaller", "larger", "abbr", "em", "strong",
                        "text", "mvar", "var", "ill", "interlanguage link", "not a typo", "url", "proper name",
                        "keep together"))
_TPL_LAST = frozenset(("lang", "transl", "transliteration", "script"))
_TPL_CONST = {"ndash": "–", "mdash": "—", "nbsp": " ", "snd": " – ", "spnd": " – ", "spaced ndash": " – ",
              "'": "'", "'s": "'s", "sup": "", "zwsp": ""}
_TPL_PREFIX = {"as of": "As of", "circa": "c.", "c.": "c.", "ca.": "c.", "floruit": "fl.", "fl.": "fl."}
_CONVERT = frozenset(("convert", "cvt"))
_NUMBER = re.compile(r"[\d.,/]+")
_RANGE_WORDS = frozenset(("to", "-", "–", "and", "or", "by", "x", "×", "+", "and(-)", "to(-)"))


def _inline_name(name: str) -> bool:
    n = " ".join(name.split()).lower()
    return (n in _TPL_FIRST or n in _TPL_LAST or n in _TPL_CONST or n in _TPL_PREFIX or n in _CONVERT
            or n == "sic" or n.startswith("lang-"))


def _positional(tpl) -> list[str]:
    return [str(p.value) for p in tpl.params if not p.showkey]


def _inline_template(tpl, book: "_RefBook") -> str | None:
    """Rendered text of a known inline template, or None (unknown: dropped, as before)."""
    name = " ".join(str(tpl.name).split()).lower()
    pos = _positional(tpl)

    def text(i: int) -> str:
        return _render(mwp.parse(pos[i]), book)[0] if -len(pos) <= i < len(pos) else ""

    if name in _TPL_CONST:
        return _TPL_CONST[name]
    if name in _CONVERT:
        if len(pos) >= 4 and pos[1].strip() in _RANGE_WORDS:
            return " ".join((text(0), pos[1].strip(), text(2), text(3)))
        if len(pos) >= 5 and _NUMBER.fullmatch(pos[2].strip()) and pos[3].strip().isalpha():
            return " ".join((text(0), text(1), text(2), text(3)))  # "6 ft 2 in"
        return " ".join(x for x in (text(0), text(1)) if x)
    if name in _TPL_LAST:
        return text(-1) if len(pos) >= 2 else ""
    if name == "sic":  # {{sic|hte}}, {{sic|the|ir}} (a word split to show where the error is)
        return "".join(text(i) for i in range(len(pos)))
    if name in _TPL_FIRST or name.startswith("lang-"):
        return text(0)
    if name in _TPL_PREFIX and pos:
        return f"{_TPL_PREFIX[name]} {text(0)}"
    return None


def _render(code, book: _RefBook) -> tuple[str, tuple[int, ...]]:
    cites: list[int] = []
    for tag in code.filter_tags(recursive=True, matches=lambda t: str(t.tag).lower() == "ref"):
        try:
            name = str(tag.get("name").value).strip().strip("\"'") if tag.has("name") else None
        except ValueError:
            name = None
        body = str(tag.contents) if tag.contents is not None else None
        n = book.use(name, body)
        if n not in cites:
            cites.append(n)
        try:
            code.remove(tag)
        except ValueError:
            pass
    # recursive: a template inside italics or a link's text is a node of that node; an outer one is
    # rendered (with its own templates) first, and its inner ones are then no longer in the tree
    for tpl in code.filter_templates(recursive=True):
        rendered = _inline_template(tpl, book)
        if rendered is not None:
            try:
                code.replace(tpl, rendered)
            except ValueError:
                pass
    return " ".join(code.strip_code(normalize=True, collapse=True).split()), tuple(cites)


def parse_wikitext(text: str) -> tuple[list[Block], list[Decision], list[Citation], Metadata]:
    """Wikitext -> (blocks with source line spans, one decision per block, citations, metadata)."""
    blocks: list[Block] = []
    decisions: list[Decision] = []
    book = _RefBook()
    meta = Metadata(kind="wikipedia")
    section = "body"
    for start, end, src in _group_lines(text):
        s = src.strip()
        h = _HEADING.match(s) if start == end else None
        tag, dec = "p", None
        if h:
            name = _plain(h.group(2))
            section = _sections().get(name.casefold(), "body")
            tag = f"h{len(h.group(1))}"
            if section != "body":
                dec = Decision("wiki_chrome", f"back-matter section heading ({name})")
            else:
                dec = Decision("heading", "== heading ==", text=name)
        elif s.startswith("{{"):
            tag = "template"
            tpl = mwp.parse(s).filter_templates(recursive=False)
            tname = str(tpl[0].name).strip() if tpl else ""
            if _INFOBOX.match(tname):
                dec = Decision("infobox", f"template {tname}")
            else:
                code = mwp.parse(s)
                rendered, cites = _render(code, book)
                dec = Decision("wiki_chrome", f"template {tname}" if tname else "template")
                inline = _inline_name(tname)  # a paragraph that starts with {{nowrap|...}} or {{convert|...}}
                if rendered and (inline or len(rendered) > 40 and not _CHROME_TEMPLATES.match(tname) and tpl
                                 and len(str(tpl[0])) < len(s) - 20):
                    dec = Decision("paragraph", "text after a template", text=rendered, cites=cites)
        elif s.startswith("{|"):
            tag, dec = "table", Decision("wiki_chrome", "table")
        elif _FILE.match(s):
            tag, dec = "file", Decision("caption", "file/image with its caption")
        elif _CATEGORY.match(s):
            tag, dec = "category", Decision("wiki_chrome", "category link")
        elif re.fullmatch(r"(?:__\w+__|<references\s*/?>|</?references>|-{4,})", s, re.I):
            tag, dec = "magic", Decision("wiki_chrome", "magic word / references tag")
        elif _LIST.match(s):
            tag = "li"
            rendered, cites = _render(mwp.parse(_LIST.sub("", s, count=1)), book)
            if section != "body":
                dec = Decision("wiki_chrome", "back-matter list")
            elif rendered:
                dec = Decision("list_item", "list line", text=rendered, cites=cites)
        else:
            rendered, cites = _render(mwp.parse(s), book)
            if rendered:
                dec = Decision("paragraph", "", text=rendered, cites=cites)
        if dec is None:
            dec = Decision("wiki_chrome", "markup without visible text")
        blocks.append(Block(text=src, raw_start=start, raw_end=end, tag=tag))
        decisions.append(dec)
    # citations in reference-number order
    cits: list[Citation] = []
    for n in sorted(book.content):
        body = book.content[n]
        c = citation_from_template(body)
        if c is None:
            c = parse_reference_text(_plain(body))
            c.style = "hand" if c.style in ("cs1", "") else c.style
        c.ref_number = n
        c.backlinks = book.uses.get(n, 1)
        c.raw = body.strip()
        cits.append(c)
    by_num = {c.ref_number: c for c in cits}
    for i, d in enumerate(decisions):
        for n in d.cites:
            if n in by_num and i not in by_num[n].cited_in:
                by_num[n].cited_in.append(i)
    return blocks, decisions, cits, meta
