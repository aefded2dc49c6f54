"""The `{{ cookiecutter.project_slug }}` command: train, evaluate, export and predict.

The framework is imported only inside the subcommand that needs it, so `--help` stays instant. Every
failure a user can fix is one line on stderr and a non-zero exit (see `errors.py`); the result of a
command is strict JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .config import Config
from .config_io import load_config
from .errors import ProjectError
from .runs import CONFIG_FILE, find_run

PROG = "{{ cookiecutter.project_slug }}"
DEFAULT_CONFIG = Path("configs/default.toml")
DEBUG_VARIABLE = "{{ cookiecutter.package_name|upper }}_DEBUG"
COMMANDS = {
    "train": "train the model; each run writes a new directory under trainer.runs_dir",
    "evaluate": "report the metrics of a run's best checkpoint on its held-out split",
    "export": "export a run's trained model for serving and check its outputs",
{% if cookiecutter.task == "recommendation" %}
    "predict": "recommend items to users with a run's model",
{% elif cookiecutter.task == "generative" %}
    "predict": "sample new images with a run's model into a new folder",
{% elif cookiecutter.task == "language-model" %}
    "predict": "continue each prompt with text sampled from a run's model",
{% else %}
    "predict": "predict labels or values for new inputs with a run's model",
{% endif %}
}
{% if cookiecutter.task != "generative" %}
PREDICT_INPUTS = "{{ {'image-classification': 'image files', 'text-classification': 'texts, or text files of one text per line', 'tabular': 'CSV or Parquet files of rows', 'audio-classification': 'WAV files, or folders of them', 'recommendation': 'user ids', 'language-model': 'prompts to continue (an empty one starts from nothing)'}[cookiecutter.task] }}"
{% endif %}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="{{ cookiecutter.description }}",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in COMMANDS.items():
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument(
            "--config",
            type=Path,
            default=None,
            help=f"TOML config file (default: the run's own config.toml for --resume, evaluate "
            f"and export; else {DEFAULT_CONFIG} when it exists)",
        )
        sub.add_argument(
            "--set",
            dest="overrides",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="override one config value, e.g. --set trainer.epochs=3 (repeatable)",
        )
        if name == "train":
            sub.add_argument(
                "--resume",
                nargs="?",
                const="latest",
                default=None,
                metavar="RUN",
                help="continue a run from its last checkpoint (default: the latest run)",
            )
        else:
            sub.add_argument(
                "--run", type=Path, default=None, help="run directory (default: the latest run)"
            )
            source = sub.add_mutually_exclusive_group() if name == "predict" else sub
            source.add_argument(
                "--checkpoint",
                type=Path,
                default=None,
                help="checkpoint to load (default: the run's best one)",
            )
        if name == "predict":
            source.add_argument(
                "--exported",
                action="store_true",
                help="use the run's exported model (from `export`) instead of a checkpoint",
            )
{% if cookiecutter.task == "generative" %}
            sub.add_argument(
                "--out",
                type=Path,
                required=True,
                help="a new or empty folder for the images (sample-0000.png, ...)",
            )
            sub.add_argument(
                "--num-images", type=_positive, default=16, metavar="N", help="default: 16"
            )
            sub.add_argument(
                "--seed", type=int, default=0, help="the draw of latent codes (default: 0)"
            )
{% else %}
            sub.add_argument("inputs", nargs="+", metavar="INPUT", help=PREDICT_INPUTS)
{% endif %}
{% if cookiecutter.task == "language-model" %}
            sub.add_argument("--max-new-tokens", type=_positive, default=100, metavar="N",
                             help="the longest continuation, in tokens (default: 100)")  # fmt: skip
            sub.add_argument("--temperature", type=_temperature, default=1.0, metavar="T",
                             help="below 1 surer, above 1 more varied; 0 always takes the "
                             "likeliest token (default: 1.0)")  # fmt: skip
            sub.add_argument("--top-k", type=_count, default=50, metavar="K",
                             help="sample from the K likeliest tokens only; 0: all tokens "
                             "(default: 50)")  # fmt: skip
            sub.add_argument("--seed", type=int, default=0, help="the draw (default: 0)")
{% endif %}
    return parser


{% if cookiecutter.task in ("generative", "language-model") %}
def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return value


{% endif %}
{% if cookiecutter.task == "language-model" %}
def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 0, not {text!r}")
    return value


def _temperature(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 100, not {text!r}")
    return value


{% endif %}
def _runs_dir(args: argparse.Namespace) -> Path:
    """Where runs live, from the config the user points at (before any run is chosen)."""
    base = args.config or (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
    return load_config(Config, base, args.overrides).trainer.runs_dir


def prepare(args: argparse.Namespace) -> tuple[Config, Path | None]:
    """The configuration of this command and the existing run it works on (None: a new run).

    An existing run is read with its own saved configuration, then `--config`/`--set` on top, so
    that evaluating or resuming sees the data split and model the run was trained with.
    """
    if args.command == "train" and args.resume is None:
        config_path = args.config or (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
        return load_config(Config, config_path, args.overrides), None
    chosen = getattr(args, "run", None)
    if args.command == "train" and args.resume != "latest":
        chosen = Path(args.resume)
    run = find_run(_runs_dir(args) if chosen is None else Path(), chosen)
    config_path = args.config or run / CONFIG_FILE
    return load_config(Config, config_path, args.overrides), run


def run(args: argparse.Namespace, config: Config, existing: Path | None) -> dict[str, Any]:
    if args.command == "train":
        from .train import train

        return train(config, resume=existing)
    assert existing is not None
    if args.command == "evaluate":
        from .evaluate import evaluate

        return evaluate(config, existing, checkpoint=args.checkpoint)
    if args.command == "export":
        from .export import export

        return export(config, existing, checkpoint=args.checkpoint)
    from .predict import predict

{% if cookiecutter.task == "generative" %}
    return predict(
        config,
        existing,
        args.out,
        args.num_images,
        seed=args.seed,
        checkpoint=args.checkpoint,
        exported=args.exported,
    )
{% elif cookiecutter.task == "language-model" %}
    return predict(
        config,
        existing,
        args.inputs,
        checkpoint=args.checkpoint,
        exported=args.exported,
        max_new_tokens=args.max_new_tokens,
        temperature=args.temperature,
        top_k=args.top_k,
        seed=args.seed,
    )
{% else %}
    return predict(
        config, existing, args.inputs, checkpoint=args.checkpoint, exported=args.exported
    )
{% endif %}


def strict_json(value: Any) -> Any:
    """JSON has no NaN or Infinity: a non-finite number is reported as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): strict_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strict_json(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def is_main_process() -> bool:
    """Under a launcher (torchrun, Slurm) every process returns the result; one prints it."""
    return os.environ.get("RANK", "0") == "0"


def fail(message: str, code: int) -> int:
    first = (message.strip().splitlines() or ["failed"])[0]
    # One write of the whole line: under a launcher several processes share stderr, and print()
    # writes the text and its newline apart, so unbuffered lines of two ranks could run together.
    sys.stderr.write(f"{PROG}: {first}\n")
    sys.stderr.flush()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config, existing = prepare(args)
        result = run(args, config, existing)
    except ProjectError as exc:
        return fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except Exception as exc:  # a bug or an environment problem: still one line, unless debugging
        if os.environ.get(DEBUG_VARIABLE):
            traceback.print_exc()
        return fail(
            f"unexpected {type(exc).__name__}: {exc} (set {DEBUG_VARIABLE}=1 for the traceback)", 1
        )
    if is_main_process():
        print(json.dumps(strict_json(result), indent=2, allow_nan=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
