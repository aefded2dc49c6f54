"""What makes this a generative model for the common training code: the run's image shape and
code size, the negative ELBO and its two terms as the epoch's scores, the mean-image baseline,
and the sampler (codes in, pixels out) that `export` writes and `predict` runs."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keras
import numpy as np
from keras import layers

from .data import Split, load_split
from .errors import ConfigError, ProjectError
from .task_config import DataConfig

if TYPE_CHECKING:
    from .config import Config

ROUND_TRIP_CODES = 16  # codes from the prior the export is checked on
META_FILE = "vae.json"  # the run's image shape, code size and beta


@dataclass(frozen=True)
class Meta:
    image_size: int
    channels: int
    latent_dim: int
    beta: float  # the KL term's weight in val_loss, as in training's loss


def write_meta(run: Path, meta: Meta) -> None:
    (Path(run) / META_FILE).write_text(json.dumps(asdict(meta)) + "\n", encoding="utf-8")


def read_meta(run: Path) -> Meta:
    path = Path(run) / META_FILE
    if not path.is_file():
        raise ProjectError(f"{run} has no {META_FILE}: was it trained to the end of an epoch?")
    return Meta(**json.loads(path.read_text(encoding="utf-8")))


def new_split(config: Config, seed: int) -> Split:
    """The split a new run trains on."""
    data, model = config.data, config.model
    meta = Meta(data.image_size, data.channels, model.latent_dim, model.beta)
    return load_split(data, seed, meta)


def run_split(data: DataConfig, seed: int, trained_on: Meta) -> Split:
    """The split as the run's model reads it, refused (one line) if data.image_size or
    data.channels now differ from the run's."""
    if (data.image_size, data.channels) != (trained_on.image_size, trained_on.channels):
        raise ConfigError(
            f"the run was trained on {trained_on.channels}-channel {trained_on.image_size}px "
            f"images, but the data now holds {data.channels}-channel {data.image_size}px images "
            "(data.channels, data.image_size)"
        )
    return load_split(data, seed, trained_on)


def loss(meta: Meta) -> None:
    return None  # the model's own `compute_loss`: the ELBO needs the code as well as the logits


def train_metrics(meta: Meta) -> list[keras.metrics.Metric]:
    return []  # train_loss is the negative ELBO; its terms are scored on the held-out images


def metric_names(meta: Meta) -> list[str]:
    """What `score` returns, in metrics.csv's column order."""
    return ["loss", "reconstruction", "kl"]


def score(outputs: tuple[np.ndarray, ...], images: np.ndarray, meta: Meta) -> dict[str, float]:
    """The negative ELBO and its terms per image, over every held-out image, in float64."""
    logits, mean, log_var = outputs
    bce = np.maximum(logits, 0) - logits * images + np.log1p(np.exp(-np.abs(logits)))
    reconstruction = float(bce.reshape(len(bce), -1).sum(axis=1).mean())
    kl = float((-0.5 * (1 + log_var - mean**2 - np.exp(log_var)).sum(axis=1)).mean())
    return {"loss": reconstruction + meta.beta * kl, "reconstruction": reconstruction, "kl": kl}


def summary(split: Split) -> dict[str, Any]:
    meta, mean_image = split.meta, {"reconstruction": split.mean_image}
    return {
        "image_shape": [meta.image_size, meta.image_size, meta.channels],
        "num_train_images": len(split.x_train),
        "num_val_images": len(split.x_val),
        "baselines": {"mean_image": mean_image},
    }


def serving_model(model: keras.Model) -> keras.Model:
    """What `export` writes and `predict` runs: codes float32 [batch, latent_dim] to pixel
    probabilities float32 [batch, size, size, channels], the decoder with its sigmoid."""
    codes = keras.Input((model.latent_dim,), name="codes")
    images = layers.Activation("sigmoid", dtype="float32", name="images")(model.decoder(codes))
    return keras.Model(codes, images, name="sampler")


def prior_codes(count: int, latent_dim: int, seed: int) -> np.ndarray:
    """float32 [count, latent_dim] from N(0, I), a pure function of the seed."""
    return np.random.default_rng(seed).standard_normal((count, latent_dim)).astype(np.float32)


def export_files(meta: Meta) -> dict[str, Any]:
    """Files written beside the artifact: shape.json, what its input and output look like."""
    shape = {key: value for key, value in asdict(meta).items() if key != "beta"}
    return {"shape": shape}


def export_limit(model: keras.Model) -> int | None:
    return None  # codes of a fixed size in, images of a fixed size out


def round_trip_inputs(split: Split, data: DataConfig, export_dir: Path) -> list[list[np.ndarray]]:
    """Inputs to compare the export with the model on: codes from the prior, two batch sizes."""
    codes = prior_codes(ROUND_TRIP_CODES, split.meta.latent_dim, seed=1)
    return [[codes], [codes[:1]]]
