"""Running it for real: same bytes on every runner, incremental runs, crash safety, the lock, progress.

The flow-level tests share ONE Prefect server: the session's `prefect_harness`. The command-line
subprocesses are pointed at it with PREFECT_API_URL, so none of them starts its own server.
Every subprocess runs in its own session and is killed (whole process group) if it overruns.
"""

import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import ROOT, SEEDS, make_corpus, reversed_copy
from corpusclean.config import PipelineConfig
from corpusclean.pipeline import run_pipeline

BYTE_TABLES = ("paragraphs", "removed", "citations")  # no run_id column: must be byte-identical
ROW_TABLES = ("documents", "rejects")  # carry run_id: identical once it is dropped


def _env(api_url=None, **extra):
    e = dict(os.environ)
    e.pop("PREFECT_API_URL", None)
    if api_url:
        e["PREFECT_API_URL"] = api_url
    e.update({k: str(v) for k, v in extra.items()})
    return e


def _spawn(args, env, **kw):
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **kw)


def _kill_group(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait(timeout=30)


def _cli(args, env, timeout=300):
    p = _spawn(["-m", "flows.ingest", *args], env)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(p)
        raise
    return p.returncode, out, err


@pytest.fixture(scope="module")
def api_url(prefect_harness):
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def _files(out, name):
    return sorted(p.name for p in (out / name).glob("*.parquet"))


def _bytes(out, name):
    return {p.name: p.read_bytes() for p in sorted((out / name).glob("*.parquet"))}


def _rows(out, name):
    t = pq.read_table(out / name)
    return t.drop_columns([c for c in ("run_id",) if c in t.column_names]).to_pylist()


def assert_same_output(a: Path, b: Path):
    for name in BYTE_TABLES:
        assert _bytes(a, name) == _bytes(b, name), f"{name} differs in bytes"
    for name in ROW_TABLES:
        assert _files(a, name) == _files(b, name), name
        assert _rows(a, name) == _rows(b, name), name




# ------------------------------------------------------------------ acceptance 2: same bytes on every runner


def test_default_runner_dask_cluster_and_reversed_order_give_identical_files(api_url, tmp_path):
    from flows.ingest import ingest

    raw = make_corpus(tmp_path / "raw", with_bad=True)
    rev = reversed_copy(raw, tmp_path / "raw_rev")
    cfg = PipelineConfig(shard_files=3)
    t = time.perf_counter()
    s_default = ingest(raw_dir=str(raw), out_dir=str(tmp_path / "o_default"), config=cfg, processes=1)
    s_rev = ingest(raw_dir=str(rev), out_dir=str(tmp_path / "o_rev"), config=cfg, processes=1)
    t_threads = time.perf_counter() - t
    assert s_default["shards_total"] >= 3, "the test needs several shards"
    rejected = {r["source"]: r["error_type"] for r in pq.read_table(tmp_path / "o_default" / "rejects").to_pylist()}
    assert set(rejected.values()) <= {"undecodable", "empty", "corrupt_compression"}, rejected  # only the bad inputs
    # a local Dask cluster of 2 worker processes, through the real command line
    t = time.perf_counter()
    rc, out, err = _cli(["--raw", str(raw), "--out", str(tmp_path / "o_dask"), "--workers", "2", "--shard-files", "3",
                         "--quiet"], _env(api_url))
    t_dask = time.perf_counter() - t
    assert rc == 0, err[-3000:]
    assert "| INFO" not in err, err[-3000:]  # --quiet: no start/stop chatter from the Dask workers either
    runs = pq.read_table(tmp_path / "o_dask" / "runs").to_pylist()
    assert runs[-1]["executor"] == "dask"
    # the command line's own process pool (started in the background before Prefect is imported)
    rc, out, err = _cli(["--raw", str(raw), "--out", str(tmp_path / "o_pool"), "--processes", "2", "--shard-files", "3",
                         "--quiet"], _env(api_url))
    assert rc == 0, err[-3000:]
    assert pq.read_table(tmp_path / "o_pool" / "runs").to_pylist()[-1]["executor"] == "processes:2"
    assert_same_output(tmp_path / "o_default", tmp_path / "o_dask")
    assert_same_output(tmp_path / "o_default", tmp_path / "o_pool")
    assert_same_output(tmp_path / "o_default", tmp_path / "o_rev")
    assert pq.read_table(tmp_path / "o_default" / "documents").num_rows > 5
    print(f"threads x2: {t_threads:.1f}s, dask cli: {t_dask:.1f}s")


def test_publish_step_emits_the_summary_artifact(api_url, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.ingest import ingest

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEEDS / "004_d5ee75dd0f86cf55.txt", raw / "a.txt")
    summary = ingest(raw_dir=str(raw), out_dir=str(tmp_path / "out"), processes=1)
    with get_client(sync_client=True) as client:
        arts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["ingest-summary"])))
    mine = [a for a in arts if summary["run_id"] in (a.data or "")]
    assert mine, "no ingest-summary artifact for this run"
    md = mine[0].data
    assert "| documents | 1 |" in md and "shards:" in md and "documents: 1 new" in md


# ------------------------------------------------------------------ acceptance 3: incremental runs

_WORDS = ("river council budget library flood museum school harbour railway election bridge market festival "
          "archive orchestra hospital stadium garden factory village mayor teacher student engineer farmer "
          "summer winter report season public local national history plan repair opening closing").split()


def _doc(rng: random.Random, i: int) -> str:
    paras = []
    for p in range(rng.randint(3, 6)):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(18, 40))]
        paras.append(f"Document {i} paragraph {p}: " + " ".join(words).capitalize() + ".")
    return f"Title of story number {i}\n\n" + "\n\n".join(paras) + "\n"


def test_changing_one_of_100_files_reprocesses_one_shard_and_matches_a_full_rebuild(tmp_path):
    rng = random.Random(5)
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(100):
        (raw / f"doc{i:03d}.txt").write_text(_doc(rng, i))
    cfg = PipelineConfig(shard_files=8)
    out = tmp_path / "out"
    first = run_pipeline(str(raw), str(out), cfg)
    assert first["shards_total"] >= 6 and first["shards_processed"] == first["shards_total"]
    assert first["docs_new"] == 100 and first["table_rows"]["rejects"] == 0
    again = run_pipeline(str(raw), str(out), cfg)
    assert again["shards_processed"] == 0 and again["docs_unchanged"] == 100
    p = raw / "doc037.txt"
    p.write_text(p.read_text() + "\nA new closing paragraph was added to this story after publication today.\n")
    second = run_pipeline(str(raw), str(out), cfg)
    runs = pq.read_table(out / "runs").to_pylist()
    last = runs[-1]
    assert last["run_id"] == second["run_id"] and len(runs) == 3
    assert last["shards_processed"] == 1
    assert last["shards_cached"] == last["shards_total"] - 1
    assert (last["docs_changed"], last["docs_new"], last["docs_deleted"], last["docs_unchanged"]) == (1, 0, 0, 99)
    # the incremental output is the output of a full rebuild (fresh cache, recompute everything)
    full = tmp_path / "full"
    rebuilt = run_pipeline(str(raw), str(full), cfg, refresh=True, cache_dir=str(tmp_path / "other_cache"))
    assert rebuilt["shards_processed"] == rebuilt["shards_total"]
    assert_same_output(out, full)
    text = {d["source"]: d["text"] for d in _rows(out, "documents")}
    assert "new closing paragraph" in text["doc037.txt"]
    # stale cache entries are pruned: one live directory per shard
    assert len(list((out / ".cache" / "shards").iterdir())) == last["shards_total"]


def test_a_new_dedup_setting_reuses_every_staged_shard_and_matches_a_full_rebuild(tmp_path, cleaned_sources):
    """Tuning a corpus-wide dedup threshold must not re-clean the corpus, nor must new MinHash settings
    (only the keys are computed again), and both must give the output of a fresh run with the new
    settings; a clean-stage option must re-clean."""
    seen = cleaned_sources
    rng = random.Random(11)
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(40):
        (raw / f"doc{i:03d}.txt").write_text(_doc(rng, i))
    # near copies: a long paragraph of an earlier document with its last word changed (Jaccard ~0.96)
    for i in range(40, 46):
        words = [rng.choice(_WORDS) for _ in range(60)]
        para = " ".join(words).capitalize()
        (raw / f"doc{i:03d}a.txt").write_text(f"Title a {i}\n\n{para} ending.\n")
        (raw / f"doc{i:03d}b.txt").write_text(f"Title b {i}\n\n{para} finish.\n")
    loose, strict = PipelineConfig(shard_files=6), PipelineConfig.from_dict(
        {"shard_files": 6, "dedup": {"near_threshold": 0.99}})
    out = tmp_path / "out"
    first = run_pipeline(str(raw), str(out), loose)
    assert first["shards_processed"] == first["shards_total"] >= 4
    n_dup = sum(r["reason"] == "duplicate" for r in _rows(out, "removed"))
    assert n_dup >= 6  # the near copies were caught at 0.8

    second = run_pipeline(str(raw), str(out), strict)
    assert second["shards_processed"] == 0 and second["shards_cached"] == second["shards_total"]
    assert sum(r["reason"] == "duplicate" for r in _rows(out, "removed")) <= n_dup - 6
    runs = pq.read_table(out / "runs").to_pylist()
    assert runs[0]["config_fingerprint"] != runs[1]["config_fingerprint"]
    full = tmp_path / "full"
    run_pipeline(str(raw), str(full), strict, refresh=True, cache_dir=str(tmp_path / "other_cache"))
    assert_same_output(out, full)

    # back to the first threshold: the first run's output again, still without re-cleaning
    third = run_pipeline(str(raw), str(out), loose)
    assert third["shards_processed"] == 0
    assert sum(r["reason"] == "duplicate" for r in _rows(out, "removed")) == n_dup
    full1 = tmp_path / "full1"
    run_pipeline(str(raw), str(full1), loose, refresh=True, cache_dir=str(tmp_path / "cache1"))
    assert_same_output(out, full1)
    # other MinHash bands: every shard gets new keys, no file is read or cleaned again, and the staged
    # shards (keys included) are byte-identical to computing them from scratch
    banded = PipelineConfig.from_dict({"shard_files": 6, "dedup": {"bands": 32}})
    seen.clear()
    fourth = run_pipeline(str(raw), str(out), banded)
    assert fourth["shards_processed"] == fourth["shards_total"] and seen == []
    full2 = tmp_path / "full2"
    run_pipeline(str(raw), str(full2), banded, refresh=True, cache_dir=str(tmp_path / "cache2"))
    assert len(seen) == 52
    assert_same_output(out, full2)
    a = sorted((out / ".cache" / "shards").iterdir())
    b = sorted((tmp_path / "cache2" / "shards").iterdir())
    assert [x.name for x in a] == [x.name for x in b]
    for x, y in zip(a, b):
        assert (x / "keys.parquet").read_bytes() == (y / "keys.parquet").read_bytes(), x.name
    # an option the shard work reads (language detection) re-cleans every shard
    seen.clear()
    fifth = run_pipeline(str(raw), str(out), PipelineConfig(shard_files=6, detect_language=False))
    assert fifth["shards_processed"] == fifth["shards_total"] and len(seen) == 52


# ------------------------------------------------------------------ acceptance 5: SIGKILL while publishing


def test_sigkill_between_staging_and_swap_leaves_previous_snapshot_and_next_run_completes(api_url, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("000_322e8ddedc0b292d.txt", "004_d5ee75dd0f86cf55.txt"):
        shutil.copy(SEEDS / name, raw / name)
    out = tmp_path / "processed"
    first = run_pipeline(str(raw), str(out))
    before = {n: _rows(out, n) for n in ("documents", "paragraphs", "removed")}
    readme = (out / "README.md").read_text()
    current = os.readlink(out / "current")
    shutil.copy(SEEDS / "002_b6c712ec61cb5490.txt", raw / "002_b6c712ec61cb5490.txt")  # the killed run has more

    marker = tmp_path / "paused"
    p = _spawn(["-m", "flows.ingest", "--raw", str(raw), "--out", str(out), "--processes", "1", "--quiet"],
               _env(api_url, CORPUSCLEAN_TEST_PAUSE_BEFORE_SWAP=marker))
    try:
        deadline = time.monotonic() + 240
        while not marker.exists():
            assert p.poll() is None, "run ended before publishing: " + p.stderr.read()[-2000:]
            assert time.monotonic() < deadline, "run never reached the publish step"
            time.sleep(0.2)
    finally:
        _kill_group(p)
    assert p.returncode == -signal.SIGKILL
    # the killed run's snapshot was renamed into place, but never made current
    snaps = {x.name for x in (out / ".snapshots").iterdir()}
    assert len(snaps) == 2 and os.readlink(out / "current") == current
    assert {n: _rows(out, n) for n in before} == before
    assert (out / "README.md").read_text() == readme
    assert pq.read_table(out / "documents").num_rows == first["table_rows"]["documents"]

    rc, stdout, err = _cli(["--raw", str(raw), "--out", str(out), "--processes", "1", "--json-logs"], _env(api_url))
    assert rc == 0, err[-3000:]
    summary = json.loads(stdout.strip().splitlines()[-1])  # --json-logs: the summary is a JSON line
    assert summary["event"] == "summary" and summary["table_rows"]["documents"] == 3
    progress = [json.loads(x) for x in err.splitlines() if x.startswith('{"event"')]
    assert progress and progress[-1]["event"] == "publish"
    docs = {d["source"] for d in _rows(out, "documents")}
    assert "002_b6c712ec61cb5490.txt" in docs and len(docs) == 3
    # the killed run's orphan snapshot is gone; the one just replaced is kept for readers mid-scan
    left = {x.name for x in (out / ".snapshots").iterdir()}
    assert left == {Path(current).name, Path(os.readlink(out / "current")).name}
    assert len(pq.read_table(out / "runs").to_pylist()) == 2


# ------------------------------------------------------------------ acceptance 6: one run per output folder


def test_second_run_against_a_held_lock_exits_3_with_one_line(tmp_path):
    from corpusclean.publish import OutputLock

    raw = make_corpus(tmp_path / "raw")
    out = tmp_path / "out"
    with OutputLock(out):
        t = time.perf_counter()
        rc, stdout, err = _cli(["--raw", str(raw), "--out", str(out)], _env(), timeout=120)
        took = time.perf_counter() - t
    assert rc == 3, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: another run is writing to"), err
    assert f"pid {os.getpid()}" in lines[0]
    assert not (out / "current").exists()  # nothing was written
    assert took < 60  # refused before any Prefect start-up


# ------------------------------------------------------------------ operator comfort


def test_progress_is_plain_lines_off_a_terminal_and_silent_when_quiet():
    from corpusclean.progress import progress_reporter

    buf = io.StringIO()
    with progress_reporter(10, 3, "auto", stream=buf) as p:
        p.shard_done(4)
        p.shard_done(4, cached=True)
        p.shard_done(2)
        p.phase("dedup")
    lines = buf.getvalue().splitlines()
    assert lines[-2].startswith("progress: shards: shards 3/3 (1 cached), files 10/10")
    assert lines[-1].startswith("progress: dedup:")
    buf = io.StringIO()
    with progress_reporter(10, 3, "json", stream=buf) as p:
        p.shard_done(10)
    rec = json.loads(buf.getvalue().splitlines()[-1])
    assert rec["files"] == rec["files_total"] == 10 and rec["event"] == "shards"
    buf = io.StringIO()
    with progress_reporter(10, 3, "off", stream=buf) as p:
        p.shard_done(10)
    assert buf.getvalue() == ""


def test_rich_bar_renders_on_a_terminal():
    from corpusclean.progress import progress_reporter

    class Tty(io.StringIO):
        def isatty(self):
            return True

    buf = Tty()
    with progress_reporter(5, 2, "auto", stream=buf) as p:
        p.shard_done(5)
    assert "5/5" in buf.getvalue()


def test_cli_usage_errors_exit_2_without_traceback(tmp_path):
    rc, _, err = _cli(["--dask-address", "not-an-address", "--raw", str(tmp_path)], _env(), timeout=120)
    assert rc == 2 and "dask-address" in err and "Traceback" not in err


def test_cli_output_path_that_is_a_file_exits_2_with_one_line(tmp_path):
    (tmp_path / "out").write_text("not a folder")
    rc, _, err = _cli(["--raw", str(tmp_path), "--out", str(tmp_path / "out")], _env(), timeout=120)
    assert rc == 2 and err.strip().count("\n") == 0 and "not a directory" in err


def test_a_failing_run_exits_1_with_one_error_line_and_keeps_the_snapshot(api_url, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEEDS / "004_d5ee75dd0f86cf55.txt", raw / "a.txt")
    out = tmp_path / "out"
    run_pipeline(str(raw), str(out))
    before, current = _rows(out, "documents"), os.readlink(out / "current")
    shutil.copy(SEEDS / "000_322e8ddedc0b292d.txt", raw / "b.txt")  # new work for the failing run
    shutil.rmtree(out / ".cache")
    (out / ".cache").write_text("a file where the cache folder should be")  # the run cannot stage anything
    rc, stdout, err = _cli(["--raw", str(raw), "--out", str(out), "--processes", "1", "--quiet"], _env(api_url))
    assert rc == 1, err[-2000:]
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: run failed:") and "previous snapshot" in last, err[-2000:]
    assert os.readlink(out / "current") == current and _rows(out, "documents") == before
