import os

import pyarrow.parquet as pq
import pytest

from corpusclean import schema as S
from corpusclean.config import PipelineConfig
from corpusclean.pipeline import run_pipeline
from corpusclean.publish import (LockedError, OutputDirError, OutputLock, check_output_dir, current_snapshot,
                                 publish, staging_dir)


def _snapshot(out, run_id, marker):
    st = staging_dir(out, run_id)
    (st / "README.md").write_text(marker)
    return st


def test_publish_swaps_current_and_keeps_tables_readable(tmp_path):
    out = tmp_path / "out"
    publish(out, _snapshot(out, "r1", "first"), "r1")
    assert (out / "README.md").read_text() == "first"
    for name, schema in S.TABLES.items():
        t = pq.read_table(out / name)
        assert t.num_rows == 0 and t.schema.remove_metadata() == schema.remove_metadata()
    publish(out, _snapshot(out, "r2", "second"), "r2")
    assert (out / "README.md").read_text() == "second"
    assert current_snapshot(out).name == "r2"


def test_unpublished_staging_leaves_previous_snapshot(tmp_path):
    out = tmp_path / "out"
    publish(out, _snapshot(out, "r1", "first"), "r1")
    st = _snapshot(out, "r2", "half written")  # a crash here: never published
    (st / "documents").mkdir()
    (st / "documents" / "part-00000.parquet").write_bytes(b"garbage")
    assert (out / "README.md").read_text() == "first"
    assert pq.read_table(out / "documents").num_rows == 0
    # the next run cleans the stale staging dir when it publishes
    publish(out, _snapshot(out, "r3", "third"), "r3")
    assert not (out / ".snapshots" / "r2.tmp").exists()


def test_old_snapshots_are_pruned(tmp_path):
    out = tmp_path / "out"
    for i in range(4):
        publish(out, _snapshot(out, f"r{i}", str(i)), f"r{i}")
    names = sorted(p.name for p in (out / ".snapshots").iterdir())
    assert "r3" in names and len(names) <= 2


def test_lock_refuses_a_second_holder(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "out"
    with OutputLock(out):
        code = ("import sys\nfrom corpusclean.publish import OutputLock, LockedError\n"
                "try:\n    OutputLock(sys.argv[1]).__enter__()\nexcept LockedError as e:\n    print(e); sys.exit(3)\n")
        r = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True)
        assert r.returncode == 3 and "another run" in r.stdout
        with OutputLock(out):  # re-entrant in the same process
            pass
    with OutputLock(out):  # released
        pass


def test_lock_error_type():
    assert issubclass(LockedError, RuntimeError)


def test_a_run_killed_before_the_swap_leaves_an_orphan_that_the_next_publish_removes(tmp_path):
    """The orphan is newer than the current snapshot: pruning must keep the replaced snapshot, not the orphan."""
    import time

    out = tmp_path / "out"
    publish(out, _snapshot(out, "r1", "first"), "r1")
    time.sleep(0.05)
    os.replace(_snapshot(out, "r2", "killed"), out / ".snapshots" / "r2")  # renamed, never swapped in
    assert (out / "README.md").read_text() == "first"
    time.sleep(0.05)
    publish(out, _snapshot(out, "r3", "third"), "r3")
    assert sorted(p.name for p in (out / ".snapshots").iterdir()) == ["r1", "r3"]
    assert (out / "README.md").read_text() == "third"


def test_pause_hook_is_off_unless_set(tmp_path, monkeypatch):
    from corpusclean.publish import PAUSE_ENV

    marker = tmp_path / "paused"
    monkeypatch.setenv(PAUSE_ENV, str(marker))
    monkeypatch.setenv(PAUSE_ENV + "_SECONDS", "0")
    out = tmp_path / "out"
    publish(out, _snapshot(out, "r1", "x"), "r1")
    assert marker.read_text() == str(os.getpid())


TEXT = "A paragraph of running text, long enough to be kept as the content of this small page.\n"


@pytest.mark.parametrize("name,is_dir", [("documents", True), ("README.md", False), ("current", True)])
def test_a_users_file_where_a_table_link_goes_is_refused_not_deleted(tmp_path, name, is_dir):
    raw, out = tmp_path / "raw", tmp_path / "project"
    raw.mkdir()
    (raw / "a.txt").write_text(TEXT)
    mine = out / name
    if is_dir:
        mine.mkdir(parents=True)
        (mine / "thesis.docx").write_text("mine")
    else:
        out.mkdir()
        mine.write_text("# my project")
    with pytest.raises(OutputDirError, match=f"'{name}' that this tool did not write"):
        run_pipeline(str(raw), str(out), PipelineConfig(detect_language=False))
    assert (mine / "thesis.docx").read_text() == "mine" if is_dir else mine.read_text() == "# my project"
    st = staging_dir(out, "r1")
    with pytest.raises(OutputDirError):  # publish itself refuses too
        publish(out, st, "r1")
    assert not (out / "current").is_symlink()


def test_a_raw_folder_under_a_managed_name_of_the_output_is_refused(tmp_path):
    out = tmp_path / "proj"
    raw = out / "documents"
    raw.mkdir(parents=True)
    (raw / "a.txt").write_text(TEXT)
    with pytest.raises(OutputDirError):
        run_pipeline(str(raw), str(out), PipelineConfig(detect_language=False))
    assert (raw / "a.txt").read_text() == TEXT
    other = out / "corpus"
    raw.rename(other)
    check_output_dir(out, other)  # any other sub-folder is a fine raw folder
    run_pipeline(str(other), str(out), PipelineConfig(detect_language=False))
    assert pq.read_table(out / "documents").num_rows == 1 and (out / "documents").is_symlink()
    run_pipeline(str(other), str(out), PipelineConfig(detect_language=False))  # its own links are fine
