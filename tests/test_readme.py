"""The README's schema tables and reasons stay true to the code."""

import re

from conftest import ROOT
from corpusclean import schema as S
from corpusclean.card import REASON_DOCS
from corpusclean.records import REASONS


def _section(text: str, table: str) -> str:
    start = text.index(f"#### `{table}`")
    nxt = text.find("\n###", start + 1)
    return text[start: nxt if nxt > 0 else None]


def test_readme_schema_tables_match_the_schema_module():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for table, schema in S.TABLES.items():
        sec = _section(text, table)
        documented = re.findall(r"^\| `([a-z_0-9]+)` \| `([^`]+)` \|", sec, flags=re.M)
        assert documented == [(f.name, str(f.type)) for f in schema], table


def test_every_reason_is_documented():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for r in REASONS:
        assert f"| `{r}` |" in text, r
        assert r in REASON_DOCS, r
