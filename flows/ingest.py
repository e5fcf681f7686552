"""Prefect flow `ingest`: raw/ -> cleaned, deduplicated Parquet tables in processed/.

    python -m flows.ingest [--raw DIR] [--out DIR] [options]
    python -m flows.ingest --workers 4                       # local Dask cluster, 4 worker processes
    python -m flows.ingest --dask-address tcp://host:8786    # an existing Dask cluster

Exit codes: 0 ok, 1 the run failed, 2 bad arguments or unusable raw/, 3 another run holds the
output folder's lock.

The flow only orchestrates: every step is a function of the `corpusclean` core. One task per
shard of files (paths in, a small summary out), then the corpus-wide dedup, then finalize tasks
over batches of shards (a shard's finalize is ~0.1 s), then an atomic publish.
"""

# no `from __future__ import annotations`: Prefect validates the flow parameters from the real type
# hints when a deployment loads this file by path (string hints fail to resolve there)

import os
import sys

# Project defaults for Prefect, set before it is imported (see README, "Prefect settings").
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL", "WARNING")
# Arrow's buffers from the C library's allocator, not its bundled mimalloc: a worker process finalizing
# shard after shard kept ~200 MB of freed mimalloc pages (RSS 220 -> 430 MB per worker at 100k
# documents), with the system allocator it stays flat at the same speed (benchmarks/scale.py, README).
# Read by pyarrow when first imported; worker processes (forkserver, local Dask) inherit it.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
_CLI = __name__ == "__main__" or os.path.basename(sys.argv[0]) == "corpusclean-ingest"
if _CLI:  # a signal during the imports below (Prefect's take ~3 s) ends the run as one after them does
    import signal

    def _early_signal(signum, frame):  # replaced by _on_sigterm at the end of this module
        try:
            print("error: terminated before the run started", file=sys.stderr)
        except OSError:  # a dead terminal (SIGHUP)
            pass
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _early_signal)
    signal.signal(signal.SIGHUP, _early_signal)
if _CLI:  # logging settings must be in place before prefect is imported
    if "--quiet" in sys.argv or "-q" in sys.argv:
        os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
        os.environ["PREFECT_SERVER_LOGGING_LEVEL"] = "CRITICAL"
    if "--json-logs" in sys.argv:
        os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_FORMATTER"] = "json"

import argparse  # noqa: E402
import concurrent.futures as cf  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import logging  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

from corpusclean.config import DedupConfig, HtmlConfig, PipelineConfig  # noqa: E402
from corpusclean.progress import progress_reporter  # noqa: E402
from corpusclean.publish import LockedError, OutputDirError, OutputLock, check_output_dir  # noqa: E402
from corpusclean.readers import RawDirError  # noqa: E402

_POOL: cf.ProcessPoolExecutor | None = None


def _run_shard(shard, cache_dir: str, config: PipelineConfig, refresh: bool):
    from corpusclean.shards import process_shard

    if _POOL is not None:  # CPU-bound: run in a worker process, the task thread just waits
        return _POOL.submit(process_shard, shard, cache_dir, config, refresh).result()
    return process_shard(shard, cache_dir, config, refresh)  # inline: always the case on Dask workers


def _finalize(shards: list, cache_dir: str, decisions: str, staged: str, run_id: str) -> list[dict]:
    from corpusclean.shards import finalize_shard

    if _POOL is not None:  # the batch's shards run on all worker processes at once
        futs = [_POOL.submit(finalize_shard, s, cache_dir, decisions, staged, run_id) for s in shards]
        return [f.result() for f in futs]
    return [finalize_shard(s, cache_dir, decisions, staged, run_id) for s in shards]


def submission_order(shards: list) -> list:
    """Largest shards first (by input bytes; ties by index). Content-defined shards range from a few
    files to `shard_max_files`; with the big ones first, the run's last tasks are small and no worker
    idles while one big shard finishes (longest-processing-time-first scheduling)."""
    return sorted(shards, key=lambda s: (-s.bytes, s.index))


FINALIZE_BATCH = 16  # shards per finalize task: one shard is ~0.1 s of work, a Prefect task run costs about as much


def finalize_batches(shards: list, n_workers: int) -> list[list]:
    """Shards grouped for finalize tasks: at most FINALIZE_BATCH each, and at least one batch per worker
    when there are enough shards (on Dask each batch runs in one worker)."""
    n = max(1, min(len(shards), max(-(-len(shards) // FINALIZE_BATCH), n_workers)))
    size = -(-len(shards) // n) if shards else 1
    return [shards[i:i + size] for i in range(0, len(shards), size)]


class _OneLineErrors(argparse.ArgumentParser):
    """A bad argument is one line on stderr and exit 2 (not argparse's usage block), as for bad paths."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    d, h, c = DedupConfig(), HtmlConfig(), PipelineConfig()
    p = _OneLineErrors(prog="python -m flows.ingest", description=__doc__.split("\n\n")[0],
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--raw", default="raw", help="folder of raw files to ingest")
    p.add_argument("--out", default="processed", help="output folder for the Parquet tables")
    p.add_argument("--full-refresh", action="store_true", help="recompute every shard, ignoring the cache")
    p.add_argument("--allow-empty", action="store_true",
                   help="publish even when the raw folder holds no files (refused by default while a snapshot "
                        "with documents is published: an unmounted or emptied folder)")
    p.add_argument("--processes", type=int, default=0, help="worker processes for shard work (0 = one per core)")
    g = p.add_argument_group("scale-out (Dask)")
    x = g.add_mutually_exclusive_group()
    x.add_argument("--dask-address", metavar="tcp://HOST:8786", help="run shard tasks on this existing Dask scheduler")
    x.add_argument("--workers", type=int, default=0, metavar="N",
                   help="start a local Dask cluster of N worker processes (1 thread each)")
    p.add_argument("--shard-files", type=int, default=c.shard_files,
                   help="target files per shard (content-defined; does not change the output)")
    p.add_argument("--quiet", "-q", action="store_true", help="only warnings and the final summary")
    p.add_argument("--json-logs", action="store_true", help="Prefect logs, progress and the summary as JSON lines")
    p.add_argument("--no-progress", action="store_true", help="no progress bar or progress lines")
    g = p.add_argument_group("dedup")
    g.add_argument("--exact-min-chars", type=int, default=d.exact_min_chars,
                   help="shorter paragraphs (normalised) are never content-deduplicated")
    g.add_argument("--near-threshold", type=float, default=d.near_threshold,
                   help="shingle Jaccard at or above which a paragraph is a near duplicate (LSH tuned for ~0.8)")
    g.add_argument("--no-near", action="store_true", help="exact dedup only")
    g.add_argument("--shingle-words", type=int, default=d.shingle_words, help="words per shingle")
    g.add_argument("--bands", type=int, default=d.bands,
                   help=f"LSH bands over the {d.num_perm} MinHash values (more bands find pairs of lower similarity)")
    g.add_argument("--near-min-words", type=int, default=d.near_min_words,
                   help="shorter paragraphs are left to exact dedup")
    g.add_argument("--template-min-docs", type=int, default=d.template_min_docs,
                   help="a short line in this many documents of one site is a template line (>= 2)")
    g = p.add_argument_group("html")
    g.add_argument("--include-comments", action="store_true", default=h.include_comments,
                   help="keep user comments of HTML pages")
    p.add_argument("--no-language", action="store_true", help="skip language identification")
    return p


def config_from_args(a: argparse.Namespace) -> PipelineConfig:
    if not 0.0 < a.near_threshold <= 1.0:
        raise ValueError("--near-threshold must be in (0, 1]")
    if a.shingle_words < 1 or a.exact_min_chars < 0 or a.near_min_words < 1 or a.template_min_docs < 2:
        raise ValueError("dedup sizes must be positive (template-min-docs >= 2)")
    if a.shard_files < 1:
        raise ValueError("--shard-files must be >= 1")
    if a.workers < 0 or a.processes < 0:
        raise ValueError("--workers and --processes must be >= 0")
    if a.dask_address and "://" not in a.dask_address:
        raise ValueError("--dask-address must look like tcp://host:8786")
    dedup = DedupConfig(exact_min_chars=a.exact_min_chars, near_enabled=not a.no_near, near_threshold=a.near_threshold,
                        shingle_words=a.shingle_words, near_min_words=a.near_min_words, bands=a.bands,
                        template_min_docs=a.template_min_docs)
    return PipelineConfig(dedup=dedup, html=HtmlConfig(include_comments=a.include_comments),
                          detect_language=not a.no_language, shard_files=a.shard_files)


def _more_files_than(raw_dir: str, n: int) -> bool:
    """Whether the raw folder holds more than `n` entries (stops counting there): a corpus of one shard
    is processed inline, so no worker pool is started for it."""
    stack, seen = [raw_dir], 0
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for e in it:
                    if e.is_dir(follow_symlinks=False):
                        stack.append(e.path)
                    else:
                        seen += 1
                        if seen > n:
                            return True
        except OSError:
            continue
    return False


def _start_pool(n_proc: int) -> cf.ProcessPoolExecutor:
    """A process pool whose workers import the stages and load their tables right away.

    forkserver, not fork: the flow process has Prefect's threads running. The fork server preloads the
    core modules once (workers fork from it), and each worker loads its tables in `warm_up` while the
    flow process is still discovering files."""
    import multiprocessing as mp

    from corpusclean.document import warm_up

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["corpusclean.shards", "corpusclean.document", "corpusclean.boilerplate",
                                "corpusclean.html", "corpusclean.dedup"])
    with _main_module_hidden():
        pool = cf.ProcessPoolExecutor(max_workers=n_proc, mp_context=ctx)
        for _ in range(n_proc):  # spawns the workers now, while __main__ is hidden
            pool.submit(warm_up)
    return pool


@contextlib.contextmanager
def _main_module_hidden():
    """Start worker processes without the main module.

    multiprocessing re-runs the parent's `__main__` (here this file, which imports Prefect: ~2 s of
    CPU) in every new worker so that objects defined there can be unpickled. Workers here only run
    `corpusclean` functions, so the main module's spec and path are hidden while they start
    (multiprocessing.spawn.get_preparation_data reads exactly these two attributes)."""
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__[k] for k in ("__spec__", "__file__") if main is not None and k in main.__dict__}
    try:
        if main is not None:
            main.__dict__.pop("__file__", None)
            main.__spec__ = None
        yield
    finally:
        if main is not None:
            main.__dict__.update(saved)
            if "__spec__" not in saved:
                main.__dict__.pop("__spec__", None)


def _early_args(argv: list[str]) -> argparse.Namespace | None:
    """The command line parsed before Prefect is imported, for what starts early (worker pool, Prefect
    server), silently: arguments that do not parse (or --help, or an abbreviation of it) give None and
    are left to `main` to report."""
    if {"-h", "--help"} & set(argv):
        return None
    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            a, _ = build_parser().parse_known_args(argv)
    except (SystemExit, Exception):  # noqa: BLE001
        return None
    return a


def _early_pool(a: argparse.Namespace | None) -> cf.Future | None:
    """For `python -m flows.ingest`: the worker pool the flow will use, started in a background thread
    before Prefect is imported, so the workers' start-up overlaps Prefect's import and the flow run's
    creation. Same decision as in the flow (thread runner, more than one shard's worth of files); the
    flow shuts it down if it does not use it.

    In a thread because starting the fork server blocks its caller until the server has imported the
    preloaded stages (~0.5 s): the main thread imports Prefect meanwhile, on the other core."""
    if a is None:
        return None
    n_proc = a.processes if a.processes > 0 else (os.cpu_count() or 1)
    if a.workers or a.dask_address or n_proc <= 1 or a.shard_files < 1 or not os.path.isdir(a.raw):
        return None
    if not _more_files_than(a.raw, a.shard_files):
        return None
    fut: cf.Future = cf.Future()

    def start() -> None:
        try:
            fut.set_result(_start_pool(n_proc))
        except BaseException as e:  # noqa: BLE001 - handed to whoever takes the pool
            fut.set_exception(e)

    threading.Thread(target=start, name="corpusclean-pool-start", daemon=True).start()
    return fut


def _take_early_pool() -> cf.ProcessPoolExecutor | None:
    """The pool `_early_pool` started (waiting for its start to finish), once; None if there is none
    or it failed to start (the flow then starts its own)."""
    global _EARLY_POOL
    fut, _EARLY_POOL = _EARLY_POOL, None
    if fut is None:
        return None
    try:
        return fut.result()
    except Exception:  # noqa: BLE001
        return None


def _start_janitor():
    """A watcher in a session of its own that stops this run's worker processes and temporary Prefect
    server if the run is killed without running its exit hooks (SIGKILL, the OOM killer): see
    flows/janitor.py. Linux only (/proc)."""
    if not os.path.isdir("/proc/self/task"):
        return None
    import subprocess

    try:
        return subprocess.Popen([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "janitor.py"),
                                 str(os.getpid())], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return None


class TemporaryServer:
    """This run's temporary Prefect API server: the uvicorn process Prefect's own ephemeral mode starts
    (prefect.server.api.server.SubprocessASGIServer, same command and environment), started here instead.

    Why not Prefect's: (1) it is started by the command line before Prefect is imported, so its ~3.5 s
    of start-up overlaps the run's own imports and worker start; Prefect's class lives in the server
    module, whose import alone cost the run 2 s before the server was even spawned (a 5-file run:
    7.1 s from the start of the process to a healthy server, now 5.0-5.7 s). (2) It runs in a session of its own: Prefect's shares the
    terminal's process group, so Ctrl-C killed it with the run, which then spent a minute retrying the
    dead API before failing. It is stopped at exit after Prefect's own exit hooks, which flush the
    run's logs to it (registered before them, so run after them; stopping it earlier left every
    --workers run waiting ~75 s)."""

    PORTS = range(8000, 9000)  # Prefect's range for its ephemeral server

    def __init__(self) -> None:
        import atexit
        import uuid

        self.proc = None
        self.port = 0
        self._announced = False
        self._free_exits = 0
        # sent back on every response: the health check knows its own server from another one that
        # took the port meanwhile (a concurrent run's, which would stop under this run)
        self.token = uuid.uuid4().hex
        self._spawn()
        atexit.register(self.stop)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @staticmethod
    def _port_free(port: int) -> bool:
        import socket

        with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
        return True

    def _spawn(self) -> None:
        import importlib.util
        import random
        import subprocess

        for _ in range(20):
            port = random.choice(self.PORTS)
            if self._port_free(port):
                break
        else:
            raise RuntimeError("no free port for the temporary Prefect server in 8000-8999")
        self.port = port
        site = os.path.dirname(os.path.dirname(importlib.util.find_spec("prefect").origin))
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
        # what this module sets for the run (a server is only started when no API URL was configured)
        env.pop("PREFECT_API_URL", None)
        if not env.get("PREFECT_UI_URL"):
            env.pop("PREFECT_UI_URL", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", site, "--factory", "prefect.server.api.server:create_app",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on",
             "--header", f"x-corpusclean-server:{self.token}"],
            env=env, stdin=subprocess.DEVNULL, start_new_session=True)

    def wait(self, timeout: float) -> str:
        """Block until the server answers /api/health; its API URL. Exit code 3 is uvicorn's "address
        in use" (another process took the port since it was checked): a new port, as Prefect does. But
        uvicorn also exits 3 when the application fails to start (an unusable database): when the port
        is free, that is the failure reported, at once (Prefect's own loop retried it until its timeout)."""
        import subprocess
        import time
        import urllib.error
        import urllib.request

        log = logging.getLogger("prefect")
        log.info("Starting temporary server on %s", self.api_url[:-4])
        self._announced = True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.proc.poll()
            if code == 3 and self._port_free(self.port):
                # the port may also have been let go between the exit and this check: a second try
                self._free_exits += 1
                if self._free_exits >= 2:
                    raise RuntimeError("the temporary Prefect server failed to start (its log is above; check "
                                       "PREFECT_HOME and PREFECT_SERVER_DATABASE_CONNECTION_URL)")
            if code == 3:
                self._spawn()
                log.info("Port taken: starting temporary server on %s", self.api_url[:-4])
                continue
            if code is not None:
                raise RuntimeError(f"the temporary Prefect server exited with code {code} before it answered")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as r:
                    if r.status == 200 and r.headers.get("x-corpusclean-server") == self.token:
                        return self.api_url
                    if r.status == 200:  # another server holds the port: ours will exit with code 3
                        try:
                            self.proc.wait(timeout=30)
                        except subprocess.TimeoutExpired:
                            pass
                        continue
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"Timed out after {timeout:.0f} s waiting for the temporary Prefect server "
                           "(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)")

    def stop(self) -> None:
        import subprocess

        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        if self._announced:
            logging.getLogger("prefect").info("Stopping temporary server on %s", self.api_url[:-4])
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _api_url_may_be_configured() -> bool:
    """Whether a Prefect settings source other than the environment may set PREFECT_API_URL: the
    active profile, or a `.env`, `prefect.toml` or `pyproject.toml` ([tool.prefect]) in the working
    folder. Read without importing Prefect (that is the point of starting early); when in doubt,
    yes: the run then asks Prefect's own resolved settings (`_run`), only later."""
    import tomllib

    home = os.path.expanduser(os.environ.get("PREFECT_HOME") or os.path.join("~", ".prefect"))
    path = os.path.expanduser(os.environ.get("PREFECT_PROFILES_PATH") or os.path.join(home, "profiles.toml"))
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        data = {}
    except (OSError, ValueError):
        return True
    name = os.environ.get("PREFECT_PROFILE") or data.get("active") or "ephemeral"
    profile = (data.get("profiles") or {}).get(name) or {}
    if not isinstance(profile, dict) or any("API_URL" in str(k).upper() for k in profile):
        return True
    for fn, marker in ((".env", "PREFECT_API"), ("prefect.toml", "url"), ("pyproject.toml", "tool.prefect")):
        try:
            with open(fn, encoding="utf-8", errors="replace") as f:
                if marker.lower() in f.read().lower():
                    return True
        except OSError:
            continue
    return False


def _path_error(a: argparse.Namespace) -> str | None:
    """Why `main` refuses the command's --raw/--out (exit 2), or None: checked before Prefect starts
    (the run checks the output folder again)."""
    for name, value in (("--raw", a.raw), ("--out", a.out)):
        if not value.strip():  # Path("") is the current directory
            return f"{name} is an empty path"
    raw, out = Path(a.raw), Path(a.out)
    if not raw.is_dir():
        return f"raw directory {'is not a directory' if raw.exists() else 'does not exist'}: {raw}"
    if not os.access(raw, os.R_OK | os.X_OK):
        return f"raw directory is not readable: {raw}"
    if out.exists() and not out.is_dir():
        return f"output path exists and is not a directory: {out}"
    if out.resolve() == raw.resolve():  # an output folder inside raw/ is skipped; raw/ itself cannot be
        return f"the output folder cannot be the raw folder itself: {out}"
    try:
        check_output_dir(out, raw)
    except OutputDirError as e:
        return str(e)
    return None


def _early_server(a: argparse.Namespace | None) -> TemporaryServer | None:
    """For `python -m flows.ingest` with no Prefect API configured and no --dask-address: the run's
    temporary Prefect server, started before Prefect is imported (see TemporaryServer). A command
    that `main` will refuse (bad arguments or paths, an output folder another run holds) starts
    nothing: it must fail fast and leave the other run its second core."""
    if a is None or a.dask_address or os.environ.get("PREFECT_API_URL"):
        return None
    try:
        config_from_args(a)
        if _path_error(a) is not None or _api_url_may_be_configured() or _lock_held(Path(a.out)):
            return None
        srv = TemporaryServer()
    except Exception:  # noqa: BLE001 - _run starts one the usual way and reports what fails
        return None
    os.environ["PREFECT_API_URL"] = srv.api_url  # before Prefect reads its settings; _run waits for it
    # no "View at <url>" line per run: this server serves no UI (Prefect's own ephemeral mode prints none)
    os.environ.setdefault("PREFECT_UI_URL", "")
    return srv


def _lock_held(out: Path) -> bool:
    """Whether another run holds the output folder's lock now (checked, not taken: OutputLock does)."""
    import fcntl

    try:
        fd = os.open(out / ".lock", os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


_JANITOR = _start_janitor() if _CLI else None
_EARLY_ARGS = _early_args(sys.argv[1:]) if _CLI else None
_EARLY_POOL: cf.Future | None = _early_pool(_EARLY_ARGS)
_EARLY_SERVER: TemporaryServer | None = _early_server(_EARLY_ARGS)


from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NONE as NO_CACHE  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

if _EARLY_POOL is not None:
    # the pool start hides this module's __file__/__spec__ while it runs (_main_module_hidden): let it
    # finish before the flow and tasks below are defined (Prefect reads their module)
    cf.wait([_EARLY_POOL])


@task(name="process-shard", cache_policy=NO_CACHE, retries=0)
def process_shard_task(shard, cache_dir: str, config: PipelineConfig, refresh: bool):
    """Read, clean and stage one shard (or find it cached by content)."""
    return _run_shard(shard, cache_dir, config, refresh)


@task(name="corpus-dedup", cache_policy=NO_CACHE)
def dedup_task(ctx):
    from corpusclean.pipeline import run_dedup

    return run_dedup(ctx)


@task(name="finalize-shard", cache_policy=NO_CACHE)
def finalize_task(shards, cache_dir: str, decisions: str, staged: str, run_id: str):
    """Apply the dedup decisions to a batch of staged shards and write their part files."""
    return _finalize(shards, cache_dir, decisions, staged, run_id)


def summary_markdown(s: dict) -> str:
    """The run record as Markdown (the same numbers as the `runs` row)."""
    rows = s["table_rows"]
    lines = [
        f"# ingest run `{s['run_id']}`", "",
        f"- raw: `{s['raw_dir']}`, {s['n_files']} files, {s['bytes_in'] / 1e6:.1f} MB; executor `{s['executor']}`",
        f"- pipeline {s['pipeline_version']}, schema {s['schema_version']}, config fingerprint `{s['config_fingerprint']}`",
        f"- shards: {s['shards_total']} total, {s['shards_processed']} processed, {s['shards_cached']} cached",
        f"- documents: {s['docs_new']} new, {s['docs_changed']} changed, {s['docs_deleted']} deleted, "
        f"{s['docs_unchanged']} unchanged",
        f"- {s['seconds']:.1f} s, {s['mb_per_s']:.2f} MB/s, {s['docs_per_s']:.1f} docs/s", "",
        "| table | rows |", "| --- | ---: |", *(f"| {k} | {v} |" for k, v in rows.items()), "",
    ]
    if s.get("removed_by_reason"):
        lines += ["| removal reason | rows |", "| --- | ---: |",
                  *(f"| {k} | {v} |" for k, v in sorted(s["removed_by_reason"].items())), ""]
    return "\n".join(lines)


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(ctx, summaries, counts):
    from corpusclean.pipeline import finish_run

    summary = finish_run(ctx, summaries, counts)
    try:
        from prefect.artifacts import create_markdown_artifact

        create_markdown_artifact(key="ingest-summary", markdown=summary_markdown(summary),
                                 description=f"corpusclean ingest run {summary['run_id']}")
    except Exception as e:  # noqa: BLE001 - the data is published; a missing artifact must not fail the run
        from prefect import get_run_logger

        get_run_logger().warning("could not create the ingest-summary artifact: %s", e)
    return summary


def _dask_workers() -> int:
    """Workers of the flow's Dask cluster (at least 1)."""
    try:
        from distributed import get_client

        return max(1, len(get_client().scheduler_info().get("workers", {})))
    except Exception:  # noqa: BLE001 - only sizes the finalize batches
        return 4


def _runner_name() -> str:
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    runner = getattr(ctx, "task_runner", None)
    return type(runner).__name__ if runner is not None else ""


@flow(name="ingest", log_prints=True)
def ingest(
    raw_dir: str = "raw",
    out_dir: str = "processed",
    config: PipelineConfig = PipelineConfig(),
    full_refresh: bool = False,
    processes: int = 0,
    progress: str = "off",
    allow_empty: bool = False,
) -> dict:
    """Ingest every file under `raw_dir` and publish the six tables to `out_dir`.

    `processes` > 1 runs shard work in a local process pool (thread task runner only; on Dask the
    shard work runs inline in the Dask worker). `progress`: auto / bar / lines / json / off.
    """
    import time

    from prefect import get_run_logger
    from prefect.futures import as_completed

    from corpusclean.pipeline import record_shards, start_run

    global _POOL
    out_dir = str(Path(out_dir).absolute())  # task arguments must mean the same on every worker
    runner = _runner_name()
    on_dask = runner == "DaskTaskRunner"
    n_proc = 1 if on_dask else (processes if processes > 0 else (os.cpu_count() or 1))
    early = _take_early_pool()
    if (msg := config.dedup.banding_warning()) is not None:
        get_run_logger().warning(msg)
    with OutputLock(out_dir):
        pool = None
        if not on_dask and n_proc > 1 and _more_files_than(raw_dir, config.shard_files):
            # started by the CLI before Prefect was imported, else now: it warms up while this process plans
            pool = early if early is not None and early._max_workers == n_proc else _start_pool(n_proc)
        if early is not None and early is not pool:
            early.shutdown(wait=False, cancel_futures=True)
        try:
            ctx = start_run(raw_dir, out_dir, config, refresh=full_refresh, allow_empty=allow_empty)
        except BaseException:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            raise
        if on_dask:
            ctx.executor = "dask"
        elif pool is not None and len(ctx.plan.shards) > 1:
            _POOL = pool
            ctx.executor = f"processes:{n_proc}"
        elif pool is not None:  # one shard: inline is cheaper than shipping it to a worker
            pool.shutdown(wait=False, cancel_futures=True)
            pool = None
        # quote(): Prefect would otherwise walk every file of the plan to look for upstream futures in
        # the arguments (~4 s per walk of a 100k-file plan); ours hold none. The Dask runner
        # (prefect-dask 0.3) hands quoted arguments over still wrapped: not there.
        q = (lambda x: x) if on_dask else quote
        finished = False
        try:
            with progress_reporter(len(ctx.plan.files), len(ctx.plan.shards), progress) as prog:
                t = time.perf_counter()
                shard_futs = [process_shard_task.submit(q(s), ctx.cache_dir, config, full_refresh)
                              for s in submission_order(ctx.plan.shards)]
                for f in as_completed(shard_futs):
                    r = f.result()
                    prog.shard_done(r.n_files, r.cached)
                summaries = sorted((f.result() for f in shard_futs), key=lambda r: r.index)
                ctx.stage_seconds["shards"] = time.perf_counter() - t
                record_shards(ctx, summaries)  # content keys and file hashes the shard tasks computed
                prog.phase("dedup")
                decisions = dedup_task(q(ctx))
                prog.phase("finalize")
                t = time.perf_counter()
                n_workers = n_proc if not on_dask else _dask_workers()
                fin = [finalize_task.submit(q(b), ctx.cache_dir, decisions, str(ctx.staged), ctx.run_id)
                       for b in finalize_batches(ctx.plan.shards, n_workers)]
                counts = [c for f in fin for c in f.result()]
                ctx.stage_seconds["finalize"] = time.perf_counter() - t
                prog.phase("publish")
            finished = True
        finally:
            if pool is not None:
                if finished:
                    pool.shutdown()
                else:  # SIGTERM, Ctrl-C or a failed task: stop now, not after every queued shard
                    _stop_pool(pool)
                _POOL = None
        summary = publish_task(q(ctx), q(summaries), q(counts))
    return summary


def _stop_pool(pool) -> None:
    """Cancel the queued shards and end the running ones: a run that is being stopped does not wait
    for the rest of its shard stage (it did: 34 shards staged after a SIGTERM at the first). A shard
    killed mid-way leaves no _SUCCESS and is recomputed by the next run."""
    procs = list((getattr(pool, "_processes", None) or {}).values())  # CPython's; shutdown() drops it
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        try:
            proc.terminate()
        except Exception:  # noqa: BLE001 - already gone
            pass


def _progress_mode(a: argparse.Namespace) -> str:
    if a.quiet or a.no_progress:
        return "off"
    return "json" if a.json_logs else "auto"


_SETTINGS_CM = None  # a temporary_settings context entered for the rest of the process (kept referenced)


def _use_temporary_server() -> None:
    """Point this process (and the Dask workers it starts, which inherit the environment) at the
    run's temporary server, started now unless the command line already started it, and wait until
    it answers.

    Prefect builds its process-wide settings at import, from the environment, and threads without a
    settings context of their own (events, logs) read those: an API URL set after the import must be
    put there too, or such a thread starts a second temporary server of its own."""
    import prefect.context
    from prefect.settings import PREFECT_API_URL, temporary_settings

    global _EARLY_SERVER, _SETTINGS_CM
    srv, _EARLY_SERVER = _EARLY_SERVER, None
    srv = srv or TemporaryServer()
    url = srv.wait(float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")))
    os.environ["PREFECT_API_URL"] = url
    os.environ.setdefault("PREFECT_UI_URL", "")  # see _early_server
    if PREFECT_API_URL.value() != url:
        prefect.context.refresh_global_settings_context()
    if PREFECT_API_URL.value() != url:  # a settings context entered in this thread takes precedence
        # entered, never exited: a context manager that is not kept referenced is closed (and the
        # setting undone) as soon as it is garbage-collected
        _SETTINGS_CM = temporary_settings(updates={PREFECT_API_URL: url})
        _SETTINGS_CM.__enter__()


def _run(a: argparse.Namespace, raw: Path, config: PipelineConfig) -> dict:
    """Call the flow with the task runner the options ask for."""
    kwargs = dict(raw_dir=str(raw), out_dir=a.out, config=config, full_refresh=a.full_refresh,
                  processes=a.processes, progress=_progress_mode(a), allow_empty=a.allow_empty)
    from prefect.settings import PREFECT_API_URL

    # Prefect's resolved settings: the environment, the active profile, .env, prefect.toml
    if _EARLY_SERVER is not None or (not PREFECT_API_URL.value() and not a.dask_address):
        _use_temporary_server()
    if not (a.dask_address or a.workers):
        return ingest(**kwargs)
    from prefect_dask import DaskTaskRunner

    kwargs["processes"] = 1
    if a.dask_address:
        if not PREFECT_API_URL.value():
            msg = ("PREFECT_API_URL is not set: each Dask worker will start its own temporary Prefect server; "
                   "point the workers and this command at one server (see README)")
            if a.json_logs:
                import json

                print(json.dumps({"event": "warning", "message": msg}), file=sys.stderr)
            else:
                print(f"warning: {msg}", file=sys.stderr)
        return ingest.with_options(task_runner=DaskTaskRunner(address=a.dask_address))(**kwargs)
    logging.getLogger("distributed").setLevel(logging.WARNING)  # scheduler/nanny chatter, per worker and comm
    # the worker processes read their log levels from dask's config, which they take from the environment
    # (silence_logs covers the nanny only: each worker still logged ~15 INFO lines of start and stop)
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    runner = DaskTaskRunner(cluster_kwargs={"n_workers": a.workers, "threads_per_worker": 1, "processes": True,
                                            "dashboard_address": None, "silence_logs": logging.WARNING})
    return ingest.with_options(task_runner=runner)(**kwargs)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    finally:
        pool = _take_early_pool()  # started for a flow that did not run (bad arguments, locked output)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


_JSON_ERRORS = False  # --json-logs: for the SIGTERM handler, which has no arguments to look at


def _error(a: argparse.Namespace | None, msg: str) -> None:
    """The one line a failed run prints on stderr: a JSON line under --json-logs, like the rest of its output."""
    try:  # after a hangup stderr may be a dead terminal: the exit code must still say what happened
        if getattr(a, "json_logs", False) or (a is None and _JSON_ERRORS):
            import json

            print(json.dumps({"event": "error", "message": msg}), file=sys.stderr)
        else:
            print(f"error: {msg}", file=sys.stderr)
    except OSError:
        pass


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    a = parser.parse_args(argv)
    global _JSON_ERRORS
    _JSON_ERRORS = a.json_logs
    try:
        config = config_from_args(a)
    except ValueError as e:
        parser.error(str(e))
    if (msg := _path_error(a)) is not None:
        _error(a, msg)
        return 2
    raw = Path(a.raw)
    try:
        with OutputLock(a.out):  # taken before any Prefect start-up, so a second run fails fast
            summary = _run(a, raw, config)
    except LockedError as e:
        _error(a, f"{e}")
        return 3
    except (RawDirError, OutputDirError) as e:
        _error(a, f"{e}")
        return 2
    except KeyboardInterrupt:
        _error(a, "interrupted; the previous snapshot is still the published one")
        return 130
    except Exception as e:  # noqa: BLE001 - one line for the operator; details are in the Prefect logs above
        msg = " ".join(str(e).split())[:300]
        _error(a, f"run failed: {type(e).__name__}: {msg} (the previous snapshot is still published)")
        return 1
    rows = summary["table_rows"]
    if a.json_logs:
        import json

        print(json.dumps({"event": "summary", "run_id": summary["run_id"], "out": a.out, "table_rows": rows,
                          "shards_processed": summary["shards_processed"], "shards_cached": summary["shards_cached"],
                          "seconds": round(summary["seconds"], 3)}))
        return 0
    print(f"run {summary['run_id']}: {rows['documents']} documents, {rows['paragraphs']} paragraphs, "
          f"{rows['removed']} removed, {rows['citations']} citations, {rows['rejects']} rejects, "
          f"{summary['shards_processed']}/{summary['shards_total']} shards processed "
          f"in {summary['seconds']:.1f}s -> {a.out}")
    return 0


def _on_sigterm(signum, frame) -> None:
    """SIGTERM (cron, `timeout`, systemd) ends the run like Ctrl-C does: exit hooks run, so the
    temporary Prefect server is stopped (it used to outlive the killed run, holding a port)."""
    _error(None, "terminated; the previous snapshot is still the published one")
    raise SystemExit(128 + signum)  # 143 for SIGTERM, 129 for SIGHUP (a closed terminal or ssh session)


if _CLI:  # `python -m flows.ingest` and the `corpusclean-ingest` script: replaces _early_signal
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGHUP, _on_sigterm)

if __name__ == "__main__":
    sys.exit(main())
