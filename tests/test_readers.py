import gzip
import os
import zlib

import pytest

from corpusclean.readers import FileEntry, RawDirError, decode, discover, read_document, sniff, split_ext
from corpusclean.records import Reject


def _entry(tmp_path, name):
    p = tmp_path / name
    return FileEntry(name, str(p), p.stat().st_size)


def test_discover_sorted_relative_posix_paths(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("z")
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "B.txt").write_text("B")
    (tmp_path / ".hidden").write_text("h")
    entries, rejects = discover(tmp_path)
    assert [e.source for e in entries] == ["B.txt", "a.txt", "b/z.txt"]
    assert rejects == []


def test_symlinks_leaving_root_and_loops_are_rejected(tmp_path):
    root = tmp_path / "raw"
    root.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("do not read")
    (root / "inside.txt").write_text("fine")
    os.symlink(outside, root / "escape.txt")
    os.symlink(root / "inside.txt", root / "alias.txt")
    os.symlink(root / "loop", root / "loop")
    os.symlink(root, root / "dirlink")
    entries, rejects = discover(root)
    assert [e.source for e in entries] == ["alias.txt", "inside.txt"]
    kinds = {r.source: r.error_type for r in rejects}
    assert kinds == {"escape.txt": "symlink", "loop": "symlink", "dirlink": "symlink"}


def test_an_output_folder_inside_raw_is_not_discovered(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    out = tmp_path / "processed"
    (out / "current" / "documents").mkdir(parents=True)
    (out / "current" / "README.md").write_text("card")
    os.symlink("current/README.md", out / "README.md")
    assert [e.source for e in discover(tmp_path, skip=(out,))[0]] == ["a.txt"]
    assert [e.source for e in discover(tmp_path)[0]] == ["a.txt", "processed/README.md", "processed/current/README.md"]
    assert discover(tmp_path, skip=(tmp_path / "not-there",))[0][0].source == "a.txt"
    with pytest.raises(RawDirError, match="cannot be the raw folder"):
        discover(tmp_path, skip=(str(tmp_path) + "/",))


def _bytes_name(path: bytes) -> bool:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(b"A sentence long enough to be a paragraph of running text in this little file.\n")
        return True
    except OSError:  # file systems that only take UTF-8 names
        return False


def test_names_that_are_not_utf8_are_escaped_not_fatal(tmp_path):
    root = os.fsencode(tmp_path)
    if not (_bytes_name(root + b"/caf\xe9.txt") and _bytes_name(root + b"/d\xff/x.txt")):
        pytest.skip("this file system refuses non-UTF-8 names")
    entries, rejects = discover(tmp_path)
    assert [e.source for e in entries] == ["caf\\xe9.txt", "d\\xff/x.txt"] and rejects == []
    doc = read_document(entries[0])
    assert doc.source == "caf\\xe9.txt" and "running text" in doc.text  # read from the real path
    for e in entries:
        e.source.encode("utf-8")  # storable in a UTF-8 column


def test_an_escaped_name_that_names_another_file_is_rejected_not_a_second_document(tmp_path):
    root = os.fsencode(tmp_path)
    if not _bytes_name(root + b"/caf\xe9.txt"):
        pytest.skip("this file system refuses non-UTF-8 names")
    (tmp_path / "caf\\xe9.txt").write_text("The file whose name really is these eight characters.\n")
    entries, rejects = discover(tmp_path)
    assert [e.source for e in entries] == ["caf\\xe9.txt"] and entries[0].path.endswith("caf\\xe9.txt")
    assert [(r.source, r.error_type) for r in rejects] == [("caf\\xe9.txt", "unreadable")]
    assert "escaped form" in rejects[0].message


def test_missing_raw_dir_is_a_clear_error(tmp_path):
    with pytest.raises(RawDirError, match="does not exist"):
        discover(tmp_path / "nope")
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(RawDirError, match="not a directory"):
        discover(f)


@pytest.mark.parametrize(
    "name,fmt,comp",
    [("a.txt", ".txt", ""), ("a.html.gz", ".html", "gzip"), ("dir.x/page", "", ""), ("a.WIKI", ".wiki", ""),
     ("a.tar.xz", ".tar", "xz"), (".hidden", "", "")],
)
def test_split_ext(name, fmt, comp):
    assert split_ext(name) == (fmt, comp)


def test_gzip_is_read_transparently_and_kind_comes_from_inner_extension(tmp_path):
    (tmp_path / "p.html.gz").write_bytes(gzip.compress(b"<html><body><p>Hello there</p></body></html>"))
    doc = read_document(_entry(tmp_path, "p.html.gz"))
    assert doc.format == "html" and doc.compression == "gzip" and "Hello there" in doc.text


def test_truncated_gzip_is_rejected(tmp_path):
    blob = gzip.compress(b"some text " * 1000)
    (tmp_path / "t.txt.gz").write_bytes(blob[: len(blob) // 2])
    r = read_document(_entry(tmp_path, "t.txt.gz"))
    assert r.error_type == "corrupt_compression" and "truncated" in r.message


def test_gzip_bomb_is_capped(tmp_path):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    blob = c.compress(b"\0" * (50 * 1024 * 1024)) + c.flush()
    (tmp_path / "bomb.txt.gz").write_bytes(blob)
    r = read_document(_entry(tmp_path, "bomb.txt.gz"), max_bytes=1_000_000)
    assert r.error_type == "too_large"


def test_empty_and_whitespace_files_are_rejected(tmp_path):
    (tmp_path / "e.txt").write_bytes(b"")
    (tmp_path / "w.txt").write_bytes(b"  \n\t\n")
    assert read_document(_entry(tmp_path, "e.txt")).error_type == "empty"
    assert read_document(_entry(tmp_path, "w.txt")).error_type == "empty"


def test_random_bytes_are_binary_not_text(tmp_path):
    import random

    rnd = random.Random(1)
    (tmp_path / "r.txt").write_bytes(bytes(rnd.randrange(256) for _ in range(3000)))
    r = read_document(_entry(tmp_path, "r.txt"))
    assert r.error_type == "undecodable" and "binary" in r.message


def test_latin1_is_detected_and_decoded(tmp_path):
    text = "Le garçon a commandé un café crème et une tarte aux pêches à la terrasse de l'hôtel."
    (tmp_path / "l.txt").write_bytes(text.encode("latin-1"))
    doc = read_document(_entry(tmp_path, "l.txt"))
    assert doc.text == text
    assert doc.encoding.lower().replace("-", "_") in {"latin_1", "iso8859_1", "cp1252", "iso8859_15", "cp1250"}


def test_utf8_bom_and_utf16_bom():
    assert decode("\ufeffhé".encode("utf-8")) == ("hé", "utf-8-sig")
    assert decode("hé there".encode("utf-16")) == ("hé there", "utf-16")


def test_sniff_by_content():
    assert sniff("<!DOCTYPE html><html><body>x</body></html>") == "html"
    assert sniff("Intro\n== History ==\nThe [[thing]] is {{cite web|x}} old.[[Category:X]]") == "wikitext"
    assert sniff("Just a plain line of text.\nAnother one.") == "text"


def test_extensionless_html_is_sniffed(tmp_path):
    (tmp_path / "page").write_text("<html><head><title>t</title></head><body><p>Body</p></body></html>")
    assert read_document(_entry(tmp_path, "page")).format == "html"


def test_a_50mb_single_line_is_rejected_quickly_not_processed(tmp_path):
    import time

    (tmp_path / "line.txt").write_bytes(b"word " * (10 * 1024 * 1024))
    t = time.perf_counter()
    r = read_document(_entry(tmp_path, "line.txt"))
    assert r.error_type == "line_too_long" and "longer than" in r.message
    assert time.perf_counter() - t < 10


def test_long_but_allowed_lines_and_cr_only_files_are_read(tmp_path):
    from corpusclean.readers import MAX_LINE_CHARS, _first_long_line

    assert _first_long_line("a" * MAX_LINE_CHARS, MAX_LINE_CHARS) is None
    assert _first_long_line("x\n" + "a" * (MAX_LINE_CHARS + 1), MAX_LINE_CHARS) == 2
    assert _first_long_line(("b" * 999 + "\r") * 3000, MAX_LINE_CHARS) is None
    (tmp_path / "cr.txt").write_bytes(b"Some line of text.\r" * 100_000)
    assert read_document(_entry(tmp_path, "cr.txt")).format == "text"


def test_html_with_too_many_tags_is_rejected_before_parsing(tmp_path):
    (tmp_path / "b.html").write_bytes(b"<html><body>" + b"<p>x</p>" * 300_000 + b"</body></html>")
    r = read_document(_entry(tmp_path, "b.html"))
    assert r.error_type == "too_complex"


def test_utf16_without_bom_is_decoded_not_called_binary():
    text = "A plain English paragraph, stored as UTF-16 without a byte-order mark. " * 3
    assert decode(text.encode("utf-16-le")) == (text, "utf-16-le")
    assert decode(text.encode("utf-16-be")) == (text, "utf-16-be")


@pytest.mark.parametrize("text,enc", [
    ("\u201cQuoted\u201d caf\u00e9 \u2013 r\u00e9sum\u00e9 for \u20ac5 at the bar. " * 20, "cp1252"),
    ("Библиотека закрыта на ремонт после весеннего наводнения.\n" * 5, "koi8-r"),
    ("Zażółć gęślą jaźń, powiedział dyrektor szkoły w środę.", "cp1250"),
    ("Ελληνικά κείμενα για δοκιμή της κωδικοποίησης.", "cp1253"),
    ("東京の図書館は春の洪水で地下が被害を受けて以来、修理のため閉鎖されています。\n" * 5, "shift_jis"),
])
def test_legacy_encodings_round_trip(text, enc):
    got = decode(text.encode(enc))
    assert isinstance(got, tuple) and got[0] == text, got


def test_bom_only_file_is_empty(tmp_path):
    (tmp_path / "b.txt").write_bytes(b"\xef\xbb\xbf \n")
    assert read_document(_entry(tmp_path, "b.txt")).error_type == "empty"


ZH = "北京地铁新线路本周三正式开通运营，全长约三十八公里，共设二十座车站。\n沿线居民表示通勤时间明显缩短。\n" * 20
DE = "Der Bürgermeister erklärte am Montag, die Straße werde für drei Wochen gesperrt. Äußerst ärgerlich.\n" * 10


def test_utf16_without_bom_in_cjk_has_few_nul_bytes_and_is_still_text():
    assert decode(ZH.encode("utf-16-le")) == (ZH, "utf-16-le")
    assert decode(ZH.encode("utf-16-be")) == (ZH, "utf-16-be")


def test_utf32_is_not_read_as_utf16():
    assert decode(DE.encode("utf-32")) == (DE, "utf-32")


@pytest.mark.parametrize("text", [DE, ZH, "Библиотека закрыта на ремонт после весеннего наводнения.\n" * 8])
def test_utf8_with_one_bad_byte_stays_utf8(text):
    raw = text.encode("utf-8")
    mid = raw.index(b"\n", len(raw) // 2) + 1
    broken = raw[:mid] + b"\x81" + raw[mid:]  # one corrupted byte (no Windows-1252 character) between two lines
    assert decode(broken) == (text[: text.index("\n", len(text) // 2) + 1] + "\ufffd" + text[text.index("\n", len(text) // 2) + 1 :], "utf-8+replace")
    # a capped download: the file ends inside a multi-byte character
    assert decode(raw + "ä".encode()[:1]) == (text + "\ufffd", "utf-8+replace")


def test_latin1_bytes_inside_utf8_text_are_read_as_their_characters():
    # a UTF-8 article with curly quotes and one pasted Latin-1 line: not a legacy code page for the whole
    text = "It’s the council’s plan, and it’s “final”, the mayor’s office said.\n" * 3
    data = text.encode("utf-8") + "Tickets cost £12 at the café’s door.\n".encode("cp1252") + text.encode("utf-8")
    assert decode(data) == (text + "Tickets cost £12 at the café’s door.\n" + text, "utf-8+replace")


def test_latin1_is_not_taken_for_utf8_with_errors():
    text, enc = decode("Déjà vu: à la carte, crème brûlée, garçon, naïve.".encode("latin-1") * 3)
    assert "crème brûlée" in text and enc != "utf-8+replace"


def test_nul_padding_is_dropped_and_invisible_characters_are_removed():
    assert decode(DE.encode("utf-8") + b"\x00" * 4096) == (DE, "utf-8")
    body = "An ordinary line of article text that carries no odd characters at all.\n" * 4
    dirty = "Other\u200b news\n\u200b\nA co\u00adoperative\x00 agreement.\x07\n" + body
    clean = "Other news\n\nA cooperative agreement.\n" + body  # line breaks (and so line spans) stay
    assert decode(dirty.encode("utf-8")) == (clean, "utf-8")
    assert decode(dirty.encode("utf-16")) == (clean, "utf-16")


LATIN = {
    "cs": "Město v úterý oznámilo, že most bude opraven. Řidiči musí počítat s objížďkou přes centrum.\n",
    "hu": "A kormány kedden bejelentette, hogy új törvényt fogad el a közlekedésről. Árvíztűrő tükörfúrógép.\n",
    "sk": "Vláda v pondelok schválila nový zákon o doprave, ktorý zmení pravidlá pre vodičov a chodcov.\n",
    "es": "El ayuntamiento aprobó el miércoles un nuevo plan de tráfico para los próximos años en España.\n",
    "fr": "À la carte, crème brûlée et garçon : le conseil a adopté mercredi un plan où la sécurité prime.\n",
    "de": "Der Bürgermeister erklärte am Montag, die Straße werde für drei Wochen gesperrt. Äußerst ärgerlich.\n",
}


@pytest.mark.parametrize("lang", sorted(LATIN))
def test_the_language_picks_between_the_two_latin_code_pages(lang):
    # charset-normalizer scores cp1250 and cp1252 equally on such text and picks by its own order
    page = "cp1250" if lang in ("cs", "hu", "sk") else "cp1252"
    for text in (LATIN[lang], LATIN[lang] * 5):
        assert decode(text.encode(page)) == (text, page)


def test_what_the_detector_names_right_is_kept():
    fr = "Le cœur de l'œuvre coûte 5 € à Paris, dit-elle, et la fête continue après minuit.\n" * 3
    assert decode(fr.encode("iso8859_15")) == (fr, "iso8859_15")  # not forced to cp1252 (œ, €)
    last = "See you tomorrow at the small place by the river, the one next to the café"
    assert decode(last.encode("cp1252"))[0] == last  # a legacy é at the very end is not a cut UTF-8 character


def test_padding_and_nul_only_files(tmp_path):
    assert decode(ZH.encode("utf-16-le") + b"\x00" * 512) == (ZH, "utf-16-le")
    (tmp_path / "nul.txt").write_bytes(b"\x00" * 4096)
    r = read_document(_entry(tmp_path, "nul.txt"))
    assert isinstance(r, Reject) and r.error_type == "empty"
