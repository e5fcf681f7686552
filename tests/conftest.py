import gzip
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Prefect must never reach a user's server or profile from the test suite.
os.environ.pop("PREFECT_API_URL", None)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def make_corpus(dest: Path, with_bad: bool = False) -> Path:
    """Seeds + the text fixtures of tests/fixtures (+ the bad-input kinds if asked)."""
    dest.mkdir(parents=True, exist_ok=True)
    for p in sorted(SEEDS.iterdir()):
        shutil.copy(p, dest / p.name)
    sub = dest / "fixtures"
    sub.mkdir(exist_ok=True)
    for p in sorted(FIXTURES.iterdir()):
        if p.is_file():
            shutil.copy(p, sub / p.name)
    if with_bad:
        add_bad_inputs(dest / "bad")
    return dest


def add_bad_inputs(d: Path) -> dict[str, str]:
    """The four kinds of issue 3: random bytes, empty, truncated gzip, Latin-1 text."""
    import random

    d.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(7)
    (d / "random.bin.txt").write_bytes(bytes(rnd.randrange(256) for _ in range(4096)))
    (d / "empty.txt").write_bytes(b"")
    blob = gzip.compress(("A paragraph of text that will be cut short. " * 200).encode())
    (d / "truncated.txt.gz").write_bytes(blob[: len(blob) // 2])
    latin = "Le café de la gare était fermé, mais le garçon nous a servi un thé très chaud près de la fenêtre."
    (d / "latin1.txt").write_bytes(latin.encode("latin-1"))
    return {"latin1.txt": latin}


def reversed_copy(src: Path, dst: Path) -> Path:
    """Same files, created in reverse order (so directory listings differ)."""
    dst.mkdir(parents=True)
    for p in sorted(src.rglob("*"), reverse=True):
        t = dst / p.relative_to(src)
        if p.is_dir():
            t.mkdir(parents=True, exist_ok=True)
        else:
            t.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(p, t)
    return dst


@pytest.fixture
def cleaned_sources(monkeypatch) -> list[str]:
    """The sources the shard tasks read and clean during the test, in order (process_documents spied on)."""
    import corpusclean.shards as shards

    seen: list[str] = []
    real = shards.process_documents

    def counting(raws, config):
        seen.extend(r.source for r in raws)
        return real(raws, config)

    monkeypatch.setattr(shards, "process_documents", counting)
    return seen


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory):
    """One pipeline run (no Prefect) over seeds + fixtures + bad inputs, shared by many tests."""
    from corpusclean.pipeline import run_pipeline

    base = tmp_path_factory.mktemp("seedrun")
    raw = make_corpus(base / "raw", with_bad=True)
    out = base / "out"
    summary = run_pipeline(str(raw), str(out))
    return raw, out, summary


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect API for the few flow-level tests (one server for the whole session)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
