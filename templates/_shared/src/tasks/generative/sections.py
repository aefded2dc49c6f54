# What an epoch can record, and the direction each improves in; here rather than in `pictures`, so
# that loading a config (even for `--help`) imports no NumPy or Pillow. The loss is the negative
# ELBO per image: reconstruction (binary cross-entropy summed over pixels) plus beta * KL.
METRIC_MODES = {
    "train_loss": "min",
    "val_loss": "min",
    "val_reconstruction": "min",
    "val_kl": "min",
}


@dataclass
class DataConfig:
    # "synthetic" (seeded discs, squares, triangles and rings made in memory), or a folder of
    # image files (sub-folders too; PNG, JPEG, BMP, GIF, WebP, TIFF), read into memory once,
    # centre-cropped and resized to image_size
    source: Annotated[str, NonEmpty()] = "synthetic"
    num_samples: Annotated[int, Range(ge=2)] = 2000  # synthetic data only
    image_size: Annotated[int, Range(ge=4, le=1024)] = 32
    channels: Annotated[int, Range(ge=1, le=3)] = 3  # 1: grey, 3: RGB
    val_fraction: Annotated[float, Range(gt=0, lt=1)] = 0.1
    # {{ batch_note }}
    batch_size: Annotated[int, Range(ge=1)] = 64


@dataclass
class ModelConfig:
    # A convolutional VAE: one stride-2 conv block per width down to the latent code, the same
    # widths in reverse back up to the image.
    widths: list[Annotated[int, Range(ge=1)]] = field(default_factory=lambda: [32, 64])
    latent_dim: Annotated[int, Range(ge=1)] = 16
    # The KL term's weight: above 1 a smoother latent space, below 1 sharper reconstructions.
    beta: Annotated[float, Range(ge=0)] = 1.0
    # Images decoded from the same fixed codes into the run's samples/epoch-NNN.png after every
    # epoch, so the grids show the model's progress side by side (0: none).
    samples_per_epoch: Annotated[int, Range(ge=0, le=256)] = 64

    def validate(self) -> None:
        if not self.widths:
            raise ConfigError("model.widths must list at least one width, e.g. [32, 64]")


def check_sections(data: DataConfig, model: ModelConfig) -> None:
    """Each block halves the image and the decoder doubles it back: the size must divide evenly."""
    step = 2 ** len(model.widths)
    if data.image_size % step:
        raise ConfigError(
            f"data.image_size must be a multiple of {step} for {len(model.widths)} blocks "
            f"(model.widths), not {data.image_size}"
        )
