"""Benchmark validation (SHACL shapes and references) on synthetic cooperation graphs; print a table.

    python benchmarks/bench_validate.py                         # 10k, 50k and 100k triples, 3 runs
    python benchmarks/bench_validate.py --sizes 50000 --runs 5
    python benchmarks/bench_validate.py --src /tmp/before/src   # another checkout's code and shapes

For each size, ``coopgraph synth --triples N --seed S --format yaml`` writes the sources once (cached
under ``--cache``). Then, each in a process of its own, with the code of ``--src`` (default: this
checkout's ``src/``):

- ``build``: :func:`coopgraph.build.build_dataset` of the sources (once; not part of validation);
- ``validate()``: :func:`coopgraph.validate.validate` of that build, ``--runs`` times: the median of
  the wall-clock and of the CPU time (the machine may be shared: CPU time is what the work costs);
- ``pySHACL``: the ``pyshacl.validate`` call inside it, timed the same way;
- ``RSS +``: how much validation raised the process's peak RSS above that of the build;
- ``command``: ``coopgraph validate DIR`` as a user runs it (reading, building, validating), the
  median wall-clock time of ``--runs`` runs, and its peak RSS.

Not a test: no asserts. Target of issue 15 (item 8): validation of 50k triples in under 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]
TARGET_50K = 5.0


# ------------------------------------------------------------------------------------ child process


def _child(folder: str, runs: int) -> None:
    """Build once, validate ``runs`` times; print one JSON line of timings."""
    import pyshacl

    from coopgraph import validate as validation
    from coopgraph.build import build_dataset

    started = time.perf_counter()
    build = build_dataset([folder])
    build_seconds = time.perf_counter() - started
    rss_built = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    calls: list[tuple[float, float]] = []
    original = pyshacl.validate

    def timed(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = original(*args, **kwargs)
        calls.append((time.perf_counter() - wall, time.process_time() - cpu))
        return result

    validation.pyshacl.validate = timed  # type: ignore[attr-defined]
    runs_wall, runs_cpu, problems = [], [], 0
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        problems = len(validation.validate(build))
        runs_wall.append(time.perf_counter() - wall)
        runs_cpu.append(time.process_time() - cpu)
    derived = validation.DERIVED_GRAPH if hasattr(validation, "DERIVED_GRAPH") else None
    triples = sum(len(g) for g in build.dataset.graphs() if g.identifier != derived)  # what synth wrote
    print(json.dumps({
        "triples": triples, "build": build_seconds, "problems": problems,
        "wall": runs_wall, "cpu": runs_cpu,
        "shacl_wall": [c[0] for c in calls], "shacl_cpu": [c[1] for c in calls],
        "rss_built": rss_built, "rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }), flush=True)


# ------------------------------------------------------------------------------------ the parent


def _run(argv: list[str], src: Path) -> tuple[str, float, int, int]:
    """Run a process with ``src`` first on the path; its stdout, wall-clock seconds, peak RSS and exit code."""
    env = dict(os.environ, PYTHONPATH=str(src))
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    out = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    return out, time.perf_counter() - started, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)


def _sources(cache: Path, triples: int, seed: int, src: Path) -> Path:
    folder = cache / f"synth-{triples}-{seed}"
    if not (folder / "sources").is_dir():
        out, _, _, code = _run([sys.executable, "-m", "coopgraph", "synth", "--triples", str(triples), "--seed", str(seed),
                                "--format", "yaml", "-o", str(folder)], src)
        if code != 0:
            raise SystemExit(f"coopgraph synth failed: {out}")
    return folder


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000], metavar="TRIPLES")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (median; default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the code to run (default: this checkout's src/)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/coopgraph-bench-validate"),
                        help="where the synthetic sources are kept")
    parser.add_argument("--no-command", action="store_true", help="skip timing 'coopgraph validate DIR'")
    parser.add_argument("--child", nargs=2, metavar=("DIR", "RUNS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], int(args.child[1]))
        return

    args.cache.mkdir(parents=True, exist_ok=True)
    src = args.src.resolve()
    header = ("triples", "build s", "validate() s", "cpu s", "pySHACL s", "cpu s", "RSS +", "command s", "command RSS",
              "problems")
    rows = []
    for size in args.sizes:
        folder = _sources(args.cache, size, args.seed, src)
        out, _, _, code = _run([sys.executable, str(HERE), "--child", str(folder), str(args.runs)], src)
        if code != 0:
            print(f"{size}: the validation process failed ({code})", file=sys.stderr)
            continue
        result = json.loads(out.strip().splitlines()[-1])
        command, command_rss = "-", "-"
        if not args.no_command:
            timings = [_run([sys.executable, "-m", "coopgraph", "validate", str(folder)], src) for _ in range(args.runs)]
            command = f"{_median([t[1] for t in timings]):.2f}"
            command_rss = f"{max(t[2] for t in timings) / 1e6:,.0f} MB"
        row = (
            f"{result['triples']:,}", f"{result['build']:.2f}",
            f"{_median(result['wall']):.2f}", f"{_median(result['cpu']):.2f}",
            f"{_median(result['shacl_wall']):.2f}", f"{_median(result['shacl_cpu']):.2f}",
            f"{(result['rss_peak'] - result['rss_built']) / 1e6:,.0f} MB", command, command_rss, str(result["problems"]),
        )
        print("  ".join(row), file=sys.stderr, flush=True)
        rows.append(row)

    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)] if rows else [len(h) for h in header]
    print(f"validation of synthetic sources (seed {args.seed}), code of {src}, median of {args.runs} runs")
    print("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    print(f"target: validate() of 50k triples under {TARGET_50K:.0f} s")


if __name__ == "__main__":
    main()
