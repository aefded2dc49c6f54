"""Labelled clips in, a seeded split out: synthetic sounds, or a folder with one sub-folder of WAV
files per class. Every clip comes out as float32 mono samples in [-1, 1] at `sample_rate`, cut or
padded to one length, so a batch is one array and the model takes raw waveforms, as its export does.

Nothing here knows the framework. The same seed holds out the same clips in train, evaluate and
export and on every rank, and the classes are those of the training clips.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ConfigError

# The synthetic set: sounds a small CNN over a log-mel spectrogram tells apart only by looking at
# both frequency (the two tones) and time (which way a chirp sweeps, whether the sound pulses).
SYNTHETIC_CLASSES = ("low_tone", "high_tone", "rising_chirp", "falling_chirp", "pulses", "noise")
WAV_SUFFIXES = (".wav", ".wave")


def clip_length(sample_rate: int, clip_seconds: float) -> int:
    return max(1, round(sample_rate * clip_seconds))


def _event(kind: str, t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One sound of a class over times `t` (seconds since it began)."""
    low, high = rng.uniform(200, 400), rng.uniform(1500, 3000)
    phase = rng.uniform(0, 2 * np.pi)
    if kind == "low_tone":
        return np.sin(2 * np.pi * low * t + phase)
    if kind == "high_tone":
        return np.sin(2 * np.pi * high * t + phase)
    if kind in ("rising_chirp", "falling_chirp"):
        start, end = (low, high) if kind == "rising_chirp" else (high, low)
        # The phase integrates a frequency that moves linearly from `start` to `end`.
        sweep = (end - start) / max(float(t[-1]), 1e-3)
        return np.sin(2 * np.pi * (start * t + 0.5 * sweep * t**2) + phase)
    if kind == "pulses":
        gate = np.sin(2 * np.pi * rng.uniform(6, 10) * t) > 0
        return gate * np.sin(2 * np.pi * rng.uniform(600, 1200) * t + phase)
    return 0.5 * rng.standard_normal(len(t))


def synthetic_clips(
    num_samples: int, sample_rate: int, clip_seconds: float, seed: int
) -> tuple[np.ndarray, list[str]]:
    """`num_samples` clips [n, length] and their class names: one sound of a random class at a
    random time, loudness and duration, over quiet background noise."""
    rng = np.random.default_rng(seed)
    length = clip_length(sample_rate, clip_seconds)
    ramp = max(1, sample_rate // 100)  # 10 ms fades, so onsets do not click across all bands
    waves = np.empty((num_samples, length), np.float32)
    labels = []
    for i in range(num_samples):
        kind = SYNTHETIC_CLASSES[int(rng.integers(len(SYNTHETIC_CLASSES)))]
        span = max(2, int(length * rng.uniform(0.4, 0.8)))
        start = int(rng.integers(0, length - span + 1))
        steps = np.arange(span)
        fade = np.minimum(1.0, np.minimum(steps, steps[::-1]) / ramp)
        clip = rng.standard_normal(length) * rng.uniform(0.005, 0.03)
        clip[start : start + span] += (
            rng.uniform(0.2, 0.8) * fade * _event(kind, steps / sample_rate, rng)
        )
        waves[i] = np.clip(clip, -1.0, 1.0)
        labels.append(kind)
    return waves, labels


def _pcm_to_float(frames: bytes, width: int, channels: int) -> np.ndarray:
    """Interleaved PCM frames as float32 mono in [-1, 1] (channels averaged)."""
    if width == 1:  # 8-bit WAV is unsigned
        samples = (np.frombuffer(frames, np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 3:  # 24-bit: widen each little-endian triple to int32
        raw = np.frombuffer(frames, np.uint8).reshape(-1, 3)
        wide = (raw[:, 0].astype(np.int32) | raw[:, 1].astype(np.int32) << 8
                | raw[:, 2].astype(np.int8).astype(np.int32) << 16)  # fmt: skip
        samples = wide.astype(np.float32) / float(1 << 23)
    else:
        kind = {2: np.int16, 4: np.int32}[width]
        samples = np.frombuffer(frames, f"<{np.dtype(kind).char}").astype(np.float32)
        samples /= float(1 << (8 * width - 1))
    return samples.reshape(-1, channels).mean(axis=1)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A PCM WAV file (8, 16, 24 or 32-bit, any channels) as float32 mono samples and its rate."""
    try:
        with wave.open(str(path), "rb") as handle:
            width, channels = handle.getsampwidth(), handle.getnchannels()
            rate, frames = handle.getframerate(), handle.readframes(handle.getnframes())
    except (wave.Error, EOFError, OSError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"{path}: not a PCM WAV file this project reads ({reason}); convert it to 16-bit PCM, "
            "e.g. ffmpeg -i IN -c:a pcm_s16le OUT.wav"
        ) from exc
    if width not in (1, 2, 3, 4) or rate <= 0:
        raise ConfigError(f"{path}: unsupported WAV ({8 * width}-bit samples at {rate} Hz)")
    usable = len(frames) - len(frames) % (width * channels)  # a truncated last frame is dropped
    return _pcm_to_float(frames[:usable], width, channels), rate


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Band-limited resampling through the spectrum: the bins above the lower Nyquist frequency
    are dropped (no aliasing when the rate falls), then the signal is rebuilt at the new rate."""
    if rate == target or len(samples) == 0:
        return samples.astype(np.float32)
    length = max(1, round(len(samples) * target / rate))
    spectrum = np.fft.rfft(samples.astype(np.float64))
    bins = length // 2 + 1
    kept = np.zeros(bins, np.complex128)
    kept[: min(bins, len(spectrum))] = spectrum[:bins]
    return (np.fft.irfft(kept, n=length) * (length / len(samples))).astype(np.float32)


def fit_length(samples: np.ndarray, length: int) -> np.ndarray:
    """The middle `length` samples of a longer clip; a shorter one padded with trailing silence."""
    if len(samples) >= length:
        start = (len(samples) - length) // 2
        return samples[start : start + length]
    return np.pad(samples, (0, length - len(samples)))


def load_wav(path: Path, sample_rate: int, clip_seconds: float) -> np.ndarray:
    """A WAV file as the model takes it: mono, at `sample_rate`, `clip_seconds` long."""
    samples, rate = read_wav(path)
    return fit_length(resample(samples, rate, sample_rate), clip_length(sample_rate, clip_seconds))


def _wav_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in WAV_SUFFIXES)


def read_folder(path: Path, sample_rate: int, clip_seconds: float) -> tuple[np.ndarray, list[str]]:
    """One sub-folder per class, one clip per WAV file, in a fixed order."""
    files: list[tuple[Path, str]] = []
    for folder in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files.extend((file, folder.name) for file in _wav_files(folder))
    if not files:
        raise ConfigError(f"{path} holds no class sub-folders with .wav files")
    waves = np.stack([load_wav(file, sample_rate, clip_seconds) for file, _ in files])
    return waves, [label for _, label in files]


def read_clips(
    source: str, *, num_samples: int, sample_rate: int, clip_seconds: float, seed: int
) -> tuple[np.ndarray, list[str]]:
    if source == "synthetic":
        return synthetic_clips(num_samples, sample_rate, clip_seconds, seed)
    path = Path(source).expanduser()
    if not path.exists():
        raise ConfigError(f"data.source {str(path)!r} does not exist (or use 'synthetic')")
    if not path.is_dir():
        raise ConfigError(f"{path}: expected a folder with one sub-folder of .wav files per class")
    return read_folder(path, sample_rate, clip_seconds)


@dataclass
class Clips:
    """A clip set's training and held-out halves: waveforms [n, length], labels as indices into
    `classes`."""

    classes: list[str]
    train_waves: np.ndarray
    train_labels: np.ndarray
    val_waves: np.ndarray
    val_labels: np.ndarray


def load_clips(
    source: str,
    *,
    num_samples: int,
    sample_rate: int,
    clip_seconds: float,
    val_fraction: float,
    seed: int,
) -> Clips:
    """The configured clips, split by a seeded shuffle; the classes are the training labels."""
    waves, labels = read_clips(
        source,
        num_samples=num_samples,
        sample_rate=sample_rate,
        clip_seconds=clip_seconds,
        seed=seed,
    )
    n = len(labels)
    if n < 2:
        raise ConfigError(f"{source} has fewer than 2 clips")
    n_val = min(max(1, round(n * val_fraction)), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    train_rows, val_rows = np.sort(order[n_val:]), np.sort(order[:n_val])
    classes = sorted({labels[i] for i in train_rows})
    if len(classes) < 2:
        raise ConfigError(f"{source}: the training clips hold only the class {classes[0]!r}")
    index = {name: i for i, name in enumerate(classes)}
    unseen = sorted({labels[i] for i in val_rows} - index.keys())
    if unseen:
        raise ConfigError(
            f"{source}: held-out clips have classes no training clip has "
            f"({', '.join(unseen[:5])}); add clips of them or change data.val_fraction"
        )
    return Clips(
        classes=classes,
        train_waves=waves[train_rows],
        train_labels=np.array([index[labels[i]] for i in train_rows], np.int64),
        val_waves=waves[val_rows],
        val_labels=np.array([index[labels[i]] for i in val_rows], np.int64),
    )


def read_inputs(
    inputs: list[str], sample_rate: int, clip_seconds: float
) -> tuple[list[str], np.ndarray]:
    """What `predict` classifies: WAV files, and the WAV files of folders, as [n, length] clips."""
    files: list[Path] = []
    for item in inputs:
        path = Path(item).expanduser()
        if path.is_dir():
            files.extend(_wav_files(path))
        elif path.is_file():
            files.append(path)
        else:
            raise ConfigError(f"{item}: no such file or folder")
    if not files:
        raise ConfigError("nothing to classify: give WAV files, or folders that hold them")
    return [str(f) for f in files], np.stack(
        [load_wav(f, sample_rate, clip_seconds) for f in files]
    )


def write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    """Float samples in [-1, 1] as a 16-bit PCM mono WAV file."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).round().astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(sample_rate)
        handle.writeframes(pcm.tobytes())
