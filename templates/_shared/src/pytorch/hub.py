"""Loading a Hugging Face checkpoint named by `model.pretrained`: a local directory (as
`save_pretrained` writes one) or a hub id, through `transformers`, the optional `pretrained`
extra. Every failure to find or read it is one `ConfigError` naming the setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .config_io import ConfigError

INSTALL = "pip install -e '.[pretrained]'"


def transformers_library() -> Any:
    try:
        import huggingface_hub
        import transformers
    except ImportError:
        raise ConfigError(f"model.pretrained needs the transformers library: {INSTALL}") from None
    # Reports such as "newly initialised weights" and each download retry would be logged twice
    # (by the library and by the project's handler); a failure still ends in one error. Progress
    # bars of loading and saving would interleave with the epoch log.
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    huggingface_hub.utils.logging.set_verbosity_error()
    return transformers


def looks_local(name: str) -> bool:
    """A hub id is `name` or `owner/name`; anything else is meant as a directory."""
    return name.startswith((".", "/", "~")) or name.count("/") > 1 or Path(name).exists()


def load_pretrained(loader: Any, name: str, **kwargs: Any) -> Any:
    """`loader.from_pretrained(name)`, its errors as one line each."""
    if looks_local(name) and not Path(name).expanduser().is_dir():
        raise ConfigError(f"model.pretrained = {name!r} is not a directory (nor a hub id)")
    try:
        return loader.from_pretrained(str(Path(name).expanduser()), **kwargs)
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"model.pretrained = {name!r} cannot be loaded: {first}") from None
