"""Run the `ingest` flow on a schedule from this process (the "serve" route; no work pool, no worker).

    prefect server start --background        # a real server: schedules need one (not ephemeral mode)
    prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api
    python -m flows.serve --cron "0 2 * * *" --raw raw --out processed

Blocks until stopped (Ctrl-C / SIGTERM); stopping it pauses the deployment's schedule. Runs start
in a subprocess of this one, in this working directory, so relative --raw/--out are resolved here
and stored as absolute paths.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL", "WARNING")

import argparse  # noqa: E402
from pathlib import Path  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m flows.serve", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--name", default="nightly", help="deployment name (shown as ingest/<name>)")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--cron", default="0 2 * * *", help="cron schedule (UTC)")
    when.add_argument("--interval", type=float, metavar="SECONDS", help="run every SECONDS instead of --cron")
    p.add_argument("--raw", default="raw", help="folder of raw files")
    p.add_argument("--out", default="processed", help="output folder")
    p.add_argument("--processes", type=int, default=0, help="worker processes per run (0 = one per core)")
    p.add_argument("--limit", type=int, default=1, help="runs at a time from this process (the output lock allows one)")
    return p


def main(argv: list[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    raw, out = Path(a.raw).absolute(), Path(a.out).absolute()
    if not raw.is_dir():
        print(f"error: raw directory does not exist or is not a directory: {raw}", file=sys.stderr)
        return 2
    if not os.environ.get("PREFECT_API_URL"):
        from prefect.settings import PREFECT_API_URL

        if not PREFECT_API_URL.value():
            print("error: PREFECT_API_URL is not set; schedules need a running Prefect server "
                  "(prefect server start --background; prefect config set PREFECT_API_URL=...)", file=sys.stderr)
            return 2
    from flows.ingest import ingest

    schedule = {"interval": a.interval} if a.interval else {"cron": a.cron}
    try:
        ingest.serve(name=a.name, parameters={"raw_dir": str(raw), "out_dir": str(out), "processes": a.processes},
                     limit=a.limit, **schedule)
    except KeyboardInterrupt:
        pass
    finally:
        _pause(f"{ingest.name}/{a.name}")
    return 0


def _pause(deployment: str) -> None:
    """Pause the schedule on the way out. Prefect's runner tries this too on SIGTERM, but in 3.8 its
    shutdown can exit before the request is made, leaving a schedule nobody serves."""
    try:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            client.pause_deployment(client.read_deployment_by_name(deployment).id)
        print(f"serve: stopped; deployment {deployment} is paused", file=sys.stderr)
    except Exception as e:  # noqa: BLE001 - best effort on shutdown
        print(f"serve: stopped; could not pause {deployment}: {type(e).__name__}: {e}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
