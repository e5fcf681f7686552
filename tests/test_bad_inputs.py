"""Bad inputs: every bad file becomes exactly one `rejects` row or a valid document, the run completes,
and the good files' rows are exactly what they are without the bad files.

No Prefect here: the core `run_pipeline` is what every runner executes per shard.
"""

import gzip
import os
import random
import shutil
import zlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_corpus
from corpusclean import readers
from corpusclean.pipeline import run_pipeline
from corpusclean.readers import FileEntry, read_document
from corpusclean.records import Reject

PARA = ("The committee met on Tuesday to discuss the new budget for the public library, "
        "which has been closed for repairs since the spring floods damaged its basement. ")
RUNNING_AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def make_bad_inputs(d: Path) -> dict[str, tuple[str, str | None]]:
    """Write one file per bad-input kind under `d`.

    Returns {kind: (name relative to d, expected outcome)}: outcome is a reject error_type, "doc" for a
    valid document, or None when either is acceptable (e.g. a guessed encoding).
    """
    d.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(11)
    kinds: dict[str, tuple[str, str | None]] = {}

    def w(kind, name, data, expect):
        p = d / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        kinds[kind] = (name, expect)

    w("binary", "binary.txt", bytes(rnd.randrange(256) for _ in range(8192)), "undecodable")
    w("empty", "empty.txt", b"", "empty")
    w("whitespace_only", "whitespace.txt", b" \n\t\r\n   \n", "empty")
    w("bom_only", "bom_only.txt", b"\xef\xbb\xbf", "empty")
    w("nul_bytes", "nul_bytes.txt", (PARA * 3).encode().replace(b" ", b"\x00", 40), "undecodable")
    w("cp1252", "cp1252.txt", ("\u201cQuoted\u201d caf\u00e9 \u2013 r\u00e9sum\u00e9 for \u20ac5 at the bar. " * 20).encode("cp1252"), "doc")
    w("shift_jis", "shift_jis.txt", ("東京の図書館は春の洪水で地下が被害を受けて以来、修理のため閉鎖されています。\n" * 10).encode("shift_jis"), "doc")
    w("koi8_r", "koi8r.txt", ("Библиотека закрыта на ремонт после весеннего наводнения, сообщили в мэрии города.\n" * 10).encode("koi8-r"), "doc")
    w("utf16_no_bom", "utf16le_nobom.txt", (PARA * 3).encode("utf-16-le"), "doc")
    w("utf16_be_no_bom", "utf16be_nobom.txt", ("A different story, stored big-endian: the ferry to the island resumed service after the storm. " * 3).encode("utf-16-be"), "doc")
    w("invalid_utf16_with_bom", "bad_utf16_bom.txt", b"\xff\xfe" + b"\x00\xd8" * 10, "undecodable")
    w("mixed_encodings", "mixed.txt", (PARA.encode() + "café crème".encode() + " garçon ".encode("latin-1") + PARA.encode()) * 3, None)
    w("utf8_surrogate_bytes", "surrogate.txt", PARA.encode() + b"\xed\xa0\x80" + PARA.encode(), None)
    blob = gzip.compress((PARA * 200).encode())
    w("truncated_gzip", "truncated.txt.gz", blob[: len(blob) // 2], "corrupt_compression")
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"A" * (8 << 20)
    bomb = b"".join(c.compress(chunk) for _ in range(12)) + c.flush()  # 96 MB inflated, ~100 KB on disk
    w("gzip_bomb", "bomb.txt.gz", bomb, "too_large")
    w("gz_of_binary", "gz_of_binary.txt.gz", gzip.compress(bytes(rnd.randrange(256) for _ in range(8192))), "undecodable")
    w("gz_not_gzip", "not_gzip.txt.gz", (PARA * 2).encode(), "corrupt_compression")
    w("corrupt_bz2", "bad.txt.bz2", b"BZh9" + bytes(rnd.randrange(256) for _ in range(500)), "corrupt_compression")
    w("corrupt_xz", "bad.txt.xz", b"\xfd7zXZ\x00" + bytes(rnd.randrange(256) for _ in range(500)), "corrupt_compression")
    w("single_line_50mb", "long_line.txt", b"word " * (10 * 1024 * 1024), "line_too_long")
    w("extremely_long_lines", "long_lines.txt", ((PARA * 2000) + "\n" + PARA + "\n").encode(), "doc")
    w("deeply_nested_html", "nested.html", b"<html><body>" + b"<div>" * 100_000 + b"deep text" + b"</div>" * 100_000 + b"</body></html>", "too_complex")
    w("html_bomb", "bomb.html", b"<html><body>" + b"<p>x</p>" * 300_000 + b"</body></html>", "too_complex")
    w("html_plain_text", "plain.html", (PARA * 3 + "\n\nSecond paragraph about the weather in the valley.\n").encode(), None)
    w("only_markup", "only_markup.html", b"<html><head><style>p{}</style></head><body><div><span></span><br/><img src='x'/></div></body></html>", None)
    w("nul_in_html", "nul_in.html", b"<html><body><p>" + PARA.encode() + b"\x00</p><p>" + PARA.encode() + b"</p></body></html>", None)
    w("bogus_xml_encoding", "xml_decl.html", b"<?xml version='1.0' encoding='bogus-enc'?><html><body><p>" + PARA.encode() + b"</p></body></html>", None)
    w("wikitext_unbalanced", "unbalanced.wiki", b"{{Infobox library\n| name = Main\n{{cite web|url=x\n'''Library''' is [[a [[b]] {{ open\n== Hist ==\n" + PARA.encode() + b"\n}}}}}} ]] [[\n", "doc")
    w("control_characters", "control_chars.txt", (PARA + "\x01\x02\x1b[31m red \x1b[0m\x07 bell\x0b\x0c" + PARA).encode(), "doc")
    w("cr_only_line_endings", "cr_only.txt", (PARA + "\r").encode() * 5, "doc")
    w("no_extension_binary", "noext", bytes(rnd.randrange(256) for _ in range(2048)), "undecodable")
    w("dir_named_like_file", "dir.txt/inside.txt", (PARA + " inside a directory named like a file").encode(), "doc")
    w("unreadable_permissions", "unreadable.txt", (PARA * 2).encode(), "unreadable")
    os.chmod(d / "unreadable.txt", 0)
    return kinds


def add_special_files(d: Path, outside: Path) -> dict[str, tuple[str, str | None]]:
    outside.write_text("secret outside raw")
    os.symlink(outside, d / "escape.txt")
    os.symlink(d / "loop_a", d / "loop_b")
    os.symlink(d / "loop_b", d / "loop_a")
    os.symlink(d / "missing_target", d / "dangling.txt")
    os.symlink(d / "dir.txt", d / "dirlink")
    os.mkfifo(d / "fifo.txt")
    return {"symlink_outside_raw": ("escape.txt", "symlink"), "symlink_loop": ("loop_a", "symlink"),
            "symlink_loop_b": ("loop_b", "symlink"), "dangling_symlink": ("dangling.txt", "symlink"),
            "symlinked_directory": ("dirlink", "symlink"), "fifo": ("fifo.txt", "not_a_file")}


def _simulate_unreadable(monkeypatch, path: Path):
    """As root, chmod 000 does not stop reads; make open() on that one file fail as it would for a user."""
    real_open = open

    def fake_open(file, *a, **kw):
        if os.fspath(file) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, *a, **kw)

    monkeypatch.setattr(readers, "open", fake_open, raising=False)


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("badinputs")
    good_raw = make_corpus(base / "good")
    good_out = base / "good_out"
    run_pipeline(str(good_raw), str(good_out))
    raw = make_corpus(base / "raw")
    kinds = make_bad_inputs(raw / "bad")
    kinds.update(add_special_files(raw / "bad", base / "outside_secret.txt"))
    mp = pytest.MonkeyPatch()
    if RUNNING_AS_ROOT:
        _simulate_unreadable(mp, (raw / "bad" / "unreadable.txt").absolute())
    try:
        summary = run_pipeline(str(raw), str(base / "out"))
    finally:
        mp.undo()
    return raw, base / "out", good_out, kinds, summary


def test_there_are_at_least_20_kinds(bad_run):
    assert len(bad_run[3]) >= 20


def test_every_bad_file_is_exactly_one_reject_or_one_document(bad_run):
    raw, out, _, kinds, summary = bad_run
    docs = pq.read_table(out / "documents").to_pylist()
    rejects = pq.read_table(out / "rejects").to_pylist()
    by_source: dict[str, list] = {}
    for r in docs:
        by_source.setdefault(r["source"], []).append(("doc", r))
    for r in rejects:
        by_source.setdefault(r["source"], []).append((r["error_type"], r))
    problems = []
    for kind, (name, expect) in kinds.items():
        rows = by_source.get(f"bad/{name}", [])
        if len(rows) != 1:
            problems.append(f"{kind}: {len(rows)} rows")
            continue
        got, row = rows[0]
        if got != "doc" and not row["message"]:
            problems.append(f"{kind}: reject without a message")
        if got == "processing_error" and expect is not None:  # a caught exception: allowed only where
            problems.append(f"{kind}: crashed in processing: {row['message']}")  # no outcome is expected
        if expect is not None and got != expect:
            problems.append(f"{kind}: expected {expect}, got {got} ({row.get('message') if got != 'doc' else ''})")
    assert not problems, "\n".join(problems)
    assert summary["table_rows"]["documents"] == len(docs)


def test_unreadable_file_is_rejected(bad_run):
    """Tests run as root, where chmod 000 does not block reads: the read failure is then simulated."""
    _, out, _, _, _ = bad_run
    rej = {r["source"]: r for r in pq.read_table(out / "rejects").to_pylist()}
    r = rej["bad/unreadable.txt"]
    assert r["error_type"] == "unreadable" and "ermission" in r["message"]


def test_decoded_encodings_keep_their_text(bad_run):
    _, out, _, _, _ = bad_run
    docs = {d["source"]: d for d in pq.read_table(out / "documents").to_pylist()}
    raw_text = {s: d for s, d in docs.items()}
    assert "東京の図書館" in raw_text["bad/shift_jis.txt"]["text"]
    assert "Библиотека закрыта" in raw_text["bad/koi8r.txt"]["text"]
    assert "café" in raw_text["bad/cp1252.txt"]["text"] and "résumé" in raw_text["bad/cp1252.txt"]["text"]
    assert raw_text["bad/utf16le_nobom.txt"]["encoding"] == "utf-16-le"
    assert "ferry to the island resumed" in raw_text["bad/utf16be_nobom.txt"]["text"]


def test_good_files_rows_are_unchanged_by_bad_neighbours(bad_run):
    raw, out, good_out, _, _ = bad_run
    good_ids = set(pq.read_table(good_out / "documents").column("doc_id").to_pylist())
    for name in ("documents", "paragraphs", "removed", "citations"):
        a = pq.read_table(out / name)
        b = pq.read_table(good_out / name)
        drop = [c for c in ("run_id",) if c in a.column_names]
        a_rows = [r for r in a.drop_columns(drop).to_pylist() if r["doc_id"] in good_ids]
        b_rows = b.drop_columns(drop).to_pylist()
        assert sorted(map(repr, a_rows)) == sorted(map(repr, b_rows)), name


def test_the_run_record_counts_the_rejects(bad_run):
    _, out, _, _, summary = bad_run
    runs = pq.read_table(out / "runs").to_pylist()
    rows = {x["name"]: x["count"] for x in runs[-1]["table_rows"]}
    assert rows["rejects"] == pq.read_table(out / "rejects").num_rows == summary["table_rows"]["rejects"] > 20


# ------------------------------------------------------------------ generated inputs

_EXTS = ["txt", "html", "wiki", "md", "", "txt.gz", "html.gz"]
_FRAGMENTS = ["<p>", "</p>", "<div>", "</div>", "<html>", "<body>", "{{", "}}", "[[", "]]", "== H ==", "\n", "\n\n",
              "<ref>", "</ref>", "&amp;", "&#0;", "\x00", "\r", "\t", "|", "'''", "* ", "# ", "[1]", "http://x.y/z",
              "References", "From Wikipedia, the free encyclopedia", "Share this", "\ufeff", "\u202e", "é", "日本"]

_text = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(_FRAGMENTS) | st.text(alphabet=st.characters(codec="utf-8"), max_size=30), max_size=60).map("".join),
)
_content = st.one_of(
    st.binary(max_size=600),
    st.tuples(_text, st.sampled_from(["utf-8", "utf-16", "utf-16-le", "cp1252", "latin-1", "shift_jis", "koi8-r"])).map(
        lambda t: t[0].encode(t[1], errors="replace")),
    _text.map(lambda s: s.encode("utf-8", "surrogatepass")),
)


def _write(d: Path, i: int, ext: str, data: bytes) -> str:
    name = f"f{i:02d}" + (f".{ext}" if ext else "")
    if ext.endswith(".gz") and data[:1] != b"!":  # mostly real gzip, sometimes a lie
        data = gzip.compress(data, mtime=0)
    (d / name).write_bytes(data)
    return name


@settings(max_examples=200, deadline=None, derandomize=True)
@given(data=_content, ext=st.sampled_from(_EXTS))
def test_reader_never_raises_on_generated_files(tmp_path_factory, data, ext):
    d = tmp_path_factory.mktemp("gen", numbered=True)
    name = _write(d, 0, ext, data)
    r = read_document(FileEntry(name, str(d / name), len(data)))
    assert isinstance(r, Reject) or isinstance(r.text, str)
    shutil.rmtree(d, ignore_errors=True)


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
@given(files=st.lists(st.tuples(st.sampled_from(_EXTS), _content), min_size=1, max_size=6))
def test_pipeline_on_generated_files_gives_one_row_per_file(tmp_path_factory, files):
    base = tmp_path_factory.mktemp("genrun", numbered=True)
    raw = base / "raw"
    raw.mkdir()
    names = [_write(raw, i, ext, data) for i, (ext, data) in enumerate(files)]
    summary = run_pipeline(str(raw), str(base / "out"))
    docs = pq.read_table(base / "out" / "documents").column("source").to_pylist()
    rej = pq.read_table(base / "out" / "rejects").to_pylist()
    assert sorted(docs + [r["source"] for r in rej]) == sorted(names)
    assert not [r for r in rej if r["error_type"] == "processing_error"], rej
    assert summary["table_rows"]["documents"] == len(docs)
    shutil.rmtree(base, ignore_errors=True)
