"""End-to-end behaviour of the core pipeline (no Prefect): lineage, text, rejects, determinism."""

import os
import shutil
import time
from collections import defaultdict

import pyarrow.parquet as pq
import pytest

from conftest import SEEDS, make_corpus, reversed_copy
from corpusclean.config import PipelineConfig
from corpusclean.pipeline import run_pipeline
from corpusclean.readers import read_document, FileEntry


def _tables(out):
    return {name: pq.read_table(out / name) for name in ("documents", "paragraphs", "removed", "citations", "rejects")}


def _rows(out, drop=("run_id",)):
    res = {}
    for name, t in _tables(out).items():
        t = t.drop_columns([c for c in drop if c in t.column_names])
        res[name] = sorted(map(repr, t.to_pylist()))
    return res


def test_every_nonblank_line_lands_in_exactly_one_row(seed_run):
    raw, out, _ = seed_run
    t = _tables(out)
    docs = t["documents"].to_pylist()
    spans = defaultdict(list)
    for name in ("paragraphs", "removed"):
        for r in t[name].select(["doc_id", "raw_start", "raw_end"]).to_pylist():
            spans[r["doc_id"]].append((r["raw_start"], r["raw_end"]))
    checked = 0
    for d in docs:
        if d["format"] not in ("text", "wikitext"):
            continue
        p = raw / d["source"]
        doc = read_document(FileEntry(d["source"], str(p), p.stat().st_size))
        lines = doc.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        want = [i for i, line in enumerate(lines, 1) if line.strip()]
        covered = defaultdict(int)
        for a, b in spans[d["doc_id"]]:
            for i in range(a, b + 1):
                covered[i] += 1
        assert all(covered[i] == 1 for i in want), d["source"]
        # spans never invent lines: everything covered is a real line of the file
        assert set(covered) <= set(range(1, len(lines) + 1)), d["source"]
        checked += 1
    assert checked >= 9  # 5 seeds + the text fixtures


def test_html_blocks_are_all_accounted_for(seed_run):
    _, out, _ = seed_run
    t = _tables(out)
    for d in t["documents"].to_pylist():
        positions = [r["position"] for r in t["paragraphs"].to_pylist() if r["doc_id"] == d["doc_id"]]
        positions += [r["position"] for r in t["removed"].to_pylist() if r["doc_id"] == d["doc_id"]]
        assert sorted(positions) == list(range(d["n_blocks"])), d["source"]


def test_document_text_is_the_kept_paragraphs_joined(seed_run):
    _, out, _ = seed_run
    t = _tables(out)
    paras = defaultdict(list)
    for r in t["paragraphs"].to_pylist():
        paras[r["doc_id"]].append((r["position"], r["text"]))
    for d in t["documents"].to_pylist():
        kept = [text for _, text in sorted(paras[d["doc_id"]])]
        assert d["text"] == "\n\n".join(kept)
        assert d["n_paragraphs"] == len(kept)


def test_bad_files_become_rejects_and_latin1_is_decoded(seed_run):
    raw, out, _ = seed_run
    t = _tables(out)
    rejects = {r["source"]: r for r in t["rejects"].to_pylist()}
    assert set(rejects) == {"bad/random.bin.txt", "bad/empty.txt", "bad/truncated.txt.gz"}
    assert all(r["message"] and r["error_type"] for r in rejects.values())
    docs = {d["source"]: d for d in t["documents"].to_pylist()}
    latin = docs["bad/latin1.txt"]
    assert "café" in latin["text"] and "garçon" in latin["text"]
    assert latin["encoding"] != "utf-8"


def test_bad_files_do_not_change_other_documents(seed_run, tmp_path):
    raw, out, _ = seed_run
    clean_raw = make_corpus(tmp_path / "raw")
    clean_out = tmp_path / "out"
    run_pipeline(str(clean_raw), str(clean_out))
    with_bad = _rows(out)
    without = _rows(clean_out)
    bad_ids = {d["doc_id"] for d in _tables(out)["documents"].to_pylist() if d["source"].startswith("bad/")}
    for name in ("paragraphs", "removed", "citations"):
        filtered = [r for r in with_bad[name] if not any(b in r for b in bad_ids)]
        assert filtered == without[name], name


def test_same_input_gives_same_rows_whatever_the_listing_order(tmp_path):
    a = make_corpus(tmp_path / "a")
    b = reversed_copy(a, tmp_path / "b")
    run_pipeline(str(a), str(tmp_path / "out_a"))
    run_pipeline(str(b), str(tmp_path / "out_b"))
    run_pipeline(str(a), str(tmp_path / "out_a"), refresh=True)  # a second run over the same raw/
    assert _rows(tmp_path / "out_a") == _rows(tmp_path / "out_b")


def test_identical_files_are_two_documents_the_later_all_duplicate(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    src = SEEDS / "002_b6c712ec61cb5490.txt"
    shutil.copy(src, raw / "a.txt")
    shutil.copy(src, raw / "b.txt")
    run_pipeline(str(raw), str(tmp_path / "out"))
    t = _tables(tmp_path / "out")
    docs = {d["source"]: d for d in t["documents"].to_pylist()}
    assert docs["b.txt"]["n_paragraphs"] == 0 and docs["a.txt"]["n_paragraphs"] > 0
    kept_a = {(r["doc_id"], r["position"]) for r in t["paragraphs"].to_pylist()}
    removed_a = {r["position"]: r["reason"] for r in t["removed"].to_pylist() if r["doc_id"] == docs["a.txt"]["doc_id"]}
    b_rows = [r for r in t["removed"].to_pylist() if r["doc_id"] == docs["b.txt"]["doc_id"]]
    # the SPEC: every block of the later copy is in `removed` with reason duplicate, pointing at the earlier
    assert len(b_rows) == docs["b.txt"]["n_removed"] == docs["b.txt"]["n_duplicates"] == len(kept_a) + len(removed_a)
    assert removed_a and all(r["reason"] == "duplicate" for r in b_rows)
    for r in b_rows:
        if r["position"] in removed_a:  # boilerplate in the original too: the same removed block, and why
            assert (r["duplicate_of_doc"], r["duplicate_of_position"]) == (docs["a.txt"]["doc_id"], r["position"])
            assert r["detail"] == f"whole-document copy; removed in original: {removed_a[r['position']]}"
        else:
            assert (r["duplicate_of_doc"], r["duplicate_of_position"]) in kept_a


@pytest.mark.parametrize("name", ["bob's corpus", "what?", "back\\slash"])
def test_folders_with_quotes_question_marks_or_backslashes_in_their_names_work(tmp_path, name):
    # paths reach DuckDB inside SQL string literals (a quote must not end one) and as database and
    # output paths (DuckDB reads a '?' in a database path as the start of parameters, and a backslash
    # in a database path or a partitioned output folder as a separator)
    raw = tmp_path / "it's raw"
    raw.mkdir()
    src = SEEDS / "004_d5ee75dd0f86cf55.txt"
    shutil.copy(src, raw / "a.txt")
    shutil.copy(src, raw / "b.txt")
    out = tmp_path / name / "processed"
    run_pipeline(str(raw), str(out))
    docs = {d["source"]: d for d in _tables(out)["documents"].to_pylist()}
    assert docs["a.txt"]["n_paragraphs"] > 0
    assert docs["b.txt"]["n_paragraphs"] == 0 and docs["b.txt"]["n_duplicates"] > 0


def test_an_output_folder_inside_raw_is_not_read_back(tmp_path):
    raw = make_corpus(tmp_path / "data")
    run_pipeline(str(raw), str(tmp_path / "apart"))
    for _ in range(2):  # the second run finds the first run's tables, links and card under raw/
        s = run_pipeline(str(raw), str(raw / "processed"))
        assert s["table_rows"]["rejects"] == _tables(tmp_path / "apart")["rejects"].num_rows
    assert _rows(raw / "processed") == _rows(tmp_path / "apart")


def test_a_file_name_that_is_not_utf8_is_a_document_with_an_escaped_source(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEEDS / "004_d5ee75dd0f86cf55.txt", raw / "a.txt")
    try:
        with open(os.fsencode(raw) + b"/b\xe9.txt", "wb") as f:
            f.write(b"A sentence long enough to be a paragraph of running text in this little file.\n")
    except OSError:
        pytest.skip("this file system refuses non-UTF-8 names")
    s = run_pipeline(str(raw), str(tmp_path / "out"))
    docs = {d["source"]: d for d in _tables(tmp_path / "out")["documents"].to_pylist()}
    assert s["table_rows"]["rejects"] == 0 and set(docs) == {"a.txt", "b\\xe9.txt"}
    assert "running text" in docs["b\\xe9.txt"]["text"]


def test_every_duplicate_names_a_kept_survivor(seed_run):
    _, out, _ = seed_run
    t = _tables(out)
    kept = {(r["doc_id"], r["position"]) for r in t["paragraphs"].select(["doc_id", "position"]).to_pylist()}
    dups = [r for r in t["removed"].to_pylist() if r["reason"] == "duplicate"]
    assert dups, "the seeds contain a repeated paragraph"
    for r in dups:
        assert (r["duplicate_of_doc"], r["duplicate_of_position"]) in kept


def test_runs_table_records_counts(seed_run):
    _, out, summary = seed_run
    runs = pq.read_table(out / "runs").to_pylist()
    assert runs[-1]["run_id"] == summary["run_id"]
    rows = {x["name"]: x["count"] for x in runs[-1]["table_rows"]}
    assert rows["documents"] == pq.read_table(out / "documents").num_rows
    by_reason = {x["name"]: x["count"] for x in runs[-1]["removed_by_reason"]}
    assert sum(by_reason.values()) == pq.read_table(out / "removed").num_rows
    card = (out / "README.md").read_text()
    assert card.startswith("# Clean corpus") and f"| `runs` | {len(runs)} |" in card


def test_document_changes_count_documents_not_rejected_files(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    text = "A paragraph of running text, long enough to be the content of this small page.\n"
    for i in range(3):
        (raw / f"t{i}.txt").write_text(text.replace("A paragraph", f"Paragraph {i}"))
    (raw / "blob.bin").write_bytes(bytes(range(256)) * 8)
    (raw / "empty.txt").write_text("")

    def changes():
        r = pq.read_table(out / "runs").to_pylist()[-1]
        return r["docs_new"], r["docs_changed"], r["docs_deleted"], r["docs_unchanged"]

    run_pipeline(str(raw), str(out))
    assert changes() == (3, 0, 0, 0)
    ids = {r["source"]: r["doc_id"] for r in pq.read_table(out / "documents").to_pylist()}
    run_pipeline(str(raw), str(out))
    assert changes() == (0, 0, 0, 3)
    (raw / "t1.txt").write_bytes(b"\x00\x01\x02" * 400)  # a document whose file turns binary
    run_pipeline(str(raw), str(out))
    assert changes() == (0, 0, 1, 2)
    rej = {r["source"]: r for r in pq.read_table(out / "rejects").to_pylist()}
    assert set(rej) == {"blob.bin", "empty.txt", "t1.txt"}
    assert rej["t1.txt"]["doc_id"] == ids["t1.txt"]  # a reject joins the document its file was


def test_two_runs_half_then_all_equal_one_run(tmp_path):
    """Incremental: the second run reuses the first run's shards and still dedups against them."""
    from corpusclean.config import PipelineConfig

    full = make_corpus(tmp_path / "full")
    # a cross-document duplicate whose first copy is in the first half
    para = ("The harbour authority said on Monday that the new ferry terminal would open in the spring, "
            "two years later than planned, because of delays in the delivery of steel.")
    (full / "aa_first.txt").write_text(f"Ferry terminal delayed again\n\n{para}\n")
    (full / "zz_second.txt").write_text(f"Another story\n\nA different opening paragraph about the weather in the port town this week.\n\n{para}\n")
    cfg = PipelineConfig(shard_files=3)
    half = tmp_path / "half"
    files = sorted(p for p in full.rglob("*") if p.is_file())
    for p in files[: len(files) // 2]:
        dest = half / p.relative_to(full)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(p, dest)
    out = tmp_path / "out"
    run_pipeline(str(half), str(out), cfg)
    for p in files:  # the folder grows to the full corpus
        dest = half / p.relative_to(full)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(p, dest)
    second = run_pipeline(str(half), str(out), cfg)
    assert second["shards_cached"] >= 1 and second["shards_processed"] >= 1
    run_pipeline(str(full), str(tmp_path / "rebuild"), cfg)
    assert _rows(out) == _rows(tmp_path / "rebuild")
    removed = pq.read_table(out / "removed").to_pylist()
    assert any(r["reason"] == "duplicate" and r["text"] == para for r in removed)


def test_unchanged_shards_reuse_their_published_parts(tmp_path):
    raw = make_corpus(tmp_path / "raw")
    out = tmp_path / "out"
    first = run_pipeline(str(raw), str(out))
    second = run_pipeline(str(raw), str(out))
    assert second["shards_processed"] == 0
    parts = sorted((out / "paragraphs").glob("*.parquet"))
    assert parts and all(p.stat().st_nlink >= 2 for p in parts)  # hard links into the previous snapshot
    run_ids = set(pq.read_table(out / "documents").column("run_id").to_pylist())
    assert run_ids == {first["run_id"]}  # rows keep the id of the run that computed them
    # a changed file makes its shard recompute, and the decisions elsewhere still hold
    (raw / "essay_copy.txt").write_text((raw / "fixtures" / "essay.txt").read_text())
    third = run_pipeline(str(raw), str(out))
    assert third["shards_processed"] >= 1
    # the new file sorts before fixtures/essay.txt, so the copy in an UNCHANGED shard becomes the duplicate
    removed = pq.read_table(out / "removed").to_pylist()
    ids = {d["source"]: d["doc_id"] for d in pq.read_table(out / "documents").to_pylist()}
    dups = [r for r in removed if r["doc_id"] == ids["fixtures/essay.txt"] and r["reason"] == "duplicate"]
    assert dups and all(r["duplicate_of_doc"] == ids["essay_copy.txt"] for r in dups)


def test_a_broken_install_fails_the_run_instead_of_rejecting_every_file(tmp_path, monkeypatch):
    import corpusclean.document as document

    def broken(raw, config):
        raise ImportError("some module is missing")

    monkeypatch.setattr(document, "_route", broken)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("A line of text long enough to be a paragraph of the body of a page.\n")
    with pytest.raises(ImportError):
        run_pipeline(str(raw), str(tmp_path / "out"))
    assert not (tmp_path / "out" / "documents").exists()  # nothing was published


def test_a_changed_file_is_recomputed_alone_and_its_shard_equals_a_full_recompute(tmp_path, request):
    """Per-file reuse inside a changed shard: the other files' rows are copied from the earlier staged
    shard, and the staged files are byte-identical to computing the whole shard again."""
    import corpusclean.shards as shards
    from corpusclean.config import PipelineConfig

    raw = make_corpus(tmp_path / "raw")
    (raw / "empty.txt").write_bytes(b"")  # a reject in the same shard: reused too
    cfg = PipelineConfig(shard_files=10_000)  # one shard: any change touches it
    out = tmp_path / "out"
    first = run_pipeline(str(raw), str(out), cfg)
    n_files = first["n_files"]
    seen = request.getfixturevalue("cleaned_sources")  # spied on from here: the first run is not counted
    victim = sorted(p for p in raw.rglob("*.txt"))[1]
    victim.write_text(victim.read_text() + "\nA closing paragraph added after publication, long enough to be kept.\n")
    second = run_pipeline(str(raw), str(out), cfg)
    assert second["shards_processed"] == 1 and n_files > 3
    assert seen == [victim.relative_to(raw).as_posix()]
    # the same shard computed from scratch in another cache
    seen.clear()
    full = tmp_path / "full"
    run_pipeline(str(raw), str(full), cfg, refresh=True, cache_dir=str(tmp_path / "cache2"))
    assert len(seen) == n_files - 1  # every file but the reject, which the reader reports
    a = sorted((out / ".cache" / "shards").iterdir())
    b = sorted((tmp_path / "cache2" / "shards").iterdir())
    assert [p.name for p in a] == [p.name for p in b]
    for name in shards.STAGE_FILES:
        assert (a[0] / f"{name}.parquet").read_bytes() == (b[0] / f"{name}.parquet").read_bytes(), name
    assert _rows(out) == _rows(full)
    assert first["table_rows"]["rejects"] == second["table_rows"]["rejects"] == 1


def test_each_file_is_read_once_and_a_rerun_reads_only_changed_files(tmp_path, monkeypatch):
    """No hashing pass before processing: a first run reads every file once (its shard task hashes
    it); a re-run trusts the recorded hash of files whose stat is unchanged and reads the rest."""
    import corpusclean.shards as shards

    raw = make_corpus(tmp_path / "raw")
    old = time.time() - 3600
    for p in raw.rglob("*"):
        os.utime(p, (old, old))  # read long after their last change: not "racily clean"
    read: list[str] = []
    real = shards.read_document

    def counting(entry, *a, **kw):
        read.append(entry.source)
        return real(entry, *a, **kw)

    monkeypatch.setattr(shards, "read_document", counting)
    out = tmp_path / "out"
    first = run_pipeline(str(raw), str(out))
    n = first["n_files"]
    assert sorted(read) == sorted(set(read)) and len(read) == n
    read.clear()
    victim = sorted(raw.rglob("*.txt"))[0]
    victim.write_text(victim.read_text() + "\nOne more sentence for the record, added later today.\n")
    os.utime(victim, (old + 60, old + 60))  # a new mtime, still in the past
    second = run_pipeline(str(raw), str(out))
    assert read == [victim.relative_to(raw).as_posix()]
    assert second["docs_changed"] == 1 and second["docs_unchanged"] == n - 1
    read.clear()
    run_pipeline(str(raw), str(out), refresh=True)
    assert len(read) == n  # a full refresh trusts nothing
    read.clear()
    fresh = raw / "fresh.txt"
    fresh.write_text("A file written a moment ago is read on every run until it is two seconds old.\n")
    run_pipeline(str(raw), str(out))
    third = run_pipeline(str(raw), str(out))
    assert read == ["fresh.txt"] * 2
    assert third["shards_processed"] == 0  # read again to hash it, then found cached by content


def test_shards_whose_hashes_were_unknown_find_their_cached_results(tmp_path):
    """Without the hash index every file's hash is unknown at planning; the shard tasks compute the
    same content keys, so nothing is recomputed and the output is the same."""
    import corpusclean.shards as shards
    from corpusclean.config import PipelineConfig

    raw = make_corpus(tmp_path / "raw")
    old = time.time() - 3600
    for p in raw.rglob("*"):
        os.utime(p, (old, old))  # not "racily clean": the index is trusted once written
    (raw / "gone.txt").symlink_to(raw / "missing-target.txt")  # a reject at discovery
    cfg = PipelineConfig(shard_files=3)
    out = tmp_path / "out"
    first = run_pipeline(str(raw), str(out), cfg)
    plan = shards.plan_run(raw, cfg)  # no cache: nothing known
    assert all(f.sha256 is None for f in plan.files) and all(s.key.startswith("?") for s in plan.shards)
    (out / ".cache" / shards.HASH_INDEX).unlink()
    second = run_pipeline(str(raw), str(out), cfg)
    assert first["shards_total"] > 1 and second["shards_processed"] == 0
    assert second["shards_cached"] == first["shards_total"]
    assert _rows(out)["documents"] and dict(second["table_rows"], runs=1) == first["table_rows"]
    keys = sorted(p.name for p in (out / ".cache" / "shards").iterdir())
    assert keys == sorted(s.key for s in shards.plan_run(raw, cfg, out / ".cache").shards)  # known again


def test_a_run_with_nothing_changed_reuses_the_dedup_decisions(tmp_path, monkeypatch):
    """Same staged shards, same decisions: the corpus-wide dedup is not run again; any change runs it."""
    import corpusclean.dedup as dedup

    raw = make_corpus(tmp_path / "raw")
    out = tmp_path / "out"
    calls: list[int] = []
    real = dedup.corpus_dedup

    def counting(*a, **kw):
        calls.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(dedup, "corpus_dedup", counting)
    run_pipeline(str(raw), str(out))
    first = _rows(out)
    assert len(calls) == 1
    run_pipeline(str(raw), str(out))
    assert len(calls) == 1 and _rows(out) == first
    run_pipeline(str(raw), str(out), refresh=True)  # a full refresh reuses nothing
    assert len(calls) == 2 and _rows(out) == first
    victim = sorted(raw.rglob("*.txt"))[0]
    victim.write_text(victim.read_text() + "\nA sentence added later, long enough to be kept as a paragraph.\n")
    run_pipeline(str(raw), str(out))
    assert len(calls) == 3
    assert len(list((out / ".cache" / "dedup").iterdir())) == 1  # only the latest decisions are kept


@pytest.mark.parametrize("bad", [{"dedup": {"template_min_docs": 1}}, {"dedup": {"near_threshold": 7}},
                                 {"dedup": {"shingle_words": 0}}, {"dedup": {"bands": 7}}, {"shard_files": 0}])
def test_a_config_from_json_is_checked_like_the_command_line(bad):
    # a deployment's `config` parameter is JSON; template_min_docs 1 removed every short paragraph there
    with pytest.raises(ValueError, match="invalid"):
        PipelineConfig.from_dict(bad)


def test_keys_input_rebuilt_from_staged_rows_equals_the_one_built_from_fresh_results(tmp_path):
    """New MinHash settings recompute keys from staged rows (`_keys_input`); they must be the keys
    input the shard task builds from its fresh results, for every format (text, HTML, wikitext,
    CRLF, whitespace around blocks)."""
    from corpusclean.config import PipelineConfig
    from corpusclean.readers import discover, read_document
    from corpusclean.shards import _keys_input, _stage_and_keys, process_documents

    raw = make_corpus(tmp_path / "raw")
    (raw / "spaced.html").write_text("<html><body><pre>  indented line one\n\n  second block  </pre>"
                                     "<p>  A paragraph with spaces around it.  </p></body></html>")
    entries, _ = discover(raw)
    raws = [read_document(e) for e in entries]
    results = list(process_documents(raws, PipelineConfig()))
    tables, keys_in = _stage_and_keys(results, [])
    assert len(results) == len(entries) and keys_in.num_rows > 200
    assert set(tables["docs"].column("format").to_pylist()) >= {"text", "html", "wikitext"}
    rebuilt = _keys_input(tables["blocks"], tables["docs"])
    assert rebuilt.equals(keys_in)


def test_an_emptied_raw_folder_does_not_replace_a_published_corpus(tmp_path):
    from corpusclean.readers import RawDirError

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "a.txt").write_text("A line of article text about the river walk and its new section.\n" * 3)
    first = run_pipeline(str(raw), str(out))
    snap = os.path.realpath(out / "current")
    cache = sorted(p.name for p in (out / ".cache" / "shards").iterdir())
    (raw / "a.txt").unlink()  # an unmounted share looks like this
    with pytest.raises(RawDirError, match="holds no files"):
        run_pipeline(str(raw), str(out))
    assert os.path.realpath(out / "current") == snap and pq.read_table(out / "documents").num_rows == 1
    assert sorted(p.name for p in (out / ".cache" / "shards").iterdir()) == cache and first["table_rows"]["documents"] == 1
    # asked for: an empty corpus is published
    assert run_pipeline(str(raw), str(out), allow_empty=True)["table_rows"]["documents"] == 0
    # and an empty folder with nothing published is no error either
    assert run_pipeline(str(raw), str(tmp_path / "out2"))["table_rows"]["documents"] == 0


def test_an_edit_hidden_by_restoring_the_mtime_is_still_seen(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    f = raw / "a.txt"
    f.write_text("The council approved the longer river walk on Tuesday after a long debate.\n")
    old = time.time_ns() - 3600 * 10**9  # hashed long after its mtime: the hash index trusts it
    os.utime(f, ns=(old, old))
    run_pipeline(str(raw), str(out))
    with open(f, "r+") as fh:  # same size, same inode, then the old mtime back (`touch -r`, rsync -t)
        fh.write("The council rejected")
    os.utime(f, ns=(old, old))
    text = pq.read_table(out / "documents", columns=["text"]).column("text")[0].as_py()
    run_pipeline(str(raw), str(out))
    new = pq.read_table(out / "documents", columns=["text"]).column("text")[0].as_py()
    assert "approved" in text and "rejected" in new


def test_a_truncated_file_in_the_shard_cache_is_recomputed_not_fatal(tmp_path):
    raw = make_corpus(tmp_path / "raw")
    out = tmp_path / "out"
    run_pipeline(str(raw), str(out))
    keys = sorted((out / ".cache" / "shards").glob("*/keys.parquet"))
    assert keys
    with open(keys[0], "r+b") as fh:  # what a power loss can leave of a file that was never fsynced
        fh.truncate(100)
    cfg = PipelineConfig.from_dict({"dedup": {"near_threshold": 0.9}})  # the dedup step reads every keys file
    got = run_pipeline(str(raw), str(out), cfg)
    fresh = run_pipeline(str(raw), str(tmp_path / "fresh"), cfg)
    assert dict(got["table_rows"], runs=1) == fresh["table_rows"]
    assert pq.read_table(out / "paragraphs").equals(pq.read_table(tmp_path / "fresh" / "paragraphs"))
    # a missing keys file: its shard left out of the dedup step, silently, before
    next((out / ".cache" / "shards").glob("*/keys.parquet")).unlink()
    got = run_pipeline(str(raw), str(out))
    fresh = run_pipeline(str(raw), str(tmp_path / "fresh2"))
    assert pq.read_table(out / "removed").equals(pq.read_table(tmp_path / "fresh2" / "removed"))
