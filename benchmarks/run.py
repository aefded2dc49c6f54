"""Benchmark suite: is `scaffold` as fast as Cookiecutter, and do generated projects train fast?

    python benchmarks/run.py                 # full run (< 10 min on 2 CPU cores), writes results/
    python benchmarks/run.py --quick         # smoke test: fewer runs, nothing written
    python benchmarks/run.py --only generation --runs 20
    python benchmarks/run.py --only training --fresh   # re-bake and re-install the projects
    python benchmarks/run.py --only training --long-only --tasks tabular   # the long epoch alone

Every comparison runs its two sides interleaved (A B A B ...) so that load from other processes
hits both alike, and reports medians and their ratio. Run it with the repository's virtual
environment (the one with the frameworks, cookiecutter and scaffold installed).

Importable: `measure_generation(runs)`, `measure_training(runs, projects, tasks=...)`, `render_table(results)`.

This file is the command line; the work is in its sibling modules: `measure.py` (paths, targets,
result types, timing a process), `generation.py`, `training.py` and `report.py` (the machine,
the Markdown report, the files written).
"""

import argparse
import datetime
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generation import measure_generation, profile_generation
from measure import GPU_PROFILE, LONG_PROFILE, PROJECTS, RESULTS, TASKS, VARIANT_BUDGET_S
from report import machine, render_table, write_results
from training import cuda_available, measure_training

# -- command line --------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few runs, no variants, no files")
    parser.add_argument("--only", choices=("generation", "training"), help="run one section")
    parser.add_argument(
        "--runs", type=int, help="runs per side (default 10 generation, 3 training)"
    )
    parser.add_argument("--projects", default=",".join(PROJECTS), help="comma-separated subset")
    parser.add_argument(
        "--tasks", default=",".join(TASKS), help="comma-separated template tasks to train"
    )
    parser.add_argument("--fresh", action="store_true", help="re-bake and re-install projects")
    parser.add_argument(
        "--long",
        action=argparse.BooleanOptionalAction,
        help="also train one long epoch per project (default: on, off with --quick)",
    )
    parser.add_argument(
        "--long-only", action="store_true", help="train the long epoch only (implies --long)"
    )
    parser.add_argument(
        "--results-dir", type=Path, help=f"write the report here (default {RESULTS}; --quick: none)"
    )
    args = parser.parse_args(argv)
    unknown = set(args.projects.split(",")) - set(PROJECTS)
    if unknown:
        parser.error(f"unknown projects {sorted(unknown)}; choose from {', '.join(PROJECTS)}")
    unknown = set(args.tasks.split(",")) - set(TASKS)
    if unknown:
        parser.error(f"unknown tasks {sorted(unknown)}; choose from {', '.join(TASKS)}")
    if args.runs is not None and args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    start = time.perf_counter()
    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "gpu": "GPU: not measured (--only generation)",
    }
    if args.only != "training":
        runs = args.runs or (3 if args.quick else 10)
        results["generation"] = measure_generation(runs, warmup=not args.quick)
        if not args.quick:
            results["profiles"] = profile_generation()
    if args.only != "generation":
        runs, projects = args.runs or (1 if args.quick else 3), args.projects.split(",")
        tasks = args.tasks.split(",")
        if not args.long_only:
            results["training"] = measure_training(
                runs,
                projects,
                tasks=tasks,
                fresh=args.fresh,
                variants=not args.quick,
                variant_until=start + VARIANT_BUDGET_S,
            )
        if args.long_only or (args.long if args.long is not None else not args.quick):
            results["training_long"] = measure_training(
                runs, projects, tasks=tasks, fresh=args.fresh and args.long_only,
                variants=False, profile=LONG_PROFILE,
            )  # fmt: skip
        # On a CUDA machine the same projects and references run again with a larger workload.
        if cuda_available():
            results["gpu"] = "GPU: CUDA available, see the GPU table"
            results["training_gpu"] = measure_training(
                runs, projects, tasks=args.tasks.split(","), variants=False, profile=GPU_PROFILE
            )
        else:
            results["gpu"] = "GPU: not available (torch.cuda.is_available() is False)"
    results["elapsed_s"] = time.perf_counter() - start
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    results = run(args)
    text = render_table(results)
    print(text)
    directory = args.results_dir or (None if args.quick else RESULTS)
    if directory is not None:
        path = write_results(text, results["machine"], results["date"], directory)
        print(f"written: {path} and {directory / 'latest.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
