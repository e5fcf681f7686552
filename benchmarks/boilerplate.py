"""Score our boilerplate removal on the shared benchmark (ROUGE-LSum via the benchmark's score.py).

    python benchmarks/boilerplate.py [--mode text|html|both] [--bench ../shared/bench/boilerplate] [--cv K]
                                     [--seeds 7,8,9,10,11]
                                     [--metrics rouge] [--per-page pages.csv] [--keep DIR]

text mode: text/<id>.txt -> split_lines -> classify_dump; with --cv K (default 5) every page is scored by
the fold model that did not see it (cross-validation by page, folds from benchmarks/train_boilerplate.py);
--cv 0 uses the shipped model (trained on all pages: an optimistic, in-sample figure).
html mode: each page through corpusclean.document.process_documents (the pipeline's front door).
Also prints the text classifier's cost in microseconds per line.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpusclean.blocks import split_lines  # noqa: E402
from corpusclean.boilerplate import classify_dumps  # noqa: E402

DEFAULT_BENCH = ROOT.parent / "shared" / "bench" / "boilerplate"


def _manifest(bench: Path) -> list[dict]:
    with open(bench / "manifest.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _score(bench: Path, pred_dir: Path, mode: str, metrics: str, per_page: str | None) -> str:
    cmd = [sys.executable, str(bench / "score.py"), str(pred_dir), "--mode", mode, "--bench", str(bench),
           "--metrics", metrics]
    if per_page:
        cmd += ["--per-page", per_page]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return f"score.py failed ({r.returncode}):\n{r.stderr}"
    return r.stdout


def run_text(bench: Path, out: Path, cv: int, threshold: float | None = None, models_cache: dict | None = None) -> tuple[float, int]:
    rows = _manifest(bench)
    models, page_fold = None, {}
    if models_cache is not None and "models" in models_cache:
        models, page_fold = models_cache["models"], models_cache["page_fold"]
    elif cv and cv > 1:
        from train_boilerplate import cv_fold_models

        t0 = time.time()
        models, page_fold, _ = cv_fold_models(bench, cv)
        print(f"trained {cv} fold models (cross-validation by page) in {time.time() - t0:.0f}s", flush=True)
        if models_cache is not None:
            models_cache.update(models=models, page_fold=page_fold)
    kw = {} if threshold is None else {"threshold": threshold}
    docs = []
    for row in rows:
        text = (bench / "text" / f"{row['id']}.txt").read_text("utf-8")
        docs.append((row["id"], split_lines(text)))
    # warm-up (model load, stop lists, lookup tables) outside the timing
    classify_dumps([docs[0][1]], model=models[page_fold[docs[0][0]]] if models else None, **kw)
    # one classify_dumps call per fold model (the shipped model: one call for all pages)
    groups: dict[int, list[int]] = {}
    for j, (pid, _b) in enumerate(docs):
        groups.setdefault(page_fold[pid] if models else 0, []).append(j)
    elapsed, n_lines = 0.0, 0
    for fold, members in sorted(groups.items()):
        model = models[fold] if models else None
        t = time.process_time()
        res = classify_dumps([docs[j][1] for j in members], model=model, **kw)
        elapsed += time.process_time() - t
        for j, (decisions, _meta) in zip(members, res):
            pid, blocks = docs[j]
            n_lines += len(blocks)
            kept = [d.text if d.text is not None else b.text.strip() for b, d in zip(blocks, decisions) if d.keep]
            (out / f"{pid}.txt").write_text("\n".join(kept) + "\n", encoding="utf-8")
    return elapsed, n_lines


def run_html(bench: Path, out: Path) -> bool:
    """HTML through the pipeline's own front door (decoding, Wikipedia routing, html_blocks)."""
    from corpusclean.config import PipelineConfig
    from corpusclean.document import process_documents
    from corpusclean.readers import decode
    from corpusclean.records import RawDocument

    cfg = PipelineConfig(detect_language=False)
    for row in _manifest(bench):
        raw = gzip.decompress((bench / "html" / f"{row['id']}.html.gz").read_bytes())
        decoded = decode(raw)
        text = decoded[0] if isinstance(decoded, tuple) else raw.decode("utf-8", "replace")
        doc = RawDocument(row["id"], "", "html", "", "", text, len(raw))
        res = process_documents([doc], cfg)[0]
        kept = [] if isinstance(res, Exception) else [
            d.text if d.text is not None else b.text.strip() for b, d in zip(res.blocks, res.decisions) if d.keep]
        (out / f"{row['id']}.txt").write_text("\n".join(kept) + "\n", encoding="utf-8")
    return True


def _seed_spread(bench: Path, out: Path, cv: int, seeds: list[int], metrics: str) -> None:
    """Retraining moves the CV figure: the trees change when a few lines change a feature. The spread
    over seeds says which differences between two versions are noise."""
    import re
    import statistics

    import train_boilerplate

    f1s = []
    for seed in seeds:
        train_boilerplate.PARAMS["seed"] = seed
        sub = out / f"seed{seed}"
        sub.mkdir(parents=True, exist_ok=True)
        run_text(bench, sub, cv)
        report = _score(bench, sub, "text", metrics, None)
        row = next(ln for ln in report.splitlines() if ln.startswith("| mean of subsets"))
        f1s.append(float(re.findall(r"[0-9.]+", row)[-1]))
        print(f"seed {seed}: {row}", flush=True)
    print(f"mean-of-subsets F1 over {len(seeds)} seeds: {min(f1s):.3f}-{max(f1s):.3f}, "
          f"mean {statistics.mean(f1s):.3f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=("text", "html", "both"), default="text")
    ap.add_argument("--bench", default=str(DEFAULT_BENCH))
    ap.add_argument("--cv", type=int, default=5, help="folds for cross-validation by page (0: shipped model)")
    ap.add_argument("--metrics", default="rouge")
    ap.add_argument("--per-page", help="write per-page scores (CSV) here (text mode)")
    ap.add_argument("--thresholds", help="comma-separated keep thresholds to compare (text mode; default: shipped)")
    ap.add_argument("--keep", help="write predictions into this folder instead of a temp folder")
    ap.add_argument("--seeds", help="comma-separated trainer seeds: the CV once per seed, and the spread of the "
                                    "mean-of-subsets F1 (text mode; the shipped model uses seed 7)")
    a = ap.parse_args(argv)
    bench = Path(a.bench)
    if not (bench / "manifest.csv").is_file():
        print(f"error: no manifest.csv in {bench}", file=sys.stderr)
        return 2
    modes = ("text", "html") if a.mode == "both" else (a.mode,)
    for mode in modes:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(a.keep) / mode if a.keep else Path(tmp)
            out.mkdir(parents=True, exist_ok=True)
            if mode == "text" and a.thresholds:
                cache: dict = {}
                for th in [float(x) for x in a.thresholds.split(",")]:
                    sub = out / f"t{th}"
                    sub.mkdir(parents=True, exist_ok=True)
                    run_text(bench, sub, a.cv, threshold=th, models_cache=cache)
                    print(f"threshold {th}:")
                    print(_score(bench, sub, "text", a.metrics, None), flush=True)
            elif mode == "text" and a.seeds:
                _seed_spread(bench, out, a.cv or 5, [int(x) for x in a.seeds.split(",")], a.metrics)
            elif mode == "text":
                elapsed, n_lines = run_text(bench, out, a.cv)
                print(_score(bench, out, "text", a.metrics, a.per_page))
                print(f"text classifier cost (CPU): {elapsed / max(n_lines, 1) * 1e6:.1f} us/line "
                      f"({n_lines} lines, features + model + rules, classify_dumps per fold, one process)"
                      + (f"; scored by {a.cv}-fold CV by page" if a.cv and a.cv > 1 else "; shipped model (in-sample)"))
            else:
                if run_html(bench, out):
                    print(_score(bench, out, "html", a.metrics, None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
