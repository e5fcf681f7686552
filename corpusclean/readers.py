"""Find raw files and turn each into a decoded RawDocument, or a Reject that says why not.

Nothing here raises for a bad file: every failure becomes a Reject row so the run goes on.
"""

from __future__ import annotations

import bz2
import codecs
import hashlib
import lzma
import os
import re
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from .language import detect_language
from .records import RawDocument, Reject

TEXT_EXT = {".txt", ".text", ".md", ""}
HTML_EXT = {".html", ".htm", ".xhtml"}
WIKI_EXT = {".wiki", ".wikitext", ".mediawiki"}
COMPRESSED_EXT = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz"}


# A text dump is lines of prose: one "line" of more than this many characters is not a page copied
# as text (a minified blob, a base64 dump, a 50 MB single line) and would cost minutes and gigabytes
# downstream (blocks, language id, MinHash shingles), so the file is rejected as `line_too_long`.
MAX_LINE_CHARS = 1_000_000
# HTML with more tags than this is rejected as `too_complex` before parsing (an "HTML bomb" of
# hundreds of thousands of elements costs seconds and hundreds of MB in lxml/trafilatura).
MAX_HTML_TAGS = 500_000


@dataclass(frozen=True, slots=True)
class FileEntry:
    source: str  # relative to the raw root, '/'-separated
    path: str  # absolute path
    size: int
    mtime_ns: int = 0  # with size, inode and ctime: finds an unchanged file's hash without reading it
    inode: int = 0
    ctime_ns: int = 0  # also moves on chmod, and when an edit is hidden by restoring the mtime (`touch -r`)


class RawDirError(ValueError):
    """The raw directory itself is unusable (missing, not a directory, unreadable)."""


def discover(raw_root: str | os.PathLike, skip: tuple[str | os.PathLike, ...] = ()) -> tuple[list[FileEntry], list[Reject]]:
    """Every regular file under `raw_root`, sorted by relative path (bytewise on UTF-8).

    Hidden files and folders (name starting with '.') are skipped. Symlinks are followed only
    when their target is a regular file inside the raw root; any other symlink is rejected, and
    symlinked directories are never walked (no loops, no escaping the root).
    Folders in `skip` are not walked: the run's output folder, when it sits inside the raw folder
    (`--raw data --out data/processed`), would otherwise feed the tables' data card back in as a
    document and reject the table links. `skip` holding the raw folder itself is an error.
    """
    if not str(raw_root).strip():  # Path("") would be the current directory
        raise RawDirError("the raw directory is an empty path")
    root = Path(raw_root)
    if not root.exists():
        raise RawDirError(f"raw directory does not exist: {root}")
    if not root.is_dir():
        raise RawDirError(f"raw path is not a directory: {root}")
    if not os.access(root, os.R_OK | os.X_OK):
        raise RawDirError(f"raw directory is not readable: {root}")
    real_root = root.resolve()
    skip_ids = set()
    for d in skip:
        try:
            st = os.stat(d)
        except OSError:  # not there (yet): nothing to skip
            continue
        if Path(d).resolve() == real_root:
            raise RawDirError(f"the output folder cannot be the raw folder itself: {root}")
        skip_ids.add((st.st_dev, st.st_ino))
    abs_root = str(root.absolute())
    entries: list[FileEntry] = []
    rejects: list[Reject] = []
    # os.scandir by hand rather than os.walk + pathlib: DirEntry carries the file type and caches
    # stat, which makes discovery of 100k files ~3x cheaper; the rules are the same.
    stack = [("", abs_root)]
    while stack:
        rel_dir, abs_dir = stack.pop()
        try:
            with os.scandir(abs_dir) as it:
                listing = list(it)
        except OSError as err:
            rejects.append(Reject(rel_dir or ".", "unreadable", f"cannot list directory: {err.strerror}"))
            continue
        for e in listing:
            name = e.name
            if name.startswith("."):
                continue
            rel = rel_dir + utf8_name(name)
            try:
                is_link = e.is_symlink()
            except OSError:
                is_link = False
            try:
                is_dir = e.is_dir()  # follows a link, as os.walk does when it sorts names into dirs/files
            except OSError:  # e.g. a link loop: handled as a file link below
                is_dir = False
            if is_dir:
                if is_link:
                    rejects.append(Reject(rel, "symlink", "symlinked directory not followed"))
                elif not skip_ids or _dir_id(e) not in skip_ids:
                    stack.append((rel + "/", e.path))
                continue
            if is_link:
                try:
                    target = Path(e.path).resolve(strict=True)
                except (OSError, RuntimeError) as err:  # broken link or loop
                    rejects.append(Reject(rel, "symlink", f"broken or looping symlink: {err}"))
                    continue
                if not target.is_relative_to(real_root):
                    rejects.append(Reject(rel, "symlink", "symlink points outside the raw directory"))
                    continue
            try:
                st = e.stat()
            except OSError as err:
                rejects.append(Reject(rel, "unreadable", f"cannot stat file: {err.strerror}"))
                continue
            if not _is_regular(st.st_mode):
                rejects.append(Reject(rel, "not_a_file", "not a regular file"))
                continue
            entries.append(FileEntry(rel, e.path, st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns))
    entries.sort(key=lambda e: (e.source.encode("utf-8", "surrogateescape"), not _genuine_name(e.path[len(abs_root):])))
    unique: list[FileEntry] = []
    for e in entries:  # an escaped name can equal a real one ('caf\xe9.txt'): one source, one document
        if unique and unique[-1].source == e.source:
            rejects.append(Reject(e.source, "unreadable", "file name is not UTF-8, and its escaped form is the "
                                  "name of another file: rename it"))
        else:
            unique.append(e)
    rejects.sort(key=lambda r: r.source.encode("utf-8", "surrogateescape"))
    return unique, rejects


def _genuine_name(path: str) -> bool:
    try:
        path.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def utf8_name(name: str) -> str:
    """`name` as valid UTF-8 text: bytes of a file name that are not UTF-8 (Python holds them as lone
    surrogates) become `\\xNN` escapes: every output column is UTF-8 and Arrow refuses surrogates
    (one such name failed its whole shard). The file itself is still read from its real path."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _dir_id(e: os.DirEntry) -> tuple[int, int] | None:
    try:
        st = e.stat(follow_symlinks=False)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _is_regular(mode: int) -> bool:
    import stat

    return stat.S_ISREG(mode)


def split_ext(source: str) -> tuple[str, str]:
    """(content extension, compression) from a file name: 'a/b.html.gz' -> ('.html', 'gzip')."""
    name = source.rsplit("/", 1)[-1].lower()
    comp = ""
    for ext, kind in COMPRESSED_EXT.items():
        if name.endswith(ext):
            comp = kind
            name = name[: -len(ext)]
            break
    dot = name.rfind(".")
    ext = name[dot:] if dot > 0 else ""
    return ext, comp


def read_document(entry: FileEntry, max_bytes: int = 64_000_000) -> RawDocument | Reject:
    """Read, decompress, sniff and decode one file. Never raises for bad content."""
    try:
        with open(entry.path, "rb") as f:
            data = f.read(max_bytes + 1)
    except IsADirectoryError:
        return Reject(entry.source, "not_a_file", "is a directory")
    except PermissionError as e:
        return Reject(entry.source, "unreadable", "permission denied")
    except OSError as e:
        return Reject(entry.source, "unreadable", f"cannot read file: {e.strerror or e}")
    if len(data) > max_bytes:
        return Reject(entry.source, "too_large", f"file is larger than the limit of {max_bytes} bytes")
    digest = hashlib.sha256(data).hexdigest()
    ext, comp = split_ext(entry.source)
    if comp:
        try:
            data = _decompress(data, comp, max_bytes)
        except _TooLarge:
            return Reject(entry.source, "too_large", f"decompressed size exceeds {max_bytes} bytes (compression bomb?)", digest)
        except _Truncated as e:
            return Reject(entry.source, "corrupt_compression", f"truncated {comp} stream: {e}", digest)
        except Exception as e:  # noqa: BLE001 - any codec error is a bad file, not a crash
            return Reject(entry.source, "corrupt_compression", f"cannot decompress {comp}: {type(e).__name__}: {e}", digest)
    if not data.strip(b" \t\r\n\x0b\x0c\x00"):
        return Reject(entry.source, "empty", "file is empty or whitespace (or NUL bytes) only", digest)
    decoded = decode(data)
    if isinstance(decoded, str):
        return Reject(entry.source, "undecodable", decoded, digest)
    text, encoding = decoded
    if not text.strip():
        return Reject(entry.source, "empty", f"file has no text after decoding ({encoding})", digest)
    fmt = _format_for(ext, text)
    if fmt == "html":
        n_tags = text.count("<")
        if n_tags > MAX_HTML_TAGS:
            return Reject(entry.source, "too_complex", f"HTML has {n_tags} tags, more than the limit of {MAX_HTML_TAGS}", digest)
    else:
        where = _first_long_line(text, MAX_LINE_CHARS)
        if where is not None:
            return Reject(entry.source, "line_too_long",
                          f"a line starting at character {where} is longer than {MAX_LINE_CHARS} characters: not a text dump",
                          digest)
    return RawDocument(
        source=entry.source,
        sha256=digest,
        format=fmt,
        compression=comp,
        encoding=encoding,
        text=text,
        size=entry.size,
    )


def _first_long_line(text: str, cap: int) -> int | None:
    """Offset of the first line longer than `cap` characters, or None. O(len(text)), no copies.

    Jumps a window of `cap` characters at a time: if the window after a line start holds no line
    break, that line is too long; otherwise continue after the window's last line break.
    """
    n = len(text)
    pos = 0
    while n - pos > cap:
        end = pos + cap + 1
        j = max(text.rfind("\n", pos, end), text.rfind("\r", pos, end))
        if j < 0:
            return pos
        pos = j + 1
    return None


class _TooLarge(Exception):
    pass


class _Truncated(Exception):
    pass


def _decompress(data: bytes, comp: str, max_bytes: int) -> bytes:
    """Streamed decompression with an output cap, so a bomb costs at most `max_bytes`."""
    if comp == "gzip":
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = bytearray()
        buf = data
        while True:
            chunk = d.decompress(buf, max_bytes + 1 - len(out))
            out += chunk
            if len(out) > max_bytes:
                raise _TooLarge()
            if d.eof:
                rest = d.unused_data
                # concatenated gzip members are legal (gzip -c a b > c); decode them all
                if rest.strip(b"\x00"):
                    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    buf = rest
                    continue
                return bytes(out)
            buf = d.unconsumed_tail
            if not buf:
                raise _Truncated("stream ended before the end-of-stream marker")
    if comp == "bzip2":
        dec = bz2.BZ2Decompressor()
    else:
        dec = lzma.LZMADecompressor()
    out = dec.decompress(data, max_length=max_bytes + 1)
    if len(out) > max_bytes:
        raise _TooLarge()
    if not dec.eof:
        raise _Truncated("stream ended before the end-of-stream marker")
    return out


# C0 control bytes that never appear in text (tab, LF, VT, FF, CR and ESC excluded).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27)) + b"\x7f"
_CONTROL_TABLE = bytes.maketrans(_CONTROL, b"\x00" * len(_CONTROL))


# Characters dropped from decoded text: C0 controls other than tab and the line breaks (\t \n \v \f
# \r; ESC is kept), DEL, and the invisible soft hyphen, zero-width space, word joiner and a BOM in mid
# text. They carry no text, break tools downstream (NUL in PostgreSQL, XML), and make equal lines
# unequal: a zero-width space in "Other news" hid the heading from its rule. Line breaks are kept, so
# raw line spans do not move. (ZWJ/ZWNJ are kept: Persian, Indic scripts and emoji need them.)
_SCRUB = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f\u00ad\u200b\u2060\ufeff]")
_SCRUB_BYTES = bytes(range(0, 9)) + bytes(range(0x0E, 0x1B)) + bytes(range(0x1C, 0x20)) + b"\x7f"
_SCRUB_UTF8 = ("\u00ad".encode(), "\u200b".encode(), "\u2060".encode(), "\ufeff".encode())


def _scrub(text: str, data: bytes | None = None) -> str:
    """`text` without the `_SCRUB` characters; `data` (its UTF-8 bytes) answers "any?" ~10x faster."""
    if data is not None:
        if len(data.translate(None, _SCRUB_BYTES)) == len(data) and not any(b in data for b in _SCRUB_UTF8):
            return text
    return _SCRUB.sub("", text)


def decode(data: bytes) -> tuple[str, str] | str:
    """(text, encoding) or an error message. UTF-8 first (BOM honoured), then charset-normalizer.

    Binary content is refused before detection: a detector will happily "decode" random bytes.
    The text comes back without the characters of `_SCRUB`.
    """
    decoded = _decode(data)
    if isinstance(decoded, str):
        return decoded
    text, enc = decoded
    return _scrub(text, data if enc == "utf-8" else None), enc


def _decode(data: bytes) -> tuple[str, str] | str:
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):  # before UTF-16: same first bytes
        try:
            return data.decode("utf-32"), "utf-32"
        except UnicodeDecodeError:
            return "invalid UTF-32 despite a byte-order mark"
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return "invalid UTF-16 despite a byte-order mark"
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    whole, data = data, data.rstrip(b"\x00")  # NUL padding after the text (a preallocated file)
    if not data.strip():
        return "no text: only NUL bytes and whitespace"
    sample = data[:65536]
    n_ctrl = len(sample) - len(sample.translate(None, _CONTROL))
    if n_ctrl and n_ctrl / len(sample) > 0.01:
        unmarked = _utf16_unmarked_cjk(whole[: (len(data) + 1) // 2 * 2])  # padding off, 16-bit units whole
        if unmarked is not None:
            return unmarked
        return f"binary content: {n_ctrl} control bytes in the first {len(sample)} bytes"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        lossy = _mostly_utf8(data, err)
        if lossy is not None:
            return lossy
    matches = from_bytes(data[:1_000_000] if len(data) > 1_000_000 else data)
    best = matches.best()
    enc = best.encoding if best is not None else None
    if enc in _LATIN_PAGES:
        enc = _latin_page_by_language(data, enc)
    elif _prefer_cp1252(data, enc):
        enc = "cp1252"
    if enc is None:
        return "not valid UTF-8 and no text encoding could be detected"
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError) as e:
        return f"detected encoding {enc} failed to decode: {e}"
    if text.count("\ufffd") > max(10, len(text) // 100):
        return f"decoded as {enc} but the text is mostly replacement characters"
    return text, enc


def _lone_byte_as_cp1252(err: UnicodeDecodeError) -> tuple[str, int]:
    """Decoding error handler: bytes that are not UTF-8 become their Windows-1252 characters (a Latin-1
    '£' or 'é’' pasted into UTF-8 text); a byte Windows-1252 leaves undefined makes the span U+FFFD."""
    bad = err.object[err.start:err.end]
    if len(bad) <= 3:  # "é’" as cp1252 bytes (E9 92) looks like the start of a 3-byte character: one span
        try:
            return bad.decode("cp1252"), err.end
        except UnicodeDecodeError:
            pass
    return "\ufffd", err.end


codecs.register_error("corpusclean-cp1252", _lone_byte_as_cp1252)


def _mostly_utf8(data: bytes, err: UnicodeDecodeError) -> tuple[str, str] | None:
    """UTF-8 with some bad bytes (a Latin-1 character in UTF-8 text, a corrupted byte, a character cut
    at the end of a capped download) read as UTF-8, encoding `utf-8+replace`: a lone bad byte as its
    Windows-1252 character, other bad sequences as U+FFFD. Otherwise a detector takes the whole file
    for a legacy code page: German read as ISO-8859-14 (every umlaut mojibake), a UTF-8 article with
    one Latin-1 '£' as Mac Icelandic (every '’' became '‚Äô'), Chinese or Russian rejected outright.
    "Some": no more bad sequences than well-formed non-ASCII characters, and at least 3 of those.
    Latin-1/cp1252 text has almost no well-formed multi-byte sequences, so it still goes to the
    detector."""
    if err.reason == "unexpected end of data" and err.end == len(data) and not data[: err.start].isascii():
        try:  # only the last character is cut (and the rest has UTF-8 of its own): drop it
            return data[: err.start].decode("utf-8") + "\ufffd", "utf-8+replace"
        except UnicodeDecodeError:
            pass
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore")) - bad
    if non_ascii >= max(3, bad):
        return data.decode("utf-8", "corpusclean-cp1252"), "utf-8+replace"
    return None


# Non-ASCII characters of Western European text (French, German, Spanish, Italian, Dutch, Nordic,
# Portuguese) and typographic punctuation: what cp1252 text is made of.
_WESTERN = set("àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿœßÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŸŒ“”‘’„–—…€«»°·•©®™§¶½¼¾£¥¢¡¿\u00a0")


def _western_share(text: str) -> float:
    non_ascii = [c for c in text if ord(c) > 127]
    return sum(c in _WESTERN for c in non_ascii) / len(non_ascii) if non_ascii else 0.0


# The two Latin code pages of the web and the languages written in each. charset-normalizer often
# cannot tell them apart (equal scores, broken by its own order): it named cp1250 for Latin-1 Spanish
# ("años" read as "ańos") and German, and cp1252 for Slovak ("vodičov" read as "vodièov").
# The language decides, as a browser's locale does: CLD2 names it even with a few wrong letters.
_LATIN_PAGES = {"cp1250", "cp1252"}  # not ISO-8859-15 (œ, €) or -2: those the detector names right
_CP1250_LANGS = {"cs", "sk", "pl", "hu", "sl", "hr", "bs", "sr", "ro", "sq"}
_CP1252_LANGS = {"en", "fr", "de", "es", "it", "pt", "nl", "da", "sv", "no", "nb", "nn", "fi", "is", "ca",
                 "eu", "gl", "ga", "cy", "af", "lb", "fo", "oc", "br", "id", "ms", "sw", "la"}


def _latin_page_by_language(data: bytes, enc: str) -> str:
    sample = data[:20_000]
    for page in ("cp1252", "cp1250"):
        try:
            lang = detect_language(sample.decode(page))
        except UnicodeDecodeError:
            continue
        if lang in _CP1250_LANGS:
            return _decodes(data, "cp1250") or enc
        if lang in _CP1252_LANGS:
            return _decodes(data, "cp1252") or enc
    return enc


def _decodes(data: bytes, enc: str) -> str | None:
    try:
        data.decode(enc)
        return enc
    except UnicodeDecodeError:
        return None


def _prefer_cp1252(data: bytes, detected: str | None) -> bool:
    """Western European prior: charset-normalizer sometimes names a Baltic or DOS code page (cp775,
    cp1257, ...) for plain cp1252 text with curly quotes and accents. Take cp1252 when it decodes
    cleanly into text whose non-ASCII characters are almost all Western letters and punctuation,
    and clearly more so than the detector's choice, and accented letters stay a minority of the
    letters as in Western languages (Polish cp1250, Greek or Russian text read as cp1252 is not)."""
    sample = data[:200_000]
    try:
        as_1252 = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    share = _western_share(as_1252)
    if share < 0.9:
        return False
    letters = [c for c in as_1252 if c.isalpha()]
    if not letters or sum(ord(c) > 127 for c in letters) > 0.3 * len(letters):
        return False  # Greek, Cyrillic, ... read as cp1252 is almost all accented letters
    if detected is None:
        return True
    try:
        other = _western_share(sample.decode(detected, errors="replace"))
    except LookupError:
        return True
    return share - other >= 0.3


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a byte-order mark: NUL bytes on one side of (almost) every ASCII pair.

    Without this, such a file is refused as binary (half its bytes are NUL).
    """
    sample = data[:65536]
    if len(sample) < 8:
        return None
    sample = sample[: len(sample) // 2 * 2]
    pairs = len(sample) // 2
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    if odd_nul >= 0.3 * pairs and even_nul <= 0.02 * pairs:
        enc = "utf-16-le"
    elif even_nul >= 0.3 * pairs and odd_nul <= 0.02 * pairs:
        enc = "utf-16-be"
    else:
        return None
    try:
        text = data[: len(data) // 2 * 2].decode(enc)
    except UnicodeDecodeError:
        return None
    ctrl = sum(1 for ch in text[:32768] if ch < " " and ch not in "\t\n\r\x0b\x0c\x1b")
    if ctrl > 0.01 * min(len(text), 32768):
        return None
    return text, enc


# Where UTF-16 text without a byte-order mark lives when it is not mostly ASCII (whose NUL bytes
# `_utf16_without_bom` looks for): CJK ideographs, kana, Hangul, CJK and full-width punctuation.
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))
_CJK_UTF16 = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")


def _utf16_unmarked_cjk(data: bytes) -> tuple[str, str] | None:
    """Chinese, Japanese or Korean UTF-16 without a byte-order mark: few NUL bytes, so it looked like
    binary. Taken when one byte order decodes strictly (random bytes hit an unpaired surrogate within
    a few dozen characters) into text that is >= 80 % CJK and has no control, private-use or
    unassigned characters, and the bytes are not mostly printable ASCII: two ASCII letters read as
    one UTF-16 unit give an ideograph too (b"Ot" is U+4F74), so ASCII text with control bytes would
    otherwise pass for Chinese."""
    sample = data[: min(len(data), 65536) // 2 * 2]
    if len(sample.translate(None, _PRINTABLE_ASCII)) < 0.15 * len(sample):
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            head = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        if not head or any(ch < " " and ch not in "\t\n\r" for ch in head):
            continue
        if sum(unicodedata.category(ch) in ("Co", "Cn") for ch in head) > 0.001 * len(head):
            continue  # private-use or unassigned code points: not text
        letters = sum(1 for ch in head if not ch.isspace() and not ch.isascii())
        if len(_CJK_UTF16.findall(head)) < 0.8 * max(letters, 1) or letters < 0.5 * len(head):
            continue
        try:
            return data[: len(data) // 2 * 2].decode(enc), enc
        except UnicodeDecodeError:
            return None
    return None


def _format_for(ext: str, text: str) -> str:
    if ext in HTML_EXT:
        return "html"
    if ext in WIKI_EXT:
        return "wikitext"
    if ext in {".txt", ".text", ".md"}:
        return "text"
    return sniff(text)


def sniff(text: str) -> str:
    """Guess the format of a file whose extension says nothing."""
    head = text[:4096].lstrip("\ufeff \t\r\n").lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head or "<html" in head:
        return "html"
    if head.startswith("<") and ("</p>" in head or "</div>" in head or "<head" in head):
        return "html"
    sample = text[:20000]
    wiki_signals = sample.count("{{") + sample.count("[[") + sample.count("\n==") + sample.count("<ref")
    if wiki_signals >= 3 and ("[[" in sample or "{{" in sample):
        return "wikitext"
    return "text"
