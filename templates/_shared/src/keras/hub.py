"""Loading a KerasHub preset named by `model.pretrained`: a local directory (as `save_to_preset`
writes one) or a preset handle (`bert_tiny_en_uncased`, `kaggle://...`, `hf://...`) that KerasHub
resolves, through KerasHub, the optional `pretrained` extra. Every failure to find or read it is
one `ConfigError` naming the setting."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import keras

from .config_io import ConfigError
from .errors import ProjectError

INSTALL = "pip install -e '.[pretrained]'"


def keras_hub() -> Any:
    """KerasHub, imported on first use (the import costs seconds that other runs need not pay),
    or one line naming the extra when it is not installed."""
    try:
        import keras_hub as hub
    except ImportError:
        raise ConfigError(f"model.pretrained needs KerasHub: {INSTALL}") from None
    return hub


def preset(name: str) -> str:
    """A directory (anything path-like), checked here so that a mistyped one is named before
    KerasHub is looked for, or a handle passed on as it is."""
    if "://" in name:
        return name
    path = Path(name).expanduser()
    if name.startswith((".", "/", "~")) or "/" in name or path.exists():
        if not path.is_dir():
            raise ConfigError(f"model.pretrained = {name!r} is not a directory (nor a preset)")
        return str(path)
    return name


def load_preset(loader: Any, name: str, **kwargs: Any) -> Any:
    """`loader.from_preset(name)`, its errors as one line each."""
    where = preset(name)
    try:
        return loader.from_preset(where, **kwargs)
    except (OSError, ValueError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"model.pretrained = {name!r} cannot be loaded: {first}") from None


def check_exportable() -> None:
    """A fine-tuned preset exports from the TensorFlow and JAX backends. On PyTorch, Keras's ONNX
    exporter (TorchScript, for dynamic shapes) cannot trace the layer norms inside KerasHub's
    blocks, which take their sizes from the traced tensor."""
    if keras.backend.backend() == "torch":
        raise ProjectError(
            "a model.pretrained run exports from the tensorflow or jax backend, not torch "
            "(KerasHub's layers do not trace to ONNX); predict reads its checkpoint"
        )


def preset_limit(layers: Iterable[Any]) -> int | None:
    """The longest input a model with a preset inside serves: the shortest position table
    (`max_sequence_length`) among `layers`, or None when none has one (a model from scratch).
    A model that has one exports only where KerasHub's layers trace, see `check_exportable`."""
    limits = [getattr(layer, "max_sequence_length", None) for layer in layers]
    limit = min((limit for limit in limits if limit), default=None)
    if limit is not None:
        check_exportable()
    return limit
