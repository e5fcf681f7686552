"""The Prefect flow and its command line (one temporary Prefect server for the session)."""

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from conftest import ROOT, make_corpus


def _cli(*args, cwd=ROOT, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "flows.ingest", *args], cwd=cwd, capture_output=True, text=True,
                          env=e, timeout=600)


def test_help_works():
    r = _cli("--help")
    assert r.returncode == 0 and "--raw" in r.stdout and "--out" in r.stdout


def test_missing_raw_is_one_line_and_exit_2(tmp_path):
    r = _cli("--raw", str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "does not exist" in r.stderr and "Traceback" not in r.stderr


def test_bad_option_is_a_usage_error(tmp_path):
    r = _cli("--near-threshold", "7")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_flow_writes_the_same_rows_as_the_core(prefect_harness, tmp_path):
    from corpusclean.pipeline import run_pipeline
    from flows.ingest import ingest

    raw = make_corpus(tmp_path / "raw")
    summary = ingest(raw_dir=str(raw), out_dir=str(tmp_path / "flow_out"), processes=1)
    run_pipeline(str(raw), str(tmp_path / "core_out"))
    assert summary["table_rows"]["documents"] == pq.read_table(tmp_path / "core_out" / "documents").num_rows > 0
    for name in ("paragraphs", "removed", "citations"):
        a = pq.read_table(tmp_path / "flow_out" / name).to_pylist()
        b = pq.read_table(tmp_path / "core_out" / name).to_pylist()
        assert sorted(map(repr, a)) == sorted(map(repr, b)), name
    runs = pq.read_table(tmp_path / "flow_out" / "runs").to_pylist()
    assert runs[-1]["shards_total"] >= 1
