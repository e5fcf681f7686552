"""The Prefect flow and its command line (one temporary Prefect server for the session)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import ROOT, make_corpus


def _cli(*args, cwd=ROOT, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "flows.ingest", *args], cwd=cwd, capture_output=True, text=True,
                          env=e, timeout=600)


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the processes whose parent is `pid` (Linux /proc)."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                if ppid == pid:
                    with open(f"/proc/{d}/cmdline", "rb") as f:
                        out.append((int(d), f.read().replace(b"\0", b" ").decode(errors="replace")))
            except (OSError, ValueError, IndexError):
                pass
    return out


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
def test_sigterm_is_exit_143_and_stops_the_temporary_server(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(3):
        (raw / f"a{i}.txt").write_text("A paragraph of running text, long enough to be kept in this page.\n")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    p = subprocess.Popen([sys.executable, "-m", "flows.ingest", "--raw", str(raw), "--out", str(tmp_path / "out"),
                          "-q"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    server = None
    deadline = time.monotonic() + 300
    while server is None and p.poll() is None and time.monotonic() < deadline:
        server = next((c for c, cmd in _children(p.pid) if "prefect.server" in cmd), None)
        time.sleep(0.05)
    if server is None:
        p.kill()
        pytest.skip("the run ended before its server could be seen")
    p.terminate()
    _, err = p.communicate(timeout=120)
    assert p.returncode == 143 and "error: terminated" in err.splitlines()[-1]
    for _ in range(100):  # the server is stopped by the run's exit hook, not left behind
        if not os.path.exists(f"/proc/{server}"):
            break
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{server}") or open(f"/proc/{server}/stat").read().split()[2] == "Z"


def _watched_run(tmp_path, *args, env=None) -> tuple[int, str, set[int]]:
    """A CLI run on a one-file corpus with no PREFECT_API_URL in its environment: (exit code, output,
    pids of the Prefect server processes it started)."""
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    (raw / "a.txt").write_text("A paragraph of running text, long enough to be kept in this page.\n")
    e = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_UI_URL")}
    e.update(env or {})
    p = subprocess.Popen([sys.executable, "-m", "flows.ingest", "--raw", str(raw), "--out", str(tmp_path / "out"),
                          *args], cwd=ROOT, env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    servers: set[int] = set()
    while p.poll() is None:
        servers |= {c for c, cmd in _children(p.pid) if "prefect.server" in cmd}
        time.sleep(0.05)
    return p.returncode, p.stdout.read(), servers


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
def test_a_run_without_an_api_url_uses_one_temporary_server_and_stops_it(tmp_path):
    """The command line starts the run's server itself, before Prefect is imported: Prefect must use
    it (from the flow and from its own threads), not start a second one of its own."""
    rc, out, servers = _watched_run(tmp_path)
    assert rc == 0, out[-2000:]
    assert "1 documents" in out and "View at" not in out  # no link to a UI this server does not serve
    assert len(servers) == 1, out[-2000:]
    (server,) = servers
    assert not os.path.exists(f"/proc/{server}") or open(f"/proc/{server}/stat").read().split()[2] == "Z"


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
def test_an_api_url_from_the_prefect_profile_is_used_and_a_refused_run_starts_no_server(tmp_path):
    from corpusclean.publish import OutputLock

    # `prefect config set PREFECT_API_URL=...` writes the profile, not the environment: the run must use
    # that server (here none answers: the run fails saying so), not a temporary one of its own
    (tmp_path / "profiles.toml").write_text('active = "shared"\n[profiles.shared]\n'
                                            'PREFECT_API_URL = "http://127.0.0.1:9/api"\n')
    rc, out, servers = _watched_run(tmp_path, "-q", env={"PREFECT_PROFILES_PATH": str(tmp_path / "profiles.toml")})
    assert rc == 1 and "127.0.0.1:9" in out and not servers, out[-2000:]
    # a run refused for a held output folder (exit 3) or a bad option (exit 2) starts nothing either
    with OutputLock(tmp_path / "out"):
        rc, out, servers = _watched_run(tmp_path)
    assert rc == 3 and not servers and "temporary server" not in out, out[-2000:]
    rc, out, servers = _watched_run(tmp_path, "--near-threshold", "5")
    assert rc == 2 and not servers, out[-2000:]


def test_a_temporary_server_that_cannot_start_fails_the_run_at_once_with_the_reason(tmp_path):
    # uvicorn exits 3 both for a taken port (retried on another) and for an app that fails to start
    env = {"PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{tmp_path}/no/such/dir/x.db",
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90"}
    t = time.monotonic()
    rc, out, _ = _watched_run(tmp_path, "-q", env=env)
    assert rc == 1 and "temporary Prefect server failed to start" in out, out[-2000:]
    assert time.monotonic() - t < 60  # not retried until the start-up timeout


def test_the_temporary_server_is_not_mistaken_for_another_one_on_its_port():
    """Another server (a concurrent run's) may take the port between the free-port check and uvicorn's
    bind, which comes after Prefect's start-up: answering /api/health is not enough to be ours."""
    import http.server
    import threading

    from flows.ingest import TemporaryServer

    class Other(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"true")

        def log_message(self, *a):
            pass

    srv = TemporaryServer()
    first = srv.port
    other = http.server.HTTPServer(("127.0.0.1", first), Other)  # taken while ours starts up
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        url = srv.wait(120)
        assert srv.port != first and url == srv.api_url
        with urllib.request.urlopen(f"{url}/health", timeout=10) as r:
            assert r.headers.get("x-corpusclean-server") == srv.token
    finally:
        other.shutdown()
        srv.stop()


def test_help_works():
    r = _cli("--help")
    assert r.returncode == 0 and "--raw" in r.stdout and "--out" in r.stdout


def test_missing_raw_is_one_line_and_exit_2(tmp_path):
    r = _cli("--raw", str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "does not exist" in r.stderr and "Traceback" not in r.stderr


def test_raw_folder_as_output_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "a.txt").write_text("some text")
    r = _cli("--raw", str(tmp_path), "--out", str(tmp_path / "."))
    assert r.returncode == 2 and "cannot be the raw folder" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "current").exists()


def test_an_output_folder_with_a_users_readme_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.txt").write_text("some text")
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "README.md").write_text("# mine")
    r = _cli("--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "proj"))
    assert r.returncode == 2 and "'README.md' that this tool did not write" in r.stderr and "Traceback" not in r.stderr
    assert (tmp_path / "proj" / "README.md").read_text() == "# mine" and not (tmp_path / "proj" / "current").exists()


@pytest.mark.parametrize("empty", ["--raw", "--out"])
def test_an_empty_path_is_not_the_current_directory(tmp_path, empty):
    args = {"--raw": str(tmp_path), "--out": str(tmp_path / "out"), empty: ""}
    r = _cli(*[x for kv in args.items() for x in kv])
    assert r.returncode == 2 and "empty path" in r.stderr and "Traceback" not in r.stderr


def test_an_error_is_a_json_line_under_json_logs(tmp_path):
    import json

    r = _cli("--raw", str(tmp_path / "missing"), "--out", str(tmp_path / "out"), "--json-logs")
    assert r.returncode == 2
    line = json.loads(r.stderr.strip())
    assert line["event"] == "error" and "does not exist" in line["message"]


def test_bad_option_is_a_usage_error(tmp_path):
    r = _cli("--near-threshold", "7")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_worker_processes_do_not_rerun_the_main_module(tmp_path):
    """A script that imports Prefect at the top, like `python -m flows.ingest`: multiprocessing would
    re-run it in every worker; the flow's pool starts its workers without it."""
    script = tmp_path / "main_script.py"
    script.write_text(
        "import sys\n"
        "import prefect  # noqa: F401\n"
        "if __name__ == '__main__':\n"
        "    import concurrent.futures as cf, multiprocessing as mp\n"
        "    from flows.ingest import _start_pool\n"
        "    check = \"'prefect' in __import__('sys').modules\"\n"
        "    pool = _start_pool(1)\n"
        "    plain = cf.ProcessPoolExecutor(1, mp_context=mp.get_context('spawn'))\n"
        "    print(pool.submit(eval, check).result(), plain.submit(eval, check).result())\n"
        "    pool.shutdown(); plain.shutdown()\n")
    r = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["False", "True"]  # ours: no Prefect; a plain pool re-runs the script


def test_flow_process_and_its_workers_use_the_system_allocator_for_arrow(tmp_path):
    """mimalloc (pyarrow's default) kept ~200 MB of freed pages per worker over a long finalize."""
    script = tmp_path / "pool_check.py"
    script.write_text(
        "if __name__ == '__main__':\n"
        "    from flows.ingest import _start_pool\n"
        "    import pyarrow\n"
        "    check = \"__import__('pyarrow').default_memory_pool().backend_name\"\n"
        "    pool = _start_pool(1)\n"
        "    print(pyarrow.default_memory_pool().backend_name, pool.submit(eval, check).result())\n"
        "    pool.shutdown()\n")
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    r = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                       env=dict(env, PYTHONPATH=str(ROOT)))
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["system", "system"]


def test_finalize_batches_cover_every_shard_once_in_order():
    from flows.ingest import FINALIZE_BATCH, finalize_batches

    for n, workers in ((0, 2), (1, 2), (3, 2), (23, 2), (178, 2), (40, 8), (5, 8)):
        shards = list(range(n))
        b = finalize_batches(shards, workers)
        assert [x for batch in b for x in batch] == shards
        assert all(0 < len(batch) <= FINALIZE_BATCH for batch in b) or n == 0
        assert len(b) >= min(n, workers)  # every worker gets a batch when there are enough shards


def test_shards_are_submitted_largest_first_each_once():
    from corpusclean.shards import FilePlan, Shard
    from flows.ingest import submission_order

    sizes = [[10], [500, 700], [5], [1200], [600, 600], [3, 4]]
    shards = [Shard(i, f"k{i}", [FilePlan(f"s{i}/{j}", "", b, None) for j, b in enumerate(fs)])
              for i, fs in enumerate(sizes)]
    order = submission_order(shards)
    assert sorted(s.index for s in order) == list(range(len(shards)))
    assert [s.bytes for s in order] == sorted((s.bytes for s in shards), reverse=True)
    assert [s.index for s in order if s.bytes == 1200] == [1, 3, 4]  # ties keep plan order


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


# ------------------------------------------------------------------ scheduling on a real Prefect server

import json  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402



def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(url, path, body=None, method=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method or ("POST" if data else "GET"),
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


def _stop(p, sig=signal.SIGTERM, grace=30):
    """Stop a process started with start_new_session=True, and everything it started."""
    if p.poll() is None:
        try:
            os.killpg(p.pid, sig)
            p.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(p.pid, signal.SIGKILL)  # stragglers of the group (flow-run subprocesses, uvicorn)
    except ProcessLookupError:
        pass
    p.wait(timeout=30)


@pytest.mark.slow
def test_scheduled_run_on_a_real_server_completes_and_writes_processed(tmp_path):
    """prefect server start -> deploy prefect.yaml (check) -> flows.serve on a 10 s interval -> a scheduled
    run completes and publishes processed/; stopping serve pauses the schedule. Bounded: 4 minutes."""
    t0 = time.monotonic()
    deadline = t0 + 240
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    home = tmp_path / "prefect_home"
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_LOGGING_LEVEL="INFO")
    env.pop("PREFECT_API_URL", None)
    prefect_bin = str(Path(sys.executable).parent / "prefect")
    logs = tmp_path / "logs"
    logs.mkdir()
    server = subprocess.Popen([prefect_bin, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
                              env=env, cwd=tmp_path, stdout=open(logs / "server.log", "w"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    serve = None
    try:
        while True:
            assert server.poll() is None, (logs / "server.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "server did not become healthy"
            try:
                if _api(api, "/health") is True:
                    break
            except OSError:
                pass
            time.sleep(1)
        t_server = time.monotonic() - t0
        env["PREFECT_API_URL"] = api
        # the prefect.yaml route: the file deploys as is (a worker would run it at 02:00 UTC)
        subprocess.run([prefect_bin, "work-pool", "create", "local-pool", "--type", "process"], env=env, cwd=ROOT,
                       capture_output=True, text=True, timeout=120, check=True)
        d = subprocess.run([prefect_bin, "--no-prompt", "deploy", "--all"], env=env, cwd=ROOT, capture_output=True,
                           text=True, timeout=120)
        assert d.returncode == 0, d.stdout[-2000:] + d.stderr[-2000:]
        dep = _api(api, "/deployments/name/ingest/nightly")
        assert dep["work_pool_name"] == "local-pool" and dep["entrypoint"] == "flows/ingest.py:ingest"
        assert [s["schedule"].get("cron") for s in dep["schedules"]] == ["0 2 * * *"]
        # the serve route, on a short interval so the test sees a scheduled run
        raw = make_corpus(tmp_path / "raw")
        out = tmp_path / "processed"
        serve = subprocess.Popen([sys.executable, "-m", "flows.serve", "--name", "every10s", "--interval", "10",
                                  "--raw", str(raw), "--out", str(out), "--processes", "1"], env=env, cwd=ROOT,
                                 stdout=open(logs / "serve.log", "w"), stderr=subprocess.STDOUT, start_new_session=True)
        done = []
        while not done:
            assert serve.poll() is None, (logs / "serve.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "no scheduled run completed in time:\n" + (logs / "serve.log").read_text()[-3000:]
            time.sleep(2)
            runs = _api(api, "/flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": ["COMPLETED", "FAILED", "CRASHED"]}}}})
            runs = [r for r in runs if r.get("deployment_id") and (r.get("created_by") or {}).get("type") == "SCHEDULE"]
            assert not [r for r in runs if r["state_type"] != "COMPLETED"], (logs / "serve.log").read_text()[-3000:]
            done = runs
        docs = pq.read_table(out / "documents")
        assert docs.num_rows > 5 and (out / "current").is_symlink()
        assert pq.read_table(out / "runs").num_rows >= 1
        # stopping serve (SIGTERM to the serve process, as a service manager would) pauses its schedule
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
        assert _api(api, "/deployments/name/ingest/every10s")["paused"] is True
        print(f"server healthy after {t_server:.0f}s; scheduled run done after {time.monotonic() - t0:.0f}s")
    finally:
        if serve is not None:
            _stop(serve)
        _stop(server)


def test_a_stopped_run_ends_its_running_and_queued_shard_work_at_once():
    """SIGTERM or Ctrl-C during the shard stage: the flow's `finally` used to wait for every queued
    shard (the whole stage) before the process could exit."""
    from flows.ingest import _start_pool, _stop_pool

    pool = _start_pool(1)
    running = pool.submit(time.sleep, 120)
    queued = [pool.submit(time.sleep, 120) for _ in range(3)]
    deadline = time.monotonic() + 60
    while not running.running() and time.monotonic() < deadline:
        time.sleep(0.05)
    procs = list(pool._processes.values())
    _stop_pool(pool)
    for p in procs:
        p.join(30)
    assert all(not p.is_alive() for p in procs)
    assert all(f.cancelled() for f in queued[1:])  # (one may already sit in the worker's call queue)


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="reads /proc")
def test_the_janitor_stops_what_a_killed_run_left_running():
    import signal
    import threading

    from flows.janitor import descendants, watch

    run = subprocess.Popen([sys.executable, "-c", "import subprocess, time; "
                            "subprocess.Popen(['sleep', '120'], start_new_session=True); time.sleep(120)"])
    left: dict = {}
    t = threading.Thread(target=lambda: left.update(watch(run.pid, interval=0.1, grace=2)))
    t.start()
    deadline = time.monotonic() + 30
    while not (kids := descendants(run.pid, os.getpid())) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.3)  # seen by the watcher's next look
    os.kill(run.pid, signal.SIGKILL)  # no exit hook runs: its child (own session, like the server) stays
    t.join(30)
    run.wait()
    assert kids and set(kids) <= set(left)
    for pid in kids:
        for _ in range(50):
            st = open(f"/proc/{pid}/stat").read().split()[2] if os.path.exists(f"/proc/{pid}") else "gone"
            if st in ("gone", "Z"):
                break
            time.sleep(0.1)
        assert st in ("gone", "Z")
