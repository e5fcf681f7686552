"""Atomic publication of a snapshot into the output folder, and the one-run-at-a-time lock.

Layout of the output folder (e.g. `processed/`):

    processed/
      current -> .snapshots/<run_id>          (one symlink, swapped atomically with rename)
      documents -> current/documents          (static links: readers use these paths)
      paragraphs, removed, citations, rejects, runs, README.md -> current/...
      .snapshots/<run_id>/<table>/part-*.parquet
      .cache/                                 (staged shard results, reused by later runs)

A reader that opens `processed/documents` resolves `current` once per path lookup, so it sees
the old complete snapshot or the new one, never a half-written one; a crash before the swap
leaves the previous snapshot in place.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from . import schema as S

SNAPSHOTS = ".snapshots"
KEEP_SNAPSHOTS = 2
# Crash-test hook: when set to a file path, `publish` writes that file once the new snapshot is in
# place but before the `current` swap, then sleeps, so a test can SIGKILL the run at the worst moment.
PAUSE_ENV = "CORPUSCLEAN_TEST_PAUSE_BEFORE_SWAP"


class LockedError(RuntimeError):
    pass


class OutputDirError(ValueError):
    """The output folder holds things a publish would replace, or the raw folder under a managed name."""


MANAGED = ("current", "README.md", *S.TABLES)  # the links `publish` owns at the top of the output folder


def check_output_dir(out_dir: str | os.PathLike, raw_dir: str | os.PathLike | None = None) -> None:
    """Refuse, before any work, an output folder where publishing would destroy what it did not write.

    `publish` replaces each name of `MANAGED` with its link; a real file or folder there (a user's
    `documents/` or `README.md` in a project folder used as `--out`) would be deleted, and a raw
    folder given as `--out`'s `documents/` would be deleted with its input. A link is ours (the
    layout has only links there), so it is left to `publish`.
    """
    out = Path(out_dir)
    if not out.is_dir():
        return
    for name in MANAGED:
        p = out / name
        if os.path.lexists(p) and not p.is_symlink():
            kind = "folder" if p.is_dir() else "file"
            raise OutputDirError(f"the output folder holds a {kind} '{name}' that this tool did not write, and "
                                 f"publishing would replace it: move it away or choose another output folder ({p})")
    if raw_dir is not None:
        raw, root = Path(raw_dir).resolve(), out.resolve()
        if raw.is_relative_to(root) and raw != root:
            top = raw.relative_to(root).parts[0]
            if top in (*MANAGED, SNAPSHOTS, ".cache", ".lock") or top.startswith(".current."):
                raise OutputDirError(f"the raw folder {raw_dir} lies inside the output folder under '{top}', "
                                     "which publishing replaces or prunes: choose another layout")


class OutputLock:
    """Exclusive advisory lock on `<out>/.lock` for the duration of a run (flock: released on crash).

    Re-entrant within one process, so the CLI can hold it while the flow it calls takes it too.
    """

    _held: dict[str, int] = {}

    def __init__(self, out_dir: str | os.PathLike):
        self.path = Path(out_dir) / ".lock"
        self._fd: int | None = None
        self._key = str(Path(out_dir).absolute())

    def __enter__(self) -> "OutputLock":
        if self._key in OutputLock._held:
            OutputLock._held[self._key] += 1
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(fd)
            if e.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                holder = ""
                try:
                    holder = self.path.read_text().strip()
                except OSError:
                    pass
                raise LockedError(f"another run is writing to {self.path.parent} ({holder or 'pid unknown'}); try again when it ends") from None
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}".encode())
        self._fd = fd
        OutputLock._held[self._key] = 1
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is None:
            OutputLock._held[self._key] -= 1
            return
        if self._fd is not None:
            OutputLock._held.pop(self._key, None)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def staging_dir(out_dir: str | os.PathLike, run_id: str) -> Path:
    p = Path(out_dir) / SNAPSHOTS / f"{run_id}.tmp"
    shutil.rmtree(p, ignore_errors=True)
    p.mkdir(parents=True)
    return p


def current_snapshot(out_dir: str | os.PathLike) -> Path | None:
    link = Path(out_dir) / "current"
    if link.is_symlink() and link.resolve().is_dir():
        return link.resolve()
    return None


def publish(out_dir: str | os.PathLike, staged: Path, run_id: str) -> Path:
    """Make the staged snapshot the current one: fsync, rename, swap the `current` symlink."""
    out = Path(out_dir)
    check_output_dir(out)  # again: nothing of a user's may have appeared there since the run began
    for name, schema in S.TABLES.items():  # every table is a readable dataset, even when empty
        d = staged / name
        d.mkdir(exist_ok=True)
        if not any(d.glob("*.parquet")):
            pq.write_table(S.with_metadata(schema, name).empty_table(), d / "part-00000.parquet", compression="zstd")
    _fsync_tree(staged)
    previous = current_snapshot(out)
    final = out / SNAPSHOTS / run_id
    os.replace(staged, final)
    _test_pause()
    tmp_link = out / f".current.{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(os.path.join(SNAPSHOTS, run_id), tmp_link)
    os.replace(tmp_link, out / "current")  # the atomic step
    _fsync_dir(out)
    for name in MANAGED[1:]:  # not "current": swapped above
        link = out / name
        target = os.path.join("current", name)
        if link.is_symlink():
            if os.readlink(link) == target:
                continue
            link.unlink()
        os.symlink(target, link)
    prune_snapshots(out, keep=run_id, previous=previous.name if previous is not None else None)
    return final


def _test_pause() -> None:
    marker = os.environ.get(PAUSE_ENV)
    if marker:
        import time

        Path(marker).write_text(str(os.getpid()))
        time.sleep(float(os.environ.get(PAUSE_ENV + "_SECONDS", "120")))


def prune_snapshots(out: Path, keep: str, previous: str | None = None) -> None:
    """Keep the new snapshot and the one it replaced (a reader mid-scan of it is not cut off).

    Everything else goes: older snapshots, `.tmp` staging dirs and snapshots of runs that were
    killed between their rename and the swap (never current, so never read). Without `previous`
    (older callers), the newest KEEP_SNAPSHOTS by modification time are kept.
    """
    snaps = out / SNAPSHOTS
    if not snaps.is_dir():
        return
    if previous is not None:
        for p in snaps.iterdir():
            if p.is_dir() and p.name not in (keep, previous):
                shutil.rmtree(p, ignore_errors=True)
        return
    entries = sorted((p for p in snaps.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    kept = 0
    for p in entries:
        if p.name == keep or (not p.name.endswith(".tmp") and kept < KEEP_SNAPSHOTS - 1):
            if p.name != keep:
                kept += 1
            continue
        shutil.rmtree(p, ignore_errors=True)


def _fsync_tree(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            fd = os.open(os.path.join(dirpath, f), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _fsync_dir(p: Path) -> None:
    fd = os.open(p, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
