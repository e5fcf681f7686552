"""Split a decoded text dump into blocks: one block per non-blank raw line, with its 1-based line number."""

from __future__ import annotations

from .records import Block


def split_lines(text: str) -> list[Block]:
    """One Block per non-blank line. Line numbers count every line break the way editors do
    (\\n, \\r\\n and lone \\r), so `raw_start` points at the line a user sees."""
    out: list[Block] = []
    # str.splitlines also splits on \x0b, \x0c, \x1c-\x1e, \x85, \u2028, \u2029; we want the
    # editor notion of a line, so normalise CRLF/CR first and split on \n only.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for i, line in enumerate(lines, start=1):
        if line.strip():
            out.append(Block(text=line, raw_start=i, raw_end=i))
    return out
