"""The `{{ cookiecutter.project_slug }}` command: train, evaluate and export.

The framework is imported only inside the subcommand that needs it, so `--help` stays instant.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import Config
from .config_io import ConfigError, load_config

DEFAULT_CONFIG = Path("configs/default.toml")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="{{ cookiecutter.project_slug }}",
        description="{{ cookiecutter.description }}",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("train", "train the model; writes checkpoints and metrics under trainer.output_dir"),
        ("evaluate", "report loss and accuracy of a checkpoint on the held-out split"),
        ("export", "export the trained model for serving and check its outputs"),
    ):
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument(
            "--config",
            type=Path,
            default=None,
            help=f"TOML config file (default: {DEFAULT_CONFIG} when it exists)",
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
                "--resume", action="store_true", help="continue from the last checkpoint"
            )
        else:
            sub.add_argument(
                "--checkpoint",
                type=Path,
                default=None,
                help="checkpoint to load (default: the best one of the run)",
            )
    return parser


def run(args: argparse.Namespace, config: Config) -> dict:
    if args.command == "train":
        from .train import train

        return train(config, resume=args.resume)
    if args.command == "evaluate":
        from .evaluate import evaluate

        return evaluate(config, checkpoint=args.checkpoint)
    from .export import export

    return export(config, checkpoint=args.checkpoint)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    config_path = args.config
    if config_path is None and DEFAULT_CONFIG.is_file():
        config_path = DEFAULT_CONFIG
    try:
        config = load_config(Config, config_path, args.overrides)
        result = run(args, config)
    except ConfigError as exc:  # a setting or data source that cannot work: one line
        print(f"{{ cookiecutter.project_slug }}: {exc}", file=sys.stderr)
        return 2
    # Under a launcher such as torchrun every process returns the result; rank 0 prints it.
    if os.environ.get("RANK", "0") == "0":
        print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
