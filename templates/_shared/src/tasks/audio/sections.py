# What an epoch can record, and the direction each improves in; here rather than in `clips`, so that
# loading a config (even for `--help`) imports no NumPy.
METRIC_MODES = {
    "train_loss": "min",
    "val_loss": "min",
    "val_accuracy": "max",
    "val_macro_f1": "max",
}


@dataclass
class DataConfig:
    # "synthetic" (seeded tones, chirps, pulses and noise made in memory), or a folder with one
    # sub-folder of PCM .wav files per class
    source: Annotated[str, NonEmpty()] = "synthetic"
    num_samples: Annotated[int, Range(ge=2)] = 1200  # synthetic data only
    val_fraction: Annotated[float, Range(gt=0, lt=1)] = 0.2
    # {{ batch_note }}
    batch_size: Annotated[int, Range(ge=1)] = 32
    # Every clip is resampled to this rate and its middle `clip_seconds` kept (or padded with
    # silence): the exported model takes waveforms of exactly that many samples.
    sample_rate: Annotated[int, Range(ge=1000, le=192000)] = 16000
    clip_seconds: Annotated[float, Range(gt=0, le=60)] = 1.0


@dataclass
class ModelConfig:
    # The log-mel front end, computed inside the model: window and hop in samples, mel bands.
    n_fft: Annotated[int, Range(ge=16)] = 512
    hop_length: Annotated[int, Range(ge=1)] = 160
    n_mels: Annotated[int, Range(ge=1)] = 40
    widths: list[Annotated[int, Range(ge=1)]] = field(default_factory=lambda: [16, 32, 64])
    dropout: Annotated[float, Range(ge=0, lt=1)] = 0.1
    # SpecAugment-style masking while training: each clip loses up to this many mel bands and
    # frames, at random places. 0 turns it off.
    freq_mask: Annotated[int, Range(ge=0)] = 0
    time_mask: Annotated[int, Range(ge=0)] = 0

    def validate(self) -> None:
        if not self.widths:
            raise ConfigError("model.widths must list at least one width, e.g. [16, 32]")


def check_sections(data: DataConfig, model: ModelConfig) -> None:
    """The window fits in a clip, and every block after the first halves the spectrogram."""
    samples = max(1, round(data.sample_rate * data.clip_seconds))
    if model.n_fft > samples:
        raise ConfigError(
            f"model.n_fft = {model.n_fft} is longer than a clip ({samples} samples at "
            "data.sample_rate and data.clip_seconds)"
        )
    frames, smallest = 1 + samples // model.hop_length, 2 ** (len(model.widths) - 1)
    if min(frames, model.n_mels) < smallest:
        raise ConfigError(
            f"{len(model.widths)} blocks (model.widths) need at least {smallest} mel bands and "
            f"frames; model.n_mels = {model.n_mels} and a clip gives {frames} frames"
        )
    # The narrowest mel band is the lowest; it must reach past the first frequency bin above 0 Hz.
    top = 2595.0 * math.log10(1.0 + data.sample_rate / 2 / 700.0)
    lowest_band = 700.0 * (10.0 ** (2 * top / (model.n_mels + 1) / 2595.0) - 1.0)
    if data.sample_rate / model.n_fft >= lowest_band:
        raise ConfigError(
            f"model.n_mels = {model.n_mels} is too many for model.n_fft = {model.n_fft}: the "
            "lowest mel bands would hold no frequency bin; lower n_mels or raise n_fft"
        )
    if model.freq_mask >= model.n_mels:
        raise ConfigError(f"model.freq_mask must be below model.n_mels = {model.n_mels}")
