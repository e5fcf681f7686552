"""Progress over shards and files for the command line: a rich bar on a terminal, plain lines otherwise.

    with progress_reporter(n_files, n_shards, mode="auto") as p:
        p.shard_done(n_files_in_shard, cached=False)

Modes: "auto" (bar if stderr is a terminal, else lines), "bar", "lines", "json" (one JSON object a
line), "off" (--quiet). Everything goes to stderr so stdout keeps only the final summary line.
Plain lines are throttled to about one per 5 % of the files (and always the last one), so a log
file of a 10,000-shard run stays readable.
"""

from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from typing import IO, Iterator


class _Base:
    def __init__(self, n_files: int, n_shards: int, stream: IO[str]):
        self.n_files, self.n_shards = n_files, n_shards
        self.files = self.shards = self.cached = 0
        self.stream = stream
        self.t0 = time.perf_counter()

    def shard_done(self, n_files: int, cached: bool = False) -> None:
        self.files += n_files
        self.shards += 1
        self.cached += bool(cached)
        self._update()

    def phase(self, name: str) -> None:  # e.g. "dedup", "finalize", "publish"
        pass

    def _update(self) -> None:
        pass

    def close(self) -> None:
        pass


class _Off(_Base):
    pass


class _Lines(_Base):
    def __init__(self, *a, as_json: bool = False):
        super().__init__(*a)
        self.as_json = as_json
        self._last_pct = -100.0

    def _emit(self, event: str, **kw) -> None:
        if self.as_json:
            rec = {"event": event, "files": self.files, "files_total": self.n_files, "shards": self.shards,
                   "shards_total": self.n_shards, "shards_cached": self.cached,
                   "seconds": round(time.perf_counter() - self.t0, 3), **kw}
            line = json.dumps(rec)
        else:
            extra = "".join(f" {k}={v}" for k, v in kw.items())
            line = (f"progress: {event}: shards {self.shards}/{self.n_shards} ({self.cached} cached), "
                    f"files {self.files}/{self.n_files}, {time.perf_counter() - self.t0:.1f}s{extra}")
        # write(), not print(): a flow with log_prints=True would turn print() into log records
        self.stream.write(line + "\n")
        self.stream.flush()

    def _update(self) -> None:
        pct = 100.0 * self.files / self.n_files if self.n_files else 100.0
        if pct - self._last_pct >= 5.0 or self.shards == self.n_shards:
            self._last_pct = pct
            self._emit("shards")

    def phase(self, name: str) -> None:
        self._emit(name)


class _Bar(_Base):
    def __init__(self, *a):
        super().__init__(*a)
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._p = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                           TextColumn("files"), TextColumn("{task.fields[shards]}"), TimeElapsedColumn(),
                           console=Console(file=self.stream), transient=False)
        self._task = self._p.add_task("shards", total=self.n_files, shards="")
        self._p.start()
        self._update()

    def _update(self) -> None:
        self._p.update(self._task, completed=self.files,
                       shards=f"shards {self.shards}/{self.n_shards} ({self.cached} cached)")

    def phase(self, name: str) -> None:
        self._p.update(self._task, description=name)

    def close(self) -> None:
        self._p.stop()


@contextmanager
def progress_reporter(n_files: int, n_shards: int, mode: str = "auto", stream: IO[str] | None = None) -> Iterator[_Base]:
    stream = stream or sys.stderr
    if mode == "auto":
        mode = "bar" if getattr(stream, "isatty", lambda: False)() else "lines"
    if mode == "off":
        r: _Base = _Off(n_files, n_shards, stream)
    elif mode == "bar":
        r = _Bar(n_files, n_shards, stream)
    else:
        r = _Lines(n_files, n_shards, stream, as_json=(mode == "json"))
    try:
        yield r
    finally:
        r.close()
