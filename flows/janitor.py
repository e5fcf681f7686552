"""Stop what a killed run left running.

    python flows/janitor.py PID      (started by `python -m flows.ingest`, in a session of its own)

A run that dies without running its exit hooks (SIGKILL, the kernel's OOM killer) leaves its fork
server, worker processes, multiprocessing's resource tracker and the temporary Prefect server (in
a session of its own, so that Ctrl-C does not kill it before the run's logs are flushed) running:
~630 MB per killed run, and the next scheduled run has that much less memory. This process notes
the run's descendants once a second (from /proc: Linux only) and, when the run is gone, sends them
SIGTERM, then SIGKILL to those still there 5 s later. A normal exit has already stopped them all.

Written by hand: psutil would do the /proc walk, but is not a dependency of this project, and this is
the only place that needs it. Process identity is (pid, start time), so a reused pid is never hit.
"""

from __future__ import annotations

import os
import signal
import sys
import time


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of a process, None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            s = f.read().decode("ascii", "replace")
    except OSError:
        return None
    rest = s.rsplit(")", 1)[1].split()  # the command name in parentheses may hold spaces
    return int(rest[1]), rest[0], int(rest[19])


def _children(pid: int) -> list[int] | None:
    """Children of `pid` from /proc/PID/task/*/children (cheap), None where the kernel lacks that file."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    for t in tasks:
        try:
            with open(f"/proc/{pid}/task/{t}/children", "rb") as f:
                out += [int(x) for x in f.read().split()]
        except FileNotFoundError:
            return None
        except OSError:
            continue
    return out


def descendants(root: int, me: int) -> dict[int, int]:
    """pid -> start time of every process below `root` (not `me`)."""
    out: dict[int, int] = {}
    todo = [root]
    while todo:
        kids = _children(todo.pop())
        if kids is None:
            return _descendants_by_scan(root, me)
        for c in kids:
            st = _stat(c)
            if c != me and c not in out and st is not None:
                out[c] = st[2]
                todo.append(c)
    return out


def _descendants_by_scan(root: int, me: int) -> dict[int, int]:
    """The same from every process's parent pid (kernels without the children file)."""
    kids: dict[int, list[int]] = {}
    start: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = _stat(int(d))
            if st is not None:
                kids.setdefault(st[0], []).append(int(d))
                start[int(d)] = st[2]
    out: dict[int, int] = {}
    todo = [root]
    while todo:
        for c in kids.get(todo.pop(), []):
            if c != me and c not in out and c in start:
                out[c] = start[c]
                todo.append(c)
    return out


def _alive(pid: int, started: int | None = None) -> bool:
    st = _stat(pid)
    return st is not None and st[1] != "Z" and (started is None or st[2] == started)


def _signal(procs: dict[int, int], sig: int) -> None:
    for pid, started in procs.items():
        if _alive(pid, started):
            try:
                os.kill(pid, sig)
            except OSError:
                pass


def watch(run_pid: int, interval: float = 1.0, grace: float = 5.0) -> dict[int, int]:
    """Wait for `run_pid` to end; then stop the descendants it had. Returns those it signalled."""
    me = os.getpid()
    seen: dict[int, int] = {}
    started = _stat(run_pid)
    if started is None:
        return {}
    while _alive(run_pid, started[2]):
        # every descendant ever seen, not the last look only: a look just after the run died finds no
        # children (they were handed to init), which would forget them (pid reuse: start times are kept)
        seen.update(descendants(run_pid, me))
        time.sleep(interval)
    left = {p: s for p, s in seen.items() if _alive(p, s)}
    if left:
        _signal(left, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(_alive(p, s) for p, s in left.items()):
            time.sleep(0.2)
        _signal(left, signal.SIGKILL)
    return left


if __name__ == "__main__":
    try:
        watch(int(sys.argv[1]))
    except KeyboardInterrupt:
        pass
